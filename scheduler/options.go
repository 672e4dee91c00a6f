package scheduler

import (
	"strconv"
	"time"

	"github.com/bitsim/bitsim/internal/mutant"
)

// Profile selects the dispatcher being modelled.
type Profile uint8

const (
	// ProfileDefault follows the Microsoft documentation (G1–G50) with the
	// modelling choices of docs/MODEL.md.
	ProfileDefault Profile = iota
	// ProfileWineCompat reproduces Wine's qmgr (bits-semantics.md section 4):
	// JobTransferred only, once, synchronously on one service-wide worker,
	// return value ignored, no per-user cap, no lanes, DISABLE ignored, no
	// late registration, no command line. A real naive dispatcher that the
	// guarantee properties must catch.
	ProfileWineCompat
)

func (p Profile) String() string {
	if p == ProfileWineCompat {
		return "winecompat"
	}
	return "default"
}

// Version is a modelled BITS version, e.g. Version{10, 1}. It gates
// features (ambiguity 20): the command line needs 1.5 (repeated launches
// 2.0), FileTransferred 3.0, the notification CLSID and the notification
// interval 5.0, FileRangesTransferred 10.1.
type Version struct{ Major, Minor int }

// AtLeast reports v >= (major, minor).
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

func (v Version) String() string { return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) }

// Options configures a Service. The zero value is not useful; start from
// DefaultOptions. Every field where the documentation is silent is a
// modelling choice recorded in docs/MODEL.md with its rule ids.
type Options struct {
	Profile Profile
	Version Version // default 10.1

	// Cap is the number of callback invocations in flight per user (G31).
	// 0 means no cap.
	Cap int
	// StrictSOK: JT/JE are retried on anything but S_OK, S_FALSE included
	// (G20, ambiguity 1). false: only failure codes are retried.
	StrictSOK bool
	// CallbackRetryDelay is the delay before a failed JT/JE/FT is tried
	// again (G20, G21 say "arbitrary"; ambiguity 2). 0 = the job's
	// MinimumRetryDelay. Never below one nanosecond: no hot loop.
	CallbackRetryDelay time.Duration
	// AlternateCmdLine: after a failed callback with a command line
	// registered, alternate callback and command line on each retry instead
	// of handing over to the command line for good (ambiguity 5).
	AlternateCmdLine bool
	// MaxNesting bounds nested STA deliveries on one thread (G34).
	MaxNesting int

	// Transfers (G43, G47).
	Bandwidth      int64         // bytes per second per running job
	Chunk          time.Duration // progress granularity
	ConnectLatency time.Duration // QUEUED→CONNECTING→TRANSFERRING
	TimeSlice      time.Duration // round-robin slice within one priority (ambiguity 14)
	ReplyLatency   time.Duration // upload-reply: server reply time (G11)
	// InactivityTimeout is the JobInactivityTimeout group policy (S-GP,
	// G44): a job in ERROR or TRANSFERRED with no activity (no state change,
	// no property change) for this long is cancelled by BITS. 0 (the
	// default here) leaves it out: the documented value, 90 days
	// (callbackabi.JobInactivityTimeout), is longer than most simulated
	// runs, and a timer pending that long would keep every run from ending
	// idle. Set it to model the policy.
	InactivityTimeout time.Duration
	// EnforcePolicyLimits applies MaxJobsPerUser/MaxJobsPerMachine/
	// MaxFilesPerJob to non-administrators (S-GP).
	EnforcePolicyLimits bool

	// Mutants plants a deliberately broken behaviour; tests only
	// (package internal/mutant).
	Mutants mutant.Set
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{
		Profile:             ProfileDefault,
		Version:             Version{10, 1},
		Cap:                 4,
		StrictSOK:           true,
		MaxNesting:          8,
		Bandwidth:           10_000_000,
		Chunk:               time.Second,
		ConnectLatency:      100 * time.Millisecond,
		TimeSlice:           60 * time.Second,
		ReplyLatency:        500 * time.Millisecond,
		EnforcePolicyLimits: true,
	}
}

// WineCompatOptions returns options for ProfileWineCompat.
func WineCompatOptions() Options {
	o := DefaultOptions()
	o.Profile = ProfileWineCompat
	o.Version = Version{3, 0}
	o.Cap = 0
	return o
}

func (o *Options) normalize() {
	d := DefaultOptions()
	if o.Version == (Version{}) {
		o.Version = d.Version
	}
	if o.Cap < 0 {
		o.Cap = 0
	}
	if o.MaxNesting <= 0 {
		o.MaxNesting = d.MaxNesting
	}
	if o.Bandwidth <= 0 {
		o.Bandwidth = d.Bandwidth
	}
	if o.Chunk <= 0 {
		o.Chunk = d.Chunk
	}
	if o.ConnectLatency < 0 {
		o.ConnectLatency = 0
	}
	if o.TimeSlice <= 0 {
		o.TimeSlice = d.TimeSlice
	}
	if o.ReplyLatency < 0 {
		o.ReplyLatency = 0
	}
	if o.InactivityTimeout < 0 {
		o.InactivityTimeout = 0
	}
	if o.CallbackRetryDelay < 0 {
		o.CallbackRetryDelay = 0
	}
}
