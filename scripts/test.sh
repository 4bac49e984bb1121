#!/usr/bin/env bash
# The README's test command. Builds the solution with warnings as errors, runs every test project
# (domain specs, adapter and end-to-end tests), and ends with its own line: `tests: N passed, M failed`.
# Exits non-zero on any failure. Safe to run again: nothing here depends on an earlier run.
set -uo pipefail
cd "$(dirname "$0")/.."

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

# The adapter tests run against real PostgreSQL, RabbitMQ and Azurite; a test never skips when one is missing.
if ! ./scripts/services.sh up; then
  echo "tests: 0 passed, 1 failed (services did not start)"
  exit 1
fi

./scripts/drop-stale-nuget-source.sh
if ! dotnet build Orchestration.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "tests: 0 passed, 1 failed (the solution does not build)"
  exit 1
fi

# The tests run the command line as users do, through ./orch: it publishes the CLI (ReadyToRun) when a source changed.
if ! ./orch --version > /dev/null; then
  echo "tests: 0 passed, 1 failed (./orch could not build the command line)"
  exit 1
fi

dotnet test Orchestration.sln -c Release --no-build -nologo --logger "trx" --results-directory "$results"
status=$?

passed=0; failed=0; found=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  found=$((found + 1))
  counters="$(grep -o '<Counters [^>]*' "$trx")"
  p="$(grep -o ' passed="[0-9]*"' <<<"$counters" | grep -o '[0-9]\+')"
  f="$(grep -o ' failed="[0-9]*"' <<<"$counters" | grep -o '[0-9]\+')"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done

# The slowest tests, so that whoever keeps CI fast knows where its time goes.
echo "slowest tests:"
grep -ho '<UnitTestResult [^>]*' "$results"/*.trx 2>/dev/null \
  | sed -n 's/.*testName="\([^"]*\)".*duration="\([0-9:.]*\)".*/\2 \1/p' | sort -r | head -15 | sed 's/^/  /' || true

# Name the failed tests at the end, where a reader of the CI log looks first.
grep -ho '<UnitTestResult [^>]*outcome="Failed"[^>]*' "$results"/*.trx 2>/dev/null | grep -o 'testName="[^"]*"' | sed 's/^testName=/failed: /' || true

if [ "$found" -eq 0 ]; then
  echo "tests: 0 passed, 1 failed (no test results were written)"
  exit 1
fi
echo "tests: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
