package bitsimtest_test

import (
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scenarios"
)

// channelWaiter starts a job and waits for it on a Go channel that nobody
// sends on: a port of a real client that forgot to use package proc.
type channelWaiter struct{ done chan struct{} }

func (a *channelWaiter) Main(p *proc.Process) {
	j, _ := p.Client().CreateJob("setup", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	j.AddFile("https://example.com/setup.msi", `C:\setup.msi`)
	j.Resume()
	<-a.done // blocks the world: virtual time cannot pass
}

// lockedCallback takes a sync.Mutex that is never unlocked.
func lockedCallback(*scenarios.Env) callbackabi.Callback {
	var mu sync.Mutex
	mu.Lock()
	block := func() callbackabi.HRESULT { mu.Lock(); return callbackabi.S_OK }
	return &scenarios.Funcs{
		Transferred:  func(callbackabi.Job) callbackabi.HRESULT { return block() },
		Error:        func(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT { return block() },
		Modification: func(callbackabi.Job) callbackabi.HRESULT { return block() },
	}
}

// A world held up by code that blocks outside virtual time crashes the
// test binary with one line naming the test, the world and the line that
// blocked, instead of hanging until go test's -timeout. The hang runs in a
// child process (this test binary again), whose crash is the behaviour
// under test; the child's watch is 100 ms of real time, and the child
// would otherwise hang until its own -timeout, which fails this test.
func TestHungWorldIsReported(t *testing.T) {
	switch os.Getenv("BITSIM_HANG_CHILD") {
	case "client":
		bitsimtest.CheckClient(t, func(*bitsimtest.ClientWorld) bitsimtest.App {
			return &channelWaiter{done: make(chan struct{})}
		}, bitsimtest.ClientOptions{HangAfter: 100 * time.Millisecond})
		return
	case "callback":
		bitsimtest.CheckCallback(t, lockedCallback, bitsimtest.HarnessOptions{HangAfter: 100 * time.Millisecond})
		return
	}
	for _, c := range []struct{ child, want string }{
		{"client", `panic: bitsim: TestHungWorldIsReported: world 1 has not finished after 100ms of real time: ` +
			`a virtual thread is blocked \(chan receive\) in bitsimtest_test.\(\*channelWaiter\).Main \(hang_test.go:[0-9]+\). ` +
			`Virtual time stands still while code runs: wait with package proc`},
		{"callback", `panic: bitsim: TestHungWorldIsReported: world [0-9]+ has not finished after 100ms of real time: ` +
			`a virtual thread is blocked \(sync.Mutex.Lock\) in bitsimtest_test.lockedCallback.func1 \(hang_test.go:[0-9]+\)`},
	} {
		t.Run(c.child, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run", "^TestHungWorldIsReported$", "-test.timeout", "2m")
			cmd.Env = append(os.Environ(), "BITSIM_HANG_CHILD="+c.child)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the child should crash:\n%s", out)
			assert.Regexp(t, c.want, string(out))
			assert.NotContains(t, string(out), "test timed out", "the watch, not go test's -timeout, ended the child")
		})
	}
}
