package scheduler

import (
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// Application code on a client's threads.
//
// A client process is more than its callback objects: its own threads
// create jobs, wait and react (package proc runs them). This file is the
// little the dispatcher needs to know about that code:
//
//   - which client a virtual thread belongs to (ClientOf, Adopt), so that
//     code running on it can be told apart by process;
//   - that the STA thread is running application code (HoldSTA): the calls
//     for it then wait in its queue, as window messages wait for a thread
//     that does not pump; ReleaseSTA hands it back to the message loop,
//     which delivers them;
//   - a pumping wait on the STA thread (CoWaitForMultipleHandles): PumpSTA
//     delivers the waiting calls nested on it, and OnSTAQueue wakes the
//     waiter when a call queues;
//   - that the process ended, for whatever reason (OnEnd);
//   - a slot for the application's own value (SetTag, Tag).
//
// None of it changes what the service does for clients that do not use
// it.

// clientApp is a Client's state for application code.
type clientApp struct {
	onQueue func() // STA: a call queued for the thread
	onEnd   []func(reason string)
	tag     any
}

// adopt records that th is a thread of c.
func (s *Service) adopt(th *sim.Thread, c *Client) {
	if s.threads == nil {
		s.threads = make(map[*sim.Thread]*Client)
	}
	s.threads[th] = c
}

// ClientOf returns the client process th belongs to: a thread callbacks
// of that client run on (its STA thread, its MTA worker threads) or one
// given to Adopt. It returns nil for any other thread, and for nil.
func (s *Service) ClientOf(th *sim.Thread) *Client { return s.threads[th] }

// Adopt records th, a thread the process's own code created, as a thread
// of c (ClientOf). It panics if th already belongs to a client.
func (c *Client) Adopt(th *sim.Thread) {
	if th == nil {
		panic("scheduler: Adopt(nil)")
	}
	if o := c.s.threads[th]; o != nil {
		panic("scheduler: Adopt(" + th.String() + "): the thread already belongs to client " + o.name)
	}
	c.s.adopt(th, c)
}

// STAThread returns the client's one STA thread, or nil for an MTA client.
func (c *Client) STAThread() *sim.Thread { return c.th }

// OnEnd registers fn to be called when the process ends, whatever ends it
// (Exit, Crash, Restart, or the service ending its user's processes), with
// the client.exit reason. Hooks run in registration order, after the
// process's calls in flight were ended as disconnected.
func (c *Client) OnEnd(fn func(reason string)) {
	if fn == nil {
		panic("scheduler: OnEnd(nil)")
	}
	c.app.onEnd = append(c.app.onEnd, fn)
}

func (c *Client) runEndHooks(reason string) {
	c.app.onQueue = nil
	for _, fn := range c.app.onEnd {
		fn(reason)
	}
}

// SetTag stores v with the client, for the code that runs the process
// (package proc keeps its *Process there).
func (c *Client) SetTag(v any) { c.app.tag = v }

// Tag returns the value given to SetTag, or nil.
func (c *Client) Tag() any { return c.app.tag }

// HoldSTA marks the STA thread as running application code (main, on an
// application's main thread): calls for it wait in its queue, holding
// their slots, until ReleaseSTA or a PumpSTA on the thread. It panics for
// an MTA client and if the thread is already held or runs a callback.
func (c *Client) HoldSTA() {
	c.mustSTA("HoldSTA")
	if c.staBusy {
		panic("scheduler: HoldSTA(" + c.name + "): the STA thread is busy")
	}
	c.staBusy = true
	c.s.rec(trace.Record{Ev: trace.EvSTAHold, Client: c.name})
}

// ReleaseSTA ends HoldSTA: the thread goes back to its message loop,
// which delivers the calls that waited, one after another, as an idle STA
// thread does.
func (c *Client) ReleaseSTA() {
	c.mustSTA("ReleaseSTA")
	if !c.staBusy {
		panic("scheduler: ReleaseSTA(" + c.name + ") without HoldSTA")
	}
	c.staBusy = false
	c.s.rec(trace.Record{Ev: trace.EvSTARelease, Client: c.name})
	if c.alive && c.staQ.len() > 0 {
		c.s.launch(c.s.calls[c.staQ.pop()])
	}
}

// PumpSTA delivers the calls waiting for the STA thread nested on it, as
// a pumping wait (CoWaitForMultipleHandles) does, and returns how many
// began. It must be called on the STA thread; it delivers nothing for a
// dead or MTA client, and nothing beyond Options.MaxNesting. Calls that
// began are nested under the callback running on the thread, if any.
func (c *Client) PumpSTA() int {
	c.mustSTA("PumpSTA")
	if cur := c.s.w.Current(); cur != c.th {
		panic("scheduler: PumpSTA(" + c.name + ") called from " + threadName(cur) + ", not from the client's STA thread")
	}
	return c.s.deliverSTA(c, c.call)
}

// OnSTAQueue sets fn (nil: none) to be called, from the event loop, each
// time a call queues for the STA thread because it is busy: a pumping
// waiter wakes up to deliver it. The hook is cleared when the process ends.
func (c *Client) OnSTAQueue(fn func()) {
	c.mustSTA("OnSTAQueue")
	c.app.onQueue = fn
}

// STAQueued returns the number of calls waiting for the STA thread.
func (c *Client) STAQueued() int { return c.staQ.len() }

func (c *Client) staQueued() {
	if c.app.onQueue != nil {
		c.app.onQueue()
	}
}

func (c *Client) mustSTA(op string) {
	if c.apt != STA {
		panic("scheduler: " + op + "(" + c.name + "): the client is MTA")
	}
}

func threadName(th *sim.Thread) string {
	if th == nil {
		return "no thread"
	}
	return th.String()
}

// JobName returns the trace name ("job-1") of the job j designates: a
// *JobRef, or any callbackabi.Job whose GetId names a job of this
// service. It returns "" if there is no such job.
func (s *Service) JobName(j callbackabi.Job) string {
	switch r := j.(type) {
	case nil:
		return ""
	case *JobRef:
		if r == nil || r.j == nil {
			return ""
		}
		return r.j.name()
	}
	id, res := j.GetId()
	if res.Failed() {
		return ""
	}
	for jb := range s.eachJob {
		if jb.guid() == id {
			return jb.name()
		}
	}
	return ""
}
