/* bin.c: the net.bin format, our exact binary network format (byte layout
 * in docs/formats.md).
 *
 * Rationals are stored exactly (sign, then numerator and denominator as
 * little-endian magnitudes of any length), because a float encoding would
 * change what decimal text meant (case 09).  The reader trusts nothing: the
 * CRC-32 is checked first, then every count is checked against the bytes
 * that remain before anything is allocated from it, and every value must be
 * in canonical form, so a flipped byte gives an error naming its offset. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "trop/net.h"
#include "net-internal.h"

#define BIN_VERSION 1u
#define BIN_HEADER 28           /* magic, version, encoding, flags, input_dim, nlayers */
#define BIN_MIN_SIZE (BIN_HEADER + 4 + 4)   /* + nmeta + crc */
#define Q_MIN_BYTES 10          /* sign, two lengths, a one-byte denominator */
#define LAYER_MIN_BYTES (16 + Q_MIN_BYTES)
#define FLAG_BOX 1u
#define FLAG_NORM 2u

static const unsigned char magic[8] = {'T', 'R', 'O', 'P', 'N', 'E', 'T', 0};

/* ---- reader ---- */

typedef struct bin_rd {
    const unsigned char *p;
    size_t end, pos;            /* end: offset of the checksum */
    const char *name;
    trop_error *err;
    uint32_t enc;
    slong elems;
    mpz_t z;
} bin_rd;

static trop_status berr(bin_rd *r, trop_status st, size_t off, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static trop_status berr(bin_rd *r, trop_status st, size_t off, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return trop_error_set(r->err, st, "net.bin", "%s: offset %zu: %s", r->name, off, msg);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16)
           | ((uint32_t)p[3] << 24);
}

static size_t remaining(const bin_rd *r)
{
    return r->end - r->pos;
}

static trop_status rd_u32(bin_rd *r, uint32_t *v, const char *what)
{
    if (remaining(r) < 4)
        return berr(r, TROP_ERR_FORMAT, r->pos, "unexpected end of data reading %s", what);
    *v = get_u32(r->p + r->pos);
    r->pos += 4;
    return TROP_OK;
}

/* Reads a length-prefixed little-endian magnitude into r->z; it must have
 * no leading zero byte (canonical form). */
static trop_status rd_mag(bin_rd *r, const char *what)
{
    uint32_t n = 0;
    trop_status st = rd_u32(r, &n, what);
    if (st != TROP_OK)
        return st;
    if (n > remaining(r))
        return berr(r, TROP_ERR_FORMAT, r->pos - 4, "%s: length %u exceeds the %zu bytes "
                    "that remain", what, n, remaining(r));
    if (n > 0 && r->p[r->pos + n - 1] == 0)
        return berr(r, TROP_ERR_FORMAT, r->pos, "%s: leading zero byte (not canonical)", what);
    mpz_import(r->z, n, -1, 1, 0, 0, r->p + r->pos);
    r->pos += n;
    return TROP_OK;
}

/* Reads a rational: sign byte, numerator, denominator, canonical. */
static trop_status rd_q(bin_rd *r, fmpq_t res, const char *what)
{
    size_t off = r->pos;
    unsigned sign;
    trop_status st;
    if (remaining(r) < 1)
        return berr(r, TROP_ERR_FORMAT, off, "unexpected end of data reading %s", what);
    sign = r->p[r->pos++];
    if (sign > 1)
        return berr(r, TROP_ERR_FORMAT, off, "%s: sign byte %u is not 0 or 1", what, sign);
    if ((st = rd_mag(r, what)) != TROP_OK)
        return st;
    fmpz_set_mpz(fmpq_numref(res), r->z);
    if (sign)
        fmpz_neg(fmpq_numref(res), fmpq_numref(res));
    if ((st = rd_mag(r, what)) != TROP_OK)
        return st;
    fmpz_set_mpz(fmpq_denref(res), r->z);
    if (fmpz_is_zero(fmpq_denref(res)))
        return berr(r, TROP_ERR_FORMAT, off, "%s: zero denominator", what);
    if (!fmpq_is_canonical(res) || (sign && fmpz_is_zero(fmpq_numref(res))))
        return berr(r, TROP_ERR_FORMAT, off, "%s: not in lowest terms (not canonical)", what);
    return TROP_OK;
}

