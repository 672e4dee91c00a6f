package scheduler_test

// The dispatcher at the edges generated worlds rarely reach (issue 11,
// item 6): a JobModification merged while it waits for a slot, a
// FileRangesTransferred waiting in the low lane beside a waiting
// JobTransferred, and FileRangesTransferred throttled. Each runs with the
// correct dispatcher and with the mutant that breaks exactly that rule:
// the catalogue must name the rule for the mutant, so the test can fail.

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// hogSlot: a job of c's user that transfers at 1.1 s (one 1 s chunk after
// the 0.1 s connect) and whose JobTransferred holds one of the user's slots
// for 10 s, until slotFree.
func hogSlot(t *testing.T, e *env, c *scheduler.Client) {
	t.Helper()
	h := newJob(t, c, 5*mb)
	mustOK(t, h.SetNotifyFlags(fJT))
	mustOK(t, h.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr {
		e.svc.Clock().Sleep(10 * time.Second)
		return sOK
	}}))
	fgResume(t, h)
}

const slotFree = 11100 * time.Millisecond // when hogSlot's call returns

// G14 with G31: alice has one slot, held for 10 s. Her job's
// JobModification triggers (state changes, progress every second) arrive
// while its dispatch waits for that slot: they merge into that one waiting
// dispatch, which runs once when the slot frees; the next one keeps the
// minimum notification interval.
func TestEdgeJobModificationMergedWhileWaitingForSlot(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef) {
		opts.Cap = 1
		e := newEnv(t, opts)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		hogSlot(t, e, app)
		m := newJob(t, app, 100*mb) // transfers from 2.1 s to 12.1 s
		mustOK(t, m.SetNotifyFlags(fJM))
		mustOK(t, m.SetNotifyInterface(&scenarios.Funcs{}))
		e.at(2*time.Second, func() { fgResume(t, m) })
		return e.run(), m
	}
	t.Run("fixed", func(t *testing.T) {
		recs, m := run(t, scheduler.DefaultOptions())
		waits := recs.ev(trace.EvSlotWait).job(m.Name())
		require.Len(t, waits, 1, recs.dump())
		assert.Equal(t, trace.LaneLow, waits[0].Lane)
		triggers := recs.ev(trace.EvJobModified).job(m.Name()).where(func(r trace.Record) bool { return r.T > waits[0].T && r.T < slotFree })
		assert.GreaterOrEqual(t, len(triggers), 5, "triggers arrived while the dispatch waited")
		jm := recs.callsOf(m.Name(), trace.JobModification)
		require.NotEmpty(t, jm)
		assert.Equal(t, slotFree, jm[0].Begin.T, "the merged dispatch runs when the slot frees")
		for i := 1; i < len(jm); i++ {
			assert.GreaterOrEqual(t, jm[i].Begin.T-jm[i-1].Begin.T, 500*time.Millisecond, "G14: the next one keeps the interval")
		}
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs, m := run(t, withMutant(mutant.JMNoCoalesce))
		atFree := 0
		for _, c := range recs.callsOf(m.Name(), trace.JobModification) {
			if c.Begin.T == slotFree {
				atFree++
			}
		}
		assert.Greater(t, atFree, 1, "one call per trigger, back to back")
		assert.Contains(t, rulesBroken(recs), "G14")
	})
}

