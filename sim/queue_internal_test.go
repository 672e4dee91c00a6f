package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// pop removes and returns the next event (tests only).
func (q *eventHeap) pop() Event {
	var ev Event
	q.popInto(&ev)
	return ev
}

// pop removes and returns the next event (tests only).
func (q *queue) pop() Event {
	var ev Event
	q.popInto(&ev)
	return ev
}

// pushEv pushes a copy of ev.
func pushEv(q *queue, ev Event) { q.push(ev.At, ev.Class, ev.Kind, ev.A, ev.B, ev.Tie(), ev.seq) }

// TestHeapOrder checks the 4-ary heap against a sorted reference under
// random pushes and pops, including many equal keys.
func TestHeapOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var h eventHeap
		var ref []Event
		var seq uint64
		ops := rapid.IntRange(1, 300).Draw(t, "ops")
		for range ops {
			if len(ref) > 0 && rapid.IntRange(0, 2).Draw(t, "pop?") == 0 {
				sort.Slice(ref, func(i, j int) bool { return before(&ref[i], &ref[j]) })
				require.Equal(t, ref[0], h.pop())
				ref = ref[1:]
				continue
			}
			seq++
			at := time.Duration(rapid.Int64Range(0, 5).Draw(t, "at"))
			c := Class(rapid.IntRange(0, 2).Draw(t, "class"))
			tie := uint32(rapid.IntRange(0, 2).Draw(t, "tie"))
			if rapid.IntRange(0, 9).Draw(t, "big?") == 0 {
				at, tie, c = 1<<62, ^uint32(0), 255
			}
			ev := makeEvent(at, c, 0, int64(seq), 0, tie, seq)
			h.push(ev)
			ref = append(ref, ev)
			require.Equal(t, len(ref), h.len())
		}
		sort.Slice(ref, func(i, j int) bool { return before(&ref[i], &ref[j]) })
		for _, want := range ref {
			require.Equal(t, want, h.pop())
		}
		require.Zero(t, h.len())
	})
}

// heapify restores the order of any array, including the empty one and a
// single event (the ring turned off with nothing or one event pending).
func TestHeapify(t *testing.T) {
	rnd := splitmix(9)
	for n := range 40 {
		var h eventHeap
		for i := range n {
			h.h = append(h.h, makeEvent(time.Duration(rnd()%8), Class(rnd()%2), 0, 0, 0, uint32(rnd()%2), uint64(i+1)))
		}
		want := append([]Event(nil), h.h...)
		sort.Slice(want, func(i, j int) bool { return before(&want[i], &want[j]) })
		h.heapify()
		for _, ev := range want {
			require.Equal(t, ev, h.pop(), "n=%d", n)
		}
		require.Zero(t, h.len())
	}
}

