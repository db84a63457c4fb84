#!/usr/bin/env bash
# Frontend CI: install (npm ci), type-check and build, unit tests (Vitest), then end-to-end tests
# (Playwright driving Debian's Chromium against a real `studyforge dev` that serves dist/).
# Called by .ci/run; runnable alone from anywhere. Ends with one "frontend: N passed, N failed"
# line summing both suites.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export CI="${CI:-true}" FORCE_COLOR=0 NO_COLOR=1
reports="$here/e2e/.tmp"
rm -rf "$reports" && mkdir -p "$reports/state"

step() { printf '\n== frontend: %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error

step "type-check and build (dist/ is what the API serves)"
npm run --silent build

step "unit tests (Vitest)"
vitest_rc=0
npx vitest run --reporter=default --reporter=json --outputFile="$reports/vitest.json" || vitest_rc=$?

step "browser for end-to-end tests"
if ! command -v chromium >/dev/null 2>&1; then
  # Debian's Chromium (Playwright's own browser download cannot work on these machines); the
  # emoji font makes avatars render in the screenshots as they do on a phone.
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
fi
chromium --version 2>/dev/null | head -1 || true

step "end-to-end tests (Playwright + Chromium against studyforge dev)"
e2e_rc=0
E2E_STATE_DIR="$reports/state" PLAYWRIGHT_JSON_OUTPUT_FILE="$reports/e2e.json" \
  npx playwright test --reporter=list,json || e2e_rc=$?

node --input-type=module -e '
  import { readFileSync, existsSync } from "node:fs"
  const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, "utf8")) : null)
  const v = read(process.argv[1]) ?? {}
  const e = read(process.argv[2])?.stats ?? {}
  const passed = (v.numPassedTests ?? 0) + (e.expected ?? 0) + (e.flaky ?? 0)
  const failed = (v.numFailedTests ?? 0) + (e.unexpected ?? 0)
  const skipped = (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0) + (e.skipped ?? 0)
  console.log(`\nfrontend: ${passed} passed, ${failed} failed, ${skipped} skipped`)
' "$reports/vitest.json" "$reports/e2e.json"

if [ "$vitest_rc" -ne 0 ] || [ "$e2e_rc" -ne 0 ]; then
  echo "frontend CI failed (vitest exit $vitest_rc, e2e exit $e2e_rc)" >&2
  exit 1
fi
