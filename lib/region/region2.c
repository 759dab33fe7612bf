/* region2.c: activation regions of a two-input network over all of R^2.
 *
 * A region is a convex polygon of the oriented projective plane: a cyclic
 * list of homogeneous vertices v = (x, y, w) with w >= 0 (w = 0: a
 * direction, an "ideal" vertex), each scaled by a power of two so its
 * largest coordinate lies in [1/2, 1) (exact scaling).  The region is the
 * cone spanned by its vertices, so a line l = (a, b, c), the set
 * a x + b y + c w = 0, cuts it iff two vertices lie strictly on opposite
 * sides, and the cut point on the edge p q is the positive combination
 * |l(p)| q + |l(q)| p.  One rule keeps this true: no edge may join two
 * antipodal ideal points (that arc is half a great circle and ambiguous),
 * so when a cut leaves such an edge on l we insert the finite point of l
 * nearest the origin, (-ac, -bc, a^2 + b^2).  The whole plane starts as the
 * four ideal points (+-1, 0, 0), (0, +-1, 0); its first cut makes a
 * half-plane with a finite vertex.
 *
 * Every region carries, for each unit of the layer just applied, the affine
 * pieces of Zhang's P and Q (the same functions as trat.c builds), so the
 * lines of the next layer are z = H - G with H, G computed from them.
 *
 * This is double-precision search.  Signs are decided with a relative
 * tolerance (TOL below); a decision that rounding gets wrong can lose or
 * duplicate a thin region.  Callers that need exact answers certify them
 * (region/trat.c proves P and Q equal the network's). */
#include <math.h>
#include <string.h>
#include "trop/region.h"

/* Relative tolerance of a sign decision: |l(v)| <= TOL * (|a x| + |b y| +
 * |c w|) counts as zero.  The maps carry relative errors of a few 1e-16
 * per layer, amplified by cancellation; 1e-10 leaves a wide margin while
 * thin regions of real networks (widths near 1e-7 in ACAS Xu) still split. */
#define TOL 1e-10

/* A polygon: nv homogeneous vertices, [nv x 3] row-major. */
typedef struct {
    slong nv, cap;
    double *v;
} poly2;

/* A piece of a region during the cuts of one layer: its polygon and the
 * choice of every unit so far (sign for relu/leaky, arg max for maxout). */
typedef struct {
    poly2 pg;
    int *choice;
} piece;

/* A region between layers: its polygon and the P, Q pieces of the units of
 * the last layer applied, [width x 6]: (dP/dx, dP/dy, P(0), dQ/dx, ...). */
typedef struct {
    poly2 pg;
    double *pq;
} rgn;

typedef struct {
    rgn *r;
    slong n, cap;
} rlist;

/* The layer in double. */
typedef struct {
    slong nin, nout, units, k;
    trop_act act;
    double slope;
    int slope_one;
    double *W, *b;
} dlayer;

/* ---- polygons ---- */

static void poly_init(poly2 *p, slong cap)
{
    p->nv = 0;
    p->cap = cap < 4 ? 4 : cap;
    p->v = trop_malloc((size_t)p->cap * 3 * sizeof(double));
}

static void poly_clear(poly2 *p)
{
    trop_free(p->v);
    p->v = NULL;
    p->nv = p->cap = 0;
}

static void poly_copy(poly2 *d, const poly2 *s)
{
    poly_init(d, s->nv + 2);
    memcpy(d->v, s->v, (size_t)s->nv * 3 * sizeof(double));
    d->nv = s->nv;
}

/* Appends v scaled by a power of two so that its largest coordinate lies
 * in [1/2, 1): exact, and it keeps the numbers of later cuts in range. */
