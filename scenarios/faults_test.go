package scenarios_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// defaultFaultRun is the "default run" of the fault generator the counter
// tests use: seeds 0 to 299.
const defaultFaultRun = 300

// No vacuous green: over the default run of the faults scenario every
// FaultKind is planned at least once, the faults the trace can show did
// happen (range-support and HTTP errors, network loss, TRANSIENT_ERROR
// stays of three and more errors, the no-progress timeout, logoff and
// logon), and every world honours the catalogue.
func TestFaultWorldsContainEveryFault(t *testing.T) {
	var total scenarios.FaultCounts
	seen := map[string]int{}
	for seed := uint64(0); seed < defaultFaultRun; seed++ {
		res, counts, err := scenarios.RunFaults(seed, scheduler.DefaultOptions())
		require.NoError(t, err, "seed %d", seed)
		total.Add(counts)
		transients := map[string]int{}
		for _, r := range res.Records {
			switch {
			case r.Ev == trace.EvJobError && r.HR == callbackabi.BG_E_INSUFFICIENT_RANGE_SUPPORT:
				seen["range-support error (G48)"]++
			case r.Ev == trace.EvJobError && r.HR >= callbackabi.BG_E_HTTP_ERROR(100) && r.HR <= callbackabi.BG_E_HTTP_ERROR(599):
				seen["HTTP error"]++
			case r.Ev == trace.EvJobError && r.HR == callbackabi.BG_E_NETWORK_DISCONNECTED:
				seen["network loss (G44)"]++
			case r.Ev == trace.EvJobState && r.From == callbackabi.BG_JOB_STATE_TRANSIENT_ERROR && r.To == callbackabi.BG_JOB_STATE_ERROR:
				seen["no-progress timeout (G46)"]++
			case r.Ev == trace.EvJobState && r.To == callbackabi.BG_JOB_STATE_TRANSIENT_ERROR:
				if transients[r.Job]++; transients[r.Job] == 3 {
					seen["three TRANSIENT_ERROR stays of one job"]++
				}
			case r.Ev == trace.EvUserLogoff:
				seen["user.logoff"]++
			case r.Ev == trace.EvUserLogon:
				seen["user.logon"]++
			case r.Ev == trace.EvClientExit && r.Reason == "logoff":
				seen["client.exit logoff"]++
			}
		}
		if v := catalogue.Check(res.Records); len(v) > 0 {
			t.Errorf("seed %d: %v", seed, v[0])
		}
	}
	t.Logf("planned over %d worlds: %v", defaultFaultRun, total)
	t.Logf("seen in the traces: %v", seen)
	require.Empty(t, total.Missing(), "fault kinds never planned: %v", total)
	for _, what := range []string{"range-support error (G48)", "HTTP error", "network loss (G44)", "no-progress timeout (G46)",
		"three TRANSIENT_ERROR stays of one job", "user.logoff", "user.logon", "client.exit logoff"} {
		require.Positive(t, seen[what], "never happened: %s", what)
	}
}

