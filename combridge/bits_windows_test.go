//go:build windows

package combridge_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/combridge"
)

// realBITS skips unless BITSIM_REAL_BITS is set: the test talks to the
// machine's BITS service and downloads from a local HTTP server, so it runs
// only where asked (the Wine harness, TestUnderWine, sets it).
func realBITS(t *testing.T) {
	t.Helper()
	if os.Getenv("BITSIM_REAL_BITS") == "" {
		t.Skip("BITSIM_REAL_BITS is not set: not talking to this machine's BITS service (TestUnderWine sets it under Wine)")
	}
}

// observed is completer, the callback the simulator tested, with what the
// test wants to see around it: the interfaces BITS asked for, the reference
// count (the seed's CNotifyInterface counts, so this does too) and the
// first job argument kept past its call, to show it is dead afterwards.
type observed struct {
	*completer
	callbackabi.RefCount

	mu   sync.Mutex
	asks []string
	kept callbackabi.Job
}

func (o *observed) QueryInterface(iid callbackabi.GUID) (any, callbackabi.HRESULT) {
	o.mu.Lock()
	o.asks = append(o.asks, callbackabi.InterfaceName(iid))
	o.mu.Unlock()
	return callbackabi.QueryInterfaceFor(o, iid, callbackabi.IID_IBackgroundCopyCallback)
}

func (o *observed) JobTransferred(job callbackabi.Job) callbackabi.HRESULT {
	o.mu.Lock()
	if o.kept == nil {
		o.kept = job // only to show the wrapper is dead after the call (G35)
	}
	o.mu.Unlock()
	return o.completer.JobTransferred(job)
}

// tempDir is t.TempDir without its RemoveAll, which Wine 8 cannot do (the
// POSIX-semantics delete it relies on is missing): the file and the
// directory are removed one by one instead.
func tempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "bitsim-combridge-")
	require.NoError(t, err)
	t.Cleanup(func() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
		_ = os.Remove(dir)
	})
	return dir
}

// serve starts a local HTTP server with payload at /payload.bin and
// /barrier.bin, 404 elsewhere, and returns its base URL. If gate is not nil,
// a request for /held.bin signals gate.requested and is answered (with the
// payload) only once gate.release is closed.
func serve(t *testing.T, payload []byte, gate *gate) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/payload.bin", "/barrier.bin":
		case "/held.bin":
			if gate == nil {
				http.NotFound(w, r)
				return
			}
			gate.once.Do(func() { close(gate.requested) })
			<-gate.release
		default:
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "payload.bin", time.Time{}, bytes.NewReader(payload))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// shared is the test binary's one connection to BITS. Each test used to
// connect and close (CoInitializeEx, CoUninitialize on its own thread);
// under Wine 8 a callback registered after a second such cycle is never
// reached (its stub is gone). A program connects once; so do the tests.
var shared struct {
	once sync.Once
	m    *combridge.Manager
	err  error
	mu   sync.Mutex
	hook func(any)           // the running test's OnPanic
	rec  *combridge.Recorder // the suite's recording, when BITSIM_TRACE_DIR is set (TestMain writes it)
}

// connect returns the shared connection; a callback panic fails the test
// unless the test installs its own hook with onPanic.
func connect(t *testing.T) *combridge.Manager {
	t.Helper()
	shared.once.Do(func() {
		ready := make(chan struct{})
		go func() {
			// The connection's own goroutine holds its OS thread in the
			// multithreaded apartment for the life of the process; the tests'
			// threads use it as COM's implicit MTA.
			shared.m, shared.err = combridge.Connect()
			close(ready)
			if shared.err == nil {
				select {}
			}
		}()
		<-ready
		if shared.err == nil && os.Getenv("BITSIM_TRACE_DIR") != "" {
			shared.rec = shared.m.Record(combridge.RecordOptions{Scenario: "combridge-tests", Poll: 50 * time.Millisecond})
		}
		if shared.err == nil {
			shared.m.OnPanic = func(v any) {
				shared.mu.Lock()
				h := shared.hook
				shared.mu.Unlock()
				if h != nil {
					h(v)
				}
			}
		}
	})
	require.NoError(t, shared.err)
	onPanic(t, func(v any) { t.Errorf("a callback panicked: %v", v) })
	return shared.m
}

// onPanic makes h the hook for callback panics until the test ends.
func onPanic(t *testing.T, h func(any)) {
	shared.mu.Lock()
	shared.hook = h
	shared.mu.Unlock()
	t.Cleanup(func() {
		shared.mu.Lock()
		shared.hook = nil
		shared.mu.Unlock()
	})
}

