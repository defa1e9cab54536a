# Beredskap. The Makefile is the door: make run, make test, make bench.
GO      ?= go
ADDR    ?= 127.0.0.1:8080
DATA    ?= ./data
BIN     := .build/beredskap
WASM    := web/app.wasm

.PHONY: all run build wasm test vet lint bench screens fuzz clean deps engines

all: build

## wasm: build the phone app (web/app.wasm) and its brotli and gzip copies
# The pages' package (beredskap/app) is built without inlining: its code is
# the pages' rendering, which inlining makes about 3 % bigger over the wire
# (64 KB of brotli) for no speed a person notices; the shift's logic, the
# crypto and go-app keep it.
WASM_GCFLAGS := -gcflags=beredskap/app=-l
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath $(WASM_GCFLAGS) -ldflags='-s -w' -o $(WASM) ./app/wasm
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

# staticcheck, at the version the module proxy serves here, built into
# .build/bin so that no machine-wide install is needed.
STATICCHECK := .build/bin/staticcheck
$(STATICCHECK):
	GOBIN=$(abspath .build/bin) $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

## lint: gofmt, go vet and staticcheck, for the native and the GOOS=js builds
lint: vet $(STATICCHECK)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(STATICCHECK) ./...
	GOOS=js GOARCH=wasm $(STATICCHECK) ./app/...

# wasmbrowsertest runs GOOS=js test binaries in headless Chromium, so the
# phone's IndexedDB store is tested in a real browser.
WASMEXEC := .build/bin/wasmbrowsertest
$(WASMEXEC):
	GOBIN=$(abspath .build/bin) $(GO) install github.com/agnivade/wasmbrowsertest@v0.11.0

# axe: axe-core, the accessibility checker the browser tests inject into
# every page (server/e2e/a11y_test.go). Fetched from the npm registry and
# checked against the registry's integrity hash before anything is used;
# skipped when the verified copy is already there.
AXE_VERSION := 4.14.1
AXE_URL     := https://registry.npmjs.org/axe-core/-/axe-core-$(AXE_VERSION).tgz
AXE_SRI     := sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
AXE_DIR     := .build/axe
AXE_TGZ     := $(AXE_DIR)/axe-core-$(AXE_VERSION).tgz
.PHONY: axe
axe:
	@set -e; mkdir -p $(AXE_DIR); \
	sri() { printf 'sha512-%s' "$$(openssl dgst -sha512 -binary "$$1" | openssl base64 -A)"; }; \
	if [ -f $(AXE_TGZ) ] && [ "$$(sri $(AXE_TGZ))" = "$(AXE_SRI)" ] && [ -f $(AXE_DIR)/axe.min.js ] \
	   && tar -xzOf $(AXE_TGZ) package/axe.min.js | cmp -s - $(AXE_DIR)/axe.min.js; then \
	  echo "axe-core $(AXE_VERSION): $(AXE_DIR)/axe.min.js is present and verified"; exit 0; fi; \
	echo "axe-core $(AXE_VERSION): downloading $(AXE_URL)"; \
	rm -f $(AXE_TGZ) $(AXE_DIR)/axe.min.js; \
	curl -fsSL --retry 3 -o $(AXE_TGZ).part $(AXE_URL); \
	got=$$(sri $(AXE_TGZ).part); \
	if [ "$$got" != "$(AXE_SRI)" ]; then \
	  echo "axe-core $(AXE_VERSION): INTEGRITY MISMATCH for $(AXE_URL)" >&2; \
	  echo "  want $(AXE_SRI)" >&2; echo "  got  $$got" >&2; \
	  rm -f $(AXE_TGZ).part; exit 1; fi; \
	mv $(AXE_TGZ).part $(AXE_TGZ); \
	tar -xzOf $(AXE_TGZ) package/axe.min.js > $(AXE_DIR)/axe.min.js.part; \
	mv $(AXE_DIR)/axe.min.js.part $(AXE_DIR)/axe.min.js; \
	echo "axe-core $(AXE_VERSION): verified, extracted to $(AXE_DIR)/axe.min.js"

## deps: install the Debian packages the tests need (browsers, Xvfb,
## brotli, Node.js, ...) when run as root; otherwise say which are missing
deps:
	@.ci/install-deps

