package catalogue

import (
	"strconv"
	"strings"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func hex(n uint64) string { return strings.ToUpper(strconv.FormatUint(n, 16)) }

// seqRef is " (seq N)", or "" when n is 0.
func seqRef(n int64) string {
	if n == 0 {
		return ""
	}
	return " (seq " + itoa(n) + ")"
}
