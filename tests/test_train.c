/* test_train.c: the trainer.  Expected values: the CSV corner cases of
 * tests/data/csv-cases (their README, from ../shared/cases, states each
 * answer), the documented shapes and class counts of the scikit-learn
 * files (tests/data/csv/PROVENANCE.md), IDX files written here byte by
 * byte; gradients against central finite differences; trained networks
 * against exact evaluation (trop_net_eval_q) and the closed-form best
 * affine fit; accuracies against the thresholds. */
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

/* ---- the model: gradients ---- */

static double rnd_sym(trop_rng *r)
{
    return 2.0 * ((double)(trop_rng_u64(r) >> 11) / 9007199254740992.0) - 1.0;
}

/* A 3-5-4-out model with the activation of variant v in its two hidden
 * layers: relu, leaky 1/10, leaky -1/2, maxout 3, linear. */
static void grad_model(trop_model_t m, slong v, slong out, unsigned long long seed)
{
    static const trop_act acts[] = {TROP_ACT_RELU, TROP_ACT_LEAKY, TROP_ACT_LEAKY,
                                    TROP_ACT_MAXOUT, TROP_ACT_LINEAR};
    static const slong num[] = {0, 1, -1, 0, 0}, den[] = {1, 10, 2, 1, 1}, k[] = {1, 1, 1, 3, 1};
    trop_model_append_layer(m, 5 * k[v], acts[v], num[v], den[v], k[v]);
    trop_model_append_layer(m, 4 * k[v], acts[v], num[v], den[v], k[v]);
    trop_model_append_layer(m, out, TROP_ACT_LINEAR, 0, 1, 1);
    trop_model_init_weights(m, TROP_INIT_GLOROT, seed);
    {   /* nonzero biases, so that every bias gradient is exercised */
        trop_rng r;
        slong l, j;
        trop_rng_init(&r, seed + 99);
        for (l = 0; l < m->nlayers; l++)
            for (j = 0; j < m->layers[l].nout; j++)
                m->layers[l].b[j] = 0.3 * rnd_sym(&r);
    }
}

/* Every weight and bias gradient of trop_model_loss_grad against the
 * central difference (L(w + h) - L(w - h)) / 2h, h = 1e-6: for smooth
 * pieces the difference is off by O(h^2) + O(eps / h), about 1e-10. */
START_TEST(test_gradient)
{
    /* loop index: activation variant (5) x loss (CE with 3 outputs, MSE
     * with 1 output, MSE with 3 one-hot outputs) */
    slong v = _i % 5, lv = _i / 5, out = lv == 1 ? 1 : 3, n = 7, i, l, checked = 0;
    trop_loss loss = lv == 0 ? TROP_LOSS_CE : TROP_LOSS_MSE;
    double X[7 * 3], y[7];
    trop_model_t m, g;
    trop_rng r;
    trop_rng_init(&r, 1000 + (unsigned long long)_i);
    for (i = 0; i < n * 3; i++)
        X[i] = 2 * rnd_sym(&r);
    for (i = 0; i < n; i++)
        y[i] = out == 1 ? rnd_sym(&r) : (double)trop_rng_below(&r, 3);
    trop_model_init(m, 3);
    trop_model_init(g, 3);
    grad_model(m, v, out, 7 + (unsigned long long)_i);
    trop_model_loss_grad(g, m, loss, X, y, n);
    for (l = 0; l < m->nlayers; l++) {
        trop_model_layer_struct *L = m->layers + l;
        for (i = 0; i < L->nout * (L->nin + 1); i++) {
            int is_w = i < L->nout * L->nin;
            double *w = is_w ? L->W + i : L->b + (i - L->nout * L->nin);
            double an = is_w ? g->layers[l].W[i] : g->layers[l].b[i - L->nout * L->nin];
            double w0 = *w, h = 1e-6, fp, fm, fd;
            *w = w0 + h;
            fp = trop_model_loss_grad(NULL, m, loss, X, y, n);
            *w = w0 - h;
            fm = trop_model_loss_grad(NULL, m, loss, X, y, n);
            *w = w0;
            fd = (fp - fm) / (2 * h);
            ck_assert_msg(fabs(fd - an) <= 1e-7 * (1 + fabs(an)),
                          "variant %ld loss %ld layer %ld param %ld: analytic %.12g, "
                          "difference %.12g", v, lv, l, i, an, fd);
            checked++;
        }
    }
    ck_assert_int_eq(checked, trop_model_num_params(m));
    trop_model_clear(m);
    trop_model_clear(g);
}
END_TEST

