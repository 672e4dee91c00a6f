package catalogue_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/trace"
)

// ruleCase is one rule's proof of life: a clean trace every rule passes,
// and a minimally broken one that fails this rule with exactly these seqs.
type ruleCase struct {
	name   string
	rule   string
	clean  func() []trace.Record
	broken func() ([]trace.Record, []int64)
	// also lists other rules the broken trace must break as well; every
	// other rule must pass it.
	also []string
}

func ruleCases() []ruleCase {
	return []ruleCase{
		{name: "disable suppresses callbacks", rule: "G3",
			clean: func() []trace.Record {
				b := basic()
				b.flags("job-1", 0x5)
				b.transfer("job-1")
				b.flags("job-1", 0x1)
				b.call(1, "job-1", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				f := b.flags("job-1", 0x5)
				b.transfer("job-1")
				s := b.call(1, "job-1", "alice", "app-1", jt, sOK)
				return b.idle(), []int64{f, s}
			}},
		{name: "disable suppresses the command line", rule: "G3",
			clean: func() []trace.Record {
				b := newTB()
				b.client("app-1", "alice", "MTA")
				b.create("job-1", "alice")
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTB()
				b.client("app-1", "alice", "MTA")
				b.create("job-1", "alice")
				b.cmdline("job-1", "alice")
				f := b.flags("job-1", 0x5)
				b.transfer("job-1")
				s := b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				return b.idle(), []int64{f, s}
			}},
		{name: "flag gates the method", rule: "G4",
			clean: func() []trace.Record {
				b := basic()
				b.flags("job-1", 0xB)
				b.modified("job-1", "property")
				b.call(1, "job-1", "alice", "app-1", jm, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.modified("job-1", "property")
				s := b.call(1, "job-1", "alice", "app-1", jm, sOK)
				return b.idle(), []int64{s}
			}},
		{name: "FileTransferred needs BITS 3.0", rule: "G4",
			clean: func() []trace.Record {
				b := basic()
				b.flags("job-1", 0x13)
				b.owed("job-1", ft, 0)
				b.call(1, "job-1", "alice", "app-1", ft, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				c := b.add(trace.Record{Ev: trace.EvRunConfig, Profile: "default", Bits: "2.5", Cap: 4, Strict: true})
				b.flags("job-1", 0x13)
				b.owed("job-1", ft, 0)
				s := b.call(1, "job-1", "alice", "app-1", ft, sOK)
				return b.idle(), []int64{c, s}
			}},
		{name: "setters rejected in final states", rule: "G6",
			clean: func() []trace.Record {
				b := basic()
				b.flags("job-1", 0x1)
				b.to("job-1", cancelled)
				b.unreg("job-1", "final")
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				c := b.to("job-1", cancelled)
				b.unreg("job-1", "final")
				f := b.flags("job-1", 0x1)
				return b.idle(), []int64{c, f}
			}},
		{name: "a call to a dead client ends disconnected", rule: "G7",
			clean: func() []trace.Record {
				b := basic()
				b.transfer("job-1")
				b.exit("app-1", "alice")
				b.begin(1, "job-1", "alice", "app-1", jt)
				b.disconnected(1)
				b.unreg("job-1", "disconnected")
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.transfer("job-1")
				x := b.exit("app-1", "alice")
				s := b.begin(1, "job-1", "alice", "app-1", jt)
				e := b.end(1, sOK)
				return b.idle(), []int64{x, s, e}
			}},
		{name: "BITS clears a pointer it found dead", rule: "G23",
			clean: func() []trace.Record {
				b := basic()
				b.transfer("job-1")
				b.exit("app-1", "alice")
				b.begin(1, "job-1", "alice", "app-1", jt)
				b.disconnected(1)
				b.unreg("job-1", "disconnected")
				b.client("app-2", "alice", "MTA")
				b.reg("job-1", "app-2", "alice")
				b.call(2, "job-1", "alice", "app-2", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.transfer("job-1")
				b.exit("app-1", "alice")
				b.begin(1, "job-1", "alice", "app-1", jt)
				e := b.disconnected(1)
				r := b.finish("idle")
				return b.recs, []int64{e, r}
			}},
		{name: "last writer wins", rule: "G8",
			clean: func() []trace.Record {
				b := basic()
				b.client("app-2", "alice", "MTA")
				b.unreg("job-1", "replaced")
				b.reg("job-1", "app-2", "alice")
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-2", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.client("app-2", "alice", "MTA")
				b.unreg("job-1", "replaced")
				r := b.reg("job-1", "app-2", "alice")
				b.transfer("job-1")
				s := b.call(1, "job-1", "alice", "app-1", jt, sOK)
				return b.idle(), []int64{r, s}
			},
			also: []string{"G18"}}, // and app-2 never got its JobTransferred
		{name: "callbacks run as the registering user", rule: "G10",
			clean: func() []trace.Record {
				b := basic()
				b.owner("job-1", "bob")
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.owner("job-1", "bob")
				b.transfer("job-1")
				s := b.call(1, "job-1", "bob", "app-1", jt, sOK)
				return b.idle(), []int64{5, s} // job.register is seq 5
			}},
		{name: "JobTransferred only while TRANSFERRED", rule: "G11",
			clean: func() []trace.Record {
				b := basic()
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, sOK)
				b.to("job-1", acknowledged)
				b.unreg("job-1", "final")
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.to("job-1", queued)
				b.to("job-1", connecting)
				t := b.to("job-1", transferring)
				s := b.call(1, "job-1", "alice", "app-1", jt, sOK)
				return b.idle(), []int64{t, s}
			}},
		{name: "JobError never for TRANSIENT_ERROR", rule: "G12",
			clean: func() []trace.Record {
				b := basic()
				b.to("job-1", queued)
				b.to("job-1", connecting)
				b.to("job-1", transient)
				b.to("job-1", errorState)
				b.call(1, "job-1", "alice", "app-1", je, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.to("job-1", queued)
				b.to("job-1", connecting)
				t := b.to("job-1", transient)
				s := b.call(1, "job-1", "alice", "app-1", je, sOK)
				return b.idle(), []int64{t, s}
			}},
		{name: "no JobModification for entering TRANSFERRED", rule: "G13",
			clean: func() []trace.Record {
				b := basic()
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.to("job-1", queued)
				b.to("job-1", connecting)
				b.to("job-1", transferring)
				t := b.to("job-1", transferred)
				m := b.modified("job-1", "state")
				b.call(1, "job-1", "alice", "app-1", jt, sOK)
				return b.idle(), []int64{t, m}
			}},
		{name: "job.modified{state} follows its job.state", rule: "G13",
			clean: func() []trace.Record {
				b := basic()
				b.to("job-1", queued)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				m := b.modified("job-1", "state")
				return b.idle(), []int64{m}
			}},
		{name: "JobModification throttled", rule: "G14",
			clean: func() []trace.Record {
				b := newTBWith(4, 500*time.Millisecond, true).withJob()
				b.flags("job-1", 0xB)
				b.modified("job-1", "progress")
				b.call(1, "job-1", "alice", "app-1", jm, sOK)
				b.after(500 * time.Millisecond)
				b.modified("job-1", "progress")
				b.call(2, "job-1", "alice", "app-1", jm, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTBWith(4, 500*time.Millisecond, true).withJob()
				b.flags("job-1", 0xB)
				b.modified("job-1", "progress")
				s1 := b.call(1, "job-1", "alice", "app-1", jm, sOK)
				b.after(100 * time.Millisecond)
				b.modified("job-1", "progress")
				s2 := b.call(2, "job-1", "alice", "app-1", jm, sOK)
				return b.idle(), []int64{s1, s2}
			}},
		// FileRangesTransferred is throttled by the same interval (G16,
		// S-FRT), judged per method: a JobModification just before does not
		// count against it (issue 11, item 6).
		{name: "FileRangesTransferred throttled", rule: "G14",
			clean: func() []trace.Record {
				b := newTBWith(4, 500*time.Millisecond, true).withJob()
				b.flags("job-1", 0x2B)
				b.modified("job-1", "progress")
				b.call(1, "job-1", "alice", "app-1", jm, sOK)
				b.call(2, "job-1", "alice", "app-1", frt, sOK)
				b.after(500 * time.Millisecond)
				b.call(3, "job-1", "alice", "app-1", frt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTBWith(4, 500*time.Millisecond, true).withJob()
				b.flags("job-1", 0x2B)
				s1 := b.call(1, "job-1", "alice", "app-1", frt, sOK)
				b.after(499 * time.Millisecond)
				s2 := b.call(2, "job-1", "alice", "app-1", frt, sOK)
				return b.idle(), []int64{s1, s2}
			}},
		{name: "every FileTransferred before JobTransferred", rule: "G33",
			clean: func() []trace.Record {
				b := basic()
				b.flags("job-1", 0x13)
				b.to("job-1", queued)
				b.to("job-1", connecting)
				b.to("job-1", transferring)
				b.owed("job-1", ft, 0)
				b.to("job-1", transferred)
				b.call(1, "job-1", "alice", "app-1", ft, sOK)
				b.call(2, "job-1", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.flags("job-1", 0x13)
				b.to("job-1", queued)
				b.to("job-1", connecting)
				b.to("job-1", transferring)
				o := b.owed("job-1", ft, 0)
				b.to("job-1", transferred)
				s := b.call(1, "job-1", "alice", "app-1", jt, sOK)
				b.call(2, "job-1", "alice", "app-1", ft, sOK)
				return b.idle(), []int64{o, s}
			}},
		{name: "FileTransferred serialized", rule: "G15",
			clean: func() []trace.Record {
				b := basic()
				b.flags("job-1", 0x12)
				b.owed("job-1", ft, 0)
				b.owed("job-1", ft, 1)
				b.call(1, "job-1", "alice", "app-1", ft, sOK)
				b.call(2, "job-1", "alice", "app-1", ft, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.flags("job-1", 0x12)
				b.owed("job-1", ft, 0)
				b.owed("job-1", ft, 1)
				s1 := b.begin(1, "job-1", "alice", "app-1", ft)
				s2 := b.begin(2, "job-1", "alice", "app-1", ft)
				b.end(1, sOK)
				b.end(2, sOK)
				return b.idle(), []int64{s1, s2}
			}},
		{name: "late registration still notified", rule: "G18",
			clean: func() []trace.Record {
				b := newTB()
				b.client("app-1", "alice", "MTA")
				b.create("job-1", "alice")
				b.transfer("job-1")
				b.reg("job-1", "app-1", "alice")
				b.call(1, "job-1", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTB()
				b.client("app-1", "alice", "MTA")
				b.create("job-1", "alice")
				t := b.transfer("job-1")
				r := b.reg("job-1", "app-1", "alice")
				e := b.finish("idle")
				return b.recs, []int64{t, r, e}
			}},
		{name: "re-registration notified again", rule: "G19",
			clean: func() []trace.Record {
				b := basic()
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, sOK)
				b.client("app-2", "alice", "MTA")
				b.unreg("job-1", "replaced")
				b.reg("job-1", "app-2", "alice")
				b.call(2, "job-1", "alice", "app-2", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				ok := b.end(1, sOK)
				b.client("app-2", "alice", "MTA")
				b.unreg("job-1", "replaced")
				r := b.reg("job-1", "app-2", "alice")
				e := b.finish("idle")
				return b.recs, []int64{ok, r, e}
			},
			also: []string{"G18"}},
		{name: "failed JobTransferred retried", rule: "G20",
			clean: func() []trace.Record {
				b := basic()
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, eFail)
				b.retry("job-1", jt, 600*time.Second)
				b.after(600 * time.Second)
				b.call(2, "job-1", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				e := b.end(1, eFail)
				r := b.finish("idle")
				return b.recs, []int64{e, r}
			}},
		{name: "S_FALSE is not S_OK under strict", rule: "G20",
			clean: func() []trace.Record {
				b := newTBWith(4, 0, false).withJob()
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, sFalse)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				e := b.end(1, sFalse)
				r := b.finish("idle")
				return b.recs, []int64{e, r}
			}},
		{name: "a failure is followed by a retry even at the deadline", rule: "G20",
			clean: func() []trace.Record {
				b := basic()
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, eFail)
				b.retry("job-1", jt, time.Hour)
				b.finish("deadline")
				return b.recs
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				e := b.end(1, eFail)
				r := b.finish("deadline")
				return b.recs, []int64{e, r}
			}},
		{name: "a failure is followed by a call queued for the STA thread", rule: "G20",
			// aimed-cmdline seed 990207: the new call took its slot and
			// waits for a thread the application holds when the run ends.
			clean: func() []trace.Record {
				b := newTB()
				b.client("app-1", "alice", "STA")
				b.create("job-1", "alice")
				b.reg("job-1", "app-1", "alice")
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, eFail)
				b.hold("app-1")
				b.queued(2, "job-1", "alice", "app-1", jt)
				b.finish("deadline")
				return b.recs
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTB()
				b.client("app-1", "alice", "STA")
				b.create("job-1", "alice")
				b.reg("job-1", "app-1", "alice")
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				e := b.end(1, eFail)
				b.hold("app-1")
				r := b.finish("deadline")
				return b.recs, []int64{e, r}
			}},
		{name: "no JobTransferred after S_OK", rule: "G20",
			clean: func() []trace.Record {
				b := basic()
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, sOK)
				b.to("job-1", queued)
				b.to("job-1", connecting)
				b.to("job-1", transferring)
				b.to("job-1", transferred)
				b.call(2, "job-1", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				e := b.end(1, sOK)
				s := b.call(2, "job-1", "alice", "app-1", jt, sOK)
				return b.idle(), []int64{e, s}
			}},
		{name: "FileTransferred not retried after S_FALSE", rule: "G21",
			clean: func() []trace.Record {
				b := basic()
				b.flags("job-1", 0x10)
				b.owed("job-1", ft, 0)
				b.call(1, "job-1", "alice", "app-1", ft, eFail)
				b.call(2, "job-1", "alice", "app-1", ft, sFalse)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.flags("job-1", 0x10)
				b.owed("job-1", ft, 0)
				b.begin(1, "job-1", "alice", "app-1", ft)
				e := b.end(1, sFalse)
				s := b.call(2, "job-1", "alice", "app-1", ft, sOK)
				return b.idle(), []int64{e, s}
			}},
		{name: "failed FileTransferred retried", rule: "G21",
			clean: func() []trace.Record {
				b := basic()
				b.flags("job-1", 0x10)
				b.owed("job-1", ft, 0)
				b.call(1, "job-1", "alice", "app-1", ft, eFail)
				b.retry("job-1", ft, time.Minute)
				b.after(time.Minute)
				b.call(2, "job-1", "alice", "app-1", ft, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.flags("job-1", 0x10)
				o := b.owed("job-1", ft, 0)
				b.call(1, "job-1", "alice", "app-1", ft, eFail)
				r := b.finish("idle")
				return b.recs, []int64{o, r}
			}},
		{name: "JobModification not retried", rule: "G22",
			clean: func() []trace.Record {
				b := basic()
				b.flags("job-1", 0x8)
				b.modified("job-1", "progress")
				b.call(1, "job-1", "alice", "app-1", jm, eFail)
				b.modified("job-1", "progress")
				b.call(2, "job-1", "alice", "app-1", jm, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.flags("job-1", 0x8)
				b.modified("job-1", "progress")
				s1 := b.call(1, "job-1", "alice", "app-1", jm, eFail)
				s2 := b.call(2, "job-1", "alice", "app-1", jm, sOK)
				return b.idle(), []int64{s1, s2}
			}},
		{name: "program only with a command line", rule: "G24",
			clean: func() []trace.Record {
				b := newTB()
				b.create("job-1", "alice")
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTB()
				b.create("job-1", "alice")
				b.transfer("job-1")
				s := b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				return b.idle(), []int64{s}
			}},
		{name: "TakeOwnership removes the command line", rule: "G17",
			clean: func() []trace.Record {
				b := newTB()
				b.create("job-1", "alice")
				b.cmdline("job-1", "alice")
				b.owner("job-1", "bob")
				b.cmdline("job-1", "bob")
				b.transfer("job-1")
				b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTB()
				b.create("job-1", "alice")
				b.cmdline("job-1", "alice")
				o := b.owner("job-1", "bob")
				b.transfer("job-1")
				s := b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				return b.idle(), []int64{o, s}
			}},
		{name: "callback before command line", rule: "G25",
			clean: func() []trace.Record {
				b := basic()
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				s := b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				b.call(1, "job-1", "alice", "app-1", jt, sOK)
				return b.idle(), []int64{5, s} // job.register is seq 5
			}},
		{name: "command line takes over after a failure", rule: "G26",
			clean: func() []trace.Record {
				b := basic()
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, eFail)
				b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				e := b.end(1, eFail)
				s := b.call(2, "job-1", "alice", "app-1", jt, eFail)
				b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				return b.idle(), []int64{e, s}
			}},
		{name: "command line runs after a failure", rule: "G26",
			clean: func() []trace.Record {
				b := basic()
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, eFail)
				b.cmdStart("job-1", 1)
				return b.idle() // the program is still running
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				e := b.end(1, eFail)
				r := b.finish("idle")
				return b.recs, []int64{e, r}
			}},
		{name: "command line retried after the minimum retry delay", rule: "G27",
			clean: func() []trace.Record {
				b := newTB()
				b.create("job-1", "alice")
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.cmdStart("job-1", 1)
				b.after(time.Second)
				b.cmdExit("job-1", 1, 1)
				b.after(600 * time.Second)
				b.cmdStart("job-1", 2)
				b.cmdExit("job-1", 2, 0)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTB()
				b.create("job-1", "alice")
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.cmdStart("job-1", 1)
				b.after(time.Second)
				x := b.cmdExit("job-1", 1, 1)
				b.after(time.Second)
				s := b.cmdStart("job-1", 2)
				b.cmdExit("job-1", 2, 0)
				return b.idle(), []int64{x, s}
			}},
		{name: "a registration made while the program ran is owed its own notification", rule: "G27",
			clean: func() []trace.Record {
				b := newTB()
				b.client("app-1", "alice", "MTA")
				b.create("job-1", "alice")
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.cmdStart("job-1", 1)
				b.reg("job-1", "app-1", "alice")
				b.begin(1, "job-1", "alice", "app-1", jt)
				b.cmdExit("job-1", 1, 0) // settles the obligation from before the registration only
				b.exit("app-1", "alice")
				b.disconnected(1)
				b.unreg("job-1", "disconnected")
				b.cmdStart("job-1", 2) // the fallback for the registration that died
				b.cmdExit("job-1", 2, 0)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTB()
				b.create("job-1", "alice")
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.cmdStart("job-1", 1)
				x := b.cmdExit("job-1", 1, 0)
				s := b.cmdStart("job-1", 2)
				b.cmdExit("job-1", 2, 0)
				return b.idle(), []int64{x, s}
			}},
		{name: "command line retried at all", rule: "G27",
			clean: func() []trace.Record {
				b := newTB()
				b.create("job-1", "alice")
				b.cmdline("job-1", "alice")
				b.retryDelay("job-1", 5*time.Second)
				b.transfer("job-1")
				b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 1)
				b.after(5 * time.Second)
				b.cmdStart("job-1", 2)
				b.cmdExit("job-1", 2, 0)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTB()
				b.create("job-1", "alice")
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.cmdStart("job-1", 1)
				x := b.cmdExit("job-1", 1, 1)
				r := b.finish("idle")
				return b.recs, []int64{x, r}
			}},
		// Seed 402 (issue 11): the callback failed, the program took over
		// and kept failing, TakeOwnership removed the program, and the live
		// registration was never called again (G28, S-SNC: both channels
		// failed, BITS notifies again).
		{name: "callback again once the command line that took over is gone", rule: "G28",
			clean: func() []trace.Record {
				b := basic()
				b.cmdline("job-1", "alice")
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, eFail)
				b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 1)
				b.owner("job-1", "admin") // removes the command line (G10, G30)
				b.after(600 * time.Second)
				b.call(2, "job-1", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.cmdline("job-1", "alice")
				t := b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, eFail)
				s := b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 1)
				b.owner("job-1", "admin")
				r := b.finish("idle")
				return b.recs, []int64{t, s, r}
			}},
		// The registration's client died unnoticed (no call found it dead
		// yet): neither G18 (no live registration) nor G29 (a registration
		// is set) asks for anything, but the command line can take it.
		{name: "a dead registration leaves the notification to the command line", rule: "G28",
			clean: func() []trace.Record {
				b := basic()
				b.cmdline("job-1", "alice")
				b.exit("app-1", "alice")
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				b.disconnected(1)
				b.unreg("job-1", "disconnected")
				b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.cmdline("job-1", "alice")
				b.exit("app-1", "alice")
				t := b.transfer("job-1")
				r := b.finish("idle")
				return b.recs, []int64{t, r}
			}},
		{name: "command line at-least-once", rule: "G29",
			clean: func() []trace.Record {
				b := newTB()
				b.create("job-1", "alice")
				b.transfer("job-1")
				b.cmdline("job-1", "alice")
				b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTB()
				b.create("job-1", "alice")
				t := b.transfer("job-1")
				c := b.cmdline("job-1", "alice")
				r := b.finish("idle")
				return b.recs, []int64{t, c, r}
			}},
		// The SetNotifyCmdLine page: "If the BITS job is in a service
		// account context (i.e. networkservice/localsystem/localservice), no
		// form of command line callback will be executed."
		{name: "no command line for a service account's job", rule: "G30",
			clean: func() []trace.Record {
				b := newTB()
				b.create("job-1", "LocalSystem")
				b.transfer("job-1")
				b.create("job-2", "alice")
				b.cmdline("job-2", "alice")
				b.transfer("job-2")
				b.cmdStart("job-2", 1)
				b.cmdExit("job-2", 1, 0)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTB()
				b.create("job-1", "NetworkService")
				b.cmdline("job-1", "NetworkService")
				b.transfer("job-1")
				s := b.cmdStart("job-1", 1)
				b.cmdExit("job-1", 1, 0)
				return b.idle(), []int64{s}
			}},
		{name: "four slots per user", rule: "G31",
			clean: func() []trace.Record {
				b, _ := fiveJobs(4)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b, seqs := fiveJobs(5)
				return b.idle(), seqs
			}},
		// An STA client's call holds its slot from its call.queued, while
		// it waits for the busy thread (G34): the count is exact.
		{name: "a call queued for an STA thread holds a slot", rule: "G31",
			clean: func() []trace.Record {
				b, _ := staSlots()
				b.wait("job-2", "alice", jt)
				b.release("sta")
				b.call(1, "job-1", "alice", "sta", jt, sOK)
				b.call(2, "job-2", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b, q := staSlots()
				s := b.begin(2, "job-2", "alice", "app-1", jt)
				b.end(2, sOK)
				b.release("sta")
				b.call(1, "job-1", "alice", "sta", jt, sOK)
				return b.idle(), []int64{q, s}
			}},
		{name: "call.unqueued frees the slot", rule: "G31",
			clean: func() []trace.Record {
				b, _ := staSlots()
				b.unqueued(1)
				b.drop("job-1", jt, "state")
				b.call(2, "job-2", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b, q := staSlots()
				b.drop("job-1", jt, "state")
				s := b.begin(2, "job-2", "alice", "app-1", jt)
				b.end(2, sOK)
				b.unqueued(1)
				return b.idle(), []int64{q, s}
			}},
		{name: "high lane first", rule: "G32",
			clean: func() []trace.Record {
				b, _ := lanes(false)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b, seqs := lanes(true)
				return b.idle(), seqs
			}},
		// A low-lane dispatch for an STA client takes its slot at its
		// call.queued: lane order is judged there, exactly.
		{name: "high lane first for an STA client", rule: "G32",
			clean: func() []trace.Record {
				b, _ := staLanes()
				b.call(2, "job-2", "alice", "app-1", jt, sOK)
				b.queued(3, "job-1", "alice", "sta", jm)
				b.release("sta")
				b.call(3, "job-1", "alice", "sta", jm, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b, seqs := staLanes()
				q := b.queued(2, "job-1", "alice", "sta", jm)
				b.release("sta")
				b.call(2, "job-1", "alice", "sta", jm, sOK)
				b.call(3, "job-2", "alice", "app-1", jt, sOK)
				return b.idle(), append(seqs, q)
			}},
		{name: "method in its lane", rule: "G32",
			clean: func() []trace.Record {
				b := basic()
				b.transfer("job-1")
				b.call(1, "job-1", "alice", "app-1", jt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.transfer("job-1")
				s := b.add(trace.Record{Ev: trace.EvCallBegin, Call: 1, Job: "job-1", User: "alice", Client: "app-1",
					Method: jt, Lane: trace.LaneLow})
				b.end(1, sOK)
				return b.idle(), []int64{s}
			}},
		// The trace's lane is the lane the dispatch really waited in
		// (issue 11, item 7): FileRangesTransferred waiting in the high lane
		// is a dispatcher bug even before it takes a slot.
		{name: "a dispatch waits in its method's lane", rule: "G32",
			clean: func() []trace.Record {
				b := newTBWith(1, 0, true).withJob()
				b.flags("job-1", 0x21)
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				b.wait("job-1", "alice", frt)
				b.end(1, sOK)
				b.call(2, "job-1", "alice", "app-1", frt, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := newTBWith(1, 0, true).withJob()
				b.flags("job-1", 0x21)
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				w := b.add(trace.Record{Ev: trace.EvSlotWait, Job: "job-1", User: "alice", Method: frt, Lane: trace.LaneHigh})
				b.end(1, sOK)
				b.call(2, "job-1", "alice", "app-1", frt, sOK)
				return b.idle(), []int64{w}
			}},
		{name: "nesting only on an STA client", rule: "G34",
			clean: func() []trace.Record {
				b, _ := nesting("STA", 1)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b, seqs := nesting("MTA", 1)
				return b.idle(), seqs
			}},
		{name: "an STA client runs one call at a time", rule: "G34",
			clean: func() []trace.Record {
				b, _ := nesting("STA", 1)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b, seqs := nesting("STA", 0)
				return b.idle(), seqs
			}},
		{name: "final states are absorbing", rule: "G42",
			clean: func() []trace.Record {
				b := basic()
				b.to("job-1", cancelled)
				b.unreg("job-1", "final")
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				c := b.to("job-1", cancelled)
				b.unreg("job-1", "final")
				q := b.to("job-1", queued)
				return b.idle(), []int64{c, q}
			}},
		{name: "losing the network stops the active jobs", rule: "G44",
			clean: func() []trace.Record { return basic().outage().idle() },
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.to("job-1", queued)
				b.to("job-1", connecting)
				s := b.to("job-1", transferring)
				d := b.network(false)
				b.after(time.Second) // the job is still TRANSFERRING
				b.network(true)
				return b.idle(), []int64{s, d}
			}},
		{name: "no transfer while the network is down", rule: "G44",
			clean: func() []trace.Record {
				b := basic()
				b.lost()
				b.after(time.Second)
				b.to("job-1", queued) // Resume: it may try
				b.to("job-1", connecting)
				b.to("job-1", transient)
				b.network(true)
				b.to("job-1", queued)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				d, _ := b.lost()
				b.after(time.Second)
				b.to("job-1", queued)
				b.to("job-1", connecting)
				s := b.to("job-1", transferring)
				b.to("job-1", transient)
				b.network(true)
				b.to("job-1", queued)
				return b.idle(), []int64{d, s}
			}},
		{name: "the network back requeues every TRANSIENT_ERROR job", rule: "G44",
			clean: func() []trace.Record { return basic().outage().idle() },
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				_, s := b.lost()
				b.after(time.Second)
				u := b.network(true)
				return b.idle(), []int64{s, u} // still TRANSIENT_ERROR at the end
			}},
		// Down and up at one instant: the job is due twice (to
		// TRANSIENT_ERROR, then back to QUEUED); it stays, and is told once.
		{name: "the network down and back at one instant", rule: "G44",
			clean: func() []trace.Record {
				b := basic()
				b.lost()
				b.network(true)
				b.to("job-1", queued)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				_, s := b.lost()
				u := b.network(true)
				b.after(time.Second)
				return b.idle(), []int64{s, u}
			}},
		{name: "call ids are unique", rule: "T1",
			clean: func() []trace.Record {
				b := basic()
				b.flags("job-1", 0x8)
				b.modified("job-1", "progress")
				b.call(1, "job-1", "alice", "app-1", jm, sOK)
				b.modified("job-1", "progress")
				b.call(2, "job-1", "alice", "app-1", jm, sOK)
				return b.idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.flags("job-1", 0x8)
				b.modified("job-1", "progress")
				s1 := b.call(1, "job-1", "alice", "app-1", jm, sOK)
				b.modified("job-1", "progress")
				s2 := b.call(1, "job-1", "alice", "app-1", jm, sOK)
				// the second call.end ends call 1 again
				return b.idle(), []int64{s1, s2}
			}},
		{name: "call.end ends an open call", rule: "T1",
			clean: func() []trace.Record {
				return basic().idle()
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				e := b.end(7, sOK)
				return b.idle(), []int64{e}
			}},
		// `bitsim check` on a trace cut after a call.begin must not say
		// "no violations" (issue 11): nothing can be judged owed at a
		// run.end that never came.
		{name: "a trace cut after a call.begin is incomplete", rule: "T2",
			clean: func() []trace.Record {
				b := basic()
				b.transfer("job-1")
				b.begin(1, "job-1", "alice", "app-1", jt)
				return b.idle() // the callback hangs; the run still ended
			},
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.transfer("job-1")
				s := b.begin(1, "job-1", "alice", "app-1", jt)
				return b.recs, []int64{s}
			}},
		{name: "a trace without run.start is incomplete", rule: "T2",
			clean: func() []trace.Record { return basic().idle() },
			broken: func() ([]trace.Record, []int64) {
				b := basic()
				b.idle()
				recs := b.recs[1:] // run.start lost; renumbered so T1 has nothing to say
				for i := range recs {
					recs[i].Seq = int64(i + 1)
				}
				return recs, []int64{1}
			}},
		{name: "a job used before its job.create", rule: "T2",
			clean: func() []trace.Record { return basic().idle() },
			broken: func() ([]trace.Record, []int64) {
				b := newTB()
				b.client("app-1", "alice", "MTA")
				r := b.reg("job-1", "app-1", "alice")
				b.create("job-1", "alice")
				b.flags("job-1", 0x3)
				return b.idle(), []int64{r}
			}},
	}
}

// fiveJobs: alice's jobs job-1 … job-n all TRANSFERRED, then n
// JobTransferred calls in flight at once. It returns the begins' seqs.
func fiveJobs(n int) (*tb, []int64) {
	b := newTB()
	b.client("app-1", "alice", "MTA")
	jobs := []string{"job-1", "job-2", "job-3", "job-4", "job-5"}[:n]
	for _, j := range jobs {
		b.create(j, "alice")
		b.reg(j, "app-1", "alice")
		b.transfer(j)
	}
	var seqs []int64
	for i, j := range jobs {
		seqs = append(seqs, b.begin(int64(i+1), j, "alice", "app-1", jt))
	}
	for i := range jobs {
		b.end(int64(i+1), sOK)
	}
	return b, seqs
}

// lanes: cap 1; alice's job-2 waits for JobTransferred while job-1's
// JobTransferred holds the slot and job-1 has a JobModification pending.
// When the slot frees, the JobModification goes first if lowFirst.
func lanes(lowFirst bool) (*tb, []int64) {
	b := newTBWith(1, 0, true)
	b.client("app-1", "alice", "MTA")
	b.create("job-1", "alice")
	b.flags("job-1", 0x9)
	b.reg("job-1", "app-1", "alice")
	b.create("job-2", "alice")
	b.reg("job-2", "app-1", "alice")
	b.transfer("job-1")
	b.begin(1, "job-1", "alice", "app-1", jt)
	b.transfer("job-2")
	w := b.wait("job-2", "alice", jt)
	b.modified("job-1", "property")
	lw := b.wait("job-1", "alice", jm)
	b.end(1, sOK)
	var s int64
	if lowFirst {
		s = b.call(2, "job-1", "alice", "app-1", jm, sOK)
		b.call(3, "job-2", "alice", "app-1", jt, sOK)
	} else {
		b.call(2, "job-2", "alice", "app-1", jt, sOK)
		b.call(3, "job-1", "alice", "app-1", jm, sOK)
	}
	return b, []int64{w, lw, s}
}

// staSlots: one slot (cap 1); alice's STA client sta, its thread held by
// the application, is registered for job-1, her MTA client app-1 for
// job-2. job-1 transfers and its JobTransferred call 1 takes the slot and
// queues for the held thread (its seq is returned); then job-2 transfers.
func staSlots() (*tb, int64) {
	b := newTBWith(1, 0, true)
	b.client("app-1", "alice", "MTA")
	b.client("sta", "alice", "STA")
	b.create("job-1", "alice")
	b.reg("job-1", "sta", "alice")
	b.create("job-2", "alice")
	b.reg("job-2", "app-1", "alice")
	b.hold("sta")
	b.transfer("job-1")
	q := b.queued(1, "job-1", "alice", "sta", jt)
	b.transfer("job-2")
	return b, q
}

// staLanes: as lanes, but job-1's low-lane JobModification is for the STA
// client sta, whose thread the application holds. Call 1 (job-3, app-1)
// holds the one slot while job-2's JobTransferred waits in the high lane
// and job-1's JobModification in the low lane; call 1 then ends. It
// returns the two waits' seqs.
func staLanes() (*tb, []int64) {
	b := newTBWith(1, 0, true)
	b.client("app-1", "alice", "MTA")
	b.client("sta", "alice", "STA")
	b.create("job-1", "alice")
	b.flags("job-1", 0x9)
	b.reg("job-1", "sta", "alice")
	b.create("job-2", "alice")
	b.reg("job-2", "app-1", "alice")
	b.create("job-3", "alice")
	b.reg("job-3", "app-1", "alice")
	b.hold("sta")
	b.transfer("job-3")
	b.begin(1, "job-3", "alice", "app-1", jt)
	b.transfer("job-2")
	w := b.wait("job-2", "alice", jt)
	b.modified("job-1", "property")
	lw := b.wait("job-1", "alice", jm)
	b.end(1, sOK)
	return b, []int64{w, lw}
}

// nesting: client app-1 of the given apartment; JobTransferred call 1 is
// in flight when JobModification call 2 begins with the given parent.
func nesting(apt string, parent int64) (*tb, []int64) {
	b := newTB()
	cs := b.client("app-1", "alice", apt)
	b.create("job-1", "alice")
	b.flags("job-1", 0x9)
	b.reg("job-1", "app-1", "alice")
	b.transfer("job-1")
	p := b.begin(1, "job-1", "alice", "app-1", jt)
	b.modified("job-1", "property")
	n := b.nested(2, "job-1", "alice", "app-1", jm, parent)
	b.end(2, sOK)
	b.end(1, sOK)
	if parent == 0 {
		return b, []int64{p, n}
	}
	return b, []int64{cs, p, n}
}

func ruleIDs(vs []catalogue.Violation) []string {
	var ids []string
	for _, v := range vs {
		if !slices.Contains(ids, v.Rule) {
			ids = append(ids, v.Rule)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestRules(t *testing.T) {
	for _, c := range ruleCases() {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			rule, ok := catalogue.Lookup(c.rule)
			require.True(t, ok, "rule %s", c.rule)

			clean := c.clean()
			assert.Empty(t, catalogue.Check(clean), "the clean trace breaks something")
			assert.Empty(t, rule.Check(clean))

			broken, seqs := c.broken()
			got := catalogue.CheckRules(broken, c.rule)
			require.Len(t, got, 1, "violations: %v", got)
			assert.Equal(t, rule.ID, got[0].Rule)
			assert.Equal(t, seqs, got[0].Seqs, "%s", got[0])
			assert.Equal(t, got, rule.Check(broken))
			t.Log(got[0])

			want := append([]string{rule.ID}, c.also...)
			slices.Sort(want)
			assert.Equal(t, want, ruleIDs(catalogue.Check(broken)), "%v", catalogue.Check(broken))
		})
	}
}

// Every rule of the catalogue has a clean and a broken case above.
func TestEveryRuleHasCases(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range ruleCases() {
		r, ok := catalogue.Lookup(c.rule)
		require.True(t, ok)
		covered[r.ID] = true
	}
	for _, r := range catalogue.All() {
		assert.True(t, covered[r.ID], "rule %s has no test case", r.ID)
	}
}

// The modelling tolerances: what the catalogue deliberately lets pass.
func TestTolerances(t *testing.T) {
	cases := map[string]func() []trace.Record{
		// A notify.drop settles a slot.wait: the dropped high-lane dispatch
		// no longer holds back the low lane (G32).
		"dropped high-lane wait": func() []trace.Record {
			b, _ := lanes(false)
			b.recs = b.recs[:len(b.recs)-4] // up to the end of call 1
			b.drop("job-2", jt, "unregistered")
			b.unreg("job-2", "client")
			b.call(2, "job-1", "alice", "app-1", jm, sOK)
			return b.idle()
		},
		// A hung callback excuses what it holds back: a late registration
		// of a client whose thread never returns is not a G18 violation.
		"hung client": func() []trace.Record {
			b := newTB()
			b.client("app-1", "alice", "STA")
			b.create("job-1", "alice")
			b.create("job-2", "alice")
			b.flags("job-2", 0x8)
			b.reg("job-2", "app-1", "alice")
			b.modified("job-2", "progress")
			b.begin(1, "job-2", "alice", "app-1", jm) // never returns
			b.transfer("job-1")
			b.reg("job-1", "app-1", "alice")
			return b.idle()
		},
		// JobTransferred waits for every owed FileTransferred (G33): a
		// FileTransferred in flight at the end holds it back.
		"FileTransferred in flight": func() []trace.Record {
			b := basic()
			b.flags("job-1", 0x11)
			b.to("job-1", queued)
			b.to("job-1", connecting)
			b.to("job-1", transferring)
			b.owed("job-1", ft, 0)
			b.to("job-1", transferred)
			b.begin(1, "job-1", "alice", "app-1", ft) // never returns
			return b.idle()
		},
		// S_FALSE under strict with a command line (ambiguity 1): calling
		// JobTransferred again is fine ...
		"S_FALSE retried as a callback": func() []trace.Record {
			b := basic()
			b.cmdline("job-1", "alice")
			b.transfer("job-1")
			b.call(1, "job-1", "alice", "app-1", jt, sFalse)
			b.retry("job-1", jt, time.Minute)
			b.after(time.Minute)
			b.call(2, "job-1", "alice", "app-1", jt, sOK)
			return b.idle()
		},
		// ... and so is handing over to the command line.
		"S_FALSE handed to the command line": func() []trace.Record {
			b := basic()
			b.cmdline("job-1", "alice")
			b.transfer("job-1")
			b.call(1, "job-1", "alice", "app-1", jt, sFalse)
			b.cmdStart("job-1", 1)
			b.cmdExit("job-1", 1, 0)
			return b.idle()
		},
		// A new registration after the command line succeeded is owed the
		// notification again, and the command line is its fallback (G19).
		"command line again for a new registration": func() []trace.Record {
			b := newTB()
			b.client("app-1", "alice", "MTA")
			b.create("job-1", "alice")
			b.cmdline("job-1", "alice")
			b.transfer("job-1")
			b.cmdStart("job-1", 1)
			b.cmdExit("job-1", 1, 0)
			b.reg("job-1", "app-1", "alice")
			b.call(1, "job-1", "alice", "app-1", jt, eFail)
			b.cmdStart("job-1", 2)
			b.cmdExit("job-1", 2, 0)
			return b.idle()
		},
		// A program that fails after a callback succeeded need not run
		// again (G25, G27).
		"program fails after the callback succeeded": func() []trace.Record {
			b := newTB()
			b.client("app-1", "alice", "MTA")
			b.create("job-1", "alice")
			b.cmdline("job-1", "alice")
			b.transfer("job-1")
			b.cmdStart("job-1", 1)
			b.reg("job-1", "app-1", "alice")
			b.call(1, "job-1", "alice", "app-1", jt, sOK)
			b.cmdExit("job-1", 1, 1)
			return b.idle()
		},
		// When a client dies, its nested calls end in any order (G34).
		"a dead STA client's calls end at once": func() []trace.Record {
			b, _ := nesting("STA", 1)
			b.recs = b.recs[:len(b.recs)-2] // before the two call.ends
			b.exit("app-1", "alice")
			b.disconnected(1)
			b.disconnected(2)
			b.unreg("job-1", "disconnected")
			return b.idle()
		},
		// A run cut by a limit is not judged for liveness.
		"limit": func() []trace.Record {
			b := basic()
			b.transfer("job-1")
			b.call(1, "job-1", "alice", "app-1", jt, eFail)
			b.add(trace.Record{Ev: trace.EvLimit, Reason: "events"})
			b.finish("limit: events")
			return b.recs
		},
	}
	names := make([]string, 0, len(cases))
	for name := range cases {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			assert.Empty(t, catalogue.Check(cases[name]()))
		})
	}
}
