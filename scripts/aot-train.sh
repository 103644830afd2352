#!/bin/sh
# Trains the hub's AOT cache once (JDK 25 or later: JEP 483 and JEP 514's -XX:AOTCacheOutput): starts
# the hub with the configuration of the current directory (application.properties, routes/, templates/)
# on a loopback port and a throw-away state directory, waits for health UP, serves health and a
# Prometheus scrape, lets the first rounds of the timers run (AOT_TRAIN_SECONDS after start, default 10),
# stops it (SIGTERM: the JVM writes the cache as it exits).
# Used by the Dockerfile, the Ansible playbook and scripts/bench-startup.sh; POSIX sh and curl only.
# Usage: aot-train.sh <jar> <cache-file> [java]      (env AOT_TRAIN_PORT, default 19999; AOT_TRAIN_SECONDS)
# A JVM without AOT caches (JDK 17, 21) is not an error: it says so and exits 0, the hub then runs on a
# plain JVM. Exits 1 when the hub does not come up within 120 s or no cache was written.
set -eu
jar=$1
out=$2
java=${3:-java}
port=${AOT_TRAIN_PORT:-19999}
if ! "$java" -XX:AOTMode=off -version >/dev/null 2>&1; then
  echo "aot-train: $("$java" -version 2>&1 | head -1) has no AOT cache (JDK 25 or later): the hub runs on a plain JVM"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$java" -XX:AOTCacheOutput="$out" -Dcamel.server.host=127.0.0.1 -Dcamel.server.port="$port" \
  -Dstate.directory="$work/state" -jar "$jar" >"$work/log" 2>&1 &
pid=$!
tries=0
until curl -fsS -o /dev/null "http://127.0.0.1:$port/observe/health" 2>/dev/null; do
  tries=$((tries + 1))
  if ! kill -0 "$pid" 2>/dev/null || [ "$tries" -gt 1200 ]; then
    echo "aot-train: the training run did not come up:" >&2
    tail -20 "$work/log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.1
done
for i in 1 2 3; do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/metrics"
  curl -fsS -o /dev/null "http://127.0.0.1:$port/observe/health"
done
while [ "$tries" -lt $(( ${AOT_TRAIN_SECONDS:-10} * 10 )) ]; do
  tries=$((tries + 1))
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid" || true
if [ ! -s "$out" ]; then
  echo "aot-train: no AOT cache was written:" >&2
  tail -20 "$work/log" >&2
  exit 1
fi
echo "aot-train: $out ($(du -k "$out" | cut -f1) KiB) trained by $("$java" -version 2>&1 | head -1)"
