#!/bin/sh
# Properties of trop-train that need the tools together (TAP output):
#  1. the same seed gives the same net.bin byte for byte, another seed not;
#  2. the exact tools read the trained network unchanged: tropicalize
#     --verify compares P - Q with exact evaluation of the network at random
#     rational points (relu, leaky 1/10 and maxout 2), trop-regions counts it
#     (the exact slope 1/10 surviving the file is checked in test_train.c);
#  3. --json carries the epoch log with an exact slice-region count per
#     --regions-every epoch (3 of 30 epochs) and one for the network written;
#  4. a numeric target is learnt in its own units, and --eval knows it;
#  5. an interrupted run exits 1 and leaves a complete network (an earlier
#     file at the path is replaced only by a complete one).
# Usage: trop-train.sh BUILDDIR DATADIR
set -u
build=$1; data=$2
train=$build/tools/trop-train; trop=$build/tools/tropicalize; regions=$build/tools/trop-regions
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0; failed=0
check() {   # check DESCRIPTION COMMAND...
    n=$((n + 1)); d=$1; shift
    if "$@" >"$tmp/out" 2>&1; then echo "ok $n - $d"
    else echo "not ok $n - $d"; sed 's/^/# /' "$tmp/out" | head -20; failed=$((failed + 1)); fi
}
iris="--data $data/csv/iris.csv --epochs 30 --lr 0.01 --batch 16 -q"

check "seed 7 twice: identical files" sh -c "
    $train $iris --arch 8 --seed 7 -o $tmp/a.bin >/dev/null &&
    $train $iris --arch 8 --seed 7 -o $tmp/b.bin >/dev/null && cmp $tmp/a.bin $tmp/b.bin"
check "seed 8: a different file" sh -c "
    $train $iris --arch 8 --seed 8 -o $tmp/c.bin >/dev/null && ! cmp -s $tmp/a.bin $tmp/c.bin"

for act in relu leaky:1/10 maxout:2; do
    f=$tmp/net-$(echo $act | tr ':/' '__').bin
    check "$act: trained and written" $train $iris --arch 5 --act $act -o $f
    check "$act: tropicalize --verify: P - Q equals the network exactly" \
        sh -c "$trop $f --verify 200 | grep -q '0 mismatches'"
done
check "relu: trop-regions counts the 4-D box" \
    sh -c "$regions $tmp/net-relu.bin | grep -q '^activation regions: [0-9]* (exact'"
check "--json: one epoch record per epoch, slice regions every 10" sh -c "
    $train $iris --arch 8 --regions-every 10 --json -o $tmp/r.bin > $tmp/r.json &&
    test \$(grep -o '\"epoch\":' $tmp/r.json | wc -l) -eq 30 &&
    test \$(grep -o '\"slice_regions\":[0-9]' $tmp/r.json | wc -l) -eq 4 &&
    grep -q '\"slice_samples\":\[' $tmp/r.json"
check "the slice count equals trop-regions on the same exact plane" sh -c "
    pts=\$(sed -n 's/.*\"slice_points\":\[\"\([^\"]*\)\",\"\([^\"]*\)\",\"\([^\"]*\)\"\].*/\\1;\\2;\\3/p' $tmp/r.json)
    want=\$(sed -n 's/.*},\"slice_regions\":\([0-9]*\),.*/\\1/p' $tmp/r.json)
    test -n \"\$want\" &&
    $regions $tmp/r.bin --slice-points \"\$pts\" --box 0,1 --no-linear |
        grep -q \"^activation regions: \$want (exact\""

# a numeric target far from 0 (y = 1000.5 + 3 x1 - 2 |x2| on a grid): it is
# trained standardised and folded back, so the squared error in the data's
# units must be far below the target's variance (3.6: 9 var(x1)); --eval
# reads the target kind from the file and reports no accuracy
check "regression: test loss below 0.01 in the data's units" sh -c "
    $train --data $data/train/regression.csv --arch 16 --epochs 300 --lr 0.01 --batch 16 \
        -q -o $tmp/reg.bin | awk '/^test loss:/ { ok = (\$3 < 0.01) } END { exit !ok }'"
check "regression: --eval uses the stored target kind" sh -c "
    $train --eval $tmp/reg.bin --data $data/train/regression.csv > $tmp/reg.txt &&
    ! grep -q accuracy $tmp/reg.txt &&
    awk '/^loss:/ { ok = (\$2 < 0.01) } END { exit !ok }' $tmp/reg.txt"
check "regression: tropicalize --verify" sh -c "$trop $tmp/reg.bin --verify 100 | grep -q '0 mismatches'"

# interruption: a long run stopped by SIGINT after its first epochs
cp "$tmp/a.bin" "$tmp/int.bin"
$train --data $data/csv/iris.csv --arch 64,64 --epochs 1000000 -q -o "$tmp/int.bin" \
    >"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid; rc=$?
check "interrupted: exit status 1" test $rc -eq 1
check "interrupted: says which epoch the file holds" grep -q "interrupted; .* holds epoch" "$tmp/int.err"
check "interrupted: the file is a complete network" \
    sh -c "$train --eval $tmp/int.bin --data $data/csv/iris.csv | grep -q '^accuracy'"
echo "1..$n"
[ $failed -eq 0 ]
