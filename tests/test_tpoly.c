/* test_tpoly.c: tropical polynomials, pruning and network -> tropical
 * rational function.  Expected values are worked out by hand (comments
 * show how) or by a second method: exact evaluation of the network at
 * random rational points, and the pure-LP reference pruning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "trop/trop.h"
#include "runner.h"
#include "helpers.h"

/* ---- helpers ---- */

/* Builds a tpoly from "e1,e2,..:c; ..." (one term per ';'). */
static void tp_from_str(trop_tpoly_t f, const char *spec)
{
    char buf[4096], *save1 = NULL, *term;
    fmpq *a = _fmpq_vec_init(f->nvars);
    fmpq_t c;
    fmpq_init(c);
    snprintf(buf, sizeof buf, "%s", spec);
    trop_tpoly_zero(f);
    for (term = strtok_r(buf, ";", &save1); term; term = strtok_r(NULL, ";", &save1)) {
        char *colon = strchr(term, ':'), *save2 = NULL, *tok;
        slong j = 0;
        ck_assert(colon != NULL);
        *colon = '\0';
        for (tok = strtok_r(term, ",", &save2); tok; tok = strtok_r(NULL, ",", &save2))
            trop_test_q_set(a + j++, tok);
        ck_assert_int_eq(j, f->nvars);
        trop_test_q_set(c, colon + 1);
        trop_tpoly_push_term(f, a, c);
    }
    trop_tpoly_canonicalise(f);
    _fmpq_vec_clear(a, f->nvars);
    fmpq_clear(c);
}

static void assert_tp(const trop_tpoly_t f, const char *spec)
{
    trop_tpoly_t g;
    trop_tpoly_init(g, f->nvars);
    tp_from_str(g, spec);
    ck_assert_msg(trop_tpoly_equal(f, g), "term list differs from %s (length %ld vs %ld)",
                  spec, f->length, g->length);
    trop_tpoly_clear(g);
}

static void set_row(trop_layer_struct *L, slong i, const char *w, const char *b)
{
    char buf[1024], *save = NULL, *tok;
    slong j = 0;
    snprintf(buf, sizeof buf, "%s", w);
    for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        trop_test_q_set(L->W + i * L->nin + j++, tok);
    ck_assert_int_eq(j, L->nin);
    trop_test_q_set(L->b + i, b);
}

/* The one-input network of Serra, Tjandraatmadja and Ramalingam 2018,
 * Fig. 2: h_a = max(0, x), h_b = max(0, 1 - x), y = max(0, 4h_a + 2h_b - 3). */
static void serra_net(trop_net_t net)
{
    trop_layer_struct *L;
    trop_net_init(net, 1);
    L = trop_net_append_layer(net, 2, TROP_ACT_RELU, NULL, 1);
    set_row(L, 0, "1", "0");
    set_row(L, 1, "-1", "1");
    L = trop_net_append_layer(net, 1, TROP_ACT_RELU, NULL, 1);
    set_row(L, 0, "4 2", "-3");
}

/* Checks P - Q == net at npts random rational points; returns mismatches. */
static int check_against_net(const trop_trat_struct *F, const trop_net_t net, int npts,
                             trop_rng *r)
{
    slong n = net->input_dim, m = trop_net_output_dim(net), i, k;
    fmpq *x = _fmpq_vec_init(n), *y = _fmpq_vec_init(m);
    fmpq_t v;
    int bad = 0;
    fmpq_init(v);
    for (k = 0; k < npts; k++) {
        for (i = 0; i < n; i++)
            trop_test_rand_q(x + i, r);
        trop_net_eval_q(y, net, x);
        for (i = 0; i < m; i++) {
            trop_trat_eval_q(v, F + i, x);
            bad += !fmpq_equal(v, y + i);
        }
    }
    fmpq_clear(v);
    _fmpq_vec_clear(x, n);
    _fmpq_vec_clear(y, m);
    return bad;
}

/* ---- arithmetic ---- */

