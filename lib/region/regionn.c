/* regionn.c: exact activation regions of a ReLU / leaky-ReLU network in n
 * input dimensions, inside a bounded polytope (a box, optionally cut by
 * half-spaces).
 *
 * A region is kept as its H-representation: the domain's rows and the
 * units that cut one of its ancestors, each oriented by the region's
 * activation pattern (a unit that does not cut a region is redundant for
 * it and for all its descendants, so these rows describe the region
 * exactly).  A double V-representation (vertices with the set of rows tight
 * at each) rides along as a guide: it proposes whether a unit cuts, and
 * where.  Nothing is decided by the guide alone:
 *
 *  - "cuts" is certified by two points, one strictly inside each side,
 *    checked against every row with a rigorous error bound (the rows are
 *    double images of the exact affine maps, with a bound on their error
 *    over the domain box carried through the layers);
 *  - "does not cut" is certified by nonnegative multipliers lam with
 *    f - sum lam_i g_i = rho nearly constant, so that min f over the region
 *    >= rho_0 - |rho_lin| X - errors > 0 (the safe LP bound of Neumaier and
 *    Shcherbina 2004, Math. Program. 99:283-296, section 2);
 *  - when neither certificate goes through, the exact maps are recomputed
 *    in fmpq from the pattern and an exact LP (qlp.c) decides both sides.
 *
 * Hence counts and patterns are exact whatever the rounding did to the
 * guide.  Layer 0 is refined first on one thread (its regions are the
 * per-layer count of layer 0 and the units of work); their subtrees then
 * run on all threads, depth first. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_vec.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "trop/hull.h"
#include "region-internal.h"

#define UR 1.1102230246251565e-16          /* 2^-53 */
/* A bound for the relative rounding of a k-term dot product, with slack. */
#define GAM(k) (((double)(k) + 3.0) * UR * 1.01)

/* ---- the network in double, with what the error bounds need ---- */

typedef struct {
    const trop_net_struct *net;
    slong n, nl, nunits, ndom, words, nrows;   /* nrows: ndom + nunits */
    slong *ustart;          /* [nl + 1]: global index of layer l's first unit */
    double **W, **b;        /* layer l: [nout x nin], [nout] */
    double *slope;          /* [nl] leaky slopes in double */
    double *X;              /* [n]: max |x_j| over the box, rounded up */
    double *dom, *dome;     /* [ndom x (n+1)] rows a.x + c >= 0, [ndom] errors */
    fmpq *qdom;             /* [ndom x (n+1)] the exact rows */
    fmpz **Wz, **bz;        /* layer l scaled to integers by Dz[l] */
    fmpz *Dz;               /* [nl] */
    fmpz_t one;
    int nobox;              /* the domain is all of R^n (cut by half-spaces):
                               no guide, every decision exact */
    int empty;              /* a half-space 0 . x + c >= 0 with c < 0 */
} nctx;

/* Bound on |g(x)| over the box for a row g: [n+1]. */
static double row_absbound(const nctx *c, const double *g)
{
    slong j;
    double s = fabs(g[c->n]);
    for (j = 0; j < c->n; j++)
        s += fabs(g[j]) * c->X[j];
    return s * (1.0 + GAM(c->n + 1));
}

/* Z = W_l H + b_l with error bounds: H: [nin x (n+1)], eh: [nin] bounds on
 * |h_k(x) - H_k(x)| over the box.  The weights were rounded once (relative
 * error < 2u); each coefficient is an nin-term dot product. */
static void maps_affine(const nctx *c, slong l, double *Z, double *ez, const double *H,
                        const double *eh)
{
    const trop_layer_struct *L = c->net->layers + l;
    slong i, j, k, n1 = c->n + 1, nin = L->nin;
    double *A = trop_malloc((size_t)nin * sizeof(double));
    for (k = 0; k < nin; k++)
        A[k] = row_absbound(c, H + k * n1);
    for (i = 0; i < L->nout; i++) {
        const double *w = c->W[l] + i * nin;
        double *z = Z + i * n1, E = 0, S = fabs(c->b[l][i]);
        for (j = 0; j < n1; j++)
            z[j] = 0;
        for (k = 0; k < nin; k++) {
            const double *h = H + k * n1;
            if (!(fabs(w[k]) > 0))
                continue;
            for (j = 0; j < n1; j++)
                z[j] += w[k] * h[j];
            E += fabs(w[k]) * eh[k];
            S += fabs(w[k]) * A[k];
        }
        z[c->n] += c->b[l][i];
        ez[i] = (E * (1 + 4 * UR) + (2.01 * UR + GAM(nin + 1)) * S) * (1 + GAM(nin + 2))
                + 1e-300;
    }
    trop_free(A);
}

/* H = the activation of Z on the branches pat: [nout] (1: active). */
static void maps_act(const nctx *c, slong l, double *H, double *eh, const double *Z,
                     const double *ez, const unsigned char *pat)
{
    const trop_layer_struct *L = c->net->layers + l;
    slong i, j, n1 = c->n + 1;
    for (i = 0; i < L->nout; i++) {
        const double *z = Z + i * n1;
        double *h = H + i * n1;
        if (!_trop_layer_branches(L) || pat[i]) {
            memcpy(h, z, (size_t)n1 * sizeof(double));
            eh[i] = ez[i];
        } else if (L->act == TROP_ACT_RELU) {
            memset(h, 0, (size_t)n1 * sizeof(double));
            eh[i] = 0;
        } else {
            double s = c->slope[l];
            for (j = 0; j < n1; j++)
                h[j] = s * z[j];
            eh[i] = (fabs(s) * ez[i] * (1 + 4 * UR) + 3.01 * UR * fabs(s) * row_absbound(c, z))
                    * (1 + 4 * UR) + 1e-300;
        }
    }
}

/* ---- regions ---- */

/* A region: rows g[k] . (x, 1) >= 0 with error bounds ge[k]; gid[k] >= 0 a
 * unit (oriented by gsg[k]), < 0 the domain row -1 - gid[k]; the guide:
 * V vertices vx [V x n] and tight sets Z [V x words] (bit k: row k); pat
 * [nunits] the branches fixed so far; pt [n] an exact point strictly inside
 * (ptd its double image). */
typedef struct {
    slong m, V, vcap;
    double *g, *ge;
    slong *gid;
    signed char *gsg;
    double *vx;
    ulong *Z;
    unsigned char *pat;
    fmpq *pt;
    double *ptd;
} nreg;

static void reg_init(nreg *R, const nctx *c)
{
    slong n1 = c->n + 1, M = c->nrows + 1;
    R->m = R->V = R->vcap = 0;
    R->g = trop_malloc((size_t)(M * n1) * sizeof(double));
    R->ge = trop_malloc((size_t)M * sizeof(double));
    R->gid = trop_malloc((size_t)M * sizeof(slong));
    R->gsg = trop_malloc((size_t)M);
    R->vx = NULL;
    R->Z = NULL;
    R->pat = trop_calloc((size_t)c->nunits + 1, 1);
    R->pt = _fmpq_vec_init(c->n);
    R->ptd = trop_malloc((size_t)c->n * sizeof(double));
}

static void reg_clear(nreg *R, const nctx *c)
{
    trop_free(R->g);
    trop_free(R->ge);
    trop_free(R->gid);
    trop_free(R->gsg);
    trop_free(R->vx);
    trop_free(R->Z);
    trop_free(R->pat);
    _fmpq_vec_clear(R->pt, c->n);
    trop_free(R->ptd);
}

static void reg_vreserve(nreg *R, const nctx *c, slong V)
{
    if (V <= R->vcap)
        return;
    R->vcap = FLINT_MAX(V, 2 * R->vcap);
    R->vx = trop_realloc(R->vx, (size_t)(R->vcap * c->n) * sizeof(double));
    R->Z = trop_realloc(R->Z, (size_t)(R->vcap * c->words) * sizeof(ulong));
}

