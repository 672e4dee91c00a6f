package scheduler_test

// The seed page's example callback (reference/seed-ibackgroundcopycallback.md,
// CNotifyInterface) ported to Go and run end to end against the service
// model. Its JobError handles BG_E_INSUFFICIENT_RANGE_SUPPORT the way the
// documentation suggests (G48): for content of known size up to 2 GB it
// switches the job to FOREGROUND and resumes it; for larger content or
// content of unknown size it treats the error as real.

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	abi "github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// twoGB is the seed's TWO_GB.
const twoGB = 2147483648

// seedNotify is CNotifyInterface. It records which branch each JobError
// took and every HRESULT its own calls got back, so the test can check the
// callback ran the way the C++ would.
type seedNotify struct {
	log []string // one line per decision
	bad []string // a call inside the callback that did not succeed
}

func (c *seedNotify) note(format string, args ...any) {
	c.log = append(c.log, fmt.Sprintf(format, args...))
}

func (c *seedNotify) must(what string, hr abi.HRESULT) {
	if hr.Failed() {
		c.bad = append(c.bad, fmt.Sprintf("%s: %v", what, hr))
	}
}

// JobTransferred: Complete the job, always return S_OK.
func (c *seedNotify) JobTransferred(job abi.Job) abi.HRESULT {
	hr := job.Complete()
	if hr.Failed() {
		// BITS probably could not rename a temporary file (S-COMP).
		c.note("JobTransferred: Complete failed %v", hr)
	} else {
		c.note("JobTransferred: Complete %v", hr)
	}
	return abi.S_OK // "If you do not return S_OK, BITS continues to call this callback."
}

// JobError is the seed's JobError.
func (c *seedNotify) JobError(job abi.Job, perr abi.Error) abi.HRESULT {
	isError := true
	_, code, hr := perr.GetError()
	c.must("GetError", hr)
	if code == abi.BG_E_INSUFFICIENT_RANGE_SUPPORT {
		file, hr := perr.GetFile()
		c.must("GetFile", hr)
		if file != nil {
			progress, hr := file.GetProgress()
			c.must("File.GetProgress", hr)
			switch {
			case progress.BytesTotal == abi.BG_SIZE_UNKNOWN:
				// The content is dynamic, do not change priority. Handle as an error.
				c.note("JobError: range support, size unknown: error")
			case progress.BytesTotal > twoGB:
				// BITS uses 2 GB ranges for content larger than 2 GB:
				// foreground priority will not help.
				c.note("JobError: range support, %d bytes > 2 GB: error", progress.BytesTotal)
			default:
				c.must("SetPriority", job.SetPriority(abi.BG_JOB_PRIORITY_FOREGROUND))
				c.must("Resume", job.Resume())
				isError = false
				c.note("JobError: range support, %d bytes: foreground + resume", progress.BytesTotal)
			}
		}
	}
	if isError {
		name, hr := job.GetDisplayName()
		c.must("GetDisplayName", hr)
		desc, hr := perr.GetErrorDescription(0x409)
		c.must("GetErrorDescription", hr)
		if name != "" && desc != "" {
			c.note("JobError: %q failed: %v", name, code)
		}
	}
	return abi.S_OK
}

// JobModification reads name, progress and state, as the seed does.
func (c *seedNotify) JobModification(job abi.Job, _ uint32) abi.HRESULT {
	if _, hr := job.GetDisplayName(); hr.Succeeded() {
		if _, hr := job.GetProgress(); hr.Succeeded() {
			_, hr := job.GetState()
			c.must("GetState", hr)
		}
	}
	return abi.S_OK
}

// seedRun runs one job whose only file is served without range support,
// with the seed callback registered, to the end of the world.
func seedRun(t *testing.T, apt scheduler.Apartment, spec scheduler.FileSpec) (*seedNotify, []trace.Record, *scheduler.JobRef) {
	t.Helper()
	w := sim.NewWorld(sim.NewPRNG(7), sim.Limits{MaxTime: 24 * time.Hour})
	log := &trace.Log{}
	svc := scheduler.New(w, log, t.Name(), 7, scheduler.DefaultOptions())
	alice := svc.AddUser("alice", false)
	app := svc.StartClient("app-1", alice, apt)
	job, hr := app.CreateJob("seed example", abi.BG_JOB_TYPE_DOWNLOAD)
	require.Equal(t, abi.S_OK, hr)
	require.Equal(t, abi.S_OK, job.AddFileSpec(spec))
	cb := &seedNotify{}
	require.Equal(t, abi.S_OK, job.SetNotifyInterface(cb))
	require.Equal(t, abi.S_OK, job.Resume())
	require.NoError(t, svc.Run())
	recs := log.Records()
	require.Equal(t, trace.EvRunEnd, recs[len(recs)-1].Ev)
	require.Equal(t, "idle", recs[len(recs)-1].Reason, "nothing is left owed or running")
	require.Empty(t, cb.bad, "calls made by the callback")
	return cb, recs, job
}

