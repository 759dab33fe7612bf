/* trat2.c: the tropical rational functions of a two-input network, read off
 * its activation regions.
 *
 * Every term of a convex piecewise-linear P is P's affine piece on some
 * open set, and P (Zhang's P of an output, see trat.c) is affine on every
 * activation region.  exact2.c enumerates the activation regions exactly
 * and hands over the exact pieces of every P and Q on each; the distinct
 * pieces are the terms.  Because every cut was decided exactly, each region
 * is a true activation region (with interior) and together they cover the
 * plane, so the term lists are exact and complete.
 *
 * An independent proof can be run on top (opts->certify): certify.c checks,
 * by exact evaluation of the network (trop_pqnet_eval) at the vertices and
 * rays of the cells of the terms found, that no term is missing.  A failure
 * there would be a bug in the enumeration and is reported as one. */
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include <flint/fmpz_vec.h>

#include "trop/pqnet.h"
#include "trop/region.h"
#include "region-internal.h"

typedef struct {
    trop_pqnet_t e;
    slong nout;
    fmpq *P, *Q;     /* [nout]: the oracle's values */
} rctx;

/* ---- certificate and repair ---- */

typedef struct {
    rctx *c;
    slong o;
    int which;
} oracle_arg;

static void oracle(fmpq_t val, const fmpq *x, int recession, void *arg)
{
    oracle_arg *a = arg;
    trop_pqnet_eval(a->c->P, a->c->Q, a->c->e, x, recession);
    fmpq_set(val, (a->which ? a->c->Q : a->c->P) + a->o);
}

/* Proves T = f (output o, P or Q) independently of the enumeration; a
 * missing term would be a bug of exact2.c. */
static trop_status certify_one(int *certified, const trop_tpoly_t T, rctx *c, slong o,
                               int which, trop_rconv_info *info, trop_error *err)
{
    oracle_arg a = {c, o, which};
    fmpq w[2];
    trop_status st;
    fmpq_init(w + 0);
    fmpq_init(w + 1);
    st = trop_tpoly_certify2(certified, w, T, oracle, &a, &info->checks, err);
    if (st == TROP_OK && *certified == 0) {
        char *x0 = fmpq_get_str(NULL, 10, w + 0), *x1 = fmpq_get_str(NULL, 10, w + 1);
        st = trop_error_set(err, TROP_ERR_INTERNAL, "region",
                            "output %ld: %s misses a term near (%.40s, %.40s): the exact "
                            "enumeration is wrong", o, which ? "Q" : "P", x0, x1);
        flint_free(x0);
        flint_free(x1);
    }
    fmpq_clear(w + 0);
    fmpq_clear(w + 1);
    return st;
}

/* ---- collecting the pieces ---- */

/* The exact pieces met by one thread, per function (output o's P at 2 o,
 * its Q at 2 o + 1), as 4N-limb records (limbs.c). */
typedef struct {
    slong nfun, N;
    mp_limb_t **v;     /* [nfun] arrays of [len x 4N] */
    slong *len, *cap;
    slong regions;
} collect;

static void collect_init(collect *c, slong nout, slong N)
{
    c->nfun = 2 * nout;
    c->N = N;
    c->v = trop_calloc((size_t)c->nfun, sizeof(mp_limb_t *));
    c->len = trop_calloc((size_t)c->nfun, sizeof(slong));
    c->cap = trop_calloc((size_t)c->nfun, sizeof(slong));
    c->regions = 0;
}

static void collect_clear(collect *c)
{
    slong f;
    for (f = 0; f < c->nfun; f++)
        trop_free(c->v[f]);
    trop_free(c->v);
    trop_free(c->len);
    trop_free(c->cap);
}

static void collect_push(collect *c, slong f, const mp_limb_t *piece)
{
    slong rec = 4 * c->N;
    if (c->len[f] == c->cap[f]) {
        c->cap[f] = c->cap[f] ? 2 * c->cap[f] : 1024;
        c->v[f] = trop_realloc(c->v[f], (size_t)(c->cap[f] * rec) * sizeof(mp_limb_t));
    }
    memcpy(c->v[f] + c->len[f] * rec, piece, (size_t)rec * sizeof(mp_limb_t));
    c->len[f]++;
}

