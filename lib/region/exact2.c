/* exact2.c: exact enumeration of the activation regions of a two-input
 * network over all of R^2, with the exact pieces of every P and Q.
 *
 * The regions are refined layer by layer, depth first.  A region carries
 * the exact affine pieces of P and Q of every unit of the layer just
 * applied, as integer columns (gradient, constant) on the scale of
 * trop_pqnet (lib/tpoly/pqnet.c), so the lines of the next layer,
 * z = H - G, are exact integer lines a x + b y + c = 0, computed once per
 * region and shared by all the pieces it is cut into.
 *
 * Polygons live in the oriented projective plane (see region2.c for the
 * picture), but here nothing about them is rounded: a polygon is a cyclic
 * list of edges, each on an oriented exact line (the region is on its
 * nonnegative side), and a vertex is either the crossing of its two edge
 * lines, v = l_in x l_out (for a convex polygon listed counter-clockwise
 * with inward lines, this cross product points to the vertex, with the
 * right sign, finite or ideal), or one of two explicit kinds where the two
 * edges are on one line: an ideal point (+-1, 0, 0), (0, +-1, 0) of the
 * starting plane, or the finite point (-ac, -bc, a^2 + b^2) of a line
 * (a, b, c), put where an edge would otherwise join two antipodal ideal
 * points.  Which side of a line l a vertex lies on is then the sign of a
 * polynomial in exact integers: det(l, l_in, l_out) for a crossing.  It is
 * decided in double with an error bound (a filtered predicate) and
 * recomputed in fmpz when the bound cannot decide, so every cut is exact:
 * the regions found are exactly the activation regions (each with its
 * nonempty interior), and every P and Q piece is exact. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_vec.h>
#include <flint/fmpq.h>

#include "trop/pqnet.h"
#include "region-internal.h"

/* ---- exact lines with a rounded copy ---- */

/* A line a x + b y + c w = 0: signs sg and magnitudes m: [3 x N] limbs,
 * exact; d = (a, b, c) * 2^-e rounded, scaled so the largest |d_i| lies in
 * [1/2, 1) (each entry has relative error below 2^-52; an entry far below
 * the largest may underflow to 0, an absolute error below 2^-1000 that the
 * bounds below allow for).  The fmpz form, needed only when a filter
 * cannot decide, is made on demand. */
typedef struct {
    slong N;
    int sg[3];
    mp_limb_t *m;
    double d[3];
    int have;
    fmpz_t a, b, c;
    /* the fast count (no pieces carried) makes lines from double maps:
     * then exact is 0 until needed, e bounds |d_i - the exact d_i|, and
     * ctx, lev say which level of which search can make it exact */
    int exact;
    double e;
    void *ctx;
    slong lev;
} xline;

/* Makes the lines of level lev of the search ctx exact (fast mode). */
static void level_materialize(void *ctx, slong lev);

static void xline_init(xline *L, slong N)
{
    L->N = N;
    L->m = trop_calloc((size_t)(3 * N), sizeof(mp_limb_t));
    L->sg[0] = L->sg[1] = L->sg[2] = 0;
    L->d[0] = L->d[1] = L->d[2] = 0;
    L->have = 0;
    L->exact = 1;
    L->e = 0;
    L->ctx = NULL;
    L->lev = 0;
    fmpz_init(L->a);
    fmpz_init(L->b);
    fmpz_init(L->c);
}

static void xline_clear(xline *L)
{
    trop_free(L->m);
    fmpz_clear(L->a);
    fmpz_clear(L->b);
    fmpz_clear(L->c);
}

static void xline_round(xline *L)
{
    double m[3];
    slong e[3], emax = WORD_MIN;
    int i;
    for (i = 0; i < 3; i++) {
        m[i] = 0;
        e[i] = WORD_MIN;
        if (L->sg[i] != 0) {
            m[i] = L->sg[i] * _xlimbs_get_d_2exp(&e[i], L->m + i * L->N, L->N);
            emax = FLINT_MAX(emax, e[i]);
        }
    }
    for (i = 0; i < 3; i++)
        L->d[i] = (L->sg[i] == 0 || emax - e[i] > 1100) ? 0.0
                  : ldexp(m[i], (int)(e[i] - emax));
    L->have = 0;
    L->exact = 1;
    L->e = 0;
}

/* L from a double map d: [3] with absolute error bound e on every
 * coefficient, scaled by a power of two (exact) so the largest |d_i| lies
 * in [1/2, 1); not exact until level_materialize. */
static void xline_set_approx(xline *L, const double *d, double e, void *ctx, slong lev)
{
    double mx = fmax(fabs(d[0]), fmax(fabs(d[1]), fabs(d[2])));
    int ex = 0, i;
    if (mx > 0)
        frexp(mx, &ex);
    for (i = 0; i < 3; i++)
        L->d[i] = ldexp(d[i], -ex);
    /* 1e-300: coefficients that underflow once scaled */
    L->e = ldexp(e, -ex) * (1 + 1e-15) + 1e-300;
    L->exact = 0;
    L->have = 0;
    L->ctx = ctx;
    L->lev = lev;
}

/* Sign of coefficient i, from d when e decides it. */
static int xline_sg(const xline *L, int i)
{
    if (!L->exact) {
        if (L->d[i] > L->e)
            return 1;
        if (L->d[i] < -L->e)
            return -1;
        level_materialize(L->ctx, L->lev);
    }
    return L->sg[i];
}

/* The exact coefficients, for the fallbacks. */
static const xline *xline_exact(const xline *Lc)
{
    xline *L = (xline *)Lc;       /* a cache: the line's value is unchanged */
    if (!L->exact)
        level_materialize(L->ctx, L->lev);
    if (!L->have) {
        _xlimbs_get_fmpz(L->a, L->sg[0], L->m, L->N);
        _xlimbs_get_fmpz(L->b, L->sg[1], L->m + L->N, L->N);
        _xlimbs_get_fmpz(L->c, L->sg[2], L->m + 2 * L->N, L->N);
        L->have = 1;
    }
    return L;
}

/* L = A - B for pieces A, B: [4N] (d/dt0, d/dt1, c+, c-); t: [2N] scratch. */
static void xline_set_diff(xline *L, const mp_limb_t *A, const mp_limb_t *B, mp_limb_t *t)
{
    slong N = L->N;
    _xlimbs_diff(L->sg + 0, L->m, A, B, N);
    _xlimbs_diff(L->sg + 1, L->m + N, A + N, B + N, N);
    mpn_add_n(t, A + 2 * N, B + 3 * N, N);          /* c = (A+ + B-) - (A- + B+) */
    mpn_add_n(t + N, A + 3 * N, B + 2 * N, N);
    _xlimbs_diff(L->sg + 2, L->m + 2 * N, t, t + N, N);
    xline_round(L);
}

static int xline_is_zero(const xline *L)
{
    if (!L->exact && (fabs(L->d[0]) > L->e || fabs(L->d[1]) > L->e || fabs(L->d[2]) > L->e))
        return 0;
    return xline_sg(L, 0) == 0 && xline_sg(L, 1) == 0 && xline_sg(L, 2) == 0;
}

/* ---- predicates ---- */

