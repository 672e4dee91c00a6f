package sim

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Handler handles the events of one Kind. It runs on the event loop with no
// current thread (Current returns nil); to run code as a thread it calls
// RunOn.
type Handler func(ev Event)

// Kinds used by the kernel itself; user kinds start at firstUserKind.
const (
	kindNone  Kind = iota // the zero Kind is never valid
	kindWake              // A = thread id: resume a thread blocked in Sleep or Park
	kindStart             // A = thread id, B = func slot or -1: start work on a thread
	kindFunc              // B = func slot: AfterFunc
	firstUserKind
)

type runState uint8

const (
	stateIdle     runState = iota // between runs
	stateRunning                  // inside Run or RunUntil
	stateFinished                 // after a limit, a handler panic, or Close
)

// World is a deterministic discrete-event simulation: virtual time, an event
// queue, virtual threads and one Chooser. It is not safe for concurrent use:
// exactly one piece of world code runs at a time, and only the goroutine
// that calls Run (and the world's own coroutines) may touch it.
type World struct {
	chooser Chooser
	prng    *prng // chooser, when it is NewPRNG's
	limits  Limits
	clock   worldClock

	q        queue
	firing   Event   // the event next popped from q last
	soon     []Event // Soon events: the current instant, FIFO
	soonHead int
	soonWarm int // the first Soon event the prefetch hint has not seen
	now      time.Duration
	seq      uint64
	fired    int64
	handlers []Handler
	warmers  []func(a, b int64)      // by Kind: Prefetch's hints, nil: none
	stale    []func(a, b int64) bool // by Kind: Stale's tests, nil: none
	threads  []*Thread               // threads[0] is nil: thread ids start at 1
	funcs    []func()                // AfterFunc and Go bodies waiting for their event
	free     []int                   // free slots of funcs

	// Run state.
	state     runState
	unwinding bool          // finish is stopping coroutines
	halted    bool          // next fires nothing more in this run
	stopped   bool          // Stop was called in this run
	err       error         // the *LimitError that ended the run
	budget    int64         // fired count at which the events limit is hit
	until     time.Duration // RunUntil bound (MaxInt64 for Run)
	horizon   time.Duration // min(until, Limits.MaxTime)

	// Coroutines (see coro.go).
	cur      *coro   // the coroutine executing now; nil outside a run
	current  *Thread // the thread whose code is executing now
	sig      signal  // why the last coroutine gave control back
	idle     []*coro // coroutines parked at the top of their loop
	coros    int     // coroutines created, ever
	switches int64   // coroutine resumptions, ever (for tests)

	panicSite uint32 // where a panic leaving a coroutine was raised (see repanic)
	panicSeen bool
}

// NewWorld returns an empty world at virtual time 0 whose choices come from
// c and whose runs are bounded by l (zero fields take DefaultLimits).
func NewWorld(c Chooser, l Limits) *World {
	if c == nil {
		panic("sim: NewWorld with a nil Chooser")
	}
	w := &World{chooser: c, limits: l.withDefaults()}
	w.prng, _ = c.(*prng)
	w.clock.w = w
	w.threads = []*Thread{nil}
	w.handlers = make([]Handler, firstUserKind, firstUserKind+8)
	// The kernel's handlers take the event's A and B, not the Event (see
	// Handle).
	w.handlers[kindWake] = func(ev Event) { w.onWake(ev.A) }
	w.handlers[kindStart] = func(ev Event) { w.onStart(ev.A, ev.B) }
	w.handlers[kindFunc] = func(ev Event) { w.onFunc(ev.B) }
	return w
}

// Chooser returns the world's choice stream.
func (w *World) Chooser() Chooser { return w.chooser }

// Limits returns the world's limits, with defaults filled in.
func (w *World) Limits() Limits { return w.limits }

// Now returns the virtual time since Epoch.
func (w *World) Now() time.Duration { return w.now }

// Clock returns the world's virtual Clock: Now is Epoch+w.Now(), Sleep blocks
// the current virtual thread (and panics outside one).
func (w *World) Clock() Clock { return &w.clock }

// Fired returns the number of events fired so far, in all runs.
func (w *World) Fired() int64 { return w.fired }

// Pending returns the number of scheduled events that have not fired.
func (w *World) Pending() int { return w.q.len() + len(w.soon) - w.soonHead }

