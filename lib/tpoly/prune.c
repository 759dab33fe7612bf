/* prune.c: keep exactly the terms of a tropical polynomial that are strictly
 * maximal on an open set: the vertices of the upper hull of the lifted
 * points (a_i, c_i).
 *
 * Plan: canonicalise; find the affine hull of the exponents exactly and
 * project onto d coordinates where it is full-dimensional; then
 *   d = 1        exact upper hull in the plane (monotone chain);
 *   d >= 2       qhull on the lifted points proposes, exact certificates
 *                dispose: a rational point where a kept term wins strictly,
 *                a convex combination of facet vertices dominating a dropped
 *                term; anything qhull got wrong or could not do goes to the
 *                exact linear program of lp.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include <flint/fmpq_mat.h>

#include "trop/hull.h"
#include "tpoly-internal.h"

/* Removes the terms with keep[i] == 0, keeping the order. */
static void compact(trop_tpoly_t f, const char *keep)
{
    slong i, k, out = 0, n = f->nvars;
    for (i = 0; i < f->length; i++) {
        if (!keep[i])
            continue;
        if (out != i) {
            for (k = 0; k < n; k++)
                fmpq_swap(TPOLY_EXP(f, out) + k, TPOLY_EXP(f, i) + k);
            fmpq_swap(f->coefs + out, f->coefs + i);
        }
        out++;
    }
    f->length = out;
}

/* 1-D: the exponents are distinct points on a line, and coordinate j
 * parametrises it injectively (t_i = a_i[j]); sort by t and run the
 * monotone chain with exact orientation tests. */
typedef struct { const fmpq *t, *c; slong idx; } pt2;

static int pt2_cmp(const void *x, const void *y)
{
    return fmpq_cmp(((const pt2 *)x)->t, ((const pt2 *)y)->t);
}

/* cross = (b.t - a.t)(c.c - a.c) - (b.c - a.c)(c.t - a.t) >= 0 means b is on
 * or below the segment ac (for a.t < b.t < c.t). */
static int not_strictly_above(const pt2 *a, const pt2 *b, const pt2 *c, fmpq_t u, fmpq_t v,
                              fmpq_t w)
{
    fmpq_sub(u, b->t, a->t);
    fmpq_sub(v, c->c, a->c);
    fmpq_mul(w, u, v);
    fmpq_sub(u, b->c, a->c);
    fmpq_sub(v, c->t, a->t);
    fmpq_submul(w, u, v);
    return fmpq_sgn(w) >= 0;
}

static void prune_1d(const trop_tpoly_t f, slong j, char *keep)
{
    slong T = f->length, i, top = 0;
    pt2 *p = trop_malloc((size_t)T * sizeof(pt2)), *st = trop_malloc((size_t)T * sizeof(pt2));
    fmpq_t u, v, w;
    fmpq_init(u); fmpq_init(v); fmpq_init(w);
    for (i = 0; i < T; i++) {
        p[i].t = TPOLY_EXP(f, i) + j;
        p[i].c = f->coefs + i;
        p[i].idx = i;
    }
    qsort(p, (size_t)T, sizeof(pt2), pt2_cmp);
    for (i = 0; i < T; i++) {
        while (top >= 2 && not_strictly_above(st + top - 2, st + top - 1, p + i, u, v, w))
            top--;
        st[top++] = p[i];
    }
    for (i = 0; i < T; i++)
        keep[i] = 0;
    for (i = 0; i < top; i++)
        keep[st[i].idx] = 1;
    fmpq_clear(u); fmpq_clear(v); fmpq_clear(w);
    trop_free(p);
    trop_free(st);
}

/* The lifted points (a_i[J], c_i) as a tpoly in d + 1 variables (only used
 * for its affine dimension). */
