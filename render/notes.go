package render

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// note is a short explanation of an event and the documented rules behind
// it (ids of reference/bits-semantics.md).
type note struct {
	text   string
	rules  []string
	joined bool // text already names the rules (see joinNotes)
}

func newNote(text string, rules ...string) note {
	var ids []string
	for _, r := range rules {
		if r != "" {
			ids = append(ids, r)
		}
	}
	return note{text: text, rules: ids}
}

// String is the note as printed: "slot freed: high lane first (G32)".
func (n note) String() string {
	if n.joined || len(n.rules) == 0 {
		return n.text
	}
	return n.text + " (" + strings.Join(n.rules, ", ") + ")"
}

// joinNotes merges notes into one: "a (G1); b (G2)".
func joinNotes(ns []note) note {
	if len(ns) == 1 {
		return ns[0]
	}
	var parts []string
	var rules []string
	for _, n := range ns {
		parts = append(parts, n.String())
		rules = append(rules, n.rules...)
	}
	return note{text: strings.Join(parts, "; "), rules: rules, joined: true}
}

// ruleTitles are the headings of the rules in reference/bits-semantics.md.
var ruleTitles = map[string]string{
	"G1": "Default notify state of a new job", "G2": "Flag bits", "G3": "DISABLE dominates",
	"G4": "Per-method gating", "G5": "Clients must implement every method",
	"G6": "Setters are rejected in final states", "G7": "Pointer lifetime",
	"G8": "Last writer wins", "G9": "Registering a callback CLSID (BITS 5.0+)",
	"G10": "Identity under administrator ownership", "G11": "JobTransferred trigger",
	"G12": "JobError trigger", "G13": "JobModification trigger set",
	"G14": "JobModification is lossy and throttled", "G15": "FileTransferred",
	"G16": "FileRangesTransferred", "G17": "Command-line events",
	"G18": "At-least-once, even when registration comes late",
	"G19": "Re-notification after the pointer is replaced",
	"G20": "Retry until S_OK for JT and JE",
	"G21": "FileTransferred retries only on failure HRESULTs",
	"G22": "JobModification and FileRangesTransferred results are not retried",
	"G23": "The pointer becomes invalid only if BITS detects it",
	"G24": "Command-line launch", "G25": "Precedence between callback and command line",
	"G26": "After a failing JT or JE, the command line takes over",
	"G27": "Command-line retry", "G28": "Both channels failing",
	"G29": "The command line is also at-least-once", "G30": "Limits and exclusions",
	"G31": "At most four simultaneous notifications per user",
	"G32": "Two priority lanes, no order between them", "G33": "Ordering that is guaranteed",
	"G34": "STA re-entrancy", "G35": "Ownership of callback arguments",
	"G36": "An asynchronous COM variant exists", "G37": "Initial state", "G38": "Resume",
	"G39": "Suspend", "G40": "Cancel", "G41": "Complete", "G42": "Final states are absorbing",
	"G43": "Automatic transitions", "G44": "Policy-driven transitions",
	"G45": "Minimum retry delay", "G46": "No-progress timeout", "G47": "Priority scheduling",
	"G48": "The 2 GB range rule", "G49": "Availability of GetError", "G50": "Progress fields",
}

func methodNote(m trace.Method) note {
	switch m {
	case trace.JobTransferred:
		return newNote("job TRANSFERRED, high lane", "G11", "G32")
	case trace.JobError:
		return newNote("job in ERROR, high lane", "G12", "G32")
	case trace.JobModification:
		return newNote("job modified, low lane", "G13", "G32")
	case trace.FileTransferred:
		return newNote("a file finished, one at a time per job", "G15")
	case trace.FileRangesTransferred:
		return newNote("ranges arrived, low lane", "G16")
	}
	return note{}
}

func unregisterNote(reason string) note {
	switch reason {
	case "client":
		return newNote("SetNotifyInterface(NULL)", "G7")
	case "disconnected":
		return newNote("client gone: BITS found the pointer dead", "G7", "G23")
	case "replaced":
		return newNote("another SetNotifyInterface: last writer wins", "G8")
	case "ownership":
		return newNote("ownership changed", "G10")
	case "final":
		return newNote("the job reached a final state", "G42")
	}
	return note{}
}

func dropNote(reason string) note {
	switch reason {
	case "state":
		return newNote("the job left the triggering state (ambiguity 4, " + ambiguitySecDoc + ")")
	case "disabled":
		return newNote("notifications disabled", "G3")
	case "unregistered":
		return newNote("no callback to deliver to", "G7")
	case "cmdline":
		return newNote("command line takes over", "G26")
	}
	return note{}
}

