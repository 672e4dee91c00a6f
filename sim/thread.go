package sim

import (
	"fmt"
	"time"
)

// Thread is a virtual thread identity, for example the one thread of a
// single-threaded (STA) client. Code runs "as" a thread through Go or RunOn;
// while it runs, World.Current returns the thread and Sleep and Park block
// it (keeping its stack) while the rest of the world goes on.
type Thread struct {
	w     *World
	id    int
	name  string
	depth int   // RunOn nesting: 0 when idle, >= 1 while running or blocked
	coro  *coro // the coroutine holding the thread's stack while it is blocked

	blocked      bool // in Sleep or Park
	parked       bool // in Park
	wakePending  bool // Unpark scheduled the wake of a parked thread
	startPending bool // a kindStart event for the queue is scheduled
	queue        []func()
	qhead        int
}

// Name returns the name given to NewThread.
func (t *Thread) Name() string { return t.name }

// ID returns the thread's id: 1 for the world's first thread, then 2, 3, ...
func (t *Thread) ID() int { return t.id }

// Depth returns the thread's RunOn nesting depth: 0 when it runs nothing,
// 1 in its outermost call, 2 in a nested RunOn, and so on.
func (t *Thread) Depth() int { return t.depth }

// Blocked reports whether the thread is blocked in Sleep or Park.
func (t *Thread) Blocked() bool { return t.blocked }

// Parked reports whether the thread is blocked in Park.
func (t *Thread) Parked() bool { return t.parked }

// Busy reports whether the thread is running or blocked.
func (t *Thread) Busy() bool { return t.depth > 0 }

func (t *Thread) String() string { return fmt.Sprintf("thread %d %q", t.id, t.name) }

func (t *Thread) hasQueued() bool { return t.qhead < len(t.queue) }

func (t *Thread) dequeue() func() {
	fn := t.queue[t.qhead]
	t.queue[t.qhead] = nil
	t.qhead++
	if t.qhead == len(t.queue) {
		t.queue, t.qhead = t.queue[:0], 0
	}
	return fn
}

// NewThread returns a new virtual thread identity of w.
func (w *World) NewThread(name string) *Thread {
	w.mustLive("NewThread")
	th := &Thread{w: w, id: len(w.threads), name: name}
	w.threads = append(w.threads, th)
	return th
}

// Current returns the thread whose code is running, or nil in a plain event
// handler (and outside a run).
func (w *World) Current() *Thread { return w.current }

func (w *World) checkThread(th *Thread, op string) {
	if th == nil || th.w != w {
		w.badThread(th, op) // apart, so that checkThread is inlined
	}
}

// badThread panics for a nil thread or another World's.
//
//go:noinline
func (w *World) badThread(th *Thread, op string) {
	if th == nil {
		panic("sim: " + op + " with a nil *Thread")
	}
	panic(fmt.Sprintf("sim: %s(%v): the thread belongs to another World", op, th))
}

// Go runs fn as thread th, starting at the current instant: it schedules an
// event of class DefaultClass that, when it fires, runs fn on th. If th is
// busy then, fn waits (in FIFO order with other Go work for th) until th is
// free. fn may Sleep and Park.
func (w *World) Go(th *Thread, fn func()) {
	w.checkThread(th, "Go")
	if fn == nil {
		panic("sim: Go with a nil func")
	}
	w.mustLive("Go")
	slot := w.storeFunc(fn)
	w.push(w.now, DefaultClass, kindStart, int64(th.id), int64(slot))
}

// onStart starts work on the thread of index thread: the function in slot
// (Go), or with slot -1 the thread's queued work.
func (w *World) onStart(thread, slot int64) {
	th := w.threads[thread]
	if slot >= 0 { // new work from Go
		fn := w.takeFunc(slot)
		if th.Busy() || th.hasQueued() {
			th.queue = append(th.queue, fn)
			w.scheduleStart(th)
			return
		}
		w.runAs(th, fn)
		return
	}
	th.startPending = false // queued work
	if th.Busy() || !th.hasQueued() {
		return // leave schedules another start when th is free
	}
	w.runAs(th, th.dequeue())
}

// scheduleStart schedules the start of th's queued work if th is free.
func (w *World) scheduleStart(th *Thread) {
	if th.Busy() || !th.hasQueued() || th.startPending || w.state != stateRunning {
		return
	}
	th.startPending = true
	w.push(w.now, DefaultClass, kindStart, int64(th.id), -1)
}

// runAs runs fn as the outermost call of th, from a plain handler.
func (w *World) runAs(th *Thread, fn func()) {
	invariant(w.current == nil && th.depth == 0 && !th.blocked, "runAs on a busy thread")
	th.depth = 1
	w.current = th
	defer w.leave(th, nil)
	fn()
}

// leave ends a RunOn call of th, returning to prev.
func (w *World) leave(th, prev *Thread) {
	th.depth--
	w.current = prev
	if th.depth == 0 && th.hasQueued() { // scheduleStart's first test, inline
		w.scheduleStart(th)
	}
}

// RunOn runs fn now, inline, as thread th, and returns when fn returns.
//
// From a plain handler (Current() == nil) th must not be blocked; fn runs as
// th's outermost call. From code already running as th, the call nests
// (depth + 1); nesting deeper than Limits.MaxDepth ends the run with a depth
// *LimitError (the nested code is unwound). Calling RunOn for th from another
// thread panics: code on one thread can only nest calls on itself.
//
// A fn that never blocks costs no coroutine switch. If fn blocks (Sleep,
// Park), its caller blocks with it: the whole stack waits on th's behalf
// while the event loop goes on elsewhere.
func (w *World) RunOn(th *Thread, fn func()) {
	prev := w.current
	if w.refused(th, fn, prev) {
		w.badEnter(th, fn, "RunOn", prev)
	}
	th.depth++
	w.current = th
	defer w.leave(th, prev)
	fn()
}

