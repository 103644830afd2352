#!/usr/bin/env bash
# Runs every test: unit, component and interop (real Orthanc and dcmtk peers).
# 1. installs what the tests need, 2. resolves all Maven artifacts while the network is there (the
#    container test's image build runs Maven offline against ~/.m2), 3. builds the container test's
#    base images from Debian packages (scripts/container-bases.sh, cached), 4. runs the whole suite offline inside a private network namespace that has only loopback
#    (Orthanc and dcmqrscp bind every interface; nothing of the tests can leave the machine).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
mkdir -p target
echo "resolving Maven artifacts (log: target/prepare.log)"
mvn -B package -DskipTests >target/prepare.log 2>&1 || { tail -50 target/prepare.log; exit 1; }
# runs one unit test so that Surefire's JUnit provider is resolved too
mvn -B surefire:test -Dtest=DataSetCodecTest >>target/prepare.log 2>&1 || { tail -50 target/prepare.log; exit 1; }
mvn -B dependency:go-offline >>target/prepare.log 2>&1 || { tail -50 target/prepare.log; exit 1; }
# the formatter check (Spotless, palantir-java-format) resolves the formatter while the network is there;
# "mvn verify" below checks again. A file it would change fails here: "mvn spotless:apply" formats it
mvn -B spotless:check >>target/prepare.log 2>&1 || { tail -50 target/prepare.log; exit 1; }
echo "building the container test's base images from Debian packages (scripts/container-bases.sh)"
OPSHUB_CONTAINER_BASES=$(bash scripts/container-bases.sh)
export OPSHUB_CONTAINER_BASES
unshare -n bash -c 'ip link set lo up && exec mvn -B -o verify -Dopshub.excludedGroups=none "$@"' bash "$@"
