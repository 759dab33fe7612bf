/* linearn.c: linear regions in n dimensions, from the exact activation
 * regions of trop_regionn_count.
 *
 * Activation regions that share a facet and have the same affine map are
 * merged, transitively (union-find).  Facets come from the exact vertices
 * (trop_regionn_rec_vertices): row k of a region is a facet when the
 * vertices tight on it span a hyperplane (exact rank dim - 1).  A facet on
 * the domain's boundary has no neighbour; across any other facet the
 * neighbour is found exactly at the facet's vertex centroid c (a point of
 * its relative interior): the pattern of the points c + eps d for small
 * eps > 0,
 * with d the facet's outward normal, is computed layer by layer in exact
 * arithmetic from the value z(c) and the slope grad z . d of every unit
 * (the sign of z(c), or if that is 0 the sign of the slope; a unit with
 * both 0 takes the tie rule z >= 0).  That pattern is then looked up among
 * the enumerated regions.
 *
 * Where the activation regions meet face to face (the generic case: every
 * zero set of a unit is a manifold without boundary inside the domain, so
 * the pieces of a facet seen from its two sides match), a facet's centroid
 * sees the one neighbour that shares it, and every adjacent pair is found.
 * In degenerate networks (a unit whose zero set ends inside the domain,
 * which needs a unit identically 0 on a region) a neighbour that shares
 * only part of a facet can be missed and the count is then an upper
 * bound; tests compare it with the plane's exact edge-overlap method on
 * random and degenerate nets. */
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_vec.h>
#include <flint/fmpq_mat.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "region-internal.h"

typedef struct {
    trop_regionn_visit visit;   /* the caller's, or NULL */
    void *arg;
    const trop_net_struct *net;
    slong dim, nout, nunits, nreg, capreg;
    unsigned char *pats;        /* [nreg x nunits] */
    fmpq *maps;                 /* [nreg x nout x (dim + 1)] */
    unsigned char *ppats;       /* [nprobe x nunits]: the patterns beyond the probes */
    slong *preg;                /* [nprobe] */
    slong nprobe, capprobe;
    int failed;
    const trop_net_struct *orig;   /* decision mode: the classifier, else NULL */
    slong *label;                  /* decision mode: [nreg] its class */
    fmpq *y;                       /* decision mode: [outputs of orig] */
} lnctx;

/* The class of the classifier at x: the arg max of its outputs (ties to
 * the lower index); for one output, 0 if it is >= 0, else 1. */
static slong classify(const lnctx *x, const fmpq *pt)
{
    slong k = trop_net_output_dim(x->orig), i, best = 0;
    trop_net_eval_q(x->y, x->orig, pt);
    if (k == 1)
        return fmpq_sgn(x->y) >= 0 ? 0 : 1;
    for (i = 1; i < k; i++)
        if (fmpq_cmp(x->y + i, x->y + best) > 0)
            best = i;
    return best;
}

static void add_probe(lnctx *x, const trop_regionn_rec_struct *r, slong region, const fmpq *c,
                      const fmpz *d)
{
    if (x->nprobe == x->capprobe) {
        x->capprobe = FLINT_MAX(256, 2 * x->capprobe);
        x->ppats = trop_realloc(x->ppats, (size_t)(x->capprobe * FLINT_MAX(x->nunits, 1)));
        x->preg = trop_realloc(x->preg, (size_t)x->capprobe * sizeof(slong));
    }
    _trop_regionn_pattern_beyond(x->ppats + x->nprobe * x->nunits, r, c, d);
    x->preg[x->nprobe++] = region;
}

/* 1 if the vertices idx: [cnt] of V span an affine space of dimension
 * dim - 1 (exact rank of their differences). */
static int spans_facet(const fmpq *V, const slong *idx, slong cnt, slong dim)
{
    fmpq_mat_t M;
    slong i, j, r;
    if (cnt < dim)
        return 0;
    fmpq_mat_init(M, cnt - 1, dim);
    for (i = 1; i < cnt; i++)
        for (j = 0; j < dim; j++)
            fmpq_sub(fmpq_mat_entry(M, i - 1, j), V + idx[i] * dim + j, V + idx[0] * dim + j);
    r = fmpq_mat_rref(M, M);
    fmpq_mat_clear(M);
    return r == dim - 1;
}

