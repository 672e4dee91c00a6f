// Package deploy holds no code: it is the module of bitsim's cluster
// deployment, kept apart from the main module so that the main module's
// dependencies stay the standard library, testify and rapid.
//
// The directory holds the Kubernetes manifests of a sharded sweep
// (sweep-job.yaml, an Indexed Job, and results-pvc.yaml, the volume its
// shard files land on); the image they run is built by the repository's
// Dockerfile. The tests of this package decode the manifests strictly into
// Kubernetes' own types (k8s.io/api batch/v1 Job, core/v1
// PersistentVolumeClaim), check that the Job runs the image the Dockerfile's
// documented build command tags, run the pod's command with a stand-in and
// with the real bitsim, and check that the shard files land on the mounted
// volume. docs/SCALING.md tells how to run it.
package deploy
