/* nnet.c: reader for the NNet text format (see docs/formats.md and
 * shared/data/FORMATS.md section 1).
 *
 * The file is read line by line, never as one stream of numbers: each
 * record (size line, one weight row, one bias) must sit on its own line, so
 * a short row is reported on its line instead of silently shifting every
 * later value.  Lines end in LF, CRLF or a lone CR; fields are separated by
 * commas with optional blanks, and one trailing comma is allowed.  Numbers
 * are exact decimals (trop_q_parse_decimal).  Buffers grow only with data
 * actually parsed, so a lying size field cannot allocate much. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "trop/net.h"
#include "net-internal.h"

typedef struct nline {
    const char *p;
    size_t n;
    long no;        /* 1-based line number */
} nline;

/* Reader state.  row: the numbers of the line parsed last; vec: a growable
 * vector collecting the rows of one record group (a weight matrix). */
typedef struct nnet_rd {
    const char *buf;
    size_t len, pos;
    long lineno;
    const char *name;
    trop_error *err;
    char *tok;
    size_t tok_alloc;
    fmpq *row;
    slong row_len, row_alloc;
} nnet_rd;

/* A growable vector of rationals (memory moves are safe for fmpq). */
typedef struct qbuf {
    fmpq *v;
    slong len, alloc;
} qbuf;

static void qbuf_init(qbuf *b)
{
    b->v = NULL;
    b->len = b->alloc = 0;
}

static void qbuf_clear(qbuf *b)
{
    _fmpq_vec_clear(b->v, b->alloc);
    qbuf_init(b);
}

static void qvec_reserve(fmpq **v, slong *alloc, slong need)
{
    slong i, n = *alloc;
    if (need <= n)
        return;
    n = FLINT_MAX(need, 2 * n);
    *v = trop_realloc(*v, (size_t)n * sizeof(fmpq));
    for (i = *alloc; i < n; i++)
        fmpq_init(*v + i);
    *alloc = n;
}

/* Appends the reader's current row to b (moving the values). */
static void qbuf_take_row(qbuf *b, nnet_rd *r)
{
    slong i;
    qvec_reserve(&b->v, &b->alloc, b->len + r->row_len);
    for (i = 0; i < r->row_len; i++)
        fmpq_swap(b->v + b->len + i, r->row + i);
    b->len += r->row_len;
}

/* ---- messages ---- */

static trop_status nerr(nnet_rd *r, trop_status st, long line, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static trop_status nerr(nnet_rd *r, trop_status st, long line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        return trop_error_set(r->err, st, "nnet", "%s: line %ld: %s", r->name, line, msg);
    return trop_error_set(r->err, st, "nnet", "%s: %s", r->name, msg);
}

static trop_status eof_err(nnet_rd *r, const char *what)
{
    if (r->lineno == 0)
        return nerr(r, TROP_ERR_FORMAT, 0, "unexpected end of file: %s missing", what);
    return nerr(r, TROP_ERR_FORMAT, 0, "unexpected end of file after line %ld: %s missing",
                r->lineno, what);
}

/* Writes c for a message: 'x', or \xNN for a byte that is not printable. */
static void show_char(char out[8], char c)
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        snprintf(out, 8, "'%c'", c);
    else
        snprintf(out, 8, "\\x%02X", u);
}

/* ---- lines and fields ---- */

static int next_line(nnet_rd *r, nline *l)
{
    size_t i = r->pos;
    if (r->pos >= r->len)
        return 0;
    while (i < r->len && r->buf[i] != '\n' && r->buf[i] != '\r')
        i++;
    l->p = r->buf + r->pos;
    l->n = i - r->pos;
    l->no = ++r->lineno;
    if (i < r->len && r->buf[i] == '\r' && i + 1 < r->len && r->buf[i + 1] == '\n')
        i += 2;
    else if (i < r->len)
        i++;
    r->pos = i;
    return 1;
}

static int is_sp(char c)
{
    return c == ' ' || c == '\t';
}

/* 1 if only blanks and line ends remain: the data ended (trailing blank
 * lines are allowed, so a file cut before them still "ended" there). */
static int at_end(const nnet_rd *r)
{
    size_t i;
    for (i = r->pos; i < r->len; i++)
        if (!is_sp(r->buf[i]) && r->buf[i] != '\n' && r->buf[i] != '\r')
            return 0;
    return 1;
}

static int line_is_blank(const nline *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        if (!is_sp(l->p[i]))
            return 0;
    return 1;
}

