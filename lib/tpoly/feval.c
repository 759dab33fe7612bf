/* feval.c: exact evaluation of a tropical polynomial at many points, with a
 * double-precision filter.
 *
 * f(x) = max_i <a_i, x> + c_i.  In double, each value v_i carries an error
 * below e_i = REL * (|c_i| + sum_j |a_ij x_j|) + ABS: the inputs are
 * rounded once (relative error 2^-52 each), a product adds 2^-53, and the
 * nvars additions add 2^-53 of the running sum each, so the error is below
 * (3 + nvars) * 2^-52 of that sum; REL doubles it, and ABS covers
 * underflow.  With L = max_i (v_i - e_i), a lower bound on f(x), only the
 * terms with v_i + e_i >= L can be maximal; they are evaluated exactly.  On
 * real networks that is one or two terms out of tens of thousands. */
#include <float.h>
#include <math.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "tpoly-internal.h"

#define FEVAL_ABS 1e-290

void trop_tpoly_feval_init(trop_tpoly_feval_t e, const trop_tpoly_t f)
{
    slong i, n = f->length * (f->nvars + 1);
    e->f = f;
    e->d = f->length > 0 ? _tpoly_dcache(f) : NULL;
    e->finite = 1;
    for (i = 0; i < n; i++)
        if (!isfinite(e->d[i]) || fabs(e->d[i]) > DBL_MAX / 16)
            e->finite = 0;
    e->cand = trop_malloc((size_t)(f->length > 0 ? f->length : 1) * sizeof(slong));
    e->hi = trop_malloc((size_t)(f->length > 0 ? f->length : 1) * sizeof(double));
}

void trop_tpoly_feval_clear(trop_tpoly_feval_t e)
{
    trop_free(e->d);
    trop_free(e->cand);
    trop_free(e->hi);
}

int trop_tpoly_feval_q(fmpq_t res, const trop_tpoly_feval_t e, const fmpq *x)
{
    const trop_tpoly_struct *f = e->f;
    slong i, j, n = f->nvars, nc = 0;
    double xd[64], rel = (double)(3 + n) * 2 * DBL_EPSILON, lo = -HUGE_VAL;
    double *hi = e->hi;
    int first = 1;
    fmpq_t v;
    if (f->length == 0)
        return 0;
    if (!e->finite || n > 64)
        return trop_tpoly_eval_q(res, f, x, NULL);
    for (j = 0; j < n; j++) {
        xd[j] = fmpq_get_d(x + j);
        if (!isfinite(xd[j]) || fabs(xd[j]) > DBL_MAX / 16)
            return trop_tpoly_eval_q(res, f, x, NULL);
    }
    for (i = 0; i < f->length; i++) {
        const double *t = e->d + i * (n + 1);
        double s = t[n], a = fabs(t[n]), err;
        for (j = 0; j < n; j++) {
            s += t[j] * xd[j];
            a += fabs(t[j] * xd[j]);
        }
        err = rel * a + FEVAL_ABS;
        hi[i] = s + err;
        lo = fmax(lo, s - err);
    }
    for (i = 0; i < f->length; i++)
        if (hi[i] >= lo)
            e->cand[nc++] = i;
    fmpq_init(v);
    for (i = 0; i < nc; i++) {
        slong k = e->cand[i];
        _fmpq_vec_dot(v, TPOLY_EXP(f, k), x, n);
        fmpq_add(v, v, f->coefs + k);
        if (first || fmpq_cmp(v, res) > 0)
            fmpq_set(res, v);
        first = 0;
    }
    fmpq_clear(v);
    return 1;
}
