package scheduler

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRingKeepsOrderAcrossGrowth: a ring that wrapped around (head past 0)
// and then grows keeps its elements in FIFO order — push's growth copies
// the part from head to the end first, then the part before head.
func TestRingKeepsOrderAcrossGrowth(t *testing.T) {
	var r ring[int32]
	next, want := int32(0), int32(0)
	for round := 0; round < 6; round++ {
		// Take a few off so head moves, then push past the capacity.
		for k := 0; k < 3 && r.len() > 0; k++ {
			require.Equal(t, want, r.pop())
			want++
		}
		for k, n := 0, 2*len(r.buf)+5; k < n; k++ {
			r.push(next)
			next++
		}
		require.Zero(t, len(r.buf)&(len(r.buf)-1), "the buffer's length stays a power of two")
		for k := 0; k < r.len(); k++ {
			require.Equal(t, want+int32(k), *r.at(k), "element %d after growth", k)
		}
	}
	for r.len() > 0 {
		require.Equal(t, want, r.pop())
		want++
	}
	require.Equal(t, next, want)
}
