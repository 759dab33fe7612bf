/* test_train.c: the trainer's data sets.  Expected values: the CSV corner
 * cases of tests/data/csv-cases (their README, from ../shared/cases, states
 * each answer), the documented shapes and class counts of the scikit-learn
 * files (tests/data/csv/PROVENANCE.md), and IDX files written here byte by
 * byte. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <zlib.h>
#include "trop/trop.h"
#include "runner.h"
#include "helpers.h"

/* The expected values are exact (decimals that are doubles, small
 * integers): comparing with == is the point. */
#pragma GCC diagnostic ignored "-Wfloat-equal"

static const char *case_path(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/csv-cases/%s", TROP_TEST_DATA_DIR, name);
    return buf;
}

/* X = [[0,0],[0,1],[1,0],[1,1]] ..., y = [0,1,1,0] ... (XOR, repeated). */
static void is_xor(const trop_dataset_t ds, slong n)
{
    static const double X[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, y[4] = {0, 1, 1, 0};
    slong i;
    ck_assert_int_eq(ds->n, n);
    ck_assert_int_eq(ds->d, 2);
    ck_assert_int_eq(ds->nclasses, 2);
    for (i = 0; i < n; i++) {
        slong k = i < 4 ? i : 3;
        ck_assert(ds->X[2 * i] == X[k][0] && ds->X[2 * i + 1] == X[k][1]);
        ck_assert(ds->y[i] == y[k]);
        ck_assert(!signbit(ds->X[2 * i]) && !signbit(ds->X[2 * i + 1]));
    }
}

START_TEST(test_csv_accepted)
{
    /* files that must give the reference XOR data exactly (README of case 24) */
    static const char *ok[] = {"good.csv", "crlf.csv", "no_trailing_newline.csv",
                               "trailing_blank_lines.csv", "quoted_fields.csv",
                               "utf8_bom.csv", "no_header.csv", "number_spellings.csv",
                               "cr_only.csv", "spaces_around_fields.csv"};
    trop_dataset_t ds;
    trop_error err;
    size_t i;
    trop_dataset_init(ds);
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ck_assert_msg(trop_dataset_read_csv(ds, case_path(ok[i]), NULL, &err) == TROP_OK,
                      "%s: %s", ok[i], err.msg);
        is_xor(ds, 4);
    }
    ck_assert_int_eq(trop_dataset_read_csv(ds, case_path("good.csv"), NULL, NULL), TROP_OK);
    ck_assert_str_eq(ds->feature_names[0], "x1");
    ck_assert_str_eq(ds->feature_names[1], "x2");
    ck_assert_int_eq(trop_dataset_read_csv(ds, case_path("duplicate_rows.csv"), NULL, NULL),
                     TROP_OK);
    is_xor(ds, 6);
    /* the label by name and by index: column x1 as the target */
    ck_assert_int_eq(trop_dataset_read_csv(ds, case_path("good.csv"), "x1", NULL), TROP_OK);
    ck_assert(ds->y[2] == 1 && ds->X[2 * 2 + 0] == 0 && ds->X[2 * 2 + 1] == 1);
    ck_assert_int_eq(trop_dataset_read_csv(ds, case_path("good.csv"), "0", NULL), TROP_OK);
    ck_assert(ds->y[2] == 1);
    trop_dataset_clear(ds);
}
END_TEST

