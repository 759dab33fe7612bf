/* pqnet.c: the tropical pairs (P, Q) of a network, evaluated point by point.
 *
 * trat.c builds the tropical polynomials; here the same recursion runs on
 * numbers.  Inputs are (x_j, 0); row i of a layer gives
 *     H = b + sum_j (w+_j P_j + w-_j Q_j),   G = sum_j (w+_j Q_j + w-_j P_j)
 * and the unit's rule (trop_pq_rule) turns (H, G) into (P, Q).
 *
 * Why integers: with plain fmpq every multiply-add reduces its result by a
 * gcd, and the gcd of numbers of a few hundred bits costs more than the
 * product.  Here every value of a layer shares one known denominator, so
 * only numerators are stored.  Layer l is scaled by D_l (the lcm of the
 * denominators of its weights and biases; a power of two for float
 * weights, of ten for decimal ones) and, for the leaky rules, by the slope's
 * denominator sd: the numerators of layer l's outputs are over
 *     dx * M_1 * ... * M_l,   M_m = D_m (* sd_m),
 * where dx is the common denominator of the point.  Each bias is stored
 * times D_l * M_1 * ... * M_(l-1), so at run time it is multiplied by dx
 * only.  One gcd per output, at the end, puts the results in lowest terms.
 *
 * Columns: trop_pqnet_eval runs one column, the point; each max takes the
 * larger side by an integer comparison (the branch of a unit is the sign of
 * z = H - G, the arg max of H_r - G_r for maxout).  trop_pqnet_piece runs
 * input_dim + 1 columns: column j starts from the unit vector e_j without
 * biases (the gradient), column input_dim from 0 with biases (the constant
 * term), and each unit takes the branch that x picks.  Given the branches
 * the recursion is linear, so the columns are the coefficients of every
 * unit's affine piece, and the branch is read off them: z(x) = <grad z, x> +
 * const z, i.e. sum_j xint_j zg_j + dx zc on the integer scale, n + 1
 * products per unit.  The point's own values are never propagated (that
 * would cost a whole column of nin-long rows, with the largest numbers). */
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_vec.h>
#include <flint/fmpq.h>

#include "trop/pqnet.h"

/* ---- Preparation ---- */

static trop_pq_rule rule_of(const trop_layer_struct *L)
{
    if (L->act == TROP_ACT_RELU)
        return TROP_PQ_RELU;
    if (L->act == TROP_ACT_MAXOUT)
        return TROP_PQ_MAXOUT;
    if (L->act == TROP_ACT_LINEAR || fmpq_is_one(L->slope))
        return TROP_PQ_LINEAR;              /* trat.c uses (H, G) for slope 1 too */
    if (fmpq_is_zero(L->slope))
        return TROP_PQ_RELU;                /* max(H + 0G, 0H + G) = max(H, G) */
    if (fmpq_sgn(L->slope) < 0)
        return TROP_PQ_LEAKY_NEG;
    /* s < 1 iff sn < sd, the denominator being positive */
    return fmpz_cmp(fmpq_numref(L->slope), fmpq_denref(L->slope)) < 0 ? TROP_PQ_LEAKY_LO
                                                                       : TROP_PQ_LEAKY_HI;
}

/* res = D * q for an integer D that q's denominator divides. */
static void scale_q(fmpz_t res, const fmpq_t q, const fmpz_t D)
{
    fmpz_divexact(res, D, fmpq_denref(q));
    fmpz_mul(res, res, fmpq_numref(q));
}

/* Scales layer L into pl.  scale = M_1 ... M_(l-1) on entry, M_1 ... M_l on
 * return. */
static void layer_init(trop_pqlayer_struct *pl, const trop_layer_struct *L, fmpz_t scale)
{
    slong i, nw = L->nout * L->nin;
    fmpz_t D;
    TROP_ASSERT(L->k >= 1 && L->nout % L->k == 0);
    fmpz_init_set_ui(D, 1);
    for (i = 0; i < nw; i++)
        fmpz_lcm(D, D, fmpq_denref(L->W + i));
    for (i = 0; i < L->nout; i++)
        fmpz_lcm(D, D, fmpq_denref(L->b + i));
    pl->nin = L->nin;
    pl->nout = L->nout;
    pl->k = L->k;
    pl->rule = rule_of(L);
    pl->W = _fmpz_vec_init(nw);
    pl->b = _fmpz_vec_init(L->nout);
    for (i = 0; i < nw; i++)
        scale_q(pl->W + i, L->W + i, D);
    for (i = 0; i < L->nout; i++) {
        scale_q(pl->b + i, L->b + i, D);
        fmpz_mul(pl->b + i, pl->b + i, scale);
    }
    fmpz_init(pl->sn); fmpz_init(pl->sd); fmpz_init(pl->spl); fmpz_init(pl->smi);
    if (pl->rule == TROP_PQ_LEAKY_LO || pl->rule == TROP_PQ_LEAKY_NEG
        || pl->rule == TROP_PQ_LEAKY_HI) {
        fmpz_set(pl->sn, fmpq_numref(L->slope));
        fmpz_set(pl->sd, fmpq_denref(L->slope));
        fmpz_mul(D, D, pl->sd);             /* the rules are written times sd */
    } else
        fmpz_one(pl->sd);
    fmpz_add(pl->spl, pl->sd, pl->sn);
    fmpz_sub(pl->smi, pl->sd, pl->sn);
    fmpz_mul(scale, scale, D);
    fmpz_clear(D);
}