static void poly_push(poly2 *p, const double *v)
{
    double m = fmax(fabs(v[0]), fmax(fabs(v[1]), fabs(v[2])));
    int e;
    double *d;
    if (p->nv == p->cap) {
        p->cap *= 2;
        p->v = trop_realloc(p->v, (size_t)p->cap * 3 * sizeof(double));
    }
    d = p->v + 3 * p->nv++;
    if (m > 0) {
        frexp(m, &e);
        d[0] = ldexp(v[0], -e);
        d[1] = ldexp(v[1], -e);
        d[2] = ldexp(v[2], -e);
    } else
        d[0] = d[1] = d[2] = 0;
}

static double line_at(const double *l, const double *v)
{
    return l[0] * v[0] + l[1] * v[1] + l[2] * v[2];
}

static double line_scale(const double *l, const double *v)
{
    return fabs(l[0] * v[0]) + fabs(l[1] * v[1]) + fabs(l[2] * v[2]);
}

/* Sign of l at vertex v: +1, -1 or 0 within the tolerance. */
static int side(const double *l, const double *v, double *val)
{
    double s = line_at(l, v), t = TOL * line_scale(l, v);
    *val = s;
    return s > t ? 1 : (s < -t ? -1 : 0);
}

enum { CUT_SPLIT, CUT_POS, CUT_NEG, CUT_ZERO };

static int has_finite_vertex(const poly2 *p)
{
    slong i;
    for (i = 0; i < p->nv; i++)
        if (p->v[3 * i + 2] > 0)
            return 1;
    return 0;
}

/* Where p lies with respect to l.  A polygon with no finite vertex is the
 * whole plane: a line that vanishes on its ideal points is a constant c. */
static int classify(const poly2 *p, const double *l)
{
    slong i;
    int pos = 0, neg = 0;
    double val;
    for (i = 0; i < p->nv; i++) {
        int s = side(l, p->v + 3 * i, &val);
        pos |= s > 0;
        neg |= s < 0;
    }
    if (pos && neg)
        return CUT_SPLIT;
    if (pos)
        return CUT_POS;
    if (neg)
        return CUT_NEG;
    if (!has_finite_vertex(p) && fabs(l[2]) > 0)
        return l[2] > 0 ? CUT_POS : CUT_NEG;
    return CUT_ZERO;
}

/* Two ideal vertices pointing in opposite directions. */
static int antipodal(const double *p, const double *q)
{
    double cr = p[0] * q[1] - p[1] * q[0], dot = p[0] * q[0] + p[1] * q[1];
    double np = fabs(p[0]) + fabs(p[1]), nq = fabs(q[0]) + fabs(q[1]);
    return fabs(p[2]) <= TOL * np && fabs(q[2]) <= TOL * nq && dot < 0
           && fabs(cr) <= TOL * np * nq;
}

/* The part of p where sgn * l >= 0, into out (initialised by the caller,
 * emptied first).  p must be split by l. */
static void clip(poly2 *out, const poly2 *p, const double *l, int sgn)
{
    double ls[3] = {sgn * l[0], sgn * l[1], sgn * l[2]}, mid[3], r[3];
    slong i, n = p->nv;
    poly2 tmp;
    out->nv = 0;
    poly_init(&tmp, n + 2);
    for (i = 0; i < n; i++) {
        const double *a = p->v + 3 * i, *b = p->v + 3 * ((i + 1) % n);
        double sa, sb;
        int ca = side(ls, a, &sa), cb = side(ls, b, &sb);
        if (ca >= 0)
            poly_push(&tmp, a);
        if (ca * cb < 0) {
            r[0] = fabs(sa) * b[0] + fabs(sb) * a[0];
            r[1] = fabs(sa) * b[1] + fabs(sb) * a[1];
            r[2] = fabs(sa) * b[2] + fabs(sb) * a[2];
            poly_push(&tmp, r);
        }
    }
    /* the new edge lies on l; if it joins antipodal ideal points, route it
     * through the finite point of l nearest the origin */
    mid[0] = -l[0] * l[2];
    mid[1] = -l[1] * l[2];
    mid[2] = l[0] * l[0] + l[1] * l[1];
    for (i = 0; i < tmp.nv; i++) {
        const double *a = tmp.v + 3 * i, *b = tmp.v + 3 * ((i + 1) % tmp.nv);
        poly_push(out, a);
        if (tmp.nv >= 2 && antipodal(a, b) && mid[2] > 0)
            poly_push(out, mid);
    }
    poly_clear(&tmp);
}

