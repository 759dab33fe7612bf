/* certify.c: proving that a list of terms is the whole of a convex
 * piecewise-linear function of two variables.
 *
 * Let f be convex and piecewise linear on R^2, known only through an exact
 * oracle for f(x) and its recession function f_inf(d) = lim f(s d) / s, and
 * let T be terms of f (each one equals f on an open set, so T(x) <= f(x)
 * everywhere).  Then f = T everywhere iff f <= T, and because f is convex
 * it suffices to check f on the vertices and rays of the cells of T:
 *
 *   (1) every face F of the upper hull of the lifted points (a, c) of T
 *       (its dual subdivision) gives the point x_F where the terms of F tie;
 *       check f(x_F) <= tau_F(x_F);
 *   (2) every edge of the Newton polygon conv{a} with outward normal d:
 *       check f_inf(d) <= <a, d> for a on that edge.
 *
 * A cell C_tau = conv{x_F : F contains tau} + cone{d : the edges at a_tau}
 * carries f <= tau by convexity (f(x + d) <= f(x) + f_inf(d)).  qhull
 * proposes the faces; nothing it says is trusted: each face point passes
 * (1) exactly, which proves its plane supports every term of f, so the
 * proposed faces are true faces of the subdivision, interior-disjoint; and
 * their areas (exact) must add up to the area of the Newton polygon, which
 * proves no face was missed.  When the exponents are collinear or a single
 * point the cells are strips or the plane, and the same checks run on the
 * lines between consecutive terms and on the four directions +-u, +-v.
 *
 * A failed check yields a witness point where f > T (a missing term), for
 * the caller to add the term there and try again. */
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "trop/hull.h"
#include "tpoly-internal.h"

typedef struct {
    const trop_tpoly_struct *T;
    trop_tpoly_oracle f;
    void *arg;
    fmpq *witness;
    slong checks;
    fmpq_t val, tv;
} cctx;

/* ---- exact 2-D geometry on the exponents ---- */

/* cross((b - a), (c - a)) sign for exponent rows a, b, c (length 2). */
static int orient(const fmpq *a, const fmpq *b, const fmpq *c)
{
    fmpq_t u, v, w;
    int s;
    fmpq_init(u); fmpq_init(v); fmpq_init(w);
    fmpq_sub(u, b + 0, a + 0);
    fmpq_sub(v, c + 1, a + 1);
    fmpq_mul(w, u, v);
    fmpq_sub(u, b + 1, a + 1);
    fmpq_sub(v, c + 0, a + 0);
    fmpq_submul(w, u, v);
    s = fmpq_sgn(w);
    fmpq_clear(u); fmpq_clear(v); fmpq_clear(w);
    return s;
}

static int idx_cmp(const void *x, const void *y)
{
    /* exponents of the canonical T are already sorted lexicographically, and
     * indices into them compare the same way */
    slong a = *(const slong *)x, b = *(const slong *)y;
    return (a > b) - (a < b);
}

/* Convex hull (counter-clockwise, no collinear points) of the exponents of
 * the terms idx: [n] of T, by the monotone chain; idx is sorted in place.
 * Returns the number of hull vertices written to out: [n + 1]. */
static slong hull2(slong *out, slong *idx, slong n, const trop_tpoly_struct *T)
{
    slong i, k = 0, lo;
    qsort(idx, (size_t)n, sizeof(slong), idx_cmp);
    if (n < 3) {
        memcpy(out, idx, (size_t)n * sizeof(slong));
        return n;
    }
    for (i = 0; i < n; i++) {                 /* lower chain */
        while (k >= 2 && orient(TPOLY_EXP(T, out[k - 2]), TPOLY_EXP(T, out[k - 1]),
                                TPOLY_EXP(T, idx[i])) <= 0)
            k--;
        out[k++] = idx[i];
    }
    lo = k + 1;
    for (i = n - 2; i >= 0; i--) {            /* upper chain */
        while (k >= lo && orient(TPOLY_EXP(T, out[k - 2]), TPOLY_EXP(T, out[k - 1]),
                                 TPOLY_EXP(T, idx[i])) <= 0)
            k--;
        out[k++] = idx[i];
    }
    return k - 1;
}

