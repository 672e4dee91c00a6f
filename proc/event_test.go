package proc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scheduler"
)

func TestEventWait(t *testing.T) {
	const never = time.Duration(-2)
	for _, tc := range []struct {
		name            string
		manual, initial bool
		setAt           time.Duration // never: not set
		timeout         time.Duration
		want            proc.WaitResult
		wantAt          time.Duration
		wantSetAfter    bool // the event is still signalled after the wait
	}{
		{"auto set before timeout", false, false, time.Second, 5 * time.Second, proc.WaitObject0, time.Second, false},
		{"manual set before timeout", true, false, time.Second, 5 * time.Second, proc.WaitObject0, time.Second, true},
		{"auto timeout", false, false, 9 * time.Second, 5 * time.Second, proc.WaitTimeout, 5 * time.Second, true},
		{"never set, timeout", false, false, never, 5 * time.Second, proc.WaitTimeout, 5 * time.Second, false},
		{"initially set auto", false, true, never, 5 * time.Second, proc.WaitObject0, 0, false},
		{"initially set manual", true, true, never, 0, proc.WaitObject0, 0, true},
		{"zero timeout tests", false, false, time.Second, 0, proc.WaitTimeout, 0, true},
		{"infinite", false, false, time.Hour, proc.Infinite, proc.WaitObject0, time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := newWorld(1)
			var got proc.WaitResult = -100
			var at time.Duration
			var after bool
			proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
				ev := p.NewEvent(tc.manual, tc.initial)
				if tc.setAt != never {
					x.w.AfterFunc(tc.setAt, ev.Set)
				}
				got = ev.Wait(tc.timeout)
				at = x.w.Now()
				p.Sleep(10 * time.Second) // past setAt
				after = ev.Signalled()
			})
			x.run(t)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.wantAt, at)
			assert.Equal(t, tc.wantSetAfter, after)
		})
	}
}

// A timed wait's timer must not wake a later wait of the same thread.
func TestStaleTimerDoesNotWakeLaterWait(t *testing.T) {
	x := newWorld(1)
	var results []proc.WaitResult
	var times []time.Duration
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		ev := p.NewEvent(false, false)
		x.w.AfterFunc(time.Second, ev.Set)
		x.w.AfterFunc(20*time.Second, ev.Set)
		results = append(results, ev.Wait(10*time.Second)) // set at 1 s; its timer fires at 10 s
		times = append(times, x.w.Now())
		results = append(results, ev.Wait(proc.Infinite)) // must not end at 10 s
		times = append(times, x.w.Now())
		results = append(results, ev.Wait(5*time.Second)) // times out at 25 s
		times = append(times, x.w.Now())
	})
	x.run(t)
	assert.Equal(t, []proc.WaitResult{proc.WaitObject0, proc.WaitObject0, proc.WaitTimeout}, results)
	assert.Equal(t, []time.Duration{time.Second, 20 * time.Second, 25 * time.Second}, times)
}

// An auto-reset event wakes exactly one waiter per Set, first come first
// served; a manual-reset event wakes them all.
func TestEventWakeOrder(t *testing.T) {
	for _, manual := range []bool{false, true} {
		x := newWorld(3)
		type wake struct {
			who string
			at  time.Duration
		}
		var wakes []wake
		proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
			ev := p.NewEvent(manual, false)
			for i, who := range []string{"a", "b", "c"} {
				p.Go(who, func() {
					p.Sleep(time.Duration(i) * time.Millisecond) // a waits first, then b, then c
					ev.Wait(proc.Infinite)
					wakes = append(wakes, wake{who, x.w.Now()})
				})
			}
			for i := 1; i <= 3; i++ {
				x.w.AfterFunc(time.Duration(i)*time.Second, ev.Set)
			}
		})
		x.run(t)
		if manual {
			assert.Equal(t, []wake{{"a", time.Second}, {"b", time.Second}, {"c", time.Second}}, wakes)
		} else {
			assert.Equal(t, []wake{{"a", time.Second}, {"b", 2 * time.Second}, {"c", 3 * time.Second}}, wakes)
		}
	}
}

func TestEventReset(t *testing.T) {
	x := newWorld(1)
	var got proc.WaitResult = -100
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		ev := p.NewEvent(true, true)
		ev.Reset()
		got = ev.Wait(time.Second)
	})
	x.run(t)
	assert.Equal(t, proc.WaitTimeout, got)
}
