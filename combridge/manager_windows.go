//go:build windows

package combridge

import (
	"fmt"
	"runtime"
	"syscall"
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
	p      unsafe.Pointer
	uninit bool // Close must call CoUninitialize

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
// to the BITS service. Call Close when done.
//
// Connect once per program and keep the connection: other goroutines' calls
// then run in COM's implicit multithreaded apartment. (Under Wine 8, a
// callback registered after a second Connect/Close cycle in one process is
// never reached: its stub is gone. The tests share one connection.)
func Connect() (*Manager, error) {
	runtime.LockOSThread()
	m := &Manager{}
	switch h := hr(syscall.SyscallN(procCoInitializeEx.Addr(), 0, coinitMultithreaded)); {
	case h.Succeeded(): // S_OK, or S_FALSE when already initialised: both need CoUninitialize
		m.uninit = true
	case uint32(h) == rpcEChangedMode:
		runtime.UnlockOSThread()
		return nil, &HRESULTError{"CoInitializeEx(COINIT_MULTITHREADED): the thread is a single-threaded apartment", h}
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

// Close releases the manager and leaves COM. Jobs created through it stay
// usable only until then. Close is idempotent.
func (m *Manager) Close() {
	if m.p != nil {
		release(m.p)
		m.p = nil
	}
	if m.uninit {
		syscall.SyscallN(procCoUninitialize.Addr())
		m.uninit = false
		runtime.UnlockOSThread()
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
	return m.own(p), id, nil
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
	return m.own(p), nil
}

// own wraps a job pointer the caller holds a reference to.
func (m *Manager) own(p unsafe.Pointer) *Job {
	return &Job{ref: &ref{p: p, owned: true}, m: m}
}