static int line_is_comment(const nline *l)
{
    size_t i = 0;
    while (i < l->n && is_sp(l->p[i]))
        i++;
    return i + 1 < l->n && l->p[i] == '/' && l->p[i + 1] == '/';
}

/* The next field of l at *pos (blanks trimmed); returns 0 when none is left.
 * A final empty field (after a trailing comma, or of an empty line) does
 * not count; *empty is set for an empty field anywhere else. */
static int next_field(const nline *l, size_t *pos, const char **fs, size_t *fn, int *empty)
{
    size_t i = *pos, s, e;
    if (i > l->n)
        return 0;
    while (i < l->n && l->p[i] != ',')
        i++;
    s = *pos;
    e = i;
    while (s < e && is_sp(l->p[s]))
        s++;
    while (e > s && is_sp(l->p[e - 1]))
        e--;
    *pos = i + 1;   /* past the comma, or past the end */
    *fs = l->p + s;
    *fn = e - s;
    *empty = (e == s);
    if (*empty && i >= l->n)
        return 0;   /* nothing after the last comma */
    return 1;
}

/* Copies a field into the reader's NUL-terminated token buffer (the input
 * buffer need not be NUL-terminated). */
static const char *field_token(nnet_rd *r, const char *fs, size_t fn)
{
    if (fn + 1 > r->tok_alloc) {
        r->tok_alloc = 2 * (fn + 1);
        r->tok = trop_realloc(r->tok, r->tok_alloc);
    }
    memcpy(r->tok, fs, fn);
    r->tok[fn] = '\0';
    return r->tok;
}

/* Parses one field as an exact decimal.  what names it in messages. */
static trop_status parse_field(nnet_rd *r, const nline *l, const char *fs, size_t fn,
                               fmpq_t res, const char *what)
{
    const char *tok = field_token(r, fs, fn), *end;
    trop_error qe;
    trop_status st = trop_q_parse_decimal(res, tok, &end, &qe);
    if (st != TROP_OK)
        return nerr(r, st, l->no, "%s: %s", what, qe.msg);
    if ((size_t)(end - tok) != fn) {
        char c[8];
        size_t k = (size_t)(end - tok);
        show_char(c, fs[k]);
        return nerr(r, TROP_ERR_FORMAT, l->no, "%s: unexpected character %s after \"%.*s\"",
                    what, c, (int)FLINT_MIN(k, 40), tok);
    }
    return TROP_OK;
}

/* Parses every field of l into r->row (r->row_len of them), so that a bad
 * character is reported before a wrong count.  desc names the record and
 * unit one field ("row 2 of layer 1", "weight") for messages. */
static trop_status parse_row(nnet_rd *r, const nline *l, const char *desc, const char *unit)
{
    size_t pos = 0, fn;
    const char *fs;
    int empty;
    char what[160];
    trop_status st;
    r->row_len = 0;
    while (next_field(l, &pos, &fs, &fn, &empty)) {
        if (empty)
            return nerr(r, TROP_ERR_FORMAT, l->no, "empty field %ld (two commas in a row?)",
                        r->row_len + 1);
        qvec_reserve(&r->row, &r->row_alloc, r->row_len + 1);
        snprintf(what, sizeof what, "%.100s, %s %ld", desc, unit, r->row_len + 1);
        st = parse_field(r, l, fs, fn, r->row + r->row_len, what);
        if (st != TROP_OK)
            return st;
        r->row_len++;
    }
    return TROP_OK;
}

/* Reads the next line as a record of exactly n numbers into r->row.
 * desc says what the record is ("weight row 2 of layer 1"), unit what
 * one number is ("weight"). */
static trop_status read_record(nnet_rd *r, slong n, const char *desc, const char *unit,
                               const char *units)
{
    nline l;
    trop_status st;
    if (at_end(r) || !next_line(r, &l))
        return eof_err(r, desc);
    if (line_is_comment(&l))
        return nerr(r, TROP_ERR_FORMAT, l.no,
                    "expected %s, found a comment line (comments are allowed only before "
                    "the header)", desc);
    if (line_is_blank(&l))
        return nerr(r, TROP_ERR_FORMAT, l.no, "expected %s, found an empty line", desc);
    st = parse_row(r, &l, desc, unit);
    if (st != TROP_OK)
        return st;
    if (r->row_len != n)
        return nerr(r, TROP_ERR_FORMAT, l.no, "expected %ld %s (%s), found %ld",
                    n, n == 1 ? unit : units, desc, r->row_len);
    return TROP_OK;
}

