package catalogue

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bitsim/bitsim/trace"
)

// Violation is one broken promise, proven by records of the trace.
type Violation struct {
	Rule string  // the rule id ("G31"), as in bits-semantics.md, or "T1" for a malformed trace
	Seqs []int64 // the seq numbers of the records that prove it, ascending
	Msg  string  // what happened, in the trace's words
}

// String formats v as
//
//	G31: seq 14, 17, 20, 22, 25: user alice has 5 calls in flight (cap 4)
func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.Rule)
	b.WriteString(": ")
	if len(v.Seqs) > 0 {
		b.WriteString("seq ")
		for i, s := range v.Seqs {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.FormatInt(s, 10))
		}
		b.WriteString(": ")
	}
	b.WriteString(v.Msg)
	return b.String()
}

// Rule is one guarantee of the catalogue: a documented promise of BITS
// (bits-semantics.md) and the checker that judges a trace against it.
type Rule struct {
	ID        string // "G31"
	Statement string // the promise in one line, paraphrasing the reference
	Source    string // the source keys of the reference ("S-CB; S-JT")
	// Covers lists further rule ids of the reference this checker also
	// judges ("G33" for G15); Lookup finds the rule by any of them.
	Covers []string
	// Check judges a trace against this rule alone. It never panics and
	// returns the violations sorted like [Check].
	Check func(recs []trace.Record) []Violation

	newChecker func() checker
	on         []trace.Ev // the kinds of record the rule looks at; nil: all (ruleDef.on)
}

// checker is the state of one rule's judgement over one pass.
type checker interface {
	// observe judges r; w is the world just before r.
	observe(w *world, r *trace.Record)
	// result returns the violations found.
	result() []Violation
}

// base collects the violations of one rule.
type base struct {
	id  string
	out []Violation
}

func (b *base) result() []Violation { return b.out }

// report records a violation proven by seqs (zeros are ignored; the rest
// are sorted and de-duplicated).
func (b *base) report(seqs []int64, format string, args ...any) {
	s := make([]int64, 0, len(seqs))
	for _, q := range seqs {
		if q != 0 {
			s = append(s, q)
		}
	}
	slices.Sort(s)
	s = slices.Compact(s)
	b.out = append(b.out, Violation{Rule: b.id, Seqs: s, Msg: fmt.Sprintf(format, args...)})
}

// All returns every rule of the catalogue in id order: G rules by number
// (G3 before G10), then the trace well-formedness rule T1.
func All() []Rule {
	out := make([]Rule, len(rules))
	copy(out, rules)
	return out
}

// Lookup returns the rule with id, or the rule whose checker covers id
// ("G33" finds G15).
func Lookup(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id || slices.Contains(r.Covers, id) {
			return r, true
		}
	}
	return Rule{}, false
}

// Check judges recs against every rule in one pass and returns all
// violations sorted by their first seq, then rule id. It is [NewChecker]
// fed every record; use a [Checker] to judge a trace too long to hold.
func Check(recs []trace.Record) []Violation {
	return checkAll(NewChecker(), recs)
}

// CheckRules judges recs against the rules with the given ids (or ids they
// cover) only. An id that names no rule yields a violation with that id and
// the message "unknown rule", so a typo cannot pass silently.
func CheckRules(recs []trace.Record, ids ...string) []Violation {
	return checkAll(NewRuleChecker(ids...), recs)
}

// checkAll feeds recs to c and finishes it.
func checkAll(c *Checker, recs []trace.Record) []Violation {
	for i := range recs {
		c.Add(&recs[i])
	}
	return c.Finish()
}

// ruleOrder gives "G3" < "G10" < "T1": letter, then number.
func ruleOrder(a, b string) int {
	la, na := splitID(a)
	lb, nb := splitID(b)
	if c := strings.Compare(la, lb); c != 0 {
		return c
	}
	if na != nb {
		if na < nb {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func splitID(id string) (string, int) {
	i := strings.IndexFunc(id, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return id, -1
	}
	n, err := strconv.Atoi(id[i:])
	if err != nil {
		return id, -1
	}
	return id[:i], n
}

func sortViolations(vs []Violation) {
	slices.SortStableFunc(vs, func(a, b Violation) int {
		fa, fb := first(a), first(b)
		if fa != fb {
			if fa < fb {
				return -1
			}
			return 1
		}
		if c := ruleOrder(a.Rule, b.Rule); c != 0 {
			return c
		}
		if c := slices.Compare(a.Seqs, b.Seqs); c != 0 {
			return c
		}
		return strings.Compare(a.Msg, b.Msg)
	})
}

func first(v Violation) int64 {
	if len(v.Seqs) == 0 {
		return 0
	}
	return v.Seqs[0]
}