static slong lifted_dim(const trop_tpoly_t f, const slong *J, slong d)
{
    trop_tpoly_t g;
    slong i, r, D, *JJ = trop_malloc((size_t)(d + 1) * sizeof(slong));
    trop_tpoly_init(g, d + 1);
    trop_tpoly_fit_length(g, f->length);
    for (i = 0; i < f->length; i++) {
        for (r = 0; r < d; r++)
            fmpq_set(TPOLY_EXP(g, i) + r, TPOLY_EXP(f, i) + J[r]);
        fmpq_set(TPOLY_EXP(g, i) + d, f->coefs + i);
    }
    g->length = f->length;
    D = _tpoly_affine_dim(g, JJ);
    trop_tpoly_clear(g);
    trop_free(JJ);
    return D;
}

/* Decides term i by the exact LP (seeded with hint: [nhint]) and rechecks a
 * "dropped" answer's convex combination independently; a kept answer is
 * already checked against every term inside the LP's column generation.
 * Returns 0 if the recheck fails (a bug). */
static int decide_lp_hint(const trop_tpoly_t f, slong i, const slong *J, slong d,
                          const slong *hint, slong nhint, const double *fd, char *keep)
{
    fmpq *lam = _fmpq_vec_init(f->length);
    int ok = 1;
    keep[i] = (char)_tpoly_lp_vertex_hint(f, i, J, d, hint, nhint, fd, NULL, lam);
    if (!keep[i])
        ok = _tpoly_check_dominated(f, i, lam);
    _fmpq_vec_clear(lam, f->length);
    return ok;
}

static int decide_lp(const trop_tpoly_t f, slong i, const slong *J, slong d, char *keep)
{
    return decide_lp_hint(f, i, J, d, NULL, 0, NULL, keep);
}

/* ---- the qhull path ---- */

typedef struct {
    trop_hull_t h;
    slong d;            /* lifted dimension is d + 1 */
    char *upper;        /* [nfacets]: normal's last coordinate > 0 */
    double *fd;         /* the terms as doubles (_tpoly_dcache) */
    slong *vstart;      /* [npts + 1]: facets through point i are */
    slong *vfacets;     /* vfacets[vstart[i] .. vstart[i+1]-1] */
} qh_ctx;

/* Builds the point -> facets incidence once, so that the per-term
 * certificates look at their own facets instead of scanning all of them. */
static void incidence_init(qh_ctx *q, slong npts)
{
    slong fct, v, total = 0, *fill;
    q->vstart = trop_calloc((size_t)npts + 1, sizeof(slong));
    for (fct = 0; fct < q->h->nfacets; fct++)
        for (v = 0; v < q->h->nfv[fct]; v++)
            q->vstart[q->h->fverts[q->h->fstart[fct] + v] + 1]++;
    for (v = 0; v < npts; v++)
        q->vstart[v + 1] += q->vstart[v];
    total = q->vstart[npts];
    q->vfacets = trop_malloc((size_t)(total + 1) * sizeof(slong));
    fill = trop_malloc((size_t)(npts + 1) * sizeof(slong));
    for (v = 0; v < npts; v++)
        fill[v] = q->vstart[v];
    for (fct = 0; fct < q->h->nfacets; fct++)
        for (v = 0; v < q->h->nfv[fct]; v++)
            q->vfacets[fill[q->h->fverts[q->h->fstart[fct] + v]]++] = fct;
    trop_free(fill);
}

/* Appends to cols: [*nc], without repeats and without skip, the vertices of
 * facet fct (at most NEARBY_MAX in all). */
#define NEARBY_MAX 256

static void add_facet_vertices(slong *cols, slong *nc, const qh_ctx *q, slong fct, slong skip)
{
    const slong *fv = q->h->fverts + q->h->fstart[fct];
    slong v, k;
    for (v = 0; v < q->h->nfv[fct]; v++) {
        slong dup = fv[v] == skip;
        for (k = 0; k < *nc && !dup; k++)
            dup = cols[k] == fv[v];
        if (!dup && *nc < NEARBY_MAX)
            cols[(*nc)++] = fv[v];
    }
}

#define UPPER_EPS 1e-12

