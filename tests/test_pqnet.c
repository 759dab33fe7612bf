/* test_pqnet.c: point-by-point evaluation of the tropical pairs (P, Q).
 * Expected values are worked out by hand (a table of one-unit networks, the
 * comments show how) or come from a second method: the tropical
 * polynomials of trop_trat_vec_set_net evaluated term by term, and a plain
 * fmpq forward pass of the network for which points are generic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "trop/trop.h"
#include "runner.h"
#include "helpers.h"

/* ---- helpers ---- */

/* Sets v[0 .. len-1] from the blank-separated rationals of s. */
static void qvec_set_str(fmpq *v, slong len, const char *s)
{
    char buf[1024], *save = NULL, *tok;
    slong j = 0;
    snprintf(buf, sizeof buf, "%s", s);
    for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        ck_assert_int_lt(j, len);
        trop_test_q_set(v + j++, tok);
    }
    ck_assert_int_eq(j, len);
}

/* 1 if v: [len] equals the blank-separated rationals of s. */
static int qvec_is(const fmpq *v, slong len, const char *s)
{
    fmpq *w = _fmpq_vec_init(len);
    slong j;
    int eq = 1;
    qvec_set_str(w, len, s);
    for (j = 0; j < len; j++)
        eq &= fmpq_equal(v + j, w + j);
    _fmpq_vec_clear(w, len);
    return eq;
}

/* Random rational in [-4, 4] with denominator up to 64. */
static void rand_small_q(fmpq_t x, trop_rng *r)
{
    fmpq_set_si(x, trop_rng_below(r, 513) - 256, (ulong)(1 + trop_rng_below(r, 64)));
}

/* Random rational with numerator and denominator of about 64 * words bits
 * (so that the point itself is far from every small-denominator
 * hyperplane and the fmpz code runs on multi-limb numbers). */
static void rand_big_q(fmpq_t x, trop_rng *r, int words)
{
    fmpz_t p, q;
    int i;
    fmpz_init(p);
    fmpz_init(q);
    for (i = 0; i < words; i++) {
        fmpz_mul_2exp(p, p, 64);
        fmpz_add_ui(p, p, trop_rng_u64(r));
        fmpz_mul_2exp(q, q, 64);
        fmpz_add_ui(q, q, trop_rng_u64(r));
    }
    fmpz_add_ui(q, q, 1);
    fmpz_mul_si(p, p, 3);                 /* |x| up to about 3 */
    if (trop_rng_below(r, 2))
        fmpz_neg(p, p);
    fmpq_set_fmpz_frac(x, p, q);
    fmpz_clear(p);
    fmpz_clear(q);
}

static void rand_point(fmpq *x, slong n, trop_rng *r, int big)
{
    slong j;
    for (j = 0; j < n; j++) {
        if (big)
            rand_big_q(x + j, r, 1 + (int)trop_rng_below(r, 3));
        else
            rand_small_q(x + j, r);
    }
}

/* res = max_i <a_i, d> over the terms of f (its recession function). */
static void tpoly_recession(fmpq_t res, const trop_tpoly_t f, const fmpq *d)
{
    fmpq_t v;
    slong i;
    ck_assert_int_gt(f->length, 0);
    fmpq_init(v);
    for (i = 0; i < f->length; i++) {
        _trop_qvec_dot(v, f->exps + i * f->nvars, d, f->nvars);
        if (i == 0 || fmpq_cmp(v, res) > 0)
            fmpq_set(res, v);
    }
    fmpq_clear(v);
}

/* The index of the unique term of f of largest value at x, or -1 when two
 * terms tie for the maximum. */
static slong unique_max_term(const trop_tpoly_t f, const fmpq *x)
{
    fmpq_t v, best;
    slong i, arg = -1;
    int tie = 0;
    fmpq_init(v);
    fmpq_init(best);
    for (i = 0; i < f->length; i++) {
        int cmp;
        _trop_qvec_dot(v, f->exps + i * f->nvars, x, f->nvars);
        fmpq_add(v, v, f->coefs + i);
        cmp = arg < 0 ? 1 : fmpq_cmp(v, best);
        if (cmp > 0) {
            arg = i;
            tie = 0;
            fmpq_set(best, v);
        } else if (cmp == 0)
            tie = 1;
    }
    fmpq_clear(v);
    fmpq_clear(best);
    return tie ? -1 : arg;
}

