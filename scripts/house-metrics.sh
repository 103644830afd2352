#!/usr/bin/env bash
# How the project reads to a maintainer, measured from the working tree (see HouseMetrics): the share
# of route steps that are HTTP plumbing or bean calls, literals in routes, public bean methods taking
# Exchange, SQL outside the *Store classes, long classes and the README's length, each with its target.
# Usage: scripts/house-metrics.sh   (offline, about 20 s)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec java -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" org.opshub.deploy.HouseMetrics .
