/* tests/test_net.c: the network readers and writers (NNet, JSON, net.bin),
 * the exact decimal parser they share, and format detection.
 *
 * Expected values are known independently of the code under test: from the
 * case READMEs in tests/data/<case>/ (copied from shared/cases), from
 * FORMATS.md section 1.4 (fc_2-2-3), and for ACAS Xu from an exact Python
 * evaluation (see test acasxu_eval); the ONNX files against the weights
 * and behaviour ../shared/data/PROVENANCE.md records for them and against
 * their NNet twins.  Random loops round-trip random nets
 * through JSON and net.bin, and corrupt net.bin files byte by byte. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "trop/net.h"
#include "runner.h"
#include "helpers.h"

/* ------------------------------------------------------------------ */
/* helpers                                                            */

#define ck_assert_q(x, s)                                                    \
    do {                                                                     \
        char *got_ = trop_q_get_str(x);                                      \
        ck_assert_msg(trop_test_q_is(x, s), "expected %s, got %s", s, got_);           \
        flint_free(got_);                                                    \
    } while (0)

static int vec_equal(const fmpq *a, const fmpq *b, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        if (!fmpq_equal(a + i, b + i))
            return 0;
    return 1;
}

static int layers_equal(const trop_net_t a, const trop_net_t b)
{
    slong l;
    if (a->input_dim != b->input_dim || a->nlayers != b->nlayers)
        return 0;
    for (l = 0; l < a->nlayers; l++) {
        const trop_layer_struct *A = a->layers + l, *B = b->layers + l;
        if (A->act != B->act || A->nout != B->nout || A->nin != B->nin || A->k != B->k
            || !fmpq_equal(A->slope, B->slope) || !vec_equal(A->W, B->W, A->nout * A->nin)
            || !vec_equal(A->b, B->b, A->nout))
            return 0;
    }
    return 1;
}

/* Layers, box, normalisation and metadata all equal. */
static int nets_equal(const trop_net_t a, const trop_net_t b)
{
    slong i, n = a->input_dim;
    if (!layers_equal(a, b) || a->has_box != b->has_box || a->has_norm != b->has_norm
        || a->nmeta != b->nmeta)
        return 0;
    if (a->has_box && (!vec_equal(a->box_lo, b->box_lo, n) || !vec_equal(a->box_hi, b->box_hi, n)))
        return 0;
    if (a->has_norm && (!vec_equal(a->in_mean, b->in_mean, n)
                        || !vec_equal(a->in_range, b->in_range, n)
                        || !fmpq_equal(a->out_mean, b->out_mean)
                        || !fmpq_equal(a->out_range, b->out_range)))
        return 0;
    for (i = 0; i < a->nmeta; i++) {
        const char *v = trop_net_get_meta(b, a->meta_key[i]);
        if (v == NULL || strcmp(v, a->meta_val[i]) != 0)
            return 0;
    }
    return 1;
}

/* Reads the file at path, asserting success. */
static void read_path_ok(trop_net_t net, const char *path)
{
    trop_error e;
    trop_status st = trop_net_read(net, path, &e);
    ck_assert_msg(st == TROP_OK, "%s: %s", path, st ? e.msg : "");
    ck_assert_int_eq(trop_net_validate(net, NULL), TROP_OK);
}

/* Reads tests/data/<name>, asserting success. */
static void read_ok(trop_net_t net, const char *name)
{
    read_path_ok(net, trop_test_data(name));
}

/* Reads tests/data/<name>, asserting a format or invalid-input error whose
 * message contains each of the (up to 3) substrings given. */
static void read_fails_at(const char *path, const char *name, const char *s1,
                          const char *s2, const char *s3)
{
    trop_net_t net;
    trop_error e;
    trop_status st;
    const char *subs[3] = {s1, s2, s3};
    int i;
    trop_net_init(net, 3);
    st = trop_net_read(net, path, &e);
    ck_assert_msg(st == TROP_ERR_FORMAT || st == TROP_ERR_INVALID,
                  "%s: expected a format/invalid error, got %d", name, (int)st);
    for (i = 0; i < 3; i++)
        if (subs[i])
            ck_assert_msg(strstr(e.msg, subs[i]) != NULL, "%s: message \"%s\" lacks \"%s\"",
                          name, e.msg, subs[i]);
    /* the name of the file is in the message */
    ck_assert_msg(strstr(e.msg, strrchr(name, '/') + 1) != NULL, "no file name in: %s", e.msg);
    /* a failed read leaves an empty network with one input */
    ck_assert_int_eq(net->input_dim, 1);
    ck_assert_int_eq(net->nlayers, 0);
    trop_net_clear(net);
}

/* Reads the test file name and expects an error whose message contains
 * s1, s2, s3 (those not NULL); then the same from a copy under a 220-byte
 * directory name, so a long checkout path cannot push the message out. */
static void read_fails(const char *name, const char *s1, const char *s2, const char *s3)
{
    char dir[512], path[768], *buf;
    size_t len, n;
    trop_error e;
    FILE *fp;
    read_fails_at(trop_test_data(name), name, s1, s2, s3);
    snprintf(dir, sizeof dir, "%s/trop-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    n = strlen(dir);
    dir[n++] = '/';
    memset(dir + n, 'd', 220);
    dir[n + 220] = '\0';
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s%s", dir, strrchr(name, '/'));
    ck_assert_int_eq(trop_file_read_all(trop_test_data(name), &buf, &len, &e), TROP_OK);
    fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(buf, 1, len, fp), len);
    fclose(fp);
    trop_free(buf);
    read_fails_at(path, name, s1, s2, s3);
    remove(path);
    rmdir(dir);
    dir[n - 1] = '\0';
    rmdir(dir);
}

/* y = net(x) exactly, x and the expected y given as strings. */
static void check_eval(const trop_net_t net, const char **x, const char **y)
{
    slong i, n = net->input_dim, m = trop_net_output_dim(net);
    fmpq *xv = _fmpq_vec_init(n), *yv = _fmpq_vec_init(m);
    for (i = 0; i < n; i++)
        trop_test_q_set(xv + i, x[i]);
    trop_net_eval_q(yv, net, xv);
    for (i = 0; i < m; i++)
        ck_assert_q(yv + i, y[i]);
    _fmpq_vec_clear(xv, n);
    _fmpq_vec_clear(yv, m);
}

static void check_eval1(const trop_net_t net, const char *x, const char *y)
{
    check_eval(net, &x, &y);
}

/* A path for a temporary file in the build tree, unique per process. */
static const char *tmp_path(const char *tag)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/test_net_%ld_%s", TROP_TEST_BUILD_DIR, (long)getpid(), tag);
    return buf;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    char *buf;
    trop_error e;
    ck_assert_msg(trop_file_read_all(path, &buf, len, &e) == TROP_OK, "%s", e.msg);
    return (unsigned char *)buf;
}

/* Writes net as net.bin with enc and returns the bytes. */
static unsigned char *bin_bytes(const trop_net_t net, trop_net_encoding enc, size_t *len)
{
    trop_error e;
    const char *p = tmp_path("bytes.bin");
    unsigned char *b;
    ck_assert_msg(trop_net_write_bin(net, p, enc, &e) == TROP_OK, "%s", e.msg);
    b = slurp(p, len);
    unlink(p);
    return b;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* Recomputes the trailing CRC-32, so a corruption reaches the parser. */
static void fix_crc(unsigned char *b, size_t len)
{
    put_u32(b + len - 4, (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), b, len - 4));
}

/* ------------------------------------------------------------------ */
/* decimal and rational text                                          */

typedef struct dec_case {
    const char *in;
    trop_status st;
    const char *val;    /* expected value when st == TROP_OK */
    const char *msg;    /* substring of the message otherwise */
} dec_case;

static const dec_case dec_cases[] = {
    {"0.1", TROP_OK, "1/10", NULL},
    {"-2.5e-3", TROP_OK, "-1/400", NULL},
    {"1.5E3", TROP_OK, "1500", NULL},
    {".5", TROP_OK, "1/2", NULL},
    {"5.", TROP_OK, "5", NULL},
    {"+7", TROP_OK, "7", NULL},
    {"-0.0", TROP_OK, "0", NULL},
    {"0e999999999999", TROP_OK, "0", NULL},
    {"000123.4500", TROP_OK, "2469/20", NULL},
    {"5.40062e-02", TROP_OK, "270031/5000000", NULL},
    {"1e22", TROP_OK, "10000000000000000000000", NULL},
    {"1e300", TROP_OK, NULL, NULL},
    /* DBL_MAX exactly, and just above it */
    {"1.7976931348623157e308", TROP_OK, NULL, NULL},
    {"1.7976931348623159e308", TROP_ERR_INVALID, NULL, "DBL_MAX"},
    /* 2^-1074 = 4.9406564584124654417...e-324: just below and just above */
    {"4.9406564584124654e-324", TROP_OK, NULL, NULL},   /* rounds to 2^-1074: kept exactly */
    /* 2^-1075 = 2.4703282292062327208...e-324 rounds to 0: just below and above */
    {"2.4703282292062327e-324", TROP_ERR_INVALID, NULL, "2^-1074"},
    {"2.4703282292062328e-324", TROP_OK, NULL, NULL},
    {"4.9406564584124655e-324", TROP_OK, NULL, NULL},
    {"5e-324", TROP_OK, NULL, NULL},
    {"1e-300", TROP_OK, NULL, NULL},
    {"1e400", TROP_ERR_INVALID, NULL, "\"1e400\""},
    {"-1e-400", TROP_ERR_INVALID, NULL, "\"-1e-400\""},
    {"1e999999999", TROP_ERR_INVALID, NULL, "DBL_MAX"},
    {"1e-99999999999999999999", TROP_ERR_INVALID, NULL, "2^-1074"},
    {"0.0000000000000000000000000001e-300", TROP_ERR_INVALID, NULL, "2^-1074"},
    {"nan", TROP_ERR_INVALID, NULL, "NaN"},
    {"NaN", TROP_ERR_INVALID, NULL, "NaN"},
    {"-nan(123)", TROP_ERR_INVALID, NULL, "NaN"},
    {"inf", TROP_ERR_INVALID, NULL, "infinity"},
    {"-Infinity", TROP_ERR_INVALID, NULL, "\"-Infinity\""},
    {"INF", TROP_ERR_INVALID, NULL, "infinity"},
    {"0x1p-3", TROP_ERR_FORMAT, NULL, "hexadecimal"},
    {"-0X10", TROP_ERR_FORMAT, NULL, "hexadecimal"},
    {"1e", TROP_ERR_FORMAT, NULL, "exponent"},
    {"1e+", TROP_ERR_FORMAT, NULL, "exponent"},
    {".", TROP_ERR_FORMAT, NULL, "expected a number"},
    {"-", TROP_ERR_FORMAT, NULL, "expected a number"},
    {"", TROP_ERR_FORMAT, NULL, "expected a number"},
    {"information", TROP_ERR_FORMAT, NULL, "expected a number"},
    {" 1", TROP_ERR_FORMAT, NULL, "expected a number"},
};

