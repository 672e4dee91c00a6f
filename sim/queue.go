package sim

import (
	"math"
	"math/bits"
	"slices"
	"time"
)

// queue is the world's event queue: a calendar queue (a ring of time
// buckets, after R. Brown, "Calendar queues", CACM 1988) in front of a
// 4-ary heap.
//
// Simulated time moves forward: every event scheduled has At >= Now, and Now
// is the At of the last event fired. So the queue splits the near future
// into 2^bits buckets of 2^shift ns each. An event whose bucket lies within
// the ring's window goes into that bucket, kept sorted by the full key (At,
// Class, tie, seq): the bucket's first event lives in the ring itself, the
// others in a chain of nodes. The next event is the first event of the
// first non-empty bucket at or after Now's bucket, found with a bitmap
// scan. With about two buckets per pending event, push and pop cost a
// handful of operations however many events are pending, where a heap costs
// log(n) comparisons of unpredictable outcome.
//
// A bucket that would have to be walked past walkMax events (a burst at one
// instant: a million timers on the same tick) keeps the rest of its events
// unsorted in overflow blocks of blockLen events; when the bucket comes
// first, all its events are drained and sorted into a run of their own and
// taken from there in order: a sort of a thousand events in cache instead
// of sifts through a million in memory. (Events that join a burst while
// its run is being taken go to a small heap beside it.) The run's order is
// known ahead, so the prefetch hint (World.Prefetch) sees its events a
// window ahead of the one firing. Everything else goes to the big heap
// (far): events beyond the ring's window, and events earlier than the last
// one popped (only the queue's own tests do that). The next event is the
// smallest of the ring's, the burst's and the heap's, so the order is
// exactly the heap's order wherever an event is kept.
//
// The ring adapts to the workload. Every epoch (max(epochMin, pending/2)
// pushes) the queue sizes the ring to about two buckets per pending event
// (between 2^minBits and 2^maxBits buckets), looks at how far ahead the
// epoch's pushes were scheduled, and picks the narrowest bucket width whose
// window would have held at least 15/16 of them. The width moves only when
// more than 1/8 missed the window (widen) or a quarter of the width would
// have done (narrow), and the size only on a factor of four, so neither
// flaps; a rebuild (O(pending)) happens at most once an epoch. When more
// than half of an epoch's pushes ended in the heap anyway (see adapt), the
// ring is switched off for a while and the queue is the heap alone.
type queue struct {
	// ring[i] is the first event of bucket i when bit i of used is set; its
	// link chains the bucket's other events through nodes, in order.
	ring  []Event
	used  []uint64 // bit i: bucket i is not empty
	sum   []uint64 // bit j: used[j] is not zero
	nodes []Event  // the second and later events of buckets
	free  []uint32 // free nodes (index+1), a stack
	ringN int      // events in the ring, its nodes and its overflow blocks

	// A burst — more than walkMax events in one bucket, a million timers
	// on one tick — goes unsorted into the bucket's overflow: over[i] is
	// the block (index+1) being filled, 0 when none, and the blocks before
	// it follow through blk[b-1].next. Block b holds blk[b-1].n events,
	// ovf[(b-1)*blockLen:][:n]. A burst is pushed over a second and drained
	// a second later, when its events have left the cache: in blocks, the
	// drain reads them a block at a time, sequentially, with the next
	// block's address known from blk (small) — not a chain of nodes, each
	// a cache miss that must finish before the next can start (issue 13:
	// the chain's walk was 15 % of Dispatch at a million jobs). When the
	// bucket comes first, its sorted chain and its overflow are drained
	// into run and sorted, and taken from run[ri] on. A burst so costs a
	// sort of its own events, in cache, not sifts through a heap of every
	// pending event. A bucket drained while run still holds events goes
	// into burst, a heap, instead (the next event is the earlier of the
	// two firsts).
	over     []uint32
	ovf      []Event
	blk      []ovfBlock
	freeBlk  []uint32 // free blocks (index+1), a stack
	run      []Event
	ri       int
	burst    eventHeap
	runSpare []Event  // sortRun's second array
	ord, tmp []uint64 // sortRun's order, and radixSortHigh's second array
	// warm, when set, sees each event of a run a window ahead of the one
	// taken, run[warmTo] being the next it has not seen (World.Prefetch).
	warm   func(ev *Event)
	warmTo int

	bits  uint          // the ring has 2^bits buckets
	shift uint          // of 2^shift ns each
	cur   int64         // bucket number (At >> shift) of the last event popped
	last  time.Duration // At of the last event popped

	far eventHeap

	// locate's answer, valid while fresh (until the next push or pop): the
	// bucket holding the next event, or -1 when the heap holds it.
	next  int
	fresh bool

	pushes int     // pushes this epoch
	epoch  int     // pushes that end it (0: the first push sets the queue up)
	spills int     // pushes this epoch that went to the heap
	reach  [65]int // pushes this epoch by bits.Len64(At - last)

	// The ring is off (ring is nil: every push goes to the heap) when it
	// did not pay, for skip more epochs; backoff doubles after each probe
	// that finds it still does not pay.
	skip, backoff int

	// store keeps the ring's arrays, also while it is off; spare is an
	// array for rebuild to move the events through.
	store struct {
		ring      []Event
		used, sum []uint64
		over      []uint32
	}
	spare []Event
}

