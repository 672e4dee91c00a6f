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
	requireLines(t, "job", unsafe.Pointer(&j), []field{
		in("s", &j.s, 0), in("curf", &j.curf, 0), in("x", &j.x, 0), in("bytes", &j.bytes, 0),
		in("tgen", &j.tgen, 0), in("idx", &j.idx, 0), in("nameID", &j.nameID, 0), in("cur", &j.cur, 0),
		in("npGen", &j.npGen, 0), in("state", &j.state, 0), in("flags", &j.flags, 0),
		in("activity", &j.activity, 1), in("npStart", &j.npStart, 1), in("minNote", &j.minNote, 1),
		in("dlUsed", &j.dlUsed, 1), in("dlSince", &j.dlSince, 1), in("reg.cb", &j.reg.cb, 1),
		in("reg.client", &j.reg.client, 1),
		in("reg.user", &j.reg.user, 2), in("reg.gen", &j.reg.gen, 2), in("reg.cb3", &j.reg.cb3, 2),
		in("n.done", &j.n.done, 2), in("n.launched", &j.n.launched, 2), in("n.inflight", &j.n.inflight, 2),
		in("n.last[JM]", &j.n.last[0], 2),
		in("n.ft", &j.n.ft, 3),
		in("file0.transferred", &j.file0.transferred, 7), in("file0.spec.Size", &j.file0.spec.Size, 7),
		{"file0.spec.Failures (pointer and length)", unsafe.Pointer(&j.file0.spec.Failures), 16, 7},
	})
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
	requireLines(t, "Client", unsafe.Pointer(&c), []field{
		in("user", &c.user, 0), in("idle", &c.idle, 0), in("nameID", &c.nameID, 0), in("apt", &c.apt, 0),
		in("alive", &c.alive, 0), in("staBusy", &c.staBusy, 0), in("staNext", &c.staNext, 0), in("call", &c.call, 0),
	})
	s := New(sim.NewWorld(sim.NewPRNG(1), sim.Limits{}), &trace.Log{}, "layout", 1, DefaultOptions())
	u := s.AddUser("alice", false)
	for i := range 1000 {
		cl := s.StartClient("app-"+strconv.Itoa(i), u, MTA)
		if p := uintptr(unsafe.Pointer(cl)); p%64 != 0 {
			t.Fatalf("client %d at %#x: not on a 64-byte boundary", i, p)
		}
	}
}

// field is a struct field a layout test places: size bytes at at, which
// must lie within cache line line of the struct.
type field struct {
	name string
	at   unsafe.Pointer
	size uintptr
	line uintptr
}

// in is the field at p, all of it, in line.
func in[T any](name string, p *T, line uintptr) field {
	return field{name, unsafe.Pointer(p), unsafe.Sizeof(*p), line}
}

// requireLines fails for each field of the struct at base that does not
// lie wholly within its line.
func requireLines(t *testing.T, typ string, base unsafe.Pointer, fields []field) {
	t.Helper()
	for _, f := range fields {
		off := uintptr(f.at) - uintptr(base)
		if off/64 != f.line || (off+f.size-1)/64 != f.line {
			t.Errorf("%s.%s at bytes %d–%d: want it within line %d", typ, f.name, off, off+f.size-1, f.line)
		}
	}
}
