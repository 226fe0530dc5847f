#!/usr/bin/env bash
# The demo (npm run demo): what archipel does today, end to end, on examples/minimal.yaml.
#
# Pure steps first (validate, plan, graph; also a plan of the 154-service region); then, as root and only if
# the verbs are built, the local target: bring the estate up in two zones, show its status, prove the
# segmentation, lose zone par-1, probe again, heal, probe, and ALWAYS tear down (trap), even when a step
# fails or on Ctrl-C.
# A verb that is not built yet is skipped with a message, so the demo runs at every stage of the project.
# Exit status: 0 when every step that ran succeeded, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

ESTATE=examples/minimal.yaml
REGION=examples/region.yaml
ARCHIPEL=(node bin/archipel.js)
failures=0

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }

# Run one archipel step; $1 is the exit status the step is expected to have (usually 0).
step() {
  local expect=$1
  shift
  say "archipel $*"
  "${ARCHIPEL[@]}" "$@"
  local rc=$?
  if [ "$rc" -ne "$expect" ]; then
    note "exit status $rc (expected $expect)"
    failures=$((failures + 1))
  fi
  return 0
}

# A verb is built when `archipel --help` does not list it as "(not built yet)".
HELP=$("${ARCHIPEL[@]}" --help 2>&1)
built() { ! grep -Eq "^  $1 .*not built yet" <<<"$HELP"; }

for verb in validate plan graph; do
  built "$verb" || { say "archipel $verb"; note "not built yet: skipped"; }
done
built validate && step 0 validate "$ESTATE"
if built plan; then
  OUT=$(mktemp -d /tmp/archipel-demo.XXXXXX)
  step 0 plan "$ESTATE" --out "$OUT"
  note "artefacts written under $OUT:"
  (cd "$OUT" && find . -type f | sort | sed 's/^\.\//      /') >&2
  rm -rf -- "$OUT"
fi
built graph && step 0 graph "$ESTATE"
if built plan; then
  say "archipel plan $REGION (154 services; first 40 lines)"
  "${ARCHIPEL[@]}" plan "$REGION" | head -n 40
  [ "${PIPESTATUS[0]}" -eq 0 ] || { note "plan of the region failed"; failures=$((failures + 1)); }
fi

# ---- the local target: namespaces, bridges, nftables, HAProxy. Root only; up and down are needed, probe and
# fault are used when built.
if ! built up || ! built down; then
  say "local target"
  note "not built yet: up/down; skipping bring-up, probe, zone loss and tear-down"
elif [ "$(id -u)" -ne 0 ]; then
  say "local target"
  note "needs root (network namespaces, nftables): re-run as root to bring the estate up"
else
  teardown() {
    say "archipel down $ESTATE (always, from the exit trap)"
    "${ARCHIPEL[@]}" down "$ESTATE" || note "down failed: exit status $?"
  }
  trap teardown EXIT
  trap 'exit 130' INT TERM
  step 0 up "$ESTATE"
  built status && step 0 status "$ESTATE"
  if built probe; then step 0 probe "$ESTATE"; else say "archipel probe"; note "not built yet: skipped"; fi
  if built fault; then
    step 0 fault inject zone-loss --zone par-1 "$ESTATE"
    if built probe; then
      say "archipel probe $ESTATE (zone par-1 lost: its instances are silent, so the probe reports differences)"
      "${ARCHIPEL[@]}" probe "$ESTATE"
      note "exit status $? (1 expected: what the probe could not reach in the lost zone)"
    fi
    step 0 fault heal zone-loss "$ESTATE"
    built probe && step 0 probe "$ESTATE"
  else
    say "archipel fault inject zone-loss --zone par-1"
    note "not built yet: skipped"
  fi
fi

if [ "$failures" -eq 0 ]; then
  say "demo: every step that ran succeeded"
  exit 0
fi
say "demo: $failures step(s) failed"
exit 1
