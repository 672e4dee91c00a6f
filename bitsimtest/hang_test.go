package bitsimtest_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
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

// lockedOnError is the good callback of harness_test.go except that its
// JobError takes a sync.Mutex that is never unlocked: it hangs in the
// worlds where a job fails, and passes the others.
func lockedOnError(*scenarios.Env) callbackabi.Callback {
	var mu sync.Mutex
	mu.Lock()
	return with(func(f *scenarios.Funcs) {
		f.Error = func(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT { mu.Lock(); return callbackabi.S_OK }
	})
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
	case "error":
		// Worlds that pass run first: a longer watch, so that a world slowed
		// down by a loaded machine is not taken for a hung one.
		bitsimtest.CheckCallback(t, lockedOnError, bitsimtest.HarnessOptions{HangAfter: 500 * time.Millisecond})
		return
	}
	for _, c := range []struct{ child, want string }{
		{"client", `panic: bitsim: TestHungWorldIsReported: world 1 has not finished after 100ms of real time: ` +
			`a virtual thread is blocked \(chan receive\) in bitsimtest_test.\(\*channelWaiter\).Main \(hang_test.go:[0-9]+\). ` +
			`Virtual time stands still while code runs: wait with package proc`},
		{"callback", `panic: bitsim: TestHungWorldIsReported: world [0-9]+ has not finished after 100ms of real time: ` +
			`a virtual thread is blocked \(sync.Mutex.Lock\) in bitsimtest_test.lockedCallback.func1 \(hang_test.go:[0-9]+\)\. ` +
			`Virtual time stands still while code runs: .*\. To replay it: ` +
			"`cd \\S+ && go test -run '\\^TestHungWorldIsReported\\$' -rapid.v -rapid.log \\.` prints each world's seed"},
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

// The hang report says how to replay the world: with -rapid.v -rapid.log
// rapid prints each world's seed as it starts, the last one before the
// crash is the world that hung, and -rapid.seed with -rapid.checks=1 runs
// that world alone — it hangs again, as world 1, in the same place. The
// child's callback hangs only in a world where a job fails, so the world
// that hangs is seldom the first.
func TestHungWorldReplays(t *testing.T) {
	if os.Getenv("BITSIM_HANG_CHILD") != "" {
		t.Skip("the child runs TestHungWorldIsReported")
	}
	child := func(args ...string) string {
		cmd := exec.Command(os.Args[0], append([]string{"-test.run", "^TestHungWorldIsReported$", "-test.timeout", "2m"}, args...)...)
		cmd.Env = append(os.Environ(), "BITSIM_HANG_CHILD=error") // hangs in the first world where a job fails: world 2 or 3, mostly
		out, err := cmd.CombinedOutput()
		require.Error(t, err, "the child should crash:\n%s", out)
		require.NotContains(t, string(out), "test timed out")
		return string(out)
	}
	out := child("-rapid.v", "-rapid.log")
	report := panicLine(t, out)
	hung := regexp.MustCompile(`world ([0-9]+) has not finished after 500ms of real time: (a virtual thread is blocked [^.]*)`).FindStringSubmatch(report)
	require.NotNil(t, hung, report)
	assert.Contains(t, report, `To replay it: the last "[rapid] test #N start (seed S)" line above is this world's, and `+"`cd ")
	starts := regexp.MustCompile(`\[rapid\] test #([0-9]+) start \(seed ([0-9]+)\)`).FindAllStringSubmatch(out[:strings.Index(out, "panic: ")], -1)
	require.NotEmpty(t, starts, "rapid printed no world's seed before the report")
	last := starts[len(starts)-1]
	require.Equal(t, hung[1], last[1], "the last world rapid started is the one that hung")

	again := panicLine(t, child("-rapid.seed="+last[2], "-rapid.checks=1"))
	assert.Contains(t, again, "world 1 has not finished after 500ms of real time: "+hung[2], "the seed replays the hang")
}

// panicLine returns the line of out that starts with "panic: ".
func panicLine(t *testing.T, out string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "panic: ") {
			return l
		}
	}
	require.FailNow(t, "no panic line", "the last lines: %s", out[max(0, len(out)-2000):])
	return ""
}