/* 1 if row: [nvars + 1] (gradient, constant) is term i of f. */
static int row_is_term(const fmpq *row, const trop_tpoly_t f, slong i)
{
    slong j;
    for (j = 0; j < f->nvars; j++)
        if (!fmpq_equal(row + j, f->exps + i * f->nvars + j))
            return 0;
    return fmpq_equal(row + f->nvars, f->coefs + i);
}

/* ---- a plain forward pass that sees every pre-activation ---- */

/* 1 if the pre-activations z: [nout] of layer L are generic: nonzero at
 * relu and leaky units (slope not 1), a unique largest row in each maxout
 * group.  On return z holds the layer's outputs. */
static int act_generic(fmpq *z, const trop_layer_struct *L)
{
    slong u, r, w = trop_layer_width(L);
    int gen = 1;
    if (L->act == TROP_ACT_MAXOUT) {
        for (u = 0; u < w; u++) {
            slong best = u * L->k;
            int tie = 0;
            for (r = u * L->k + 1; r < (u + 1) * L->k; r++) {
                int cmp = fmpq_cmp(z + r, z + best);
                tie = cmp > 0 ? 0 : (cmp == 0 ? 1 : tie);
                best = cmp > 0 ? r : best;
            }
            gen &= !tie;
            fmpq_set(z + u, z + best);
        }
        return gen;
    }
    if (L->act == TROP_ACT_LINEAR || (L->act == TROP_ACT_LEAKY && fmpq_is_one(L->slope)))
        return 1;
    for (u = 0; u < w; u++) {
        gen &= !fmpq_is_zero(z + u);
        if (fmpq_sgn(z + u) < 0 && L->act == TROP_ACT_RELU)
            fmpq_zero(z + u);
        else if (fmpq_sgn(z + u) < 0)
            fmpq_mul(z + u, z + u, L->slope);
    }
    return gen;
}

/* Runs net on x; returns 1 if every unit is generic (see act_generic).
 * When zl is not NULL, stops before the activation of layer stop and
 * copies that layer's pre-activations into zl: [nout of layer stop]. */
static int forward(const trop_net_t net, const fmpq *x, slong stop, fmpq *zl)
{
    slong l, i, maxw = net->input_dim;
    fmpq *h, *z;
    int gen = 1;
    for (l = 0; l < net->nlayers; l++)
        maxw = FLINT_MAX(maxw, net->layers[l].nout);
    h = _fmpq_vec_init(maxw);
    z = _fmpq_vec_init(maxw);
    _trop_qvec_set(h, x, net->input_dim);
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        for (i = 0; i < L->nout; i++) {
            _trop_qvec_dot(z + i, L->W + i * L->nin, h, L->nin);
            fmpq_add(z + i, z + i, L->b + i);
        }
        if (zl != NULL && l == stop) {
            _trop_qvec_set(zl, z, L->nout);
            break;
        }
        gen &= act_generic(z, L);
        { fmpq *sw = h; h = z; z = sw; }
    }
    _fmpq_vec_clear(h, maxw);
    _fmpq_vec_clear(z, maxw);
    return gen;
}

/* ---- checks against the tropical polynomials ---- */

/* At x: trop_pqnet_eval equals num and den of every output evaluated term
 * by term, and with recession = 1 (x read as a direction) equals max_i
 * <a_i, x> over the terms of num and of den.  what names the case. */
static void check_eval(trop_pqnet_t e, const trop_trat_struct *F, const fmpq *x,
                       const char *what)
{
    slong m = e->output_dim, i;
    fmpq *P = _fmpq_vec_init(m), *Q = _fmpq_vec_init(m);
    fmpq_t v;
    fmpq_init(v);
    trop_pqnet_eval(P, Q, e, x, 0);
    for (i = 0; i < m; i++) {
        ck_assert(trop_tpoly_eval_q(v, F[i].num, x, NULL));
        ck_assert_msg(fmpq_equal(v, P + i), "%s: P of output %ld", what, i);
        ck_assert(trop_tpoly_eval_q(v, F[i].den, x, NULL));
        ck_assert_msg(fmpq_equal(v, Q + i), "%s: Q of output %ld", what, i);
    }
    trop_pqnet_eval(P, Q, e, x, 1);
    for (i = 0; i < m; i++) {
        tpoly_recession(v, F[i].num, x);
        ck_assert_msg(fmpq_equal(v, P + i), "%s: recession of P, output %ld", what, i);
        tpoly_recession(v, F[i].den, x);
        ck_assert_msg(fmpq_equal(v, Q + i), "%s: recession of Q, output %ld", what, i);
    }
    fmpq_clear(v);
    _fmpq_vec_clear(P, m);
    _fmpq_vec_clear(Q, m);
}