// G32 and the trace's lane (issue 11, items 6 and 7): alice has one slot,
// held for 10 s. An on-demand job's FileRangesTransferred waits for it in
// the low lane; later another job's JobTransferred waits in the high lane.
// When the slot frees the JobTransferred goes first, then the
// FileRangesTransferred — and every slot.wait and call.begin records the
// lane the dispatch really waited in.
func TestEdgeFileRangesTransferredWaitsInLowLane(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef, *scheduler.JobRef) {
		opts.Cap = 1
		e := newEnv(t, opts)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		hogSlot(t, e, app)
		f := newJob(t, app, 200*mb)
		mustOK(t, f.SetOnDemand(true))
		mustOK(t, f.SetNotifyFlags(fFRT))
		mustOK(t, f.SetNotifyInterface(&scenarios.Funcs{RangesDone: func(callbackabi.Job, callbackabi.File, []callbackabi.FileRange) hr { return sOK }}))
		e.at(time.Second, func() { fgResume(t, f) }) // first ranges at 2.1 s
		jt := newJob(t, app, 5*mb)
		mustOK(t, jt.SetNotifyFlags(fJT))
		mustOK(t, jt.SetNotifyInterface(&scenarios.Funcs{}))
		e.at(3*time.Second, func() { fgResume(t, jt) }) // TRANSFERRED at 4.1 s
		return e.run(), f, jt
	}
	t.Run("fixed", func(t *testing.T) {
		recs, f, jt := run(t, scheduler.DefaultOptions())
		fw, jw := recs.ev(trace.EvSlotWait).job(f.Name()), recs.ev(trace.EvSlotWait).job(jt.Name())
		require.Len(t, fw, 1, recs.dump())
		require.Len(t, jw, 1)
		assert.Equal(t, trace.LaneLow, fw[0].Lane)
		assert.Equal(t, trace.LaneHigh, jw[0].Lane)
		assert.Less(t, fw[0].Seq, jw[0].Seq, "the FileRangesTransferred waited first")
		frt, jtc := recs.callsOf(f.Name(), trace.FileRangesTransferred), recs.callsOf(jt.Name(), trace.JobTransferred)
		require.NotEmpty(t, frt)
		require.Len(t, jtc, 1)
		assert.Equal(t, slotFree, jtc[0].Begin.T)
		assert.Equal(t, slotFree, frt[0].Begin.T)
		assert.Less(t, jtc[0].Begin.Seq, frt[0].Begin.Seq, "G32: the high lane first")
		for _, c := range frt {
			assert.Equal(t, trace.LaneLow, c.Begin.Lane)
		}
		assert.Empty(t, rulesBroken(recs))
	})
	for _, m := range []struct {
		name string
		set  mutant.Set
	}{{"mutant-FRT-in-high-lane", mutant.FRTHighLane}, {"mutant-lanes-swapped", mutant.LanesSwapped}} {
		t.Run(m.name, func(t *testing.T) {
			recs, _, _ := run(t, withMutant(m.set))
			assert.Equal(t, []string{"G32"}, slices.Compact(rulesBroken(recs)))
		})
	}
}

// G14 on FileRangesTransferred (G16: throttled like JobModification): with
// progress every 100 ms, FileRangesTransferred calls still begin at least
// the minimum notification interval apart; without the throttle the
// catalogue's G14 catches them.
func TestEdgeFileRangesTransferredThrottled(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef) {
		opts.Chunk = 100 * time.Millisecond
		e := newEnv(t, opts)
		f := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb)
		mustOK(t, f.SetOnDemand(true))
		mustOK(t, f.SetNotifyFlags(fFRT))
		mustOK(t, f.SetNotifyInterface(&scenarios.Funcs{RangesDone: func(callbackabi.Job, callbackabi.File, []callbackabi.FileRange) hr { return sOK }}))
		mustOK(t, f.Resume())
		return e.run(), f
	}
	t.Run("fixed", func(t *testing.T) {
		recs, f := run(t, scheduler.DefaultOptions())
		frt := recs.callsOf(f.Name(), trace.FileRangesTransferred)
		require.GreaterOrEqual(t, len(frt), 2, recs.dump())
		for i := 1; i < len(frt); i++ {
			assert.GreaterOrEqual(t, frt[i].Begin.T-frt[i-1].Begin.T, 500*time.Millisecond)
		}
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs, _ := run(t, withMutant(mutant.NoThrottle))
		assert.Equal(t, []string{"G14"}, slices.Compact(rulesBroken(recs)))
	})
}
