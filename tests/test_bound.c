/* test_bound.c: region-count bounds.  A hand-checked table first (every
 * value worked out in the comments), then properties on random small
 * architectures, each against a second computation that shares no code
 * with the library: Pascal's triangle for the arrangement count, a plain
 * enumeration of J for Serra et al.'s Theorem 1, a direct product for the
 * one-input case. */
#include <string.h>
#include <time.h>
#include <check.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include "trop/trop.h"
#include "runner.h"

/* ---- helpers ---- */

static trop_bound_arch relu(slong n0, const slong *w, slong L)
{
    trop_bound_arch a;
    a.n0 = n0;
    a.nlayers = L;
    a.widths = w;
    a.act = TROP_BOUND_RELU;
    a.rank = 0;
    return a;
}

static trop_bound_arch maxout(slong n0, const slong *w, slong L, slong k)
{
    trop_bound_arch a = relu(n0, w, L);
    a.act = TROP_BOUND_MAXOUT;
    a.rank = k;
    return a;
}

/* Asserts that fn gives the decimal want on a, or does not apply (want
 * NULL) with a reason and res = 0. */
static void check_bound(trop_bound_fn fn, const char *name, const trop_bound_arch *a,
                        const char *want)
{
    fmpz_t res;
    char why[TROP_BOUND_WHY_LEN] = "", *got;
    int applies;
    fmpz_init(res);
    fmpz_set_si(res, -1);
    applies = fn(res, a, why);
    if (want == NULL) {
        ck_assert_msg(!applies, "%s applies, expected not", name);
        ck_assert_msg(fmpz_is_zero(res), "%s: res not 0 when not applicable", name);
        ck_assert_msg(why[0] != '\0', "%s: no reason given", name);
    } else {
        ck_assert_msg(applies, "%s does not apply: %s", name, why);
        got = fmpz_get_str(NULL, 10, res);
        ck_assert_msg(strcmp(got, want) == 0, "%s: got %s, expected %s", name, got, want);
        flint_free(got);
    }
    fmpz_clear(res);
}

/* ---- the arrangement count ---- */

/* sum_{j<=d} C(m, j) by hand:
 * m lines in the plane (d = 2): 1 + m + C(m, 2), so 1, 2, 4, 7, 11 for
 * m = 0..4 and 1 + 10 + 45 = 56 for m = 10; four planes in general position
 * in R^3: 1 + 4 + 6 + 4 = 15; three hyperplanes in R^5: all 2^3 = 8
 * orthants; five points on a line: 6 intervals; d = 0: one region. */
static const struct { ulong m, d; slong want; } arr[] = {
    {0, 2, 1}, {1, 2, 2}, {2, 2, 4}, {3, 2, 7}, {4, 2, 11}, {10, 2, 56},
    {4, 3, 15}, {3, 5, 8}, {5, 1, 6}, {0, 0, 1}, {7, 0, 1},
};

START_TEST(test_arrangement_table)
{
    fmpz_t r;
    fmpz_init(r);
    trop_bound_arrangement(r, arr[_i].m, arr[_i].d);
    ck_assert_msg(fmpz_equal_si(r, arr[_i].want), "m = %lu, d = %lu", arr[_i].m, arr[_i].d);
    fmpz_clear(r);
}
END_TEST

START_TEST(test_arrangement_pascal)
{
    /* rows of Pascal's triangle by additions only, up to m = 60: an
     * independent route to the binomials */
    enum { MAXM = 60 };
    fmpz_t row[MAXM + 1], r, s;
    trop_rng rng;
    slong m, j, d;
    trop_rng_init(&rng, trop_test_seed() + (unsigned long long)_i);
    for (j = 0; j <= MAXM; j++)
        fmpz_init(row[j]);
    fmpz_init(r);
    fmpz_init(s);
    fmpz_one(row[0]);
    for (m = 0; m <= MAXM; m++) {
        if (m > 0)
            for (j = m; j >= 1; j--)
                fmpz_add(row[j], row[j], row[j - 1]);
        d = trop_rng_below(&rng, m + 3);
        fmpz_zero(s);
        for (j = 0; j <= FLINT_MIN(d, m); j++)
            fmpz_add(s, s, row[j]);
        trop_bound_arrangement(r, (ulong)m, (ulong)d);
        ck_assert_msg(fmpz_equal(r, s), "m = %ld, d = %ld (seed %llu)", m, d,
                      trop_test_seed() + (unsigned long long)_i);
    }
    for (j = 0; j <= MAXM; j++)
        fmpz_clear(row[j]);
    fmpz_clear(r);
    fmpz_clear(s);
}
END_TEST

