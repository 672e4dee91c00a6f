package sim_test

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/sim"
)

func TestOrderTimeClassTieSeq(t *testing.T) {
	// Ties are drawn in scheduling order: events 0..7 get these keys.
	ch := &script{ties: []uint32{0, 0, 0, 0, 5, 1, 1, 0}}
	w := sim.NewWorld(ch, sim.Limits{})
	var got []int64
	k := w.Handle(func(ev sim.Event) { got = append(got, ev.A) })
	w.Schedule(20, 0, k, 0, 0) // later time
	w.Schedule(10, 2, k, 1, 0) // higher class
	w.Schedule(10, 1, k, 2, 0) // same time, lower class
	w.Schedule(5, 9, k, 3, 0)  // earliest, any class
	w.Schedule(10, 0, k, 4, 0) // class 0, tie 5
	w.Schedule(10, 0, k, 5, 0) // class 0, tie 1, seq 6
	w.Schedule(10, 0, k, 6, 0) // class 0, tie 1, seq 7
	w.Schedule(10, 0, k, 7, 0) // class 0, tie 0
	require.Equal(t, 8, w.Pending())
	require.NoError(t, w.Run())
	assert.Equal(t, []int64{3, 7, 5, 6, 4, 2, 1, 0}, got)
	assert.Equal(t, time.Duration(20), w.Now())
	assert.Equal(t, int64(8), w.Fired())
	assert.Equal(t, 0, w.Pending())
}

func TestEventFields(t *testing.T) {
	w := sim.NewWorld(&script{ties: []uint32{7}}, sim.Limits{})
	var got sim.Event
	k := w.Handle(func(ev sim.Event) { got = ev })
	w.After(3*time.Millisecond, 4, k, -1, 1<<40)
	require.NoError(t, w.Run())
	assert.Equal(t, 3*time.Millisecond, got.At)
	assert.Equal(t, sim.Class(4), got.Class)
	assert.Equal(t, k, got.Kind)
	assert.Equal(t, int64(-1), got.A)
	assert.Equal(t, int64(1<<40), got.B)
	assert.Equal(t, uint32(7), got.Tie())
	assert.Equal(t, uint64(1), got.Seq())
	assert.Equal(t, sim.Epoch.Add(3*time.Millisecond), w.Clock().Now())
}

func TestRandomTiesPermuteSameInstant(t *testing.T) {
	// With a PRNG, same-instant same-class events fire in some order that
	// depends on the seed only; across seeds more than one order shows up.
	orders := map[[4]int64]bool{}
	for seed := range uint64(32) {
		run := func() [4]int64 {
			w := sim.NewWorld(sim.NewPRNG(seed), sim.Limits{})
			var got [4]int64
			i := 0
			k := w.Handle(func(ev sim.Event) { got[i] = ev.A; i++ })
			for a := range int64(4) {
				w.Schedule(1, 0, k, a, 0)
			}
			require.NoError(t, w.Run())
			return got
		}
		first := run()
		require.Equal(t, first, run(), "seed %d", seed)
		orders[first] = true
	}
	assert.Greater(t, len(orders), 4)
}

