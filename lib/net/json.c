/* json.c: reader and writer of the JSON network format (docs/formats.md).
 *
 * json-c (strict mode, UTF-8 checked) validates the syntax and decodes keys
 * and strings.  It cannot report where a value sits, it keeps only one of
 * two duplicate keys, and it clamps integers beyond 64 bits, so we also
 * walk the (already validated) text in step with json-c's tree: each value
 * carries its byte offset, numbers are parsed exactly from their original
 * text, and an object whose text has more members than json-c kept has a
 * duplicate key. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "trop/net.h"
#include "net-internal.h"

/* Size of a JSON path buffer; a parent path is copied with at most
 * PATH_SHOW characters so a child's path always fits. */
#define PATH_MAX_LEN 160
#define PATH_SHOW 100

typedef struct jctx {
    const char *text;   /* the JSON text (after a byte order mark) */
    size_t len;
    const char *name;
    trop_error *err;
    char *tok;          /* scratch for one NUL-terminated number token */
    size_t tok_alloc;
    slong elems;        /* numbers read so far, against TROP_MAX_ELEMS */
} jctx;

/* A value: json-c's object (NULL for null) and its offset in the text. */
typedef struct jnode {
    json_object *o;
    size_t off;
} jnode;

typedef struct jmember {
    const char *key;    /* borrowed from json-c */
    jnode v;
} jmember;

/* ---- messages ---- */

/* 1-based line and column of byte off: LF, CRLF and a lone CR end lines. */
static void line_col(const jctx *c, size_t off, long *line, long *col)
{
    size_t i, start = 0;
    *line = 1;
    for (i = 0; i < off && i < c->len; i++) {
        if (c->text[i] == '\n' || (c->text[i] == '\r' && (i + 1 >= c->len || c->text[i + 1] != '\n'))) {
            (*line)++;
            start = i + 1;
        }
    }
    *col = (long)(off - start) + 1;
}

static trop_status jerr(const jctx *c, trop_status st, size_t off, const char *path,
                        const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static trop_status jerr(const jctx *c, trop_status st, size_t off, const char *path,
                        const char *fmt, ...)
{
    char msg[512];
    long line, col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    line_col(c, off, &line, &col);
    if (path && path[0])
        return trop_error_set(c->err, st, "json", "%s: line %ld, column %ld: %s: %s",
                              c->name, line, col, path, msg);
    return trop_error_set(c->err, st, "json", "%s: line %ld, column %ld: %s",
                          c->name, line, col, msg);
}

static const char *type_name(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_null: return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double:
    case json_type_int: return "a number";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
    }
    return "an unknown value";
}

/* ---- walking the validated text ---- */

static size_t skip_ws(const jctx *c, size_t i)
{
    while (i < c->len && (c->text[i] == ' ' || c->text[i] == '\t' || c->text[i] == '\n'
                          || c->text[i] == '\r'))
        i++;
    return i;
}

/* i at an opening quote; returns the offset past the closing quote. */
static size_t skip_string(const jctx *c, size_t i)
{
    for (i++; i < c->len && c->text[i] != '"'; i++)
        if (c->text[i] == '\\')
            i++;
    return i < c->len ? i + 1 : c->len;
}

static int is_scalar_end(char ch)
{
    return ch == ',' || ch == ']' || ch == '}' || ch == ' ' || ch == '\t' || ch == '\n'
           || ch == '\r';
}

/* Returns the offset past the value starting at i. */
static size_t skip_value(const jctx *c, size_t i)
{
    int depth = 0;
    if (i >= c->len)
        return c->len;
    if (c->text[i] == '"')
        return skip_string(c, i);
    if (c->text[i] != '{' && c->text[i] != '[') {
        while (i < c->len && !is_scalar_end(c->text[i]))
            i++;
        return i;
    }
    while (i < c->len) {
        char ch = c->text[i];
        if (ch == '"') {
            i = skip_string(c, i);
            continue;
        }
        if (ch == '{' || ch == '[')
            depth++;
        else if ((ch == '}' || ch == ']') && --depth == 0)
            return i + 1;
        i++;
    }
    return c->len;
}

/* Offsets of the keys of the object at off; returns their count.  keys may
 * be NULL (count only); otherwise it has room for max entries. */
static slong object_keys(const jctx *c, size_t off, size_t *keys, slong max)
{
    slong k = 0;
    size_t i = skip_ws(c, off + 1);
    while (i < c->len && c->text[i] == '"') {
        if (keys && k < max)
            keys[k] = i;
        k++;
        i = skip_ws(c, skip_string(c, i));
        i = skip_ws(c, i + 1);                  /* past ':' */
        i = skip_ws(c, skip_value(c, i));
        if (i >= c->len || c->text[i] != ',')
            break;
        i = skip_ws(c, i + 1);
    }
    return k;
}