/* ---- the hand-checked table ---- */

/* Columns: zaslavsky, montufar2014_lower, montufar2017_upper, serra_upper,
 * serra_lower, serra_maxout_upper, trivial_upper; NULL = not applicable. */
typedef struct {
    slong n0, L, k;      /* k = 0: ReLU */
    slong w[10];
    const char *want[7];
} hand_case;

static const hand_case hand[] = {
    /* n0 = 2, widths 3,2,2.  Serra Theorem 1, summing over j1 (C(3, j1)):
     *   j1 = 0: j2 <= 2; (j2, j3) gives 1*(1+2+1) + 2*(1+2) + 1*1 = 11
     *   j1 = 1: j2 <= min(2, 3-1, 2) = 2, the same 11, times 3 = 33
     *   j1 = 2: j2 <= min(2, 3-2) = 1 and j3 <= 1: (1 + 2) * (1 + 2) = 9,
     *           times 3 = 27
     * total 11 + 33 + 27 = 71.  Montufar 2017: d_l = 2 throughout,
     * (1+3+3) * (1+2+1) * (1+2+1) = 112.  Montufar 2014: floor(3/2)^2 *
     * floor(2/2)^2 * (1+2+1) = 4.  Serra lower needs n_l >= 6.  2^7 = 128. */
    {2, 3, 0, {3, 2, 2}, {NULL, "4", "112", "71", NULL, NULL, "128"}},
    /* n0 = 1, ten layers of width 5: Serra Theorem 5 (exact for one input,
     * n_l >= 3) gives prod (n_l + 1) = 6^10 = 60466176, and both Serra
     * bounds reduce to it; Montufar 2014: 5^9 * (1 + 5) = 11718750;
     * Montufar 2017: d_l = 1, (1 + 5)^10; 2^50 = 1125899906842624. */
    {1, 10, 0, {5, 5, 5, 5, 5, 5, 5, 5, 5, 5},
     {NULL, "11718750", "60466176", "60466176", "60466176", NULL, "1125899906842624"}},
    /* one layer of 10 lines in the plane: 1 + 10 + 45 = 56 for every bound
     * (10 >= 3 n0 = 6, so Serra's lower bound applies too); 2^10 = 1024 */
    {2, 1, 0, {10}, {"56", "56", "56", "56", "56", NULL, "1024"}},
    /* four planes in R^3: 15; Serra lower needs 4 >= 9 */
    {3, 1, 0, {4}, {"15", "15", "15", "15", NULL, NULL, "16"}},
    /* three hyperplanes in R^5: 8 = 2^3; Montufar 2014 needs 3 >= 5 */
    {5, 1, 0, {3}, {"8", NULL, "8", "8", NULL, NULL, "8"}},
    /* bottleneck, n0 = 3, widths 2,4: Montufar 2017: d_1 = d_2 = 2,
     * (1+2+1) * (1+4+6) = 44; Serra: j1 = 0 (1): j2 <= 2, 11; j1 = 1 (2):
     * j2 <= 1, 2 * 5 = 10; j1 = 2 (1): j2 = 0, 1; total 22.  2^6 = 64. */
    {3, 2, 0, {2, 4}, {NULL, NULL, "44", "22", NULL, NULL, "64"}},
    /* n0 = 2, widths 6,7: Montufar 2014: floor(6/2)^2 * (1+7+21) = 9 * 29 =
     * 261; Serra lower: (3+1)^2 * 29 = 464; Montufar 2017: (1+6+15) * 29 =
     * 638, and Serra equals it (j1 <= 2 leaves n_1 - j1 >= 4 > n0, no
     * bottleneck); 2^13 = 8192. */
    {2, 2, 0, {6, 7}, {NULL, "261", "638", "638", "464", NULL, "8192"}},
    /* n0 = 2, widths 4,4,5: Montufar 2014: 2^2 * 2^2 * (1+5+10) = 256;
     * Montufar 2017 = Serra (no bottleneck): 11 * 11 * 16 = 1936; Serra
     * lower needs 4 >= 6; 2^13. */
    {2, 3, 0, {4, 4, 5}, {NULL, "256", "1936", "1936", NULL, NULL, "8192"}},
    /* rank-3 maxout, n0 = 2, widths 2,1: k(k-1)/2 = 3; d_1 = 2:
     * 1 + 6 + 15 = 22; d_2 = 1: 1 + 3 = 4; 88.  Patterns: 3^3 = 27. */
    {2, 2, 3, {2, 1}, {NULL, NULL, NULL, NULL, NULL, "88", "27"}},
    /* rank-2 maxout, one input, 3 units: 3 breakpoints, 1 + 3 = 4 */
    {1, 1, 2, {3}, {NULL, NULL, NULL, NULL, NULL, "4", "8"}},
    /* rank-4 maxout, n0 = 2, widths 3,3: 6 hyperplanes per unit, 18 per
     * layer: (1 + 18 + 153)^2 = 172^2 = 29584; 4^6 = 4096. */
    {2, 2, 4, {3, 3}, {NULL, NULL, NULL, NULL, NULL, "29584", "4096"}},
};

