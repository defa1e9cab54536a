# Beredskap. The Makefile is the door: make run, make test, make bench.
GO      ?= go
ADDR    ?= 127.0.0.1:8080
DATA    ?= ./data
BIN     := .build/beredskap
WASM    := web/app.wasm

.PHONY: all run build wasm test vet bench fuzz clean

all: build

## wasm: build the phone app (web/app.wasm) and its brotli and gzip copies
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $(WASM) ./app/wasm
	@if command -v brotli >/dev/null 2>&1; then brotli -q 11 -f -o $(WASM).br $(WASM); \
	 else echo "brotli not found: serving gzip only (apt-get install brotli)"; rm -f $(WASM).br; fi
	gzip -9 -n -c $(WASM) > $(WASM).gz

## build: the server binary, with the app embedded
build: wasm
	$(GO) build -trimpath -o $(BIN) ./server/cmd/beredskap

## run: build and start the server with demo data in ./data
run: build
	$(BIN) serve --addr $(ADDR) --data $(DATA)

## vet: go vet for the server and the wasm client
vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./app/...

# wasmbrowsertest runs GOOS=js test binaries in headless Chromium, so the
# phone's IndexedDB store is tested in a real browser.
WASMEXEC := .build/bin/wasmbrowsertest
$(WASMEXEC):
	GOBIN=$(abspath .build/bin) $(GO) install github.com/agnivade/wasmbrowsertest@v0.11.0

## test: vet and every test, browser tests included
test: wasm vet $(WASMEXEC)
	$(GO) test -count=1 -timeout 30m ./...
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(abspath $(WASMEXEC)) ./app/vault ./internal/seal ./internal/care

# fuzz: each fuzz target for FUZZTIME, then the inputs it found worth
# keeping are copied into the package's testdata/fuzz, where every later
# go test runs them as seeds.
FUZZTIME ?= 30s
FUZZ := ./internal/seal:FuzzOpen ./internal/ingest:FuzzParseRecord ./internal/ingest:FuzzOpenEnvelope \
        ./internal/plan:FuzzParseCSV ./server:FuzzDecode
fuzz:
	@set -e; cache=$$($(GO) env GOCACHE)/fuzz/beredskap; for t in $(FUZZ); do \
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "== $$pkg $$name ($(FUZZTIME))"; \
	  $(GO) test -run='^$$' -fuzz="^$$name$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  mkdir -p $$pkg/testdata/fuzz/$$name; \
	  if [ -d $$cache/$${pkg#./}/$$name ]; then cp -n $$cache/$${pkg#./}/$$name/* $$pkg/testdata/fuzz/$$name/ 2>/dev/null || true; fi; \
	done

clean:
	rm -rf .build $(WASM) $(WASM).br $(WASM).gz