/* The offset of the value that follows the key at key_off. */
static size_t key_value_off(const jctx *c, size_t key_off)
{
    size_t i = skip_ws(c, skip_string(c, key_off));
    return skip_ws(c, i + 1);
}

/* Reports the duplicate key of the object at n (known to have one). */
static trop_status duplicate_error(const jctx *c, jnode n, const char *path, slong nkeys)
{
    size_t *keys = trop_malloc((size_t)nkeys * sizeof(size_t));
    slong a, b;
    trop_status st = TROP_OK;
    object_keys(c, n.off, keys, nkeys);
    for (b = 1; b < nkeys && st == TROP_OK; b++) {
        size_t lb = skip_string(c, keys[b]) - keys[b];
        for (a = 0; a < b && st == TROP_OK; a++) {
            size_t la = skip_string(c, keys[a]) - keys[a];
            if (la == lb && memcmp(c->text + keys[a], c->text + keys[b], la) == 0)
                st = jerr(c, TROP_ERR_FORMAT, keys[b], path, "duplicate key %.*s (JSON "
                          "readers disagree on which copy wins)", (int)FLINT_MIN(lb, 48),
                          c->text + keys[b]);
        }
    }
    if (st == TROP_OK)
        st = jerr(c, TROP_ERR_FORMAT, n.off, path, "duplicate key (two keys are equal "
                  "after unescaping)");
    trop_free(keys);
    return st;
}

/* The members of the object n in text order.  Ownership: the caller frees
 * *out with trop_free.  Errors: not an object; a duplicate key. */
static trop_status jobject(const jctx *c, jnode n, const char *path, jmember **out, slong *count)
{
    slong m, k, i = 0;
    size_t *keys;
    *out = NULL;
    *count = 0;
    if (!json_object_is_type(n.o, json_type_object))
        return jerr(c, TROP_ERR_FORMAT, n.off, path, "expected an object, found %s",
                    type_name(n.o));
    m = json_object_object_length(n.o);
    k = object_keys(c, n.off, NULL, 0);
    if (k != m)
        return duplicate_error(c, n, path, k);
    /* json-c iterates in insertion order, which is text order when no key
     * repeats */
    keys = trop_malloc((size_t)(m + 1) * sizeof(size_t));
    object_keys(c, n.off, keys, m);
    *out = trop_malloc((size_t)(m + 1) * sizeof(jmember));
    {
        json_object_object_foreach(n.o, key, val) {
            (*out)[i].key = key;
            (*out)[i].v.o = val;
            (*out)[i].v.off = key_value_off(c, keys[i]);
            i++;
        }
    }
    trop_free(keys);
    *count = m;
    return TROP_OK;
}

/* Index of key in members, or -1. */
static slong jfind(const jmember *mem, slong m, const char *key)
{
    slong i;
    for (i = 0; i < m; i++)
        if (strcmp(mem[i].key, key) == 0)
            return i;
    return -1;
}

/* The items of the array n.  Ownership: the caller frees *out. */
static trop_status jarray(const jctx *c, jnode n, const char *path, jnode **out, slong *len)
{
    slong m, i;
    size_t off;
    *out = NULL;
    *len = 0;
    if (!json_object_is_type(n.o, json_type_array))
        return jerr(c, TROP_ERR_FORMAT, n.off, path, "expected an array, found %s",
                    type_name(n.o));
    m = (slong)json_object_array_length(n.o);
    *out = trop_malloc((size_t)(m + 1) * sizeof(jnode));
    off = skip_ws(c, n.off + 1);
    for (i = 0; i < m; i++) {
        (*out)[i].o = json_object_array_get_idx(n.o, (size_t)i);
        (*out)[i].off = off;
        off = skip_ws(c, skip_value(c, off));
        off = skip_ws(c, off + 1);               /* past ',' */
    }
    *len = m;
    return TROP_OK;
}

/* ---- scalars ---- */

/* The text of the scalar at off as a NUL-terminated string (scratch). */
static const char *token_text(jctx *c, size_t off)
{
    size_t n = skip_value(c, off) - off;
    if (n + 1 > c->tok_alloc) {
        c->tok_alloc = 2 * (n + 1);
        c->tok = trop_realloc(c->tok, c->tok_alloc);
    }
    memcpy(c->tok, c->text + off, n);
    c->tok[n] = '\0';
    return c->tok;
}

