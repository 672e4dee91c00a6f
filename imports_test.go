package bitsim_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A program importing the library (bitsim, sim, scheduler) links neither
// testing nor rapid: test concerns live in test-only packages (sim/rapidsim,
// bitsimtest), so the library adds no -test.* or -rapid.* flags to a
// program's -h. testdata/importcheck is that program; go list -deps names
// everything it would link.
func TestLibraryLinksNoTestPackages(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("SKIPPED: the go tool is not on PATH, so the import check cannot run (it always runs in CI)")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}: {{join .Imports \" \"}}", "./testdata/importcheck").CombinedOutput()
	require.NoError(t, err, "go list: %s", out)
	var deps, bad []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ": ")
		deps = append(deps, pkg)
		for _, imp := range strings.Fields(imports) {
			if forbidden(imp) {
				bad = append(bad, pkg+" imports "+imp)
			}
		}
	}
	require.Contains(t, deps, "github.com/bitsim/bitsim/sim", "the check must see the library")
	require.Contains(t, deps, "github.com/bitsim/bitsim/scheduler")
	require.Empty(t, bad, "the library links test-only packages")
	for _, d := range deps {
		require.False(t, forbidden(d), "linked: %s", d)
	}
}

func forbidden(pkg string) bool {
	return pkg == "testing" || strings.HasPrefix(pkg, "testing/") || strings.HasPrefix(pkg, "pgregory.net/rapid")
}
