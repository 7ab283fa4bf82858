# breakglass — make demo (scan the bundled sample tenant), make test (everything CI runs).
GO        ?= go
BIN       := bin/breakglass
SAMPLE    := testdata/sample
TOOLS     := $(CURDIR)/.tools
MULTITOOL := $(TOOLS)/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
SARIF_MULTITOOL_VERSION := 5.7.0
# Ajv for the OSCAL schema validator (../shared/oscal/validate.js).
AJV       := $(TOOLS)/node_modules/ajv-formats/package.json
AJV_VERSION := 8.20.0
AJV_FORMATS_VERSION := 3.0.1

.PHONY: build build-static demo evidence test test-go test-rego sarif-multitool oscal-validator bench bench-go fuzz lint release clean

# Version stamping (cmd/breakglass/version.go): the version is the nearest
# v* tag (0.1.0-dev without one), the build date is the commit's date in
# UTC, not the time of the build, so that rebuilding one commit gives
# byte-identical binaries. All three can be overridden (the Dockerfile does).
VERSION    ?= $(shell git describe --tags --match 'v*' --dirty 2>/dev/null || echo 0.1.0-dev)
COMMIT     ?= $(shell c=$$(git rev-parse HEAD 2>/dev/null) && { git diff --quiet HEAD 2>/dev/null || c=$$c-dirty; echo $$c; } || echo unknown)
BUILD_DATE ?= $(shell TZ=UTC0 git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo unknown)
LDFLAGS    := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildDate=$(BUILD_DATE)
# -trimpath and -buildvcs=false keep paths and VCS state out of the binary:
# what goes in is exactly what LDFLAGS says.
BUILDFLAGS  = -trimpath -buildvcs=false -ldflags '$(LDFLAGS) $(EXTRA_LDFLAGS)'

build:
	$(GO) build $(BUILDFLAGS) -o $(BIN) ./cmd/breakglass

# A static binary (no cgo, no libc; the Dockerfile builds with this target).
build-static:
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -o $(BIN) ./cmd/breakglass

# Cross-compiled, static, stripped binaries and a sha256sum-compatible
# SHA256SUMS in dist/ (check with: cd dist && sha256sum -c SHA256SUMS).
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
DIST      := dist
release:
	rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		echo "build $(DIST)/breakglass_$(VERSION)_$${os}_$${arch}$$ext"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(MAKE) --no-print-directory -s build-static \
			BIN=$(DIST)/breakglass_$(VERSION)_$${os}_$${arch}$$ext EXTRA_LDFLAGS='-s -w' \
			VERSION='$(VERSION)' COMMIT='$(COMMIT)' BUILD_DATE='$(BUILD_DATE)'; \
	done
	cd $(DIST) && if command -v sha256sum >/dev/null; then sha256sum breakglass_*; else shasum -a 256 breakglass_*; fi > SHA256SUMS
	@cat $(DIST)/SHA256SUMS

# Scan the bundled sample snapshot: human summary on stdout, SARIF and JSON in out/.
demo: build
	@mkdir -p out
	$(BIN) scan $(SAMPLE)/snapshot.json --config $(SAMPLE)/breakglass.yaml \
		--format text \
		--format sarif --output out/breakglass.sarif \
		--format json --output out/results.json
	@echo "SARIF written to out/breakglass.sarif, JSON to out/results.json"

# An auditor's evidence pack for the sample tenant, then its verification.
evidence: build
	@mkdir -p out
	$(BIN) evidence $(SAMPLE)/snapshot.json --config $(SAMPLE)/breakglass.yaml --output out/evidence.zip
	$(BIN) evidence verify out/evidence.zip

# The whole test suite: Go tests (Rego unit tests run inside them) plus SARIF
# validation with Microsoft's SARIF Multitool and OSCAL validation with Ajv
# (and the HTML report in headless Chromium when it is installed).
test: sarif-multitool oscal-validator
	SARIF_MULTITOOL=$(MULTITOOL) AJV_NODE_MODULES=$(TOOLS)/node_modules $(GO) test -count=1 ./...
	@$(MAKE) --no-print-directory fuzz

