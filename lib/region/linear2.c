/* linear2.c: linear regions on the plane, from the exact activation regions.
 *
 * A linear region is a maximal connected set on which the network is one
 * affine map: activation regions that share an edge (a segment of positive
 * length) and have the same map are merged, transitively (union-find).
 * The regions tile the domain exactly, so two regions share an edge iff
 * they have edges on the same line, on opposite sides, whose segments
 * overlap with positive length.  Every edge is recorded with its line made
 * primitive (gcd 1, first nonzero of (a, b) positive), the side the region
 * is on, and its segment as an interval of s = b t0 - a t1 along the line
 * (endpoints at infinity for unbounded edges); per line, the intervals of
 * each side are disjoint, so one merge-like sweep finds every overlapping
 * pair.  All of this is exact (fmpz and fmpq). */
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_vec.h>
#include <flint/fmpq.h>

#include "region-internal.h"

/* One edge of one region. */
typedef struct {
    fmpz key[3];
    int side;
    int lo_inf, hi_inf;   /* -1, +1: the endpoint is at -inf / +inf; 0: finite */
    fmpq_t lo, hi;
    slong region;
} lseg;

typedef struct {
    lseg *seg;
    slong nseg, capseg;
    fmpz *maps;           /* [regions x nout x 3] */
    slong nreg, capreg, nout;
    fmpz line[3], p[3], q[3];
    trop_region2_visit visit;   /* the caller's, or NULL */
    void *arg;
    slong *cls;           /* decision mode: [regions] the arg max class; else NULL */
    int decision;
    int pq;               /* the functions are the P and Q of every output (2 nout) */
    fmpz_t t;
} lctx;

/* s(v) along the line key for v = (x, y, w): (b x - a y) / w, or +-inf for
 * a direction. */
static void param(fmpq_t s, int *inf, const fmpz *key, const fmpz *v, fmpz_t tmp)
{
    fmpz_mul(tmp, key + 1, v + 0);
    fmpz_submul(tmp, key + 0, v + 1);
    if (fmpz_is_zero(v + 2)) {
        *inf = fmpz_sgn(tmp);
        fmpq_zero(s);
        return;
    }
    *inf = 0;
    fmpq_set_fmpz_frac(s, tmp, v + 2);
}

/* -1, 0, 1 as (ainf, a) <, =, > (binf, b). */
static int pcmp(int ainf, const fmpq_t a, int binf, const fmpq_t b)
{
    if (ainf != binf)
        return ainf < binf ? -1 : 1;
    return ainf != 0 ? 0 : fmpq_cmp(a, b);
}

static void add_edge(lctx *c, slong region)
{
    lseg *e;
    fmpz_t g;
    int inf_p, inf_q, k;
    fmpq_t sp, sq;
    if (c->nseg == c->capseg) {
        slong i, ncap = c->capseg ? 2 * c->capseg : 1024;
        c->seg = trop_realloc(c->seg, (size_t)ncap * sizeof(lseg));
        for (i = c->capseg; i < ncap; i++) {
            for (k = 0; k < 3; k++)
                fmpz_init(c->seg[i].key + k);
            fmpq_init(c->seg[i].lo);
            fmpq_init(c->seg[i].hi);
        }
        c->capseg = ncap;
    }
    e = c->seg + c->nseg++;
    e->region = region;
    e->side = 1;
    fmpz_init(g);
    fmpz_gcd(g, c->line + 0, c->line + 1);
    fmpz_gcd(g, g, c->line + 2);
    for (k = 0; k < 3; k++)
        fmpz_divexact(e->key + k, c->line + k, g);
    if (fmpz_sgn(e->key + 0) < 0 || (fmpz_is_zero(e->key + 0) && fmpz_sgn(e->key + 1) < 0)) {
        for (k = 0; k < 3; k++)
            fmpz_neg(e->key + k, e->key + k);
        e->side = -1;
    }
    fmpq_init(sp);
    fmpq_init(sq);
    param(sp, &inf_p, e->key, c->p, g);
    param(sq, &inf_q, e->key, c->q, g);
    if (pcmp(inf_p, sp, inf_q, sq) <= 0) {
        e->lo_inf = inf_p; fmpq_set(e->lo, sp);
        e->hi_inf = inf_q; fmpq_set(e->hi, sq);
    } else {
        e->lo_inf = inf_q; fmpq_set(e->lo, sq);
        e->hi_inf = inf_p; fmpq_set(e->hi, sp);
    }
    fmpq_clear(sp);
    fmpq_clear(sq);
    fmpz_clear(g);
}

