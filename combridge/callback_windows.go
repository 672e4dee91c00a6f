//go:build windows

package combridge

import (
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// object is the COM object that stands for a Go callback. Its first word
// is what COM reads as the vtable pointer; the rest is Go's. Objects live in
// Go's heap, which does not move, and stay reachable through live while COM
// holds a reference.
type object struct {
	vtbl *[8]uintptr
	refs atomic.Int32
	cb   callbackabi.Callback
	m    *Manager  // OnPanic; may be nil
	rec  *Recorder // records the calls; nil: not recorded
	rj   *recJob   // the job it is registered for, in rec

	mu  sync.Mutex
	cb2 callbackabi.Callback2 // what QueryInterface(IID_IBackgroundCopyCallback2) answered
	cb3 callbackabi.Callback3
}

// vtbl is the IBackgroundCopyCallback3 vtable every object shares.
var vtbl = [8]uintptr{
	syscall.NewCallback(cbQueryInterface),
	syscall.NewCallback(cbAddRef),
	syscall.NewCallback(cbRelease),
	syscall.NewCallback(cbJobTransferred),
	syscall.NewCallback(cbJobError),
	syscall.NewCallback(cbJobModification),
	syscall.NewCallback(cbFileTransferred),
	syscall.NewCallback(cbFileRangesTransferred),
}

// live holds every object COM has a reference to.
var live = struct {
	sync.Mutex
	m map[*object]struct{}
}{m: map[*object]struct{}{}}

// newObject returns an object for cb with one reference, the caller's.
func newObject(cb callbackabi.Callback, m *Manager) *object {
	o := &object{vtbl: &vtbl, cb: cb, m: m}
	o.refs.Store(1)
	live.Lock()
	live.m[o] = struct{}{}
	live.Unlock()
	return o
}

// lookup returns the object at p if it is one of ours, else nil.
func lookup(p unsafe.Pointer) *object {
	o := (*object)(p)
	live.Lock()
	defer live.Unlock()
	if _, ok := live.m[o]; ok {
		return o
	}
	return nil
}

// release drops one COM reference; at zero the object is forgotten.
func (o *object) release() uint32 {
	n := o.refs.Add(-1)
	if n == 0 {
		live.Lock()
		delete(live.m, o)
		live.Unlock()
	}
	return uint32(n)
}

// guard runs f, the body of a callback method, and turns a panic into
// RPC_E_SERVERFAULT (a panic must not unwind into COM's frames). The
// lease of the pointers BITS passed ends when f returns.
func (o *object) guard(l *lease, f func() callbackabi.HRESULT) (h callbackabi.HRESULT) {
	defer func() {
		l.over.Store(true)
		if r := recover(); r != nil {
			h = callbackabi.RPC_E_SERVERFAULT
			l.panicked = true
			if o.m != nil && o.m.OnPanic != nil {
				o.m.OnPanic(r)
			}
		}
	}()
	return f()
}

// result is the value a callback returns to COM.
func result(h callbackabi.HRESULT) uintptr { return uintptr(uint32(h)) }

func cbQueryInterface(o *object, iid *callbackabi.GUID, out *unsafe.Pointer) uintptr {
	if out == nil {
		return result(callbackabi.E_POINTER)
	}
	*out = nil
	if iid == nil {
		return result(callbackabi.E_POINTER)
	}
	h := o.guard(new(lease), func() callbackabi.HRESULT {
		r, h := callbackabi.QueryCallback(o.cb, *iid)
		if h.Failed() {
			return h
		}
		o.mu.Lock()
		switch *iid {
		case callbackabi.IID_IBackgroundCopyCallback2:
			o.cb2, _ = r.(callbackabi.Callback2)
		case callbackabi.IID_IBackgroundCopyCallback3:
			o.cb3, _ = r.(callbackabi.Callback3)
		}
		o.mu.Unlock()
		return h
	})
	if h.Failed() {
		return result(h)
	}
	// QueryCallback took the Go object's reference (if it counts them); the
	// COM object's count goes up with it.
	o.refs.Add(1)
	*out = unsafe.Pointer(o)
	return result(h)
}

func cbAddRef(o *object) uintptr {
	n := o.refs.Add(1)
	if u, ok := o.cb.(callbackabi.Unknown); ok {
		o.guard(new(lease), func() callbackabi.HRESULT { u.AddRef(); return 0 })
	}
	return uintptr(n)
}

func cbRelease(o *object) uintptr {
	if u, ok := o.cb.(callbackabi.Unknown); ok {
		o.guard(new(lease), func() callbackabi.HRESULT { u.Release(); return 0 })
	}
	return uintptr(o.release())
}

// borrowedJob wraps the job pointer BITS passed to one invocation.
func (o *object) borrowedJob(p unsafe.Pointer, l *lease) *Job {
	return &Job{ref: &ref{p: p, lease: l}, rec: o.rec, rj: o.rj}
}

// invoke runs one callback method m, f, for the job BITS passed: with a
// recorder, it reads the job's state first, and the call is recorded
// around f.
func (o *object) invoke(m trace.Method, job unsafe.Pointer, l *lease, f func() callbackabi.HRESULT) uintptr {
	var id int64
	rec := o.rec
	if rec != nil && o.rj != nil {
		rec.observe(o.rj, job)
		id = rec.begin(o.rj, m)
	}
	h := o.guard(l, f)
	if id != 0 {
		rec.end(id, h, l.panicked)
	}
	return result(h)
}

func cbJobTransferred(o *object, job unsafe.Pointer) uintptr {
	l := new(lease)
	return o.invoke(trace.JobTransferred, job, l, func() callbackabi.HRESULT {
		return o.cb.JobTransferred(o.borrowedJob(job, l))
	})
}

func cbJobError(o *object, job, e unsafe.Pointer) uintptr {
	l := new(lease)
	return o.invoke(trace.JobError, job, l, func() callbackabi.HRESULT {
		return o.cb.JobError(o.borrowedJob(job, l), &Error{ref: &ref{p: e, lease: l}})
	})
}

func cbJobModification(o *object, job unsafe.Pointer, reserved uintptr) uintptr {
	l := new(lease)
	return o.invoke(trace.JobModification, job, l, func() callbackabi.HRESULT {
		return o.cb.JobModification(o.borrowedJob(job, l), uint32(reserved))
	})
}

// callback2 returns what answers FileTransferred: the value QueryInterface
// gave for IBackgroundCopyCallback2, or cb itself if it has the method.
func (o *object) callback2() callbackabi.Callback2 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cb2 != nil {
		return o.cb2
	}
	c, _ := o.cb.(callbackabi.Callback2)
	return c
}

