//go:build windows

package combridge

import (
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/bitsim/bitsim/callbackabi"
)

// IBackgroundCopyJob, IBackgroundCopyJob2, IEnumBackgroundCopyFiles,
// IBackgroundCopyFile and IBackgroundCopyError slots, from callbackabi.
var (
	jobSlot = func(name string) int { return slot(callbackabi.IID_IBackgroundCopyJob, name) }

	slotAddFile              = jobSlot("AddFile")
	slotEnumFiles            = jobSlot("EnumFiles")
	slotSuspend              = jobSlot("Suspend")
	slotResume               = jobSlot("Resume")
	slotCancel               = jobSlot("Cancel")
	slotComplete             = jobSlot("Complete")
	slotGetId                = jobSlot("GetId")
	slotGetType              = jobSlot("GetType")
	slotGetProgress          = jobSlot("GetProgress")
	slotGetTimes             = jobSlot("GetTimes")
	slotGetState             = jobSlot("GetState")
	slotGetError             = jobSlot("GetError")
	slotGetOwner             = jobSlot("GetOwner")
	slotSetDisplayName       = jobSlot("SetDisplayName")
	slotGetDisplayName       = jobSlot("GetDisplayName")
	slotSetDescription       = jobSlot("SetDescription")
	slotGetDescription       = jobSlot("GetDescription")
	slotSetPriority          = jobSlot("SetPriority")
	slotGetPriority          = jobSlot("GetPriority")
	slotSetNotifyFlags       = jobSlot("SetNotifyFlags")
	slotGetNotifyFlags       = jobSlot("GetNotifyFlags")
	slotSetNotifyInterface   = jobSlot("SetNotifyInterface")
	slotGetNotifyInterface   = jobSlot("GetNotifyInterface")
	slotSetMinimumRetryDelay = jobSlot("SetMinimumRetryDelay")
	slotGetMinimumRetryDelay = jobSlot("GetMinimumRetryDelay")
	slotSetNoProgressTimeout = jobSlot("SetNoProgressTimeout")
	slotGetNoProgressTimeout = jobSlot("GetNoProgressTimeout")
	slotGetErrorCount        = jobSlot("GetErrorCount")
	slotTakeOwnership        = jobSlot("TakeOwnership")

	slotSetNotifyCmdLine = slot(callbackabi.IID_IBackgroundCopyJob2, "SetNotifyCmdLine")
	slotGetNotifyCmdLine = slot(callbackabi.IID_IBackgroundCopyJob2, "GetNotifyCmdLine")

	slotEnumNext     = slot(callbackabi.IID_IEnumBackgroundCopyFiles, "Next")
	slotEnumGetCount = slot(callbackabi.IID_IEnumBackgroundCopyFiles, "GetCount")

	slotFileGetRemoteName = slot(callbackabi.IID_IBackgroundCopyFile, "GetRemoteName")
	slotFileGetLocalName  = slot(callbackabi.IID_IBackgroundCopyFile, "GetLocalName")
	slotFileGetProgress   = slot(callbackabi.IID_IBackgroundCopyFile, "GetProgress")

	slotErrGetError                   = slot(callbackabi.IID_IBackgroundCopyError, "GetError")
	slotErrGetFile                    = slot(callbackabi.IID_IBackgroundCopyError, "GetFile")
	slotErrGetErrorDescription        = slot(callbackabi.IID_IBackgroundCopyError, "GetErrorDescription")
	slotErrGetErrorContextDescription = slot(callbackabi.IID_IBackgroundCopyError, "GetErrorContextDescription")
	slotErrGetProtocol                = slot(callbackabi.IID_IBackgroundCopyError, "GetProtocol")
)

// lease marks the pointers BITS passed to one callback invocation: they are
// valid until the invocation returns (G35), then over.
type lease struct {
	over     atomic.Bool
	panicked bool // the callback panicked (set by guard, read after it)
}

// ref is a COM pointer held by a wrapper: either owned (the wrapper holds a
// reference, given back by Release) or borrowed from a callback's
// arguments for the length of its lease.
type ref struct {
	mu    sync.Mutex
	p     unsafe.Pointer
	owned bool
	lease *lease
}

// get returns the pointer, or false once it was released or its lease is
// over.
func (r *ref) get() (unsafe.Pointer, bool) {
	if r.lease != nil && r.lease.over.Load() {
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.p, r.p != nil
}

// Release gives an owned reference back to BITS; later calls through the
// wrapper answer E_UNEXPECTED. For a wrapper borrowed from a callback's
// arguments it does nothing (BITS keeps those). Release is idempotent.
func (r *ref) Release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p != nil && r.owned {
		release(r.p)
	}
	r.p = nil
}

