/* limbs.c: the exact recursion of Zhang's pairs (P, Q) on fixed-width
 * limb vectors, for the region enumeration.
 *
 * trop_pqnet scales every layer to integers; the affine pieces of P and Q
 * (gradient and constant) are then integers over a known denominator.
 * Their gradients are never negative: the inputs start at P_j = t_j,
 * Q_j = 0, and every rule (trat.c) combines pieces with nonnegative
 * factors only: w+ and w- = |w| of a row, the slope factors sd, |sn|,
 * sd + sn, sd - sn of a leaky rule, plain sums for maxout.  The constant
 * term is split as c = c+ - c-, both nonnegative and both carried through
 * the same nonnegative combinations (a bias b goes to c+ or c- of H by its
 * sign).  So a piece is four nonnegative integers (dt0, dt1, c+, c-), and
 * the whole recursion is additions of products by single nonnegative
 * factors: mpn_addmul_1 on N-limb columns, no signs, no allocation, no
 * normalisation.  N is chosen once from a bound on every value (below), so
 * no column ever carries out of its N limbs; with that, one mpn_addmul_1
 * over the four adjacent columns of a piece is exact column by column.
 *
 * Bound: with B_(l-1) bounding every column of layer l-1's pieces,
 * |H|, |G| <= A_l = max_i (|b_i| + sum_j |w_ij| B_(l-1)), and the rule
 * multiplies by at most f_l = 1 (relu, linear), sd + |sn| (leaky) or k
 * (maxout): B_l = f_l A_l.  Lines z = H - G and maxout differences
 * (H_r + G_s) - (G_r + H_s) stay below 2 A_l. */
#include <math.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>

#include "region-internal.h"

/* A nonnegative factor of nu limbs. */
static void factor_set(mp_limb_t **u, slong *nu, const fmpz_t x)
{
    fmpz_t a;
    fmpz_init(a);
    fmpz_abs(a, x);
    *nu = FLINT_MAX(1, (slong)fmpz_size(a));
    *u = trop_calloc((size_t)*nu, sizeof(mp_limb_t));
    fmpz_get_ui_array(*u, *nu, a);
    fmpz_clear(a);
}

static void nonneg_to_limbs(mp_limb_t *r, slong N, const fmpz_t x)
{
    fmpz_t a;
    fmpz_init(a);
    fmpz_abs(a, x);
    fmpz_get_ui_array(r, N, a);
    fmpz_clear(a);
}

/* bound = f * max_i (|b_i| + sum_j |w_ij| B) for layer L. */
static void layer_bound(fmpz_t res, const trop_pqlayer_struct *L, const fmpz_t B)
{
    slong i, j;
    fmpz_t row, t;
    fmpz_init(row);
    fmpz_init(t);
    fmpz_zero(res);
    for (i = 0; i < L->nout; i++) {
        fmpz_abs(row, L->b + i);
        for (j = 0; j < L->nin; j++) {
            fmpz_abs(t, L->W + i * L->nin + j);
            fmpz_addmul(row, t, B);
        }
        if (fmpz_cmp(row, res) > 0)
            fmpz_set(res, row);
    }
    fmpz_mul_ui(res, res, 2);                          /* lines: up to 2 A_l */
    if (L->rule == TROP_PQ_MAXOUT)
        fmpz_mul_si(res, res, L->k);
    else if (L->rule != TROP_PQ_RELU && L->rule != TROP_PQ_LINEAR) {
        fmpz_abs(t, L->sn);
        fmpz_add(t, t, L->sd);
        fmpz_mul(res, res, t);
    }
    fmpz_clear(row);
    fmpz_clear(t);
}

static void xlayer_init(_xlayer *X, const trop_pqlayer_struct *L, slong N)
{
    slong i, n = L->nout * L->nin;
    X->L = L;
    X->nw = 1;
    for (i = 0; i < n; i++)
        X->nw = FLINT_MAX(X->nw, (slong)fmpz_size(L->W + i));
    X->w = trop_calloc((size_t)(n > 0 ? n : 1) * (size_t)X->nw, sizeof(mp_limb_t));
    X->wsg = trop_malloc((size_t)(n > 0 ? n : 1));
    for (i = 0; i < n; i++) {
        X->wsg[i] = (signed char)fmpz_sgn(L->W + i);
        nonneg_to_limbs(X->w + i * X->nw, X->nw, L->W + i);
    }
    X->b = trop_calloc((size_t)L->nout * (size_t)N, sizeof(mp_limb_t));
    X->bsg = trop_malloc((size_t)L->nout);
    for (i = 0; i < L->nout; i++) {
        X->bsg[i] = (signed char)fmpz_sgn(L->b + i);
        nonneg_to_limbs(X->b + i * N, N, L->b + i);
    }
    factor_set(&X->sd, &X->nsd, L->sd);
    factor_set(&X->sn, &X->nsn, L->sn);
    factor_set(&X->spl, &X->nspl, L->spl);
    factor_set(&X->smi, &X->nsmi, L->smi);
}

