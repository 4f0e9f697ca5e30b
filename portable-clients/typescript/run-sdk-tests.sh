#!/usr/bin/env bash
# Runs the Beam TypeScript SDK's own runner tests (shipped in apache-beam 2.49.0 under
# dist/test) against a job server, e.g. Redwood's, with PortableRunner and a LOOPBACK worker.
#
#   ./run-sdk-tests.sh localhost:PORT [extra mocha args]
#
# How the tests pick their runner: the portable cases are registered only when
# BEAM_SERVICE_OVERRIDES is set, and they use loopbackRunner(), i.e. universalRunner with
# environmentType LOOPBACK, which asks for the Python service
# "python:apache_beam.runners.portability.local_job_service_main". An override that maps
# that name to HOST:PORT makes the SDK use an ExternalService at that address, so the tests
# run new PortableRunner({environmentType: "LOOPBACK"}, ExternalService(HOST:PORT)):
# nothing Python is started. The address must match ^[a-zA-Z0-9.]+:[0-9]+$ (no [::1]).
#
# Selected: every case tagged "@ulr" in primitives_test.js and docs/programming_guide.js,
# except the three MultiLanguage cases (python_map, stateful_dofn, cross_lang_transform),
# which need a Python expansion service. io_test.js is left out: setting the override
# turns on its "@xlang" cases, which need Python too.
# SDK_TESTS_EXCLUDE='name|other name' drops more cases by name.
# SDK_TESTS_INCLUDE_SPLITTING=0 drops "liquid sharding @ulr handles splitting", which relies
# on the Python ULR's direct_test_splits option (the runner must split the bundle itself).
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 HOST:PORT [extra mocha args]" >&2
  exit 2
fi
endpoint="$1"
shift
if ! [[ "$endpoint" =~ ^[a-zA-Z0-9.]+:[0-9]+$ ]]; then
  echo "job endpoint must look like localhost:8099 (the SDK ignores other forms): $endpoint" >&2
  exit 2
fi

cd "$(dirname "$0")"
if [[ ! -d node_modules/apache-beam ]]; then
  echo "node_modules missing: run 'npm ci' in $(pwd) first" >&2
  exit 2
fi

tests=node_modules/apache-beam/dist/test
export BEAM_SERVICE_OVERRIDES="{\"python:apache_beam.runners.portability.local_job_service_main\":\"$endpoint\"}"

# mocha takes one --grep, a regular expression matched against the full title (describe
# titles included): "@ulr" somewhere and none of the excluded names.
excluded='python_map|stateful_dofn|cross_lang_transform'
if [[ "${SDK_TESTS_INCLUDE_SPLITTING:-1}" == "0" ]]; then
  excluded="$excluded|liquid sharding"
fi
# SDK_TESTS_EXCLUDE: more names to leave out (a regular expression of alternatives).
if [[ -n "${SDK_TESTS_EXCLUDE:-}" ]]; then
  excluded="$excluded|$SDK_TESTS_EXCLUDE"
fi
pattern="^(?!.*($excluded)).*@ulr"

# Per-test timeout: a real job server takes seconds per job, not mocha's default 2 s.
# The before() hooks first run one Impulse-only job to warm the service up (30 s bound).
# The outer timeout bounds the whole run even if a job never reaches a terminal state
# (PortableRunner polls GetState with no limit of its own).
exec timeout --kill-after=10 "${SDK_TESTS_TIMEOUT_SECONDS:-900}" \
  node node_modules/mocha/bin/mocha \
  "$tests/primitives_test.js" "$tests/docs/programming_guide.js" \
  --grep "$pattern" \
  --timeout "${SDK_TEST_CASE_TIMEOUT_MS:-120000}" --reporter spec --exit "$@"
