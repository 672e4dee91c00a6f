// Package sim is bitsim's deterministic kernel: virtual time, an ordered
// event queue, virtual threads and a single stream of choices. Everything
// the BITS model does happens on top of it, and a run is a pure function of
// its choice stream: same seed (or the same rapid test case), same run, on
// every GOARCH and GOMAXPROCS.
//
// # Virtual time
//
// A World starts at virtual time 0, which World.Clock presents as Epoch
// (2000-01-01 UTC). Time advances only when the next event fires; nothing
// ever reads the wall clock. Code under simulation takes a Clock and never
// imports package time's Now or Sleep.
//
// # The event queue
//
// Schedule (and After) queue an Event for a handler registered with Handle.
// Events fire in the order
//
//	(At, Class, tie, sequence)
//
// At is the virtual time. Class is chosen by the model: at the same instant
// a lower class fires first. The tie key is drawn from the Chooser when the
// event is scheduled, so the order of events that the model leaves open is a
// choice like any other, and shrinking it toward 0 means "first scheduled,
// first fired". The sequence number makes the order total.
//
// The queue is a calendar queue: time since the last event fired is cut into
// buckets (about two per pending event, their width following how far ahead
// events are scheduled), each a short list kept in that order, in front of a
// typed 4-ary heap for events far ahead (when most events go to the heap,
// the buckets are switched off for a while). A burst at one instant waits
// unsorted in its bucket and is sorted into a run of its own when its
// instant comes (a radix sort of the events' packed keys); since the run's
// order is known, a Kind's Prefetch hint sees its events a window ahead of
// the one firing — and those of a long Soon queue too — to load their
// state while the misses can overlap and before they are evicted again.
// Scheduling and firing an event costs a few operations
// whatever the number pending and does not allocate. The order is the same
// whichever structure holds an event.
//
// Soon is the shortcut for work whose order at the current instant is
// already decided: it fires at this instant, first in first out, with no
// tie drawn and no trip through the queue, while still respecting Class
// against queued events of the same instant. TailSoon goes one step
// further for a handler whose last act would be one Soon event: when that
// event would fire next anyway, the handler runs its work itself, counted
// as the event would be.
//
// A world is idle when nothing is left to fire. Timers set far ahead often
// outlive what they were set for (a job's two-week timeout, the job long
// finished): a Kind's Stale test says which events would do nothing, and a
// world whose only pending events lie past its MaxTime and are all stale
// ends idle, not with a LimitTime error.
//
// # Virtual threads and the migrating loop
//
// A Thread is an identity (say, a client's single STA thread). RunOn(th, fn)
// runs fn as th, inline, right now; Go(th, fn) does so in an event at the
// current instant. Code running as a thread may Sleep (or Park until Unpark):
// the thread blocks, keeping its stack, and the rest of the world runs on.
// Exactly one piece of world code runs at any moment.
//
// Threads are coroutines (iter.Pull), but not one per thread: the event loop
// itself runs on a coroutine, and thread code runs inline on top of it. A
// callback that does not block therefore costs no switch at all. When thread
// code blocks, its coroutine keeps the stack and the loop continues on
// another coroutine; when the thread's wake-up fires, the loop hands over to
// the thread's coroutine, the thread returns from Sleep, and when its work is
// done that coroutine simply carries on running the loop. The loop migrates
// from stack to stack; a blocking round trip costs two switches (none if the
// wake-up is the very next event). Nested RunOn calls on one thread nest on
// the same stack. RunOnCatch is RunOn for code whose panics the caller
// contains (a callback's): the thread's bookkeeping and the recover in
// one deferred call.
//
// # The choice stream
//
// A Chooser supplies every nondeterministic decision: Intn for the model's
// own choices and Tie for event order. NewPRNG is a seeded PCG generator for
// plain runs and sweeps. The test-only package sim/rapidsim draws from a
// rapid.T (rapidsim.New), so rapid generates, shrinks and replays the
// schedule together with the rest of a test case; it lives apart so that
// importing sim links neither testing nor rapid.
//
// # Limits and misuse
//
// Every run is bounded (Limits): events per run, RunOn nesting depth, and
// virtual time. Hitting a limit ends the run with a *LimitError naming it
// and finishes the world; later runs return ErrFinished. Misuse (scheduling
// in the past, negative durations, an unknown Kind, Sleep outside a thread,
// RunOn on another thread, Intn(0), ...) panics with a message naming it,
// before any state changes.
//
// When a world finishes (Close, or a limit), its blocked threads are
// unwound: Sleep and Park panic with a sentinel value that IsUnwind
// recognises, their deferred calls run, and their goroutines exit. Code that
// recovers panics must re-panic that value. Any other panic in world code
// finishes the world and reaches Run's caller with its original value.
package sim
