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

// Misuse of a primitive panics with a message naming it, before any state
// changes.
func TestMisusePanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(p *proc.Process)
		want string
	}{
		{"negative timeout", func(p *proc.Process) { p.NewEvent(false, false).Wait(-time.Second) }, "proc: Event.Wait(-1s): negative timeout (use proc.Infinite)"},
		{"negative sleep", func(p *proc.Process) { p.Sleep(-2) }, "proc: Sleep(-2ns): negative timeout (use proc.Infinite)"},
		{"WaitAny no objects", func(p *proc.Process) { p.WaitAny(time.Second) }, "proc: WaitAny with no objects"},
		{"WaitAll no objects", func(p *proc.Process) { p.WaitAll(time.Second) }, "proc: WaitAll with no objects"},
		{"nil object", func(p *proc.Process) { p.WaitAny(time.Second, p.NewEvent(false, false), nil) }, "proc: WaitAny: object 1 is nil"},
		{"nil *Event", func(p *proc.Process) { var e *proc.Event; p.WaitAny(time.Second, e) }, "proc: WaitAny: object 0 is nil"},
		{"nil event Set", func(p *proc.Process) { var e *proc.Event; e.Set() }, "proc: Event.Set on a nil *Event"},
		{"WaitAll twice", func(p *proc.Process) { e := p.NewEvent(false, false); p.WaitAll(0, e, e) }, "proc: WaitAll: object 1 appears twice (ERROR_INVALID_PARAMETER)"},
		{"too many objects", func(p *proc.Process) {
			objs := make([]proc.Waitable, 65)
			for i := range objs {
				objs[i] = p.NewEvent(false, false)
			}
			p.WaitAny(0, objs...)
		}, "proc: WaitAny with 65 objects (at most 64, MAXIMUM_WAIT_OBJECTS)"},
		{"unlock unowned", func(p *proc.Process) { p.NewMutex().Unlock() }, "proc: Mutex.Unlock by thread 1 \"app/main\", which does not own the mutex (owner: nobody)"},
		{"Pump forever on nothing", func(p *proc.Process) { p.Pump(proc.Infinite) }, "proc: Pump with no objects and no timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := newWorld(1)
			var msg string
			ran := false
			proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
				msg = catch(func() { tc.do(p) })
				ran = true
			})
			x.run(t)
			require.True(t, ran)
			assert.Equal(t, tc.want, msg)
		})
	}
}

func TestUnlockByAnotherThread(t *testing.T) {
	x := newWorld(1)
	var msg string
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		mu := p.NewMutex()
		mu.Lock()
		p.Go("thief", func() { msg = catch(mu.Unlock) })
	})
	x.run(t)
	assert.Equal(t, `proc: Mutex.Unlock by thread 2 "app/thief-1", which does not own the mutex (owner: thread 1 "app/main")`, msg)
}

func TestBlockingOutsideAVirtualThreadPanics(t *testing.T) {
	x := newWorld(1)
	var msgs []string
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		ev, mu := p.NewEvent(false, false), p.NewMutex()
		x.w.AfterFunc(time.Second, func() { // a plain event handler
			msgs = append(msgs,
				catch(func() { ev.Wait(0) }),
				catch(func() { mu.Lock() }),
				catch(func() { p.Sleep(time.Second) }),
				catch(func() { mu.Unlock() }),
				catch(ev.Set), // not blocking: allowed
			)
		})
	})
	x.run(t)
	assert.Equal(t, []string{
		"proc: Event.Wait outside a virtual thread",
		"proc: Mutex.Lock outside a virtual thread",
		"proc: Sleep outside a virtual thread",
		"proc: Mutex.Unlock outside a virtual thread",
		"",
	}, msgs)
}

// Objects of one instance used from a thread of another instance, or
// after their instance died, panic naming both.
func TestObjectOfAnotherInstance(t *testing.T) {
	x := newWorld(1)
	var old *proc.Event
	var msgs []string
	var other *proc.Event
	proc.Start(x.svc, "other", x.alice, scheduler.MTA, func(p *proc.Process) {
		other = p.NewEvent(false, false)
	})
	g := proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		if p.Generation() == 1 {
			old = p.NewEvent(false, false)
			return
		}
		msgs = append(msgs,
			catch(func() { old.Wait(0) }),
			catch(old.Set),
			catch(func() { other.Wait(0) }),
			catch(func() { p.WaitAny(0, p.NewEvent(false, false), other) }),
		)
	})
	x.w.AfterFunc(time.Second, func() { g.Restart() })
	x.w.AfterFunc(2*time.Second, func() { msgs = append(msgs, catch(old.Set)) })
	x.run(t)
	assert.Equal(t, []string{
		"proc: Event.Wait: the object belongs to instance app, which is dead (exit); used from a thread of instance app#2",
		"proc: Event.Set: the object belongs to instance app, which is dead (exit); used from a thread of instance app#2",
		"proc: Event.Wait: the object belongs to instance other; used from a thread of another instance, instance app#2",
		"proc: WaitAny: the object belongs to instance other; used from a thread of another instance, instance app#2",
		"proc: Event.Set: the object belongs to instance app, which is dead (exit); used outside any instance",
	}, msgs)
}

func TestGoOnDeadInstancePanics(t *testing.T) {
	x := newWorld(1)
	g := proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {})
	var msg string
	x.w.AfterFunc(time.Second, func() {
		p := g.Current()
		p.Crash()
		msg = catch(func() { p.Go("late", func() {}) })
	})
	x.run(t)
	assert.Equal(t, "proc: Go on instance app, which is dead (crash)", msg)
}

// Calls on a Process from a thread of another instance, or on a dead
// instance from outside it, panic naming both.
func TestProcessOfAnotherInstance(t *testing.T) {
	x := newWorld(1)
	var other *proc.Process
	var msgs []string
	proc.Start(x.svc, "other", x.alice, scheduler.MTA, func(p *proc.Process) { other = p })
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		job, _ := p.Client().CreateJob("j", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		msgs = append(msgs,
			catch(func() { other.Sleep(time.Second) }),
			catch(func() { other.NewEvent(false, false) }),
			catch(func() { other.Report(job, proc.Failed, "") }),
			catch(func() { other.Go("x", func() {}) }),
		)
		other.Exit()
		msgs = append(msgs,
			catch(func() { other.Report(job, proc.Failed, "") }),
			catch(func() { other.NewMutex() }),
		)
	})
	x.run(t)
	assert.Equal(t, []string{
		"proc: Sleep on instance other from a thread of another instance, instance app",
		"proc: NewEvent on instance other from a thread of another instance, instance app",
		"proc: Report on instance other from a thread of another instance, instance app",
		"proc: Go on instance other from a thread of another instance, instance app",
		"proc: Report on instance other, which is dead (exit)",
		"proc: NewMutex on instance other, which is dead (exit)",
	}, msgs)
	assert.Empty(t, x.records(trace.EvAppOutcome))
}
