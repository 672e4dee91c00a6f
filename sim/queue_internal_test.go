package sim

import (
	"sort"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestQueueOrder checks the heap against a sorted reference under random
// pushes and pops, including many equal keys.
func TestQueueOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var q queue
		var ref []Event
		var seq uint64
		ops := rapid.IntRange(1, 300).Draw(t, "ops")
		for range ops {
			if len(ref) > 0 && rapid.IntRange(0, 2).Draw(t, "pop?") == 0 {
				sort.Slice(ref, func(i, j int) bool { return before(&ref[i], &ref[j]) })
				got := q.pop()
				require.Equal(t, ref[0], got)
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
			ev := makeEvent(at, c, 0, 0, 0, tie, seq)
			q.push(ev)
			ref = append(ref, ev)
			require.Equal(t, len(ref), q.len())
		}
		sort.Slice(ref, func(i, j int) bool { return before(&ref[i], &ref[j]) })
		for _, want := range ref {
			require.Equal(t, want, q.pop())
		}
		require.Zero(t, q.len())
	})
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
		q.push(makeEvent(time.Duration(rnd()%2048), 0, 0, 0, 0, uint32(rnd()), seq))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ev := q.pop()
		seq++
		q.push(makeEvent(ev.At+time.Duration(1+rnd()%2048), Class(rnd()%4), 0, 0, 0, uint32(rnd()), seq))
	}
}

func BenchmarkQueue1(b *testing.B) {
	var q queue
	q.push(Event{At: 1, seq: 1})
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ev := q.pop()
		q.push(Event{At: ev.At + 1, seq: uint64(i) + 2})
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
