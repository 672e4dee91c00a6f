# A small static image holding only the bitsim command, for sweeps on a
# cluster (docs/SCALING.md, deploy/sweep-job.yaml). Build it from the
# repository root with exactly this command (deploy's test reads the tag
# from this line and checks the Job manifest runs that image):
#
# build: docker build -t ghcr.io/bitsim/bitsim:sweep .
#
# The binary is built by .ci/build-bitsim, the same command line CI uses.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN ./.ci/build-bitsim /bitsim

# distroless static (no libc: the binary is static) in its debug variant,
# whose busybox /busybox/sh runs the Job's two-line wrapper (the 1-based
# shard number from the 0-based completion index). Non-root, uid 65532.
FROM gcr.io/distroless/static-debian12:debug-nonroot
COPY --from=build /bitsim /usr/local/bin/bitsim
ENTRYPOINT ["/usr/local/bin/bitsim"]
