package sim_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/sim/rapidsim"
)

// recorder is a rapid.TB that records what rapid reports instead of failing
// the real test, so a test can assert that a property fails and how small
// its shrunk counterexample is.
type recorder struct {
	name   string
	logs   []string
	errors []string
	failed bool
	fatal  bool
}

// newRecorder returns a recorder whose Name is unique to this process (rapid
// keeps fail files under testdata/rapid/<Name>/) and removes that directory
// when the test ends.
func newRecorder(t *testing.T) *recorder {
	r := &recorder{name: fmt.Sprintf("%s-recorder-%d", t.Name(), os.Getpid())}
	t.Cleanup(func() {
		dir := filepath.Join("testdata", "rapid")
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), fmt.Sprintf("-recorder-%d", os.Getpid())) {
				_ = os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
		_ = os.Remove(dir)        // only if empty
		_ = os.Remove("testdata") // only if empty
	})
	return r
}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return r.name }
func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}
func (r *recorder) Log(args ...any) { r.logs = append(r.logs, fmt.Sprint(args...)) }
func (r *recorder) Skipf(format string, args ...any) {
	r.logs = append(r.logs, "skip: "+fmt.Sprintf(format, args...))
}
func (r *recorder) Skip(args ...any) { r.logs = append(r.logs, "skip: "+fmt.Sprint(args...)) }
func (r *recorder) SkipNow()         { r.logs = append(r.logs, "skip") }
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
	r.failed = true
}
func (r *recorder) Error(args ...any) {
	r.errors = append(r.errors, fmt.Sprint(args...))
	r.failed = true
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
}
func (r *recorder) Fatal(args ...any) { r.Error(args...); r.fatal = true }
func (r *recorder) FailNow()          { r.failed = true; r.fatal = true } // rapid calls it last
func (r *recorder) Fail()             { r.failed = true }
func (r *recorder) Failed() bool      { return r.failed }

// lastValue returns the value of the last logged line "key: value".
func (r *recorder) lastValue(t *testing.T, key string) string {
	t.Helper()
	for i := len(r.logs) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(r.logs[i], key+": "); ok {
			return v
		}
	}
	t.Fatalf("no %q in the recorded log:\n%s", key, strings.Join(r.logs, "\n"))
	return ""
}

// lastCase returns the lines the property logged in its last run (rapid's
// replay of the shrunk counterexample), from its "steps:" line on, without
// rapid's own "[rapid] draw" lines.
func (r *recorder) lastCase() []string {
	start := 0
	for i := len(r.logs) - 1; i >= 0; i-- {
		if strings.HasPrefix(r.logs[i], "steps: ") {
			start = i
			break
		}
	}
	var out []string
	for _, l := range r.logs[start:] {
		if !strings.HasPrefix(l, "[rapid]") {
			out = append(out, l)
		}
	}
	return out
}