func TestMisuseMessages(t *testing.T) {
	w := fifo()
	k := w.Handle(func(sim.Event) {})
	w.Schedule(10, 0, k, 0, 0)
	require.NoError(t, w.RunUntil(10))
	th := w.NewThread("a")
	other := sim.NewWorld(&script{}, sim.Limits{}).NewThread("x")

	requirePanics(t, "sim: Schedule at 5ns, before Now() = 10ns: cannot schedule in the past", func() { w.Schedule(5, 0, k, 0, 0) })
	requirePanics(t, "sim: Schedule: unknown Kind 99 (use a Kind returned by Handle)", func() { w.Schedule(20, 0, 99, 0, 0) })
	requirePanics(t, "sim: Schedule: unknown Kind 0 (use a Kind returned by Handle)", func() { w.Schedule(20, 0, 0, 0, 0) })
	requirePanics(t, "sim: Schedule: unknown Kind 1 (use a Kind returned by Handle)", func() { w.Schedule(20, 0, 1, 0, 0) })
	requirePanics(t, "sim: After(-1ns): negative duration", func() { w.After(-1, 0, k, 0, 0) })
	requirePanics(t, "sim: AfterFunc(-1ns): negative duration", func() { w.AfterFunc(-1, func() {}) })
	requirePanics(t, "sim: AfterFunc with a nil func", func() { w.AfterFunc(1, nil) })
	requirePanics(t, "sim: Handle(nil)", func() { w.Handle(nil) })
	requirePanics(t, "sim: Sleep outside a virtual thread (no run is in progress: called from another goroutine?)", func() { w.Sleep(1) })
	requirePanics(t, "sim: Park outside a virtual thread (no run is in progress: called from another goroutine?)", func() { w.Park() })
	requirePanics(t, "sim: Sleep(-1ns): negative duration", func() { w.Sleep(-1) })
	requirePanics(t, "sim: Sleep outside a virtual thread (no run is in progress: called from another goroutine?)", func() { w.Clock().Sleep(1) })
	requirePanics(t, `sim: RunOn(thread 1 "a") outside a run (call it from a handler or a virtual thread)`, func() { w.RunOn(th, func() {}) })
	requirePanics(t, `sim: Go(thread 1 "x"): the thread belongs to another World`, func() { w.Go(other, func() {}) })
	requirePanics(t, "sim: Go with a nil *Thread", func() { w.Go(nil, func() {}) })
	requirePanics(t, "sim: Go with a nil func", func() { w.Go(th, nil) })
	requirePanics(t, `sim: Unpark(thread 1 "a"): the thread is not parked`, func() { w.Unpark(th) })
	requirePanics(t, "sim: Stop outside a run (call it from a handler or a virtual thread)", func() { w.Stop() })
	requirePanics(t, "sim: RunUntil(9ns): before Now() = 10ns", func() { _ = w.RunUntil(9) })
	requirePanics(t, "sim: NewWorld with a nil Chooser", func() { sim.NewWorld(nil, sim.Limits{}) })
	requirePanics(t, "sim: NewWorld: negative limit in {MaxEvents:-1 MaxDepth:0 MaxTime:0s} (0 means default)", func() { sim.NewWorld(&script{}, sim.Limits{MaxEvents: -1}) })
	requirePanics(t, "sim: Intn(0): n must be >= 1", func() { sim.NewPRNG(1).Intn(0) })

	// None of the rejected calls changed anything.
	assert.Equal(t, time.Duration(10), w.Now())
	assert.Equal(t, 0, w.Pending())
	assert.Equal(t, int64(1), w.Fired())
	require.NoError(t, w.Run())
}

func TestMisuseInsideARun(t *testing.T) {
	w := fifo()
	a, b := w.NewThread("a"), w.NewThread("b")
	var msgs []any
	w.AfterFunc(0, func() {
		msgs = append(msgs, panicValue(func() { w.Sleep(1) }))
		msgs = append(msgs, panicValue(func() { _ = w.Run() }))
		msgs = append(msgs, panicValue(func() { w.Close() }))
		w.RunOn(a, func() {
			msgs = append(msgs, panicValue(func() { w.RunOn(b, func() {}) }))
		})
	})
	w.Go(b, func() { w.Park() })
	w.AfterFunc(1, func() {
		msgs = append(msgs, panicValue(func() { w.RunOn(b, func() {}) }))
		w.Unpark(b)
	})
	require.NoError(t, w.Run())
	assert.Equal(t, []any{
		"sim: Sleep outside a virtual thread",
		"sim: Run called while the world is running (from a handler, a thread, or another goroutine)",
		"sim: Close during a run (call Stop, and Close after Run returns)",
		`sim: RunOn(thread 2 "b") called from thread 1 "a": a thread can only nest calls on itself`,
		`sim: RunOn(thread 2 "b"): the thread is blocked in Sleep or Park`,
	}, msgs)
	assert.False(t, b.Busy())
}

