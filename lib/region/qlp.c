/* qlp.c: an exact dense simplex over fmpq for the small linear programs of
 * the n-D engine (regionn.c): maximise obj . y over {y : h_k(y) >= 0} from a
 * feasible start y0.  Only the fallback of the engine uses it, when its
 * filtered double decisions cannot decide, so it is written for clarity:
 * the textbook tableau with Bland's rule, which cannot cycle.
 *
 * The variables y are free; with d = y - y0 = dp - dm (dp, dm >= 0) and a
 * slack s_k per row, row k reads -c_k . dp + c_k . dm + s_k = h_k(y0) >= 0,
 * so the slacks are a feasible first basis. */
#include <stdlib.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "region-internal.h"

typedef struct {
    slong m, ncol;      /* rows; columns 2d + m */
    fmpq *T;            /* [m x ncol] */
    fmpq *rhs;          /* [m] */
    fmpq *r;            /* [ncol] reduced costs (maximise: enter if > 0) */
    fmpq_t val;         /* objective value - obj . y0 */
    slong *basis;       /* [m] the basic column of each row */
} qtab;

static void qtab_pivot(qtab *t, slong p, slong q)
{
    slong i, j, n = t->ncol;
    fmpq_t f;
    fmpq *rowp = t->T + p * n;
    fmpq_init(f);
    fmpq_inv(f, rowp + q);
    for (j = 0; j < n; j++)
        fmpq_mul(rowp + j, rowp + j, f);
    fmpq_mul(t->rhs + p, t->rhs + p, f);
    for (i = 0; i < t->m; i++) {
        fmpq *row = t->T + i * n;
        if (i == p || fmpq_is_zero(row + q))
            continue;
        fmpq_set(f, row + q);
        for (j = 0; j < n; j++)
            if (!fmpq_is_zero(rowp + j))
                fmpq_submul(row + j, f, rowp + j);
        fmpq_submul(t->rhs + i, f, t->rhs + p);
    }
    if (!fmpq_is_zero(t->r + q)) {
        fmpq_set(f, t->r + q);
        for (j = 0; j < n; j++)
            if (!fmpq_is_zero(rowp + j))
                fmpq_submul(t->r + j, f, rowp + j);
        fmpq_addmul(t->val, f, t->rhs + p);
    }
    t->basis[p] = q;
    fmpq_clear(f);
}

int _trop_qlp_max(fmpq *ystar, fmpq_t value, const fmpq *h, slong m, slong d,
                  const fmpq *obj, const fmpq *y0)
{
    qtab t;
    slong i, j, k, n = 2 * d + m;
    int status = 0;
    fmpq_t v, ratio, best;
    fmpq_init(v);
    fmpq_init(ratio);
    fmpq_init(best);
    t.m = m;
    t.ncol = n;
    t.T = _fmpq_vec_init(m * n);
    t.rhs = _fmpq_vec_init(m);
    t.r = _fmpq_vec_init(n);
    fmpq_init(t.val);
    t.basis = trop_malloc((size_t)m * sizeof(slong));
    for (k = 0; k < m; k++) {
        const fmpq *c = h + k * (d + 1);
        /* rhs = h_k(y0) */
        fmpq_set(t.rhs + k, c + d);
        for (j = 0; j < d; j++) {
            fmpq_addmul(t.rhs + k, c + j, y0 + j);
            fmpq_neg(t.T + k * n + j, c + j);
            fmpq_set(t.T + k * n + d + j, c + j);
        }
        fmpq_one(t.T + k * n + 2 * d + k);
        t.basis[k] = 2 * d + k;
        TROP_ASSERT(fmpq_sgn(t.rhs + k) >= 0);
    }
    for (j = 0; j < d; j++) {
        fmpq_set(t.r + j, obj + j);
        fmpq_neg(t.r + d + j, obj + j);
    }
    for (;;) {
        slong q = -1, p = -1;
        for (j = 0; j < n && q < 0; j++)
            if (fmpq_sgn(t.r + j) > 0)
                q = j;
        if (q < 0)
            break;              /* optimal */
        for (i = 0; i < m; i++) {
            const fmpq *a = t.T + i * n + q;
            if (fmpq_sgn(a) <= 0)
                continue;
            fmpq_div(ratio, t.rhs + i, a);
            if (p < 0 || fmpq_cmp(ratio, best) < 0
                || (fmpq_equal(ratio, best) && t.basis[i] < t.basis[p])) {
                p = i;
                fmpq_set(best, ratio);
            }
        }
        if (p < 0) {
            status = 1;         /* unbounded */
            break;
        }
        qtab_pivot(&t, p, q);
    }
    if (status == 0) {
        for (j = 0; j < d; j++)
            fmpq_set(ystar + j, y0 + j);
        for (i = 0; i < m; i++) {
            slong b = t.basis[i];
            if (b < d)
                fmpq_add(ystar + b, ystar + b, t.rhs + i);
            else if (b < 2 * d)
                fmpq_sub(ystar + b - d, ystar + b - d, t.rhs + i);
        }
        _trop_qvec_dot(value, obj, ystar, d);
    }
    fmpq_clear(v);
    fmpq_clear(ratio);
    fmpq_clear(best);
    _fmpq_vec_clear(t.T, m * n);
    _fmpq_vec_clear(t.rhs, m);
    _fmpq_vec_clear(t.r, n);
    fmpq_clear(t.val);
    trop_free(t.basis);
    return status;
}