/* area2 = twice the area of the polygon poly: [n] (counter-clockwise). */
static void area2(fmpq_t res, const slong *poly, slong n, const trop_tpoly_struct *T)
{
    slong i;
    fmpq_t t;
    fmpq_init(t);
    fmpq_zero(res);
    for (i = 0; i < n; i++) {
        const fmpq *p = TPOLY_EXP(T, poly[i]), *q = TPOLY_EXP(T, poly[(i + 1) % n]);
        fmpq_mul(t, p + 0, q + 1);
        fmpq_add(res, res, t);
        fmpq_mul(t, p + 1, q + 0);
        fmpq_sub(res, res, t);
    }
    fmpq_clear(t);
}

/* ---- the checks ---- */

/* Checks f(x) <= bound, where bound = tau(x) for a term tau of T that
 * should be maximal at x.  On failure, x is a witness when f(x) > T(x). */
static int check_point(cctx *c, const fmpq *x, const fmpq_t bound, int *witness_found)
{
    c->checks++;
    c->f(c->val, x, 0, c->arg);
    if (fmpq_cmp(c->val, bound) <= 0)
        return 1;
    trop_tpoly_eval_q(c->tv, c->T, x, NULL);
    if (fmpq_cmp(c->val, c->tv) > 0 && !*witness_found) {
        _trop_qvec_set(c->witness, x, 2);
        *witness_found = 1;
    }
    return 0;
}

/* Checks f_inf(d) <= bound = max_T <a, d>.  On failure, searches s = 2^k
 * for a witness s d (f(s d) - T(s d) grows like s (f_inf(d) - bound)). */
static int check_ray(cctx *c, const fmpq *d, const fmpq_t bound, int *witness_found)
{
    fmpq y[2];
    slong k;
    c->checks++;
    c->f(c->val, d, 1, c->arg);
    if (fmpq_cmp(c->val, bound) <= 0)
        return 1;
    if (*witness_found)
        return 0;
    fmpq_init(y + 0);
    fmpq_init(y + 1);
    for (k = 0; k < 64 && !*witness_found; k++) {
        fmpq_mul_2exp(y + 0, d + 0, (ulong)k);
        fmpq_mul_2exp(y + 1, d + 1, (ulong)k);
        c->f(c->val, y, 0, c->arg);
        trop_tpoly_eval_q(c->tv, c->T, y, NULL);
        if (fmpq_cmp(c->val, c->tv) > 0) {
            _trop_qvec_set(c->witness, y, 2);
            *witness_found = 1;
        }
    }
    fmpq_clear(y + 0);
    fmpq_clear(y + 1);
    return 0;
}

/* bound = <a_i, d>. */
static void exp_dot(fmpq_t bound, const trop_tpoly_struct *T, slong i, const fmpq *d)
{
    _trop_qvec_dot(bound, TPOLY_EXP(T, i), d, 2);
}

/* x where terms i, j, k of T tie; returns 0 if their exponents are
 * collinear. */
static int tie_point(fmpq *x, const trop_tpoly_struct *T, slong i, slong j, slong k)
{
    const fmpq *a = TPOLY_EXP(T, i), *b = TPOLY_EXP(T, j), *e = TPOLY_EXP(T, k);
    fmpq_t m00, m01, m10, m11, r0, r1, det, t;
    int ok;
    fmpq_init(m00); fmpq_init(m01); fmpq_init(m10); fmpq_init(m11);
    fmpq_init(r0); fmpq_init(r1); fmpq_init(det); fmpq_init(t);
    /* <a - b, x> = c_b - c_a,  <a - e, x> = c_e - c_a */
    fmpq_sub(m00, a + 0, b + 0);
    fmpq_sub(m01, a + 1, b + 1);
    fmpq_sub(m10, a + 0, e + 0);
    fmpq_sub(m11, a + 1, e + 1);
    fmpq_sub(r0, T->coefs + j, T->coefs + i);
    fmpq_sub(r1, T->coefs + k, T->coefs + i);
    fmpq_mul(det, m00, m11);
    fmpq_submul(det, m01, m10);
    ok = !fmpq_is_zero(det);
    if (ok) {
        fmpq_mul(x + 0, r0, m11);
        fmpq_submul(x + 0, m01, r1);
        fmpq_div(x + 0, x + 0, det);
        fmpq_mul(x + 1, m00, r1);
        fmpq_submul(x + 1, r0, m10);
        fmpq_div(x + 1, x + 1, det);
    }
    fmpq_clear(m00); fmpq_clear(m01); fmpq_clear(m10); fmpq_clear(m11);
    fmpq_clear(r0); fmpq_clear(r1); fmpq_clear(det); fmpq_clear(t);
    return ok;
}