func retryNote(m trace.Method) note {
	switch m {
	case trace.JobTransferred, trace.JobError:
		return newNote("retry until S_OK", "G20")
	case trace.FileTransferred:
		return newNote("retry after a failure", "G21")
	case trace.CmdLine:
		return newNote("program again after the minimum retry delay", "G27", "G28")
	}
	return note{}
}

// describe says what a record means, in plain words. Names from the trace
// pass through clean.
func describe(r *trace.Record) string {
	job := clean(r.Job)
	switch r.Ev {
	case trace.EvRunStart:
		return fmt.Sprintf("run starts: scenario %s, seed %d, %s", clean(r.Scenario), r.Seed, clean(r.Version))
	case trace.EvRunConfig:
		return "dispatcher options: " + configText(r.Profile, r.Bits, r.Cap, r.Interval, r.Strict, r.Delay)
	case trace.EvRunEnd:
		return "run ends: " + clean(r.Reason)
	case trace.EvClientStart:
		return fmt.Sprintf("client %s starts (user %s, %s)", clean(r.Client), clean(r.User), clean(r.Apartment))
	case trace.EvClientExit:
		return fmt.Sprintf("client %s ends: %s", clean(r.Client), clean(r.Reason))
	case trace.EvJobCreate:
		return fmt.Sprintf("%s created by %s", job, clean(r.User))
	case trace.EvJobState:
		return fmt.Sprintf("%s %s -> %s", job, r.From, r.To)
	case trace.EvJobFlags:
		return fmt.Sprintf("%s notify flags 0x%02X %s", job, uint32(r.Flags), "("+r.Flags.String()+")")
	case trace.EvJobRegister:
		return fmt.Sprintf("%s callback set: %s (as %s)", job, clean(r.Client), clean(r.User))
	case trace.EvJobUnregister:
		return fmt.Sprintf("%s callback cleared: %s", job, clean(r.Reason))
	case trace.EvJobOwner:
		return fmt.Sprintf("%s owner is now %s", job, clean(r.User))
	case trace.EvCallBegin:
		s := fmt.Sprintf("call %d %s %s -> %s [%s lane]", r.Call, r.Method, job, clean(r.Client), laneName(r.Lane))
		if r.Parent != 0 {
			s += fmt.Sprintf(" inside call %d", r.Parent)
		}
		return s
	case trace.EvCallEnd:
		return describeEnd(r, nil)
	case trace.EvCmdlineStart:
		return fmt.Sprintf("%s notification program run %d starts (simulated)", job, r.Run)
	case trace.EvCmdlineExit:
		return fmt.Sprintf("%s notification program run %d exits with code %d", job, r.Run, r.Code)
	case trace.EvNotifyOwed:
		if r.Method == trace.FileTransferred {
			return fmt.Sprintf("%s owes %s for file %d", job, r.Method, r.File)
		}
		return fmt.Sprintf("%s owes %s", job, r.Method)
	case trace.EvNotifyDrop:
		return fmt.Sprintf("%s drops %s: %s", job, r.Method, clean(r.Reason))
	case trace.EvSlotWait:
		return fmt.Sprintf("%s %s waits for a slot of %s [%s lane]", job, r.Method, clean(r.User), laneName(r.Lane))
	case trace.EvRetry:
		return fmt.Sprintf("%s %s again at %s", job, r.Method, fmtDur(r.At))
	case trace.EvFileDone:
		return fmt.Sprintf("%s file %d done", job, r.File)
	case trace.EvJobError:
		return fmt.Sprintf("%s error %s, context %s, file %d", job, hrString(r.HR), r.Context.String(), r.File)
	case trace.EvJobCmdline:
		if r.User == "" {
			return job + " notification program removed"
		}
		return fmt.Sprintf("%s notification program set by %s", job, clean(r.User))
	case trace.EvJobProgress:
		return fmt.Sprintf("%s %d bytes so far", job, r.Bytes)
	case trace.EvJobModified:
		return fmt.Sprintf("%s modified: %s", job, clean(r.Reason))
	case trace.EvJobRetryDelay:
		return fmt.Sprintf("%s minimum retry delay %s", job, fmtDur(r.Delay))
	case trace.EvLimit:
		return "limit hit: " + clean(r.Reason)
	case trace.EvAppOutcome:
		s := fmt.Sprintf("%s reports %s %s", clean(r.Client), job, clean(r.Outcome))
		if r.Reason != "" {
			s += ": " + clean(r.Reason)
		}
		return s
	case trace.EvUserAction:
		return fmt.Sprintf("user %s: %s on %s", clean(r.User), clean(r.Reason), clean(r.Client))
	case trace.EvUserLogoff:
		return fmt.Sprintf("user %s logs off: their processes end, their jobs stop transferring", clean(r.User))
	case trace.EvUserLogon:
		return fmt.Sprintf("user %s logs on: their jobs may transfer again", clean(r.User))
	case trace.EvNetworkDown:
		return "the network goes away"
	case trace.EvNetworkUp:
		return "the network is back"
	case trace.EvCallQueued:
		return fmt.Sprintf("call %d %s %s takes a slot of %s [%s lane] and waits for the STA thread of %s",
			r.Call, r.Method, job, clean(r.User), laneName(r.Lane), clean(r.Client))
	case trace.EvCallUnqueued:
		return fmt.Sprintf("call %d leaves the STA queue without starting: its slot is free", r.Call)
	}
	return "event " + clean(r.Name)
}

