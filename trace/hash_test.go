package trace_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitsim/bitsim/trace"
)

func TestHashIsSHA256OfEncoding(t *testing.T) {
	recs := sampleTrace()
	assert.Equal(t, sha256.Sum256(encode(t, recs)), trace.Hash(recs))
	sum := trace.Hash(recs)
	assert.Equal(t, hex.EncodeToString(sum[:]), trace.HashString(recs))
	assert.Equal(t, sha256.Sum256(nil), trace.Hash(nil))
}

// TestHashStable pins the hash of the sample trace: if it changes, the
// format changed, and every stored trace hash (determinism baselines, fail
// files) changes with it. That needs a new format version, not a new
// constant here.
func TestHashStable(t *testing.T) {
	assert.Equal(t, "5917ae0b6348c822e8ced548876574eeaf27b47cd1394c4d2d502c9554412f95", trace.HashString(sampleTrace()))
	assert.Equal(t, trace.HashString(sampleTrace()), trace.HashString(sampleTrace()))
}

func TestHashSeesEveryWrittenField(t *testing.T) {
	base := sampleTrace()
	h := trace.Hash(base)
	changed := append([]trace.Record(nil), base...)
	changed[13].Parent = 9 // call.begin's parent
	assert.NotEqual(t, h, trace.Hash(changed))
	changed = append([]trace.Record(nil), base...)
	changed[13].Bytes = 9 // not a key of call.begin
	assert.Equal(t, h, trace.Hash(changed))
}

func TestHasherStreamsTheSameHash(t *testing.T) {
	recs := sampleTrace()
	var h trace.Hasher // zero value ready
	assert.Equal(t, trace.Hash(nil), h.Sum())
	for i := range recs {
		h.Add(&recs[i])
		assert.Equal(t, trace.Hash(recs[:i+1]), h.Sum(), "Sum after %d records", i+1)
	}
	assert.Equal(t, len(recs), h.Len())
	assert.Equal(t, trace.HashString(recs), h.String())

	h.Reset()
	assert.Zero(t, h.Len())
	assert.Equal(t, trace.Hash(nil), h.Sum())
	h2 := trace.NewHasher()
	for i := range recs {
		h.Add(&recs[i])
		h2.Add(&recs[i])
	}
	assert.Equal(t, trace.Hash(recs), h.Sum())
	assert.Equal(t, trace.Hash(recs), h2.Sum())

	allocs := testing.AllocsPerRun(50, func() {
		for i := range recs {
			h.Add(&recs[i])
		}
	})
	assert.Zero(t, allocs)
}
