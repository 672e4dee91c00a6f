package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// maxShardFile bounds the size of a shard file sweep-merge reads.
const maxShardFile = 1 << 30

// loadedShard is one shard file and where it came from.
type loadedShard struct {
	path string
	f    shardFile
}

// sweepMerge is "bitsim sweep-merge FILE...": it joins shard files into one
// summary. Shards of one range must use the same n; every i of 1..n must
// appear exactly once, and ranges must neither overlap nor leave holes.
// Problems are listed one per line on stderr (exit 2); otherwise failures
// make exit 1.
func (a *app) sweepMerge(args []string) int {
	c := newCommand("sweep-merge", "FILE.json...")
	pos, code, ok := a.parseOrFail(c, args)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		return a.fail(c.name, "want one or more shard files written by bitsim sweep --out")
	}
	var shards []loadedShard
	for _, p := range pos {
		f, err := readShardFile(p)
		if err != nil {
			return a.fail(c.name, "%v", err)
		}
		shards = append(shards, loadedShard{p, f})
	}
	scenario := shards[0].f.Scenario
	for _, s := range shards[1:] {
		if s.f.Scenario != scenario {
			return a.fail(c.name, "%s is a sweep of %s, %s of %s: merge one scenario at a time",
				s.path, quote(s.f.Scenario), shards[0].path, quote(scenario))
		}
	}

	groups, problems := groupShards(shards)

	var failures []failure
	var total uint64
	for _, s := range shards {
		failures = append(failures, s.f.Failures...)
		total += s.f.Ran
	}
	sort.SliceStable(failures, func(i, j int) bool { return failures[i].Seed < failures[j].Seed })
	ranges := make([]string, len(groups))
	for i, g := range groups {
		ranges[i] = seedRange{g.from, g.to}.String()
	}
	// Failures first, then the summary, as sweep prints them.
	printFailures(a.stdout, failures)
	fmt.Fprintf(a.stdout, "merged %s: seeds %s from %d files: %s, %d failing\n",
		oneLine(scenario), strings.Join(ranges, ","), len(shards), plural(total, "seed"), len(failures))
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(a.stderr, "bitsim sweep-merge: "+oneLine(p))
		}
		return exitUsage
	}
	fmt.Fprintf(a.stdout, "digest %s\n", mergedDigest(groups))
	if len(failures) > 0 {
		return exitFound
	}
	return exitOK
}

// readShardFile reads and validates one shard file.
func readShardFile(path string) (shardFile, error) {
	var f shardFile
	fh, err := os.Open(path)
	if err != nil {
		return f, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return f, err
	}
	if st.Size() > maxShardFile {
		return f, fmt.Errorf("%s: larger than %d bytes", path, maxShardFile)
	}
	if err := json.NewDecoder(fh).Decode(&f); err != nil {
		return f, fmt.Errorf("%s: not a shard file: %v", path, err)
	}
	bad := func(format string, args ...any) (shardFile, error) {
		return f, fmt.Errorf("%s: not a valid shard file: %s", path, fmt.Sprintf(format, args...))
	}
	if f.Format != shardFormat {
		return bad("format %s, want %s", quote(f.Format), quote(shardFormat))
	}
	if f.From >= f.To {
		return bad("from %d is not below to %d", f.From, f.To)
	}
	if f.Shards == 0 || f.Shard == 0 || f.Shard > f.Shards {
		return bad("shard %d of %d", f.Shard, f.Shards)
	}
	if f.Partial {
		return f, fmt.Errorf("%s: a partial sweep (interrupted after %d seeds of shard %d/%d of %d:%d): merge only complete shards; run the rest with --seeds %d:%d --shard %d/%d, or the shard again",
			path, f.Ran, f.Shard, f.Shards, f.From, f.To, f.Next, f.To, f.Shard, f.Shards)
	}
	first, count := shardSeeds(seedRange{f.From, f.To}, shard{f.Shard, f.Shards})
	if f.Ran != count || (count > 0 && f.First != first) {
		return bad("shard %d/%d of %d:%d runs %d seeds from %d, file says %d from %d", f.Shard, f.Shards, f.From, f.To, count, first, f.Ran, f.First)
	}
	if uint64(len(f.Hashes)) != count {
		return bad("%d hashes for %d seeds", len(f.Hashes), count)
	}
	if f.Failed != len(f.Failures) {
		return bad("failed is %d but %d failures are listed", f.Failed, len(f.Failures))
	}
	for _, fl := range f.Failures {
		if fl.Seed < f.From || fl.Seed >= f.To || !inShard(fl.Seed, shard{f.Shard, f.Shards}) {
			return bad("failure of seed %d, which is not in this shard", fl.Seed)
		}
	}
	return f, nil
}

