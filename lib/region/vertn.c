/* vertn.c: exact vertices and volumes of the n-D activation regions that
 * trop_regionn_count visits.
 *
 * The double guide (vertices with their tight rows) proposes each vertex;
 * the vertex itself is then solved exactly from n independent tight rows
 * and checked against every row of the region, so every reported vertex is
 * a true vertex.  Completeness is not proven per region: the volumes built
 * on the vertices must add up exactly to the domain's volume, which is the
 * global check (trop-regions --volumes reports it). */
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_vec.h>
#include <flint/fmpz_mat.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include <flint/fmpq_mat.h>

#include "trop/hull.h"
#include "region-internal.h"

/* A: [m x (n+1)] integer rows, each a positive multiple of rows[k]. */
static void rows_to_fmpz(fmpz *A, const fmpq *rows, slong m, slong n1)
{
    slong k, j;
    fmpz_t l;
    fmpz_init(l);
    for (k = 0; k < m; k++) {
        fmpz_one(l);
        for (j = 0; j < n1; j++)
            fmpz_lcm(l, l, fmpq_denref(rows + k * n1 + j));
        for (j = 0; j < n1; j++) {
            fmpz_divexact(A + k * n1 + j, l, fmpq_denref(rows + k * n1 + j));
            fmpz_mul(A + k * n1 + j, A + k * n1 + j, fmpq_numref(rows + k * n1 + j));
        }
    }
    fmpz_clear(l);
}

/* x: [n] = the point where the n rows sel are tight, if they are
 * independent and x satisfies every row; returns 1 then. */
static int solve_vertex(fmpq *x, const fmpz *A, slong m, slong n, const slong *sel)
{
    fmpz_mat_t M, B;
    fmpq_mat_t X;
    slong i, j, k, n1 = n + 1;
    int ok;
    fmpq_t v, t;
    fmpz_mat_init(M, n, n);
    fmpz_mat_init(B, n, 1);
    fmpq_mat_init(X, n, 1);
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++)
            fmpz_set(fmpz_mat_entry(M, i, j), A + sel[i] * n1 + j);
        fmpz_neg(fmpz_mat_entry(B, i, 0), A + sel[i] * n1 + n);
    }
    ok = fmpq_mat_solve_fmpz_mat(X, M, B);
    fmpq_init(v);
    fmpq_init(t);
    for (i = 0; i < n && ok; i++)
        fmpq_set(x + i, fmpq_mat_entry(X, i, 0));
    for (k = 0; k < m && ok; k++) {
        fmpz_set(fmpq_numref(v), A + k * n1 + n);
        fmpz_one(fmpq_denref(v));
        for (j = 0; j < n; j++) {
            fmpq_mul_fmpz(t, x + j, A + k * n1 + j);
            fmpq_add(v, v, t);
        }
        ok = fmpq_sgn(v) >= 0;
    }
    fmpq_clear(v);
    fmpq_clear(t);
    fmpz_mat_clear(M);
    fmpz_mat_clear(B);
    fmpq_mat_clear(X);
    return ok;
}

/* sel: [n] = n independent rows among the tight set z of a vertex, chosen
 * greedily (exact rank); returns 0 if they do not span. */
static int pick_rows(slong *sel, const fmpz *A, slong m, slong n, const ulong *z)
{
    slong k, i, j, cnt = 0, n1 = n + 1;
    for (k = 0; k < m && cnt < n; k++) {
        fmpz_mat_t M;
        if (!(z[k / FLINT_BITS] >> (k % FLINT_BITS) & 1))
            continue;
        fmpz_mat_init(M, cnt + 1, n);
        sel[cnt] = k;
        for (i = 0; i <= cnt; i++)
            for (j = 0; j < n; j++)
                fmpz_set(fmpz_mat_entry(M, i, j), A + sel[i] * n1 + j);
        if (fmpz_mat_rank(M) == cnt + 1)
            cnt++;
        fmpz_mat_clear(M);
    }
    return cnt == n;
}

/* the dimension vert_cmp compares in (set before each sort) */
static _Thread_local slong vert_n;

