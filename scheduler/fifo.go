package scheduler

// ring is a growable FIFO ring buffer: no allocation once it has grown to
// its working size.
//
// Its buffer's length is always a power of two (8, 16, 32 …), so a slot is
// found with a mask, not a division (at (r.head+k) & mask: ring.at): a
// 64-bit modulo costs more than the rest of a push or pop together.
type ring[T any] struct {
	buf  []T
	head int32 // int32: a job and a user hold rings, and a million jobs are many
	n    int32
}

// at returns the k-th element from the head (0: the head), k < len.
func (r *ring[T]) at(k int) *T { return &r.buf[(int(r.head)+k)&(len(r.buf)-1)] }

func (r *ring[T]) len() int { return int(r.n) }

func (r *ring[T]) push(v T) {
	if int(r.n) == len(r.buf) {
		// Doubled (at least 8), the elements in order from 0: with
		// builtins only, not a call of a grow method, so that push is
		// inlined (a call costs the inliner more than its budget).
		nb := make([]T, max(8, 2*len(r.buf)))
		copy(nb[copy(nb, r.buf[r.head:]):], r.buf[:r.head])
		r.buf, r.head = nb, 0
	}
	*r.at(int(r.n)) = v
	r.n++
}

func (r *ring[T]) peek() T { return r.buf[r.head] }

func (r *ring[T]) pop() T {
	v := r.buf[r.head]
	var zero T
	r.buf[r.head] = zero
	r.head = (r.head + 1) & int32(len(r.buf)-1)
	r.n--
	return v
}

// fifo of call indices.
type fifo = ring[int32]