func TestRunUntil(t *testing.T) {
	w := fifo()
	var fired []time.Duration
	k := w.Handle(func(ev sim.Event) { fired = append(fired, w.Now()) })
	for _, at := range []time.Duration{5, 10, 15} {
		w.Schedule(at, 0, k, 0, 0)
	}
	require.NoError(t, w.RunUntil(10))
	assert.Equal(t, []time.Duration{5, 10}, fired)
	assert.Equal(t, time.Duration(10), w.Now())
	assert.Equal(t, 1, w.Pending())
	require.NoError(t, w.RunUntil(12))
	assert.Equal(t, time.Duration(12), w.Now())
	assert.Equal(t, 1, w.Pending())
	require.NoError(t, w.RunUntil(20))
	assert.Equal(t, []time.Duration{5, 10, 15}, fired)
	assert.Equal(t, time.Duration(20), w.Now())
	require.NoError(t, w.Run())
	assert.Equal(t, time.Duration(20), w.Now(), "Run with nothing to do keeps Now")
}

func TestRunUntilWithSleepingThread(t *testing.T) {
	w := fifo()
	th := w.NewThread("t")
	var woke []time.Duration
	w.Go(th, func() {
		for range 3 {
			w.Sleep(10)
			woke = append(woke, w.Now())
		}
	})
	require.NoError(t, w.RunUntil(15))
	assert.Equal(t, []time.Duration{10}, woke)
	assert.True(t, th.Blocked())
	assert.True(t, th.Busy())
	require.NoError(t, w.RunUntil(25))
	assert.Equal(t, []time.Duration{10, 20}, woke)
	require.NoError(t, w.Run())
	assert.Equal(t, []time.Duration{10, 20, 30}, woke)
	assert.False(t, th.Busy())
}

func TestStop(t *testing.T) {
	w := fifo()
	n := 0
	var k sim.Kind
	k = w.Handle(func(ev sim.Event) {
		n++
		if n == 3 {
			w.Stop()
		}
		w.After(1, 0, k, 0, 0)
	})
	w.Schedule(0, 0, k, 0, 0)
	require.NoError(t, w.Run())
	assert.Equal(t, 3, n)
	assert.Equal(t, time.Duration(2), w.Now())
	assert.Equal(t, 1, w.Pending())
	require.NoError(t, w.RunUntil(4))
	assert.Equal(t, 5, n, "fired at 3 and 4")
	assert.Equal(t, time.Duration(4), w.Now())
}

func TestStopFromThreadLeavesItBlocked(t *testing.T) {
	w := fifo()
	th := w.NewThread("t")
	steps := 0
	w.Go(th, func() {
		steps++
		w.Stop()
		w.Sleep(5)
		steps++
	})
	require.NoError(t, w.Run())
	assert.Equal(t, 1, steps)
	assert.True(t, th.Blocked())
	assert.Equal(t, time.Duration(0), w.Now())
	require.NoError(t, w.Run())
	assert.Equal(t, 2, steps)
	assert.Equal(t, time.Duration(5), w.Now())
}

func TestEventsLimit(t *testing.T) {
	w := sim.NewWorld(&script{}, sim.Limits{MaxEvents: 100})
	var k sim.Kind
	k = w.Handle(func(ev sim.Event) { w.After(0, 0, k, 0, 0) }) // livelock at one instant
	w.Schedule(0, 0, k, 0, 0)
	err := w.Run()
	var le *sim.LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, sim.LimitEvents, le.Limit)
	assert.Equal(t, int64(100), le.Value)
	assert.Equal(t, int64(100), w.Fired())
	assert.Contains(t, err.Error(), "events limit")
	assert.ErrorIs(t, w.Run(), sim.ErrFinished)
	assert.ErrorIs(t, w.RunUntil(0), sim.ErrFinished)
	requirePanics(t, "sim: Schedule on a finished world", func() { w.Schedule(1, 0, k, 0, 0) })
	w.Close() // idempotent after a limit
}

