package deploy

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// readStrict decodes a manifest into v the strict way: an unknown or
// duplicated field is an error, as with `kubectl apply --validate=strict`.
func readStrict(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, v); err != nil {
		t.Fatalf("%s does not decode strictly: %v", path, err)
	}
}

func readJob(t *testing.T) *batchv1.Job {
	t.Helper()
	var job batchv1.Job
	readStrict(t, "sweep-job.yaml", &job)
	if job.APIVersion != "batch/v1" || job.Kind != "Job" {
		t.Fatalf("sweep-job.yaml is %s %s, want batch/v1 Job", job.APIVersion, job.Kind)
	}
	if n := len(job.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("sweep-job.yaml has %d containers, want 1", n)
	}
	return &job
}

// The strict decoding used above does reject what Kubernetes would not
// know: without that, the other tests could pass on a misspelt manifest.
func TestStrictDecodingRejectsUnknownFields(t *testing.T) {
	data, err := os.ReadFile("sweep-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(data, []byte("  completionMode: Indexed"), []byte("  completionMod: Indexed"), 1)
	if bytes.Equal(bad, data) {
		t.Fatal("sweep-job.yaml has no completionMode line to misspell")
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict(bad, &job); err == nil {
		t.Fatal("a misspelt field decoded without error")
	}
}

func TestJobIsIndexedWithOneShardPerPod(t *testing.T) {
	job := readJob(t)
	spec := job.Spec
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion {
		t.Fatalf("completionMode = %v, want Indexed (each pod gets JOB_COMPLETION_INDEX)", spec.CompletionMode)
	}
	if spec.Completions == nil || *spec.Completions < 1 {
		t.Fatal("completions must be set: it is the number of shards")
	}
	shards := envValue(t, job, "SHARDS")
	if shards != strconv.Itoa(int(*spec.Completions)) {
		t.Fatalf("SHARDS = %q but completions = %d: every shard needs exactly one pod", shards, *spec.Completions)
	}
	if spec.Parallelism != nil && *spec.Parallelism > *spec.Completions {
		t.Fatalf("parallelism %d > completions %d", *spec.Parallelism, *spec.Completions)
	}
	if got := spec.Template.Spec.RestartPolicy; got != corev1.RestartPolicyNever {
		t.Fatalf("restartPolicy = %q, want Never (a sweep is deterministic: a retry finds the same)", got)
	}
}

func envValue(t *testing.T, job *batchv1.Job, name string) string {
	t.Helper()
	for _, e := range job.Spec.Template.Spec.Containers[0].Env {
		if e.Name == name {
			return e.Value
		}
	}
	t.Fatalf("the container sets no %s", name)
	return ""
}

// dockerBuildLine is the Dockerfile's documented build command; its tag is
// the image the Job must run.
var dockerBuildLine = regexp.MustCompile(`(?m)^# build: (docker build -t (\S+) \.)$`)

func TestJobRunsTheImageTheDockerfileBuilds(t *testing.T) {
	df, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := dockerBuildLine.FindSubmatch(df)
	if m == nil {
		t.Fatal(`the Dockerfile has no "# build: docker build -t IMAGE ." line`)
	}
	command, image := string(m[1]), string(m[2])
	job := readJob(t)
	if got := job.Spec.Template.Spec.Containers[0].Image; got != image {
		t.Fatalf("the Job runs image %q, the Dockerfile's build command tags %q", got, image)
	}
	doc, err := os.ReadFile("../docs/SCALING.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte(command)) {
		t.Fatalf("docs/SCALING.md does not show the Dockerfile's build command %q", command)
	}
	// The build stage's Go is the one go.mod asks for.
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	gv := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	if gv == nil {
		t.Fatal("go.mod has no go directive")
	}
	if !regexp.MustCompile(`(?m)^FROM golang:` + regexp.QuoteMeta(string(gv[1])) + ` AS build$`).Match(df) {
		t.Fatalf("the Dockerfile's build stage is not FROM golang:GO AS build with go.mod's Go version %s", gv[1])
	}
	// The image's binary is built by the command line CI builds with.
	if !regexp.MustCompile(`(?m)^RUN \./\.ci/build-bitsim /\S+$`).Match(df) {
		t.Fatal("the Dockerfile does not build the binary with .ci/build-bitsim")
	}
	ci, err := os.ReadFile("../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(ci, []byte(".ci/build-bitsim ")) {
		t.Fatal(".ci/run does not build the binary with .ci/build-bitsim")
	}
	script, err := os.ReadFile("../.ci/build-bitsim")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(script, []byte(`CGO_ENABLED=0 go build -trimpath -o "$1" ./cmd/bitsim`)) {
		t.Fatal(".ci/build-bitsim does not build a static, trimmed ./cmd/bitsim")
	}
}

// The shard files land on the claim results-pvc.yaml defines: --out is the
// mount path of a PersistentVolumeClaim volume, or below it.
func TestShardFilesLandOnTheMountedClaim(t *testing.T) {
	job := readJob(t)
	c := job.Spec.Template.Spec.Containers[0]
	out := flagValue(t, c.Args, "--out")
	var pvc corev1.PersistentVolumeClaim
	readStrict(t, "results-pvc.yaml", &pvc)
	if pvc.APIVersion != "v1" || pvc.Kind != "PersistentVolumeClaim" {
		t.Fatalf("results-pvc.yaml is %s %s, want v1 PersistentVolumeClaim", pvc.APIVersion, pvc.Kind)
	}
	for _, vm := range c.VolumeMounts {
		if vm.ReadOnly || (out != vm.MountPath && !strings.HasPrefix(out, strings.TrimSuffix(vm.MountPath, "/")+"/")) {
			continue
		}
		for _, v := range job.Spec.Template.Spec.Volumes {
			if v.Name != vm.Name {
				continue
			}
			if v.PersistentVolumeClaim == nil {
				t.Fatalf("--out %s is on volume %q, which is not a PersistentVolumeClaim: the shard files would be lost with the pod", out, v.Name)
			}
			if v.PersistentVolumeClaim.ClaimName != pvc.Name {
				t.Fatalf("the Job's claim is %q, results-pvc.yaml defines %q", v.PersistentVolumeClaim.ClaimName, pvc.Name)
			}
			return
		}
		t.Fatalf("volume mount %q names no volume", vm.Name)
	}
	t.Fatalf("--out %s is on no writable volume mount: the shard files would be lost with the pod", out)
}

func flagValue(t *testing.T, args []string, name string) string {
	t.Helper()
	i := slices.Index(args, name)
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("the container's args %q have no %s VALUE", args, name)
	}
	return args[i+1]
}

// podCommand returns the pod's command line, with /busybox/sh (the image's
// shell) replaced by this machine's sh, and its environment for index k.
func podCommand(t *testing.T, job *batchv1.Job, k int, path string, args []string) *exec.Cmd {
	t.Helper()
	c := job.Spec.Template.Spec.Containers[0]
	if len(c.Command) == 0 || c.Command[0] != "/busybox/sh" {
		t.Fatalf("command %q does not start with the image's shell /busybox/sh", c.Command)
	}
	argv := append(slices.Clone(c.Command[1:]), args...)
	cmd := exec.Command("sh", argv...)
	cmd.Env = []string{"PATH=" + path, "JOB_COMPLETION_INDEX=" + strconv.Itoa(k)}
	for _, e := range c.Env {
		if e.Name != "PATH" { // the image's PATH; here the test's
			cmd.Env = append(cmd.Env, e.Name+"="+e.Value)
		}
	}
	return cmd
}

// The pod's PATH finds the bitsim the Dockerfile installs and the shell
// of the base image.
func TestPodPathFindsBitsim(t *testing.T) {
	df, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^COPY --from=build /bitsim (/\S+)/bitsim$`).FindSubmatch(df)
	if m == nil {
		t.Fatal("the Dockerfile does not COPY --from=build /bitsim DIR/bitsim")
	}
	path := strings.Split(envValue(t, readJob(t), "PATH"), ":")
	for _, dir := range []string{string(m[1]), "/busybox"} {
		if !slices.Contains(path, dir) {
			t.Errorf("the pod's PATH %q lacks %s", path, dir)
		}
	}
}

// The pod's wrapper turns completion index k into --shard k+1/SHARDS,
// passes the args through, and fails the pod only on exit status 2 or
// more. It runs here with a stand-in bitsim that records its arguments.
func TestPodCommandShardsAndExitStatus(t *testing.T) {
	job := readJob(t)
	c := job.Spec.Template.Spec.Containers[0]
	shards, _ := strconv.Atoi(envValue(t, job, "SHARDS"))
	dir := t.TempDir()
	fake := "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"" + dir + "/args\"\nexit \"$FAKE_EXIT\"\n"
	if err := os.WriteFile(filepath.Join(dir, "bitsim"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	sysPath := os.Getenv("PATH")
	for _, k := range []int{0, shards - 1} {
		for _, tc := range []struct{ bitsimExit, podExit int }{{0, 0}, {1, 0}, {2, 2}} {
			cmd := podCommand(t, job, k, dir+":"+sysPath, c.Args)
			cmd.Env = append(cmd.Env, "FAKE_EXIT="+strconv.Itoa(tc.bitsimExit))
			out, err := cmd.CombinedOutput()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.podExit {
				t.Fatalf("index %d, bitsim exits %d: pod exits %d, want %d (%s)", k, tc.bitsimExit, code, tc.podExit, out)
			}
			got, err := os.ReadFile(filepath.Join(dir, "args"))
			if err != nil {
				t.Fatal(err)
			}
			want := append(slices.Clone(c.Args), "--shard", strconv.Itoa(k+1)+"/"+strconv.Itoa(shards))
			if g := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n"); !slices.Equal(g, want) {
				t.Fatalf("index %d: bitsim ran with %q, want %q", k, g, want)
			}
		}
	}
}

// The real bitsim, built with CI's build script, accepts the pod's flags
// and writes the last shard's file into --out. Only the seed range is
// narrowed (to keep the test short) and the volume is a temporary
// directory.
func TestPodCommandRunsBitsim(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build bitsim with")
	}
	job := readJob(t)
	c := job.Spec.Template.Spec.Containers[0]
	shards, _ := strconv.Atoi(envValue(t, job, "SHARDS"))
	flagValue(t, c.Args, "--out")
	flagValue(t, c.Args, "--seeds")

	bin := t.TempDir()
	build := exec.Command("sh", ".ci/build-bitsim", filepath.Join(bin, "bitsim"))
	build.Dir = ".."
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf(".ci/build-bitsim: %v\n%s", err, msg)
	}

	vol := t.TempDir()
	args := slices.Clone(c.Args)
	args[slices.Index(args, "--seeds")+1] = "0:40"
	args[slices.Index(args, "--out")+1] = vol // the mount, here
	cmd := podCommand(t, job, shards-1, bin+":"+os.Getenv("PATH"), args)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the pod's command fails: %v\n%s", err, msg)
	}
	name := "sweep-" + args[1] + "-0-40-shard-" + strconv.Itoa(shards) + "-of-" + strconv.Itoa(shards) + ".json"
	if _, err := os.Stat(filepath.Join(vol, name)); err != nil {
		t.Fatalf("no shard file %s in --out after the pod's command: %v\n%s", name, err, msg)
	}
}