/* ---- the model: learning ---- */

/* The model's outputs on ds checked exactly: the saved network (exact
 * rationals of the doubles) evaluated in rational arithmetic must agree
 * with the float forward pass to float rounding, and classify the same. */
static void exact_agrees(const trop_model_t m, const double *X, slong n)
{
    trop_net_t net;
    trop_error err;
    slong i, j, d = m->input_dim, out = trop_model_output_dim(m);
    double *Y = malloc((size_t)(n * out) * sizeof(double));
    fmpq *x = _fmpq_vec_init(d), *yq = _fmpq_vec_init(out);
    trop_net_init(net, 1);
    ck_assert_int_eq(trop_net_set_model(net, m, &err), TROP_OK);
    trop_model_forward(Y, m, X, n);
    for (i = 0; i < n; i++) {
        for (j = 0; j < d; j++)
            trop_q_set_d(x + j, X[i * d + j], NULL);
        trop_net_eval_q(yq, net, x);
        for (j = 0; j < out; j++) {
            double e = trop_q_get_d(yq + j);
            ck_assert_msg(fabs(e - Y[i * out + j]) <= 1e-12 * (1 + fabs(e)),
                          "sample %ld output %ld: exact %.17g, float %.17g", i, j, e,
                          Y[i * out + j]);
        }
    }
    free(Y);
    _fmpq_vec_clear(x, d);
    _fmpq_vec_clear(yq, out);
    trop_net_clear(net);
}

/* m = d inputs, one hidden layer of rows rows (act, rank k), a linear
 * output of one unit; o = the squared error, Adam at lr 0.01. */
static void small_mse_net(trop_model_t m, trop_train_opts *o, slong d, slong rows,
                          trop_act act, slong k, trop_init init, unsigned long long seed)
{
    trop_model_init(m, d);
    trop_model_append_layer(m, rows, act, 0, 1, k);
    trop_model_append_layer(m, 1, TROP_ACT_LINEAR, 0, 1, 1);
    trop_model_init_weights(m, init, seed);
    trop_train_opts_init(o);
    o->loss = TROP_LOSS_MSE;
    o->lr = 0.01;
}

/* XOR with a 2-2-1 ReLU network and the squared error: the four points
 * must come out on the right side of 1/2, checked on the exact network. */
START_TEST(test_xor)
{
    static const double X[8] = {0, 0, 0, 1, 1, 0, 1, 1}, y[4] = {0, 1, 1, 0};
    trop_dataset_t ds, none;
    trop_model_t m;
    trop_train_opts o;
    trop_train_result res;
    trop_net_t net;
    trop_error err;
    slong i;
    trop_dataset_init(ds);
    trop_dataset_init(none);
    ds->n = 4;
    ds->d = 2;
    ds->nclasses = 2;
    ds->X = malloc(sizeof X);
    ds->y = malloc(sizeof y);
    memcpy(ds->X, X, sizeof X);
    memcpy(ds->y, y, sizeof y);
    small_mse_net(m, &o, 2, 2, TROP_ACT_RELU, 1, TROP_INIT_HE, 3);
    o.batch = 4;
    o.epochs = 3000;
    ck_assert_int_eq(trop_train_fit(m, &o, ds, none, &res, &err), TROP_OK);
    ck_assert_int_eq(res.epochs_run, 3000);
    trop_net_init(net, 1);
    ck_assert_int_eq(trop_net_set_model(net, m, &err), TROP_OK);
    for (i = 0; i < 4; i++) {
        fmpq x[2], f[1];
        fmpq_init(x + 0);
        fmpq_init(x + 1);
        fmpq_init(f + 0);
        fmpq_set_si(x + 0, (slong)X[2 * i], 1);
        fmpq_set_si(x + 1, (slong)X[2 * i + 1], 1);
        trop_net_eval_q(f, net, x);
        ck_assert_msg(fabs(trop_q_get_d(f) - y[i]) < 0.1, "XOR(%g,%g) = %g", X[2 * i],
                      X[2 * i + 1], trop_q_get_d(f));
        fmpq_clear(x + 0);
        fmpq_clear(x + 1);
        fmpq_clear(f + 0);
    }
    exact_agrees(m, X, 4);
    trop_net_clear(net);
    trop_model_clear(m);
    trop_dataset_clear(ds);
    trop_dataset_clear(none);
}
END_TEST