// states lists the job.state destinations of job in order.
func seedStates(recs []trace.Record, job string) []abi.JobState {
	var out []abi.JobState
	for _, r := range recs {
		if r.Ev == trace.EvJobState && r.Job == job {
			out = append(out, r.To)
		}
	}
	return out
}

// seedCalls returns the call.begin records of method m with the hr of the
// matching call.end.
func seedCalls(recs []trace.Record, job string, m trace.Method) []abi.HRESULT {
	var out []abi.HRESULT
	open := map[int64]int{}
	for _, r := range recs {
		switch {
		case r.Ev == trace.EvCallBegin && r.Job == job && r.Method == m:
			open[r.Call] = len(out)
			out = append(out, -1)
		case r.Ev == trace.EvCallEnd:
			if i, ok := open[r.Call]; ok {
				out[i] = r.HR
			}
		}
	}
	return out
}

func TestSeedJobErrorExample(t *testing.T) {
	for _, apt := range []scheduler.Apartment{scheduler.MTA, scheduler.STA} {
		t.Run("G48/known-size-1GB-recovers/"+apt.String(), func(t *testing.T) {
			cb, recs, job := seedRun(t, apt, scheduler.FileSpec{RemoteURL: "http://norange/iso", LocalName: `C:\iso`, Size: 1 << 30, NoRanges: true})
			seedRecovered(t, cb, recs, job, 1<<30)
		})
		t.Run("G48/known-size-exactly-2GB-recovers/"+apt.String(), func(t *testing.T) {
			cb, recs, job := seedRun(t, apt, scheduler.FileSpec{RemoteURL: "http://norange/vhd", LocalName: `C:\vhd`, Size: twoGB, NoRanges: true})
			seedRecovered(t, cb, recs, job, twoGB)
		})
		t.Run("G48/known-size-over-2GB-stays-error/"+apt.String(), func(t *testing.T) {
			cb, recs, job := seedRun(t, apt, scheduler.FileSpec{RemoteURL: "http://norange/big", LocalName: `C:\big`, Size: twoGB + 1, NoRanges: true})
			seedStuck(t, cb, recs, job, fmt.Sprintf("JobError: range support, %d bytes > 2 GB: error", uint64(twoGB+1)))
		})
		t.Run("G48/unknown-size-stays-error/"+apt.String(), func(t *testing.T) {
			cb, recs, job := seedRun(t, apt, scheduler.FileSpec{RemoteURL: "http://norange/dyn", LocalName: `C:\dyn`, Size: 10_000_000, NoRanges: true, NoHeadSize: true})
			seedStuck(t, cb, recs, job, "JobError: range support, size unknown: error")
		})
	}
	t.Run("G48/server-with-ranges-needs-no-recovery", func(t *testing.T) {
		cb, recs, job := seedRun(t, scheduler.MTA, scheduler.FileSpec{RemoteURL: "http://ok/iso", LocalName: `C:\iso`, Size: 1 << 30})
		require.Equal(t, []abi.JobState{
			abi.BG_JOB_STATE_QUEUED, abi.BG_JOB_STATE_CONNECTING, abi.BG_JOB_STATE_TRANSFERRING,
			abi.BG_JOB_STATE_TRANSFERRED, abi.BG_JOB_STATE_ACKNOWLEDGED,
		}, seedStates(recs, job.Name()))
		require.Empty(t, seedCalls(recs, job.Name(), trace.JobError))
		require.Equal(t, []string{"JobTransferred: Complete S_OK"}, cb.log)
	})
}