/* D = S's rows and pattern, with row f oriented by sg appended (no guide). */
static void reg_child(nreg *D, const nreg *S, const nctx *c, const double *f, double ef,
                      slong unit, int sg)
{
    slong j, n1 = c->n + 1;
    memcpy(D->g, S->g, (size_t)(S->m * n1) * sizeof(double));
    memcpy(D->ge, S->ge, (size_t)S->m * sizeof(double));
    memcpy(D->gid, S->gid, (size_t)S->m * sizeof(slong));
    memcpy(D->gsg, S->gsg, (size_t)S->m);
    memcpy(D->pat, S->pat, (size_t)c->nunits);
    for (j = 0; j < n1; j++)
        D->g[S->m * n1 + j] = sg * f[j];
    D->ge[S->m] = ef;
    D->gid[S->m] = unit;
    D->gsg[S->m] = (signed char)sg;
    D->m = S->m + 1;
    D->pat[unit] = sg > 0;
    D->V = 0;
}

static double row_eval(const double *g, const double *x, slong n)
{
    slong j;
    double s = g[n];
    for (j = 0; j < n; j++)
        s += g[j] * x[j];
    return s;
}

/* 1 if the double point x (an exact dyadic rational) lies strictly inside
 * every row of R and on the side sg f > 0: each value must exceed its
 * rounding bound plus the row's error bound.  The domain rows come first
 * in R, so x is known to be in the box when the unit rows' bounds (valid
 * on the box) are used. */
static int strictly_inside(const nctx *c, const nreg *R, const double *f, double ef, int sg,
                           const double *x)
{
    slong k, j, n = c->n;
    for (k = 0; k <= R->m; k++) {
        const double *g = k < R->m ? R->g + k * (n + 1) : f;
        double e = k < R->m ? R->ge[k] : ef, v = row_eval(g, x, n), S = fabs(g[n]);
        if (k == R->m)
            v = sg * v;
        for (j = 0; j < n; j++)
            S += fabs(g[j] * x[j]);
        if (!(v > (e + GAM(n + 1) * S) * (1 + 4 * UR) + 1e-300))
            return 0;
    }
    return 1;
}

/* Solves the n x n system M y = r (M row-major, destroyed) by Gaussian
 * elimination with partial pivoting; 0 if M is numerically singular. */
static int solve_small(double *y, double *M, double *r, slong n)
{
    slong i, j, k;
    for (k = 0; k < n; k++) {
        slong p = k;
        for (i = k + 1; i < n; i++)
            if (fabs(M[i * n + k]) > fabs(M[p * n + k]))
                p = i;
        if (!(fabs(M[p * n + k]) > 1e-300))
            return 0;
        if (p != k) {
            for (j = 0; j < n; j++) {
                double t = M[k * n + j];
                M[k * n + j] = M[p * n + j];
                M[p * n + j] = t;
            }
            {
                double t = r[k];
                r[k] = r[p];
                r[p] = t;
            }
        }
        for (i = k + 1; i < n; i++) {
            double q = M[i * n + k] / M[k * n + k];
            if (!(fabs(q) > 0))
                continue;
            for (j = k; j < n; j++)
                M[i * n + j] -= q * M[k * n + j];
            r[i] -= q * r[k];
        }
    }
    for (k = n - 1; k >= 0; k--) {
        double s = r[k];
        for (j = k + 1; j < n; j++)
            s -= M[k * n + j] * y[j];
        y[k] = s / M[k * n + k];
        if (!isfinite(y[k]))
            return 0;
    }
    return 1;
}

/* 1 if sg f > 0 on all of R is proven: at the vertex vs of the guide where
 * sg f is least, n rows tight there give multipliers lam >= 0 with
 * grad(sg f) = sum lam_i grad(g_i); then rho = sg f - sum lam_i g_i has a
 * small linear part and for x in R (inside the box, g_i(x) >= 0):
 *   f(x) >= rho(x) - |rounding of rho|(x) - sum lam_i ge_i - ef
 *        >= rho_n - sum_j (|rho_j| + d_j) X_j - d_n - sum lam_i ge_i - ef,
 * d the rounding bound of rho's coefficients. */
static int cert_sign(const nctx *c, const nreg *R, const double *f, double ef, int sg, slong vs)
{
    slong n = c->n, n1 = n + 1, i, j, k, nsel = 0;
    slong sel[64];
    double M[64 * 64], y[64], r[64], rho[65], D[65] = {0};
    const ulong *z = R->Z + vs * c->words;
    double T;
    if (n > 64)
        return 0;
    /* n tight rows, greedily independent: accept a row if the system of the
     * accepted ones stays of full rank (checked by the final solve). */
    for (k = 0; k < R->m && nsel < n; k++)
        if (z[k / FLINT_BITS] >> (k % FLINT_BITS) & 1) {
            /* reject a row nearly parallel to an accepted one */
            int ok = 1;
            for (i = 0; i < nsel && ok; i++) {
                const double *a = R->g + sel[i] * n1, *b = R->g + k * n1;
                double ab = 0, aa = 0, bb = 0;
                for (j = 0; j < n; j++) {
                    ab += a[j] * b[j];
                    aa += a[j] * a[j];
                    bb += b[j] * b[j];
                }
                if (!(bb > 0) || ab * ab > (1 - 1e-12) * aa * bb)
                    ok = 0;
            }
            if (ok)
                sel[nsel++] = k;
        }
    if (nsel < n)
        return 0;
    /* transposed system: sum_i lam_i g_i[j] = sg f[j], j < n */
    for (j = 0; j < n; j++) {
        for (i = 0; i < n; i++)
            M[j * n + i] = R->g[sel[i] * n1 + j];
        r[j] = sg * f[j];
    }
    if (!solve_small(y, M, r, n))
        return 0;
    for (i = 0; i < n; i++) {
        if (y[i] < 0) {
            if (y[i] < -1e-9 * (1 + fabs(y[i])))
                return 0;
            y[i] = 0;
        }
    }
    for (j = 0; j < n1; j++) {
        rho[j] = sg * f[j];
        D[j] = fabs(f[j]);
        for (i = 0; i < n; i++) {
            double gij = R->g[sel[i] * n1 + j];
            rho[j] -= y[i] * gij;
            D[j] += y[i] * fabs(gij);
        }
        D[j] *= GAM(n + 1);
    }
    T = D[n] + ef;
    for (j = 0; j < n; j++)
        T += (fabs(rho[j]) + D[j]) * c->X[j];
    for (i = 0; i < n; i++)
        T += y[i] * R->ge[sel[i]];
    T = T * (1 + GAM(2 * n + 4)) + 1e-300;
    return rho[n] > T;
}

/* ---- the guide: vertices and tight sets ---- */

static void vset_tight(const nctx *c, const nreg *R, ulong *z, const double *x)
{
    slong k, n = c->n, n1 = n + 1;
    memset(z, 0, (size_t)c->words * sizeof(ulong));
    for (k = 0; k < R->m; k++) {
        const double *g = R->g + k * n1;
        double v = row_eval(g, x, n);
        if (fabs(v) <= 1e-9 * row_absbound(c, g) + 2 * R->ge[k])
            z[k / FLINT_BITS] |= UWORD(1) << (k % FLINT_BITS);
    }
}

/* Rebuilds R's vertices from its rows with qhull (polar duality around the
 * interior point ptd: row a.x + c >= 0 becomes the dual point -a / s with
 * s = a.ptd + c > 0, and each facet of their hull is a vertex).  On failure
 * (thin or degenerate regions) V = 0: decisions on R are then exact. */
