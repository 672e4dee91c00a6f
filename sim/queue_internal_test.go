package sim

import (
	"sort"
	"testing"
	"time"

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
			ev := Event{
				At:    time.Duration(rapid.Int64Range(0, 5).Draw(t, "at")),
				Class: Class(rapid.IntRange(0, 2).Draw(t, "class")),
				tie:   uint32(rapid.IntRange(0, 2).Draw(t, "tie")),
				seq:   seq,
			}
			if rapid.IntRange(0, 9).Draw(t, "big?") == 0 {
				ev.At, ev.tie, ev.Class = 1<<62, ^uint32(0), 255
			}
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
		return &Event{At: time.Duration(at), Class: c, tie: tie, seq: seq}
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
		q.push(Event{At: time.Duration(rnd() % 2048), tie: uint32(rnd()), seq: seq})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ev := q.pop()
		seq++
		q.push(Event{At: ev.At + time.Duration(1+rnd()%2048), tie: uint32(rnd()), Class: Class(rnd() % 4), seq: seq})
	}
}