// TestQueueMatchesHeap runs the calendar queue and the heap side by side
// through long random workloads and requires the same event from both at
// every pop. The workloads mix what moves the calendar off its fast path:
// delays spanning nanoseconds to days (so the bucket width widens and
// narrows and the queue rebuilds), bursts of events at one instant (longer
// than a bucket may hold), events beyond the ring's window, pushes earlier
// than the last pop, and equal tie keys (so sequence numbers decide).
//
// The situations are counted over all cases, and each must have happened:
// otherwise the test would only prove the easy path.
func TestQueueMatchesHeap(t *testing.T) {
	type shape struct {
		bits, shift uint
		on          bool
	}
	var rebuilds, spills, offs, earlier, drains, interleaved, blocks int
	rapid.Check(t, func(t *rapid.T) {
		var q queue
		var h eventHeap
		var seq uint64
		now := time.Duration(0)
		phases := rapid.IntRange(1, 6).Draw(t, "phases")
		for range phases {
			scale := rapid.IntRange(0, 50).Draw(t, "scale") // delays up to 2^scale ns
			burst := rapid.IntRange(1, 30).Draw(t, "burst") // events pushed per pop, at most
			early := rapid.Bool().Draw(t, "early")          // push before the last pop too
			steps := rapid.IntRange(1, 1500).Draw(t, "steps")
			for range steps {
				for range rapid.IntRange(0, burst).Draw(t, "pushes") {
					seq++
					at := now
					if scale > 0 {
						at += time.Duration(rapid.Uint64Range(0, 1<<scale-1).Draw(t, "delay"))
					}
					if early && now > 0 && rapid.IntRange(0, 20).Draw(t, "before?") == 0 {
						at = now - 1
					}
					ev := makeEvent(at, Class(rapid.IntRange(0, 3).Draw(t, "class")), 0, int64(seq), 0,
						uint32(rapid.IntRange(0, 3).Draw(t, "tie")), seq)
					before, far := shape{q.bits, q.shift, q.ring != nil}, q.far.len()
					pushEv(&q, ev)
					h.push(ev)
					switch after := (shape{q.bits, q.shift, q.ring != nil}); {
					case after != before && !after.on && before.on:
						offs++
					case after != before:
						rebuilds++
					case ev.At < q.last:
						earlier++
					case after.on && q.far.len() > far:
						spills++ // beyond the window, or past walkMax in its bucket
					}
				}
				if h.len() == 0 {
					continue
				}
				require.Equal(t, h.len(), q.len())
				if seq%17 == 0 {
					requireEachSeesAll(t, &q, &h)
					if overflowBlocks(&q) > 1 {
						blocks++ // a bucket's overflow filled a block and went on in another
					}
				}
				burst := q.burstLen()
				m := *q.min()
				if q.burstLen() > burst {
					drains++ // a bucket's burst drained into the run (or the burst heap)
					if burst > 0 {
						interleaved++ // joining one not taken yet
					}
				}
				m.link = 0 // a ring node's bucket link; pop clears it
				require.Equal(t, *h.min(), m, "min")
				want := h.pop()
				require.Equal(t, want, q.pop(), "pop %d", seq)
				now = max(now, want.At)
			}
		}
		for h.len() > 0 {
			require.Equal(t, h.pop(), q.pop())
		}
		require.Zero(t, q.len())
	})
	require.Positive(t, rebuilds, "no case resized the ring or changed the bucket width")
	require.Positive(t, spills, "no case put an event in the heap while the ring was on")
	require.Positive(t, offs, "no case turned the ring off")
	require.Positive(t, earlier, "no case pushed before the last pop")
	require.Positive(t, drains, "no case drained a burst")
	require.Positive(t, interleaved, "no case drained a bucket while the run or the burst heap held events")
	require.Positive(t, blocks, "no case filled more than one overflow block in a bucket")
	t.Logf("over all cases: %d rebuilds, %d heap placements, %d times off, %d pushes before the last pop, %d bursts drained (%d joining one not taken yet), %d looks at an overflow of several blocks",
		rebuilds, spills, offs, earlier, drains, interleaved, blocks)
}

// overflowBlocks returns the most blocks any one bucket's overflow holds.
func overflowBlocks(q *queue) int {
	most := 0
	for i := range q.over {
		n := 0
		q.overBlocks(i, func([]Event) bool { n++; return true })
		most = max(most, n)
	}
	return most
}

// requireEachSeesAll: queue.each (World.Stale's end-of-run look at every
// pending event) visits exactly the events the reference heap holds —
// in the ring, its nodes, the overflow blocks, the run, the burst heap and
// the far heap alike — and stops at the first false.
func requireEachSeesAll(t *rapid.T, q *queue, h *eventHeap) {
	var got, want []uint64
	require.True(t, q.each(func(ev *Event) bool { got = append(got, ev.seq); return true }))
	for _, ev := range h.h {
		want = append(want, ev.seq)
	}
	slices.Sort(got)
	slices.Sort(want)
	require.Equal(t, want, got, "each")
	if len(want) >= 2 {
		n := 0
		require.False(t, q.each(func(*Event) bool { n++; return n < 2 }))
		require.Equal(t, 2, n, "each stops at the first false")
	}
}

// splitmix returns a deterministic generator of 64-bit values.
func splitmix(seed uint64) func() uint64 {
	return func() uint64 {
		seed += 0x9e3779b97f4a7c15
		z := (seed ^ seed>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		return z ^ z>>31
	}
}

// TestQueueAdapts shows the ring following the workload: about two buckets
// per pending event, buckets that widen for delays of up to an hour and
// narrow again for delays of nanoseconds, and in the steady states nearly
// sortRun puts any drained burst in firing order: a tick's events (one
// At, one Class or several) by Class, tie and sequence number, through
// pdqsort below radixMin and the radix sort from it, equal ties included;
// a run over several instants by the whole key.
func TestSortRun(t *testing.T) {
	paths := map[string]int{}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 3*radixMin).Draw(t, "n")
		mode := rapid.SampledFrom([]string{"tick", "classes", "instants"}).Draw(t, "mode")
		ties := rapid.SampledFrom([]uint32{4, 1000, math.MaxUint32}).Draw(t, "ties") // few: equal ties
		seqs := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 0)).Perm(n)
		var q queue
		for i := range n {
			at, c := time.Second, Class(1)
			if mode != "tick" {
				c = Class(rapid.IntRange(0, 2).Draw(t, "class"))
			}
			if mode == "instants" {
				at += time.Duration(rapid.IntRange(0, 3).Draw(t, "at"))
			}
			tie := uint32(rapid.Uint64().Draw(t, "tie") % (uint64(ties) + 1))
			q.run = append(q.run, makeEvent(at, c, 0, int64(i), 0, tie, uint64(seqs[i])+1))
		}
		want := slices.Clone(q.run)
		slices.SortFunc(want, func(a, b Event) int { return lt(&b, &a) - lt(&a, &b) })
		q.sortRun()
		require.Equal(t, want, q.run)
		switch {
		case mode == "instants":
			paths[mode]++
		case n >= radixMin:
			paths["radix "+mode]++
		default:
			paths["pdqsort"]++
		}
	})
	for _, p := range []string{"radix tick", "radix classes", "pdqsort", "instants"} {
		require.Positive(t, paths[p], "no run took the path %q", p)
	}
}

