/* test_region.c: activation regions of two-input networks and the tropical
 * rational functions read off them.  Expected values come from hand counts
 * of line arrangements (comments show them) and from a second method: the
 * algebraic conversion trop_trat_vec_set_net, pruned, must give exactly the
 * same terms. */
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

/* A 2-input net with one ReLU layer whose rows are "w0 w1 b" lines
 * separated by ';', then one linear output summing the units. */
static void lines_net(trop_net_t net, const char *rows)
{
    char buf[1024], *save = NULL, *row;
    slong m = 1, i;
    trop_layer_struct *L;
    const char *p;
    for (p = rows; *p; p++)
        m += *p == ';';
    trop_net_init(net, 2);
    L = trop_net_append_layer(net, m, TROP_ACT_RELU, NULL, 1);
    snprintf(buf, sizeof buf, "%s", rows);
    for (i = 0, row = strtok_r(buf, ";", &save); row; row = strtok_r(NULL, ";", &save), i++) {
        char w0[64], w1[64], b[64];
        ck_assert_int_eq(sscanf(row, "%63s %63s %63s", w0, w1, b), 3);
        trop_test_q_set(L->W + 2 * i, w0);
        trop_test_q_set(L->W + 2 * i + 1, w1);
        trop_test_q_set(L->b + i, b);
    }
    L = trop_net_append_layer(net, 1, TROP_ACT_LINEAR, NULL, 1);
    for (i = 0; i < m; i++)
        fmpq_one(L->W + i);
}

static void count_regions(const trop_net_t net, slong want, slong want_bounded)
{
    trop_region2_set_t s;
    slong i, nb = 0;
    trop_region2_set_init(s);
    ck_assert_int_eq(trop_region2_set_enum(s, net, NULL, NULL), TROP_OK);
    for (i = 0; i < s->nregions; i++)
        nb += s->bounded[i];
    ck_assert_int_eq(s->nregions, want);
    ck_assert_int_eq(s->per_layer[0], want);
    ck_assert_int_eq(nb, want_bounded);
    trop_region2_set_clear(s);
}

static trop_trat_struct *trats_new(slong m)
{
    trop_trat_struct *F = flint_malloc((size_t)m * sizeof(trop_trat_struct));
    slong i;
    for (i = 0; i < m; i++)
        trop_trat_init(F + i, 2);
    return F;
}

static void trats_free(trop_trat_struct *F, slong m)
{
    slong i;
    for (i = 0; i < m; i++)
        trop_trat_clear(F + i);
    flint_free(F);
}

/* The regions method equals the algebraic method (pruned) term by term,
 * and its completeness proof succeeds. */
static void same_as_algebra(const trop_net_t net, const char *what)
{
    slong m = trop_net_output_dim(net), o;
    trop_trat_struct *A = trats_new(m), *R = trats_new(m);
    trop_rconv_info info;
    trop_rconv_opts opts = {1, 0, NULL, NULL, 0, 0};
    trop_error e;
    ck_assert_int_eq(trop_trat_vec_set_net(A, net, NULL, NULL, NULL), TROP_OK);
    ck_assert_msg(trop_trat_vec_set_net_regions(R, net, &opts, &info, &e) == TROP_OK, "%s: %s",
                  what, e.msg);
    /* the independent proof passed on every P and Q */
    ck_assert_msg(info.proven == 2 * m && info.unproven == 0, "%s: proven %ld of %ld", what,
                  info.proven, 2 * m);
    ck_assert_int_eq(info.per_layer[net->nlayers - 1], info.regions);
    trop_free(info.per_layer);
    for (o = 0; o < m; o++) {
        ck_assert_msg(trop_tpoly_equal(A[o].num, R[o].num), "%s: output %ld: P has %ld terms "
                      "by regions, %ld by algebra", what, o, R[o].num->length, A[o].num->length);
        ck_assert_msg(trop_tpoly_equal(A[o].den, R[o].den), "%s: output %ld: Q has %ld terms "
                      "by regions, %ld by algebra", what, o, R[o].den->length, A[o].den->length);
    }
    trats_free(A, m);
    trats_free(R, m);
}

