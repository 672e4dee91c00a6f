package sim_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/sim"
)

// script is a Chooser that returns scripted tie keys (then 0) and 0 choices.
type script struct {
	ties []uint32
	n    int
}

func (s *script) Intn(n int) int {
	if n < 1 {
		panic(fmt.Sprintf("Intn(%d)", n))
	}
	return 0
}

func (s *script) Tie() uint32 {
	if s.n < len(s.ties) {
		s.n++
		return s.ties[s.n-1]
	}
	return 0
}

// fifo returns a world whose events at one instant and class fire in
// scheduling order.
func fifo() *sim.World { return sim.NewWorld(&script{}, sim.Limits{}) }

// panicValue runs f and returns what it panicked with (nil if it returned).
func panicValue(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// requirePanics checks that f panics with exactly msg.
func requirePanics(t *testing.T, msg string, f func()) {
	t.Helper()
	require.Equal(t, msg, panicValue(f))
}

// assertNoLeak checks that no goroutine outlived the world code: the count
// may only have dropped (goroutines of earlier tests may still be exiting).
// A goroutine that has just done its last send (a test's own runner of
// w.Run) may not have exited yet: on a slow machine (GOARCH=arm under
// qemu-user in CI) the count briefly includes it, so the check yields the
// processor a bounded number of times before it judges.
func assertNoLeak(t *testing.T, before int) {
	t.Helper()
	for i := 0; i < 10_000 && runtime.NumGoroutine() > before; i++ {
		runtime.Gosched()
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines leaked")
}
