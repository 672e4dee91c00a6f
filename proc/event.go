package proc

import (
	"time"

	"github.com/bitsim/bitsim/sim"
)

// Event is a Windows event object of an instance. A manual-reset event
// stays signalled until Reset and releases every waiter; an auto-reset
// event releases exactly one waiter (the first to have waited) and is
// reset by that wait. Set and Reset may be called from any code of the
// instance, a callback's included, and from plain event handlers.
type Event struct {
	o      object
	manual bool
	set    bool
}

// NewEvent is CreateEvent: a new event of the instance, manual or auto
// reset, signalled or not. Called from a thread of a dead instance, it
// blocks for good; on a dead instance from elsewhere, it panics.
func (p *Process) NewEvent(manualReset, initialState bool) *Event {
	p.checkLive("NewEvent")
	return &Event{o: object{p: p}, manual: manualReset, set: initialState}
}

func (e *Event) obj() *object {
	if e == nil {
		return nil
	}
	return &e.o
}

func (e *Event) signalled(*sim.Thread) bool { return e.set }

func (e *Event) acquire(*sim.Thread) {
	if !e.manual {
		e.set = false
	}
}

func (e *Event) check(op string) {
	if e == nil {
		panic("proc: " + op + " on a nil *Event")
	}
	e.o.p.use(op)
}

// Set is SetEvent: it signals the event and releases its waiters (one, or
// all for a manual-reset event).
func (e *Event) Set() {
	e.check("Event.Set")
	e.set = true
	release(e.o.p.g.w, e)
}

// Reset is ResetEvent: the event is no longer signalled.
func (e *Event) Reset() {
	e.check("Event.Reset")
	e.set = false
}

// Signalled reports whether the event is set, without waiting.
func (e *Event) Signalled() bool { return e.set }

// Wait is WaitForSingleObject on the event: WaitObject0 once it is
// signalled (an auto-reset event is reset by it), WaitTimeout after
// timeout (Infinite: none). It does not pump: on an STA thread, callbacks
// wait meanwhile.
func (e *Event) Wait(timeout time.Duration) WaitResult {
	if e == nil {
		panic("proc: Event.Wait on a nil *Event")
	}
	return e.o.p.wait("Event.Wait", timeout, []Waitable{e}, false, false)
}
