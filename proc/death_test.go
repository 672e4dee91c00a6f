package proc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// When an instance ends, none of its threads runs again: not those blocked
// in a wait or a sleep (their timers do nothing), not the one that crashed
// it.
func TestDeathWhileBlocked(t *testing.T) {
	for _, end := range []string{"crash", "exit", "restart", "client"} {
		t.Run(end, func(t *testing.T) {
			x := newWorld(1)
			var resumed []string
			var g *proc.Program
			g = proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
				if p.Generation() > 1 {
					return
				}
				ev, mu := p.NewEvent(false, false), p.NewMutex()
				p.Go("waiter", func() {
					ev.Wait(5 * time.Second)
					resumed = append(resumed, "waiter")
				})
				p.Go("sleeper", func() {
					p.Sleep(5 * time.Second)
					resumed = append(resumed, "sleeper")
				})
				p.Go("locker", func() {
					p.Sleep(time.Millisecond)
					mu.Lock()
					resumed = append(resumed, "locker")
				})
				p.Go("pumper", func() {
					p.Pump(5*time.Second, ev)
					resumed = append(resumed, "pumper")
				})
				mu.Lock()
				p.Sleep(time.Second)
				switch end {
				case "crash":
					p.Crash()
				case "exit":
					p.Exit()
				case "restart":
					g.Restart()
				case "client":
					p.Client().Crash() // ended by the service, not through proc
					p.Sleep(0)         // the next primitive blocks for good
				}
				resumed = append(resumed, "main") // never
			})
			x.run(t)
			assert.Empty(t, resumed)
			assert.False(t, g.Current().Alive() && g.Current().Generation() == 1)
			exits := x.records(trace.EvClientExit)
			require.NotEmpty(t, exits)
			assert.Equal(t, time.Second, exits[0].T)
		})
	}
}

// A callback of a dead instance that wakes up later (here from the
// service clock's Sleep) blocks for good at its next primitive.
func TestCallbackOfDeadInstanceParks(t *testing.T) {
	x := newWorld(1)
	var after []string
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		ev := p.NewEvent(false, false)
		download(t, p.Client(), &callback{jt: func(job callbackabi.Job) callbackabi.HRESULT {
			x.svc.Clock().Sleep(time.Minute) // not a proc primitive: wakes up
			after = append(after, "woke")
			ev.Set() // of a dead instance, on its thread: blocks for good
			after = append(after, "set")
			return callbackabi.S_OK
		}})
		p.Sleep(10 * time.Second)
		p.Crash()
	})
	x.run(t)
	assert.Equal(t, []string{"woke"}, after)
}

// An STA instance dies while its main thread pumps: the thread never
// returns, the calls queued for it end as disconnected.
func TestDeathWhilePumping(t *testing.T) {
	x := newWorld(1)
	var returned bool
	var calls int
	g := proc.Start(x.svc, "app", x.alice, scheduler.STA, func(p *proc.Process) {
		ev := p.NewEvent(false, false)
		download(t, p.Client(), &callback{jt: func(job callbackabi.Job) callbackabi.HRESULT {
			calls++
			p.Sleep(time.Hour) // holds the thread while the instance dies
			return callbackabi.S_OK
		}})
		p.Pump(proc.Infinite, ev)
		returned = true
	})
	x.w.AfterFunc(time.Minute, func() { g.Current().Crash() })
	x.run(t)
	assert.False(t, returned)
	assert.Equal(t, 1, calls)
	ends := x.records(trace.EvCallEnd)
	require.Len(t, ends, 1)
	assert.Equal(t, trace.OutcomeDisconnected, ends[0].Outcome)
	assert.Equal(t, time.Minute, ends[0].T)
}