START_TEST(decimal_table)
{
    size_t i;
    fmpq_t x;
    fmpq_init(x);
    for (i = 0; i < sizeof dec_cases / sizeof dec_cases[0]; i++) {
        const dec_case *c = dec_cases + i;
        trop_error e;
        const char *end;
        trop_status st = trop_q_parse_decimal(x, c->in, &end, &e);
        ck_assert_msg(st == c->st, "\"%s\": status %d, expected %d", c->in, (int)st, (int)c->st);
        if (st == TROP_OK) {
            ck_assert_msg(*end == '\0', "\"%s\": stopped early", c->in);
            if (c->val)
                ck_assert_q(x, c->val);
        } else {
            ck_assert_msg(strstr(e.msg, c->msg) != NULL, "\"%s\": message \"%s\" lacks \"%s\"",
                          c->in, e.msg, c->msg);
            ck_assert(fmpq_is_zero(x));
        }
    }
    fmpq_clear(x);
}
END_TEST

START_TEST(decimal_prefix)
{
    fmpq_t x;
    const char *s = "12.5,3", *end;
    fmpq_init(x);
    ck_assert_int_eq(trop_q_parse_decimal(x, s, &end, NULL), TROP_OK);
    ck_assert_ptr_eq(end, s + 4);
    ck_assert_q(x, "25/2");
    /* "1;0" parses the 1 and stops at the semicolon */
    ck_assert_int_eq(trop_q_parse_decimal(x, "1;0", &end, NULL), TROP_OK);
    ck_assert_int_eq(*end, ';');
    /* 1e300 is exactly 10^300 */
    ck_assert_int_eq(trop_q_parse_decimal(x, "1e300", NULL, NULL), TROP_OK);
    {
        fmpz_t p;
        fmpz_init_set_ui(p, 10);
        fmpz_pow_ui(p, p, 300);
        ck_assert(fmpz_equal(fmpq_numref(x), p) && fmpz_is_one(fmpq_denref(x)));
        fmpz_clear(p);
    }
    fmpq_clear(x);
}
END_TEST

START_TEST(set_str_table)
{
    static const dec_case cases[] = {
        {"1/10", TROP_OK, "1/10", NULL},
        {"  -3/6 ", TROP_OK, "-1/2", NULL},
        {"+4/2", TROP_OK, "2", NULL},
        {" 0.125\t", TROP_OK, "1/8", NULL},
        {"-1", TROP_OK, "-1", NULL},
        {"123456789012345678901234567890/7", TROP_OK, "123456789012345678901234567890/7", NULL},
        {"1/0", TROP_ERR_INVALID, NULL, "zero denominator"},
        {"5/000", TROP_ERR_INVALID, NULL, "zero denominator"},
        {"1/", TROP_ERR_FORMAT, NULL, "\"1/\""},
        {"1/-2", TROP_ERR_FORMAT, NULL, NULL},
        {"1.5/2", TROP_ERR_FORMAT, NULL, "unexpected text"},
        {"1.5x", TROP_ERR_FORMAT, NULL, "unexpected text"},
        {"1 2", TROP_ERR_FORMAT, NULL, "unexpected text"},
        {"abc", TROP_ERR_FORMAT, NULL, "\"abc\""},
        {"inf", TROP_ERR_INVALID, NULL, "infinity"},
        {"", TROP_ERR_FORMAT, NULL, NULL},
    };
    size_t i;
    fmpq_t x;
    fmpq_init(x);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        trop_error e;
        trop_status st = trop_q_set_str(x, cases[i].in, &e);
        ck_assert_msg(st == cases[i].st, "\"%s\": status %d", cases[i].in, (int)st);
        if (st == TROP_OK)
            ck_assert_q(x, cases[i].val);
        else if (cases[i].msg)
            ck_assert_msg(strstr(e.msg, cases[i].msg) != NULL, "\"%s\": %s", cases[i].in, e.msg);
    }
    fmpq_clear(x);
}
END_TEST

/* Random m * 10^e written as "<m>e<e>" and as a decimal with a point
 * parse to the value computed with fmpz arithmetic. */