static void vrep_rebuild(const nctx *c, nreg *R)
{
    slong n = c->n, n1 = n + 1, k, j, f;
    double *pts;
    trop_hull_t h;
    trop_error err;
    trop_hull_opts o = {0, 0};
    R->V = 0;
    if (c->nobox || R->m <= n)  /* unbounded regions: no guide */
        return;
    pts = trop_malloc((size_t)(R->m * n) * sizeof(double));
    for (k = 0; k < R->m; k++) {
        const double *g = R->g + k * n1;
        double s = row_eval(g, R->ptd, n);
        if (!(s > 0)) {
            trop_free(pts);
            return;
        }
        for (j = 0; j < n; j++)
            pts[k * n + j] = -g[j] / s;
    }
    trop_hull_init(h);
    if (trop_hull_compute(h, pts, R->m, n, &o, &err) == TROP_OK) {
        reg_vreserve(R, c, h->nfacets);
        for (f = 0; f < h->nfacets; f++) {
            double o = h->offsets[f];
            double *x = R->vx + R->V * n;
            if (!(o < 0))
                break;
            for (j = 0; j < n; j++)
                x[j] = R->ptd[j] + h->normals[f * n + j] / (-o);
            vset_tight(c, R, R->Z + R->V * c->words, x);
            for (j = 0; j < h->nfv[f]; j++) {
                slong q = h->fverts[h->fstart[f] + j];
                R->Z[R->V * c->words + q / FLINT_BITS] |= UWORD(1) << (q % FLINT_BITS);
            }
            R->V++;
        }
        if (f < h->nfacets)
            R->V = 0;
    }
    trop_hull_clear(h);
    trop_free(pts);
}

static slong popcount_and(const ulong *a, const ulong *b, slong w)
{
    slong i, s = 0;
    for (i = 0; i < w; i++)
        s += __builtin_popcountl(a[i] & b[i]);
    return s;
}

/* 1 if u and v span an edge of R: they share n - 1 tight rows and no
 * other vertex has all of those (the combinatorial test). */
static int vset_adjacent(const nctx *c, const nreg *R, slong u, slong v, ulong *com)
{
    slong i, x, w = c->words;
    const ulong *zu = R->Z + u * w, *zv = R->Z + v * w;
    for (i = 0; i < w; i++)
        com[i] = zu[i] & zv[i];
    if (popcount_and(com, com, w) < c->n - 1)
        return 0;
    for (x = 0; x < R->V; x++) {
        const ulong *zx = R->Z + x * w;
        if (x == u || x == v)
            continue;
        for (i = 0; i < w; i++)
            if (com[i] & ~zx[i])
                break;
        if (i == w)
            return 0;
    }
    return 1;
}

/* Children A (sg = +1) and B (-1) of R cut by f, guide only: the vertices
 * of R on each side (those on f = 0 go to both, tight on the new row) and
 * the points where f crosses an edge of R. */
static void vrep_cut(const nctx *c, const nreg *R, const double *fv, const signed char *sgn,
                     nreg *A, nreg *B)
{
    slong n = c->n, w = c->words, u, v, i, newk = R->m;
    ulong *com = trop_malloc((size_t)w * sizeof(ulong));
    nreg *kid[2];
    kid[0] = A;
    kid[1] = B;
    for (i = 0; i < 2; i++) {
        nreg *K = kid[i];
        int s = i == 0 ? 1 : -1;
        K->V = 0;
        for (u = 0; u < R->V; u++) {
            if (sgn[u] == -s)
                continue;
            reg_vreserve(K, c, K->V + 1);
            memcpy(K->vx + K->V * n, R->vx + u * n, (size_t)n * sizeof(double));
            memcpy(K->Z + K->V * w, R->Z + u * w, (size_t)w * sizeof(ulong));
            if (sgn[u] == 0)
                K->Z[K->V * w + newk / FLINT_BITS] |= UWORD(1) << (newk % FLINT_BITS);
            K->V++;
        }
    }
    for (u = 0; u < R->V; u++) {
        if (sgn[u] <= 0)
            continue;
        for (v = 0; v < R->V; v++) {
            double t;
            if (sgn[v] >= 0 || !vset_adjacent(c, R, u, v, com))
                continue;
            t = fv[u] / (fv[u] - fv[v]);
            com[newk / FLINT_BITS] |= UWORD(1) << (newk % FLINT_BITS);
            for (i = 0; i < 2; i++) {
                nreg *K = kid[i];
                slong j;
                reg_vreserve(K, c, K->V + 1);
                for (j = 0; j < n; j++)
                    K->vx[K->V * n + j] = R->vx[u * n + j] + t * (R->vx[v * n + j] - R->vx[u * n + j]);
                memcpy(K->Z + K->V * w, com, (size_t)w * sizeof(ulong));
                K->V++;
            }
        }
    }
    trop_free(com);
}

static void centroid(double *x, const nreg *K, slong n)
{
    slong v, j;
    for (j = 0; j < n; j++)
        x[j] = 0;
    for (v = 0; v < K->V; v++)
        for (j = 0; j < n; j++)
            x[j] += K->vx[v * n + j];
    for (j = 0; j < n; j++)
        x[j] /= (double)K->V;
}

static void pt_set_d(nreg *K, const double *x, slong n)
{
    slong j;
    for (j = 0; j < n; j++) {
        K->ptd[j] = x[j];
        trop_q_set_d(K->pt + j, x[j], NULL);
    }
}

/* ---- the exact fallback ---- */

/* The exact forward pass of the affine maps on the branches pat (one byte
 * per relu / leaky unit, layer by layer), on integers: layer l's weights
 * and biases are scaled by the common denominator Dz[l] of its entries,
 * so the maps are integer numerators over one positive denominator den
 * (a leaky slope p/q multiplies the inactive rows by p, the others by q
 * and den by q).  Qz (may be NULL): [(units of layers 0..upto) x (n+1)]
 * positive integer multiples of the units' pre-activation maps (enough
 * for inequalities); out (may be NULL): [output_dim x (n+1)] the outputs'
 * maps (upto must then be the last layer). */
static void z_forward(fmpz *Qz, fmpq *out, const nctx *c, const unsigned char *pat, slong upto)
{
    const trop_net_struct *net = c->net;
    slong n = c->n, n1 = n + 1, k, i, q, u = 0, nin = n;
    fmpz *H = _fmpz_vec_init(n * n1), *Z;
    fmpz_t den;
    fmpz_init_set_ui(den, 1);
    for (i = 0; i < n; i++)
        fmpz_one(H + i * n1 + i);
    for (k = 0; k <= upto; k++) {
        const trop_layer_struct *L = net->layers + k;
        int units = _trop_layer_branches(L), leaky = units && L->act == TROP_ACT_LEAKY;
        Z = _fmpz_vec_init(L->nout * n1);
        for (i = 0; i < L->nout; i++) {
            fmpz *z = Z + i * n1;
            for (q = 0; q < nin; q++) {
                const fmpz *wq = c->Wz[k] + i * nin + q;
                if (fmpz_is_zero(wq))
                    continue;
                _fmpz_vec_scalar_addmul_fmpz(z, H + q * n1, n1, wq);
            }
            fmpz_addmul(z + n, c->bz[k] + i, den);
            if (units && Qz != NULL)
                _fmpz_vec_set(Qz + (u + i) * n1, z, n1);
            if (units && !pat[u + i]) {
                if (L->act == TROP_ACT_RELU)
                    _fmpz_vec_zero(z, n1);
                else
                    _fmpz_vec_scalar_mul_fmpz(z, z, n1, fmpq_numref(L->slope));
            } else if (leaky)
                _fmpz_vec_scalar_mul_fmpz(z, z, n1, fmpq_denref(L->slope));
        }
        fmpz_mul(den, den, c->Dz + k);
        if (leaky)
            fmpz_mul(den, den, fmpq_denref(L->slope));
        u += units ? L->nout : 0;
        _fmpz_vec_clear(H, nin * n1);
        H = Z;
        nin = L->nout;
    }
    if (out != NULL)
        for (i = 0; i < nin * n1; i++)
            fmpq_set_fmpz_frac(out + i, H + i, den);
    _fmpz_vec_clear(H, nin * n1);
    fmpz_clear(den);
}

