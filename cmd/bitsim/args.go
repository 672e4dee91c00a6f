package main

import (
	"fmt"
	"strconv"
	"strings"
)

// seedRange is the half-open range of seeds [From, To) of --seeds A:B.
type seedRange struct {
	From, To uint64
}

func (r seedRange) String() string { return fmt.Sprintf("%d:%d", r.From, r.To) }

// parseSeeds reads --seeds "A:B": two decimal numbers (no sign, no
// spaces) with A < B. The sweep runs A, A+1 … B−1.
func parseSeeds(s string) (seedRange, error) {
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return seedRange{}, fmt.Errorf("--seeds %s: want A:B, the seeds A to B-1 (for example 0:1000)", quote(s))
	}
	from, err1 := parseDecimal(a)
	to, err2 := parseDecimal(b)
	if err1 != nil || err2 != nil {
		return seedRange{}, fmt.Errorf("--seeds %s: A and B must be decimal numbers from 0 to 18446744073709551615", quote(s))
	}
	if from >= to {
		return seedRange{}, fmt.Errorf("--seeds %s: A must be less than B (the range A:B ends before B)", quote(s))
	}
	return seedRange{from, to}, nil
}

// shard is --shard i/n: the i-th of n shards, 1 ≤ i ≤ n.
type shard struct {
	I, N uint64
}

func (s shard) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// parseShard reads --shard "i/n" with 1 ≤ i ≤ n.
func parseShard(s string) (shard, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return shard{}, fmt.Errorf("--shard %s: want i/n, the i-th of n shards (for example 2/8)", quote(s))
	}
	i, err1 := parseDecimal(a)
	n, err2 := parseDecimal(b)
	if err1 != nil || err2 != nil {
		return shard{}, fmt.Errorf("--shard %s: i and n must be decimal numbers", quote(s))
	}
	if n == 0 || i == 0 || i > n {
		return shard{}, fmt.Errorf("--shard %s: want 1 <= i <= n", quote(s))
	}
	return shard{i, n}, nil
}

// parseDecimal accepts only the digits 0-9, at most 20 of them, within
// uint64: no sign, no spaces, no underscores, no base prefix.
func parseDecimal(s string) (uint64, error) {
	if s == "" || len(s) > 20 {
		return 0, strconv.ErrSyntax
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

// shardSeeds describes the seeds of r that shard sh runs: those S with
// S mod n = i−1. first is the smallest, count how many; the others follow
// at steps of n.
func shardSeeds(r seedRange, sh shard) (first, count uint64) {
	// delta = (i−1 − From) mod n, without overflow for any n.
	want, rem := sh.I-1, r.From%sh.N
	delta := want - rem
	if want < rem {
		delta = sh.N - (rem - want)
	}
	if delta >= r.To-r.From {
		return 0, 0
	}
	first = r.From + delta
	return first, (r.To-first-1)/sh.N + 1
}

// inShard reports whether seed belongs to shard sh.
func inShard(seed uint64, sh shard) bool { return seed%sh.N == sh.I-1 }