/* Error bound of the predicates: a first-order analysis gives at most
 * 8 * 2^-52 * (sum of the absolute values of the monomials) for inputs with
 * relative error 2^-52 and the few roundings of a 3 x 3 determinant; we
 * use 1e-14 (about 45 * 2^-52) plus an absolute 1e-290 for underflow. */
#define PRED_REL 1e-14
#define PRED_ABS 1e-290

/* The error bound of a predicate whose monomials sum to perm in absolute
 * value, when its inputs may be off by e: pe is the same sum with every
 * input's absolute value increased by its e, so pe - perm bounds how far
 * the inputs' errors move the value, and rounding adds PRED_REL * pe. */
static double widened(double perm, double pe)
{
    return PRED_REL * pe + 1.01 * (pe - perm) + PRED_ABS;
}

/* out = |d| + e, coefficient by coefficient. */
static void inflate3(double *out, const double *d, double e)
{
    out[0] = fabs(d[0]) + e;
    out[1] = fabs(d[1]) + e;
    out[2] = fabs(d[2]) + e;
}

/* sign of det(x; y; z), rows the coefficient triples of three lines. */
static int det3_sign(const xline *x, const xline *y, const xline *z)
{
    const double *p = x->d, *q = y->d, *r = z->d;
    double m0 = q[1] * r[2] - q[2] * r[1], m1 = q[0] * r[2] - q[2] * r[0];
    double m2 = q[0] * r[1] - q[1] * r[0];
    double det = p[0] * m0 - p[1] * m1 + p[2] * m2;
    double perm = fabs(p[0]) * (fabs(q[1] * r[2]) + fabs(q[2] * r[1]))
                  + fabs(p[1]) * (fabs(q[0] * r[2]) + fabs(q[2] * r[0]))
                  + fabs(p[2]) * (fabs(q[0] * r[1]) + fabs(q[1] * r[0]));
    double err = PRED_REL * perm + PRED_ABS;
    fmpz_t s, t, u;
    if (x->e > 0 || y->e > 0 || z->e > 0) {
        /* inexact lines: every monomial may move by (|p|+e)(|q|+e)(|r|+e) - |pqr| */
        double P[3], Q[3], R[3];
        inflate3(P, p, x->e);
        inflate3(Q, q, y->e);
        inflate3(R, r, z->e);
        err = widened(perm, P[0] * (Q[1] * R[2] + Q[2] * R[1])
                            + P[1] * (Q[0] * R[2] + Q[2] * R[0])
                            + P[2] * (Q[0] * R[1] + Q[1] * R[0]));
    }
    int sg;
    if (det > err)
        return 1;
    if (det < -err)
        return -1;
    x = xline_exact(x);
    y = xline_exact(y);
    z = xline_exact(z);
    fmpz_init(s); fmpz_init(t); fmpz_init(u);
    fmpz_mul(t, y->b, z->c);
    fmpz_submul(t, y->c, z->b);
    fmpz_mul(s, x->a, t);
    fmpz_mul(t, y->a, z->c);
    fmpz_submul(t, y->c, z->a);
    fmpz_submul(s, x->b, t);
    fmpz_mul(t, y->a, z->b);
    fmpz_submul(t, y->b, z->a);
    fmpz_addmul(s, x->c, t);
    sg = fmpz_sgn(s);
    fmpz_clear(s); fmpz_clear(t); fmpz_clear(u);
    return sg;
}

/* sign of l at the finite point (-ac, -bc, a^2 + b^2) of M = (a, b, c):
 * -l0 a c - l1 b c + l2 (a^2 + b^2). */
static int mid_sign(const xline *l, const xline *M)
{
    const double *p = l->d, *q = M->d;
    double v = -p[0] * q[0] * q[2] - p[1] * q[1] * q[2] + p[2] * (q[0] * q[0] + q[1] * q[1]);
    double perm = fabs(p[0] * q[0] * q[2]) + fabs(p[1] * q[1] * q[2])
                  + fabs(p[2]) * (q[0] * q[0] + q[1] * q[1]);
    double err = PRED_REL * perm + PRED_ABS;
    fmpz_t s, t;
    int sg;
    if (l->e > 0 || M->e > 0) {
        double P[3], Q[3];
        inflate3(P, p, l->e);
        inflate3(Q, q, M->e);
        err = widened(perm, P[0] * Q[0] * Q[2] + P[1] * Q[1] * Q[2]
                            + P[2] * (Q[0] * Q[0] + Q[1] * Q[1]));
    }
    if (v > err)
        return 1;
    if (v < -err)
        return -1;
    l = xline_exact(l);
    M = xline_exact(M);
    fmpz_init(s); fmpz_init(t);
    fmpz_mul(t, M->a, M->a);
    fmpz_addmul(t, M->b, M->b);
    fmpz_mul(s, l->c, t);
    fmpz_mul(t, l->a, M->a);
    fmpz_addmul(t, l->b, M->b);
    fmpz_submul(s, t, M->c);
    sg = fmpz_sgn(s);
    fmpz_clear(s); fmpz_clear(t);
    return sg;
}

/* sign of a0 b1 - a1 b0 (zero iff the lines are parallel or one is the
 * line at infinity). */
static int cross_w_sign(const xline *A, const xline *B)
{
    double v = A->d[0] * B->d[1] - A->d[1] * B->d[0];
    double perm = fabs(A->d[0] * B->d[1]) + fabs(A->d[1] * B->d[0]);
    double err = PRED_REL * perm + PRED_ABS;
    fmpz_t s;
    int sg;
    if (A->e > 0 || B->e > 0) {
        double P[3], Q[3];
        inflate3(P, A->d, A->e);
        inflate3(Q, B->d, B->e);
        err = widened(perm, P[0] * Q[1] + P[1] * Q[0]);
    }
    if (v > err)
        return 1;
    if (v < -err)
        return -1;
    A = xline_exact(A);
    B = xline_exact(B);
    fmpz_init(s);
    fmpz_mul(s, A->a, B->b);
    fmpz_submul(s, A->b, B->a);
    sg = fmpz_sgn(s);
    fmpz_clear(s);
    return sg;
}

/* ---- polygons ---- */

enum { V_CROSS = 0, V_IDEAL, V_MID };

/* Vertex i of a polygon: its kind, and for V_IDEAL the direction
 * (dx, dy), for V_MID the line. */
typedef struct {
    int kind, dx, dy;
    const xline *M;
} xvert;

/* Edge i runs from vertex i to vertex i + 1 on line s * L (s = +-1). */
typedef struct {
    const xline *L;
    int s;
} xedge;

typedef struct {
    slong n, cap;
    xvert *v;
    xedge *e;
} xpoly;

static void xpoly_init(xpoly *p, slong cap)
{
    p->n = 0;
    p->cap = cap < 4 ? 4 : cap;
    p->v = trop_malloc((size_t)p->cap * sizeof(xvert));
    p->e = trop_malloc((size_t)p->cap * sizeof(xedge));
}

static void xpoly_clear(xpoly *p)
{
    trop_free(p->v);
    trop_free(p->e);
    p->v = NULL;
    p->e = NULL;
    p->n = p->cap = 0;
}

