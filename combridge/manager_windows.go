//go:build windows

package combridge

import (
	"fmt"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"github.com/bitsim/bitsim/callbackabi"
)

// IBackgroundCopyManager slots.
var (
	slotCreateJob = slot(callbackabi.IID_IBackgroundCopyManager, "CreateJob")
	slotGetJob    = slot(callbackabi.IID_IBackgroundCopyManager, "GetJob")
)

// Manager is a connection to the BITS service (IBackgroundCopyManager).
type Manager struct {
	p         unsafe.Pointer
	uninit    bool // Close must call CoUninitialize
	apartment callbackabi.Apartment
	thread    uint32    // the OS thread that connected
	rec       *Recorder // nil unless Record was called

	// OnPanic, if set, is called with the value of a panic raised by a
	// callback registered through this manager's jobs, after the bridge has
	// recovered it (the call then answers RPC_E_SERVERFAULT). It runs on
	// the COM thread that made the call.
	OnPanic func(v any)
}

// HRESULTError is a failed HRESULT from a COM call, with the call's name.
type HRESULTError struct {
	Op string
	HR callbackabi.HRESULT
}

func (e *HRESULTError) Error() string {
	return fmt.Sprintf("combridge: %s: %v (%s)", e.Op, e.HR, callbackabi.Description(e.HR))
}

// Connect joins the calling goroutine's OS thread to COM's multithreaded
// apartment (locking the goroutine to that thread until Close) and connects
// to the BITS service. Call Close when done. It is
// ConnectIn(callbackabi.MTA).
//
// Connect once per program and keep the connection: other goroutines' calls
// then run in COM's implicit multithreaded apartment. (Under Wine 8, a
// callback registered after a second Connect/Close cycle in one process is
// never reached: its stub is gone. The tests share one connection.)
func Connect() (*Manager, error) { return ConnectIn(callbackabi.MTA) }

// ConnectIn is Connect in the apartment a. With callbackabi.STA the
// calling thread becomes a single-threaded apartment: callbacks registered
// from it arrive on that thread, one at a time, and only while it pumps
// messages (Pump); a callback that calls out (to the job, say) can be
// entered again on the same thread before it returns — the re-entrancy the
// simulator's STA clients model (G34). The Manager and the jobs created
// through it must then be used from the calling goroutine only.
func ConnectIn(a callbackabi.Apartment) (*Manager, error) {
	runtime.LockOSThread()
	m := &Manager{apartment: a, thread: currentThreadID()}
	flags := uintptr(coinitMultithreaded)
	if a == callbackabi.STA {
		flags = coinitApartmentThreaded
	}
	switch h := hr(syscall.SyscallN(procCoInitializeEx.Addr(), 0, flags)); {
	case h.Succeeded(): // S_OK, or S_FALSE when already initialised: both need CoUninitialize
		m.uninit = true
	case uint32(h) == rpcEChangedMode:
		runtime.UnlockOSThread()
		return nil, &HRESULTError{"CoInitializeEx(" + a.String() + "): the thread is in another apartment already", h}
	default:
		runtime.UnlockOSThread()
		return nil, &HRESULTError{"CoInitializeEx", h}
	}
	clsid, iid := callbackabi.CLSID_BackgroundCopyManager, callbackabi.IID_IBackgroundCopyManager
	h := hr(syscall.SyscallN(procCoCreateInstance.Addr(), uintptr(unsafe.Pointer(&clsid)), 0,
		clsctxLocalServer, uintptr(unsafe.Pointer(&iid)), uintptr(unsafe.Pointer(&m.p))))
	if h.Failed() {
		m.Close()
		return nil, &HRESULTError{"CoCreateInstance(BackgroundCopyManager)", h}
	}
	return m, nil
}

