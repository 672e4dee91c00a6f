package hangwatch_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bitsim/bitsim/internal/hangwatch"
)

// A dump as runtime.Stack(buf, true) writes it: the test's goroutine, the
// driver of a world (a coroutine waiting its turn), a world's coroutine
// blocked in a channel receive in user code, and one of another world
// that runs.
const dump = `goroutine 1 [chan receive]:
testing.(*T).Run(0xc000007a00, {0x6f5b2a, 0x8}, 0x7073c8)
	/usr/local/go/src/testing/testing.go:2109 +0x4e5

goroutine 21 [coroutine]:
iter.Pull[...].func2()
	/usr/local/go/src/iter/iter.go:317 +0x5b
github.com/bitsim/bitsim/sim.(*World).enter(0x443b89c8008, 0x7b59c8?)
	/work/main/sim/coro.go:175 +0x55

goroutine 34 [running]:
github.com/bitsim/bitsim/scheduler.(*Service).onChunk(0xc0001, 0x1, 0x2)
	/work/main/scheduler/transfer.go:330 +0x10
github.com/bitsim/bitsim/sim.(*World).coroMain(0xc0002, 0xc0003, 0xc0004)
	/work/main/sim/coro.go:79 +0x20

goroutine 22 [chan receive, 2 minutes]:
github.com/acme/updater.(*client).Main(0xc000123456, 0xc000654321)
	/home/me/updater/client.go:42 +0x7a
github.com/bitsim/bitsim/proc.(*Program).startInstance.func1()
	/work/main/proc/program.go:200 +0x33
github.com/bitsim/bitsim/sim.(*World).RunOn(0xc0002, 0x1, 0xc0005)
	/work/main/sim/thread.go:120 +0x99
github.com/bitsim/bitsim/sim.(*World).coroMain(0xc0002, 0xc0003, 0xc0004)
	/work/main/sim/coro.go:79 +0x20
created by iter.Pull[...] in goroutine 21
	/usr/local/go/src/iter/iter.go:70 +0x125
`

func TestBlocked(t *testing.T) {
	state, site := hangwatch.Blocked([]byte(dump))
	assert.Equal(t, "chan receive", state, "a waiting world goroutine is preferred to a running one")
	assert.Equal(t, "updater.(*client).Main (client.go:42)", site)

	state, site = hangwatch.Blocked([]byte(`goroutine 7 [sync.Mutex.Lock]:
sync.runtime_SemacquireMutex(0x1?, 0x0?, 0x0?)
	/usr/local/go/src/runtime/sema.go:95 +0x25
sync.(*Mutex).lockSlow(0xc0001)
	/usr/local/go/src/sync/mutex.go:173 +0x15d
github.com/acme/updater.callback.JobTransferred(...)
	/home/me/updater/callback.go:17
github.com/bitsim/bitsim/scheduler.(*Service).runCall(0xc0002)
	/work/main/scheduler/dispatch.go:900 +0x99
github.com/bitsim/bitsim/sim.(*World).coroMain(0xc0002, 0xc0003, 0xc0004)
	/work/main/sim/coro.go:79 +0x20
`))
	assert.Equal(t, "sync.Mutex.Lock", state)
	assert.Equal(t, "updater.callback.JobTransferred (callback.go:17)", site, "a frame without an offset, inlined")

	state, site = hangwatch.Blocked([]byte("goroutine 1 [select]:\nmain.main()\n\t/x/main.go:3 +0x1\n"))
	assert.Empty(t, state, "no goroutine of a world")
	assert.Empty(t, site)
}

func TestMessage(t *testing.T) {
	assert.Equal(t, "bitsim: TestUpdater: world 3 has not finished after 30s of real time: "+
		"a virtual thread is blocked (chan receive) in updater.(*client).Main (client.go:42). "+
		"Virtual time stands still while code runs: wait with package proc (Event, WaitAny, Mutex, Sleep, Pump), "+
		"not a Go channel, sync primitive or time.Sleep, and do not loop without waiting",
		hangwatch.Message("TestUpdater: world 3", 30*time.Second, []byte(dump)))
	assert.Contains(t, hangwatch.Message("w", time.Second, []byte("goroutine 9 [running]:\ngithub.com/bitsim/bitsim/sim.(*World).coroMain(0x1)\n\t/s/coro.go:79 +0x20\n")),
		"a virtual thread is running and does not return (an endless loop?).")
	assert.Contains(t, hangwatch.Message("w", time.Second, nil), "no virtual thread of it was found")
}