static const struct { trop_bound_fn fn; const char *name; } fns[7] = {
    {trop_bound_zaslavsky, "zaslavsky"},
    {trop_bound_montufar2014_lower, "montufar2014_lower"},
    {trop_bound_montufar2017_upper, "montufar2017_upper"},
    {trop_bound_serra_upper, "serra_upper"},
    {trop_bound_serra_lower, "serra_lower"},
    {trop_bound_serra_maxout_upper, "serra_maxout_upper"},
    {trop_bound_trivial_upper, "trivial_upper"},
};

START_TEST(test_hand_table)
{
    const hand_case *c = hand + _i;
    trop_bound_arch a = c->k ? maxout(c->n0, c->w, c->L, c->k) : relu(c->n0, c->w, c->L);
    slong f;
    ck_assert_int_eq(trop_bound_arch_check(&a, NULL), TROP_OK);
    for (f = 0; f < 7; f++)
        check_bound(fns[f].fn, fns[f].name, &a, c->want[f]);
}
END_TEST

START_TEST(test_table_entries)
{
    /* the table lists every bound once, with a source naming a theorem
     * or section, in the documented order */
    static const char *ids[] = {"zaslavsky", "montufar2014_lower", "montufar2017_upper",
                                "serra2018_upper", "serra2018_lower",
                                "serra2018_maxout_upper", "trivial_upper"};
    slong len, i;
    const trop_bound_info *t = trop_bound_table(&len);
    ck_assert_int_eq(len, 7);
    for (i = 0; i < len; i++) {
        ck_assert_str_eq(t[i].id, ids[i]);
        ck_assert(t[i].compute != NULL);
        ck_assert(strstr(t[i].source, "Theorem") || strstr(t[i].source, "Section"));
    }
}
END_TEST

/* ---- reasons and argument checks ---- */

START_TEST(test_reasons)
{
    slong w[] = {3, 2, 2};
    trop_bound_arch a = relu(2, w, 3), m = maxout(2, w, 3, 3);
    char why[TROP_BOUND_WHY_LEN];
    fmpz_t r;
    fmpz_init(r);
    ck_assert_int_eq(trop_bound_serra_lower(r, &a, why), 0);
    ck_assert_str_eq(why, "needs n_l >= 3 n0 = 6 in every hidden layer; n_1 = 3");
    ck_assert_int_eq(trop_bound_zaslavsky(r, &a, why), 0);
    ck_assert_str_eq(why, "counts one hidden layer; this network has 3");
    ck_assert_int_eq(trop_bound_serra_upper(r, &m, why), 0);
    ck_assert_str_eq(why, "applies to ReLU networks, not to maxout");
    ck_assert_int_eq(trop_bound_serra_maxout_upper(r, &a, NULL), 0);   /* why may be NULL */
    w[1] = 1;
    ck_assert_int_eq(trop_bound_montufar2014_lower(r, &a, why), 0);
    ck_assert_str_eq(why, "needs n_l >= n0 = 2 in every hidden layer; n_2 = 1");
    fmpz_clear(r);
}
END_TEST