START_TEST(test_csv_rejected)
{
    /* file, the substring the error must contain (line and reason) */
    static const char *bad[][2] = {
        {"ragged_row.csv", "line 3 has 2 fields, expected 3"},
        {"empty_field.csv", "line 3, field 2: empty"},
        {"nan_field.csv", "line 3, field"},
        {"inf_field.csv", "line 3, field"},
        {"quoted_decimal_comma.csv", "line 3, field"},
        {"semicolons.csv", "one field"},
        {"newline_inside_quotes.csv", "line 3, field"},
        {"trailing_comma_one_row.csv", "line 3 has 4 fields, expected 3"},
        {"header_only.csv", "no data rows"},
        {"empty.csv", "no records"},
        {"trailing_garbage_in_number.csv", "line 5, field"}};
    trop_dataset_t ds;
    trop_error err;
    size_t i;
    trop_dataset_init(ds);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(trop_dataset_read_csv(ds, case_path(bad[i][0]), NULL, &err) != TROP_OK,
                      "%s was accepted", bad[i][0]);
        ck_assert_msg(strstr(err.msg, bad[i][1]) != NULL, "%s: '%s'", bad[i][0], err.msg);
        ck_assert_msg(strstr(err.msg, bad[i][0]) != NULL, "no file name: '%s'", err.msg);
        ck_assert_int_eq(ds->n, 0);
    }
    ck_assert_int_eq(trop_dataset_read_csv(ds, case_path("good.csv"), "nope", &err),
                     TROP_ERR_INVALID);
    ck_assert_int_eq(trop_dataset_read_csv(ds, case_path("good.csv"), "3", &err),
                     TROP_ERR_INVALID);
    ck_assert_int_eq(trop_dataset_read_csv(ds, case_path("missing.csv"), NULL, &err),
                     TROP_ERR_IO);
    trop_dataset_clear(ds);
}
END_TEST

START_TEST(test_csv_locale)
{
    /* a locale with a decimal comma must not change what "0.5" means */
    trop_dataset_t ds;
    const char *old = setlocale(LC_NUMERIC, NULL);
    char *saved = strdup(old ? old : "C");
    trop_dataset_init(ds);
    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL)
        setlocale(LC_NUMERIC, "fr_FR.UTF-8");
    ck_assert_int_eq(trop_dataset_read_csv(ds, case_path("number_spellings.csv"), NULL, NULL),
                     TROP_OK);
    is_xor(ds, 4);
    setlocale(LC_NUMERIC, saved);
    free(saved);
    trop_dataset_clear(ds);
}
END_TEST

START_TEST(test_csv_sklearn)
{
    /* tests/data/csv/PROVENANCE.md: iris 150 x 4, classes 50/50/50 named
     * setosa, versicolor, virginica, first row 5.1,3.5,1.4,0.2 -> 0; wine
     * 178 x 13 (59/71/48); digits.csv.gz (gzip, no header) 1797 x 64, 10
     * classes, pixels 0..16 */
    trop_dataset_t ds;
    char path[4096];
    slong i, cnt[10];
    trop_dataset_init(ds);
    snprintf(path, sizeof path, "%s/csv/iris.csv", TROP_TEST_DATA_DIR);
    ck_assert_int_eq(trop_dataset_read_csv(ds, path, NULL, NULL), TROP_OK);
    ck_assert_int_eq(ds->n, 150);
    ck_assert_int_eq(ds->d, 4);
    ck_assert_int_eq(ds->nclasses, 3);
    ck_assert_str_eq(ds->class_names[2], "virginica");
    ck_assert(ds->X[0] == 5.1 && ds->X[1] == 3.5 && ds->X[2] == 1.4 && ds->X[3] == 0.2);
    memset(cnt, 0, sizeof cnt);
    for (i = 0; i < ds->n; i++)
        cnt[(slong)ds->y[i]]++;
    ck_assert(cnt[0] == 50 && cnt[1] == 50 && cnt[2] == 50);
    snprintf(path, sizeof path, "%s/csv/wine_data.csv", TROP_TEST_DATA_DIR);
    ck_assert_int_eq(trop_dataset_read_csv(ds, path, NULL, NULL), TROP_OK);
    ck_assert_int_eq(ds->n, 178);
    ck_assert_int_eq(ds->d, 13);
    memset(cnt, 0, sizeof cnt);
    for (i = 0; i < ds->n; i++)
        cnt[(slong)ds->y[i]]++;
    ck_assert(cnt[0] == 59 && cnt[1] == 71 && cnt[2] == 48);
    snprintf(path, sizeof path, "%s/csv/digits.csv.gz", TROP_TEST_DATA_DIR);
    ck_assert_int_eq(trop_dataset_read_csv(ds, path, NULL, NULL), TROP_OK);
    ck_assert_int_eq(ds->n, 1797);
    ck_assert_int_eq(ds->d, 64);
    ck_assert_int_eq(ds->nclasses, 10);
    ck_assert_ptr_null(ds->class_names);
    for (i = 0; i < ds->n * ds->d; i++)
        ck_assert(ds->X[i] >= 0 && ds->X[i] <= 16);
    trop_dataset_clear(ds);
}
END_TEST