/* Dimension 0: f <= tau everywhere iff f(0) <= c and f_inf(+-e_i) <= +-a_i. */
static int certify_dim0(cctx *c, int *wf)
{
    fmpq d[2], x[2];
    fmpq_t b;
    int ok, i, sg;
    fmpq_init(d + 0); fmpq_init(d + 1); fmpq_init(x + 0); fmpq_init(x + 1);
    fmpq_init(b);
    ok = check_point(c, x, c->T->coefs + 0, wf);
    for (i = 0; i < 2; i++)
        for (sg = -1; sg <= 1; sg += 2) {
            fmpq_zero(d + 0);
            fmpq_zero(d + 1);
            fmpq_set_si(d + i, sg, 1);
            exp_dot(b, c->T, 0, d);
            ok &= check_ray(c, d, b, wf);
        }
    fmpq_clear(d + 0); fmpq_clear(d + 1); fmpq_clear(x + 0); fmpq_clear(x + 1);
    fmpq_clear(b);
    return ok;
}

/* Dimension 1: exponents on a line a_0 + s u.  The cells are strips
 * between the tie lines of consecutive terms. */
static int certify_dim1(cctx *c, int *wf)
{
    const trop_tpoly_struct *T = c->T;
    slong n = T->length, i;
    fmpq u[2], v[2], x[2];
    fmpq_t b, s, t;
    int ok = 1;
    fmpq_init(u + 0); fmpq_init(u + 1); fmpq_init(v + 0); fmpq_init(v + 1);
    fmpq_init(x + 0); fmpq_init(x + 1); fmpq_init(b); fmpq_init(s); fmpq_init(t);
    /* the canonical order is lexicographic, which is monotone along the
     * line: u from the first to the last exponent */
    fmpq_sub(u + 0, TPOLY_EXP(T, n - 1) + 0, TPOLY_EXP(T, 0) + 0);
    fmpq_sub(u + 1, TPOLY_EXP(T, n - 1) + 1, TPOLY_EXP(T, 0) + 1);
    fmpq_neg(v + 0, u + 1);
    fmpq_set(v + 1, u + 0);
    for (i = 0; i + 1 < n; i++) {
        /* x = s u with <a_i - a_{i+1}, s u> = c_{i+1} - c_i */
        _trop_qvec_dot(t, TPOLY_EXP(T, i), u, 2);
        _trop_qvec_dot(s, TPOLY_EXP(T, i + 1), u, 2);
        fmpq_sub(t, t, s);
        fmpq_sub(s, T->coefs + i + 1, T->coefs + i);
        fmpq_div(s, s, t);
        fmpq_mul(x + 0, u + 0, s);
        fmpq_mul(x + 1, u + 1, s);
        _trop_qvec_dot(b, TPOLY_EXP(T, i), x, 2);
        fmpq_add(b, b, T->coefs + i);
        ok &= check_point(c, x, b, wf);
    }
    exp_dot(b, T, n - 1, u);
    ok &= check_ray(c, u, b, wf);
    fmpq_neg(u + 0, u + 0);
    fmpq_neg(u + 1, u + 1);
    exp_dot(b, T, 0, u);
    ok &= check_ray(c, u, b, wf);
    exp_dot(b, T, 0, v);
    ok &= check_ray(c, v, b, wf);
    fmpq_neg(v + 0, v + 0);
    fmpq_neg(v + 1, v + 1);
    exp_dot(b, T, 0, v);
    ok &= check_ray(c, v, b, wf);
    fmpq_clear(u + 0); fmpq_clear(u + 1); fmpq_clear(v + 0); fmpq_clear(v + 1);
    fmpq_clear(x + 0); fmpq_clear(x + 1); fmpq_clear(b); fmpq_clear(s); fmpq_clear(t);
    return ok;
}

/* A face proposal: the tie point of a triangle and its three terms. */
typedef struct {
    fmpq x[2];
    slong t[3];
} face;

