# plumb: the two commands a newcomer runs are `make demo` and `make test`.
GO      ?= go
BIN     := bin/plumb
DEMO    := build/demo

.PHONY: all build demo test deps vet fmt-check bench fuzz clean release lint-ci test-release

all: build

build:
	$(GO) build -o $(BIN) ./cmd/plumb

# demo runs examples/quickstart in a scratch copy: plan, apply, then a plan
# that must show no changes. All local; no cloud account.
demo: build
	./scripts/demo.sh $(BIN) examples/quickstart $(DEMO)

# demo-aws runs the AWS examples (Route 53 migration, EBS policy, SVN
# backup) against the project's emulator, started and stopped here: no AWS
# account, no network. The emulator alone: go run ./internal/cmd/localaws.
demo-aws: build localaws
	./scripts/demo-aws.sh $(BIN) bin/localaws build/demo-aws

localaws:
	$(GO) build -o bin/localaws ./internal/cmd/localaws

# test installs what the tests need (Debian packages when missing and
# running as root), checks formatting and vet, then runs every test, and
# the access-log scan's again under the race detector: its workers share
# tables' budgets, inboxes and the mapped input.
test: deps fmt-check vet lint-ci
	$(GO) test -count=1 -timeout 15m ./...
	$(GO) test -race -count=1 -timeout 10m ./providers/accesslog
	$(MAKE) test-release
	./scripts/fuzz.sh 3s

# test-release runs the tests of the release tool (a module of its own):
# a release for this machine's platform whose .deb is installed with dpkg
# and removed again (as root), and go install of plumb from a module proxy
# in a folder, offline.
test-release:
	$(GO) -C scripts/release test -count=1 -timeout 10m ./...

# lint-ci checks the GitHub Actions recipe with actionlint (a Go tool of
# go.mod), which runs shellcheck on its scripts when shellcheck is installed.
lint-ci:
	@command -v shellcheck >/dev/null || echo "lint-ci: shellcheck is not installed; actionlint checks the workflow without its scripts"
	$(GO) tool actionlint examples/ci/github-actions.yml

# release builds a release from the tag checked out: binaries for
# linux/amd64, linux/arm64, darwin/amd64 and darwin/arm64 packed with the
# manual page and shell completions, a .deb per Linux architecture, and
# SHA256SUMS, into dist/. VERSION=v0.2.0-rc.1 builds a commit without a tag.
release:
	rm -rf dist
	$(GO) -C scripts/release run . -repo "$(CURDIR)" -out "$(CURDIR)/dist" $(if $(VERSION),-version $(VERSION))

# fuzz runs every fuzz target (scripts/fuzz.sh) for longer than make test
# does: FUZZTIME each, default a minute.
FUZZTIME ?= 60s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

# conformance runs only the language conformance cases (conformance/cases);
# make test runs them too.
conformance:
	$(GO) test -count=1 ./conformance/

deps:
	./scripts/deps.sh

vet:
	$(GO) vet ./...
	$(GO) -C scripts/release vet ./...
	# Releases are built for macOS too (scripts/release): it must compile.
	GOOS=darwin GOARCH=arm64 $(GO) build -o /dev/null ./cmd/plumb

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# bench runs the whole-program benchmarks and writes docs/benchmarks.md.
bench: build
	./scripts/bench.sh $(BIN)

clean:
	rm -rf bin build dist
