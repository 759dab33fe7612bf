/* trat2.c: the tropical rational functions of a two-input network, read off
 * its activation regions.
 *
 * Every term of a convex piecewise-linear P is P's affine piece on some
 * open set, and P (Zhang's P of an output, see trat.c) is affine on every
 * activation region.  So:
 *   1. enumerate the activation regions in double (region2.c);
 *   2. group the regions whose double P piece (resp. Q piece) agrees to
 *      about 1e-9, and take one region per group;
 *   3. at that region's interior point, exactly, trop_pqnet_piece gives the
 *      exact pieces of every P and Q if the point is generic (no
 *      pre-activation vanishes there), so each is a true term;
 *   4. prove that no term is missing with trop_tpoly_certify2 (f at the
 *      vertices and rays of the terms' own cells, exact); a failed check
 *      gives a point where a term is missing, whose piece is added, and the
 *      proof runs again.
 * Steps 1-2 may err (they are float search); 3-4 are exact, so the result
 * is exact whenever the certificate succeeds, and says so otherwise. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "trop/pqnet.h"
#include "trop/region.h"

/* Relative tolerance under which two double pieces are taken as one. */
#define SAME_TOL 1e-9

typedef struct {
    trop_pqnet_t e;
    slong nout;
    fmpq *P, *Q;     /* [nout] */
    fmpq *Pa, *Qa;   /* [nout x 3] */
    trop_rng rng;
} rctx;

/* ---- grouping the double pieces ---- */

typedef struct {
    const double *m;   /* the piece: 3 doubles */
    slong region;
} dkey;

static int dkey_cmp(const void *x, const void *y)
{
    const dkey *a = x, *b = y;
    int i;
    for (i = 0; i < 3; i++) {
        if (a->m[i] < b->m[i])
            return -1;
        if (a->m[i] > b->m[i])
            return 1;
    }
    return (a->region > b->region) - (a->region < b->region);
}

static int dsame(const double *a, const double *b)
{
    double s = SAME_TOL * (1 + fabs(a[0]) + fabs(a[1]) + fabs(a[2]));
    return fabs(a[0] - b[0]) <= s && fabs(a[1] - b[1]) <= s && fabs(a[2] - b[2]) <= s;
}

/* Marks in need[] one region per group of equal double pieces of output o
 * (which = 0 for P, 1 for Q). */
static void pick_representatives(char *need, const trop_region2_set_t s, slong o, int which)
{
    slong r, n = s->nregions;
    dkey *k = trop_malloc((size_t)(n > 0 ? n : 1) * sizeof(dkey));
    for (r = 0; r < n; r++) {
        k[r].m = s->maps + ((size_t)r * s->nout + o) * 6 + 3 * which;
        k[r].region = r;
    }
    qsort(k, (size_t)n, sizeof(dkey), dkey_cmp);
    for (r = 0; r < n; r++)
        if (r == 0 || !dsame(k[r - 1].m, k[r].m))
            need[k[r].region] = 1;
    trop_free(k);
}

/* ---- exact pieces ---- */

/* Adds the pieces at x (if generic) to res: every output's P and Q.
 * Returns 1 if x was generic. */
static int add_pieces_at(trop_trat_struct *res, rctx *c, const fmpq *x)
{
    slong o;
    if (!trop_pqnet_piece(c->Pa, c->Qa, c->e, x))
        return 0;
    for (o = 0; o < c->nout; o++) {
        trop_tpoly_push_term(res[o].num, c->Pa + 3 * o, c->Pa + 3 * o + 2);
        trop_tpoly_push_term(res[o].den, c->Qa + 3 * o, c->Qa + 3 * o + 2);
    }
    return 1;
}

/* y = x + 2^-k * (r0, r1) * (1 + |x|) with r random in [-1, 1] (dyadic). */
static void nudge(fmpq *y, const fmpq *x, slong k, rctx *c)
{
    slong i;
    fmpq_t t;
    fmpq_init(t);
    for (i = 0; i < 2; i++) {
        double xd = fabs(fmpq_get_d(x + i));
        slong sc = (slong)ceil(log2(1 + xd));
        slong r = (slong)(trop_rng_u64(&c->rng) >> 34) - ((slong)1 << 29);
        fmpq_set_si(t, r, 1);
        fmpq_div_2exp(t, t, (ulong)(k + 29 - sc));
        fmpq_add(y + i, x + i, t);
    }
    fmpq_clear(t);
}

/* The exact pieces at a region's interior point, nudged off any unit's
 * boundary when the point is not generic. */
static int add_region_pieces(trop_trat_struct *res, rctx *c, const double *pt)
{
    fmpq x[2], y[2];
    slong k;
    int ok;
    fmpq_init(x + 0); fmpq_init(x + 1); fmpq_init(y + 0); fmpq_init(y + 1);
    trop_q_set_d(x + 0, pt[0], NULL);
    trop_q_set_d(x + 1, pt[1], NULL);
    ok = add_pieces_at(res, c, x);
    for (k = 40; !ok && k < 100; k += 4) {
        nudge(y, x, k, c);
        ok = add_pieces_at(res, c, y);
    }
    fmpq_clear(x + 0); fmpq_clear(x + 1); fmpq_clear(y + 0); fmpq_clear(y + 1);
    return ok;
}

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

/* A term of f (output o, P or Q) that is missing from T near the witness
 * w, where f(w) > T(w): the piece of f at a generic point close to w.
 * Returns 1 if one was added to T. */
