package proc_test

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/sim/rapidsim"
	"github.com/bitsim/bitsim/trace"
)

// op is one step of a generated thread program.
type op struct {
	kind    int // 0 lock+sleep+unlock, 1 wait auto, 2 set auto, 3 wait manual, 4 set/reset manual, 5 WaitAll, 6 WaitAny
	d       time.Duration
	timeout time.Duration
}

var genTimeout = rapid.SampledFrom([]time.Duration{0, time.Millisecond, 10 * time.Millisecond, 50 * time.Millisecond, proc.Infinite})

var genOp = rapid.Custom(func(t *rapid.T) op {
	return op{
		kind:    rapid.IntRange(0, 6).Draw(t, "kind"),
		d:       time.Duration(rapid.IntRange(0, 20).Draw(t, "ms")) * time.Millisecond,
		timeout: genTimeout.Draw(t, "timeout"),
	}
})

// Random threads lock a mutex, wait on and set events, with random
// timeouts and schedules. Whatever the interleaving: the mutex excludes,
// an auto-reset event is taken at most once per Set, a timeout returns
// exactly at its deadline, and a WaitAll that succeeds owns the mutex.
func TestPrimitivesProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		progs := rapid.SliceOfN(rapid.SliceOfN(genOp, 1, 8), 1, 5).Draw(rt, "threads")
		w := sim.NewWorld(rapidsim.New(rt), sim.Limits{MaxTime: time.Hour})
		svc := scheduler.New(w, &trace.Log{}, "prop", 1, scheduler.DefaultOptions())
		alice := svc.AddUser("alice", false)
		inside, sets, takes := 0, 0, 0
		fail := func(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
		proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
			mu := p.NewMutex()
			auto, manual := p.NewEvent(false, false), p.NewEvent(true, false)
			timed := func(timeout time.Duration, wait func() proc.WaitResult) proc.WaitResult {
				start := w.Now()
				r := wait()
				if r == proc.WaitTimeout && (timeout == proc.Infinite || w.Now() != start+timeout) {
					fail("timeout %v after %v, waited from %v", timeout, w.Now()-start, start)
				}
				return r
			}
			for i, prog := range progs {
				p.Go(fmt.Sprint("t", i), func() {
					for _, o := range prog {
						switch o.kind {
						case 0:
							if mu.Wait(o.timeout) == proc.WaitTimeout {
								continue
							}
							if inside++; inside != 1 {
								fail("%d threads hold the mutex", inside)
							}
							p.Sleep(o.d)
							inside--
							mu.Unlock()
						case 1:
							if timed(o.timeout, func() proc.WaitResult { return auto.Wait(o.timeout) }) == proc.WaitObject0 {
								takes++
							}
						case 2:
							if !auto.Signalled() {
								sets++ // a Set of a set event adds nothing
							}
							auto.Set()
						case 3:
							timed(o.timeout, func() proc.WaitResult { return manual.Wait(o.timeout) })
						case 4:
							if o.d > 10*time.Millisecond {
								manual.Set()
							} else {
								manual.Reset()
							}
						case 5:
							r := timed(o.timeout, func() proc.WaitResult { return p.WaitAll(o.timeout, auto, mu) })
							if r == proc.WaitObject0 {
								takes++
								if mu.Owner() != w.Current() {
									fail("WaitAll returned without the mutex")
								}
								mu.Unlock()
							}
						case 6:
							r := timed(o.timeout, func() proc.WaitResult { return p.WaitAny(o.timeout, manual, auto) })
							if r == proc.WaitObject0+1 {
								takes++
							}
						}
						p.Sleep(o.d)
					}
				})
			}
		})
		if err := svc.Run(); err != nil {
			rt.Fatal(err)
		}
		if takes > sets {
			rt.Fatalf("auto-reset event taken %d times for %d sets", takes, sets)
		}
	})
}