static trop_status rd_f64(bin_rd *r, fmpq_t res, const char *what)
{
    uint64_t u = 0;
    double d;
    int i;
    if (remaining(r) < 8)
        return berr(r, TROP_ERR_FORMAT, r->pos, "unexpected end of data reading %s", what);
    for (i = 7; i >= 0; i--)
        u = (u << 8) | r->p[r->pos + (size_t)i];
    memcpy(&d, &u, sizeof d);
    if (!isfinite(d))
        return berr(r, TROP_ERR_FORMAT, r->pos, "%s: %s is not a finite number", what,
                    isnan(d) ? "NaN" : "infinity");
    trop_q_set_d(res, d, NULL);
    r->pos += 8;
    return TROP_OK;
}

/* Reads len weights (in the file's encoding) or rationals (always). */
static trop_status rd_vec(bin_rd *r, fmpq *v, slong len, int weights, const char *what)
{
    slong i;
    trop_status st = TROP_OK;
    for (i = 0; i < len && st == TROP_OK; i++)
        st = (weights && r->enc == TROP_NET_ENC_F64) ? rd_f64(r, v + i, what)
                                                     : rd_q(r, v + i, what);
    return st;
}

/* Checks that count values of at least per bytes each fit in what remains
 * (before anything is allocated for them). */
static trop_status check_fits(bin_rd *r, size_t off, slong count, size_t per, const char *what)
{
    if ((size_t)count > remaining(r) / per)
        return berr(r, TROP_ERR_FORMAT, off, "%s: %ld values cannot fit in the %zu bytes "
                    "that remain", what, count, remaining(r));
    return TROP_OK;
}

typedef struct layer_hdr {
    uint32_t act, nout, nin, k;
} layer_hdr;

static trop_status check_layer_hdr(bin_rd *r, size_t off, slong l, const layer_hdr *h,
                                   slong nin)
{
    if (h->act > TROP_ACT_MAXOUT)
        return berr(r, TROP_ERR_FORMAT, off, "layer %ld: activation code %u is not 0..3", l,
                    h->act);
    if (h->nout < 1 || h->nout > TROP_MAX_ELEMS)
        return berr(r, TROP_ERR_FORMAT, off + 4, "layer %ld: %u rows is not in 1..%ld", l,
                    h->nout, TROP_MAX_ELEMS);
    if ((slong)h->nin != nin)
        return berr(r, TROP_ERR_FORMAT, off + 8, "layer %ld: reads %u inputs, the previous "
                    "layer gives %ld", l, h->nin, nin);
    if (h->act == TROP_ACT_MAXOUT ? (h->k < 1 || h->nout % h->k != 0) : h->k != 1)
        return berr(r, TROP_ERR_FORMAT, off + 12, "layer %ld: k = %u is invalid for %u rows "
                    "(maxout needs k dividing the rows, other layers k = 1)", l, h->k, h->nout);
    return TROP_OK;
}

static trop_status rd_layer(bin_rd *r, trop_net_t net, slong l)
{
    size_t off = r->pos;
    layer_hdr h = {0, 0, 0, 0};   /* set by the reads; zeroed for -O3's flow analysis */
    fmpq_t slope;
    slong count;
    trop_layer_struct *L;
    trop_status st;
    if ((st = rd_u32(r, &h.act, "activation")) != TROP_OK
        || (st = rd_u32(r, &h.nout, "rows")) != TROP_OK
        || (st = rd_u32(r, &h.nin, "columns")) != TROP_OK
        || (st = rd_u32(r, &h.k, "k")) != TROP_OK
        || (st = check_layer_hdr(r, off, l, &h, trop_net_output_dim(net))) != TROP_OK)
        return st;
    fmpq_init(slope);
    st = rd_q(r, slope, "slope");
    if (st == TROP_OK && h.act != TROP_ACT_LEAKY && !fmpq_is_zero(slope))
        st = berr(r, TROP_ERR_FORMAT, off + 16, "layer %ld: nonzero slope on a layer that is "
                  "not leaky", l);
    count = (slong)h.nout * ((slong)h.nin + 1);     /* both <= 2^28: no overflow */
    r->elems += count;
    if (st == TROP_OK && r->elems > TROP_MAX_ELEMS)
        st = berr(r, TROP_ERR_LIMIT, off, "layer %ld: the network has more than %ld numbers "
                  "(the reader's limit)", l, TROP_MAX_ELEMS);
    if (st == TROP_OK)
        st = check_fits(r, off, count, r->enc == TROP_NET_ENC_F64 ? 8 : Q_MIN_BYTES, "weights");
    if (st == TROP_OK) {
        L = trop_net_append_layer(net, h.nout, (trop_act)h.act, slope, h.k);
        if ((st = rd_vec(r, L->W, (slong)h.nout * h.nin, 1, "weight")) == TROP_OK)
            st = rd_vec(r, L->b, h.nout, 1, "bias");
    }
    fmpq_clear(slope);
    return st;
}