/* y = |x| on 101 points of [-1, 1]: a rank-2 maxout unit represents it,
 * no affine map does.  The best affine fit is computed here in closed form
 * (least squares through the normal equations); a net of four rank-2
 * maxout units must get
 * its loss below a thousandth of that. */
START_TEST(test_maxout_nonaffine)
{
    enum { N = 101 };
    trop_dataset_t ds, none;
    trop_model_t m;
    trop_train_opts o;
    trop_train_result res;
    trop_error err;
    double sx = 0, sy = 0, sxx = 0, sxy = 0, a, b, affine = 0, loss, acc;
    slong i;
    trop_dataset_init(ds);
    trop_dataset_init(none);
    ds->n = N;
    ds->d = 1;
    ds->X = malloc(N * sizeof(double));
    ds->y = malloc(N * sizeof(double));
    for (i = 0; i < N; i++) {
        ds->X[i] = -1 + 2 * (double)i / (N - 1);
        ds->y[i] = fabs(ds->X[i]);
        sx += ds->X[i];
        sy += ds->y[i];
        sxx += ds->X[i] * ds->X[i];
        sxy += ds->X[i] * ds->y[i];
    }
    a = (N * sxy - sx * sy) / (N * sxx - sx * sx);
    b = (sy - a * sx) / N;
    for (i = 0; i < N; i++)
        affine += (a * ds->X[i] + b - ds->y[i]) * (a * ds->X[i] + b - ds->y[i]) / N;
    ck_assert(affine > 0.07);   /* about var(|x|) = 1/12 */
    small_mse_net(m, &o, 1, 4 * 2, TROP_ACT_MAXOUT, 2, TROP_INIT_GLOROT, 5);
    o.batch = 16;
    o.epochs = 400;
    ck_assert_int_eq(trop_train_fit(m, &o, ds, none, &res, &err), TROP_OK);
    ck_assert_int_eq(trop_model_evaluate(&loss, &acc, NULL, m, TROP_LOSS_MSE, ds, &err),
                     TROP_OK);
    ck_assert(isnan(acc));
    ck_assert_msg(loss < 1e-3 * affine, "maxout loss %g, affine %g", loss, affine);
    exact_agrees(m, ds->X, N);
    trop_model_clear(m);
    trop_dataset_clear(ds);
    trop_dataset_clear(none);
}
END_TEST

/* Reads, splits (0.2 validation, 0.2 test, seed 1) and standardises a
 * scikit-learn CSV; the constants come from the training part only. */
static void load_split(trop_dataset_t tr, trop_dataset_t va, trop_dataset_t te,
                       const char *file)
{
    char path[4096];
    trop_dataset_t all;
    trop_error err;
    double mean[64], scale[64];
    snprintf(path, sizeof path, "%s/csv/%s", TROP_TEST_DATA_DIR, file);
    trop_dataset_init(all);
    ck_assert_msg(trop_dataset_read_csv(all, path, NULL, &err) == TROP_OK, "%s", err.msg);
    ck_assert(all->d <= 64);
    trop_dataset_split(tr, va, te, all, 0.2, 0.2, 1);
    trop_dataset_standardize_fit(mean, scale, tr);
    trop_dataset_standardize(tr, mean, scale);
    trop_dataset_standardize(va, mean, scale);
    trop_dataset_standardize(te, mean, scale);
    trop_dataset_clear(all);
}

/* iris and wine: a small ReLU net and a small maxout net reach at least
 * 0.93 accuracy on the held-out test part (the threshold), and
 * the confusion matrix adds up to the test set. */