// ovfBlock is an overflow block's header: the block before it in its
// bucket (index+1, 0 for the first) and how many events it holds.
type ovfBlock struct {
	next uint32
	n    uint32
}

// blockLen is the events an overflow block holds: 768 bytes, read in one
// sequential sweep; a bucket's overflow (at least walkMax+1 events) so
// wastes at most blockLen-1 slots.
const blockLen = 16

const (
	minBits  = 6  // 64 buckets: 3 KiB for a small world
	maxBits  = 20 // 2^20 buckets: 48 MiB, for a million events pending
	walkMax  = 8  // events an insertion may step over; a longer walk starts the bucket's overflow
	epochMin = 1024
	maxShift = 62
	maxOff   = 64 // most epochs the ring stays off before another probe
)

func (q *queue) len() int { return q.ringN + q.far.len() + q.burstLen() }

// burstLen returns how many drained events wait in the run and the burst
// heap.
func (q *queue) burstLen() int { return len(q.run) - q.ri + q.burst.len() }

// fromBurst and fromRun are q.next when the next event is the burst heap's
// first or the run's next.
const (
	fromBurst = -2
	fromRun   = -3
)

// warmAhead is how far ahead of the event taken from a run the prefetch
// hint has seen: between warmAhead and twice as many events, hinted
// warmAhead at a time, so that their cache misses overlap and their lines
// are still in cache when the events fire (a whole tick of a thousand,
// hinted at once, was not).
const warmAhead = 16

// push adds the event (at, c, k, a, b) with tie key tie and sequence number
// seq. It takes the fields rather than an Event so that a ring event is
// written straight into its place, without a 48-byte copy.
func (q *queue) push(at time.Duration, c Class, k Kind, a, b int64, tie uint32, seq uint64) {
	q.fresh = false
	if at < q.last {
		q.far.push(makeEvent(at, c, k, a, b, tie, seq)) // earlier than the last pop: only tests do this
		return
	}
	q.reach[bits.Len64(uint64(at-q.last))]++
	if q.pushes++; q.pushes >= q.epoch {
		q.adapt()
	}
	key := uint64(c)<<32 | uint64(tie)
	bn := int64(at >> q.shift)
	if uint64(bn-q.cur) >= uint64(len(q.ring)) { // beyond the window, or the ring is off
		q.spills++
		q.far.push(makeEvent(at, c, k, a, b, tie, seq))
		return
	}
	i := int(bn) & (len(q.ring) - 1)
	h := &q.ring[i]
	var dst *Event
	switch bit, u := uint64(1)<<(i&63), &q.used[i>>6]; {
	case *u&bit == 0: // an empty bucket
		*u |= bit
		q.sum[i>>12] |= 1 << (i >> 6 & 63)
		dst = h
		dst.link = 0
	case ltKey(at, key, seq, h) != 0: // a new first event: the old one moves to a node
		n := q.alloc()
		q.nodes[n-1] = *h
		dst = h
		dst.link = n
	case q.over[i] != 0: // a burst: unsorted, into the overflow
		dst = q.overflow(i)
	default: // after the first: walk the bucket's nodes
		n := q.alloc() // before the walk: alloc may move nodes
		p := &h.link
		for steps := 0; *p != 0; steps++ {
			node := &q.nodes[*p-1]
			if ltKey(at, key, seq, node) != 0 {
				break
			}
			if steps == walkMax {
				p = nil // the bucket overflows: its burst starts
				break
			}
			p = &node.link
		}
		if p == nil {
			q.free = append(q.free, n)
			dst = q.overflow(i)
			break
		}
		dst = &q.nodes[n-1]
		dst.link, *p = *p, n
	}
	dst.At, dst.A, dst.B, dst.seq, dst.key, dst.Kind, dst.Class = at, a, b, seq, key, k, c
	q.ringN++
}