static int vert_cmp(const void *a, const void *b)
{
    const fmpq *x = a, *y = b;
    slong j;
    for (j = 0; j < vert_n; j++) {
        int c = fmpq_cmp(x + j, y + j);
        if (c != 0)
            return c;
    }
    return 0;
}

/* A growing list of exact points in R^n. */
typedef struct {
    fmpq *p;
    slong len, cap, n;
} vlist;

static fmpq *vlist_next(vlist *L)
{
    if (L->len == L->cap) {
        slong k, cap = FLINT_MAX(16, 2 * L->cap);
        L->p = trop_realloc(L->p, (size_t)(cap * L->n) * sizeof(fmpq));
        for (k = L->cap * L->n; k < cap * L->n; k++)
            fmpq_init(L->p + k);
        L->cap = cap;
    }
    return L->p + L->len * L->n;
}

static void vlist_clear(vlist *L)
{
    slong k;
    for (k = 0; k < L->cap * L->n; k++)
        fmpq_clear(L->p + k);
    trop_free(L->p);
}

/* The guide's vertices, each solved exactly from n independent tight rows
 * and checked; 0 if one of them fails. */
static int guide_vertices(vlist *L, const fmpz *A, slong m, const trop_regionn_rec_struct *r)
{
    slong n = r->dim, V, words, v;
    double *vx;
    ulong *Z;
    slong *sel = trop_malloc((size_t)n * sizeof(slong));
    int ok = 1;
    V = _trop_regionn_guide(&vx, &Z, &words, r);
    for (v = 0; v < V && ok; v++) {
        ok = pick_rows(sel, A, m, n, Z + v * words) && solve_vertex(vlist_next(L), A, m, n, sel);
        L->len += ok;
    }
    trop_free(vx);
    trop_free(Z);
    trop_free(sel);
    return ok && V > 0;
}

/* Every vertex, by brute force: each set of n rows that is independent
 * and whose solution satisfies every row (complete, exact; for regions the
 * guide could not resolve, such as slivers far thinner than double
 * precision).  0 if there are more than BRUTE_MAX sets. */
#define BRUTE_MAX 200000
static int brute_vertices(vlist *L, const fmpz *A, slong m, slong n)
{
    slong *sel = trop_malloc((size_t)n * sizeof(slong)), i, tried = 0;
    fmpz_t bin;
    int ok;
    fmpz_init(bin);
    fmpz_bin_uiui(bin, (ulong)m, (ulong)n);
    ok = m >= n && fmpz_cmp_si(bin, BRUTE_MAX) <= 0;
    fmpz_clear(bin);
    for (i = 0; i < n; i++)
        sel[i] = i;
    while (ok) {
        if (solve_vertex(vlist_next(L), A, m, n, sel))
            L->len++;
        tried++;
        /* next n-subset of 0..m-1 in lexicographic order */
        for (i = n - 1; i >= 0 && sel[i] == m - n + i; i--)
            ;
        if (i < 0)
            break;
        sel[i]++;
        for (i = i + 1; i < n; i++)
            sel[i] = sel[i - 1] + 1;
    }
    trop_free(sel);
    return ok;
}

/* 1 if the points span R^n affinely (exact rank of their differences). */
static int spans_space(const fmpq *P, slong cnt, slong n)
{
    fmpq_mat_t M;
    slong i, j, rk;
    if (cnt <= n)
        return 0;
    fmpq_mat_init(M, cnt - 1, n);
    for (i = 1; i < cnt; i++)
        for (j = 0; j < n; j++)
            fmpq_sub(fmpq_mat_entry(M, i - 1, j), P + i * n + j, P + j);
    rk = fmpq_mat_rref(M, M);
    fmpq_mat_clear(M);
    return rk == n;
}