START_TEST(decimal_random)
{
    trop_rng r;
    int it;
    fmpq_t x, y;
    fmpz_t p;
    trop_rng_init(&r, trop_test_seed() + (unsigned long long)_i);
    fmpq_init(x);
    fmpq_init(y);
    fmpz_init(p);
    for (it = 0; it < 200; it++) {
        long long m = (long long)trop_rng_below(&r, 2000000001) - 1000000000;
        /* |m| < 10^9 and e <= 290 keep the value inside the double range */
        long e = (long)trop_rng_below(&r, 591) - 300;
        char s[64];
        snprintf(s, sizeof s, "%lld%c%ld", m, trop_rng_below(&r, 2) ? 'e' : 'E', e);
        ck_assert_msg(trop_q_parse_decimal(x, s, NULL, NULL) == TROP_OK, "%s (seed %llu)", s,
                      trop_test_seed() + (unsigned long long)_i);
        fmpz_set_ui(p, 10);
        fmpz_pow_ui(p, p, (ulong)labs(e));
        fmpz_set_si(fmpq_numref(y), (slong)m);
        fmpz_one(fmpq_denref(y));
        if (e >= 0)
            fmpq_mul_fmpz(y, y, p);
        else
            fmpq_div_fmpz(y, y, p);
        ck_assert_msg(fmpq_equal(x, y), "%s (seed %llu)", s, trop_test_seed() + (unsigned long long)_i);
    }
    fmpq_clear(x);
    fmpq_clear(y);
    fmpz_clear(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* NNet                                                               */

START_TEST(nnet_fc_2_2_3)
{
    /* FORMATS.md 1.4: x = (1, 2) gives h = (3, 0) and y = (6, -3, 3) */
    static const char *x[2] = {"1", "2"}, *y[3] = {"6", "-3", "3"};
    trop_net_t net;
    trop_net_init(net, 1);
    read_ok(net, "nnet/fc_2-2-3.nnet");
    ck_assert_int_eq(net->input_dim, 2);
    ck_assert_int_eq(net->nlayers, 2);
    ck_assert_int_eq(net->layers[0].act, TROP_ACT_RELU);
    ck_assert_int_eq(net->layers[1].act, TROP_ACT_LINEAR);
    ck_assert_int_eq(trop_net_output_dim(net), 3);
    check_eval(net, x, y);
    /* min/max +-100000, mean 0, range 1: the box is +-100000 */
    ck_assert(net->has_box && net->has_norm);
    ck_assert_q(net->box_lo + 0, "-100000");
    ck_assert_q(net->box_hi + 1, "100000");
    ck_assert_q(net->out_range, "1");
    trop_net_clear(net);
}
END_TEST

START_TEST(nnet_case19_variants)
{
    static const char *files[] = {
        "19-nnet-crlf-trailing-commas/net_crlf.nnet",
        "19-nnet-crlf-trailing-commas/net_crlf_no_trailing_commas_spaces.nnet",
        "19-nnet-crlf-trailing-commas/net_no_final_newline.nnet",
        "19-nnet-crlf-trailing-commas/net_trailing_blank_lines_and_spaces.nnet",
        "19-nnet-crlf-trailing-commas/net_lone_cr_on_one_line.nnet",
    };
    trop_net_t ref, net, js;
    size_t i;
    trop_net_init(ref, 1);
    trop_net_init(net, 1);
    trop_net_init(js, 1);
    read_ok(ref, "19-nnet-crlf-trailing-commas/net_lf.nnet");
    /* README: W1 = [[1,-1],[1,1]], b1 = [0,-0.5], W2 = [[1,1]], b2 = [0] */
    ck_assert_q(ref->layers[0].W + 1, "-1");
    ck_assert_q(ref->layers[0].b + 1, "-1/2");
    ck_assert_q(ref->box_lo + 0, "-1");
    ck_assert_q(ref->box_hi + 1, "1");
    {
        static const char *x[4][2] = {{"1", "0"}, {"0", "1"}, {"1/2", "-1/2"}, {"-1", "-1"}};
        static const char *y[4] = {"3/2", "1/2", "1", "0"};
        int k;
        for (k = 0; k < 4; k++)
            check_eval(ref, x[k], y + k);
    }
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        read_ok(net, files[i]);
        ck_assert_msg(nets_equal(net, ref), "%s differs from net_lf.nnet", files[i]);
    }
    read_ok(js, "19-nnet-crlf-trailing-commas/net.json");
    ck_assert(layers_equal(js, ref));
    read_fails("19-nnet-crlf-trailing-commas/net_comment_inside_body.nnet", "line 12:",
               "comment", NULL);
    trop_net_clear(ref);
    trop_net_clear(net);
    trop_net_clear(js);
}
END_TEST

START_TEST(nnet_case17)
{
    trop_net_t net;
    trop_net_init(net, 1);
    read_ok(net, "17-nonfinite-and-unrepresentable-values/net_good.nnet");
    check_eval(net, (const char *[]){"-1", "1/3"}, (const char *[]){"1/3"});
    check_eval(net, (const char *[]){"2", "5"}, (const char *[]){"7"});  /* no clipping */
    ck_assert_q(net->box_lo + 1, "-1");
    trop_net_clear(net);
#define C17 "17-nonfinite-and-unrepresentable-values/"
    read_fails(C17 "net_nan_weight.nnet", "line 9:", "\"nan\"", "NaN");
    read_fails(C17 "net_inf_weight.nnet", "line 9:", "\"inf\"", "infinity");
    read_fails(C17 "net_minus_infinity_weight.nnet", "line 9:", "\"-Infinity\"", NULL);
    read_fails(C17 "net_1e400_weight.nnet", "line 9:", "\"1e400\"", "out of the range");
    read_fails(C17 "net_hexfloat_weight.nnet", "line 9:", "\"0x1p-3\"", "hexadecimal");
    read_fails(C17 "net_truncated_exponent_weight.nnet", "line 9:", "\"1e\"", "exponent");
    read_fails(C17 "net_zero_range.nnet", "line 8:", "range of input 2 is 0", "divide by zero");
    read_fails(C17 "net_inf_input_min.nnet", "line 5:", "\"-inf\"", NULL);
}
END_TEST

START_TEST(nnet_case18)
{
    trop_net_t ref, net;
#define C18 "18-truncated-and-corrupt-files/"
    trop_net_init(ref, 1);
    trop_net_init(net, 1);
    read_ok(ref, C18 "nnet_reference_good.nnet");
    read_ok(net, C18 "nnet_utf8_bom.nnet");      /* the mark is stripped */
    ck_assert(nets_equal(net, ref));
    read_fails(C18 "nnet_truncated_mid_file.nnet", "unexpected end of file after line 8",
               "weights of layer 1 missing", NULL);
    read_fails(C18 "nnet_truncated_last_value.nnet", "unexpected end of file after line 13",
               "1 bias of layer 2 missing", NULL);
    read_fails(C18 "nnet_layer_count_mismatch.nnet", "line 3:",
               "layer sizes line has 3 values, expected 4", NULL);
    read_fails(C18 "nnet_short_weight_row.nnet", "line 10:", "expected 2 weights", "found 1");
    read_fails(C18 "nnet_extra_trailing_values.nnet", "line 15:", "trailing data after layer 2",
               NULL);
    read_fails(C18 "nnet_negative_layer_size.nnet", "line 3:", "invalid layer size -2", NULL);
    read_fails(C18 "nnet_wrong_max_layer_size.nnet", "line 2:", "header inconsistency",
               "maxLayerSize");
    read_fails(C18 "nnet_input_size_disagrees_with_sizes_line.nnet", "line 3:",
               "header inconsistency", NULL);
    read_fails(C18 "nnet_empty.nnet", "empty file", NULL, NULL);
    read_fails(C18 "nnet_only_comments.nnet", "no header found", NULL, NULL);
    read_fails(C18 "nnet_semicolons.nnet", "line 9:", "unexpected character ';'", NULL);
    trop_net_clear(ref);
    trop_net_clear(net);
}
END_TEST

/* Parses an NNet text given inline; returns the status, message in e. */
static trop_status nnet_text(trop_net_t net, const char *text, trop_error *e)
{
    return trop_net_read_nnet(net, text, strlen(text), "t.nnet", e);
}

START_TEST(nnet_inline)
{
    trop_net_t net;
    trop_error e;
    trop_net_init(net, 1);
    /* a single layer is linear; no comment lines; a negative range flips
     * the normalised box; values are exact decimals */
    ck_assert_int_eq(nnet_text(net, "1,1,1,1\n1,1\n0\n-1\n3\n0.5,0.5\n-2,4\n0.1,\n0.2\n", &e),
                     TROP_OK);
    ck_assert_int_eq(net->layers[0].act, TROP_ACT_LINEAR);
    ck_assert_q(net->layers[0].W, "1/10");
    ck_assert_q(net->box_lo, "-5/4");     /* (3 - 0.5) / -2 */
    ck_assert_q(net->box_hi, "3/4");      /* (-1 - 0.5) / -2 */
    ck_assert_q(net->in_range, "-2");
    ck_assert_q(net->out_mean, "1/2");
    /* a blank line inside the body, a double comma, a huge size */
    ck_assert_int_eq(nnet_text(net, "1,1,1,1\n1,1\n0\n-1\n3\n\n0,0\n", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "line 6: expected the means, found an empty line"), "%s", e.msg);
    /* blank lines after a cut are still the end of the file */
    ck_assert_int_eq(nnet_text(net, "1,1,1,1\n1,1\n0\n-1\n3\n \r\n\n", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "unexpected end of file after line 5: the means missing"), "%s",
                  e.msg);
    ck_assert_int_eq(nnet_text(net, "1,1,1,1\n1,1\n0\n-1,,\n", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "line 4: empty field 2"), "%s", e.msg);
    ck_assert_int_eq(nnet_text(net, "1,99999999999999999999,1,1\n", &e), TROP_ERR_LIMIT);
    ck_assert_msg(strstr(e.msg, "line 1: inputSize"), "%s", e.msg);
    /* sizes that pass each limit but not their product: refused before
     * anything is allocated */
    ck_assert_int_eq(nnet_text(net, "1,100000,100000,100000\n100000,100000\n", &e),
                     TROP_ERR_LIMIT);
    ck_assert_int_eq(nnet_text(net, "2.5,1,1,1\n", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "invalid numLayers 5/2"), "%s", e.msg);
    ck_assert_int_eq(nnet_text(net, "1,1,1\n", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "line 1: expected 4 values"), "%s", e.msg);
    /* min above max */
    ck_assert_int_eq(nnet_text(net, "1,1,1,1\n1,1\n0\n2\n1\n0,0\n1,1\n1\n0\n", &e),
                     TROP_ERR_INVALID);
    ck_assert_msg(strstr(e.msg, "line 5: input 1: the maximum is below"), "%s", e.msg);
    /* a NUL byte is an unexpected character, not the end of the text */
    ck_assert_int_eq(trop_net_read_nnet(net, "1,1\0,1,1\n", 9, "t.nnet", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "line 1: the size line, value 2: unexpected character \\x00"), "%s", e.msg);
    ck_assert_int_eq(net->input_dim, 1);
    trop_net_clear(net);
}
END_TEST

/* ACAS Xu 1_1: input 5, six hidden ReLU layers of 50, output 5 (linear).
 * Expected values come from an independent exact evaluation with Python's
 * fractions module (Debian's /usr/bin/python3; numpy is not needed):
 *
 *   from fractions import Fraction as F
 *   L = [l.strip() for l in open(path) if not l.startswith('//')]
 *   nums = lambda l: [F(t) for t in l.split(',') if t.strip()]
 *   ... W_k rows and b_k read line by line as in FORMATS.md 1.1;
 *   h = x; for each layer: z = W h + b, h = max(z, 0) except the last
 *
 * at the normalised point x = (1/10, -1/5, 3/10, 1/20, -2/5).  The box and
 * normalisation are (min - mean) / range from the same script. */
START_TEST(acasxu_read)
{
    trop_net_t net;
    slong l;
    trop_net_init(net, 1);
    read_ok(net, "nnet/ACASXU_run2a_1_1_batch_2000.nnet");
    ck_assert_int_eq(net->input_dim, 5);
    ck_assert_int_eq(net->nlayers, 7);
    for (l = 0; l < 6; l++) {
        ck_assert_int_eq(net->layers[l].act, TROP_ACT_RELU);
        ck_assert_int_eq(net->layers[l].nout, 50);
    }
    ck_assert_int_eq(net->layers[6].act, TROP_ACT_LINEAR);
    ck_assert_int_eq(net->layers[6].nout, 5);
    ck_assert_int_eq(trop_net_num_units(net), 300);
    /* the first weight, 5.40062e-02, exactly */
    ck_assert_q(net->layers[0].W, "270031/5000000");
    ck_assert(net->has_box && net->has_norm);
    ck_assert_q(net->box_lo + 0, "-19791091/60261000");
    ck_assert_q(net->box_hi + 0, "13656303/20087000");
    ck_assert_q(net->box_lo + 1, "-157079650000/314159265359");
    ck_assert_q(net->box_hi + 2, "157079650000/314159265359");
    ck_assert_q(net->box_lo + 3, "-1/2");
    ck_assert_q(net->box_hi + 4, "1/2");
    ck_assert_q(net->in_mean + 0, "19791091/1000");
    ck_assert_q(net->in_range + 1, "314159265359/50000000000");
    ck_assert_q(net->out_mean, "3007553608040239/400000000000000");
    ck_assert_q(net->out_range, "2337187/6250");
    trop_net_clear(net);
}
END_TEST

START_TEST(acasxu_eval)
{
    static const char *x[5] = {"1/10", "-1/5", "3/10", "1/20", "-2/5"};
    static const char *y[5] = {
        "-69547547635384503676997608382483802161351682342934499/"
        "3125000000000000000000000000000000000000000000000000000",
        "-58951755190668714437549227570221955380806117543772969/"
        "3125000000000000000000000000000000000000000000000000000",
        "-47377496846618876005453209188238055642416526016833009/"
        "2500000000000000000000000000000000000000000000000000000",
        "-23693575857729701053181935083357282987270865151069913/"
        "1250000000000000000000000000000000000000000000000000000",
        "-118982373312896898501502834440301187260536934776381119/"
        "6250000000000000000000000000000000000000000000000000000",
    };
    /* float(...) of the values above, from the same script */
    static const double yd[5] = {-0.02225521524332304, -0.01886456166101399,
                                 -0.01895099873864755, -0.01895486068618376,
                                 -0.019037179730063504};
    const double xd[5] = {0.1, -0.2, 0.3, 0.05, -0.4};
    double out[5];
    trop_net_t net;
    int i;
    trop_net_init(net, 1);
    read_ok(net, "nnet/ACASXU_run2a_1_1_batch_2000.nnet");
    check_eval(net, x, y);
    trop_net_eval_d(out, net, xd);
    for (i = 0; i < 5; i++)
        ck_assert_msg(fabs(out[i] - yd[i]) < 1e-12, "output %d: %.17g vs %.17g", i, out[i], yd[i]);
    trop_net_clear(net);
}
END_TEST

/* ------------------------------------------------------------------ */
/* JSON                                                               */

START_TEST(json_case09)
{
    trop_net_t a, b;
    trop_net_init(a, 1);
    trop_net_init(b, 1);
    read_ok(a, "09-decimal-vs-binary64-concurrency/net.json");
    read_ok(b, "09-decimal-vs-binary64-concurrency/net_rational.json");
    ck_assert(nets_equal(a, b));
    /* decimal text is exact: -0.1 - 0.2 = -0.3 */
    ck_assert_q(a->layers[0].b + 0, "-1/10");
    ck_assert_q(a->layers[0].b + 1, "-1/5");
    ck_assert_q(a->layers[0].b + 2, "-3/10");
    ck_assert(!a->has_box && !a->has_norm);
    /* at the common point (0.1, 0.2) every ReLU is exactly 0 */
    check_eval(a, (const char *[]){"1/10", "1/5"}, (const char *[]){"0"});
    trop_net_clear(a);
    trop_net_clear(b);
}
END_TEST

START_TEST(json_case12_maxout)
{
    static const char *x[4] = {"-1", "-1/2", "1/4", "1"}, *y[4] = {"3", "2", "3/2", "3"};
    trop_net_t net;
    int i;
    trop_net_init(net, 1);
    read_ok(net, "12-maxout-grouping-convention/net.json");
    ck_assert_int_eq(net->layers[0].act, TROP_ACT_MAXOUT);
    ck_assert_int_eq(net->layers[0].k, 2);
    ck_assert_int_eq(trop_layer_width(net->layers + 0), 2);
    /* consecutive grouping: f = 2|x| + 1 */
    for (i = 0; i < 4; i++)
        check_eval1(net, x[i], y[i]);
    trop_net_clear(net);
}
END_TEST

START_TEST(json_case15_slopes)
{
    static const struct {
        const char *file, *slope, *y[3];
    } cases[] = {
        {"net_slope_1.json", "1", {"-3", "-1", "1"}},
        {"net_slope_0.json", "0", {"0", "0", "1"}},
        {"net_slope_minus1.json", "-1", {"3", "1", "1"}},
        {"net_slope_1_10.json", "1/10", {"-3/10", "-1/10", "1"}},
        {"net_slope_2.json", "2", {"-6", "-2", "1"}},
        {"net_slope_number_0.1.json", "1/10", {"-3/10", "-1/10", "1"}},
    };
    static const char *x[3] = {"-1", "0", "1"};
    trop_net_t net, ref;
    char path[128];
    size_t i;
    int k;
    trop_net_init(net, 1);
    trop_net_init(ref, 1);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "15-leaky-slope-edge-cases/%s", cases[i].file);
        read_ok(net, path);
        ck_assert_int_eq(net->layers[0].act, TROP_ACT_LEAKY);
        ck_assert_q(net->layers[0].slope, cases[i].slope);
        for (k = 0; k < 3; k++)
            check_eval1(net, x[k], cases[i].y[k]);
    }
    /* the JSON number 0.1 loads to the same network as the string "1/10" */
    read_ok(ref, "15-leaky-slope-edge-cases/net_slope_1_10.json");
    ck_assert(nets_equal(net, ref));
    read_ok(net, "15-leaky-slope-edge-cases/net_two_layer_slope1.json");
    check_eval(net, (const char *[]){"-1", "1/2"}, (const char *[]){"0"});
    check_eval(net, (const char *[]){"1", "-1/4"}, (const char *[]){"3/4"});
    trop_net_clear(net);
    trop_net_clear(ref);
}
END_TEST