/* ---- header ---- */

typedef struct nnet_hdr {
    slong nlayers, in, out, maxsize;
    slong *sizes;               /* [nlayers + 1] */
    long size_line, sizes_line;
} nnet_hdr;

/* Converts r->row[i] to a size: an integer in [1, TROP_MAX_ELEMS].
 * entry: the 1-based position shown in messages, or 0 for none. */
static trop_status row_size(nnet_rd *r, long line, slong i, const char *what, slong entry,
                            slong *v)
{
    const fmpq *x = r->row + i;
    char *s;
    if (!fmpz_is_one(fmpq_denref(x)) || fmpz_sgn(fmpq_numref(x)) <= 0
        || fmpz_cmp_si(fmpq_numref(x), TROP_MAX_ELEMS) > 0) {
        trop_status st;
        char at[32] = "";
        s = fmpq_get_str(NULL, 10, x);
        if (entry > 0)
            snprintf(at, sizeof at, " (entry %ld)", entry);
        if (fmpz_is_one(fmpq_denref(x)) && fmpz_sgn(fmpq_numref(x)) > 0)
            st = nerr(r, TROP_ERR_LIMIT, line, "%s %.40s%s is above the limit %ld", what, s,
                      at, TROP_MAX_ELEMS);
        else
            st = nerr(r, TROP_ERR_FORMAT, line, "invalid %s %.40s%s: expected an integer >= 1",
                      what, s, at);
        flint_free(s);
        return st;
    }
    *v = fmpz_get_si(fmpq_numref(x));
    return TROP_OK;
}

/* Skips the leading comment and blank lines and parses the size line. */
static trop_status read_size_line(nnet_rd *r, nnet_hdr *h)
{
    static const char *names[4] = {"numLayers", "inputSize", "outputSize", "maxLayerSize"};
    nline l;
    slong i, *dst[4];
    trop_status st;
    do {
        if (!next_line(r, &l))
            return nerr(r, TROP_ERR_FORMAT, 0,
                        "no header found (the file has only comment or blank lines)");
    } while (line_is_comment(&l) || line_is_blank(&l));
    h->size_line = l.no;
    st = parse_row(r, &l, "the size line", "value");
    if (st != TROP_OK)
        return st;
    if (r->row_len != 4)
        return nerr(r, TROP_ERR_FORMAT, l.no, "expected 4 values (numLayers, inputSize, "
                    "outputSize, maxLayerSize), found %ld", r->row_len);
    dst[0] = &h->nlayers;
    dst[1] = &h->in;
    dst[2] = &h->out;
    dst[3] = &h->maxsize;
    for (i = 0; i < 4; i++)
        if ((st = row_size(r, l.no, i, names[i], 0, dst[i])) != TROP_OK)
            return st;
    return TROP_OK;
}

/* Parses the layer sizes line and checks it against the size line. */
static trop_status read_sizes_line(nnet_rd *r, nnet_hdr *h)
{
    slong i, mx = 0;
    trop_status st;
    nline l;
    if (!next_line(r, &l))
        return eof_err(r, "layer sizes line");
    h->sizes_line = l.no;
    if (line_is_comment(&l))
        return nerr(r, TROP_ERR_FORMAT, l.no, "expected the layer sizes line, found a comment "
                    "line (comments are allowed only before the header)");
    if ((st = parse_row(r, &l, "the layer sizes line", "value")) != TROP_OK)
        return st;
    /* the count is checked before anything is sized from nlayers */
    if (r->row_len != h->nlayers + 1)
        return nerr(r, TROP_ERR_FORMAT, l.no, "layer sizes line has %ld values, expected %ld "
                    "(numLayers + 1, numLayers = %ld on line %ld)",
                    r->row_len, h->nlayers + 1, h->nlayers, h->size_line);
    h->sizes = trop_malloc((size_t)(h->nlayers + 1) * sizeof(slong));
    for (i = 0; i <= h->nlayers; i++) {
        if ((st = row_size(r, l.no, i, "layer size", i + 1, h->sizes + i)) != TROP_OK)
            return st;
        mx = FLINT_MAX(mx, h->sizes[i]);
    }
    if (h->sizes[0] != h->in || h->sizes[h->nlayers] != h->out)
        return nerr(r, TROP_ERR_FORMAT, l.no, "header inconsistency: the sizes line gives "
                    "input %ld and output %ld, line %ld gives inputSize %ld and outputSize %ld",
                    h->sizes[0], h->sizes[h->nlayers], h->size_line, h->in, h->out);
    if (mx != h->maxsize)
        return nerr(r, TROP_ERR_FORMAT, h->size_line, "header inconsistency: maxLayerSize is "
                    "%ld but the largest layer size on line %ld is %ld",
                    h->maxsize, l.no, mx);
    return TROP_OK;
}