START_TEST(test_arch_check)
{
    slong w[] = {3, 0, 2}, big[] = {TROP_BOUND_MAX_WIDTH + 1};
    slong many[9] = {8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 1};
    trop_bound_arch a;
    trop_error err;
    a = relu(2, w, 3);
    ck_assert_int_eq(trop_bound_arch_check(&a, &err), TROP_ERR_INVALID);
    ck_assert_str_eq(err.msg, "hidden layer 2 has width 0; widths must be >= 1");
    a = relu(0, w, 1);
    ck_assert_int_eq(trop_bound_arch_check(&a, &err), TROP_ERR_INVALID);
    a = relu(2, w, 0);
    ck_assert_int_eq(trop_bound_arch_check(&a, &err), TROP_ERR_INVALID);
    a = relu(2, w, 1);
    a.act = (trop_bound_act)7;
    ck_assert_int_eq(trop_bound_arch_check(&a, &err), TROP_ERR_INVALID);
    a = maxout(2, w, 1, 1);
    ck_assert_int_eq(trop_bound_arch_check(&a, &err), TROP_ERR_INVALID);
    ck_assert_str_eq(err.msg, "maxout rank k = 1; it must be >= 2");
    a = maxout(2, w, 1, TROP_BOUND_MAX_RANK + 1);
    ck_assert_int_eq(trop_bound_arch_check(&a, &err), TROP_ERR_LIMIT);
    a = relu(2, big, 1);
    ck_assert_int_eq(trop_bound_arch_check(&a, &err), TROP_ERR_LIMIT);
    a = relu(TROP_BOUND_MAX_INPUTS + 1, w, 1);
    ck_assert_int_eq(trop_bound_arch_check(&a, &err), TROP_ERR_LIMIT);
    /* 8 * 8192 + 1 = 2^16 + 1 units, one above the limit; 2^16 is fine */
    a = relu(2, many, 9);
    ck_assert_int_eq(trop_bound_arch_check(&a, &err), TROP_ERR_LIMIT);
    a = relu(2, many, 8);
    ck_assert_int_eq(trop_bound_arch_check(&a, &err), TROP_OK);
    a = relu(TROP_BOUND_MAX_INPUTS, many, 1);
    ck_assert_int_eq(trop_bound_arch_check(&a, &err), TROP_OK);
    a = relu(2, w, 1);
    ck_assert_int_eq(trop_bound_arch_check(&a, NULL), TROP_OK);
    ck_assert_int_eq(trop_bound_arch_units(&a), 3);
}
END_TEST

/* ---- random properties ---- */

static double cpu_seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* sum over J of prod C(n_l, j_l), by walking every tuple of J: the plain
 * reading of Theorem 1, with min_so_far = min(n0, n_1 - j_1, ...). */
static void serra_enum(fmpz_t sum, const slong *w, slong L, slong l, slong min_so_far,
                       const fmpz_t prod)
{
    slong j, wl;
    fmpz_t c, p;
    if (l >= L) {
        fmpz_add(sum, sum, prod);
        return;
    }
    wl = w[l];
    fmpz_init(c);
    fmpz_init(p);
    for (j = 0; j <= FLINT_MIN(min_so_far, wl); j++) {
        fmpz_bin_uiui(c, (ulong)wl, (ulong)j);
        fmpz_mul(p, prod, c);
        serra_enum(sum, w, L, l + 1, FLINT_MIN(min_so_far, wl - j), p);
    }
    fmpz_clear(c);
    fmpz_clear(p);
}