/* A JSON number (exact from its text), a decimal string or a "p/q" string. */
static trop_status jnum(jctx *c, jnode n, const char *path, fmpq_t res)
{
    trop_error qe;
    trop_status st;
    json_type t = json_object_get_type(n.o);
    if (t == json_type_int || t == json_type_double) {
        const char *tok = token_text(c, n.off), *end;
        st = trop_q_parse_decimal(res, tok, &end, &qe);
        if (st == TROP_OK && *end != '\0')
            st = trop_error_set(&qe, TROP_ERR_FORMAT, "q", "unexpected text in \"%.40s\"", tok);
    } else if (t == json_type_string) {
        const char *s = json_object_get_string(n.o);
        if (strlen(s) != (size_t)json_object_get_string_len(n.o))
            return jerr(c, TROP_ERR_FORMAT, n.off, path, "NUL character in a number string");
        st = trop_q_set_str(res, s, &qe);
        if (st == TROP_ERR_FORMAT)
            return jerr(c, st, n.off, path, "not a rational number: %s", qe.msg);
    } else {
        return jerr(c, TROP_ERR_FORMAT, n.off, path, "expected a number, found %s",
                    type_name(n.o));
    }
    if (st != TROP_OK)
        return jerr(c, st, n.off, path, "%s", qe.msg);
    return TROP_OK;
}

/* An integer-valued JSON number in [lo, hi]. */
static trop_status jint(jctx *c, jnode n, const char *path, slong lo, slong hi, slong *v)
{
    fmpq_t q;
    trop_status st = TROP_OK;
    json_type t = json_object_get_type(n.o);
    if (t != json_type_int && t != json_type_double)
        return jerr(c, TROP_ERR_FORMAT, n.off, path, "expected an integer, found %s",
                    type_name(n.o));
    fmpq_init(q);
    if ((st = jnum(c, n, path, q)) != TROP_OK)
        ;
    else if (!fmpz_is_one(fmpq_denref(q)))
        st = jerr(c, TROP_ERR_FORMAT, n.off, path, "must be an integer, found %.40s",
                  token_text(c, n.off));
    else if (fmpz_cmp_si(fmpq_numref(q), lo) < 0)
        st = jerr(c, TROP_ERR_INVALID, n.off, path, "must be at least %ld, found %.40s", lo,
                  token_text(c, n.off));
    else if (fmpz_cmp_si(fmpq_numref(q), hi) > 0)
        st = jerr(c, TROP_ERR_LIMIT, n.off, path, "%.40s is above the limit %ld",
                  token_text(c, n.off), hi);
    else
        *v = fmpz_get_si(fmpq_numref(q));
    fmpq_clear(q);
    return st;
}

/* Reads the array n of exactly len numbers into dst. */
static trop_status jqvec(jctx *c, jnode n, const char *path, fmpq *dst, slong len,
                         const char *why)
{
    jnode *it;
    slong m, i;
    char p[PATH_MAX_LEN];
    trop_status st = jarray(c, n, path, &it, &m);
    if (st == TROP_OK && m != len)
        st = jerr(c, TROP_ERR_FORMAT, n.off, path, "has %ld entr%s, expected %ld%s", m,
                  m == 1 ? "y" : "ies", len, why);
    for (i = 0; i < m && st == TROP_OK; i++) {
        snprintf(p, sizeof p, "%.*s[%ld]", PATH_SHOW, path, i);
        st = jnum(c, it[i], p, dst + i);
    }
    trop_free(it);
    return st;
}

/* ---- layers ---- */

typedef struct jlayer {
    trop_act act;
    slong rows, k;
    fmpq_t slope;
    jnode W, b;
    jnode *Wrows;
} jlayer;

static trop_status parse_act(jctx *c, jnode n, const char *path, trop_act *act)
{
    static const char *names[4] = {"linear", "relu", "leaky", "maxout"};
    const char *s;
    int i;
    if (!json_object_is_type(n.o, json_type_string))
        return jerr(c, TROP_ERR_FORMAT, n.off, path, "expected a string, found %s",
                    type_name(n.o));
    s = json_object_get_string(n.o);
    for (i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *act = (trop_act)i;
            return TROP_OK;
        }
    return jerr(c, TROP_ERR_INVALID, n.off, path, "unsupported activation \"%.40s\" "
                "(expected relu, leaky, maxout or linear: the toolkit handles piecewise "
                "linear networks only)", s);
}

