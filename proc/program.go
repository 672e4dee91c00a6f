package proc

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
)

// Infinite is WaitForSingleObject's INFINITE: wait with no timeout.
const Infinite time.Duration = -1

// WaitResult is what a wait returns, with the values of the Windows wait
// functions: WaitObject0+i when object i satisfied it, WaitTimeout when
// the timeout elapsed first.
type WaitResult int

const (
	// WaitObject0 is WAIT_OBJECT_0: the first object satisfied the wait
	// (WaitObject0+i: object i; WaitAll: all of them).
	WaitObject0 WaitResult = 0
	// WaitTimeout is WAIT_TIMEOUT: the timeout elapsed.
	WaitTimeout WaitResult = 258
)

// Program is an installed application. It outlives its instances.
type Program struct{}

// Start starts the first instance of the program name of user, in
// apartment apt: the scheduler client svc.StartClient(name, user, apt),
// and main on the instance's main thread at the current virtual instant.
func Start(svc *scheduler.Service, name string, user *scheduler.User, apt scheduler.Apartment, main func(p *Process)) *Program {
	panic("todo")
}

// Name returns the program's name.
func (g *Program) Name() string { panic("todo") }

// Current returns the latest instance, dead or alive.
func (g *Program) Current() *Process { panic("todo") }

// Restart ends the current instance if it is alive and starts a new one.
func (g *Program) Restart() *Process { panic("todo") }

// Act performs a user action on the current instance.
func (g *Program) Act(name string, fn func(p *Process)) { panic("todo") }

// Process is one running instance of a Program.
type Process struct{}

// Program returns the instance's program.
func (p *Process) Program() *Program { panic("todo") }

// Client returns the instance's scheduler client.
func (p *Process) Client() *scheduler.Client { panic("todo") }

// Alive reports whether the instance runs.
func (p *Process) Alive() bool { panic("todo") }

// Generation returns 1 for the first instance, 2 for the next, ...
func (p *Process) Generation() int { panic("todo") }

// Crash ends the instance abruptly.
func (p *Process) Crash() { panic("todo") }

// Exit ends the instance cleanly.
func (p *Process) Exit() { panic("todo") }

// Go starts another thread of the instance now.
func (p *Process) Go(name string, fn func()) { panic("todo") }

// Sleep blocks the calling virtual thread for d.
func (p *Process) Sleep(d time.Duration) { panic("todo") }

// NewEvent returns a new event of the instance.
func (p *Process) NewEvent(manualReset, initialState bool) *Event { panic("todo") }

// NewMutex returns a new mutex of the instance.
func (p *Process) NewMutex() *Mutex { panic("todo") }

// WaitAny waits until one of objs is signalled.
func (p *Process) WaitAny(timeout time.Duration, objs ...Waitable) WaitResult { panic("todo") }

// WaitAll waits until all of objs are signalled at once.
func (p *Process) WaitAll(timeout time.Duration, objs ...Waitable) WaitResult { panic("todo") }

// Pump waits like WaitAny, delivering BITS callbacks on an STA thread.
func (p *Process) Pump(timeout time.Duration, objs ...Waitable) WaitResult { panic("todo") }

// Report records the outcome of an operation of the application.
func (p *Process) Report(job callbackabi.Job, o Outcome, note string) { panic("todo") }

// Outcome is how an operation of the application ended.
type Outcome uint8

// The outcomes.
const (
	Succeeded Outcome = iota + 1
	Failed
	Cancelled
)

func (o Outcome) String() string { panic("todo") }

// Waitable is an object a wait can wait on: *Event or *Mutex.
type Waitable interface{ waitable() }

// Event is a Windows event object.
type Event struct{}

func (e *Event) waitable() {}

// Set signals the event.
func (e *Event) Set() { panic("todo") }

// Reset unsignals the event.
func (e *Event) Reset() { panic("todo") }

// Wait is WaitForSingleObject on the event.
func (e *Event) Wait(timeout time.Duration) WaitResult { panic("todo") }

// Mutex is a recursive mutex owned by a virtual thread.
type Mutex struct{}

func (m *Mutex) waitable() {}

// Lock acquires the mutex.
func (m *Mutex) Lock() { panic("todo") }

// Unlock releases the mutex.
func (m *Mutex) Unlock() { panic("todo") }

// TryLock acquires the mutex if it is free or owned by the caller.
func (m *Mutex) TryLock() bool { panic("todo") }

// Wait is WaitForSingleObject on the mutex: it acquires it.
func (m *Mutex) Wait(timeout time.Duration) WaitResult { panic("todo") }
