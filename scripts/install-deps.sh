#!/bin/sh
# Installs the build and test dependencies from Debian 12 (bookworm).
# Used by the README's Quick start and by .ci/run.  Needs root (or sudo).
set -eu
PKGS="gcc meson ninja-build pkg-config libgmp-dev libmpfr-dev libflint-dev libqhull-dev
      libjson-c-dev zlib1g-dev libcsv-dev libopenblas-dev
      libprotobuf-c-dev protobuf-c-compiler libonnx-dev check"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y --no-install-recommends $PKGS >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y --no-install-recommends $PKGS
fi
echo "install-deps: ok ($(echo $PKGS | wc -w) packages)"
