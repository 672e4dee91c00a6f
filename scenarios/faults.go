package scenarios

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// FaultKind is one kind of fault a fault world contains: every fault the
// service model can produce, so that a client under test meets each of
// them (docs/WORLDS.md lists what each one is and where it is drawn).
type FaultKind uint8

// The fault kinds, in the fixed order FaultCounts.String lists them.
// File-level kinds are drawn by DrawServer for each file added; the job
// types (Upload, UploadReply) are counted by DrawServer from the job type it
// is asked about; NetworkLoss and Logoff are world events Adversarial draws
// when Swarm.Faults is on.
const (
	// NoRangesSmall: no range support (G48), known size of at most 2 GB:
	// the FOREGROUND remedy works, otherwise BG_E_INSUFFICIENT_RANGE_SUPPORT.
	NoRangesSmall FaultKind = iota
	// NoRangesLarge: no range support and a size above 2 GB: fails even
	// FOREGROUND (G48).
	NoRangesLarge
	// UnknownSize: the HEAD reports no size (BG_SIZE_UNKNOWN until done,
	// G50); one in three also has no range support (G48: fails even
	// FOREGROUND).
	UnknownSize
	// Large: a file above 2 GB on a server with full support: transfers;
	// sizes and progress do not fit 32 bits.
	Large
	// RenameFails: Complete cannot rename the file once or twice
	// (E_ACCESSDENIED, the job stays TRANSFERRED: G41, ambiguity 16).
	RenameFails
	// DeleteFails: Cancel (and Complete) cannot delete the temporary file:
	// BG_S_UNABLE_TO_DELETE_FILES (G40).
	DeleteFails
	// Upload: a file of an upload job (one file, Complete only when
	// TRANSFERRED: G41).
	Upload
	// UploadReply: a file of an upload-reply job (JobTransferred only
	// after the reply: G11).
	UploadReply
	// HTTPError: an HTTP status error (404, 500, 503), fatal or transient
	// once, at connect or in the middle of the file.
	HTTPError
	// LongTransient: transient errors 3 to 8 times in a row, so the job sits
	// in TRANSIENT_ERROR across several retry delays (G43, G45) before it
	// transfers (if its no-progress timeout allows: G46).
	LongTransient
	// NoProgress: transient errors that never stop: the job reaches ERROR
	// only through its no-progress timeout (G46), then JobError (G12).
	NoProgress
	// ErrorObjectFails: the error object of the file's (fatal) failure is
	// broken, in JobError and through GetError:
	// GetError, GetFile, GetErrorDescription, GetErrorContextDescription and
	// GetProtocol answer RPC_E_DISCONNECTED or E_OUTOFMEMORY
	// (Failure.ErrorObjectHR, a fault injection).
	ErrorObjectFails
	// ErrorFileFails: the error object's GetFile works but the file's
	// GetProgress fails (Failure.ErrorFileHR, a fault injection).
	ErrorFileFails
	// NetworkLoss: the machine loses the network for a while (G44).
	NetworkLoss
	// Logoff: a user logs off (their processes end, their jobs wait in
	// QUEUED) and logs on again later, restarting the processes that ended.
	Logoff

	numFaultKinds
)

var faultNames = [numFaultKinds]string{
	NoRangesSmall:    "no-ranges-small",
	NoRangesLarge:    "no-ranges-large",
	UnknownSize:      "unknown-size",
	Large:            "large",
	RenameFails:      "rename-fails",
	DeleteFails:      "delete-fails",
	Upload:           "upload",
	UploadReply:      "upload-reply",
	HTTPError:        "http-error",
	LongTransient:    "long-transient",
	NoProgress:       "no-progress",
	ErrorObjectFails: "error-object-fails",
	ErrorFileFails:   "error-file-fails",
	NetworkLoss:      "network-loss",
	Logoff:           "logoff",
}

