package callbackabi_test

import (
	"fmt"
	"sync/atomic"

	"github.com/bitsim/bitsim/callbackabi"
)

// notifyInterface is the seed sample's CNotifyInterface (the
// IBackgroundCopyCallback page, S-CB) in Go: RefCount replaces m_lRefCount
// and InterlockedIncrement/Decrement, QueryInterfaceFor replaces the
// hand-written QueryInterface, and OnZero replaces `delete this`.
type notifyInterface struct {
	callbackabi.RefCount
	// pendingJobModification is the sample's m_PendingJobModificationCount:
	// under the STA model JobModification can be re-entered (G34).
	pendingJobModification atomic.Int32
}

// QueryInterface answers IID_IUnknown and IID_IBackgroundCopyCallback, like
// the seed; FileTransferred is therefore never called (G4).
func (n *notifyInterface) QueryInterface(iid callbackabi.GUID) (any, callbackabi.HRESULT) {
	return callbackabi.QueryInterfaceFor(n, iid, callbackabi.IID_IBackgroundCopyCallback)
}

// JobTransferred acknowledges the job. Whatever Complete says, it returns
// S_OK: any other result makes BITS call it again (G20).
func (n *notifyInterface) JobTransferred(job callbackabi.Job) callbackabi.HRESULT {
	if hr := job.Complete(); hr.Failed() {
		// BITS probably could not rename a temporary file (G41).
		fmt.Println("Complete failed:", hr)
	}
	return callbackabi.S_OK
}

// JobError applies the 2 GB range rule (G48): a server without range
// support may still serve a known size of at most 2 GB to a foreground job.
func (n *notifyInterface) JobError(job callbackabi.Job, e callbackabi.Error) callbackabi.HRESULT {
	isError := true
	_, code, hr := e.GetError()
	if hr.Succeeded() && code == callbackabi.BG_E_INSUFFICIENT_RANGE_SUPPORT {
		if file, hr := e.GetFile(); hr.Succeeded() {
			progress, _ := file.GetProgress()
			switch {
			case progress.BytesTotal == callbackabi.BG_SIZE_UNKNOWN:
				// Dynamic content: do not change priority; a real error.
			case progress.BytesTotal > callbackabi.TwoGB:
				// BITS uses 2 GB ranges anyway; foreground will not help.
			default:
				job.SetPriority(callbackabi.BG_JOB_PRIORITY_FOREGROUND)
				job.Resume()
				isError = false
			}
			// No pFile->Release(): in Go the file value is simply dropped.
			// Like pJob and pError it must not be kept (G35).
		}
	}
	if isError {
		name, _ := job.GetDisplayName()
		desc, _ := e.GetErrorDescription(0x0409)
		fmt.Printf("job %q failed: %s\n", name, desc)
	}
	return callbackabi.S_OK
}

// JobModification reads progress and state, ignoring re-entrant calls (G34).
func (n *notifyInterface) JobModification(job callbackabi.Job, reserved uint32) callbackabi.HRESULT {
	if !n.pendingJobModification.CompareAndSwap(0, 1) {
		return callbackabi.S_OK // already processing one: drop this one
	}
	defer n.pendingJobModification.Store(0)
	if name, hr := job.GetDisplayName(); hr.Succeeded() {
		if progress, hr := job.GetProgress(); hr.Succeeded() {
			if state, hr := job.GetState(); hr.Succeeded() {
				fmt.Printf("%s: %s, %d/%d bytes\n", name, state, progress.BytesTransferred, progress.BytesTotal)
			}
		}
	}
	return callbackabi.S_OK
}

// fakeJob is the smallest Job the example needs. The embedded interface is
// nil, so any method the example does not define panics loudly if called.
type fakeJob struct {
	callbackabi.Job
	name     string
	state    callbackabi.JobState
	priority callbackabi.JobPriority
	progress callbackabi.JobProgress
}

func (j *fakeJob) GetDisplayName() (string, callbackabi.HRESULT) { return j.name, callbackabi.S_OK }
func (j *fakeJob) GetState() (callbackabi.JobState, callbackabi.HRESULT) {
	return j.state, callbackabi.S_OK
}
func (j *fakeJob) GetProgress() (callbackabi.JobProgress, callbackabi.HRESULT) {
	return j.progress, callbackabi.S_OK
}
func (j *fakeJob) SetPriority(p callbackabi.JobPriority) callbackabi.HRESULT {
	j.priority = p
	return callbackabi.S_OK
}
func (j *fakeJob) Resume() callbackabi.HRESULT {
	j.state = callbackabi.BG_JOB_STATE_QUEUED
	return callbackabi.S_OK
}
func (j *fakeJob) Complete() callbackabi.HRESULT {
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE // G6, G41
	}
	j.state = callbackabi.BG_JOB_STATE_ACKNOWLEDGED
	return callbackabi.S_OK
}