START_TEST(json_case17)
{
    read_fails(C17 "net_nan_token.json", "line 2,", "layers[0].W[0][1]", "NaN");
    read_fails(C17 "net_infinity_token.json", "line 2,", "layers[0].b[0]", "infinity");
    read_fails(C17 "net_nan_string.json", "line 2,", "layers[0].b[0]", "\"nan\"");
    read_fails(C17 "net_inf_slope_string.json", "line 2,", "layers[0].slope", "\"inf\"");
    read_fails(C17 "net_slope_division_by_zero.json", "line 2,", "layers[0].slope",
               "zero denominator");
    read_fails(C17 "net_1e400.json", "line 2,", "layers[0].W[0][0]", "DBL_MAX");
    read_fails(C17 "net_1e-400.json", "line 2,", "layers[0].W[0][0]", "2^-1074");
}
END_TEST

START_TEST(json_case18)
{
    trop_net_t net, ref;
    trop_net_init(net, 1);
    trop_net_init(ref, 1);
    read_ok(ref, C18 "json_reference_good.json");
    check_eval(ref, (const char *[]){"-1", "1/3"}, (const char *[]){"1/3"});
    read_ok(net, C18 "json_unknown_top_level_key.json");
    ck_assert_int_eq(net->nlayers, 1);
    read_fails(C18 "json_truncated.json", "line 1,", "unexpected end of input", NULL);
    read_fails(C18 "json_ragged_W.json", "layers[0].W[1]", "has 1 entry, expected 2", NULL);
    read_fails(C18 "json_W_cols_vs_input_dim.json", "layers[0].W[0]", "has 3 entries",
               "dimension mismatch");
    read_fails(C18 "json_bias_length.json", "layers[0].b", "has 1 entry, expected 2",
               "dimension mismatch");
    read_fails(C18 "json_layer_chain_mismatch.json", "layers[1].W[0]",
               "dimension mismatch between layers 0 and 1", NULL);
    read_fails(C18 "json_maxout_rows_not_multiple_of_k.json", "layers[0].k",
               "not a multiple of k = 2", NULL);
    read_fails(C18 "json_maxout_k0.json", "layers[0].k", "must be at least 1", NULL);
    read_fails(C18 "json_maxout_missing_k.json", "layers[0]", "maxout needs \"k\"", NULL);
    read_fails(C18 "json_unknown_activation.json", "layers[0].act",
               "unsupported activation \"sigmoid\"", "piecewise linear");
    read_fails(C18 "json_leaky_missing_slope.json", "layers[0]", "leaky needs \"slope\"", NULL);
    read_fails(C18 "json_leaky_bad_slope.json", "layers[0].slope", "not a rational number",
               "\"abc\"");
    read_fails(C18 "json_input_dim_zero.json", "input_dim", "must be at least 1", NULL);
    read_fails(C18 "json_no_layers.json", "layers", "is empty", NULL);
    read_fails(C18 "json_trailing_garbage.json", "line 1, column 70", "trailing data", NULL);
    read_fails(C18 "json_duplicate_key.json", "line 1, column 16", "duplicate key \"input_dim\"",
               NULL);
    read_fails(C18 "json_input_dim_not_integer.json", "input_dim", "must be an integer",
               "2.5");
    trop_net_clear(net);
    trop_net_clear(ref);
}
END_TEST

static trop_status json_text(trop_net_t net, const char *text, trop_error *e)
{
    return trop_net_read_json(net, text, strlen(text), "t.json", e);
}

START_TEST(json_inline)
{
    trop_net_t net;
    trop_error e;
    trop_net_init(net, 1);
    /* integers beyond 64 bits are exact (json-c alone would clamp them),
     * "1." and exponents are exact, strings may hold decimals or p/q */
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[{\"W\":[[123456789012345678901234567890]],"
                               "\"b\":[-9223372036854775809],\"act\":\"linear\"}]}", &e), TROP_OK);
    ck_assert_q(net->layers[0].W, "123456789012345678901234567890");
    ck_assert_q(net->layers[0].b, "-9223372036854775809");
    ck_assert_int_eq(json_text(net, "\xEF\xBB\xBF {\"input_dim\":2.0,\"layers\":[{\"W\":[[1.,\"2.5e-1\"]],"
                               "\"b\":[\"-7/14\"],\"act\":\"relu\"}],"
                               "\"box\":{\"lo\":[-1,\"-1/3\"],\"hi\":[1,0.5]},"
                               "\"meta\":{\"source\":\"caf\\u00e9 \\\"q\\\"\"}}", &e), TROP_OK);
    ck_assert_q(net->layers[0].W + 1, "1/4");
    ck_assert_q(net->layers[0].b, "-1/2");
    ck_assert(net->has_box);
    ck_assert_q(net->box_lo + 1, "-1/3");
    ck_assert_str_eq(trop_net_get_meta(net, "source"), "caf\xC3\xA9 \"q\"");
    /* a duplicate key deeper down, named with its path and line */
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[\n{\"W\":[[1]],\"b\":[0],"
                               "\"act\":\"relu\",\"b\":[1]}]}", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "line 2, column 33: layers[0]: duplicate key \"b\""), "%s", e.msg);
    /* keys equal only after unescaping are duplicates too */
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"input_\\u0064im\":1,\"layers\":[]}", &e),
                     TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "duplicate key"), "%s", e.msg);
    /* ignored top-level keys are ignored, but not their duplicate keys */
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[{\"W\":[[1]],\"b\":[0],"
                               "\"act\":\"relu\"}],\"notes\":[{\"x\":1},{\"y\":[1,{}]}]}", &e), TROP_OK);
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[{\"W\":[[1]],\"b\":[0],"
                               "\"act\":\"relu\"}],\"notes\":[{\"x\":1,\"x\":2}]}", &e),
                     TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "notes: duplicate key \"x\""), "%s", e.msg);
    /* unknown layer keys, k on a relu layer, a box with lo > hi */
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[{\"W\":[[1]],\"b\":[0],"
                               "\"act\":\"relu\",\"bias\":[0]}]}", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "layers[0]: unknown key \"bias\""), "%s", e.msg);
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[{\"W\":[[1]],\"b\":[0],"
                               "\"act\":\"relu\",\"k\":2}]}", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "layers[0].k: k = 2 but k is only used by maxout"), "%s", e.msg);
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[{\"W\":[[1]],\"b\":[0],"
                               "\"act\":\"relu\",\"k\":1}]}", &e), TROP_OK);
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[{\"W\":[[1]],\"b\":[0],"
                               "\"act\":\"relu\",\"slope\":\"1/2\"}]}", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "layers[0].slope: slope is only used by leaky"), "%s", e.msg);
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[{\"W\":[[1]],\"b\":[0],"
                               "\"act\":\"relu\"}],\"box\":{\"lo\":[1],\"hi\":[0]}}", &e),
                     TROP_ERR_INVALID);
    ck_assert_msg(strstr(e.msg, "box.hi"), "%s", e.msg);
    /* b of the wrong type */
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[{\"W\":[[1]],\"b\":5,"
                               "\"act\":\"relu\"}]}", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "layers[0].b: expected an array, found a number"), "%s", e.msg);
    /* not an object, a NUL byte, a wrong type, strict syntax */
    ck_assert_int_eq(json_text(net, "[1]", &e), TROP_ERR_FORMAT);
    ck_assert_int_eq(trop_net_read_json(net, "{\"a\"\0:1}", 8, "t.json", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "NUL byte"), "%s", e.msg);
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[{\"W\":[[true]],\"b\":[0],"
                               "\"act\":\"relu\"}]}", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "layers[0].W[0][0]: expected a number, found a boolean"), "%s",
                  e.msg);
    ck_assert_int_eq(json_text(net, "{\"input_dim\":1,\"layers\":[],}", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "JSON syntax error"), "%s", e.msg);
    ck_assert_int_eq(net->input_dim, 1);
    ck_assert_int_eq(net->nlayers, 0);
    trop_net_clear(net);
}
END_TEST

/* ------------------------------------------------------------------ */
/* random networks                                                    */

/* A random rational: small most of the time, sometimes with numerator or
 * denominator of a few hundred bits. */
static void rand_q(fmpq_t x, trop_rng *r)
{
    slong kind = trop_rng_below(r, 10);
    fmpz_set_si(fmpq_numref(x), trop_rng_below(r, 2001) - 1000);
    fmpz_set_si(fmpq_denref(x), 1 + trop_rng_below(r, 64));
    if (kind == 0)
        fmpz_mul_2exp(fmpq_numref(x), fmpq_numref(x), (ulong)trop_rng_below(r, 300));
    if (kind == 1)
        fmpz_mul_2exp(fmpq_denref(x), fmpq_denref(x), (ulong)trop_rng_below(r, 300));
    if (kind == 2)
        fmpz_one(fmpq_denref(x));
    fmpq_canonicalise(x);
}

/* A random double-valued rational (for the float64 encoding). */
static void rand_q_d(fmpq_t x, trop_rng *r)
{
    double d = ldexp((double)(trop_rng_below(r, 1L << 40) - (1L << 39)),
                     (int)trop_rng_below(r, 200) - 100);
    trop_q_set_d(x, d, NULL);
}

static void rand_net(trop_net_t net, trop_rng *r, int doubles)
{
    slong n = 1 + trop_rng_below(r, 3), nl = 1 + trop_rng_below(r, 3), l, i;
    trop_net_clear(net);
    trop_net_init(net, n);
    for (l = 0; l < nl; l++) {
        trop_act act = (trop_act)trop_rng_below(r, 4);
        slong k = act == TROP_ACT_MAXOUT ? 1 + trop_rng_below(r, 3) : 1;
        slong nout = k * (1 + trop_rng_below(r, 3));
        fmpq_t s;
        trop_layer_struct *L;
        fmpq_init(s);
        rand_q(s, r);
        L = trop_net_append_layer(net, nout, act, s, k);
        for (i = 0; i < L->nout * L->nin; i++)
            doubles ? rand_q_d(L->W + i, r) : rand_q(L->W + i, r);
        for (i = 0; i < L->nout; i++)
            doubles ? rand_q_d(L->b + i, r) : rand_q(L->b + i, r);
        fmpq_clear(s);
    }
    if (trop_rng_below(r, 2)) {
        fmpq *lo = _fmpq_vec_init(n), *hi = _fmpq_vec_init(n);
        for (i = 0; i < n; i++) {
            rand_q(lo + i, r);
            rand_q(hi + i, r);
            if (fmpq_cmp(lo + i, hi + i) > 0)
                fmpq_swap(lo + i, hi + i);
        }
        trop_net_set_box(net, lo, hi);
        _fmpq_vec_clear(lo, n);
        _fmpq_vec_clear(hi, n);
    }
    if (trop_rng_below(r, 2)) {
        net->in_mean = _fmpq_vec_init(n);
        net->in_range = _fmpq_vec_init(n);
        net->has_norm = 1;
        for (i = 0; i < n; i++) {
            rand_q(net->in_mean + i, r);
            do
                rand_q(net->in_range + i, r);
            while (fmpq_is_zero(net->in_range + i));
        }
        rand_q(net->out_mean, r);
        fmpq_set_si(net->out_range, 1 + trop_rng_below(r, 9), 7);
    }
    if (trop_rng_below(r, 2)) {
        trop_net_set_meta(net, "source", "caf\xC3\xA9 \"quoted\" back\\slash\ttab");
        trop_net_set_meta(net, "", "empty key");
    }
}

