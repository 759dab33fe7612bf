/* tools/export.h: tropical rational functions in the languages of other
 * systems (polymake, OSCAR), for tropicalize --format. */
#ifndef TROP_TOOLS_EXPORT_H
#define TROP_TOOLS_EXPORT_H
#include <stdio.h>
#include "trop/trop.h"

/* Writes F: [nout] (each P - Q in nvars variables, var the variable name
 * of the report) as a polymake script (application "tropical"): after
 * script("FILE") the arrays @P and @Q hold, for each output k, P_k and Q_k
 * as Polynomial<TropicalNumber<Max>, Rational> (rational coefficients and
 * exponents, exactly ours).  what: a line describing the network.  A
 * polynomial with no terms is not written (tropicalize never makes one). */
void export_polymake(FILE *fp, const trop_trat_struct *F, slong nout, slong nvars,
                     const char *var, const char *what);

/* The change of variables that gives F integer exponents for OSCAR: sets D
 * to the least common multiple of the denominators of all exponents of all
 * P and Q.  Returns 0, or -1 when some D a is negative or needs more than 62
 * bits (OSCAR's exponents are nonnegative Int). */
int export_oscar_scale(fmpz_t D, const trop_trat_struct *F, slong nout);

/* Writes F: [nout] as a Julia script for OSCAR (1.0 or later): after
 * include("FILE") the vectors P and Q hold, for output k (from 1), P_k and
 * Q_k as polynomials over tropical_semiring(max) in u0 .. u{nvars-1} with
 * every exponent D a, u = x / D (D from export_oscar_scale, which must have
 * returned 0), so that the network's output k is P[k](x / D) - Q[k](x / D);
 * network_output(k, x) computes it.  var: our variable name (x or t),
 * what: a line describing the network. */
void export_oscar(FILE *fp, const trop_trat_struct *F, slong nout, slong nvars,
                  const char *var, const char *what, const fmpz_t D);
#endif
