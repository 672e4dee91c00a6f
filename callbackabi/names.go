package callbackabi

import (
	"fmt"
	"strconv"
	"strings"
)

var jobStateNames = [...]string{
	BG_JOB_STATE_QUEUED:          "QUEUED",
	BG_JOB_STATE_CONNECTING:      "CONNECTING",
	BG_JOB_STATE_TRANSFERRING:    "TRANSFERRING",
	BG_JOB_STATE_SUSPENDED:       "SUSPENDED",
	BG_JOB_STATE_ERROR:           "ERROR",
	BG_JOB_STATE_TRANSIENT_ERROR: "TRANSIENT_ERROR",
	BG_JOB_STATE_TRANSFERRED:     "TRANSFERRED",
	BG_JOB_STATE_ACKNOWLEDGED:    "ACKNOWLEDGED",
	BG_JOB_STATE_CANCELLED:       "CANCELLED",
}

// String returns the documented name without the BG_JOB_STATE_ prefix
// ("TRANSFERRED"), as trace format v1 writes it.
func (s JobState) String() string {
	if int(s) < len(jobStateNames) {
		return jobStateNames[s]
	}
	return fmt.Sprintf("JobState(%d)", uint32(s))
}

// ParseJobState accepts "TRANSFERRED" or "BG_JOB_STATE_TRANSFERRED".
func ParseJobState(text string) (JobState, error) {
	for i, n := range jobStateNames {
		if text == n || text == "BG_JOB_STATE_"+n {
			return JobState(i), nil
		}
	}
	return 0, fmt.Errorf("callbackabi: %q is not a BG_JOB_STATE name", text)
}

// Final reports whether s is CANCELLED or ACKNOWLEDGED (G42).
func (s JobState) Final() bool {
	return s == BG_JOB_STATE_CANCELLED || s == BG_JOB_STATE_ACKNOWLEDGED
}

// notifyFlagNames names the bits of table 2.1, lowest bit first; String and
// ParseNotifyFlags walk it in this fixed order.
var notifyFlagNames = [...]struct {
	bit  NotifyFlags
	name string
}{
	{BG_NOTIFY_JOB_TRANSFERRED, "JOB_TRANSFERRED"},
	{BG_NOTIFY_JOB_ERROR, "JOB_ERROR"},
	{BG_NOTIFY_DISABLE, "DISABLE"},
	{BG_NOTIFY_JOB_MODIFICATION, "JOB_MODIFICATION"},
	{BG_NOTIFY_FILE_TRANSFERRED, "FILE_TRANSFERRED"},
	{BG_NOTIFY_FILE_RANGES_TRANSFERRED, "FILE_RANGES_TRANSFERRED"},
}

// String returns the set bits by name without the BG_NOTIFY_ prefix, lowest
// bit first and joined by "|" ("JOB_TRANSFERRED|JOB_ERROR" for the default
// of G1). Bits outside [NotifyFlagsValid] follow as one hex term
// ("JOB_ERROR|0x40"); no bits at all is "0". [ParseNotifyFlags] reads it back.
func (f NotifyFlags) String() string {
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	for _, n := range notifyFlagNames {
		if f&n.bit != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(n.name)
		}
	}
	if rest := f &^ NotifyFlagsValid; rest != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		fmt.Fprintf(&b, "0x%X", uint32(rest))
	}
	return b.String()
}

// ParseNotifyFlags reads flags written as terms joined by "|". A term is a
// bit name with or without the BG_NOTIFY_ prefix ("JOB_ERROR",
// "BG_NOTIFY_JOB_ERROR"), a hex number ("0x40") or a decimal number ("3").
// Spaces around terms are ignored. It accepts every string
// [NotifyFlags.String] returns; it does not reject bits outside
// [NotifyFlagsValid] (SetNotifyFlags does that, G2).
func ParseNotifyFlags(text string) (NotifyFlags, error) {
	var f NotifyFlags
	terms := strings.Split(text, "|")
	for _, term := range terms {
		term = strings.TrimSpace(term)
		v, ok := parseNotifyTerm(term)
		if !ok {
			return 0, fmt.Errorf("callbackabi: %q is not a BG_NOTIFY flag set (bad term %q)", text, term)
		}
		f |= v
	}
	return f, nil
}

