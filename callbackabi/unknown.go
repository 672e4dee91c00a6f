package callbackabi

import (
	"fmt"
	"reflect"
	"sync/atomic"
)

// RefCount is an embeddable IUnknown reference count: the AddRef/Release
// pair of the seed's CNotifyInterface, with the same starting value.
//
// The zero value counts 1, like the seed's constructor (m_lRefCount = 1): the
// creator holds the first reference. AddRef and Release are atomic
// (InterlockedIncrement / InterlockedDecrement). When Release brings the count
// to 0, OnZero runs (if set) — the place for what the seed does with
// `delete this`. RefCount is strict where COM is undefined: a Release below 0
// or an AddRef on an object whose count already reached 0 (use after free)
// panics with a message saying so.
//
// Embed it by value and use the object by pointer:
//
//	type notify struct {
//		callbackabi.RefCount
//		...
//	}
//
// A RefCount must not be copied after first use (go vet's copylocks check
// reports copies).
type RefCount struct {
	// extra is the count minus 1, so the zero value counts 1.
	extra atomic.Int32
	// OnZero, if set, runs once when Release brings the count to 0.
	OnZero func()
}

// AddRef adds a reference and returns the new count (IUnknown::AddRef).
func (r *RefCount) AddRef() uint32 {
	c := 1 + r.extra.Add(1)
	if c <= 1 {
		panic(fmt.Sprintf("callbackabi: AddRef on an object whose reference count had reached 0 (now %d): use after final Release", c))
	}
	return uint32(c)
}

// Release drops a reference and returns the new count (IUnknown::Release).
// At 0 it calls OnZero.
func (r *RefCount) Release() uint32 {
	c := 1 + r.extra.Add(-1)
	if c < 0 {
		panic(fmt.Sprintf("callbackabi: Release on an object whose reference count was already 0 (now %d): more Releases than references", c))
	}
	if c == 0 && r.OnZero != nil {
		r.OnZero()
	}
	return uint32(c)
}

// Count returns the current reference count (for tests and assertions; like
// AddRef's result it may be stale by the time it is read under concurrency).
func (r *RefCount) Count() uint32 {
	return uint32(1 + r.extra.Load())
}

// QueryInterfaceFor is the standard body of a QueryInterface method, the Go
// form of the seed's CNotifyInterface::QueryInterface:
//
//	func (n *notify) QueryInterface(iid callbackabi.GUID) (any, callbackabi.HRESULT) {
//		return callbackabi.QueryInterfaceFor(n, iid, callbackabi.IID_IBackgroundCopyCallback)
//	}
//
// It follows the IUnknown rules: a request for IID_IUnknown or for one of
// the implemented IIDs succeeds, AddRefs obj and returns (obj, S_OK); any
// other request returns (nil, E_NOINTERFACE) and changes nothing. List every
// interface the object implements, bases included (an
// IBackgroundCopyCallback2 is also an IBackgroundCopyCallback), and only
// IIDs whose Go interface obj really has ([Callback], [Callback2],
// [Callback3]): [QueryCallback] refuses an answer that lies.
func QueryInterfaceFor(obj Unknown, iid GUID, implemented ...GUID) (any, HRESULT) {
	ok := iid == IID_IUnknown
	for _, id := range implemented {
		if ok {
			break
		}
		ok = id == iid
	}
	if !ok {
		return nil, E_NOINTERFACE
	}
	obj.AddRef()
	return obj, S_OK
}

// QueryCallback asks obj for the interface iid the way BITS does before it
// calls a callback (G4: FileTransferred needs IBackgroundCopyCallback2,
// FileRangesTransferred needs IBackgroundCopyCallback3).
//
// When obj implements [Unknown], its QueryInterface decides, exactly as a
// real COM object's would:
//   - a failure HRESULT from QueryInterface is returned as is, with nil;
//   - a success with a nil value gives (nil, E_POINTER);
//   - a success whose value lacks the Go interface that iid stands for
//     ([Unknown] for IID_IUnknown, [Callback], [Callback2], [Callback3] for
//     the callback IIDs) is a broken object: the value is released and the
//     result is (nil, E_NOINTERFACE);
//   - otherwise the value and QueryInterface's HRESULT are returned. The value
//     carries the reference QueryInterface added: the caller owns it and
//     gives it back with [ReleaseUnknown] when done.
//
// When obj does not implement Unknown, a Go type assertion decides: the
// callback IIDs succeed when obj has the method set of [Callback],
// [Callback2] or [Callback3], IID_IUnknown always succeeds (every COM object
// is an IUnknown; a bridge supplies it), and every other iid gives
// E_NOINTERFACE. No reference is taken. A nil obj gives (nil, E_POINTER).
func QueryCallback(obj any, iid GUID) (any, HRESULT) {
	if obj == nil {
		return nil, E_POINTER
	}
	u, ok := obj.(Unknown)
	if !ok {
		if ok, known := goInterface(obj, iid); iid == IID_IUnknown || ok && known {
			return obj, S_OK
		}
		return nil, E_NOINTERFACE
	}
	r, hr := u.QueryInterface(iid)
	if hr.Failed() {
		return nil, hr
	}
	if r == nil {
		return nil, E_POINTER
	}
	if !hasGoInterface(r, iid) {
		ReleaseUnknown(r)
		return nil, E_NOINTERFACE
	}
	return r, hr
}

