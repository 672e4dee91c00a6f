// Package scheduler is the BITS service model that runs on the sim kernel:
// users, client processes, jobs and their files, transfers in virtual time,
// and the notification dispatcher that calls IBackgroundCopyCallback.
//
// # The service model
//
// A Service holds users (AddUser; administrators may TakeOwnership and are
// exempt from the policy limits) and client processes (StartClient), each
// with a COM apartment: MTA, where every invocation runs on its own virtual
// thread, or STA, where all of a client's invocations run on its one thread.
// Clients Exit, Crash and Restart; a callback pointer dies with its process
// (G7) and a restarted process must register again.
//
// A client creates jobs (Client.CreateJob) and gets a JobRef: the Go shape
// of IBackgroundCopyJob (callbackabi.Job) as that caller sees it, returning
// exactly the documented HRESULTs (table 2.10, G6, G37–G46) and leaving the
// job untouched when it refuses. FileSpec plans what a file's server does:
// its size, HEAD and range support (G48), and failures at chosen offsets,
// transient or fatal. Jobs move QUEUED → CONNECTING → TRANSFERRING →
// TRANSFERRED at a modelled bandwidth; every FOREGROUND job runs alongside
// one background job, the highest background priority first, round-robin
// in time slices (G47). Transient errors retry after the minimum retry delay
// until the no-progress timeout turns them into ERROR (G45, G46); a lost
// network waits for the network (G44). A user who logs off (User.Logoff)
// loses their processes, and their jobs wait in QUEUED until User.Logon.
//
// A harness that tests a whole application plans the servers of the files
// the application adds itself with Service.SetServer, can break the error
// object a JobError receives (Failure.ErrorObjectHR, a fault injection),
// and acts on what happens through Service.Observe, which shows it every
// trace record as it is written.
//
// # The dispatcher: owed, not queued
//
// JobTransferred is owed while the job is TRANSFERRED, its flag is set,
// DISABLE is not (G3), somebody can take it (a registered object, a CLSID
// to activate, a command line) and no delivery has succeeded since the job
// entered the state or the object was registered (G18, G19; ambiguities 3
// and 4). JobError likewise for ERROR. After every change the dispatcher
// re-evaluates what a job owes, so late registration, re-registration after
// a crash and a flag turned on afterwards all fall out of one rule.
//
// What is owed goes into a lane of the user in whose context the callback
// runs — the registering user, even after an administrator takes ownership
// (G10). Each user has Cap slots (4, G31); when a slot frees, the high lane
// (JobTransferred, JobError, FileTransferred) goes before the low lane
// (JobModification, FileRangesTransferred) (G32). JobModification is
// coalesced and throttled per job (G13, G14); FileTransferred is serialized
// per job and comes before JobTransferred (G15, G33). A result other than
// S_OK makes JT/JE owed again after the retry delay (G20), or hands over to
// the command line (G25–G27); FileTransferred retries only on failure codes
// (G21). A callback that panics is contained (RPC_E_SERVERFAULT); a call to
// a dead client ends "disconnected" and clears the pointer (G23). On an STA
// client, an outgoing COM call made from inside a callback (any JobRef
// method) lets BITS deliver the calls waiting for that thread nested inside
// it (G34).
//
// Everything that happens is written to the trace (package trace), which is
// what the guarantee catalogue judges. Options records every modelling
// choice where the documentation is silent (docs/MODEL.md); the
// ProfileWineCompat profile reproduces Wine's naive dispatcher.
package scheduler