func (o *object) callback3() callbackabi.Callback3 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cb3 != nil {
		return o.cb3
	}
	c, _ := o.cb.(callbackabi.Callback3)
	return c
}

func cbFileTransferred(o *object, job, file unsafe.Pointer) uintptr {
	c := o.callback2()
	if c == nil {
		return result(callbackabi.E_NOTIMPL) // not asked for by a BITS that read QueryInterface
	}
	l := new(lease)
	return o.invoke(trace.FileTransferred, job, l, func() callbackabi.HRESULT {
		return c.FileTransferred(o.borrowedJob(job, l), &File{ref: &ref{p: file, lease: l}})
	})
}

func cbFileRangesTransferred(o *object, job, file unsafe.Pointer, n uintptr, ranges *callbackabi.FileRange) uintptr {
	c := o.callback3()
	if c == nil {
		return result(callbackabi.E_NOTIMPL)
	}
	l := new(lease)
	return o.invoke(trace.FileRangesTransferred, job, l, func() callbackabi.HRESULT {
		var rs []callbackabi.FileRange // BG_FILE_RANGE has FileRange's layout
		if ranges != nil && uint32(n) > 0 {
			rs = append(rs, unsafe.Slice(ranges, uint32(n))...)
		}
		return c.FileRangesTransferred(o.borrowedJob(job, l), &File{ref: &ref{p: file, lease: l}}, rs)
	})
}
