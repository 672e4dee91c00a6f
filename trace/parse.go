package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bitsim/bitsim/callbackabi"
)

// Limits a Reader applies unless told otherwise. They bound the memory a
// hostile input can make a reader use.
const (
	DefaultMaxLineBytes = 1 << 20 // longest line accepted, '\n' excluded
	DefaultMaxRecords   = 1 << 22 // most records accepted
)

// ParseError is a trace that does not follow format v1, or could not be
// read. Line is the 1-based line number the problem was found on.
type ParseError struct {
	Line int
	Msg  string
	Err  error // the underlying error, if any (a read error of the source)
}

// Error returns "trace: line N: msg".
func (e *ParseError) Error() string {
	return "trace: line " + strconv.Itoa(e.Line) + ": " + e.Msg
}

// Unwrap returns the underlying error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads a whole format v1 trace with the default limits. It returns
// the records in order, or the first error as a *ParseError naming its
// line. An empty input is an empty trace.
func Parse(r io.Reader) ([]Record, error) {
	return NewReader(r).ReadAll()
}

// A Reader reads a format v1 trace one record at a time, so a trace of any
// length can be checked without holding it. It is strict: a line must be
// one JSON object with an integer seq (1, 2, 3 … with no gaps), an integer
// t that never goes back, a string ev, and every key its ev requires, with
// the right JSON type and a valid value (state, method, lane, HRESULT,
// error context names). A line whose ev it does not know becomes an
// EvUnknown record with Name set; keys it does not know are ignored, but a
// key it needs may not appear twice. Lines end with "\n" or "\r\n". Blank
// lines (nothing but spaces, tabs and '\r') may end the input; a blank line
// followed by another record is an error. A UTF-8 byte order mark at the
// very start is skipped.
//
// Set the limits before the first call to Next.
type Reader struct {
	// MaxLineBytes is the longest line accepted ('\n' excluded);
	// 0 means DefaultMaxLineBytes.
	MaxLineBytes int
	// MaxRecords is the most records accepted; 0 means DefaultMaxRecords
	// and a negative value means no limit.
	MaxRecords int

	src   io.Reader
	sc    *bufio.Scanner
	line  int // number of lines read so far
	blank int // first blank line not yet followed by a record, 0 if none
	n     int // records returned
	lastT time.Duration
	err   error    // sticky: once Next fails it keeps failing
	scr   []member // scratch for decodeLine
}

// NewReader returns a Reader of the trace in r.
func NewReader(r io.Reader) *Reader {
	return &Reader{src: r}
}

// Next returns the next record. At the end of a well-formed trace it
// returns io.EOF; any other error is a *ParseError, and every later call
// returns the same error.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	rec, err := r.next()
	if err != nil {
		r.err = err
	}
	return rec, err
}

// ReadAll reads the rest of the trace. A clean end is not an error.
func (r *Reader) ReadAll() ([]Record, error) {
	var recs []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, rec)
	}
}

// utf8BOM is the UTF-8 encoding of U+FEFF, the byte order mark.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func (r *Reader) maxLine() int {
	if r.MaxLineBytes > 0 {
		return r.MaxLineBytes
	}
	return DefaultMaxLineBytes
}

func (r *Reader) next() (Record, error) {
	if r.sc == nil {
		r.sc = bufio.NewScanner(r.src)
		max := r.maxLine() + 2 // room for "\r\n"
		r.sc.Buffer(make([]byte, 0, min(max, 4<<10)), max)
	}
	for r.sc.Scan() {
		r.line++
		line := r.sc.Bytes()
		if r.line == 1 {
			// A UTF-8 byte order mark, as some Windows editors write, is
			// not part of the first record.
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		if skipSpace(line, 0) == len(line) { // only JSON whitespace
			if r.blank == 0 {
				r.blank = r.line
			}
			continue
		}
		if r.blank != 0 {
			return Record{}, r.errorf(r.blank, "blank line inside the trace")
		}
		if len(line) > r.maxLine() {
			return Record{}, r.errorf(r.line, "line is longer than %d bytes", r.maxLine())
		}
		if lim := r.recordLimit(); lim >= 0 && r.n >= lim {
			return Record{}, r.errorf(r.line, "more than %d records", lim)
		}
		rec, scr, msg := decodeLine(line, r.scr)
		r.scr = scr
		if msg != "" {
			return Record{}, r.errorf(r.line, "%s", msg)
		}
		if want := int64(r.n) + 1; rec.Seq != want {
			return Record{}, r.errorf(r.line, "seq is %d, want %d (seq counts 1, 2, 3 … without gaps)", rec.Seq, want)
		}
		if rec.T < r.lastT {
			return Record{}, r.errorf(r.line, "t goes back from %d to %d", int64(r.lastT), int64(rec.T))
		}
		r.n++
		r.lastT = rec.T
		return rec, nil
	}
	if err := r.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Record{}, r.errorf(r.line+1, "line is longer than %d bytes", r.maxLine())
		}
		return Record{}, &ParseError{Line: r.line + 1, Msg: "read: " + err.Error(), Err: err}
	}
	return Record{}, io.EOF
}

