package proc

import (
	"fmt"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/internal/panicsite"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// Program is an installed application: a name, a user, an apartment and a
// main function. It outlives its instances; Current is the latest.
type Program struct {
	svc  *scheduler.Service
	w    *sim.World
	name string
	user *scheduler.User
	apt  scheduler.Apartment
	main func(p *Process)
	cur  *Process

	panics     int    // panics out of the application's own threads
	firstPanic string // the first, told as Panics tells it
}

// Start starts the program name of user in apartment apt: it starts the
// scheduler client svc.StartClient(name, user, apt), the first instance,
// and runs main on the instance's main thread at the current virtual
// instant (in an event of this instant, after the code calling Start).
// Start may be called before svc.Run, from an event handler or from a
// virtual thread. In an STA program the main thread is the client's STA
// thread, held by main until main returns (see the package doc).
func Start(svc *scheduler.Service, name string, user *scheduler.User, apt scheduler.Apartment, main func(p *Process)) *Program {
	switch {
	case svc == nil:
		panic("proc: Start with a nil *scheduler.Service")
	case user == nil:
		panic("proc: Start(" + name + ") with a nil *scheduler.User")
	case main == nil:
		panic("proc: Start(" + name + ") with a nil main")
	case apt != scheduler.MTA && apt != scheduler.STA:
		panic(fmt.Sprintf("proc: Start(%s): unknown apartment %v", name, apt))
	}
	g := &Program{svc: svc, w: svc.World(), name: name, user: user, apt: apt, main: main}
	g.launch(svc.StartClient(name, user, apt), 1)
	return g
}

// launch makes the instance of client c and runs main on its main thread.
func (g *Program) launch(c *scheduler.Client, gen int) *Process {
	p := &Process{g: g, c: c, gen: gen, alive: true}
	g.cur = p
	c.SetTag(p)
	c.OnEnd(p.ended)
	if g.apt == scheduler.STA {
		p.main = c.STAThread()
		c.HoldSTA() // the thread runs application code from the start
	} else {
		p.main = g.w.NewThread(c.Name() + "/main")
		c.Adopt(p.main)
	}
	g.w.Go(p.main, func() {
		if !p.alive {
			return // ended before its first instruction
		}
		p.run("main", func() { g.main(p) })
		if p.alive && g.apt == scheduler.STA {
			c.ReleaseSTA() // main returned: the thread runs its message loop
		}
	})
	return p
}

// Name returns the program's name (the first instance's client name).
func (g *Program) Name() string { return g.name }

// User returns the user the program runs as.
func (g *Program) User() *scheduler.User { return g.user }

// Apartment returns the program's COM apartment (scheduler.STA or MTA).
func (g *Program) Apartment() scheduler.Apartment { return g.apt }

// Current returns the latest instance, dead or alive.
func (g *Program) Current() *Process { return g.cur }

// Restart ends the current instance if it is alive (recorded as a clean
// exit, client.exit reason "exit") and starts a new one, whose client is
// named "name#2", "name#3", ...; main runs on its main thread at this
// instant. Called from a thread of the instance it ends, Restart never
// returns (the thread is dead).
func (g *Program) Restart() *Process {
	old := g.cur
	p := g.launch(old.c.Restart(), old.gen+1)
	old.parkIfMine()
	return p
}

// Act performs the user action name on the current instance: it records
// the trace event user.action (client, user, reason = name) and runs fn on
// a new thread of the instance, named for the action, at this instant. It
// does nothing, and records nothing, if the instance is dead.
func (g *Program) Act(name string, fn func(p *Process)) {
	if fn == nil {
		panic("proc: Act(" + name + ") with a nil func")
	}
	p := g.cur
	if !p.alive {
		return
	}
	g.svc.Log().Append(trace.Record{T: g.w.Now(), Ev: trace.EvUserAction, Client: p.c.Name(), User: g.user.Name(), Reason: name})
	p.Go(name, func() { fn(p) })
}

// Process is one instance of a Program, from its start to its end.
type Process struct {
	g      *Program
	c      *scheduler.Client
	gen    int
	alive  bool
	reason string      // why it ended (client.exit reason)
	main   *sim.Thread // the main thread (the STA thread under STA)
	nthr   int
}

// Program returns the instance's program.
func (p *Process) Program() *Program { return p.g }

// Client returns the instance's scheduler client, through which it calls
// BITS: CreateJob, GetJob, EnumJobs, Job(ref).
func (p *Process) Client() *scheduler.Client { return p.c }

// Alive reports whether the instance runs.
func (p *Process) Alive() bool { return p.alive }

// Reason returns why the instance ended — the client.exit reason: "exit",
// "crash", or whatever the service ended it for — or "" while it runs.
func (p *Process) Reason() string { return p.reason }

// Generation returns 1 for the program's first instance, 2 for the next.
func (p *Process) Generation() int { return p.gen }

// MainThread returns the virtual thread main runs on (under STA, the
// client's STA thread).
func (p *Process) MainThread() *sim.Thread { return p.main }

// String names the instance by its client: "app", "app#2".
func (p *Process) String() string { return "instance " + p.c.Name() }

// Crash ends the instance abruptly (the scheduler client's Crash: trace
// client.exit reason "crash"). It may be called from anywhere; called from
// a thread of the instance, it never returns. Ending a dead instance does
// nothing.
func (p *Process) Crash() {
	if p.alive {
		p.c.Crash()
	}
	p.parkIfMine()
}

// Exit ends the instance cleanly (client.exit reason "exit"); otherwise
// like Crash.
func (p *Process) Exit() {
	if p.alive {
		p.c.Exit()
	}
	p.parkIfMine()
}

// ended is the client's end hook: the instance is dead from now on.
func (p *Process) ended(reason string) {
	p.alive = false
	p.reason = reason
}

// parkIfMine blocks the calling thread for good if it is a thread of p and
// p is dead: no code of a dead instance runs again.
func (p *Process) parkIfMine() {
	if th := p.g.w.Current(); th != nil && !p.alive && p.g.svc.ClientOf(th) == p.c {
		p.g.w.Park()
		panic("proc: internal error: a thread of a dead instance was woken")
	}
}

// Go starts fn on a new thread of the instance, named name, at this
// instant (in an event after the calling code). If the instance ends
// before the thread starts, fn never runs. Go on a dead instance panics,
// except from one of its own threads, which then blocks for good.
func (p *Process) Go(name string, fn func()) {
	if fn == nil {
		panic("proc: Go(" + name + ") with a nil func")
	}
	p.checkLive("Go")
	p.nthr++
	th := p.g.w.NewThread(fmt.Sprintf("%s/%s-%d", p.c.Name(), name, p.nthr))
	p.c.Adopt(th)
	p.g.w.Go(th, func() {
		if p.alive {
			p.run(name, fn)
		}
	})
}

// run runs fn, application code on the thread called name of p. A panic
// out of it ends the instance as an unhandled exception ends a Windows
// process: it is counted and told (Program.Panics), the instance crashes
// (client.exit reason "crash") and the thread ends; the simulation goes
// on. The kernel's own panics (a thread unwound, the choice stream run
// out) pass through.
func (p *Process) run(name string, fn func()) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if sim.IsUnwind(r) || sim.IsChoicePanic(r) {
			panic(r)
		}
		g := p.g
		if g.panics++; g.panics == 1 {
			g.firstPanic = fmt.Sprintf("%s, thread %s, at %v: %v%s", p.c.Name(), name, g.w.Now(), r, panicsite.Of())
		}
		if p.alive {
			p.c.Crash()
		}
	}()
	fn()
}