// every event kept in the ring rather than the heap.
func TestQueueAdapts(t *testing.T) {
	var q queue
	var seq uint64
	rnd := splitmix(1)
	run := func(maxDelay uint64) {
		for range 20_000 {
			ev := q.pop()
			seq++
			q.push(ev.At+time.Duration(1+rnd()%maxDelay), Class(rnd()%4), 0, 0, 0, uint32(rnd()), seq)
		}
	}
	for range 1000 {
		seq++
		q.push(time.Duration(rnd()%2048), 0, 0, 0, 0, uint32(rnd()), seq)
	}
	run(2048)
	require.Equal(t, uint(11), q.bits, "1000 events: 2048 buckets")
	require.Equal(t, uint(0), q.shift, "over 2 µs: 1 ns each")
	require.Less(t, q.far.len(), 50)
	run(uint64(time.Hour))
	require.Equal(t, uint(11), q.bits)
	require.Greater(t, q.shift, uint(30), "delays of up to an hour: wide buckets")
	require.Less(t, q.far.len(), 100)
	run(2048)
	require.Equal(t, uint(0), q.shift, "and back")
	// One event now circulates near Now, in the ring; the 999 left from the
	// hour-long phase lie beyond the narrow window, in the heap.
	require.Equal(t, 1, q.ringN)
	require.Equal(t, 1000, q.len())

	// Drain to a few events: the ring shrinks with the next epochs.
	for q.len() > 10 {
		q.pop()
	}
	for range 3 * epochMin {
		ev := q.pop()
		seq++
		q.push(ev.At+time.Duration(1+rnd()%2048), 0, 0, 0, 0, uint32(rnd()), seq)
	}
	require.Equal(t, uint(minBits), q.bits)
}

// lockstep drives a queue and the reference heap alike, from 4,000 events
// in the first 4 µs: each step pops the next event of both (they must
// agree) and schedules one more at a time of the test's choice.
type lockstep struct {
	t   *testing.T
	q   queue
	h   eventHeap
	seq uint64
	rnd func() uint64
}

func newLockstep(t *testing.T, seed uint64) *lockstep {
	l := &lockstep{t: t, rnd: splitmix(seed)}
	for range 4000 {
		l.push(time.Duration(l.rnd()%4000), 0)
	}
	return l
}

func (l *lockstep) push(at time.Duration, c Class) {
	l.seq++
	ev := makeEvent(at, c, 0, 0, 0, uint32(l.rnd()), l.seq)
	pushEv(&l.q, ev)
	l.h.push(ev)
}

// step pops one event from both and schedules the next at next(its time).
func (l *lockstep) step(next func(now time.Duration) time.Duration) {
	want := l.h.pop()
	require.Equal(l.t, want, l.q.pop())
	l.push(next(want.At), Class(l.rnd()%4))
}

// TestQueueKeepsBursts: when most events share a few instants (timers
// that all fire on the same tick), buckets overflow whatever their width;
// the ring keeps them, unsorted, and when a tick comes first its events
// go into a small heap of their own, instead of the big heap. The order is
// the heap's throughout.
func TestQueueKeepsBursts(t *testing.T) {
	l := newLockstep(t, 3)
	q := &l.q
	spread := func(now time.Duration) time.Duration { return now + time.Duration(1+l.rnd()%4000) }
	tick := func(now time.Duration) time.Duration { return (now/4096 + 1) * 4096 } // the next tick
	for range 3 * epochMin {
		l.step(spread)
	}
	require.True(t, q.ring != nil, "spread-out times: the ring is on")
	require.Less(t, q.far.len(), 400)
	drains := 0
	for range 12 * epochMin {
		burst := q.burstLen()
		l.step(tick)
		if q.burstLen() > burst {
			drains++ // a burst of two or more drained: one taken, the rest left
		}
	}
	require.True(t, q.ring != nil, "every event on a tick: the ring keeps them")
	require.Less(t, q.far.len(), 100, "and not the heap")
	require.GreaterOrEqual(t, drains, 12*epochMin/4000, "each tick's 4,000 events drained into a run at once")
	for range 10 * epochMin {
		l.step(spread)
	}
	require.True(t, q.ring != nil)
	require.Equal(t, 4000, q.len())
}

