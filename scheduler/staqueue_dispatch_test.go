package scheduler_test

// call.queued: a call for an STA client whose one thread is busy takes its
// slot when the pump gives it out and waits for the thread (G31, G32,
// G34). The trace marks that moment, so the catalogue judges the cap and
// the lane order of STA clients exactly; each test runs once as modelled
// (clean, with the call.queued records) and once with the mutant that
// breaks the rule, which the catalogue now names (before call.queued it
// skipped STA clients for G32 and counted only begun calls for G31).

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// G31 (S-CB: "up to four simultaneous notifications per user"): five jobs
// of an STA client whose thread the application holds transfer at once.
// Four JobTransferred calls take the four slots and queue for the thread;
// the fifth waits for a slot. With CapFive the fifth takes a fifth slot,
// which only call.queued shows: the calls begin one at a time.
func TestSTAQueuedCallsHoldSlots(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) tr {
		e := newEnv(t, opts)
		alice := e.svc.AddUser("alice", false)
		ui := e.client("ui", alice, scheduler.STA)
		ui.HoldSTA()
		for range 5 {
			h := newJob(t, ui, mb)
			mustOK(t, h.SetNotifyInterface(&scenarios.Funcs{}))
			fgResume(t, h)
		}
		e.at(10*time.Second, ui.ReleaseSTA)
		return e.run()
	}
	t.Run("modelled", func(t *testing.T) {
		recs := run(t, scheduler.DefaultOptions())
		q := recs.ev(trace.EvCallQueued)
		require.Len(t, q, 4, recs.dump())
		assert.Len(t, recs.ev(trace.EvSlotWait), 1, "the fifth waits for a slot")
		for _, r := range q {
			assert.Equal(t, trace.LaneHigh, r.Lane)
			assert.Less(t, r.T, 10*time.Second, "queued while the thread is held")
		}
		assert.Len(t, recs.ev(trace.EvCallBegin), 5)
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs := run(t, withMutant(mutant.CapFive))
		assert.Len(t, recs.ev(trace.EvCallQueued), 5)
		assert.Equal(t, 1, recs.maxInFlight()["alice"], "begun calls alone never show the excess")
		assert.Equal(t, []string{"G31"}, rulesBroken(recs))
	})
}

// G32 (reference ambiguity 8: a freed slot goes to the high lane first)
// for an STA client: one slot; alice's STA client holds it with a queued
// JobTransferred (job-1) while job-2's JobModification (same STA client)
// waits in the low lane and job-3's JobTransferred (MTA client) in the
// high lane.
// When the thread is released the freed slot must go to the high lane.
// LanesSwapped gives it to the STA client's JobModification, which the
// catalogue used to excuse for an STA client.
func TestSTALaneOrderIsJudged(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) tr {
		opts.Cap = 1
		e := newEnv(t, opts)
		alice := e.svc.AddUser("alice", false)
		ui := e.client("ui", alice, scheduler.STA)
		app := e.client("app", alice, scheduler.MTA)
		ui.HoldSTA()
		j0 := newJob(t, ui, mb)
		mustOK(t, j0.SetNotifyInterface(&scenarios.Funcs{}))
		fgResume(t, j0)
		j1 := newJob(t, ui, 50*mb)
		mustOK(t, j1.SetNotifyInterface(&scenarios.Funcs{}))
		e.at(2*time.Second, func() { // its JobModification finds the slot taken
			mustOK(t, j1.SetNotifyFlags(fJT|fJM))
			fgResume(t, j1)
		})
		j2 := newJob(t, app, 20*mb)
		mustOK(t, j2.SetNotifyInterface(&scenarios.Funcs{}))
		fgResume(t, j2)
		e.at(30*time.Second, ui.ReleaseSTA)
		return e.run()
	}
	t.Run("modelled", func(t *testing.T) {
		recs := run(t, scheduler.DefaultOptions())
		require.NotEmpty(t, recs.ev(trace.EvCallQueued), recs.dump())
		require.NotEmpty(t, recs.ev(trace.EvSlotWait).where(func(r trace.Record) bool { return r.Lane == trace.LaneLow }), recs.dump())
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs := run(t, withMutant(mutant.LanesSwapped))
		assert.Equal(t, []string{"G32"}, rulesBroken(recs))
	})
}