/* Checks the member keys of a layer object and finds the required ones. */
static trop_status layer_keys(jctx *c, const jmember *mem, slong m, jnode obj,
                              const char *path, slong idx[5])
{
    static const char *known[5] = {"W", "b", "act", "slope", "k"};
    slong i, j;
    for (i = 0; i < 5; i++)
        idx[i] = jfind(mem, m, known[i]);
    for (i = 0; i < m; i++) {
        for (j = 0; j < 5 && strcmp(mem[i].key, known[j]) != 0; j++)
            ;
        if (j == 5)
            return jerr(c, TROP_ERR_FORMAT, mem[i].v.off, path, "unknown key \"%.40s\" "
                        "(expected W, b, act, slope, k)", mem[i].key);
    }
    for (i = 0; i < 3; i++)
        if (idx[i] < 0)
            return jerr(c, TROP_ERR_FORMAT, obj.off, path, "missing key \"%s\"", known[i]);
    return TROP_OK;
}

/* Checks the shape of W against nin (the width of the previous layer). */
static trop_status layer_shape(jctx *c, jlayer *L, const char *path, slong l, slong nin)
{
    char p[PATH_MAX_LEN];
    slong i, cols;
    jnode *r;
    trop_status st;
    snprintf(p, sizeof p, "%.*s.W", PATH_SHOW, path);
    if ((st = jarray(c, L->W, p, &L->Wrows, &L->rows)) != TROP_OK)
        return st;
    if (L->rows == 0)
        return jerr(c, TROP_ERR_FORMAT, L->W.off, p, "is empty (a layer needs at least one row)");
    for (i = 0; i < L->rows; i++) {
        snprintf(p, sizeof p, "%.*s.W[%ld]", PATH_SHOW, path, i);
        if (!json_object_is_type(L->Wrows[i].o, json_type_array))
            return jerr(c, TROP_ERR_FORMAT, L->Wrows[i].off, p, "expected an array, found %s",
                        type_name(L->Wrows[i].o));
        cols = (slong)json_object_array_length(L->Wrows[i].o);
        if (cols == nin)
            continue;
        r = L->Wrows + i;
        if (i > 0)
            return jerr(c, TROP_ERR_FORMAT, r->off, p, "has %ld entr%s, expected %ld",
                        cols, cols == 1 ? "y" : "ies", nin);
        if (l == 0)
            return jerr(c, TROP_ERR_FORMAT, r->off, p, "has %ld entr%s, expected %ld "
                        "(input_dim): dimension mismatch", cols, cols == 1 ? "y" : "ies", nin);
        return jerr(c, TROP_ERR_FORMAT, r->off, p, "has %ld entr%s, expected %ld (the width "
                    "of layer %ld): dimension mismatch between layers %ld and %ld",
                    cols, cols == 1 ? "y" : "ies", nin, l - 1, l - 1, l);
    }
    /* a b that is not an array is reported when its values are read */
    if (json_object_is_type(L->b.o, json_type_array)
        && (slong)json_object_array_length(L->b.o) != L->rows) {
        slong nb = (slong)json_object_array_length(L->b.o);
        snprintf(p, sizeof p, "%.*s.b", PATH_SHOW, path);
        return jerr(c, TROP_ERR_FORMAT, L->b.off, p, "has %ld entr%s, expected %ld (one per "
                    "row of W): dimension mismatch", nb, nb == 1 ? "y" : "ies", L->rows);
    }
    return TROP_OK;
}

/* Reads k (maxout) and slope (leaky); each is an error on other layers. */
static trop_status layer_params(jctx *c, jlayer *L, const jmember *mem, const slong idx[5],
                                jnode obj, const char *path)
{
    char p[PATH_MAX_LEN];
    trop_status st;
    L->k = 1;
    snprintf(p, sizeof p, "%.*s.k", PATH_SHOW, path);
    if (L->act == TROP_ACT_MAXOUT) {
        if (idx[4] < 0)
            return jerr(c, TROP_ERR_FORMAT, obj.off, path, "maxout needs \"k\" (the number "
                        "of pieces per unit)");
        if ((st = jint(c, mem[idx[4]].v, p, 1, TROP_MAX_ELEMS, &L->k)) != TROP_OK)
            return st;
        if (L->rows % L->k != 0)
            return jerr(c, TROP_ERR_INVALID, mem[idx[4]].v.off, p, "W has %ld rows, not a "
                        "multiple of k = %ld", L->rows, L->k);
    } else if (idx[4] >= 0) {
        /* k = 1 is harmless on any layer; anything else is a mistake */
        if ((st = jint(c, mem[idx[4]].v, p, 1, TROP_MAX_ELEMS, &L->k)) != TROP_OK)
            return st;
        if (L->k != 1)
            return jerr(c, TROP_ERR_FORMAT, mem[idx[4]].v.off, p, "k = %ld but k is only "
                        "used by maxout layers", L->k);
    }
    snprintf(p, sizeof p, "%.*s.slope", PATH_SHOW, path);
    if (L->act == TROP_ACT_LEAKY) {
        if (idx[3] < 0)
            return jerr(c, TROP_ERR_FORMAT, obj.off, path, "leaky needs \"slope\" (an exact "
                        "rational such as \"1/100\")");
        return jnum(c, mem[idx[3]].v, p, L->slope);
    }
    if (idx[3] >= 0)
        return jerr(c, TROP_ERR_FORMAT, mem[idx[3]].v.off, p, "slope is only used by leaky "
                    "layers");
    return TROP_OK;
}

