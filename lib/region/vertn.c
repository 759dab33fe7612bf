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

/* trop_regionn_rec_vertices on the region's rows: [m x (n+1)]. */
static slong vertices_of_rows(fmpq **verts, const fmpq *rows, const trop_regionn_rec_struct *r)
{
    slong n = r->dim, n1 = n + 1, m = r->nrows, V, words, v, nv = 0, j;
    fmpq *out;
    fmpz *A = _fmpz_vec_init(m * n1);
    double *vx;
    ulong *Z;
    slong *sel = trop_malloc((size_t)n * sizeof(slong));
    int ok = 1;
    rows_to_fmpz(A, rows, m, n1);
    V = _trop_regionn_guide(&vx, &Z, &words, r);
    out = _fmpq_vec_init(FLINT_MAX(V, 1) * n);
    for (v = 0; v < V && ok; v++) {
        ok = pick_rows(sel, A, m, n, Z + v * words)
             && solve_vertex(out + nv * n, A, m, n, sel);
        nv++;
    }
    *verts = NULL;
    if (ok && nv > 0) {
        /* sort (insertion sort on row indices: nv is small) and drop
         * repeats: a degenerate vertex comes once per guide copy */
        slong *idx = trop_malloc((size_t)nv * sizeof(slong)), a, b, u = 0;
        for (a = 0; a < nv; a++)
            idx[a] = a;
        vert_n = n;
        for (a = 1; a < nv; a++)
            for (b = a; b > 0 && vert_cmp(out + idx[b - 1] * n, out + idx[b] * n) > 0; b--) {
                slong t = idx[b];
                idx[b] = idx[b - 1];
                idx[b - 1] = t;
            }
        for (a = 0; a < nv; a++)
            if (a == 0 || vert_cmp(out + idx[a - 1] * n, out + idx[a] * n) != 0)
                idx[u++] = idx[a];
        if (u > n) {
            *verts = _fmpq_vec_init(u * n);
            for (a = 0; a < u; a++)
                for (j = 0; j < n; j++)
                    fmpq_set(*verts + a * n + j, out + idx[a] * n + j);
        }
        nv = u > n ? u : -1;
        trop_free(idx);
    } else
        nv = -1;
    _fmpq_vec_clear(out, FLINT_MAX(V, 1) * n);
    trop_free(vx);
    trop_free(Z);
    trop_free(sel);
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

int trop_regionn_rec_volume(fmpq_t vol, const trop_regionn_rec_struct *r)
{
    slong n = r->dim, nv, f, i, j;
    fmpq *V;
    double *pts;
    trop_hull_t h;
    trop_hull_opts o = {1, 0};
    fmpq_mat_t M;
    fmpq_t d;
    ulong *tight;
    slong words;
    int ok;
    fmpq *rows = _fmpq_vec_init(r->nrows * (n + 1));
    _trop_regionn_rows(rows, r);
    nv = vertices_of_rows(&V, rows, r);
    if (nv < 0) {
        _fmpq_vec_clear(rows, r->nrows * (n + 1));
        return 0;
    }
    tight = tight_sets(&words, V, nv, rows, r);
    _fmpq_vec_clear(rows, r->nrows * (n + 1));
    pts = trop_malloc((size_t)(nv * n) * sizeof(double));
    centre(pts, V, nv, n, r->point);
    trop_hull_init(h);
    ok = trop_hull_compute(h, pts, nv, n, &o, NULL) == TROP_OK;
    fmpq_mat_init(M, n, n);
    fmpq_init(d);
    fmpq_zero(vol);
    /* cone every simplex of the triangulated boundary to the interior
     * point: vol = sum |det(v_1 - p, ..., v_n - p)| / n! */
    for (f = 0; f < h->nfacets && ok; f++) {
        if (h->nfv[f] != n) {
            ok = 0;
            break;
        }
        for (i = 0; i < n; i++) {
            const fmpq *v = V + h->fverts[h->fstart[f] + i] * n;
            for (j = 0; j < n; j++)
                fmpq_sub(fmpq_mat_entry(M, i, j), v + j, r->point + j);
        }
        /* the simplex must lie in the boundary: some row tight at all its
         * vertices (exactly); else qhull's combinatorics are off */
        if (!on_one_row(tight, words, h->fverts + h->fstart[f], n)) {
            ok = 0;
            break;
        }
        fmpq_mat_det(d, M);
        fmpq_abs(d, d);
        fmpq_add(vol, vol, d);
    }
    if (ok) {
        fmpz_t fac;
        fmpz_init(fac);
        fmpz_fac_ui(fac, (ulong)n);
        fmpq_div_fmpz(vol, vol, fac);
        fmpz_clear(fac);
    }
    fmpq_clear(d);
    fmpq_mat_clear(M);
    trop_hull_clear(h);
    trop_free(pts);
    _fmpq_vec_clear(V, nv * n);
    trop_free(tight);
    return ok;
}