/* At x: trop_pqnet_piece answers 1 exactly when the forward pass finds x
 * generic, and then each row is the unique maximal term of num (den) at x.
 * Returns the answer. */
static int check_piece(trop_pqnet_t e, const trop_trat_struct *F, const trop_net_t net,
                       const fmpq *x, const char *what)
{
    slong m = e->output_dim, n = e->input_dim, i, t;
    fmpq *Pa = _fmpq_vec_init(m * (n + 1)), *Qa = _fmpq_vec_init(m * (n + 1));
    int ok = trop_pqnet_piece(Pa, Qa, e, x);
    ck_assert_msg(ok == forward(net, x, -1, NULL), "%s: piece says %d", what, ok);
    for (i = 0; ok && i < m; i++) {
        t = unique_max_term(F[i].num, x);
        ck_assert_msg(t >= 0, "%s: P of output %ld has tied terms at a generic point", what, i);
        ck_assert_msg(row_is_term(Pa + i * (n + 1), F[i].num, t), "%s: P piece %ld", what, i);
        t = unique_max_term(F[i].den, x);
        ck_assert_msg(t >= 0, "%s: Q of output %ld has tied terms at a generic point", what, i);
        ck_assert_msg(row_is_term(Qa + i * (n + 1), F[i].den, t), "%s: Q piece %ld", what, i);
    }
    _fmpq_vec_clear(Pa, m * (n + 1));
    _fmpq_vec_clear(Qa, m * (n + 1));
    return ok;
}

/* ---- hand-checked one-unit networks ---- */

/* One unit on one input x: k rows w x + b (W, b: k numbers each).  At x:
 * P and Q; the affine pieces as "gradient constant" (NULL: x is not
 * generic, piece returns 0); at the direction d: the recession values.
 * H and G are worked out in the comment of each row (the input is
 * (P, Q) = (x, 0), so w > 0 gives H = b + w x, G = 0, and w < 0 gives
 * H = b, G = |w| x). */
typedef struct {
    trop_act act;
    const char *slope;
    slong k;
    const char *W, *b, *x, *P, *Q, *Pa, *Qa, *d, *Pr, *Qr;
} hand_case;