/* Total count of numbers in the file, checked against TROP_MAX_ELEMS
 * (each factor is at most 2^28, so no product overflows). */
static trop_status check_total(nnet_rd *r, const nnet_hdr *h)
{
    slong k, total = 4 * h->in + 2;
    for (k = 1; k <= h->nlayers; k++) {
        total += h->sizes[k] * (h->sizes[k - 1] + 1);
        if (total > TROP_MAX_ELEMS)
            return nerr(r, TROP_ERR_LIMIT, h->sizes_line, "the network has more than %ld "
                        "numbers (the reader's limit)", TROP_MAX_ELEMS);
    }
    return TROP_OK;
}

/* ---- normalisation lines ---- */

/* mins, maxs: [in]; means, ranges: [in + 1] (the last is the output's). */
typedef struct nnet_norm {
    qbuf mins, maxs, means, ranges;
    long max_line, range_line;
} nnet_norm;

static trop_status read_vec_line(nnet_rd *r, qbuf *dst, slong n, const char *desc, long *line)
{
    trop_status st = read_record(r, n, desc, "value", "values");
    if (st == TROP_OK) {
        qbuf_take_row(dst, r);
        if (line)
            *line = r->lineno;
    }
    return st;
}

static trop_status read_norm(nnet_rd *r, const nnet_hdr *h, nnet_norm *nm)
{
    trop_status st;
    slong i;
    if ((st = read_record(r, 1, "the unused flag line", "value", "values")) != TROP_OK
        || (st = read_vec_line(r, &nm->mins, h->in, "the input minima", NULL)) != TROP_OK
        || (st = read_vec_line(r, &nm->maxs, h->in, "the input maxima", &nm->max_line)) != TROP_OK
        || (st = read_vec_line(r, &nm->means, h->in + 1, "the means", NULL)) != TROP_OK
        || (st = read_vec_line(r, &nm->ranges, h->in + 1, "the ranges", &nm->range_line))
               != TROP_OK)
        return st;
    for (i = 0; i <= h->in; i++)
        if (fmpq_is_zero(nm->ranges.v + i)) {
            if (i == h->in)
                return nerr(r, TROP_ERR_INVALID, nm->range_line, "the output range (value %ld) "
                            "is 0", i + 1);
            return nerr(r, TROP_ERR_INVALID, nm->range_line, "the range of input %ld is 0: "
                        "normalisation would divide by zero", i + 1);
        }
    for (i = 0; i < h->in; i++)
        if (fmpq_cmp(nm->mins.v + i, nm->maxs.v + i) > 0)
            return nerr(r, TROP_ERR_INVALID, nm->max_line, "input %ld: the maximum is below "
                        "the minimum on line %ld", i + 1, nm->max_line - 1);
    return TROP_OK;
}

/* Stores the normalisation and the normalised box (min - mean) / range in
 * net.  A negative range flips the interval, so the ends are ordered. */
static void set_norm_box(trop_net_t net, const nnet_norm *nm, slong n)
{
    fmpq *lo = _fmpq_vec_init(n), *hi = _fmpq_vec_init(n);
    slong i;
    for (i = 0; i < n; i++) {
        fmpq_sub(lo + i, nm->mins.v + i, nm->means.v + i);
        fmpq_div(lo + i, lo + i, nm->ranges.v + i);
        fmpq_sub(hi + i, nm->maxs.v + i, nm->means.v + i);
        fmpq_div(hi + i, hi + i, nm->ranges.v + i);
        if (fmpq_sgn(nm->ranges.v + i) < 0)
            fmpq_swap(lo + i, hi + i);
    }
    trop_net_set_box(net, lo, hi);
    _trop_net_set_norm(net, nm->means.v, nm->ranges.v, nm->means.v + n, nm->ranges.v + n);
    _fmpq_vec_clear(lo, n);
    _fmpq_vec_clear(hi, n);
}

/* ---- layers ---- */