/* *verts = the distinct points of L, sorted; returns their count. */
static slong vlist_take(fmpq **verts, vlist *L)
{
    slong n = L->n, *idx = trop_malloc((size_t)FLINT_MAX(L->len, 1) * sizeof(slong)), a, b;
    slong u = 0, j;
    for (a = 0; a < L->len; a++)
        idx[a] = a;
    vert_n = n;
    for (a = 1; a < L->len; a++)      /* insertion sort: the lists are short */
        for (b = a; b > 0 && vert_cmp(L->p + idx[b - 1] * n, L->p + idx[b] * n) > 0; b--) {
            slong t = idx[b];
            idx[b] = idx[b - 1];
            idx[b - 1] = t;
        }
    for (a = 0; a < L->len; a++)
        if (a == 0 || vert_cmp(L->p + idx[a - 1] * n, L->p + idx[a] * n) != 0)
            idx[u++] = idx[a];
    *verts = _fmpq_vec_init(FLINT_MAX(u, 1) * n);
    for (a = 0; a < u; a++)
        for (j = 0; j < n; j++)
            fmpq_set(*verts + a * n + j, L->p + idx[a] * n + j);
    trop_free(idx);
    return u;
}

/* trop_regionn_rec_vertices on the region's rows: [m x (n+1)].  The
 * guide's vertices are used when they are exact vertices and span R^n;
 * otherwise every vertex is found by brute force. */
static slong vertices_of_rows(fmpq **verts, const fmpq *rows, const trop_regionn_rec_struct *r)
{
    slong n = r->dim, n1 = n + 1, m = r->nrows, nv = -1, pass;
    fmpz *A = _fmpz_vec_init(m * n1);
    rows_to_fmpz(A, rows, m, n1);
    *verts = NULL;
    for (pass = 0; pass < 2 && nv < 0; pass++) {
        vlist L;
        int ok;
        memset(&L, 0, sizeof L);
        L.n = n;
        ok = pass == 0 ? guide_vertices(&L, A, m, r) : brute_vertices(&L, A, m, n);
        if (ok) {
            slong u = vlist_take(verts, &L);
            if (spans_space(*verts, u, n))
                nv = u;
            else {
                _fmpq_vec_clear(*verts, FLINT_MAX(u, 1) * n);
                *verts = NULL;
            }
        }
        vlist_clear(&L);
    }
    _fmpz_vec_clear(A, m * n1);
    return nv;
}

slong trop_regionn_rec_vertices(fmpq **verts, const trop_regionn_rec_struct *r)
{
    slong m = r->nrows, n1 = r->dim + 1, nv;
    fmpq *rows = _fmpq_vec_init(m * n1);
    _trop_regionn_rows(rows, r);
    nv = vertices_of_rows(verts, rows, r);
    _fmpq_vec_clear(rows, m * n1);
    return nv;
}

/* The rows tight at each vertex, exactly: [nv x *words] bitsets. */
static ulong *tight_sets(slong *words, const fmpq *V, slong nv, const fmpq *rows,
                         const trop_regionn_rec_struct *r)
{
    slong n = r->dim, n1 = n + 1, m = r->nrows, k, v, j;
    ulong *z;
    fmpq_t s;
    *words = (m + FLINT_BITS - 1) / FLINT_BITS;
    z = trop_calloc((size_t)(nv * *words), sizeof(ulong));
    fmpq_init(s);
    for (v = 0; v < nv; v++)
        for (k = 0; k < m; k++) {
            fmpq_set(s, rows + k * n1 + n);
            for (j = 0; j < n; j++)
                fmpq_addmul(s, rows + k * n1 + j, V + v * n + j);
            if (fmpq_is_zero(s))
                z[v * *words + k / FLINT_BITS] |= UWORD(1) << (k % FLINT_BITS);
        }
    fmpq_clear(s);
    return z;
}

/* 1 if some row is tight at all the vertices idx: [cnt]. */
static int on_one_row(const ulong *z, slong words, const slong *idx, slong cnt)
{
    slong w, i;
    for (w = 0; w < words; w++) {
        ulong a = ~UWORD(0);
        for (i = 0; i < cnt; i++)
            a &= z[idx[i] * words + w];
        if (a != 0)
            return 1;
    }
    return 0;
}

