# breakglass as a small static image: the binary, CA certificates and time
# zone data (distroless/static), a non-root user, no shell.
#
#   docker build -t breakglass \
#     --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg BUILD_DATE=$(TZ=UTC0 git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ) .
#   docker run --rm -v "$PWD:/work" breakglass scan snapshot.json --config breakglass.yaml
#
# The build stage runs `make build-static`, the recipe `make release` and
# the GitHub Action use (tested by cmd/breakglass/build_test.go).
ARG GO_VERSION=1.26.8

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS TARGETARCH
ARG VERSION=0.1.0-dev
ARG COMMIT=unknown
ARG BUILD_DATE=unknown
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH make -s build-static BIN=/out/breakglass \
      VERSION="$VERSION" COMMIT="$COMMIT" BUILD_DATE="$BUILD_DATE" EXTRA_LDFLAGS="-s -w"

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/breakglass /usr/local/bin/breakglass
USER nonroot:nonroot
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/breakglass"]
CMD ["--help"]