/* Writes an IDX pair (gzip if gz) with n images of r x c pixels, pixel k of
 * image i = (i + k) % 256, label i % 10; trunc drops that many bytes from
 * the image file's end. */
static void write_idx(const char *img, const char *lab, unsigned n, unsigned r, unsigned c,
                      int gz, unsigned trunc)
{
    unsigned char *b = malloc(16 + (size_t)n * r * c), h[8];
    size_t len = 16 + (size_t)n * r * c - trunc, i;
    unsigned k;
    b[0] = b[1] = 0, b[2] = 8, b[3] = 3;
    for (k = 0; k < 3; k++) {
        unsigned v = k == 0 ? n : k == 1 ? r : c;
        b[4 + 4 * k] = (unsigned char)(v >> 24), b[5 + 4 * k] = (unsigned char)(v >> 16);
        b[6 + 4 * k] = (unsigned char)(v >> 8), b[7 + 4 * k] = (unsigned char)v;
    }
    for (i = 0; i < (size_t)n * r * c; i++)
        b[16 + i] = (unsigned char)((i / (r * c) + i % (r * c)) % 256);
    h[0] = h[1] = 0, h[2] = 8, h[3] = 1;
    h[4] = (unsigned char)(n >> 24), h[5] = (unsigned char)(n >> 16);
    h[6] = (unsigned char)(n >> 8), h[7] = (unsigned char)n;
    if (gz) {
        gzFile f = gzopen(img, "wb");
        gzwrite(f, b, (unsigned)len);
        gzclose(f);
        f = gzopen(lab, "wb");
        gzwrite(f, h, 8);
        for (k = 0; k < n; k++) {
            unsigned char l = (unsigned char)(k % 10);
            gzwrite(f, &l, 1);
        }
        gzclose(f);
    } else {
        FILE *f = fopen(img, "wb");
        fwrite(b, 1, len, f);
        fclose(f);
        f = fopen(lab, "wb");
        fwrite(h, 1, 8, f);
        for (k = 0; k < n; k++)
            fputc((int)(k % 10), f);
        fclose(f);
    }
    free(b);
}

START_TEST(test_idx)
{
    trop_dataset_t ds;
    trop_error err;
    char img[256], lab[256];
    slong i;
    snprintf(img, sizeof img, "%s/test-idx-%d-img", TROP_TEST_BUILD_DIR, _i);
    snprintf(lab, sizeof lab, "%s/test-idx-%d-lab", TROP_TEST_BUILD_DIR, _i);
    trop_dataset_init(ds);
    write_idx(img, lab, 12, 3, 4, _i, 0);
    ck_assert_msg(trop_dataset_read_idx(ds, img, lab, &err) == TROP_OK, "%s", err.msg);
    ck_assert_int_eq(ds->n, 12);
    ck_assert_int_eq(ds->d, 12);
    ck_assert_int_eq(ds->nclasses, 10);
    for (i = 0; i < 12 * 12; i++)
        ck_assert(ds->X[i] == (double)((i / 12 + i % 12) % 256));
    ck_assert(ds->y[11] == 1);
    /* truncated image data; labels and images swapped */
    write_idx(img, lab, 12, 3, 4, _i, 5);
    ck_assert_int_eq(trop_dataset_read_idx(ds, img, lab, &err), TROP_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "truncated"));
    ck_assert_int_eq(trop_dataset_read_idx(ds, lab, img, &err), TROP_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "not an IDX image file"));
    ck_assert_int_eq(ds->n, 0);
    remove(img);
    remove(lab);
    trop_dataset_clear(ds);
}
END_TEST