/* Kept candidate i: a point in the interior of its region.  The normal
 * cone of the lifted vertex p_i is generated by the outward normals of its
 * facets, so N = sum_upper n_f + eps * sum_other n_g (all weights > 0) lies
 * in its interior; while N's last coordinate is positive, x = N'/N_d is a
 * point where term i wins strictly (the region is unbounded when p_i has
 * lower facets, i.e. a_i is on the boundary of the Newton polytope).
 * Certified exactly; eps shrinks if rounding spoils the first tries. */
static int certify_kept(const trop_tpoly_t f, slong i, const slong *J, const qh_ctx *q)
{
    slong d = q->d, D = d + 1, t, r, tries;
    double *nu = trop_calloc((size_t)D, sizeof(double));
    double *nl = trop_calloc((size_t)D, sizeof(double));
    double eps = 1;
    fmpq *x = _fmpq_vec_init(f->nvars);
    int ok = 0;
    for (t = q->vstart[i]; t < q->vstart[i + 1]; t++) {
        slong fct = q->vfacets[t];
        const double *nrm = q->h->normals + fct * D;
        double *acc = q->upper[fct] ? nu : nl;
        for (r = 0; r < D; r++)
            acc[r] += nrm[r];
    }
    if (nl[d] < 0)
        eps = fmin(1.0, 0.5 * nu[d] / -nl[d]);
    for (tries = 0; tries < 8 && !ok && nu[d] > 0; tries++, eps *= 0.125) {
        double nd = nu[d] + eps * nl[d];
        int fin = nd > 0;
        _trop_qvec_zero(x, f->nvars);
        for (r = 0; r < d && fin; r++) {
            double xv = (nu[r] + eps * nl[r]) / nd;
            fin = isfinite(xv);
            if (fin)
                trop_q_set_d(x + J[r], xv, NULL);
        }
        ok = fin && _tpoly_check_strict_max(f, i, x, q->fd);
    }
    _fmpq_vec_clear(x, f->nvars);
    trop_free(nu);
    trop_free(nl);
    return ok;
}

/* Height of the upper facet fct above a point a (projected coordinates). */
static double facet_height(const qh_ctx *q, slong fct, const double *a)
{
    const double *nrm = q->h->normals + fct * (q->d + 1);
    double s = q->h->offsets[fct];
    slong r;
    for (r = 0; r < q->d; r++)
        s += nrm[r] * a[r];
    return -s / nrm[q->d];
}

/* Exact barycentric coordinates of a_j in the facet's d + 1 vertices; the
 * term is dominated if they are >= 0 and the facet is at least c_j there. */
static int dominated_by_facet(const trop_tpoly_t f, slong j, const slong *J, const qh_ctx *q,
                              slong fct)
{
    slong d = q->d, r, v;
    const slong *fv = q->h->fverts + q->h->fstart[fct];
    fmpq_mat_t A, b, lam;
    fmpq_t s;
    int ok;
    if (q->h->nfv[fct] != d + 1)
        return 0;
    for (v = 0; v <= d; v++)
        if (fv[v] == j)
            return 0;
    fmpq_mat_init(A, d + 1, d + 1);
    fmpq_mat_init(b, d + 1, 1);
    fmpq_mat_init(lam, d + 1, 1);
    fmpq_init(s);
    for (v = 0; v <= d; v++) {
        for (r = 0; r < d; r++)
            fmpq_set(fmpq_mat_entry(A, r, v), TPOLY_EXP(f, fv[v]) + J[r]);
        fmpq_one(fmpq_mat_entry(A, d, v));
    }
    for (r = 0; r < d; r++)
        fmpq_set(fmpq_mat_entry(b, r, 0), TPOLY_EXP(f, j) + J[r]);
    fmpq_one(fmpq_mat_entry(b, d, 0));
    ok = fmpq_mat_solve_fraction_free(lam, A, b);
    for (v = 0; v <= d && ok; v++) {
        ok = fmpq_sgn(fmpq_mat_entry(lam, v, 0)) >= 0;
        fmpq_addmul(s, fmpq_mat_entry(lam, v, 0), f->coefs + fv[v]);
    }
    ok = ok && fmpq_cmp(s, f->coefs + j) >= 0;
    fmpq_clear(s);
    fmpq_mat_clear(A);
    fmpq_mat_clear(b);
    fmpq_mat_clear(lam);
    return ok;
}

