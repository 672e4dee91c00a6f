package combridge_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
)

// The callback registered with the real BITS in TestRealBITS is first put
// through the simulator's harness: every legal schedule rapid can find,
// crashes, retries, the four-slot cap, late registration.
func TestCompleterPassesTheHarness(t *testing.T) {
	bitsimtest.CheckCallback(t, func(*scenarios.Env) callbackabi.Callback { return newCompleter() }, bitsimtest.HarnessOptions{})
}

// And in the simplest world: one job, one file, registered before Resume.
// The job ends ACKNOWLEDGED and the callback saw it TRANSFERRED with all
// its bytes, exactly what TestRealBITS checks against a real service.
func TestCompleterInOneSimulatedJob(t *testing.T) {
	c := newCompleter()
	var job *scheduler.JobRef
	_, err := scenarios.Run("one-job", 1, scheduler.DefaultOptions(), func(e *scenarios.Env) {
		app := e.Svc.StartClient("app-1", e.Svc.AddUser("alice", false), scheduler.MTA)
		var hr callbackabi.HRESULT
		job, hr = app.CreateJob("bitsim bridge test", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		require.Equal(t, callbackabi.S_OK, hr)
		require.Equal(t, callbackabi.S_OK, job.AddFile("http://127.0.0.1/payload.bin", `C:\payload.bin`))
		require.Equal(t, callbackabi.S_OK, job.SetNotifyInterface(c))
		require.Equal(t, callbackabi.S_OK, job.Resume())
	})
	require.NoError(t, err)
	state, _ := job.GetState()
	require.Equal(t, callbackabi.BG_JOB_STATE_ACKNOWLEDGED, state)
	seen := c.transfers()
	require.Len(t, seen, 1)
	require.Equal(t, "bitsim bridge test", seen[0].name)
	require.Equal(t, callbackabi.BG_JOB_STATE_TRANSFERRED, seen[0].state)
	require.Equal(t, seen[0].progress.BytesTotal, seen[0].progress.BytesTransferred)
	require.Equal(t, callbackabi.S_OK, seen[0].completeHR)
}