// newJob creates a download job of url into a temporary file.
func newJob(t *testing.T, m *combridge.Manager, name, url string) (*combridge.Job, callbackabi.GUID, string) {
	t.Helper()
	job, id, err := m.CreateJob(name, callbackabi.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	t.Cleanup(func() {
		job.Cancel() // a job a failed test left behind must not hold Wine's one worker
		job.Release()
	})
	local := filepath.Join(tempDir(t), "payload.bin")
	require.Equal(t, callbackabi.S_OK, job.AddFile(url, local))
	require.Equal(t, callbackabi.S_OK, job.SetNotifyFlags(callbackabi.BG_NOTIFY_JOB_TRANSFERRED|callbackabi.BG_NOTIFY_JOB_ERROR))
	return job, id, local
}

// wait waits for ch, with a hang guard (not a speed assertion).
func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(2 * time.Minute):
		t.Fatalf("no %s within 2 minutes", what)
	}
}

// pumpUntil runs the STA message loop on m's thread until done closes, or
// for at most 2 minutes (a hang guard, not a speed assertion).
func pumpUntil(m *combridge.Manager, done <-chan struct{}) error {
	stop := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
		}
		close(stop)
	}()
	return m.Pump(stop)
}

var payload = bytes.Repeat([]byte("bitsim through COM "), 10_000) // 190 000 bytes

// The callback the simulator tested, registered with the real service:
// BITS asks the Go object for its interfaces, calls JobTransferred on it,
// Complete from inside the callback acknowledges the job, the file arrives.
func TestRealBITS(t *testing.T) {
	realBITS(t)
	base := serve(t, payload, nil)
	m := connect(t)
	job, id, local := newJob(t, m, "bitsim bridge test", base+"/payload.bin")
	name, hr := job.GetDisplayName()
	require.Equal(t, callbackabi.S_OK, hr)
	require.Equal(t, "bitsim bridge test", name)

	cb := &observed{completer: newCompleter()}
	require.Equal(t, callbackabi.S_OK, job.SetNotifyInterface(cb))
	got, hr := job.GetNotifyInterface()
	require.Equal(t, callbackabi.S_OK, hr)
	require.Same(t, cb, got, "BITS hands back the Go value registered")
	require.Equal(t, callbackabi.S_OK, job.Resume())
	wait(t, cb.done, "JobTransferred")

	seen := cb.transfers()
	require.Len(t, seen, 1)
	require.Equal(t, id, seen[0].id, "GetId through the job BITS passed to the callback")
	require.Equal(t, "bitsim bridge test", seen[0].name)
	require.Equal(t, callbackabi.BG_JOB_STATE_TRANSFERRED, seen[0].state)
	require.Equal(t, uint64(len(payload)), seen[0].progress.BytesTransferred)
	require.Equal(t, callbackabi.S_OK, seen[0].completeHR, "Complete from inside the callback")

	data, err := os.ReadFile(local)
	require.NoError(t, err)
	require.True(t, bytes.Equal(payload, data), "the file arrived byte-identical (%d bytes)", len(data))
	state, hr := job.GetState()
	require.Equal(t, callbackabi.S_OK, hr)
	require.Equal(t, callbackabi.BG_JOB_STATE_ACKNOWLEDGED, state)

	cb.mu.Lock()
	asks, kept := append([]string(nil), cb.asks...), cb.kept
	cb.mu.Unlock()
	require.Contains(t, asks, "IBackgroundCopyCallback", "BITS asked the Go object for the callback interface")
	_, hr = kept.GetState()
	require.Equal(t, callbackabi.E_UNEXPECTED, hr, "a job argument kept past its call is dead (G35)")
	t.Logf("QueryInterface calls: %v", asks)
}

// counted is a callback that counts its references (like the seed's
// CNotifyInterface) and leaves the job TRANSFERRED, for the test to finish.
type counted struct {
	callbackabi.RefCount
	scenarioFuncs
}

func (c *counted) QueryInterface(iid callbackabi.GUID) (any, callbackabi.HRESULT) {
	return callbackabi.QueryInterfaceFor(c, iid, callbackabi.IID_IBackgroundCopyCallback)
}

// The seed's pattern: the client releases its own reference right after
// SetNotifyInterface, and the object lives on as long as BITS holds it.
// Every AddRef and Release BITS makes reaches the Go object: when the
// registration is cleared the count reaches zero, so the bridge neither
// leaks the callback nor frees it early.
func TestRealBITSReleasesTheCallback(t *testing.T) {
	realBITS(t)
	base := serve(t, payload, nil)
	m := connect(t)
	job, _, _ := newJob(t, m, "bitsim refcount", base+"/payload.bin")
	called, gone := make(chan struct{}), make(chan struct{})
	cb := &counted{scenarioFuncs: scenarioFuncs{transferred: func(callbackabi.Job) callbackabi.HRESULT {
		close(called)
		return callbackabi.S_OK
	}}}
	cb.OnZero = func() { close(gone) }
	require.Equal(t, callbackabi.S_OK, job.SetNotifyInterface(cb))
	cb.Release() // the seed: pNotify->Release() after SetNotifyInterface
	require.Equal(t, callbackabi.S_OK, job.Resume())
	wait(t, called, "JobTransferred")
	select {
	case <-gone:
		t.Fatal("the callback was released while BITS still held it")
	default:
	}
	require.Equal(t, callbackabi.S_OK, job.SetNotifyInterface(nil))
	wait(t, gone, "the callback's final Release")
	require.Equal(t, callbackabi.S_OK, job.Complete())
}