// Panics returns how many times code of the program's instances panicked
// on their own threads (main, Go, Act: not in callbacks, which BITS
// contains, scheduler.Stats.Panics), and the first one told as
// "app#2, thread main, at 1.5s: assignment to entry in nil map, in
// main.(*app).Main (app.go:12)". Each such panic crashed its instance.
func (g *Program) Panics() (n int, first string) { return g.panics, g.firstPanic }

// checkLive checks a call of op on p: a thread of a dead instance blocks
// for good; a call on dead p from anywhere else, and a call from a thread
// of another instance, panic. Plain handlers and threads of no instance
// may call.
func (p *Process) checkLive(op string) {
	_, q := p.g.caller()
	if q != nil && !q.alive {
		q.parkIfMine()
	}
	if !p.alive {
		panic(fmt.Sprintf("proc: %s on %v, which is dead (%s)", op, p, p.reason))
	}
	if q != nil && q != p {
		panic(fmt.Sprintf("proc: %s on %v from a thread of another instance, %v", op, p, q))
	}
}

// Report records that the application's operation on job ended with
// outcome o: trace event app.outcome (job = the job's trace name, client,
// outcome, reason = note). job is a *scheduler.JobRef or the job argument
// of a callback. Called from a thread of a dead instance, Report blocks
// for good and records nothing; on a dead instance from anywhere else, or
// from a thread of another instance, it panics.
func (p *Process) Report(job callbackabi.Job, o Outcome, note string) {
	if o < Succeeded || o > Cancelled {
		panic(fmt.Sprintf("proc: Report with an unknown Outcome(%d)", uint8(o)))
	}
	if job == nil {
		panic("proc: Report with a nil job")
	}
	p.checkLive("Report")
	name := p.g.svc.JobName(job)
	if name == "" {
		panic("proc: Report: the job is not a job of this service")
	}
	p.g.svc.Log().Append(trace.Record{T: p.g.w.Now(), Ev: trace.EvAppOutcome, Job: name, Client: p.c.Name(), Outcome: o.String(), Reason: note})
}

// caller returns the instance the calling thread belongs to (its own
// threads and the threads its callbacks run on), or nil: a plain event
// handler, or a thread of no instance.
func (g *Program) caller() (*sim.Thread, *Process) {
	th := g.w.Current()
	if th == nil {
		return nil, nil
	}
	if c := g.svc.ClientOf(th); c != nil {
		q, _ := c.Tag().(*Process)
		return th, q
	}
	return th, nil
}

// parkIfDeadCaller blocks a thread of a dead instance for good.
func (g *Program) parkIfDeadCaller() {
	if _, q := g.caller(); q != nil && !q.alive {
		q.parkIfMine()
	}
}

// Outcome is how an operation of the application ended, as it reports it.
type Outcome uint8

// The outcomes.
const (
	Succeeded Outcome = iota + 1 // the job is ACKNOWLEDGED with its files
	Failed                       // the application gave up on the job
	Cancelled                    // the user (or the application) cancelled it
)

// String returns "succeeded", "failed", "cancelled" (the trace's words),
// or "Outcome(n)" for other values.
func (o Outcome) String() string {
	switch o {
	case Succeeded:
		return "succeeded"
	case Failed:
		return "failed"
	case Cancelled:
		return "cancelled"
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}