// overflow returns the slot for a new event in bucket i's overflow, in
// its block being filled or, when that is full or there is none, in a
// new one.
func (q *queue) overflow(i int) *Event {
	b := q.over[i]
	if b == 0 || q.blk[b-1].n == blockLen {
		var nb uint32
		if k := len(q.freeBlk); k > 0 {
			nb = q.freeBlk[k-1]
			q.freeBlk = q.freeBlk[:k-1]
		} else {
			q.blk = append(q.blk, ovfBlock{})
			q.ovf = append(q.ovf, make([]Event, blockLen)...)
			nb = uint32(len(q.blk))
		}
		q.blk[nb-1] = ovfBlock{next: b}
		q.over[i], b = nb, nb
	}
	m := &q.blk[b-1]
	dst := &q.ovf[int(b-1)*blockLen+int(m.n)]
	m.n++
	dst.link = 0
	return dst
}

// overBlocks calls f with each block of bucket i's overflow, the events
// it holds, the last filled first.
func (q *queue) overBlocks(i int, f func(evs []Event) bool) bool {
	for b := q.over[i]; b != 0; b = q.blk[b-1].next {
		if !f(q.ovf[int(b-1)*blockLen:][:q.blk[b-1].n]) {
			return false
		}
	}
	return true
}

// alloc returns a free node (index+1).
func (q *queue) alloc() uint32 {
	if k := len(q.free); k > 0 {
		n := q.free[k-1]
		q.free = q.free[:k-1]
		return n
	}
	q.nodes = append(q.nodes, Event{})
	return uint32(len(q.nodes))
}

// min returns the next event, or nil if the queue is empty. It remembers
// where the event is, for popInto, until the next push or pop.
func (q *queue) min() *Event {
	if !q.fresh {
		q.locate()
	}
	switch {
	case q.next >= 0:
		return &q.ring[q.next]
	case q.next == fromRun:
		return &q.run[q.ri]
	case q.next == fromBurst:
		return q.burst.min()
	case q.far.len() != 0:
		return q.far.min()
	}
	return nil
}

// locate finds the next event: q.next is the bucket holding it, or -1 when
// it is the heap's (or the queue is empty).
func (q *queue) locate() {
	q.fresh = true
	q.next = -1
	var best *Event // the heap's first, then the run's or the burst's if earlier
	if q.far.len() != 0 {
		best = q.far.min()
	}
	if q.ri < len(q.run) {
		if r := &q.run[q.ri]; best == nil || before(r, best) {
			best, q.next = r, fromRun
		}
	}
	if q.burst.len() != 0 {
		if r := q.burst.min(); best == nil || before(r, best) {
			best, q.next = r, fromBurst
		}
	}
	if q.ringN != 0 {
		// The first bucket: the rest of the word of the last pop's bucket,
		// or (rarely) a later one (see after).
		start := int(q.cur) & (len(q.ring) - 1)
		i := -1
		if m := q.used[start>>6] &^ (1<<(start&63) - 1); m != 0 {
			i = start&^63 | bits.TrailingZeros64(m)
		} else {
			i = q.after(start >> 6)
		}
		// A bucket's first event is its earliest, also with an overflow:
		// each overflow event went past walkMax events after it.
		if best == nil || before(&q.ring[i], best) {
			if q.over[i] != 0 {
				q.drain(i)
				q.locate() // the bucket's events are the run's or the burst's now
				return
			}
			q.next = i
		}
	}
}

