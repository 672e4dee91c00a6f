package scheduler

import (
	"strings"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/sim"
)

var epoch = sim.Epoch

// errorObj is IBackgroundCopyError: a snapshot of the job's error (G49).
// A planned Failure may break it (Failure.ErrorObjectHR, ErrorFileHR: a
// fault injection, docs/MODEL.md), so that clients' error paths meet
// failing error-information calls.
type errorObj struct {
	j    *job
	e    jobError
	call *call // the invocation it was passed to (G35), nil for GetError's
}

// stale reports a use of a callback's argument after the callback
// returned (G35): BITS owns it and has released it.
func stale(j *job, c *call) bool {
	if c != nil && !c.live {
		j.s.stats.ArgumentMisuse++
		return true
	}
	return false
}

func (e *errorObj) GetError() (callbackabi.ErrorContext, hr, hr) {
	if stale(e.j, e.call) {
		return 0, 0, callbackabi.E_UNEXPECTED
	}
	if e.e.objHR != 0 {
		return 0, 0, e.e.objHR
	}
	return e.e.ctx, e.e.code, callbackabi.S_OK
}

func (e *errorObj) GetFile() (callbackabi.File, hr) {
	if stale(e.j, e.call) {
		return nil, callbackabi.E_UNEXPECTED
	}
	if e.e.objHR != 0 {
		return nil, e.e.objHR
	}
	if e.e.file < 0 || e.e.file >= len(e.j.files) {
		return nil, callbackabi.BG_E_FILE_NOT_AVAILABLE
	}
	return &fileObj{j: e.j, i: e.e.file, call: e.call, hr: e.e.fileHR}, callbackabi.S_OK
}

func (e *errorObj) GetErrorDescription(langID uint32) (string, hr) {
	if stale(e.j, e.call) {
		return "", callbackabi.E_UNEXPECTED
	}
	if e.e.objHR != 0 {
		return "", e.e.objHR
	}
	return callbackabi.Description(e.e.code), callbackabi.S_OK
}

func (e *errorObj) GetErrorContextDescription(langID uint32) (string, hr) {
	if stale(e.j, e.call) {
		return "", callbackabi.E_UNEXPECTED
	}
	if e.e.objHR != 0 {
		return "", e.e.objHR
	}
	return callbackabi.ContextDescription(e.e.ctx), callbackabi.S_OK
}

func (e *errorObj) GetProtocol() (string, hr) {
	if stale(e.j, e.call) {
		return "", callbackabi.E_UNEXPECTED
	}
	if e.e.objHR != 0 {
		return "", e.e.objHR
	}
	if e.e.file < 0 || e.e.file >= len(e.j.files) {
		return "", callbackabi.BG_E_PROTOCOL_NOT_AVAILABLE
	}
	u := strings.ToLower(e.j.files[e.e.file].spec.RemoteURL)
	switch {
	case strings.HasPrefix(u, "https://"):
		return "https", callbackabi.S_OK
	case strings.HasPrefix(u, "http://"):
		return "http", callbackabi.S_OK
	}
	return "file", callbackabi.S_OK
}

// fileObj is IBackgroundCopyFile.
type fileObj struct {
	j    *job
	i    int
	call *call // the invocation it was passed to (G35), nil otherwise
	hr   hr    // not 0: a broken error object's file (Failure.ErrorFileHR)
}

func (f *fileObj) GetRemoteName() (string, hr) {
	if stale(f.j, f.call) {
		return "", callbackabi.E_UNEXPECTED
	}
	return f.j.files[f.i].spec.RemoteURL, callbackabi.S_OK
}

func (f *fileObj) GetLocalName() (string, hr) {
	if stale(f.j, f.call) {
		return "", callbackabi.E_UNEXPECTED
	}
	return f.j.files[f.i].spec.LocalName, callbackabi.S_OK
}

// GetProgress returns BG_FILE_PROGRESS (G50): BytesTotal is
// BG_SIZE_UNKNOWN until the size is known; Completed once Complete made
// the file available.
func (f *fileObj) GetProgress() (callbackabi.FileProgress, hr) {
	if stale(f.j, f.call) {
		return callbackabi.FileProgress{}, callbackabi.E_UNEXPECTED
	}
	if f.hr != 0 {
		return callbackabi.FileProgress{}, f.hr
	}
	fl := f.j.files[f.i]
	return callbackabi.FileProgress{BytesTotal: fl.total(), BytesTransferred: fl.transferred, Completed: fl.completed}, callbackabi.S_OK
}