// recordLimit returns the most records accepted, or -1 for no limit.
func (r *Reader) recordLimit() int {
	switch {
	case r.MaxRecords > 0:
		return r.MaxRecords
	case r.MaxRecords < 0:
		return -1
	}
	return DefaultMaxRecords
}

func (r *Reader) errorf(line int, format string, args ...any) *ParseError {
	return &ParseError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// decodeLine decodes one non-blank line into a record, using members as
// scratch space. It checks everything but the seq sequence and the order
// of t, which need the lines before. A non-empty msg is the problem found.
func decodeLine(line []byte, members []member) (rec Record, _ []member, msg string) {
	members, msg = splitObject(line, members[:0])
	if msg != "" {
		return rec, members, msg
	}
	d := decoder{members: members}
	rec.Seq = d.int("seq")
	rec.T = time.Duration(d.int("t"))
	name := d.string("ev")
	if d.msg != "" {
		return rec, members, d.msg
	}
	if rec.Seq < 1 {
		return rec, members, fmt.Sprintf("seq is %d, want 1 or more", rec.Seq)
	}
	if rec.T < 0 {
		return rec, members, fmt.Sprintf("t is %d, want 0 or more", int64(rec.T))
	}
	if name == "" {
		return rec, members, `ev is ""`
	}
	ev, ok := ParseEv(name)
	if !ok {
		rec.Name = name
		return rec, members, ""
	}
	rec.Ev = ev
	for _, k := range evKeys[ev] {
		d.key(&rec, k)
	}
	if ev == EvCallEnd && d.msg == "" {
		d.callEnd(&rec)
	}
	if ev == EvRunStart && d.msg == "" {
		if _, ok := d.find(keyNames[keyObserved]); ok && d.msg == "" {
			d.key(&rec, keyObserved)
		}
	}
	if ev == EvAppOutcome && d.msg == "" {
		switch rec.Outcome {
		case AppSucceeded, AppFailed, AppCancelled:
		default:
			d.fail(keyNames[keyOutcome], `%s is not "succeeded", "failed" or "cancelled"`, strconv.Quote(rec.Outcome))
		}
	}
	return rec, members, d.msg
}

// A member is one "key": value pair of a line's object, as raw JSON.
type member struct {
	key       []byte // the key's raw bytes, without the quotes
	isEscaped bool   // key holds a backslash: compare escaped instead
	escaped   string // the decoded key
	val       []byte // the value's raw JSON
}

// is reports whether the member's key is k.
func (m *member) is(k string) bool {
	if m.isEscaped {
		return m.escaped == k
	}
	return string(m.key) == k
}

// splitObject splits a line that must hold exactly one JSON object into
// its members, appended to members. The line is validated by
// encoding/json first, so the split itself only has to find where each key
// and value ends; it keeps no stack, whatever the nesting.
func splitObject(line []byte, members []member) ([]member, string) {
	if !json.Valid(line) {
		var v json.RawMessage
		err := json.Unmarshal(line, &v) // for its message
		if err == nil {                 // cannot happen: Valid said no
			return members, "not JSON"
		}
		return members, "not JSON: " + err.Error()
	}
	return splitValid(line, members)
}

// splitValid splits a line known to be valid JSON. Its checks of i against
// len(line) only guard against a bug, so that no input can make it panic.
func splitValid(line []byte, members []member) ([]member, string) {
	const broken = "not JSON: cannot split the object"
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return members, "not a JSON object"
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return members, ""
	}
	for i < len(line) && line[i] == '"' {
		end := stringEnd(line, i)
		if end < 0 {
			return members, broken
		}
		m := member{key: line[i+1 : end-1]}
		if bytes.IndexByte(m.key, '\\') >= 0 {
			if err := json.Unmarshal(line[i:end], &m.escaped); err != nil {
				return members, "not JSON: " + err.Error()
			}
			m.isEscaped = true
		}
		i = skipSpace(line, end)
		if i >= len(line) || line[i] != ':' {
			return members, broken
		}
		i = skipSpace(line, i+1)
		if i >= len(line) {
			return members, broken
		}
		if end = valueEnd(line, i); end < 0 {
			return members, broken
		}
		m.val = line[i:end]
		members = append(members, m)
		i = skipSpace(line, end)
		if i >= len(line) {
			return members, broken
		}
		switch line[i] {
		case '}':
			return members, ""
		case ',':
			i = skipSpace(line, i+1)
		default:
			return members, broken
		}
	}
	return members, broken
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at b[i],
// or -1 if it does not end.
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++ // skip the escaped byte; \uXXXX needs no more care
		case '"':
			return i + 1
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value starting at b[i],
// or -1 if it does not end.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				if i = stringEnd(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	// A number, true, false or null.
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// decoder reads typed values out of one line's members. After the first
// problem (msg set) every read returns a zero value.
type decoder struct {
	members []member
	msg     string
}

func (d *decoder) fail(k, format string, args ...any) {
	if d.msg == "" {
		d.msg = "key " + strconv.Quote(k) + ": " + fmt.Sprintf(format, args...)
	}
}

// find returns the value of key k and whether it is there. A key the
// reader needs may not appear twice (keys it ignores may).
func (d *decoder) find(k string) ([]byte, bool) {
	var v []byte
	found := false
	for i := range d.members {
		if d.members[i].is(k) {
			if found {
				if d.msg == "" {
					d.msg = "key " + strconv.Quote(k) + " appears twice"
				}
				return nil, false
			}
			v, found = d.members[i].val, true
		}
	}
	return v, found
}

// raw returns the value of key k, or nil (and a problem) when it is absent.
func (d *decoder) raw(k string) []byte {
	if d.msg != "" {
		return nil
	}
	v, ok := d.find(k)
	if !ok {
		if d.msg == "" {
			d.msg = "missing key " + strconv.Quote(k)
		}
		return nil
	}
	return v
}

// jsonKind names the JSON type of a raw value for error messages.
func jsonKind(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// snippet returns v for an error message, cut to a readable length.
func snippet(v []byte) string {
	const max = 40
	if len(v) > max {
		return string(v[:max]) + "…"
	}
	return string(v)
}

func (d *decoder) int(k string) int64 {
	v := d.raw(k)
	if v == nil {
		return 0
	}
	if jsonKind(v) != "a number" {
		d.fail(k, "want an integer, got %s", jsonKind(v))
		return 0
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		d.fail(k, "%s is not an int64", snippet(v))
	}
	return n
}

func (d *decoder) uint(k string, bits int) uint64 {
	v := d.raw(k)
	if v == nil {
		return 0
	}
	if jsonKind(v) != "a number" {
		d.fail(k, "want an integer, got %s", jsonKind(v))
		return 0
	}
	n, err := strconv.ParseUint(string(v), 10, bits)
	if err != nil {
		d.fail(k, "%s is not a uint%d", snippet(v), bits)
	}
	return n
}

func (d *decoder) string(k string) string {
	v := d.raw(k)
	if v == nil {
		return ""
	}
	if jsonKind(v) != "a string" {
		d.fail(k, "want a string, got %s", jsonKind(v))
		return ""
	}
	text, ok := unquote(v)
	if !ok {
		d.fail(k, "%s is not a JSON string", snippet(v))
	}
	return text
}

// unquote returns the text of the valid JSON string v, with escapes
// decoded and each byte of invalid UTF-8 replaced by U+FFFD.
func unquote(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err == nil
}

func (d *decoder) bool(k string) bool {
	v := d.raw(k)
	if v == nil {
		return false
	}
	switch string(v) {
	case "true":
		return true
	case "false":
		return false
	}
	d.fail(k, "want true or false, got %s", jsonKind(v))
	return false
}

func (d *decoder) state(k string) callbackabi.JobState {
	s := d.string(k)
	if d.msg != "" {
		return 0
	}
	st, err := callbackabi.ParseJobState(s)
	if err != nil {
		d.fail(k, "%s is not a job state (QUEUED … CANCELLED)", strconv.Quote(s))
	}
	return st
}

func (d *decoder) hr(k string) callbackabi.HRESULT {
	s := d.string(k)
	if d.msg != "" {
		return 0
	}
	v, ok := parseHR(s)
	if !ok {
		d.fail(k, `%s is not an HRESULT ("0x" and 8 hex digits)`, strconv.Quote(s))
	}
	return callbackabi.HRESULT(int32(v))
}

// parseHR reads "0x" followed by exactly 8 hex digits (either case).
func parseHR(s string) (uint32, bool) {
	if len(s) != 10 || s[0] != '0' || s[1] != 'x' {
		return 0, false
	}
	var v uint32
	for i := 2; i < len(s); i++ {
		c := s[i]
		var x byte
		switch {
		case '0' <= c && c <= '9':
			x = c - '0'
		case 'a' <= c && c <= 'f':
			x = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			x = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(x)
	}
	return v, true
}

// key decodes key k of an event into rec.
func (d *decoder) key(rec *Record, k key) {
	name := keyNames[k]
	switch k {
	case keySeed:
		rec.Seed = d.uint(name, 64)
	case keyScenario:
		rec.Scenario = d.string(name)
	case keyVersion:
		rec.Version = d.string(name)
	case keyObserved:
		rec.Observed = d.string(name)
	case keyJob:
		rec.Job = d.string(name)
	case keyUser:
		rec.User = d.string(name)
	case keyClient:
		rec.Client = d.string(name)
	case keyApartment:
		rec.Apartment = d.string(name)
	case keyFrom:
		rec.From = d.state(name)
	case keyTo:
		rec.To = d.state(name)
	case keyFlags:
		rec.Flags = callbackabi.NotifyFlags(d.uint(name, 32))
	case keyCall:
		rec.Call = d.int(name)
	case keyParent:
		rec.Parent = d.int(name)
	case keyMethod:
		s := d.string(name)
		if d.msg == "" {
			m, ok := ParseMethod(s)
			if !ok {
				d.fail(name, "%s is not a method (JobTransferred, JobError, JobModification, FileTransferred, FileRangesTransferred, CmdLine)", strconv.Quote(s))
			}
			rec.Method = m
		}
	case keyLane:
		s := d.string(name)
		if d.msg == "" {
			l, ok := ParseLane(s)
			if !ok {
				d.fail(name, `%s is not a lane ("high" or "low")`, strconv.Quote(s))
			}
			rec.Lane = l
		}
	case keyHR:
		rec.HR = d.hr(name)
	case keyOutcome:
		rec.Outcome = d.string(name)
	case keyReason:
		rec.Reason = d.string(name)
	case keyRun:
		rec.Run = d.int(name)
	case keyCode:
		rec.Code = d.int(name)
	case keyFile:
		rec.File = d.int(name)
	case keyContext:
		s := d.string(name)
		if d.msg == "" {
			c, err := callbackabi.ParseErrorContext(s)
			if err != nil {
				d.fail(name, "%s is not an error context (NONE … REMOTE_APPLICATION)", strconv.Quote(s))
			}
			rec.Context = c
		}
	case keyAt:
		rec.At = time.Duration(d.int(name))
	case keyBytes:
		rec.Bytes = d.int(name)
	case keyProfile:
		rec.Profile = d.string(name)
	case keyBits:
		rec.Bits = d.string(name)
	case keyCap:
		rec.Cap = d.int(name)
	case keyInterval:
		rec.Interval = time.Duration(d.int(name))
	case keyStrict:
		rec.Strict = d.bool(name)
	case keyRetry, keyDelay:
		rec.Delay = time.Duration(d.int(name))
	default:
		panic("trace: decoder.key: no such key") // evKeys holds only keys handled above
	}
}

// callEnd decodes the rest of call.end: hr; or outcome "disconnected"
// (an hr, if present, is ignored); or hr and outcome "panic".
func (d *decoder) callEnd(rec *Record) {
	if _, ok := d.find(keyNames[keyOutcome]); !ok {
		if d.msg == "" {
			d.key(rec, keyHR)
		}
		return
	}
	d.key(rec, keyOutcome)
	switch rec.Outcome {
	case OutcomeDisconnected:
	case OutcomePanic:
		d.key(rec, keyHR)
	default:
		if d.msg == "" {
			d.fail(keyNames[keyOutcome], `%s is not "disconnected" or "panic"`, strconv.Quote(rec.Outcome))
		}
	}
}