// drain moves bucket i — its first event, its sorted chain and its
// overflow — into the run (sorted), or into the burst heap when the run
// still holds events, and empties the bucket.
func (q *queue) drain(i int) {
	fresh := q.burstLen() == 0
	if fresh {
		q.run, q.ri, q.warmTo = q.run[:0], 0, 0
	}
	h := &q.ring[i]
	for n := h.link; n != 0; {
		node := &q.nodes[n-1]
		q.free = append(q.free, n)
		n, node.link = node.link, 0
		q.addBurst(node, fresh)
		q.ringN--
	}
	h.link = 0
	for b := q.over[i]; b != 0; {
		m := q.blk[b-1]
		evs := q.ovf[int(b-1)*blockLen:][:m.n]
		if fresh {
			q.run = append(q.run, evs...)
		} else {
			for k := range evs {
				q.addBurst(&evs[k], false)
			}
		}
		q.ringN -= int(m.n)
		q.freeBlk = append(q.freeBlk, b)
		b = m.next
	}
	q.addBurst(h, fresh)
	q.ringN--
	q.over[i] = 0
	if q.used[i>>6] &^= 1 << (i & 63); q.used[i>>6] == 0 {
		q.sum[i>>12] &^= 1 << (i >> 6 & 63)
	}
	if fresh {
		q.sortRun()
		if q.warm != nil {
			q.warmRun()
		}
	}
}

// addBurst adds one drained event: to the run (sorted afterwards) when
// fresh, else to the burst heap.
func (q *queue) addBurst(ev *Event, fresh bool) {
	if fresh {
		q.run = append(q.run, *ev)
	} else {
		q.burst.push(*ev)
		q.spills++ // a heap that keeps growing: as good as the far heap (adapt)
	}
}

// sortRun sorts the run into firing order. A tick's events share At, and
// their order is their keys' (Class<<32 | tie, then sequence number): the
// 40-bit keys, each packed above its event's index, sort as plain
// integers (equal keys, rare, go by sequence number afterwards). A run
// whose events lie at different instants of the bucket sorts by the whole
// key.
func (q *queue) sortRun() {
	r := q.run
	n := len(r)
	if n < 2 {
		return
	}
	same := n < 1<<idxBits
	for i := 1; i < n && same; i++ {
		same = r[i].At == r[0].At
	}
	ord := q.ord[:0]
	if same {
		for i := range r {
			ord = append(ord, r[i].key<<idxBits|uint64(i))
		}
		if n < radixMin {
			slices.Sort(ord)
		} else {
			tmp := slices.Grow(q.tmp[:0], n)[:n]
			if sorted := radixSortHigh(ord, tmp); &sorted[0] == &tmp[0] {
				ord, q.tmp = tmp, ord // the result is in the second array
			} else {
				q.tmp = tmp
			}
		}
		// Equal keys go by sequence number: an insertion sort that, with
		// no equal keys, compares each pair once.
		for i := 1; i < n; i++ {
			for k := i; k > 0 && ord[k]>>idxBits == ord[k-1]>>idxBits && r[ord[k]&idxMask].seq < r[ord[k-1]&idxMask].seq; k-- {
				ord[k], ord[k-1] = ord[k-1], ord[k]
			}
		}
	} else {
		for i := range r {
			ord = append(ord, uint64(i))
		}
		slices.SortFunc(ord, func(a, b uint64) int {
			return lt(&r[b], &r[a]) - lt(&r[a], &r[b])
		})
	}
	out := q.runSpare[:0]
	for _, o := range ord {
		out = append(out, r[o&idxMask])
	}
	q.run, q.runSpare, q.ord = out, r[:0], ord[:0]
}