// fakeError and fakeFile complete the example's fake BITS objects.
type fakeError struct {
	code callbackabi.HRESULT
	file *fakeFile
}

func (e *fakeError) GetError() (callbackabi.ErrorContext, callbackabi.HRESULT, callbackabi.HRESULT) {
	return callbackabi.BG_ERROR_CONTEXT_REMOTE_FILE, e.code, callbackabi.S_OK
}
func (e *fakeError) GetFile() (callbackabi.File, callbackabi.HRESULT) {
	if e.file == nil {
		return nil, callbackabi.BG_E_FILE_NOT_AVAILABLE
	}
	return e.file, callbackabi.S_OK
}
func (e *fakeError) GetErrorDescription(uint32) (string, callbackabi.HRESULT) {
	return callbackabi.Description(e.code), callbackabi.S_OK
}
func (e *fakeError) GetErrorContextDescription(uint32) (string, callbackabi.HRESULT) {
	return callbackabi.ContextDescription(callbackabi.BG_ERROR_CONTEXT_REMOTE_FILE), callbackabi.S_OK
}
func (e *fakeError) GetProtocol() (string, callbackabi.HRESULT) { return "http", callbackabi.S_OK }

type fakeFile struct{ size uint64 }

func (f *fakeFile) GetRemoteName() (string, callbackabi.HRESULT) {
	return "http://example.test/f", callbackabi.S_OK
}
func (f *fakeFile) GetLocalName() (string, callbackabi.HRESULT) { return `C:\f`, callbackabi.S_OK }
func (f *fakeFile) GetProgress() (callbackabi.FileProgress, callbackabi.HRESULT) {
	return callbackabi.FileProgress{BytesTotal: f.size}, callbackabi.S_OK
}

// The seed's CNotifyInterface, driven by hand the way BITS would drive it.
func Example_cNotifyInterface() {
	n := &notifyInterface{} // count 1: the creator's reference
	n.OnZero = func() { fmt.Println("last reference released") }

	// BITS asks what the object supports (G4). The seed answers only
	// IBackgroundCopyCallback, so FileTransferred would never be called.
	fmt.Println("Callback2:", callbackabi.Supports(n, callbackabi.IID_IBackgroundCopyCallback2))
	fmt.Println("rules:", callbackabi.CheckUnknown(n))

	job := &fakeJob{name: "update", state: callbackabi.BG_JOB_STATE_TRANSFERRING,
		priority: callbackabi.BG_JOB_PRIORITY_NORMAL,
		progress: callbackabi.JobProgress{BytesTotal: 2048, BytesTransferred: 512}}
	n.JobModification(job, 0)

	// A server without range support, a 1 MB file: go foreground (G48).
	job.state = callbackabi.BG_JOB_STATE_ERROR
	n.JobError(job, &fakeError{code: callbackabi.BG_E_INSUFFICIENT_RANGE_SUPPORT, file: &fakeFile{size: 1 << 20}})
	fmt.Println("after JobError:", job.priority, job.state)

	// A 404 is a real error.
	job.state = callbackabi.BG_JOB_STATE_ERROR
	n.JobError(job, &fakeError{code: callbackabi.BG_E_HTTP_ERROR(404)})

	job.state = callbackabi.BG_JOB_STATE_TRANSFERRED
	fmt.Println("JobTransferred:", n.JobTransferred(job), "state:", job.state)

	fmt.Println("count:", n.Count())
	n.Release() // SetNotifyInterface(NULL) / client exit drops the last reference
	// Output:
	// Callback2: false
	// rules: <nil>
	// update: TRANSFERRING, 512/2048 bytes
	// after JobError: FOREGROUND QUEUED
	// job "update" failed: The server answered with HTTP status 404.
	// JobTransferred: S_OK state: ACKNOWLEDGED
	// count: 1
	// last reference released
}

// plainCallback implements Callback2 with Go methods only: no IUnknown, so
// its method set decides what it supports.
type plainCallback struct{}