/* pts: [nv x n] = the vertices V minus the region's point p, exact
 * differences then rounded: affine maps keep the hull's combinatorics, and
 * qhull's tolerances are relative to the coordinates' range, so centring
 * keeps small regions far from the origin within its precision.  (A
 * whitening by the Cholesky factor of the scatter matrix was tried and made
 * two ACAS Xu regions worse.) */
static void centre(double *pts, const fmpq *V, slong nv, slong n, const fmpq *p)
{
    slong k, j;
    fmpq_t t;
    fmpq_init(t);
    for (k = 0; k < nv; k++)
        for (j = 0; j < n; j++) {
            fmpq_sub(t, V + k * n + j, p + j);
            pts[k * n + j] = fmpq_get_d(t);
        }
    fmpq_clear(t);
}

/* ---- exact volume by facets (Lasserre's recursion, with projections) ---- */

/* vol = the d-volume of conv(P), P: [cnt x d] exact points that satisfy
 * every row of H: [h x (d+1)] (rows r . (x, 1) >= 0), the polytope being
 * {x : H (x, 1) >= 0}.  With c the centroid of P (an interior point), the
 * polytope is the union of the cones from c over its facets; the cone over
 * the facet on row a has volume (a . (c, 1)) / |a_j| * vol_{d-1}(F_j) / d,
 * F_j the facet with coordinate j dropped (a_j != 0), since the facet's
 * area is vol(F_j) |a| / |a_j| and the cone's height (a . (c, 1)) / |a|.
 * A row is a facet when the points on it span d - 1 dimensions; rows with
 * the same points are one facet.  Everything is exact. */