// RunOnCatch is RunOn for code whose panics the caller contains, such as a
// callback's. When fn panics — with anything but the kernel's own value
// (IsUnwind) or a choice stream's (IsChoicePanic), which go on — catch is
// called with the value from the deferred call that recovers it: still as
// th, before RunOnCatch returns, with fn's frames still below it (a
// catch can name the panic's site: internal/panicsite). If catch returns
// true the panic is contained and RunOnCatch returns normally; if false
// it goes on, and Run reports it from where it was raised, as for RunOn.
//
// It is RunOn with a recover in fn, in one deferred call instead of two
// (the scheduler starts every callback so: docs/PERFORMANCE.md).
func (w *World) RunOnCatch(th *Thread, fn func(), catch func(r any) bool) {
	prev := w.current
	if w.refused(th, fn, prev) {
		w.badEnter(th, fn, "RunOnCatch", prev)
	}
	th.depth++
	w.current = th
	defer func() {
		if r := recover(); r != nil {
			if IsUnwind(r) || IsChoicePanic(r) || !catch(r) {
				if !w.panicSeen && !IsUnwind(r) { // its origin, before this re-raise hides it (coroExit)
					w.panicSite, w.panicSeen = panicSiteHash()
				}
				w.leave(th, prev)
				panic(r)
			}
		}
		w.leave(th, prev)
	}()
	fn()
}

// refused reports whether a RunOn or RunOnCatch of fn on th, with prev
// current, must not run (badEnter says why): one condition, inlined
// into both, which then make th current one level deeper.
func (w *World) refused(th *Thread, fn func(), prev *Thread) bool {
	return th == nil || th.w != w || fn == nil || w.state != stateRunning ||
		(prev == nil && (th.blocked || th.depth != 0)) || (prev != nil && (prev != th || th.depth >= w.limits.MaxDepth))
}

// badEnter panics for a RunOn or RunOnCatch call that refused turns down, or
// fails the run at the depth limit (the nested code is unwound).
//
//go:noinline
func (w *World) badEnter(th *Thread, fn func(), op string, prev *Thread) {
	w.checkThread(th, op)
	if fn == nil {
		panic("sim: " + op + " with a nil func")
	}
	if w.state != stateRunning {
		if w.unwinding {
			panic(unwindSentinel)
		}
		panic(fmt.Sprintf("sim: %s(%v) outside a run (call it from a handler or a virtual thread)", op, th))
	}
	switch {
	case prev == nil:
		if th.blocked {
			panic(fmt.Sprintf("sim: %s(%v): the thread is blocked in Sleep or Park", op, th))
		}
		invariant(th.depth == 0, "idle thread with nonzero depth")
	case prev != th:
		panic(fmt.Sprintf("sim: %s(%v) called from %v: a thread can only nest calls on itself", op, th, prev))
	case th.depth >= w.limits.MaxDepth:
		w.fail(LimitDepth, int64(w.limits.MaxDepth))
		panic(unwindSentinel)
	}
	invariant(false, "badEnter found nothing wrong")
}

// mustCurrent returns the current thread for a blocking call, or panics.
func (w *World) mustCurrent(op string) *Thread {
	th := w.current
	if th == nil {
		if w.unwinding {
			panic(unwindSentinel)
		}
		if w.state != stateRunning {
			panic("sim: " + op + " outside a virtual thread (no run is in progress: called from another goroutine?)")
		}
		panic("sim: " + op + " outside a virtual thread")
	}
	if w.state == stateFinished {
		panic(unwindSentinel)
	}
	return th
}

// Sleep blocks the current virtual thread for d of virtual time; the rest of
// the world runs meanwhile. It panics outside a virtual thread ("sim: Sleep
// outside a virtual thread") and for negative d. The wake-up is an event of
// class DefaultClass, ordered like any other.
func (w *World) Sleep(d time.Duration) {
	if d < 0 {
		panic(fmt.Sprintf("sim: Sleep(%v): negative duration", d))
	}
	th := w.mustCurrent("Sleep")
	th.blocked = true
	seq := w.push(time.Duration(satAdd(int64(w.now), int64(d))), DefaultClass, kindWake, int64(th.id), 0)
	if w.soonHead == len(w.soon) && w.q.min().seq == seq {
		// Nothing else happens before the wake-up: fire it here, without
		// switching coroutines. This is exactly what the loop would do.
		if w.next() != nil {
			th.blocked = false
			return
		}
	}
	w.block(th)
}

// Park blocks the current virtual thread until Unpark(thread).
func (w *World) Park() {
	th := w.mustCurrent("Park")
	th.blocked = true
	th.parked = true
	w.block(th)
}

// Unpark makes the parked thread th runnable at the current instant (its
// wake-up is an event of class DefaultClass). Unparking a thread whose wake-up
// is already scheduled does nothing; unparking a thread that is not parked
// panics.
func (w *World) Unpark(th *Thread) {
	w.checkThread(th, "Unpark")
	w.mustLive("Unpark")
	if !th.parked {
		panic(fmt.Sprintf("sim: Unpark(%v): the thread is not parked", th))
	}
	if th.wakePending {
		return
	}
	th.wakePending = true
	w.push(w.now, DefaultClass, kindWake, int64(th.id), 0)
}