static void xpoly_push(xpoly *p, const xvert *v, const xline *L, int s)
{
    if (p->n == p->cap) {
        p->cap *= 2;
        p->v = trop_realloc(p->v, (size_t)p->cap * sizeof(xvert));
        p->e = trop_realloc(p->e, (size_t)p->cap * sizeof(xedge));
    }
    p->v[p->n] = *v;
    p->e[p->n].L = L;
    p->e[p->n].s = s;
    p->n++;
}

static void xpoly_copy(xpoly *d, const xpoly *s)
{
    xpoly_init(d, s->n + 4);
    memcpy(d->v, s->v, (size_t)s->n * sizeof(xvert));
    memcpy(d->e, s->e, (size_t)s->n * sizeof(xedge));
    d->n = s->n;
}

/* Sign of sl * l at vertex i of p. */
static int vert_sign(const xpoly *p, slong i, const xline *l, int sl)
{
    const xvert *v = p->v + i;
    int sg;
    if (v->kind == V_IDEAL)
        sg = v->dx != 0 ? v->dx * xline_sg(l, 0) : v->dy * xline_sg(l, 1);
    else if (v->kind == V_MID)
        sg = mid_sign(l, v->M);
    else {
        const xedge *in = p->e + (i + p->n - 1) % p->n, *out = p->e + i;
        sg = in->s * out->s * det3_sign(l, in->L, out->L);
    }
    return sl * sg;
}

/* 1 if vertex i is an ideal point. */
static int vert_ideal(const xpoly *p, slong i)
{
    const xvert *v = p->v + i;
    if (v->kind != V_CROSS)
        return v->kind == V_IDEAL;
    return cross_w_sign(p->e[(i + p->n - 1) % p->n].L, p->e[i].L) == 0;
}

enum { CUT_SPLIT, CUT_POS, CUT_NEG, CUT_ZERO };

/* Signs of l at the vertices of p into sg: [p->n]; returns the kind of cut.
 * A polygon whose vertices all lie on l is the whole plane (its vertices are
 * the four ideal points) and l a constant: its sign decides. */
static int classify(int *sg, const xpoly *p, const xline *l)
{
    slong i;
    int pos = 0, neg = 0;
    for (i = 0; i < p->n; i++) {
        sg[i] = vert_sign(p, i, l, 1);
        pos |= sg[i] > 0;
        neg |= sg[i] < 0;
    }
    if (pos && neg)
        return CUT_SPLIT;
    if (pos)
        return CUT_POS;
    if (neg)
        return CUT_NEG;
    if (xline_sg(l, 0) == 0 && xline_sg(l, 1) == 0 && xline_sg(l, 2) != 0)
        return xline_sg(l, 2) > 0 ? CUT_POS : CUT_NEG;
    return CUT_ZERO;
}

/* out = the part of p where sl * l >= 0, given the signs sg of l (not of
 * sl * l) at p's vertices; p must be split by l.  out is initialised by
 * the caller and emptied first. */
static void clip(xpoly *out, const xpoly *p, const xline *l, int sl, const int *sg)
{
    static const xvert cross = {V_CROSS, 0, 0, NULL};
    slong i, n = p->n, k, m;
    out->n = 0;
    for (i = 0; i < n; i++) {
        slong j = i + 1 < n ? i + 1 : 0;
        int si = sl * sg[i], sj = sl * sg[j];
        if (si >= 0) {
            if (si == 0 && sj < 0)
                xpoly_push(out, p->v + i, l, sl);          /* leaves along l */
            else
                xpoly_push(out, p->v + i, p->e[i].L, p->e[i].s);
        }
        if (si > 0 && sj < 0)
            xpoly_push(out, &cross, l, sl);               /* exit point, then along l */
        else if (si < 0 && sj > 0)
            xpoly_push(out, &cross, p->e[i].L, p->e[i].s); /* entry point */
    }
    /* an edge along l between two ideal points joins antipodal points: route
     * it through l's finite point (rare: only cuts of unbounded regions by
     * a line parallel to their ends) */
    m = out->n;
    for (k = 0; k < m; k++) {
        if (out->e[k].L == l && out->e[k].s == sl && vert_ideal(out, k)
            && vert_ideal(out, (k + 1) % m)) {
            xvert mid = {V_MID, 0, 0, l};
            slong q;
            xpoly_push(out, &mid, l, sl);                 /* make room at the end */
            for (q = out->n - 1; q > k + 1; q--) {
                out->v[q] = out->v[q - 1];
                out->e[q] = out->e[q - 1];
            }
            out->v[k + 1] = mid;
            out->e[k + 1].L = l;
            out->e[k + 1].s = sl;
            break;                                        /* at most one such edge */
        }
    }
}

/* ---- the enumeration ---- */

typedef struct {
    xpoly pg;
    slong *br;        /* [units] branch of every unit so far */
} xpiece;

typedef struct {
    xpiece *p;
    slong n, cap, units;
} xplist;

/* Work space of one layer (one level of the depth-first search).  A piece
 * of P or Q is 4N limbs (see limbs.c). */
typedef struct {
    const trop_pqlayer_struct *L;
    slong l, units, k;
    mp_limb_t *H, *G;     /* [nout x 4N] */
    xline *z;             /* [nout]: z = H - G of every row */
    xline *dz;            /* [units x k x k]: maxout differences z_r - z_s; edges of
                           * the pieces point to them, so one set per unit */
    mp_limb_t *P, *Q;     /* [units x 4N]: the pieces handed to the next layer */
    xplist pieces;
    int *sg;              /* [cap] signs, grown as needed */
    slong sgcap;
    /* fast mode: the rows' maps z in double [nout x 3] with error bounds
     * ze [nout]; the units' maps handed on, hd [units x 3], he [units];
     * exact: H, G and the lines are exact for the current region;
     * exact_child: P, Q are exact for the current piece */
    double *zd, *ze, *hd, *he;
    int exact, exact_child;
} xlevel;

/* A layer in double for the fast mode: W [nout x nin], b [nout], slope. */
typedef struct {
    slong nin, nout;
    double *W, *b, slope;
} xdlayer;

/* What the threads share: counters, the stop flag, the first error. */
typedef struct {
    atomic_long regions;
    atomic_int stop;
    slong max_regions;
    int (*progress)(slong layer, slong nlayers, slong regions, void *arg);
    void *progress_arg;
    trop_status st;
    trop_error *err;
} xshared;

/* One thread's search.  Levels are its own, except that the workers read
 * the pieces and lines of the master's level 0, which are made exact
 * before the threads start and are not written after. */
typedef struct {
    const trop_pqnet_struct *e;
    const _xnet *x;
    const xdlayer *dl;    /* fast mode: the layers in double; NULL: exact pieces */
    const xlevel *src0;   /* the level 0 the pieces come from (the master's) */
    const mp_limb_t *P0, *Q0;  /* the inputs' exact pieces */
    slong N, nlayers, tid;
    xlevel *lev;
    mp_limb_t *tmp;       /* [12N] scratch */
    trop_xregion2_emit emit;
    void *emit_arg;
    slong *per_layer;     /* [nlayers], this thread's counts */
    slong regions;
    const slong **br;     /* [nlayers]: the branches of the pieces on the current path */
    xshared *sh;
} xctx;