func TestEventsLimitIsPerRun(t *testing.T) {
	w := sim.NewWorld(&script{}, sim.Limits{MaxEvents: 10})
	k := w.Handle(func(sim.Event) {})
	for i := range 25 {
		w.Schedule(time.Duration(i), 0, k, 0, 0)
	}
	require.NoError(t, w.RunUntil(9))
	require.NoError(t, w.RunUntil(19))
	err := w.Run()
	assert.NoError(t, err)
	assert.Equal(t, int64(25), w.Fired())
}

func TestTimeLimit(t *testing.T) {
	w := sim.NewWorld(&script{}, sim.Limits{MaxTime: time.Hour})
	th := w.NewThread("t")
	n := 0
	w.Go(th, func() {
		for {
			w.Sleep(time.Minute)
			n++
		}
	})
	err := w.Run()
	var le *sim.LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, sim.LimitTime, le.Limit)
	assert.Equal(t, int64(time.Hour), le.Value)
	assert.Equal(t, "sim: time limit reached: virtual time would pass 1h0m0s (Limits.MaxTime)", err.Error())
	assert.Equal(t, 60, n)
	assert.Equal(t, time.Hour, w.Now())
	assert.False(t, th.Busy(), "the blocked thread was unwound")

	w2 := sim.NewWorld(&script{}, sim.Limits{MaxTime: time.Hour})
	require.ErrorAs(t, w2.RunUntil(2*time.Hour), &le)
	assert.Equal(t, sim.LimitTime, le.Limit)

	w3 := sim.NewWorld(&script{}, sim.Limits{})
	th3 := w3.NewThread("forever")
	w3.Go(th3, func() { w3.Sleep(math.MaxInt64) }) // saturates at the end of time
	require.ErrorAs(t, w3.Run(), &le)
	assert.Equal(t, sim.LimitTime, le.Limit)
}

func TestDefaultLimits(t *testing.T) {
	assert.Equal(t, sim.Limits{MaxEvents: 10_000_000, MaxDepth: 64, MaxTime: 365 * 24 * time.Hour}, sim.DefaultLimits())
	assert.Equal(t, sim.DefaultLimits(), fifo().Limits())
	assert.Equal(t, 3, sim.NewWorld(&script{}, sim.Limits{MaxDepth: 3}).Limits().MaxDepth)
}

func TestNestingDepth(t *testing.T) {
	w := fifo()
	th := w.NewThread("sta")
	var depths []int
	var nest func(n int)
	nest = func(n int) {
		depths = append(depths, th.Depth())
		require.Same(t, th, w.Current())
		if n > 0 {
			w.RunOn(th, func() { nest(n - 1) })
		}
		depths = append(depths, th.Depth())
	}
	w.AfterFunc(0, func() {
		assert.Nil(t, w.Current())
		w.RunOn(th, func() { nest(3) })
		assert.Nil(t, w.Current())
		assert.Equal(t, 0, th.Depth())
	})
	require.NoError(t, w.Run())
	assert.Equal(t, []int{1, 2, 3, 4, 4, 3, 2, 1}, depths)
}

func TestDepthLimit(t *testing.T) {
	w := sim.NewWorld(&script{}, sim.Limits{MaxDepth: 5})
	th := w.NewThread("sta")
	maxSeen, after := 0, 0
	var recurse func()
	recurse = func() {
		maxSeen = max(maxSeen, th.Depth())
		w.RunOn(th, recurse) // reentrancy without end
		after++              // never reached: the limit unwinds the stack
	}
	w.AfterFunc(0, func() { w.RunOn(th, recurse) })
	blocked := w.NewThread("blocked")
	w.Go(blocked, func() { w.Park() })
	err := w.Run()
	var le *sim.LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, sim.LimitDepth, le.Limit)
	assert.Equal(t, int64(5), le.Value)
	assert.Equal(t, 5, maxSeen)
	assert.Equal(t, 0, after)
	assert.Equal(t, 0, th.Depth())
	assert.False(t, blocked.Busy(), "the parked thread was unwound too")
	assert.ErrorIs(t, w.Run(), sim.ErrFinished)
}

