# syntax=docker/dockerfile:1
#
# The one ReptiDex binary in a distroless image. The subcommand is the argument:
#   docker run reptidex api | worker | migrate | seed | mailsink
# The SQL migrations and the OpenAPI document are embedded in the binary.

FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0

# Modules first, in their own layer, so a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags="-s -w" -o /out/reptidex ./cmd/reptidex

# Empty directories for the runtime image, which has no shell to create them: /keys holds
# the generated development signing key and /data the state DEV_DATA_DIR points at (the
# SMTP sink's mail). A named volume mounted there starts as a copy, owned by nonroot.
RUN mkdir -p /out/keys /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/reptidex /reptidex
COPY --from=build --chown=65532:65532 /out/keys /keys
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
# 8080: the API (HTTP_ADDR). 9090: the API's operations listener, /metrics and the detailed
# /health/deep (OPS_ADDR; keep it off the public network). 9091: the worker's /metrics
# (WORKER_METRICS_ADDR).
EXPOSE 8080 9090 9091
ENTRYPOINT ["/reptidex"]
CMD ["api"]