static void xlayer_clear(_xlayer *X)
{
    trop_free(X->w);
    trop_free(X->wsg);
    trop_free(X->b);
    trop_free(X->bsg);
    trop_free(X->sd);
    trop_free(X->sn);
    trop_free(X->spl);
    trop_free(X->smi);
}

void _xnet_init(_xnet *x, const trop_pqnet_struct *e, slong min_bits)
{
    slong l, bits = min_bits;
    fmpz_t B, A;
    fmpz_init_set_ui(B, 1);
    fmpz_init(A);
    for (l = 0; l < e->nlayers; l++) {
        layer_bound(A, e->layers + l, B);
        fmpz_swap(A, B);
        bits = FLINT_MAX(bits, (slong)fmpz_bits(B));
    }
    /* two spare bits: maxout differences add two such values */
    x->N = (bits + 2) / FLINT_BITS + 1;
    x->nlayers = e->nlayers;
    x->layers = trop_malloc((size_t)e->nlayers * sizeof(_xlayer));
    for (l = 0; l < e->nlayers; l++)
        xlayer_init(x->layers + l, e->layers + l, x->N);
    fmpz_clear(A);
    fmpz_clear(B);
}

void _xnet_clear(_xnet *x)
{
    slong l;
    for (l = 0; l < x->nlayers; l++)
        xlayer_clear(x->layers + l);
    trop_free(x->layers);
}

/* r += u * x on a piece (4 columns of N limbs).  A factor of nu limbs is
 * added limb by limb, limb q shifted by q limbs over the whole piece: the
 * bound guarantees u * x_c < 2^(64 N) for every column c, so x_c's top q
 * limbs are zero when u_q != 0 and the shifted product of one column stays
 * below the next column; no carry crosses a column either. */
static void piece_addmul(mp_limb_t *r, const mp_limb_t *x, const mp_limb_t *u, slong nu, slong N)
{
    slong q;
    for (q = 0; q < nu && q < N; q++)
        if (u[q] != 0)
            mpn_addmul_1(r + q, x, 4 * N - q, u[q]);
}

void _xnet_affine_row(mp_limb_t *H, mp_limb_t *G, const _xnet *x, slong l, slong i,
                      const mp_limb_t *P, const mp_limb_t *Q)
{
    const _xlayer *X = x->layers + l;
    slong j, N = x->N, nin = X->L->nin, nw = X->nw;
    const mp_limb_t *w = X->w + i * nin * nw;
    const signed char *sg = X->wsg + i * nin;
    memset(H, 0, (size_t)(4 * N) * sizeof(mp_limb_t));
    memset(G, 0, (size_t)(4 * N) * sizeof(mp_limb_t));
    /* the bias goes to c+ or c- of H */
    if (X->bsg[i] > 0)
        memcpy(H + 2 * N, X->b + i * N, (size_t)N * sizeof(mp_limb_t));
    else if (X->bsg[i] < 0)
        memcpy(H + 3 * N, X->b + i * N, (size_t)N * sizeof(mp_limb_t));
    if (nw == 1) {
        /* the common case, one-limb weights: one mpn_addmul_1 per piece */
        for (j = 0; j < nin; j++) {
            const mp_limb_t *Pj = P + 4 * N * j, *Qj = Q + 4 * N * j;
            if (sg[j] > 0) {
                mpn_addmul_1(H, Pj, 4 * N, w[j]);
                mpn_addmul_1(G, Qj, 4 * N, w[j]);
            } else if (sg[j] < 0) {
                mpn_addmul_1(H, Qj, 4 * N, w[j]);
                mpn_addmul_1(G, Pj, 4 * N, w[j]);
            }
        }
        return;
    }
    for (j = 0; j < nin; j++) {
        const mp_limb_t *Pj = P + 4 * N * j, *Qj = Q + 4 * N * j, *wj = w + j * nw;
        if (sg[j] > 0) {
            piece_addmul(H, Pj, wj, nw, N);
            piece_addmul(G, Qj, wj, nw, N);
        } else if (sg[j] < 0) {           /* w- = |w|: H gets Q_j, G gets P_j */
            piece_addmul(H, Qj, wj, nw, N);
            piece_addmul(G, Pj, wj, nw, N);
        }
    }
}