/* Q: [units x (n+1)] rationals = the rows of z_forward (integers). */
static void z_rows(fmpq *Q, const nctx *c, const unsigned char *pat, slong upto)
{
    slong nq = c->ustart[upto + 1] * (c->n + 1), i;
    fmpz *Qz = _fmpz_vec_init(FLINT_MAX(nq, 1));
    z_forward(Qz, NULL, c, pat, upto);
    for (i = 0; i < nq; i++)
        fmpq_set_fmpz_frac(Q + i, Qz + i, (const fmpz *)c->one);
    _fmpz_vec_clear(Qz, FLINT_MAX(nq, 1));
}

/* Decides exactly which open sides of unit's row f (layer l) meet R's
 * interior: side[0] for f > 0, side[1] for f < 0; a witness strictly
 * inside each nonempty side goes to wit[s]: [n]. */
static void decide_exact(int *side, fmpq *wit0, fmpq *wit1, const nctx *c, const nreg *R,
                         slong l, slong unit)
{
    slong n = c->n, n1 = n + 1, d = n + 1, m = R->m + 2, k, j, s;
    slong nq = c->ustart[l + 1];
    fmpq *Q = _fmpq_vec_init(FLINT_MAX(nq, 1) * n1);
    fmpq *h = _fmpq_vec_init(m * (d + 1)), *obj = _fmpq_vec_init(d);
    fmpq *y0 = _fmpq_vec_init(d), *ys = _fmpq_vec_init(d);
    fmpq_t v, t0;
    fmpq_init(v);
    fmpq_init(t0);
    z_rows(Q, c, R->pat, l);
    /* rows g_k(x) - t >= 0, then sg f(x) - t >= 0, then 1 - t >= 0 */
    for (k = 0; k < R->m; k++) {
        fmpq *row = h + k * (d + 1);
        const fmpq *src = R->gid[k] >= 0 ? Q + R->gid[k] * n1 : c->qdom + (-1 - R->gid[k]) * n1;
        for (j = 0; j < n; j++)
            if (R->gsg[k] > 0)
                fmpq_set(row + j, src + j);
            else
                fmpq_neg(row + j, src + j);
        if (R->gsg[k] > 0)
            fmpq_set(row + d, src + n);
        else
            fmpq_neg(row + d, src + n);
        fmpq_set_si(row + n, -1, 1);
    }
    fmpq_set_si(h + (m - 1) * (d + 1) + n, -1, 1);
    fmpq_one(h + (m - 1) * (d + 1) + d);
    fmpq_one(obj + n);
    for (s = 0; s < 2; s++) {
        fmpq *row = h + (m - 2) * (d + 1);
        const fmpq *f = Q + unit * n1;
        for (j = 0; j <= n; j++) {
            slong jj = j < n ? j : d;
            if (s == 0)
                fmpq_set(row + jj, f + j);
            else
                fmpq_neg(row + jj, f + j);
        }
        fmpq_set_si(row + n, -1, 1);
        /* start: x = pt, t = min(0, sg f(pt)) - 1 */
        _trop_qvec_set(y0, R->pt, n);
        _trop_qvec_dot(v, row, R->pt, n);
        fmpq_add(v, v, row + d);
        if (fmpq_sgn(v) > 0)
            fmpq_zero(v);
        fmpq_sub_si(y0 + n, v, 1);
        side[s] = _trop_qlp_max(ys, v, h, m, d, obj, y0) == 0 && fmpq_sgn(v) > 0;
        if (side[s])
            _trop_qvec_set(s == 0 ? wit0 : wit1, ys, n);
    }
    fmpq_clear(v);
    fmpq_clear(t0);
    _fmpq_vec_clear(Q, FLINT_MAX(nq, 1) * n1);
    _fmpq_vec_clear(h, m * (d + 1));
    _fmpq_vec_clear(obj, d);
    _fmpq_vec_clear(y0, d);
    _fmpq_vec_clear(ys, d);
}

/* 1 if R is bounded: its recession cone {d : grad g_k . d >= 0} is {0},
 * decided by exact LPs maximising +-d_j over that cone cut to the cube
 * |d_i| <= 1 (2 n of them; used for the whole-space domain only). */
static int region_bounded(const nctx *c, const nreg *R)
{
    slong n = c->n, n1 = n + 1, m = R->m + 2 * n, k, j, s;
    slong nq = FLINT_MAX(c->nunits, 1) * n1;
    fmpq *Q = _fmpq_vec_init(nq), *h = _fmpq_vec_init(m * n1);
    fmpq *obj = _fmpq_vec_init(n), *y0 = _fmpq_vec_init(n), *ys = _fmpq_vec_init(n);
    fmpq_t v;
    int bounded = 1;
    fmpq_init(v);
    z_rows(Q, c, R->pat, c->nl - 1);
    for (k = 0; k < R->m; k++) {
        const fmpq *src = R->gid[k] >= 0 ? Q + R->gid[k] * n1 : c->qdom + (-1 - R->gid[k]) * n1;
        for (j = 0; j < n; j++)
            if (R->gsg[k] > 0)
                fmpq_set(h + k * n1 + j, src + j);
            else
                fmpq_neg(h + k * n1 + j, src + j);
    }
    for (j = 0; j < n; j++) {
        fmpq_set_si(h + (R->m + 2 * j) * n1 + j, 1, 1);
        fmpq_one(h + (R->m + 2 * j) * n1 + n);
        fmpq_set_si(h + (R->m + 2 * j + 1) * n1 + j, -1, 1);
        fmpq_one(h + (R->m + 2 * j + 1) * n1 + n);
    }
    for (j = 0; j < n && bounded; j++)
        for (s = -1; s <= 1 && bounded; s += 2) {
            _trop_qvec_zero(obj, n);
            fmpq_set_si(obj + j, s, 1);
            if (_trop_qlp_max(ys, v, h, m, n, obj, y0) != 0 || fmpq_sgn(v) > 0)
                bounded = 0;
        }
    fmpq_clear(v);
    _fmpq_vec_clear(Q, nq);
    _fmpq_vec_clear(h, m * n1);
    _fmpq_vec_clear(obj, n);
    _fmpq_vec_clear(y0, n);
    _fmpq_vec_clear(ys, n);
    return bounded;
}

/* ---- the search ---- */

typedef struct nshared nshared;

typedef struct {
    const nctx *c;
    nshared *sh;
    slong *per_layer;
    slong regions, bounded, exact, filtered;
    double *fv;
    signed char *sgn;
    slong fvcap;
    int stop;
    int seeding;                  /* the layer-0 pass: keep its regions */
    const trop_regionn_opts *o;   /* thread 0 only: progress reports */
    double last;
} nworker;

static double now_s(void);

/* A region of layer 0, kept small until a worker takes it: its branches
 * and the units that cut it, and its exact interior point. */
typedef struct {
    unsigned char *pat;
    slong ncut;
    slong *cut;
    fmpq *pt;
} nseed;

struct nshared {
    const nctx *c;
    trop_regionn_visit visit;
    void *arg;
    pthread_mutex_t lock;
    int visit_stopped;
    volatile int stop;
    slong max_regions;
    nseed *seeds;
    slong nseeds, seedcap, next, done;
    slong *units;            /* [nl] units per layer (for records) */
    slong found;             /* regions found by all threads */
    int limit;               /* max_regions was passed */
};

/* 2: f cuts R (A gets the f > 0 side, B the f < 0 side); 1: R lies where
 * f >= 0; 0: R lies where f < 0.  unit is the global unit index of f. */