// Job is an IBackgroundCopyJob, implementing callbackabi.Job by calling the
// BITS service. A Job from Manager.CreateJob or GetJob is owned: Release it
// when done. A Job handed to a callback is borrowed: it answers E_UNEXPECTED
// once the callback has returned (G35).
type Job struct {
	*ref
	m   *Manager  // for OnPanic; nil for a job BITS passed to a callback
	rec *Recorder // the manager's or the callback's recorder; nil: not recorded
	rj  *recJob   // the job in rec
}

// note has the recorder, if any, read the job's state after a call that
// may have changed it.
func (j *Job) note() {
	if j.rec != nil && j.rj != nil {
		j.rec.observeRef(j.rj, j.ref)
	}
}

var _ callbackabi.Job = (*Job)(nil)

// call0 calls a method without arguments.
func (j *Job) call0(slot int) callbackabi.HRESULT {
	p, ok := j.get()
	if !ok {
		return callbackabi.E_UNEXPECTED
	}
	return hr(syscall.SyscallN(method(p, slot), uintptr(p)))
}

// set32 calls a method taking one 32-bit value.
func (j *Job) set32(slot int, v uint32) callbackabi.HRESULT {
	p, ok := j.get()
	if !ok {
		return callbackabi.E_UNEXPECTED
	}
	return hr(syscall.SyscallN(method(p, slot), uintptr(p), uintptr(v)))
}

// get32 calls a method returning one 32-bit value.
func (j *Job) get32(slot int) (uint32, callbackabi.HRESULT) {
	p, ok := j.get()
	if !ok {
		return 0, callbackabi.E_UNEXPECTED
	}
	var v uint32
	h := hr(syscall.SyscallN(method(p, slot), uintptr(p), uintptr(unsafe.Pointer(&v))))
	return v, h
}

// setString calls a method taking one LPCWSTR.
func (j *Job) setString(slot int, s string) callbackabi.HRESULT {
	p, ok := j.get()
	if !ok {
		return callbackabi.E_UNEXPECTED
	}
	w, h := utf16(s)
	if h.Failed() {
		return h
	}
	return hr(syscall.SyscallN(method(p, slot), uintptr(p), uintptr(unsafe.Pointer(w))))
}

// getString calls a method returning one LPWSTR.
func (j *Job) getString(slot int) (string, callbackabi.HRESULT) {
	p, ok := j.get()
	if !ok {
		return "", callbackabi.E_UNEXPECTED
	}
	return stringOut(p, slot)
}

// stringOut calls a method of p whose only argument is an LPWSTR out
// parameter.
func stringOut(p unsafe.Pointer, slot int) (string, callbackabi.HRESULT) {
	var w *uint16
	h := hr(syscall.SyscallN(method(p, slot), uintptr(p), uintptr(unsafe.Pointer(&w))))
	return takeString(w), h
}

func (j *Job) GetId() (callbackabi.GUID, callbackabi.HRESULT) {
	var id callbackabi.GUID
	p, ok := j.get()
	if !ok {
		return id, callbackabi.E_UNEXPECTED
	}
	h := hr(syscall.SyscallN(method(p, slotGetId), uintptr(p), uintptr(unsafe.Pointer(&id))))
	return id, h
}

func (j *Job) GetType() (callbackabi.JobType, callbackabi.HRESULT) {
	v, h := j.get32(slotGetType)
	return callbackabi.JobType(v), h
}

func (j *Job) GetDisplayName() (string, callbackabi.HRESULT) { return j.getString(slotGetDisplayName) }
func (j *Job) SetDisplayName(name string) callbackabi.HRESULT {
	return j.setString(slotSetDisplayName, name)
}
func (j *Job) GetDescription() (string, callbackabi.HRESULT) { return j.getString(slotGetDescription) }
func (j *Job) SetDescription(desc string) callbackabi.HRESULT {
	return j.setString(slotSetDescription, desc)
}
func (j *Job) GetOwner() (string, callbackabi.HRESULT) { return j.getString(slotGetOwner) }

func (j *Job) GetProgress() (callbackabi.JobProgress, callbackabi.HRESULT) {
	var v callbackabi.JobProgress // the layout of BG_JOB_PROGRESS
	p, ok := j.get()
	if !ok {
		return v, callbackabi.E_UNEXPECTED
	}
	h := hr(syscall.SyscallN(method(p, slotGetProgress), uintptr(p), uintptr(unsafe.Pointer(&v))))
	return v, h
}

