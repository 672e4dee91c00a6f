package sim_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/sim"
)

// workloadResult summarises one run of the determinism workload.
type workloadResult struct {
	hash   string // sha256 of the event log
	fired  int64
	now    time.Duration
	err    error
	ticks  int
	nested int
}

// workload runs a randomized kernel workload on c: many threads sleeping
// random (often zero) durations, plain events of several classes at the same
// instants, RunOn nesting on the current thread, RunOn from handlers, Go onto
// busy threads, Park and Unpark. Every step appends (now, thread id, step)
// to a log, whose hash identifies the run.
func workload(c sim.Chooser) workloadResult {
	w := sim.NewWorld(c, sim.Limits{})
	defer w.Close()
	ch := w.Chooser()
	var log []byte
	rec := func(step int64) {
		var id int
		if th := w.Current(); th != nil {
			id = th.ID()
		}
		log = binary.LittleEndian.AppendUint64(log, uint64(w.Now()))
		log = binary.LittleEndian.AppendUint32(log, uint32(id))
		log = binary.LittleEndian.AppendUint64(log, uint64(step))
	}

	var res workloadResult
	const nThreads = 12
	threads := make([]*sim.Thread, nThreads)
	for i := range threads {
		threads[i] = w.NewThread(fmt.Sprintf("t%d", i))
	}
	waiter := w.NewThread("waiter")

	var nest func(th *sim.Thread, depth int)
	nest = func(th *sim.Thread, depth int) {
		rec(1000 + int64(th.Depth()))
		res.nested = max(res.nested, th.Depth())
		if depth > 0 {
			w.RunOn(th, func() { nest(th, depth-1) })
		}
		if ch.Intn(3) == 0 {
			w.Sleep(time.Duration(ch.Intn(3)))
		}
		rec(2000 + int64(th.Depth()))
	}
	for _, th := range threads {
		w.Go(th, func() {
			for i := range 300 {
				rec(int64(i))
				w.Sleep(time.Duration(ch.Intn(4)))
				if ch.Intn(5) == 0 {
					nest(th, 1+ch.Intn(3))
				}
				if ch.Intn(8) == 0 && waiter.Parked() {
					w.Unpark(waiter)
				}
			}
		})
	}
	w.Go(waiter, func() {
		for i := range 1000 {
			rec(3000 + int64(i))
			w.Park()
		}
	})
	var tick sim.Kind
	tick = w.Handle(func(ev sim.Event) {
		rec(4000 + ev.A)
		res.ticks++
		if res.ticks < 4000 {
			w.After(time.Duration(ch.Intn(3)), sim.DefaultClass-1+sim.Class(ch.Intn(3)), tick, int64(ch.Intn(8)), 0)
		}
		th := threads[ch.Intn(nThreads)]
		switch ch.Intn(4) {
		case 0:
			if !th.Busy() {
				w.RunOn(th, func() { nest(th, ch.Intn(2)) })
			}
		case 1:
			w.Go(th, func() {
				rec(5000)
				w.Sleep(time.Duration(ch.Intn(2)))
				rec(5001)
			})
		}
	})
	for i := range 4 {
		w.Schedule(0, sim.Class(i), tick, int64(i), 0)
	}
	res.err = w.Run()
	res.fired = w.Fired()
	res.now = w.Now()
	sum := sha256.Sum256(log)
	res.hash = hex.EncodeToString(sum[:])
	return res
}

// goldenWorkload is the hash of workload(NewPRNG(42)). It must not depend on
// GOARCH or GOMAXPROCS; it changes only if the kernel's order of events or
// its use of the choice stream changes (then update it deliberately).
const goldenWorkload = "9ea259acbac74c325466baf6359c24795b19f60cf19bebe17e3216a6da337eef"

func TestDeterminism(t *testing.T) {
	first := workload(sim.NewPRNG(42))
	require.NoError(t, first.err)
	assert.GreaterOrEqual(t, first.fired, int64(10_000), "the workload is big enough")
	assert.GreaterOrEqual(t, first.nested, 3, "the workload nests RunOn calls")
	assert.GreaterOrEqual(t, first.ticks, 4000)

	second := workload(sim.NewPRNG(42))
	assert.Equal(t, first, second, "same seed, same run")

	prev := runtime.GOMAXPROCS(1)
	third := workload(sim.NewPRNG(42))
	runtime.GOMAXPROCS(prev)
	assert.Equal(t, first, third, "GOMAXPROCS does not matter")

	assert.Equal(t, goldenWorkload, first.hash, "GOARCH=%s: the run differs from the golden run", runtime.GOARCH)
	t.Logf("fired %d events, virtual time %v, hash %s", first.fired, first.now, first.hash)

	other := workload(sim.NewPRNG(43))
	require.NoError(t, other.err)
	assert.NotEqual(t, first.hash, other.hash, "another seed, another run")
}