/* Reads layer k (1-based): size[k] weight rows, then size[k] bias lines. */
static trop_status read_layer(nnet_rd *r, trop_net_t net, const nnet_hdr *h, slong k,
                              qbuf *W, qbuf *b)
{
    slong i, nin = h->sizes[k - 1], nout = h->sizes[k];
    char desc[96];
    trop_layer_struct *L;
    trop_status st;
    W->len = b->len = 0;
    for (i = 0; i < nout; i++) {
        if (i == 0)
            snprintf(desc, sizeof desc, "weights of layer %ld", k);
        else
            snprintf(desc, sizeof desc, "%ld of %ld weight rows of layer %ld", nout - i, nout, k);
        if (at_end(r))
            return eof_err(r, desc);
        snprintf(desc, sizeof desc, "row %ld of layer %ld", i + 1, k);
        if ((st = read_record(r, nin, desc, "weight", "weights")) != TROP_OK)
            return st;
        qbuf_take_row(W, r);
    }
    for (i = 0; i < nout; i++) {
        snprintf(desc, sizeof desc, "%ld bias%s of layer %ld", nout - i,
                 nout - i == 1 ? "" : "es", k);
        if (at_end(r))
            return eof_err(r, desc);
        snprintf(desc, sizeof desc, "bias %ld of layer %ld", i + 1, k);
        if ((st = read_record(r, 1, desc, "value", "values")) != TROP_OK)
            return st;
        qbuf_take_row(b, r);
    }
    /* hidden layers are ReLU, the last layer is affine */
    L = trop_net_append_layer(net, nout, k < h->nlayers ? TROP_ACT_RELU : TROP_ACT_LINEAR,
                              NULL, 1);
    for (i = 0; i < nout * nin; i++)
        fmpq_swap(L->W + i, W->v + i);
    for (i = 0; i < nout; i++)
        fmpq_swap(L->b + i, b->v + i);
    return TROP_OK;
}

static trop_status read_trailer(nnet_rd *r, slong nlayers)
{
    nline l;
    while (next_line(r, &l))
        if (!line_is_blank(&l))
            return nerr(r, TROP_ERR_FORMAT, l.no, "trailing data after layer %ld (expected "
                        "the end of the file)", nlayers);
    return TROP_OK;
}

/* ---- entry point ---- */

static trop_status read_body(nnet_rd *r, trop_net_struct *tmp, int *have_tmp)
{
    nnet_hdr h;
    nnet_norm nm;
    qbuf W, b;
    slong k;
    trop_status st;
    memset(&h, 0, sizeof h);
    qbuf_init(&nm.mins);
    qbuf_init(&nm.maxs);
    qbuf_init(&nm.means);
    qbuf_init(&nm.ranges);
    qbuf_init(&W);
    qbuf_init(&b);
    if ((st = read_size_line(r, &h)) == TROP_OK && (st = read_sizes_line(r, &h)) == TROP_OK
        && (st = check_total(r, &h)) == TROP_OK && (st = read_norm(r, &h, &nm)) == TROP_OK) {
        trop_net_init(tmp, h.in);
        *have_tmp = 1;
        set_norm_box(tmp, &nm, h.in);
        for (k = 1; k <= h.nlayers && st == TROP_OK; k++)
            st = read_layer(r, tmp, &h, k, &W, &b);
        if (st == TROP_OK)
            st = read_trailer(r, h.nlayers);
    }
    trop_free(h.sizes);
    qbuf_clear(&nm.mins);
    qbuf_clear(&nm.maxs);
    qbuf_clear(&nm.means);
    qbuf_clear(&nm.ranges);
    qbuf_clear(&W);
    qbuf_clear(&b);
    return st;
}

trop_status trop_net_read_nnet(trop_net_t net, const char *buf, size_t len,
                               const char *name, trop_error *err)
{
    nnet_rd r;
    char shortname[TROP_ERROR_NAME_MAX + 1];
    trop_net_t tmp;
    int have_tmp = 0;
    trop_status st;
    size_t bom = _trop_net_bom_len(buf, len);
    memset(&r, 0, sizeof r);
    r.buf = buf + bom;
    r.len = len - bom;
    r.name = trop_error_name(shortname, name ? name : TROP_NET_NONAME);
    r.err = err;
    if (r.len == 0)
        st = nerr(&r, TROP_ERR_FORMAT, 0, "empty file");
    else
        st = read_body(&r, tmp, &have_tmp);
    trop_free(r.tok);
    _fmpq_vec_clear(r.row, r.row_alloc);
    if (!have_tmp)
        trop_net_init(tmp, 1);
    return _trop_net_read_finish(net, tmp, st);
}