func parseNotifyTerm(term string) (NotifyFlags, bool) {
	if term == "" {
		return 0, false
	}
	name := strings.TrimPrefix(term, "BG_NOTIFY_")
	for _, n := range notifyFlagNames {
		if name == n.name {
			return n.bit, true
		}
	}
	if len(term) > 2 && (term[:2] == "0x" || term[:2] == "0X") {
		v, err := strconv.ParseUint(term[2:], 16, 32)
		return NotifyFlags(v), err == nil
	}
	if !isDigits(term) {
		return 0, false
	}
	v, err := strconv.ParseUint(term, 10, 32)
	return NotifyFlags(v), err == nil
}

var jobPriorityNames = [...]string{
	BG_JOB_PRIORITY_FOREGROUND: "FOREGROUND",
	BG_JOB_PRIORITY_HIGH:       "HIGH",
	BG_JOB_PRIORITY_NORMAL:     "NORMAL",
	BG_JOB_PRIORITY_LOW:        "LOW",
}

// String returns the name without the BG_JOB_PRIORITY_ prefix ("NORMAL"),
// or "JobPriority(n)" for a value outside table 2.3.
func (p JobPriority) String() string {
	if int(p) < len(jobPriorityNames) {
		return jobPriorityNames[p]
	}
	return fmt.Sprintf("JobPriority(%d)", uint32(p))
}

// Valid reports whether p is one of the four priorities of table 2.3; any
// other value passed to SetPriority gives E_NOTIMPL (S-SPRI).
func (p JobPriority) Valid() bool { return int(p) < len(jobPriorityNames) }

// ParseJobPriority accepts "FOREGROUND" or "BG_JOB_PRIORITY_FOREGROUND".
func ParseJobPriority(text string) (JobPriority, error) {
	if i, ok := lookupName(jobPriorityNames[:], "BG_JOB_PRIORITY_", text); ok {
		return JobPriority(i), nil
	}
	return 0, fmt.Errorf("callbackabi: %q is not a BG_JOB_PRIORITY name", text)
}

var jobTypeNames = [...]string{
	BG_JOB_TYPE_DOWNLOAD:     "DOWNLOAD",
	BG_JOB_TYPE_UPLOAD:       "UPLOAD",
	BG_JOB_TYPE_UPLOAD_REPLY: "UPLOAD_REPLY",
}

// String returns the name without the BG_JOB_TYPE_ prefix ("DOWNLOAD"), or
// "JobType(n)" for a value outside table 2.4.
func (t JobType) String() string {
	if int(t) < len(jobTypeNames) {
		return jobTypeNames[t]
	}
	return fmt.Sprintf("JobType(%d)", uint32(t))
}

// ParseJobType accepts "UPLOAD_REPLY" or "BG_JOB_TYPE_UPLOAD_REPLY".
func ParseJobType(text string) (JobType, error) {
	if i, ok := lookupName(jobTypeNames[:], "BG_JOB_TYPE_", text); ok {
		return JobType(i), nil
	}
	return 0, fmt.Errorf("callbackabi: %q is not a BG_JOB_TYPE name", text)
}

var errorContextNames = [...]string{
	BG_ERROR_CONTEXT_NONE:                       "NONE",
	BG_ERROR_CONTEXT_UNKNOWN:                    "UNKNOWN",
	BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER:      "GENERAL_QUEUE_MANAGER",
	BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION: "QUEUE_MANAGER_NOTIFICATION",
	BG_ERROR_CONTEXT_LOCAL_FILE:                 "LOCAL_FILE",
	BG_ERROR_CONTEXT_REMOTE_FILE:                "REMOTE_FILE",
	BG_ERROR_CONTEXT_GENERAL_TRANSPORT:          "GENERAL_TRANSPORT",
	BG_ERROR_CONTEXT_REMOTE_APPLICATION:         "REMOTE_APPLICATION",
}

// Paraphrases of the meaning column of table 2.5 (S-CTX), indexed like
// errorContextNames.
var errorContextDescriptions = [...]string{
	BG_ERROR_CONTEXT_NONE:                       "No error has occurred.",
	BG_ERROR_CONTEXT_UNKNOWN:                    "The error happened in an unknown context.",
	BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER:      "The error happened in the transfer queue manager.",
	BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION: "The error happened while the queue manager was notifying the client of an event.",
	BG_ERROR_CONTEXT_LOCAL_FILE:                 "The error concerns the local file (for example access denied or volume unavailable).",
	BG_ERROR_CONTEXT_REMOTE_FILE:                "The error concerns the remote file (for example the URL is not accessible).",
	BG_ERROR_CONTEXT_GENERAL_TRANSPORT:          "The error happened in the transport layer and is not specific to one file.",
	BG_ERROR_CONTEXT_REMOTE_APPLICATION:         "The server application that processes the upload reported the error.",
}