/* Every random net survives JSON and net.bin (rational; float64 when its
 * weights are doubles) unchanged. */
START_TEST(roundtrip_random)
{
    trop_rng r;
    trop_net_t a, b;
    trop_error e;
    int it;
    const char *pj = tmp_path("rt.json"), *pb;
    unsigned long long seed = trop_test_seed() + (unsigned long long)_i;
    trop_rng_init(&r, seed);
    trop_net_init(a, 1);
    trop_net_init(b, 1);
    for (it = 0; it < 20; it++) {
        int doubles = it % 2;
        rand_net(a, &r, doubles);
        ck_assert_int_eq(trop_net_write_json(a, pj, &e), TROP_OK);
        ck_assert_msg(trop_net_read(b, pj, &e) == TROP_OK, "seed %llu: %s", seed, e.msg);
        ck_assert_msg(nets_equal(a, b), "json round trip, seed %llu", seed);
        pb = tmp_path("rt.bin");
        ck_assert_int_eq(trop_net_write_bin(a, pb, TROP_NET_ENC_RATIONAL, &e), TROP_OK);
        ck_assert_msg(trop_net_read(b, pb, &e) == TROP_OK, "seed %llu: %s", seed, e.msg);
        ck_assert_msg(nets_equal(a, b), "net.bin round trip, seed %llu", seed);
        if (doubles) {
            ck_assert_int_eq(trop_net_write_bin(a, pb, TROP_NET_ENC_F64, &e), TROP_OK);
            ck_assert_msg(trop_net_read(b, pb, &e) == TROP_OK, "seed %llu: %s", seed, e.msg);
            ck_assert_msg(nets_equal(a, b), "f64 round trip, seed %llu", seed);
        }
        unlink(pb);
    }
    unlink(pj);
    trop_net_clear(a);
    trop_net_clear(b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* net.bin                                                            */

START_TEST(bin_roundtrip_files)
{
    static const char *files[] = {
        "09-decimal-vs-binary64-concurrency/net.json",
        "12-maxout-grouping-convention/net.json",
        "15-leaky-slope-edge-cases/net_slope_1_10.json",
        "nnet/fc_2-2-3.nnet",
        "nnet/ACASXU_run2a_1_1_batch_2000.nnet",
    };
    trop_net_t a, b;
    trop_error e;
    size_t i;
    const char *p = tmp_path("files.bin");
    trop_net_init(a, 1);
    trop_net_init(b, 1);
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        read_ok(a, files[i]);
        trop_net_set_meta(a, "origin", files[i]);
        ck_assert_int_eq(trop_net_write_bin(a, p, TROP_NET_ENC_RATIONAL, &e), TROP_OK);
        read_path_ok(b, p);
        ck_assert_msg(nets_equal(a, b), "%s: rational round trip", files[i]);
        /* 0.1 is not a double, so case 09 and ACAS Xu refuse the float64
         * encoding; the integer weights do not (slopes stay rational) */
        if (i == 0 || i == 4) {
            ck_assert_int_eq(trop_net_write_bin(a, p, TROP_NET_ENC_F64, &e), TROP_ERR_INVALID);
            ck_assert_msg(strstr(e.msg, "not exactly a double"), "%s", e.msg);
        } else {
            ck_assert_int_eq(trop_net_write_bin(a, p, TROP_NET_ENC_F64, &e), TROP_OK);
            read_path_ok(b, p);
            ck_assert_msg(nets_equal(a, b), "%s: f64 round trip", files[i]);
        }
    }
    unlink(p);
    trop_net_clear(a);
    trop_net_clear(b);
}
END_TEST

/* The start of the file is pinned by docs/formats.md. */
START_TEST(bin_layout)
{
    static const unsigned char head[28] = {'T', 'R', 'O', 'P', 'N', 'E', 'T', 0,
                                           1, 0, 0, 0,  1, 0, 0, 0,  0, 0, 0, 0,
                                           1, 0, 0, 0,  1, 0, 0, 0};
    /* act 2, nout 1, nin 1, k 1, slope -3/7, W = [1/2], b = [-5] */
    static const unsigned char layer[] = {2, 0, 0, 0,  1, 0, 0, 0,  1, 0, 0, 0,  1, 0, 0, 0,
                                          1, 1, 0, 0, 0, 3, 1, 0, 0, 0, 7,
                                          0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 2,
                                          1, 1, 0, 0, 0, 5, 1, 0, 0, 0, 1,
                                          0, 0, 0, 0};
    trop_net_t net;
    trop_layer_struct *L;
    fmpq_t s;
    size_t len;
    unsigned char *b;
    uint32_t crc;
    trop_net_init(net, 1);
    fmpq_init(s);
    trop_test_q_set(s, "-3/7");
    L = trop_net_append_layer(net, 1, TROP_ACT_LEAKY, s, 1);
    trop_test_q_set(L->W, "1/2");
    trop_test_q_set(L->b, "-5");
    b = bin_bytes(net, TROP_NET_ENC_RATIONAL, &len);
    ck_assert_int_eq(len, sizeof head + sizeof layer + 4);
    ck_assert(memcmp(b, head, sizeof head) == 0);
    ck_assert(memcmp(b + sizeof head, layer, sizeof layer) == 0);
    crc = (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), b, len - 4);
    ck_assert(b[len - 4] == (crc & 0xFF) && b[len - 1] == (crc >> 24));
    trop_free(b);
    fmpq_clear(s);
    trop_net_clear(net);
}
END_TEST

/* A small net with every optional part, for the corruption tests. */
static void small_net(trop_net_t net)
{
    trop_net_t t;
    trop_error e;
    trop_net_init(t, 1);
    ck_assert_int_eq(trop_net_read(t, trop_test_data("19-nnet-crlf-trailing-commas/net_lf.nnet"),
                                   &e), TROP_OK);
    trop_net_set_meta(t, "k", "v");
    trop_net_swap(net, t);
    trop_net_clear(t);
}

START_TEST(bin_truncations)
{
    trop_net_t net, b;
    trop_error e;
    size_t len, n;
    unsigned char *buf;
    int enc;
    trop_net_init(net, 1);
    trop_net_init(b, 1);
    small_net(net);
    for (enc = 1; enc <= 2; enc++) {
        buf = bin_bytes(net, (trop_net_encoding)enc, &len);
        ck_assert_int_eq(trop_net_read_buffer(b, (const char *)buf, len, "s.bin", &e), TROP_OK);
        ck_assert(nets_equal(net, b));
        for (n = 0; n < len; n++) {
            unsigned char *cut = malloc(n ? n : 1);   /* exact size, for valgrind/ASan */
            memcpy(cut, buf, n);
            ck_assert_msg(trop_net_read_buffer(b, (const char *)cut, n, "s.bin", &e)
                          == TROP_ERR_FORMAT, "prefix of %zu bytes accepted", n);
            ck_assert_msg(strstr(e.msg, n ? "offset" : "empty file"), "%zu: %s", n, e.msg);
            ck_assert_int_eq(b->nlayers, 0);
            /* the same prefix with a valid checksum reaches the parser */
            if (n >= 36) {
                fix_crc(cut, n);
                ck_assert_msg(trop_net_read_bin(b, cut, n, "s.bin", &e) != TROP_OK,
                              "prefix of %zu bytes with a fixed checksum accepted", n);
            }
            free(cut);
        }
        trop_free(buf);
    }
    trop_net_clear(net);
    trop_net_clear(b);
}
END_TEST

/* Every single-byte change gives an error or a valid network; with the
 * checksum recomputed the parser itself has to catch it. */
START_TEST(bin_byte_flips)
{
    static const unsigned char masks[3] = {0x01, 0x80, 0xFF};
    trop_net_t net, b;
    trop_error e;
    size_t len, i;
    unsigned char *buf, *c;
    int m, fixed, enc;
    trop_net_init(net, 1);
    trop_net_init(b, 1);
    small_net(net);
    for (enc = 1; enc <= 2; enc++) {
        buf = bin_bytes(net, (trop_net_encoding)enc, &len);
        c = malloc(len);
        for (i = 0; i < len; i++)
            for (m = 0; m < 3; m++)
                for (fixed = 0; fixed < 2; fixed++) {
                    trop_status st;
                    memcpy(c, buf, len);
                    c[i] ^= masks[m];
                    if (fixed)
                        fix_crc(c, len);
                    st = trop_net_read_bin(b, c, len, "s.bin", &e);
                    if (st == TROP_OK)
                        ck_assert_int_eq(trop_net_validate(b, NULL), TROP_OK);
                    else
                        ck_assert_msg(st == TROP_ERR_FORMAT || st == TROP_ERR_LIMIT,
                                      "byte %zu: status %d", i, (int)st);
                    if (!fixed && i < len - 4)
                        ck_assert_msg(st != TROP_OK, "byte %zu: flip not caught by the CRC", i);
                }
        free(c);
        trop_free(buf);
    }
    trop_net_clear(net);
    trop_net_clear(b);
}
END_TEST

/* Huge size fields with a valid checksum are refused before allocating. */
START_TEST(bin_huge_counts)
{
    static const size_t fields[] = {20, 24, 28, 32, 36};  /* dim, nlayers, act, nout, nin */
    trop_net_t net, b;
    trop_error e;
    size_t len, i;
    unsigned char *buf;
    trop_net_init(net, 1);
    trop_net_init(b, 1);
    small_net(net);
    buf = bin_bytes(net, TROP_NET_ENC_RATIONAL, &len);
    for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        uint32_t v[2] = {0xFFFFFFFFu, 0x10000000u};
        int k;
        for (k = 0; k < 2; k++) {
            unsigned char *c = malloc(len);
            memcpy(c, buf, len);
            put_u32(c + fields[i], v[k]);
            fix_crc(c, len);
            ck_assert_int_ne(trop_net_read_bin(b, c, len, "s.bin", &e), TROP_OK);
            ck_assert_msg(strstr(e.msg, "s.bin: offset "), "%s", e.msg);
            free(c);
        }
    }
    /* the layer count at offset 24 names itself */
    put_u32(buf + 24, 0xFFFFFFFFu);
    fix_crc(buf, len);
    ck_assert_int_eq(trop_net_read_bin(b, buf, len, "s.bin", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "offset 24: layer count 4294967295"), "%s", e.msg);
    trop_free(buf);
    trop_net_clear(net);
    trop_net_clear(b);
}
END_TEST

