package sim_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/sim"
)

// A panic that catch contains ends the RunOnCatch normally: catch saw the
// value, still as the thread, at its depth; after it the thread is idle
// again and the handler goes on.
func TestRunOnCatchContains(t *testing.T) {
	w := fifo()
	th := w.NewThread("t")
	var got any
	var cur *sim.Thread
	var depth, after int
	w.AfterFunc(0, func() {
		w.RunOnCatch(th, func() { panic("callback bug") }, func(r any) bool {
			got, cur, depth = r, w.Current(), th.Depth()
			return true
		})
		after = th.Depth()
		w.RunOn(th, func() {}) // the thread is usable again
	})
	require.NoError(t, w.Run())
	require.Equal(t, "callback bug", got)
	require.Same(t, th, cur, "catch runs as the thread")
	require.Equal(t, 1, depth)
	require.Zero(t, after, "the thread is left")
	require.Nil(t, w.Current())
}

// A nested RunOnCatch contains its own panic; the outer call goes on at
// its depth.
func TestRunOnCatchNested(t *testing.T) {
	w := fifo()
	th := w.NewThread("sta")
	var log []string
	w.AfterFunc(0, func() {
		w.RunOnCatch(th, func() {
			w.RunOnCatch(th, func() { panic("inner") }, func(r any) bool {
				log = append(log, "caught inner at depth "+itoa(int64(th.Depth())))
				return true
			})
			log = append(log, "outer goes on at depth "+itoa(int64(th.Depth())))
		}, func(any) bool { log = append(log, "outer caught"); return true })
	})
	require.NoError(t, w.Run())
	require.Equal(t, []string{"caught inner at depth 2", "outer goes on at depth 1"}, log)
}

// A panic catch declines goes on with its own value: Run re-raises it,
// and the world is finished.
func TestRunOnCatchDeclines(t *testing.T) {
	w := fifo()
	th := w.NewThread("t")
	boom := errors.New("scheduler bug")
	asked := 0
	w.AfterFunc(0, func() {
		w.RunOnCatch(th, func() { panic(boom) }, func(any) bool { asked++; return false })
	})
	require.Equal(t, boom, panicValue(func() { _ = w.Run() }))
	require.Equal(t, 1, asked)
	require.ErrorIs(t, w.Run(), sim.ErrFinished)
}

// The kernel's unwind never reaches catch: Close unwinds a thread blocked
// inside a RunOnCatch as it would inside a RunOn.
func TestRunOnCatchLetsUnwindThrough(t *testing.T) {
	w := fifo()
	th := w.NewThread("t")
	asked := 0
	w.AfterFunc(0, func() {
		w.RunOnCatch(th, func() { w.Park() }, func(any) bool { asked++; return true })
	})
	require.NoError(t, w.Run())
	require.True(t, th.Parked())
	w.Close()
	require.Zero(t, asked, "the unwind is the kernel's own")
}

// Misuse is refused as by RunOn, with the operation's name.
func TestRunOnCatchMisuse(t *testing.T) {
	w := fifo()
	th := w.NewThread("t")
	other := w.NewThread("other")
	ok := func(any) bool { return true }
	requirePanics(t, "sim: RunOnCatch(thread 1 \"t\") outside a run (call it from a handler or a virtual thread)", func() { w.RunOnCatch(th, func() {}, ok) })
	var nilFn, nested any
	w.AfterFunc(0, func() {
		nilFn = panicValue(func() { w.RunOnCatch(th, nil, ok) })
		w.RunOn(other, func() { nested = panicValue(func() { w.RunOnCatch(th, func() {}, ok) }) })
	})
	require.NoError(t, w.Run())
	require.Equal(t, "sim: RunOnCatch with a nil func", nilFn)
	require.Equal(t, "sim: RunOnCatch(thread 1 \"t\") called from thread 2 \"other\": a thread can only nest calls on itself", nested)
}

// A declined panic leaves the thread as RunOn's deferred bookkeeping
// does: a handler that recovers it finds no thread current and the thread
// idle.
func TestRunOnCatchDeclinedLeavesTheThread(t *testing.T) {
	w := fifo()
	th := w.NewThread("t")
	var r any
	var cur *sim.Thread
	depth := -1
	w.AfterFunc(0, func() {
		r = panicValue(func() {
			w.RunOnCatch(th, func() { panic("not mine") }, func(any) bool { return false })
		})
		cur, depth = w.Current(), th.Depth()
	})
	require.NoError(t, w.Run())
	require.Equal(t, "not mine", r)
	require.Nil(t, cur)
	require.Zero(t, depth)
}