// Pump runs the STA thread's message loop until done is closed: COM
// delivers the calls to callbacks registered from this apartment as window
// messages, so they run only inside Pump, on this thread. It must be called
// from the goroutine that called ConnectIn(callbackabi.STA); on an MTA
// connection it just waits for done.
func (m *Manager) Pump(done <-chan struct{}) error {
	if m.apartment != callbackabi.STA {
		<-done
		return nil
	}
	if id := currentThreadID(); id != m.thread {
		return fmt.Errorf("combridge: Pump on thread %d, but the apartment is thread %d's", id, m.thread)
	}
	stop := make(chan struct{})
	defer close(stop)
	var tick <-chan time.Time // a recorder's polls, made on this thread (the jobs are its)
	if m.rec != nil && m.rec.opts.Poll > 0 {
		t := time.NewTicker(m.rec.opts.Poll)
		defer t.Stop()
		tick = t.C
	}
	go func() { // done closes: wake GetMessage with WM_QUIT
		for {
			select {
			case <-done:
				syscall.SyscallN(procPostThreadMessageW.Addr(), uintptr(m.thread), wmQuit, 0, 0)
				return
			case <-tick:
				syscall.SyscallN(procPostThreadMessageW.Addr(), uintptr(m.thread), wmPoll, 0, 0)
			case <-stop:
				return
			}
		}
	}()
	var msg [48]byte // MSG
	for {
		r, _, _ := syscall.SyscallN(procGetMessageW.Addr(), uintptr(unsafe.Pointer(&msg)), 0, 0, 0)
		switch int32(r) {
		case 0: // WM_QUIT
			return nil
		case -1:
			return fmt.Errorf("combridge: GetMessage failed")
		}
		if *(*uint32)(unsafe.Pointer(&msg[8])) == wmPoll { // MSG.message, after the HWND
			if m.rec != nil {
				m.rec.poll()
			}
			continue
		}
		syscall.SyscallN(procTranslateMessage.Addr(), uintptr(unsafe.Pointer(&msg)))
		syscall.SyscallN(procDispatchMessageW.Addr(), uintptr(unsafe.Pointer(&msg)))
	}
}

func currentThreadID() uint32 {
	r, _, _ := syscall.SyscallN(procGetCurrentThreadId.Addr())
	return uint32(r)
}

// Close releases the manager and leaves COM. Jobs created through it stay
// usable only until then. Close is idempotent. An MTA connection unlocks
// the goroutine from its thread; an STA connection leaves it locked, so
// that Go discards the thread when the goroutine ends: each apartment gets
// a fresh thread (under Wine 8 a thread that held an apartment before does
// not receive callbacks in a new one).
func (m *Manager) Close() {
	if m.p != nil {
		release(m.p)
		m.p = nil
	}
	if m.uninit {
		syscall.SyscallN(procCoUninitialize.Addr())
		m.uninit = false
		if m.apartment != callbackabi.STA {
			runtime.UnlockOSThread()
		}
	}
}

// CreateJob is IBackgroundCopyManager::CreateJob: a new job named name, of
// type typ (BG_JOB_TYPE_DOWNLOAD ...), owned by the caller. Release the
// returned Job when done with it (the job itself stays in BITS until it is
// completed or cancelled).
func (m *Manager) CreateJob(name string, typ callbackabi.JobType) (*Job, callbackabi.GUID, error) {
	var id callbackabi.GUID
	if m.p == nil {
		return nil, id, &HRESULTError{"CreateJob", callbackabi.E_UNEXPECTED}
	}
	s, h := utf16(name)
	if h.Failed() {
		return nil, id, &HRESULTError{"CreateJob", h}
	}
	var p unsafe.Pointer
	h = hr(syscall.SyscallN(method(m.p, slotCreateJob), uintptr(m.p), uintptr(unsafe.Pointer(s)),
		uintptr(typ), uintptr(unsafe.Pointer(&id)), uintptr(unsafe.Pointer(&p))))
	if h.Failed() {
		return nil, id, &HRESULTError{"CreateJob", h}
	}
	j := m.own(p)
	if m.rec != nil {
		j.rj = m.rec.job(id, j.ref)
		m.rec.created(j.rj)
	}
	return j, id, nil
}

// GetJob is IBackgroundCopyManager::GetJob: the job with id, owned by the
// caller (Release it), or BG_E_NOT_FOUND.
func (m *Manager) GetJob(id callbackabi.GUID) (*Job, error) {
	if m.p == nil {
		return nil, &HRESULTError{"GetJob", callbackabi.E_UNEXPECTED}
	}
	var p unsafe.Pointer
	h := hr(syscall.SyscallN(method(m.p, slotGetJob), uintptr(m.p), uintptr(unsafe.Pointer(&id)),
		uintptr(unsafe.Pointer(&p))))
	if h.Failed() {
		return nil, &HRESULTError{"GetJob", h}
	}
	j := m.own(p)
	if m.rec != nil {
		j.rj = m.rec.job(id, j.ref)
		m.rec.observe(j.rj, p)
	}
	return j, nil
}

// own wraps a job pointer the caller holds a reference to.
func (m *Manager) own(p unsafe.Pointer) *Job {
	return &Job{ref: &ref{p: p, owned: true}, m: m, rec: m.rec}
}
