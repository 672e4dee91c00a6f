package sim

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNonBlockingCallbacksCostNoSwitch(t *testing.T) {
	w := NewWorld(NewPRNG(1), Limits{})
	th := w.NewThread("sta")
	calls := 0
	var k Kind
	k = w.Handle(func(Event) {
		w.RunOn(th, func() {
			w.RunOn(th, func() { calls++ }) // nested, still inline
		})
		if calls < 1000 {
			w.After(1, 0, k, 0, 0)
		}
	})
	w.Schedule(0, 0, k, 0, 0)
	require.NoError(t, w.Run())
	assert.Equal(t, 1000, calls)
	assert.Equal(t, int64(1), w.switches, "only the driver's resumption of the first coroutine")
	assert.Equal(t, 1, w.coros)
}

func TestSleepAloneIsInline(t *testing.T) {
	w := NewWorld(NewPRNG(1), Limits{})
	th := w.NewThread("t")
	w.Go(th, func() {
		for range 100 {
			w.Sleep(1)
		}
	})
	require.NoError(t, w.Run())
	assert.Equal(t, int64(101), w.fired)
	assert.Equal(t, int64(1), w.switches, "a wake-up that is the next event fires in place")
}

func TestBlockResumeCostsTwoSwitches(t *testing.T) {
	w := NewWorld(NewPRNG(1), Limits{})
	th := w.NewThread("t")
	ticks := 0
	var tick Kind
	tick = w.Handle(func(Event) {
		if ticks++; ticks < 100 {
			w.After(2, 0, tick, 0, 0)
		}
	})
	w.Go(th, func() {
		for range 100 {
			w.Sleep(2) // a tick always fires in between
		}
	})
	w.Schedule(1, 0, tick, 0, 0)
	require.NoError(t, w.Run())
	// The driver starts the first coroutine, and a second one when the first
	// blocks; then each of the 100 wake-ups costs one resumption (plus the
	// yield back when the thread blocks again).
	assert.Equal(t, int64(2+100), w.switches)
	assert.Equal(t, 2, w.coros)
	assert.Empty(t, w.idle, "idle coroutines are released after the run")
}

func TestCoroutinesBoundedByBlockedThreads(t *testing.T) {
	w := NewWorld(NewPRNG(5), Limits{})
	const n = 20
	for i := range n {
		th := w.NewThread("t")
		w.Go(th, func() {
			for j := range 50 {
				w.Sleep(time.Duration(w.Chooser().Intn(5)))
				if j%7 == i%7 {
					w.Park()
				}
			}
		})
		_ = i
	}
	var k Kind
	k = w.Handle(func(Event) {
		for _, th := range w.threads[1:] {
			if th.parked {
				w.Unpark(th)
			}
		}
		if w.Pending() > 0 {
			w.After(3, 0, k, 0, 0)
		}
	})
	w.Schedule(0, 0, k, 0, 0)
	require.NoError(t, w.Run())
	for _, th := range w.threads[1:] {
		assert.False(t, th.Busy())
	}
	assert.LessOrEqual(t, w.coros, n+1, "a coroutine is created only when all others hold blocked threads")
}

// recoveredStack runs f and returns the function names on the stack where
// its panic was recovered (what rapid compares), with the panic value.
func recoveredStack(f func()) (names []string, value any) {
	defer func() {
		value = recover()
		var pcs [64]uintptr
		frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs[:])])
		for { // up to Run's re-raise: the part that depends on the panic site
			fr, more := frames.Next()
			if strings.HasSuffix(fr.Function, "(*World).run.func1") || !more {
				break
			}
			names = append(names, fmt.Sprintf("%s:%d", fr.Function, fr.Line))
		}
	}()
	f()
	return nil, nil
}

//go:noinline
func panicIn(site int) func() {
	return func() {
		w := NewWorld(NewPRNG(1), Limits{})
		th := w.NewThread("t")
		w.Go(th, func() {
			w.Sleep(1)
			if site == 1 {
				panic("boom")
			}
			panic("boom") // same value, another site
		})
		_ = w.Run()
	}
}

func TestPanicSitesStayApart(t *testing.T) {
	a1, v1 := recoveredStack(panicIn(1))
	a2, v2 := recoveredStack(panicIn(1))
	b, v3 := recoveredStack(panicIn(2))
	require.Equal(t, "boom", v1, "the original value")
	require.Equal(t, "boom", v2)
	require.Equal(t, "boom", v3)
	assert.Greater(t, len(a1), panicSiteBits, "re-raised through the chain")
	assert.Equal(t, a1, a2, "one site, one stack")
	assert.NotEqual(t, a1, b, "two sites, two stacks")
}