static int decide(nworker *w, nreg *R, slong l, slong unit, const double *f, double ef,
                  nreg *A, nreg *B)
{
    const nctx *c = w->c;
    slong n = c->n, v, vmin = -1, vmax = -1, npos = 0, nneg = 0;
    int side[2];
    if (R->V > 0) {
        double tol = 1e-9 * row_absbound(c, f) + 2 * ef;
        if (R->V > w->fvcap) {
            w->fvcap = 2 * R->V;
            w->fv = trop_realloc(w->fv, (size_t)w->fvcap * sizeof(double));
            w->sgn = trop_realloc(w->sgn, (size_t)w->fvcap);
        }
        for (v = 0; v < R->V; v++) {
            double x = row_eval(f, R->vx + v * n, n);
            w->fv[v] = x;
            w->sgn[v] = x > tol ? 1 : x < -tol ? -1 : 0;
            npos += w->sgn[v] > 0;
            nneg += w->sgn[v] < 0;
            if (vmin < 0 || x < w->fv[vmin])
                vmin = v;
            if (vmax < 0 || x > w->fv[vmax])
                vmax = v;
        }
        if (nneg == 0 && npos > 0 && cert_sign(c, R, f, ef, 1, vmin)) {
            w->filtered++;
            return 1;
        }
        if (npos == 0 && nneg > 0 && cert_sign(c, R, f, ef, -1, vmax)) {
            w->filtered++;
            return 0;
        }
        if (npos > 0 && nneg > 0) {
            double *x = trop_malloc((size_t)(2 * n) * sizeof(double));
            reg_child(A, R, c, f, ef, unit, 1);
            reg_child(B, R, c, f, ef, unit, -1);
            vrep_cut(c, R, w->fv, w->sgn, A, B);
            if (A->V > n && B->V > n) {
                centroid(x, A, n);
                centroid(x + n, B, n);
                if (strictly_inside(c, R, f, ef, 1, x) && strictly_inside(c, R, f, ef, -1, x + n)) {
                    pt_set_d(A, x, n);
                    pt_set_d(B, x + n, n);
                    trop_free(x);
                    w->filtered++;
                    return 2;
                }
            }
            trop_free(x);
        }
    }
    w->exact++;
    decide_exact(side, A->pt, B->pt, c, R, l, unit);
    if (side[0] && side[1]) {
        slong j;
        /* reg_child leaves pt alone: the witnesses stay */
        reg_child(A, R, c, f, ef, unit, 1);
        reg_child(B, R, c, f, ef, unit, -1);
        for (j = 0; j < n; j++) {
            A->ptd[j] = fmpq_get_d(A->pt + j);
            B->ptd[j] = fmpq_get_d(B->pt + j);
        }
        vrep_rebuild(c, A);
        vrep_rebuild(c, B);
        return 2;
    }
    return side[0] || !side[1];
}

/* What a visitor's record points to. */
typedef struct {
    const nctx *c;
    const nreg *R;
} nvisit;

static void visit_leaf(nworker *w, const nreg *R)
{
    nshared *sh = w->sh;
    const nctx *c = w->c;
    trop_regionn_rec_struct rec;
    slong l, **br;
    if (sh->visit == NULL)
        return;
    br = trop_malloc((size_t)c->nl * sizeof(slong *));
    for (l = 0; l < c->nl; l++) {
        slong i, nu = c->ustart[l + 1] - c->ustart[l];
        br[l] = trop_malloc((size_t)FLINT_MAX(nu, 1) * sizeof(slong));
        for (i = 0; i < nu; i++)
            br[l][i] = R->pat[c->ustart[l] + i];
    }
    rec.dim = c->n;
    rec.nlayers = c->nl;
    rec.units = sh->units;
    rec.branch = (const slong *const *)br;
    rec.point = R->pt;
    rec.net = c->net;
    rec.nrows = R->m;
    {
        nvisit nv;
        nv.c = c;
        nv.R = R;
        rec.internal = &nv;
        pthread_mutex_lock(&sh->lock);
        if (!sh->visit_stopped && sh->visit(&rec, sh->arg) != 0)
            sh->visit_stopped = 1;
        pthread_mutex_unlock(&sh->lock);
    }
    for (l = 0; l < c->nl; l++)
        trop_free(br[l]);
    trop_free(br);
}

static void dfs(nworker *w, nreg *R, slong l, slong u, const double *Zl, const double *ezl);
static void seed_store(nworker *w, const nreg *R);

/* R is a region of layers 0..l: count it, then refine it by layer l + 1. */
static void layer_done(nworker *w, nreg *R, slong l, const double *Zl, const double *ezl)
{
    const nctx *c = w->c;
    const trop_layer_struct *L;
    slong n1 = c->n + 1;
    double *H, *eh, *Z, *ez;
    w->per_layer[l]++;
    if (l == c->nl - 1) {
        w->regions++;
        w->bounded += c->nobox ? region_bounded(c, R) : 1;
        visit_leaf(w, R);
        /* one shared counter, so that --max-regions is exact */
        if (__atomic_add_fetch(&w->sh->found, 1, __ATOMIC_RELAXED) > w->sh->max_regions
            && w->sh->max_regions > 0) {
            w->sh->limit = 1;
            w->sh->stop = 1;
            w->stop = 1;
        }
        if (w->sh->stop)
            w->stop = 1;
        if (w->o != NULL && w->o->progress != NULL && (w->regions & 63) == 0
            && now_s() - w->last > 0.2) {
            w->last = now_s();
            if (w->o->progress(w->sh->done, w->sh->nseeds, w->sh->found, w->o->progress_arg)) {
                w->sh->stop = 1;
                w->stop = 1;
            }
        }
        return;
    }
    L = c->net->layers + l + 1;
    H = trop_malloc((size_t)(L->nin * n1) * sizeof(double));
    eh = trop_malloc((size_t)L->nin * sizeof(double));
    Z = trop_malloc((size_t)(L->nout * n1) * sizeof(double));
    ez = trop_malloc((size_t)L->nout * sizeof(double));
    maps_act(c, l, H, eh, Zl, ezl, R->pat + c->ustart[l]);
    maps_affine(c, l + 1, Z, ez, H, eh);
    dfs(w, R, l + 1, 0, Z, ez);
    trop_free(H);
    trop_free(eh);
    trop_free(Z);
    trop_free(ez);
}

static void dfs(nworker *w, nreg *R, slong l, slong u, const double *Zl, const double *ezl)
{
    const nctx *c = w->c;
    slong nu = c->ustart[l + 1] - c->ustart[l], n1 = c->n + 1;
    nreg A, B;
    int r;
    /* non-cuts continue in place; only cuts recurse.  The children's
     * storage is made once per frame: decide() fills it afresh on a cut. */
    reg_init(&A, c);
    reg_init(&B, c);
    while (u < nu && !w->stop) {
        slong unit = c->ustart[l] + u;
        r = decide(w, R, l, unit, Zl + u * n1, ezl[u], &A, &B);
        if (r == 2) {
            dfs(w, &A, l, u + 1, Zl, ezl);
            if (!w->stop)
                dfs(w, &B, l, u + 1, Zl, ezl);
            reg_clear(&A, c);
            reg_clear(&B, c);
            return;
        }
        R->pat[unit] = (unsigned char)r;
        u++;
    }
    reg_clear(&A, c);
    reg_clear(&B, c);
    if (w->stop)
        return;
    if (w->seeding)
        seed_store(w, R);
    else
        layer_done(w, R, l, Zl, ezl);
}

/* ---- layer 0, then its regions on all threads ---- */

/* Keeps R, a region of layer 0, as a seed for the threads. */
static void seed_store(nworker *w, const nreg *R)
{
    const nctx *c = w->c;
    slong nu = c->ustart[1];
    {
        nshared *sh = w->sh;
        nseed *s;
        slong k, nc = 0;
        if (sh->nseeds == sh->seedcap) {
            sh->seedcap = FLINT_MAX(64, 2 * sh->seedcap);
            sh->seeds = trop_realloc(sh->seeds, (size_t)sh->seedcap * sizeof(nseed));
        }
        s = sh->seeds + sh->nseeds++;
        s->pat = trop_malloc((size_t)FLINT_MAX(nu, 1));
        memcpy(s->pat, R->pat, (size_t)nu);
        s->cut = trop_malloc((size_t)FLINT_MAX(R->m, 1) * sizeof(slong));
        for (k = 0; k < R->m; k++)
            if (R->gid[k] >= 0)
                s->cut[nc++] = R->gid[k];
        s->ncut = nc;
        s->pt = _fmpq_vec_init(c->n);
        _trop_qvec_set(s->pt, R->pt, c->n);
        if (sh->max_regions > 0 && sh->nseeds > sh->max_regions) {
            sh->limit = 1;
            sh->stop = 1;
            w->stop = 1;
        }
        /* by time, not by count: in many dimensions one seed can take long
         * (a 14-D box alone has 16384 vertices), and the caller's time
         * limit and interruption are checked here */
        if (w->o != NULL && w->o->progress != NULL && now_s() - w->last > 0.2) {
            w->last = now_s();
            if (w->o->progress(0, sh->nseeds, 0, w->o->progress_arg)) {
                sh->stop = 1;
                w->stop = 1;
            }
        }
    }
}

