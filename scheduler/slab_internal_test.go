package scheduler

import (
	"strconv"
	"testing"
	"unsafe"

	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// TestSlabOfIsDense: job indices fill the slabs in order, each slab of the
// size newJob allocates, with no index sharing a place.
func TestSlabOfIsDense(t *testing.T) {
	wantK, wantOff := 0, 0
	for i := 0; i < 100*slabMax+growing; i++ {
		k, off := slabOf(i)
		if k != wantK || off != wantOff {
			t.Fatalf("slabOf(%d) = %d, %d; want %d, %d", i, k, off, wantK, wantOff)
		}
		if wantOff++; wantOff == slabLen(wantK) {
			wantK, wantOff = wantK+1, 0
		}
	}
}

// TestJobLayout pins the job's layout (job): 576 bytes, nine whole cache
// lines, every job in the slabs starting on a 64-byte boundary, and what a
// notification touches in lines 0–3 and 7, where the prefetch hints look
// (warmChunk, warmInvoke). It fails when a field moves out of its line or
// a new field shifts the first file off its line.
func TestJobLayout(t *testing.T) {
	var j job
	if got := unsafe.Sizeof(j); got != 576 {
		t.Fatalf("job is %d bytes, want 576 (nine cache lines)", got)
	}
	base := uintptr(unsafe.Pointer(&j))
	lines := []struct {
		name string
		at   unsafe.Pointer
		size uintptr
		line uintptr
	}{
		{"s", unsafe.Pointer(&j.s), 8, 0}, {"curf", unsafe.Pointer(&j.curf), 8, 0},
		{"x", unsafe.Pointer(&j.x), 8, 0}, {"bytes", unsafe.Pointer(&j.bytes), 8, 0},
		{"tgen", unsafe.Pointer(&j.tgen), 8, 0}, {"idx", unsafe.Pointer(&j.idx), 4, 0},
		{"nameID", unsafe.Pointer(&j.nameID), 4, 0}, {"cur", unsafe.Pointer(&j.cur), 4, 0},
		{"npGen", unsafe.Pointer(&j.npGen), 4, 0}, {"state", unsafe.Pointer(&j.state), 4, 0},
		{"flags", unsafe.Pointer(&j.flags), 4, 0},
		{"activity", unsafe.Pointer(&j.activity), 8, 1}, {"npStart", unsafe.Pointer(&j.npStart), 8, 1},
		{"minNote", unsafe.Pointer(&j.minNote), 8, 1}, {"dlUsed", unsafe.Pointer(&j.dlUsed), 8, 1},
		{"dlSince", unsafe.Pointer(&j.dlSince), 8, 1}, {"reg.cb", unsafe.Pointer(&j.reg.cb), 16, 1},
		{"reg.client", unsafe.Pointer(&j.reg.client), 8, 1},
		{"reg.user", unsafe.Pointer(&j.reg.user), 8, 2}, {"reg.gen", unsafe.Pointer(&j.reg.gen), 4, 2},
		{"reg.cb3", unsafe.Pointer(&j.reg.cb3), 1, 2}, {"n.done", unsafe.Pointer(&j.n.done), 1, 2},
		{"n.launched", unsafe.Pointer(&j.n.launched), 1, 2}, {"n.inflight", unsafe.Pointer(&j.n.inflight), 4 * nM, 2},
		{"n.last[JM]", unsafe.Pointer(&j.n.last[0]), 8, 2},
		{"n.ft", unsafe.Pointer(&j.n.ft), unsafe.Sizeof(j.n.ft), 3},
		{"file0.transferred", unsafe.Pointer(&j.file0.transferred), 8, 7},
		{"file0.spec.Size", unsafe.Pointer(&j.file0.spec.Size), 8, 7},
		{"file0.spec.Failures", unsafe.Pointer(&j.file0.spec.Failures), 16, 7}, // pointer and length
	}
	for _, f := range lines {
		off := uintptr(f.at) - base
		if off/64 != f.line || (off+f.size-1)/64 != f.line {
			t.Errorf("job.%s at bytes %d–%d: want it within line %d", f.name, off, off+f.size-1, f.line)
		}
	}
	// Slabs: every job of a slab over 32 KiB (from the 57th job on: a
	// large object, page-aligned) on a line boundary. Smaller slabs carry
	// the runtime's 8-byte allocation header in front of them; their few
	// jobs stay in cache anyway.
	s := &Service{}
	aligned := 0
	for i := 0; i < 3*slabMax; i++ {
		k, off := slabOf(i)
		if off == 0 {
			s.slabs = append(s.slabs, make([]job, slabLen(k)))
		}
		if uintptr(slabLen(k))*unsafe.Sizeof(j) <= 32<<10 {
			continue
		}
		aligned++
		if p := uintptr(unsafe.Pointer(s.jobPtr(int64(i)))); p%64 != 0 {
			t.Fatalf("job %d at %#x: not on a 64-byte boundary", i, p)
		}
	}
	if aligned < 3*slabMax-64 {
		t.Fatalf("only %d of %d jobs in slabs over 32 KiB", aligned, 3*slabMax)
	}
}

// TestClientLayout pins the client's layout (Client): what a call reads
// in its first 64 bytes, and 192 bytes in all — a size class whose
// objects start on a line, so that those 64 bytes are one line. It fails
// when a field moves out of the first line or the struct changes size
// class.
func TestClientLayout(t *testing.T) {
	var c Client
	if got := unsafe.Sizeof(c); got != 192 {
		t.Fatalf("Client is %d bytes, want 192 (three cache lines)", got)
	}
	base := uintptr(unsafe.Pointer(&c))
	for _, f := range []struct {
		name string
		at   unsafe.Pointer
		size uintptr
	}{
		{"user", unsafe.Pointer(&c.user), 8}, {"idle", unsafe.Pointer(&c.idle), 24},
		{"nameID", unsafe.Pointer(&c.nameID), 4}, {"apt", unsafe.Pointer(&c.apt), 1},
		{"alive", unsafe.Pointer(&c.alive), 1}, {"staBusy", unsafe.Pointer(&c.staBusy), 1},
		{"staNext", unsafe.Pointer(&c.staNext), 1}, {"call", unsafe.Pointer(&c.call), 8},
	} {
		if off := uintptr(f.at) - base; off+f.size > 64 {
			t.Errorf("Client.%s at bytes %d–%d: want it in the first line", f.name, off, off+f.size-1)
		}
	}
	s := New(sim.NewWorld(sim.NewPRNG(1), sim.Limits{}), &trace.Log{}, "layout", 1, DefaultOptions())
	u := s.AddUser("alice", false)
	for i := range 1000 {
		cl := s.StartClient("app-"+strconv.Itoa(i), u, MTA)
		if p := uintptr(unsafe.Pointer(cl)); p%64 != 0 {
			t.Fatalf("client %d at %#x: not on a 64-byte boundary", i, p)
		}
	}
}
