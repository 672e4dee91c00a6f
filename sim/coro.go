package sim

import "iter"

// This file holds the migrating event loop.
//
// World code only ever runs on coroutines (iter.Pull); Run's goroutine is a
// small driver. Every coroutine runs the same loop at its base. Handlers run
// on top of the loop, and RunOn runs a thread's code inline on top of its
// handler, so code that never blocks costs no switch at all.
//
// When thread code blocks (Sleep, Park), its coroutine keeps the stack and
// yields to whoever resumed it. The resumer is either the driver, which then
// starts a fresh coroutine to continue the loop, or a coroutine that is
// waiting in onWake: it returns to its own loop and continues it. When the
// loop fires the wake-up of a blocked thread, onWake resumes the thread's
// coroutine directly and waits; the thread returns from Sleep, finishes its
// work and then simply continues the loop on its own coroutine.
//
// So coroutines form a stack: the driver at the bottom, then coroutines
// waiting in onWake (with nothing but loop frames below onWake), with the one
// running on top. Only loop frames ever wait for another coroutine, so a
// panic or runtime.Goexit in world code travels down through kernel frames
// only, to Run's caller. A block-then-resume costs two switches; a coroutine
// appears at most once in the stack, and a new one is created only when the
// driver is reached, i.e. when every existing one holds a blocked thread.

// coro is one coroutine able to run the event loop.
type coro struct {
	id     int
	resume func() (struct{}, bool)
	stop   func()
	yield  func(struct{}) bool
}

// signal tells the resumer why a coroutine gave control back.
type signal uint8

const (
	sigNone    signal = iota
	sigBlocked        // it holds a blocked thread
	sigDone           // its loop ended: the run is over; it is idle
	sigExit           // it exited, unwound by the sentinel
)

// unwindT is the type of the sentinel panic that unwinds virtual threads.
type unwindT struct{}

func (*unwindT) Error() string {
	return "sim: unwinding a virtual thread (the world finished: Close or a limit); re-panic this value if you recover it"
}

var unwindSentinel error = &unwindT{}

// IsUnwind reports whether r, a value returned by recover, is the kernel's
// own panic that unwinds a virtual thread when the world finishes (Close, a
// limit). Code that recovers panics, such as a wrapper around a callback,
// must re-panic such values.
func IsUnwind(r any) bool { return r == any(unwindSentinel) }

func (w *World) newCoro() *coro {
	w.coros++
	c := &coro{id: w.coros}
	c.resume, c.stop = iter.Pull(func(yield func(struct{}) bool) { w.coroMain(c, yield) })
	return c
}

func (w *World) coroMain(c *coro, yield func(struct{}) bool) {
	c.yield = yield
	defer w.coroExit()
	for {
		w.loop()
		if w.state == stateFinished {
			return // unwinding, and thread code swallowed the sentinel
		}
		w.sig = sigDone
		if !yield(struct{}{}) {
			return
		}
	}
}

// coroExit ends a coroutine: the unwind sentinel stops here, any other panic
// goes on to the resumer (iter.Pull carries it over).
func (w *World) coroExit() {
	if r := recover(); r != nil && !IsUnwind(r) {
		panic(r)
	}
	w.sig = sigExit
}

// enter resumes c and returns when c gives control back. It reports whether
// c is still alive.
func (w *World) enter(c *coro) bool {
	me := w.cur
	w.cur = c
	w.switches++
	_, alive := c.resume()
	w.cur = me
	return alive
}

// drive runs the loop of one run on coroutines until the run is over.
func (w *World) drive() {
	for {
		var c *coro
		if n := len(w.idle); n > 0 {
			c = w.idle[n-1]
			w.idle = w.idle[:n-1]
		} else {
			c = w.newCoro()
		}
		if !w.enter(c) {
			invariant(w.err != nil, "coroutine exited without an error")
			return
		}
		switch w.sig {
		case sigBlocked:
			// c holds a blocked thread; continue the loop on another coroutine.
		case sigDone:
			w.idle = append(w.idle, c)
			return
		default:
			invariant(false, "unexpected coroutine signal")
		}
	}
}

// onWake handles the wake-up of a blocked thread on the loop: it resumes the
// thread's coroutine and waits here until that coroutine gives control back.
func (w *World) onWake(ev Event) {
	th := w.threads[ev.A]
	c := th.coro
	invariant(th.blocked && c != nil && c != w.cur, "wake-up of a thread that is not blocked")
	if w.enter(c) && w.sig == sigDone {
		w.idle = append(w.idle, c)
	}
	w.current = nil
}

// block suspends the current coroutine on behalf of th until th's wake-up
// fires. It panics with the unwind sentinel if the world finishes instead.
func (w *World) block(th *Thread) {
	c := w.cur
	invariant(c != nil, "block outside a coroutine")
	th.coro = c
	w.current = nil
	w.sig = sigBlocked
	ok := c.yield(struct{}{})
	// Resumed, by onWake or by stop.
	w.current = th
	th.coro = nil
	th.blocked, th.parked, th.wakePending = false, false, false
	if !ok || w.state == stateFinished {
		panic(unwindSentinel)
	}
}

// stopCoro unwinds the suspended coroutine c. It returns the value of a
// panic other than the sentinel raised while unwinding, if any.
func (w *World) stopCoro(c *coro) (p any) {
	defer func() {
		if r := recover(); r != nil && !IsUnwind(r) {
			p = r
		}
	}()
	w.cur = c
	c.stop()
	return nil
}

// trimIdle releases the idle coroutines at the end of a run, so that a world
// with no blocked threads holds no goroutine between runs.
func (w *World) trimIdle() {
	for _, c := range w.idle {
		w.cur = c
		c.stop()
	}
	w.cur = nil
	w.idle = w.idle[:0]
}