START_TEST(test_arith_hand)
{
    trop_tpoly_t f, g, h;
    fmpq_t s;
    trop_tpoly_init(f, 1);
    trop_tpoly_init(g, 1);
    trop_tpoly_init(h, 1);
    fmpq_init(s);
    tp_from_str(f, "0:1;1:0");            /* max(1, x) */
    tp_from_str(g, "0:0;2:-1;0:-5");      /* max(0, 2x - 1); duplicate exponent 0 */
    assert_tp(g, "0:0;2:-1");
    trop_tpoly_add(h, f, g);              /* max(1, x, 2x - 1) */
    assert_tp(h, "0:1;1:0;2:-1");
    trop_tpoly_mul(h, f, g);              /* (1 + 0, 1 + 2x - 1, x + 0, 3x - 1) */
    assert_tp(h, "0:1;1:0;2:0;3:-1");
    trop_tpoly_mul(f, f, f);              /* aliasing: max(1, x)^2 = max(2, x+1, 2x) */
    assert_tp(f, "0:2;1:1;2:0");
    trop_test_q_set(s, "3/2");
    trop_tpoly_pow(f, g, s);              /* 3/2 * max(0, 2x-1) = max(0, 3x - 3/2) */
    assert_tp(f, "0:0;3:-3/2");
    trop_test_q_set(s, "-7");
    trop_tpoly_add_const(f, f, s);
    assert_tp(f, "0:-7;3:-17/2");
    trop_tpoly_clear(f);
    trop_tpoly_clear(g);
    trop_tpoly_clear(h);
    fmpq_clear(s);
}
END_TEST

START_TEST(test_eval_hand)
{
    trop_tpoly_t f;
    fmpq *x = _fmpq_vec_init(2);
    fmpq_t v, w;
    slong am;
    trop_tpoly_init(f, 2);
    fmpq_init(v);
    fmpq_init(w);
    tp_from_str(f, "2,0:1;0,3:0");        /* max(2x0 + 1, 3x1) */
    trop_test_q_set(x + 0, "1/2");
    trop_test_q_set(x + 1, "1/3");                  /* max(2, 1) = 2 */
    ck_assert(trop_tpoly_eval_q(v, f, x, &am));
    trop_test_q_set(w, "2");
    ck_assert(fmpq_equal(v, w));
    ck_assert_int_eq(am, 1);              /* canonical order: (0,3) < (2,0) */
    trop_tpoly_zero(f);
    ck_assert(!trop_tpoly_eval_q(v, f, x, NULL));
    trop_tpoly_clear(f);
    fmpq_clear(v);
    fmpq_clear(w);
    _fmpq_vec_clear(x, 2);
}
END_TEST

/* ---- pruning ---- */

/* Reads a case-22 file: lines "e1 .. ed c" after a '#' comment. */
static void tp_from_file(trop_tpoly_t f, const char *name)
{
    FILE *fp = fopen(trop_test_data(name), "r");
    char line[1024];
    fmpq *a;
    fmpq_t c;
    ck_assert_msg(fp != NULL, "missing %s", name);
    a = _fmpq_vec_init(f->nvars);
    fmpq_init(c);
    trop_tpoly_zero(f);
    while (fgets(line, sizeof line, fp)) {
        char *save = NULL, *tok;
        slong j = 0;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
            if (j < f->nvars)
                trop_test_q_set(a + j, tok);
            else
                trop_test_q_set(c, tok);
            j++;
        }
        ck_assert_int_eq(j, f->nvars + 1);
        trop_tpoly_push_term(f, a, c);
    }
    fclose(fp);
    _fmpq_vec_clear(a, f->nvars);
    fmpq_clear(c);
}

/* Case 22 of shared/cases: expected kept terms from its README. */
static const struct { const char *file; slong nvars; const char *kept; } case22[] = {
    {"22-upper-hull/01_collinear_1d.txt", 1, "0:0;3:0"},
    {"22-upper-hull/02_lifted_collinear_2d.txt", 2, "0,0:0;2,2:0"},
    {"22-upper-hull/03_flat_square_with_interior_point.txt", 2, "0,0:0;1,0:0;0,1:0;1,1:0"},
    {"22-upper-hull/04_duplicate_exponents.txt", 2, "0,0:0;0,1:0;1,0:2"},
    {"22-upper-hull/05_interior_point_above_by_1e-13.txt", 2, NULL},
    {"22-upper-hull/06_interior_point_below_by_1e-13.txt", 2, "0,0:0;2,0:0;0,2:0;2,2:0"},
    {"22-upper-hull/07_interior_point_above_by_1e-17.txt", 2, NULL},
    {"22-upper-hull/08_interior_point_on_face.txt", 2, NULL},
};
static const slong case22_count[] = {2, 2, 4, 3, 5, 4, 5, 4};