static trop_status rd_box(bin_rd *r, trop_net_t net)
{
    slong i, d = net->input_dim;
    size_t off = r->pos;
    fmpq *lo, *hi;
    trop_status st = check_fits(r, off, 2 * d, Q_MIN_BYTES, "box");
    if (st != TROP_OK)
        return st;
    lo = _fmpq_vec_init(d);
    hi = _fmpq_vec_init(d);
    if ((st = rd_vec(r, lo, d, 0, "box lower bound")) == TROP_OK
        && (st = rd_vec(r, hi, d, 0, "box upper bound")) == TROP_OK) {
        for (i = 0; i < d && st == TROP_OK; i++)
            if (fmpq_cmp(lo + i, hi + i) > 0)
                st = berr(r, TROP_ERR_FORMAT, off, "box: lower bound above upper bound in "
                          "input %ld", i);
        if (st == TROP_OK)
            trop_net_set_box(net, lo, hi);
    }
    _fmpq_vec_clear(lo, d);
    _fmpq_vec_clear(hi, d);
    return st;
}

static trop_status rd_norm(bin_rd *r, trop_net_t net)
{
    slong i, d = net->input_dim;
    size_t off = r->pos;
    fmpq *v;
    trop_status st = check_fits(r, off, 2 * d + 2, Q_MIN_BYTES, "normalisation");
    if (st != TROP_OK)
        return st;
    /* v = in_mean[d], in_range[d], out_mean, out_range */
    v = _fmpq_vec_init(2 * d + 2);
    st = rd_vec(r, v, 2 * d + 2, 0, "normalisation");
    for (i = d; i < 2 * d + 2 && st == TROP_OK; i++)
        if (i != 2 * d && fmpq_is_zero(v + i))
            st = berr(r, TROP_ERR_FORMAT, off, "normalisation: a range is 0");
    if (st == TROP_OK)
        _trop_net_set_norm(net, v, v + d, v + 2 * d, v + 2 * d + 1);
    _fmpq_vec_clear(v, 2 * d + 2);
    return st;
}

/* Reads a length-prefixed UTF-8 string (no NUL) into a new C string. */
static trop_status rd_str(bin_rd *r, char **s, const char *what)
{
    uint32_t n = 0;
    trop_status st = rd_u32(r, &n, what);
    *s = NULL;
    if (st != TROP_OK)
        return st;
    if (n > remaining(r))
        return berr(r, TROP_ERR_FORMAT, r->pos - 4, "%s: length %u exceeds the %zu bytes "
                    "that remain", what, n, remaining(r));
    if (!_trop_utf8_valid((const char *)r->p + r->pos, n))
        return berr(r, TROP_ERR_FORMAT, r->pos, "%s: not valid UTF-8 (or contains NUL)", what);
    *s = trop_malloc((size_t)n + 1);
    memcpy(*s, r->p + r->pos, n);
    (*s)[n] = '\0';
    r->pos += n;
    return TROP_OK;
}

static trop_status rd_meta(bin_rd *r, trop_net_t net)
{
    uint32_t n = 0, i;
    size_t off = r->pos;
    trop_status st = rd_u32(r, &n, "metadata count");
    if (st == TROP_OK && n > remaining(r) / 8)
        st = berr(r, TROP_ERR_FORMAT, off, "metadata count %u cannot fit in the %zu bytes "
                  "that remain", n, remaining(r));
    for (i = 0; i < n && st == TROP_OK; i++) {
        char *k = NULL, *v = NULL;
        off = r->pos;
        if ((st = rd_str(r, &k, "metadata key")) == TROP_OK
            && (st = rd_str(r, &v, "metadata value")) == TROP_OK) {
            if (trop_net_get_meta(net, k) != NULL)
                st = berr(r, TROP_ERR_FORMAT, off, "duplicate metadata key \"%.40s\"", k);
            else
                trop_net_set_meta(net, k, v);
        }
        trop_free(k);
        trop_free(v);
    }
    return st;
}

