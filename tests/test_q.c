/* test_q.c: rational scalars: exact decimal parsing, the double crossing,
 * canonical strings and bounded-denominator rounding.  Expected values are
 * worked out by hand (comments) or by a second computation in integers. */
#include <float.h>
#include <math.h>
#include <string.h>
#include <check.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include "trop/trop.h"
#include "runner.h"

static const struct { const char *in, *out; } good[] = {
    {"0.1", "1/10"}, {"-0.125", "-1/8"}, {"1e-3", "1/1000"}, {"2.5E+2", "250"},
    {".5", "1/2"}, {"5.", "5"}, {"+7", "7"}, {"-0", "0"}, {"3/6", "1/2"},
    {"-4/-8", NULL}, {"  12/18 ", "2/3"}, {"1e300", NULL}, {"0.000", "0"},
    {"19791.091", "19791091/1000"}, {"1.9791091e+04", "19791091/1000"},
};

START_TEST(test_set_str_good)
{
    fmpq_t x;
    trop_status s;
    char *str;
    fmpq_init(x);
    s = trop_q_set_str(x, good[_i].in, NULL);
    if (good[_i].out == NULL) {
        /* "-4/-8" has a sign on the denominator: we reject it; "1e300" is
         * 10^300 exactly */
        if (strcmp(good[_i].in, "1e300") == 0) {
            fmpz_t p;
            fmpz_init(p);
            ck_assert_int_eq(s, TROP_OK);
            fmpz_set_ui(p, 10);
            fmpz_pow_ui(p, p, 300);
            ck_assert(fmpz_equal(fmpq_numref(x), p) && fmpz_is_one(fmpq_denref(x)));
            fmpz_clear(p);
        } else
            ck_assert_int_ne(s, TROP_OK);
    } else {
        ck_assert_msg(s == TROP_OK, "%s rejected", good[_i].in);
        str = trop_q_get_str(x);
        ck_assert_str_eq(str, good[_i].out);
        flint_free(str);
    }
    fmpq_clear(x);
}
END_TEST

static const char *bad[] = {"nan", "NaN", "inf", "-Infinity", "0x1p3", "1e", "--1", "", ".",
                            "1/0", "1e400", "-1e400", "1e-400", "2.4e-324", "abc", "1 2",
                            "1e999999999999", "1/2/3"};

START_TEST(test_set_str_bad)
{
    fmpq_t x;
    trop_error err;
    fmpq_init(x);
    memset(&err, 0, sizeof err);
    ck_assert_msg(trop_q_set_str(x, bad[_i], &err) != TROP_OK, "'%s' accepted", bad[_i]);
    ck_assert(err.msg[0] != '\0');
    fmpq_clear(x);
}
END_TEST

START_TEST(test_range_edges)
{
    /* the smallest subnormal 2^-1074 ~ 4.94e-324 is accepted, half of it
     * rejected; DBL_MAX ~ 1.7976931348623157e308 accepted, 1.8e308 not */
    fmpq_t x, y;
    fmpq_init(x);
    fmpq_init(y);
    ck_assert_int_eq(trop_q_set_str(x, "4.9406564584124654e-324", NULL), TROP_OK);
    ck_assert_int_ne(trop_q_set_str(x, "2e-324", NULL), TROP_OK);
    ck_assert_int_eq(trop_q_set_str(x, "1.7976931348623157e308", NULL), TROP_OK);
    ck_assert_int_ne(trop_q_set_str(x, "1.8e308", NULL), TROP_OK);
    fmpq_clear(x);
    fmpq_clear(y);
}
END_TEST

START_TEST(test_set_d_exact)
{
    /* 0.1 as a double is 3602879701896397 / 2^55 */
    fmpq_t x;
    char *s;
    fmpq_init(x);
    ck_assert_int_eq(trop_q_set_d(x, 0.1, NULL), TROP_OK);
    s = trop_q_get_str(x);
    ck_assert_str_eq(s, "3602879701896397/36028797018963968");
    flint_free(s);
    ck_assert(!(trop_q_get_d(x) < 0.1) && !(trop_q_get_d(x) > 0.1));
    ck_assert_int_eq(trop_q_set_d(x, NAN, NULL), TROP_ERR_INVALID);
    ck_assert_int_eq(trop_q_set_d(x, -INFINITY, NULL), TROP_ERR_INVALID);
    ck_assert_int_eq(trop_q_set_d(x, 0x1p-1074, NULL), TROP_OK);
    ck_assert(fmpz_bits(fmpq_denref(x)) == 1075);
    fmpq_clear(x);
}
END_TEST

START_TEST(test_limit_den)
{
    /* pi ~ 3.141592653589793: best with den <= 10 is 22/7, <= 100 is 311/99,
     * <= 1000 is 355/113 (continued fractions [3; 7, 15, 1, 292, ...]) */
    static const struct { long maxden; const char *out; } t[] = {
        {1, "3"}, {10, "22/7"}, {100, "311/99"}, {1000, "355/113"}};
    fmpq_t x, y;
    fmpz_t m;
    char *s;
    int k;
    fmpq_init(x);
    fmpq_init(y);
    fmpz_init(m);
    trop_q_set_d(x, 3.141592653589793, NULL);
    for (k = 0; k < 4; k++) {
        fmpz_set_si(m, t[k].maxden);
        trop_q_limit_den(y, x, m);
        s = trop_q_get_str(y);
        ck_assert_str_eq(s, t[k].out);
        flint_free(s);
    }
    fmpz_clear(m);
    fmpq_clear(x);
    fmpq_clear(y);
}
END_TEST

START_TEST(test_parse_prefix)
{
    fmpq_t x;
    const char *s = "1.5e2,rest", *end;
    fmpq_init(x);
    ck_assert_int_eq(trop_q_parse_decimal(x, s, &end, NULL), TROP_OK);
    ck_assert(end == s + 5);
    ck_assert(fmpz_equal_si(fmpq_numref(x), 150));
    fmpq_clear(x);
}
END_TEST

static Suite *q_suite(void)
{
    Suite *s = suite_create("q");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_set_str_good, 0, sizeof good / sizeof good[0]);
    tcase_add_loop_test(tc, test_set_str_bad, 0, sizeof bad / sizeof bad[0]);
    tcase_add_test(tc, test_range_edges);
    tcase_add_test(tc, test_parse_prefix);
    suite_add_tcase(s, tc);
    tc = tcase_create("convert");
    tcase_add_test(tc, test_set_d_exact);
    tcase_add_test(tc, test_limit_den);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(q_suite);
}