static void layer_clear(trop_pqlayer_struct *pl)
{
    _fmpz_vec_clear(pl->W, pl->nout * pl->nin);
    _fmpz_vec_clear(pl->b, pl->nout);
    fmpz_clear(pl->sn); fmpz_clear(pl->sd); fmpz_clear(pl->spl); fmpz_clear(pl->smi);
}

void trop_pqnet_init(trop_pqnet_t e, const trop_net_t net)
{
    slong l, kmax = 1;
    e->input_dim = net->input_dim;
    e->output_dim = trop_net_output_dim(net);
    e->nlayers = net->nlayers;
    e->maxw = net->input_dim;
    e->ncol = net->input_dim + 1;
    e->layers = trop_malloc((size_t)net->nlayers * sizeof(trop_pqlayer_struct));
    fmpz_init_set_ui(e->den, 1);
    for (l = 0; l < net->nlayers; l++) {
        layer_init(e->layers + l, net->layers + l, e->den);
        e->maxw = FLINT_MAX(e->maxw, trop_layer_width(net->layers + l));
        kmax = FLINT_MAX(kmax, net->layers[l].k);
    }
    e->P = _fmpz_vec_init(e->maxw * e->ncol);
    e->Q = _fmpz_vec_init(e->maxw * e->ncol);
    e->P2 = _fmpz_vec_init(e->maxw * e->ncol);
    e->Q2 = _fmpz_vec_init(e->maxw * e->ncol);
    e->H = _fmpz_vec_init(kmax * e->ncol);
    e->G = _fmpz_vec_init(kmax * e->ncol);
    e->bf = _fmpz_vec_init(e->ncol);
    e->xw = _fmpz_vec_init(e->ncol);
    e->t = _fmpz_vec_init(3);
    e->kmax = kmax;
}

void trop_pqnet_clear(trop_pqnet_t e)
{
    slong l;
    for (l = 0; l < e->nlayers; l++)
        layer_clear(e->layers + l);
    trop_free(e->layers);
    fmpz_clear(e->den);
    _fmpz_vec_clear(e->P, e->maxw * e->ncol);
    _fmpz_vec_clear(e->Q, e->maxw * e->ncol);
    _fmpz_vec_clear(e->P2, e->maxw * e->ncol);
    _fmpz_vec_clear(e->Q2, e->maxw * e->ncol);
    _fmpz_vec_clear(e->H, e->kmax * e->ncol);
    _fmpz_vec_clear(e->G, e->kmax * e->ncol);
    _fmpz_vec_clear(e->bf, e->ncol);
    _fmpz_vec_clear(e->xw, e->ncol);
    _fmpz_vec_clear(e->t, 3);
}

/* ---- The recursion on integer columns ---- */

/* H, G: [ncol] of row i of L from the previous values P, Q: [nin x ncol].
 * bf: [ncol], the factor that puts the stored bias on each column's scale
 * (dx for the point, 0 where biases are dropped, 1 for the constant term).
 * This is the inner loop: fmpz multiply-adds only. */
static void affine_row(fmpz *H, fmpz *G, const trop_pqlayer_struct *L, slong i,
                       const fmpz *P, const fmpz *Q, const fmpz *bf, slong ncol)
{
    const fmpz *w = L->W + i * L->nin;
    slong j, c;
    for (c = 0; c < ncol; c++) {
        fmpz_mul(H + c, L->b + i, bf + c);
        fmpz_zero(G + c);
    }
    for (j = 0; j < L->nin; j++) {
        const fmpz *Pj = P + j * ncol, *Qj = Q + j * ncol;
        int sg = fmpz_sgn(w + j);
        if (sg > 0)
            for (c = 0; c < ncol; c++) {
                fmpz_addmul(H + c, w + j, Pj + c);
                fmpz_addmul(G + c, w + j, Qj + c);
            }
        else if (sg < 0)                    /* w- = -w: H gets Q_j, G gets P_j */
            for (c = 0; c < ncol; c++) {
                fmpz_submul(H + c, w + j, Qj + c);
                fmpz_submul(G + c, w + j, Pj + c);
            }
    }
}

