/* data.c: data sets for the trainer, from CSV (libcsv) and IDX files, both
 * read through zlib so gzip-compressed files need nothing special.
 * Double precision only (STYLE.md section 6). */
#define _GNU_SOURCE             /* strtod_l, newlocale */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <csv.h>
#include <zlib.h>

#include "trop/train.h"

#define MAXS(a, b) ((a) > (b) ? (a) : (b))

void trop_dataset_init(trop_dataset_t ds)
{
    memset(ds, 0, sizeof(*ds));
}


static void free_names(char **names, slong len)
{
    slong i;
    for (i = 0; names != NULL && i < len; i++)
        trop_free(names[i]);
    trop_free(names);
}

void trop_dataset_clear(trop_dataset_t ds)
{
    trop_free(ds->X);
    trop_free(ds->y);
    free_names(ds->feature_names, ds->d);
    free_names(ds->class_names, ds->nclasses);
    memset(ds, 0, sizeof(*ds));
}

/* The whole file, decompressed if it is gzip (zlib reads plain files as
 * they are).  *len bytes at *buf, NUL-terminated, freed with trop_free. */
static trop_status slurp(char **buf, size_t *len, const char *path, const char *name,
                         trop_error *err)
{
    gzFile f = gzopen(path, "rb");
    size_t cap = 1 << 16, n = 0;
    int r;
    if (f == NULL)
        return trop_error_set(err, TROP_ERR_IO, "data", "%s: cannot open: %s", name,
                              strerror(errno ? errno : ENOENT));
    *buf = trop_malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > ((size_t)1 << 34)) {
                gzclose(f);
                trop_free(*buf);
                return trop_error_set(err, TROP_ERR_LIMIT, "data", "%s: larger than 16 GiB",
                                      name);
            }
            cap *= 2;
            *buf = trop_realloc(*buf, cap + 1);
        }
        r = gzread(f, *buf + n, (unsigned)(cap - n));
        if (r < 0) {
            int code;
            const char *m = gzerror(f, &code);
            trop_status s = trop_error_set(err, TROP_ERR_FORMAT, "data",
                                           "%s: cannot read: %s", name, m);
            gzclose(f);
            trop_free(*buf);
            return s;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    /* a truncated gzip stream reads as a short file; gzclose says so */
    if ((r = gzclose(f)) != Z_OK) {
        trop_free(*buf);
        return trop_error_set(err, TROP_ERR_FORMAT, "data",
                              "%s: the compressed data is truncated or corrupt", name);
    }
    (*buf)[n] = '\0';
    *len = n;
    return TROP_OK;
}

/* ---- numbers ---- */

/* 1 if s (NUL-terminated, already trimmed) spells a decimal number:
 * [+-] (digits [. [digits]] | . digits) [(e|E) [+-] digits]. */
static int decimal_syntax(const char *s)
{
    const char *p = s;
    int digits = 0;
    if (*p == '+' || *p == '-')
        p++;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, digits++;
    }
    if (digits == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        int ed = 0;
        p++;
        if (*p == '+' || *p == '-')
            p++;
        while (*p >= '0' && *p <= '9')
            p++, ed++;
        if (ed == 0)
            return 0;
    }
    return *p == '\0';
}

/* *v = the number s spells, in the C locale whatever the process's is.
 * Returns 0 (not a number), 1 (ok) or 2 (out of the range of a double). */
static int parse_number(double *v, const char *s, locale_t c)
{
    char *end;
    if (!decimal_syntax(s))
        return 0;
    errno = 0;
    *v = strtod_l(s, &end, c);
    if (*end != '\0')
        return 0;
    /* overflow, and underflow to zero of a nonzero decimal such as 1e-400
     * (subnormal results are kept) */
    if (!isfinite(*v) || (errno == ERANGE && (fabs(*v) > 1.0 || !(fabs(*v) > 0))))
        return 2;
    if (!(fabs(*v) > 0))
        *v = 0;                 /* -0 is 0 */
    return 1;
}

/* ---- CSV ---- */

typedef struct {
    char **field;       /* the current record */
    slong nf, capf;
    char ***rec;        /* all records */
    slong *recn;
    slong nrec, caprec;
} csv_acc;