static int face_cmp(const void *p, const void *q)
{
    const face *a = p, *b = q;
    int s = fmpq_cmp(a->x + 0, b->x + 0);
    return s ? s : fmpq_cmp(a->x + 1, b->x + 1);
}

/* The triangles of qhull's upper facets as faces (collinear ones are
 * dropped: they carry no area).  Returns the count. */
static slong upper_faces(face **out, const trop_hull_t h, const trop_tpoly_struct *T)
{
    slong f, m = 0;
    face *F = trop_malloc((size_t)(h->nfacets > 0 ? h->nfacets : 1) * sizeof(face));
    for (f = 0; f < h->nfacets; f++) {
        const slong *v = h->fverts + h->fstart[f];
        if (h->normals[3 * f + 2] <= 0 || h->nfv[f] != 3)
            continue;
        fmpq_init(F[m].x + 0);
        fmpq_init(F[m].x + 1);
        if (!tie_point(F[m].x, T, v[0], v[1], v[2])) {
            fmpq_clear(F[m].x + 0);
            fmpq_clear(F[m].x + 1);
            continue;
        }
        F[m].t[0] = v[0];
        F[m].t[1] = v[1];
        F[m].t[2] = v[2];
        m++;
    }
    *out = F;
    return m;
}

/* Faces with equal tie points are one face of the subdivision: the terms
 * of group [g0, g1) as an index list (duplicates removed by hull2). */
static slong group_terms(slong *idx, const face *F, slong g0, slong g1)
{
    slong g, n = 0;
    for (g = g0; g < g1; g++) {
        idx[n++] = F[g].t[0];
        idx[n++] = F[g].t[1];
        idx[n++] = F[g].t[2];
    }
    return n;
}

/* Removes repeated entries of the sorted idx: [n]; returns the new n. */
static slong uniq(slong *idx, slong n)
{
    slong i, m = 0;
    for (i = 0; i < n; i++)
        if (m == 0 || idx[m - 1] != idx[i])
            idx[m++] = idx[i];
    return m;
}

/* Dimension 2.  Returns 1 certified, 0 failed (witness maybe), -1 when the
 * proposed faces do not cover the Newton polygon and no check failed. */
