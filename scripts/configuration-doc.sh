#!/usr/bin/env bash
# Writes docs/configuration.md from application.properties and its comments (ConfigurationDoc);
# ConfigurationDocTest fails when the two differ. Usage: scripts/configuration-doc.sh   (offline)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec java -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" org.opshub.deploy.ConfigurationDoc
