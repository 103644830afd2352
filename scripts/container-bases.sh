#!/usr/bin/env bash
# Builds, from Debian packages, the two base images the Dockerfile's build arguments can point to when
# Docker Hub cannot be reached, as root filesystem tarballs for `podman import`:
#   build.tar    Debian 12:  Maven and OpenJDK 17 (the JDK), stands in for BUILD_IMAGE (maven:...-temurin-17)
#   runtime.tar  Debian 13:  OpenJDK 25 (the JRE), curl, passwd, stands in for RUNTIME_IMAGE
#                            (eclipse-temurin:25...-jre); JDK 25 is what the image's AOT cache needs
# Usage: scripts/container-bases.sh            prints the directory that holds both tarballs
# Needs the network (Debian's mirror) and mmdebstrap; cached under ~/.cache/opshub/container-bases by the
# hash of this script: edit it (or delete the cache) to rebuild. About 1 minute.
set -euo pipefail
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
key=$(sha256sum "$0" | cut -c1-16)
dir=${XDG_CACHE_HOME:-$HOME/.cache}/opshub/container-bases/$key
if [ -s "$dir/build.tar" ] && [ -s "$dir/runtime.tar" ]; then
  echo "$dir"
  exit 0
fi
mkdir -p "$dir"
log=$dir/mmdebstrap.log
{
  mmdebstrap --variant=apt --format=tar --include=ca-certificates,openjdk-17-jdk-headless,maven \
    bookworm "$dir/build.tar.part" "$mirror"
  mmdebstrap --variant=apt --format=tar --include=ca-certificates,openjdk-25-jre-headless,curl,passwd \
    trixie "$dir/runtime.tar.part" "$mirror"
} >"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
mv "$dir/build.tar.part" "$dir/build.tar"
mv "$dir/runtime.tar.part" "$dir/runtime.tar"
echo "$dir"