// gate holds one HTTP request until released.
type gate struct {
	requested, release chan struct{}
	once               sync.Once
}

// A job whose URL answers 404 goes to ERROR, and the error object reads
// through the bridge: context REMOTE_FILE, code BG_E_HTTP_ERROR_404, the
// file, the protocol, and EnumFiles.
//
// Wine's BITS never calls JobError, and runs one job at a time, the newest
// queued first. So, without polling: a first job's download is held open by
// the test's server (the worker is now busy); the test queues a barrier job,
// then the failing job, and releases the first; the worker then runs the
// failing job (the newest) before the barrier, and the barrier's
// JobTransferred means the failing job is in ERROR. A Windows BITS calls
// JobError instead (the completer then cancels the job): the test waits for
// that when the job is not in ERROR.
func TestRealBITSError(t *testing.T) {
	realBITS(t)
	g := &gate{requested: make(chan struct{}), release: make(chan struct{})}
	base := serve(t, payload, g)
	m := connect(t)

	held, _, _ := newJob(t, m, "bitsim held", base+"/held.bin")
	require.Equal(t, callbackabi.S_OK, held.SetNotifyInterface(newCompleter()))
	require.Equal(t, callbackabi.S_OK, held.Resume())
	wait(t, g.requested, "the held job's request")

	barrier, _, _ := newJob(t, m, "bitsim barrier", base+"/barrier.bin")
	cb := newCompleter()
	require.Equal(t, callbackabi.S_OK, barrier.SetNotifyInterface(cb))
	require.Equal(t, callbackabi.S_OK, barrier.Resume())
	bad, _, _ := newJob(t, m, "bitsim 404", base+"/missing.bin")
	errs := &errorWatcher{completer: newCompleter(), failed: make(chan struct{})}
	require.Equal(t, callbackabi.S_OK, bad.SetNotifyInterface(errs))
	require.Equal(t, callbackabi.S_OK, bad.Resume())
	close(g.release)
	wait(t, cb.done, "JobTransferred of the barrier job")

	state, hr := bad.GetState()
	require.Equal(t, callbackabi.S_OK, hr)
	if state != callbackabi.BG_JOB_STATE_ERROR {
		wait(t, errs.failed, "JobError of the failing job")
		return // a Windows BITS: JobError came, and the completer cancelled the job
	}
	e, hr := bad.GetError()
	require.Equal(t, callbackabi.S_OK, hr)
	defer e.(*combridge.Error).Release()
	ctx, code, hr := e.GetError()
	require.Equal(t, callbackabi.S_OK, hr)
	require.Equal(t, callbackabi.BG_ERROR_CONTEXT_REMOTE_FILE, ctx)
	require.Equal(t, callbackabi.HRESULT(0x80190194-1<<32), code, "BG_E_HTTP_ERROR_404, got %v", code)
	status, ok := code.HTTPStatus()
	require.True(t, ok)
	require.Equal(t, 404, status)
	f, hr := e.GetFile()
	require.Equal(t, callbackabi.S_OK, hr)
	defer f.(*combridge.File).Release()
	remote, hr := f.GetRemoteName()
	require.Equal(t, callbackabi.S_OK, hr)
	require.Equal(t, base+"/missing.bin", remote)
	if proto, hr := e.GetProtocol(); hr.Succeeded() {
		require.Equal(t, "http", proto)
	}
	files, hr := bad.EnumFiles()
	require.Equal(t, callbackabi.S_OK, hr)
	require.Len(t, files, 1)
	name, _ := files[0].GetRemoteName()
	require.Equal(t, base+"/missing.bin", name)
	files[0].(*combridge.File).Release()
	// Wine answers BG_S_UNABLE_TO_DELETE_FILES: cancelled, a temporary file
	// left behind (the download never created it).
	require.True(t, bad.Cancel().Succeeded())
	t.Logf("404 job: %v, context %v, code %v", state, ctx, code)
}

// errorWatcher is completer plus a signal at JobError.
type errorWatcher struct {
	*completer
	failed chan struct{}
	once   sync.Once
}

func (w *errorWatcher) JobError(job callbackabi.Job, e callbackabi.Error) callbackabi.HRESULT {
	defer w.once.Do(func() { close(w.failed) })
	return w.completer.JobError(job, e)
}

