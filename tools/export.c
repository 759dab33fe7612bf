/* export.c: tropical rational functions for other systems.  polymake's
 * application "tropical" has Polynomial<TropicalNumber<Max>, Rational>:
 * max-plus polynomials with rational coefficients and rational exponents,
 * which hold our P and Q exactly, in the network's own variables. */
#include <stdio.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include "export.h"

static void put_q(FILE *fp, const fmpq_t x)
{
    char *s = fmpq_get_str(NULL, 10, x);
    fprintf(fp, "\"%s\"", s);
    flint_free(s);
}

/* new Polynomial<TropicalNumber<Max>, Rational>(coefficients, exponents). */
static void put_poly(FILE *fp, const trop_tpoly_struct *f)
{
    slong i, j;
    fputs("new Polynomial<TropicalNumber<Max>, Rational>(\n      "
          "new Vector<TropicalNumber<Max>>([", fp);
    for (i = 0; i < f->length; i++) {
        if (i)
            fputs(", ", fp);
        put_q(fp, f->coefs + i);
    }
    fputs("]),\n      new Matrix<Rational>([", fp);
    for (i = 0; i < f->length; i++) {
        fputs(i ? ", [" : "[", fp);
        for (j = 0; j < f->nvars; j++) {
            if (j)
                fputs(", ", fp);
            put_q(fp, f->exps + i * f->nvars + j);
        }
        fputc(']', fp);
    }
    fputs("]))", fp);
}

void export_polymake(FILE *fp, const trop_trat_struct *F, slong nout, slong nvars,
                     const char *var, const char *what)
{
    slong k, h;
    fprintf(fp, "# trop-tropicalize polymake v1\n# %s\n", what);
    fprintf(fp, "# Output k of the network is P_k - Q_k, max-plus, in the %ld variables "
                "%s_0 .. %s_%ld\n# (polymake's x_0 .. x_%ld), with rational coefficients "
                "and exponents, exactly.\n# Load with script(\"FILE\"); then $P[k] and "
                "$Q[k] are Polynomial<TropicalNumber<Max>, Rational>.\n",
            nvars, var, var, nvars - 1, nvars - 1);
    fputs("use application \"tropical\";\n", fp);
    for (h = 0; h < 2; h++) {
        fprintf(fp, "declare @%c = (\n", h ? 'Q' : 'P');
        for (k = 0; k < nout; k++) {
            fputs("  ", fp);
            put_poly(fp, h ? F[k].den : F[k].num);
            fprintf(fp, "%s\n", k + 1 < nout ? "," : "");
        }
        fputs(");\n", fp);
    }
}