// A run's packed sort key: the event's order key (Class<<32 | tie, 40
// bits) above its index in the run (idxBits).
const (
	idxBits = 24
	idxMask = 1<<idxBits - 1
)

// radixMin is the run length from which a tick's keys are radix-sorted: a
// pass per byte with a 256-entry count, against pdqsort's n log n
// comparisons (a thousand ties: ~6 ns an event against ~35).
const radixMin = 128

// radixSortHigh sorts keys by their bits from idxBits up, stably, with
// tmp, as long as keys, as the second array: a least-significant-digit
// radix sort, a byte a pass, skipping a byte every key shares (a tick's
// Class). It returns the array that holds the result: keys or tmp.
func radixSortHigh(keys, tmp []uint64) []uint64 {
	for shift := idxBits; shift < 64; shift += 8 {
		var at [256]int
		for _, k := range keys {
			at[byte(k>>shift)]++
		}
		if at[byte(keys[0]>>shift)] == len(keys) {
			continue // one digit: the pass would change nothing
		}
		sum := 0
		for d, c := range at {
			at[d] = sum
			sum += c
		}
		for _, k := range keys {
			d := byte(k >> shift)
			tmp[at[d]] = k
			at[d]++
		}
		keys, tmp = tmp, keys
	}
	return keys
}

// warmRun hints the run's events from warmTo to 2*warmAhead past the next
// one taken (World.Prefetch).
func (q *queue) warmRun() { q.warmTo = hintWindow(q.run, q.warmTo, q.ri, q.warm) }

// hintWindow calls warm for the events of evs not hinted yet (from on) up
// to 2*warmAhead past the next one to fire (evs[next]), and returns where
// the next window starts. A run and the Soon queue share it.
func hintWindow(evs []Event, from, next int, warm func(*Event)) int {
	end := min(next+2*warmAhead, len(evs))
	for i := max(from, next); i < end; i++ {
		warm(&evs[i])
	}
	return end
}

// takeRun removes the run's next event and returns it; it stays valid
// until the next push.
func (q *queue) takeRun() *Event {
	m := &q.run[q.ri]
	q.ri++
	if q.warm != nil && q.ri+warmAhead > q.warmTo && q.warmTo < len(q.run) {
		q.warmRun()
	}
	return m
}

// popBy pops the next event if there is one at or before h, and returns it
// (nil otherwise): min and popInto in one call, for the event loop. The
// event returned is valid until the next push: a bucket's only event is
// handed out where it lies in the ring, a run's where it lies in the run,
// any other one is copied to dst.
func (q *queue) popBy(h time.Duration, dst *Event) *Event {
	if !q.fresh {
		q.locate()
	}
	var m *Event
	switch i := q.next; {
	case i >= 0:
		m = &q.ring[i]
		if m.At > h {
			return nil
		}
		if m.link == 0 { // the bucket's only event: no copy
			q.fresh = false
			if q.used[i>>6] &^= 1 << (i & 63); q.used[i>>6] == 0 {
				q.sum[i>>12] &^= 1 << (i >> 6 & 63)
			}
			q.ringN--
			if m.At > q.last {
				q.last = m.At
				q.cur = int64(m.At >> q.shift)
			}
			return m
		}
	case i == fromRun:
		m = &q.run[q.ri]
		if m.At > h {
			return nil
		}
		q.fresh = false
		q.takeRun()
		if m.At > q.last {
			q.last = m.At
			q.cur = int64(m.At >> q.shift)
		}
		return m
	case i == fromBurst:
		if q.burst.min().At > h {
			return nil
		}
	case q.far.len() != 0:
		if q.far.min().At > h {
			return nil
		}
	default:
		return nil
	}
	q.popInto(dst)
	return dst
}

