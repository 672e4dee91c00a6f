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

// The STA main thread waits for the event its JobTransferred sets. With a
// wait that does not pump, the callback cannot reach the thread: it waits,
// holding its slot, until the wait times out and main returns (bug class
// 7). With Pump it is delivered nested in the wait, which it ends.
func TestSTAWaitDeliversNothingPumpDelivers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		wait     func(p *proc.Process, ev *proc.Event) proc.WaitResult
		want     proc.WaitResult
		returnAt time.Duration // when the wait returns
		callAt   time.Duration // when JobTransferred begins
	}{
		{"Event.Wait", func(p *proc.Process, ev *proc.Event) proc.WaitResult { return ev.Wait(time.Hour) }, proc.WaitTimeout, time.Hour, time.Hour},
		{"WaitAny", func(p *proc.Process, ev *proc.Event) proc.WaitResult { return p.WaitAny(time.Hour, ev) }, proc.WaitTimeout, time.Hour, time.Hour},
		{"Pump", func(p *proc.Process, ev *proc.Event) proc.WaitResult { return p.Pump(time.Hour, ev) }, proc.WaitObject0, 3100 * time.Millisecond, 3100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := newWorld(1)
			var got proc.WaitResult = -100
			var returnAt time.Duration
			var onThread []bool
			proc.Start(x.svc, "app", x.alice, scheduler.STA, func(p *proc.Process) {
				ev := p.NewEvent(false, false)
				download(t, p.Client(), &callback{jt: func(job callbackabi.Job) callbackabi.HRESULT {
					onThread = append(onThread, x.w.Current() == p.MainThread())
					ev.Set()
					return job.Complete()
				}})
				got = tc.wait(p, ev)
				returnAt = x.w.Now()
			})
			x.run(t)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.returnAt, returnAt)
			assert.Equal(t, []bool{true}, onThread, "JobTransferred ran once, on the main (STA) thread")
			begins := x.records(trace.EvCallBegin)
			require.Len(t, begins, 1)
			assert.Equal(t, tc.callAt, begins[0].T)
			assert.Equal(t, int64(0), begins[0].Parent, "delivered to application code, not nested in a call")
		})
	}
}

// Calls that queue for an STA thread held by main are delivered when main
// returns, one after another (the application's message loop).
func TestSTAQueuedCallsRunWhenMainReturns(t *testing.T) {
	x := newWorld(1)
	var order []string
	proc.Start(x.svc, "app", x.alice, scheduler.STA, func(p *proc.Process) {
		for range 2 {
			download(t, p.Client(), &callback{jt: func(job callbackabi.Job) callbackabi.HRESULT {
				order = append(order, "JT "+x.w.Now().String())
				return job.Complete()
			}})
		}
		p.Sleep(time.Minute) // not pumping
		assert.Equal(t, 2, p.Client().STAQueued())
		order = append(order, "main returns "+x.w.Now().String())
	})
	x.run(t)
	assert.Equal(t, []string{"main returns 1m0s", "JT 1m0s", "JT 1m0s"}, order)
}

// A callback that pumps (as an outgoing COM call does, G34) gets the next
// queued call nested under it.
func TestPumpInsideCallbackNests(t *testing.T) {
	x := newWorld(1)
	proc.Start(x.svc, "app", x.alice, scheduler.STA, func(p *proc.Process) {
		first := true
		for range 2 {
			download(t, p.Client(), &callback{jt: func(job callbackabi.Job) callbackabi.HRESULT {
				if first {
					first = false
					p.Pump(5 * time.Second) // job-2's JT (at 6.2 s) queues behind this one
				}
				return job.Complete()
			}})
		}
	})
	x.run(t)
	begins := x.records(trace.EvCallBegin)
	require.Len(t, begins, 2)
	assert.Equal(t, int64(0), begins[0].Parent)
	assert.Equal(t, begins[0].Call, begins[1].Parent, "nested in the pumping call")
	assert.Equal(t, 6200*time.Millisecond, begins[1].T)
}

// Pump on an MTA instance is WaitAny: callbacks run on their own threads.
func TestPumpOnMTAIsWaitAny(t *testing.T) {
	x := newWorld(1)
	var got proc.WaitResult = -100
	var at time.Duration
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		ev := p.NewEvent(true, false)
		download(t, p.Client(), &callback{jt: func(job callbackabi.Job) callbackabi.HRESULT {
			ev.Set()
			return job.Complete()
		}})
		got = p.Pump(time.Hour, ev)
		at = x.w.Now()
	})
	x.run(t)
	assert.Equal(t, proc.WaitObject0, got)
	assert.Equal(t, 3100*time.Millisecond, at)
}

func TestActAndReport(t *testing.T) {
	x := newWorld(1)
	var job *scheduler.JobRef
	g := proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		done := p.NewEvent(true, false)
		job = download(t, p.Client(), &callback{jt: func(j callbackabi.Job) callbackabi.HRESULT {
			p.Report(j, proc.Succeeded, "from the callback")
			done.Set()
			return j.Complete()
		}})
		done.Wait(proc.Infinite)
	})
	var actThread string
	x.w.AfterFunc(time.Second, func() {
		g.Act("cancel <now>", func(p *proc.Process) {
			actThread = x.w.Current().Name()
			p.Report(job, proc.Cancelled, "")
		})
	})
	x.w.AfterFunc(5*time.Second, func() {
		g.Current().Exit()
		g.Act("too late", func(p *proc.Process) { t.Error("an action ran on a dead instance") })
	})
	x.run(t)
	assert.Equal(t, "app/cancel <now>-1", actThread)
	acts := x.records(trace.EvUserAction)
	require.Len(t, acts, 1)
	assert.Equal(t, trace.Record{Seq: acts[0].Seq, T: time.Second, Ev: trace.EvUserAction, Client: "app", User: "alice", Reason: "cancel <now>"}, acts[0])
	outs := x.records(trace.EvAppOutcome)
	require.Len(t, outs, 2)
	assert.Equal(t, trace.Record{Seq: outs[0].Seq, T: time.Second, Ev: trace.EvAppOutcome, Job: "job-1", Client: "app", Outcome: "cancelled"}, outs[0])
	assert.Equal(t, trace.Record{Seq: outs[1].Seq, T: 3100 * time.Millisecond, Ev: trace.EvAppOutcome, Job: "job-1", Client: "app", Outcome: "succeeded", Reason: "from the callback"}, outs[1])
}