func TestSleepAndClock(t *testing.T) {
	w := fifo()
	th := w.NewThread("t")
	clk := w.Clock()
	var seen []time.Duration
	w.Go(th, func() {
		start := clk.Now()
		assert.Equal(t, sim.Epoch, start)
		clk.Sleep(3 * time.Second)
		seen = append(seen, clk.Since(start))
		w.Sleep(0)
		seen = append(seen, clk.Since(start))
		w.Sleep(time.Second)
		seen = append(seen, w.Now())
	})
	require.NoError(t, w.Run())
	assert.Equal(t, []time.Duration{3 * time.Second, 3 * time.Second, 4 * time.Second}, seen)
}

func TestThreadsInterleave(t *testing.T) {
	w := fifo()
	var log []string
	for _, name := range []string{"a", "b"} {
		th := w.NewThread(name)
		w.Go(th, func() {
			for i := range 3 {
				log = append(log, th.Name()+string(rune('0'+i)))
				w.Sleep(10)
			}
		})
	}
	require.NoError(t, w.Run())
	assert.Equal(t, []string{"a0", "b0", "a1", "b1", "a2", "b2"}, log)
	assert.Equal(t, time.Duration(30), w.Now())
}

func TestRunOnBlockingBlocksTheHandler(t *testing.T) {
	// A handler that calls RunOn on a thread that sleeps continues only when
	// the thread's code returns; meanwhile the loop runs other events.
	w := fifo()
	th := w.NewThread("sta")
	var log []string
	w.AfterFunc(0, func() {
		log = append(log, "handler")
		w.RunOn(th, func() {
			w.Sleep(10)
			log = append(log, "callback done")
		})
		log = append(log, "handler done")
		assert.Nil(t, w.Current())
	})
	w.AfterFunc(5, func() { log = append(log, "other event") })
	require.NoError(t, w.Run())
	assert.Equal(t, []string{"handler", "other event", "callback done", "handler done"}, log)
}

func TestGoQueuesWhileBusy(t *testing.T) {
	w := fifo()
	th := w.NewThread("sta")
	var log []string
	w.Go(th, func() { log = append(log, "1 start"); w.Sleep(10); log = append(log, "1 end") })
	w.Go(th, func() { log = append(log, "2"); w.Sleep(1) })
	w.AfterFunc(5, func() { w.Go(th, func() { log = append(log, "3") }) })
	require.NoError(t, w.Run())
	assert.Equal(t, []string{"1 start", "1 end", "2", "3"}, log)
	assert.Equal(t, time.Duration(11), w.Now())
}

func TestParkUnpark(t *testing.T) {
	w := fifo()
	waiter := w.NewThread("waiter")
	var log []string
	w.Go(waiter, func() {
		log = append(log, "park")
		w.Park()
		log = append(log, "unparked")
	})
	w.AfterFunc(7, func() {
		assert.True(t, waiter.Parked())
		assert.True(t, waiter.Blocked())
		w.Unpark(waiter)
		w.Unpark(waiter) // already unparked: nothing more
		log = append(log, "unpark")
	})
	require.NoError(t, w.Run())
	assert.Equal(t, []string{"park", "unpark", "unparked"}, log)
	assert.Equal(t, time.Duration(7), w.Now())
	assert.False(t, waiter.Parked())
	assert.Equal(t, int64(3), w.Fired(), "the start, the AfterFunc and one wake-up")
}

func TestParkedForeverThenClose(t *testing.T) {
	before := runtime.NumGoroutine()
	w := fifo()
	var unwound []string
	for _, name := range []string{"a", "b", "c"} {
		th := w.NewThread(name)
		w.Go(th, func() {
			defer func() {
				r := recover()
				if sim.IsUnwind(r) {
					unwound = append(unwound, th.Name())
				}
				panic(r)
			}()
			if th.Name() == "b" {
				w.Sleep(time.Hour)
			} else {
				w.Park()
			}
		})
	}
	require.NoError(t, w.RunUntil(time.Minute))
	held := runtime.NumGoroutine()
	assert.GreaterOrEqual(t, held, before+2, "blocked threads hold goroutines")
	w.Close()
	assert.Equal(t, []string{"a", "b", "c"}, unwound, "unwound in thread id order")
	assertNoLeak(t, held-3)
	assert.Equal(t, 0, w.Pending())
	assert.ErrorIs(t, w.Run(), sim.ErrFinished)
	w.Close()
}

