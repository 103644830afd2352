#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks use (real peers, network namespace tools).
# Idempotent: does nothing when everything is present. Needs root (or sudo).
set -euo pipefail
need=()
command -v Orthanc   >/dev/null || need+=(orthanc)
command -v findscu   >/dev/null || need+=(dcmtk)
command -v dcmqrscp  >/dev/null || need+=(dcmtk)
command -v ip        >/dev/null || need+=(iproute2)
command -v unshare   >/dev/null || need+=(util-linux)
command -v curl      >/dev/null || need+=(curl)
command -v mvn       >/dev/null || need+=(maven)
command -v javac     >/dev/null || need+=(openjdk-17-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
