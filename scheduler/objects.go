package scheduler

import (
	"strings"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/sim"
)

var epoch = sim.Epoch

// errorObj is IBackgroundCopyError: a snapshot of the job's error (G49).
type errorObj struct {
	j *job
	e jobError
}

func (e *errorObj) GetError() (callbackabi.ErrorContext, hr, hr) {
	return e.e.ctx, e.e.code, callbackabi.S_OK
}

func (e *errorObj) GetFile() (callbackabi.File, hr) {
	if e.e.file < 0 || e.e.file >= len(e.j.files) {
		return nil, callbackabi.BG_E_FILE_NOT_AVAILABLE
	}
	return &fileObj{j: e.j, i: e.e.file}, callbackabi.S_OK
}

func (e *errorObj) GetErrorDescription(langID uint32) (string, hr) {
	return callbackabi.Description(e.e.code), callbackabi.S_OK
}

func (e *errorObj) GetErrorContextDescription(langID uint32) (string, hr) {
	return callbackabi.ContextDescription(e.e.ctx), callbackabi.S_OK
}

func (e *errorObj) GetProtocol() (string, hr) {
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
	j *job
	i int
}

func (f *fileObj) GetRemoteName() (string, hr) {
	return f.j.files[f.i].spec.RemoteURL, callbackabi.S_OK
}

func (f *fileObj) GetLocalName() (string, hr) {
	return f.j.files[f.i].spec.LocalName, callbackabi.S_OK
}

// GetProgress returns BG_FILE_PROGRESS (G50): BytesTotal is
// BG_SIZE_UNKNOWN until the size is known; Completed once Complete made
// the file available.
func (f *fileObj) GetProgress() (callbackabi.FileProgress, hr) {
	fl := f.j.files[f.i]
	return callbackabi.FileProgress{BytesTotal: fl.total(), BytesTransferred: fl.transferred, Completed: fl.completed}, callbackabi.S_OK
}