// Handle registers h and returns the Kind to schedule its events with.
// It may be called before or during a run. On a hot path, register a
// closure that passes on what the method needs (func(ev Event) {
// s.onTick(ev.A, ev.B) }) rather than a method value taking the Event: with
// its receiver that needs one register more than the ABI has, so the Event
// is spilled to the stack field by field and copied on 16 bytes at a time,
// and a load spanning several fresh smaller stores waits for them to reach
// the cache (a store-forwarding stall, ~5 ns; docs/PERFORMANCE.md). The
// same holds for any struct built field by field and then copied whole.
func (w *World) Handle(h Handler) Kind {
	if h == nil {
		panic("sim: Handle(nil)")
	}
	if len(w.handlers) > math.MaxUint16 {
		panic(fmt.Sprintf("sim: Handle: too many handlers (at most %d kinds)", math.MaxUint16-int(firstUserKind)+1))
	}
	w.handlers = append(w.handlers, h)
	return Kind(len(w.handlers) - 1)
}

// Prefetch gives events of kind k a prefetch hint: when many events come
// due together in an order already known — a burst, more than the calendar
// keeps in order in one bucket, such as a thousand jobs' timers on one
// tick, or a long queue of Soon events — the world calls f(a, b) for each
// of them of kind k (but the Soon queue's first) once, a window of a few
// dozen events ahead of the one firing, a window's worth at a time. A
// handler whose events touch state far apart in memory (a million jobs)
// can so load the window's state in one pass, the cache misses
// overlapping, instead of one miss after another as the events fire, and
// the lines are still in cache when they do. f must only read: it may not
// schedule, block, or change anything a handler reads, so a world fires
// the same events in the same order with or without it. Prefetch(k, nil)
// removes the hint.
func (w *World) Prefetch(k Kind, f func(a, b int64)) {
	if k < firstUserKind || int(k) >= len(w.handlers) {
		panic(fmt.Sprintf("sim: Prefetch: unknown Kind %d (use a Kind returned by Handle)", k))
	}
	for len(w.warmers) <= int(k) {
		w.warmers = append(w.warmers, nil)
	}
	w.warmers[k] = f
	w.q.warm = nil
	if slices.ContainsFunc(w.warmers, func(f func(a, b int64)) bool { return f != nil }) {
		w.q.warm = w.warm
	}
}

// Stale gives events of kind k a test of whether one would do nothing if
// it fired now: a timer whose handler finds, as it fires, that what it was
// set for is over (the job moved on, a newer timer replaced it) can say so
// in advance. When a run's next event lies past the world's MaxTime and
// every pending event is stale, the world has nothing left to do: Run
// returns nil, as for an idle world, instead of a LimitTime error — a
// timer set for two weeks ahead, whose job finished long ago, no longer
// makes a world end at its deadline. The test is asked only then, never as
// events fire. f must only read, and must answer exactly what the handler
// would find. Stale(k, nil) removes the test.
func (w *World) Stale(k Kind, f func(a, b int64) bool) {
	if k < firstUserKind || int(k) >= len(w.handlers) {
		panic(fmt.Sprintf("sim: Stale: unknown Kind %d (use a Kind returned by Handle)", k))
	}
	for len(w.stale) <= int(k) {
		w.stale = append(w.stale, nil)
	}
	w.stale[k] = f
}

// allStale reports whether every queued event is stale (Stale).
func (w *World) allStale() bool {
	return len(w.stale) > 0 && w.q.each(func(ev *Event) bool {
		return int(ev.Kind) < len(w.stale) && w.stale[ev.Kind] != nil && w.stale[ev.Kind](ev.A, ev.B)
	})
}

// warmSoon hints the Soon events from soonWarm to 2*warmAhead past the
// next one to fire (Prefetch): a tick's thousand invocations wait in the
// FIFO, in the order they will fire.
func (w *World) warmSoon() {
	w.soonWarm = hintWindow(w.soon, w.soonWarm, w.soonHead, w.warm)
}

// warm calls the prefetch hint of ev's kind, if it has one.
func (w *World) warm(ev *Event) {
	if int(ev.Kind) < len(w.warmers) {
		if f := w.warmers[ev.Kind]; f != nil {
			f(ev.A, ev.B)
		}
	}
}

// Schedule schedules an event of kind k with arguments a and b at virtual
// time at, in class c. It panics if at is before Now, if k was not returned
// by Handle, or if the world is finished.
func (w *World) Schedule(at time.Duration, c Class, k Kind, a, b int64) {
	w.schedule(at, c, k, a, b, 0, false)
}