START_TEST(test_real_data)
{
    const char *file = _i / 2 == 0 ? "iris.csv" : "wine_data.csv";
    int maxout = _i % 2;
    trop_dataset_t tr, va, te;
    trop_model_t m;
    trop_train_opts o;
    trop_train_result res;
    trop_error err;
    double loss, acc;
    slong conf[9], i, sum = 0, diag = 0;
    trop_dataset_init(tr);
    trop_dataset_init(va);
    trop_dataset_init(te);
    load_split(tr, va, te, file);
    ck_assert_int_eq(tr->nclasses, 3);
    trop_model_init(m, tr->d);
    if (maxout) {
        trop_model_append_layer(m, 8 * 3, TROP_ACT_MAXOUT, 0, 1, 3);
    } else {
        trop_model_append_layer(m, 16, TROP_ACT_RELU, 0, 1, 1);
        trop_model_append_layer(m, 16, TROP_ACT_RELU, 0, 1, 1);
    }
    trop_model_append_layer(m, 3, TROP_ACT_LINEAR, 0, 1, 1);
    trop_model_init_weights(m, TROP_INIT_HE, 1);
    trop_train_opts_init(&o);
    o.epochs = 200;
    o.batch = 16;
    o.lr = 0.01;
    o.patience = 40;
    ck_assert_int_eq(trop_train_fit(m, &o, tr, va, &res, &err), TROP_OK);
    ck_assert(res.best_epoch >= 1 && res.best_epoch <= res.epochs_run);
    ck_assert_int_eq(trop_model_evaluate(&loss, &acc, conf, m, TROP_LOSS_CE, te, &err),
                     TROP_OK);
    for (i = 0; i < 9; i++) {
        sum += conf[i];
        diag += i % 4 == 0 ? conf[i] : 0;
    }
    ck_assert_int_eq(sum, te->n);
    ck_assert(acc == (double)diag / (double)te->n);
    ck_assert_msg(acc >= 0.93, "%s %s: test accuracy %g (loss %g, best epoch %ld of %ld)",
                  file, maxout ? "maxout" : "relu", acc, loss, res.best_epoch, res.epochs_run);
    exact_agrees(m, te->X, te->n);
    trop_model_clear(m);
    trop_dataset_clear(tr);
    trop_dataset_clear(va);
    trop_dataset_clear(te);
}
END_TEST

/* A fixed seed gives the same weights bit for bit; a model survives
 * net.bin (both encodings) and the JSON format bit for bit. */
START_TEST(test_reproducible_reload)
{
    trop_dataset_t tr, va, te;
    trop_model_t m1, m2, back;
    trop_train_opts o;
    trop_train_result res;
    trop_net_t net, net2;
    trop_error err;
    char path[4096];
    slong l, rep;
    trop_dataset_init(tr);
    trop_dataset_init(va);
    trop_dataset_init(te);
    load_split(tr, va, te, "iris.csv");
    trop_train_opts_init(&o);
    o.epochs = 5;
    o.batch = 8;
    trop_model_init(m1, 4);
    trop_model_init(m2, 4);
    trop_model_init(back, 4);
    for (rep = 0; rep < 2; rep++) {
        trop_model_struct *m = rep ? m2 : m1;
        trop_model_append_layer(m, 6, TROP_ACT_LEAKY, 1, 10, 1);
        trop_model_append_layer(m, 6, TROP_ACT_MAXOUT, 0, 1, 2);
        trop_model_append_layer(m, 3, TROP_ACT_LINEAR, 0, 1, 1);
        trop_model_init_weights(m, TROP_INIT_HE, 11);
        ck_assert_int_eq(trop_train_fit(m, &o, tr, va, &res, &err), TROP_OK);
    }
    {
        double mean[4] = {5.8, 3.0, 3.7, 1.2}, scale[4] = {0.8, 0.4, 1.7, 0.75};
        trop_model_set_std(m1, mean, scale);
    }
    trop_net_init(net, 1);
    trop_net_init(net2, 1);
    ck_assert_int_eq(trop_net_set_model(net, m1, &err), TROP_OK);
    ck_assert(trop_net_get_meta(net, "x") == NULL);
    for (rep = 0; rep < 3; rep++) {
        snprintf(path, sizeof path, "%s/test_train_reload%ld.bin", TROP_TEST_BUILD_DIR, rep);
        if (rep < 2)
            ck_assert_int_eq(trop_net_write_bin(net, path, rep ? TROP_NET_ENC_F64
                                                               : TROP_NET_ENC_RATIONAL, &err),
                             TROP_OK);
        else
            ck_assert_int_eq(trop_net_write_json(net, path, &err), TROP_OK);
        ck_assert_msg(trop_net_read(net2, path, &err) == TROP_OK, "%s", err.msg);
        ck_assert_int_eq(trop_model_set_net(back, net2, &err), TROP_OK);
        ck_assert_int_eq(back->nlayers, 3);
        ck_assert(back->has_std);
        ck_assert(memcmp(back->mean, m1->mean, 4 * sizeof(double)) == 0);
        ck_assert(memcmp(back->scale, m1->scale, 4 * sizeof(double)) == 0);
        for (l = 0; l < 3; l++) {
            trop_model_layer_struct *A = m1->layers + l, *B = back->layers + l, *C = m2->layers + l;
            ck_assert(A->act == B->act && A->k == B->k && A->nout == B->nout);
            ck_assert(A->slope_num == B->slope_num && A->slope_den == B->slope_den);
            ck_assert(memcmp(A->W, B->W, (size_t)(A->nout * A->nin) * sizeof(double)) == 0);
            ck_assert(memcmp(A->b, B->b, (size_t)A->nout * sizeof(double)) == 0);
            ck_assert(memcmp(A->W, C->W, (size_t)(A->nout * A->nin) * sizeof(double)) == 0);
            ck_assert(memcmp(A->b, C->b, (size_t)A->nout * sizeof(double)) == 0);
        }
        remove(path);
    }
    ck_assert(fmpq_equal_si(net->layers[0].slope, 1) == 0);
    ck_assert(fmpz_equal_si(fmpq_numref(net->layers[0].slope), 1)
              && fmpz_equal_si(fmpq_denref(net->layers[0].slope), 10));
    exact_agrees(m1, te->X, te->n);
    trop_net_clear(net);
    trop_net_clear(net2);
    trop_model_clear(m1);
    trop_model_clear(m2);
    trop_model_clear(back);
    trop_dataset_clear(tr);
    trop_dataset_clear(va);
    trop_dataset_clear(te);
}
END_TEST