/* ---- line arrangements, counted by hand ---- */

START_TEST(test_lines_general)
{
    trop_net_t net;
    /* x = 0, y = 0, x + y = 1, x - y = 2: no two parallel, the six
     * crossings (0,0), (0,1), (0,-2), (1,0), (2,0), (3/2,-1/2) distinct, so
     * 1 + 4 + C(4,2) = 11 regions, of which C(4-1, 2) = 3 bounded */
    lines_net(net, "1 0 0; 0 1 0; 1 1 -1; 1 -1 -2");
    count_regions(net, 11, 3);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_lines_special)
{
    trop_net_t net;
    /* three parallel lines x = 0, 1, 2: four strips, none bounded */
    lines_net(net, "1 0 0; 1 0 -1; 1 0 -2");
    count_regions(net, 4, 0);
    trop_net_clear(net);
    /* and y = 0 across them: eight unbounded pieces */
    lines_net(net, "1 0 0; 1 0 -1; 1 0 -2; 0 1 0");
    count_regions(net, 8, 0);
    trop_net_clear(net);
    /* three lines through one point (x = 0, y = 0, x = y): six wedges */
    lines_net(net, "1 0 0; 0 1 0; 1 -1 0");
    count_regions(net, 6, 0);
    trop_net_clear(net);
    /* a triangle x >= 0, y >= 0, x + y <= 1: 7 regions, 1 bounded */
    lines_net(net, "1 0 0; 0 1 0; -1 -1 1");
    count_regions(net, 7, 1);
    trop_net_clear(net);
    /* one line given twice (2x - 2 = 2(x - 1)), and a constant unit: two
     * half-planes */
    lines_net(net, "1 0 -1; 2 0 -2; 0 0 5");
    count_regions(net, 2, 0);
    trop_net_clear(net);
}
END_TEST

/* ---- tropical rational functions ---- */