/* The domain as a region (rows only; the guide from qhull). */
static void root_region(const nctx *c, nreg *R)
{
    slong k, n1 = c->n + 1;
    for (k = 0; k < c->ndom; k++) {
        memcpy(R->g + k * n1, c->dom + k * n1, (size_t)n1 * sizeof(double));
        R->ge[k] = c->dome[k];
        R->gid[k] = -1 - k;
        R->gsg[k] = 1;
    }
    R->m = c->ndom;
}

static void seed_region(const nctx *c, nreg *R, const nseed *s, const double *Z0,
                        const double *ez0)
{
    slong k, j, n1 = c->n + 1;
    root_region(c, R);
    memcpy(R->pat, s->pat, (size_t)c->ustart[1]);
    for (k = 0; k < s->ncut; k++) {
        slong u = s->cut[k];
        int sg = s->pat[u] ? 1 : -1;
        for (j = 0; j < n1; j++)
            R->g[R->m * n1 + j] = sg * Z0[u * n1 + j];
        R->ge[R->m] = ez0[u];
        R->gid[R->m] = u;
        R->gsg[R->m] = (signed char)sg;
        R->m++;
    }
    _trop_qvec_set(R->pt, s->pt, c->n);
    for (j = 0; j < c->n; j++)
        R->ptd[j] = fmpq_get_d(R->pt + j);
    vrep_rebuild(c, R);
}

typedef struct {
    nworker w;
    const double *Z0, *ez0;
    pthread_t th;
} nthread;

/* Takes layer-0 regions until none is left and refines each to the end;
 * thread 0 (w->o set) also reports progress between them. */
static void run_seeds(nthread *t)
{
    nworker *w = &t->w;
    nshared *sh = w->sh;
    const nctx *c = w->c;
    nreg R;
    reg_init(&R, c);
    while (!w->stop && !sh->stop) {
        slong i = __atomic_fetch_add(&sh->next, 1, __ATOMIC_RELAXED);
        if (i >= sh->nseeds)
            break;
        seed_region(c, &R, sh->seeds + i, t->Z0, t->ez0);
        layer_done(w, &R, 0, t->Z0, t->ez0);
        if (!w->stop)
            __atomic_add_fetch(&sh->done, 1, __ATOMIC_RELAXED);
        if (w->o != NULL && w->o->progress != NULL && now_s() - w->last > 0.2) {
            w->last = now_s();
            if (w->o->progress(sh->done, sh->nseeds, sh->found, w->o->progress_arg)) {
                sh->stop = 1;
                w->stop = 1;
            }
        }
    }
    reg_clear(&R, c);
}

static void *worker_run(void *arg)
{
    run_seeds(arg);
    flint_cleanup();            /* FLINT's per-thread caches */
    return NULL;
}

/* ---- setup ---- */

static int qvec_is_zero(const fmpq *v, slong len)
{
    slong i;
    for (i = 0; i < len; i++)
        if (!fmpq_is_zero(v + i))
            return 0;
    return 1;
}

static trop_status ctx_init(nctx *c, const trop_net_struct *net, const fmpq *box,
                            const fmpq *hs, slong nhs, trop_error *err)
{
    slong n = net->input_dim, n1 = n + 1, l, i, j, k;
    memset(c, 0, sizeof(*c));
    c->net = net;
    c->n = n;
    c->nl = net->nlayers;
    for (l = 0; l < c->nl; l++)
        if (net->layers[l].act == TROP_ACT_MAXOUT)
            return trop_error_set(err, TROP_ERR_INVALID, "regions",
                                  "layer %ld is maxout: regions in more than two input "
                                  "dimensions support relu, leaky and linear layers only "
                                  "(slice the network to a plane for maxout)", (long)l);
    c->ustart = trop_malloc((size_t)(c->nl + 1) * sizeof(slong));
    c->W = trop_malloc((size_t)c->nl * sizeof(double *));
    c->b = trop_malloc((size_t)c->nl * sizeof(double *));
    c->slope = trop_malloc((size_t)c->nl * sizeof(double));
    c->ustart[0] = 0;
    for (l = 0; l < c->nl; l++) {
        const trop_layer_struct *L = net->layers + l;
        c->ustart[l + 1] = c->ustart[l] + (_trop_layer_branches(L) ? L->nout : 0);
        c->W[l] = trop_malloc((size_t)(L->nout * L->nin) * sizeof(double));
        c->b[l] = trop_malloc((size_t)L->nout * sizeof(double));
        for (i = 0; i < L->nout * L->nin; i++)
            c->W[l][i] = fmpq_get_d(L->W + i);
        for (i = 0; i < L->nout; i++)
            c->b[l][i] = fmpq_get_d(L->b + i);
        c->slope[l] = L->act == TROP_ACT_LEAKY ? fmpq_get_d(L->slope) : 1.0;
    }
    fmpz_init_set_ui(c->one, 1);
    c->Wz = trop_malloc((size_t)c->nl * sizeof(fmpz *));
    c->bz = trop_malloc((size_t)c->nl * sizeof(fmpz *));
    c->Dz = _fmpz_vec_init(c->nl);
    for (l = 0; l < c->nl; l++) {
        const trop_layer_struct *L = net->layers + l;
        slong nw = L->nout * L->nin;
        fmpz_one(c->Dz + l);
        for (i = 0; i < nw; i++)
            fmpz_lcm(c->Dz + l, c->Dz + l, fmpq_denref(L->W + i));
        for (i = 0; i < L->nout; i++)
            fmpz_lcm(c->Dz + l, c->Dz + l, fmpq_denref(L->b + i));
        c->Wz[l] = _fmpz_vec_init(nw);
        c->bz[l] = _fmpz_vec_init(L->nout);
        for (i = 0; i < nw + L->nout; i++) {
            const fmpq *x = i < nw ? L->W + i : L->b + i - nw;
            fmpz *y = i < nw ? c->Wz[l] + i : c->bz[l] + i - nw;
            fmpz_divexact(y, c->Dz + l, fmpq_denref(x));
            fmpz_mul(y, y, fmpq_numref(x));
        }
    }
    c->nunits = c->ustart[c->nl];
    c->nobox = box == NULL;
    /* a half-space row with a = 0 is no constraint (c >= 0) or empties the
     * domain (c < 0): keep only the others */
    {
        slong kept = 0;
        for (k = 0; k < nhs; k++) {
            if (!qvec_is_zero(hs + k * n1, n))
                kept++;
            else if (fmpq_sgn(hs + k * n1 + n) < 0)
                c->empty = 1;
        }
        c->ndom = (c->nobox ? 0 : 2 * n) + kept;
    }
    c->nrows = c->ndom + c->nunits;
    c->words = (c->nrows + 1 + FLINT_BITS - 1) / FLINT_BITS;
    c->X = trop_malloc((size_t)n * sizeof(double));
    for (j = 0; j < n; j++)
        c->X[j] = c->nobox ? HUGE_VAL
                  : fmax(fabs(fmpq_get_d(box + 2 * j)), fabs(fmpq_get_d(box + 2 * j + 1)))
                        * (1 + 4 * UR) + 1e-300;
    c->qdom = _fmpq_vec_init(FLINT_MAX(c->ndom, 1) * n1);
    for (j = 0; j < n && !c->nobox; j++) {
        fmpq_one(c->qdom + (2 * j) * n1 + j);
        fmpq_neg(c->qdom + (2 * j) * n1 + n, box + 2 * j);
        fmpq_set_si(c->qdom + (2 * j + 1) * n1 + j, -1, 1);
        fmpq_set(c->qdom + (2 * j + 1) * n1 + n, box + 2 * j + 1);
    }
    for (k = 0, j = c->nobox ? 0 : 2 * n; k < nhs; k++)
        if (!qvec_is_zero(hs + k * n1, n))
            _trop_qvec_set(c->qdom + (j++) * n1, hs + k * n1, n1);
    c->dom = trop_malloc((size_t)(c->ndom * n1) * sizeof(double));
    c->dome = trop_malloc((size_t)c->ndom * sizeof(double));
    for (k = 0; k < c->ndom; k++) {
        for (j = 0; j < n1; j++)
            c->dom[k * n1 + j] = fmpq_get_d(c->qdom + k * n1 + j);
        c->dome[k] = 2.01 * UR * row_absbound(c, c->dom + k * n1) + 1e-300;
    }
    return TROP_OK;
}