func (j *Job) GetTimes() (callbackabi.JobTimes, callbackabi.HRESULT) {
	var t [3]fileTime // BG_JOB_TIMES: creation, modification, transfer completion
	p, ok := j.get()
	if !ok {
		return callbackabi.JobTimes{}, callbackabi.E_UNEXPECTED
	}
	h := hr(syscall.SyscallN(method(p, slotGetTimes), uintptr(p), uintptr(unsafe.Pointer(&t))))
	return callbackabi.JobTimes{CreationTime: t[0].time(), ModificationTime: t[1].time(),
		TransferCompletionTime: t[2].time()}, h
}

func (j *Job) GetState() (callbackabi.JobState, callbackabi.HRESULT) {
	v, h := j.get32(slotGetState)
	j.note()
	return callbackabi.JobState(v), h
}

// GetError returns the job's error object, owned by the caller (Release
// it); BG_E_ERROR_INFORMATION_UNAVAILABLE when the job is not in error.
func (j *Job) GetError() (callbackabi.Error, callbackabi.HRESULT) {
	p, ok := j.get()
	if !ok {
		return nil, callbackabi.E_UNEXPECTED
	}
	var e unsafe.Pointer
	h := hr(syscall.SyscallN(method(p, slotGetError), uintptr(p), uintptr(unsafe.Pointer(&e))))
	if h.Failed() || e == nil {
		return nil, h
	}
	return &Error{ref: &ref{p: e, owned: true}}, h
}

func (j *Job) GetErrorCount() (uint32, callbackabi.HRESULT) { return j.get32(slotGetErrorCount) }

func (j *Job) GetPriority() (callbackabi.JobPriority, callbackabi.HRESULT) {
	v, h := j.get32(slotGetPriority)
	return callbackabi.JobPriority(v), h
}
func (j *Job) SetPriority(p callbackabi.JobPriority) callbackabi.HRESULT {
	return j.set32(slotSetPriority, uint32(p))
}

func (j *Job) AddFile(remoteURL, localName string) callbackabi.HRESULT {
	defer j.note() // a TRANSFERRED job with a new file is QUEUED again on Resume
	p, ok := j.get()
	if !ok {
		return callbackabi.E_UNEXPECTED
	}
	r, h := utf16(remoteURL)
	if h.Failed() {
		return h
	}
	l, h := utf16(localName)
	if h.Failed() {
		return h
	}
	return hr(syscall.SyscallN(method(p, slotAddFile), uintptr(p), uintptr(unsafe.Pointer(r)),
		uintptr(unsafe.Pointer(l))))
}

// EnumFiles returns the job's files, each owned by the caller (Release
// them).
func (j *Job) EnumFiles() ([]callbackabi.File, callbackabi.HRESULT) {
	p, ok := j.get()
	if !ok {
		return nil, callbackabi.E_UNEXPECTED
	}
	var e unsafe.Pointer
	h := hr(syscall.SyscallN(method(p, slotEnumFiles), uintptr(p), uintptr(unsafe.Pointer(&e))))
	if h.Failed() {
		return nil, h
	}
	defer release(e)
	var n uint32
	if h := hr(syscall.SyscallN(method(e, slotEnumGetCount), uintptr(e), uintptr(unsafe.Pointer(&n)))); h.Failed() {
		return nil, h
	}
	files := make([]callbackabi.File, 0, n)
	for {
		var f unsafe.Pointer
		var fetched uint32
		h := hr(syscall.SyscallN(method(e, slotEnumNext), uintptr(e), 1, uintptr(unsafe.Pointer(&f)),
			uintptr(unsafe.Pointer(&fetched))))
		if h.Failed() {
			for _, f := range files {
				f.(*File).Release()
			}
			return nil, h
		}
		if fetched == 0 || f == nil {
			return files, callbackabi.S_OK
		}
		files = append(files, &File{ref: &ref{p: f, owned: true}})
	}
}

func (j *Job) Resume() callbackabi.HRESULT        { return j.change(slotResume) }
func (j *Job) Suspend() callbackabi.HRESULT       { return j.change(slotSuspend) }
func (j *Job) Cancel() callbackabi.HRESULT        { return j.change(slotCancel) }
func (j *Job) Complete() callbackabi.HRESULT      { return j.change(slotComplete) }
func (j *Job) TakeOwnership() callbackabi.HRESULT { return j.call0(slotTakeOwnership) }

// change calls a state-changing method without arguments and notes the
// state it left.
func (j *Job) change(slot int) callbackabi.HRESULT {
	h := j.call0(slot)
	j.note()
	return h
}