/* Checks magic, version and checksum; sets r->end. */
static trop_status rd_envelope(bin_rd *r, size_t len)
{
    uint32_t stored, crc;
    if (len == 0)
        return berr(r, TROP_ERR_FORMAT, 0, "empty file");
    if (memcmp(r->p, magic, len < 8 ? len : 8) != 0)
        return berr(r, TROP_ERR_FORMAT, 0, "not a net.bin file (bad magic)");
    if (len < 12)
        return berr(r, TROP_ERR_FORMAT, len, "truncated: %zu bytes, a net.bin file has at "
                    "least %d", len, BIN_MIN_SIZE);
    if (get_u32(r->p + 8) != BIN_VERSION)
        return berr(r, TROP_ERR_FORMAT, 8, "unsupported net.bin version %u (this library "
                    "reads version %u)", get_u32(r->p + 8), BIN_VERSION);
    if (len < BIN_MIN_SIZE)
        return berr(r, TROP_ERR_FORMAT, len, "truncated: %zu bytes, a net.bin file has at "
                    "least %d", len, BIN_MIN_SIZE);
    stored = get_u32(r->p + len - 4);
    crc = (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), r->p, len - 4);
    if (stored != crc)
        return berr(r, TROP_ERR_FORMAT, len - 4, "checksum mismatch (stored 0x%08x, computed "
                    "0x%08x): the file is truncated or corrupt", stored, crc);
    r->end = len - 4;
    r->pos = 12;
    return TROP_OK;
}

static trop_status rd_body(bin_rd *r, trop_net_struct *tmp)
{
    uint32_t flags = 0, dim = 0, nlayers = 0, l;
    trop_status st;
    if ((st = rd_u32(r, &r->enc, "encoding")) != TROP_OK)
        return st;
    if (r->enc != TROP_NET_ENC_RATIONAL && r->enc != TROP_NET_ENC_F64)
        return berr(r, TROP_ERR_FORMAT, 12, "unknown encoding %u (1 rational, 2 float64)", r->enc);
    if ((st = rd_u32(r, &flags, "flags")) != TROP_OK)
        return st;
    if (flags & ~(FLAG_BOX | FLAG_NORM))
        return berr(r, TROP_ERR_FORMAT, 16, "unknown flags 0x%x", flags);
    if ((st = rd_u32(r, &dim, "input_dim")) != TROP_OK
        || (st = rd_u32(r, &nlayers, "layer count")) != TROP_OK)
        return st;
    if (dim < 1 || dim > TROP_MAX_ELEMS)
        return berr(r, TROP_ERR_FORMAT, 20, "input_dim %u is not in 1..%ld", dim, TROP_MAX_ELEMS);
    if (nlayers < 1 || nlayers > remaining(r) / LAYER_MIN_BYTES)
        return berr(r, TROP_ERR_FORMAT, 24, "layer count %u is not in 1..%zu (what the "
                    "remaining bytes can hold)", nlayers, remaining(r) / LAYER_MIN_BYTES);
    trop_net_clear(tmp);
    trop_net_init(tmp, dim);
    for (l = 0; l < nlayers && st == TROP_OK; l++)
        st = rd_layer(r, tmp, l);
    if (st == TROP_OK && (flags & FLAG_BOX))
        st = rd_box(r, tmp);
    if (st == TROP_OK && (flags & FLAG_NORM))
        st = rd_norm(r, tmp);
    if (st == TROP_OK)
        st = rd_meta(r, tmp);
    if (st == TROP_OK && r->pos != r->end)
        st = berr(r, TROP_ERR_FORMAT, r->pos, "%zu bytes of trailing data before the checksum",
                  r->end - r->pos);
    return st;
}

trop_status trop_net_read_bin(trop_net_t net, const unsigned char *buf, size_t len,
                              const char *name, trop_error *err)
{
    bin_rd r;
    char shortname[TROP_ERROR_NAME_MAX + 1];
    trop_net_t tmp;
    trop_status st;
    memset(&r, 0, sizeof r);
    r.p = buf;
    r.name = trop_error_name(shortname, name ? name : TROP_NET_NONAME);
    r.err = err;
    mpz_init(r.z);
    trop_net_init(tmp, 1);
    if ((st = rd_envelope(&r, len)) == TROP_OK)
        st = rd_body(&r, tmp);
    mpz_clear(r.z);
    return _trop_net_read_finish(net, tmp, st);
}