static void facet_volume(fmpq_t vol, const fmpq *P, slong cnt, slong d, const fmpq *H, slong h)
{
    slong k, i, j, q, t, d1 = d + 1;
    fmpq *c, *val, *P2, *H2;
    slong *T, **seen, nseen = 0;
    fmpq_t s, hc;
    fmpq_zero(vol);
    if (d == 1) {
        const fmpq *lo = P, *hi = P;
        for (i = 1; i < cnt; i++) {
            if (fmpq_cmp(P + i, lo) < 0)
                lo = P + i;
            if (fmpq_cmp(P + i, hi) > 0)
                hi = P + i;
        }
        fmpq_sub(vol, hi, lo);
        return;
    }
    c = _fmpq_vec_init(d);
    val = _fmpq_vec_init(h * cnt);
    T = trop_malloc((size_t)cnt * sizeof(slong));
    seen = trop_malloc((size_t)FLINT_MAX(h, 1) * sizeof(slong *));
    fmpq_init(s);
    fmpq_init(hc);
    for (i = 0; i < cnt; i++)
        for (j = 0; j < d; j++)
            fmpq_add(c + j, c + j, P + i * d + j);
    fmpz_set_si(fmpq_numref(s), cnt);
    fmpz_one(fmpq_denref(s));
    for (j = 0; j < d; j++)
        fmpq_div(c + j, c + j, s);
    for (k = 0; k < h; k++)
        for (i = 0; i < cnt; i++) {
            fmpq *v = val + k * cnt + i;
            fmpq_set(v, H + k * d1 + d);
            for (j = 0; j < d; j++)
                fmpq_addmul(v, H + k * d1 + j, P + i * d + j);
        }
    for (k = 0; k < h; k++) {
        const fmpq *a = H + k * d1;
        slong nt = 0, h2 = 0, jj = -1, dup = 0;
        fmpq_t sub;
        for (i = 0; i < cnt; i++)
            if (fmpq_is_zero(val + k * cnt + i))
                T[nt++] = i;
        if (nt < d)
            continue;
        for (q = 0; q < nseen && !dup; q++)
            dup = seen[q][0] == nt && memcmp(seen[q] + 1, T, (size_t)nt * sizeof(slong)) == 0;
        if (dup)
            continue;
        for (j = 0; j < d; j++)
            if (jj < 0 && !fmpq_is_zero(a + j))
                jj = j;
        if (jj < 0)
            continue;
        /* the facet's points without coordinate jj, and the other rows
         * restricted to its hyperplane (x_jj eliminated) */
        P2 = _fmpq_vec_init(nt * (d - 1));
        for (i = 0; i < nt; i++)
            for (j = 0, q = 0; j < d; j++)
                if (j != jj)
                    fmpq_set(P2 + i * (d - 1) + q++, P + T[i] * d + j);
        {
            fmpq_mat_t M;
            slong rk;
            fmpq_mat_init(M, nt - 1, d - 1);
            for (i = 1; i < nt; i++)
                for (j = 0; j < d - 1; j++)
                    fmpq_sub(fmpq_mat_entry(M, i - 1, j), P2 + i * (d - 1) + j, P2 + j);
            rk = fmpq_mat_rref(M, M);
            fmpq_mat_clear(M);
            if (rk != d - 1) {
                _fmpq_vec_clear(P2, nt * (d - 1));
                continue;
            }
        }
        seen[nseen] = trop_malloc((size_t)(nt + 1) * sizeof(slong));
        seen[nseen][0] = nt;
        memcpy(seen[nseen] + 1, T, (size_t)nt * sizeof(slong));
        nseen++;
        H2 = _fmpq_vec_init(h * d);
        fmpq_init(sub);
        for (t = 0; t < h; t++) {
            const fmpq *b = H + t * d1;
            slong tight = 0;
            if (t == k)
                continue;
            for (i = 0; i < nt; i++)
                tight += fmpq_is_zero(val + t * cnt + T[i]);
            if (tight < d - 1)
                continue;       /* not a facet of the facet */
            fmpq_div(sub, b + jj, a + jj);
            for (j = 0, q = 0; j <= d; j++) {
                if (j == jj)
                    continue;
                fmpq_set(H2 + h2 * d + q, b + j);
                fmpq_submul(H2 + h2 * d + q, sub, a + j);
                q++;
            }
            h2++;
        }
        fmpq_clear(sub);
        facet_volume(s, P2, nt, d - 1, H2, h2);
        /* the cone: (a . (c, 1)) / |a_jj| * vol(F) / d */
        fmpq_set(hc, a + d);
        for (j = 0; j < d; j++)
            fmpq_addmul(hc, a + j, c + j);
        fmpq_mul(s, s, hc);
        fmpq_div(s, s, a + jj);
        fmpq_abs(s, s);
        fmpq_add(vol, vol, s);
        _fmpq_vec_clear(P2, nt * (d - 1));
        _fmpq_vec_clear(H2, h * d);
    }
    fmpz_set_si(fmpq_numref(s), d);
    fmpz_one(fmpq_denref(s));
    fmpq_div(vol, vol, s);
    for (q = 0; q < nseen; q++)
        trop_free(seen[q]);
    trop_free(seen);
    trop_free(T);
    fmpq_clear(s);
    fmpq_clear(hc);
    _fmpq_vec_clear(c, d);
    _fmpq_vec_clear(val, h * cnt);
}

/* q: [n] = a second exact interior point with short numbers: the
 * vertices' centroid rounded to doubles (dyadic), if it lies strictly
 * inside every row, else the centroid itself. */
static void second_apex(fmpq *q, const fmpq *V, slong nv, const fmpq *rows,
                        const trop_regionn_rec_struct *r)
{
    slong n = r->dim, n1 = n + 1, i, j, k;
    fmpq *c = _fmpq_vec_init(n);
    fmpq_t t;
    int inside = 1;
    fmpq_init(t);
    for (i = 0; i < nv; i++)
        for (j = 0; j < n; j++)
            fmpq_add(c + j, c + j, V + i * n + j);
    fmpz_set_si(fmpq_numref(t), nv);
    for (j = 0; j < n; j++) {
        fmpq_div(c + j, c + j, t);
        trop_q_set_d(q + j, fmpq_get_d(c + j), NULL);
    }
    for (k = 0; k < r->nrows && inside; k++) {
        fmpq_set(t, rows + k * n1 + n);
        for (j = 0; j < n; j++)
            fmpq_addmul(t, rows + k * n1 + j, q + j);
        inside = fmpq_sgn(t) > 0;
    }
    for (j = 0, k = inside; j < n && k; j++)
        k = fmpq_equal(q + j, r->point + j);
    if (!inside || k)           /* outside, or the same as the first apex */
        _trop_qvec_set(q, c, n);
    fmpq_clear(t);
    _fmpq_vec_clear(c, n);
}