/* Reads the numbers of W and b into a new layer of net. */
static trop_status layer_values(jctx *c, jlayer *L, trop_net_t net, const char *path, slong nin)
{
    char p[PATH_MAX_LEN];
    slong i;
    trop_layer_struct *T;
    trop_status st = TROP_OK;
    c->elems += L->rows * (nin + 1);
    if (c->elems > TROP_MAX_ELEMS)
        return jerr(c, TROP_ERR_LIMIT, L->W.off, path, "the network has more than %ld numbers "
                    "(the reader's limit)", TROP_MAX_ELEMS);
    T = trop_net_append_layer(net, L->rows, L->act, L->slope, L->k);
    for (i = 0; i < L->rows && st == TROP_OK; i++) {
        snprintf(p, sizeof p, "%.*s.W[%ld]", PATH_SHOW, path, i);
        st = jqvec(c, L->Wrows[i], p, T->W + i * nin, nin, "");
    }
    snprintf(p, sizeof p, "%.*s.b", PATH_SHOW, path);
    if (st == TROP_OK)
        st = jqvec(c, L->b, p, T->b, L->rows, " (one per row of W)");
    return st;
}

/* Reads layers[l] (reading nin values) and appends it to net. */
static trop_status read_layer(jctx *c, jnode n, slong l, trop_net_t net)
{
    char path[PATH_MAX_LEN];
    jmember *mem;
    slong m, idx[5], nin = trop_net_output_dim(net);
    jlayer L;
    trop_status st;
    snprintf(path, sizeof path, "layers[%ld]", l);
    memset(&L, 0, sizeof L);
    fmpq_init(L.slope);
    if ((st = jobject(c, n, path, &mem, &m)) == TROP_OK
        && (st = layer_keys(c, mem, m, n, path, idx)) == TROP_OK) {
        char p[PATH_MAX_LEN];
        snprintf(p, sizeof p, "%.*s.act", PATH_SHOW, path);
        L.W = mem[idx[0]].v;
        L.b = mem[idx[1]].v;
        if ((st = parse_act(c, mem[idx[2]].v, p, &L.act)) == TROP_OK
            && (st = layer_shape(c, &L, path, l, nin)) == TROP_OK
            && (st = layer_params(c, &L, mem, idx, n, path)) == TROP_OK)
            st = layer_values(c, &L, net, path, nin);
    }
    trop_free(mem);
    trop_free(L.Wrows);
    fmpq_clear(L.slope);
    return st;
}

/* ---- optional top-level parts: box, norm, meta ---- */

static trop_status read_box(jctx *c, jnode n, trop_net_t net)
{
    jmember *mem;
    slong m, i, d = net->input_dim, ilo, ihi;
    fmpq *lo = _fmpq_vec_init(d), *hi = _fmpq_vec_init(d);
    trop_status st = jobject(c, n, "box", &mem, &m);
    if (st == TROP_OK) {
        ilo = jfind(mem, m, "lo");
        ihi = jfind(mem, m, "hi");
        if (ilo < 0 || ihi < 0 || m != 2)
            st = jerr(c, TROP_ERR_FORMAT, n.off, "box", "expected exactly the keys \"lo\" "
                      "and \"hi\"");
        else if ((st = jqvec(c, mem[ilo].v, "box.lo", lo, d, " (input_dim)")) == TROP_OK
                 && (st = jqvec(c, mem[ihi].v, "box.hi", hi, d, " (input_dim)")) == TROP_OK) {
            for (i = 0; i < d && st == TROP_OK; i++)
                if (fmpq_cmp(lo + i, hi + i) > 0)
                    st = jerr(c, TROP_ERR_INVALID, mem[ihi].v.off, "box.hi", "entry %ld is "
                              "below box.lo[%ld]", i, i);
            if (st == TROP_OK)
                trop_net_set_box(net, lo, hi);
        }
    }
    trop_free(mem);
    _fmpq_vec_clear(lo, d);
    _fmpq_vec_clear(hi, d);
    return st;
}

