package main

import (
	"math"
	"strconv"
	"testing"
)

func TestParseSeeds(t *testing.T) {
	good := map[string]seedRange{
		"0:1":                     {0, 1},
		"0:1000":                  {0, 1000},
		"17:18446744073709551615": {17, math.MaxUint64},
		"007:010":                 {7, 10},
		"18446744073709551614:18446744073709551615": {math.MaxUint64 - 1, math.MaxUint64},
	}
	for in, want := range good {
		if got, err := parseSeeds(in); err != nil || got != want {
			t.Errorf("parseSeeds(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", ":", "1:", ":1", "1:1", "2:1", "+1:2", "1:+2", " 1:2", "1:2 ", "0x1:2",
		"1_0:20", "1:18446744073709551616", "-0:1", "1/2", "1:2:3", "١:٢"} {
		if got, err := parseSeeds(in); err == nil {
			t.Errorf("parseSeeds(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseShard(t *testing.T) {
	good := map[string]shard{"1/1": {1, 1}, "3/8": {3, 8}, "8/8": {8, 8}, "01/2": {1, 2}}
	for in, want := range good {
		if got, err := parseShard(in); err != nil || got != want {
			t.Errorf("parseShard(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "/", "0/1", "2/1", "1/0", "0/0", "1", "1/2/3", "-1/2", "1/ 2", "a/b", "1/18446744073709551616"} {
		if got, err := parseShard(in); err == nil {
			t.Errorf("parseShard(%q) = %v, want an error", in, got)
		}
	}
}

// TestShardSeeds compares shardSeeds with counting seed by seed.
func TestShardSeeds(t *testing.T) {
	for from := uint64(0); from < 12; from++ {
		for to := from + 1; to < 30; to++ {
			for n := uint64(1); n < 9; n++ {
				total := uint64(0)
				for i := uint64(1); i <= n; i++ {
					checkShardSeeds(t, seedRange{from, to}, shard{i, n})
					_, c := shardSeeds(seedRange{from, to}, shard{i, n})
					total += c
				}
				if total != to-from {
					t.Fatalf("%d:%d in %d shards: %d seeds, want %d", from, to, n, total, to-from)
				}
			}
		}
	}
	// Near the top of uint64 nothing overflows.
	top := seedRange{math.MaxUint64 - 10, math.MaxUint64}
	for _, sh := range []shard{{1, 3}, {3, 3}, {1, math.MaxUint64}, {math.MaxUint64, math.MaxUint64}, {2, math.MaxUint64 - 1}} {
		checkShardSeeds(t, top, sh)
	}
}

// checkShardSeeds checks shardSeeds(r, sh) against the rule S mod n = i−1
// by enumerating r (which must be small).
func checkShardSeeds(t *testing.T, r seedRange, sh shard) {
	t.Helper()
	var want []uint64
	for s := r.From; s < r.To; s++ {
		if inShard(s, sh) {
			want = append(want, s)
		}
	}
	first, count := shardSeeds(r, sh)
	if count != uint64(len(want)) || (count > 0 && first != want[0]) {
		t.Fatalf("shardSeeds(%v, %v) = %d, %d; want %v", r, sh, first, count, want)
	}
	for k, s := range want {
		if first+uint64(k)*sh.N != s {
			t.Fatalf("shardSeeds(%v, %v): seed %d is %d, want %d", r, sh, k, first+uint64(k)*sh.N, s)
		}
	}
}

// FuzzParseSeeds: parseSeeds never panics; what it accepts is a non-empty
// range that prints back to an equivalent argument.
func FuzzParseSeeds(f *testing.F) {
	for _, s := range []string{"0:1000", "5:5", "1:", "18446744073709551615:0", "+1:2", "0:18446744073709551616", "٣:٤", "9:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseSeeds(s)
		if err != nil {
			if r != (seedRange{}) {
				t.Fatalf("error with a range: %v", r)
			}
			return
		}
		if r.From >= r.To {
			t.Fatalf("accepted an empty range %q: %v", s, r)
		}
		again, err := parseSeeds(r.String())
		if err != nil || again != r {
			t.Fatalf("%q → %v → %q → %v, %v", s, r, r.String(), again, err)
		}
		for _, part := range []string{strconv.FormatUint(r.From, 10), strconv.FormatUint(r.To, 10)} {
			if _, err := strconv.ParseUint(part, 10, 64); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzParseShard: parseShard never panics; what it accepts has 1 ≤ i ≤ n,
// and shardSeeds of it over a small range agrees with the rule.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"1/1", "3/8", "0/1", "2/1", "1/0", "18446744073709551615/18446744073709551615", "1/2/3", "x"} {
		f.Add(s, uint64(0), uint8(20))
	}
	f.Fuzz(func(t *testing.T, s string, from uint64, width uint8) {
		sh, err := parseShard(s)
		if err != nil {
			return
		}
		if sh.I < 1 || sh.I > sh.N {
			t.Fatalf("accepted %q as %v", s, sh)
		}
		if again, err := parseShard(sh.String()); err != nil || again != sh {
			t.Fatalf("%q → %v → %v, %v", s, sh, again, err)
		}
		to := from + uint64(width) + 1
		if to <= from {
			return // the range would pass the top of uint64
		}
		checkShardSeeds(t, seedRange{from, to}, sh)
	})
}