// String returns the kind's name ("no-ranges-small").
func (k FaultKind) String() string {
	if k < numFaultKinds {
		return faultNames[k]
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// FaultKinds returns every fault kind, in order.
func FaultKinds() []FaultKind {
	out := make([]FaultKind, numFaultKinds)
	for k := range out {
		out[k] = FaultKind(k)
	}
	return out
}

// FaultCounts counts the faults planned into worlds, by kind. A count says
// the fault was put into the world (a file planned so, a job of that type,
// an outage or logoff scheduled), not that the run reached it.
type FaultCounts [numFaultKinds]int

// String lists every kind with its count, "no-ranges-small=3 ...", in the
// fixed order of the kinds.
func (fc FaultCounts) String() string {
	var b strings.Builder
	for k, n := range fc {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(FaultKind(k).String())
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// Missing returns the kinds counted zero times, in order (none: every fault
// occurred, so a green run is not vacuous).
func (fc FaultCounts) Missing() []FaultKind {
	var out []FaultKind
	for k, n := range fc {
		if n == 0 {
			out = append(out, FaultKind(k))
		}
	}
	return out
}

// Add adds o's counts to fc (to total the worlds of a run).
func (fc *FaultCounts) Add(o FaultCounts) {
	for k, n := range o {
		fc[k] += n
	}
}

func (fc *FaultCounts) count(k FaultKind) {
	if fc != nil {
		fc[k]++
	}
}

// fileFaults are the kinds DrawServer can give a file of each job type
// (G48's range and size rules concern downloads; an upload's file is not
// renamed).
var fileFaults = [3][]FaultKind{
	callbackabi.BG_JOB_TYPE_DOWNLOAD: {NoRangesSmall, NoRangesLarge, UnknownSize, Large, RenameFails, DeleteFails,
		HTTPError, LongTransient, NoProgress, ErrorObjectFails, ErrorFileFails},
	callbackabi.BG_JOB_TYPE_UPLOAD:       {DeleteFails, HTTPError, LongTransient, NoProgress, ErrorObjectFails, ErrorFileFails},
	callbackabi.BG_JOB_TYPE_UPLOAD_REPLY: {RenameFails, DeleteFails, HTTPError, LongTransient, NoProgress, ErrorObjectFails, ErrorFileFails},
}

// DrawServer returns a scheduler.Server (for Service.SetServer) that draws,
// for each file added, from c: healthy (half the time: 100 kB to 10 MB, full
// HTTP support) or one of the file-level faults its job type can meet, with
// sizes, offsets, counts and HRESULTs drawn too. It counts into counts
// (which may be nil) the kind it drew, and Upload or UploadReply for a file
// of such a job. The first choice of each file is "healthy", so under rapid
// a failing world shrinks towards healthy files.
func DrawServer(c sim.Chooser, counts *FaultCounts) scheduler.Server {
	return func(remote string, typ callbackabi.JobType) scheduler.FileSpec {
		switch typ {
		case callbackabi.BG_JOB_TYPE_UPLOAD:
			counts.count(Upload)
		case callbackabi.BG_JOB_TYPE_UPLOAD_REPLY:
			counts.count(UploadReply)
		}
		spec := scheduler.FileSpec{Size: uint64(100_000 + c.Intn(40)*250_000)}
		if c.Intn(2) == 0 || int(typ) >= len(fileFaults) {
			return spec
		}
		kinds := fileFaults[typ]
		k := kinds[c.Intn(len(kinds))]
		counts.count(k)
		planFault(c, k, &spec)
		return spec
	}
}

// brokenHRs are the HRESULTs a broken error object answers.
var brokenHRs = []callbackabi.HRESULT{callbackabi.RPC_E_DISCONNECTED, callbackabi.E_OUTOFMEMORY}

// planFault makes spec a file with fault k, drawing its details from c.
func planFault(c sim.Chooser, k FaultKind, spec *scheduler.FileSpec) {
	at := func() uint64 { // at connect, or somewhere in the file
		if c.Intn(2) == 0 {
			return 0
		}
		return 1 + uint64(c.Intn(int(min(spec.Size, 1<<30))))
	}
	httpFailure := func() scheduler.Failure {
		return scheduler.Failure{HR: callbackabi.BG_E_HTTP_ERROR([]int{404, 500, 503}[c.Intn(3)]), AtByte: at()}
	}
	switch k {
	case NoRangesSmall:
		spec.NoRanges = true
		spec.Size = uint64(1_000_000 + c.Intn(50)*1_000_000)
		if c.Intn(8) == 0 {
			spec.Size = callbackabi.TwoGB // the boundary: still small
		}
	case NoRangesLarge:
		spec.NoRanges = true
		spec.Size = callbackabi.TwoGB + 1 + uint64(c.Intn(3))*1_000_000_000
	case UnknownSize:
		spec.NoHeadSize = true
		spec.NoRanges = c.Intn(3) == 0
	case Large:
		spec.Size = callbackabi.TwoGB + 1 + uint64(c.Intn(3))*500_000_000
	case RenameFails:
		spec.RenameFails = 1 + c.Intn(2)
	case DeleteFails:
		spec.DeleteFails = true
	case HTTPError:
		fl := httpFailure()
		fl.Transient = c.Intn(2) == 0
		spec.Failures = []scheduler.Failure{fl}
	case LongTransient:
		fl := httpFailure()
		fl.HR = callbackabi.BG_E_HTTP_ERROR(503)
		fl.Transient, fl.Times = true, 3+c.Intn(6)
		spec.Failures = []scheduler.Failure{fl}
	case NoProgress:
		spec.Failures = []scheduler.Failure{{HR: callbackabi.BG_E_CONNECTION_CLOSED, Transient: true, Times: 1 << 20}}
	case ErrorObjectFails, ErrorFileFails:
		// Fatal, so that the broken object reaches a JobError call (G12).
		fl := httpFailure()
		hr := brokenHRs[c.Intn(len(brokenHRs))]
		if k == ErrorObjectFails {
			fl.ErrorObjectHR = hr
		} else {
			fl.ErrorFileHR = hr
		}
		spec.Failures = []scheduler.Failure{fl}
	}
}

// faultJob creates job number i of a Faults world for owner: a download
// job (four times in six), an upload job or an upload-reply job, with its
// files (one for an upload) drawn by the service's Server (DrawServer). A
// job given a file that never makes progress gets a no-progress timeout of
// one to five minutes, so that it reaches ERROR in the run (G46).
func faultJob(c sim.Chooser, owner *scheduler.Client, i int, counts *FaultCounts) *scheduler.JobRef {
	typ := callbackabi.BG_JOB_TYPE_DOWNLOAD
	switch c.Intn(6) {
	case 0:
		typ = callbackabi.BG_JOB_TYPE_UPLOAD
	case 1:
		typ = callbackabi.BG_JOB_TYPE_UPLOAD_REPLY
	}
	name := "job " + strconv.Itoa(i+1)
	job, hr := owner.CreateJob(name, typ)
	must(hr)
	files := 1
	if typ == callbackabi.BG_JOB_TYPE_DOWNLOAD {
		files += c.Intn(3)
	}
	stuck := counts[NoProgress]
	for f := 0; f < files; f++ {
		n := "f" + strconv.Itoa(i) + "-" + strconv.Itoa(f)
		must(job.AddFile("http://updates.example/"+n, `C:\data\`+n))
	}
	if counts[NoProgress] > stuck {
		must(job.SetNoProgressTimeout(uint32(60 + c.Intn(240))))
	}
	return job
}

// drawLogoffs gives each user, one time in four, a logoff at a drawn time
// in the first two minutes and a logon 1 s to 10 min later. The logon
// starts again the user's processes the logoff ended, and they register
// again on their jobs (an application's initialization, G7), and so are
// those whose restart after a crash fell while the user was away.
func drawLogoffs(e *Env, sw Swarm, c sim.Chooser, users []*scheduler.User, clients []*scheduler.Client,
	mine map[int][]*scheduler.JobRef, skipped map[int]bool, counts *FaultCounts) {
	for _, u := range users {
		if c.Intn(4) != 0 {
			continue
		}
		counts.count(Logoff)
		off := time.Duration(c.Intn(120)) * time.Second
		away := time.Duration(1+c.Intn(600)) * time.Second
		var ended []int // indices in clients of the processes the logoff ended
		e.At(off, func() {
			ended = ended[:0]
			for idx, cl := range clients {
				if cl.User() == u && cl.Alive() {
					ended = append(ended, idx)
				}
			}
			u.Logoff()
		})
		e.At(off+away, func() {
			u.Logon()
			for idx, cl := range clients {
				if cl.User() != u || cl.Alive() || !slices.Contains(ended, idx) && !skipped[idx] {
					continue
				}
				delete(skipped, idx)
				n := clients[idx].Restart()
				clients[idx] = n
				for _, j := range mine[idx] {
					n.Job(j).SetNotifyInterface(sw.newCallback(e))
				}
			}
		})
	}
}

func init() {
	register(Scenario{
		Name:    "faults",
		Summary: "the adversarial world with every fault the service models (docs/WORLDS.md)",
		Teaches: "The adversarial world plus every modelled fault: servers without range support (small, above " +
			"2 GB, unknown size), renames and deletes that fail, upload and upload-reply jobs, long and endless " +
			"TRANSIENT_ERROR stays, HTTP errors, error objects whose methods fail inside JobError, network loss, " +
			"and users logging off and on. `bitsim sweep faults --seeds 0:1000` checks every documented " +
			"guarantee on every seed.",
		Rules: []string{"G12", "G40", "G41", "G43", "G44", "G46", "G48", "G49"},
		InLog: func(log *trace.Log, seed uint64) (Result, error) {
			res, _, err := runFaults(log, seed, scheduler.DefaultOptions())
			return res, err
		},
	})
}

// RunFaults runs one fault world: the adversarial world of seed (its swarm
// drawn as for "adversarial") with Swarm.Faults on, and returns what it
// planned.
func RunFaults(seed uint64, opts scheduler.Options) (Result, FaultCounts, error) {
	return runFaults(new(trace.Log), seed, opts)
}

func runFaults(log *trace.Log, seed uint64, opts scheduler.Options) (Result, FaultCounts, error) {
	var counts FaultCounts
	res, err := runSwarm(log, "faults", seed, opts, func(c sim.Chooser) Swarm {
		sw := DrawSwarm(c)
		sw.Faults, sw.Counts = true, &counts
		return sw
	})
	return res, counts, err
}