static void plist_push(xplist *L, xpoly *pg, const slong *br)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 16;
        L->p = trop_realloc(L->p, (size_t)L->cap * sizeof(xpiece));
    }
    L->p[L->n].pg = *pg;
    L->p[L->n].br = trop_malloc((size_t)(L->units > 0 ? L->units : 1) * sizeof(slong));
    memcpy(L->p[L->n].br, br, (size_t)L->units * sizeof(slong));
    L->n++;
}

static void plist_empty(xplist *L)
{
    slong i;
    for (i = 0; i < L->n; i++) {
        xpoly_clear(&L->p[i].pg);
        trop_free(L->p[i].br);
    }
    L->n = 0;
}

static int *signs(xlevel *v, slong n)
{
    if (n > v->sgcap) {
        v->sgcap = 2 * n;
        v->sg = trop_realloc(v->sg, (size_t)v->sgcap * sizeof(int));
    }
    return v->sg;
}

/* Cuts every piece by the sign of relu/leaky unit u. */
static void cut_sign(xlevel *v, slong u)
{
    slong i, n = v->pieces.n;
    const xline *l = v->z + u;
    for (i = 0; i < n; i++) {
        xpiece *p = v->pieces.p + i;
        int *sg = signs(v, p->pg.n), c = classify(sg, &p->pg, l);
        if (c == CUT_SPLIT) {
            xpoly pos, neg;
            xpoly_init(&pos, p->pg.n + 3);
            xpoly_init(&neg, p->pg.n + 3);
            clip(&pos, &p->pg, l, 1, sg);
            clip(&neg, &p->pg, l, -1, sg);
            xpoly_clear(&p->pg);
            p->pg = pos;
            p->br[u] = 1;
            plist_push(&v->pieces, &neg, p->br);
            v->pieces.p[v->pieces.n - 1].br[u] = 0;
        } else
            p->br[u] = c != CUT_NEG;       /* z >= 0 (or z = 0 on the whole piece) */
    }
}

/* The cell of row r in maxout unit u within pg (ties to the lower row), into
 * out; returns 0 if it is empty. */
static int maxout_cell(xpoly *out, const xpoly *pg, xlevel *v, slong u, slong r)
{
    slong s, k = v->k;
    xpoly_copy(out, pg);
    for (s = 0; s < k; s++) {
        const xline *l = v->dz + (u * k + r) * k + s;
        int *sg, c;
        if (s == r)
            continue;
        sg = signs(v, out->n);
        c = classify(sg, out, l);
        if (c == CUT_NEG || (c == CUT_ZERO && s < r))
            return 0;
        if (c == CUT_SPLIT) {
            xpoly t;
            xpoly_init(&t, out->n + 3);
            clip(&t, out, l, 1, sg);
            xpoly_clear(out);
            *out = t;
        }
    }
    return 1;
}

/* dz = z_r - z_s = (H_r + G_s) - (G_r + H_s) for every pair of rows of
 * maxout unit u; t: [10N] scratch. */
static void maxout_lines(xlevel *v, slong u, slong N, mp_limb_t *t)
{
    slong r, s, k = v->k, len = 4 * N;
    for (r = 0; r < k; r++)
        for (s = 0; s < k; s++) {
            const mp_limb_t *Hr = v->H + (u * k + r) * len, *Gr = v->G + (u * k + r) * len;
            const mp_limb_t *Hs = v->H + (u * k + s) * len, *Gs = v->G + (u * k + s) * len;
            if (r == s)
                continue;
            mpn_add_n(t, Hr, Gs, len);
            mpn_add_n(t + len, Gr, Hs, len);
            xline_set_diff(v->dz + (u * k + r) * k + s, t, t + len, t + 2 * len);
        }
}

static void cut_maxout(xlevel *v, slong u)
{
    slong i, r, k = v->k, n = v->pieces.n;
    for (i = 0; i < n; i++) {
        xpoly orig = v->pieces.p[i].pg, cell;
        int first = 1;
        for (r = 0; r < k; r++) {
            if (!maxout_cell(&cell, &orig, v, u, r)) {
                xpoly_clear(&cell);
                continue;
            }
            if (first) {
                v->pieces.p[i].pg = cell;
                v->pieces.p[i].br[u] = r;
                first = 0;
            } else {
                plist_push(&v->pieces, &cell, v->pieces.p[i].br);
                v->pieces.p[v->pieces.n - 1].br[u] = r;
            }
        }
        TROP_ASSERT(!first);   /* the cells of a maxout unit cover the piece */
        xpoly_clear(&orig);
    }
}

/* The maps a level receives: exact pieces (P, Q limbs) or, in fast mode,
 * double maps with error bounds (hd [units x 3], he [units]). */
typedef struct {
    const mp_limb_t *P, *Q;
    const double *hd, *he;
} xin;

static void enter(xctx *c, slong l, const xpoly *R, const xin *in);

/* Fast mode: the rows of layer l in double from the maps in, with running
 * error bounds.  With A = |b| + sum_j |w_j| max_k |h_jk| (the sum the
 * rounding acts on), each coefficient is off by at most
 * sum_j |w_j| (1 + u) e_j + (nin + 4) u A: the inputs' errors, the
 * rounding of w to double and of each product and sum (u = 2^-52). */
static void rows_double(xlevel *v, const xdlayer *D, const double *hd, const double *he)
{
    const double u = 0x1p-52, g = (double)(D->nin + 4) * u;
    slong i, j;
    for (i = 0; i < D->nout; i++) {
        double *z = v->zd + 3 * i, A = fabs(D->b[i]), E = 0;
        z[0] = z[1] = 0;
        z[2] = D->b[i];
        for (j = 0; j < D->nin; j++) {
            double w = D->W[i * D->nin + j];
            const double *h = hd + 3 * j;
            z[0] += w * h[0];
            z[1] += w * h[1];
            z[2] += w * h[2];
            A += fabs(w) * fmax(fabs(h[0]), fmax(fabs(h[1]), fabs(h[2])));
            E += fabs(w) * he[j];
        }
        v->ze[i] = E * (1 + 2 * u) + g * A;
    }
}