static const hand_case hand[] = {
    /* relu(x - 1): H = x - 1, G = 0, P = max(x - 1, 0), Q = 0.  x = 3:
     * z = 2 > 0, P = H.  d = -1: max(-1, 0) = 0. */
    {TROP_ACT_RELU, "0", 1, "1", "-1", "3", "2", "0", "1 -1", "0 0", "-1", "0", "0"},
    /* the same at x = 1/2: z < 0, P = G = 0.  d = 2: max(2, 0) = 2 */
    {TROP_ACT_RELU, "0", 1, "1", "-1", "1/2", "0", "0", "0 0", "0 0", "2", "2", "0"},
    /* relu(-x + 1): H = 1, G = x, P = max(1, x), Q = x.  x = 3: P = Q = 3,
     * z = -2 < 0, P = G = x.  d = -1: H = 0, G = -1: P = 0, Q = -1. */
    {TROP_ACT_RELU, "0", 1, "-1", "1", "3", "3", "3", "1 0", "1 0", "-1", "0", "-1"},
    /* relu(x - 1/3) at x = 1/3: on the hyperplane z = 0, P = max(0, 0) = 0 */
    {TROP_ACT_RELU, "0", 1, "1", "-1/3", "1/3", "0", "0", NULL, NULL, "1", "1", "0"},
    /* linear 2x + 1/2: (H, G) = (2x + 1/2, 0).  x = -1: P = -3/2. */
    {TROP_ACT_LINEAR, "0", 1, "2", "1/2", "-1", "-3/2", "0", "2 1/2", "0 0", "1", "2", "0"},
    /* leaky slope 1 is the identity rule, even where z = x - 1 = 0 */
    {TROP_ACT_LEAKY, "1", 1, "1", "-1", "1", "0", "0", "1 -1", "0 0", "1", "1", "0"},
    /* leaky slope 0 is relu: P = max(x - 1, 0) = 0 at x = 0 */
    {TROP_ACT_LEAKY, "0", 1, "1", "-1", "0", "0", "0", "0 0", "0 0", "1", "1", "0"},
    /* leaky s = 2 on z = x: H = x, G = 0, P = (1 + s)H = 3x,
     * Q = max(G + sH, sG + H) = max(2x, x).  x = 1: P = 3, Q = 2 (z > 0:
     * Q = G + sH = 2x).  d = -1: P = -3, Q = max(-2, -1) = -1. */
    {TROP_ACT_LEAKY, "2", 1, "1", "0", "1", "3", "2", "3 0", "2 0", "-1", "-3", "-1"},
    /* the same at x = -1: P = -3, Q = max(-2, -1) = -1, P - Q = -2 = 2z;
     * z < 0: Q = sG + H = x.  d = 1: P = 3, Q = 2. */
    {TROP_ACT_LEAKY, "2", 1, "1", "0", "-1", "-3", "-1", "3 0", "1 0", "1", "3", "2"},
    /* leaky s = 3/2 on z = x - 2: H = x - 2, G = 0, P = 5/2 (x - 2),
     * Q = max(3/2 x - 3, x - 2).  x = 0: P = -5, Q = max(-3, -2) = -2,
     * P - Q = -3 = 3/2 z; z < 0: Q = sG + H = x - 2.  d = 2: P = 5,
     * Q = max(3, 2) = 3. */
    {TROP_ACT_LEAKY, "3/2", 1, "1", "-2", "0", "-5", "-2", "5/2 -5", "1 -2", "2", "5", "3"},
    /* leaky s = -1/2 on z = 2x - 1: H = 2x - 1, G = 0,
     * P = max((1 - s)H, (1 - s)G) = max(3x - 3/2, 0), Q = G - sH = x - 1/2.
     * x = 0: P = 0, Q = -1/2, P - Q = 1/2 = s z; z < 0: P = (1 - s)G = 0.
     * d = 1: P = max(3, 0) = 3, Q = 1. */
    {TROP_ACT_LEAKY, "-1/2", 1, "2", "-1", "0", "0", "-1/2", "0 0", "1 -1/2", "1", "3", "1"},
    /* leaky s = 1/10 on z = -x + 1: H = 1, G = x,
     * P = max(H + sG, sH + G) = max(1 + x/10, 1/10 + x), Q = 11/10 x.
     * x = 2: P = max(6/5, 21/10) = 21/10, Q = 11/5, P - Q = -1/10 = s z;
     * z < 0: P = sH + G = x + 1/10.  d = 1: H = 0, G = 1: P = max(1/10, 1)
     * = 1, Q = 11/10. */
    {TROP_ACT_LEAKY, "1/10", 1, "-1", "1", "2", "21/10", "11/5", "1 1/10", "11/10 0", "1",
     "1", "11/10"},
    /* maxout of (x, -x): rows (H, G) = (x, 0) and (0, x); P = max(H1 + G2,
     * H2 + G1) = max(2x, 0), Q = G1 + G2 = x, P - Q = |x|.  x = -3: P = 0,
     * Q = -3; row 2 wins (z = 3): P = H2 + G1 = 0.  d = 1: P = 2, Q = 1. */
    {TROP_ACT_MAXOUT, "0", 2, "1 -1", "0 0", "-3", "0", "-3", "0 0", "1 0", "1", "2", "1"},
    /* the same at x = 0: the rows tie.  d = -1: P = max(-2, 0) = 0, Q = -1 */
    {TROP_ACT_MAXOUT, "0", 2, "1 -1", "0 0", "0", "0", "0", NULL, NULL, "-1", "0", "-1"},
    /* maxout of (x, 2x - 1, 1/2): G = 0, P = max(x, 2x - 1, 1/2).  x = 1:
     * rows 1 and 2 tie at 1.  d = 1: max(1, 2, 0) = 2. */
    {TROP_ACT_MAXOUT, "0", 3, "1 2 0", "0 -1 1/2", "1", "1", "0", NULL, NULL, "1", "2", "0"},
    /* the same at x = 2: max(2, 3, 1/2) = 3, row 2 wins.  d = -1:
     * max(-1, -2, 0) = 0. */
    {TROP_ACT_MAXOUT, "0", 3, "1 2 0", "0 -1 1/2", "2", "3", "0", "2 -1", "0 0", "-1", "0", "0"},
};

