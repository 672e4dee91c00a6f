package sim_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/sim"
)

// tailWorld is a world whose handler "launch" ends by starting a follow-up
// at the same instant, through TailSoon when tail is set (running it
// directly when TailSoon allows) and through Soon otherwise. Each event's
// handler logs what it did.
type tailWorld struct {
	w                   *sim.World
	log                 []string
	kLaunch, kFollow    sim.Kind
	kLow, kHigh, kOther sim.Kind
	tail                bool
	direct              int // follow-ups TailSoon let run directly
}

func newTailWorld(tail bool, limits sim.Limits) *tailWorld {
	t := &tailWorld{w: sim.NewWorld(sim.NewPRNG(3), limits), tail: tail}
	t.kFollow = t.w.Handle(func(ev sim.Event) { t.follow(ev.A) })
	t.kLaunch = t.w.Handle(func(ev sim.Event) {
		t.log = append(t.log, "launch "+itoa(ev.A)+" at "+t.w.Now().String())
		if ev.B != 0 { // also queue an event of a lower class at this instant
			t.w.Schedule(t.w.Now(), 0, t.kLow, ev.A, 0)
		}
		if t.tail && t.w.TailSoon(2) {
			t.direct++
			t.follow(ev.A)
			return
		}
		t.w.Soon(2, t.kFollow, ev.A, 0)
	})
	t.kLow = t.w.Handle(func(ev sim.Event) { t.log = append(t.log, "low "+itoa(ev.A)) })
	t.kHigh = t.w.Handle(func(ev sim.Event) { t.log = append(t.log, "high "+itoa(ev.A)) })
	t.kOther = t.w.Handle(func(ev sim.Event) {
		t.log = append(t.log, "other "+itoa(ev.A))
		t.w.Soon(2, t.kFollow, 100+ev.A, 0) // a Soon event waiting when launch ends
		t.w.Schedule(t.w.Now(), 1, t.kLaunch, ev.A, 0)
	})
	return t
}

func (t *tailWorld) follow(a int64) {
	t.log = append(t.log, "follow "+itoa(a))
	if a%3 == 0 {
		t.w.After(time.Duration(a)*time.Millisecond, 1, t.kLaunch, a+1, a%2)
	}
}

func itoa(a int64) string { return strconv.FormatInt(a, 10) }

// schedule gives both worlds the same start: launches at several instants,
// some with a lower-class event at their instant, ties, a Soon event
// already waiting, and events of a higher class beside them.
func (t *tailWorld) schedule() {
	for i := int64(0); i < 12; i++ {
		at := time.Duration(i/3) * time.Second
		t.w.Schedule(at, 1, t.kLaunch, 3*i, i%2)
		t.w.Schedule(at, 3, t.kHigh, i, 0)
	}
	t.w.Schedule(5*time.Second, 0, t.kOther, 50, 0)
}

// TailSoon runs a handler's follow-up directly only where it would have
// been the next event: the world fires the same events in the same order,
// at the same times, with the same count, as with Soon — and it did take
// the shortcut, and declined it where it must.
func TestTailSoonFiresWhatSoonWould(t *testing.T) {
	soon, tail := newTailWorld(false, sim.Limits{}), newTailWorld(true, sim.Limits{})
	soon.schedule()
	tail.schedule()
	require.NoError(t, soon.w.Run())
	require.NoError(t, tail.w.Run())
	require.Equal(t, soon.log, tail.log)
	require.Equal(t, soon.w.Fired(), tail.w.Fired(), "a follow-up run directly counts as fired")
	require.Equal(t, soon.w.Now(), tail.w.Now())
	require.Positive(t, tail.direct, "some follow-ups ran directly")
	launches := 0
	for _, l := range tail.log {
		if len(l) > 6 && l[:6] == "launch" {
			launches++
		}
	}
	require.Less(t, tail.direct, launches, "and some went to the Soon queue (a lower class queued at the instant, a Soon event waiting)")
}

// At the events limit TailSoon declines, and the run ends at the same
// event with the same error as with Soon.
func TestTailSoonAtTheEventsLimit(t *testing.T) {
	for limit := int64(1); limit < 40; limit++ {
		soon, tail := newTailWorld(false, sim.Limits{MaxEvents: limit}), newTailWorld(true, sim.Limits{MaxEvents: limit})
		soon.schedule()
		tail.schedule()
		errSoon, errTail := soon.w.Run(), tail.w.Run()
		require.Equal(t, errSoon, errTail, "limit %d", limit)
		require.Equal(t, soon.log, tail.log, "limit %d", limit)
		require.Equal(t, soon.w.Fired(), tail.w.Fired(), "limit %d", limit)
	}
}

// Outside a run, on a thread, and after Stop, TailSoon declines.
func TestTailSoonDeclines(t *testing.T) {
	w := fifo()
	require.False(t, w.TailSoon(0), "outside a run")
	th := w.NewThread("t")
	var onThread, afterStop, inHandler bool
	w.AfterFunc(0, func() {
		inHandler = w.TailSoon(0)
		w.RunOn(th, func() { onThread = w.TailSoon(0) })
		w.Stop()
		afterStop = w.TailSoon(0)
	})
	require.NoError(t, w.Run())
	require.True(t, inHandler, "a plain handler with nothing else due")
	require.False(t, onThread, "on a virtual thread")
	require.False(t, afterStop, "after Stop")
}