/* res = a * u + b * v. */
static void lincomb(fmpz_t res, const fmpz_t a, const fmpz_t u, const fmpz_t b, const fmpz_t v)
{
    fmpz_mul(res, a, u);
    fmpz_addmul(res, b, v);
}

/* (P, Q): [ncol] of a relu or leaky unit from (H, G): [ncol] (consumed),
 * times sd.  pos: z = H - G >= 0 at the point, which picks the larger term of
 * each max: for 0 <= s < 1, (H + sG) - (sH + G) = (1 - s) z; for s < 0,
 * (1 - s)(H - G) = (1 - s) z; for s > 1, (G + sH) - (sG + H) = (s - 1) z. */
static void unit_leaky(fmpz *P, fmpz *Q, fmpz *H, fmpz *G, const trop_pqlayer_struct *L,
                       int pos, slong ncol)
{
    slong c;
    for (c = 0; c < ncol; c++) {
        fmpz *h = H + c, *g = G + c;
        switch (L->rule) {
        case TROP_PQ_RELU:                  /* (max(H, G), G) */
            if (pos)
                fmpz_swap(P + c, h);
            else
                fmpz_set(P + c, g);
            fmpz_swap(Q + c, g);
            break;
        case TROP_PQ_LEAKY_LO:              /* (max(sd H + sn G, sn H + sd G), spl G) */
            lincomb(P + c, L->sd, pos ? h : g, L->sn, pos ? g : h);
            fmpz_mul(Q + c, L->spl, g);
            break;
        case TROP_PQ_LEAKY_NEG:             /* (smi max(H, G), sd G - sn H) */
            fmpz_mul(P + c, L->smi, pos ? h : g);
            fmpz_mul(Q + c, L->sd, g);
            fmpz_submul(Q + c, L->sn, h);
            break;
        case TROP_PQ_LEAKY_HI:              /* (spl H, max(sd G + sn H, sn G + sd H)) */
            fmpz_mul(P + c, L->spl, h);
            lincomb(Q + c, L->sd, pos ? g : h, L->sn, pos ? h : g);
            break;
        default:                            /* TROP_PQ_LINEAR: (H, G) */
            fmpz_swap(P + c, h);
            fmpz_swap(Q + c, g);
            break;
        }
    }
}

/* z = the pre-activation H - G at the point, up to a positive factor: the
 * integers H - G of the single column when xw is NULL, else sum_c xw[c]
 * (H[c] - G[c]) over the columns of an affine piece (xw: [ncol], the point
 * as integers and then its denominator).  tmp: one scratch integer. */
static void unit_z(fmpz_t z, const fmpz *H, const fmpz *G, const fmpz *xw, slong ncol,
                   fmpz_t tmp)
{
    slong c;
    if (xw == NULL) {
        fmpz_sub(z, H, G);
        return;
    }
    fmpz_zero(z);
    for (c = 0; c < ncol; c++) {
        fmpz_sub(tmp, H + c, G + c);
        fmpz_addmul(z, xw + c, tmp);
    }
}

/* (P, Q): [ncol] of a maxout unit from its k rows (H, G): [k x ncol]:
 * max_r (H_r + sum_{t != r} G_t) = S + (H_r* - G_r*) with S = sum_t G_t and
 * r* the arg max of z_r = H_r - G_r at the point (unit_z).  Returns 0 if
 * strict and that arg max is not unique.  t: 3 scratch integers. */
static int unit_maxout(fmpz *P, fmpz *Q, const fmpz *H, const fmpz *G, slong k, slong ncol,
                       const fmpz *xw, int strict, fmpz *t)
{
    slong r, best = 0, c;
    int tie = 0;
    unit_z(t + 0, H, G, xw, ncol, t + 2);
    for (r = 1; r < k; r++) {
        int cmp;
        unit_z(t + 1, H + r * ncol, G + r * ncol, xw, ncol, t + 2);
        cmp = fmpz_cmp(t + 1, t + 0);
        if (cmp > 0) {
            best = r;
            tie = 0;
            fmpz_swap(t + 0, t + 1);
        } else if (cmp == 0)
            tie = 1;
    }
    if (strict && tie)
        return 0;
    for (c = 0; c < ncol; c++) {
        fmpz_zero(Q + c);
        for (r = 0; r < k; r++)
            fmpz_add(Q + c, Q + c, G + r * ncol + c);
        fmpz_add(P + c, Q + c, H + best * ncol + c);
        fmpz_sub(P + c, P + c, G + best * ncol + c);
    }
    return 1;
}