/* The fast path: vol(p) = sum over the simplices of qhull's triangulation
 * of the centred vertices of |det(v_1 - p, ..., v_n - p)| / n!, for two
 * interior apexes p (the region's point and the vertices' centroid), every
 * simplex checked to lie on a row tight at all its vertices.  For a
 * triangulation that covers the boundary exactly once, vol(p) is the
 * volume whatever p is; a wrong one (overlaps or holes, which qhull can
 * produce from nearly coplanar points in 6 or more dimensions) covers facet
 * F with area A'_F != A_F, and then vol(p) = sum_F A'_F h_F(p) / n varies
 * with p.  Returns 1 with vol when both apexes agree, else 0. */
static int hull_volume(fmpq_t vol, const fmpq *V, slong nv, const fmpq *rows,
                       const trop_regionn_rec_struct *r)
{
    slong n = r->dim, f, i, j, a, words;
    double *pts = trop_malloc((size_t)(nv * n) * sizeof(double));
    fmpq *apex = _fmpq_vec_init(2 * n);
    trop_hull_t h;
    trop_hull_opts o = {1, 0};
    ulong *tight = tight_sets(&words, V, nv, rows, r);
    fmpq_mat_t M;
    fmpq_t d, v2;
    int ok;
    fmpq_init(d);
    fmpq_init(v2);
    _trop_qvec_set(apex, r->point, n);
    second_apex(apex + n, V, nv, rows, r);
    centre(pts, V, nv, n, r->point);
    trop_hull_init(h);
    ok = trop_hull_compute(h, pts, nv, n, &o, NULL) == TROP_OK;
    fmpq_mat_init(M, n, n);
    fmpq_zero(vol);
    for (a = 0; a < 2 && ok; a++) {
        fmpq *acc = a == 0 ? vol : v2;
        fmpq_zero(acc);
        for (f = 0; f < h->nfacets && ok; f++) {
            ok = h->nfv[f] == n && on_one_row(tight, words, h->fverts + h->fstart[f], n);
            for (i = 0; i < n && ok; i++)
                for (j = 0; j < n; j++)
                    fmpq_sub(fmpq_mat_entry(M, i, j), V + h->fverts[h->fstart[f] + i] * n + j,
                             apex + a * n + j);
            if (!ok)
                break;
            fmpq_mat_det(d, M);
            fmpq_abs(d, d);
            fmpq_add(acc, acc, d);
        }
    }
    ok = ok && fmpq_equal(vol, v2);
    if (ok) {
        fmpz_t fac;
        fmpz_init(fac);
        fmpz_fac_ui(fac, (ulong)n);
        fmpq_div_fmpz(vol, vol, fac);
        fmpz_clear(fac);
    }
    fmpq_clear(d);
    fmpq_clear(v2);
    fmpq_mat_clear(M);
    trop_hull_clear(h);
    trop_free(pts);
    trop_free(tight);
    _fmpq_vec_clear(apex, 2 * n);
    return ok;
}

int trop_regionn_rec_volume(fmpq_t vol, const trop_regionn_rec_struct *r)
{
    slong n = r->dim, nv;
    fmpq *V, *rows = _fmpq_vec_init(r->nrows * (n + 1));
    _trop_regionn_rows(rows, r);
    nv = vertices_of_rows(&V, rows, r);
    if (nv > 0) {
        /* qhull's triangulation when it proves itself, else the exact
         * facet recursion (slower on big rationals, never wrong) */
        if (!hull_volume(vol, V, nv, rows, r))
            facet_volume(vol, V, nv, n, rows, r->nrows);
        _fmpq_vec_clear(V, nv * n);
    }
    _fmpq_vec_clear(rows, r->nrows * (n + 1));
    return nv > 0;
}