/* Dropped candidate j: try the upper facets whose height above a_j is
 * within rounding of the lowest one, lowest first.  Many lifted points of a
 * Minkowski sum lie on a common face, and qhull's triangulation ('Qt')
 * splits that face into simplices of equal height: only the simplex whose
 * projection contains a_j gives nonnegative barycentric coordinates. */
typedef struct { double h; slong f; } fh_pair;

static int fh_cmp(const void *x, const void *y)
{
    double a = ((const fh_pair *)x)->h, b = ((const fh_pair *)y)->h;
    return a < b ? -1 : (a > b);
}

#define DROP_TRIES 64

/* Second chance for a dropped candidate: qhull merges nearly coplanar
 * facets before triangulating, so the simplex above a_j may not be one of
 * the exact upper hull.  The exact LP restricted to the vertices of the
 * facets lowest above a_j (a few dozen columns instead of all terms) finds
 * the dominating combination cheaply. */
static int dominated_nearby(const trop_tpoly_t f, slong j, const slong *J, const qh_ctx *q,
                            const fh_pair *c, slong n, double hmax)
{
    slong *cols = trop_malloc(NEARBY_MAX * sizeof(slong)), nc = 0, t;
    int ok;
    for (t = 0; t < n && (t == 0 || c[t].h <= hmax); t++)
        add_facet_vertices(cols, &nc, q, c[t].f, j);
    ok = nc > 0 && _tpoly_lp_dominated_by(f, j, J, q->d, cols, nc);
    trop_free(cols);
    return ok;
}

/* Barycentric coordinates of a (projected, double) in the facet's d + 1
 * vertices, by Gaussian elimination with partial pivoting; returns the
 * smallest one (-HUGE_VAL if the simplex is numerically singular).  Only a
 * filter: the exact solve decides. */
static double min_bary_d(const trop_tpoly_t f, const slong *J, const qh_ctx *q, slong fct,
                         const double *a)
{
    slong d = q->d, m = d + 1, r, c2, k, piv;
    const slong *fv = q->h->fverts + q->h->fstart[fct];
    double *M = trop_malloc((size_t)(m * (m + 1)) * sizeof(double)), mn = HUGE_VAL;
    if (q->h->nfv[fct] != m) {
        trop_free(M);
        return -HUGE_VAL;
    }
    for (c2 = 0; c2 < m; c2++) {
        for (r = 0; r < d; r++)
            M[r * (m + 1) + c2] = q->fd[fv[c2] * (f->nvars + 1) + J[r]];
        M[d * (m + 1) + c2] = 1;
    }
    for (r = 0; r < d; r++)
        M[r * (m + 1) + m] = a[r];
    M[d * (m + 1) + m] = 1;
    for (k = 0; k < m; k++) {
        piv = k;
        for (r = k + 1; r < m; r++)
            if (fabs(M[r * (m + 1) + k]) > fabs(M[piv * (m + 1) + k]))
                piv = r;
        if (!(fabs(M[piv * (m + 1) + k]) > 1e-300)) {
            trop_free(M);
            return -HUGE_VAL;
        }
        for (c2 = 0; c2 <= m; c2++) {
            double t = M[k * (m + 1) + c2];
            M[k * (m + 1) + c2] = M[piv * (m + 1) + c2];
            M[piv * (m + 1) + c2] = t;
        }
        for (r = 0; r < m; r++) {
            double g;
            if (r == k)
                continue;
            g = M[r * (m + 1) + k] / M[k * (m + 1) + k];
            for (c2 = k; c2 <= m; c2++)
                M[r * (m + 1) + c2] -= g * M[k * (m + 1) + c2];
        }
    }
    for (k = 0; k < m; k++)
        mn = fmin(mn, M[k * (m + 1) + m] / M[k * (m + 1) + k]);
    trop_free(M);
    return mn;
}

