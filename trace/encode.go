package trace

import (
	"io"
	"strconv"
	"unicode/utf8"
)

// key is one key of format v1 (besides seq, t and ev) together with the
// Record field it carries. The encoder and the parser share the table
// evKeys, so the key order of docs/TRACE.md lives in exactly one place.
type key uint8

const (
	keyNone key = iota
	keySeed
	keyScenario
	keyVersion
	keyJob
	keyUser
	keyClient
	keyApartment
	keyFrom
	keyTo
	keyFlags
	keyCall
	keyParent
	keyMethod
	keyLane
	keyHR
	keyOutcome
	keyReason
	keyRun
	keyCode
	keyFile
	keyContext
	keyAt
	keyBytes
	keyProfile
	keyBits
	keyCap
	keyInterval
	keyStrict
	keyRetry    // run.config: Record.Delay
	keyDelay    // job.retrydelay: Record.Delay
	keyObserved // run.start, optional: Record.Observed
	keyCount
)

var keyNames = [keyCount]string{
	keySeed:      "seed",
	keyScenario:  "scenario",
	keyVersion:   "version",
	keyJob:       "job",
	keyUser:      "user",
	keyClient:    "client",
	keyApartment: "apartment",
	keyFrom:      "from",
	keyTo:        "to",
	keyFlags:     "flags",
	keyCall:      "call",
	keyParent:    "parent",
	keyMethod:    "method",
	keyLane:      "lane",
	keyHR:        "hr",
	keyOutcome:   "outcome",
	keyReason:    "reason",
	keyRun:       "run",
	keyCode:      "code",
	keyFile:      "file",
	keyContext:   "context",
	keyAt:        "at",
	keyBytes:     "bytes",
	keyProfile:   "profile",
	keyBits:      "bits",
	keyCap:       "cap",
	keyInterval:  "interval",
	keyStrict:    "strict",
	keyRetry:     "retry",
	keyDelay:     "delay",
	keyObserved:  "observed",
}

// keyPrefix[k] is `,"name":`, built once so the encoder only copies bytes.
var keyPrefix = func() (p [keyCount]string) {
	for k := keySeed; k < keyCount; k++ {
		p[k] = `,"` + keyNames[k] + `":`
	}
	return p
}()

// evKeys lists, for each known Ev, the keys that follow seq, t and ev, in
// the order of docs/TRACE.md. call.end continues after call with hr and/or
// outcome (see AppendJSON).
var evKeys = [evCount][]key{
	EvRunStart:      {keySeed, keyScenario, keyVersion},
	EvRunEnd:        {keyReason},
	EvClientStart:   {keyClient, keyUser, keyApartment},
	EvClientExit:    {keyClient, keyUser, keyApartment, keyReason},
	EvJobCreate:     {keyJob, keyUser},
	EvJobState:      {keyJob, keyFrom, keyTo},
	EvJobFlags:      {keyJob, keyFlags},
	EvJobRegister:   {keyJob, keyClient, keyUser},
	EvJobUnregister: {keyJob, keyReason},
	EvJobOwner:      {keyJob, keyUser},
	EvCallBegin:     {keyCall, keyJob, keyUser, keyClient, keyMethod, keyLane, keyParent},
	EvCallEnd:       {keyCall},
	EvCmdlineStart:  {keyJob, keyRun},
	EvCmdlineExit:   {keyJob, keyRun, keyCode},
	EvNotifyOwed:    {keyJob, keyMethod, keyFile},
	EvNotifyDrop:    {keyJob, keyMethod, keyReason},
	EvSlotWait:      {keyJob, keyUser, keyMethod, keyLane},
	EvRetry:         {keyJob, keyMethod, keyAt},
	EvFileDone:      {keyJob, keyFile},
	EvJobError:      {keyJob, keyHR, keyContext, keyFile},
	EvJobCmdline:    {keyJob, keyUser},
	EvJobProgress:   {keyJob, keyBytes},
	EvJobModified:   {keyJob, keyReason},
	EvLimit:         {keyReason},
	EvRunConfig:     {keyProfile, keyBits, keyCap, keyInterval, keyStrict, keyRetry},
	EvJobRetryDelay: {keyJob, keyDelay},
	EvAppOutcome:    {keyJob, keyClient, keyOutcome, keyReason},
	EvUserAction:    {keyClient, keyUser, keyReason},
	EvUserLogoff:    {keyUser},
	EvUserLogon:     {keyUser},
	EvSTAHold:       {keyClient},
	EvSTARelease:    {keyClient},
	EvCallQueued:    {keyCall, keyJob, keyUser, keyClient, keyMethod, keyLane},
	EvCallUnqueued:  {keyCall},
	EvNetworkDown:   {},
	EvNetworkUp:     {},
}

// known reports whether e is an event kind of this version (not EvUnknown,
// not out of range).
func (e Ev) known() bool { return e > EvUnknown && e < evCount }