/* r = u * x + v * y (u, v factors; either may be absent with nu = 0). */
static void piece_comb(mp_limb_t *r, const mp_limb_t *u, slong nu, const mp_limb_t *x,
                       const mp_limb_t *v, slong nv, const mp_limb_t *y, slong N)
{
    memset(r, 0, (size_t)(4 * N) * sizeof(mp_limb_t));
    if (nu > 0)
        piece_addmul(r, x, u, nu, N);
    if (nv > 0)
        piece_addmul(r, y, v, nv, N);
}

void _xnet_unit(mp_limb_t *P, mp_limb_t *Q, const mp_limb_t *H, const mp_limb_t *G,
                const _xnet *x, slong l, slong branch)
{
    const _xlayer *X = x->layers + l;
    slong N = x->N, len = 4 * N, r;
    int pos = branch != 0;
    size_t bytes = (size_t)len * sizeof(mp_limb_t);
    switch (X->L->rule) {
    case TROP_PQ_MAXOUT:                 /* (H_r + sum_{t != r} G_t, sum_t G_t) */
        memcpy(Q, G, bytes);
        for (r = 1; r < X->L->k; r++)
            mpn_add_n(Q, Q, G + r * len, len);
        mpn_sub_n(P, Q, G + branch * len, len);
        mpn_add_n(P, P, H + branch * len, len);
        break;
    case TROP_PQ_RELU:                   /* (max(H, G), G) */
        memcpy(P, pos ? H : G, bytes);
        memcpy(Q, G, bytes);
        break;
    case TROP_PQ_LEAKY_LO:               /* (max(sd H + sn G, sn H + sd G), spl G) */
        piece_comb(P, X->sd, X->nsd, pos ? H : G, X->sn, X->nsn, pos ? G : H, N);
        piece_comb(Q, X->spl, X->nspl, G, NULL, 0, NULL, N);
        break;
    case TROP_PQ_LEAKY_NEG:              /* (smi max(H, G), sd G + |sn| H) */
        piece_comb(P, X->smi, X->nsmi, pos ? H : G, NULL, 0, NULL, N);
        piece_comb(Q, X->sd, X->nsd, G, X->sn, X->nsn, H, N);
        break;
    case TROP_PQ_LEAKY_HI:               /* (spl H, max(sd G + sn H, sn G + sd H)) */
        piece_comb(P, X->spl, X->nspl, H, NULL, 0, NULL, N);
        piece_comb(Q, X->sd, X->nsd, pos ? G : H, X->sn, X->nsn, pos ? H : G, N);
        break;
    default:                             /* linear: (H, G) */
        memcpy(P, H, bytes);
        memcpy(Q, G, bytes);
        break;
    }
}

/* ---- signed values from nonnegative columns ---- */

/* (s, m) = x - y for N-limb x, y >= 0: s the sign, m = |x - y|. */
void _xlimbs_diff(int *s, mp_limb_t *m, const mp_limb_t *x, const mp_limb_t *y, slong N)
{
    int c = mpn_cmp(x, y, N);
    *s = c > 0 ? 1 : (c < 0 ? -1 : 0);
    if (c >= 0)
        mpn_sub_n(m, x, y, N);
    else
        mpn_sub_n(m, y, x, N);
}

double _xlimbs_get_d_2exp(slong *e, const mp_limb_t *m, slong N)
{
    slong t = N - 1;
    double d;
    int ex;
    while (t >= 0 && m[t] == 0)
        t--;
    if (t < 0) {
        *e = 0;
        return 0.0;
    }
    /* the top two limbs: relative error below 2^-52 after rounding */
    d = (double)m[t] * 18446744073709551616.0 + (t > 0 ? (double)m[t - 1] : 0.0);
    d = frexp(d, &ex);
    *e = ex + FLINT_BITS * (t - 1);
    return d;
}

void _xlimbs_get_fmpz(fmpz_t r, int s, const mp_limb_t *m, slong N)
{
    fmpz_set_ui_array(r, m, N);
    if (s < 0)
        fmpz_neg(r, r);
}