// After schedules an event d after Now. It panics if d is negative, and
// otherwise like Schedule. A time past the end of time saturates.
func (w *World) After(d time.Duration, c Class, k Kind, a, b int64) {
	w.schedule(w.now+d, c, k, a, b, d, true)
}

// schedule is Schedule and After (after, at = Now+d, which may have
// overflowed): one call from a handler to the queue. It repeats push's
// four lines rather than calling it: a call less on the path every
// scheduled event takes (docs/PERFORMANCE.md).
func (w *World) schedule(at time.Duration, c Class, k Kind, a, b int64, d time.Duration, after bool) {
	if at < w.now || k < firstUserKind || int(k) >= len(w.handlers) || w.state == stateFinished {
		at = w.misuse(at, k, d, after)
	}
	var tie uint32
	if w.prng != nil {
		tie = w.prng.Tie() // inlined: no interface call
	} else {
		tie = w.chooser.Tie()
	}
	w.seq++
	w.q.push(at, c, k, a, b, tie, w.seq)
}

// misuse panics with the message for a misuse of Schedule or After, or
// returns the saturated time for an After past the end of time.
func (w *World) misuse(at time.Duration, k Kind, d time.Duration, after bool) time.Duration {
	if after {
		if d < 0 {
			negative("After", d)
		}
		if at < w.now {
			at = math.MaxInt64 // Now+d overflowed
		}
	}
	if at < w.now {
		panic(fmt.Sprintf("sim: Schedule at %v, before Now() = %v: cannot schedule in the past", at, w.now))
	}
	if k < firstUserKind || int(k) >= len(w.handlers) {
		panic(fmt.Sprintf("sim: Schedule: unknown Kind %d (use a Kind returned by Handle)", k))
	}
	w.mustLive("Schedule")
	return at
}

// negative panics for a negative duration given to op.
func negative(op string, d time.Duration) {
	panic(fmt.Sprintf("sim: %s(%v): negative duration", op, d))
}

// Soon schedules an event of kind k at the current instant without a trip
// through the event queue: it fires after the current handler, in FIFO
// order with the other Soon events, before any event of a later instant
// and before an event of the same instant whose class is higher than c
// (after one whose class is lower). No tie is drawn: Soon is for work
// whose order at the instant is already decided, such as calls launched in
// the order their slots were given out. It panics like Schedule.
func (w *World) Soon(c Class, k Kind, a, b int64) {
	if k < firstUserKind || int(k) >= len(w.handlers) {
		panic(fmt.Sprintf("sim: Soon: unknown Kind %d (use a Kind returned by Handle)", k))
	}
	w.mustLive("Soon")
	w.seq++
	if w.soonHead == len(w.soon) {
		w.soon, w.soonHead, w.soonWarm = w.soon[:0], 0, 0
	}
	// Written field by field in place, not appended as a makeEvent value:
	// that temporary's 16-byte copy stalls the CPU (see Handle).
	n := len(w.soon)
	if n == cap(w.soon) {
		w.soon = append(w.soon, Event{})[:n]
	}
	w.soon = w.soon[:n+1]
	e := &w.soon[n]
	e.At, e.A, e.B, e.seq, e.key, e.Kind, e.Class, e.link = w.now, a, b, w.seq, uint64(c)<<32, k, c, 0
}

// TailSoon is Soon's shortcut for a handler's last act. It reports whether
// an event that Soon(c, …) scheduled now would be the next to fire: no
// other Soon event waits, no queued event of this instant has a class
// below c, and the run is not stopped or at its events limit. If so it
// counts that event as fired — as the loop would, numbered and counted
// against Limits.MaxEvents — and the caller, instead of calling Soon, runs
// the event's handler itself, directly, as the last thing its own handler
// does. If not, it changes nothing, and the caller calls Soon. The world
// so fires the same events in the same order either way, without the
// Soon queue's write, read and handler dispatch (the scheduler starts a
// callback launched by a transfer chunk so: docs/PERFORMANCE.md). It must
// be called from a plain handler (Current() == nil) during a run; it
// returns false anywhere else.
func (w *World) TailSoon(c Class) bool {
	if w.halted || w.state != stateRunning || w.current != nil || w.soonHead != len(w.soon) || w.fired >= w.budget {
		return false
	}
	if m := w.q.min(); m != nil && m.At <= w.now && m.Class < c {
		return false
	}
	w.seq++
	w.fired++
	return true
}