START_TEST(test_prune_case22)
{
    trop_tpoly_t f, g;
    trop_tpoly_init(f, case22[_i].nvars);
    trop_tpoly_init(g, case22[_i].nvars);
    tp_from_file(f, case22[_i].file);
    trop_tpoly_set(g, f);
    ck_assert_int_eq(trop_tpoly_prune(f, NULL, NULL), TROP_OK);
    ck_assert_int_eq(trop_tpoly_prune_lp(g, NULL, NULL), TROP_OK);
    ck_assert_msg(f->length == case22_count[_i], "%s: %ld terms, expected %ld",
                  case22[_i].file, f->length, case22_count[_i]);
    ck_assert(trop_tpoly_equal(f, g));
    if (case22[_i].kept)
        assert_tp(f, case22[_i].kept);
    trop_tpoly_clear(f);
    trop_tpoly_clear(g);
}
END_TEST

START_TEST(test_prune_extremes)
{
    /* huge and tiny coefficients: max(1e300 x, 1e-300 + x/2, 0) on 1 var
     * keeps all three (the middle one wins near x = 0+... no: check by
     * hand: at x = 1e-301, 1e300 x = 0.1 > others, so consider the lifted
     * points (0,0), (1/2,1e-300), (1e300,0): (1/2, 1e-300) lies strictly
     * above the segment from (0,0) to (1e300,0), so all three are kept. */
    trop_tpoly_t f;
    trop_tpoly_init(f, 2);
    tp_from_str(f, "0,0:0;1/2,0:1e-300;1e300,0:0;0,1e-300:0;1/4,0:1e-301");
    /* in the plane e2 = 0 the points (0,0),(1/4,1e-301),(1/2,1e-300),(1e300,0)
     * and (0,1e-300) off it: the 2-D upper hull keeps (0,0) and
     * (1/4,1e-301)? (1/4,1e-301) vs the segment (0,0)-(1/2,1e-300): at 1/4
     * the segment is 5e-301 > 1e-301, so it is dropped. */
    ck_assert_int_eq(trop_tpoly_prune(f, NULL, NULL), TROP_OK);
    assert_tp(f, "0,0:0;1/2,0:1e-300;1e300,0:0;0,1e-300:0");
    trop_tpoly_clear(f);
}
END_TEST

/* Random term sets: qhull+certificates == pure LP; invariant under
 * duplication and reordering; the function is unchanged. */
