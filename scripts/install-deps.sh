#!/usr/bin/env bash
# Installs what the tests and benchmarks use: Debian packages (real peers: Orthanc and its DICOMweb
# plugin, dcmtk, Prometheus, Alertmanager, PostgreSQL, ansible-core; Podman and mmdebstrap for the container test; network namespace tools; Node.js) and the npm peers of src/test/node
# (the telegram-test-api Bot API emulator, versions pinned by its package-lock.json).
# Idempotent: does nothing when everything is present. Needs root (or sudo).
set -euo pipefail
need=()
command -v Orthanc   >/dev/null || need+=(orthanc)
[ -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] || need+=(orthanc-dicomweb)
command -v ansible-playbook >/dev/null || need+=(ansible-core)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v podman    >/dev/null || need+=(podman)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v nsenter   >/dev/null || need+=(util-linux)
command -v findscu   >/dev/null || need+=(dcmtk)
command -v dcmqrscp  >/dev/null || need+=(dcmtk)
command -v ip        >/dev/null || need+=(iproute2)
command -v unshare   >/dev/null || need+=(util-linux)
command -v curl      >/dev/null || need+=(curl)
command -v openssl   >/dev/null || need+=(openssl)
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v prometheus >/dev/null || need+=(prometheus)
command -v promtool  >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
command -v amtool    >/dev/null || need+=(prometheus-alertmanager)
command -v node      >/dev/null || need+=(nodejs)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
command -v runuser   >/dev/null || need+=(util-linux)
command -v npm       >/dev/null || need+=(npm)
command -v mvn       >/dev/null || need+=(maven)
command -v javac     >/dev/null || need+=(openjdk-17-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
cd "$(dirname "$0")/.."
if [ ! -f src/test/node/node_modules/telegram-test-api/package.json ]; then
  echo "installing npm test peers (src/test/node)"
  npm ci --prefix src/test/node --no-audit --no-fund >/dev/null
fi
