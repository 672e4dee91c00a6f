package trace

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// ErrLogFull is the error of a Log whose record limit was reached: records
// appended after that were dropped. Log.Err wraps it.
var ErrLogFull = errors.New("trace: log record limit reached")

// A Log is the append-only, in-memory trace a simulator writes on its hot
// path. Append numbers records itself (seq 1, 2, 3 …), so a Log always
// holds a well-formed sequence. The zero value is an empty Log that keeps
// every record, with no limit.
//
// Two options bound its memory (DESIGN.md: bounded everything):
//
//   - SetLimit(n): at most n records are accepted. Append past the limit
//     drops the record and sets Overflow; Err then reports ErrLogFull. The
//     records kept are the first n, a valid trace prefix.
//   - SetMode: a Log in mode HashOnly encodes each record into a Hasher
//     instead of keeping it, so a run of any size costs constant memory
//     and still has a determinism fingerprint (Log.Hash); in mode
//     CountOnly it only numbers and counts records, for benchmarks that
//     must not pay for the trace.
//
// A Log is not safe for concurrent use; in bitsim only the one running
// virtual thread appends.
type Log struct {
	ents     []Packed // KeepRecords: every record accepted, packed or whole (evWhole)
	whole    []Record // the records appended whole (Append), indexed by their entry's A
	mat      []Record // Records' expansion of ents[:len(mat)]
	names    []string // Name → string; names[0] is "" once anything is interned
	ids      map[string]Name
	n        int // records accepted (the seq of the last one)
	limit    int // most records accepted; 0: no limit
	dropped  int // records refused because of limit
	mode     LogMode
	h        Hasher        // used in mode HashOnly
	obs      func(*Record) // Observe's fn, nil: none
	gateC    uint          // ^(records at which the narrow appenders' fast path, take, ends): setGate
	scratch  Packed        // AppendFields' record in the modes that keep none
	obsRecs  []*Record     // observe's Records, one per nesting depth
	obsDepth int           // observer calls in progress
}

// LogMode is what a Log does with the records appended to it.
type LogMode uint8

// Log modes.
const (
	KeepRecords LogMode = iota // keep every record (the zero value)
	HashOnly                   // hash each record, keep none
	CountOnly                  // number and count records, keep and hash none
)

func (m LogMode) String() string {
	switch m {
	case KeepRecords:
		return "KeepRecords"
	case HashOnly:
		return "HashOnly"
	case CountOnly:
		return "CountOnly"
	}
	return "LogMode(" + strconv.Itoa(int(m)) + ")"
}

// Append adds r with r.Seq set to the next sequence number, or drops it if
// the limit is reached. It does not allocate, apart from the amortized
// growth of the record slice (none in modes HashOnly and CountOnly).
func (l *Log) Append(r Record) {
	if l.limit > 0 && l.n >= l.limit {
		l.dropped++
		return
	}
	l.n++
	r.Seq = int64(l.n)
	switch l.mode {
	case KeepRecords:
		l.ents = append(l.ents, Packed{Ev: evWhole, A: int64(len(l.whole))})
		l.whole = append(l.whole, r)
	case HashOnly:
		l.h.Add(&r)
	}
	if l.obs != nil {
		l.observe(&r)
	}
}

// observe hands the observer a copy of r in the Log's record for the
// current nesting depth, made once: a pointer to a fresh copy would be a
// heap allocation per record (the observer is a func value, so what it is
// given escapes), and a harness that observes every record spent a quarter
// of its allocations there (docs/PERFORMANCE.md).
//
//go:noinline
func (l *Log) observe(r *Record) {
	if l.obsDepth == len(l.obsRecs) {
		l.obsRecs = append(l.obsRecs, new(Record))
	}
	o := l.obsRecs[l.obsDepth]
	*o = *r
	l.obsDepth++
	defer func() { l.obsDepth-- }()
	l.obs(o)
}

// Observe makes fn see every record Append accepts from now on, right after
// it is numbered and stored (in every mode; records dropped past the limit
// are not seen). fn may read *r during the call only: the Record is the
// Log's, reused for the next record observed, so fn copies what it keeps
// (*r, or its fields). fn may append to the Log itself (those records are
// observed too, nested inside the call, each in a Record of its own). There
// is at most one observer: Observe replaces the previous one, Observe(nil)
// removes it, Reset keeps it.
func (l *Log) Observe(fn func(r *Record)) { l.obs = fn; l.setGate() }