static void random_arch(trop_rng *r, slong *n0, slong *w, slong *L)
{
    slong l;
    *n0 = 1 + trop_rng_below(r, 5);
    *L = 1 + trop_rng_below(r, 4);
    for (l = 0; l < *L; l++)
        w[l] = 1 + trop_rng_below(r, 12);
}

START_TEST(test_serra_upper_enum)
{
    unsigned long long seed = trop_test_seed() + (unsigned long long)_i;
    trop_rng r;
    slong n0, w[4], L;
    trop_bound_arch a;
    fmpz_t dp, en, one;
    trop_rng_init(&r, seed);
    random_arch(&r, &n0, w, &L);
    a = relu(n0, w, L);
    fmpz_init(dp);
    fmpz_init(en);
    fmpz_init(one);
    fmpz_one(one);
    ck_assert(trop_bound_serra_upper(dp, &a, NULL));
    serra_enum(en, w, L, 0, n0, one);
    ck_assert_msg(fmpz_equal(dp, en), "seed %llu: dynamic program != enumeration of J", seed);
    fmpz_clear(dp);
    fmpz_clear(en);
    fmpz_clear(one);
}
END_TEST

START_TEST(test_order)
{
    /* every lower bound <= every upper bound; Serra <= Montufar 2017 <=
     * 2^N (Serra relaxes n_l - j_l to n_l to get Montufar 2017, and each
     * factor sum_{j<=d} C(n, j) <= 2^n) */
    unsigned long long seed = trop_test_seed() + (unsigned long long)_i;
    trop_rng r;
    slong n0, w[4], L, f, g;
    trop_bound_arch a;
    fmpz_t v[7];
    int ok[7];
    trop_rng_init(&r, seed);
    random_arch(&r, &n0, w, &L);
    a = relu(n0, w, L);
    for (f = 0; f < 7; f++) {
        fmpz_init(v[f]);
        ok[f] = fns[f].fn(v[f], &a, NULL);
    }
    ck_assert(ok[2] && ok[3] && ok[6] && !ok[5]);
    for (f = 0; f < 7; f++)          /* lowers: montufar2014, serra_lower */
        for (g = 0; g < 7; g++)      /* uppers: montufar2017, serra, trivial */
            if ((f == 1 || f == 4) && (g == 2 || g == 3 || g == 6) && ok[f] && ok[g])
                ck_assert_msg(fmpz_cmp(v[f], v[g]) <= 0, "seed %llu: %s > %s", seed,
                              fns[f].name, fns[g].name);
    ck_assert_msg(fmpz_cmp(v[3], v[2]) <= 0, "seed %llu: serra > montufar2017", seed);
    ck_assert_msg(fmpz_cmp(v[2], v[6]) <= 0, "seed %llu: montufar2017 > 2^N", seed);
    if (ok[1] && ok[4])   /* floor(n/n0) + 1 >= floor(n/n0) */
        ck_assert_msg(fmpz_cmp(v[1], v[4]) <= 0, "seed %llu", seed);
    if (L == 1) {         /* Theorem 1 is tight for one layer: Zaslavsky */
        ck_assert(ok[0]);
        ck_assert_msg(fmpz_equal(v[0], v[3]) && fmpz_equal(v[0], v[2]), "seed %llu", seed);
    }
    for (f = 0; f < 7; f++)
        fmpz_clear(v[f]);
}
END_TEST

START_TEST(test_one_input)
{
    /* n0 = 1, n_l >= 3: Serra Theorem 5, exactly prod (n_l + 1), which both
     * Serra bounds must reach */
    unsigned long long seed = trop_test_seed() + (unsigned long long)_i;
    trop_rng r;
    slong w[8], L, l;
    trop_bound_arch a;
    fmpz_t up, lo, prod;
    trop_rng_init(&r, seed);
    L = 1 + trop_rng_below(&r, 8);
    fmpz_init(up);
    fmpz_init(lo);
    fmpz_init(prod);
    fmpz_one(prod);
    for (l = 0; l < L; l++) {
        w[l] = 3 + trop_rng_below(&r, 30);
        fmpz_mul_ui(prod, prod, (ulong)w[l] + 1);
    }
    a = relu(1, w, L);
    ck_assert(trop_bound_serra_upper(up, &a, NULL));
    ck_assert(trop_bound_serra_lower(lo, &a, NULL));
    ck_assert_msg(fmpz_equal(up, prod) && fmpz_equal(lo, prod), "seed %llu", seed);
    fmpz_clear(up);
    fmpz_clear(lo);
    fmpz_clear(prod);
}
END_TEST

