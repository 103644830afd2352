#!/usr/bin/env bash
# Benchmark of alert ingest and delivery (see AlertIngestBenchmark), in one JVM, offline:
#   POST /alerts (real Alertmanager sample) vs a bare platform-http echo route: p50/p99, ratio
#   outbox delivery rate against the fake Bot API (Telegram allows 30 messages/s)
# Usage: scripts/bench-alerts.sh [requests-per-second] [seconds-per-phase]   (about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
cp="target/classes:target/test-classes:$(cat target/test-classpath.txt)"
unshare -n bash -c 'ip link set lo up && exec java -Dopshub.log.level=WARN -cp "$0" org.opshub.telegram.AlertIngestBenchmark "$@"' "$cp" "$@" \
  | grep --line-buffered -v '^[0-9][0-9-]*T[0-9:.]*Z '