START_TEST(bin_write_errors)
{
    trop_net_t net;
    trop_error e;
    trop_net_init(net, 2);
    /* no layers: the reader would refuse it, so the writer does too */
    ck_assert_int_eq(trop_net_write_bin(net, tmp_path("x.bin"), TROP_NET_ENC_RATIONAL, &e),
                     TROP_ERR_INVALID);
    small_net(net);
    ck_assert_int_eq(trop_net_write_bin(net, "/nonexistent-dir/x.bin", TROP_NET_ENC_RATIONAL, &e),
                     TROP_ERR_IO);
    ck_assert_int_eq(trop_net_write_json(net, "/nonexistent-dir/x.json", &e), TROP_ERR_IO);
    trop_net_clear(net);
}
END_TEST

/* Every prefix and every single-byte change of a small NNet and a small
 * JSON file gives an error or a valid network (never a crash; run under
 * the valgrind setup or ASan for the memory side). */
START_TEST(text_mutations)
{
    static const char *files[] = {"19-nnet-crlf-trailing-commas/net_lf.nnet",
                                  "19-nnet-crlf-trailing-commas/net_crlf.nnet",
                                  "09-decimal-vs-binary64-concurrency/net_rational.json",
                                  "12-maxout-grouping-convention/net.json"};
    static const unsigned char repl[] = {0x00, 0x01, '\r', '\n', ',', '"', '[', '{', '}', '-',
                                         '.', 'e', '/', '9', ' ', 0x80, 0xFF};
    trop_net_t net;
    trop_error e;
    size_t f, len, i, k;
    trop_net_init(net, 1);
    for (f = 0; f < sizeof files / sizeof files[0]; f++) {
        unsigned char *buf = slurp(trop_test_data(files[f]), &len);
        for (i = 0; i <= len; i++) {
            for (k = 0; k <= sizeof repl; k++) {
                /* k == sizeof repl: the prefix of i bytes; else byte i replaced */
                size_t n = k == sizeof repl ? i : len;
                unsigned char *c;
                trop_status st;
                if (k < sizeof repl && i == len)
                    continue;
                c = malloc(n + 1);
                memcpy(c, buf, n);
                if (k < sizeof repl)
                    c[i] = repl[k];
                st = trop_net_read_buffer(net, (const char *)c, n, "m", &e);
                if (st == TROP_OK)
                    ck_assert_int_eq(trop_net_validate(net, NULL), TROP_OK);
                else
                    ck_assert_msg(st == TROP_ERR_FORMAT || st == TROP_ERR_INVALID
                                  || st == TROP_ERR_LIMIT, "%s: byte %zu: status %d",
                                  files[f], i, (int)st);
                free(c);
            }
        }
        trop_free(buf);
    }
    trop_net_clear(net);
}
END_TEST

/* ------------------------------------------------------------------ */
/* detection and generic reading                                      */

START_TEST(io_detect)
{
    const unsigned char *u;
#define DET(s, n) trop_net_detect((const unsigned char *)(s), n)
    ck_assert_int_eq(DET("TROPNET\0\1\0\0\0", 12), TROP_NET_FORMAT_BIN);
    ck_assert_int_eq(DET("TROP", 4), TROP_NET_FORMAT_BIN);     /* truncated magic */
    ck_assert_int_eq(DET("{}", 2), TROP_NET_FORMAT_JSON);
    ck_assert_int_eq(DET(" \r\n\t{", 5), TROP_NET_FORMAT_JSON);
    ck_assert_int_eq(DET("\xEF\xBB\xBF{", 4), TROP_NET_FORMAT_JSON);
    ck_assert_int_eq(DET("// x\n1,", 7), TROP_NET_FORMAT_NNET);
    ck_assert_int_eq(DET("2,2,1,2,", 8), TROP_NET_FORMAT_NNET);
    ck_assert_int_eq(DET("", 0), TROP_NET_FORMAT_UNKNOWN);
    u = (const unsigned char *)"TROPNEX";
    ck_assert_int_eq(trop_net_detect(u, 7), TROP_NET_FORMAT_NNET);
#undef DET
}
END_TEST

START_TEST(io_read_errors)
{
    trop_net_t net;
    trop_error e;
    trop_net_init(net, 1);
    small_net(net);
    ck_assert_int_eq(trop_net_read(net, trop_test_data("no-such-file.nnet"), &e), TROP_ERR_IO);
    ck_assert_msg(strstr(e.msg, "no-such-file.nnet"), "%s", e.msg);
    ck_assert_int_eq(net->input_dim, 1);
    ck_assert_int_eq(net->nlayers, 0);
    ck_assert_int_eq(trop_net_read(net, TROP_TEST_DATA_DIR, &e), TROP_ERR_IO);
    ck_assert_int_eq(trop_net_read_buffer(net, "", 0, NULL, &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "empty file"), "%s", e.msg);
    ck_assert_int_eq(trop_net_read_buffer(net, "\xEF\xBB\xBF", 3, "bom.json", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "bom.json: empty file"), "%s", e.msg);
    /* err may be NULL */
    ck_assert_int_eq(trop_net_read_buffer(net, "{", 1, "x", NULL), TROP_ERR_FORMAT);
    trop_net_clear(net);
}
END_TEST

/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* ONNX                                                               */

/* Asserts net(num/den) = want exactly (one input, one output). */
static void eval1_is(const trop_net_t net, slong num, slong den, const char *want)
{
    fmpq x[1], y[1];
    fmpq_init(x);
    fmpq_init(y);
    fmpq_set_si(x, num, (ulong)den);
    trop_net_eval_q(y, net, x);
    ck_assert_q(y, want);
    fmpq_clear(x);
    fmpq_clear(y);
}

/* The three hand-made files of VNN-COMP's test benchmark; PROVENANCE.md
 * gives their weights: tiny y = relu(x); nano y = relu(x / 2) (float_data);
 * small 1-2-2-1 with W0 = [[1],[1]], b0 = 3/2, W1 = [[2,2],[2,2]],
 * b1 = 5/2, W2 = [[3,3]], b2 = 7/2: y(1) = 6 * 12.5 + 3.5 = 78.5 and
 * y(-2) = 6 * 2.5 + 3.5 = 18.5 by hand. */
START_TEST(onnx_small_files)
{
    trop_net_t net;
    trop_net_init(net, 1);
    read_ok(net, "onnx/test_tiny.onnx");
    ck_assert_int_eq(net->input_dim, 1);
    eval1_is(net, 2, 1, "2");
    eval1_is(net, -1, 3, "0");
    read_ok(net, "onnx/test_nano.onnx");
    ck_assert_int_eq(net->nlayers, 1);   /* ends on its Relu: no output layer */
    ck_assert(net->layers[0].act == TROP_ACT_RELU);
    eval1_is(net, 2, 1, "1");
    eval1_is(net, -2, 1, "0");
    read_ok(net, "onnx/test_small.onnx");
    ck_assert_int_eq(net->nlayers, 3);
    eval1_is(net, 1, 1, "157/2");
    eval1_is(net, -2, 1, "37/2");
    trop_net_clear(net);
}
END_TEST

/* ACAS Xu 1_1 as ONNX (MATLAB export: Sub of a zero image, Flatten, x W
 * with W [in x out]) and as NNet: the same 5-50x6-5 network.  The ONNX
 * weights are float32, the NNet ones decimals, so the layers agree to
 * float32 rounding (relative 2^-24 per weight), checked at 100 random
 * points to 1e-4 relative.  TestNetwork2 is the same network with the
 * NNet normalisation folded into its first and last layers: on raw inputs
 * it equals out_range * nnet((x - mean) / range) + out_mean. */
START_TEST(onnx_acas_twins)
{
    trop_net_t on, nn, t2;
    trop_rng r;
    slong i, j, k;
    trop_rng_init(&r, 77);
    trop_net_init(on, 1);
    trop_net_init(nn, 1);
    trop_net_init(t2, 1);
    read_ok(on, "onnx/ACASXU_run2a_1_1_batch_2000.onnx");
    read_ok(nn, "nnet/ACASXU_run2a_1_1_batch_2000.nnet");
    read_ok(t2, "onnx/TestNetwork2.onnx");
    ck_assert_int_eq(on->input_dim, 5);
    ck_assert_int_eq(on->nlayers, 7);
    ck_assert_int_eq(t2->nlayers, 7);
    for (i = 0; i < on->nlayers; i++) {
        ck_assert_int_eq(on->layers[i].nout, nn->layers[i].nout);
        ck_assert(on->layers[i].act == nn->layers[i].act);
        for (j = 0; j < on->layers[i].nout * on->layers[i].nin; j++) {
            double a = trop_q_get_d(on->layers[i].W + j), b = trop_q_get_d(nn->layers[i].W + j);
            ck_assert_msg(fabs(a - b) <= 1e-6 * (fabs(b) + 1e-3), "layer %ld weight %ld: %g vs %g",
                          i, j, a, b);
        }
    }
    for (k = 0; k < 100; k++) {
        fmpq x[5], xr[5], y1[5], y2[5], y3[5];
        for (j = 0; j < 5; j++) {
            fmpq_init(x + j);
            fmpq_init(xr + j);
            fmpq_init(y1 + j);
            fmpq_init(y2 + j);
            fmpq_init(y3 + j);
            fmpq_set_si(x + j, trop_rng_below(&r, 1001) - 500, 1000);   /* normalised */
            fmpq_mul(xr + j, x + j, nn->in_range + j);
            fmpq_add(xr + j, xr + j, nn->in_mean + j);                    /* raw */
        }
        trop_net_eval_q(y1, on, x);
        trop_net_eval_q(y2, nn, x);
        trop_net_eval_q(y3, t2, xr);
        for (j = 0; j < 5; j++) {
            double a = trop_q_get_d(y1 + j), b = trop_q_get_d(y2 + j);
            double c = trop_q_get_d(y3 + j) , bd = b * trop_q_get_d(nn->out_range)
                                                  + trop_q_get_d(nn->out_mean);
            ck_assert_msg(fabs(a - b) <= 1e-4 * (fabs(b) + 1), "point %ld output %ld: onnx %g, "
                          "nnet %g", k, j, a, b);
            ck_assert_msg(fabs(c - bd) <= 1e-4 * (fabs(bd) + 1), "point %ld output %ld: "
                          "TestNetwork2 %g, nnet %g", k, j, c, bd);
        }
        for (j = 0; j < 5; j++) {
            fmpq_clear(x + j);
            fmpq_clear(xr + j);
            fmpq_clear(y1 + j);
            fmpq_clear(y2 + j);
            fmpq_clear(y3 + j);
        }
    }
    trop_net_clear(on);
    trop_net_clear(nn);
    trop_net_clear(t2);
}
END_TEST