START_TEST(test_single_unit)
{
    /* max(0, 2x0 - 3x1 + 1) = max(2x0 + 1, 3x1) - 3x1: H = 2x0 + 1 and
     * G = 3x1 (the negative weight moves to G), P = max(H, G), Q = G */
    trop_net_t net;
    trop_trat_struct *R = trats_new(1);
    trop_tpoly_t want;
    fmpq a[2];
    fmpq_t c;
    lines_net(net, "2 -3 1");
    ck_assert_int_eq(trop_trat_vec_set_net_regions(R, net, NULL, NULL, NULL), TROP_OK);
    trop_tpoly_init(want, 2);
    fmpq_init(a + 0); fmpq_init(a + 1); fmpq_init(c);
    fmpq_set_si(a + 0, 2, 1); fmpq_set_si(c, 1, 1);
    trop_tpoly_push_term(want, a, c);
    fmpq_zero(a + 0); fmpq_set_si(a + 1, 3, 1); fmpq_zero(c);
    trop_tpoly_push_term(want, a, c);
    trop_tpoly_canonicalise(want);
    ck_assert(trop_tpoly_equal(R[0].num, want));
    trop_tpoly_set_term(want, a, c);
    ck_assert(trop_tpoly_equal(R[0].den, want));
    fmpq_clear(a + 0); fmpq_clear(a + 1); fmpq_clear(c);
    trop_tpoly_clear(want);
    trats_free(R, 1);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_random_vs_algebra)
{
    trop_rng r;
    trop_net_t net;
    char what[64];
    trop_rng_init(&r, trop_test_seed() + 3000 + (unsigned long long)_i);
    snprintf(what, sizeof what, "seed %llu", trop_test_seed() + 3000 + (unsigned long long)_i);
    trop_net_init(net, 2);
    trop_test_rand_net(net, 2, 1 + _i % 2, _i, &r);
    same_as_algebra(net, what);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_real_twin_ladder_plane)
{
    /* A real verification benchmark (5 inputs, 10 ReLUs) on the plane of
     * its first two inputs, the others at 1/2 */
    trop_net_t net, sl;
    fmpq *x0, *U;
    slong i;
    trop_net_init(net, 1);
    trop_net_init(sl, 1);
    ck_assert_int_eq(trop_net_read(net, trop_test_data("nnet/twin_ladder-5_inp-2_layers-5_width-1_margin.nnet"),
                                   NULL), TROP_OK);
    x0 = _fmpq_vec_init(5);
    U = _fmpq_vec_init(10);
    for (i = 2; i < 5; i++)
        fmpq_set_si(x0 + i, 1, 2);
    fmpq_one(U + 0);      /* U = [e0 e1]: row i is (U[i][0], U[i][1]) */
    fmpq_one(U + 3);
    trop_net_slice(sl, net, x0, U, 2);
    same_as_algebra(sl, "twin_ladder plane");
    _fmpq_vec_clear(x0, 5);
    _fmpq_vec_clear(U, 10);
    trop_net_clear(sl);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_real_acas_plane)
{
    /* ACAS Xu 1_1 (5 inputs, 6 x 50 ReLUs, 5 outputs) on the plane of its
     * first two normalised inputs, the others at 0.  The exact enumeration
     * and the double search (a second method) must agree on the region
     * counts, layer by layer; P - Q must equal the network exactly at random
     * rational points, near and far. */
    trop_net_t net, sl;
    trop_region2_set_t ds;
    trop_rconv_info info;
    trop_trat_struct *R;
    trop_tpoly_feval_t fp, fq;
    trop_rng r;
    fmpq *x0, *U, t[2], y[5];
    fmpq_t v, w;
    slong i, k, o;
    trop_net_init(net, 1);
    trop_net_init(sl, 1);
    ck_assert_int_eq(trop_net_read(net, trop_test_data("nnet/ACASXU_run2a_1_1_batch_2000.nnet"),
                                   NULL), TROP_OK);
    x0 = _fmpq_vec_init(5);
    U = _fmpq_vec_init(10);
    fmpq_one(U + 0);
    fmpq_one(U + 3);
    trop_net_slice(sl, net, x0, U, 2);
    R = trats_new(5);
    ck_assert_int_eq(trop_trat_vec_set_net_regions(R, sl, NULL, &info, NULL), TROP_OK);
    trop_region2_set_init(ds);
    ck_assert_int_eq(trop_region2_set_enum(ds, sl, NULL, NULL), TROP_OK);
    ck_assert_int_eq(info.regions, ds->nregions);
    for (i = 0; i < sl->nlayers; i++)
        ck_assert_int_eq(info.per_layer[i], ds->per_layer[i]);
    ck_assert_int_eq(info.regions, 105509);
    trop_region2_set_clear(ds);
    trop_free(info.per_layer);
    trop_rng_init(&r, trop_test_seed() + 5000);
    fmpq_init(t + 0); fmpq_init(t + 1); fmpq_init(v); fmpq_init(w);
    for (o = 0; o < 5; o++)
        fmpq_init(y + o);
    for (k = 0; k < trop_test_count(40); k++) {
        trop_test_rand_q(t + 0, &r);
        trop_test_rand_q(t + 1, &r);
        if (k % 4 == 3) {             /* far out: the unbounded regions */
            fmpq_mul_2exp(t + 0, t + 0, 20);
            fmpq_mul_2exp(t + 1, t + 1, 20);
        }
        trop_net_eval_q(y, sl, t);
        for (o = 0; o < 5; o++) {
            trop_tpoly_feval_init(fp, R[o].num);
            trop_tpoly_feval_init(fq, R[o].den);
            trop_tpoly_feval_q(v, fp, t);
            trop_tpoly_feval_q(w, fq, t);
            fmpq_sub(v, v, w);
            ck_assert_msg(fmpq_equal(v, y + o), "output %ld differs at point %ld", o, k);
            trop_tpoly_feval_clear(fp);
            trop_tpoly_feval_clear(fq);
        }
    }
    fmpq_clear(t + 0); fmpq_clear(t + 1); fmpq_clear(v); fmpq_clear(w);
    for (o = 0; o < 5; o++)
        fmpq_clear(y + o);
    trats_free(R, 5);
    _fmpq_vec_clear(x0, 5);
    _fmpq_vec_clear(U, 10);
    trop_net_clear(sl);
    trop_net_clear(net);
}
END_TEST

