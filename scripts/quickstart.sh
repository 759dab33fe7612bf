#!/bin/sh
# Quick start, step 1: install the dependencies, build, and run the main job
# on a real network shipped in data/nets (see data/nets/PROVENANCE.md).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
[ -d build ] || meson setup build --buildtype=release
ninja -C build
echo
echo '$ build/tools/tropicalize data/nets/ACASXU_run2a_1_1_batch_2000.nnet --slice-axes 0,1 --verify 1000'
build/tools/tropicalize data/nets/ACASXU_run2a_1_1_batch_2000.nnet --slice-axes 0,1 --verify 1000
