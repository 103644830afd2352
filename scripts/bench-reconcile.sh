#!/usr/bin/env bash
# Benchmark of the PACS reconcile (issue: 5,000 studies on SRC, 650 on DST), run side by side
# in one JVM and one private network namespace:
#   opshub reconcile  vs  (a) two findscu C-FINDs + set difference
#                     vs  (b) one fresh association + C-FIND per study (the old exporter)
# Usage: scripts/bench-reconcile.sh [studies] [forwarded]     (about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
cp="target/classes:target/test-classes:$(cat target/test-classpath.txt)"
unshare -n bash -c 'ip link set lo up && exec java -cp "$0" org.opshub.interop.ReconcileBenchmark "$@"' "$cp" "$@"