/* The processors online (at least 1). */
static slong default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (slong)n : 1;
}

static void emit_collect(const trop_xregion2_rec *r, void *arg)
{
    collect *c = arg;
    slong o;
    c->regions++;
    for (o = 0; o < r->nout; o++) {
        collect_push(c, 2 * o, r->P + 4 * r->N * o);
        collect_push(c, 2 * o + 1, r->Q + 4 * r->N * o);
    }
}

/* qsort has no context argument in C11: records carry their width. */
typedef struct {
    const mp_limb_t *p;
    slong N;
} rec_ref;

/* Order by gradient (d/dt0, then d/dt1): two pieces of a convex function
 * with one gradient are one piece, so the gradient alone identifies a term. */
static int rec_cmp(const void *x, const void *y)
{
    const rec_ref *a = x, *b = y;
    int s = mpn_cmp(a->p, b->p, a->N);
    return s != 0 ? s : mpn_cmp(a->p + a->N, b->p + a->N, a->N);
}

/* T = the distinct pieces of function f over all threads' collections cols:
 * [nth] as terms: exponent (d/dt0, d/dt1) / den, coefficient (c+ - c-) /
 * den.  The sort order is the canonical order. */
static void collect_terms(trop_tpoly_t T, const collect *cols, slong nth, slong f,
                          const fmpz_t den)
{
    slong i, t, n = 0, N = cols[0].N;
    rec_ref *ord;
    fmpq a[2];
    fmpq_t k;
    fmpz_t u, v;
    for (t = 0; t < nth; t++)
        n += cols[t].len[f];
    ord = trop_malloc((size_t)(n > 0 ? n : 1) * sizeof(rec_ref));
    for (t = 0, n = 0; t < nth; t++)
        for (i = 0; i < cols[t].len[f]; i++) {
            ord[n].p = cols[t].v[f] + 4 * N * i;
            ord[n++].N = N;
        }
    qsort(ord, (size_t)n, sizeof(rec_ref), rec_cmp);
    fmpq_init(a + 0); fmpq_init(a + 1); fmpq_init(k);
    fmpz_init(u); fmpz_init(v);
    trop_tpoly_zero(T);
    for (i = 0; i < n; i++) {
        const mp_limb_t *p = ord[i].p;
        if (i > 0 && rec_cmp(ord + i - 1, ord + i) == 0)
            continue;
        fmpz_set_ui_array(u, p, N);
        fmpq_set_fmpz_frac(a + 0, u, den);
        fmpz_set_ui_array(u, p + N, N);
        fmpq_set_fmpz_frac(a + 1, u, den);
        fmpz_set_ui_array(u, p + 2 * N, N);
        fmpz_set_ui_array(v, p + 3 * N, N);
        fmpz_sub(u, u, v);
        fmpq_set_fmpz_frac(k, u, den);
        trop_tpoly_push_term(T, a, k);
    }
    fmpq_clear(a + 0); fmpq_clear(a + 1); fmpq_clear(k);
    fmpz_clear(u); fmpz_clear(v);
    trop_free(ord);
}

/* The functions f = t, t + nth, ... converted by one thread. */
typedef struct {
    trop_trat_struct *res;
    const collect *cols;
    slong nth, t, nfun;
    const fmpz *den;
} terms_job;

static void *terms_run(void *arg)
{
    terms_job *j = arg;
    slong f;
    for (f = j->t; f < j->nfun; f += j->nth)
        collect_terms(f % 2 ? j->res[f / 2].den : j->res[f / 2].num, j->cols, j->nth, f, j->den);
    if (j->t > 0)
        flint_cleanup();
    return NULL;
}

