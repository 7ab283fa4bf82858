# breakglass — make demo (scan the bundled sample tenant), make test (everything CI runs).
GO        ?= go
BIN       := bin/breakglass
SAMPLE    := testdata/sample
TOOLS     := $(CURDIR)/.tools
MULTITOOL := $(TOOLS)/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
SARIF_MULTITOOL_VERSION := 5.7.0

.PHONY: build demo test test-go test-rego sarif-multitool bench lint clean fuzz-report

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

# The whole test suite: Go tests (Rego unit tests run inside them) plus SARIF
# validation with Microsoft's SARIF Multitool.
test: sarif-multitool
	SARIF_MULTITOOL=$(MULTITOOL) $(GO) test -count=1 ./...
	$(MAKE) fuzz-report

# Each report writer on arbitrary tenant strings for a few seconds (go test
# allows one -fuzz target per run); seeds are in report/testdata/fuzz/.
# FUZZTIME=1m make fuzz-report for a longer run.
FUZZTIME     ?= 5s
REPORT_FUZZ  := FuzzJSON FuzzSARIF FuzzJUnit FuzzText FuzzMarkdown
fuzz-report:
	@for f in $(REPORT_FUZZ); do \
		echo "fuzz report $$f ($(FUZZTIME))"; \
		$(GO) test ./report -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

test-go:
	$(GO) test ./...

# Microsoft's SARIF validator, installed from npm into .tools/.
sarif-multitool: $(MULTITOOL)

$(MULTITOOL):
	@mkdir -p $(TOOLS)
	cd $(TOOLS) && npm install --no-audit --no-fund --silent @microsoft/sarif-multitool@$(SARIF_MULTITOOL_VERSION)
	chmod u+x $(MULTITOOL)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./policies/engine/

clean:
	rm -rf bin out