func TestRestartRunsMainAgain(t *testing.T) {
	x := newWorld(1)
	var seen []string
	g := proc.Start(x.svc, "app", x.alice, scheduler.STA, func(p *proc.Process) {
		seen = append(seen, p.Client().Name())
		jobs, hr := p.Client().EnumJobs(false)
		require.Equal(t, callbackabi.S_OK, hr)
		if p.Generation() == 1 {
			download(t, p.Client(), &callback{jt: func(job callbackabi.Job) callbackabi.HRESULT { return callbackabi.S_OK }})
			return
		}
		assert.Len(t, jobs, 1, "the new instance finds the job of the old one")
	})
	first := g.Current()
	var second *proc.Process
	x.w.AfterFunc(time.Second, func() { second = g.Restart() })
	x.run(t)
	assert.Equal(t, []string{"app", "app#2"}, seen)
	assert.False(t, first.Alive())
	assert.True(t, second.Alive())
	assert.Same(t, second, g.Current())
	assert.Equal(t, 2, second.Generation())
	assert.NotSame(t, first.Client(), second.Client())
	assert.Equal(t, "app", g.Name())
	exits := x.records(trace.EvClientExit)
	require.Len(t, exits, 1)
	assert.Equal(t, "exit", exits[0].Reason)
	assert.Equal(t, "app", exits[0].Client)
}

// Restart from a thread of the instance it ends never returns.
func TestRestartFromOwnThread(t *testing.T) {
	x := newWorld(1)
	var gens []int
	var after bool
	var g *proc.Program
	g = proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		gens = append(gens, p.Generation())
		if p.Generation() == 1 {
			g.Restart()
			after = true
		}
	})
	x.run(t)
	assert.Equal(t, []int{1, 2}, gens)
	assert.False(t, after)
}

// A waiter whose event was set at the same instant as, but before, its
// instance died does not go on: its wake-up was already scheduled when the
// crash came. (Found by bitsimtest.CheckClient: a user's cancel at 0 s,
// the crash right after it, and the dead instance's main thread reporting
// an outcome.)
func TestWakeScheduledBeforeDeath(t *testing.T) {
	x := newWorld(1)
	var resumed []string
	var ev *proc.Event
	g := proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		if p.Generation() > 1 {
			return
		}
		ev = p.NewEvent(true, false)
		p.WaitAny(proc.Infinite, ev)
		resumed = append(resumed, "main") // never: the instance died first
	})
	x.w.AfterFunc(time.Second, func() {
		ev.Set()            // schedules main's wake-up at this instant
		g.Current().Crash() // and the instance dies before it fires
	})
	x.run(t)
	assert.Empty(t, resumed)
}

// A panic out of application code on a thread of the instance — main, a
// thread of Go, a user action — crashes the instance (client.exit reason
// "crash") and the world goes on: the instance's other threads never run
// again, a later instance runs, and Program.Panics counts and tells them.
func TestPanicCrashesTheInstance(t *testing.T) {
	for _, where := range []string{"main", "worker", "cancel"} {
		t.Run(where, func(t *testing.T) {
			x := newWorld(1)
			var resumed []string
			g := proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
				if p.Generation() > 1 {
					resumed = append(resumed, "app#2")
					return
				}
				ev := p.NewEvent(false, false)
				p.Go("waiter", func() {
					ev.Wait(5 * time.Second)
					resumed = append(resumed, "waiter")
				})
				switch where {
				case "main":
					panic("main's bug")
				case "worker":
					p.Go("worker", func() { panic("worker's bug") })
				}
				p.Sleep(time.Second)
				resumed = append(resumed, "main")
			})
			if where == "cancel" {
				x.w.AfterFunc(time.Millisecond, func() { g.Act("cancel", func(*proc.Process) { panic("cancel's bug") }) })
			}
			x.w.AfterFunc(time.Minute, func() { g.Restart() })
			x.run(t)
			assert.Equal(t, []string{"app#2"}, resumed, "no thread of the crashed instance ran again")
			exits := x.records(trace.EvClientExit)
			require.NotEmpty(t, exits)
			assert.Equal(t, "crash", exits[0].Reason)
			n, first := g.Panics()
			assert.Equal(t, 1, n)
			assert.Regexp(t, `^app, thread `+where+`, at (0s|1ms): `+where+`'s bug, in proc_test\.TestPanicCrashesTheInstance\.func[0-9.]+ \(death_test\.go:[0-9]+\)$`, first)
		})
	}
}
