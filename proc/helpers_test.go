package proc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// world is a service with one user, alice, ready for programs.
type world struct {
	w     *sim.World
	svc   *scheduler.Service
	log   *trace.Log
	alice *scheduler.User
}

func newWorld(seed uint64) *world {
	w := sim.NewWorld(sim.NewPRNG(seed), sim.Limits{MaxTime: 24 * time.Hour})
	log := &trace.Log{}
	svc := scheduler.New(w, log, "proc-test", seed, scheduler.DefaultOptions())
	return &world{w: w, svc: svc, log: log, alice: svc.AddUser("alice", false)}
}

// run runs the world to its end.
func (x *world) run(t *testing.T) {
	t.Helper()
	require.NoError(t, x.svc.Run())
}

// records returns the records of kind ev.
func (x *world) records(ev trace.Ev) []trace.Record {
	var out []trace.Record
	for _, r := range x.log.Records() {
		if r.Ev == ev {
			out = append(out, r)
		}
	}
	return out
}

// catch runs fn and returns the message of the panic it raised, or "".
func catch(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			if sim.IsUnwind(r) {
				panic(r)
			}
			msg = fmt.Sprint(r)
		}
	}()
	fn()
	return ""
}

// callback is a callback object whose JobTransferred runs jt.
type callback struct {
	jt func(job callbackabi.Job) callbackabi.HRESULT
}

func (c *callback) JobTransferred(job callbackabi.Job) callbackabi.HRESULT { return c.jt(job) }
func (c *callback) JobError(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT {
	return callbackabi.S_OK
}
func (c *callback) JobModification(callbackabi.Job, uint32) callbackabi.HRESULT {
	return callbackabi.S_OK
}

// download creates a resumed 25 MB download job (it transfers in 3.1 s)
// registered with cb.
func download(t *testing.T, c *scheduler.Client, cb callbackabi.Callback) *scheduler.JobRef {
	t.Helper()
	job, hr := c.CreateJob("dl", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	require.Equal(t, callbackabi.S_OK, hr)
	require.Equal(t, callbackabi.S_OK, job.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://example/a.cab", LocalName: `C:\a.cab`, Size: 25_000_000}))
	require.Equal(t, callbackabi.S_OK, job.SetNotifyFlags(callbackabi.BG_NOTIFY_JOB_TRANSFERRED|callbackabi.BG_NOTIFY_JOB_ERROR))
	require.Equal(t, callbackabi.S_OK, job.SetNotifyInterface(cb))
	require.Equal(t, callbackabi.S_OK, job.Resume())
	return job
}
