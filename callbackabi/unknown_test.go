package callbackabi

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRefCountStartsAtOneLikeTheSeed(t *testing.T) {
	var r RefCount
	assert.Equal(t, uint32(1), r.Count())
	assert.Equal(t, uint32(2), r.AddRef())
	assert.Equal(t, uint32(3), r.AddRef())
	assert.Equal(t, uint32(2), r.Release())
	assert.Equal(t, uint32(1), r.Release())
	assert.Equal(t, uint32(1), r.Count())
}

func TestRefCountOnZeroRunsOnceAtZero(t *testing.T) {
	var r RefCount
	calls := 0
	r.OnZero = func() { calls++ }
	r.AddRef()
	r.Release()
	assert.Equal(t, 0, calls, "not at 1")
	assert.Equal(t, uint32(0), r.Release())
	assert.Equal(t, 1, calls)
	assert.Equal(t, uint32(0), r.Count())
}

func TestRefCountZeroWithoutOnZero(t *testing.T) {
	var r RefCount
	assert.Equal(t, uint32(0), r.Release())
}

func TestRefCountMisuseFailsLoudly(t *testing.T) {
	var r RefCount
	r.Release()
	assert.PanicsWithValue(t,
		"callbackabi: Release on an object whose reference count was already 0 (now -1): more Releases than references",
		func() { r.Release() })

	var s RefCount
	s.Release()
	assert.Panics(t, func() { s.AddRef() }, "AddRef after the final Release is a use after free")
}

func TestRefCountIsAtomic(t *testing.T) {
	var r RefCount
	const workers, rounds = 8, 1000
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				r.AddRef()
				r.Release()
			}
			r.AddRef()
		})
	}
	wg.Wait()
	assert.Equal(t, uint32(1+workers), r.Count())
}

// --- test callbacks ------------------------------------------------------

// goCB1 is a plain Callback; goCB2 adds FileTransferred; goCB3 adds
// FileRangesTransferred. None implements Unknown.
type goCB1 struct{}

func (goCB1) JobTransferred(Job) HRESULT          { return S_OK }
func (goCB1) JobError(Job, Error) HRESULT         { return S_OK }
func (goCB1) JobModification(Job, uint32) HRESULT { return S_OK }

type goCB2 struct{ goCB1 }

func (goCB2) FileTransferred(Job, File) HRESULT { return S_OK }

type goCB3 struct{ goCB2 }

func (goCB3) FileRangesTransferred(Job, File, []FileRange) HRESULT { return S_OK }

// comCB3 has every Go method plus IUnknown; its QueryInterface admits the
// listed IIDs only.
type comCB3 struct {
	goCB3
	RefCount
	admits []GUID
	qis    int
}

func (c *comCB3) QueryInterface(iid GUID) (any, HRESULT) {
	c.qis++
	return QueryInterfaceFor(c, iid, c.admits...)
}

// liarCB claims interfaces through QueryInterface that its Go type lacks,
// or returns odd things, depending on mode.
type liarCB struct {
	goCB1
	RefCount
	mode string
}

func (l *liarCB) QueryInterface(iid GUID) (any, HRESULT) {
	switch l.mode {
	case "claims-everything":
		l.AddRef()
		return l, S_OK
	case "nil-success":
		return nil, S_OK
	case "s-false":
		l.AddRef()
		return l, S_FALSE
	case "nonnil-failure":
		return l, E_NOINTERFACE
	case "odd-failure":
		return nil, E_FAIL
	case "double-addref":
		r, hr := QueryInterfaceFor(l, iid, IID_IBackgroundCopyCallback)
		if hr == S_OK {
			l.AddRef()
		}
		return r, hr
	case "new-identity":
		if iid == IID_IUnknown {
			return &liarCB{}, S_OK // a fresh object each time
		}
		return QueryInterfaceFor(l, iid, IID_IBackgroundCopyCallback)
	case "3-without-2":
		return QueryInterfaceFor(l, iid, IID_IBackgroundCopyCallback, IID_IBackgroundCopyCallback3)
	}
	return QueryInterfaceFor(l, iid, IID_IBackgroundCopyCallback)
}

// --- QueryInterfaceFor ---------------------------------------------------

func TestQueryInterfaceForFollowsTheIUnknownRules(t *testing.T) {
	c := &comCB3{admits: []GUID{IID_IBackgroundCopyCallback, IID_IBackgroundCopyCallback2}}
	for _, iid := range []GUID{IID_IUnknown, IID_IBackgroundCopyCallback, IID_IBackgroundCopyCallback2} {
		before := c.Count()
		r, hr := QueryInterfaceFor(c, iid, c.admits...)
		assert.Equal(t, S_OK, hr, InterfaceName(iid))
		assert.Same(t, c, r, InterfaceName(iid))
		assert.Equal(t, before+1, c.Count(), "a successful QueryInterface AddRefs")
	}
	before := c.Count()
	for _, iid := range []GUID{IID_IBackgroundCopyCallback3, IID_IBackgroundCopyJob, GUID_NULL} {
		r, hr := QueryInterfaceFor(c, iid, c.admits...)
		assert.Equal(t, E_NOINTERFACE, hr, InterfaceName(iid))
		assert.Nil(t, r)
	}
	assert.Equal(t, before, c.Count(), "a refused QueryInterface does not AddRef")
}