// group is the shards of one seed range.
type group struct {
	from, to uint64
	n        uint64
	byShard  map[uint64]*shardFile // shard index i → its file
	complete bool
}

// groupShards groups shards by range and reports overlaps and gaps, in a
// fixed order: within each range (sorted), then between ranges.
func groupShards(shards []loadedShard) ([]*group, []string) {
	var problems []string
	byRange := map[seedRange]*group{}
	var groups []*group
	for i := range shards {
		s := &shards[i]
		r := seedRange{s.f.From, s.f.To}
		g, ok := byRange[r]
		if !ok {
			g = &group{from: r.From, to: r.To, n: s.f.Shards, byShard: map[uint64]*shardFile{}}
			byRange[r] = g
			groups = append(groups, g)
		}
		if s.f.Shards != g.n {
			problems = append(problems, fmt.Sprintf("overlap: %s splits %s into %d shards, another file into %d; shards of one range must use the same n",
				s.path, r, s.f.Shards, g.n))
			continue
		}
		if _, dup := g.byShard[s.f.Shard]; dup {
			problems = append(problems, fmt.Sprintf("overlap: shard %d/%d of %s appears twice (again in %s)", s.f.Shard, g.n, r, s.path))
			continue
		}
		g.byShard[s.f.Shard] = &s.f
	}
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].from != groups[j].from {
			return groups[i].from < groups[j].from
		}
		return groups[i].to < groups[j].to
	})
	for _, g := range groups {
		var missing []string
		for i := uint64(1); i <= g.n && len(missing) <= maxListed; i++ {
			if _, ok := g.byShard[i]; !ok {
				missing = append(missing, fmt.Sprintf("%d/%d", i, g.n))
			}
		}
		missingShards := g.n - uint64(len(g.byShard))
		if missingShards == 0 {
			g.complete = true
			continue
		}
		list := strings.Join(missing[:min(len(missing), maxListed)], ", ")
		if missingShards > maxListed {
			list += ", …"
		}
		problems = append(problems, fmt.Sprintf("gap: %d of %d shards of %s missing: %s", missingShards, g.n, seedRange{g.from, g.to}, list))
	}
	for k := 1; k < len(groups); k++ {
		prev, cur := groups[k-1], groups[k]
		switch {
		case cur.from < prev.to:
			problems = append(problems, fmt.Sprintf("overlap: seed ranges %s and %s overlap", seedRange{prev.from, prev.to}, seedRange{cur.from, cur.to}))
		case cur.from > prev.to:
			problems = append(problems, fmt.Sprintf("gap: seeds %s are in no file", seedRange{prev.to, cur.from}))
		}
	}
	return groups, problems
}

// maxListed bounds how many missing shards a gap message names.
const maxListed = 8

// mergedDigest is the digest of one unsharded sweep over the same seeds:
// SHA-256 of "SEED HASH\n" in seed order. Call it only when every group is
// complete and no ranges overlap.
func mergedDigest(groups []*group) string {
	d := sha256.New()
	for _, g := range groups {
		for seed := g.from; seed < g.to; seed++ {
			f := g.byShard[seed%g.n+1]
			fmt.Fprintf(d, "%d %s\n", seed, f.Hashes[(seed-f.First)/g.n])
		}
	}
	return "sha256:" + hex.EncodeToString(d.Sum(nil))
}