/* ---- the completeness proof can fail ---- */

static void tpoly_oracle(fmpq_t val, const fmpq *x, int recession, void *arg)
{
    const trop_tpoly_struct *f = arg;
    slong i;
    fmpq_t t;
    if (!recession) {
        trop_tpoly_eval_q(val, f, x, NULL);
        return;
    }
    fmpq_init(t);
    for (i = 0; i < f->length; i++) {
        _trop_qvec_dot(t, f->exps + 2 * i, x, 2);
        if (i == 0 || fmpq_cmp(t, val) > 0)
            fmpq_set(val, t);
    }
    fmpq_clear(t);
}

START_TEST(test_certify_detects_missing)
{
    /* f = the P of a random net (algebraic, pruned); dropping any one term
     * must make the proof fail with a point where f beats the rest, and the
     * full list must pass */
    trop_rng r;
    trop_net_t net;
    trop_trat_struct *A = trats_new(1);
    trop_tpoly_t T;
    fmpq w[2];
    fmpq_t fv, tv;
    slong i, j;
    int cert;
    trop_rng_init(&r, trop_test_seed() + 4000 + (unsigned long long)_i);
    lines_net(net, "1 0 0; 0 1 0; 1 1 -1; 1 -1 -2; 3 1 2");
    for (i = 0; i < 5; i++)       /* random output weights, both signs */
        trop_test_rand_q(net->layers[1].W + i, &r);
    ck_assert_int_eq(trop_trat_vec_set_net(A, net, NULL, NULL, NULL), TROP_OK);
    fmpq_init(w + 0); fmpq_init(w + 1); fmpq_init(fv); fmpq_init(tv);
    trop_tpoly_init(T, 2);
    ck_assert_int_eq(trop_tpoly_certify2(&cert, w, A[0].num, tpoly_oracle, A[0].num, NULL, NULL),
                     TROP_OK);
    ck_assert_int_eq(cert, 1);
    for (j = 0; j < A[0].num->length; j++) {
        trop_tpoly_zero(T);
        for (i = 0; i < A[0].num->length; i++)
            if (i != j)
                trop_tpoly_push_term(T, A[0].num->exps + 2 * i, A[0].num->coefs + i);
        trop_tpoly_canonicalise(T);
        if (T->length == 0)
            continue;
        ck_assert_int_eq(trop_tpoly_certify2(&cert, w, T, tpoly_oracle, A[0].num, NULL, NULL),
                         TROP_OK);
        ck_assert_msg(cert == 0, "term %ld of %ld dropped: certified %d", j,
                      A[0].num->length, cert);
        trop_tpoly_eval_q(fv, A[0].num, w, NULL);
        trop_tpoly_eval_q(tv, T, w, NULL);
        ck_assert(fmpq_cmp(fv, tv) > 0);
    }
    trop_tpoly_clear(T);
    fmpq_clear(w + 0); fmpq_clear(w + 1); fmpq_clear(fv); fmpq_clear(tv);
    trats_free(A, 1);
    trop_net_clear(net);
}
END_TEST

static Suite *region_suite(void)
{
    Suite *s = suite_create("region");
    TCase *tc = tcase_create("arrangements");
    tcase_add_test(tc, test_lines_general);
    tcase_add_test(tc, test_lines_special);
    suite_add_tcase(s, tc);
    tc = tcase_create("trat");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_single_unit);
    tcase_add_loop_test(tc, test_random_vs_algebra, 0, trop_test_count(30));
    tcase_add_test(tc, test_real_twin_ladder_plane);
    tcase_add_test(tc, test_real_acas_plane);
    tcase_add_loop_test(tc, test_certify_detects_missing, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(region_suite);
}
