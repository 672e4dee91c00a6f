//go:build !windows

package combridge_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/combridge"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/render"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// simWorkload runs the differential workload (workload_test.go) in the
// simulator under opts: the jobs created in order, then one resumed each
// hour (each rests long before the next), the late registration half an
// hour after its job's Resume.
func simWorkload(t *testing.T, opts scheduler.Options) []trace.Record {
	t.Helper()
	res, err := scenarios.Run("workload", 1, opts, func(e *scenarios.Env) {
		app := e.Svc.StartClient("app-1", e.Svc.AddUser("alice", false), scheduler.MTA)
		for i, w := range workload {
			j := simJob(t, app, w)
			cb := newWorkCallback(w)
			at := time.Duration(i) * time.Hour
			e.At(at, func() {
				if w.reg == regBefore {
					require.Equal(t, callbackabi.S_OK, j.SetNotifyInterface(cb))
				}
				require.Equal(t, callbackabi.S_OK, j.Resume())
			})
			if w.reg == regAfter {
				e.At(at+30*time.Minute, func() { require.Equal(t, callbackabi.S_OK, j.SetNotifyInterface(cb)) })
			}
		}
	})
	require.NoError(t, err)
	return res.Records
}

// simWorkloadSTA is the workload's STA client in the simulator.
func simWorkloadSTA(t *testing.T, opts scheduler.Options) []trace.Record {
	t.Helper()
	res, err := scenarios.Run("workload-sta", 1, opts, func(e *scenarios.Env) {
		app := e.Svc.StartClient("app-1", e.Svc.AddUser("alice", false), scheduler.STA)
		j := simJob(t, app, workloadSTA)
		require.Equal(t, callbackabi.S_OK, j.SetNotifyInterface(newWorkCallback(workloadSTA)))
		require.Equal(t, callbackabi.S_OK, j.Resume())
	})
	require.NoError(t, err)
	return res.Records
}

// simJob creates w's job as the bridge test does (flags JT|JE, then w's).
func simJob(t *testing.T, app *scheduler.Client, w workJob) *scheduler.JobRef {
	j, hr := app.CreateJob("bitsim workload "+w.name, callbackabi.BG_JOB_TYPE_DOWNLOAD)
	require.Equal(t, callbackabi.S_OK, hr)
	spec := scheduler.FileSpec{RemoteURL: "http://127.0.0.1/payload.bin", LocalName: `C:\payload.bin`, Size: 190_000}
	if w.missing {
		spec.RemoteURL = "http://127.0.0.1/missing.bin"
		spec.Failures = []scheduler.Failure{scheduler.HTTPError(404)}
	}
	require.Equal(t, callbackabi.S_OK, j.AddFileSpec(spec))
	require.Equal(t, callbackabi.S_OK, j.SetNotifyFlags(jtje))
	require.Equal(t, callbackabi.S_OK, j.SetNotifyFlags(w.flags))
	return j
}

// outline is a trace normalized for comparison: per job (named job-1,
// job-2 … in the order of job.create), the calls in order as "method hr"
// and the final state, and every call in order. Ids and times are gone,
// and so are the states a recorder could not see in between.
type outline struct {
	calls  map[string][]string
	final  map[string]string
	jobs   []string
	global []string // every call in order: "job method hr"
}

func outlineOf(recs []trace.Record) outline {
	o := outline{calls: map[string][]string{}, final: map[string]string{}}
	names := map[string]string{}
	method := map[int64]string{}
	job := map[int64]string{}
	for _, r := range recs {
		switch r.Ev {
		case trace.EvJobCreate:
			n := fmt.Sprintf("job-%d", len(o.jobs)+1)
			names[r.Job] = n
			o.jobs = append(o.jobs, n)
			o.final[n] = "SUSPENDED"
		case trace.EvJobState:
			o.final[names[r.Job]] = r.To.String()
		case trace.EvCallBegin:
			method[r.Call], job[r.Call] = r.Method.String(), names[r.Job]
		case trace.EvCallEnd:
			c := method[r.Call] + " " + r.HR.String()
			if r.Outcome != "" {
				c += " " + r.Outcome
			}
			o.calls[job[r.Call]] = append(o.calls[job[r.Call]], c)
			o.global = append(o.global, job[r.Call]+" "+c)
		}
	}
	return o
}

// row is one job's line of the outline: "JobTransferred E_FAIL,
// JobTransferred S_OK; TRANSFERRED" ("no call" when none).
func (o outline) row(job string) string {
	calls := "no call"
	if c := o.calls[job]; len(c) > 0 {
		calls = strings.Join(c, ", ")
	}
	return calls + "; " + o.final[job]
}

func (o outline) String() string {
	var b strings.Builder
	for _, j := range o.jobs {
		fmt.Fprintf(&b, "%s: %s\n", j, o.row(j))
	}
	return b.String()
}

// brokenRules returns the ids of the rules the trace breaks, as
// CheckObserved judges it, sorted.
func brokenRules(recs []trace.Record) []string {
	vs, _ := catalogue.CheckObserved(recs)
	var ids []string
	for _, v := range vs {
		if !slices.Contains(ids, v.Rule) {
			ids = append(ids, v.Rule)
		}
	}
	slices.Sort(ids)
	return ids
}