static void on_field(void *s, size_t len, void *arg)
{
    csv_acc *a = arg;
    char *f;
    if (a->nf == a->capf) {
        a->capf = MAXS(16, 2 * a->capf);
        a->field = trop_realloc(a->field, (size_t)a->capf * sizeof(char *));
    }
    f = trop_malloc(len + 1);
    memcpy(f, s, len);
    f[len] = '\0';
    a->field[a->nf++] = f;
}

static void on_record(int c, void *arg)
{
    csv_acc *a = arg;
    (void)c;
    if (a->nrec == a->caprec) {
        a->caprec = MAXS(64, 2 * a->caprec);
        a->rec = trop_realloc(a->rec, (size_t)a->caprec * sizeof(char **));
        a->recn = trop_realloc(a->recn, (size_t)a->caprec * sizeof(slong));
    }
    a->rec[a->nrec] = a->field;
    a->recn[a->nrec++] = a->nf;
    a->field = NULL;
    a->nf = a->capf = 0;
}

static void acc_clear(csv_acc *a)
{
    slong i, j;
    for (i = 0; i < a->nrec; i++) {
        for (j = 0; j < a->recn[i]; j++)
            trop_free(a->rec[i][j]);
        trop_free(a->rec[i]);
    }
    for (j = 0; j < a->nf; j++)
        trop_free(a->field[j]);
    trop_free(a->field);
    trop_free(a->rec);
    trop_free(a->recn);
}

/* libcsv trims spaces and tabs around unquoted fields itself; a quoted
 * field is kept as written, so " 1" in quotes is not a number. */
static int is_number(const char *s, locale_t c)
{
    double v;
    return parse_number(&v, s, c) == 1;
}

static int is_count(const char *s, slong want)
{
    char *end;
    long v = strtol(s, &end, 10);
    return *s != '\0' && *end == '\0' && v == want;
}