// describeEnd describes a call.end; c is the call it ends, if known.
func describeEnd(r *trace.Record, c *call) string {
	what := fmt.Sprintf("call %d", r.Call)
	if c != nil {
		what = fmt.Sprintf("call %d %s %s", r.Call, c.method, clean(c.job))
	}
	switch r.Outcome {
	case trace.OutcomeDisconnected:
		return what + ": client disconnected"
	case trace.OutcomePanic:
		return what + " panicked: " + hrString(r.HR)
	case "":
		return what + " returns " + hrString(r.HR)
	}
	return what + " ends: " + clean(r.Outcome) + ", " + hrString(r.HR)
}

func configText(profile, bits string, capacity int64, interval time.Duration, strict bool, retry time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "profile %s, BITS %s, ", clean(profile), clean(bits))
	if capacity > 0 {
		fmt.Fprintf(&b, "%d calls at once per user, ", capacity)
	} else {
		b.WriteString("no cap on calls per user, ")
	}
	if interval > 0 {
		fmt.Fprintf(&b, "JobModification at most every %s, ", fmtDur(interval))
	} else {
		b.WriteString("no JobModification throttle, ")
	}
	if strict {
		b.WriteString("S_FALSE fails JT/JE, ")
	} else {
		b.WriteString("S_FALSE accepted for JT/JE, ")
	}
	if retry > 0 {
		fmt.Fprintf(&b, "callback retry after %s", fmtDur(retry))
	} else {
		b.WriteString("callback retry after the job's minimum retry delay")
	}
	return b.String()
}

func laneName(l trace.Lane) string {
	if s := l.String(); s != "" {
		return s
	}
	return "no"
}

// hrString spells an HRESULT: "S_OK", "E_FAIL 0x80004005", "0x8000FFFE".
func hrString(hr callbackabi.HRESULT) string {
	name, hex := hr.String(), hr.Hex()
	if hr == callbackabi.S_OK || name == hex {
		return name
	}
	return name + " " + hex
}

// maxName bounds how much of one name a description shows.
const maxName = 48

// clean makes a name from a trace safe and short for a line of text: a
// name with control or unprintable characters (a newline, an ANSI escape)
// is shown quoted with Go escapes, an empty one as "", and a long one is
// cut with "…".
func clean(s string) string {
	if s == "" {
		return `""`
	}
	if utf8.RuneCountInString(s) > maxName {
		k := 0
		for i := range s {
			if k == maxName {
				s = s[:i] + "…"
				break
			}
			k++
		}
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || r == utf8.RuneError {
			return strconv.Quote(s)
		}
	}
	return s
}

// cleanText is clean for prose (a scenario's summary): no length limit,
// control characters shown escaped.
func cleanText(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) || r == utf8.RuneError {
			q := strconv.Quote(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// fmtDur prints a virtual duration in seconds with the precision it needs:
// "2s", "0.5s", "0.000123s".
func fmtDur(d time.Duration) string {
	neg := d < 0
	u := uint64(d)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u/1e9, 10)
	if frac := u % 1e9; frac != 0 {
		f := fmt.Sprintf("%09d", frac)
		s += "." + strings.TrimRight(f, "0")
	}
	if neg {
		s = "-" + s
	}
	return s + "s"
}
