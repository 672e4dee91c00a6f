package coverage

import (
	"fmt"
	"io"
	"strings"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// Item is one thing a world may reach.
type Item struct {
	Group, Name string
	// Harness: only the client harness's worlds reach it (or a run that
	// hits a limit), never a sweep of the generators.
	Harness bool
}

func (i Item) String() string { return i.Group + " " + i.Name }

// Interaction is a dispatch item with what it means.
type Interaction struct {
	Name, Means string
}

// Interactions are the dispatch items: the situations the dispatcher has
// special code for, as the trace shows them.
var Interactions = []Interaction{
	{"slots-full", "a dispatch found all of its user's slots busy and waited (slot.wait, G31)"},
	{"both-lanes-waiting", "dispatches waited in the high and the low lane of one user at once (G32)"},
	{"jm-merged-while-waiting", "a JobModification trigger came while that job's JobModification waited for a slot: they merge (G14)"},
	{"retry-after-s-false", "a JT/JE/FT that returned S_FALSE is tried again (G20)"},
	{"retry-after-failure", "a JT/JE/FT that failed is tried again (G20, G21)"},
	{"cmdline-after-failed-callback", "the notification program ran after the job's callback failed (G26)"},
	{"program-rerun", "the notification program ran again after a nonzero exit (G27)"},
	{"late-registration-owed", "a registration made after the event was owed the notification at once (G18)"},
	{"registration-cleared-while-owed", "SetNotifyInterface(NULL) while a JT/JE was owed and not yet called (G25, G28)"},
	{"flags-changed-during-call", "the job's notify flags changed while one of its calls was in flight (G3, G26)"},
	{"takeover-removes-cmdline", "TakeOwnership of a job with a command line (G10, G30)"},
	{"call-to-dead-client", "a call found its client process gone (G7, G23)"},
	{"nested-call", "a call began inside another call on the same thread: STA re-entrancy (G34)"},
	{"call-queued", "a call took its slot and waited to begin, for a busy STA thread or behind launched calls (G31, G32)"},
	{"queued-call-dropped", "a queued call left the queue without beginning (call.unqueued)"},
	{"logoff-with-call-in-flight", "a user logged off while one of their calls was in flight"},
}

var harnessEvents = map[trace.Ev]bool{
	trace.EvAppOutcome: true, trace.EvUserAction: true, trace.EvSTAHold: true, trace.EvSTARelease: true,
	trace.EvLimit: true, // a run limit: a world that hits one is a world too large
}

// resultNames are the ways a call ends.
var resultNames = []string{"S_OK", "S_FALSE", "other-success", "failure", "disconnected", "panic"}

// Items returns every item, in report order.
func Items() []Item {
	var items []Item
	for e := trace.EvUnknown + 1; ; e++ {
		if e.String() == "?" {
			break
		}
		items = append(items, Item{Group: "event", Name: e.String(), Harness: harnessEvents[e]})
	}
	for _, m := range []trace.Method{trace.JobTransferred, trace.JobError, trace.JobModification, trace.FileTransferred, trace.FileRangesTransferred} {
		items = append(items, Item{Group: "method", Name: m.String()})
	}
	for _, r := range resultNames {
		items = append(items, Item{Group: "result", Name: r})
	}
	for st := callbackabi.BG_JOB_STATE_QUEUED; st <= callbackabi.BG_JOB_STATE_CANCELLED; st++ {
		items = append(items, Item{Group: "state", Name: st.String()})
	}
	for _, r := range []string{"state", "disabled", "unregistered", "flags"} {
		items = append(items, Item{Group: "drop", Name: r})
	}
	for _, r := range []string{"client", "disconnected", "replaced", "final"} {
		items = append(items, Item{Group: "unregister", Name: r})
	}
	for _, in := range Interactions {
		items = append(items, Item{Group: "dispatch", Name: in.Name})
	}
	return items
}

// Expected returns the items a sweep of the generators should reach:
// every item but the harness's own.
func Expected() []Item {
	var out []Item
	for _, it := range Items() {
		if !it.Harness {
			out = append(out, it)
		}
	}
	return out
}

// Tally counts the worlds that reached each item.
type Tally struct {
	Worlds int
	counts map[Item]int
}

// New returns an empty Tally.
func New() *Tally { return &Tally{counts: map[Item]int{}} }

// Count is how many worlds reached it.
func (t *Tally) Count(it Item) int { return t.counts[key(it)] }

func key(it Item) Item { it.Harness = false; return it }

// Merge adds the counts of o to t.
func (t *Tally) Merge(o *Tally) {
	t.Worlds += o.Worlds
	for k, n := range o.counts {
		t.counts[k] += n
	}
}

// Missing returns the items of want that no world reached, in want's order.
func (t *Tally) Missing(want []Item) []Item {
	var out []Item
	for _, it := range want {
		if t.Count(it) == 0 {
			out = append(out, it)
		}
	}
	return out
}

// Report writes one line per group, each item with the number of worlds
// that reached it, then the expected items no world reached ("never
// reached: none" when there are none).
func (t *Tally) Report(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "coverage over %d worlds (worlds that reached each):\n", t.Worlds)
	group := ""
	for _, it := range Items() {
		if it.Group != group {
			if group != "" {
				b.WriteByte('\n')
			}
			group = it.Group
			fmt.Fprintf(&b, "  %-10s", group)
		}
		fmt.Fprintf(&b, " %s=%d", it.Name, t.Count(it))
	}
	b.WriteByte('\n')
	var never []string
	for _, it := range t.Missing(Expected()) {
		never = append(never, it.String())
	}
	if len(never) == 0 {
		never = []string{"none"}
	}
	fmt.Fprintf(&b, "  never reached: %s\n", strings.Join(never, ", "))
	_, err := io.WriteString(w, b.String())
	return err
}
