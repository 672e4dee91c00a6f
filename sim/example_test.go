package sim_test

import (
	"fmt"
	"time"

	"github.com/bitsim/bitsim/sim"
)

// A world fires events in virtual time; at the same instant, a lower class
// fires first.
func ExampleNewWorld() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	say := w.Handle(func(ev sim.Event) {
		fmt.Printf("%v: event %d (class %d)\n", w.Now(), ev.A, ev.Class)
	})
	w.Schedule(2*time.Second, 0, say, 1, 0)
	w.Schedule(time.Second, 1, say, 2, 0)
	w.Schedule(time.Second, 0, say, 3, 0)
	w.After(time.Minute, 0, say, 4, 0)
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	fmt.Println("fired", w.Fired(), "at", w.Now())
	// Output:
	// 1s: event 3 (class 0)
	// 1s: event 2 (class 1)
	// 2s: event 1 (class 0)
	// 1m0s: event 4 (class 0)
	// fired 4 at 1m0s
}

// Code running as a virtual thread spends virtual time through the world's
// Clock; other threads and events run meanwhile.
func ExampleWorld_Clock() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	clock := w.Clock() // what code under simulation would be given
	worker := w.NewThread("worker")
	w.Go(worker, func() {
		start := clock.Now()
		clock.Sleep(90 * time.Second) // blocks this thread only
		fmt.Println("worker slept", clock.Since(start))
	})
	w.AfterFunc(time.Minute, func() {
		fmt.Println("meanwhile, at", clock.Now().Format(time.TimeOnly))
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	fmt.Println("done at", clock.Now().Format(time.DateTime))
	// Output:
	// meanwhile, at 00:01:00
	// worker slept 1m30s
	// done at 2000-01-01 00:01:30
}

// RunOn runs a callback inline as a thread. Code on that thread may call
// back into itself (reentrancy), which nests on the same thread.
func ExampleWorld_RunOn() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{MaxDepth: 8})
	sta := w.NewThread("sta")
	var call func(n int)
	call = func(n int) {
		fmt.Printf("%sdepth %d on %s\n", indent(sta.Depth()), sta.Depth(), w.Current().Name())
		if n > 0 {
			w.RunOn(sta, func() { call(n - 1) }) // a reentrant call
		}
	}
	w.AfterFunc(0, func() {
		w.RunOn(sta, func() { call(2) }) // deliver a callback on sta
		fmt.Println("back in the handler; current thread:", w.Current())
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// depth 1 on sta
	//   depth 2 on sta
	//     depth 3 on sta
	// back in the handler; current thread: <nil>
}

func indent(depth int) string {
	s := ""
	for range depth - 1 {
		s += "  "
	}
	return s
}

// A Park/Unpark pair waits for a condition set by an event.
func ExampleWorld_Park() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	waiter := w.NewThread("waiter")
	ready := false
	w.Go(waiter, func() {
		for !ready {
			w.Park()
		}
		fmt.Println("ready at", w.Now())
	})
	w.AfterFunc(5*time.Second, func() {
		ready = true
		w.Unpark(waiter)
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ready at 5s
}

// A seeded PRNG gives the same choices on every run and every platform.
func ExampleNewPRNG() {
	a, b := sim.NewPRNG(7), sim.NewPRNG(7)
	for range 3 {
		x, y := a.Intn(100), b.Intn(100)
		fmt.Println(x, y, x == y)
	}
	fmt.Println(a.Tie() == b.Tie())
	// Output:
	// 48 48 true
	// 0 0 true
	// 55 55 true
	// true
}

// Soon runs follow-up work at the current instant, first in first out,
// without a trip through the event queue.
func ExampleWorld_Soon() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	var step sim.Kind
	step = w.Handle(func(ev sim.Event) {
		fmt.Println("step", ev.A, "at", w.Now())
		if ev.A < 3 {
			w.Soon(0, step, ev.A+1, 0)
		}
	})
	w.Schedule(time.Second, 0, step, 1, 0)
	if err := w.Run(); err != nil {
		panic(err)
	}
	// Output:
	// step 1 at 1s
	// step 2 at 1s
	// step 3 at 1s
}

// TailSoon: a handler whose last act is follow-up work at this instant
// runs it directly when nothing else would fire first, and leaves it to
// the Soon queue otherwise. At 2s two launches are due: the first's
// follow-up must wait for the second launch (a lower class, due at the
// same instant), and the second's for the first's, already queued.
func ExampleWorld_TailSoon() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	var follow, launch sim.Kind
	follow = w.Handle(func(ev sim.Event) { fmt.Println("  follow-up", ev.A, "at", w.Now()) })
	launch = w.Handle(func(ev sim.Event) {
		if w.TailSoon(2) {
			fmt.Println("launch", ev.A, "runs its follow-up directly")
			fmt.Println("  follow-up", ev.A, "at", w.Now())
			return
		}
		fmt.Println("launch", ev.A, "queues its follow-up")
		w.Soon(2, follow, ev.A, 0)
	})
	w.Schedule(time.Second, 1, launch, 1, 0)
	w.Schedule(2*time.Second, 1, launch, 2, 0)
	w.Schedule(2*time.Second, 1, launch, 3, 0)
	if err := w.Run(); err != nil {
		panic(err)
	}
	// Output:
	// launch 1 runs its follow-up directly
	//   follow-up 1 at 1s
	// launch 2 queues its follow-up
	// launch 3 queues its follow-up
	//   follow-up 2 at 2s
	//   follow-up 3 at 2s
}

