package proc

import (
	"fmt"
	"time"

	"github.com/bitsim/bitsim/sim"
)

// Mutex is a recursive lock of an instance, owned by the virtual thread
// that holds it, like a CRITICAL_SECTION (or a Windows mutex in one
// process): its owner may lock it again, and must unlock it as many
// times. A callback's thread can own it too — mind that MTA callbacks run
// on pooled threads, and that the STA thread is the thread of every
// callback of an STA instance.
type Mutex struct {
	o     object
	owner *sim.Thread
	count int
}

// NewMutex is InitializeCriticalSection: a new free mutex of the instance.
func (p *Process) NewMutex() *Mutex {
	p.checkLive("NewMutex")
	return &Mutex{o: object{p: p}}
}

func (m *Mutex) obj() *object {
	if m == nil {
		return nil
	}
	return &m.o
}

func (m *Mutex) signalled(th *sim.Thread) bool { return m.owner == nil || m.owner == th }

func (m *Mutex) acquire(th *sim.Thread) {
	m.owner = th
	m.count++
}

// Lock is EnterCriticalSection: it blocks the calling virtual thread until
// it owns the mutex. It panics outside a virtual thread.
func (m *Mutex) Lock() {
	if m == nil {
		panic("proc: Mutex.Lock on a nil *Mutex")
	}
	m.o.p.wait("Mutex.Lock", Infinite, []Waitable{m}, false, false)
}

// TryLock is TryEnterCriticalSection: it takes the mutex if it is free or
// already the caller's, and reports whether it did, without blocking.
func (m *Mutex) TryLock() bool {
	if m == nil {
		panic("proc: Mutex.TryLock on a nil *Mutex")
	}
	return m.o.p.wait("Mutex.TryLock", 0, []Waitable{m}, false, false) == WaitObject0
}

// Wait is WaitForSingleObject on the mutex: WaitObject0 once the caller
// owns it (it must Unlock it then), WaitTimeout after timeout.
func (m *Mutex) Wait(timeout time.Duration) WaitResult {
	if m == nil {
		panic("proc: Mutex.Wait on a nil *Mutex")
	}
	return m.o.p.wait("Mutex.Wait", timeout, []Waitable{m}, false, false)
}

// Unlock is LeaveCriticalSection: it releases one level of ownership; the
// mutex is free when every Lock was matched, and goes to its first
// waiter. Unlock by a thread that does not own it panics.
func (m *Mutex) Unlock() {
	if m == nil {
		panic("proc: Mutex.Unlock on a nil *Mutex")
	}
	th, _ := m.o.p.use("Mutex.Unlock")
	if th == nil {
		panic("proc: Mutex.Unlock outside a virtual thread")
	}
	if m.owner != th {
		owner := "nobody"
		if m.owner != nil {
			owner = m.owner.String()
		}
		panic(fmt.Sprintf("proc: Mutex.Unlock by %v, which does not own the mutex (owner: %s)", th, owner))
	}
	m.count--
	if m.count == 0 {
		m.owner = nil
		release(m.o.p.g.w, m)
	}
}

// Owner returns the thread that owns the mutex, or nil.
func (m *Mutex) Owner() *sim.Thread { return m.owner }