START_TEST(test_prune_random)
{
    trop_rng r;
    slong n = 2 + _i % 3, T = 4 + (slong)(_i * 7) % 40, i, j, k;
    trop_tpoly_t f, g, h;
    fmpq *a = _fmpq_vec_init(n), *x = _fmpq_vec_init(n);
    fmpq_t c, v1, v2;
    trop_rng_init(&r, trop_test_seed() + (unsigned long long)_i);
    trop_tpoly_init(f, n);
    trop_tpoly_init(g, n);
    trop_tpoly_init(h, n);
    fmpq_init(c); fmpq_init(v1); fmpq_init(v2);
    for (i = 0; i < T; i++) {
        /* small integer exponents (many coincidences and coplanarities) on
         * even loops, rationals on odd ones; a low-dimensional family every
         * third loop */
        for (j = 0; j < n; j++) {
            if (_i % 2 == 0)
                fmpq_set_si(a + j, trop_rng_below(&r, 4), 1);
            else
                trop_test_rand_q(a + j, &r);
        }
        if (_i % 3 == 0)
            fmpq_set(a + n - 1, a + 0);
        fmpq_set_si(c, trop_rng_below(&r, 5) - 2, 1 + (_i % 2) * trop_rng_below(&r, 3));
        trop_tpoly_push_term(f, a, c);
    }
    trop_tpoly_canonicalise(f);
    trop_tpoly_set(g, f);
    /* h: reversed with duplicates (lower coefficients) */
    for (i = f->length - 1; i >= 0; i--) {
        fmpq_sub_si(c, f->coefs + i, 1);
        trop_tpoly_push_term(h, f->exps + i * n, c);
        trop_tpoly_push_term(h, f->exps + i * n, f->coefs + i);
    }
    ck_assert_int_eq(trop_tpoly_prune(f, NULL, NULL), TROP_OK);
    ck_assert_int_eq(trop_tpoly_prune(h, NULL, NULL), TROP_OK);
    trop_tpoly_prune_lp(g, NULL, NULL);
    ck_assert_msg(trop_tpoly_equal(f, g), "seed %llu: qhull %ld terms, LP %ld",
                  trop_test_seed() + (unsigned long long)_i, f->length, g->length);
    ck_assert(trop_tpoly_equal(f, h));
    /* every kept term is a vertex with a certificate point */
    for (i = 0; i < f->length; i++)
        ck_assert(trop_tpoly_term_is_vertex(f, i, x, NULL));
    for (k = 0; k < 20; k++) {
        for (j = 0; j < n; j++)
            trop_test_rand_q(x + j, &r);
        trop_tpoly_eval_q(v1, f, x, NULL);
        trop_tpoly_eval_q(v2, h, x, NULL);
        ck_assert(fmpq_equal(v1, v2));
    }
    trop_tpoly_clear(f); trop_tpoly_clear(g); trop_tpoly_clear(h);
    fmpq_clear(c); fmpq_clear(v1); fmpq_clear(v2);
    _fmpq_vec_clear(a, n);
    _fmpq_vec_clear(x, n);
}
END_TEST

/* ---- networks ---- */