/* Fast mode: the lines of level l from the double rows. */
static void lines_double(xctx *c, xlevel *v, slong l)
{
    const double u = 0x1p-52;
    slong i, r, s2, k = v->k;
    if (v->L->rule == TROP_PQ_LINEAR)
        return;
    if (v->L->rule != TROP_PQ_MAXOUT) {
        for (i = 0; i < v->L->nout; i++)
            xline_set_approx(v->z + i, v->zd + 3 * i, v->ze[i], c, l);
        return;
    }
    for (i = 0; i < v->units; i++)
        for (r = 0; r < k; r++)
            for (s2 = 0; s2 < k; s2++) {
                const double *a = v->zd + 3 * (i * k + r), *b = v->zd + 3 * (i * k + s2);
                double d[3] = {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
                double ma = fmax(fabs(a[0]), fmax(fabs(a[1]), fabs(a[2])));
                double mb = fmax(fabs(b[0]), fmax(fabs(b[1]), fabs(b[2])));
                if (r == s2)
                    continue;
                xline_set_approx(v->dz + (i * k + r) * k + s2, d,
                                 v->ze[i * k + r] + v->ze[i * k + s2] + u * (ma + mb), c, l);
            }
}

/* Cuts R by layer l into c->lev[l].pieces, with the rows' pairs and lines. */
static void cut_region(xctx *c, slong l, const xpoly *R, const xin *in)
{
    xlevel *v = c->lev + l;
    const trop_pqlayer_struct *L = v->L;
    slong i, u, len = 4 * c->N;
    xpoly pg;
    slong *br = trop_calloc((size_t)(v->units > 0 ? v->units : 1), sizeof(slong));
    if (c->dl != NULL) {
        rows_double(v, c->dl + l, in->hd, in->he);
        v->exact = 0;
        lines_double(c, v, l);
    } else {
        for (i = 0; i < L->nout; i++) {
            _xnet_affine_row(v->H + len * i, v->G + len * i, c->x, l, i, in->P, in->Q);
            if (L->rule != TROP_PQ_LINEAR && L->rule != TROP_PQ_MAXOUT)
                xline_set_diff(v->z + i, v->H + len * i, v->G + len * i, c->tmp);
        }
        if (L->rule == TROP_PQ_MAXOUT)
            for (u = 0; u < v->units; u++)
                maxout_lines(v, u, c->N, c->tmp);
        v->exact = 1;
    }
    plist_empty(&v->pieces);
    xpoly_copy(&pg, R);
    plist_push(&v->pieces, &pg, br);
    trop_free(br);
    if (L->rule == TROP_PQ_MAXOUT) {
        for (u = 0; u < v->units; u++)
            cut_maxout(v, u);
    } else if (L->rule != TROP_PQ_LINEAR) {
        for (u = 0; u < v->units; u++) {
            if (!xline_is_zero(v->z + u)) {
                cut_sign(v, u);
                continue;
            }
            for (i = 0; i < v->pieces.n; i++)
                v->pieces.p[i].br[u] = 1;
        }
    }
}

/* Fast mode: the unit maps of a piece in double from the rows of src, on
 * the branches b: the rule of the network itself (not Zhang's pair). */
static void units_double(double *hd, double *he, const xlevel *src, const xdlayer *D,
                         const slong *b)
{
    const double u = 0x1p-52;
    slong i, j;
    for (i = 0; i < src->units; i++) {
        slong r = src->L->rule == TROP_PQ_MAXOUT ? i * src->k + b[i] : i;
        const double *z = src->zd + 3 * r;
        double e = src->ze[r];
        if (src->L->rule == TROP_PQ_RELU && b[i] == 0) {
            hd[3 * i] = hd[3 * i + 1] = hd[3 * i + 2] = 0;
            he[i] = 0;
        } else if ((src->L->rule == TROP_PQ_LEAKY_LO || src->L->rule == TROP_PQ_LEAKY_NEG
                    || src->L->rule == TROP_PQ_LEAKY_HI) && b[i] == 0) {
            double m = fmax(fabs(z[0]), fmax(fabs(z[1]), fabs(z[2])));
            for (j = 0; j < 3; j++)
                hd[3 * i + j] = D->slope * z[j];
            he[i] = fabs(D->slope) * e * (1 + 2 * u) + 3 * u * fabs(D->slope) * m;
        } else {
            for (j = 0; j < 3; j++)
                hd[3 * i + j] = z[j];
            he[i] = e;
        }
    }
}

/* Hands on the pieces i0, i0 + step, ... of src (a level l that has been
 * cut), each with its units' maps computed into c's own level l. */
static void descend(xctx *c, slong l, const xlevel *src, slong i0, slong step)
{
    xlevel *v = c->lev + l;
    slong i, u, r, len = 4 * c->N;
    xin in = {v->P, v->Q, v->hd, v->he};
    for (i = i0; i < src->pieces.n && !atomic_load(&c->sh->stop); i += step) {
        const slong *b = src->pieces.p[i].br;
        c->per_layer[l]++;
        c->br[l] = b;
        if (c->dl != NULL) {
            units_double(v->hd, v->he, src, c->dl + l, b);
            v->exact_child = 0;
        } else
            for (u = 0; u < src->units; u++) {
                r = src->L->rule == TROP_PQ_MAXOUT ? u * src->k : u;
                _xnet_unit(v->P + len * u, v->Q + len * u, src->H + len * r,
                           src->G + len * r, c->x, l, b[u]);
            }
        enter(c, l + 1, &src->pieces.p[i].pg, &in);
    }
}

/* Fast mode: makes the rows and lines of level lev exact for the current
 * path (levels above first), replaying the exact pieces along the branches
 * the search has taken; rare, when a filter cannot decide. */
static void level_materialize(void *ctx, slong lev)
{
    xctx *c = ctx;
    slong m, i, u, r, len = 4 * c->N;
    for (m = 0; m <= lev; m++) {
        xlevel *v = c->lev + m;
        const xlevel *src = m == 0 ? c->src0 : v;
        const trop_pqlayer_struct *L = v->L;
        if (!src->exact) {
            const mp_limb_t *Pin = m == 0 ? c->P0 : c->lev[m - 1].P;
            const mp_limb_t *Qin = m == 0 ? c->Q0 : c->lev[m - 1].Q;
            for (i = 0; i < L->nout; i++) {
                _xnet_affine_row(v->H + len * i, v->G + len * i, c->x, m, i, Pin, Qin);
                if (L->rule != TROP_PQ_LINEAR && L->rule != TROP_PQ_MAXOUT)
                    xline_set_diff(v->z + i, v->H + len * i, v->G + len * i, c->tmp);
            }
            if (L->rule == TROP_PQ_MAXOUT)
                for (u = 0; u < v->units; u++)
                    maxout_lines(v, u, c->N, c->tmp);
            v->exact = 1;
        }
        if (m < lev && !v->exact_child) {
            for (u = 0; u < src->units; u++) {
                r = L->rule == TROP_PQ_MAXOUT ? u * src->k : u;
                _xnet_unit(v->P + len * u, v->Q + len * u, src->H + len * r, src->G + len * r,
                           c->x, m, c->br[m][u]);
            }
            v->exact_child = 1;
        }
    }
}

/* Stops every thread; the first caller's error is the one reported. */
static void stop(xctx *c, trop_status st, const char *msg, slong n)
{
    if (atomic_exchange(&c->sh->stop, 1) == 0)
        c->sh->st = trop_error_set(c->sh->err, st, "region", msg, n);
}

static void enter(xctx *c, slong l, const xpoly *R, const xin *in)
{
    xshared *sh = c->sh;
    if (atomic_load(&sh->stop))
        return;
    if (l < c->nlayers) {
        cut_region(c, l, R, in);
        descend(c, l, c->lev + l, 0, 1);
        return;
    }
    {
        long n = atomic_fetch_add(&sh->regions, 1) + 1;
        c->regions++;
        if (sh->max_regions > 0 && n > sh->max_regions) {
            stop(c, TROP_ERR_LIMIT, "more than %ld activation regions", sh->max_regions);
            return;
        }
        if (c->tid == 0 && sh->progress != NULL && (c->regions & 1023) == 0
            && sh->progress(c->nlayers, c->nlayers, n, sh->progress_arg)) {
            stop(c, TROP_ERR_INTERRUPTED, "stopped after %ld activation regions", n);
            return;
        }
    }
    {
        trop_xregion2_rec rec;
        rec.P = in->P;
        rec.Q = in->Q;
        rec.nout = c->e->output_dim;
        rec.N = c->N;
        rec.br = c->br;
        rec.poly = R;
        c->emit(&rec, c->emit_arg);
    }
}

static void level_init(xlevel *v, const trop_pqlayer_struct *L, slong l, slong N)
{
    slong i, len = 4 * N;
    v->L = L;
    v->l = l;
    v->k = L->rule == TROP_PQ_MAXOUT ? L->k : 1;
    v->units = L->nout / v->k;
    v->H = trop_calloc((size_t)(len * L->nout), sizeof(mp_limb_t));
    v->G = trop_calloc((size_t)(len * L->nout), sizeof(mp_limb_t));
    v->z = trop_malloc((size_t)L->nout * sizeof(xline));
    for (i = 0; i < L->nout; i++)
        xline_init(v->z + i, N);
    v->dz = trop_malloc((size_t)(v->units * v->k * v->k) * sizeof(xline));
    for (i = 0; i < v->units * v->k * v->k; i++)
        xline_init(v->dz + i, N);
    v->P = trop_calloc((size_t)(len * v->units), sizeof(mp_limb_t));
    v->Q = trop_calloc((size_t)(len * v->units), sizeof(mp_limb_t));
    v->zd = trop_calloc((size_t)(3 * L->nout), sizeof(double));
    v->ze = trop_calloc((size_t)L->nout, sizeof(double));
    v->hd = trop_calloc((size_t)(3 * v->units), sizeof(double));
    v->he = trop_calloc((size_t)v->units, sizeof(double));
    v->exact = v->exact_child = 0;
    v->pieces.p = NULL;
    v->pieces.n = v->pieces.cap = 0;
    v->pieces.units = v->units;
    v->sg = NULL;
    v->sgcap = 0;
}

static void level_clear(xlevel *v)
{
    slong i;
    trop_free(v->H);
    trop_free(v->G);
    for (i = 0; i < v->L->nout; i++)
        xline_clear(v->z + i);
    trop_free(v->z);
    for (i = 0; i < v->units * v->k * v->k; i++)
        xline_clear(v->dz + i);
    trop_free(v->dz);
    trop_free(v->P);
    trop_free(v->Q);
    trop_free(v->zd);
    trop_free(v->ze);
    trop_free(v->hd);
    trop_free(v->he);
    plist_empty(&v->pieces);
    trop_free(v->pieces.p);
    trop_free(v->sg);
}

static void ctx_init(xctx *c, const trop_pqnet_struct *e, const _xnet *x, xshared *sh,
                     slong tid, trop_xregion2_emit emit, void *emit_arg)
{
    slong l, N = x->N;
    memset(c, 0, sizeof *c);
    c->e = e;
    c->x = x;
    c->N = N;
    c->nlayers = e->nlayers;
    c->tid = tid;
    c->sh = sh;
    c->emit = emit;
    c->emit_arg = emit_arg;
    c->tmp = trop_calloc((size_t)(12 * N), sizeof(mp_limb_t));
    c->per_layer = trop_calloc((size_t)e->nlayers, sizeof(slong));
    c->br = trop_calloc((size_t)e->nlayers, sizeof(slong *));
    c->lev = trop_malloc((size_t)e->nlayers * sizeof(xlevel));
    for (l = 0; l < e->nlayers; l++)
        level_init(c->lev + l, e->layers + l, l, N);
}

static void ctx_clear(xctx *c)
{
    slong l;
    for (l = 0; l < c->nlayers; l++)
        level_clear(c->lev + l);
    trop_free(c->lev);
    trop_free(c->tmp);
    trop_free(c->per_layer);
    trop_free(c->br);
}

/* Makes the exact form of every line of level v, so that threads only read
 * it. */
static void level_freeze(xlevel *v)
{
    slong i;
    for (i = 0; i < v->L->nout; i++)
        xline_exact(v->z + i);
    for (i = 0; i < v->units * v->k * v->k; i++)
        xline_exact(v->dz + i);
}

typedef struct {
    xctx c;
    const xlevel *top;
    slong nthreads;
} xworker;

static void *worker_run(void *arg)
{
    xworker *w = arg;
    descend(&w->c, 0, w->top, w->c.tid, w->nthreads);
    flint_cleanup();            /* FLINT's per-thread caches */
    return NULL;
}

/* The limbs a box line needs: its coefficients are a box coordinate's
 * numerator and denominator. */
static slong box_bits(const fmpq *box)
{
    slong i, b = 0;
    for (i = 0; box != NULL && i < 4; i++)
        b = FLINT_MAX(b, (slong)FLINT_MAX(fmpz_bits(fmpq_numref(box + i)),
                                          fmpz_bits(fmpq_denref(box + i))));
    return b;
}

/* The bits of the integer forms of the half-planes (rows scaled by the lcm
 * of their denominators). */
static slong ineq_bits(const fmpq *h, slong n)
{
    slong i, k, b = 0;
    fmpz_t D, t;
    fmpz_init(D);
    fmpz_init(t);
    for (i = 0; i < n; i++) {
        fmpz_one(D);
        for (k = 0; k < 3; k++)
            fmpz_lcm(D, D, fmpq_denref(h + 3 * i + k));
        for (k = 0; k < 3; k++) {
            fmpz_divexact(t, D, fmpq_denref(h + 3 * i + k));
            fmpz_mul(t, t, fmpq_numref(h + 3 * i + k));
            b = FLINT_MAX(b, (slong)fmpz_bits(t));
        }
    }
    fmpz_clear(D);
    fmpz_clear(t);
    return b;
}

slong _trop_xregion2_width(const trop_pqnet_struct *e, const fmpq *box)
{
    _xnet x;
    slong N;
    _xnet_init(&x, e, box_bits(box));
    N = x.N;
    _xnet_clear(&x);
    return N;
}

/* L = (a, b, c) * (a positive integer) for rationals a, b, c, exactly. */
static void xline_set_q(xline *L, slong a, slong b, const fmpq_t c, int sc)
{
    fmpz_t t;
    const fmpz *d = fmpq_denref(c);
    fmpz_init(t);
    fmpz_mul_si(t, d, a);
    L->sg[0] = fmpz_sgn(t);
    fmpz_abs(t, t);
    fmpz_get_ui_array(L->m, L->N, t);
    fmpz_mul_si(t, d, b);
    L->sg[1] = fmpz_sgn(t);
    fmpz_abs(t, t);
    fmpz_get_ui_array(L->m + L->N, L->N, t);
    fmpz_mul_si(t, fmpq_numref(c), sc);
    L->sg[2] = fmpz_sgn(t);
    fmpz_abs(t, t);
    fmpz_get_ui_array(L->m + 2 * L->N, L->N, t);
    fmpz_clear(t);
    xline_round(L);
    xline_exact(L);
}

/* The starting polygon: the whole plane (box NULL), four ideal points
 * joined along the line at infinity; or the box [lo0, hi0] x [lo1, hi1]
 * (box: [4] = lo0, hi0, lo1, hi1), counter-clockwise from (lo0, lo1), its
 * edges on t1 >= lo1, t0 <= hi0, t1 <= hi1, t0 >= lo0.  lines: [4]. */
static void start_polygon(xpoly *pg, xline *lines, xline *inf, const fmpq *box)
{
    static const int dirs[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    slong i;
    xpoly_init(pg, 8);
    if (box == NULL) {
        for (i = 0; i < 4; i++) {
            xvert v = {V_IDEAL, dirs[i][0], dirs[i][1], NULL};
            xpoly_push(pg, &v, inf, 1);
        }
        return;
    }
    xline_set_q(lines + 0, 0, 1, box + 2, -1);     /* t1 - lo1 >= 0 */
    xline_set_q(lines + 1, -1, 0, box + 1, 1);     /* hi0 - t0 >= 0 */
    xline_set_q(lines + 2, 0, -1, box + 3, 1);     /* hi1 - t1 >= 0 */
    xline_set_q(lines + 3, 1, 0, box + 0, -1);     /* t0 - lo0 >= 0 */
    for (i = 0; i < 4; i++) {
        xvert v = {V_CROSS, 0, 0, NULL};
        xpoly_push(pg, &v, lines + i, 1);
    }
}

/* L = the half-plane a t0 + b t1 + c >= 0 of the rationals h: [3], scaled
 * to integers (exact). */
static void xline_set_row(xline *L, const fmpq *h)
{
    fmpz_t D, t;
    slong k;
    fmpz_init_set_ui(D, 1);
    fmpz_init(t);
    for (k = 0; k < 3; k++)
        fmpz_lcm(D, D, fmpq_denref(h + k));
    for (k = 0; k < 3; k++) {
        fmpz_divexact(t, D, fmpq_denref(h + k));
        fmpz_mul(t, t, fmpq_numref(h + k));
        L->sg[k] = fmpz_sgn(t);
        fmpz_abs(t, t);
        fmpz_get_ui_array(L->m + k * L->N, L->N, t);
    }
    fmpz_clear(D);
    fmpz_clear(t);
    xline_round(L);
    xline_exact(L);
}

/* pg = pg cut to the half-plane l >= 0; returns 0 if nothing with interior
 * is left. */
static int cut_domain(xpoly *pg, const xline *l)
{
    int *sg = trop_malloc((size_t)(pg->n > 0 ? pg->n : 1) * sizeof(int));
    int c = classify(sg, pg, l), ok = c != CUT_NEG;
    if (c == CUT_SPLIT) {
        xpoly t;
        xpoly_init(&t, pg->n + 3);
        clip(&t, pg, l, 1, sg);
        xpoly_clear(pg);
        *pg = t;
    }
    trop_free(sg);
    return ok;
}

/* The layers of net in double, for the fast mode. */
static xdlayer *dlayers_init(const trop_net_struct *net)
{
    xdlayer *D = trop_malloc((size_t)net->nlayers * sizeof(xdlayer));
    slong l, i;
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        D[l].nin = L->nin;
        D[l].nout = L->nout;
        D[l].W = trop_malloc((size_t)(L->nin * L->nout > 0 ? L->nin * L->nout : 1) * sizeof(double));
        D[l].b = trop_malloc((size_t)L->nout * sizeof(double));
        for (i = 0; i < L->nin * L->nout; i++)
            D[l].W[i] = fmpq_get_d(L->W + i);
        for (i = 0; i < L->nout; i++)
            D[l].b[i] = fmpq_get_d(L->b + i);
        D[l].slope = L->act == TROP_ACT_LEAKY ? fmpq_get_d(L->slope) : 0.0;
    }
    return D;
}

static void dlayers_clear(xdlayer *D, slong n)
{
    slong l;
    for (l = 0; l < n; l++) {
        trop_free(D[l].W);
        trop_free(D[l].b);
    }
    trop_free(D);
}

/* Whether every weight, bias and slope of net fits a double with room to
 * spare (the fast mode's error analysis assumes no overflow). */
static int fits_double(const trop_net_struct *net)
{
    slong l, i;
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        for (i = 0; i < L->nin * L->nout; i++)
            if (fabs(fmpq_get_d(L->W + i)) > 1e100)
                return 0;
        for (i = 0; i < L->nout; i++)
            if (fabs(fmpq_get_d(L->b + i)) > 1e100)
                return 0;
    }
    return 1;
}