trop_status trop_dataset_read_csv(trop_dataset_t ds, const char *path, const char *label,
                                  trop_error *err)
{
    char nbuf[TROP_ERROR_NAME_MAX + 1], *buf = NULL, *text;
    const char *name = trop_error_name(nbuf, path);
    struct csv_parser p;
    csv_acc a;
    size_t len;
    slong ncol, first, i, j, lab = -1, k, maxlab = -1, sknc = 0, badline = 0;
    double badval = 0;
    int header = 0, sk = 0, allint = 1;
    trop_status st;
    locale_t cl = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    trop_dataset_clear(ds);
    memset(&a, 0, sizeof a);
    if ((st = slurp(&buf, &len, path, name, err)) != TROP_OK) {
        freelocale(cl);
        return st;
    }
    text = buf;
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB
        && (unsigned char)text[2] == 0xBF) {
        text += 3;              /* a UTF-8 byte order mark */
        len -= 3;
    }
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    if (csv_parse(&p, text, len, on_field, on_record, &a) != len
        || csv_fini(&p, on_field, on_record, &a) != 0) {
        st = trop_error_set(err, TROP_ERR_FORMAT, "csv", "%s: line %ld: %s", name,
                            (long)a.nrec + 1, csv_strerror(csv_error(&p)));
        goto fail;
    }
    if (a.nrec == 0) {
        st = trop_error_set(err, TROP_ERR_FORMAT, "csv", "%s: the file has no records", name);
        goto fail;
    }
    /* a header: some field of the first record is not a number */
    for (j = 0; j < a.recn[0] && !header; j++)
        header = !is_number(a.rec[0][j], cl);
    first = header;
    if (a.nrec == first) {
        st = trop_error_set(err, TROP_ERR_FORMAT, "csv", "%s: a header and no data rows", name);
        goto fail;
    }
    ncol = a.recn[first];
    if (header && a.recn[0] >= 3 && is_count(a.rec[0][0], a.nrec - 1)
        && is_count(a.rec[0][1], ncol - 1))
        sk = 1;                 /* scikit-learn: n_samples, n_features, class names */
    else if (header && a.recn[0] != ncol) {
        st = trop_error_set(err, TROP_ERR_FORMAT, "csv",
                            "%s: line 1 (the header) has %ld fields, the data %ld", name,
                            (long)a.recn[0], (long)ncol);
        goto fail;
    }
    if (ncol < 2) {
        st = trop_error_set(err, TROP_ERR_FORMAT, "csv",
                            "%s: line %ld has one field: a target and at least one feature are "
                            "needed (is the file comma-separated?)", name, (long)first + 1);
        goto fail;
    }
    /* the target column */
    if (label == NULL)
        lab = ncol - 1;
    else {
        char *end;
        long v = strtol(label, &end, 10);
        if (*label != '\0' && *end == '\0')
            lab = v >= 0 && v < ncol ? v : -2;
        else
            for (j = 0; header && !sk && j < ncol; j++)
                if (strcmp(a.rec[0][j], label) == 0)
                    lab = j;
        if (lab < 0) {
            st = trop_error_set(err, TROP_ERR_INVALID, "csv",
                                "%s: no column '%s' (give a header name or an index 0..%ld)",
                                name, label, (long)ncol - 1);
            goto fail;
        }
    }
    /* scikit-learn's class names describe its target, the last column */
    if (sk && lab != ncol - 1)
        sk = 0;
    sknc = sk ? a.recn[0] - 2 : 0;
    ds->n = a.nrec - first;
    ds->d = ncol - 1;
    ds->X = trop_malloc((size_t)(ds->n * ds->d) * sizeof(double));
    ds->y = trop_malloc((size_t)ds->n * sizeof(double));
    for (i = first; i < a.nrec; i++) {
        slong r = i - first, q = 0;
        if (a.recn[i] != ncol) {
            st = trop_error_set(err, TROP_ERR_FORMAT, "csv",
                                "%s: line %ld has %ld fields, expected %ld", name, (long)i + 1,
                                (long)a.recn[i], (long)ncol);
            goto fail;
        }
        for (j = 0; j < ncol; j++) {
            double v;
            const char *f = a.rec[i][j];
            int ok = parse_number(&v, f, cl);
            if (ok != 1) {
                st = trop_error_set(err, TROP_ERR_FORMAT, "csv",
                                    "%s: line %ld, field %ld: %s%s%s", name, (long)i + 1,
                                    (long)j + 1, *f == '\0' ? "empty" : "'",
                                    *f == '\0' ? "" : f,
                                    *f == '\0' ? "" : ok == 2 ? "' is beyond the range of a "
                                    "double" : "' is not a number");
                goto fail;
            }
            if (j == lab) {
                ds->y[r] = v;
                if (v - floor(v) > 0 || v < 0 || v > 1e9)
                    allint = 0;
                else if ((slong)v > maxlab)
                    maxlab = (slong)v;
                if (sk && badline == 0 && (v - floor(v) > 0 || v < 0 || v >= (double)sknc)) {
                    badline = i + 1;
                    badval = v;
                }
            } else
                ds->X[r * ds->d + q++] = v;
        }
    }
    if (sk) {
        slong nc = a.recn[0] - 2;
        if (badline > 0) {
            st = trop_error_set(err, TROP_ERR_FORMAT, "csv",
                                "%s: line %ld: the class index %g is not one of 0..%ld (line 1 "
                                "names %ld classes)", name, (long)badline, badval,
                                (long)nc - 1, (long)nc);
            goto fail;
        }
        ds->nclasses = nc;
        ds->class_names = trop_malloc((size_t)nc * sizeof(char *));
        for (k = 0; k < nc; k++) {
            ds->class_names[k] = a.rec[0][k + 2];
            a.rec[0][k + 2] = trop_malloc(1);
            a.rec[0][k + 2][0] = '\0';
        }
    } else {
        ds->nclasses = allint ? maxlab + 1 : 0;
        if (header) {
            ds->feature_names = trop_malloc((size_t)ds->d * sizeof(char *));
            for (j = 0, k = 0; j < ncol; j++)
                if (j != lab) {
                    ds->feature_names[k++] = a.rec[0][j];
                    a.rec[0][j] = trop_malloc(1);
                    a.rec[0][j][0] = '\0';
                }
        }
    }
    csv_free(&p);
    acc_clear(&a);
    trop_free(buf);
    freelocale(cl);
    return TROP_OK;