/* A point inside p: the sum of its unit vertex vectors (a positive
 * combination of all extreme rays lies in the interior of the cone),
 * dehomogenised.  The whole plane (no finite vertex) gives the origin. */
static void interior_point(double *pt, const poly2 *p)
{
    double s[3] = {0, 0, 0};
    slong i, j;
    for (i = 0; i < p->nv; i++) {
        const double *v = p->v + 3 * i;
        double nrm = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        if (nrm > 0)
            for (j = 0; j < 3; j++)
                s[j] += v[j] / nrm;
    }
    if (s[2] > 0) {
        pt[0] = s[0] / s[2];
        pt[1] = s[1] / s[2];
    } else
        pt[0] = pt[1] = 0;
}

static int is_bounded(const poly2 *p)
{
    slong i;
    for (i = 0; i < p->nv; i++) {
        const double *v = p->v + 3 * i;
        if (v[2] <= TOL * (fabs(v[0]) + fabs(v[1])))
            return 0;
    }
    return p->nv > 0;
}

/* ---- region lists ---- */

static void rlist_push(rlist *L, poly2 *pg, double *pq)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 64;
        L->r = trop_realloc(L->r, (size_t)L->cap * sizeof(rgn));
    }
    L->r[L->n].pg = *pg;     /* takes ownership */
    L->r[L->n].pq = pq;
    L->n++;
}

static void rlist_clear(rlist *L)
{
    slong i;
    for (i = 0; i < L->n; i++) {
        poly_clear(&L->r[i].pg);
        trop_free(L->r[i].pq);
    }
    trop_free(L->r);
    L->r = NULL;
    L->n = L->cap = 0;
}

/* ---- layers ---- */

static void dlayer_init(dlayer *d, const trop_layer_struct *L)
{
    slong i, n = L->nout * L->nin;
    d->nin = L->nin;
    d->nout = L->nout;
    d->act = L->act;
    d->k = L->act == TROP_ACT_MAXOUT ? L->k : 1;
    d->units = L->nout / d->k;
    d->slope = L->act == TROP_ACT_LEAKY ? fmpq_get_d(L->slope) : 0.0;
    d->slope_one = L->act == TROP_ACT_LINEAR
                   || (L->act == TROP_ACT_LEAKY && fmpq_is_one(L->slope));
    d->W = trop_malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    d->b = trop_malloc((size_t)L->nout * sizeof(double));
    for (i = 0; i < n; i++)
        d->W[i] = fmpq_get_d(L->W + i);
    for (i = 0; i < L->nout; i++)
        d->b[i] = fmpq_get_d(L->b + i);
}

static void dlayer_clear(dlayer *d)
{
    trop_free(d->W);
    trop_free(d->b);
}

/* hg[i] = (H_i, G_i) for every row i, [nout x 6], from the input pieces
 * pq [nin x 6]:  H = b + sum w+ P + w- Q,  G = sum w+ Q + w- P. */
static void affine_hg(double *hg, const dlayer *d, const double *pq)
{
    slong i, j, c;
    for (i = 0; i < d->nout; i++) {
        double *o = hg + 6 * i;
        memset(o, 0, 6 * sizeof(double));
        o[2] = d->b[i];
        for (j = 0; j < d->nin; j++) {
            double w = d->W[i * d->nin + j];
            const double *in = pq + 6 * j;
            if (w > 0)
                for (c = 0; c < 3; c++) {
                    o[c] += w * in[c];
                    o[3 + c] += w * in[3 + c];
                }
            else if (w < 0)
                for (c = 0; c < 3; c++) {
                    o[c] -= w * in[3 + c];
                    o[3 + c] -= w * in[c];
                }
        }
    }
}

