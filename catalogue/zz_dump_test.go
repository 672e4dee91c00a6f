//go:build scratch

package catalogue_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

func TestZZDump(t *testing.T) {
	seed, err := strconv.ParseUint(os.Getenv("SEED"), 10, 64)
	if err != nil {
		t.Skip()
	}
	res, _ := scenarios.RunAdversarial("adv", seed, scheduler.DefaultOptions())
	job := os.Getenv("JOB")
	var out strings.Builder
	for _, r := range res.Records {
		if job == "" || r.Job == job || r.Job == "" {
			fmt.Fprintf(&out, "%s", trace.AppendJSON(nil, &r))
		}
	}
	os.WriteFile("/tmp/dump.txt", []byte(out.String()), 0o644)
}