func (j *Job) GetNotifyFlags() (callbackabi.NotifyFlags, callbackabi.HRESULT) {
	v, h := j.get32(slotGetNotifyFlags)
	return callbackabi.NotifyFlags(v), h
}
func (j *Job) SetNotifyFlags(flags callbackabi.NotifyFlags) callbackabi.HRESULT {
	h := j.set32(slotSetNotifyFlags, uint32(flags))
	if h.Succeeded() && j.rec != nil && j.rj != nil {
		j.rec.flags(j.rj, flags)
	}
	return h
}

// GetNotifyInterface returns the registered callback when it is a Go value
// this process registered through the bridge, and nil otherwise (nothing
// registered, or an object of another process, which Go cannot call
// through callbackabi.Callback).
func (j *Job) GetNotifyInterface() (callbackabi.Callback, callbackabi.HRESULT) {
	p, ok := j.get()
	if !ok {
		return nil, callbackabi.E_UNEXPECTED
	}
	var u unsafe.Pointer
	h := hr(syscall.SyscallN(method(p, slotGetNotifyInterface), uintptr(p), uintptr(unsafe.Pointer(&u))))
	if h.Failed() || u == nil {
		return nil, h
	}
	defer release(u)
	if o := lookup(u); o != nil {
		return o.cb, h
	}
	return nil, h
}

// SetNotifyInterface registers cb with BITS (nil clears the registration):
// cb is wrapped in a COM object whose vtable calls it (see the package
// documentation). BITS keeps the object alive as long as it needs it.
func (j *Job) SetNotifyInterface(cb callbackabi.Callback) callbackabi.HRESULT {
	p, ok := j.get()
	if !ok {
		return callbackabi.E_UNEXPECTED
	}
	if cb == nil {
		h := hr(syscall.SyscallN(method(p, slotSetNotifyInterface), uintptr(p), 0))
		if h.Succeeded() && j.rec != nil && j.rj != nil {
			j.rec.register(j.rj, false)
		}
		return h
	}
	o := newObject(cb, j.m)
	o.rec, o.rj = j.rec, j.rj
	if o.rec != nil && o.rj != nil {
		// Recorded before the call: BITS may QueryInterface the object, or
		// (a Windows BITS owing the job a notification) call it, at once.
		j.rec.register(j.rj, true)
	}
	h := hr(syscall.SyscallN(method(p, slotSetNotifyInterface), uintptr(p), uintptr(unsafe.Pointer(o))))
	o.release() // BITS holds its own references now, if it took the object
	if h.Failed() && o.rec != nil && o.rj != nil {
		j.rec.register(j.rj, false) // not taken after all
	}
	return h
}

func (j *Job) GetMinimumRetryDelay() (uint32, callbackabi.HRESULT) {
	return j.get32(slotGetMinimumRetryDelay)
}
func (j *Job) SetMinimumRetryDelay(seconds uint32) callbackabi.HRESULT {
	return j.set32(slotSetMinimumRetryDelay, seconds)
}
func (j *Job) GetNoProgressTimeout() (uint32, callbackabi.HRESULT) {
	return j.get32(slotGetNoProgressTimeout)
}
func (j *Job) SetNoProgressTimeout(seconds uint32) callbackabi.HRESULT {
	return j.set32(slotSetNoProgressTimeout, seconds)
}

// job2 returns the job's IBackgroundCopyJob2 (owned: release it).
func (j *Job) job2() (unsafe.Pointer, callbackabi.HRESULT) {
	p, ok := j.get()
	if !ok {
		return nil, callbackabi.E_UNEXPECTED
	}
	return queryInterface(p, callbackabi.IID_IBackgroundCopyJob2)
}

// SetNotifyCmdLine is IBackgroundCopyJob2::SetNotifyCmdLine; an empty
// program with empty parameters passes NULL for both (no command line).
func (j *Job) SetNotifyCmdLine(program, parameters string) callbackabi.HRESULT {
	p2, h := j.job2()
	if h.Failed() {
		return h
	}
	defer release(p2)
	if program == "" && parameters == "" {
		h := hr(syscall.SyscallN(method(p2, slotSetNotifyCmdLine), uintptr(p2), 0, 0))
		if h.Succeeded() && j.rec != nil && j.rj != nil {
			j.rec.cmdline(j.rj, false)
		}
		return h
	}
	prog, h := utf16(program)
	if h.Failed() {
		return h
	}
	params, h := utf16(parameters)
	if h.Failed() {
		return h
	}
	h = hr(syscall.SyscallN(method(p2, slotSetNotifyCmdLine), uintptr(p2),
		uintptr(unsafe.Pointer(prog)), uintptr(unsafe.Pointer(params))))
	if h.Succeeded() && j.rec != nil && j.rj != nil {
		j.rec.cmdline(j.rj, true)
	}
	return h
}