fail:
    csv_free(&p);
    acc_clear(&a);
    trop_free(buf);
    freelocale(cl);
    trop_dataset_clear(ds);
    return st;
}

/* ---- IDX ---- */

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

trop_status trop_dataset_read_idx(trop_dataset_t ds, const char *images, const char *labels,
                                  trop_error *err)
{
    char nb1[TROP_ERROR_NAME_MAX + 1], nb2[TROP_ERROR_NAME_MAX + 1];
    const char *n1 = trop_error_name(nb1, images), *n2 = trop_error_name(nb2, labels);
    char *bi = NULL, *bl = NULL;
    size_t li, ll;
    const unsigned char *ui, *ul;
    uint32_t n, rows, cols, nl;
    slong i, d;
    trop_status st;
    trop_dataset_clear(ds);
    if ((st = slurp(&bi, &li, images, n1, err)) != TROP_OK)
        return st;
    if ((st = slurp(&bl, &ll, labels, n2, err)) != TROP_OK) {
        trop_free(bi);
        return st;
    }
    ui = (const unsigned char *)bi;
    ul = (const unsigned char *)bl;
    if (li < 16 || be32(ui) != 0x00000803) {
        st = trop_error_set(err, TROP_ERR_FORMAT, "idx", "%s: not an IDX image file (magic "
                            "0x00000803: unsigned bytes, 3 dimensions)", n1);
        goto done;
    }
    if (ll < 8 || be32(ul) != 0x00000801) {
        st = trop_error_set(err, TROP_ERR_FORMAT, "idx", "%s: not an IDX label file (magic "
                            "0x00000801: unsigned bytes, 1 dimension)", n2);
        goto done;
    }
    n = be32(ui + 4);
    rows = be32(ui + 8);
    cols = be32(ui + 12);
    nl = be32(ul + 4);
    if (n != nl) {
        st = trop_error_set(err, TROP_ERR_FORMAT, "idx", "%s has %lu images, %s %lu labels",
                            n1, (unsigned long)n, n2, (unsigned long)nl);
        goto done;
    }
    if ((uint64_t)n * rows * cols > (uint64_t)TROP_MAX_ELEMS || rows == 0 || cols == 0) {
        st = trop_error_set(err, TROP_ERR_LIMIT, "idx", "%s: %lu images of %lu x %lu: too "
                            "many values or an empty image", n1, (unsigned long)n,
                            (unsigned long)rows, (unsigned long)cols);
        goto done;
    }
    d = (slong)rows * (slong)cols;
    if (li - 16 != (size_t)n * (size_t)d || ll - 8 != (size_t)n) {
        st = trop_error_set(err, TROP_ERR_FORMAT, "idx", "%s: %s: %lu bytes of data, the "
                            "header announces %lu", li - 16 != (size_t)n * (size_t)d ? n1 : n2,
                            li - 16 != (size_t)n * (size_t)d
                                ? (li - 16 < (size_t)n * (size_t)d ? "truncated" : "too long")
                                : (ll - 8 < (size_t)n ? "truncated" : "too long"),
                            (unsigned long)(li - 16 != (size_t)n * (size_t)d ? li - 16 : ll - 8),
                            (unsigned long)(li - 16 != (size_t)n * (size_t)d
                                            ? (size_t)n * (size_t)d : (size_t)n));
        goto done;
    }
    ds->n = n;
    ds->d = d;
    ds->X = trop_malloc((size_t)(ds->n * d) * sizeof(double));
    ds->y = trop_malloc((size_t)MAXS(ds->n, 1) * sizeof(double));
    for (i = 0; i < ds->n * d; i++)
        ds->X[i] = ui[16 + i];
    for (i = 0; i < ds->n; i++) {
        ds->y[i] = ul[8 + i];
        if (ul[8 + i] + 1 > ds->nclasses)
            ds->nclasses = ul[8 + i] + 1;
    }
    st = TROP_OK;
done:
    trop_free(bi);
    trop_free(bl);
    return st;
}

/* ---- splits and standardisation ---- */