func TestNoGoroutinesBetweenRuns(t *testing.T) {
	before := runtime.NumGoroutine()
	w := fifo()
	th := w.NewThread("t")
	w.Go(th, func() { w.Sleep(1); w.Sleep(1) })
	w.AfterFunc(1, func() {})
	require.NoError(t, w.Run())
	assertNoLeak(t, before)
}

func TestSwallowedUnwindStillUnwinds(t *testing.T) {
	before := runtime.NumGoroutine()
	w := fifo()
	th := w.NewThread("stubborn")
	var caught []bool
	var deferred []any
	w.Go(th, func() {
		defer func() {
			// A cleanup that calls into the finished world keeps unwinding.
			deferred = append(deferred, panicValue(func() { w.AfterFunc(1, func() {}) }))
			deferred = append(deferred, panicValue(func() { w.Sleep(1) }))
		}()
		for range 3 {
			func() {
				defer func() { caught = append(caught, sim.IsUnwind(recover())) }()
				w.Park()
			}()
		}
	})
	require.NoError(t, w.Run())
	w.Close()
	assert.Equal(t, []bool{true, true, true}, caught, "each swallowed unwind is raised again by the next call")
	require.Len(t, deferred, 2)
	assert.True(t, sim.IsUnwind(deferred[0]))
	assert.True(t, sim.IsUnwind(deferred[1]))
	assertNoLeak(t, before)
	assert.False(t, th.Busy())
}

func TestHandlerPanicPropagates(t *testing.T) {
	before := runtime.NumGoroutine()
	w := fifo()
	sleeper := w.NewThread("sleeper")
	unwound := false
	w.Go(sleeper, func() {
		defer func() {
			unwound = sim.IsUnwind(recover())
		}()
		w.Sleep(time.Hour)
	})
	boom := errors.New("boom")
	w.AfterFunc(time.Second, func() { panic(boom) })
	require.Equal(t, boom, panicValue(func() { _ = w.Run() }))
	assert.True(t, unwound)
	assertNoLeak(t, before)
	assert.ErrorIs(t, w.Run(), sim.ErrFinished)
}

func TestThreadPanicPropagatesThroughWaitingLoops(t *testing.T) {
	// The panic happens on a coroutine resumed by a wake-up, several
	// coroutines up the stack; it reaches Run's caller with its value, and
	// no thread's deferred calls see it.
	before := runtime.NumGoroutine()
	w := fifo()
	a, b := w.NewThread("a"), w.NewThread("b")
	var sawInA any = "nothing"
	w.Go(a, func() {
		defer func() {
			sawInA = recover()
			if sawInA != nil {
				panic(sawInA)
			}
		}()
		w.Sleep(100)
	})
	w.Go(b, func() {
		w.Sleep(1)
		w.Sleep(1)
		panic("thread b failed")
	})
	w.AfterFunc(1, func() {})
	require.Equal(t, "thread b failed", panicValue(func() { _ = w.Run() }))
	assert.True(t, sim.IsUnwind(sawInA), "thread a was unwound by the sentinel, not by b's panic")
	assertNoLeak(t, before)
}

func TestGoexitPropagates(t *testing.T) {
	before := runtime.NumGoroutine()
	w := fifo()
	th := w.NewThread("t")
	parked := w.NewThread("parked")
	w.Go(parked, func() { w.Park() })
	w.Go(th, func() {
		w.Sleep(1)
		runtime.Goexit() // what t.FailNow does
	})
	done := make(chan bool)
	go func() {
		returned := false
		defer func() { done <- returned }()
		_ = w.Run()
		returned = true
	}()
	assert.False(t, <-done, "Run did not return: the goroutine exited")
	assert.ErrorIs(t, w.Run(), sim.ErrFinished)
	assert.False(t, parked.Busy())
	assertNoLeak(t, before)
}