START_TEST(test_net_serra)
{
    /* Serra, Tjandraatmadja and Ramalingam 2018, Fig. 2: h_a = max(0, x),
     * h_b = max(0, 1 - x), y = max(0, 4 h_a + 2 h_b - 3).  By hand (see
     * docs/tpoly.md): P = max(-1, 2x, 4x - 1, 6x - 3), Q = 2x. */
    trop_net_t net;
    trop_trat_struct *F;
    trop_rng r;
    serra_net(net);
    F = trop_test_trats_of(net);
    assert_tp(F[0].num, "0:-1;2:0;4:-1;6:-3");
    assert_tp(F[0].den, "2:0");
    trop_rng_init(&r, trop_test_seed());
    ck_assert_int_eq(check_against_net(F, net, 50, &r), 0);
    trop_test_trats_free(F, 1);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_net_single_unit)
{
    /* max(0, 2x0 - 3x1 + 1) = max(2x0 + 1, 3x1) - 3x1 */
    trop_net_t net;
    trop_layer_struct *L;
    trop_trat_struct *F;
    trop_net_init(net, 2);
    L = trop_net_append_layer(net, 1, TROP_ACT_RELU, NULL, 1);
    set_row(L, 0, "2 -3", "1");
    F = trop_test_trats_of(net);
    assert_tp(F[0].num, "2,0:1;0,3:0");
    assert_tp(F[0].den, "0,3:0");
    trop_test_trats_free(F, 1);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_net_maxout_rank_k)
{
    /* One rank-k maxout unit in one input, pieces z_r = r x - r^2/2
     * (tangents of x^2/2 at x = r, so piece r wins near x = r): P has exactly
     * k terms, the pieces themselves, and Q = 0. */
    slong k = 2 + _i, r;
    trop_net_t net;
    trop_layer_struct *L;
    trop_trat_struct *F;
    trop_rng rng;
    trop_net_init(net, 1);
    L = trop_net_append_layer(net, k, TROP_ACT_MAXOUT, NULL, k);
    for (r = 0; r < k; r++) {
        fmpq_set_si(L->W + r, r, 1);
        fmpq_set_si(L->b + r, -r * r, 2);
    }
    F = trop_test_trats_of(net);
    ck_assert_int_eq(F[0].num->length, k);
    assert_tp(F[0].den, "0:0");
    trop_rng_init(&rng, trop_test_seed());
    ck_assert_int_eq(check_against_net(F, net, 30, &rng), 0);
    trop_test_trats_free(F, 1);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_net_relu_layer_2d)
{
    /* y = sum_i v_i relu(w_i.x + b_i), v_i > 0, m lines in general position
     * (slopes i and distinct intercepts so no three meet: checked below by
     * the count).  y is convex; Q is one monomial and P has one term per
     * region of the arrangement: 1 + m + C(m,2) (Zaslavsky). */
    slong m = 2 + _i, i;
    trop_net_t net;
    trop_layer_struct *L;
    trop_trat_struct *F;
    trop_rng r;
    trop_net_init(net, 2);
    L = trop_net_append_layer(net, m, TROP_ACT_RELU, NULL, 1);
    for (i = 0; i < m; i++) {
        /* line x1 = i x0 + i^3 / 7 (pairwise non-parallel; intercepts
         * generic enough: no three concurrent) */
        fmpq_set_si(L->W + 2 * i, i, 1);
        fmpq_set_si(L->W + 2 * i + 1, -1, 1);
        fmpq_set_si(L->b + i, i * i * i + 1, 7);
    }
    L = trop_net_append_layer(net, 1, TROP_ACT_LINEAR, NULL, 1);
    for (i = 0; i < m; i++)
        fmpq_set_si(L->W + i, i + 1, 1);
    F = trop_test_trats_of(net);
    ck_assert_int_eq(F[0].num->length, 1 + m + m * (m - 1) / 2);
    ck_assert_int_eq(F[0].den->length, 1);
    trop_rng_init(&r, trop_test_seed());
    ck_assert_int_eq(check_against_net(F, net, 30, &r), 0);
    trop_test_trats_free(F, 1);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_net_leaky_slopes)
{
    /* f = leaky_s(2x - 1) (shared/cases/15): f(-1), f(0), f(1) by hand. */
    static const char *slopes[] = {"1", "0", "-1", "1/10", "2"};
    static const char *fm1[] = {"-3", "0", "3", "-3/10", "-6"};
    static const char *f0[] = {"-1", "0", "1", "-1/10", "-2"};
    trop_net_t net;
    trop_layer_struct *L;
    trop_trat_struct *F;
    fmpq_t s, x, v, w;
    fmpq_init(s); fmpq_init(x); fmpq_init(v); fmpq_init(w);
    trop_test_q_set(s, slopes[_i]);
    trop_net_init(net, 1);
    L = trop_net_append_layer(net, 1, TROP_ACT_LEAKY, s, 1);
    set_row(L, 0, "2", "-1");
    F = trop_test_trats_of(net);
    trop_test_q_set(x, "-1");
    trop_trat_eval_q(v, F + 0, x);
    trop_test_q_set(w, fm1[_i]);
    ck_assert_msg(fmpq_equal(v, w), "slope %s: f(-1) wrong", slopes[_i]);
    trop_test_q_set(x, "0");
    trop_trat_eval_q(v, F + 0, x);
    trop_test_q_set(w, f0[_i]);
    ck_assert(fmpq_equal(v, w));
    trop_test_q_set(x, "1");
    trop_trat_eval_q(v, F + 0, x);
    ck_assert(fmpq_is_one(v));
    if (_i == 0)                       /* slope 1: one monomial (-1) (.) x^2 */
        ck_assert_int_eq(F[0].num->length, 1);
    trop_test_trats_free(F, 1);
    trop_net_clear(net);
    fmpq_clear(s); fmpq_clear(x); fmpq_clear(v); fmpq_clear(w);
}
END_TEST

/* Random small networks of every activation: P - Q == net exactly. */
START_TEST(test_net_random)
{
    trop_rng r;
    slong n = 1 + _i % 3, depth = 1 + _i % 3;
    trop_net_t net;
    trop_trat_struct *F;
    trop_rng_init(&r, trop_test_seed() + 1000 + (unsigned long long)_i);
    trop_net_init(net, n);
    trop_test_rand_net(net, n, depth, _i, &r);
    F = trop_test_trats_of(net);
    ck_assert_msg(check_against_net(F, net, 25, &r) == 0, "seed %llu",
                  trop_test_seed() + 1000 + (unsigned long long)_i);
    trop_test_trats_free(F, trop_net_output_dim(net));
    trop_net_clear(net);
}
END_TEST