static void hand_net(trop_net_t net, const hand_case *c)
{
    fmpq_t s;
    trop_layer_struct *L;
    fmpq_init(s);
    trop_test_q_set(s, c->slope);
    trop_net_init(net, 1);
    L = trop_net_append_layer(net, c->k, c->act, s, c->k);
    qvec_set_str(L->W, c->k, c->W);
    qvec_set_str(L->b, c->k, c->b);
    fmpq_clear(s);
}

START_TEST(test_hand)
{
    const hand_case *c = hand + _i;
    trop_net_t net;
    trop_pqnet_t e;
    trop_trat_struct *F;
    fmpq_t x, d, P, Q;
    fmpq *Pa = _fmpq_vec_init(2), *Qa = _fmpq_vec_init(2);
    int ok;
    fmpq_init(x); fmpq_init(d); fmpq_init(P); fmpq_init(Q);
    hand_net(net, c);
    trop_pqnet_init(e, net);
    trop_test_q_set(x, c->x);
    trop_pqnet_eval(P, Q, e, x, 0);
    ck_assert_msg(trop_test_q_is(P, c->P) && trop_test_q_is(Q, c->Q), "case %d: (P, Q) at x", _i);
    ok = trop_pqnet_piece(Pa, Qa, e, x);
    ck_assert_int_eq(ok, c->Pa != NULL);
    if (ok) {
        ck_assert_msg(qvec_is(Pa, 2, c->Pa), "case %d: P piece", _i);
        ck_assert_msg(qvec_is(Qa, 2, c->Qa), "case %d: Q piece", _i);
    }
    trop_test_q_set(d, c->d);
    trop_pqnet_eval(P, Q, e, d, 1);
    ck_assert_msg(trop_test_q_is(P, c->Pr) && trop_test_q_is(Q, c->Qr), "case %d: recession", _i);
    F = trop_test_trats_of(net);                     /* and the hand values are those of trat */
    check_eval(e, F, x, "hand");
    check_eval(e, F, d, "hand");
    check_piece(e, F, net, x, "hand");
    trop_test_trats_free(F, 1);
    trop_pqnet_clear(e);
    trop_net_clear(net);
    fmpq_clear(x); fmpq_clear(d); fmpq_clear(P); fmpq_clear(Q);
    _fmpq_vec_clear(Pa, 2); _fmpq_vec_clear(Qa, 2);
}
END_TEST

START_TEST(test_hand_two_layers)
{
    /* h = relu(x - 1): (P1, Q1) = (max(x - 1, 0), 0); y = -2h + 1/2: w < 0,
     * so H = 1/2 + 2 Q1 = 1/2 and G = 2 P1 = max(2x - 2, 0).  At x = 3:
     * P = 1/2, Q = 4 (y = -7/2), pieces 1/2 and 2x - 2; at x = 0: Q = 0. */
    static const char *xs[] = {"3", "0"}, *Qs[] = {"4", "0"}, *Qas[] = {"2 -2", "0 0"};
    trop_net_t net;
    trop_pqnet_t e;
    trop_layer_struct *L;
    fmpq_t x, P, Q;
    fmpq *Pa = _fmpq_vec_init(2), *Qa = _fmpq_vec_init(2);
    int t;
    fmpq_init(x); fmpq_init(P); fmpq_init(Q);
    trop_net_init(net, 1);
    L = trop_net_append_layer(net, 1, TROP_ACT_RELU, NULL, 1);
    qvec_set_str(L->W, 1, "1");
    qvec_set_str(L->b, 1, "-1");
    L = trop_net_append_layer(net, 1, TROP_ACT_LINEAR, NULL, 1);
    qvec_set_str(L->W, 1, "-2");
    qvec_set_str(L->b, 1, "1/2");
    trop_pqnet_init(e, net);
    for (t = 0; t < 2; t++) {
        trop_test_q_set(x, xs[t]);
        trop_pqnet_eval(P, Q, e, x, 0);
        ck_assert(trop_test_q_is(P, "1/2") && trop_test_q_is(Q, Qs[t]));
        ck_assert(trop_pqnet_piece(Pa, Qa, e, x));
        ck_assert(qvec_is(Pa, 2, "0 1/2") && qvec_is(Qa, 2, Qas[t]));
    }
    trop_pqnet_clear(e);
    trop_net_clear(net);
    fmpq_clear(x); fmpq_clear(P); fmpq_clear(Q);
    _fmpq_vec_clear(Pa, 2); _fmpq_vec_clear(Qa, 2);
}
END_TEST

