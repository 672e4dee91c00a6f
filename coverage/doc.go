// Package coverage tallies what generated worlds reached, read from their
// traces, so a sweep or a harness run can say how thorough it was — and,
// when it found nothing, whether it could have: a checker cannot fail on
// a situation no world reached.
//
// A Tally counts, for each Item, the worlds whose trace shows it. The
// items come in groups:
//
//   - event: every kind of trace record (docs/TRACE.md);
//   - method: every callback method called (FileRangesTransferred needs
//     on-demand jobs, which fault and aimed-slots worlds have);
//   - result: how calls ended — S_OK, S_FALSE, another success, a
//     failure code, a dead client (disconnected), a panic;
//   - state: every job state entered;
//   - drop: every reason an owed notification was dropped;
//   - unregister: every reason a registration was cleared;
//   - dispatch: the interactions the dispatcher has special code for,
//     recognised from the order of records (Interactions lists them with
//     what each means).
//
// Items marked Harness (the application's own records: app.outcome,
// user.action, sta.hold …) come only from the client harness
// (package bitsimtest), never from a sweep; limit comes only from a world
// that hits a run limit. Expected returns the items a sweep over the
// generators should reach, and Missing those it did not.
//
// Tallies add up (Merge), so the workers and shards of a sweep tally apart
// and the sums do not depend on how the work was split. Faults and job
// types are drawn, not traced: the fault worlds count them themselves
// (scenarios.FaultCounts, docs/WORLDS.md).
package coverage
