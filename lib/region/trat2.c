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

/* The exact pieces met so far, per function (output o's P at 2 o, its Q at
 * 2 o + 1): integer triples over the common denominator. */
typedef struct {
    slong nfun;
    fmpz **v;      /* [nfun] arrays of [len x 3] */
    slong *len, *cap;
    slong regions;
} collect;

static void collect_init(collect *c, slong nout)
{
    slong f;
    c->nfun = 2 * nout;
    c->v = trop_malloc((size_t)c->nfun * sizeof(fmpz *));
    c->len = trop_calloc((size_t)c->nfun, sizeof(slong));
    c->cap = trop_calloc((size_t)c->nfun, sizeof(slong));
    for (f = 0; f < c->nfun; f++)
        c->v[f] = NULL;
    c->regions = 0;
}

static void collect_clear(collect *c)
{
    slong f;
    for (f = 0; f < c->nfun; f++)
        if (c->v[f] != NULL)
            _fmpz_vec_clear(c->v[f], 3 * c->cap[f]);
    trop_free(c->v);
    trop_free(c->len);
    trop_free(c->cap);
}

static void collect_push(collect *c, slong f, const fmpz *t)
{
    if (c->len[f] == c->cap[f]) {
        slong nc = c->cap[f] ? 2 * c->cap[f] : 256;
        fmpz *nv = _fmpz_vec_init(3 * nc);
        slong i;
        for (i = 0; i < 3 * c->len[f]; i++)
            fmpz_swap(nv + i, c->v[f] + i);
        if (c->v[f] != NULL)
            _fmpz_vec_clear(c->v[f], 3 * c->cap[f]);
        c->v[f] = nv;
        c->cap[f] = nc;
    }
    _fmpz_vec_set(c->v[f] + 3 * c->len[f], t, 3);
    c->len[f]++;
}

/* Moves the triples of b to the end of a's and releases b. */
static void collect_merge(collect *a, collect *b)
{
    slong f, i;
    for (f = 0; f < a->nfun; f++)
        for (i = 0; i < b->len[f]; i++)
            collect_push(a, f, b->v[f] + 3 * i);
    a->regions += b->regions;
    collect_clear(b);
}

/* The processors online (at least 1). */
static slong default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (slong)n : 1;
}

static void emit_collect(const fmpz *P, const fmpz *Q, slong nout, void *arg)
{
    collect *c = arg;
    slong o;
    c->regions++;
    for (o = 0; o < nout; o++) {
        collect_push(c, 2 * o, P + 3 * o);
        collect_push(c, 2 * o + 1, Q + 3 * o);
    }
}

static int triple_cmp(const void *x, const void *y)
{
    const fmpz *a = *(const fmpz *const *)x, *b = *(const fmpz *const *)y;
    int s = fmpz_cmp(a + 0, b + 0);
    if (s == 0)
        s = fmpz_cmp(a + 1, b + 1);
    return s != 0 ? s : fmpz_cmp(a + 2, b + 2);
}

/* T = the distinct triples of function f as terms: exponent (t0, t1) / den,
 * coefficient t2 / den. */
static void collect_terms(trop_tpoly_t T, const collect *c, slong f, const fmpz_t den)
{
    slong i, n = c->len[f];
    const fmpz **ord = trop_malloc((size_t)(n > 0 ? n : 1) * sizeof(fmpz *));
    fmpq a[2];
    fmpq_t k;
    fmpq_init(a + 0); fmpq_init(a + 1); fmpq_init(k);
    for (i = 0; i < n; i++)
        ord[i] = c->v[f] + 3 * i;
    qsort(ord, (size_t)n, sizeof(fmpz *), triple_cmp);
    trop_tpoly_zero(T);
    for (i = 0; i < n; i++) {
        if (i > 0 && triple_cmp(ord + i - 1, ord + i) == 0)
            continue;
        fmpq_set_fmpz_frac(a + 0, ord[i] + 0, den);
        fmpq_set_fmpz_frac(a + 1, ord[i] + 1, den);
        fmpq_set_fmpz_frac(k, ord[i] + 2, den);
        trop_tpoly_push_term(T, a, k);
    }
    /* already canonical: the triples are sorted by (t0, t1) over one
     * positive denominator, and two pieces of a convex function never share
     * a gradient with different constants */
    fmpq_clear(a + 0); fmpq_clear(a + 1); fmpq_clear(k);
    trop_free(ord);
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
    trop_region2_opts ro = {0, NULL, NULL};
    trop_rconv_info dummy;
    rctx c;
    collect col, *cols;
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
        collect_init(cols + t, nout);
        args[t] = cols + t;
    }
    st = _trop_xregion2_enum(c.e, emit_collect, args, nth, info->per_layer, &ro, err);
    for (t = 1; t < nth; t++)
        collect_merge(cols, cols + t);
    col = cols[0];
    info->regions = col.regions;
    for (o = 0; o < nout; o++) {
        trop_tpoly_zero(res[o].num);
        trop_tpoly_zero(res[o].den);
    }
    for (f = 0; f < 2 * nout && st == TROP_OK; f++) {
        trop_tpoly_struct *T = f % 2 ? res[f / 2].den : res[f / 2].num;
        collect_terms(T, &col, f, c.e->den);
    }
    collect_clear(&col);
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
