#!/bin/sh
# Optional check (suite slow; registered only when polymake is installed):
# tropicalize --format polymake on fc_2-2-3, loaded into polymake's
# application tropical, where hand-written polymake code evaluates every
# P_k - Q_k exactly at (7/3, -5/4) from monomials_as_matrix and
# coefficients_as_vector.  Expected: 13/6, -13/12, 13/12, the network's
# exact outputs there (computed independently with Python fractions from
# the network's JSON, and by hand from FORMATS.md 1.4's weights).
# Usage: polymake-check.sh BUILDDIR DATADIR POLYMAKE
set -u
build=$1; data=$2; polymake=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/tools/tropicalize" "$data/nnet/fc_2-2-3.nnet" --format polymake -o "$tmp/f.pl" || exit 1
cat > "$tmp/eval.pl" <<PL
use application "tropical";
script("$tmp/f.pl");
my @x = (new Rational(7,3), new Rational(-5,4));
for (my \$k = 0; \$k < scalar(@P); ++\$k) {
  my @v;
  for my \$poly (\$P[\$k], \$Q[\$k]) {
    my \$M = \$poly->monomials_as_matrix; my \$c = \$poly->coefficients_as_vector;
    my \$best;
    for (my \$i = 0; \$i < \$M->rows; ++\$i) {
      my \$s = new Rational(\$c->[\$i]);
      for (my \$j = 0; \$j < \$M->cols; ++\$j) { \$s += \$M->elem(\$i,\$j) * \$x[\$j]; }
      \$best = \$s if !defined(\$best) || \$s > \$best;
    }
    push @v, \$best;
  }
  print "out \$k: ", \$v[0] - \$v[1], "\n";
}
PL
got=$("$polymake" --script "$tmp/eval.pl" 2>/dev/null | grep '^out')
want="out 0: 13/6
out 1: -13/12
out 2: 13/12"
echo "1..1"
if [ "$got" = "$want" ]; then echo "ok 1 - polymake evaluates P - Q to the network's exact values"
else echo "not ok 1 - polymake gave: $got"; exit 1; fi