/* Runs layer L on the columns in e->P, e->Q, leaving its outputs there;
 * xw as for unit_z.  Returns 0 if strict and a unit's branch is not decided
 * (z = 0 at a relu or leaky unit, a tied maxout); the values are then
 * partial. */
static int layer_run(trop_pqnet_t e, const trop_pqlayer_struct *L, slong ncol,
                     const fmpz *xw, int strict)
{
    slong u, r, width = L->nout / L->k;
    fmpz *sw;
    for (u = 0; u < width; u++) {
        fmpz *P = e->P2 + u * ncol, *Q = e->Q2 + u * ncol;
        for (r = 0; r < L->k; r++)
            affine_row(e->H + r * ncol, e->G + r * ncol, L, u * L->k + r, e->P, e->Q, e->bf,
                       ncol);
        if (L->rule == TROP_PQ_MAXOUT) {
            if (!unit_maxout(P, Q, e->H, e->G, L->k, ncol, xw, strict, e->t))
                return 0;
        } else {
            int sg = 0;
            if (L->rule != TROP_PQ_LINEAR) {
                unit_z(e->t, e->H, e->G, xw, ncol, e->t + 1);
                sg = fmpz_sgn(e->t);
                if (strict && sg == 0)
                    return 0;
            }
            unit_leaky(P, Q, e->H, e->G, L, sg >= 0, ncol);
        }
    }
    sw = e->P; e->P = e->P2; e->P2 = sw;
    sw = e->Q; e->Q = e->Q2; e->Q2 = sw;
    return 1;
}

static int run(trop_pqnet_t e, slong ncol, const fmpz *xw, int strict)
{
    slong l;
    for (l = 0; l < e->nlayers; l++)
        if (!layer_run(e, e->layers + l, ncol, xw, strict))
            return 0;
    return 1;
}

/* xi: [input_dim] = x * dx, integers, with dx the lcm of the denominators
 * of x. */
static void point_to_int(fmpz *xi, fmpz_t dx, const fmpq *x, slong n)
{
    slong j;
    fmpz_one(dx);
    for (j = 0; j < n; j++)
        fmpz_lcm(dx, dx, fmpq_denref(x + j));
    for (j = 0; j < n; j++)
        scale_q(xi + j, x + j, dx);
}

/* ---- Evaluation ---- */

void trop_pqnet_eval(fmpq *P, fmpq *Q, trop_pqnet_t e, const fmpq *x, int recession)
{
    slong i;
    fmpz_t dx;
    fmpz_init(dx);
    point_to_int(e->P, dx, x, e->input_dim);    /* one column: P_j = x_j, Q_j = 0 */
    _fmpz_vec_zero(e->Q, e->input_dim);
    if (recession)
        fmpz_zero(e->bf);
    else
        fmpz_set(e->bf, dx);
    run(e, 1, NULL, 0);
    fmpz_mul(dx, dx, e->den);               /* the outputs' common denominator */
    for (i = 0; i < e->output_dim; i++) {
        fmpq_set_fmpz_frac(P + i, e->P + i, dx);
        fmpq_set_fmpz_frac(Q + i, e->Q + i, dx);
    }
    fmpz_clear(dx);
}

int trop_pqnet_piece(fmpq *Pa, fmpq *Qa, trop_pqnet_t e, const fmpq *x)
{
    slong n = e->input_dim, ncol = e->ncol, i, j, c;
    int ok;
    point_to_int(e->xw, e->xw + n, x, n);
    for (j = 0; j < n; j++)                 /* P_j = x_j: gradient e_j, constant 0 */
        for (c = 0; c < ncol; c++) {
            fmpz_set_si(e->P + j * ncol + c, c == j);
            fmpz_zero(e->Q + j * ncol + c);
        }
    for (c = 0; c < ncol; c++)              /* biases go to the constant column */
        fmpz_set_si(e->bf + c, c == n);
    ok = run(e, ncol, e->xw, 1);
    for (i = 0; ok && i < e->output_dim; i++)
        for (c = 0; c < ncol; c++) {
            fmpq_set_fmpz_frac(Pa + i * ncol + c, e->P + i * ncol + c, e->den);
            fmpq_set_fmpz_frac(Qa + i * ncol + c, e->Q + i * ncol + c, e->den);
        }
    return ok;
}