static int certify_dim2(cctx *c, int *wf, trop_error *err, trop_status *st)
{
    const trop_tpoly_struct *T = c->T;
    slong n = T->length, i, nf, g0, g1, hn, *idx, *hv, *all;
    double *pts = trop_malloc((size_t)n * 3 * sizeof(double));
    trop_hull_t h;
    trop_hull_opts ho = {1, 0};
    face *F = NULL;
    fmpq_t total, part, b;
    fmpq d[2];
    int ok = 1;
    fmpq_init(total); fmpq_init(part); fmpq_init(b);
    fmpq_init(d + 0); fmpq_init(d + 1);
    for (i = 0; i < n; i++) {
        pts[3 * i + 0] = fmpq_get_d(TPOLY_EXP(T, i) + 0);
        pts[3 * i + 1] = fmpq_get_d(TPOLY_EXP(T, i) + 1);
        pts[3 * i + 2] = fmpq_get_d(T->coefs + i);
    }
    idx = trop_malloc((size_t)(3 * n + 3) * sizeof(slong));
    hv = trop_malloc((size_t)(3 * n + 3) * sizeof(slong));
    all = trop_malloc((size_t)(n + 1) * sizeof(slong));
    trop_hull_init(h);
    nf = 0;
    if (n == 3) {
        /* one triangle: qhull needs four points */
        F = trop_malloc(sizeof(face));
        fmpq_init(F[0].x + 0);
        fmpq_init(F[0].x + 1);
        F[0].t[0] = 0; F[0].t[1] = 1; F[0].t[2] = 2;
        nf = tie_point(F[0].x, T, 0, 1, 2);
    } else {
        *st = trop_hull_compute(h, pts, n, 3, &ho, err);
        if (*st == TROP_OK)
            nf = upper_faces(&F, h, T);
        else if (*st == TROP_ERR_DEGENERATE) {
            /* all lifted points on one plane: the fan triangles (0, j, j+1)
             * of the terms all propose the same face (whatever qhull
             * thought, the checks below decide) */
            slong j;
            *st = TROP_OK;
            F = trop_malloc((size_t)n * sizeof(face));
            for (j = 1; j + 1 < n; j++) {
                fmpq_init(F[nf].x + 0);
                fmpq_init(F[nf].x + 1);
                if (!tie_point(F[nf].x, T, 0, j, j + 1)) {
                    fmpq_clear(F[nf].x + 0);
                    fmpq_clear(F[nf].x + 1);
                    continue;
                }
                F[nf].t[0] = 0; F[nf].t[1] = j; F[nf].t[2] = j + 1;
                nf++;
            }
        }
    }
    if (*st != TROP_OK) {
        ok = -1;
        goto done;
    }
    /* coverage: the faces' areas add up to the Newton polygon's */
    for (i = 0; i < n; i++)
        all[i] = i;
    hn = hull2(hv, all, n, T);
    area2(total, hv, hn, T);
    qsort(F, (size_t)nf, sizeof(face), face_cmp);
    fmpq_zero(b);
    for (g0 = 0; g0 < nf; g0 = g1) {
        slong m;
        for (g1 = g0 + 1; g1 < nf && face_cmp(F + g0, F + g1) == 0; g1++)
            ;
        m = group_terms(idx, F, g0, g1);
        qsort(idx, (size_t)m, sizeof(slong), idx_cmp);
        m = uniq(idx, m);
        m = hull2(hv + 0, idx, m, T);
        area2(part, hv, m, T);
        fmpq_add(b, b, part);
    }
    if (!fmpq_equal(b, total))
        ok = -1;
    /* (1) the face points */
    for (g0 = 0; g0 < nf; g0 = g1) {
        fmpq_t v;
        for (g1 = g0 + 1; g1 < nf && face_cmp(F + g0, F + g1) == 0; g1++)
            ;
        fmpq_init(v);
        _trop_qvec_dot(v, TPOLY_EXP(T, F[g0].t[0]), F[g0].x, 2);
        fmpq_add(v, v, T->coefs + F[g0].t[0]);
        if (!check_point(c, F[g0].x, v, wf))
            ok = 0;
        fmpq_clear(v);
    }
    /* (2) the edges of the Newton polygon */
    for (i = 0; i < n; i++)
        all[i] = i;
    hn = hull2(hv, all, n, T);
    for (i = 0; i < hn; i++) {
        const fmpq *p = TPOLY_EXP(T, hv[i]), *q = TPOLY_EXP(T, hv[(i + 1) % hn]);
        fmpq_sub(d + 0, q + 1, p + 1);           /* outward normal of p -> q */
        fmpq_sub(d + 1, p + 0, q + 0);
        exp_dot(b, T, hv[i], d);
        if (!check_ray(c, d, b, wf))
            ok = 0;
    }
done:
    for (i = 0; i < nf; i++) {
        fmpq_clear(F[i].x + 0);
        fmpq_clear(F[i].x + 1);
    }
    trop_free(F);
    trop_hull_clear(h);
    trop_free(pts);
    trop_free(idx);
    trop_free(hv);
    trop_free(all);
    fmpq_clear(total); fmpq_clear(part); fmpq_clear(b);
    fmpq_clear(d + 0); fmpq_clear(d + 1);
    return ok;
}

trop_status trop_tpoly_certify2(int *certified, fmpq *witness, const trop_tpoly_t T,
                                trop_tpoly_oracle f, void *arg, slong *checks,
                                trop_error *err)
{
    cctx c;
    slong J[2];
    int wf = 0, ok;
    trop_status st = TROP_OK;
    TROP_ASSERT(T->nvars == 2 && T->length >= 1);
    c.T = T;
    c.f = f;
    c.arg = arg;
    c.witness = witness;
    c.checks = 0;
    fmpq_init(c.val);
    fmpq_init(c.tv);
    switch (_tpoly_affine_dim(T, J)) {
    case 0: ok = certify_dim0(&c, &wf); break;
    case 1: ok = certify_dim1(&c, &wf); break;
    default: ok = certify_dim2(&c, &wf, err, &st); break;
    }
    fmpq_clear(c.val);
    fmpq_clear(c.tv);
    if (checks != NULL)
        *checks += c.checks;
    *certified = ok == 1 ? 1 : (wf ? 0 : -1);
    if (st == TROP_ERR_DEGENERATE || st == TROP_ERR_PRECISION)
        st = TROP_OK;                  /* reported as "not certified" */
    return st;
}