/* PyTorch's Gemm export (vdp: 3-32-32-3, Gemm transB = 1) and tf2onnx's
 * chains of MatMul + Add with consecutive affine layers and no activation
 * between them (tllBench N=M=8: 14 MatMul, 6 Relu), which must compose
 * into one layer per Relu plus the output: 7 layers of widths 128, 64,
 * 32, 16, 8, 4 and 1 (the R-widths of PROVENANCE.md). */
START_TEST(onnx_gemm_and_composition)
{
    static const slong tll_widths[7] = {128, 64, 32, 16, 8, 4, 1};
    trop_net_t net;
    slong i;
    trop_net_init(net, 1);
    read_ok(net, "onnx/vdp.onnx");
    ck_assert_int_eq(net->input_dim, 3);
    ck_assert_int_eq(net->nlayers, 3);
    ck_assert_int_eq(net->layers[0].nout, 32);
    ck_assert_int_eq(net->layers[1].nout, 32);
    ck_assert_int_eq(net->layers[2].nout, 3);
    ck_assert(net->layers[2].act == TROP_ACT_LINEAR);
    read_ok(net, "onnx/tllBench_n2_NM8_m1_0_0.onnx");
    ck_assert_int_eq(net->input_dim, 2);
    ck_assert_int_eq(net->nlayers, 7);
    for (i = 0; i < 7; i++)
        ck_assert_int_eq(net->layers[i].nout, tll_widths[i]);
    trop_net_clear(net);
}
END_TEST

/* VNN-COMP's Convnet_maxpool (Conv 2x2 with 32 filters, Relu, MaxPool
 * 4x4 stride 4, Gemm) is one maxout layer of 6 * 6 * 32 = 1152 units of
 * rank 16 + 1 (the zero member from the ReLU), then a linear layer of 10
 * (PROVENANCE.md of ../shared/data); its exact outputs at three inputs
 * equal torch's float64 evaluation from the file's weights
 * (onnx/torch/convnet-maxpool-values.txt) to 1e-12. */
START_TEST(onnx_convnet)
{
    trop_net_t net;
    FILE *fp = fopen(trop_test_data("onnx/torch/convnet-maxpool-values.txt"), "r");
    char word[8];
    fmpq *x = _fmpq_vec_init(784), *y = _fmpq_vec_init(10);
    int i, samples = 0;
    ck_assert_ptr_nonnull(fp);
    trop_net_init(net, 1);
    read_ok(net, "onnx/Convnet_maxpool.onnx");
    ck_assert_int_eq(net->input_dim, 784);
    ck_assert_int_eq(net->nlayers, 2);
    ck_assert_int_eq(net->layers[0].act, TROP_ACT_MAXOUT);
    ck_assert_int_eq(net->layers[0].k, 17);
    ck_assert_int_eq(net->layers[0].nout, 1152 * 17);
    ck_assert_int_eq(net->layers[1].act, TROP_ACT_LINEAR);
    ck_assert_int_eq(net->layers[1].nout, 10);
    while (fscanf(fp, " %7s", word) == 1) {
        if (word[0] == '#') {
            while ((i = fgetc(fp)) != EOF && i != '\n')
                ;
            continue;
        }
        ck_assert_str_eq(word, "x");
        for (i = 0; i < 784; i++) {
            long k;
            ck_assert_int_eq(fscanf(fp, "%ld", &k), 1);
            fmpq_set_si(x + i, k, 256);
        }
        ck_assert_int_eq(fscanf(fp, " %7s", word), 1);
        ck_assert_str_eq(word, "y");
        trop_net_eval_q(y, net, x);
        for (i = 0; i < 10; i++) {
            double want, got = trop_q_get_d(y + i);
            ck_assert_int_eq(fscanf(fp, "%lf", &want), 1);
            ck_assert_msg(fabs(got - want) <= 1e-12 * (1 + fabs(want)),
                          "sample %d output %d: %.17g vs torch %.17g", samples, i, got, want);
        }
        samples++;
    }
    ck_assert_int_eq(samples, 3);
    fclose(fp);
    _fmpq_vec_clear(x, 784);
    _fmpq_vec_clear(y, 10);
    trop_net_clear(net);
}
END_TEST

/* A truncated protobuf is a format error. */
START_TEST(onnx_errors)
{
    char *buf;
    size_t len;
    trop_net_t net;
    trop_error e;
    trop_net_init(net, 1);
    ck_assert_int_eq(trop_file_read_all(trop_test_data("onnx/ACASXU_run2a_1_1_batch_2000.onnx"),
                                        &buf, &len, &e), TROP_OK);
    ck_assert_int_eq(trop_net_read_buffer(net, buf, len / 2, "half.onnx", &e), TROP_ERR_FORMAT);
    ck_assert_msg(strstr(e.msg, "half.onnx") && strstr(e.msg, "ONNX"), "%s", e.msg);
    ck_assert_int_eq(trop_net_detect((const unsigned char *)buf, len), TROP_NET_FORMAT_ONNX);
    trop_free(buf);
    ck_assert_int_eq(net->nlayers, 0);
    trop_net_clear(net);
}
END_TEST

/* Damaged ONNX files: bytes of test_small and vdp changed at random.  Each
 * read must end in success or an error with a message, never a crash (run
 * under ASan and valgrind in CI-like setups), and a failed read leaves an
 * empty network. */
START_TEST(onnx_corrupt)
{
    const char *files[2] = {"onnx/test_small.onnx", "onnx/vdp.onnx"};
    char *buf;
    size_t len;
    trop_net_t net;
    trop_error e;
    trop_rng r;
    slong k, j;
    trop_rng_init(&r, 500 + (unsigned long long)_i);
    ck_assert_int_eq(trop_file_read_all(trop_test_data(files[_i % 2]), &buf, &len, &e),
                     TROP_OK);
    trop_net_init(net, 1);
    for (k = 0; k < 200; k++) {
        char *c = trop_malloc(len);
        trop_status st;
        memcpy(c, buf, len);
        for (j = 0; j < 1 + trop_rng_below(&r, 4); j++)
            c[trop_rng_below(&r, (slong)len)] = (char)trop_rng_below(&r, 256);
        e.msg[0] = '\0';
        st = trop_net_read_buffer(net, c, len, "damaged.onnx", &e);
        if (st != TROP_OK) {
            ck_assert_msg(e.msg[0] != '\0', "status %d without a message", st);
            ck_assert_int_eq(net->nlayers, 0);
        }
        trop_free(c);
    }
    trop_free(buf);
    trop_net_clear(net);
}
END_TEST

/* PyTorch exports (tests/data/onnx/torch/, made by
 * scripts/make-onnx-fixtures.py with dyadic weights exact in float32):
 * each .onnx must read as EXACTLY the network its .json twin builds by
 * hand, layer by layer (the JSON composes the affine runs the reader must
 * compose: two Gemms in a row, Sub and Div before the first Gemm; and the
 * maxout layer a Max of two Gemm branches must become, unit j taking row j
 * of each branch). */
static const char *const torch_fixtures[] = {
    "linear-relu",         /* Gemm Relu Gemm */
    "matmul-add",          /* MatMul Add Relu MatMul Add */
    "leaky",               /* Gemm LeakyRelu(alpha 0.125) Gemm */
    "prelu",               /* Gemm PRelu(one slope 0.25) Gemm */
    "flatten-dropout-identity", /* Flatten Gemm Relu Gemm (torch drops Dropout, Identity) */
    "consecutive-linear",  /* Gemm Gemm Relu Gemm: 2 layers */
    "normalised",          /* Sub Div Gemm Relu Gemm: 2 layers */
    "maxout-max",          /* Gemm Gemm Max Gemm: rank-2 maxout, then linear */
    "maxout-reducemax",    /* Gemm Reshape [-1,3,2] ReduceMax axis 2: rows 2j, 2j+1 */
    "maxout-reducemax-axis1", /* Reshape [-1,2,3] ReduceMax axis 1: rows j, 3+j */
    "maxout-maxpool",      /* Gemm Unsqueeze MaxPool(2) Squeeze Gemm */
    "batchnorm",           /* Gemm BatchNormalization Relu Gemm: folded, the scale
                            * gamma / sqrt(var + eps) in double in both */
    "conv-relu-maxpool",   /* Conv Relu MaxPool(2, stride 1): maxout of rank 4 + 1 */
    "conv-maxpool-relu-padded", /* grouped strided padded Conv, padded ceil_mode
                            * MaxPool (clipped windows), then Relu */
    "conv1d-dilated",      /* dilated Conv1d Relu MaxPool1d(3, stride 2) */
    "conv-relu-conv",      /* Conv Relu (a layer) Conv Relu MaxPool: the second Conv
                            * reads the ReLU layer's output in its [2, 4, 4] shape */
};

START_TEST(onnx_torch_equals_json)
{
    char name[128];
    trop_net_t on, js;
    slong l;
    trop_net_init(on, 1);
    trop_net_init(js, 1);
    snprintf(name, sizeof name, "onnx/torch/%s.onnx", torch_fixtures[_i]);
    read_ok(on, name);
    snprintf(name, sizeof name, "onnx/torch/%s.json", torch_fixtures[_i]);
    read_ok(js, name);
    ck_assert_int_eq(on->input_dim, js->input_dim);
    ck_assert_int_eq(on->nlayers, js->nlayers);
    ck_assert_int_ge(on->nlayers, 2);
    for (l = 0; l < on->nlayers; l++) {
        const trop_layer_struct *A = on->layers + l, *B = js->layers + l;
        slong i;
        ck_assert_msg(A->act == B->act, "%s layer %ld: act %d vs %d", torch_fixtures[_i], l,
                      (int)A->act, (int)B->act);
        ck_assert_int_eq(A->k, B->k);
        ck_assert_int_eq(A->nout, B->nout);
        ck_assert_int_eq(A->nin, B->nin);
        ck_assert_msg(fmpq_equal(A->slope, B->slope), "%s layer %ld: slope differs",
                      torch_fixtures[_i], l);
        for (i = 0; i < A->nout * A->nin; i++)
            ck_assert_msg(fmpq_equal(A->W + i, B->W + i), "%s layer %ld: W[%ld][%ld] differs",
                          torch_fixtures[_i], l, i / A->nin, i % A->nin);
        for (i = 0; i < A->nout; i++)
            ck_assert_msg(fmpq_equal(A->b + i, B->b + i), "%s layer %ld: b[%ld] differs",
                          torch_fixtures[_i], l, i);
    }
    ck_assert(layers_equal(on, js));
    trop_net_clear(on);
    trop_net_clear(js);
}
END_TEST

/* The batch normalisation's fold is labelled as not exact in the network's
 * metadata; the other fixtures are exact and say nothing. */
START_TEST(onnx_torch_inexact_label)
{
    trop_net_t net;
    trop_net_init(net, 1);
    read_ok(net, "onnx/torch/batchnorm.onnx");
    ck_assert_ptr_nonnull(trop_net_get_meta(net, "onnx_inexact"));
    read_ok(net, "onnx/torch/normalised.onnx");
    ck_assert_ptr_null(trop_net_get_meta(net, "onnx_inexact"));
    trop_net_clear(net);
}
END_TEST

