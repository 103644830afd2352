#!/usr/bin/env bash
# Benchmarks of the PACS reconcile, run side by side in one JVM and one private network namespace.
#
#   scripts/bench-reconcile.sh [studies] [targets]
#     one source and N targets with a forwarding rule (modalities=CT,MR): one period of the hub (N
#     reconciliations sharing the source's window C-FIND) vs the equivalent findscu runs (1 + N), and
#     the hub JVM's peak RSS. Defaults 5000 1.
#
#   scripts/bench-reconcile.sh --transports [studies] [forwarded]
#     5,000 studies on SRC, 650 on DST: opshub reconcile vs (a) two findscu C-FINDs + set difference
#     vs (b) one fresh association + C-FIND per study (the old exporter); then over QIDO-RS and DIMSE-TLS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
cp="target/classes:target/test-classes:$(cat target/test-classpath.txt)"
main=org.opshub.interop.ReconcileTargetsBenchmark
if [ "${1:-}" = "--transports" ]; then
  main=org.opshub.interop.ReconcileBenchmark
  shift
fi
unshare -n bash -c 'ip link set lo up && exec java -cp "$0" "$1" "${@:2}"' "$cp" "$main" "$@"