static void ctx_clear(nctx *c)
{
    slong l;
    if (c->W == NULL)
        return;
    for (l = 0; l < c->nl; l++) {
        trop_free(c->W[l]);
        trop_free(c->b[l]);
    }
    for (l = 0; l < c->nl; l++) {
        _fmpz_vec_clear(c->Wz[l], c->net->layers[l].nout * c->net->layers[l].nin);
        _fmpz_vec_clear(c->bz[l], c->net->layers[l].nout);
    }
    trop_free(c->Wz);
    trop_free(c->bz);
    _fmpz_vec_clear(c->Dz, c->nl);
    fmpz_clear(c->one);
    trop_free(c->W);
    trop_free(c->b);
    trop_free(c->slope);
    trop_free(c->ustart);
    trop_free(c->X);
    trop_free(c->dom);
    trop_free(c->dome);
    _fmpq_vec_clear(c->qdom, FLINT_MAX(c->ndom, 1) * (c->n + 1));
}

/* An exact point strictly inside the domain (a box cut by half-spaces),
 * or 0 if the domain has no interior: the exact LP maximising the least
 * slack t from the box's centre. */
static int domain_point(fmpq *pt, const nctx *c)
{
    slong n = c->n, n1 = n + 1, d = n + 1, m = c->ndom + 1, k, j;
    fmpq *h = _fmpq_vec_init(m * (d + 1)), *obj = _fmpq_vec_init(d);
    fmpq *y0 = _fmpq_vec_init(d), *ys = _fmpq_vec_init(d);
    fmpq_t v, mn;
    int ok;
    fmpq_init(v);
    fmpq_init(mn);
    for (j = 0; j < n && !c->nobox; j++) {
        /* the centre (lo + hi) / 2: the rows are x - lo >= 0, hi - x >= 0 */
        fmpq_sub(y0 + j, c->qdom + (2 * j + 1) * n1 + n, c->qdom + (2 * j) * n1 + n);
        fmpq_div_2exp(y0 + j, y0 + j, 1);
    }
    for (k = 0; k < c->ndom; k++) {
        fmpq *row = h + k * (d + 1);
        _trop_qvec_set(row, c->qdom + k * n1, n);
        fmpq_set(row + d, c->qdom + k * n1 + n);
        fmpq_set_si(row + n, -1, 1);
        _trop_qvec_dot(v, row, y0, n);
        fmpq_add(v, v, row + d);
        if (k == 0 || fmpq_cmp(v, mn) < 0)
            fmpq_set(mn, v);
    }
    fmpq_set_si(h + (m - 1) * (d + 1) + n, -1, 1);
    fmpq_one(h + (m - 1) * (d + 1) + d);
    fmpq_one(obj + n);
    if (fmpq_sgn(mn) > 0)
        fmpq_zero(mn);
    fmpq_sub_si(y0 + n, mn, 1);
    ok = _trop_qlp_max(ys, v, h, m, d, obj, y0) == 0 && fmpq_sgn(v) > 0;
    if (ok)
        _trop_qvec_set(pt, ys, n);
    fmpq_clear(v);
    fmpq_clear(mn);
    _fmpq_vec_clear(h, m * (d + 1));
    _fmpq_vec_clear(obj, d);
    _fmpq_vec_clear(y0, d);
    _fmpq_vec_clear(ys, d);
    return ok;
}

void trop_regionn_count_init(trop_regionn_count_t r)
{
    memset(r, 0, sizeof(*r));
}

void trop_regionn_count_clear(trop_regionn_count_t r)
{
    trop_free(r->per_layer);
    memset(r, 0, sizeof(*r));
}