# Fuzz targets (package:Func), each run for FUZZTIME: `go test -fuzz` takes
# one target per package and run. Seed corpora live in each package's
# testdata/fuzz/<Func>/; a failure writes the input there, to commit with
# the fix. Minimisation is capped so that an interesting input found near
# the end does not stretch the run. make fuzz FUZZTIME=5m for a long run.
FUZZTIME ?= 5s
FUZZ_TARGETS := \
	./collector/snapshot:FuzzParse \
	./policies/engine:FuzzParseSnapshot \
	./config:FuzzParse \
	./mappings:FuzzAddFile \
	./collector:FuzzDecodeGraphPage \
	./report:FuzzJSON \
	./report:FuzzSARIF \
	./report:FuzzJUnit \
	./report:FuzzText \
	./report:FuzzMarkdown \
	./report:FuzzHTML

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s $$pkg; \
	done

test-go:
	$(GO) test ./...

# Microsoft's SARIF validator, installed from npm into .tools/.
sarif-multitool: $(MULTITOOL)

$(MULTITOOL):
	@mkdir -p $(TOOLS)
	cd $(TOOLS) && npm install --no-audit --no-fund --silent @microsoft/sarif-multitool@$(SARIF_MULTITOOL_VERSION)
	chmod u+x $(MULTITOOL)

# Ajv 8 + ajv-formats for the OSCAL Assessment Results schema check.
oscal-validator: $(AJV)

$(AJV):
	@mkdir -p $(TOOLS)
	cd $(TOOLS) && npm install --no-audit --no-fund --silent ajv@$(AJV_VERSION) ajv-formats@$(AJV_FORMATS_VERSION)

# The lint gate (.ci/run runs it before the tests): go vet, staticcheck,
# gofmt, opa fmt / opa check --strict over the Rego, bash -n on the action's
# script, gocyclo -over 24. staticcheck, gocyclo and opa are built once
# into .tools/ at pinned versions (opa at the version in go.mod, so the CLI and the embedded engine agree);
# building opa takes a couple of minutes the first time.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(TOOLS)/staticcheck-$(STATICCHECK_VERSION)/staticcheck
OPA_VERSION := $(shell awk '$$1 == "github.com/open-policy-agent/opa" {print $$2}' go.mod)
OPA         := $(TOOLS)/opa-$(OPA_VERSION)/opa
REGO_DIRS   := policies examples/policies
# gocyclo: no function over 24 outside the fake server and the tests.
GOCYCLO_VERSION := v0.6.0
GOCYCLO     := $(TOOLS)/gocyclo-$(GOCYCLO_VERSION)/gocyclo

lint: $(STATICCHECK) $(OPA) $(GOCYCLO)
	$(GO) vet ./...
	$(STATICCHECK) ./...
	@files=$$(find . -name '*.go' -not -path './.tools/*' -not -path './.git/*' | xargs gofmt -l); \
		if [ -n "$$files" ]; then echo "gofmt -l: run gofmt -w on:"; echo "$$files"; exit 1; fi
	$(OPA) fmt --list --fail $(REGO_DIRS)
	$(OPA) check --strict $(REGO_DIRS)
	bash -n .github/breakglass-action.sh
	$(GOCYCLO) -over 24 -ignore '(^|/)(\.tools|\.git|collector/fakeserver)/|_test\.go$$' .

$(STATICCHECK):
	GOBIN=$(dir $@) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(GOCYCLO):
	GOBIN=$(dir $@) $(GO) install github.com/fzipp/gocyclo/cmd/gocyclo@$(GOCYCLO_VERSION)

$(OPA):
	GOBIN=$(dir $@) $(GO) install github.com/open-policy-agent/opa@$(OPA_VERSION)


# The performance table of docs/performance.md (S, M, L, XL; medians of 5;
# stock opa is make lint's, built from go.mod's OPA version).
# BENCH_FLAGS=-sizes S -runs 3 for the small row; bench-go for go test -bench.
bench: $(OPA)
	$(GO) run ./testdata/bench -opa $(OPA) $(BENCH_FLAGS)

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./policies/engine/

clean:
	rm -rf bin out $(DIST)
