# Quayside's contract with developers: `make run` starts it, `make test` runs
# every test. `make help` lists the rest.

GO        ?= go
BIN       := bin/quayside
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
DATA      ?= $(CURDIR)/.quayside
HTTP_ADDR ?= 127.0.0.1:8080
HTTPS_ADDR ?= 127.0.0.1:8443
SSH_ADDR  ?= 127.0.0.1:2222
# staticcheck 2026.2.2 (module v0.8.2) knows Go 1.26; make lint installs it
# from the module proxy into bin/, under a name that changes with the version.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := bin/staticcheck-$(STATICCHECK_VERSION)
# Every shell script: shellcheck reads them all.
SCRIPTS := scripts/*.sh install/install.sh .ci/run builder/offline/stack/rootfs.sh \
	builder/offline/lifecycle/build.sh builder/offline/buildpacks/*/bin/* \
	builder/offline/addons/rootfs.sh builder/offline/addons/*/docker-entrypoint.sh

.PHONY: help build run test unit e2e bench lint fmt clean docker tools dist

help: ## Show this help.
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build bin/quayside.
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/quayside

docker:
	@./scripts/ensure-docker.sh

tools:
	@./scripts/ensure-tools.sh

.PHONY: builder
builder: docker ## Assemble the offline buildpacks builder image quayside/builder:offline (nothing pulled; a no-op when up to date).
	@./scripts/make-builder.sh

.PHONY: addons
addons: docker builder ## Assemble the offline add-on images quayside/postgres:15-offline and quayside/redis:7-offline from Debian's packages (nothing pulled; a no-op when up to date).
	@./scripts/make-addons.sh

# The server starts as soon as the binary is compiled; the builder is
# assembled in the background (scripts/make-run.sh). RUN_FLAGS adds server flags.
# No $(MAKE) in the recipe: make -n would run it.
run: docker ## Start Quayside locally: apps at http://<app>.localhost:8080, git push to ssh://git@localhost:2222/<app>.
	@./scripts/make-run.sh "$(DATA)" "$(HTTP_ADDR)" "$(HTTPS_ADDR)" "$(SSH_ADDR)" $(RUN_FLAGS)

test: lint docker tools builder addons ## Run every test: make lint, then unit and end-to-end tests with the race detector (and once without it where tests check what the race detector hides).
	QUAYSIDE_BUILDER_TEST=1 QUAYSIDE_E2E_RACE=1 $(GO) test -race -count=1 -timeout 35m ./...
	$(GO) test -count=1 $$(grep -rl --include='*_test.go' '^//go:build !race' . | xargs -n1 dirname | sort -u)

unit: ## Run the tests that need neither Docker nor the binary: every package but e2e, install and those whose tests use a Docker client.
	$(GO) test -race -count=1 $$($(GO) list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... | grep -vE ' (github.com/docker/docker/client|github.com/quayside/quayside/internal/dockertest)( |$$)' | cut -d' ' -f1 | grep -vE '/(e2e|install)$$')

e2e: docker tools ## Run only the end-to-end tests.
	QUAYSIDE_E2E_RACE=1 $(GO) test -race -count=1 -timeout 35m ./e2e/...

bench: docker tools builder addons ## Run the benchmarks (deploys, builds, proxy, logs, installer, daemon footprint, 200 apps, add-on backups) and write docs/benchmarks.md (QUAYSIDE_BENCH_COLD=1 also times a cold make builder).
	$(GO) test -run '^$$' -bench . ./proxy/
	QUAYSIDE_BENCH=1 $(GO) test -count=1 -timeout 60m -run 'TestBench' ./e2e/ -v
	QUAYSIDE_BENCH=1 $(GO) test -count=1 -run 'TestFollowLatency' ./store/logs/ -v
	QUAYSIDE_BENCH=1 $(GO) test -count=1 -timeout 15m -run 'TestInstall' ./install/ -v
	QUAYSIDE_BENCH=1 $(GO) test -count=1 -timeout 15m -run 'TestBenchAddonBackup' ./engine/docker/ -v
	./scripts/bench-builder.sh
	./scripts/bench-proxy.sh

lint: tools $(STATICCHECK) ## gofmt, go vet, go mod tidy -diff, staticcheck, shellcheck.
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed:"; gofmt -l .; exit 1)
	$(GO) vet ./...
	$(GO) mod tidy -diff
	$(STATICCHECK) ./...
	shellcheck $(SCRIPTS)

$(STATICCHECK):
	@mkdir -p bin
	GOBIN=$(CURDIR)/bin/.staticcheck $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv bin/.staticcheck/staticcheck $@ && rmdir bin/.staticcheck

dist: ## Build a release in dist/: linux amd64 and arm64 binaries, SHA256SUMS, SHA256SUMS.sig (key: QUAYSIDE_SIGNING_KEY=FILE, else a dev key) and install.sh.
	VERSION=$(VERSION) ./scripts/dist.sh

fmt: ## Format the code.
	gofmt -w .

clean: ## Remove build output and the local data dir.
	rm -rf bin dist $(DATA)