// after returns the first non-empty bucket in the bitmap words after word
// w, in time order: the later words found through sum, then wrapping around
// to the start (ending with w's own earlier bits, the latest buckets of the
// window). Every ring event lies within the window after the last pop, so
// this order is time order. The ring must not be empty.
func (q *queue) after(w int) int {
	for j := w + 1; j < len(q.used); j = (j | 63) + 1 {
		if m := q.sum[j>>6] >> (j & 63); m != 0 {
			j += bits.TrailingZeros64(m)
			return j<<6 | bits.TrailingZeros64(q.used[j])
		}
	}
	for j := 0; j <= w; j += 64 {
		if m := q.sum[j>>6]; m != 0 {
			j += bits.TrailingZeros64(m)
			return j<<6 | bits.TrailingZeros64(q.used[j])
		}
	}
	panic("sim: internal error: the ring count says events but no bucket holds one")
}

// popInto removes the next event and copies it to dst. The queue must not
// be empty.
func (q *queue) popInto(dst *Event) {
	if !q.fresh {
		q.locate()
	}
	q.fresh = false
	if i := q.next; i == fromRun {
		*dst = *q.takeRun()
	} else if i == fromBurst {
		q.burst.popInto(dst)
	} else if i < 0 {
		q.far.popInto(dst)
	} else {
		h := &q.ring[i]
		*dst = *h
		if n := h.link; n != 0 {
			*h = q.nodes[n-1] // the bucket's second event moves up
			q.free = append(q.free, n)
		} else if q.used[i>>6] &^= 1 << (i & 63); q.used[i>>6] == 0 {
			q.sum[i>>12] &^= 1 << (i >> 6 & 63)
		}
		dst.link = 0
		q.ringN--
	}
	if dst.At > q.last {
		q.last = dst.At
		q.cur = int64(dst.At >> q.shift)
	}
}

// beyond returns about how many of this epoch's pushes would have missed a
// window of 2^(b+s) ns: those with bits.Len64(delay) > b+s. (A ring of 2^b
// buckets of 2^s ns spans at least (2^b-1)<<s ns, so this misses the few
// delays within one bucket of the end: an estimate, all adapt needs.)
func (q *queue) beyond(b, s uint) int {
	n := 0
	for l := b + s + 1; l < uint(len(q.reach)); l++ {
		n += q.reach[l]
	}
	return n
}

// adapt ends an epoch: it picks the ring's size and bucket width for the
// next one, or turns the ring off or on, and rebuilds the queue if anything
// changes.
//
// The ring pays when most events land in it. When more than half of an
// epoch's pushes went to a heap anyway — delays spread too widely for any
// window, or bursts drained into a burst heap not yet emptied, so that it
// grows like the big one — the ring only adds a detour, and it is turned
// off: the queue is the heap alone for the next 1, 2, 4 ... maxOff epochs,
// then the ring is tried again.
func (q *queue) adapt() {
	n := q.len()
	pushes, spills := q.pushes, q.spills
	first := q.epoch == 0
	q.pushes, q.spills = 0, 0
	q.epoch = max(epochMin, n/2)
	defer func() { q.reach = [65]int{} }()

	switch {
	case first:
	case q.ring == nil: // off
		if q.skip--; q.skip > 0 {
			return
		}
	case 2*spills > pushes: // did not pay: off
		q.backoff = min(max(2*q.backoff, 1), maxOff)
		q.skip = q.backoff
		q.rebuild(0, 0, false)
		return
	default:
		q.backoff = 0
	}

	size := q.bits
	want := uint(bits.Len(uint(2 * n))) // 2^want >= 2*pending
	want = min(max(want, minBits), maxBits)
	if q.ring == nil || want >= size+2 || want+2 <= size {
		size = want
	}
	width := uint(0)
	for width < maxShift && q.beyond(size, width)*16 > pushes {
		width++
	}
	switch {
	case q.ring == nil: // on: the width the epoch's pushes ask for
	case q.beyond(size, q.shift)*8 > pushes: // widen
	case q.shift >= 2 && q.beyond(size, q.shift-2)*16 <= pushes: // narrow
	default:
		width = q.shift
	}
	if q.ring == nil || size != q.bits || width != q.shift {
		q.rebuild(size, width, true)
	}
}