// hasGoInterface reports whether v has the Go method set that iid stands
// for. IIDs without a Go shape here pass (nothing to check).
func hasGoInterface(v any, iid GUID) bool {
	ok, known := goInterface(v, iid)
	return ok || !known
}

// goInterface reports whether v has the Go method set of iid, and whether
// iid is one of the interfaces with a Go shape here (IUnknown and the three
// callback interfaces).
func goInterface(v any, iid GUID) (ok, known bool) {
	switch iid {
	case IID_IUnknown:
		_, ok = v.(Unknown)
	case IID_IBackgroundCopyCallback:
		_, ok = v.(Callback)
	case IID_IBackgroundCopyCallback2:
		_, ok = v.(Callback2)
	case IID_IBackgroundCopyCallback3:
		_, ok = v.(Callback3)
	default:
		return false, false
	}
	return ok, true
}

// Supports reports whether the registered callback cb supports the
// interface iid (typically IID_IBackgroundCopyCallback2 or 3). It is
// [QueryCallback] followed by [ReleaseUnknown] of the result, so an object
// that counts references ends with the count it started with. A nil cb
// supports nothing. Note that for an object implementing [Unknown] the Go
// method set alone is not enough: a type with a FileTransferred method whose
// QueryInterface refuses IID_IBackgroundCopyCallback2 does not support it,
// exactly as in COM (and BITS will then not call FileTransferred, G4).
func Supports(cb Callback, iid GUID) bool {
	if cb == nil {
		return false
	}
	r, hr := QueryCallback(cb, iid)
	if hr.Failed() {
		return false
	}
	ReleaseUnknown(r)
	return true
}

// ReleaseUnknown calls Release on obj if it implements [Unknown] and
// returns the new count; for any other value (including nil) it does
// nothing and returns 0.
func ReleaseUnknown(obj any) uint32 {
	if u, ok := obj.(Unknown); ok {
		return u.Release()
	}
	return 0
}

// CheckUnknown checks that a callback which implements [Unknown] follows the
// IUnknown rules BITS relies on, and returns an error naming the first rule
// broken (nil when cb does not implement Unknown: there is nothing to check).
//
//  1. QueryInterface(IID_IUnknown) succeeds with a value that implements
//     Unknown, and asking twice gives the identical value (COM identity).
//  2. QueryInterface(IID_IBackgroundCopyCallback) succeeds with a [Callback]:
//     the object was registered as one.
//  3. Every callback IID it accepts comes with the matching Go interface
//     ([Callback2], [Callback3]), and accepting IBackgroundCopyCallback3
//     implies accepting IBackgroundCopyCallback2 (its base).
//  4. A request for an interface a callback cannot be (IID_IBackgroundCopyJob,
//     GUID_NULL) fails with E_NOINTERFACE and a nil value.
//  5. Every successful QueryInterface counts as one AddRef: after releasing
//     what it returned, the object's count is back where it was. This is
//     checked only when AddRef's return value tracks the count (COM calls
//     that value informational).
//
// CheckUnknown holds its own reference while it runs and releases
// everything it obtained, so a conforming object ends with the count it
// started with.
func CheckUnknown(cb Callback) error {
	u, ok := cb.(Unknown)
	if !ok {
		return nil
	}
	c := unknownChecker{u: u}
	c.hold()
	defer c.unhold()

	// Rule 1.
	first, err := c.query(IID_IUnknown, true)
	if err != nil {
		return err
	}
	second, err := c.query(IID_IUnknown, true)
	if err != nil {
		return err
	}
	if t := reflect.TypeOf(first); t != nil && !t.Comparable() {
		return fmt.Errorf("callbackabi: %T breaks the IUnknown rules: QueryInterface(IID_IUnknown) returned a %T, which is not comparable, so COM identity cannot hold (use a pointer)", cb, first)
	}
	if !sameIdentity(first, second) {
		return fmt.Errorf("callbackabi: %T breaks the IUnknown rules: two QueryInterface(IID_IUnknown) calls returned different objects (%T, %T)", cb, first, second)
	}
	// Rule 2.
	if _, err := c.query(IID_IBackgroundCopyCallback, true); err != nil {
		return err
	}
	// Rule 3.
	got2, err := c.query(IID_IBackgroundCopyCallback2, false)
	if err != nil {
		return err
	}
	got3, err := c.query(IID_IBackgroundCopyCallback3, false)
	if err != nil {
		return err
	}
	if got3 != nil && got2 == nil {
		return fmt.Errorf("callbackabi: %T breaks the IUnknown rules: it accepts IBackgroundCopyCallback3 but refuses its base IBackgroundCopyCallback2", cb)
	}
	// Rule 4.
	for _, iid := range [...]GUID{IID_IBackgroundCopyJob, GUID_NULL} {
		r, hr := u.QueryInterface(iid)
		if hr.Succeeded() {
			ReleaseUnknown(r)
			return fmt.Errorf("callbackabi: %T breaks the IUnknown rules: QueryInterface(%s) returned %s", cb, InterfaceName(iid), hr)
		}
		if hr != E_NOINTERFACE || r != nil {
			return fmt.Errorf("callbackabi: %T breaks the IUnknown rules: QueryInterface(%s) must return (nil, E_NOINTERFACE), got (%T, %s)", cb, InterfaceName(iid), r, hr)
		}
	}
	return nil
}