/* ------------------------------------------------------------------ */
/* NNet writer                                                        */

/* Written and read back, an NNet network is the same, exactly: ACAS Xu
 * (decimals, box and normalisation; nmeta differs: NNet has none), and
 * ACAS Xu read from ONNX (float32 weights, no box: written as +-1e9 and
 * read back as that box), layers equal.  Networks NNet cannot hold fail
 * with what they are: a maxout layer, a weight of 1/3. */
START_TEST(nnet_write_roundtrip)
{
    trop_net_t a, b;
    trop_error e;
    const char *path = tmp_path("w.nnet");
    slong i;
    trop_net_init(a, 1);
    trop_net_init(b, 1);
    read_ok(a, "nnet/ACASXU_run2a_1_1_batch_2000.nnet");
    ck_assert_int_eq(trop_net_write_nnet(a, path, &e), TROP_OK);
    read_path_ok(b, path);
    ck_assert(layers_equal(a, b));
    ck_assert(b->has_box && b->has_norm);
    for (i = 0; i < 5; i++) {
        ck_assert(fmpq_equal(a->box_lo + i, b->box_lo + i));
        ck_assert(fmpq_equal(a->box_hi + i, b->box_hi + i));
        ck_assert(fmpq_equal(a->in_mean + i, b->in_mean + i));
        ck_assert(fmpq_equal(a->in_range + i, b->in_range + i));
    }
    ck_assert(fmpq_equal(a->out_mean, b->out_mean) && fmpq_equal(a->out_range, b->out_range));
    read_ok(a, "onnx/ACASXU_run2a_1_1_batch_2000.onnx");
    ck_assert_int_eq(trop_net_write_nnet(a, path, &e), TROP_OK);
    read_path_ok(b, path);
    ck_assert(layers_equal(a, b));
    read_ok(a, "onnx/torch/maxout-max.onnx");
    ck_assert_int_eq(trop_net_write_nnet(a, path, &e), TROP_ERR_INVALID);
    ck_assert_msg(strstr(e.msg, "maxout"), "%s", e.msg);
    read_ok(a, "nnet/ACASXU_run2a_1_1_batch_2000.nnet");
    fmpq_set_si(a->layers[2].W + 7, 1, 3);
    ck_assert_int_eq(trop_net_write_nnet(a, path, &e), TROP_ERR_INVALID);
    ck_assert_msg(strstr(e.msg, "layer 3, entry 7") && strstr(e.msg, "finite decimal"), "%s",
                  e.msg);
    remove(path);
    trop_net_clear(a);
    trop_net_clear(b);
}
END_TEST

/* Written as ONNX and read back, networks are the same layer by layer:
 * ACAS Xu (float32 weights), the maxout fixture (Reshape + ReduceMax), the
 * leaky fixture (slope 1/8), and ACAS Xu from NNet (decimals that are not
 * floats: refused, as is a leaky slope of 1/10 and a weight of 1/3). */
START_TEST(onnx_write_roundtrip)
{
    static const char *const ok[3] = {"onnx/ACASXU_run2a_1_1_batch_2000.onnx",
                                      "onnx/torch/maxout-max.onnx", "onnx/torch/leaky.onnx"};
    trop_net_t a, b;
    trop_error e;
    const char *path = tmp_path("w.onnx");
    int i;
    trop_net_init(a, 1);
    trop_net_init(b, 1);
    for (i = 0; i < 3; i++) {
        read_ok(a, ok[i]);
        ck_assert_msg(trop_net_write_onnx(a, path, &e) == TROP_OK, "%s: %s", ok[i], e.msg);
        read_path_ok(b, path);
        ck_assert_msg(layers_equal(a, b), "%s changed", ok[i]);
    }
    read_ok(a, "nnet/ACASXU_run2a_1_1_batch_2000.nnet");
    ck_assert_int_eq(trop_net_write_onnx(a, path, &e), TROP_ERR_INVALID);
    ck_assert_msg(strstr(e.msg, "not a double"), "%s", e.msg);
    read_ok(a, "onnx/torch/leaky.onnx");
    fmpq_set_si(a->layers[0].slope, 1, 10);
    ck_assert_int_eq(trop_net_write_onnx(a, path, &e), TROP_ERR_INVALID);
    ck_assert_msg(strstr(e.msg, "slope"), "%s", e.msg);
    remove(path);
    trop_net_clear(a);
    trop_net_clear(b);
}
END_TEST

/* Hand-built graphs a careless reader gets wrong without a word
 * (scripts/make-onnx-handmade.py): each must be read as ONNX's semantics
 * say, or refused for the reason they give. */
START_TEST(onnx_handmade)
{
    /* MaxPool without strides: ONNX's default stride is 1, so kernel 2 over
     * h = x W6 (6 values) gives 5 overlapping windows max(h_i, h_i+1).  By
     * hand at x = (1, 2, -1, 1/2): h = (5, 1/4, -7/4, 3/2, 9/2, 5/4). */
    static const long want[5][2] = {{5, 1}, {1, 4}, {3, 2}, {9, 2}, {9, 2}};
    trop_net_t net;
    fmpq x[4], y[5];
    int i;
    trop_net_init(net, 1);
    read_ok(net, "onnx/handmade/maxpool-nostride.onnx");
    ck_assert_int_eq(net->nlayers, 1);
    ck_assert_int_eq(net->layers[0].k, 2);
    ck_assert_int_eq(net->layers[0].nout, 10);
    for (i = 0; i < 4; i++)
        fmpq_init(x + i);
    for (i = 0; i < 5; i++)
        fmpq_init(y + i);
    fmpq_set_si(x + 0, 1, 1);
    fmpq_set_si(x + 1, 2, 1);
    fmpq_set_si(x + 2, -1, 1);
    fmpq_set_si(x + 3, 1, 2);
    trop_net_eval_q(y, net, x);
    for (i = 0; i < 5; i++) {
        ck_assert(fmpz_equal_si(fmpq_numref(y + i), want[i][0]));
        ck_assert(fmpz_equal_si(fmpq_denref(y + i), want[i][1]));
    }
    for (i = 0; i < 4; i++)
        fmpq_clear(x + i);
    for (i = 0; i < 5; i++)
        fmpq_clear(y + i);
    trop_net_clear(net);

    read_fails("onnx/handmade/mul-bcast-2d.onnx", "(Mul)", "broadcast", NULL);
    /* Dropout with a mask output reads as the identity while the mask is
     * unread: the same network as Gemm, Relu (W of the script, no bias) */
    trop_net_init(net, 1);
    read_ok(net, "onnx/handmade/dropout-mask.onnx");
    ck_assert_int_eq(net->nlayers, 1);
    ck_assert_int_eq(net->layers[0].act, TROP_ACT_RELU);
    ck_assert_int_eq(net->layers[0].nout, 3);
    ck_assert(fmpz_equal_si(fmpq_numref(net->layers[0].W + 2), 1));   /* W[0][2] = 1/4 */
    ck_assert(fmpz_equal_si(fmpq_denref(net->layers[0].W + 2), 4));
    ck_assert(fmpz_equal_si(fmpq_numref(net->layers[0].W + 8), -2));  /* W[2][0] = -2 */
    trop_net_clear(net);
    /* an Identity of an initializer is that constant under a second name */
    trop_net_init(net, 1);
    read_ok(net, "onnx/handmade/identity-const.onnx");
    ck_assert_int_eq(net->nlayers, 1);
    ck_assert(fmpz_equal_si(fmpq_numref(net->layers[0].W + 8), -2));  /* W[2][0] = -2 */
    trop_net_clear(net);
    read_fails("onnx/handmade/batch2.onnx", "fixed batch of 2", NULL, NULL);
    read_fails("onnx/handmade/maxpool-2-inputs.onnx", "(MaxPool)", "2 inputs", NULL);
    read_fails("onnx/handmade/dropout-mask-read.onnx", "(Dropout)", "mask output 'mask'",
               NULL);
    read_fails("onnx/handmade/out-intermediate.onnx", "(Relu)", "output 'h' was computed",
               NULL);
    read_fails("onnx/handmade/control-chars.onnx", "node 'n?X' (Sig?[31m?)", "not supported",
               NULL);
}
END_TEST

static Suite *net_suite(void)
{
    Suite *s = suite_create("net");
    TCase *tc;
    int loops = trop_test_count(4);

    tc = tcase_create("decimal");
    tcase_add_test(tc, decimal_table);
    tcase_add_test(tc, decimal_prefix);
    tcase_add_test(tc, set_str_table);
    tcase_add_loop_test(tc, decimal_random, 0, loops);
    suite_add_tcase(s, tc);

    tc = tcase_create("nnet");
    tcase_add_test(tc, nnet_fc_2_2_3);
    tcase_add_test(tc, nnet_case19_variants);
    tcase_add_test(tc, nnet_case17);
    tcase_add_test(tc, nnet_case18);
    tcase_add_test(tc, nnet_inline);
    tcase_add_test(tc, acasxu_read);
    tcase_add_test(tc, acasxu_eval);
    suite_add_tcase(s, tc);

    tc = tcase_create("json");
    tcase_add_test(tc, json_case09);
    tcase_add_test(tc, json_case12_maxout);
    tcase_add_test(tc, json_case15_slopes);
    tcase_add_test(tc, json_case17);
    tcase_add_test(tc, json_case18);
    tcase_add_test(tc, json_inline);
    suite_add_tcase(s, tc);

    tc = tcase_create("bin");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bin_roundtrip_files);
    tcase_add_test(tc, bin_layout);
    tcase_add_test(tc, bin_truncations);
    tcase_add_test(tc, bin_byte_flips);
    tcase_add_test(tc, bin_huge_counts);
    tcase_add_test(tc, bin_write_errors);
    tcase_add_loop_test(tc, roundtrip_random, 0, loops);
    suite_add_tcase(s, tc);

    tc = tcase_create("onnx");
    tcase_add_test(tc, onnx_small_files);
    tcase_add_test(tc, onnx_acas_twins);
    tcase_add_test(tc, onnx_gemm_and_composition);
    tcase_add_test(tc, onnx_errors);
    tcase_add_test(tc, onnx_convnet);
    tcase_add_loop_test(tc, onnx_corrupt, 0, 4);
    tcase_add_test(tc, onnx_handmade);
    suite_add_tcase(s, tc);

    tc = tcase_create("nnet_write");
    tcase_add_test(tc, nnet_write_roundtrip);
    tcase_add_test(tc, onnx_write_roundtrip);
    suite_add_tcase(s, tc);

    tc = tcase_create("onnx_torch");
    tcase_add_loop_test(tc, onnx_torch_equals_json, 0,
                        (int)(sizeof torch_fixtures / sizeof torch_fixtures[0]));
    tcase_add_test(tc, onnx_torch_inexact_label);
    suite_add_tcase(s, tc);

    tc = tcase_create("io");
    tcase_add_test(tc, io_detect);
    tcase_add_test(tc, io_read_errors);
    tcase_add_test(tc, text_mutations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(net_suite);
}