START_TEST(test_no_layers)
{
    /* A network with no layers is the identity: P = x, Q = 0, pieces e_j. */
    trop_net_t net;
    trop_pqnet_t e;
    fmpq *x = _fmpq_vec_init(2), *P = _fmpq_vec_init(2), *Q = _fmpq_vec_init(2);
    fmpq *Pa = _fmpq_vec_init(6), *Qa = _fmpq_vec_init(6);
    trop_net_init(net, 2);
    trop_pqnet_init(e, net);
    qvec_set_str(x, 2, "-5/7 2/9");
    trop_pqnet_eval(P, Q, e, x, 0);
    ck_assert(qvec_is(P, 2, "-5/7 2/9") && qvec_is(Q, 2, "0 0"));
    ck_assert(trop_pqnet_piece(Pa, Qa, e, x));
    ck_assert(qvec_is(Pa, 6, "1 0 0 0 1 0") && qvec_is(Qa, 6, "0 0 0 0 0 0"));
    trop_pqnet_clear(e);
    trop_net_clear(net);
    _fmpq_vec_clear(x, 2); _fmpq_vec_clear(P, 2); _fmpq_vec_clear(Q, 2);
    _fmpq_vec_clear(Pa, 6); _fmpq_vec_clear(Qa, 6);
}
END_TEST

/* ---- random networks ---- */

/* The activations the random networks draw from, in turn. */
static const struct { trop_act act; const char *slope; slong k; } acts[] = {
    {TROP_ACT_RELU, "0", 1},    {TROP_ACT_LEAKY, "0", 1},    {TROP_ACT_LEAKY, "1/10", 1},
    {TROP_ACT_LEAKY, "1", 1},   {TROP_ACT_LEAKY, "-1/2", 1}, {TROP_ACT_LEAKY, "2", 1},
    {TROP_ACT_LEAKY, "3/2", 1}, {TROP_ACT_MAXOUT, "0", 2},   {TROP_ACT_MAXOUT, "0", 3},
    {TROP_ACT_LINEAR, "0", 1},
};
#define NACTS ((slong)(sizeof acts / sizeof acts[0]))

/* Network number i: 1 to 3 inputs, 1 to 3 hidden layers of width 1 to 3
 * whose activations walk through acts, then an output layer (linear for
 * even i, else drawn from acts too).  Weights are small rationals, or for
 * i % 4 == 3 doubles (dyadic rationals with large denominators). */
static void random_net(trop_net_t net, int i, trop_rng *r)
{
    slong n = 1 + i % 3, depth = 1 + (i / 3) % 3, l, j;
    fmpq_t s;
    fmpq_init(s);
    trop_net_init(net, n);
    for (l = 0; l <= depth; l++) {
        slong a = l == depth && i % 2 == 0 ? NACTS - 1 : (i + 3 * l) % NACTS;
        slong width = 1 + trop_rng_below(r, l == depth ? 2 : 3);
        trop_layer_struct *L;
        trop_test_q_set(s, acts[a].slope);
        L = trop_net_append_layer(net, width * acts[a].k, acts[a].act, s, acts[a].k);
        for (j = 0; j < L->nout * L->nin; j++) {
            if (i % 4 == 3)
                trop_q_set_d(L->W + j, (double)(trop_rng_below(r, 2001) - 1000) / 997.0, NULL);
            else
                rand_small_q(L->W + j, r);
        }
        for (j = 0; j < L->nout; j++)
            rand_small_q(L->b + j, r);
    }
    fmpq_clear(s);
}