// seedRecovered: ERROR (JE) → FOREGROUND + Resume inside JobError →
// TRANSFERRED → JobTransferred → Complete → ACKNOWLEDGED.
func seedRecovered(t *testing.T, cb *seedNotify, recs []trace.Record, job *scheduler.JobRef, size uint64) {
	t.Helper()
	name := job.Name()
	require.Equal(t, []string{
		fmt.Sprintf("JobError: range support, %d bytes: foreground + resume", size),
		"JobTransferred: Complete S_OK",
	}, cb.log)
	require.Equal(t, []abi.JobState{
		abi.BG_JOB_STATE_QUEUED, abi.BG_JOB_STATE_CONNECTING, abi.BG_JOB_STATE_ERROR, // background: no range support
		abi.BG_JOB_STATE_QUEUED, abi.BG_JOB_STATE_CONNECTING, abi.BG_JOB_STATE_TRANSFERRING, // foreground: one request
		abi.BG_JOB_STATE_TRANSFERRED, abi.BG_JOB_STATE_ACKNOWLEDGED,
	}, seedStates(recs, name))
	require.Equal(t, []abi.HRESULT{abi.S_OK}, seedCalls(recs, name, trace.JobError), "one JobError, S_OK")
	require.Equal(t, []abi.HRESULT{abi.S_OK}, seedCalls(recs, name, trace.JobTransferred), "one JobTransferred, S_OK")

	// The Resume happened inside the JobError call: ERROR → QUEUED lies
	// between its call.begin and call.end.
	var begin, end, resumed int64 = -1, -1, -1
	var prev abi.JobState
	for _, r := range recs {
		switch {
		case r.Ev == trace.EvCallBegin && r.Method == trace.JobError:
			begin = r.Seq
		case r.Ev == trace.EvCallEnd && begin > 0 && end < 0:
			end = r.Seq
		case r.Ev == trace.EvJobState && r.Job == name && r.From == abi.BG_JOB_STATE_ERROR:
			resumed = r.Seq
			prev = r.To
		}
	}
	require.Equal(t, abi.BG_JOB_STATE_QUEUED, prev)
	require.True(t, begin < resumed && resumed < end, "Resume from inside JobError (begin %d, resume %d, end %d)", begin, resumed, end)

	// The error the callback saw was the range error on file 0.
	for _, r := range recs {
		if r.Ev == trace.EvJobError && r.Job == name {
			require.Equal(t, abi.BG_E_INSUFFICIENT_RANGE_SUPPORT, r.HR)
			require.Equal(t, abi.BG_ERROR_CONTEXT_REMOTE_FILE, r.Context)
			require.Equal(t, int64(0), r.File)
		}
	}
	st, _ := job.GetState()
	require.Equal(t, abi.BG_JOB_STATE_ACKNOWLEDGED, st)
	files, _ := job.EnumFiles()
	p, _ := files[0].GetProgress()
	require.Equal(t, abi.FileProgress{BytesTotal: size, BytesTransferred: size, Completed: true}, p)
}

// seedStuck: the callback treats the error as real; the job stays ERROR
// with its priority unchanged and JobError delivered once.
func seedStuck(t *testing.T, cb *seedNotify, recs []trace.Record, job *scheduler.JobRef, decision string) {
	t.Helper()
	name := job.Name()
	require.Len(t, cb.log, 2)
	require.Equal(t, decision, cb.log[0])
	require.Equal(t, `JobError: "seed example" failed: BG_E_INSUFFICIENT_RANGE_SUPPORT`, cb.log[1])
	require.Equal(t, []abi.JobState{abi.BG_JOB_STATE_QUEUED, abi.BG_JOB_STATE_CONNECTING, abi.BG_JOB_STATE_ERROR}, seedStates(recs, name))
	require.Equal(t, []abi.HRESULT{abi.S_OK}, seedCalls(recs, name, trace.JobError), "JobError once: S_OK ends it (G20)")
	require.Empty(t, seedCalls(recs, name, trace.JobTransferred))
	st, _ := job.GetState()
	require.Equal(t, abi.BG_JOB_STATE_ERROR, st)
	prio, _ := job.GetPriority()
	require.Equal(t, abi.BG_JOB_PRIORITY_NORMAL, prio)
	e, hr := job.GetError()
	require.Equal(t, abi.S_OK, hr)
	_, code, _ := e.GetError()
	require.Equal(t, abi.BG_E_INSUFFICIENT_RANGE_SUPPORT, code)
}