START_TEST(test_maxout_rank2)
{
    /* rank 2: k(k-1)/2 = 1 hyperplane per unit, so Serra's maxout bound is
     * Montufar 2017's formula on the same widths; k^N = 2^N */
    unsigned long long seed = trop_test_seed() + (unsigned long long)_i;
    trop_rng r;
    slong n0, w[4], L;
    trop_bound_arch a, m;
    fmpz_t x, y;
    trop_rng_init(&r, seed);
    random_arch(&r, &n0, w, &L);
    a = relu(n0, w, L);
    m = maxout(n0, w, L, 2);
    fmpz_init(x);
    fmpz_init(y);
    ck_assert(trop_bound_montufar2017_upper(x, &a, NULL));
    ck_assert(trop_bound_serra_maxout_upper(y, &m, NULL));
    ck_assert_msg(fmpz_equal(x, y), "seed %llu", seed);
    ck_assert(trop_bound_trivial_upper(x, &a, NULL));
    ck_assert(trop_bound_trivial_upper(y, &m, NULL));
    ck_assert_msg(fmpz_equal(x, y), "seed %llu", seed);
    fmpz_clear(x);
    fmpz_clear(y);
}
END_TEST

START_TEST(test_wide_fast)
{
    /* MNIST-sized input and ten layers of 500: the dynamic program takes
     * O(L min(n0, n_l)) big-integer steps (the plain sum over J would have
     * about 500^10 terms).  The value is checked against Montufar 2017,
     * which it may not exceed, and against the one-layer identity. */
    slong w[10], l;
    trop_bound_arch a;
    fmpz_t s, m;
    double t0 = cpu_seconds();
    for (l = 0; l < 10; l++)
        w[l] = 500;
    a = relu(784, w, 10);
    fmpz_init(s);
    fmpz_init(m);
    ck_assert(trop_bound_serra_upper(s, &a, NULL));
    ck_assert(trop_bound_montufar2017_upper(m, &a, NULL));
    ck_assert(fmpz_cmp(s, m) <= 0 && fmpz_sgn(s) > 0);
    a.nlayers = 1;
    ck_assert(trop_bound_serra_upper(s, &a, NULL));
    trop_bound_arrangement(m, 500, 784);   /* = 2^500: every j <= 500 */
    ck_assert(fmpz_equal(s, m));
    fmpz_one(m);
    fmpz_mul_2exp(m, m, 500);
    ck_assert(fmpz_equal(s, m));
    ck_assert_msg(cpu_seconds() - t0 < 5.0, "too slow");
    fmpz_clear(s);
    fmpz_clear(m);
}
END_TEST

static Suite *bound_suite(void)
{
    Suite *s = suite_create("bound");
    TCase *tc = tcase_create("arrangement");
    tcase_add_loop_test(tc, test_arrangement_table, 0, sizeof arr / sizeof arr[0]);
    tcase_add_loop_test(tc, test_arrangement_pascal, 0, trop_test_count(20));
    suite_add_tcase(s, tc);
    tc = tcase_create("table");
    tcase_add_loop_test(tc, test_hand_table, 0, sizeof hand / sizeof hand[0]);
    tcase_add_test(tc, test_table_entries);
    tcase_add_test(tc, test_reasons);
    tcase_add_test(tc, test_arch_check);
    suite_add_tcase(s, tc);
    tc = tcase_create("properties");
    tcase_add_loop_test(tc, test_serra_upper_enum, 0, trop_test_count(300));
    tcase_add_loop_test(tc, test_order, 0, trop_test_count(300));
    tcase_add_loop_test(tc, test_one_input, 0, trop_test_count(50));
    tcase_add_loop_test(tc, test_maxout_rank2, 0, trop_test_count(100));
    tcase_add_test(tc, test_wide_fast);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(bound_suite);
}
