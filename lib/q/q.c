/* q.c: the double <-> rational crossing and small rational helpers. */
#include <math.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "trop/q.h"

trop_status trop_q_set_d(fmpq_t res, double d, trop_error *err)
{
    mpq_t t;
    if (!isfinite(d)) {
        fmpq_zero(res);
        return trop_error_set(err, TROP_ERR_INVALID, "q", "%s is not a finite number",
                              isnan(d) ? "NaN" : "infinity");
    }
    /* mpq_set_d is exact: every finite double is a dyadic rational. */
    mpq_init(t);
    mpq_set_d(t, d);
    fmpq_set_mpq(res, t);
    mpq_clear(t);
    return TROP_OK;
}

double trop_q_get_d(const fmpq_t x)
{
    return fmpq_get_d(x);
}

char *trop_q_get_str(const fmpq_t x)
{
    return fmpq_get_str(NULL, 10, x);
}

void trop_q_limit_den(fmpq_t res, const fmpq_t x, const fmpz_t maxden)
{
    /* Best rational approximation with denominator <= maxden: walk the
     * continued fraction of x, then compare the last convergent with the
     * best semiconvergent (as Python's Fraction.limit_denominator). */
    fmpz_t p0, q0, p1, q1, n, d, a, q2, k, t;
    fmpq_t b1, b2, e1, e2;
    TROP_ASSERT(fmpz_sgn(maxden) > 0);
    if (fmpz_cmp(fmpq_denref(x), maxden) <= 0) {
        fmpq_set(res, x);
        return;
    }
    fmpz_init_set_ui(p0, 0); fmpz_init_set_ui(q0, 1);
    fmpz_init_set_ui(p1, 1); fmpz_init_set_ui(q1, 0);
    fmpz_init_set(n, fmpq_numref(x)); fmpz_init_set(d, fmpq_denref(x));
    fmpz_init(a); fmpz_init(q2); fmpz_init(k); fmpz_init(t);
    for (;;) {
        fmpz_fdiv_q(a, n, d);
        fmpz_set(q2, q0);
        fmpz_addmul(q2, a, q1);
        if (fmpz_cmp(q2, maxden) > 0)
            break;
        /* (p0, q0, p1, q1) = (p1, q1, p0 + a p1, q2) */
        fmpz_set(t, p0);
        fmpz_addmul(t, a, p1);
        fmpz_swap(p0, p1); fmpz_swap(p1, t);
        fmpz_swap(q0, q1); fmpz_set(q1, q2);
        /* (n, d) = (d, n - a d) */
        fmpz_set(t, n);
        fmpz_submul(t, a, d);
        fmpz_swap(n, d); fmpz_swap(d, t);
    }
    fmpz_sub(k, maxden, q0);
    fmpz_fdiv_q(k, k, q1);
    fmpq_init(b1); fmpq_init(b2); fmpq_init(e1); fmpq_init(e2);
    fmpz_set(t, p0); fmpz_addmul(t, k, p1);
    fmpz_set(q2, q0); fmpz_addmul(q2, k, q1);
    fmpq_set_fmpz_frac(b1, t, q2);
    fmpq_set_fmpz_frac(b2, p1, q1);
    fmpq_sub(e1, b1, x); fmpq_abs(e1, e1);
    fmpq_sub(e2, b2, x); fmpq_abs(e2, e2);
    fmpq_set(res, fmpq_cmp(e2, e1) <= 0 ? b2 : b1);
    fmpq_clear(b1); fmpq_clear(b2); fmpq_clear(e1); fmpq_clear(e2);
    fmpz_clear(p0); fmpz_clear(q0); fmpz_clear(p1); fmpz_clear(q1);
    fmpz_clear(n); fmpz_clear(d); fmpz_clear(a); fmpz_clear(q2);
    fmpz_clear(k); fmpz_clear(t);
}

void _trop_qvec_dot(fmpq_t res, const fmpq *a, const fmpq *b, slong len)
{
    _fmpq_vec_dot(res, a, b, len);
}

void _trop_qvec_set(fmpq *res, const fmpq *a, slong len)
{
    slong i;
    if (res == a)
        return;
    for (i = 0; i < len; i++)
        fmpq_set(res + i, a + i);
}

void _trop_qvec_zero(fmpq *v, slong len)
{
    slong i;
    for (i = 0; i < len; i++)
        fmpq_zero(v + i);
}