trop_status _trop_xregion2_enum(const trop_pqnet_struct *e, const trop_net_struct *fast,
                                const fmpq *box, trop_xregion2_emit emit, void **emit_args,
                                slong nthreads, slong *per_layer,
                                const trop_region2_opts *opts, trop_error *err)
{
    static const double hd0[6] = {1, 0, 0, 0, 1, 0}, he0[2] = {0, 0};
    xdlayer *dl = NULL;
    xin in0;
    xshared sh;
    _xnet x;
    xctx m;
    xline inf, boxl[4], *hl = NULL;
    xpoly plane;
    const fmpq *ineq = opts != NULL ? opts->halfplanes : NULL;
    slong nineq = opts != NULL && ineq != NULL ? opts->nhalfplanes : 0;
    int nonempty = 1;
    xworker *w;
    pthread_t *th;
    mp_limb_t *P0, *Q0;
    slong l, i, t, N;
    TROP_ASSERT(e->input_dim == 2 && e->nlayers >= 1 && nthreads >= 1);
    TROP_ASSERT(box == NULL || (fmpq_cmp(box + 0, box + 1) < 0 && fmpq_cmp(box + 2, box + 3) < 0));
    atomic_init(&sh.regions, 0);
    atomic_init(&sh.stop, 0);
    sh.max_regions = opts != NULL ? opts->max_regions : 0;
    sh.progress = opts != NULL ? opts->progress : NULL;
    sh.progress_arg = opts != NULL ? opts->progress_arg : NULL;
    sh.st = TROP_OK;
    sh.err = err;
    _xnet_init(&x, e, FLINT_MAX(box_bits(box), ineq_bits(ineq, nineq)));
    N = x.N;
    if (fast != NULL && fits_double(fast))
        dl = dlayers_init(fast);
    ctx_init(&m, e, &x, &sh, 0, emit, emit_args[0]);
    xline_init(&inf, N);
    inf.sg[2] = 1;
    inf.m[2 * N] = 1;
    xline_round(&inf);
    xline_exact(&inf);
    for (i = 0; i < 4; i++)
        xline_init(boxl + i, N);
    start_polygon(&plane, boxl, &inf, box);
    /* a polygon domain: the half-planes cut the starting plane or box */
    hl = trop_malloc((size_t)(nineq > 0 ? nineq : 1) * sizeof(xline));
    for (i = 0; i < nineq; i++) {
        xline_init(hl + i, N);
        xline_set_row(hl + i, ineq + 3 * i);
        nonempty = nonempty && cut_domain(&plane, hl + i);
    }
    P0 = trop_calloc((size_t)(8 * N), sizeof(mp_limb_t));
    Q0 = trop_calloc((size_t)(8 * N), sizeof(mp_limb_t));
    P0[0] = 1;                   /* P of input 0 is t0: gradient (1, 0) */
    P0[4 * N + N] = 1;           /* P of input 1 is t1 */
    m.dl = dl;
    m.src0 = m.lev + 0;
    m.P0 = P0;
    m.Q0 = Q0;
    in0.P = P0;
    in0.Q = Q0;
    in0.hd = hd0;
    in0.he = he0;
    if (!nonempty) {
        /* an empty or flat domain: no region */
        for (l = 0; l < e->nlayers; l++)
            per_layer[l] = 0;
        goto done;
    }
    /* the first layer's cut is done once, exactly; its pieces are shared out */
    cut_region(&m, 0, &plane, &in0);
    if (dl != NULL)
        level_materialize(&m, 0);
    level_freeze(m.lev + 0);
    w = trop_malloc((size_t)nthreads * sizeof(xworker));
    th = trop_malloc((size_t)nthreads * sizeof(pthread_t));
    for (t = 1; t < nthreads; t++) {
        ctx_init(&w[t].c, e, &x, &sh, t, emit, emit_args[t]);
        w[t].c.dl = dl;
        w[t].c.src0 = m.lev + 0;
        w[t].c.P0 = P0;
        w[t].c.Q0 = Q0;
        w[t].top = m.lev + 0;
        w[t].nthreads = nthreads;
        if (pthread_create(th + t, NULL, worker_run, w + t) != 0)
            w[t].nthreads = 0;   /* not started: its share is done below */
    }
    descend(&m, 0, m.lev + 0, 0, nthreads);
    for (t = 1; t < nthreads; t++) {
        if (w[t].nthreads != 0)
            pthread_join(th[t], NULL);
        else
            descend(&w[t].c, 0, m.lev + 0, t, nthreads);
    }
    for (l = 0; l < e->nlayers; l++) {
        per_layer[l] = m.per_layer[l];
        for (t = 1; t < nthreads; t++)
            per_layer[l] += w[t].c.per_layer[l];
    }
    for (t = 1; t < nthreads; t++)
        ctx_clear(&w[t].c);
    trop_free(w);
    trop_free(th);
done:
    for (i = 0; i < nineq; i++)
        xline_clear(hl + i);
    trop_free(hl);
    xpoly_clear(&plane);
    ctx_clear(&m);
    xline_clear(&inf);
    for (i = 0; i < 4; i++)
        xline_clear(boxl + i);
    trop_free(P0);
    trop_free(Q0);
    if (dl != NULL)
        dlayers_clear(dl, e->nlayers);
    _xnet_clear(&x);
    return sh.st;
}