static int certify_dropped(const trop_tpoly_t f, slong j, const slong *J, const qh_ctx *q)
{
    slong d = q->d, r, fct, n = 0, t;
    double *a = trop_malloc((size_t)d * sizeof(double)), hmin = HUGE_VAL, tol;
    fh_pair *c;
    int ok = 0;
    slong nall = 0;
    for (r = 0; r < d; r++)
        a[r] = q->fd[j * (f->nvars + 1) + J[r]];
    c = trop_malloc((size_t)(q->h->nfacets + 1) * sizeof(fh_pair));
    for (fct = 0; fct < q->h->nfacets; fct++) {
        if (!q->upper[fct])
            continue;
        c[nall].h = facet_height(q, fct, a);
        c[nall].f = fct;
        hmin = fmin(hmin, c[nall].h);
        nall++;
    }
    tol = 1e-7 * (1 + fabs(hmin));
    /* only the facets within rounding of the lowest are candidates */
    for (t = 0; t < nall; t++)
        if (c[t].h <= hmin + tol)
            c[n++] = c[t];
    qsort(c, (size_t)n, sizeof(fh_pair), fh_cmp);
    for (t = 0, r = 0; t < n && r < DROP_TRIES && !ok; t++) {
        if (t > 0 && min_bary_d(f, J, q, c[t].f, a) < -1e-6)
            continue;
        ok = dominated_by_facet(f, j, J, q, c[t].f);
        r++;
    }
    if (!ok)
        ok = dominated_nearby(f, j, J, q, c, n, hmin + tol);
    trop_free(a);
    trop_free(c);
    return ok;
}

/* The exact LP for term i, its column generation seeded with the vertices
 * of the facets through i (or, when i is no hull vertex, of none). */
static int decide_lp_near(const trop_tpoly_t f, slong i, const slong *J, const qh_ctx *q,
                          char *keep)
{
    slong *hint = trop_malloc(NEARBY_MAX * sizeof(slong)), nh = 0, t;
    int ok;
    for (t = q->vstart[i]; t < q->vstart[i + 1]; t++)
        add_facet_vertices(hint, &nh, q, q->vfacets[t], i);
    ok = decide_lp_hint(f, i, J, q->d, hint, nh, q->fd, keep);
    trop_free(hint);
    return ok;
}

/* Returns 0 if qhull could not run (the caller falls back to the LP), -1 if
 * a certificate recheck failed, 1 when done. */
static int prune_qhull(const trop_tpoly_t f, const slong *J, slong d, char *keep,
                       trop_prune_stats *st, int (*stop)(void *), void *arg)
{
    slong T = f->length, D = d + 1, n1 = f->nvars + 1, i, r, fct;
    double *pts = trop_malloc((size_t)(T * D) * sizeof(double));
    trop_hull_opts opts = {1, 0};
    qh_ctx q;
    char *cand;
    int bad = 0;
    q.fd = _tpoly_dcache(f);
    for (i = 0; i < T; i++) {
        for (r = 0; r < d; r++)
            pts[i * D + r] = q.fd[i * n1 + J[r]];
        pts[i * D + d] = q.fd[i * n1 + f->nvars];
    }
    trop_hull_init(q.h);
    q.d = d;
    if (trop_hull_compute(q.h, pts, T, D, &opts, NULL) != TROP_OK) {
        trop_hull_clear(q.h);
        trop_free(q.fd);
        trop_free(pts);
        return 0;
    }
    q.upper = trop_calloc((size_t)q.h->nfacets + 1, 1);
    incidence_init(&q, T);
    cand = trop_calloc((size_t)T, 1);
    for (fct = 0; fct < q.h->nfacets; fct++) {
        slong v;
        q.upper[fct] = q.h->normals[fct * D + d] > UPPER_EPS;
        for (v = 0; q.upper[fct] && v < q.h->nfv[fct]; v++)
            cand[q.h->fverts[q.h->fstart[fct] + v]] = 1;
    }
    for (i = 0; i < T && bad >= 0; i++) {
        int sure;
        if (stop != NULL && (i & 15) == 15 && stop(arg)) {
            bad = -1;                      /* interrupted: nothing decided is used */
            break;
        }
        sure = cand[i] ? certify_kept(f, i, J, &q) : certify_dropped(f, i, J, &q);
        if (sure) {
            keep[i] = cand[i];
            st->certified_qhull++;
        } else {
            if (!decide_lp_near(f, i, J, &q, keep))
                bad = 1;
            st->certified_lp++;
        }
    }
    trop_free(cand);
    trop_free(q.fd);
    trop_free(q.vstart);
    trop_free(q.vfacets);
    trop_free(q.upper);
    trop_hull_clear(q.h);
    trop_free(pts);
    return bad < 0 ? -2 : (bad ? -1 : 1);
}