/* z = H - G of row i as a line. */
static void row_line(double *l, const double *hg, slong i)
{
    const double *o = hg + 6 * i;
    l[0] = o[0] - o[3];
    l[1] = o[1] - o[4];
    l[2] = o[2] - o[5];
}

/* out = a * x + b * y (3-vectors). */
static void comb(double *out, double a, const double *x, double b, const double *y)
{
    out[0] = a * x[0] + b * y[0];
    out[1] = a * x[1] + b * y[1];
    out[2] = a * x[2] + b * y[2];
}

/* The P, Q pieces [units x 6] of a piece with the given choices; the rules
 * of trat.c's header, restricted to the side each unit is on. */
static void unit_pq(double *pq, const dlayer *d, const double *hg, const int *choice)
{
    slong u, r, t;
    double s = d->slope;
    for (u = 0; u < d->units; u++) {
        double *P = pq + 6 * u, *Q = P + 3;
        if (d->act == TROP_ACT_MAXOUT) {
            const double *g = hg + 6 * u * d->k;
            memcpy(P, g + 6 * choice[u], 3 * sizeof(double));
            memset(Q, 0, 3 * sizeof(double));
            for (t = 0; t < d->k; t++) {
                for (r = 0; r < 3; r++) {
                    Q[r] += g[6 * t + 3 + r];
                    if (t != choice[u])
                        P[r] += g[6 * t + 3 + r];
                }
            }
            continue;
        }
        {
            const double *H = hg + 6 * u, *G = H + 3;
            int on = choice[u];
            if (d->slope_one) {
                memcpy(P, H, 3 * sizeof(double));
                memcpy(Q, G, 3 * sizeof(double));
            } else if (d->act == TROP_ACT_RELU) {
                memcpy(P, on ? H : G, 3 * sizeof(double));
                memcpy(Q, G, 3 * sizeof(double));
            } else if (s < 0) {
                memcpy(P, on ? H : G, 3 * sizeof(double));
                for (r = 0; r < 3; r++)
                    P[r] *= 1 - s;
                comb(Q, 1, G, -s, H);
            } else if (s <= 1) {
                if (on)
                    comb(P, 1, H, s, G);
                else
                    comb(P, s, H, 1, G);
                comb(Q, 1 + s, G, 0, G);
            } else {
                comb(P, 1 + s, H, 0, H);
                if (on)
                    comb(Q, 1, G, s, H);
                else
                    comb(Q, s, G, 1, H);
            }
        }
    }
}

/* ---- cutting one region by one layer ---- */

typedef struct {
    piece *p;
    slong n, cap, units;
} plist;

static void plist_push(plist *L, poly2 *pg, const int *choice)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 16;
        L->p = trop_realloc(L->p, (size_t)L->cap * sizeof(piece));
    }
    L->p[L->n].pg = *pg;
    L->p[L->n].choice = trop_malloc((size_t)(L->units > 0 ? L->units : 1) * sizeof(int));
    memcpy(L->p[L->n].choice, choice, (size_t)L->units * sizeof(int));
    L->n++;
}

static void plist_free(plist *L)
{
    slong i;
    for (i = 0; i < L->n; i++) {
        poly_clear(&L->p[i].pg);
        trop_free(L->p[i].choice);
    }
    trop_free(L->p);
}

/* Cuts every piece by the sign of unit u's pre-activation. */
static void cut_sign(plist *L, const double *hg, slong u)
{
    slong i, n = L->n;
    double l[3];
    row_line(l, hg, u);
    for (i = 0; i < n; i++) {
        piece *p = L->p + i;
        int c = classify(&p->pg, l);
        if (c == CUT_SPLIT) {
            poly2 neg;
            poly_init(&neg, p->pg.nv + 2);
            clip(&neg, &p->pg, l, -1);
            {
                poly2 pos;
                poly_init(&pos, p->pg.nv + 2);
                clip(&pos, &p->pg, l, 1);
                poly_clear(&p->pg);
                p->pg = pos;
            }
            p->choice[u] = 1;
            plist_push(L, &neg, p->choice);
            L->p[L->n - 1].choice[u] = 0;
        } else
            p->choice[u] = c != CUT_NEG;   /* z >= 0 counts as active */
    }
}