func TestReportMisuse(t *testing.T) {
	x := newWorld(1)
	var msgs []string
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		job, _ := p.Client().CreateJob("j", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		msgs = append(msgs,
			catch(func() { p.Report(job, 0, "") }),
			catch(func() { p.Report(nil, proc.Failed, "") }),
		)
	})
	x.run(t)
	assert.Equal(t, []string{"proc: Report with an unknown Outcome(0)", "proc: Report with a nil job"}, msgs)
	assert.Equal(t, "cancelled", proc.Cancelled.String())
	assert.Equal(t, "Outcome(9)", proc.Outcome(9).String())
}

// A world of several instances, threads, waits, callbacks and user actions
// gives the same trace for the same seed.
func TestDeterminism(t *testing.T) {
	run := func(seed uint64) string {
		x := newWorld(seed)
		for i, apt := range []scheduler.Apartment{scheduler.STA, scheduler.MTA} {
			name := []string{"sta", "mta"}[i]
			g := proc.Start(x.svc, name, x.alice, apt, func(p *proc.Process) {
				done := p.NewEvent(false, false)
				mu := p.NewMutex()
				for range 3 {
					download(t, p.Client(), &callback{jt: func(j callbackabi.Job) callbackabi.HRESULT {
						mu.Lock()
						defer mu.Unlock()
						done.Set()
						p.Report(j, proc.Succeeded, "")
						return j.Complete()
					}})
				}
				for p.Pump(2*time.Second, done) != proc.WaitTimeout {
				}
			})
			x.w.AfterFunc(time.Duration(i+1)*time.Second, func() {
				g.Act("restart", func(p *proc.Process) { g.Restart() })
			})
		}
		x.run(t)
		assert.NotEmpty(t, x.records(trace.EvAppOutcome))
		return trace.HashString(x.log.Records())
	}
	a, b, c := run(7), run(7), run(8)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
}

// A callback that waits holds its slot (G31) until its wait ends.
func TestCallbackWaitHoldsItsSlot(t *testing.T) {
	x := newWorld(1)
	var busyMeanwhile int
	proc.Start(x.svc, "app", x.alice, scheduler.MTA, func(p *proc.Process) {
		release := p.NewEvent(true, false)
		download(t, p.Client(), &callback{jt: func(job callbackabi.Job) callbackabi.HRESULT {
			release.Wait(proc.Infinite)
			return job.Complete()
		}})
		p.Sleep(10 * time.Second)
		busyMeanwhile = x.alice.Busy()
		release.Set()
	})
	x.run(t)
	assert.Equal(t, 1, busyMeanwhile)
	ends := x.records(trace.EvCallEnd)
	require.Len(t, ends, 1)
	assert.Equal(t, 10*time.Second, ends[0].T)
}

// A callback delivered by Pump that itself waits without pumping blocks
// the STA thread: the next call waits (bug class 7 inside a callback)
// until the first returns.
func TestNonPumpingWaitInsideNestedCallback(t *testing.T) {
	x := newWorld(1)
	var begins []time.Duration
	proc.Start(x.svc, "app", x.alice, scheduler.STA, func(p *proc.Process) {
		gate := p.NewEvent(true, false)
		for range 2 {
			download(t, p.Client(), &callback{jt: func(job callbackabi.Job) callbackabi.HRESULT {
				begins = append(begins, x.w.Now())
				gate.Wait(20 * time.Second) // job-2's JT (6.2 s) cannot start meanwhile
				return job.Complete()
			}})
		}
		p.Pump(time.Minute)
	})
	x.run(t)
	assert.Equal(t, []time.Duration{3100 * time.Millisecond, 23100 * time.Millisecond}, begins)
}

// The STA deadlock (bug class 7): main waits without pumping, with no
// timeout, for the event its own JobTransferred would set. The call can
// never start; it holds its slot; the world runs out of work.
func TestSTADeadlock(t *testing.T) {
	x := newWorld(1)
	returned := false
	proc.Start(x.svc, "app", x.alice, scheduler.STA, func(p *proc.Process) {
		done := p.NewEvent(false, false)
		download(t, p.Client(), &callback{jt: func(job callbackabi.Job) callbackabi.HRESULT {
			done.Set()
			return job.Complete()
		}})
		done.Wait(proc.Infinite)
		returned = true
	})
	x.run(t)
	assert.False(t, returned)
	assert.Empty(t, x.records(trace.EvCallBegin), "JobTransferred never began")
	assert.Equal(t, 1, x.alice.Busy(), "it holds its slot")
	end := x.records(trace.EvRunEnd)
	require.Len(t, end, 1)
	assert.Equal(t, "idle", end[0].Reason)
}