static trop_status prune_impl(trop_tpoly_t f, trop_prune_stats *stats, int use_qhull,
                              int (*stop)(void *), void *arg, trop_error *err)
{
    trop_prune_stats local = {0, 0, 0, 0, 0, 0};
    trop_status status = TROP_OK;
    slong T, d, i, *J;
    char *keep;
    int q = 0, bad = 0;
    trop_tpoly_canonicalise(f);
    T = f->length;
    local.input = T;
    if (T <= 1) {
        local.kept = T;
        local.certified_exact = T;
        goto done;
    }
    J = trop_malloc((size_t)(f->nvars + 1) * sizeof(slong));
    keep = trop_calloc((size_t)T, 1);
    d = _tpoly_affine_dim(f, J);
    if (d == 1) {
        prune_1d(f, J[0], keep);
        local.certified_exact = T;
    } else {
        /* No qhull (reference), or the lifted points are flat (all terms
         * tie along a hyperplane: qhull would see a lower-dimensional set),
         * or qhull failed: decide every term exactly. */
        if (use_qhull && lifted_dim(f, J, d) > d)
            q = prune_qhull(f, J, d, keep, &local, stop, arg);
        bad = q == -1;
        for (i = 0; q == 0 && i < T; i++) {
            if (stop != NULL && (i & 15) == 15 && stop(arg)) {
                q = -2;
                break;
            }
            bad |= !decide_lp(f, i, J, d, keep);
        }
        if (q == 0)
            local.certified_lp = T;
    }
    if (q == -2)
        status = trop_error_set(err, TROP_ERR_INTERRUPTED, "tpoly",
                                "stopped while pruning %ld terms", T);
    else if (bad)
        status = trop_error_set(err, TROP_ERR_INTERNAL, "tpoly",
                                "pruning: a certificate failed its exact recheck (%ld terms)", T);
    else
        compact(f, keep);
    local.kept = f->length;
    trop_free(keep);
    trop_free(J);
done:
    local.dropped = local.input - local.kept;
    if (stats != NULL) {
        stats->input += local.input;
        stats->kept += local.kept;
        stats->dropped += local.dropped;
        stats->certified_qhull += local.certified_qhull;
        stats->certified_exact += local.certified_exact;
        stats->certified_lp += local.certified_lp;
    }
    return status;
}

trop_status trop_tpoly_prune(trop_tpoly_t f, trop_prune_stats *stats, trop_error *err)
{
    return prune_impl(f, stats, 1, NULL, NULL, err);
}

trop_status _trop_tpoly_prune_stoppable(trop_tpoly_t f, trop_prune_stats *stats,
                                        int (*stop)(void *), void *arg, trop_error *err)
{
    return prune_impl(f, stats, 1, stop, arg, err);
}

trop_status trop_tpoly_prune_lp(trop_tpoly_t f, trop_prune_stats *stats, trop_error *err)
{
    return prune_impl(f, stats, 0, NULL, NULL, err);
}