// setGate keeps gateC in step with the limit, the mode and the observer.
// The narrow appenders (AppendJob, AppendCall, AppendEnd, AppendProgress)
// write records straight into ents while l.n < ^gateC: before the limit (no end without one), and never in
// another mode or with an observer. It is kept complemented so that the
// zero Log — no limit, KeepRecords, no observer — has its fast path on.
func (l *Log) setGate() {
	gate := ^uint(0)
	if l.limit > 0 {
		gate = uint(l.limit)
	}
	if l.mode != KeepRecords || l.obs != nil {
		gate = 0
	}
	l.gateC = ^gate
}

// Records returns the records kept, in order (none unless the mode is
// KeepRecords), packed ones expanded. The slice is the Log's own memory:
// read it, don't modify it, and don't keep it past a Reset. The first call
// after appends expands the records appended since the last call, so a
// simulator's hot path never builds a whole Record; a Log read only at the
// end of a run expands each record once. Because it expands into the Log,
// Records is a write like Append: not safe beside another call on the same
// Log from another goroutine (the slices it returned stay safe to read).
func (l *Log) Records() []Record {
	if len(l.mat) < len(l.ents) {
		l.mat = slices.Grow(l.mat, len(l.ents)-len(l.mat))
		for i := len(l.mat); i < len(l.ents); i++ {
			l.mat = append(l.mat, l.expand(&l.ents[i], int64(i+1)))
		}
	}
	return l.mat[:len(l.mat):len(l.mat)]
}

// Len returns the number of records accepted since the last Reset. It
// counts records not kept (modes HashOnly and CountOnly) too, so it is
// always the seq of the last record.
func (l *Log) Len() int { return l.n }

// Reset empties the Log and clears Overflow, keeping its capacity, its
// limit, its mode, its observer and its interned Names.
func (l *Log) Reset() {
	// Truncate without clearing: the old records are overwritten as new
	// ones arrive. (Clearing cost more than the appends in the dispatch
	// benchmark; what stays referenced meanwhile is a few short strings.)
	l.ents, l.whole, l.mat = l.ents[:0], l.whole[:0], l.mat[:0]
	l.n = 0
	l.dropped = 0
	l.h.Reset()
}

// Clear empties the Log for another run: as Reset, and it also forgets its
// interned Names (a Name of the last run means nothing in the next) and its
// observer. It keeps its capacity, its limit and its mode, so a harness
// that runs world after world in one Log reuses its memory instead of
// growing a new one each time (docs/PERFORMANCE.md). What Records returned
// before is the Log's memory: it is overwritten by the next run.
func (l *Log) Clear() {
	l.Reset()
	l.names = l.names[:0]
	clear(l.ids)
	l.obs = nil
	l.setGate()
}

// SetLimit sets the most records the Log accepts; n <= 0 means no limit.
// Records already accepted stay.
func (l *Log) SetLimit(n int) { l.limit = max(n, 0); l.setGate() }

// Limit returns the record limit (0: none).
func (l *Log) Limit() int { return l.limit }

// Overflow reports whether a record was dropped because of the limit.
func (l *Log) Overflow() bool { return l.dropped > 0 }

// Dropped returns how many records were dropped because of the limit.
func (l *Log) Dropped() int { return l.dropped }

// Err returns an error wrapping ErrLogFull if records were dropped, else
// nil.
func (l *Log) Err() error {
	if l.dropped == 0 {
		return nil
	}
	return fmt.Errorf("%w: kept %d, dropped %d records", ErrLogFull, l.n, l.dropped)
}

// SetMode sets what the Log does with records. The mode can only change
// while the Log is empty (new or just Reset); changing it on a non-empty
// Log panics, since records already kept, hashed or counted cannot move to
// another mode.
func (l *Log) SetMode(m LogMode) {
	if m > CountOnly {
		panic("trace: Log.SetMode: no such mode " + m.String())
	}
	if m == l.mode {
		return
	}
	if l.n != 0 || l.dropped != 0 {
		panic("trace: Log.SetMode on a non-empty log (call Reset first)")
	}
	l.mode = m
	l.setGate()
}

// Mode returns the Log's mode.
func (l *Log) Mode() LogMode { return l.mode }

// Hash returns the trace hash of the records accepted so far: Hash of
// Records, or in mode HashOnly the hash of the records streamed through.
// Both modes give the same hash for the same appends. A Log in mode
// CountOnly has no hash: Hash panics rather than return a value that two
// different runs would share.
func (l *Log) Hash() [32]byte {
	switch l.mode {
	case HashOnly:
		return l.h.Sum()
	case CountOnly:
		panic("trace: Log.Hash in mode CountOnly")
	}
	return Hash(l.Records())
}
