package sim

import (
	"math/bits"
	"time"
)

// Kind identifies an event's handler; Handle returns one per handler.
type Kind uint16

// Class orders events at the same instant: a lower class fires first.
type Class uint8

// DefaultClass is the class of the kernel's own events: thread starts (Go),
// wake-ups (Sleep, Unpark) and AfterFunc calls. Events with a lower class
// fire before them at the same instant, events with a higher class after,
// and events of the same class in tie order.
const DefaultClass Class = 128

// Event is one scheduled occurrence. At, Kind, Class, A and B are the values
// given to Schedule; the kernel adds a tie key drawn from the Chooser and a
// sequence number.
//
// The queue fires events in the order (At, Class, tie, sequence).
//
// An Event is 48 bytes on every GOARCH: a multiple of 16, so copying one
// takes whole 16-byte moves (a 40-byte struct is copied with overlapping
// moves, and reading a copy back then stalls store-to-load forwarding;
// padding to 48 bytes made the heap ~40% faster). The padding holds the
// queue's bucket link.
type Event struct {
	At    time.Duration // virtual time since Epoch
	A, B  int64         // the handler's arguments
	seq   uint64        // scheduling order, unique in a world
	key   uint64        // Class<<32 | tie, the middle part of the order
	Kind  Kind
	Class Class
	_     uint8
	link  uint32 // the queue's next node in the same bucket (index+1), 0 at the end
}

// makeEvent returns an event with its order key filled in.
func makeEvent(at time.Duration, c Class, k Kind, a, b int64, tie uint32, seq uint64) Event {
	return Event{At: at, A: a, B: b, seq: seq, key: uint64(c)<<32 | uint64(tie), Kind: k, Class: c}
}

// Seq returns the event's sequence number: 1 for the first event scheduled
// in a world, then 2, 3, ... It is unique within a world.
func (e Event) Seq() uint64 { return e.seq }

// Tie returns the event's tie-break key (see Chooser.Tie).
func (e Event) Tie() uint32 { return uint32(e.key) }

// lt returns 1 if a fires before b and 0 otherwise.
func lt(a, b *Event) int { return ltKey(a.At, a.key, a.seq, b) }

// ltKey returns 1 if an event with order key (at, key, seq) fires before e
// and 0 otherwise. It compares the keys (At, Class<<32|tie, seq) as one
// 192-bit number with a borrow chain, so it has no branches (At is never
// negative).
func ltKey(at time.Duration, key, seq uint64, e *Event) int {
	_, c := bits.Sub64(seq, e.seq, 0)
	_, c = bits.Sub64(key, e.key, c)
	_, c = bits.Sub64(uint64(at), uint64(e.At), c)
	return int(c)
}

// before reports whether a fires before b.
func before(a, b *Event) bool { return lt(a, b) != 0 }