START_TEST(test_split_standardize)
{
    /* iris, 20% valid and 20% test: 30 / 30 / 90 samples (round(150 x 0.2));
     * together they hold every row exactly once (the row sums of the 150
     * samples, as a multiset); the same seed gives the same split, another
     * seed another one.  Standardising by the training constants gives
     * mean 0 and population deviation 1 on the training set; by hand, the
     * feature 1, 2, 3 has mean 2 and deviation sqrt(2/3), and a constant
     * feature gets scale 1. */
    trop_dataset_t ds, tr, va, te, tr2, va2, te2;
    char path[4096];
    double *sums, mean[4], scale[4], m, v;
    slong i, j, k, used;
    trop_dataset_init(ds);
    trop_dataset_init(tr);
    trop_dataset_init(va);
    trop_dataset_init(te);
    trop_dataset_init(tr2);
    trop_dataset_init(va2);
    trop_dataset_init(te2);
    snprintf(path, sizeof path, "%s/csv/iris.csv", TROP_TEST_DATA_DIR);
    ck_assert_int_eq(trop_dataset_read_csv(ds, path, NULL, NULL), TROP_OK);
    trop_dataset_split(tr, va, te, ds, 0.2, 0.2, 42);
    ck_assert_int_eq(va->n, 30);
    ck_assert_int_eq(te->n, 30);
    ck_assert_int_eq(tr->n, 90);
    ck_assert_int_eq(tr->nclasses, 3);
    ck_assert_str_eq(te->class_names[1], "versicolor");
    sums = malloc(150 * sizeof(double));
    for (i = 0; i < 150; i++) {
        sums[i] = 0;
        for (j = 0; j < 4; j++)
            sums[i] += ds->X[i * 4 + j] * (double)(j + 1) + ds->y[i] * 100;
    }
    used = 0;
    for (k = 0; k < 3; k++) {
        trop_dataset_struct *p = k == 0 ? tr : k == 1 ? va : te;
        for (i = 0; i < p->n; i++) {
            double s = 0;
            for (j = 0; j < 4; j++)
                s += p->X[i * 4 + j] * (double)(j + 1) + p->y[i] * 100;
            for (j = 0; j < 150; j++)
                if (sums[j] == s) {
                    sums[j] = -1;          /* used once */
                    used++;
                    break;
                }
        }
    }
    ck_assert_int_eq(used, 150);
    free(sums);
    trop_dataset_split(tr2, va2, te2, ds, 0.2, 0.2, 42);
    ck_assert(memcmp(tr->X, tr2->X, (size_t)(90 * 4) * sizeof(double)) == 0);
    trop_dataset_split(tr2, va2, te2, ds, 0.2, 0.2, 43);
    ck_assert(memcmp(tr->X, tr2->X, (size_t)(90 * 4) * sizeof(double)) != 0);
    trop_dataset_standardize_fit(mean, scale, tr);
    trop_dataset_standardize(tr, mean, scale);
    for (j = 0; j < 4; j++) {
        m = v = 0;
        for (i = 0; i < 90; i++)
            m += tr->X[i * 4 + j];
        m /= 90;
        for (i = 0; i < 90; i++)
            v += (tr->X[i * 4 + j] - m) * (tr->X[i * 4 + j] - m);
        ck_assert(fabs(m) < 1e-12 && fabs(v / 90 - 1) < 1e-12);
    }
    /* by hand: columns (1, 2, 3) and (5, 5, 5) */
    trop_dataset_clear(ds);
    ds->n = 3;
    ds->d = 2;
    ds->X = trop_malloc(6 * sizeof(double));
    ds->y = trop_calloc(3, sizeof(double));
    for (i = 0; i < 3; i++) {
        ds->X[2 * i] = (double)(i + 1);
        ds->X[2 * i + 1] = 5;
    }
    trop_dataset_standardize_fit(mean, scale, ds);
    ck_assert(mean[0] == 2 && fabs(scale[0] - sqrt(2.0 / 3.0)) < 1e-15);
    ck_assert(mean[1] == 5 && scale[1] == 1);
    trop_dataset_standardize(ds, mean, scale);
    ck_assert(ds->X[1] == 0 && ds->X[3] == 0 && ds->X[2] == 0);
    trop_dataset_clear(ds);
    trop_dataset_clear(tr);
    trop_dataset_clear(va);
    trop_dataset_clear(te);
    trop_dataset_clear(tr2);
    trop_dataset_clear(va2);
    trop_dataset_clear(te2);
}
END_TEST

static Suite *train_suite(void)
{
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("data");
    tcase_add_test(tc, test_csv_accepted);
    tcase_add_test(tc, test_csv_rejected);
    tcase_add_test(tc, test_csv_locale);
    tcase_add_test(tc, test_csv_sklearn);
    tcase_add_loop_test(tc, test_idx, 0, 2);
    tcase_add_test(tc, test_split_standardize);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(train_suite);
}