/* Reads one required entry of the norm object: a vector (len > 0) or a
 * scalar (len == 0); a range must be nonzero. */
static trop_status norm_part(jctx *c, const jmember *mem, slong m, jnode obj,
                             const char *key, fmpq *dst, slong len)
{
    char p[PATH_MAX_LEN];
    slong i = jfind(mem, m, key), j;
    trop_status st;
    snprintf(p, sizeof p, "norm.%s", key);
    if (i < 0)
        return jerr(c, TROP_ERR_FORMAT, obj.off, "norm", "missing key \"%s\"", key);
    st = len ? jqvec(c, mem[i].v, p, dst, len, " (input_dim)") : jnum(c, mem[i].v, p, dst);
    for (j = 0; st == TROP_OK && strstr(key, "range") && j < FLINT_MAX(len, 1); j++)
        if (fmpq_is_zero(dst + j))
            st = jerr(c, TROP_ERR_INVALID, mem[i].v.off, p, "a range of 0 would divide by zero");
    return st;
}

static trop_status read_norm(jctx *c, jnode n, trop_net_t net)
{
    jmember *mem;
    slong m, d = net->input_dim;
    fmpq *mean = _fmpq_vec_init(d), *range = _fmpq_vec_init(d);
    fmpq_t om, orng;
    trop_status st = jobject(c, n, "norm", &mem, &m);
    fmpq_init(om);
    fmpq_init(orng);
    if (st == TROP_OK && m != 4)
        st = jerr(c, TROP_ERR_FORMAT, n.off, "norm", "expected exactly the keys in_mean, "
                  "in_range, out_mean, out_range");
    if (st == TROP_OK && (st = norm_part(c, mem, m, n, "in_mean", mean, d)) == TROP_OK
        && (st = norm_part(c, mem, m, n, "in_range", range, d)) == TROP_OK
        && (st = norm_part(c, mem, m, n, "out_mean", om, 0)) == TROP_OK
        && (st = norm_part(c, mem, m, n, "out_range", orng, 0)) == TROP_OK)
        _trop_net_set_norm(net, mean, range, om, orng);
    trop_free(mem);
    _fmpq_vec_clear(mean, d);
    _fmpq_vec_clear(range, d);
    fmpq_clear(om);
    fmpq_clear(orng);
    return st;
}

static trop_status read_meta(jctx *c, jnode n, trop_net_t net)
{
    jmember *mem;
    slong m, i;
    char p[PATH_MAX_LEN];
    trop_status st = jobject(c, n, "meta", &mem, &m);
    for (i = 0; i < m && st == TROP_OK; i++) {
        json_object *v = mem[i].v.o;
        snprintf(p, sizeof p, "meta.%.60s", mem[i].key);
        if (!json_object_is_type(v, json_type_string))
            st = jerr(c, TROP_ERR_FORMAT, mem[i].v.off, p, "expected a string, found %s",
                      type_name(v));
        else if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
            st = jerr(c, TROP_ERR_FORMAT, mem[i].v.off, p, "NUL character in a string");
        else
            trop_net_set_meta(net, mem[i].key, json_object_get_string(v));
    }
    trop_free(mem);
    return st;
}

/* Checks a value the reader otherwise ignores (an unknown top-level key)
 * for duplicate keys, so no part of a file is silently resolved to one
 * copy.  Recursion depth is bounded by json-c's nesting limit. */
static trop_status check_ignored(jctx *c, jnode n, const char *path)
{
    trop_status st = TROP_OK;
    slong m, i;
    if (json_object_is_type(n.o, json_type_object)) {
        jmember *mem;
        if ((st = jobject(c, n, path, &mem, &m)) != TROP_OK)
            return st;
        for (i = 0; i < m && st == TROP_OK; i++)
            st = check_ignored(c, mem[i].v, path);
        trop_free(mem);
    } else if (json_object_is_type(n.o, json_type_array)) {
        jnode *it;
        if ((st = jarray(c, n, path, &it, &m)) != TROP_OK)
            return st;
        for (i = 0; i < m && st == TROP_OK; i++)
            st = check_ignored(c, it[i], path);
        trop_free(it);
    }
    return st;
}

/* ---- top level ---- */