static int lin_visit(const trop_regionn_rec_struct *r, void *arg)
{
    lnctx *x = arg;
    slong n = r->dim, n1 = n + 1, m = r->nrows, k, v, j, l, u, q = 0, nv, id = x->nreg;
    fmpq *rows = _fmpq_vec_init(m * n1), *V, *c = _fmpq_vec_init(n);
    fmpz *d = _fmpz_vec_init(n);
    slong *idx;
    fmpq_t s;
    fmpz_t fcnt;
    int stop = 0;
    if (x->nreg == x->capreg) {
        x->capreg = FLINT_MAX(256, 2 * x->capreg);
        x->pats = trop_realloc(x->pats, (size_t)(x->capreg * FLINT_MAX(x->nunits, 1)));
        x->maps = trop_realloc(x->maps, (size_t)(x->capreg * x->nout * n1) * sizeof(fmpq));
    }
    for (l = 0; l < r->nlayers; l++)
        for (u = 0; u < r->units[l]; u++)
            x->pats[id * x->nunits + q++] = (unsigned char)r->branch[l][u];
    if (x->orig != NULL) {
        x->label = trop_realloc(x->label, (size_t)x->capreg * sizeof(slong));
        x->label[id] = classify(x, r->point);
    } else {
        for (k = 0; k < x->nout * n1; k++)
            fmpq_init(x->maps + id * x->nout * n1 + k);
        trop_regionn_rec_map(x->maps + id * x->nout * n1, r);
    }
    x->nreg++;
    fmpq_init(s);
    fmpz_init(fcnt);
    _trop_regionn_rows(rows, r);
    nv = trop_regionn_rec_vertices(&V, r);
    if (nv < 0)
        x->failed = 1;
    idx = trop_malloc((size_t)FLINT_MAX(nv, 1) * sizeof(slong));
    for (k = 0; k < m && nv > 0; k++) {
        slong cnt = 0;
        const fmpq *g = rows + k * n1;
        if (_trop_regionn_row_unit(r, k) < 0)
            continue;                       /* the domain's boundary */
        for (v = 0; v < nv; v++) {
            fmpq_set(s, g + n);
            for (j = 0; j < n; j++)
                fmpq_addmul(s, g + j, V + v * n + j);
            if (fmpq_is_zero(s))
                idx[cnt++] = v;
        }
        if (!spans_facet(V, idx, cnt, n))
            continue;
        /* centroid, and the outward direction -grad g */
        _trop_qvec_zero(c, n);
        for (v = 0; v < cnt; v++)
            for (j = 0; j < n; j++)
                fmpq_add(c + j, c + j, V + idx[v] * n + j);
        /* the rows are integers (positive multiples of the exact maps) */
        fmpz_set_si(fcnt, cnt);
        for (j = 0; j < n; j++) {
            fmpq_div_fmpz(c + j, c + j, fcnt);
            TROP_ASSERT(fmpz_is_one(fmpq_denref(g + j)));
            fmpz_neg(d + j, fmpq_numref(g + j));
        }
        add_probe(x, r, id, c, d);
    }
    if (nv > 0)
        _fmpq_vec_clear(V, nv * n);
    trop_free(idx);
    fmpq_clear(s);
    fmpz_clear(fcnt);
    _fmpq_vec_clear(rows, m * n1);
    _fmpq_vec_clear(c, n);
    _fmpz_vec_clear(d, n);
    if (x->visit != NULL)
        stop = x->visit(r, x->arg);
    return stop;
}

/* ---- merging ---- */

static slong uf_find(slong *par, slong a)
{
    while (par[a] != a) {
        par[a] = par[par[a]];
        a = par[a];
    }
    return a;
}

static slong uf_count(slong *par, slong nreg, const lnctx *x, const slong *nbr, slong o)
{
    slong i, k, n1 = x->dim + 1, cnt = 0, lo = o < 0 ? 0 : o, hi = o < 0 ? x->nout : o + 1;
    for (i = 0; i < nreg; i++)
        par[i] = i;
    for (k = 0; k < x->nprobe; k++) {
        slong a = x->preg[k], b = nbr[k], t;
        int same = 1;
        if (b < 0)
            continue;
        if (x->orig != NULL)
            same = x->label[a] == x->label[b];
        for (t = lo * n1; x->orig == NULL && t < hi * n1 && same; t++)
            same = fmpq_equal(x->maps + a * x->nout * n1 + t, x->maps + b * x->nout * n1 + t);
        if (same) {
            a = uf_find(par, a);
            b = uf_find(par, b);
            if (a != b)
                par[a] = b;
        }
    }
    for (i = 0; i < nreg; i++)
        cnt += uf_find(par, i) == i;
    return cnt;
}

static _Thread_local const unsigned char *sort_base;
static _Thread_local slong sort_len;

static int pat_cmp(const void *a, const void *b)
{
    return memcmp(sort_base + *(const slong *)a * sort_len,
                  sort_base + *(const slong *)b * sort_len, (size_t)sort_len);
}

