#!/bin/sh
# Runs the benchmarks; every figure is a ratio against a baseline run side
# by side in the same script, or an absolute time with its baseline named.
# Usage: bench/run.sh [BUILD_DIR]   (default build; a release build is best:
#   meson setup build-rel --buildtype=release && ninja -C build-rel)
set -u
B=${1:-build}
cd "$(dirname "$0")/.."
echo "== pruning: qhull filter + exact certificates vs reference exact LP (same sets)"
for spec in "2 3 12 5" "2 4 16 3" "3 3 10 3" "4 3 8 2"; do
    # shellcheck disable=SC2086
    "$B/bench/bench_prune" $spec
done
echo
echo "== pqnet: exact (P, Q) at a point and affine pieces, integer-scaled vs plain fmpq (same points)"
for bits in 60 100 200; do
    "$B/bench/bench_pqnet" data/nets/ACASXU_run2a_1_1_batch_2000.nnet 200 $bits
done
echo
echo "== tropicalize on real networks (wall time of the conversion)"
t=$("$B/tools/tropicalize" data/nets/twin_ladder-5_inp-2_layers-5_width-1_margin.nnet -q | sed -n 's/^time: //p')
echo "twin_ladder (5 inputs, 10 ReLUs), full 5-D: $t"
echo
echo "== tropicalize on the plane: exact region enumeration vs algebraic conversion (same nets)"
for w in 6 10 14; do
    "$B/bench/bench_regions" $w 3
done
echo
echo "== ACAS Xu 1_1 on the plane of inputs 0 and 1, others 0 (issue 2 target: < 10 s)"
echo "   regions method, all threads, then one thread (the ratio is the parallel speed-up)"
for th in 0 1; do
    if [ $th -eq 0 ]; then opt=""; else opt="--threads 1"; fi
    # shellcheck disable=SC2086
    "$B/tools/tropicalize" data/nets/ACASXU_run2a_1_1_batch_2000.nnet --slice-axes 0,1 -q $opt \
        >/tmp/trop-bench-acas-$th.txt 2>&1 || echo "failed: $(tail -1 /tmp/trop-bench-acas-$th.txt)"
done
grep -E '^(output|method)' /tmp/trop-bench-acas-0.txt
t0=$(sed -n 's/^time: \([0-9.]*\) s/\1/p' /tmp/trop-bench-acas-0.txt)
t1=$(sed -n 's/^time: \([0-9.]*\) s/\1/p' /tmp/trop-bench-acas-1.txt)
echo "time: $t0 s (all threads), $t1 s (one thread), ratio $(echo "$t0 / $t1" | bc -l | cut -c1-5)"
echo "   baseline: the algebraic method on the same plane, stopped after 60 s"
timeout -s INT 60 "$B/tools/tropicalize" data/nets/ACASXU_run2a_1_1_batch_2000.nnet \
    --slice-axes 0,1 --method algebra -q >/tmp/trop-bench-acas-alg.txt 2>&1
rc=$?
if [ $rc -eq 0 ]; then
    grep -E '^time' /tmp/trop-bench-acas-alg.txt
else
    echo "algebra: did not finish within 60 s (exit $rc)"
fi
echo
echo "== trop-regions: exact activation regions on the plane (issue 3)"
echo "   ACAS Xu 1_1, plane of inputs 0 and 1, box [-0.5,0.5]^2 (target: < 0.5 s)"
"$B/tools/trop-regions" data/nets/ACASXU_run2a_1_1_batch_2000.nnet --slice-axes 0,1 \
    --box -0.5,0.5 --no-linear -q | grep -E '^(activation|after|time)'
echo "   the same with the linear regions"
"$B/tools/trop-regions" data/nets/ACASXU_run2a_1_1_batch_2000.nnet --slice-axes 0,1 \
    --box -0.5,0.5 -q | grep -E '^(linear regions:|time)'
echo "   random 2-64-64-64-1 ReLU nets (exact count vs the double-precision search, same nets)"
"$B/bench/bench_count" 64 3 2
echo "   scaling with width (depth 3) and depth (width 32)"
for w in 16 32 48; do "$B/bench/bench_count" $w 3 2; done
for d in 2 4 5; do "$B/bench/bench_count" 32 $d 2; done
echo "   input dimension 2..6 (width 32, depth 3), counted on the plane of inputs 0 and 1"
for n in 2 3 4 6; do "$B/bench/bench_count" 32 3 2 0 $n; done
echo
echo "== activation regions in n dimensions: the whole box [-1,1]^n of n-16-16-1 ReLU nets,"
echo "   n = 2..6 (baseline at n = 2: the plane engine on the same nets)"
"$B/bench/bench_regionn" 16 2 2 6
echo "   ACAS Xu 1_1 in the 5-D box [-1/20,1/20]^5, all threads then one"
"$B/tools/trop-regions" data/nets/ACASXU_run2a_1_1_batch_2000.nnet --box -0.05,0.05 -q | grep -E '^(activation|after|time)'
"$B/tools/trop-regions" data/nets/ACASXU_run2a_1_1_batch_2000.nnet --box -0.05,0.05 -q --threads 1 | grep -E '^time' | sed 's/^/one thread: /' 
echo "   (regions of the full n-D input space are not enumerated yet)"