func (plainCallback) JobTransferred(callbackabi.Job) callbackabi.HRESULT { return callbackabi.S_OK }
func (plainCallback) JobError(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT {
	return callbackabi.S_OK
}
func (plainCallback) JobModification(callbackabi.Job, uint32) callbackabi.HRESULT {
	return callbackabi.S_OK
}
func (plainCallback) FileTransferred(callbackabi.Job, callbackabi.File) callbackabi.HRESULT {
	return callbackabi.S_OK
}

// comCallback has the same methods plus IUnknown, and its QueryInterface
// admits only IBackgroundCopyCallback.
type comCallback struct {
	plainCallback
	callbackabi.RefCount
}

func (c *comCallback) QueryInterface(iid callbackabi.GUID) (any, callbackabi.HRESULT) {
	return callbackabi.QueryInterfaceFor(c, iid, callbackabi.IID_IBackgroundCopyCallback)
}

// Without IUnknown the Go method set decides; with it, QueryInterface does,
// whatever methods the type has (G4).
func ExampleSupports() {
	var plain plainCallback
	com := &comCallback{}
	fmt.Println("plain Callback2:", callbackabi.Supports(plain, callbackabi.IID_IBackgroundCopyCallback2))
	fmt.Println("plain Callback3:", callbackabi.Supports(plain, callbackabi.IID_IBackgroundCopyCallback3))
	fmt.Println("COM   Callback: ", callbackabi.Supports(com, callbackabi.IID_IBackgroundCopyCallback))
	fmt.Println("COM   Callback2:", callbackabi.Supports(com, callbackabi.IID_IBackgroundCopyCallback2))
	fmt.Println("COM   count:    ", com.Count()) // Supports released what QueryInterface added
	// Output:
	// plain Callback2: true
	// plain Callback3: false
	// COM   Callback:  true
	// COM   Callback2: false
	// COM   count:     1
}

// QueryCallback returns the interface itself, holding a reference the caller
// gives back with ReleaseUnknown.
func ExampleQueryCallback() {
	com := &comCallback{}
	obj, hr := callbackabi.QueryCallback(com, callbackabi.IID_IBackgroundCopyCallback)
	fmt.Println(hr, com.Count())
	cb := obj.(callbackabi.Callback)
	fmt.Println(cb.JobTransferred(nil))
	callbackabi.ReleaseUnknown(obj)
	fmt.Println(com.Count())

	_, hr = callbackabi.QueryCallback(com, callbackabi.IID_IBackgroundCopyCallback3)
	fmt.Println(hr)
	// Output:
	// S_OK 2
	// S_OK
	// 1
	// E_NOINTERFACE
}

func ExampleQueryInterfaceFor() {
	com := &comCallback{}
	_, hr := com.QueryInterface(callbackabi.IID_IUnknown) // always admitted
	fmt.Println(hr, com.Count())
	_, hr = com.QueryInterface(callbackabi.IID_IBackgroundCopyJob)
	fmt.Println(hr, com.Count())
	// Output:
	// S_OK 2
	// E_NOINTERFACE 2
}

func ExampleRefCount() {
	var r callbackabi.RefCount // the zero value counts 1, like m_lRefCount = 1
	r.OnZero = func() { fmt.Println("delete this") }
	fmt.Println(r.AddRef())
	fmt.Println(r.Release())
	fmt.Println(r.Release())
	// Output:
	// 2
	// 1
	// delete this
	// 0
}

// leakyCallback's QueryInterface forgets the AddRef that COM requires.
type leakyCallback struct {
	plainCallback
	callbackabi.RefCount
}

func (c *leakyCallback) QueryInterface(iid callbackabi.GUID) (any, callbackabi.HRESULT) {
	if iid == callbackabi.IID_IUnknown || iid == callbackabi.IID_IBackgroundCopyCallback {
		return c, callbackabi.S_OK
	}
	return nil, callbackabi.E_NOINTERFACE
}

func ExampleCheckUnknown() {
	fmt.Println(callbackabi.CheckUnknown(&comCallback{}))
	fmt.Println(callbackabi.CheckUnknown(plainCallback{})) // no IUnknown: nothing to check
	fmt.Println(callbackabi.CheckUnknown(&leakyCallback{}))
	// Output:
	// <nil>
	// <nil>
	// callbackabi: *callbackabi_test.leakyCallback breaks the IUnknown rules: a successful QueryInterface(IUnknown) must AddRef exactly once (count 2 before, 2 after)
}

func ExampleParseGUID() {
	g, err := callbackabi.ParseGUID("4991d34b-80a1-4291-83b6-3328366b9097")
	fmt.Println(g, err, g == callbackabi.CLSID_BackgroundCopyManager)
	_, err = callbackabi.ParseGUID("{4991D34B-80A1-4291-83B6}")
	fmt.Println(err)
	// Output:
	// {4991D34B-80A1-4291-83B6-3328366B9097} <nil> true
	// callbackabi: "{4991D34B-80A1-4291-83B6}" is not a GUID
}

func ExampleMustParseGUID() {
	iid := callbackabi.MustParseGUID("{659cdeac-489e-11d9-a9cd-000d56965251}")
	fmt.Println(callbackabi.InterfaceName(iid))
	// Output: IBackgroundCopyCallback2
}

func ExampleGUID_String() {
	fmt.Println(callbackabi.IID_IUnknown)
	fmt.Printf("%08X %04X %04X %X\n", callbackabi.IID_IUnknown.Data1, callbackabi.IID_IUnknown.Data2,
		callbackabi.IID_IUnknown.Data3, callbackabi.IID_IUnknown.Data4)
	// Output:
	// {00000000-0000-0000-C000-000000000046}
	// 00000000 0000 0000 C000000000000046
}

func ExampleInterfaceName() {
	fmt.Println(callbackabi.InterfaceName(callbackabi.IID_IBackgroundCopyJob))
	fmt.Println(callbackabi.InterfaceName(callbackabi.MustParseGUID("{00000003-0000-0000-C000-000000000046}")))
	// Output:
	// IBackgroundCopyJob
	// {00000003-0000-0000-C000-000000000046}
}

func ExampleParseHRESULT() {
	for _, text := range []string{"BG_E_INVALID_STATE", "e_fail", "0x80190194", "0x00000001", "0xZZ"} {
		hr, err := callbackabi.ParseHRESULT(text)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(hr.Hex(), hr, hr.Failed())
	}
	// Output:
	// 0x80200002 BG_E_INVALID_STATE true
	// 0x80004005 E_FAIL true
	// 0x80190194 BG_E_HTTP_ERROR_404 true
	// 0x00000001 S_FALSE false
	// callbackabi: "0xZZ" is not an HRESULT
}

func ExampleHRESULT_String() {
	fmt.Println(callbackabi.BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION)
	fmt.Println(callbackabi.BG_E_HTTP_ERROR(503))
	fmt.Println(callbackabi.FromUint32(0x80123456)) // no name: hex
	// Output:
	// BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION
	// BG_E_HTTP_ERROR_503
	// 0x80123456
}

func ExampleHRESULT_Hex() {
	fmt.Println(callbackabi.RPC_E_DISCONNECTED.Hex())
	// Output: 0x80010108
}

func ExampleHRESULT_HTTPStatus() {
	status, ok := callbackabi.FromUint32(0x801901F7).HTTPStatus()
	fmt.Println(status, ok)
	_, ok = callbackabi.E_FAIL.HTTPStatus()
	fmt.Println(ok)
	// Output:
	// 503 true
	// false
}

func ExampleDescription() {
	fmt.Println(callbackabi.Description(callbackabi.BG_E_ERROR_INFORMATION_UNAVAILABLE))
	fmt.Println(callbackabi.ContextDescription(callbackabi.BG_ERROR_CONTEXT_REMOTE_FILE))
	// Output:
	// No error information is available: the job is not in ERROR or TRANSIENT_ERROR.
	// The error concerns the remote file (for example the URL is not accessible).
}

func ExampleNotifyFlags_String() {
	fmt.Println(callbackabi.NotifyFlagsDefault) // G1
	fmt.Println(callbackabi.BG_NOTIFY_JOB_MODIFICATION | 0x40)
	// Output:
	// JOB_TRANSFERRED|JOB_ERROR
	// JOB_MODIFICATION|0x40
}

func ExampleParseNotifyFlags() {
	f, err := callbackabi.ParseNotifyFlags("BG_NOTIFY_JOB_TRANSFERRED | FILE_TRANSFERRED")
	fmt.Println(uint32(f), err)
	_, err = callbackabi.ParseNotifyFlags("JOB_DONE")
	fmt.Println(err)
	// Output:
	// 17 <nil>
	// callbackabi: "JOB_DONE" is not a BG_NOTIFY flag set (bad term "JOB_DONE")
}

func ExampleParseJobPriority() {
	p, err := callbackabi.ParseJobPriority("BG_JOB_PRIORITY_FOREGROUND")
	fmt.Println(uint32(p), p, err)
	// Output: 0 FOREGROUND <nil>
}

func ExampleVtable() {
	for _, s := range callbackabi.Vtable(callbackabi.IID_IBackgroundCopyCallback3) {
		fmt.Println(s.Index, s.Name)
	}
	// Output:
	// 0 QueryInterface
	// 1 AddRef
	// 2 Release
	// 3 JobTransferred
	// 4 JobError
	// 5 JobModification
	// 6 FileTransferred
	// 7 FileRangesTransferred
}

func ExampleVtableIndex() {
	fmt.Println(callbackabi.VtableIndex(callbackabi.IID_IBackgroundCopyJob, "SetNotifyInterface"))
	fmt.Println(callbackabi.VtableIndex(callbackabi.IID_IBackgroundCopyManager, "CreateJob"))
	fmt.Println(callbackabi.VtableIndex(callbackabi.IID_IBackgroundCopyJob2, "SetNotifyCmdLine"))
	// Output:
	// 25
	// 3
	// 35
}

// The three service accounts are always logged on, and their jobs never
// run a notification program (G30).
func ExampleIsServiceAccount() {
	fmt.Println(callbackabi.IsServiceAccount(callbackabi.NetworkService), callbackabi.IsServiceAccount("alice"))
	// Output:
	// true false
}
