package proc

import (
	"fmt"
	"time"

	"github.com/bitsim/bitsim/sim"
)

// Infinite is WaitForSingleObject's INFINITE: wait with no timeout.
const Infinite time.Duration = -1

// WaitResult is what a wait returns, with the values of the Windows wait
// functions: WaitObject0+i when object i satisfied it, WaitTimeout when
// the timeout elapsed first. (A mutex cannot be abandoned here: its owner
// can only die with the whole instance, whose threads never run again.)
type WaitResult int

const (
	// WaitObject0 is WAIT_OBJECT_0: the first object satisfied the wait
	// (WaitObject0+i: object i; WaitAll: all of them).
	WaitObject0 WaitResult = 0
	// WaitTimeout is WAIT_TIMEOUT: the timeout elapsed.
	WaitTimeout WaitResult = 258
)

// MaxWaitObjects is MAXIMUM_WAIT_OBJECTS: the most objects one wait takes.
const MaxWaitObjects = 64

// pumped is the internal result of a Pump wait woken by a queued call.
const pumped WaitResult = -1

// Waitable is an object a wait can wait on: *Event or *Mutex.
type Waitable interface {
	obj() *object                  // nil for a nil pointer
	signalled(th *sim.Thread) bool // would satisfy a wait of th now
	acquire(th *sim.Thread)        // satisfy a wait of th: consume or own
}

// object is what events and mutexes share: their instance and their
// waiters, first come first served.
type object struct {
	p       *Process
	waiters []*waiter
}

// waiter is one blocked wait of a thread: a fresh one per wait, so a timer
// of an earlier wait (done) never wakes a later one.
type waiter struct {
	th     *sim.Thread
	p      *Process // the instance of th, or nil
	objs   []Waitable
	all    bool
	done   bool // the result is decided and th's wake-up is scheduled
	result WaitResult
}

// remove takes wt off the waiter list of each of its objects.
func (wt *waiter) remove() {
	for _, o := range wt.objs {
		b := o.obj()
		for i, x := range b.waiters {
			if x == wt {
				b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
				break
			}
		}
	}
}

// wake decides wt's result and schedules its thread's wake-up.
func (wt *waiter) wake(w *sim.World, r WaitResult) {
	wt.done, wt.result = true, r
	wt.remove()
	w.Unpark(wt.th)
}

// try satisfies wt if its objects allow it now (WaitAny: the lowest index
// signalled; WaitAll: all at once, or nothing), acquiring what it takes.
func try(th *sim.Thread, objs []Waitable, all bool) (WaitResult, bool) {
	if all {
		for _, o := range objs {
			if !o.signalled(th) {
				return 0, false
			}
		}
		for _, o := range objs {
			o.acquire(th)
		}
		return WaitObject0, true
	}
	for i, o := range objs {
		if o.signalled(th) {
			o.acquire(th)
			return WaitObject0 + WaitResult(i), true
		}
	}
	return 0, false
}

// release wakes the waiters of o that its new state satisfies, first come
// first served: each takes what it waits for (an auto-reset event wakes
// one, a manual-reset event all, a free mutex one).
func release(w *sim.World, o Waitable) {
	b := o.obj()
	for i := 0; i < len(b.waiters); {
		wt := b.waiters[i]
		if wt.p != nil && !wt.p.alive {
			i++ // a dead instance's thread never wakes
			continue
		}
		if !o.signalled(wt.th) {
			return
		}
		if r, ok := try(wt.th, wt.objs, wt.all); ok {
			wt.wake(w, r) // removes wt from b.waiters[i]
			continue
		}
		i++ // a WaitAll that needs more: the next waiter may take o
	}
}

// checkTimeout panics for a negative timeout other than Infinite.
func checkTimeout(op string, d time.Duration) {
	if d < 0 && d != Infinite {
		panic(fmt.Sprintf("proc: %s(%v): negative timeout (use proc.Infinite)", op, d))
	}
}

// use checks that the calling code may use the objects of instance p: the
// caller is a thread of p, or of no instance, and p is alive. A thread of
// a dead instance blocks for good here. It returns the calling thread and
// its instance (either may be nil).
func (p *Process) use(op string) (*sim.Thread, *Process) {
	th, q := p.g.caller()
	if q != nil && !q.alive {
		q.parkIfMine()
	}
	if !p.alive {
		by := "outside any instance"
		if q != nil {
			by = "from a thread of " + q.String()
		}
		panic(fmt.Sprintf("proc: %s: the object belongs to %v, which is dead (%s); used %s", op, p, p.reason, by))
	}
	if q != nil && q != p {
		panic(fmt.Sprintf("proc: %s: the object belongs to %v; used from a thread of another instance, %v", op, p, q))
	}
	return th, q
}

