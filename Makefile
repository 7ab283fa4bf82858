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

.PHONY: build demo evidence test test-go test-rego sarif-multitool oscal-validator bench fuzz lint clean

build:
	$(GO) build -o $(BIN) ./cmd/breakglass

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

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./policies/engine/

clean:
	rm -rf bin out