static int visit_region(const trop_region2_rec_struct *r, void *arg)
{
    lctx *c = arg;
    const trop_xregion2_rec *x = r->internal;
    slong k, n = _trop_xregion2_nedges(x), id = c->nreg;
    if (c->nreg == c->capreg) {
        slong i, ncap = c->capreg ? 2 * c->capreg : 1024;
        fmpz *nm = _fmpz_vec_init(ncap * c->nout * 3);
        for (i = 0; i < c->nreg * c->nout * 3; i++)
            fmpz_swap(nm + i, c->maps + i);
        if (c->maps != NULL)
            _fmpz_vec_clear(c->maps, c->capreg * c->nout * 3);
        c->maps = nm;
        c->capreg = ncap;
    }
    if (c->pq) {
        /* P and Q of output o as functions 2 o and 2 o + 1: (d/dt0, d/dt1,
         * c+ - c-) from the limbs */
        const trop_xregion2_rec *xr = r->internal;
        slong f, j, N = xr->N;
        for (f = 0; f < c->nout; f++) {
            const mp_limb_t *p = (f % 2 ? xr->Q : xr->P) + 4 * N * (f / 2);
            fmpz *m = c->maps + (id * c->nout + f) * 3;
            for (j = 0; j < 3; j++)
                fmpz_set_ui_array(m + j, p + j * N, N);
            fmpz_set_ui_array(c->t, p + 3 * N, N);
            fmpz_sub(m + 2, m + 2, c->t);
        }
    } else
        _fmpz_vec_set(c->maps + id * c->nout * 3, r->map, c->nout * 3);
    if (c->decision) {
        if (id % 1024 == 0)
            c->cls = trop_realloc(c->cls, (size_t)(id + 1024) * sizeof(slong));
        c->cls[id] = r->branch[r->nlayers - 1][0];
    }
    c->nreg++;
    for (k = 0; k < n; k++)
        if (_trop_xregion2_edge(c->line, c->p, c->q, x, k))
            add_edge(c, id);
    if (c->visit != NULL && c->visit(r, c->arg) != 0)
        c->visit = NULL;                    /* the caller asked to stop its visits */
    return 0;
}

static int seg_cmp(const void *x, const void *y)
{
    const lseg *a = x, *b = y;
    int k, s;
    for (k = 0; k < 3; k++)
        if ((s = fmpz_cmp(a->key + k, b->key + k)) != 0)
            return s;
    if (a->side != b->side)
        return a->side < b->side ? -1 : 1;
    return pcmp(a->lo_inf, a->lo, b->lo_inf, b->lo);
}

static int same_key(const lseg *a, const lseg *b)
{
    return fmpz_equal(a->key + 0, b->key + 0) && fmpz_equal(a->key + 1, b->key + 1)
           && fmpz_equal(a->key + 2, b->key + 2);
}

/* ---- union-find ---- */

static slong uf_find(slong *par, slong i)
{
    while (par[i] != i) {
        par[i] = par[par[i]];
        i = par[i];
    }
    return i;
}

static slong uf_union(slong *par, slong a, slong b)
{
    a = uf_find(par, a);
    b = uf_find(par, b);
    if (a == b)
        return 0;
    par[a < b ? b : a] = a < b ? a : b;
    return 1;
}

/* Unions regions a and b in the vector structure when all maps agree and
 * in output o's when map o agrees; merges counts the successful unions
 * (index 0: the vector, 1 + o: output o). */
static void join(const lctx *c, slong **par, slong *merges, slong a, slong b)
{
    slong o, all = 1;
    if (c->decision) {              /* one structure: the arg max class */
        if (c->cls[a] == c->cls[b])
            merges[0] += uf_union(par[0], a, b);
        return;
    }
    for (o = 0; o < c->nout; o++) {
        const fmpz *ma = c->maps + (a * c->nout + o) * 3, *mb = c->maps + (b * c->nout + o) * 3;
        int eq = fmpz_equal(ma + 0, mb + 0) && fmpz_equal(ma + 1, mb + 1)
                 && fmpz_equal(ma + 2, mb + 2);
        all &= eq;
        if (eq)
            merges[1 + o] += uf_union(par[1 + o], a, b);
    }
    if (all)
        merges[0] += uf_union(par[0], a, b);
}

/* The overlapping pairs of the segments [i0, i1) on one line, plus side in
 * [i0, m) and minus side in [m, i1) (sorted by lo). */
static void sweep(const lctx *c, slong i0, slong m, slong i1, slong **par, slong *merges)
{
    slong i = m, j = i0;    /* side -1 sorts before side +1: minus first */
    (void)i1;
    /* minus side: [i0, m), plus side: [m, i1) */
    while (j < m && i < i1) {
        const lseg *a = c->seg + j, *b = c->seg + i;
        /* overlap with positive length: max(lo) < min(hi) */
        const lseg *lo = pcmp(a->lo_inf, a->lo, b->lo_inf, b->lo) >= 0 ? a : b;
        const lseg *hi = pcmp(a->hi_inf, a->hi, b->hi_inf, b->hi) <= 0 ? a : b;
        if (pcmp(lo->lo_inf, lo->lo, hi->hi_inf, hi->hi) < 0)
            join(c, par, merges, a->region, b->region);
        if (hi == a)
            j++;
        else
            i++;
    }
}