// wait is WaitAny, WaitAll, Pump and Sleep (no objects).
func (p *Process) wait(op string, timeout time.Duration, objs []Waitable, all, pump bool) WaitResult {
	checkTimeout(op, timeout)
	w := p.g.w
	if w.Current() == nil {
		panic("proc: " + op + " outside a virtual thread")
	}
	p.g.parkIfDeadCaller()
	if len(objs) > MaxWaitObjects {
		panic(fmt.Sprintf("proc: %s with %d objects (at most %d, MAXIMUM_WAIT_OBJECTS)", op, len(objs), MaxWaitObjects))
	}
	for i, o := range objs {
		if o == nil || o.obj() == nil {
			panic(fmt.Sprintf("proc: %s: object %d is nil", op, i))
		}
		if all {
			for _, x := range objs[:i] {
				if x == o {
					panic(fmt.Sprintf("proc: %s: object %d appears twice (ERROR_INVALID_PARAMETER)", op, i))
				}
			}
		}
	}
	for _, o := range objs {
		o.obj().p.use(op)
	}
	p.checkLive(op)
	th, q := p.g.caller()
	c := p.c
	pump = pump && c.STAThread() != nil && th == c.STAThread()
	deadline := time.Duration(-1)
	if timeout != Infinite {
		deadline = satAdd(w.Now(), timeout)
	}
	sleep := len(objs) == 0 && !pump
	for {
		if pump && c.PumpSTA() > 0 {
			// Callbacks ran on this thread; one may have ended the instance.
			p.g.parkIfDeadCaller()
		}
		if r, ok := try(th, objs, all); ok {
			return r
		}
		left := time.Duration(-1)
		if deadline >= 0 {
			if left = deadline - w.Now(); left <= 0 && !sleep {
				return WaitTimeout
			}
		}
		wt := &waiter{th: th, p: q, objs: objs, all: all}
		for _, o := range objs {
			b := o.obj()
			b.waiters = append(b.waiters, wt)
		}
		if left >= 0 {
			w.AfterFunc(left, func() {
				if !wt.done && (wt.p == nil || wt.p.alive) {
					wt.wake(w, WaitTimeout)
				}
			})
		}
		if pump {
			c.OnSTAQueue(func() {
				if !wt.done && p.alive {
					wt.wake(w, pumped)
				}
			})
		}
		w.Park()
		// The wake-up may have been scheduled before the instance died (an
		// event set, then a crash at the same instant): a dead instance's
		// thread does not go on.
		p.g.parkIfDeadCaller()
		if pump {
			c.OnSTAQueue(nil)
		}
		if wt.result != pumped {
			return wt.result
		}
	}
}

func satAdd(a, b time.Duration) time.Duration {
	if s := a + b; s >= a {
		return s
	}
	return 1<<63 - 1
}

// WaitAny is WaitForMultipleObjects with bWaitAll = FALSE: it blocks the
// calling virtual thread until one of objs is signalled, and takes it (an
// auto-reset event is reset, a mutex is acquired), or until timeout
// (Infinite: none; 0: just test). It returns WaitObject0+i for the object
// i it took (the lowest index if several were signalled), or WaitTimeout.
// Waiters are served first come, first served. It panics outside a
// virtual thread, with no objects, a nil object, a negative timeout other
// than Infinite, and for an object of a dead or another instance.
func (p *Process) WaitAny(timeout time.Duration, objs ...Waitable) WaitResult {
	if len(objs) == 0 {
		panic("proc: WaitAny with no objects")
	}
	return p.wait("WaitAny", timeout, objs, false, false)
}

// WaitAll is WaitForMultipleObjects with bWaitAll = TRUE: it returns
// WaitObject0 once all of objs are signalled at the same moment, and
// takes them all at once (atomically: it holds none of them while it
// waits), or WaitTimeout. It panics like WaitAny, and for an object given
// twice.
func (p *Process) WaitAll(timeout time.Duration, objs ...Waitable) WaitResult {
	if len(objs) == 0 {
		panic("proc: WaitAll with no objects")
	}
	return p.wait("WaitAll", timeout, objs, true, false)
}

// Pump is the wait of an STA thread that pumps messages
// (CoWaitForMultipleHandles, MsgWaitForMultipleObjects in a message loop):
// it waits like WaitAny, but on the instance's STA thread BITS callbacks
// queued for the thread are delivered, nested on it, while it waits (each
// one runs to its end before the wait goes on; a callback that blocks
// blocks the wait). On any other thread, and in an MTA instance, Pump is
// WaitAny. With no objects it pumps until the timeout (it then returns
// WaitTimeout).
func (p *Process) Pump(timeout time.Duration, objs ...Waitable) WaitResult {
	if len(objs) == 0 && timeout == Infinite {
		panic("proc: Pump with no objects and no timeout")
	}
	return p.wait("Pump", timeout, objs, false, true)
}

// Sleep blocks the calling virtual thread for d of virtual time (Infinite:
// for good). Sleep(0) gives way to the other events of this instant. A
// thread of an instance that ends while it sleeps never wakes.
func (p *Process) Sleep(d time.Duration) {
	checkTimeout("Sleep", d)
	p.wait("Sleep", d, nil, false, false)
}
