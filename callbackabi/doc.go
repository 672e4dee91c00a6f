// Package callbackabi is bitsim's COM contract: the Go shape of the BITS
// notification interfaces and every constant they use.
//
// It holds HRESULT and the BG_* enumerations with their documented values
// (reference tables 2.1–2.9), names and descriptions for all of them, GUIDs
// and the interface identifiers, the Go interfaces a callback implements
// ([Callback], [Callback2], [Callback3]) and the ones it is handed ([Job],
// [File], [Error]), the IUnknown rules with helpers ([RefCount],
// [QueryInterfaceFor], [QueryCallback], [Supports], [CheckUnknown]), and the
// vtable layouts ([Vtable]) a Windows COM bridge needs. It has no dependency
// beyond the standard library and builds for every GOOS without cgo.
//
// Rule ids (G1 … G50) refer to reference/bits-semantics.md.
//
// # From the COM interface to a Go value
//
// In C++ a client implements IBackgroundCopyCallback as a class with a vtable:
// QueryInterface, AddRef and Release (slots 0–2), then JobTransferred,
// JobError and JobModification (slots 3–5). In Go the same callback is any
// value with that method set:
//
//	COM (bits.h)                                         Go
//	HRESULT JobTransferred(IBackgroundCopyJob *pJob)      JobTransferred(job Job) HRESULT
//	HRESULT JobError(IBackgroundCopyJob *pJob,            JobError(job Job, err Error) HRESULT
//	                 IBackgroundCopyError *pError)
//	HRESULT JobModification(IBackgroundCopyJob *pJob,     JobModification(job Job, reserved uint32) HRESULT
//	                        DWORD dwReserved)
//	IBackgroundCopyCallback2::FileTransferred             FileTransferred(job Job, file File) HRESULT
//	IBackgroundCopyCallback3::FileRangesTransferred       FileRangesTransferred(job Job, file File, ranges []FileRange) HRESULT
//
// Out parameters become results placed before the HRESULT
// (GetState(&state) is GetState() (JobState, HRESULT)), LPWSTR becomes string,
// and interface pointers become Go interfaces. An HRESULT is an int32: success
// codes are >= 0, failures < 0 ([HRESULT.Succeeded], [HRESULT.Failed]), and
// [HRESULT.String] / [ParseHRESULT] translate between codes and their names
// ("BG_E_INVALID_STATE", "BG_E_HTTP_ERROR_404", or "0x%08X").
//
// # IUnknown is optional, and decides FileTransferred
//
// A Go callback need not implement IUnknown. If it does not, bitsim decides
// which interfaces it supports from its Go method set: a value that also has
// FileTransferred is an IBackgroundCopyCallback2, and one that also has
// FileRangesTransferred an IBackgroundCopyCallback3.
//
// If it does implement [Unknown] (QueryInterface, AddRef, Release), it is
// treated exactly as BITS treats a COM object: its QueryInterface decides. A
// type may have a FileTransferred method and still answer E_NOINTERFACE for
// IID_IBackgroundCopyCallback2; BITS then never calls FileTransferred on it
// (G4). [QueryCallback] and [Supports] implement this decision, and they
// release what QueryInterface returned, because a successful QueryInterface
// counts as an AddRef. [QueryInterfaceFor] is the usual body of a
// QueryInterface method, [RefCount] the usual AddRef/Release (starting at 1,
// like the seed sample's constructor), and [CheckUnknown] checks that an
// object follows the IUnknown rules (IID_IUnknown and the object's own IIDs
// succeed, one AddRef per success, stable identity).
//
// # The rules a callback must follow
//
//   - Implement every method and return S_OK from each, including the ones you
//     did not ask for with SetNotifyFlags (G5). A client that wants no
//     FileTransferred calls registers a plain [Callback] rather than a
//     [Callback2] that fails.
//   - Do not keep the arguments (G35). BITS owns pJob, pError and pFile and
//     releases them when the method returns; in Go, do not store the [Job],
//     [Error] or [File] values or use them after returning. Copy the data you
//     need (the job id from GetId, the error code from GetError).
//   - Know which results are retried. JobTransferred and JobError are called
//     again, after an arbitrary interval, until they return S_OK (G20); S_FALSE
//     is not S_OK, and whether BITS really retries on it is ambiguity 1 of the
//     reference, so bitsim makes it an option. FileTransferred is called again
//     only when its result is a failure code, < 0 (G21), and a failing
//     FileTransferred holds back the next file's call (G15). The results of
//     JobModification and FileRangesTransferred are not retried (G22). If a
//     command line is registered as well, a failing JobTransferred or JobError
//     hands the notification to it instead (G25, G26).
//   - Expect duplicates: at-least-once delivery (G18, G19) means the same
//     JobTransferred or JobError may arrive again; handle it idempotently.
//   - Return quickly: at most four notifications per user run at once (G31),
//     and a slow callback blocks every application of that user.
//   - Under the single-threaded apartment model a callback that calls into the
//     job (GetProgress, Complete) can be re-entered (G34); the seed sample's
//     compare-exchange guard on JobModification is shown in the package
//     example.
//
// # Vtables
//
// [Vtable] lists the slots of each interface a bridge touches, inherited
// slots first, so a Windows build can lay out a callback's vtable with
// syscall.NewCallback and call into BITS objects by index; [VtableIndex] looks
// up one method (IBackgroundCopyJob's SetNotifyInterface is slot 25).
package callbackabi
