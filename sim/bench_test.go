package sim_test

import (
	"container/heap"
	"fmt"
	"iter"
	"math"
	"testing"
	"time"

	"github.com/bitsim/bitsim/sim"
)

// unlimited lets a benchmark fire as many events as b.N asks for.
var unlimited = sim.Limits{MaxEvents: math.MaxInt64}

const pending1k = 1000

// lcg is a tiny deterministic generator for benchmark delays.
type lcg uint64

func (s *lcg) next() uint64 {
	*s = *s*6364136223846793005 + 1442695040888963407
	return uint64(*s >> 33)
}

// BenchmarkScheduleFire1k measures scheduling and firing one event while
// 1000 events are pending: each fired event schedules its successor at a
// pseudo-random delay of 1–2048 ns, in one of four classes.
func BenchmarkScheduleFire1k(b *testing.B) {
	rng := lcg(1)
	benchScheduleFire(b, pending1k, &rng, func() time.Duration { return time.Duration(1 + rng.next()%2048) })
}

// BenchmarkScheduleFireSpread is ScheduleFire1k with a harder delay
// distribution for the calendar queue: log-uniform from 1 ns to about an
// hour (2^0..2^42 ns), so no bucket width fits every event, at 1k and 1M
// pending.
func BenchmarkScheduleFireSpread(b *testing.B) {
	for _, pending := range []int{1000, 1_000_000} {
		b.Run(fmt.Sprintf("pending=%d", pending), func(b *testing.B) {
			rng := lcg(1)
			benchScheduleFire(b, pending, &rng, func() time.Duration {
				return time.Duration(1 + rng.next()%(1<<(rng.next()%43)))
			})
		})
	}
}

// BenchmarkScheduleFireBurst is the calendar queue's other bad case: every
// event is scheduled exactly 1001 ns ahead, so the 1000 pending events
// always share one or two instants (timers that all fire on the same
// tick). Buckets overflow whatever their width; each instant's events wait
// unsorted in their bucket's overflow blocks and are sorted into a run
// of their own when their instant comes (queue.drain).
func BenchmarkScheduleFireBurst(b *testing.B) {
	rng := lcg(1)
	benchScheduleFire(b, pending1k, &rng, func() time.Duration { return 1001 })
}

// benchScheduleFire keeps pending events in the queue: each one fired
// schedules its successor delay() later; rng draws the classes. Before the
// timer starts it fires every pending event once, so the queue has
// re-sized its ring and picked its bucket width for the delays (at a
// million pending, the measurement otherwise included that warm-up:
// ~290 B/op at 300,000 iterations).
func benchScheduleFire(b *testing.B, pending int, rng *lcg, delay func() time.Duration) {
	w := sim.NewWorld(sim.NewPRNG(1), unlimited)
	n, target := 0, pending
	var k sim.Kind
	k = w.Handle(func(ev sim.Event) {
		n++
		if n >= target {
			w.Stop()
		}
		w.After(delay(), sim.Class(rng.next()%4), k, ev.A, 0)
	})
	for i := range pending {
		w.Schedule(delay()-1, sim.Class(i%4), k, int64(i), 0)
	}
	if err := w.Run(); err != nil { // warm-up
		b.Fatal(err)
	}
	n, target = 0, b.N
	b.ReportAllocs()
	b.ResetTimer()
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if n != b.N || w.Pending() != pending {
		b.Fatalf("fired %d of %d, %d pending", n, b.N, w.Pending())
	}
}

// heapEvent and eventHeap are the container/heap baseline: the same keys
// and order, through heap.Interface (boxing each pushed and popped value).
type heapEvent struct {
	at, a, b, seq int64
	tie           uint32
	class         uint8
}

type eventHeap []heapEvent

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	x, y := &h[i], &h[j]
	if x.at != y.at {
		return x.at < y.at
	}
	if x.class != y.class {
		return x.class < y.class
	}
	if x.tie != y.tie {
		return x.tie < y.tie
	}
	return x.seq < y.seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(heapEvent)) }
