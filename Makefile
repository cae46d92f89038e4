# plumb: the two commands a newcomer runs are `make demo` and `make test`.
GO      ?= go
BIN     := bin/plumb
DEMO    := build/demo

.PHONY: all build demo test deps vet fmt-check bench fuzz clean

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
# running as root), checks formatting and vet, then runs every test.
test: deps fmt-check vet
	$(GO) test -count=1 -timeout 15m ./...
	./scripts/fuzz.sh 3s

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

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# bench runs the whole-program benchmarks and writes docs/benchmarks.md.
bench: build
	./scripts/bench.sh $(BIN)

clean:
	rm -rf bin build