// String returns the name without the BG_ERROR_CONTEXT_ prefix
// ("REMOTE_FILE"), or "ErrorContext(n)" for a value outside table 2.5.
func (c ErrorContext) String() string {
	if int(c) < len(errorContextNames) {
		return errorContextNames[c]
	}
	return fmt.Sprintf("ErrorContext(%d)", uint32(c))
}

// ParseErrorContext accepts "REMOTE_FILE" or "BG_ERROR_CONTEXT_REMOTE_FILE".
func ParseErrorContext(text string) (ErrorContext, error) {
	if i, ok := lookupName(errorContextNames[:], "BG_ERROR_CONTEXT_", text); ok {
		return ErrorContext(i), nil
	}
	return 0, fmt.Errorf("callbackabi: %q is not a BG_ERROR_CONTEXT name", text)
}

// ContextDescription returns a short English description of an error
// context, as IBackgroundCopyError::GetErrorContextDescription returns it in
// the model (table 2.5). Unknown values give "Unknown error context n.".
func ContextDescription(ctx ErrorContext) string {
	if int(ctx) < len(errorContextDescriptions) {
		return errorContextDescriptions[ctx]
	}
	return fmt.Sprintf("Unknown error context %d.", uint32(ctx))
}

// jobPropertyNames names BITS_JOB_PROPERTY_ID (table 2.6; S-PROP), indexed
// by id; ids 0, 6 and 8 are not defined. Id 1 is spelled
// BITS_JOB_PROPERTY_ID_COST_FLAGS in the SDK, the others
// BITS_JOB_PROPERTY_<NAME>.
var jobPropertyNames = [...]string{
	BITS_JOB_PROPERTY_ID_COST_FLAGS:                    "COST_FLAGS",
	BITS_JOB_PROPERTY_NOTIFICATION_CLSID:               "NOTIFICATION_CLSID",
	BITS_JOB_PROPERTY_DYNAMIC_CONTENT:                  "DYNAMIC_CONTENT",
	BITS_JOB_PROPERTY_HIGH_PERFORMANCE:                 "HIGH_PERFORMANCE",
	BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:                "MAX_DOWNLOAD_SIZE",
	BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS:           "USE_STORED_CREDENTIALS",
	BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS: "MINIMUM_NOTIFICATION_INTERVAL_MS",
	BITS_JOB_PROPERTY_ON_DEMAND_MODE:                   "ON_DEMAND_MODE",
}

// String returns the property name without its SDK prefix
// ("MINIMUM_NOTIFICATION_INTERVAL_MS", "COST_FLAGS"), or "JobPropertyID(n)"
// for an id table 2.6 does not define.
func (id JobPropertyID) String() string {
	if int(id) < len(jobPropertyNames) && jobPropertyNames[id] != "" {
		return jobPropertyNames[id]
	}
	return fmt.Sprintf("JobPropertyID(%d)", uint32(id))
}

// ParseJobPropertyID accepts the short name ("ON_DEMAND_MODE") or the SDK
// name ("BITS_JOB_PROPERTY_ON_DEMAND_MODE", "BITS_JOB_PROPERTY_ID_COST_FLAGS").
func ParseJobPropertyID(text string) (JobPropertyID, error) {
	for i, n := range jobPropertyNames {
		if n != "" && (text == n || text == JobPropertyID(i).SDKName()) {
			return JobPropertyID(i), nil
		}
	}
	return 0, fmt.Errorf("callbackabi: %q is not a BITS_JOB_PROPERTY name", text)
}

// SDKName returns the constant's name in bits5_0.h
// ("BITS_JOB_PROPERTY_ID_COST_FLAGS", "BITS_JOB_PROPERTY_ON_DEMAND_MODE"), or
// String's "JobPropertyID(n)" form for an undefined id.
func (id JobPropertyID) SDKName() string {
	switch {
	case id == BITS_JOB_PROPERTY_ID_COST_FLAGS:
		return "BITS_JOB_PROPERTY_ID_COST_FLAGS"
	case int(id) < len(jobPropertyNames) && jobPropertyNames[id] != "":
		return "BITS_JOB_PROPERTY_" + jobPropertyNames[id]
	}
	return id.String()
}

// lookupName finds text, with or without prefix, in names (index = value).
func lookupName(names []string, prefix, text string) (int, bool) {
	for i, n := range names {
		if n != "" && (text == n || text == prefix+n) {
			return i, true
		}
	}
	return 0, false
}