// AfterFunc calls fn, in a plain handler of class DefaultClass, d after Now.
// It is a convenience: fn's closure usually allocates.
func (w *World) AfterFunc(d time.Duration, fn func()) {
	if d < 0 {
		panic(fmt.Sprintf("sim: AfterFunc(%v): negative duration", d))
	}
	if fn == nil {
		panic("sim: AfterFunc with a nil func")
	}
	w.mustLive("AfterFunc")
	slot := w.storeFunc(fn)
	w.push(time.Duration(satAdd(int64(w.now), int64(d))), DefaultClass, kindFunc, 0, int64(slot))
}

func (w *World) onFunc(slot int64) { w.takeFunc(slot)() }

// push draws the event's tie key, queues it and returns its sequence number.
func (w *World) push(at time.Duration, c Class, k Kind, a, b int64) uint64 {
	var tie uint32
	if w.prng != nil {
		tie = w.prng.Tie() // inlined: no interface call
	} else {
		tie = w.chooser.Tie()
	}
	w.seq++
	w.q.push(at, c, k, a, b, tie, w.seq)
	return w.seq
}

func (w *World) storeFunc(fn func()) int {
	if n := len(w.free); n > 0 {
		slot := w.free[n-1]
		w.free = w.free[:n-1]
		w.funcs[slot] = fn
		return slot
	}
	w.funcs = append(w.funcs, fn)
	return len(w.funcs) - 1
}

func (w *World) takeFunc(slot int64) func() {
	fn := w.funcs[slot]
	invariant(fn != nil, "func slot is empty")
	w.funcs[slot] = nil
	w.free = append(w.free, int(slot))
	return fn
}

// mustLive panics if the world is finished: with the unwind sentinel while
// Close (or a limit) is unwinding virtual threads, so code running in their
// deferred calls keeps unwinding; with a misuse message otherwise.
func (w *World) mustLive(op string) {
	if w.state != stateFinished {
		return
	}
	if w.unwinding {
		panic(unwindSentinel)
	}
	panic("sim: " + op + " on a finished world")
}

// Stop ends the current run after the current event: Run or RunUntil
// returns nil, pending events and blocked threads stay for the next run.
// It must be called from inside a run (a handler or a virtual thread).
func (w *World) Stop() {
	if w.state != stateRunning {
		panic("sim: Stop outside a run (call it from a handler or a virtual thread)")
	}
	w.halted = true
	w.stopped = true
}

// Run fires events in order until none remain, Stop is called, or a limit
// is hit. It returns nil, a *LimitError (then the world is finished), or
// ErrFinished if the world was already finished.
//
// A panic in a handler or thread (other than the kernel's unwind sentinel)
// finishes the world and propagates to Run's caller with its original value.
// Run re-raises it: the stack it was raised on is gone, but panics from
// different places in world code leave Run through different call chains,
// so tools that identify a failure by the stack where they recover it (as
// rapid does while shrinking) still tell them apart. A runtime.Goexit (such
// as t.FailNow) in world code finishes the world and goes on to exit the
// goroutine that called Run.
func (w *World) Run() error { return w.run(math.MaxInt64, false) }

// RunUntil fires the events with At <= t, then sets Now to t and returns.
// Later events stay pending. If Stop ends the run early, Now stays at the
// time of the last event. t before Now panics.
func (w *World) RunUntil(t time.Duration) error {
	if t < w.now && w.state != stateFinished {
		panic(fmt.Sprintf("sim: RunUntil(%v): before Now() = %v", t, w.now))
	}
	return w.run(t, true)
}

func (w *World) run(until time.Duration, bounded bool) error {
	switch w.state {
	case stateFinished:
		return ErrFinished
	case stateRunning:
		panic("sim: Run called while the world is running (from a handler, a thread, or another goroutine)")
	}
	w.state = stateRunning
	w.halted, w.stopped = false, false
	w.until = until
	w.horizon = min(until, w.limits.MaxTime)
	w.budget = satAdd(w.fired, w.limits.MaxEvents)

	w.panicSite, w.panicSeen = 0, false
	normal := false
	defer func() {
		if normal {
			return
		}
		// A panic or runtime.Goexit is leaving Run: finish the world, then
		// let it go on (recover returns nil for Goexit, which continues).
		r := recover()
		w.finish(false)
		if r != nil {
			repanic(r, w.panicSite, w.panicSeen)
		}
	}()
	w.drive()
	normal = true

	invariant(w.current == nil, "a thread is current after the run")
	w.cur = nil
	if w.err == nil && bounded && !w.stopped {
		if until > w.limits.MaxTime {
			w.fail(LimitTime, int64(w.limits.MaxTime))
		} else {
			w.now = until
		}
	}
	if w.err != nil {
		w.finish(true)
		return w.err
	}
	w.state = stateIdle
	w.trimIdle()
	return nil
}