static char **copy_names(char *const *names, slong len)
{
    char **out;
    slong i;
    if (names == NULL)
        return NULL;
    out = trop_malloc((size_t)MAXS(len, 1) * sizeof(char *));
    for (i = 0; i < len; i++) {
        size_t l = strlen(names[i]) + 1;
        out[i] = trop_malloc(l);
        memcpy(out[i], names[i], l);
    }
    return out;
}

/* dst = the rows idx: [cnt] of src. */
static void take_rows(trop_dataset_t dst, const trop_dataset_t src, const slong *idx, slong cnt)
{
    slong i;
    trop_dataset_clear(dst);
    dst->n = cnt;
    dst->d = src->d;
    dst->nclasses = src->nclasses;
    dst->X = trop_malloc((size_t)MAXS(cnt * src->d, 1) * sizeof(double));
    dst->y = trop_malloc((size_t)MAXS(cnt, 1) * sizeof(double));
    for (i = 0; i < cnt; i++) {
        memcpy(dst->X + i * src->d, src->X + idx[i] * src->d, (size_t)src->d * sizeof(double));
        dst->y[i] = src->y[idx[i]];
    }
    dst->feature_names = copy_names(src->feature_names, src->d);
    dst->class_names = copy_names(src->class_names, src->nclasses);
}

void trop_dataset_split(trop_dataset_t train, trop_dataset_t valid, trop_dataset_t test,
                        const trop_dataset_t ds, double fvalid, double ftest,
                        unsigned long long seed)
{
    slong n = ds->n, i, nv, nt, *idx = trop_malloc((size_t)MAXS(n, 1) * sizeof(slong));
    trop_rng r;
    TROP_ASSERT(fvalid >= 0 && ftest >= 0 && fvalid + ftest < 1);
    TROP_ASSERT(train != ds && valid != ds && test != ds);
    trop_rng_init(&r, seed);
    for (i = 0; i < n; i++)
        idx[i] = i;
    for (i = n - 1; i > 0; i--) {           /* Fisher-Yates */
        slong j = trop_rng_below(&r, i + 1), t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
    nv = (slong)floor((double)n * fvalid + 0.5);
    nt = (slong)floor((double)n * ftest + 0.5);
    if (nv + nt > n)
        nt = n - nv;
    take_rows(valid, ds, idx, nv);
    take_rows(test, ds, idx + nv, nt);
    take_rows(train, ds, idx + nv + nt, n - nv - nt);
    trop_free(idx);
}

void trop_dataset_standardize_fit(double *mean, double *scale, const trop_dataset_t ds)
{
    slong i, j, n = ds->n, d = ds->d;
    double *big = trop_calloc((size_t)(d ? d : 1), sizeof(double));
    /* Passes over the rows in memory order.  Overflow-free for any finite
     * data: the mean sums x / n, and the deviation is M sqrt(sum((e / M)^2)
     * / n) with e = x - mean and M = max |e| (the scaling of LAPACK's
     * dnrm2), so values near 1e308 do not make it infinite. */
    for (j = 0; j < d; j++)
        mean[j] = scale[j] = 0;
    for (i = 0; i < n; i++)
        for (j = 0; j < d; j++)
            mean[j] += ds->X[i * d + j] / (double)n;
    for (i = 0; i < n; i++)
        for (j = 0; j < d; j++) {
            double e = fabs(ds->X[i * d + j] - mean[j]);
            big[j] = e > big[j] ? e : big[j];
        }
    for (i = 0; i < n; i++)
        for (j = 0; j < d; j++)
            if (big[j] > 0) {
                double e = (ds->X[i * d + j] - mean[j]) / big[j];
                scale[j] += e * e;
            }
    for (j = 0; j < d; j++) {
        double v = n > 0 ? big[j] * sqrt(scale[j] / (double)n) : 0;
        scale[j] = v > 0 && isfinite(v) ? v : 1;
    }
    trop_free(big);
}

void trop_dataset_standardize(trop_dataset_t ds, const double *mean, const double *scale)
{
    slong i, j;
    for (i = 0; i < ds->n; i++)
        for (j = 0; j < ds->d; j++)
            ds->X[i * ds->d + j] = (ds->X[i * ds->d + j] - mean[j]) / scale[j];
}