// wineBreaks is what the Wine profile breaks in the workload (and what
// TestWineCompatBreaksG18G20G3 shows it breaks): G3, DISABLE ignored (the
// "disabled" job); G18, never a late notification ("late") and never a
// JobError ("404"); G20, a failed JobTransferred never retried
// ("fails-once").
var wineBreaks = []string{"G18", "G20", "G3"}

// judgeRecorded is what CI does with a trace of real BITS: check it (only
// the rules it can decide), and render it as text and HTML.
func judgeRecorded(t *testing.T, recs []trace.Record, want []string) {
	t.Helper()
	require.Equal(t, combridge.ObservedKinds, recs[0].Observed, "run.start lists what the recorder sees")
	_, skipped := catalogue.CheckObserved(recs)
	require.NotEmpty(t, skipped, "an observed trace skips the rules it cannot decide")
	assert.Equal(t, want, brokenRules(recs))
	var text, html bytes.Buffer
	require.NoError(t, render.TextWith(&text, recs, render.Options{}))
	require.NoError(t, render.HTMLWith(&html, recs, render.Options{}))
	require.Contains(t, text.String(), "JobTransferred")
	require.Contains(t, text.String(), "observed: recorded outside the service")
	require.Contains(t, html.String(), "recorded outside the service")
	require.Contains(t, html.String(), "<svg")
}

// compareWorkload holds a trace of real BITS against the simulator's
// WineCompat run of the same workload: the same calls, in the same order,
// with the same results, and the same final states.
func compareWorkload(t *testing.T, real, sim []trace.Record) {
	t.Helper()
	r, s := outlineOf(real), outlineOf(sim)
	assert.Equal(t, s.String(), r.String(), "per job: real BITS (actual) against WineCompat (expected)")
	assert.Equal(t, s.global, r.global, "every call in order")
}

// The recorded trace of Wine's BITS kept in testdata (TestUnderWine
// records a fresh one on every CI run and holds it to the same tests) is
// the Wine profile's trace, normalized; and the default profile differs
// from it exactly where docs/MODEL.md section 7 says.
func TestWorkloadDifferential(t *testing.T) {
	wine := readTrace(t, "testdata/wine-workload.jsonl")
	judgeRecorded(t, wine, wineBreaks)
	compareWorkload(t, wine, simWorkload(t, scheduler.WineCompatOptions()))
	compareWorkload(t, readTrace(t, "testdata/wine-workload-sta.jsonl"), simWorkloadSTA(t, scheduler.WineCompatOptions()))
	diffMatchesModel(t, wine)
}

// diffMatchesModel compares the default profile's workload with the
// recorded Wine trace, job by job, against the table of docs/MODEL.md
// section 7: a job whose outline differs has a row there with both
// outlines, and every row is such a job.
func diffMatchesModel(t *testing.T, wine []trace.Record) {
	t.Helper()
	def := simWorkload(t, scheduler.DefaultOptions())
	require.Empty(t, catalogue.Check(def), "the default profile keeps every promise")
	assert.Equal(t, modelTable(t), differences(def, wine), "default profile against Wine, job by job (docs/MODEL.md section 7)")
}

// differences returns, for each job whose outline differs between the
// default profile's trace def and Wine's, both rows.
func differences(def, wine []trace.Record) map[string][2]string {
	d, w := outlineOf(def), outlineOf(wine)
	got := map[string][2]string{}
	for _, j := range d.jobs {
		if d.row(j) != w.row(j) {
			got[j] = [2]string{d.row(j), w.row(j)}
		}
	}
	return got
}

// modelTable reads the table of docs/MODEL.md section 7: job, default
// profile's row, Wine's row.
func modelTable(t *testing.T) map[string][2]string {
	t.Helper()
	doc, err := os.ReadFile("../docs/MODEL.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(doc), "\n## 7. ")
	require.True(t, ok, "docs/MODEL.md has a section 7")
	rows := regexp.MustCompile("(?m)^\\| `(job-\\d+)` \\| [^|]* \\| ([^|]*) \\| ([^|]*) \\|")
	want := map[string][2]string{}
	for _, m := range rows.FindAllStringSubmatch(section, -1) {
		want[m[1]] = [2]string{strings.TrimSpace(m[2]), strings.TrimSpace(m[3])}
	}
	require.NotEmpty(t, want, "the table of section 7")
	return want
}

// The comparisons can fail: a default profile that never retries (mutant
// NoRetry) loses the fails-once row of the MODEL.md table, and a Wine
// trace in which fails-once's JobTransferred had succeeded no longer
// matches the Wine profile, nor breaks G20.
func TestDifferentialCanFail(t *testing.T) {
	wine := readTrace(t, "testdata/wine-workload.jsonl")
	opts := scheduler.DefaultOptions()
	opts.Mutants = mutant.NoRetry
	assert.NotEqual(t, modelTable(t), differences(simWorkload(t, opts), wine))

	bad := slices.Clone(wine)
	flipped := false
	for i := range bad {
		if bad[i].Ev == trace.EvCallEnd && bad[i].HR == callbackabi.E_FAIL {
			bad[i].HR, flipped = callbackabi.S_OK, true
		}
	}
	require.True(t, flipped)
	assert.NotEqual(t, outlineOf(simWorkload(t, scheduler.WineCompatOptions())).String(), outlineOf(bad).String())
	assert.Equal(t, []string{"G18", "G3"}, brokenRules(bad))
}

func readTrace(t *testing.T, path string) []trace.Record {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := trace.Parse(f)
	require.NoError(t, err)
	return recs
}