// --- QueryCallback and Supports (G4) -------------------------------------

func TestSupportsWithoutUnknownUsesTheGoMethodSet_G4(t *testing.T) {
	cases := []struct {
		cb          Callback
		cb2, cb3    bool
		description string
	}{
		{goCB1{}, false, false, "Callback only"},
		{goCB2{}, true, false, "Callback2"},
		{goCB3{}, true, true, "Callback3"},
	}
	for _, c := range cases {
		assert.True(t, Supports(c.cb, IID_IUnknown), c.description)
		assert.True(t, Supports(c.cb, IID_IBackgroundCopyCallback), c.description)
		assert.Equal(t, c.cb2, Supports(c.cb, IID_IBackgroundCopyCallback2), c.description)
		assert.Equal(t, c.cb3, Supports(c.cb, IID_IBackgroundCopyCallback3), c.description)
		assert.False(t, Supports(c.cb, IID_IBackgroundCopyJob), c.description)
	}
	assert.False(t, Supports(nil, IID_IBackgroundCopyCallback))
}

func TestSupportsWithUnknownAsksQueryInterface_G4(t *testing.T) {
	// The Go type has all five methods, yet QueryInterface decides.
	onlyCB := &comCB3{admits: []GUID{IID_IBackgroundCopyCallback}}
	assert.True(t, Supports(onlyCB, IID_IBackgroundCopyCallback))
	assert.False(t, Supports(onlyCB, IID_IBackgroundCopyCallback2))
	assert.False(t, Supports(onlyCB, IID_IBackgroundCopyCallback3))
	assert.Equal(t, 3, onlyCB.qis, "every decision went through QueryInterface")
	assert.Equal(t, uint32(1), onlyCB.Count(), "Supports released what QueryInterface added")

	all := &comCB3{admits: []GUID{IID_IBackgroundCopyCallback, IID_IBackgroundCopyCallback2, IID_IBackgroundCopyCallback3}}
	assert.True(t, Supports(all, IID_IBackgroundCopyCallback2))
	assert.True(t, Supports(all, IID_IBackgroundCopyCallback3))
	assert.Equal(t, uint32(1), all.Count())
}

func TestQueryCallbackKeepsTheReferenceForTheCaller(t *testing.T) {
	c := &comCB3{admits: []GUID{IID_IBackgroundCopyCallback, IID_IBackgroundCopyCallback2}}
	r, hr := QueryCallback(c, IID_IBackgroundCopyCallback2)
	require.Equal(t, S_OK, hr)
	cb2, ok := r.(Callback2)
	require.True(t, ok)
	assert.Equal(t, S_OK, cb2.FileTransferred(nil, nil))
	assert.Equal(t, uint32(2), c.Count())
	assert.Equal(t, uint32(1), ReleaseUnknown(r))
}

func TestQueryCallbackWithoutUnknown(t *testing.T) {
	r, hr := QueryCallback(goCB2{}, IID_IBackgroundCopyCallback2)
	assert.Equal(t, S_OK, hr)
	assert.Equal(t, goCB2{}, r)
	r, hr = QueryCallback(goCB2{}, IID_IBackgroundCopyCallback3)
	assert.Equal(t, E_NOINTERFACE, hr)
	assert.Nil(t, r)
	r, hr = QueryCallback(nil, IID_IBackgroundCopyCallback)
	assert.Equal(t, E_POINTER, hr)
	assert.Nil(t, r)
	assert.Equal(t, uint32(0), ReleaseUnknown(goCB2{}), "nothing to release")
	assert.Equal(t, uint32(0), ReleaseUnknown(nil))
}

func TestQueryCallbackRefusesBrokenAnswers(t *testing.T) {
	// QueryInterface claims Callback3, but the Go type has only Callback:
	// the claim is refused and the reference it took is given back.
	liar := &liarCB{mode: "claims-everything"}
	r, hr := QueryCallback(liar, IID_IBackgroundCopyCallback3)
	assert.Equal(t, E_NOINTERFACE, hr)
	assert.Nil(t, r)
	assert.Equal(t, uint32(1), liar.Count())
	assert.False(t, Supports(liar, IID_IBackgroundCopyCallback2))

	r, hr = QueryCallback(&liarCB{mode: "nil-success"}, IID_IBackgroundCopyCallback)
	assert.Equal(t, E_POINTER, hr)
	assert.Nil(t, r)

	r, hr = QueryCallback(&liarCB{mode: "odd-failure"}, IID_IBackgroundCopyCallback)
	assert.Equal(t, E_FAIL, hr, "a failure is passed on as is")
	assert.Nil(t, r)
}