START_TEST(test_feval_random)
{
    /* The filtered evaluation equals the plain exact one, on random terms at
     * random points and at points where two terms tie exactly (the filter
     * must keep both), with coefficients spread over many magnitudes. */
    trop_rng r;
    trop_tpoly_t f;
    trop_tpoly_feval_t e;
    fmpq a[2], x[2];
    fmpq_t c, u, v, s;
    slong i, k, n = 2 + _i * 7;
    trop_rng_init(&r, trop_test_seed() + 6000 + (unsigned long long)_i);
    trop_tpoly_init(f, 2);
    fmpq_init(a + 0); fmpq_init(a + 1); fmpq_init(x + 0); fmpq_init(x + 1);
    fmpq_init(c); fmpq_init(u); fmpq_init(v); fmpq_init(s);
    for (i = 0; i < n; i++) {
        trop_test_rand_q(a + 0, &r);
        trop_test_rand_q(a + 1, &r);
        trop_test_rand_q(c, &r);
        fmpq_mul_2exp(c, c, (ulong)trop_rng_below(&r, 80));
        trop_tpoly_push_term(f, a, c);
    }
    /* a term that beats the maximal term at x* = (1/3, -2/7) by only 2^-90
     * (relative to coefficients up to 2^80): equal in double */
    trop_tpoly_canonicalise(f);
    fmpq_set_si(x + 0, 1, 3);
    fmpq_set_si(x + 1, -2, 7);
    trop_tpoly_eval_q(u, f, x, &k);
    trop_test_rand_q(a + 0, &r);
    trop_test_rand_q(a + 1, &r);
    _trop_qvec_dot(v, a, x, 2);
    fmpq_sub(c, u, v);                       /* the new term equals f at x* ... */
    fmpq_one(s);
    fmpq_div_2exp(s, s, 90);
    fmpq_add(c, c, s);                       /* ... plus 2^-90 */
    trop_tpoly_push_term(f, a, c);
    trop_tpoly_canonicalise(f);
    trop_tpoly_feval_init(e, f);
    fmpq_add(u, u, s);
    ck_assert_int_eq(trop_tpoly_feval_q(v, e, x), 1);
    ck_assert_msg(fmpq_equal(u, v), "near tie missed, seed %llu",
                  trop_test_seed() + 6000 + (unsigned long long)_i);
    for (k = 0; k < 50; k++) {
        trop_test_rand_q(x + 0, &r);
        trop_test_rand_q(x + 1, &r);
        if (k % 2 == 1 && f->length >= 2) {
            /* move x1 so that terms 0 and 1 tie: <a0 - a1, x> = c1 - c0 */
            fmpq_sub(u, f->exps + 0, f->exps + 2);
            fmpq_sub(v, f->exps + 1, f->exps + 3);
            if (!fmpq_is_zero(v)) {
                fmpq_sub(s, f->coefs + 1, f->coefs + 0);
                fmpq_submul(s, u, x + 0);
                fmpq_div(x + 1, s, v);
            }
        }
        trop_tpoly_eval_q(u, f, x, NULL);
        ck_assert_int_eq(trop_tpoly_feval_q(v, e, x), 1);
        ck_assert_msg(fmpq_equal(u, v), "seed %llu, point %ld",
                      trop_test_seed() + 6000 + (unsigned long long)_i, k);
    }
    trop_tpoly_feval_clear(e);
    trop_tpoly_clear(f);
    fmpq_clear(a + 0); fmpq_clear(a + 1); fmpq_clear(x + 0); fmpq_clear(x + 1);
    fmpq_clear(c); fmpq_clear(u); fmpq_clear(v); fmpq_clear(s);
}
END_TEST

START_TEST(test_net_real_twin_ladder)
{
    /* A real verification benchmark (5 inputs, 10 ReLUs): tropicalized over
     * all of R^5 and checked by exact evaluation of the network at random
     * rational points (the second method). */
    trop_net_t net;
    trop_trat_struct *F;
    trop_rng r;
    trop_net_init(net, 1);
    ck_assert_int_eq(trop_net_read(net, trop_test_data("nnet/twin_ladder-5_inp-2_layers-5_width-1_margin.nnet"),
                                   NULL), TROP_OK);
    F = trop_test_trats_of(net);
    trop_rng_init(&r, trop_test_seed());
    ck_assert_int_eq(check_against_net(F, net, 40, &r), 0);
    trop_test_trats_free(F, trop_net_output_dim(net));
    trop_net_clear(net);
}
END_TEST