// rebuild re-places every event in a ring of 2^size buckets of 2^shift ns,
// or, with on false, turns the ring off and puts every event in the heap.
// It allocates only when the ring grows or shrinks: the ring's arrays are
// kept while it is off, and the events in transit use the heap's spare
// array (the one it had before the last rebuild).
func (q *queue) rebuild(size, shift uint, on bool) {
	// Everything into the heap's array first (unordered for now).
	for w, m := range q.used {
		for ; m != 0; m &= m - 1 {
			h := &q.ring[w<<6|bits.TrailingZeros64(m)]
			q.far.h = append(q.far.h, *h)
			for n := h.link; n != 0; n = q.nodes[n-1].link {
				q.far.h = append(q.far.h, q.nodes[n-1])
			}
		}
	}
	for i := range q.over {
		q.overBlocks(i, func(evs []Event) bool {
			q.far.h = append(q.far.h, evs...)
			return true
		})
		q.over[i] = 0
	}
	q.far.h = append(q.far.h, q.run[q.ri:]...)
	q.far.h = append(q.far.h, q.burst.h...)
	q.run, q.ri, q.warmTo = q.run[:0], 0, 0
	q.burst.h = q.burst.h[:0]
	q.nodes, q.free = q.nodes[:0], q.free[:0]
	q.ovf, q.blk, q.freeBlk = q.ovf[:0], q.blk[:0], q.freeBlk[:0]
	q.ringN = 0
	q.fresh = false
	q.bits, q.shift = size, shift
	q.cur = int64(q.last >> shift)
	clear(q.store.used)
	clear(q.store.sum)
	if !on {
		for i := range q.far.h {
			q.far.h[i].link = 0
		}
		q.far.heapify()
		q.ring, q.used, q.sum, q.over = nil, nil, nil, nil
		return
	}
	if len(q.store.ring) != 1<<size {
		q.store.ring = make([]Event, 1<<size)
		q.store.used = make([]uint64, 1<<size/64)
		q.store.sum = make([]uint64, (len(q.store.used)+63)/64)
		q.store.over = make([]uint32, 1<<size)
	}
	q.ring, q.used, q.sum, q.over = q.store.ring, q.store.used, q.store.sum, q.store.over

	all := q.far.h
	q.far.h, q.spare = q.spare[:0], nil
	pushes, spills, epoch, reach := q.pushes, q.spills, q.epoch, q.reach
	q.epoch = math.MaxInt // no epoch ends while the events are pushed again
	for i := range all {
		ev := &all[i]
		q.push(ev.At, ev.Class, ev.Kind, ev.A, ev.B, ev.Tie(), ev.seq)
	}
	q.pushes, q.spills, q.epoch, q.reach = pushes, spills, epoch, reach
	q.spare = all[:0]
}

// each calls f for every queued event, in no particular order, until f
// returns false; it reports whether f saw them all.
func (q *queue) each(f func(*Event) bool) bool {
	for w, m := range q.used {
		for ; m != 0; m &= m - 1 {
			h := &q.ring[w<<6|bits.TrailingZeros64(m)]
			if !f(h) {
				return false
			}
			for n := h.link; n != 0; n = q.nodes[n-1].link {
				if !f(&q.nodes[n-1]) {
					return false
				}
			}
		}
	}
	for i := range q.over {
		if !q.overBlocks(i, func(evs []Event) bool {
			for k := range evs {
				if !f(&evs[k]) {
					return false
				}
			}
			return true
		}) {
			return false
		}
	}
	for i := q.ri; i < len(q.run); i++ {
		if !f(&q.run[i]) {
			return false
		}
	}
	for i := range q.burst.h {
		if !f(&q.burst.h[i]) {
			return false
		}
	}
	for i := range q.far.h {
		if !f(&q.far.h[i]) {
			return false
		}
	}
	return true
}