static slong nthreads_of(slong want)
{
    long p = sysconf(_SC_NPROCESSORS_ONLN);
    if (want > 0)
        return want;
    return p > 0 ? (slong)p : 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

trop_status trop_regionn_count(trop_regionn_count_t res, const trop_net_t net, const fmpq *box,
                               trop_regionn_visit visit, void *arg,
                               const trop_regionn_opts *opts, trop_error *err)
{
    nctx c;
    nshared sh;
    nworker w0;
    nreg R;
    slong n = net->input_dim, n1 = n + 1, l, t, nth, i;
    double *Z0, *ez0, *H0, *eh0, last = now_s();
    nthread *th;
    trop_status st;
    trop_regionn_opts o0;
    const trop_regionn_opts *o = opts;
    if (o == NULL) {
        memset(&o0, 0, sizeof(o0));
        o = &o0;
    }
    TROP_ASSERT(n >= 2 && net->nlayers >= 1);
    for (i = 0; i < n && box != NULL; i++)
        TROP_ASSERT(fmpq_cmp(box + 2 * i, box + 2 * i + 1) < 0);
    trop_regionn_count_clear(res);
    res->nlayers = net->nlayers;
    res->per_layer = trop_calloc((size_t)net->nlayers, sizeof(slong));
    if ((st = ctx_init(&c, net, box, o->halfspaces, o->nhalfspaces, err)) != TROP_OK) {
        ctx_clear(&c);
        return st;
    }
    memset(&sh, 0, sizeof(sh));
    sh.c = &c;
    sh.visit = visit;
    sh.arg = arg;
    sh.max_regions = o->max_regions;
    pthread_mutex_init(&sh.lock, NULL);
    sh.units = trop_malloc((size_t)c.nl * sizeof(slong));
    for (l = 0; l < c.nl; l++)
        sh.units[l] = c.ustart[l + 1] - c.ustart[l];

    /* the maps of layer 0 are the same on every region */
    H0 = trop_calloc((size_t)(n * n1), sizeof(double));
    eh0 = trop_calloc((size_t)n, sizeof(double));
    for (i = 0; i < n; i++)
        H0[i * n1 + i] = 1;
    Z0 = trop_malloc((size_t)(net->layers[0].nout * n1) * sizeof(double));
    ez0 = trop_malloc((size_t)net->layers[0].nout * sizeof(double));
    maps_affine(&c, 0, Z0, ez0, H0, eh0);

    memset(&w0, 0, sizeof(w0));
    w0.c = &c;
    w0.sh = &sh;
    w0.per_layer = res->per_layer;
    reg_init(&R, &c);
    root_region(&c, &R);
    st = TROP_OK;
    if (!c.empty && domain_point(R.pt, &c)) {
        for (i = 0; i < n; i++)
            R.ptd[i] = fmpq_get_d(R.pt + i);
        vrep_rebuild(&c, &R);
        w0.seeding = 1;
        w0.o = o;
        w0.last = last;
        dfs(&w0, &R, 0, 0, Z0, ez0);
    }
    reg_clear(&R, &c);
    res->per_layer[0] = sh.nseeds;
    res->exact = w0.exact;
    res->filtered = w0.filtered;
    res->seeds = sh.nseeds;
    res->seeds_complete = !w0.stop;

    nth = FLINT_MIN(nthreads_of(o->threads), FLINT_MAX(sh.nseeds, 1));
    th = trop_calloc((size_t)nth, sizeof(nthread));
    for (t = 0; t < nth; t++) {
        th[t].w.c = &c;
        th[t].w.sh = &sh;
        th[t].w.per_layer = trop_calloc((size_t)c.nl, sizeof(slong));
        th[t].Z0 = Z0;
        th[t].ez0 = ez0;
    }
    th[0].w.o = o;
    th[0].w.last = last;
    for (t = 1; t < nth; t++)
        if (pthread_create(&th[t].th, NULL, worker_run, th + t) != 0)
            break;
    {
        slong started = t;
        run_seeds(th);          /* thread 0 works here */
        for (t = 1; t < started; t++)
            pthread_join(th[t].th, NULL);
    }
    for (t = 0; t < nth; t++) {
        for (l = 1; l < c.nl; l++)
            res->per_layer[l] += th[t].w.per_layer[l];
        res->regions += th[t].w.regions;
        res->bounded += th[t].w.bounded;
        res->exact += th[t].w.exact;
        res->filtered += th[t].w.filtered;
        if (th[t].w.stop)
            sh.stop = 1;
        trop_free(th[t].w.per_layer);
        trop_free(th[t].w.fv);
        trop_free(th[t].w.sgn);
    }
    if (c.nl == 1)
        res->regions = res->per_layer[0];
    res->done = sh.done;
    if (w0.stop)
        sh.stop = 1;
    trop_free(w0.fv);
    trop_free(w0.sgn);
    trop_free(th);
    if (sh.stop || w0.stop) {
        res->complete = 0;
        if (sh.limit)
            st = trop_error_set(err, TROP_ERR_LIMIT, "regions",
                                "more than %ld regions", (long)o->max_regions);
        else
            st = trop_error_set(err, TROP_ERR_INTERRUPTED, "regions",
                                "stopped before the end");
    } else
        res->complete = 1;
    for (i = 0; i < sh.nseeds; i++) {
        trop_free(sh.seeds[i].pat);
        trop_free(sh.seeds[i].cut);
        _fmpq_vec_clear(sh.seeds[i].pt, n);
    }
    trop_free(sh.seeds);
    trop_free(sh.units);
    pthread_mutex_destroy(&sh.lock);
    trop_free(H0);
    trop_free(eh0);
    trop_free(Z0);
    trop_free(ez0);
    ctx_clear(&c);
    return st;
}

void trop_regionn_rec_map(fmpq *map, const trop_regionn_rec_struct *r)
{
    const nvisit *v = r->internal;
    z_forward(NULL, map, v->c, v->R->pat, v->c->nl - 1);
}

void _trop_regionn_rows(fmpq *rows, const trop_regionn_rec_struct *r)
{
    const nvisit *v = r->internal;
    const nctx *c = v->c;
    const nreg *R = v->R;
    slong n1 = c->n + 1, k;
    fmpq *Q = _fmpq_vec_init(FLINT_MAX(c->nunits, 1) * n1);
    z_rows(Q, c, R->pat, c->nl - 1);
    for (k = 0; k < R->m; k++) {
        const fmpq *src = R->gid[k] >= 0 ? Q + R->gid[k] * n1 : c->qdom + (-1 - R->gid[k]) * n1;
        slong j;
        for (j = 0; j < n1; j++)
            if (R->gsg[k] > 0)
                fmpq_set(rows + k * n1 + j, src + j);
            else
                fmpq_neg(rows + k * n1 + j, src + j);
    }
    _fmpq_vec_clear(Q, FLINT_MAX(c->nunits, 1) * n1);
}

void _trop_regionn_pattern_beyond(unsigned char *pat, const trop_regionn_rec_struct *r,
                                  const fmpq *c, const fmpz *d)
{
    const nvisit *v = r->internal;
    const nctx *cx = v->c;
    const trop_net_struct *net = cx->net;
    slong n = cx->n, k, i, q, u = 0, nin = n;
    fmpz *hv = _fmpz_vec_init(n), *hd = _fmpz_vec_init(n), *zv, *zd;
    fmpz_t den;
    /* hv / den = c (den > 0), hd = d; only signs are read, so the two
     * vectors may be scaled by different positive factors */
    fmpz_init_set_ui(den, 1);
    for (i = 0; i < n; i++)
        fmpz_lcm(den, den, fmpq_denref(c + i));
    for (i = 0; i < n; i++) {
        fmpz_divexact(hv + i, den, fmpq_denref(c + i));
        fmpz_mul(hv + i, hv + i, fmpq_numref(c + i));
        fmpz_set(hd + i, d + i);
    }
    for (k = 0; k < net->nlayers; k++) {
        const trop_layer_struct *L = net->layers + k;
        int units = _trop_layer_branches(L), leaky = units && L->act == TROP_ACT_LEAKY;
        zv = _fmpz_vec_init(L->nout);
        zd = _fmpz_vec_init(L->nout);
        for (i = 0; i < L->nout; i++) {
            int sg;
            for (q = 0; q < nin; q++) {
                const fmpz *w = cx->Wz[k] + i * nin + q;
                if (fmpz_is_zero(w))
                    continue;
                fmpz_addmul(zv + i, w, hv + q);
                fmpz_addmul(zd + i, w, hd + q);
            }
            fmpz_addmul(zv + i, cx->bz[k] + i, den);
            if (!units)
                continue;
            sg = fmpz_sgn(zv + i) != 0 ? fmpz_sgn(zv + i) : fmpz_sgn(zd + i);
            pat[u + i] = sg >= 0;
            if (sg < 0 && L->act == TROP_ACT_RELU) {
                fmpz_zero(zv + i);
                fmpz_zero(zd + i);
            } else if (sg < 0) {
                fmpz_mul(zv + i, zv + i, fmpq_numref(L->slope));
                fmpz_mul(zd + i, zd + i, fmpq_numref(L->slope));
            } else if (leaky) {
                fmpz_mul(zv + i, zv + i, fmpq_denref(L->slope));
                fmpz_mul(zd + i, zd + i, fmpq_denref(L->slope));
            }
        }
        fmpz_mul(den, den, cx->Dz + k);
        if (leaky)
            fmpz_mul(den, den, fmpq_denref(L->slope));
        u += units ? L->nout : 0;
        _fmpz_vec_clear(hv, nin);
        _fmpz_vec_clear(hd, nin);
        hv = zv;
        hd = zd;
        nin = L->nout;
    }
    _fmpz_vec_clear(hv, nin);
    _fmpz_vec_clear(hd, nin);
    fmpz_clear(den);
}

slong _trop_regionn_row_unit(const trop_regionn_rec_struct *r, slong k)
{
    const nvisit *v = r->internal;
    return v->R->gid[k];
}

slong _trop_regionn_guide(double **vx, ulong **Z, slong *words, const trop_regionn_rec_struct *r)
{
    const nvisit *v = r->internal;
    const nctx *c = v->c;
    const nreg *R = v->R;
    nreg T;
    slong V;
    reg_init(&T, c);
    memcpy(T.g, R->g, (size_t)(R->m * (c->n + 1)) * sizeof(double));
    memcpy(T.ge, R->ge, (size_t)R->m * sizeof(double));
    T.m = R->m;
    memcpy(T.ptd, R->ptd, (size_t)c->n * sizeof(double));
    if (R->V > 0) {
        reg_vreserve(&T, c, R->V);
        memcpy(T.vx, R->vx, (size_t)(R->V * c->n) * sizeof(double));
        memcpy(T.Z, R->Z, (size_t)(R->V * c->words) * sizeof(ulong));
        T.V = R->V;
    } else
        vrep_rebuild(c, &T);
    V = T.V;
    *vx = T.vx;
    *Z = T.Z;
    *words = c->words;
    T.vx = NULL;
    T.Z = NULL;
    reg_clear(&T, c);
    return V;
}
