package scheduler

import "testing"

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