// --- CheckUnknown ---------------------------------------------------------

func TestCheckUnknownAcceptsConformingObjects(t *testing.T) {
	for _, cb := range []Callback{
		goCB1{}, // no Unknown: nothing to check
		&comCB3{admits: []GUID{IID_IBackgroundCopyCallback}},
		&comCB3{admits: []GUID{IID_IBackgroundCopyCallback, IID_IBackgroundCopyCallback2, IID_IBackgroundCopyCallback3}},
		&liarCB{},
	} {
		require.NoError(t, CheckUnknown(cb), "%T", cb)
		if u, ok := cb.(interface{ Count() uint32 }); ok {
			assert.Equal(t, uint32(1), u.Count(), "CheckUnknown leaves the count as it found it")
		}
	}
}

func TestCheckUnknownReportsEachBrokenRule(t *testing.T) {
	cases := []struct {
		cb   Callback
		want string
	}{
		{&comCB3{admits: nil}, "QueryInterface(IBackgroundCopyCallback) must succeed, got E_NOINTERFACE"},
		{&liarCB{mode: "claims-everything"}, "QueryInterface(IBackgroundCopyCallback2) returned *callbackabi.liarCB, which lacks that interface's Go methods"},
		{&liarCB{mode: "nil-success"}, "QueryInterface(IUnknown) returned S_OK with a nil object"},
		{&liarCB{mode: "s-false"}, "QueryInterface(IUnknown) returned S_FALSE, want S_OK or E_NOINTERFACE"},
		{&liarCB{mode: "nonnil-failure"}, "QueryInterface(IUnknown) must succeed, got E_NOINTERFACE"},
		{&liarCB{mode: "double-addref"}, "must AddRef exactly once (count 2 before, 4 after)"},
		{&liarCB{mode: "new-identity"}, "two QueryInterface(IID_IUnknown) calls returned different objects"},
		{&comCB3{admits: []GUID{IID_IBackgroundCopyCallback, IID_IBackgroundCopyCallback3}}, "accepts IBackgroundCopyCallback3 but refuses its base IBackgroundCopyCallback2"},
	}
	for _, c := range cases {
		err := CheckUnknown(c.cb)
		require.Error(t, err, "%T %+v", c.cb, c.cb)
		assert.Contains(t, err.Error(), "breaks the IUnknown rules")
		assert.Contains(t, err.Error(), c.want)
		if r, ok := c.cb.(interface{ Count() uint32 }); ok {
			assert.Equal(t, uint32(1), r.Count(), "CheckUnknown repairs the count it disturbed: %s", c.want)
		}
	}
}

// A QueryInterface that succeeds for IBackgroundCopyJob breaks rule 4.
type jobClaimingCB struct {
	goCB1
	RefCount
}

func (j *jobClaimingCB) QueryInterface(iid GUID) (any, HRESULT) {
	return QueryInterfaceFor(j, iid, IID_IBackgroundCopyCallback, IID_IBackgroundCopyJob)
}

// A QueryInterface that refuses with the wrong code breaks rule 4 too.
type wrongRefusalCB struct {
	goCB1
	RefCount
}

func (w *wrongRefusalCB) QueryInterface(iid GUID) (any, HRESULT) {
	r, hr := QueryInterfaceFor(w, iid, IID_IBackgroundCopyCallback)
	if hr == E_NOINTERFACE && iid == IID_IBackgroundCopyJob {
		return nil, E_FAIL
	}
	return r, hr
}

func TestCheckUnknownForeignInterfaces(t *testing.T) {
	j := &jobClaimingCB{}
	err := CheckUnknown(j)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "QueryInterface(IBackgroundCopyJob) returned S_OK")
	assert.Equal(t, uint32(1), j.Count())

	err = CheckUnknown(&wrongRefusalCB{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "must return (nil, E_NOINTERFACE), got (<nil>, E_FAIL)")
}

// valueCB implements Unknown on a non-comparable value type.
type valueCB struct {
	goCB1
	tags []string
}

func (v valueCB) QueryInterface(iid GUID) (any, HRESULT) {
	if iid == IID_IUnknown || iid == IID_IBackgroundCopyCallback {
		return v, S_OK
	}
	return nil, E_NOINTERFACE
}
func (valueCB) AddRef() uint32  { return 1 }
func (valueCB) Release() uint32 { return 1 }

func TestCheckUnknownNeedsComparableIdentity(t *testing.T) {
	err := CheckUnknown(valueCB{tags: []string{"slices make the type incomparable"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not comparable")
}
