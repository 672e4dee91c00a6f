package trace

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// Hash returns the SHA-256 of the format v1 encoding of recs (the bytes
// Encode writes). Two runs are the same run exactly when their hashes are
// equal, which is how determinism is checked: same seed ⇒ same hash, on
// every GOARCH and GOMAXPROCS.
func Hash(recs []Record) [32]byte {
	var h Hasher
	for i := range recs {
		h.Add(&recs[i])
	}
	return h.Sum()
}

// HashString returns Hash(recs) as 64 lowercase hex digits.
func HashString(recs []Record) string {
	sum := Hash(recs)
	return hex.EncodeToString(sum[:])
}

// A Hasher computes Hash of a trace fed to it one record at a time, without
// keeping the records: after Add of every record of recs, Sum equals
// Hash(recs). The zero value is ready to use. Add does not allocate once
// its line buffer has grown to the longest line seen.
type Hasher struct {
	d   hash.Hash // sha256, made on first use
	buf []byte    // encoding of the record being added
	n   int       // records added
}

// NewHasher returns an empty Hasher.
func NewHasher() *Hasher { return &Hasher{} }

// Add feeds the encoding of r (AppendJSON) into the hash.
func (h *Hasher) Add(r *Record) {
	if h.d == nil {
		h.d = sha256.New()
	}
	h.buf = AppendJSON(h.buf[:0], r)
	h.d.Write(h.buf) // a hash.Hash never returns an error
	h.n++
}

// Len returns the number of records added since the Hasher was made or
// reset.
func (h *Hasher) Len() int { return h.n }

// Sum returns the hash of the records added so far. It does not change the
// state, so more records can follow.
func (h *Hasher) Sum() [32]byte {
	if h.d == nil {
		return sha256.Sum256(nil)
	}
	var sum [32]byte
	h.d.Sum(sum[:0])
	return sum
}

// String returns Sum as 64 lowercase hex digits.
func (h *Hasher) String() string {
	sum := h.Sum()
	return hex.EncodeToString(sum[:])
}

// Reset empties the Hasher, keeping its buffer.
func (h *Hasher) Reset() {
	if h.d != nil {
		h.d.Reset()
	}
	h.n = 0
}