// next pops the next event to fire in this run, advancing Now, and returns
// it; it returns nil when the run is over. It enforces the events and time
// limits. Once it returns nil it keeps returning nil until the run ends. The
// event is valid until the world pops or schedules again: loop hands it to
// its handler by value.
func (w *World) next() *Event {
	if w.halted {
		return nil
	}
	if w.soonHead < len(w.soon) {
		if s, m := &w.soon[w.soonHead], w.q.min(); m == nil || m.At > s.At || m.Class >= s.Class {
			if w.fired >= w.budget {
				w.fail(LimitEvents, w.limits.MaxEvents)
				return nil
			}
			w.soonHead++
			w.fired++
			if w.q.warm != nil && w.soonHead+warmAhead > w.soonWarm && len(w.soon)-w.soonHead > warmAhead {
				w.warmSoon()
			}
			return s
		}
	}
	if w.fired < w.budget {
		if ev := w.q.popBy(w.horizon, &w.firing); ev != nil {
			w.now = ev.At
			w.fired++
			return ev
		}
	}
	// Nothing to fire: the queue is empty, its next event lies past the
	// horizon, or the events budget is spent.
	m := w.q.min()
	switch {
	case m == nil:
	case m.At > w.horizon:
		if m.At <= w.until && !w.allStale() { // so At > MaxTime; all stale: idle
			w.fail(LimitTime, int64(w.limits.MaxTime))
		}
	default:
		w.fail(LimitEvents, w.limits.MaxEvents)
	}
	return nil
}

// loop fires events until the run is over.
func (w *World) loop() {
	for {
		// next's common case, inline: nothing due at this instant, no limit
		// near, an event in the queue within the horizon. (It repeats four
		// lines of next: a helper for them is not inlined, and the call
		// costs 2–3 ns of the ~60 an event takes; keep the two in step.)
		var ev *Event
		if !w.halted && w.soonHead == len(w.soon) && w.fired < w.budget {
			if ev = w.q.popBy(w.horizon, &w.firing); ev != nil {
				w.now = ev.At
				w.fired++
			}
		}
		if ev == nil {
			if ev = w.next(); ev == nil {
				return
			}
		}
		w.handlers[ev.Kind](*ev)
	}
}

// fail records a limit error and halts the run.
func (w *World) fail(limit string, value int64) {
	if w.err == nil {
		w.err = &LimitError{Limit: limit, Value: value}
	}
	w.halted = true
}

// Close finishes the world: every blocked virtual thread is unwound (its
// Sleep or Park panics with the unwind sentinel, its deferred calls run, and
// its goroutine exits) and pending events are dropped. Later Run calls
// return ErrFinished. Close is idempotent; it panics during a run.
func (w *World) Close() {
	switch w.state {
	case stateRunning:
		panic("sim: Close during a run (call Stop, and Close after Run returns)")
	case stateFinished:
		return
	}
	w.finish(true)
}

// finish marks the world finished and unwinds every suspended coroutine in a
// fixed order (blocked threads by id, then idle coroutines). If a deferred
// call panics while unwinding, the first such panic is re-raised at the end
// when repanic is set (finish is also called while a panic is leaving Run,
// and then the original panic wins).
func (w *World) finish(repanic bool) {
	w.state = stateFinished
	w.halted = true
	w.unwinding = true
	var first any
	for _, th := range w.threads[1:] {
		if c := th.coro; c != nil {
			if p := w.stopCoro(c); p != nil && first == nil {
				first = p
			}
		}
	}
	for _, c := range w.idle {
		if p := w.stopCoro(c); p != nil && first == nil {
			first = p
		}
	}
	w.idle = nil
	w.unwinding = false
	w.cur, w.current = nil, nil
	w.q = queue{}
	w.soon, w.soonHead, w.soonWarm = nil, 0, 0
	w.funcs, w.free = nil, nil
	for _, th := range w.threads[1:] {
		th.queue, th.qhead = nil, 0
	}
	if first != nil && repanic {
		panic(first)
	}
}

// invariant panics with an internal error if an invariant does not hold.
func invariant(ok bool, what string) {
	if !ok {
		panic("sim: internal error: " + what)
	}
}