static trop_status read_layers(jctx *c, jnode n, trop_net_t net)
{
    jnode *it;
    slong m, l;
    trop_status st = jarray(c, n, "layers", &it, &m);
    if (st == TROP_OK && m == 0)
        st = jerr(c, TROP_ERR_FORMAT, n.off, "layers", "is empty (a network needs at least "
                  "one layer)");
    for (l = 0; l < m && st == TROP_OK; l++)
        st = read_layer(c, it[l], l, net);
    trop_free(it);
    return st;
}

/* Reads the optional top-level parts and checks the ignored ones. */
static trop_status read_extras(jctx *c, const jmember *mem, slong m, trop_net_t net)
{
    static const char *known[5] = {"input_dim", "layers", "box", "norm", "meta"};
    trop_status st = TROP_OK;
    slong i;
    int j;
    for (i = 0; i < m && st == TROP_OK; i++) {
        for (j = 0; j < 5 && strcmp(mem[i].key, known[j]) != 0; j++)
            ;
        if (j == 2)
            st = read_box(c, mem[i].v, net);
        else if (j == 3)
            st = read_norm(c, mem[i].v, net);
        else if (j == 4)
            st = read_meta(c, mem[i].v, net);
        else if (j == 5)
            /* unknown keys are ignored, so files can carry comments, but a
             * duplicate key inside them is still an error */
            st = check_ignored(c, mem[i].v, mem[i].key);
    }
    return st;
}

/* Builds the network from the parsed top-level value. */
static trop_status read_top(jctx *c, jnode top, trop_net_t tmp)
{
    jmember *mem;
    slong m, i, il, d = 0;
    trop_status st = jobject(c, top, NULL, &mem, &m);
    if (st == TROP_OK) {
        i = jfind(mem, m, "input_dim");
        il = jfind(mem, m, "layers");
        if (i < 0 || il < 0)
            st = jerr(c, TROP_ERR_FORMAT, top.off, NULL, "missing key \"%s\"",
                      i < 0 ? "input_dim" : "layers");
        else if ((st = jint(c, mem[i].v, "input_dim", 1, TROP_MAX_ELEMS, &d)) == TROP_OK) {
            trop_net_clear(tmp);
            trop_net_init(tmp, d);
            st = read_layers(c, mem[il].v, tmp);
        }
    }
    if (st == TROP_OK)
        st = read_extras(c, mem, m, tmp);
    trop_free(mem);
    if (st == TROP_OK && (st = trop_net_validate(tmp, c->err)) != TROP_OK)
        trop_error_prefix(c->err, c->name);
    return st;
}

/* Runs json-c over the text; *obj is the value or NULL after an error. */
static trop_status parse_text(jctx *c, json_object **obj, size_t *start)
{
    json_tokener *tok;
    enum json_tokener_error je;
    const char *nul = memchr(c->text, '\0', c->len);
    size_t i = skip_ws(c, 0), end;
    *obj = NULL;
    *start = i;
    if (nul)
        return jerr(c, TROP_ERR_FORMAT, (size_t)(nul - c->text), NULL, "NUL byte in a JSON file");
    if (c->len > INT_MAX)
        return jerr(c, TROP_ERR_LIMIT, 0, NULL, "file too large for the JSON reader");
    if (i >= c->len || c->text[i] != '{')
        return jerr(c, TROP_ERR_FORMAT, i, NULL, "expected a JSON object ('{') at the top level");
    tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS
                                | JSON_TOKENER_VALIDATE_UTF8);
    *obj = json_tokener_parse_ex(tok, c->text, (int)c->len);
    je = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (*obj == NULL && je == json_tokener_continue)
        return jerr(c, TROP_ERR_FORMAT, c->len, NULL, "JSON syntax error: unexpected end of "
                    "input (truncated file?)");
    if (*obj == NULL) {
        char ch = end < c->len ? c->text[end] : ' ';
        return jerr(c, TROP_ERR_FORMAT, end, NULL, "JSON syntax error: %s (at %s%c%s)",
                    json_tokener_error_desc(je), ch >= 0x20 && ch < 0x7f ? "'" : "byte ",
                    ch >= 0x20 && ch < 0x7f ? ch : '?', ch >= 0x20 && ch < 0x7f ? "'" : "");
    }
    end = skip_ws(c, end);
    if (end < c->len)
        return jerr(c, TROP_ERR_FORMAT, end, NULL, "trailing data after the JSON value");
    return TROP_OK;
}

