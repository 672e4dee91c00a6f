package sim

// eventHeap is a typed 4-ary min-heap of events. Events are stored by value;
// in steady state push and pop do not allocate. The calendar queue (queue)
// keeps the events it cannot place in its ring here.
type eventHeap struct{ h []Event }

const arity = 4

func (q *eventHeap) len() int { return len(q.h) }

// min returns the next event. The queue must not be empty.
func (q *eventHeap) min() *Event { return &q.h[0] }

func (q *eventHeap) push(ev Event) {
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

// popInto removes the next event and copies it to dst, which must not
// point into the heap. The queue must not be empty.
func (q *eventHeap) popInto(dst *Event) {
	h := q.h
	*dst = h[0]
	n := len(h) - 1
	last := h[n]
	q.h = h[:n]
	if n > 0 {
		q.down(0, &last)
	}
}

// heapify restores the heap order of q.h after arbitrary changes, in O(n).
func (q *eventHeap) heapify() {
	if len(q.h) < 2 {
		return
	}
	for i := (len(q.h) - 2) / arity; i >= 0; i-- {
		ev := q.h[i]
		q.down(i, &ev)
	}
}

// down places *ev at index i or below it, moving smaller children up: the
// subtrees below i must be heaps; slot i's old content is overwritten (ev
// must not point into the heap). ev is a pointer: an Event passed by value
// travels in nine registers, and the loop compares against it many times.
func (q *eventHeap) down(i int, ev *Event) {
	h := q.h
	n := len(h)
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
		if !before(&h[m], ev) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = *ev
}