/* The part of pg where row r of the maxout group is the arg max (ties go to
 * the lower index), into out; returns 0 if that part is empty or thin. */
static int maxout_cell(poly2 *out, const poly2 *pg, const double *hg, slong row0,
                       slong k, slong r)
{
    slong s;
    double lr[3], ls[3], l[3];
    poly_copy(out, pg);
    row_line(lr, hg, row0 + r);
    for (s = 0; s < k; s++) {
        int c;
        if (s == r)
            continue;
        row_line(ls, hg, row0 + s);
        l[0] = lr[0] - ls[0];
        l[1] = lr[1] - ls[1];
        l[2] = lr[2] - ls[2];
        c = classify(out, l);
        if (c == CUT_NEG || (c == CUT_ZERO && s < r))
            return 0;
        if (c == CUT_SPLIT) {
            poly2 t;
            poly_init(&t, out->nv + 2);
            clip(&t, out, l, 1);
            poly_clear(out);
            *out = t;
        }
    }
    return 1;
}

/* Cuts every piece by the arg max of maxout unit u. */
static void cut_maxout(plist *L, const double *hg, slong u, slong k)
{
    slong i, r, n = L->n;
    for (i = 0; i < n; i++) {
        piece *p = L->p + i;
        int first = 1;
        poly2 cell, orig = p->pg;
        for (r = 0; r < k; r++) {
            if (!maxout_cell(&cell, &orig, hg, u * k, k, r)) {
                poly_clear(&cell);
                continue;
            }
            if (first) {
                p->pg = cell;
                p->choice[u] = (int)r;
                first = 0;
            } else {
                plist_push(L, &cell, p->choice);
                L->p[L->n - 1].choice[u] = (int)r;
                p = L->p + i;   /* the push may have moved the array */
            }
        }
        if (first) {
            /* rounding left no cell: keep the region with the lowest index so
             * nothing is lost (the exact stage repairs such slips) */
            poly_copy(&p->pg, &orig);
            p->choice[u] = 0;
        }
        poly_clear(&orig);
    }
}

/* Appends to out the regions into which layer d cuts region R. */
static void cut_region(rlist *out, const rgn *R, const dlayer *d, double *hg, int *choice)
{
    plist L;
    slong u, i;
    poly2 pg;
    L.p = NULL;
    L.n = L.cap = 0;
    L.units = d->units;
    affine_hg(hg, d, R->pq);
    poly_copy(&pg, &R->pg);
    memset(choice, 0, (size_t)d->units * sizeof(int));
    plist_push(&L, &pg, choice);
    for (u = 0; u < d->units; u++) {
        if (d->slope_one)
            break;                 /* a linear layer cuts nothing */
        if (d->act == TROP_ACT_MAXOUT)
            cut_maxout(&L, hg, u, d->k);
        else
            cut_sign(&L, hg, u);
    }
    for (i = 0; i < L.n; i++) {
        double *pq = trop_malloc((size_t)d->units * 6 * sizeof(double));
        unit_pq(pq, d, hg, L.p[i].choice);
        rlist_push(out, &L.p[i].pg, pq);
        L.p[i].pg.v = NULL;        /* moved */
    }
    plist_free(&L);
}

/* ---- the set ---- */

void trop_region2_set_init(trop_region2_set_t s)
{
    memset(s, 0, sizeof *s);
}

void trop_region2_set_clear(trop_region2_set_t s)
{
    trop_free(s->point);
    trop_free(s->maps);
    trop_free(s->bounded);
    trop_free(s->per_layer);
    memset(s, 0, sizeof *s);
}