START_TEST(test_random)
{
    unsigned long long seed = trop_test_seed() + 3000 + (unsigned long long)_i;
    trop_rng r;
    trop_net_t net;
    trop_pqnet_t e;
    trop_trat_struct *F;
    fmpq *x;
    char what[64];
    int k, generic = 0, npts = 12;
    trop_rng_init(&r, seed);
    random_net(net, _i, &r);
    trop_pqnet_init(e, net);
    F = trop_test_trats_of(net);
    x = _fmpq_vec_init(net->input_dim);
    for (k = 0; k < npts; k++) {
        snprintf(what, sizeof what, "seed %llu, point %d", seed, k);
        rand_point(x, net->input_dim, &r, k >= npts / 2);
        check_eval(e, F, x, what);
        generic += check_piece(e, F, net, x, what);
    }
    ck_assert_msg(generic >= npts / 2, "seed %llu: only %d generic points", seed, generic);
    _fmpq_vec_clear(x, net->input_dim);
    trop_test_trats_free(F, trop_net_output_dim(net));
    trop_pqnet_clear(e);
    trop_net_clear(net);
}
END_TEST

static int is_nonlinear(const trop_layer_struct *L)
{
    return L->act == TROP_ACT_RELU || L->act == TROP_ACT_MAXOUT
           || (L->act == TROP_ACT_LEAKY && !fmpq_is_one(L->slope));
}

/* Moves the bias of one unit of nonlinear layer l so that x lies exactly
 * on its hyperplane: z_u(x) = 0 for relu and leaky units, a tie of a
 * losing row with the winner of a maxout group. */
static void put_on_hyperplane(trop_net_t net, slong l, const fmpq *x, trop_rng *r)
{
    trop_layer_struct *L = net->layers + l;
    fmpq *z = _fmpq_vec_init(L->nout);
    slong u = trop_rng_below(r, trop_layer_width(L)), best, t;
    forward(net, x, l, z);
    if (L->act != TROP_ACT_MAXOUT)
        fmpq_sub(L->b + u, L->b + u, z + u);
    else {
        for (best = t = u * L->k; t < (u + 1) * L->k; t++)
            best = fmpq_cmp(z + t, z + best) > 0 ? t : best;
        t = u * L->k + (best - u * L->k + 1) % L->k;    /* another row of the group */
        fmpq_add(L->b + t, L->b + t, z + best);
        fmpq_sub(L->b + t, L->b + t, z + t);
    }
    _fmpq_vec_clear(z, L->nout);
}

START_TEST(test_on_hyperplane)
{
    /* A point placed exactly on a unit's hyperplane (or a maxout tie) of
     * a random network is not generic: piece answers 0, while eval still
     * gives P - Q = the network. */
    unsigned long long seed = trop_test_seed() + 5000 + (unsigned long long)_i;
    trop_rng r;
    trop_net_t net;
    trop_pqnet_t e;
    slong n, m, l, i, cand[8], ncand = 0;
    fmpq *x, *P, *Q, *Pa, *Qa, *y;
    trop_rng_init(&r, seed);
    random_net(net, _i, &r);
    for (l = 0; l < net->nlayers; l++)
        if (is_nonlinear(net->layers + l))
            cand[ncand++] = l;
    n = net->input_dim;
    m = trop_net_output_dim(net);
    x = _fmpq_vec_init(n); y = _fmpq_vec_init(m);
    P = _fmpq_vec_init(m); Q = _fmpq_vec_init(m);
    Pa = _fmpq_vec_init(m * (n + 1)); Qa = _fmpq_vec_init(m * (n + 1));
    rand_point(x, n, &r, _i % 2);
    if (ncand > 0) {
        put_on_hyperplane(net, cand[trop_rng_below(&r, ncand)], x, &r);
        trop_pqnet_init(e, net);
        ck_assert(!forward(net, x, -1, NULL));
        ck_assert_msg(!trop_pqnet_piece(Pa, Qa, e, x), "seed %llu", seed);
        trop_pqnet_eval(P, Q, e, x, 0);
        trop_net_eval_q(y, net, x);
        for (i = 0; i < m; i++) {
            fmpq_sub(P + i, P + i, Q + i);
            ck_assert_msg(fmpq_equal(P + i, y + i), "seed %llu: output %ld", seed, i);
        }
        trop_pqnet_clear(e);
    }
    _fmpq_vec_clear(x, n); _fmpq_vec_clear(y, m);
    _fmpq_vec_clear(P, m); _fmpq_vec_clear(Q, m);
    _fmpq_vec_clear(Pa, m * (n + 1)); _fmpq_vec_clear(Qa, m * (n + 1));
    trop_net_clear(net);
}
END_TEST

