package combridge

// ObservedKinds are the event kinds the recorder (Manager.Record, on
// Windows) writes, as its run.start lists them (trace format v1,
// docs/TRACE.md "Observed traces"). Every other kind — what is owed,
// retries planned, slots waited for, the notification program's runs,
// calls to a client that has exited — happens inside the service, where
// the bridge cannot see it.
const ObservedKinds = "run.start client.start job.create job.state job.flags job.register job.unregister job.cmdline call.begin call.end run.end"