/* ---- what a region record tells ---- */

/* v = vertex i of p in homogeneous integer coordinates. */
static void vert_coords(fmpz *v, const xpoly *p, slong i)
{
    const xvert *x = p->v + i;
    if (x->kind == V_IDEAL) {
        fmpz_set_si(v + 0, x->dx);
        fmpz_set_si(v + 1, x->dy);
        fmpz_zero(v + 2);
    } else if (x->kind == V_MID) {
        const xline *M = xline_exact(x->M);
        fmpz_mul(v + 0, M->a, M->c);
        fmpz_neg(v + 0, v + 0);
        fmpz_mul(v + 1, M->b, M->c);
        fmpz_neg(v + 1, v + 1);
        fmpz_mul(v + 2, M->a, M->a);
        fmpz_addmul(v + 2, M->b, M->b);
    } else {
        const xedge *ein = p->e + (i + p->n - 1) % p->n, *eout = p->e + i;
        const xline *A = xline_exact(ein->L), *B = xline_exact(eout->L);
        fmpz_mul(v + 0, A->b, B->c);
        fmpz_submul(v + 0, A->c, B->b);
        fmpz_mul(v + 1, A->c, B->a);
        fmpz_submul(v + 1, A->a, B->c);
        fmpz_mul(v + 2, A->a, B->b);
        fmpz_submul(v + 2, A->b, B->a);
        if (ein->s * eout->s < 0) {
            fmpz_neg(v + 0, v + 0);
            fmpz_neg(v + 1, v + 1);
            fmpz_neg(v + 2, v + 2);
        }
    }
}