trop_status trop_net_read_json(trop_net_t net, const char *buf, size_t len,
                               const char *name, trop_error *err)
{
    jctx c;
    char shortname[TROP_ERROR_NAME_MAX + 1];
    json_object *obj = NULL;
    jnode top;
    trop_net_t tmp;
    size_t bom = _trop_net_bom_len(buf, len);
    trop_status st;
    memset(&c, 0, sizeof c);
    c.text = buf + bom;
    c.len = len - bom;
    c.name = trop_error_name(shortname, name ? name : TROP_NET_NONAME);
    c.err = err;
    trop_net_init(tmp, 1);
    if (c.len == 0)
        st = trop_error_set(err, TROP_ERR_FORMAT, "json", "%s: empty file", c.name);
    else if ((st = parse_text(&c, &obj, &top.off)) == TROP_OK) {
        top.o = obj;
        st = read_top(&c, top, tmp);
    }
    json_object_put(obj);
    trop_free(c.tok);
    return _trop_net_read_finish(net, tmp, st);
}

/* ---- writer ---- */

/* Writes s as a JSON string (UTF-8 passes through; quotes, backslashes and
 * control characters are escaped). */
static void put_jstring(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char u = (unsigned char)*s;
        if (u == '"' || u == '\\')
            fprintf(f, "\\%c", u);
        else if (u < 0x20)
            fprintf(f, "\\u%04x", u);
        else
            fputc(u, f);
    }
    fputc('"', f);
}

static void put_q(FILE *f, const fmpq_t x)
{
    char *s = trop_q_get_str(x);
    fprintf(f, "\"%s\"", s);
    flint_free(s);
}

static void put_qvec(FILE *f, const fmpq *v, slong len)
{
    slong i;
    fputc('[', f);
    for (i = 0; i < len; i++) {
        if (i)
            fputs(", ", f);
        put_q(f, v + i);
    }
    fputc(']', f);
}

static void put_layer(FILE *f, const trop_layer_struct *L)
{
    static const char *names[4] = {"linear", "relu", "leaky", "maxout"};
    slong i;
    fprintf(f, "  {\"act\": \"%s\"", names[L->act]);
    if (L->act == TROP_ACT_LEAKY) {
        fputs(", \"slope\": ", f);
        put_q(f, L->slope);
    }
    if (L->act == TROP_ACT_MAXOUT)
        fprintf(f, ", \"k\": %ld", L->k);
    fputs(",\n   \"W\": [", f);
    for (i = 0; i < L->nout; i++) {
        fputs(i ? ",\n         " : "", f);
        put_qvec(f, L->W + i * L->nin, L->nin);
    }
    fputs("],\n   \"b\": ", f);
    put_qvec(f, L->b, L->nout);
    fputc('}', f);
}

static void put_net(FILE *f, const trop_net_t net)
{
    slong l;
    fprintf(f, "{\"input_dim\": %ld,\n \"layers\": [\n", net->input_dim);
    for (l = 0; l < net->nlayers; l++) {
        put_layer(f, net->layers + l);
        fputs(l + 1 < net->nlayers ? ",\n" : "\n", f);
    }
    fputs(" ]", f);
    if (net->has_box) {
        fputs(",\n \"box\": {\"lo\": ", f);
        put_qvec(f, net->box_lo, net->input_dim);
        fputs(", \"hi\": ", f);
        put_qvec(f, net->box_hi, net->input_dim);
        fputc('}', f);
    }
    if (net->has_norm) {
        fputs(",\n \"norm\": {\"in_mean\": ", f);
        put_qvec(f, net->in_mean, net->input_dim);
        fputs(", \"in_range\": ", f);
        put_qvec(f, net->in_range, net->input_dim);
        fputs(", \"out_mean\": ", f);
        put_q(f, net->out_mean);
        fputs(", \"out_range\": ", f);
        put_q(f, net->out_range);
        fputc('}', f);
    }
    if (net->nmeta > 0) {
        fputs(",\n \"meta\": {", f);
        for (l = 0; l < net->nmeta; l++) {
            fputs(l ? ", " : "", f);
            put_jstring(f, net->meta_key[l]);
            fputs(": ", f);
            put_jstring(f, net->meta_val[l]);
        }
        fputc('}', f);
    }
    fputs("\n}\n", f);
}

trop_status trop_net_write_json(const trop_net_t net, const char *path, trop_error *err)
{
    trop_afile f;
    trop_status st = trop_net_validate(net, err);  /* never write what cannot be read back */
    if (st == TROP_OK)
        st = trop_afile_open(&f, path, err);
    if (st != TROP_OK)
        return st;
    put_net(f.fp, net);
    return trop_afile_commit(&f, err);
}
