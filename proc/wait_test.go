package proc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scheduler"
)

func TestWaitAny(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setA   time.Duration // 0: never
		setB   time.Duration
		want   proc.WaitResult
		wantAt time.Duration
	}{
		{"first object", time.Second, 2 * time.Second, proc.WaitObject0, time.Second},
		{"second object", 3 * time.Second, 2 * time.Second, proc.WaitObject0 + 1, 2 * time.Second},
		{"timeout", 0, 0, proc.WaitTimeout, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := newWorld(1)
			var got proc.WaitResult = -100
			var at time.Duration
			proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
				a, b := p.NewEvent(false, false), p.NewEvent(false, false)
				if tc.setA > 0 {
					x.w.AfterFunc(tc.setA, a.Set)
				}
				if tc.setB > 0 {
					x.w.AfterFunc(tc.setB, b.Set)
				}
				got = p.WaitAny(5*time.Second, a, b)
				at = x.w.Now()
			})
			x.run(t)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.wantAt, at)
		})
	}
}

// With several objects signalled, WaitAny takes the lowest index and
// leaves the others signalled.
func TestWaitAnyLowestIndex(t *testing.T) {
	x := newWorld(1)
	var got proc.WaitResult = -100
	var aSet, bSet bool
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		a, b := p.NewEvent(false, true), p.NewEvent(false, true)
		got = p.WaitAny(0, b, a)
		aSet, bSet = a.Signalled(), b.Signalled()
	})
	x.run(t)
	assert.Equal(t, proc.WaitObject0, got)
	assert.True(t, aSet)
	assert.False(t, bSet)
}

// WaitAll takes all its objects at once or none: while it waits for b, a
// stays available to another waiter.
func TestWaitAllIsAtomic(t *testing.T) {
	x := newWorld(1)
	var all proc.WaitResult = -100
	var allAt, otherAt time.Duration
	var aAfter, bAfter bool
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		a, b := p.NewEvent(false, false), p.NewEvent(false, false)
		p.Go("all", func() {
			all = p.WaitAll(proc.Infinite, a, b)
			allAt = x.w.Now()
			aAfter, bAfter = a.Signalled(), b.Signalled()
		})
		p.Go("other", func() {
			p.Sleep(2 * time.Second)
			a.Wait(proc.Infinite) // a was set at 1 s and not taken by WaitAll
			otherAt = x.w.Now()
		})
		x.w.AfterFunc(time.Second, a.Set)
		x.w.AfterFunc(3*time.Second, b.Set) // WaitAll still lacks a
		x.w.AfterFunc(4*time.Second, a.Set)
	})
	x.run(t)
	assert.Equal(t, 2*time.Second, otherAt)
	assert.Equal(t, proc.WaitObject0, all)
	assert.Equal(t, 4*time.Second, allAt)
	assert.False(t, aAfter, "WaitAll consumed a")
	assert.False(t, bAfter, "WaitAll consumed b")
}

// WaitAll on an event and a mutex: it owns the mutex once both are free.
func TestWaitAllWithMutex(t *testing.T) {
	x := newWorld(1)
	var at time.Duration
	var owned bool
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		ev, mu := p.NewEvent(true, false), p.NewMutex()
		mu.Lock()
		p.Go("all", func() {
			assert.Equal(t, proc.WaitObject0, p.WaitAll(proc.Infinite, ev, mu))
			at = x.w.Now()
			owned = mu.TryLock() // recursive: it owns it
			mu.Unlock()
			mu.Unlock()
		})
		x.w.AfterFunc(time.Second, ev.Set)
		p.Sleep(2 * time.Second)
		mu.Unlock()
	})
	x.run(t)
	assert.Equal(t, 2*time.Second, at)
	assert.True(t, owned)
}

func TestWaitAllTimeout(t *testing.T) {
	x := newWorld(1)
	var got proc.WaitResult = -100
	var aSet bool
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		a, b := p.NewEvent(false, true), p.NewEvent(false, false)
		got = p.WaitAll(time.Second, a, b)
		aSet = a.Signalled()
	})
	x.run(t)
	assert.Equal(t, proc.WaitTimeout, got)
	assert.True(t, aSet, "a timed-out WaitAll takes nothing")
}

func TestSleep(t *testing.T) {
	x := newWorld(1)
	var order []string
	var at time.Duration
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		p.Go("other", func() { order = append(order, "other") })
		p.Sleep(0) // gives way to the thread started at this instant
		order = append(order, "main")
		p.Sleep(3 * time.Second)
		at = x.w.Now()
	})
	x.run(t)
	assert.Equal(t, []string{"other", "main"}, order)
	assert.Equal(t, 3*time.Second, at)
}

func TestMutex(t *testing.T) {
	x := newWorld(1)
	var log []string
	at := func(s string) { log = append(log, s+"@"+x.w.Now().String()) }
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		mu := p.NewMutex()
		mu.Lock()
		mu.Lock() // recursive
		p.Go("b", func() {
			if mu.TryLock() {
				at("b trylock")
			}
			assert.Equal(t, proc.WaitTimeout, mu.Wait(time.Second))
			at("b timeout")
			mu.Lock()
			at("b owns")
			mu.Unlock()
		})
		p.Go("c", func() {
			p.Sleep(time.Millisecond) // queues after b
			mu.Lock()
			at("c owns")
			mu.Unlock()
		})
		p.Sleep(2 * time.Second)
		mu.Unlock()
		at("main unlock 1") // still owned once
		p.Sleep(time.Second)
		mu.Unlock()
		at("main unlock 2")
	})
	x.run(t)
	// c queued at 1 ms, b again only after its timeout at 1 s: c first.
	assert.Equal(t, []string{"b timeout@1s", "main unlock 1@2s", "main unlock 2@3s", "c owns@3s", "b owns@3s"}, log)
}