// AppendJSON appends the format v1 line of r to dst, trailing '\n'
// included, and returns the extended buffer. It writes seq, t and ev, then
// exactly the keys docs/TRACE.md lists for r.Ev, in that order; fields of r
// that its Ev does not use never reach the output.
//
// For run.start it writes observed after version only when r.Observed is
// not empty, so a simulator's trace keeps its bytes. For call.end it writes hr, or only outcome when r.Outcome is
// [OutcomeDisconnected], or hr then outcome when r.Outcome is
// [OutcomePanic]; any other Outcome is not written. A record whose Ev is
// EvUnknown (or out of range) is written as seq, t and ev = r.Name ("?"
// when Name is empty); Name should not be the name of a known event.
//
// Strings are escaped so a line is safe to embed in HTML or a script:
// quotes, backslashes and control characters, and also <, >, &, U+2028 and
// U+2029 become escapes; each byte of invalid UTF-8 becomes U+FFFD. Enum
// values outside their documented range are written with their String
// form (for example "JobState(99)"), which Parse rejects.
//
// AppendJSON allocates only when dst has to grow.
func AppendJSON(dst []byte, r *Record) []byte {
	dst = append(dst, `{"seq":`...)
	dst = strconv.AppendInt(dst, r.Seq, 10)
	dst = append(dst, `,"t":`...)
	dst = strconv.AppendInt(dst, int64(r.T), 10)
	dst = append(dst, `,"ev":`...)
	if !r.Ev.known() {
		name := r.Name
		if name == "" {
			name = evNames[EvUnknown]
		}
		dst = appendString(dst, name)
		return append(dst, "}\n"...)
	}
	dst = append(dst, '"')
	dst = append(dst, evNames[r.Ev]...)
	dst = append(dst, '"')
	for _, k := range evKeys[r.Ev] {
		dst = appendKey(dst, r, k)
	}
	if r.Ev == EvRunStart && r.Observed != "" {
		dst = appendKey(dst, r, keyObserved)
	}
	if r.Ev == EvCallEnd {
		switch r.Outcome {
		case OutcomeDisconnected:
			dst = appendKey(dst, r, keyOutcome)
		case OutcomePanic:
			dst = appendKey(dst, r, keyHR)
			dst = appendKey(dst, r, keyOutcome)
		default:
			dst = appendKey(dst, r, keyHR)
		}
	}
	return append(dst, "}\n"...)
}

// appendKey appends `,"name":value` for key k of r.
func appendKey(dst []byte, r *Record, k key) []byte {
	dst = append(dst, keyPrefix[k]...)
	switch k {
	case keySeed:
		return strconv.AppendUint(dst, r.Seed, 10)
	case keyScenario:
		return appendString(dst, r.Scenario)
	case keyVersion:
		return appendString(dst, r.Version)
	case keyObserved:
		return appendString(dst, r.Observed)
	case keyJob:
		return appendString(dst, r.Job)
	case keyUser:
		return appendString(dst, r.User)
	case keyClient:
		return appendString(dst, r.Client)
	case keyApartment:
		return appendString(dst, r.Apartment)
	case keyFrom:
		return appendString(dst, r.From.String())
	case keyTo:
		return appendString(dst, r.To.String())
	case keyFlags:
		return strconv.AppendUint(dst, uint64(r.Flags), 10)
	case keyCall:
		return strconv.AppendInt(dst, r.Call, 10)
	case keyParent:
		return strconv.AppendInt(dst, r.Parent, 10)
	case keyMethod:
		return appendString(dst, r.Method.String())
	case keyLane:
		return appendString(dst, r.Lane.String())
	case keyHR:
		return appendHR(dst, uint32(r.HR))
	case keyOutcome:
		return appendString(dst, r.Outcome)
	case keyReason:
		return appendString(dst, r.Reason)
	case keyRun:
		return strconv.AppendInt(dst, r.Run, 10)
	case keyCode:
		return strconv.AppendInt(dst, r.Code, 10)
	case keyFile:
		return strconv.AppendInt(dst, r.File, 10)
	case keyContext:
		return appendString(dst, r.Context.String())
	case keyAt:
		return strconv.AppendInt(dst, int64(r.At), 10)
	case keyBytes:
		return strconv.AppendInt(dst, r.Bytes, 10)
	case keyProfile:
		return appendString(dst, r.Profile)
	case keyBits:
		return appendString(dst, r.Bits)
	case keyCap:
		return strconv.AppendInt(dst, r.Cap, 10)
	case keyInterval:
		return strconv.AppendInt(dst, int64(r.Interval), 10)
	case keyStrict:
		return strconv.AppendBool(dst, r.Strict)
	case keyRetry, keyDelay:
		return strconv.AppendInt(dst, int64(r.Delay), 10)
	}
	panic("trace: appendKey: no such key") // evKeys holds only keys handled above
}

const (
	hexLower = "0123456789abcdef"
	hexUpper = "0123456789ABCDEF"
)

// appendHR appends v as the JSON string "0x%08X".
func appendHR(dst []byte, v uint32) []byte {
	dst = append(dst, '"', '0', 'x')
	for shift := 28; shift >= 0; shift -= 4 {
		dst = append(dst, hexUpper[v>>uint(shift)&0xF])
	}
	return append(dst, '"')
}

// plain[b] reports whether ASCII byte b is copied into a JSON string as is.
var plain = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = true
	}
	for _, b := range `"\<>&` {
		t[b] = false
	}
	return t
}()

// appendString appends s as a JSON string, escaped as AppendJSON describes.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0 // s[start:i] is pending, to be copied as is
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if plain[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default: // other control characters, <, >, &
				dst = append(dst, '\\', 'u', '0', '0', hexLower[b>>4], hexLower[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			// Written as the character itself, not as an escape, so that
			// encoding a parsed trace gives the same bytes again.
			dst = append(dst, s[start:i]...)
			dst = utf8.AppendRune(dst, utf8.RuneError)
		case c == '\u2028' || c == '\u2029':
			// Valid JSON, but line terminators in JavaScript.
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexLower[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// encodeChunk is how many bytes Encode gathers before it writes.
const encodeChunk = 64 << 10

// Encode writes recs to w as format v1 JSON Lines, one AppendJSON line per
// record, in order. It writes records as they are: it neither renumbers
// seq nor checks t (Log assigns seq; Parse checks both). It returns the
// first error of w.
func Encode(w io.Writer, recs []Record) error {
	buf := make([]byte, 0, encodeChunk+512)
	for i := range recs {
		buf = AppendJSON(buf, &recs[i])
		if len(buf) >= encodeChunk {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}
