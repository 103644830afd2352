#!/usr/bin/env bash
# Startup benchmark: start to health UP and idle RSS of the hub on its embedded
# defaults, side by side, median of 5 runs each:
#   plain JDK 17  |  plain JDK 25  |  JDK 25 with an AOT cache (JEP 483/514, trained once here)
# Usage: scripts/bench-startup.sh [runs]      (about 2 minutes; needs target/opshub.jar and a JDK 25)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
jdk17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${JDK25:-$(ls -d /usr/lib/jvm/temurin-25-jdk* 2>/dev/null | head -1)}
[ -f target/opshub.jar ] || mvn -B -q package -DskipTests
[ -x "$jdk25/bin/java" ] || { echo "no JDK 25 (set JDK25=...)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=19000

# one run: start, poll /observe/health until 200, wait 5 s idle, read VmRSS, stop; prints "seconds rss_kib"
one() {
  local java=$1; shift
  local state; state=$(mktemp -d -p "$work")
  local start; start=$(date +%s%N)
  "$java" "$@" -Dcamel.server.port=$port -Dcamel.server.host=127.0.0.1 -Dstate.directory="$state" \
    -jar target/opshub.jar >"$state/log" 2>&1 &
  local pid=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/observe/health" 2>/dev/null; do
    kill -0 $pid 2>/dev/null || { echo "the hub exited: $(tail -5 "$state/log")" >&2; exit 1; }
    sleep 0.02
  done
  local up; up=$(date +%s%N)
  sleep 5
  local rss; rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true
  echo "$(( (up - start) / 1000000 )) $rss"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# the AOT cache, trained the way the image and the Ansible playbook train it (scripts/aot-train.sh: a run
# on this checkout's configuration that answers health and a scrape, then stops)
aot="$work/opshub.aot"
AOT_TRAIN_PORT=$port sh scripts/aot-train.sh target/opshub.jar "$aot" "$jdk25/bin/java"
[ -s "$aot" ] || { echo "no AOT cache was written"; exit 1; }

declare -A ms rss
for variant in jdk17 jdk25 aot; do
  : >"$work/$variant"
done
for i in $(seq "$runs"); do  # interleaved, so every variant sees the same machine state
  one "$jdk17/bin/java" >>"$work/jdk17"
  one "$jdk25/bin/java" >>"$work/jdk25"
  one "$jdk25/bin/java" -XX:AOTCache="$aot" >>"$work/aot"
done
for variant in jdk17 jdk25 aot; do
  ms[$variant]=$(cut -d' ' -f1 "$work/$variant" | median)
  rss[$variant]=$(cut -d' ' -f2 "$work/$variant" | median)
done
echo
echo "| JVM (median of $runs) | start to health UP, s | idle RSS, MiB | start vs plain JDK 17 |"
echo "|---|---|---|---|"
for variant in jdk17 jdk25 aot; do
  label=$([ $variant = jdk17 ] && echo "plain JDK 17" || ([ $variant = jdk25 ] && echo "plain JDK 25" || echo "JDK 25 + AOT cache"))
  awk -v l="$label" -v m="${ms[$variant]}" -v r="${rss[$variant]}" -v b="${ms[jdk17]}" \
    'BEGIN {printf "| %s | %.2f | %.0f | %.2f |\n", l, m / 1000, r / 1024, m / b}'
done
awk -v a="${ms[aot]}" -v b="${ms[jdk17]}" 'BEGIN {printf "\nratio AOT / plain JDK 17 = %.2f   (target <= 0.55)\n", a / b}'
