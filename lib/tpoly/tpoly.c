/* tpoly.c: tropical polynomials: memory, assignment, canonical form,
 * max-plus arithmetic and evaluation; tropical rational functions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "tpoly-internal.h"

void trop_tpoly_init(trop_tpoly_t f, slong nvars)
{
    TROP_ASSERT(nvars >= 0);
    f->nvars = nvars;
    f->length = f->alloc = 0;
    f->exps = NULL;
    f->coefs = NULL;
}

void trop_tpoly_clear(trop_tpoly_t f)
{
    if (f->alloc) {
        _fmpq_vec_clear(f->exps, f->alloc * f->nvars);
        _fmpq_vec_clear(f->coefs, f->alloc);
    }
}

void trop_tpoly_fit_length(trop_tpoly_t f, slong len)
{
    slong n = f->nvars, old = f->alloc, i;
    if (len <= old)
        return;
    len = FLINT_MAX(len, 2 * old);
    f->exps = flint_realloc(f->exps, (size_t)(len * n) * sizeof(fmpq));
    f->coefs = flint_realloc(f->coefs, (size_t)len * sizeof(fmpq));
    for (i = old * n; i < len * n; i++)
        fmpq_init(f->exps + i);
    for (i = old; i < len; i++)
        fmpq_init(f->coefs + i);
    f->alloc = len;
}

void trop_tpoly_swap(trop_tpoly_t f, trop_tpoly_t g)
{
    trop_tpoly_struct t = *f;
    *f = *g;
    *g = t;
}

void trop_trat_init(trop_trat_t f, slong nvars)
{
    trop_tpoly_init(f->num, nvars);
    trop_tpoly_init(f->den, nvars);
}

void trop_trat_clear(trop_trat_t f)
{
    trop_tpoly_clear(f->num);
    trop_tpoly_clear(f->den);
}

void trop_tpoly_set(trop_tpoly_t f, const trop_tpoly_t g)
{
    slong i;
    TROP_ASSERT(f->nvars == g->nvars);
    if (f == g)
        return;
    trop_tpoly_fit_length(f, g->length);
    for (i = 0; i < g->length * g->nvars; i++)
        fmpq_set(f->exps + i, g->exps + i);
    for (i = 0; i < g->length; i++)
        fmpq_set(f->coefs + i, g->coefs + i);
    f->length = g->length;
}

void trop_tpoly_zero(trop_tpoly_t f)
{
    f->length = 0;
}

void trop_tpoly_one(trop_tpoly_t f)
{
    trop_tpoly_set_term(f, NULL, NULL);
}

void trop_tpoly_set_term(trop_tpoly_t f, const fmpq *a, const fmpq_t c)
{
    f->length = 0;
    trop_tpoly_push_term(f, a, c);
}

void trop_tpoly_push_term(trop_tpoly_t f, const fmpq *a, const fmpq_t c)
{
    slong j, n = f->nvars;
    trop_tpoly_fit_length(f, f->length + 1);
    for (j = 0; j < n; j++) {
        if (a == NULL)
            fmpq_zero(TPOLY_EXP(f, f->length) + j);
        else
            fmpq_set(TPOLY_EXP(f, f->length) + j, a + j);
    }
    if (c == NULL)
        fmpq_zero(f->coefs + f->length);
    else
        fmpq_set(f->coefs + f->length, c);
    f->length++;
}

int _tpoly_exp_cmp(const fmpq *a, const fmpq *b, slong n)
{
    slong j;
    for (j = 0; j < n; j++) {
        int c = fmpq_cmp(a + j, b + j);
        if (c)
            return c;
    }
    return 0;
}

/* qsort has no context argument in C11: sort an array of pointers to the
 * rows, each row carrying its own length in a small header. */
typedef struct { const fmpq *exp; slong n; slong idx; } row_ref;