/* ---- writer ---- */

typedef struct wbuf {
    unsigned char *p;
    size_t n, alloc;
    mpz_t z;
} wbuf;

static unsigned char *w_reserve(wbuf *w, size_t k)
{
    if (w->n + k > w->alloc) {
        w->alloc = FLINT_MAX(2 * w->alloc, w->n + k + 256);
        w->p = trop_realloc(w->p, w->alloc);
    }
    return w->p + w->n;
}

static void w_u32(wbuf *w, uint32_t v)
{
    unsigned char *p = w_reserve(w, 4);
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
    w->n += 4;
}

static void w_bytes(wbuf *w, const void *s, size_t k)
{
    memcpy(w_reserve(w, k), s, k);
    w->n += k;
}

/* A length-prefixed little-endian magnitude of |x|. */
static void w_mag(wbuf *w, const fmpz_t x)
{
    size_t k = 0, cnt = 0;
    fmpz_get_mpz(w->z, x);
    if (mpz_sgn(w->z) != 0)
        k = (mpz_sizeinbase(w->z, 2) + 7) / 8;
    w_u32(w, (uint32_t)k);
    mpz_export(w_reserve(w, k), &cnt, -1, 1, 0, 0, w->z);
    TROP_ASSERT(cnt == k);
    w->n += k;
}

static void w_q(wbuf *w, const fmpq_t x)
{
    unsigned char s = fmpq_sgn(x) < 0;
    w_bytes(w, &s, 1);
    w_mag(w, fmpq_numref(x));
    w_mag(w, fmpq_denref(x));
}

/* 1 and *d = x if the rational x is exactly a finite double: x = m 2^s with
 * m odd, m < 2^53, and the bits of m inside the double grid
 * (s >= -1074, highest bit s + bits(m) - 1 <= 1023). */
static int q_get_d_exact(const fmpq_t x, double *d)
{
    fmpz_t m;
    slong s, bits;
    int ok;
    if (fmpq_is_zero(x)) {
        *d = 0.0;
        return 1;
    }
    s = (slong)fmpz_val2(fmpq_denref(x));
    if ((slong)fmpz_bits(fmpq_denref(x)) != s + 1)
        return 0;   /* the denominator is not a power of two */
    fmpz_init(m);
    s = (slong)fmpz_val2(fmpq_numref(x)) - s;
    fmpz_fdiv_q_2exp(m, fmpq_numref(x), fmpz_val2(fmpq_numref(x)));
    bits = (slong)fmpz_bits(m);
    ok = bits <= 53 && s >= -1074 && s + bits - 1 <= 1023;
    if (ok)
        *d = ldexp(fmpz_get_d(m), (int)s);
    fmpz_clear(m);
    return ok;
}

static void w_f64(wbuf *w, double d)
{
    uint64_t u;
    unsigned char *p = w_reserve(w, 8);
    int i;
    memcpy(&u, &d, sizeof u);
    for (i = 0; i < 8; i++)
        p[i] = (unsigned char)(u >> (8 * i));
    w->n += 8;
}

/* Writes W or b of layer l; with F64 every value must be a double. */
static trop_status w_weights(wbuf *w, const fmpq *v, slong len, trop_net_encoding enc,
                             slong l, const char *what, const char *path, trop_error *err)
{
    slong i;
    double d;
    for (i = 0; i < len; i++) {
        if (enc == TROP_NET_ENC_RATIONAL) {
            w_q(w, v + i);
        } else if (q_get_d_exact(v + i, &d)) {
            w_f64(w, d);
        } else {
            char *s = trop_q_get_str(v + i);
            trop_status st = trop_error_set(err, TROP_ERR_INVALID, "net.bin", "%s: layer %ld: "
                    "%s entry %ld = %.40s is not exactly a double (use the rational "
                    "encoding)", path, l, what, i, s);
            flint_free(s);
            return st;
        }
    }
    return TROP_OK;
}

