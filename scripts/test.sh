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

step "PostgreSQL for the pgx scenarios: Debian's postgresql-15 ${PG_DEB_VERSION:=15.18-0+deb12u1}, pinned, installed with apt-get unless it is"
# The suite starts a server of its own (internal/pgserver): a temporary
# data directory, a loopback port chosen at run time, as the package's
# postgres user; it never uses a server already running. The pin is
# bookworm's (Debian 12, CI's image), and of its postgresql-common;
# PG_DEB_VERSION=... and PG_COMMON_VERSION=... override them.
: "${PG_COMMON_VERSION:=248+deb12u1}"
installed=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || true)
if [[ "$installed" != "$PG_DEB_VERSION" ]]; then
	if command -v apt-get >/dev/null; then
		sudo=""
		[[ $(id -u) -eq 0 ]] || sudo="sudo"
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends --allow-downgrades \
			"postgresql-15=$PG_DEB_VERSION" "postgresql-client-15=$PG_DEB_VERSION" "libpq5=$PG_DEB_VERSION" \
			"postgresql-common=$PG_COMMON_VERSION" "postgresql-client-common=$PG_COMMON_VERSION"
	elif ! command -v initdb >/dev/null; then
		echo "no apt-get and no initdb: install PostgreSQL 15 (initdb and postgres on PATH)"; exit 1
	else
		echo "no apt-get: using $(command -v initdb), not the pinned postgresql-15 $PG_DEB_VERSION"
	fi
fi
echo "initdb: $(compgen -G '/usr/lib/postgresql/15/bin/initdb' || command -v initdb)"

step "gofmt, go vet (host and wasip1), go mod tidy"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [[ -n "$unformatted" ]]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
GOOS=wasip1 GOARCH=wasm go vet ./worker/... ./durableobject/... ./storage/... ./d1/... ./kv/... ./sockets/... ./hyperdrive/... ./examples/... ./internal/rt/... ./internal/conformance/sandbox/... ./internal/conformance/peer/... ./internal/conformance/fixture/...
go mod tidy -diff

step "go test (unit, harness, end-to-end in workerd)"
GODURABLE_E2E=1 go test -timeout 30m ./...

step "benchmark smoke run (every measurement once, tiny counts; no timing is asserted)"
go run ./bench/cmd/godurable-bench -smoke
echo
echo "all tests passed"
