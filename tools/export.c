/* export.c: tropical rational functions for other systems.  polymake's
 * application "tropical" has Polynomial<TropicalNumber<Max>, Rational>:
 * max-plus polynomials with rational coefficients and rational exponents,
 * which hold our P and Q exactly, in the network's own variables.  OSCAR's
 * polynomial rings over tropical_semiring(max) have rational coefficients
 * but exponents that are nonnegative machine integers (Int), so P and Q go
 * there after the change of variables u = x / D, which multiplies every
 * exponent by D, the common denominator.  Our exponents are nonnegative
 * already (the weights split as W = W+ - W-, Zhang, Naitzat and Lim 2018,
 * Section 5). */
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

/* ---- OSCAR ---- */

/* The least common multiple of the exponents' denominators (into D), and
 * whether D a stays a nonnegative integer of at most 62 bits for every
 * exponent entry a. */
int export_oscar_scale(fmpz_t D, const trop_trat_struct *F, slong nout)
{
    slong k, h, t, pass;
    fmpz_t e;
    int ok = 1;
    fmpz_init(e);
    fmpz_one(D);
    for (pass = 0; pass < 2; pass++)
        for (k = 0; k < nout; k++)
            for (h = 0; h < 2; h++) {
                const trop_tpoly_struct *f = h ? F[k].den : F[k].num;
                for (t = 0; t < f->length * f->nvars; t++) {
                    const fmpq *a = f->exps + t;
                    if (pass == 0) {
                        fmpz_lcm(D, D, fmpq_denref(a));
                        continue;
                    }
                    fmpz_divexact(e, D, fmpq_denref(a));
                    fmpz_mul(e, e, fmpq_numref(a));
                    if (fmpz_sgn(e) < 0 || fmpz_bits(e) > 62)
                        ok = 0;
                }
            }
    fmpz_clear(e);
    return ok ? 0 : -1;
}

/* A Julia rational: n//d in machine integers when both fit, else
 * big"n"//big"d". */
static void put_jl_q(FILE *fp, const fmpq_t x)
{
    if (fmpz_fits_si(fmpq_numref(x)) && fmpz_fits_si(fmpq_denref(x)))
        fprintf(fp, "%ld//%ld", fmpz_get_si(fmpq_numref(x)), fmpz_get_si(fmpq_denref(x)));
    else {
        fputs("big\"", fp);
        fmpz_fprint(fp, fmpq_numref(x));
        fputs("\"//big\"", fp);
        fmpz_fprint(fp, fmpq_denref(x));
        fputc('"', fp);
    }
}

/* _trop_poly([(c, [D a...]), ...]). */
static void put_jl_poly(FILE *fp, const trop_tpoly_struct *f, const fmpz_t D)
{
    slong t, i;
    fmpz_t e;
    fmpz_init(e);
    fputs("_trop_poly([", fp);
    for (t = 0; t < f->length; t++) {
        fputs(t ? ",\n      (" : "(", fp);
        put_jl_q(fp, f->coefs + t);
        fputs(", [", fp);
        for (i = 0; i < f->nvars; i++) {
            const fmpq *a = f->exps + t * f->nvars + i;
            fmpz_divexact(e, D, fmpq_denref(a));
            fmpz_mul(e, e, fmpq_numref(a));
            fprintf(fp, i ? ", %ld" : "%ld", fmpz_get_si(e));
        }
        fputs("])", fp);
    }
    fputs("])", fp);
    fmpz_clear(e);
}

void export_oscar(FILE *fp, const trop_trat_struct *F, slong nout, slong nvars,
                  const char *var, const char *what, const fmpz_t D)
{
    slong k, h, i;
    fprintf(fp, "# trop-tropicalize oscar v1\n# %s\n", what);
    fprintf(fp, "# Output k of the network (k = 1 .. %ld: Julia counts from 1) is\n"
                "#   f_k(x) = P[k](u) - Q[k](u)  at  u = x / D,\n"
                "# x = (%s_0 .. %s_%ld) our variables, u = (u0 .. u%ld) the ring's.  P[k] and\n"
                "# Q[k] are max-plus polynomials with our exact coefficients; each of our\n"
                "# terms c + <a, x> is the term c + <D a, u> here (D a: nonnegative integers).\n"
                "# Load with include(\"FILE\") after using Oscar (OSCAR 1.0 or later);\n"
                "# network_output(k, x) evaluates f_k at a vector x of rationals.\n",
            nout, var, var, nvars - 1, nvars - 1);
    fputs("using Oscar\nT = tropical_semiring(max)\nR, u = polynomial_ring(T, [", fp);
    for (i = 0; i < nvars; i++)
        fprintf(fp, i ? ", :u%ld" : ":u%ld", i);
    fputs("])\nD = ", fp);
    if (fmpz_fits_si(D))
        fmpz_fprint(fp, D);
    else {
        fputs("big\"", fp);
        fmpz_fprint(fp, D);
        fputc('"', fp);
    }
    fputs("\n"
          "function _trop_poly(terms)\n"
          "    B = MPolyBuildCtx(R)\n"
          "    for (c, e) in terms\n"
          "        push_term!(B, T(c), e)\n"
          "    end\n"
          "    return finish(B)\n"
          "end\n", fp);
    for (h = 0; h < 2; h++) {
        fprintf(fp, "%c = [\n", h ? 'Q' : 'P');
        for (k = 0; k < nout; k++) {
            fputs("  ", fp);
            put_jl_poly(fp, h ? F[k].den : F[k].num, D);
            fputs(k + 1 < nout ? ",\n" : "\n", fp);
        }
        fputs("]\n", fp);
    }
    /* QQ first: x .// D in Julia's Rational{Int} overflows for a large D */
    fputs("network_output(k, x) = QQ(evaluate(P[k], T.(QQ.(x) .// D))) - "
          "QQ(evaluate(Q[k], T.(QQ.(x) .// D)))\n", fp);
}