static trop_status w_layers(wbuf *w, const trop_net_t net, trop_net_encoding enc,
                            const char *path, trop_error *err)
{
    slong l;
    fmpq_t zero;
    trop_status st = TROP_OK;
    fmpq_init(zero);
    for (l = 0; l < net->nlayers && st == TROP_OK; l++) {
        const trop_layer_struct *L = net->layers + l;
        w_u32(w, (uint32_t)L->act);
        w_u32(w, (uint32_t)L->nout);
        w_u32(w, (uint32_t)L->nin);
        w_u32(w, (uint32_t)L->k);
        /* the slope is meaningful for leaky layers only; store 0 otherwise */
        w_q(w, L->act == TROP_ACT_LEAKY ? L->slope : zero);
        st = w_weights(w, L->W, L->nout * L->nin, enc, l, "W", path, err);
        if (st == TROP_OK)
            st = w_weights(w, L->b, L->nout, enc, l, "b", path, err);
    }
    fmpq_clear(zero);
    return st;
}

static void w_qvec(wbuf *w, const fmpq *v, slong len)
{
    slong i;
    for (i = 0; i < len; i++)
        w_q(w, v + i);
}

static void w_tail(wbuf *w, const trop_net_t net)
{
    slong i;
    uint32_t crc;
    if (net->has_box) {
        w_qvec(w, net->box_lo, net->input_dim);
        w_qvec(w, net->box_hi, net->input_dim);
    }
    if (net->has_norm) {
        w_qvec(w, net->in_mean, net->input_dim);
        w_qvec(w, net->in_range, net->input_dim);
        w_q(w, net->out_mean);
        w_q(w, net->out_range);
    }
    w_u32(w, (uint32_t)net->nmeta);
    for (i = 0; i < net->nmeta; i++) {
        size_t kl = strlen(net->meta_key[i]), vl = strlen(net->meta_val[i]);
        w_u32(w, (uint32_t)kl);
        w_bytes(w, net->meta_key[i], kl);
        w_u32(w, (uint32_t)vl);
        w_bytes(w, net->meta_val[i], vl);
    }
    crc = (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), w->p, w->n);
    w_u32(w, crc);
}

/* Rejects what the format cannot hold or the reader would refuse. */
static trop_status check_writable(const trop_net_t net, trop_net_encoding enc,
                                  const char *path, trop_error *err)
{
    slong i;
    if (enc != TROP_NET_ENC_RATIONAL && enc != TROP_NET_ENC_F64)
        return trop_error_set(err, TROP_ERR_INVALID, "net.bin", "%s: unknown encoding %d",
                              path, (int)enc);
    if (trop_net_validate(net, err) != TROP_OK) {
        trop_error_prefix(err, path);
        return TROP_ERR_INVALID;
    }
    for (i = 0; i < net->nmeta; i++)
        if (!_trop_utf8_valid(net->meta_key[i], strlen(net->meta_key[i]))
            || !_trop_utf8_valid(net->meta_val[i], strlen(net->meta_val[i])))
            return trop_error_set(err, TROP_ERR_INVALID, "net.bin", "%s: metadata entry %ld "
                                  "is not valid UTF-8", path, i);
    return TROP_OK;
}

trop_status trop_net_write_bin(const trop_net_t net, const char *path,
                               trop_net_encoding enc, trop_error *err)
{
    wbuf w;
    trop_afile f;
    uint32_t flags = (net->has_box ? FLAG_BOX : 0) | (net->has_norm ? FLAG_NORM : 0);
    trop_status st = check_writable(net, enc, path, err);
    if (st != TROP_OK)
        return st;
    memset(&w, 0, sizeof w);
    mpz_init(w.z);
    w_bytes(&w, magic, 8);
    w_u32(&w, BIN_VERSION);
    w_u32(&w, (uint32_t)enc);
    w_u32(&w, flags);
    w_u32(&w, (uint32_t)net->input_dim);
    w_u32(&w, (uint32_t)net->nlayers);
    st = w_layers(&w, net, enc, path, err);
    if (st == TROP_OK) {
        w_tail(&w, net);
        st = trop_afile_open(&f, path, err);
    }
    if (st == TROP_OK) {
        fwrite(w.p, 1, w.n, f.fp);   /* a short write shows in ferror at commit */
        st = trop_afile_commit(&f, err);
    }
    mpz_clear(w.z);
    trop_free(w.p);
    return st;
}