static int row_ref_cmp(const void *x, const void *y)
{
    const row_ref *a = x, *b = y;
    int c = _tpoly_exp_cmp(a->exp, b->exp, a->n);
    return c ? c : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

void trop_tpoly_canonicalise(trop_tpoly_t f)
{
    slong i, j, n = f->nvars, len = f->length, out = 0;
    row_ref *r;
    fmpq *ne, *nc;
    if (len <= 1)
        return;
    r = trop_malloc((size_t)len * sizeof(row_ref));
    for (i = 0; i < len; i++) {
        r[i].exp = TPOLY_EXP(f, i);
        r[i].n = n;
        r[i].idx = i;
    }
    qsort(r, (size_t)len, sizeof(row_ref), row_ref_cmp);
    /* Move rows into fresh storage in sorted order, merging equal
     * exponents (keep the larger coefficient).  fmpq_swap moves limbs
     * without copying. */
    ne = _fmpq_vec_init(f->alloc * n);
    nc = _fmpq_vec_init(f->alloc);
    for (i = 0; i < len; i++) {
        slong s = r[i].idx;
        if (out > 0 && _tpoly_exp_cmp(ne + (out - 1) * n, TPOLY_EXP(f, s), n) == 0) {
            if (fmpq_cmp(f->coefs + s, nc + out - 1) > 0)
                fmpq_swap(nc + out - 1, f->coefs + s);
            continue;
        }
        for (j = 0; j < n; j++)
            fmpq_swap(ne + out * n + j, TPOLY_EXP(f, s) + j);
        fmpq_swap(nc + out, f->coefs + s);
        out++;
    }
    _fmpq_vec_clear(f->exps, f->alloc * n);
    _fmpq_vec_clear(f->coefs, f->alloc);
    f->exps = ne;
    f->coefs = nc;
    f->length = out;
    trop_free(r);
}

int trop_tpoly_equal(const trop_tpoly_t f, const trop_tpoly_t g)
{
    slong i;
    if (f->nvars != g->nvars || f->length != g->length)
        return 0;
    for (i = 0; i < f->length * f->nvars; i++)
        if (!fmpq_equal(f->exps + i, g->exps + i))
            return 0;
    for (i = 0; i < f->length; i++)
        if (!fmpq_equal(f->coefs + i, g->coefs + i))
            return 0;
    return 1;
}

void trop_tpoly_add(trop_tpoly_t f, const trop_tpoly_t g, const trop_tpoly_t h)
{
    trop_tpoly_t t;
    slong i;
    TROP_ASSERT(g->nvars == h->nvars && f->nvars == g->nvars);
    trop_tpoly_init(t, g->nvars);
    trop_tpoly_fit_length(t, g->length + h->length);
    for (i = 0; i < g->length; i++)
        trop_tpoly_push_term(t, TPOLY_EXP(g, i), g->coefs + i);
    for (i = 0; i < h->length; i++)
        trop_tpoly_push_term(t, TPOLY_EXP(h, i), h->coefs + i);
    trop_tpoly_canonicalise(t);
    trop_tpoly_swap(f, t);
    trop_tpoly_clear(t);
}

void trop_tpoly_mul(trop_tpoly_t f, const trop_tpoly_t g, const trop_tpoly_t h)
{
    trop_tpoly_t t;
    slong i, j, k, n = g->nvars;
    TROP_ASSERT(g->nvars == h->nvars && f->nvars == g->nvars);
    trop_tpoly_init(t, n);
    trop_tpoly_fit_length(t, g->length * h->length);
    for (i = 0; i < g->length; i++) {
        for (j = 0; j < h->length; j++) {
            fmpq *e = TPOLY_EXP(t, t->length);
            for (k = 0; k < n; k++)
                fmpq_add(e + k, TPOLY_EXP(g, i) + k, TPOLY_EXP(h, j) + k);
            fmpq_add(t->coefs + t->length, g->coefs + i, h->coefs + j);
            t->length++;
        }
    }
    trop_tpoly_canonicalise(t);
    trop_tpoly_swap(f, t);
    trop_tpoly_clear(t);
}

void trop_tpoly_add_const(trop_tpoly_t f, const trop_tpoly_t g, const fmpq_t c)
{
    slong i;
    trop_tpoly_set(f, g);
    for (i = 0; i < f->length; i++)
        fmpq_add(f->coefs + i, f->coefs + i, c);
}

void trop_tpoly_pow(trop_tpoly_t f, const trop_tpoly_t g, const fmpq_t s)
{
    slong i;
    TROP_ASSERT(fmpq_sgn(s) >= 0);
    if (fmpq_is_zero(s)) {
        if (g->length > 0)
            trop_tpoly_one(f);
        else
            trop_tpoly_zero(f);
        return;
    }
    trop_tpoly_set(f, g);
    for (i = 0; i < f->length * f->nvars; i++)
        fmpq_mul(f->exps + i, f->exps + i, s);
    for (i = 0; i < f->length; i++)
        fmpq_mul(f->coefs + i, f->coefs + i, s);
    /* scaling by s > 0 keeps the order and the distinctness of exponents */
}

int trop_tpoly_eval_q(fmpq_t res, const trop_tpoly_t f, const fmpq *x, slong *argmax)
{
    fmpq_t v;
    slong i, best = 0;
    if (f->length == 0)
        return 0;
    fmpq_init(v);
    for (i = 0; i < f->length; i++) {
        _fmpq_vec_dot(v, TPOLY_EXP(f, i), x, f->nvars);
        fmpq_add(v, v, f->coefs + i);
        if (i == 0 || fmpq_cmp(v, res) > 0) {
            fmpq_set(res, v);
            best = i;
        }
    }
    fmpq_clear(v);
    if (argmax != NULL)
        *argmax = best;
    return 1;
}

double trop_tpoly_eval_d(const trop_tpoly_t f, const double *x)
{
    double best = -HUGE_VAL;
    slong i, j;
    for (i = 0; i < f->length; i++) {
        double v = fmpq_get_d(f->coefs + i);
        for (j = 0; j < f->nvars; j++)
            v += fmpq_get_d(TPOLY_EXP(f, i) + j) * x[j];
        best = v > best ? v : best;
    }
    return best;
}

void trop_trat_eval_q(fmpq_t res, const trop_trat_t f, const fmpq *x)
{
    fmpq_t d;
    int ok;
    fmpq_init(d);
    ok = trop_tpoly_eval_q(res, f->num, x, NULL) && trop_tpoly_eval_q(d, f->den, x, NULL);
    TROP_ASSERT(ok);
    fmpq_sub(res, res, d);
    fmpq_clear(d);
}
