package sim

import (
	"encoding/binary"
	"hash/fnv"
	"io"
	"iter"
	"runtime"
)

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
	growStack()
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

// coroStack is about the stack a coroutine needs for the loop and what runs
// on top of it. A goroutine starts with a small stack (2 KB here) and grows
// by copying it to one twice the size; a copy costs about 100 ns for each
// frame it walks (their stack maps), so the growths that came in the
// middle of a world's first notification, 15–20 frames deep — to 4 KB,
// and in half a client world's coroutines to 8 KB — cost each coroutine a
// couple of microseconds: 5–7 % of a sweep's or a harness world's time
// (docs/PERFORMANCE.md). growStack grows the stack to 8 KB at once, with
// four frames on it, before the loop starts. (So a blocked thread, whose
// coroutine keeps its stack, holds 8 KB: 4 KB more than most did.)
const coroStack = 6 << 10

// growStack grows the calling goroutine's stack to hold a frame of
// coroStack bytes (8 KB in all, with what is below it).
//
//go:noinline
func growStack() {
	var frame [coroStack]byte // cleared: 6 KB, well under a microsecond
	keep(frame[:])
}

// keep is a call the compiler cannot see through, so that growStack's
// frame is not optimised away.
//
//go:noinline
func keep([]byte) {}

// coroExit ends a coroutine: the unwind sentinel stops here, any other panic
// goes on to the resumer (iter.Pull carries it over).
func (w *World) coroExit() {
	if r := recover(); r != nil && !IsUnwind(r) {
		if !w.panicSeen { // the first coroutine the panic leaves: its origin
			w.panicSite, w.panicSeen = panicSiteHash()
		}
		panic(r)
	}
	w.sig = sigExit
}

// Panics raised on a coroutine reach Run's caller from one place, the
// driver's resumption in iter.Pull, whatever their origin. Tools that tell
// failures apart by the stack at the point of recovery would see them all as
// one: rapid, while shrinking, would accept a run that fails by running out
// of data inside a handler as a reproduction of a real failure inside
// another handler. So Run re-raises such a panic, with its original value,
// through a chain of calls that spells a hash of its origin: 16 frames, each
// repanic0 or repanic1 (rapid looks at the top 32 frames).

// panicSiteHash returns a hash of the frames that raised the panic being
// recovered, and whether they were found. It must be called from a deferred
// function that recovered.
func panicSiteHash() (uint32, bool) {
	var pcs [48]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs[:])])
	h := fnv.New32a()
	site, n := false, 0
	for {
		f, more := frames.Next()
		if site {
			_, _ = io.WriteString(h, f.Function)
			_ = binary.Write(h, binary.LittleEndian, int32(f.Line))
			if n++; n == panicSiteFrames {
				break
			}
		}
		if f.Function == "runtime.gopanic" {
			site = true
		}
		if !more {
			break
		}
	}
	return h.Sum32(), n > 0
}

const (
	panicSiteFrames = 8  // frames of the panic site that identify it
	panicSiteBits   = 16 // calls in the re-raise chain
)

// repanic panics with p; if spell is set, from the bottom of a chain of
// panicSiteBits calls spelling the low bits of site.
func repanic(p any, site uint32, spell bool) {
	p = Unwrap(p) // rapid must see its own value
	if !spell {
		panic(p)
	}
	repanicBit(p, site, panicSiteBits)
}

func repanicBit(p any, site uint32, n int) {
	switch {
	case n == 0:
		panic(p)
	case site&1 == 0:
		repanic0(p, site>>1, n-1)
	default:
		repanic1(p, site>>1, n-1)
	}
}

//go:noinline
func repanic0(p any, site uint32, n int) { repanicBit(p, site, n) }

//go:noinline
func repanic1(p any, site uint32, n int) { repanicBit(p, site, n) }

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
func (w *World) onWake(thread int64) {
	th := w.threads[thread]
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