static int repair(trop_tpoly_t T, rctx *c, slong o, int which, const fmpq *w)
{
    fmpq y[2];
    fmpq_t v, tv;
    slong k;
    int added = 0;
    fmpq_init(y + 0); fmpq_init(y + 1); fmpq_init(v); fmpq_init(tv);
    for (k = 8; k < 160 && !added; k += 4) {
        const fmpq *row;
        nudge(y, w, k, c);
        if (!trop_pqnet_piece(c->Pa, c->Qa, c->e, y))
            continue;
        row = (which ? c->Qa : c->Pa) + 3 * o;
        /* the piece at y is new iff it beats T at y */
        _trop_qvec_dot(v, row, y, 2);
        fmpq_add(v, v, row + 2);
        trop_tpoly_eval_q(tv, T, y, NULL);
        if (fmpq_cmp(v, tv) > 0) {
            trop_tpoly_push_term(T, row, row + 2);
            added = 1;
        }
    }
    fmpq_clear(y + 0); fmpq_clear(y + 1); fmpq_clear(v); fmpq_clear(tv);
    return added;
}

/* Proves T = f (output o, P or Q), adding missing terms as found. */
static trop_status certify_one(int *certified, trop_tpoly_t T, rctx *c, slong o, int which,
                               trop_rconv_info *info, slong max_repairs, trop_error *err)
{
    oracle_arg a = {c, o, which};
    fmpq w[2];
    trop_status st = TROP_OK;
    fmpq_init(w + 0);
    fmpq_init(w + 1);
    for (;;) {
        st = trop_tpoly_certify2(certified, w, T, oracle, &a, &info->checks, err);
        if (st != TROP_OK || *certified != 0)
            break;
        if (info->repairs >= max_repairs || !repair(T, c, o, which, w)) {
            *certified = -1;
            break;
        }
        info->repairs++;
        trop_tpoly_canonicalise(T);
    }
    fmpq_clear(w + 0);
    fmpq_clear(w + 1);
    return st;
}

/* ---- driver ---- */

static void rctx_init(rctx *c, const trop_net_t net)
{
    slong n = trop_net_output_dim(net);
    trop_pqnet_init(c->e, net);
    c->nout = n;
    c->P = _fmpq_vec_init(n);
    c->Q = _fmpq_vec_init(n);
    c->Pa = _fmpq_vec_init(3 * n);
    c->Qa = _fmpq_vec_init(3 * n);
    trop_rng_init(&c->rng, 0x7472617432ULL);
}

static void rctx_clear(rctx *c)
{
    trop_pqnet_clear(c->e);
    _fmpq_vec_clear(c->P, c->nout);
    _fmpq_vec_clear(c->Q, c->nout);
    _fmpq_vec_clear(c->Pa, 3 * c->nout);
    _fmpq_vec_clear(c->Qa, 3 * c->nout);
}

trop_status trop_trat_vec_set_net_regions(trop_trat_struct *res, const trop_net_t net,
                                          const trop_rconv_opts *opts,
                                          trop_rconv_info *info, trop_error *err)
{
    trop_region2_set_t s;
    trop_region2_opts ro = {0, NULL, NULL};
    trop_rconv_info dummy;
    rctx c;
    char *need;
    slong o, r, nout = trop_net_output_dim(net);
    slong max_repairs = opts != NULL && opts->max_repairs > 0 ? opts->max_repairs : 10000;
    int certify = opts == NULL || opts->certify;
    slong cmax = opts != NULL ? opts->certify_max_terms : 0;
    trop_status st;
    TROP_ASSERT(net->input_dim == 2);
    if (info == NULL)
        info = &dummy;
    memset(info, 0, sizeof *info);
    if (opts != NULL) {
        ro.max_regions = opts->max_regions;
        ro.progress = opts->progress;
        ro.progress_arg = opts->progress_arg;
    }
    trop_region2_set_init(s);
    st = trop_region2_set_enum(s, net, &ro, err);
    if (st != TROP_OK) {
        trop_region2_set_clear(s);
        return st;
    }
    info->regions = s->nregions;
    need = trop_calloc((size_t)(s->nregions > 0 ? s->nregions : 1), 1);
    for (o = 0; o < nout; o++) {
        pick_representatives(need, s, o, 0);
        pick_representatives(need, s, o, 1);
        trop_tpoly_zero(res[o].num);
        trop_tpoly_zero(res[o].den);
    }
    rctx_init(&c, net);
    for (r = 0; r < s->nregions; r++)
        if (need[r]) {
            info->exact_pieces++;
            if (!add_region_pieces(res, &c, s->point + 2 * r))
                info->nongeneric++;
        }
    for (o = 0; o < nout; o++) {
        trop_tpoly_canonicalise(res[o].num);
        trop_tpoly_canonicalise(res[o].den);
    }
    for (o = 0; o < nout && st == TROP_OK; o++) {
        int which;
        for (which = 0; which < 2 && st == TROP_OK; which++) {
            trop_tpoly_struct *T = which ? res[o].den : res[o].num;
            int cert = 0;
            if (certify && T->length > 0 && (cmax <= 0 || T->length <= cmax))
                st = certify_one(&cert, T, &c, o, which, info, max_repairs, err);
            if (cert == 1)
                info->proven++;
            else
                info->unproven++;
        }
    }
    info->certified = info->unproven == 0;
    rctx_clear(&c);
    trop_free(need);
    trop_region2_set_clear(s);
    return st;
}