func (h *eventHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// BenchmarkContainerHeap1k is the baseline for BenchmarkScheduleFire1k:
// pop the next event and push its successor with container/heap.
func BenchmarkContainerHeap1k(b *testing.B) {
	rng := lcg(1)
	h := make(eventHeap, 0, pending1k+1)
	var seq int64
	for i := range pending1k {
		seq++
		heap.Push(&h, heapEvent{at: int64(rng.next() % 2048), class: uint8(i % 4), tie: uint32(rng.next()), seq: seq})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ev := heap.Pop(&h).(heapEvent)
		seq++
		heap.Push(&h, heapEvent{at: ev.at + int64(1+rng.next()%2048), class: uint8(rng.next() % 4), tie: uint32(rng.next()), seq: seq, a: ev.a, b: ev.b})
	}
}

// BenchmarkBlockResume measures a virtual thread's Sleep(1ns) round trip.
//
//   - inline: the thread is alone; its wake-up is always the next event and
//     fires without leaving the thread's stack.
//   - switch: two threads take turns, so every Sleep hands the loop to the
//     other thread and back (two coroutine switches per Sleep).
//   - runner: a plain event fires between each Sleep and its wake-up, so the
//     loop runs that event on another coroutine (two switches per Sleep).
func BenchmarkBlockResume(b *testing.B) {
	b.Run("inline", func(b *testing.B) {
		w := sim.NewWorld(sim.NewPRNG(1), unlimited)
		th := w.NewThread("t")
		w.Go(th, func() {
			for range b.N {
				w.Sleep(1)
			}
		})
		benchRun(b, w, int64(b.N)+1)
	})
	b.Run("switch", func(b *testing.B) {
		w := sim.NewWorld(sim.NewPRNG(1), unlimited)
		half := b.N / 2
		t1, t2 := w.NewThread("t1"), w.NewThread("t2")
		w.Go(t1, func() {
			for range b.N - half {
				w.Sleep(2)
			}
		})
		w.AfterFunc(1, func() {
			w.Go(t2, func() {
				for range half {
					w.Sleep(2)
				}
			})
		})
		benchRun(b, w, int64(b.N)+3)
	})
	b.Run("runner", func(b *testing.B) {
		w := sim.NewWorld(sim.NewPRNG(1), unlimited)
		th := w.NewThread("t")
		ticks := 0
		var tick sim.Kind
		tick = w.Handle(func(sim.Event) {
			if ticks++; ticks < b.N {
				w.After(2, 0, tick, 0, 0)
			}
		})
		w.Go(th, func() {
			for range b.N {
				w.Sleep(2)
			}
		})
		w.Schedule(1, 0, tick, 0, 0)
		benchRun(b, w, 2*int64(b.N)+1)
	})
}

func benchRun(b *testing.B, w *sim.World, wantFired int64) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if w.Fired() != wantFired {
		b.Fatalf("fired %d events, want %d", w.Fired(), wantFired)
	}
}

// BenchmarkRunOnNonBlocking measures a plain handler running a callback
// that does not block as a thread (RunOn), i.e. the zero-switch path.
func BenchmarkRunOnNonBlocking(b *testing.B) {
	w := sim.NewWorld(sim.NewPRNG(1), unlimited)
	th := w.NewThread("sta")
	calls := 0
	callback := func() { calls++ }
	var k sim.Kind
	k = w.Handle(func(sim.Event) {
		w.RunOn(th, callback)
		if calls < b.N {
			w.After(1, 0, k, 0, 0)
		}
	})
	w.Schedule(0, 0, k, 0, 0)
	benchRun(b, w, int64(b.N))
}

// BenchmarkGoroutineHandoff is the baseline for BenchmarkBlockResume: one
// round trip between two goroutines over unbuffered channels.
func BenchmarkGoroutineHandoff(b *testing.B) {
	ping, pong := make(chan struct{}), make(chan struct{})
	go func() {
		for range ping {
			pong <- struct{}{}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ping <- struct{}{}
		<-pong
	}
	b.StopTimer()
	close(ping)
}

// BenchmarkCoroutineSwitch is the raw cost the kernel builds on: one
// iter.Pull round trip (resume, then yield back).
func BenchmarkCoroutineSwitch(b *testing.B) {
	next, stop := iter.Pull(func(yield func(struct{}) bool) {
		for yield(struct{}{}) {
		}
	})
	defer stop()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		next()
	}
}

// BenchmarkRunOn measures RunOn alone: a non-blocking callback run inline
// as a thread from a plain handler.
func BenchmarkRunOn(b *testing.B) {
	w := sim.NewWorld(sim.NewPRNG(1), unlimited)
	th := w.NewThread("sta")
	calls := 0
	callback := func() { calls++ }
	w.AfterFunc(0, func() {
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			w.RunOn(th, callback)
		}
		b.StopTimer()
	})
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
	if calls != b.N {
		b.Fatalf("%d calls, want %d", calls, b.N)
	}
}
