#!/usr/bin/env bash
# Runs godurable's whole test suite on a fresh machine that has Go and
# Node.js 20 with npm: static checks, unit tests, the dotest harness tests,
# the end-to-end conformance suite in real workerd (wrangler dev on
# 127.0.0.1; npm ci brings the Node.js 22 that the pinned wrangler needs),
# the floor (wrangler 4.86 on the system's Node.js), and a short smoke run
# of the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# npm_ci DIR installs DIR/package-lock.json unless DIR/node_modules has it
# already (always on CI). --loglevel=error keeps npm's errors and drops its
# warnings: on Node.js 20, 15 lines of EBADENGINE that say wrangler
# and some of its dependencies need Node.js 22.12 (npm checks them against
# the Node.js it runs on); they run on the Node.js 22 that npm ci installs
# into node_modules.
npm_ci() {
	if [[ -n "${CI:-}" || ! -f "$1/node_modules/.package-lock.json" || "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]]; then
		(cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
	else
		echo "$1/node_modules is up to date"
	fi
}

step "npm ci: pinned wrangler, workerd, Node.js 22 and @msgpack/msgpack (package-lock.json)"
npm_ci .
echo "wrangler $(node -p 'require("./node_modules/wrangler/package.json").version') on Node.js $(node_modules/.bin/node --version 2>/dev/null || echo "(none in node_modules)"); system node $(node --version)"

step "npm ci: the floor, wrangler 4.86 for the system's Node.js (internal/conformance/floor)"
npm_ci internal/conformance/floor

step "npm ci: TypeScript and @cloudflare/workers-types, to type-check generated declarations (internal/stubgen/tscheck)"
npm_ci internal/stubgen/tscheck

step "gofmt, go vet (host and wasip1), go mod tidy"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [[ -n "$unformatted" ]]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
GOOS=wasip1 GOARCH=wasm go vet ./worker/... ./durableobject/... ./storage/... ./d1/... ./kv/... ./examples/... ./internal/rt/... ./internal/conformance/sandbox/... ./internal/conformance/peer/... ./internal/conformance/fixture/...
go mod tidy -diff

step "go test (unit, harness, end-to-end in workerd)"
GODURABLE_E2E=1 go test -timeout 30m ./...

step "benchmark smoke run (every measurement once, tiny counts; no timing is asserted)"
go run ./bench/cmd/godurable-bench -smoke
echo
echo "all tests passed"