# engines: puppeteer-core, which drives Firefox over WebDriver BiDi in
# server/e2e/engines_test.go (WebKit needs nothing from npm). npm ci
# installs exactly the committed package-lock.json and checks every
# package against the sha512 integrity hash the lock holds; install
# scripts are not run. Skipped when node_modules came from this lock.
ENGINES_DIR := server/e2e/engines
engines:
	@set -e; cd $(ENGINES_DIR); \
	if [ -f node_modules/.installed-lock.json ] && cmp -s package-lock.json node_modules/.installed-lock.json; then \
	  echo "engines: $(ENGINES_DIR)/node_modules is installed from package-lock.json"; exit 0; fi; \
	echo "engines: npm ci in $(ENGINES_DIR)"; \
	npm ci --ignore-scripts --no-audit --no-fund; \
	cp package-lock.json node_modules/.installed-lock.json

# The packages that start browsers run one at a time, after the rest: on
# two cores, two browser packages side by side starve each other.
BROWSER_PKGS := beredskap/app/vault beredskap/internal/browsertest beredskap/server/bench beredskap/server/e2e

## test: lint and every test, browser tests in three engines included;
## installs missing packages first when run as root (make deps)
test: deps wasm lint $(WASMEXEC) axe engines
	$(GO) test -count=1 -timeout 30m $$($(GO) list ./... | grep -vxF $(foreach p,$(BROWSER_PKGS),-e $(p)))
	$(GO) test -count=1 -timeout 30m -p 1 $(BROWSER_PKGS)
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(abspath $(WASMEXEC)) ./app/vault ./internal/seal ./internal/care

## bench: measure the targets of DESIGN §8 on this machine and write
## server/bench/BENCHMARKS.md (not part of make test; a few minutes)
BENCH := .build/bench
bench: wasm
	@mkdir -p $(BENCH)
	GOOS=js GOARCH=wasm $(GO) build -trimpath $(WASM_GCFLAGS) -o $(BENCH)/app-full.wasm ./app/wasm
	$(GO) test -run='^$$' -bench='SyncIngest|PostgresIngest|RestoreSurge|RecordsList|OfflineColdStart|BrowserArgon2id' -benchtime=1x -timeout 60m ./server/bench > $(BENCH)/heavy.txt || (cat $(BENCH)/heavy.txt; exit 1)
	$(GO) test -run='^$$' -bench='ShiftBundle' -benchtime=200x ./server/bench > $(BENCH)/bundle.txt || (cat $(BENCH)/bundle.txt; exit 1)
	BENCH_DESK_CACHE=$(abspath $(BENCH))/desk $(GO) test -run='^$$' -bench='^BenchmarkDesk$$' -benchtime=1x -timeout 30m ./server/bench > $(BENCH)/desk.txt || (cat $(BENCH)/desk.txt; exit 1)
	$(GO) test -run='^$$' -bench='^BenchmarkDeskPostgres$$' -benchtime=1x -timeout 30m ./server/bench > $(BENCH)/desk-postgres.txt || (cat $(BENCH)/desk-postgres.txt; exit 1)
	$(GO) test -run='^$$' -bench='KEK|OpenRecord' ./internal/seal > $(BENCH)/seal.txt || (cat $(BENCH)/seal.txt; exit 1)
	cat $(BENCH)/heavy.txt $(BENCH)/bundle.txt $(BENCH)/desk.txt $(BENCH)/desk-postgres.txt $(BENCH)/seal.txt | tee server/bench/last-run.txt
	$(GO) run ./server/bench/report -in server/bench/last-run.txt -wasm $(WASM) -full $(BENCH)/app-full.wasm -out server/bench/BENCHMARKS.md

## screens: the README's phone screenshots, taken from the running app
screens: wasm
	README_SCREENS=$(abspath server/e2e/screens) $(GO) test -count=1 -run '^TestReadmeScreens$$' ./server/e2e

# fuzz: each fuzz target for FUZZTIME, then the inputs it found worth
# keeping are copied into the package's testdata/fuzz, where every later
# go test runs them as seeds.
FUZZTIME ?= 30s
FUZZ := ./internal/seal:FuzzOpen ./internal/ingest:FuzzParseRecord ./internal/ingest:FuzzOpenEnvelope \
        ./internal/ingest:FuzzDecodeEnvelope ./internal/plan:FuzzParseCSV ./server:FuzzDecode ./server:FuzzDecodeSync
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
