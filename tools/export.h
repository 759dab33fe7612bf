/* tools/export.h: tropical rational functions in the languages of other
 * systems (polymake; OSCAR is planned), for tropicalize --format. */
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
#endif