static trop_status merge_regions(trop_region2_count_t res, slong *linear, slong *per_output,
                                 const trop_net_t net, const fmpq *box, trop_region2_visit visit,
                                 void *arg, const trop_region2_opts *opts, int decision, int pq,
                                 trop_error *err)
{
    lctx c;
    trop_status st;
    slong i, i0, o, k, nout = trop_net_output_dim(net) * (pq ? 2 : 1);
    slong **par, *merges;
    memset(&c, 0, sizeof c);
    c.nout = nout;
    c.visit = visit;
    c.arg = arg;
    c.decision = decision;
    c.pq = pq;
    fmpz_init(c.t);
    for (k = 0; k < 3; k++) {
        fmpz_init(c.line + k);
        fmpz_init(c.p + k);
        fmpz_init(c.q + k);
    }
    st = trop_region2_count(res, net, box, visit_region, &c, opts, err);
    par = trop_malloc((size_t)(nout + 1) * sizeof(slong *));
    merges = trop_calloc((size_t)(nout + 1), sizeof(slong));
    for (o = 0; o <= nout; o++) {
        par[o] = trop_malloc((size_t)(c.nreg > 0 ? c.nreg : 1) * sizeof(slong));
        for (i = 0; i < c.nreg; i++)
            par[o][i] = i;
    }
    if (st == TROP_OK) {
        qsort(c.seg, (size_t)c.nseg, sizeof(lseg), seg_cmp);
        for (i0 = 0; i0 < c.nseg; ) {
            slong m, i1;
            for (i1 = i0 + 1; i1 < c.nseg && same_key(c.seg + i0, c.seg + i1); i1++)
                ;
            for (m = i0; m < i1 && c.seg[m].side < 0; m++)
                ;
            sweep(&c, i0, m, i1, par, merges);
            i0 = i1;
        }
    }
    *linear = c.nreg - merges[0];
    for (o = 0; o < nout && per_output != NULL; o++)
        per_output[o] = c.nreg - merges[1 + o];
    trop_free(c.cls);
    for (o = 0; o <= nout; o++)
        trop_free(par[o]);
    trop_free(par);
    trop_free(merges);
    for (i = 0; i < c.capseg; i++) {
        for (k = 0; k < 3; k++)
            fmpz_clear(c.seg[i].key + k);
        fmpq_clear(c.seg[i].lo);
        fmpq_clear(c.seg[i].hi);
    }
    trop_free(c.seg);
    if (c.maps != NULL)
        _fmpz_vec_clear(c.maps, c.capreg * nout * 3);
    for (k = 0; k < 3; k++) {
        fmpz_clear(c.line + k);
        fmpz_clear(c.p + k);
        fmpz_clear(c.q + k);
    }
    fmpz_clear(c.t);
    return st;
}

trop_status trop_region2_linear(trop_region2_count_t res, slong *linear, slong *per_output,
                                const trop_net_t net, const fmpq *box, trop_region2_visit visit,
                                void *arg, const trop_region2_opts *opts, trop_error *err)
{
    return merge_regions(res, linear, per_output, net, box, visit, arg, opts, 0, 0, err);
}

/* net followed by the decision: one maxout unit over the outputs (rank
 * output_dim), or over (output, 0) for one output; ties go to the lower
 * row, as everywhere. */
static void decision_net(trop_net_t d, const trop_net_t net)
{
    slong m = trop_net_output_dim(net), k = m == 1 ? 2 : m, i;
    trop_layer_struct *L;
    trop_net_set(d, net);
    L = trop_net_append_layer(d, k, TROP_ACT_MAXOUT, NULL, k);
    for (i = 0; i < m; i++)
        fmpq_one(L->W + i * m + i);
}

trop_status trop_region2_decision(trop_region2_count_t res, slong *decision,
                                  const trop_net_t net, const fmpq *box,
                                  const trop_region2_opts *opts, trop_error *err)
{
    trop_net_t d;
    trop_status st;
    trop_net_init(d, 2);
    decision_net(d, net);
    st = merge_regions(res, decision, NULL, d, box, NULL, NULL, opts, 1, 0, err);
    trop_net_clear(d);
    return st;
}

trop_status trop_region2_pq_linear(slong *counts, const trop_net_t net,
                                   const trop_region2_opts *opts, trop_error *err)
{
    trop_region2_count_t res;
    slong all;
    trop_status st;
    trop_region2_count_init(res);
    st = merge_regions(res, &all, counts, net, NULL, NULL, NULL, opts, 0, 1, err);
    trop_region2_count_clear(res);
    return st;
}