// A callback that panics does not take the client down: the bridge
// recovers, answers RPC_E_SERVERFAULT and reports the panic to OnPanic; the
// job stays TRANSFERRED (nothing completed it).
func TestRealBITSPanickingCallback(t *testing.T) {
	realBITS(t)
	base := serve(t, payload, nil)
	m := connect(t)
	panicked := make(chan struct{})
	var once sync.Once
	var value atomic.Value
	onPanic(t, func(v any) {
		value.Store(v)
		once.Do(func() { close(panicked) })
	})
	job, _, _ := newJob(t, m, "bitsim panic", base+"/payload.bin")
	require.Equal(t, callbackabi.S_OK, job.SetNotifyInterface(&scenarioFuncs{
		transferred: func(callbackabi.Job) callbackabi.HRESULT { panic("callback bug") },
	}))
	require.Equal(t, callbackabi.S_OK, job.Resume())
	wait(t, panicked, "the callback's panic")
	require.Equal(t, "callback bug", value.Load())
	state, hr := job.GetState()
	require.Equal(t, callbackabi.S_OK, hr)
	require.Equal(t, callbackabi.BG_JOB_STATE_TRANSFERRED, state)
	require.Equal(t, callbackabi.S_OK, job.Complete())
}

// scenarioFuncs is a callback made of functions (nil: S_OK).
type scenarioFuncs struct {
	transferred func(callbackabi.Job) callbackabi.HRESULT
}

func (f *scenarioFuncs) JobTransferred(j callbackabi.Job) callbackabi.HRESULT {
	if f.transferred == nil {
		return callbackabi.S_OK
	}
	return f.transferred(j)
}
func (f *scenarioFuncs) JobError(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT {
	return callbackabi.S_OK
}
func (f *scenarioFuncs) JobModification(callbackabi.Job, uint32) callbackabi.HRESULT {
	return callbackabi.S_OK
}

var procGetCurrentThreadId = syscall.NewLazyDLL("kernel32.dll").NewProc("GetCurrentThreadId")

func threadID() uintptr {
	id, _, _ := procGetCurrentThreadId.Call()
	return id
}

// threadRecorder is completer plus the OS thread JobTransferred ran on.
type threadRecorder struct {
	*completer
	thread atomic.Uintptr
}

func (r *threadRecorder) JobTransferred(job callbackabi.Job) callbackabi.HRESULT {
	r.thread.Store(threadID())
	return r.completer.JobTransferred(job)
}

// Under a single-threaded apartment the callback runs on the apartment's
// own thread, delivered through its message loop (Pump): the threading
// model whose re-entrancy the simulator's STA clients reproduce (G34).
func TestRealBITSSTA(t *testing.T) {
	realBITS(t)
	base := serve(t, payload, nil)
	type result struct {
		sta, callback uintptr
		seen          []transfer
		data          []byte
		err           error
	}
	res := make(chan result, 1)
	go func() { // a goroutine of its own: ConnectIn locks its OS thread into the STA
		var r result
		defer func() { res <- r }()
		m, err := combridge.ConnectIn(callbackabi.STA)
		if err != nil {
			r.err = err
			return
		}
		defer m.Close()
		r.sta = threadID()
		job, _, err := m.CreateJob("bitsim STA", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		if err != nil {
			r.err = err
			return
		}
		defer job.Release()
		dir, err := os.MkdirTemp("", "bitsim-sta-")
		if err != nil {
			r.err = err
			return
		}
		local := filepath.Join(dir, "payload.bin")
		defer func() { _ = os.Remove(local); _ = os.Remove(dir) }()
		cb := &threadRecorder{completer: newCompleter()}
		for _, hr := range []callbackabi.HRESULT{
			job.AddFile(base+"/payload.bin", local),
			job.SetNotifyFlags(callbackabi.BG_NOTIFY_JOB_TRANSFERRED | callbackabi.BG_NOTIFY_JOB_ERROR),
			job.SetNotifyInterface(cb),
			job.Resume(),
		} {
			if hr.Failed() {
				r.err = fmt.Errorf("setting the job up: %v", hr)
				return
			}
		}
		if err := pumpUntil(m, cb.done); err != nil {
			r.err = err
			return
		}
		r.callback, r.seen = cb.thread.Load(), cb.transfers()
		r.data, r.err = os.ReadFile(local)
	}()
	r := <-res
	require.NoError(t, r.err)
	require.Len(t, r.seen, 1, "JobTransferred arrived while the STA pumped")
	require.Equal(t, r.sta, r.callback, "on the apartment's own thread")
	require.Equal(t, callbackabi.S_OK, r.seen[0].completeHR)
	require.True(t, bytes.Equal(payload, r.data))
}