/* The whole plane, with the inputs' pieces: P_j = t_j, Q_j = 0. */
static void start(rlist *L)
{
    static const double ideal[4][3] = {{1, 0, 0}, {0, 1, 0}, {-1, 0, 0}, {0, -1, 0}};
    poly2 pg;
    double *pq = trop_calloc(2 * 6, sizeof(double));
    slong i;
    poly_init(&pg, 8);
    for (i = 0; i < 4; i++)
        poly_push(&pg, ideal[i]);
    pq[0] = 1;        /* P_0 = t0 */
    pq[6 + 1] = 1;    /* P_1 = t1 */
    rlist_push(L, &pg, pq);
}

static void fill_set(trop_region2_set_t s, const rlist *L, slong nout)
{
    slong i;
    s->nregions = L->n;
    s->nout = nout;
    s->point = trop_malloc((size_t)(L->n > 0 ? L->n : 1) * 2 * sizeof(double));
    s->maps = trop_malloc((size_t)(L->n > 0 ? L->n : 1) * (size_t)nout * 6 * sizeof(double));
    s->bounded = trop_malloc((size_t)(L->n > 0 ? L->n : 1));
    for (i = 0; i < L->n; i++) {
        interior_point(s->point + 2 * i, &L->r[i].pg);
        memcpy(s->maps + (size_t)i * nout * 6, L->r[i].pq, (size_t)nout * 6 * sizeof(double));
        s->bounded[i] = (unsigned char)is_bounded(&L->r[i].pg);
    }
}

trop_status trop_region2_set_enum(trop_region2_set_t s, const trop_net_t net,
                                  const trop_region2_opts *opts, trop_error *err)
{
    rlist cur = {NULL, 0, 0}, next = {NULL, 0, 0};
    slong l, i, maxrows = 1, maxunits = 1, units = 2;
    double *hg;
    int *choice;
    trop_status st = TROP_OK;
    TROP_ASSERT(net->input_dim == 2 && net->nlayers >= 1);
    trop_region2_set_clear(s);
    for (l = 0; l < net->nlayers; l++) {
        maxrows = FLINT_MAX(maxrows, net->layers[l].nout);
        maxunits = FLINT_MAX(maxunits, trop_layer_width(net->layers + l));
    }
    hg = trop_malloc((size_t)maxrows * 6 * sizeof(double));
    choice = trop_malloc((size_t)maxunits * sizeof(int));
    s->nlayers = net->nlayers;
    s->per_layer = trop_calloc((size_t)net->nlayers, sizeof(slong));
    start(&cur);
    for (l = 0; l < net->nlayers && st == TROP_OK; l++) {
        dlayer d;
        dlayer_init(&d, net->layers + l);
        for (i = 0; i < cur.n && st == TROP_OK; i++) {
            cut_region(&next, cur.r + i, &d, hg, choice);
            if (opts != NULL && opts->max_regions > 0 && next.n > opts->max_regions)
                st = trop_error_set(err, TROP_ERR_LIMIT, "region",
                                    "layer %ld: more than %ld activation regions", l + 1,
                                    opts->max_regions);
            else if (opts != NULL && opts->progress != NULL && (i & 255) == 255
                     && opts->progress(l + 1, net->nlayers, next.n, opts->progress_arg))
                st = trop_error_set(err, TROP_ERR_INTERRUPTED, "region",
                                    "stopped in layer %ld", l + 1);
        }
        units = d.units;
        dlayer_clear(&d);
        s->per_layer[l] = next.n;
        rlist_clear(&cur);
        cur = next;
        next.r = NULL;
        next.n = next.cap = 0;
    }
    if (st == TROP_OK)
        fill_set(s, &cur, units);
    else
        trop_region2_set_clear(s);
    rlist_clear(&cur);
    rlist_clear(&next);
    trop_free(hg);
    trop_free(choice);
    return st;
}