func (j *Job) GetNotifyCmdLine() (program, parameters string, h callbackabi.HRESULT) {
	p2, h := j.job2()
	if h.Failed() {
		return "", "", h
	}
	defer release(p2)
	var prog, params *uint16
	h = hr(syscall.SyscallN(method(p2, slotGetNotifyCmdLine), uintptr(p2),
		uintptr(unsafe.Pointer(&prog)), uintptr(unsafe.Pointer(&params))))
	return takeString(prog), takeString(params), h
}

// File is an IBackgroundCopyFile (callbackabi.File): owned (from
// EnumFiles, Error.GetFile: Release it) or borrowed by a callback.
type File struct{ *ref }

var _ callbackabi.File = (*File)(nil)

func (f *File) GetRemoteName() (string, callbackabi.HRESULT) {
	p, ok := f.get()
	if !ok {
		return "", callbackabi.E_UNEXPECTED
	}
	return stringOut(p, slotFileGetRemoteName)
}

func (f *File) GetLocalName() (string, callbackabi.HRESULT) {
	p, ok := f.get()
	if !ok {
		return "", callbackabi.E_UNEXPECTED
	}
	return stringOut(p, slotFileGetLocalName)
}

func (f *File) GetProgress() (callbackabi.FileProgress, callbackabi.HRESULT) {
	var v struct { // BG_FILE_PROGRESS
		total, transferred uint64
		completed          int32 // BOOL
		_                  int32
	}
	p, ok := f.get()
	if !ok {
		return callbackabi.FileProgress{}, callbackabi.E_UNEXPECTED
	}
	h := hr(syscall.SyscallN(method(p, slotFileGetProgress), uintptr(p), uintptr(unsafe.Pointer(&v))))
	return callbackabi.FileProgress{BytesTotal: v.total, BytesTransferred: v.transferred,
		Completed: v.completed != 0}, h
}

// Error is an IBackgroundCopyError (callbackabi.Error): owned (from
// Job.GetError: Release it) or borrowed by JobError.
type Error struct{ *ref }

var _ callbackabi.Error = (*Error)(nil)

func (e *Error) GetError() (ctx callbackabi.ErrorContext, code callbackabi.HRESULT, h callbackabi.HRESULT) {
	p, ok := e.get()
	if !ok {
		return 0, 0, callbackabi.E_UNEXPECTED
	}
	var c uint32
	var v int32
	h = hr(syscall.SyscallN(method(p, slotErrGetError), uintptr(p), uintptr(unsafe.Pointer(&c)),
		uintptr(unsafe.Pointer(&v))))
	return callbackabi.ErrorContext(c), callbackabi.HRESULT(v), h
}

// GetFile returns the file the error concerns, owned by the caller.
func (e *Error) GetFile() (callbackabi.File, callbackabi.HRESULT) {
	p, ok := e.get()
	if !ok {
		return nil, callbackabi.E_UNEXPECTED
	}
	var f unsafe.Pointer
	h := hr(syscall.SyscallN(method(p, slotErrGetFile), uintptr(p), uintptr(unsafe.Pointer(&f))))
	if h.Failed() || f == nil {
		return nil, h
	}
	return &File{ref: &ref{p: f, owned: true}}, h
}

func (e *Error) GetErrorDescription(langID uint32) (string, callbackabi.HRESULT) {
	return e.describe(slotErrGetErrorDescription, langID)
}

func (e *Error) GetErrorContextDescription(langID uint32) (string, callbackabi.HRESULT) {
	return e.describe(slotErrGetErrorContextDescription, langID)
}

func (e *Error) describe(slot int, langID uint32) (string, callbackabi.HRESULT) {
	p, ok := e.get()
	if !ok {
		return "", callbackabi.E_UNEXPECTED
	}
	var w *uint16
	h := hr(syscall.SyscallN(method(p, slot), uintptr(p), uintptr(langID), uintptr(unsafe.Pointer(&w))))
	return takeString(w), h
}

func (e *Error) GetProtocol() (string, callbackabi.HRESULT) {
	p, ok := e.get()
	if !ok {
		return "", callbackabi.E_UNEXPECTED
	}
	return stringOut(p, slotErrGetProtocol)
}
