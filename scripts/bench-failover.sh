#!/usr/bin/env bash
# Failover benchmark: 1,000 messages to 100 chats through two hubs on one PostgreSQL,
# the leader killed (kill -9) at message 300, against one hub without a kill. Prints takeover
# seconds, both delivery times and their ratio, duplicates and messages in flight at the kill.
# Runs offline in a private network namespace; about 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
cp="target/classes:target/test-classes:$(cat target/test-classpath.txt)"
unshare -n bash -c 'ip link set lo up && exec java -Dopshub.log.level=WARN -cp "$0" org.opshub.interop.FailoverBenchmark "$@"' "$cp" "$@" \
  | grep -v '^[0-9][0-9-]*T[0-9:.]*Z '