// TestQueueTurnsRingOff: when delays are spread so widely that no window
// holds most of them (log-uniform from 1 ns to about an hour), the ring
// only adds a detour and is turned off — the queue is the heap alone —
// with probes at growing intervals; narrow delays turn it on again. The
// order is the heap's throughout.
func TestQueueTurnsRingOff(t *testing.T) {
	l := newLockstep(t, 5)
	spread := func(now time.Duration) time.Duration { return now + time.Duration(1+l.rnd()%4000) }
	wide := func(now time.Duration) time.Duration { return now + time.Duration(1+l.rnd()%(1<<(l.rnd()%42))) }
	for range 3 * epochMin {
		l.step(spread)
	}
	require.True(t, l.q.ring != nil, "spread-out times: the ring is on")
	off := false
	for range 40 * epochMin {
		l.step(wide)
		off = off || l.q.ring == nil
	}
	require.True(t, off, "delays over twelve orders of magnitude: the ring went off")
	for range 200 * epochMin {
		l.step(spread)
	}
	require.True(t, l.q.ring != nil, "narrow again: a probe turned it back on")
	require.Equal(t, 4000, l.q.len())
}

// TestQueueSparseRing grows the ring to 2^14 buckets (four words of the
// summary bitmap) and then leaves a few events scattered across it, so that
// finding the next bucket goes through the summary and wraps around; the
// order must stay the heap's.
func TestQueueSparseRing(t *testing.T) {
	var q queue
	var h eventHeap
	var seq uint64
	rnd := splitmix(7)
	push := func(at time.Duration) {
		seq++
		ev := makeEvent(at, Class(rnd()%2), 0, int64(seq), 0, uint32(rnd()%3), seq)
		pushEv(&q, ev)
		h.push(ev)
	}
	pop := func() Event {
		want := h.pop()
		got := q.pop()
		require.Equal(t, want, got)
		return got
	}
	for range 6000 {
		push(time.Duration(rnd() % 8000))
	}
	require.GreaterOrEqual(t, q.bits, uint(13))
	for h.len() > 5 {
		pop()
	}
	for range 50_000 {
		ev := pop()
		push(ev.At + time.Duration(rnd()%7000))
	}
	for h.len() > 0 {
		pop()
	}
	require.Zero(t, q.len())
}

func TestBeforeIsLexicographic(t *testing.T) {
	ev := func(at int64, c Class, tie uint32, seq uint64) *Event {
		ev := makeEvent(time.Duration(at), c, 0, 0, 0, tie, seq)
		return &ev
	}
	require.True(t, before(ev(1, 9, 9, 9), ev(2, 0, 0, 0)))
	require.True(t, before(ev(1, 0, 9, 9), ev(1, 1, 0, 0)))
	require.True(t, before(ev(1, 1, 0, 9), ev(1, 1, 1, 0)))
	require.True(t, before(ev(1, 1, 1, 0), ev(1, 1, 1, 1)))
	require.False(t, before(ev(1, 1, 1, 1), ev(1, 1, 1, 1)))
	require.True(t, before(ev(0, 255, ^uint32(0), ^uint64(0)), ev(1<<62, 0, 0, 0)))
	require.False(t, before(ev(1<<62, 0, 0, 0), ev(0, 255, ^uint32(0), ^uint64(0))))
}

func BenchmarkQueue1k(b *testing.B) {
	var q queue
	s := uint64(1)
	rnd := func() uint64 { s = s*6364136223846793005 + 1442695040888963407; return s >> 33 }
	var seq uint64
	for range 1000 {
		seq++
		q.push(time.Duration(rnd()%2048), 0, 0, 0, 0, uint32(rnd()), seq)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ev := q.pop()
		seq++
		q.push(ev.At+time.Duration(1+rnd()%2048), Class(rnd()%4), 0, 0, 0, uint32(rnd()), seq)
	}
}

func BenchmarkQueue1(b *testing.B) {
	var q queue
	q.push(1, 0, 0, 0, 0, 0, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ev := q.pop()
		q.push(ev.At+1, 0, 0, 0, 0, 0, uint64(i)+2)
	}
}

func BenchmarkPRNGTie(b *testing.B) {
	c := NewPRNG(1)
	var s uint32
	for range b.N {
		s += c.Tie()
	}
	sinkU32 = s
}

var sinkU32 uint32

func TestEventSize(t *testing.T) {
	require.Equal(t, uintptr(48), unsafe.Sizeof(Event{}), "a multiple of 16 (see Event)")
}