int _trop_xregion2_bounded(const trop_xregion2_rec *r)
{
    const xpoly *p = r->poly;
    slong i;
    for (i = 0; i < p->n; i++)
        if (vert_ideal(p, i))
            return 0;
    return 1;
}

void _trop_xregion2_point(fmpq *pt, const trop_xregion2_rec *r)
{
    const xpoly *p = r->poly;
    fmpz v[3];
    fmpq_t t, m;
    slong i, nf = 0;
    fmpq s[2], d[2];
    fmpz_init(v + 0); fmpz_init(v + 1); fmpz_init(v + 2);
    fmpq_init(t); fmpq_init(m);
    fmpq_init(s + 0); fmpq_init(s + 1); fmpq_init(d + 0); fmpq_init(d + 1);
    /* the mean of the finite vertices plus the directions of the ideal ones
     * (each scaled to max norm 1): a positive combination of all the
     * region's generators, so inside it */
    for (i = 0; i < p->n; i++) {
        vert_coords(v, p, i);
        if (fmpz_is_zero(v + 2)) {
            fmpz_abs(fmpq_numref(m), v + 0);
            fmpz_one(fmpq_denref(m));
            fmpz_abs(fmpq_numref(t), v + 1);
            fmpz_one(fmpq_denref(t));
            if (fmpq_cmp(t, m) > 0)
                fmpq_swap(t, m);
            fmpq_set_fmpz_frac(t, v + 0, fmpq_numref(m));
            fmpq_add(d + 0, d + 0, t);
            fmpq_set_fmpz_frac(t, v + 1, fmpq_numref(m));
            fmpq_add(d + 1, d + 1, t);
        } else {
            fmpq_set_fmpz_frac(t, v + 0, v + 2);
            fmpq_add(s + 0, s + 0, t);
            fmpq_set_fmpz_frac(t, v + 1, v + 2);
            fmpq_add(s + 1, s + 1, t);
            nf++;
        }
    }
    if (nf > 0) {
        fmpz_set_si(v + 0, nf);
        fmpq_div_fmpz(s + 0, s + 0, v + 0);
        fmpq_div_fmpz(s + 1, s + 1, v + 0);
    }
    fmpq_add(pt + 0, s + 0, d + 0);
    fmpq_add(pt + 1, s + 1, d + 1);
    fmpz_clear(v + 0); fmpz_clear(v + 1); fmpz_clear(v + 2);
    fmpq_clear(t); fmpq_clear(m);
    fmpq_clear(s + 0); fmpq_clear(s + 1); fmpq_clear(d + 0); fmpq_clear(d + 1);
}

slong _trop_xregion2_nedges(const trop_xregion2_rec *r)
{
    return ((const xpoly *)r->poly)->n;
}

int _trop_xregion2_edge(fmpz *line, fmpz *p, fmpz *q, const trop_xregion2_rec *r, slong k)
{
    const xpoly *pg = r->poly;
    const xedge *e = pg->e + k;
    const xline *L = xline_exact(e->L);
    if (fmpz_is_zero(L->a) && fmpz_is_zero(L->b))
        return 0;                       /* the line at infinity */
    fmpz_mul_si(line + 0, L->a, e->s);
    fmpz_mul_si(line + 1, L->b, e->s);
    fmpz_mul_si(line + 2, L->c, e->s);
    vert_coords(p, pg, k);
    vert_coords(q, pg, (k + 1) % pg->n);
    return 1;
}

slong _trop_xregion2_nverts(const trop_xregion2_rec *r)
{
    return ((const xpoly *)r->poly)->n;
}

void _trop_xregion2_vertex(fmpz *v, const trop_xregion2_rec *r, slong k)
{
    vert_coords(v, r->poly, k);
}