/* The merging of trop_regionn_linear (orig NULL) and of
 * trop_regionn_decision (net is then orig followed by its class layers). */
static trop_status merge_n(trop_regionn_count_t res, slong *linear, slong *per_output,
                           const trop_net_struct *net, const trop_net_struct *orig,
                           const fmpq *box, trop_regionn_visit visit, void *arg,
                           const trop_regionn_opts *opts, trop_error *err)
{
    lnctx x;
    trop_status st;
    slong l, k, *order, *nbr, *par, n1 = net->input_dim + 1;
    if (box == NULL)
        return trop_error_set(err, TROP_ERR_INVALID, "regions",
                              "linear and decision regions in more than two dimensions need a "
                              "box domain");
    memset(&x, 0, sizeof x);
    x.orig = orig;
    if (orig != NULL)
        x.y = _fmpq_vec_init(trop_net_output_dim(orig));
    x.visit = visit;
    x.arg = arg;
    x.net = net;
    x.dim = net->input_dim;
    x.nout = trop_net_output_dim(net);
    for (l = 0; l < net->nlayers; l++)
        if (_trop_layer_branches(net->layers + l))
            x.nunits += net->layers[l].nout;
    st = trop_regionn_count(res, net, box, lin_visit, &x, opts, err);
    if (st == TROP_OK && x.failed)
        st = trop_error_set(err, TROP_ERR_PRECISION, "regions",
                            "the vertices of a region could not be found exactly, so its "
                            "facets are unknown; linear regions not counted");
    if (st == TROP_OK) {
        /* the neighbours: sort the regions by pattern, binary-search each
         * probe's pattern (the patterns are distinct) */
        order = trop_malloc((size_t)FLINT_MAX(x.nreg, 1) * sizeof(slong));
        nbr = trop_malloc((size_t)FLINT_MAX(x.nprobe, 1) * sizeof(slong));
        par = trop_malloc((size_t)FLINT_MAX(x.nreg, 1) * sizeof(slong));
        for (k = 0; k < x.nreg; k++)
            order[k] = k;
        sort_base = x.pats;
        sort_len = FLINT_MAX(x.nunits, 1);
        qsort(order, (size_t)x.nreg, sizeof(slong), pat_cmp);
        for (k = 0; k < x.nprobe; k++) {
            slong lo = 0, hi = x.nreg;
            const unsigned char *want = x.ppats + k * x.nunits;
            nbr[k] = -1;
            while (lo < hi) {
                slong mid = (lo + hi) / 2;
                int c = memcmp(x.pats + order[mid] * x.nunits, want, (size_t)x.nunits);
                if (c == 0) {
                    nbr[k] = order[mid];
                    break;
                }
                if (c < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (nbr[k] < 0) {
                st = trop_error_set(err, TROP_ERR_INTERNAL, "regions",
                                    "a facet's neighbour has a pattern no region has (a bug)");
                break;
            }
        }
        if (st == TROP_OK) {
            *linear = uf_count(par, x.nreg, &x, nbr, -1);
            for (k = 0; per_output != NULL && k < x.nout; k++)
                per_output[k] = uf_count(par, x.nreg, &x, nbr, k);
        }
        trop_free(order);
        trop_free(nbr);
        trop_free(par);
    }
    for (k = 0; orig == NULL && k < x.nreg * x.nout * n1; k++)
        fmpq_clear(x.maps + k);
    trop_free(x.maps);
    trop_free(x.label);
    if (orig != NULL)
        _fmpq_vec_clear(x.y, trop_net_output_dim(orig));
    trop_free(x.pats);
    trop_free(x.ppats);
    trop_free(x.preg);
    return st;
}

trop_status trop_regionn_linear(trop_regionn_count_t res, slong *linear, slong *per_output,
                                const trop_net_t net, const fmpq *box,
                                trop_regionn_visit visit, void *arg,
                                const trop_regionn_opts *opts, trop_error *err)
{
    return merge_n(res, linear, per_output, net, NULL, box, visit, arg, opts, err);
}

trop_status trop_regionn_decision(trop_regionn_count_t res, slong *decision,
                                  const trop_net_t net, const fmpq *box,
                                  const trop_regionn_opts *opts, trop_error *err)
{
    /* net, then one relu unit per pair of outputs (out_i - out_j, i < j;
     * out_0 itself for one output) and a dummy linear output: the regions
     * of that net have one class each */
    trop_net_t d;
    trop_layer_struct *L;
    trop_status st;
    slong m = trop_net_output_dim(net), npair = m == 1 ? 1 : m * (m - 1) / 2, i, j, q = 0;
    trop_net_init(d, net->input_dim);
    trop_net_set(d, net);
    L = trop_net_append_layer(d, npair, TROP_ACT_RELU, NULL, 1);
    if (m == 1)
        fmpq_one(L->W);
    for (i = 0; i < m && m > 1; i++)
        for (j = i + 1; j < m; j++, q++) {
            fmpq_one(L->W + q * m + i);
            fmpq_set_si(L->W + q * m + j, -1, 1);
        }
    trop_net_append_layer(d, 1, TROP_ACT_LINEAR, NULL, 1);
    st = merge_n(res, decision, NULL, d, net, box, NULL, NULL, opts, err);
    trop_net_clear(d);
    return st;
}

/* ---- the pieces of Zhang's P and Q over R^n ---- */

typedef struct {
    trop_pqnet_t e;
    slong dim, nout, npieces, cap;
    fmpq *Pa, *Qa;          /* [nout x (dim+1)] scratch */
    fmpq *all;              /* [npieces x (2 nout) x (dim+1)]: per region */
    int failed;
} pqctx;

static void pq_grow(pqctx *x)
{
    slong w = 2 * x->nout * (x->dim + 1), k;
    if (x->npieces < x->cap)
        return;
    x->cap = FLINT_MAX(64, 2 * x->cap);
    x->all = trop_realloc(x->all, (size_t)(x->cap * w) * sizeof(fmpq));
    for (k = x->npieces * w; k < x->cap * w; k++)
        fmpq_init(x->all + k);
}

static int pq_visit(const trop_regionn_rec_struct *r, void *arg)
{
    pqctx *x = arg;
    slong w = x->nout * (x->dim + 1);
    pq_grow(x);
    if (!trop_pqnet_piece(x->Pa, x->Qa, x->e, r->point)) {
        x->failed = 1;
        return 1;
    }
    _trop_qvec_set(x->all + x->npieces * 2 * w, x->Pa, w);
    _trop_qvec_set(x->all + x->npieces * 2 * w + w, x->Qa, w);
    x->npieces++;
    return 0;
}

static _Thread_local const fmpq *pq_base;
static _Thread_local slong pq_stride, pq_off, pq_len;

static int pq_cmp(const void *a, const void *b)
{
    const fmpq *u = pq_base + *(const slong *)a * pq_stride + pq_off;
    const fmpq *v = pq_base + *(const slong *)b * pq_stride + pq_off;
    slong j;
    for (j = 0; j < pq_len; j++) {
        int c = fmpq_cmp(u + j, v + j);
        if (c != 0)
            return c;
    }
    return 0;
}

trop_status trop_regionn_pq_pieces(slong *counts, const trop_net_t net,
                                   const trop_regionn_opts *opts, trop_error *err)
{
    pqctx x;
    trop_regionn_count_t res;
    trop_status st;
    slong n1 = net->input_dim + 1, f, k, *idx;
    memset(&x, 0, sizeof x);
    x.dim = net->input_dim;
    x.nout = trop_net_output_dim(net);
    trop_pqnet_init(x.e, net);
    x.Pa = _fmpq_vec_init(x.nout * n1);
    x.Qa = _fmpq_vec_init(x.nout * n1);
    trop_regionn_count_init(res);
    st = trop_regionn_count(res, net, NULL, pq_visit, &x, opts, err);
    if (st == TROP_OK && x.failed)
        st = trop_error_set(err, TROP_ERR_PRECISION, "regions",
                            "a region's interior point lies where a unit is 0 (a unit "
                            "identically 0 on a region); the pieces were not counted");
    idx = trop_malloc((size_t)FLINT_MAX(x.npieces, 1) * sizeof(slong));
    for (f = 0; st == TROP_OK && f < 2 * x.nout; f++) {
        slong distinct = 0;
        for (k = 0; k < x.npieces; k++)
            idx[k] = k;
        pq_base = x.all;
        pq_stride = 2 * x.nout * n1;
        /* P of output o at o * n1, its Q at (nout + o) * n1 */
        pq_off = (f % 2 ? x.nout + f / 2 : f / 2) * n1;
        pq_len = n1;
        qsort(idx, (size_t)x.npieces, sizeof(slong), pq_cmp);
        for (k = 0; k < x.npieces; k++)
            distinct += k == 0 || pq_cmp(idx + k - 1, idx + k) != 0;
        counts[f] = distinct;
    }
    trop_free(idx);
    for (k = 0; k < x.cap * 2 * x.nout * n1; k++)
        fmpq_clear(x.all + k);
    trop_free(x.all);
    _fmpq_vec_clear(x.Pa, x.nout * n1);
    _fmpq_vec_clear(x.Qa, x.nout * n1);
    trop_pqnet_clear(x.e);
    trop_regionn_count_clear(res);
    return st;
}