// lostUpdate is a property with a planted concurrency bug: each step makes
// a thread read a shared counter, sleep, and write it back plus one. Two
// steps on different threads whose read-sleep-write windows overlap lose an
// update, which only some schedules (thread choices, sleeps, tie order)
// produce.
func lostUpdate(t *rapid.T) {
	w := sim.NewWorld(rapidsim.New(t), sim.Limits{})
	defer w.Close()
	ch := w.Chooser()
	threads := []*sim.Thread{w.NewThread("a"), w.NewThread("b"), w.NewThread("c")}
	n := rapid.IntRange(1, 30).Draw(t, "n")
	t.Logf("steps: %d", n)
	counter := 0
	for i := range n {
		th := threads[ch.Intn(len(threads))]
		d := time.Duration(ch.Intn(4))
		t.Logf("step %d: thread %s reads, sleeps %v, writes", i, th.Name(), d)
		w.Go(th, func() {
			v := counter
			w.Sleep(d)
			counter = v + 1
		})
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if counter != n {
		t.Fatalf("lost update: counter = %d after %d increments", counter, n)
	}
}

func TestShrinkLostUpdate(t *testing.T) {
	rec := newRecorder(t)
	rapid.Check(rec, lostUpdate)
	require.True(t, rec.Failed(), "rapid found no counterexample")
	joined := strings.Join(rec.errors, "\n")
	assert.Contains(t, joined, "lost update")
	steps, err := strconv.Atoi(rec.lastValue(t, "steps"))
	require.NoError(t, err)
	assert.LessOrEqual(t, steps, 5, "the counterexample shrank")
	assert.GreaterOrEqual(t, steps, 2, "a lost update needs two steps")
	t.Logf("shrunk to %d steps:\n%s", steps, strings.Join(rec.lastCase(), "\n"))
}

// tieOrder is a property that fails only when two events scheduled for the
// same instant and class fire against their scheduling order: the bug is in
// the schedule alone, and shrinking must keep a nonzero tie key.
func tieOrder(t *rapid.T) {
	w := sim.NewWorld(rapidsim.New(t), sim.Limits{})
	defer w.Close()
	n := rapid.IntRange(2, 20).Draw(t, "n")
	t.Logf("steps: %d", n)
	var fired []int64
	k := w.Handle(func(ev sim.Event) {
		fired = append(fired, ev.A)
		t.Logf("fired %d (tie %d)", ev.A, ev.Tie())
	})
	for i := range n {
		w.Schedule(0, 0, k, int64(i), 0)
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if fired[0] != 0 {
		t.Fatalf("event %d overtook event 0", fired[0])
	}
}

func TestShrinkTieOrder(t *testing.T) {
	rec := newRecorder(t)
	rapid.Check(rec, tieOrder)
	require.True(t, rec.Failed(), "rapid found no counterexample")
	assert.Contains(t, strings.Join(rec.errors, "\n"), "overtook event 0")
	// The minimal counterexample: two events, the second with tie key 0 and
	// the first with the smallest key that puts it behind: 1.
	assert.Equal(t, []string{"steps: 2", "fired 1 (tie 0)", "fired 0 (tie 1)", "event 1 overtook event 0"}, rec.lastCase())
}

func TestRapidChooser(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ch := rapidsim.New(t)
		for n := 1; n < 300; n += 37 {
			v := ch.Intn(n)
			if v < 0 || v >= n {
				t.Fatalf("Intn(%d) = %d", n, v)
			}
		}
		if tie := ch.Tie(); tie > 3 {
			t.Fatalf("Tie() = %d, want a small key", tie)
		}
		if v := panicValue(func() { ch.Intn(0) }); v != "sim: Intn(0): n must be >= 1" {
			t.Fatalf("Intn(0) panicked with %v", v)
		}
	})
}

func TestRapidFailureInsideAThread(t *testing.T) {
	// rapid's t.Fatalf inside thread code (a panic travelling through the
	// coroutines) fails the property like anywhere else, and shrinks; running
	// out of data in a draw inside a thread (as shrinking does) is not
	// mistaken for that failure.
	before := runtime.NumGoroutine()
	rec := newRecorder(t)
	rapid.Check(rec, func(t *rapid.T) {
		w := sim.NewWorld(rapidsim.New(t), sim.Limits{})
		defer w.Close()
		n := rapid.IntRange(1, 10).Draw(t, "n")
		t.Logf("steps: %d", n)
		for i := range n {
			th := w.NewThread(fmt.Sprint("t", i))
			w.Go(th, func() {
				w.Sleep(time.Duration(w.Chooser().Intn(10)))
				if w.Now() >= 5 {
					t.Fatalf("%s woke at %v", th.Name(), w.Now())
				}
			})
		}
		_ = w.Run()
	})
	require.True(t, rec.Failed())
	last := rec.lastCase()
	require.NotEmpty(t, last)
	assert.Equal(t, "steps: 1", last[0], "shrunk to one thread")
	errs := strings.Join(rec.errors, "\n")
	// Not "invalid data: overrun": rapid tells apart failures by their stack,
	// and the kernel keeps panics from different sites apart (see repanic).
	assert.Contains(t, errs, "[rapid] failed after")
	assert.Regexp(t, `t0 woke at [5-9]ns`, errs)
	assertNoLeak(t, before)
}