// unknownChecker runs the queries of CheckUnknown and watches the count.
type unknownChecker struct {
	u       Unknown
	base    uint32 // AddRef's result for our hold
	counted bool   // AddRef's result tracks the count
}

func (c *unknownChecker) hold() {
	c.base = c.u.AddRef()
	probe := c.u.AddRef()
	c.u.Release()
	c.counted = probe == c.base+1
}

func (c *unknownChecker) unhold() { c.u.Release() }

// query asks for iid. A refusal is an error when required, else (nil, nil).
// An acceptance must come with the right Go interface and exactly one
// reference, which query gives back before returning the value.
func (c *unknownChecker) query(iid GUID, required bool) (any, error) {
	r, hr := c.u.QueryInterface(iid)
	name := InterfaceName(iid)
	if hr.Failed() {
		if required {
			return nil, fmt.Errorf("callbackabi: %T breaks the IUnknown rules: QueryInterface(%s) must succeed, got %s", c.u, name, hr)
		}
		if r != nil {
			return nil, fmt.Errorf("callbackabi: %T breaks the IUnknown rules: QueryInterface(%s) failed with %s but returned a non-nil %T", c.u, name, hr, r)
		}
		return nil, nil
	}
	if hr != S_OK {
		ReleaseUnknown(r)
		return nil, fmt.Errorf("callbackabi: %T breaks the IUnknown rules: QueryInterface(%s) returned %s, want S_OK or E_NOINTERFACE", c.u, name, hr)
	}
	if r == nil {
		return nil, fmt.Errorf("callbackabi: %T breaks the IUnknown rules: QueryInterface(%s) returned S_OK with a nil object", c.u, name)
	}
	if !hasGoInterface(r, iid) {
		ReleaseUnknown(r)
		return nil, fmt.Errorf("callbackabi: %T breaks the IUnknown rules: QueryInterface(%s) returned %T, which lacks that interface's Go methods", c.u, name, r)
	}
	if !c.counted || !sameIdentity(r, c.u) {
		// A tear-off or an uninformative AddRef: only give the reference back.
		ReleaseUnknown(r)
		return r, nil
	}
	after := c.u.AddRef() // one above the count while r is still held
	c.u.Release()
	ReleaseUnknown(r)
	if after != c.base+2 {
		// Undo the damage so the caller's object is left as we found it.
		for n := after; n < c.base+2; n++ {
			c.u.AddRef()
		}
		for n := after; n > c.base+2; n-- {
			c.u.Release()
		}
		return nil, fmt.Errorf("callbackabi: %T breaks the IUnknown rules: a successful QueryInterface(%s) must AddRef exactly once (count %d before, %d after)", c.u, name, c.base, after-1)
	}
	return r, nil
}

// sameIdentity compares two interface values without panicking on
// incomparable dynamic types.
func sameIdentity(a, b any) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	if ta != tb || ta == nil || !ta.Comparable() {
		return false
	}
	return a == b
}