// What only a client sees happens too: with a probing callback in the fault
// worlds of the default run, a JobError receives an error object whose
// GetError fails, one whose file's GetProgress fails, a Complete fails to
// rename (G41), a Cancel cannot delete (BG_S_UNABLE_TO_DELETE_FILES, G40),
// an upload and an upload-reply job transfer (G11), a file above 2 GB
// transfers, and a FOREGROUND job transfers (the G48 remedy's priority).
func TestFaultWorldsReachTheClient(t *testing.T) {
	seen := map[string]int{}
	var total scenarios.FaultCounts
	for seed := uint64(0); seed < defaultFaultRun; seed++ {
		w := sim.NewWorld(sim.NewPRNG(seed), sim.Limits{MaxTime: 6 * time.Hour})
		var counts scenarios.FaultCounts
		probe := func(e *scenarios.Env) callbackabi.Callback {
			return &scenarios.Funcs{
				Transferred: func(j callbackabi.Job) callbackabi.HRESULT {
					typ, _ := j.GetType()
					p, _ := j.GetProgress()
					prio, _ := j.(interface {
						GetPriority() (callbackabi.JobPriority, callbackabi.HRESULT)
					}).GetPriority()
					switch hr := j.Complete(); {
					case hr == callbackabi.E_ACCESSDENIED:
						seen["Complete: rename fails"]++
						return callbackabi.S_OK // the job stays TRANSFERRED (G41)
					case hr == callbackabi.BG_S_UNABLE_TO_DELETE_FILES:
						seen["Complete: delete fails"]++
					}
					switch {
					case typ == callbackabi.BG_JOB_TYPE_UPLOAD:
						seen["upload transferred"]++
					case typ == callbackabi.BG_JOB_TYPE_UPLOAD_REPLY:
						seen["upload-reply transferred"]++
					case p.BytesTotal > callbackabi.TwoGB && p.BytesTotal != callbackabi.BG_SIZE_UNKNOWN:
						seen["above 2 GB transferred"]++
					}
					if prio == callbackabi.BG_JOB_PRIORITY_FOREGROUND {
						seen["FOREGROUND transferred"]++
					}
					return callbackabi.S_OK
				},
				Error: func(j callbackabi.Job, e callbackabi.Error) callbackabi.HRESULT {
					if _, _, hr := e.GetError(); hr.Failed() {
						seen["JobError: GetError fails"]++
					} else if f, hr := e.GetFile(); hr == callbackabi.S_OK {
						if _, hr := f.GetProgress(); hr.Failed() {
							seen["JobError: the file's GetProgress fails"]++
						}
					}
					if j.Cancel() == callbackabi.BG_S_UNABLE_TO_DELETE_FILES {
						seen["Cancel: delete fails"]++
					}
					return callbackabi.S_OK
				},
			}
		}
		_, err := scenarios.RunIn(w, "faults-probe", seed, scheduler.DefaultOptions(), func(e *scenarios.Env) {
			sw := scenarios.DrawSwarm(w.Chooser())
			sw.Faults, sw.Counts, sw.Callback = true, &counts, probe
			scenarios.Adversarial(sw)(e)
		})
		require.NoError(t, err, "seed %d", seed)
		total.Add(counts)
	}
	t.Logf("planned: %v", total)
	t.Logf("seen by the client: %v", seen)
	for _, what := range []string{"JobError: GetError fails", "JobError: the file's GetProgress fails", "Complete: rename fails",
		"Cancel: delete fails", "upload transferred", "upload-reply transferred", "above 2 GB transferred", "FOREGROUND transferred"} {
		require.Positive(t, seen[what], "never happened: %s", what)
	}
}

// With Faults off the adversarial world draws exactly as before: the
// scenario "adversarial" and a Faults world of the same seed differ, and a
// Faults-off swarm with a Counts pointer counts nothing.
func TestFaultsOffDrawsAsBefore(t *testing.T) {
	adv, _ := scenarios.Lookup("adversarial")
	a, err := adv.Run(3)
	require.NoError(t, err)
	var counts scenarios.FaultCounts
	w := sim.NewWorld(sim.NewPRNG(3), sim.Limits{MaxTime: 6 * time.Hour})
	b, err := scenarios.RunIn(w, "adversarial", 3, scheduler.DefaultOptions(), func(e *scenarios.Env) {
		sw := scenarios.DrawSwarm(w.Chooser())
		sw.Counts = &counts
		scenarios.Adversarial(sw)(e)
	})
	require.NoError(t, err)
	require.Equal(t, trace.HashString(a.Records), trace.HashString(b.Records))
	require.Equal(t, scenarios.FaultCounts{}, counts)
	f, fc, err := scenarios.RunFaults(3, scheduler.DefaultOptions())
	require.NoError(t, err)
	require.NotEqual(t, trace.HashString(a.Records), trace.HashString(f.Records))
	require.NotEqual(t, scenarios.FaultCounts{}, fc)
}

func TestFaultCountsStringAndMissing(t *testing.T) {
	var fc scenarios.FaultCounts
	require.Equal(t, scenarios.FaultKinds(), fc.Missing())
	for i, k := range scenarios.FaultKinds() {
		fc[k] = i
	}
	require.Equal(t, []scenarios.FaultKind{scenarios.NoRangesSmall}, fc.Missing())
	require.Equal(t, "no-ranges-small=0 no-ranges-large=1 unknown-size=2 large=3 rename-fails=4 delete-fails=5 upload=6 "+
		"upload-reply=7 http-error=8 long-transient=9 no-progress=10 error-object-fails=11 error-file-fails=12 "+
		"network-loss=13 logoff=14", fc.String())
	var sum scenarios.FaultCounts
	sum.Add(fc)
	sum.Add(fc)
	require.Equal(t, 28, sum[scenarios.Logoff])
	require.Equal(t, "FaultKind(99)", scenarios.FaultKind(99).String())
}
