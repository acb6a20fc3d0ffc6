#!/usr/bin/env bash
# Runs godurable's whole test suite on a fresh machine that has Go and
# Node.js 20 with npm: static checks, unit tests, the dotest harness tests,
# the end-to-end conformance suite in real workerd (wrangler dev on
# 127.0.0.1), and a short smoke run of the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "npm ci: pinned wrangler, workerd and @msgpack/msgpack (package-lock.json)"
if [[ -n "${CI:-}" || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
	npm ci --no-audit --no-fund --loglevel=error
else
	echo "node_modules is up to date"
fi

step "gofmt, go vet (host and wasip1), go mod tidy"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [[ -n "$unformatted" ]]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
GOOS=wasip1 GOARCH=wasm go vet ./worker/... ./durableobject/... ./storage/... ./examples/... ./internal/rt/... ./internal/conformance/sandbox/...
go mod tidy -diff

step "go test (unit, harness, end-to-end in workerd)"
GODURABLE_E2E=1 go test -timeout 30m ./...

step "benchmark smoke run (every measurement once, tiny counts; no timing is asserted)"
go run ./bench/cmd/godurable-bench -smoke
echo
echo "all tests passed"
