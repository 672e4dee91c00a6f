package callbackabi

// Callback is IBackgroundCopyCallback: the interface a client implements to
// be told about its jobs instead of polling them (seed page; S-CB).
//
// Every method must be implemented and must return S_OK, even for events the
// client did not register for (G5). The job and error arguments belong to the
// caller and are valid only until the method returns (G35): do not keep them.
//
// In Go a callback is a plain value with this method set. BITS decides whether
// it may also call FileTransferred / FileRangesTransferred by asking the object
// for IBackgroundCopyCallback2 / 3: through [Unknown.QueryInterface] when the
// value implements [Unknown], otherwise by a Go type assertion to [Callback2] /
// [Callback3].
type Callback interface {
	// JobTransferred is called once every file of the job has transferred
	// (G11). Anything but S_OK makes BITS call it again later (G20).
	JobTransferred(job Job) HRESULT
	// JobError is called when the job enters ERROR (G12). Anything but S_OK
	// makes BITS call it again later (G20).
	JobError(job Job, err Error) HRESULT
	// JobModification is called when the job changes (G13). It is throttled,
	// lossy, launched on low-priority threads (G14, G32); its result is not
	// retried (G22). reserved is always 0.
	JobModification(job Job, reserved uint32) HRESULT
}

// Callback2 is IBackgroundCopyCallback2 (BITS 3.0): adds FileTransferred.
type Callback2 interface {
	Callback
	// FileTransferred is called when one file of the job has transferred,
	// serialized per job and before JobTransferred/JobError (G15, G33).
	// A failure HRESULT (< 0) makes BITS call it again (G21).
	FileTransferred(job Job, file File) HRESULT
}

// Callback3 is IBackgroundCopyCallback3 (BITS 10.1): adds FileRangesTransferred.
type Callback3 interface {
	Callback2
	// FileRangesTransferred reports ranges downloaded since the last call, for
	// on-demand jobs (G16). Not retried (G22).
	FileRangesTransferred(job Job, file File, ranges []FileRange) HRESULT
}

// Unknown is the optional IUnknown part of a COM object. A Go callback need
// not implement it; when it does, BITS uses QueryInterface to find out which
// callback interfaces the object supports, and AddRef/Release around the time
// it holds the pointer. [RefCount] is an embeddable helper.
type Unknown interface {
	// QueryInterface returns the object as the interface iid, or
	// (nil, E_NOINTERFACE). A successful call counts as an AddRef.
	QueryInterface(iid GUID) (any, HRESULT)
	AddRef() uint32
	Release() uint32
}

// Job is the part of IBackgroundCopyJob (and IBackgroundCopyJob2) that a
// callback, or a client holding a job, uses. Methods return the HRESULT the
// documented method returns; out parameters come first.
type Job interface {
	GetId() (GUID, HRESULT)
	GetType() (JobType, HRESULT)
	GetDisplayName() (string, HRESULT)
	SetDisplayName(name string) HRESULT
	GetDescription() (string, HRESULT)
	SetDescription(desc string) HRESULT
	GetOwner() (string, HRESULT)
	GetProgress() (JobProgress, HRESULT)
	GetTimes() (JobTimes, HRESULT)
	GetState() (JobState, HRESULT)
	GetError() (Error, HRESULT)
	GetErrorCount() (uint32, HRESULT)
	GetPriority() (JobPriority, HRESULT)
	SetPriority(p JobPriority) HRESULT
	AddFile(remoteURL, localName string) HRESULT
	EnumFiles() ([]File, HRESULT)
	Resume() HRESULT
	Suspend() HRESULT
	Cancel() HRESULT
	Complete() HRESULT
	TakeOwnership() HRESULT
	GetNotifyFlags() (NotifyFlags, HRESULT)
	SetNotifyFlags(flags NotifyFlags) HRESULT
	GetNotifyInterface() (Callback, HRESULT)
	// SetNotifyInterface registers cb (nil clears the registration). The
	// registration is made in the context of the calling user (G10) and the
	// last caller wins (G8).
	SetNotifyInterface(cb Callback) HRESULT
	GetMinimumRetryDelay() (seconds uint32, hr HRESULT)
	SetMinimumRetryDelay(seconds uint32) HRESULT
	GetNoProgressTimeout() (seconds uint32, hr HRESULT)
	SetNoProgressTimeout(seconds uint32) HRESULT
	// SetNotifyCmdLine is IBackgroundCopyJob2::SetNotifyCmdLine (G24–G30).
	// A nil program (represented by the empty string) together with empty
	// parameters removes the command line.
	SetNotifyCmdLine(program, parameters string) HRESULT
	GetNotifyCmdLine() (program, parameters string, hr HRESULT)
}

// File is IBackgroundCopyFile.
type File interface {
	GetRemoteName() (string, HRESULT)
	GetLocalName() (string, HRESULT)
	GetProgress() (FileProgress, HRESULT)
}

// Error is IBackgroundCopyError (G49).
type Error interface {
	// GetError returns the context and the error code.
	GetError() (ctx ErrorContext, code HRESULT, hr HRESULT)
	// GetFile returns the file the error concerns, or BG_E_FILE_NOT_AVAILABLE.
	GetFile() (File, HRESULT)
	// GetErrorDescription returns the text for the error code in langID.
	GetErrorDescription(langID uint32) (string, HRESULT)
	// GetErrorContextDescription returns the text for the context.
	GetErrorContextDescription(langID uint32) (string, HRESULT)
	// GetProtocol returns "http", "https", "file", or BG_E_PROTOCOL_NOT_AVAILABLE.
	GetProtocol() (string, HRESULT)
}
