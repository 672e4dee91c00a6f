package scheduler_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
)

// G35: BITS owns the error and file arguments too; kept past the return,
// they answer E_UNEXPECTED and the misuse is counted.
func TestG35ErrorAndFileArgumentsExpire(t *testing.T) {
	e := defaultEnv(t)
	alice := e.svc.AddUser("alice", false)
	app := e.svc.StartClient("app-1", alice, scheduler.MTA)
	j, res := app.CreateJob("x", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	require.Equal(t, sOK, res)
	spec := scheduler.FileSpec{RemoteURL: "http://h/f", LocalName: `C:\f`, Size: mb, Failures: []scheduler.Failure{scheduler.HTTPError(404)}}
	require.Equal(t, sOK, j.AddFileSpec(spec))
	var keptErr callbackabi.Error
	var keptFile callbackabi.File
	var inside [2]hr
	require.Equal(t, sOK, j.SetNotifyInterface(&scenarios.Funcs{Error: func(_ callbackabi.Job, err callbackabi.Error) hr {
		keptErr = err
		f, _ := err.GetFile()
		keptFile = f
		_, _, inside[0] = err.GetError()
		_, inside[1] = f.GetProgress()
		return sOK
	}}))
	require.Equal(t, sOK, j.Resume())
	e.run()
	require.NotNil(t, keptErr)
	assert.Equal(t, [2]hr{sOK, sOK}, inside, "valid while the callback runs")
	_, _, r := keptErr.GetError()
	assert.Equal(t, callbackabi.E_UNEXPECTED, r, "the error argument after the return")
	_, r = keptFile.GetProgress()
	assert.Equal(t, callbackabi.E_UNEXPECTED, r, "the file argument after the return")
	assert.Equal(t, int64(2), e.svc.Stats().ArgumentMisuse)
}