// RunOnCatch runs a callback as a thread and contains its panic: catch
// sees the value (still as the thread) and the delivery goes on.
func ExampleWorld_RunOnCatch() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	worker := w.NewThread("worker")
	w.AfterFunc(0, func() {
		w.RunOnCatch(worker, func() { panic("nil map write") }, func(r any) bool {
			fmt.Printf("contained %q on %s\n", r, w.Current().Name())
			return true
		})
		fmt.Println("the handler goes on; current thread:", w.Current())
	})
	if err := w.Run(); err != nil {
		panic(err)
	}
	// Output:
	// contained "nil map write" on worker
	// the handler goes on; current thread: <nil>
}

// Prefetch: a thousand timers fire on one tick; their handler reads the
// state of its item, far apart in a big table. The hint reads each item's
// state a window of timers ahead of the one firing, so the memory loads
// overlap; it only reads, so the run is the same without it.
func ExampleWorld_Prefetch() {
	items := make([]struct{ hits, pad [7]int64 }, 1000)
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	tick := w.Handle(func(ev sim.Event) { items[ev.A].hits[0]++ })
	var warmed int64
	w.Prefetch(tick, func(a, _ int64) { warmed += items[a].hits[0] + 1 })
	for i := range int64(len(items)) {
		w.Schedule(time.Millisecond, 0, tick, i, 0)
	}
	if err := w.Run(); err != nil {
		panic(err)
	}
	fmt.Println("warmed", warmed, "fired", w.Fired())
	// Output:
	// warmed 1000 fired 1000
}

// Stale: a job's timeout timer is set two weeks ahead; the job finishes
// within a minute and the timer, when it fires, would find nothing to do.
// Told so, the world ends idle at its last real event instead of at its
// one-day MaxTime.
func ExampleWorld_Stale() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{MaxTime: 24 * time.Hour})
	done := false
	timeout := w.Handle(func(sim.Event) {
		if !done {
			fmt.Println("timed out")
		}
	})
	w.Stale(timeout, func(_, _ int64) bool { return done })
	finish := w.Handle(func(sim.Event) { done = true })
	w.Schedule(14*24*time.Hour, 0, timeout, 0, 0)
	w.Schedule(time.Minute, 0, finish, 0, 0)
	fmt.Println(w.Run(), w.Now())
	// Output:
	// <nil> 1m0s
}

// SeedOf tells the seed of a Chooser made by NewPRNG, so that a world
// handed only its Chooser can write its seed into its trace.
func ExampleSeedOf() {
	seed, ok := sim.SeedOf(sim.NewPRNG(42))
	fmt.Println(seed, ok)
	_, ok = sim.SeedOf(nil)
	fmt.Println(ok)
	// Output:
	// 42 true
	// false
}