/* All functions' terms, the functions shared out among nth threads. */
static void all_terms(trop_trat_struct *res, const collect *cols, slong nth, const fmpz_t den)
{
    terms_job *jobs = trop_malloc((size_t)nth * sizeof(terms_job));
    pthread_t *th = trop_malloc((size_t)nth * sizeof(pthread_t));
    char *started = trop_calloc((size_t)nth, 1);
    slong t;
    for (t = 0; t < nth; t++) {
        jobs[t].res = res;
        jobs[t].cols = cols;
        jobs[t].nth = nth;
        jobs[t].t = t;
        jobs[t].nfun = cols[0].nfun;
        jobs[t].den = den;
    }
    for (t = 1; t < nth; t++)
        started[t] = pthread_create(th + t, NULL, terms_run, jobs + t) == 0;
    terms_run(jobs + 0);
    for (t = 1; t < nth; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            terms_run(jobs + t);
    }
    trop_free(jobs);
    trop_free(th);
    trop_free(started);
}

/* ---- driver ---- */

static void rctx_init(rctx *c, const trop_net_t net)
{
    slong n = trop_net_output_dim(net);
    trop_pqnet_init(c->e, net);
    c->nout = n;
    c->P = _fmpq_vec_init(n);
    c->Q = _fmpq_vec_init(n);
}

static void rctx_clear(rctx *c)
{
    trop_pqnet_clear(c->e);
    _fmpq_vec_clear(c->P, c->nout);
    _fmpq_vec_clear(c->Q, c->nout);
}

trop_status trop_trat_vec_set_net_regions(trop_trat_struct *res, const trop_net_t net,
                                          const trop_rconv_opts *opts,
                                          trop_rconv_info *info, trop_error *err)
{
    trop_region2_opts ro = {0, NULL, NULL, 0, NULL, 0};
    trop_rconv_info dummy;
    rctx c;
    collect *cols;
    void **args;
    slong o, f, t, nth, nout = trop_net_output_dim(net);
    slong cmax = opts != NULL ? opts->certify_max_terms : 0;
    int certify = opts != NULL && opts->certify;
    trop_status st;
    TROP_ASSERT(net->input_dim == 2);
    if (info == NULL)
        info = &dummy;
    memset(info, 0, sizeof *info);
    info->nlayers = net->nlayers;
    info->per_layer = trop_calloc((size_t)net->nlayers, sizeof(slong));
    if (opts != NULL) {
        ro.max_regions = opts->max_regions;
        ro.progress = opts->progress;
        ro.progress_arg = opts->progress_arg;
    }
    rctx_init(&c, net);
    nth = opts != NULL && opts->threads > 0 ? opts->threads : default_threads();
    cols = trop_malloc((size_t)nth * sizeof(collect));
    args = trop_malloc((size_t)nth * sizeof(void *));
    for (t = 0; t < nth; t++) {
        collect_init(cols + t, nout, _trop_xregion2_width(c.e, NULL));
        args[t] = cols + t;
    }
    st = _trop_xregion2_enum(c.e, NULL, NULL, emit_collect, args, nth, info->per_layer, &ro,
                             err);
    for (t = 0; t < nth; t++)
        info->regions += cols[t].regions;
    for (o = 0; o < nout; o++) {
        trop_tpoly_zero(res[o].num);
        trop_tpoly_zero(res[o].den);
    }
    if (st == TROP_OK)
        all_terms(res, cols, nth, c.e->den);
    for (t = 0; t < nth; t++)
        collect_clear(cols + t);
    trop_free(cols);
    trop_free(args);
    for (f = 0; f < 2 * nout && st == TROP_OK && certify; f++) {
        trop_tpoly_struct *T = f % 2 ? res[f / 2].den : res[f / 2].num;
        int cert = 0;
        if (T->length > 0 && (cmax <= 0 || T->length <= cmax))
            st = certify_one(&cert, T, &c, f / 2, (int)(f % 2), info, err);
        if (cert == 1)
            info->proven++;
        else
            info->unproven++;
    }
    rctx_clear(&c);
    if (st != TROP_OK)
        for (o = 0; o < nout; o++) {
            trop_tpoly_zero(res[o].num);
            trop_tpoly_zero(res[o].den);
        }
    if (info == &dummy)
        trop_free(dummy.per_layer);
    return st;
}
