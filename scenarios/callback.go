package scenarios

import (
	"github.com/bitsim/bitsim/callbackabi"
)

// Funcs is a callback object built from functions, for scenarios and
// tests: a nil function returns S_OK (G5). It answers QueryInterface for
// IBackgroundCopyCallback2 only when FileTransferred is set, and for
// IBackgroundCopyCallback3 only when FileRangesTransferred is set, so BITS
// calls exactly the methods given (G4).
type Funcs struct {
	callbackabi.RefCount
	Transferred  func(job callbackabi.Job) callbackabi.HRESULT
	Error        func(job callbackabi.Job, err callbackabi.Error) callbackabi.HRESULT
	Modification func(job callbackabi.Job) callbackabi.HRESULT
	FileDone     func(job callbackabi.Job, file callbackabi.File) callbackabi.HRESULT
	RangesDone   func(job callbackabi.Job, file callbackabi.File, ranges []callbackabi.FileRange) callbackabi.HRESULT
}

var _ callbackabi.Callback3 = (*Funcs)(nil)
var _ callbackabi.Unknown = (*Funcs)(nil)

// QueryInterface implements IUnknown.
func (f *Funcs) QueryInterface(iid callbackabi.GUID) (any, callbackabi.HRESULT) {
	ids := []callbackabi.GUID{callbackabi.IID_IBackgroundCopyCallback}
	if f.FileDone != nil || f.RangesDone != nil {
		ids = append(ids, callbackabi.IID_IBackgroundCopyCallback2)
	}
	if f.RangesDone != nil {
		ids = append(ids, callbackabi.IID_IBackgroundCopyCallback3)
	}
	return callbackabi.QueryInterfaceFor(f, iid, ids...)
}

// JobTransferred implements IBackgroundCopyCallback.
func (f *Funcs) JobTransferred(job callbackabi.Job) callbackabi.HRESULT {
	if f.Transferred == nil {
		return callbackabi.S_OK
	}
	return f.Transferred(job)
}

// JobError implements IBackgroundCopyCallback.
func (f *Funcs) JobError(job callbackabi.Job, err callbackabi.Error) callbackabi.HRESULT {
	if f.Error == nil {
		return callbackabi.S_OK
	}
	return f.Error(job, err)
}

// JobModification implements IBackgroundCopyCallback.
func (f *Funcs) JobModification(job callbackabi.Job, _ uint32) callbackabi.HRESULT {
	if f.Modification == nil {
		return callbackabi.S_OK
	}
	return f.Modification(job)
}

// FileTransferred implements IBackgroundCopyCallback2.
func (f *Funcs) FileTransferred(job callbackabi.Job, file callbackabi.File) callbackabi.HRESULT {
	if f.FileDone == nil {
		return callbackabi.S_OK
	}
	return f.FileDone(job, file)
}

// FileRangesTransferred implements IBackgroundCopyCallback3.
func (f *Funcs) FileRangesTransferred(job callbackabi.Job, file callbackabi.File, ranges []callbackabi.FileRange) callbackabi.HRESULT {
	if f.RangesDone == nil {
		return callbackabi.S_OK
	}
	return f.RangesDone(job, file, ranges)
}