/* Data that does not fit the model is an error that says why. */
START_TEST(test_bad_fit)
{
    trop_dataset_t ds, none;
    trop_model_t m;
    trop_train_opts o;
    trop_train_result res;
    trop_error err;
    double loss, acc;
    trop_dataset_init(ds);
    trop_dataset_init(none);
    ck_assert_int_eq(trop_dataset_read_csv(ds, case_path("good.csv"), NULL, &err), TROP_OK);
    trop_model_init(m, ds->d);
    trop_model_append_layer(m, 4, TROP_ACT_RELU, 0, 1, 1);
    trop_model_append_layer(m, 2, TROP_ACT_LINEAR, 0, 1, 1);
    trop_train_opts_init(&o);
    /* labels beyond the model's classes */
    ds->y[0] = 5;
    ds->nclasses = 6;
    ck_assert_int_eq(trop_train_fit(m, &o, ds, none, &res, &err), TROP_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "2 outputs, the data 6 classes"), "%s", err.msg);
    ck_assert_int_eq(trop_model_evaluate(&loss, &acc, NULL, m, TROP_LOSS_CE, ds, &err),
                     TROP_ERR_INVALID);
    /* a numeric target under cross-entropy */
    ds->nclasses = 0;
    ck_assert_int_eq(trop_train_fit(m, &o, ds, none, &res, &err), TROP_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "needs class labels"), "%s", err.msg);
    /* a feature count that differs */
    trop_model_clear(m);
    trop_model_init(m, ds->d + 1);
    trop_model_append_layer(m, 2, TROP_ACT_LINEAR, 0, 1, 1);
    ck_assert_int_eq(trop_train_fit(m, &o, ds, none, &res, &err), TROP_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "features"), "%s", err.msg);
    /* bad options */
    trop_model_clear(m);
    trop_model_init(m, ds->d);
    trop_model_append_layer(m, 1, TROP_ACT_LINEAR, 0, 1, 1);
    o.loss = TROP_LOSS_MSE;
    o.batch = 0;
    ck_assert_int_eq(trop_train_fit(m, &o, ds, none, &res, &err), TROP_ERR_INVALID);
    o.batch = 1;
    o.lr = NAN;
    ck_assert_int_eq(trop_train_fit(m, &o, ds, none, &res, &err), TROP_ERR_INVALID);
    trop_model_clear(m);
    trop_dataset_clear(ds);
    trop_dataset_clear(none);
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
    tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_gradient, 0, 15);
    tcase_add_test(tc, test_xor);
    tcase_add_test(tc, test_maxout_nonaffine);
    tcase_add_loop_test(tc, test_real_data, 0, 4);
    tcase_add_test(tc, test_reproducible_reload);
    tcase_add_test(tc, test_bad_fit);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(train_suite);
}