func TestAfterFuncAndHandleDuringRun(t *testing.T) {
	w := fifo()
	var log []string
	w.AfterFunc(1, func() {
		k := w.Handle(func(ev sim.Event) { log = append(log, "late kind") })
		w.After(1, 0, k, 0, 0)
		w.AfterFunc(0, func() { log = append(log, "func at 1") })
	})
	require.NoError(t, w.Run())
	assert.Equal(t, []string{"func at 1", "late kind"}, log)
}

// Soon: FIFO at the current instant, before later instants, and in class
// order with queued events of the same instant; a Sleep's inline wake-up
// does not jump over it.
func TestSoonOrder(t *testing.T) {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	var got []string
	var k sim.Kind
	k = w.Handle(func(ev sim.Event) {
		got = append(got, fmt.Sprintf("%d@%v", ev.A, w.Now()))
		if ev.A == 0 {
			w.Soon(5, k, 2, 0)
			w.Soon(5, k, 3, 0)
			w.Schedule(w.Now(), 9, k, 4, 0) // higher class: after the Soon events
			w.Schedule(w.Now(), 1, k, 1, 0) // lower class: before them
			w.After(time.Second, 0, k, 5, 0)
		}
	})
	w.Schedule(0, 5, k, 0, 0)
	require.NoError(t, w.Run())
	require.Equal(t, []string{"0@0s", "1@0s", "2@0s", "3@0s", "4@0s", "5@1s"}, got)

	// A thread sleeping while a Soon event is pending must not fire its
	// wake-up in place ahead of it.
	w2 := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	got = nil
	k2 := w2.Handle(func(ev sim.Event) { got = append(got, fmt.Sprintf("soon@%v", w2.Now())) })
	th := w2.NewThread("t")
	w2.Go(th, func() {
		w2.Soon(sim.DefaultClass, k2, 0, 0)
		w2.Sleep(0)
		got = append(got, fmt.Sprintf("woke@%v", w2.Now()))
	})
	require.NoError(t, w2.Run())
	require.Equal(t, []string{"soon@0s", "woke@0s"}, got)
	require.Zero(t, w2.Pending())
	w2.Close()
}

// Prefetch: the hint sees every event of its kind in a burst (one tick's
// hundred timers) and in a long Soon queue (after its first) once, a
// window ahead of it —
// before it fires, not long before, and not the whole burst at once —
// never an event of another kind or a lone event, and the world fires the
// same events in the same order with the hint as without it.
func TestPrefetch(t *testing.T) {
	type hint struct{ a, firedThen int64 }
	run := func(hinted bool) (fired []int64, hints []hint) {
		w := sim.NewWorld(sim.NewPRNG(3), sim.Limits{})
		var tick, other, spawn sim.Kind
		tick = w.Handle(func(ev sim.Event) { fired = append(fired, ev.A) })
		other = w.Handle(func(ev sim.Event) { fired = append(fired, -ev.A) })
		spawn = w.Handle(func(ev sim.Event) {
			for i := range int64(100) {
				w.Soon(0, tick, 2000+i, 0) // a long Soon queue
			}
		})
		if hinted {
			w.Prefetch(tick, func(a, _ int64) { hints = append(hints, hint{a, int64(len(fired))}) })
		}
		for i := range int64(100) {
			w.Schedule(time.Second, sim.Class(i%3), tick, i, 0) // a burst on one tick
			w.Schedule(time.Second, 0, other, i+1, 0)
		}
		w.Schedule(5*time.Second, 0, tick, 1000, 0) // alone on its tick
		w.Schedule(6*time.Second, 0, spawn, 0, 0)
		require.NoError(t, w.Run())
		return fired, hints
	}
	plain, none := run(false)
	fired, hints := run(true)
	require.Empty(t, none)
	require.Equal(t, plain, fired, "the same events in the same order")
	at := map[int64]int64{} // where each event fired
	for i, a := range fired {
		at[a] = int64(i)
	}
	var got, want []int64
	for i := range int64(100) {
		want = append(want, i)
	}
	for i := range int64(99) {
		want = append(want, 2001+i) // the queue's first fires as the queue is found
	}
	for _, h := range hints {
		got = append(got, h.a)
		assert.Less(t, h.firedThen, at[h.a]+1, "event %d hinted after it fired", h.a)
		assert.LessOrEqual(t, at[h.a]-h.firedThen, int64(40), "event %d hinted too far ahead", h.a)
	}
	slices.Sort(got)
	assert.Equal(t, want, got, "every tick event of the burst and the Soon queue after its first, once; no other kind, not the lone one")
	assert.Greater(t, hints[len(hints)-1].firedThen, at[2000], "the Soon queue's hints go along with it")
}

