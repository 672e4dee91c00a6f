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
// An Event is 48 bytes: a multiple of 16, so copying one takes whole 16-byte
// moves (a 40-byte struct is copied with overlapping moves, and reading a copy
// back then stalls store-to-load forwarding; padding to 48 bytes made the
// queue ~40% faster).
type Event struct {
	At    time.Duration // virtual time since Epoch
	A, B  int64         // the handler's arguments
	seq   uint64        // scheduling order, unique in a world
	key   uint64        // Class<<32 | tie, the middle part of the order
	Kind  Kind
	Class Class
	_     [5]byte // 48 bytes on every GOARCH
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

// lt returns 1 if a fires before b and 0 otherwise. It compares the keys
// (At, Class<<32|tie, seq) as one 192-bit number with a borrow chain, so it
// has no branches (At is never negative).
func lt(a, b *Event) int {
	_, c := bits.Sub64(a.seq, b.seq, 0)
	_, c = bits.Sub64(a.key, b.key, c)
	_, c = bits.Sub64(uint64(a.At), uint64(b.At), c)
	return int(c)
}

// before reports whether a fires before b.
func before(a, b *Event) bool { return lt(a, b) != 0 }

// queue is a typed 4-ary min-heap of events. Events are stored by value; in
// steady state push and pop do not allocate.
type queue struct{ h []Event }

const arity = 4

func (q *queue) len() int { return len(q.h) }

// min returns the next event. The queue must not be empty.
func (q *queue) min() *Event { return &q.h[0] }

func (q *queue) push(ev Event) {
	h := append(q.h, ev)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / arity
		if !before(&ev, &h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = ev
	q.h = h
}

// pop removes and returns the next event. The queue must not be empty.
func (q *queue) pop() Event {
	h := q.h
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	if n > 0 {
		i := 0
		for {
			c := arity*i + 1
			var m int
			if c+3 < n {
				// Four children: a branch-free tournament (the outcome of
				// comparing random keys is unpredictable, so branches cost).
				k := h[c : c+4 : c+4]
				m0 := lt(&k[1], &k[0])
				m1 := 2 + lt(&k[3], &k[2])
				m = c + (m0 ^ ((m0 ^ m1) & -lt(&k[m1&3], &k[m0&3])))
			} else if c < n {
				m = c
				for j := c + 1; j < n; j++ {
					if before(&h[j], &h[m]) {
						m = j
					}
				}
			} else {
				break
			}
			if !before(&h[m], &last) {
				break
			}
			h[i] = h[m]
			i = m
		}
		h[i] = last
	}
	q.h = h
	return top
}
