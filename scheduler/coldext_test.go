package scheduler_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
)

// A job keeps its rarely used properties (command line, CLSID, description,
// timers set through the API, FileRangesTransferred ranges, the callback's
// IBackgroundCopyCallback2/3, an upload's cancel window) in a part
// allocated on first use; a job without one reads the defaults from one
// shared value that must never be written (issue 13: ≤ 1 KiB per job).

// TestColdReadsLeaveNoExtAlone runs every named scenario and worlds of every
// generator — command lines, CLSIDs, FRT ranges, retries, uploads cancelled
// offline — and checks the shared defaults were never written through.
func TestColdReadsLeaveNoExtAlone(t *testing.T) {
	opts := scheduler.DefaultOptions()
	for _, sc := range scenarios.All() {
		_, err := sc.Run(7)
		require.NoError(t, err, sc.Name)
	}
	for seed := uint64(0); seed < 300; seed++ {
		_, err := scenarios.RunAdversarial("adversarial", seed, opts)
		require.NoError(t, err)
		_, _, err = scenarios.RunFaults(seed, opts)
		require.NoError(t, err)
		for _, a := range scenarios.Aims {
			_, err = scenarios.RunAimed(a, seed, opts)
			require.NoError(t, err)
		}
	}
	assert.True(t, scheduler.NoExtIsDefault(), "a cold read was written through")
}

// TestFirstFileInline: a job's first file lives in the job (issue 13: a
// chunk reads it without chasing a pointer), later ones apart, and each
// keeps its own spec.
func TestFirstFileInline(t *testing.T) {
	e := defaultEnv(t)
	app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
	j := newJob(t, app, 10, 20, 30)
	files, res := j.EnumFiles()
	require.Equal(t, sOK, res)
	require.Len(t, files, 3)
	assert.True(t, scheduler.FileInline(j, 0))
	for i, f := range files {
		if i > 0 {
			assert.False(t, scheduler.FileInline(j, i), "file %d", i)
		}
		name, _ := f.GetLocalName()
		assert.Equal(t, fmt.Sprintf(`C:\f%d`, i), name)
		remote, _ := f.GetRemoteName()
		assert.Equal(t, fmt.Sprintf("http://h/f%d", i), remote)
	}
}

// TestColdPropertiesReadBack: every property kept in the cold part reads
// its default before it is set, and what was set after, and only setting
// one allocates the part.
func TestColdPropertiesReadBack(t *testing.T) {
	e := defaultEnv(t)
	app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
	j := newJob(t, app, mb)
	require.Equal(t, sOK, j.SetNotifyInterface(&scenarios.Funcs{}))

	d, res := j.GetMinimumRetryDelay()
	require.Equal(t, sOK, res)
	assert.Equal(t, uint32(callbackabi.DefaultMinimumRetryDelay/time.Second), d)
	np, _ := j.GetNoProgressTimeout()
	assert.Equal(t, uint32(callbackabi.DefaultNoProgressTimeout/time.Second), np)
	md, _ := j.GetMaximumDownloadTime()
	assert.Equal(t, uint32(callbackabi.MaxDownloadTime/time.Second), md)
	desc, _ := j.GetDescription()
	assert.Empty(t, desc)
	prog, params, _ := j.GetNotifyCmdLine()
	assert.Empty(t, prog+params)
	assert.False(t, scheduler.HasExt(j), "reading the defaults allocated the cold part")
	requireHR(t, callbackabi.BG_E_STRING_TOO_LONG, j.SetDescription(strings.Repeat("x", 1025)), "a description over 1,024 characters")
	assert.False(t, scheduler.HasExt(j), "a refused SetDescription allocated the cold part")

	require.Equal(t, sOK, j.SetMinimumRetryDelay(77))
	require.Equal(t, sOK, j.SetNoProgressTimeout(88))
	require.Equal(t, sOK, j.SetMaximumDownloadTime(99))
	require.Equal(t, sOK, j.SetDescription("described"))
	require.Equal(t, sOK, j.SetNotifyCmdLine(`C:\notify.exe`, `C:\notify.exe arg`))
	assert.True(t, scheduler.HasExt(j))

	d, _ = j.GetMinimumRetryDelay()
	np, _ = j.GetNoProgressTimeout()
	md, _ = j.GetMaximumDownloadTime()
	desc, _ = j.GetDescription()
	prog, params, _ = j.GetNotifyCmdLine()
	assert.Equal(t, []any{uint32(77), uint32(88), uint32(99), "described", `C:\notify.exe`, `C:\notify.exe arg`},
		[]any{d, np, md, desc, prog, params})
	assert.True(t, scheduler.NoExtIsDefault())

	// Another job still reads the defaults.
	k := newJob(t, app)
	d, _ = k.GetMinimumRetryDelay()
	assert.Equal(t, uint32(callbackabi.DefaultMinimumRetryDelay/time.Second), d)
	assert.False(t, scheduler.HasExt(k))
}

// TestJobBytesIsTheSumOfItsFiles: a job counts its transferred bytes as
// they arrive (Service.moved) instead of summing its files for every
// job.progress record; in worlds with every fault — failures in the middle
// of a chunk, restarts, several files — the count is always the sum.
func TestJobBytesIsTheSumOfItsFiles(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		w := sim.NewWorld(sim.NewPRNG(seed), sim.Limits{MaxTime: 6 * time.Hour})
		var svc *scheduler.Service
		_, err := scenarios.RunIn(w, "faults", seed, scheduler.DefaultOptions(), func(e *scenarios.Env) {
			svc = e.Svc
			sw := scenarios.DrawSwarm(w.Chooser())
			sw.Faults = true
			scenarios.Adversarial(sw)(e)
		})
		require.NoError(t, err)
		require.Empty(t, scheduler.BytesMismatch(svc), "seed %d", seed)
	}
}
