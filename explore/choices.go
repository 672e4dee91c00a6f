package explore

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A choices file holds a world's choice stream, so a world found by any
// strategy can be kept and replayed (`bitsim search NAME --replay FILE`):
//
//	# bitsim choices v1 aimed-cmdline
//	9e3779b97f4a7c15
//	…
//
// The first line names the format and the target; then one choice per
// line, in hexadecimal. Lines starting with # after the first are
// comments.
const choicesHeader = "# bitsim choices v1 "

// WriteChoices writes the choice stream of a world of target to w.
func WriteChoices(w io.Writer, target string, choices []uint64) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s%s\n", choicesHeader, target)
	var b [16]byte
	for _, c := range choices {
		bw.Write(strconv.AppendUint(b[:0], c, 16))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ReadChoices reads a choices file; an error names the line.
func ReadChoices(r io.Reader) (target string, choices []uint64, err error) {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			if !strings.HasPrefix(text, choicesHeader) || strings.TrimSpace(text[len(choicesHeader):]) == "" {
				return "", nil, fmt.Errorf("line 1: want %q followed by the target's name, got %.40q", choicesHeader, text)
			}
			target = strings.TrimSpace(text[len(choicesHeader):])
			continue
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		v, perr := strconv.ParseUint(text, 16, 64)
		if perr != nil {
			return "", nil, fmt.Errorf("line %d: want one choice in hexadecimal, got %.40q", line, text)
		}
		choices = append(choices, v)
	}
	if err := sc.Err(); err != nil {
		return "", nil, fmt.Errorf("line %d: %v", line+1, err)
	}
	if line == 0 {
		return "", nil, fmt.Errorf("empty: want a line %q followed by the target's name", choicesHeader)
	}
	return target, choices, nil
}
