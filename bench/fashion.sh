#!/bin/sh
# Fashion-MNIST 784-256-256-10 ReLU: trop-train against PyTorch on the CPU,
# side by side (bench/torch_mlp.py is the PyTorch twin: same network, data
# preparation, optimiser, batch size and thread count).  Reports the median
# epoch time of each and the ratio ours / PyTorch (target <= 1.0), against
# PyTorch in float32 (its default) and in float64 (the arithmetic trop-train
# uses), then one longer run of trop-train with its test accuracy (target
# >= 0.87).  Not run by meson test.  Needs dataset-fashion-mnist and
# python3-torch (Debian).
# Usage: bench/fashion.sh [BUILD_DIR [EPOCHS]]   (default build-rel, 3 epochs)
set -eu
B=${1:-build-rel}; E=${2:-3}
D=/usr/share/datasets/fashion-mnist
PY=/usr/bin/python3
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ours() {   # ours BATCH THREADS EPOCHS -> epoch seconds, then the test accuracy
    "$B/tools/trop-train" --data $D/train-images-idx3-ubyte.gz --labels $D/train-labels-idx1-ubyte.gz \
        --test-data $D/t10k-images-idx3-ubyte.gz --test-labels $D/t10k-labels-idx1-ubyte.gz \
        --valid 0 --arch 256,256 --batch "$1" --threads "$2" --epochs "$3" --json -q \
        -o "$tmp/f.bin" >"$tmp/ours.json"
    $PY -c 'import json,sys; j=json.load(open(sys.argv[1])); print(" ".join(str(e["seconds"]) for e in j["epochs"])); print(j["test"]["accuracy"])' "$tmp/ours.json"
}
theirs() {   # theirs BATCH THREADS DTYPE
    $PY bench/torch_mlp.py $D "$E" "$1" "$2" "$3" >"$tmp/torch.json"
    $PY -c 'import json,sys; j=json.load(open(sys.argv[1])); print(" ".join(str(t) for t in j["epoch_seconds"]))' "$tmp/torch.json"
}
printf '%-8s %-6s %10s %12s %12s %10s %10s\n' threads batch "ours (s)" "torch32 (s)" "torch64 (s)" "ratio/32" "ratio/64"
for th in 1 2; do
    for b in 64 128; do
        ours "$b" "$th" "$E" >"$tmp/ours.txt"
        o=$(head -1 "$tmp/ours.txt" | median)
        t32=$(theirs "$b" "$th" float32 | median)
        t64=$(theirs "$b" "$th" float64 | median)
        printf '%-8s %-6s %10.3f %12.3f %12.3f %10.2f %10.2f\n' "$th" "$b" "$o" "$t32" "$t64" \
            "$(echo "$o / $t32" | bc -l)" "$(echo "$o / $t64" | bc -l)"
    done
done
echo
echo "== accuracy: trop-train, 10 epochs, batch 64, 2 threads (target >= 0.87)"
ours 64 2 10 >"$tmp/ours.txt"
acc=$(tail -1 "$tmp/ours.txt")
echo "test accuracy: $acc"
echo "$acc" | awk '{ exit !($1 >= 0.87) }' && echo "target met" || { echo "below the target"; exit 1; }