/* ---- a real network ---- */

/* ACAS Xu 1_1 on the plane of inputs 0 and 1 (the benchmark's slice), at
 * points with 128-bit numerators and denominators: P - Q is the network,
 * and each affine piece takes the value of P (Q) at x. */
START_TEST(test_acas_slice)
{
    trop_net_t full, net;
    trop_pqnet_t e;
    fmpq *x0, *U, *x = _fmpq_vec_init(2), *y, *P, *Q, *Pa, *Qa;
    fmpq_t v;
    trop_rng r;
    slong m, i, k;
    trop_net_init(full, 1);
    trop_net_init(net, 1);
    ck_assert_int_eq(trop_net_read(full, trop_test_data("nnet/ACASXU_run2a_1_1_batch_2000.nnet"),
                                   NULL), TROP_OK);
    x0 = _fmpq_vec_init(full->input_dim);
    U = _fmpq_vec_init(full->input_dim * 2);
    fmpq_one(U + 0);                       /* U = (e_0, e_1), [5 x 2] row-major */
    fmpq_one(U + 3);
    trop_net_slice(net, full, x0, U, 2);
    trop_pqnet_init(e, net);
    m = trop_net_output_dim(net);
    y = _fmpq_vec_init(m); P = _fmpq_vec_init(m); Q = _fmpq_vec_init(m);
    Pa = _fmpq_vec_init(3 * m); Qa = _fmpq_vec_init(3 * m);
    fmpq_init(v);
    trop_rng_init(&r, trop_test_seed());
    for (k = 0; k < 6; k++) {
        rand_big_q(x + 0, &r, 2);
        rand_big_q(x + 1, &r, 2);
        trop_pqnet_eval(P, Q, e, x, 0);
        trop_net_eval_q(y, net, x);
        ck_assert_int_eq(trop_pqnet_piece(Pa, Qa, e, x), forward(net, x, -1, NULL));
        for (i = 0; i < m; i++) {
            fmpq_sub(v, P + i, Q + i);
            ck_assert_msg(fmpq_equal(v, y + i), "point %ld, output %ld", k, i);
            _trop_qvec_dot(v, Pa + 3 * i, x, 2);
            fmpq_add(v, v, Pa + 3 * i + 2);
            ck_assert(fmpq_equal(v, P + i));
            _trop_qvec_dot(v, Qa + 3 * i, x, 2);
            fmpq_add(v, v, Qa + 3 * i + 2);
            ck_assert(fmpq_equal(v, Q + i));
        }
    }
    fmpq_clear(v);
    _fmpq_vec_clear(x0, full->input_dim);
    _fmpq_vec_clear(U, full->input_dim * 2);
    _fmpq_vec_clear(x, 2); _fmpq_vec_clear(y, m);
    _fmpq_vec_clear(P, m); _fmpq_vec_clear(Q, m);
    _fmpq_vec_clear(Pa, 3 * m); _fmpq_vec_clear(Qa, 3 * m);
    trop_pqnet_clear(e);
    trop_net_clear(net);
    trop_net_clear(full);
}
END_TEST

static Suite *pqnet_suite(void)
{
    Suite *s = suite_create("pqnet");
    TCase *tc;
    tc = tcase_create("hand");
    tcase_add_loop_test(tc, test_hand, 0, (int)(sizeof hand / sizeof hand[0]));
    tcase_add_test(tc, test_hand_two_layers);
    tcase_add_test(tc, test_no_layers);
    suite_add_tcase(s, tc);
    tc = tcase_create("random");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_random, 0, trop_test_count(60));
    tcase_add_loop_test(tc, test_on_hyperplane, 0, trop_test_count(60));
    suite_add_tcase(s, tc);
    tc = tcase_create("real");
    tcase_add_test(tc, test_acas_slice);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(pqnet_suite);
}