func TestPrefetchMisuse(t *testing.T) {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	assert.PanicsWithValue(t, "sim: Prefetch: unknown Kind 99 (use a Kind returned by Handle)", func() { w.Prefetch(99, func(a, b int64) {}) })
	k := w.Handle(func(sim.Event) {})
	w.Prefetch(k, func(a, b int64) { t.Fatal("removed hint called") })
	w.Prefetch(k, nil)
	for range 50 {
		w.Schedule(time.Second, 0, k, 0, 0)
	}
	require.NoError(t, w.Run())
}

// Stale: a world whose only pending events lie past MaxTime and are all
// stale ends as idle; one live event among them (in the ring, the far heap
// or a burst alike) makes it a LimitTime; the test is asked only then.
func TestStale(t *testing.T) {
	run := func(live int64, n int, spread time.Duration) (int, error) {
		w := sim.NewWorld(sim.NewPRNG(5), sim.Limits{MaxTime: time.Hour})
		k := w.Handle(func(sim.Event) {})
		asked := 0
		w.Stale(k, func(a, _ int64) bool { asked++; return a != live })
		for i := range int64(n) {
			w.Schedule(time.Duration(i)*spread, 0, k, i, 0)                         // fire within the hour
			w.Schedule(2*time.Hour+time.Duration(i%7)*time.Minute, 0, k, i+1000, 0) // past MaxTime
		}
		err := w.Run()
		return asked, err
	}
	for _, c := range []struct {
		n      int
		spread time.Duration
	}{{3, time.Second}, {500, time.Millisecond}, {2000, time.Nanosecond}} {
		asked, err := run(-1, c.n, c.spread)
		require.NoError(t, err, "every late event stale: idle (%d events)", c.n)
		assert.Equal(t, c.n, asked, "asked once per pending event, at the end only")
		_, err = run(1000+int64(c.n)-1, c.n, c.spread)
		var le *sim.LimitError
		require.ErrorAs(t, err, &le, "one live event past MaxTime")
		assert.Equal(t, sim.LimitTime, le.Limit)
	}
	// A kind without a test is never stale.
	w := sim.NewWorld(sim.NewPRNG(5), sim.Limits{MaxTime: time.Hour})
	k, other := w.Handle(func(sim.Event) {}), w.Handle(func(sim.Event) {})
	w.Stale(k, func(a, b int64) bool { return true })
	w.Schedule(2*time.Hour, 0, k, 0, 0)
	w.Schedule(3*time.Hour, 0, other, 0, 0)
	var le *sim.LimitError
	require.ErrorAs(t, w.Run(), &le)
}

func TestStaleMisuse(t *testing.T) {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{MaxTime: time.Second})
	assert.PanicsWithValue(t, "sim: Stale: unknown Kind 99 (use a Kind returned by Handle)", func() { w.Stale(99, func(a, b int64) bool { return true }) })
	k := w.Handle(func(sim.Event) {})
	w.Stale(k, func(a, b int64) bool { return true })
	w.Stale(k, nil) // removed: the late event is live again
	w.Schedule(time.Minute, 0, k, 0, 0)
	var le *sim.LimitError
	require.ErrorAs(t, w.Run(), &le)
}