static int stop_after(slong layer, slong nlayers, slong unit, slong width, slong terms,
                      void *arg)
{
    slong *calls = arg;
    (void)layer; (void)nlayers; (void)unit; (void)width; (void)terms;
    return ++*calls > 3;
}

START_TEST(test_conversion_stops)
{
    /* a progress callback that asks to stop is obeyed within a few calls,
     * also inside one long pruning (it is asked every 16 terms there): the
     * conversion returns TROP_ERR_INTERRUPTED and leaves zeros */
    trop_rng r;
    trop_net_t net;
    trop_trat_struct *F;
    trop_tconv_opts o;
    trop_error e;
    slong calls = 0, i, m;
    trop_rng_init(&r, trop_test_seed() + 11000);
    trop_net_init(net, 3);
    trop_test_rand_net(net, 3, 2, 0, &r);
    m = trop_net_output_dim(net);
    F = flint_malloc((size_t)m * sizeof(trop_trat_struct));
    for (i = 0; i < m; i++)
        trop_trat_init(F + i, 3);
    memset(&o, 0, sizeof o);
    o.prune = 1;
    o.progress = stop_after;
    o.progress_arg = &calls;
    ck_assert_int_eq(trop_trat_vec_set_net(F, net, &o, NULL, &e), TROP_ERR_INTERRUPTED);
    ck_assert_int_le(calls, 5);
    for (i = 0; i < m; i++) {
        ck_assert_int_eq(F[i].num->length, 0);
        trop_trat_clear(F + i);
    }
    flint_free(F);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_verify_detects_errors)
{
    /* The check used everywhere above must be able to fail: a P - Q that is
     * off by 1/1000 on part of the line, or everywhere, is caught. */
    trop_net_t net;
    trop_trat_struct *F;
    trop_rng r;
    fmpq_t c;
    serra_net(net);
    F = trop_test_trats_of(net);
    fmpq_init(c);
    trop_test_q_set(c, "1/1000");
    fmpq_add(F[0].num->coefs + 3, F[0].num->coefs + 3, c);   /* the 6x - 3 piece only */
    trop_rng_init(&r, trop_test_seed());
    ck_assert_int_gt(check_against_net(F, net, 50, &r), 0);
    fmpq_sub(F[0].num->coefs + 3, F[0].num->coefs + 3, c);   /* undo, then shift Q: */
    trop_tpoly_add_const(F[0].den, F[0].den, c);              /* wrong everywhere */
    ck_assert_int_eq(check_against_net(F, net, 10, &r), 10);
    fmpq_clear(c);
    trop_test_trats_free(F, 1);
    trop_net_clear(net);
}
END_TEST

static Suite *tpoly_suite(void)
{
    Suite *s = suite_create("tpoly");
    TCase *tc;
    tc = tcase_create("arith");
    tcase_add_test(tc, test_arith_hand);
    tcase_add_test(tc, test_eval_hand);
    tcase_add_loop_test(tc, test_feval_random, 0, trop_test_count(20));
    suite_add_tcase(s, tc);
    tc = tcase_create("prune");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_prune_case22, 0, 8);
    tcase_add_test(tc, test_prune_extremes);
    tcase_add_loop_test(tc, test_prune_random, 0, trop_test_count(60));
    suite_add_tcase(s, tc);
    tc = tcase_create("net");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_net_serra);
    tcase_add_test(tc, test_net_single_unit);
    tcase_add_loop_test(tc, test_net_maxout_rank_k, 0, 6);
    tcase_add_loop_test(tc, test_net_relu_layer_2d, 0, 7);
    tcase_add_loop_test(tc, test_net_leaky_slopes, 0, 5);
    tcase_add_loop_test(tc, test_net_random, 0, trop_test_count(40));
    tcase_add_test(tc, test_net_real_twin_ladder);
    tcase_add_test(tc, test_verify_detects_errors);
    tcase_add_test(tc, test_conversion_stops);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(tpoly_suite);
}
