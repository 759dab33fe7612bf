/* onnx.c: the ONNX reader.  The protobuf code is generated at build time by
 * protoc-c from the schema Debian installs (/usr/include/onnx/onnx.proto,
 * libonnx-dev); nothing of the schema is copied here.
 *
 * A fully connected piecewise-linear graph is read as a chain of layers:
 * every value the network computes is kept as an exact affine map of the
 * last nonlinear layer's output h (or of the input), v = A h + c, so that
 * affine operators (MatMul, Gemm, Add, Sub, Mul, Div by constants,
 * Flatten, ...) compose exactly; an activation turns its operand's map
 * into a layer, and a Max of k affine branches of h (PyTorch's export of
 * maxout, torch.maximum) into a rank-k maxout layer.  Every other operand
 * must be a constant (an initializer or a Constant node), and no value may
 * live across an activation (no skip connections).  A starts as the
 * identity and stays diagonal through elementwise scalings, so a 784-input
 * network never builds a 784 x 784 matrix.  Weights stored as float32 or
 * float64 become the exact rationals those floats are.  Conv, MaxPool and
 * the ReLU that commutes with pooling are in onnx-conv.c; the types and
 * helpers both files use, in onnx-internal.h. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "onnx.pb-c.h"

#include "trop/net.h"
#include "net-internal.h"
#include "onnx-internal.h"

/* dst = src (at most size - 1 bytes) with control characters as '?'.
 * dst may be src. */
static void clean_copy(char *dst, const char *src, size_t size)
{
    size_t i;
    for (i = 0; i + 1 < size && src[i]; i++)
        dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
    dst[i] = '\0';
}

trop_status oerr(octx *x, trop_status st, const Onnx__NodeProto *nd, const char *fmt,
                        ...)
{
    char msg[700], name[120], op[60];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* names come from the file: no control characters reach a terminal */
    clean_copy(msg, msg, sizeof msg);
    if (nd) {
        clean_copy(name, nd->name && *nd->name ? nd->name : "(unnamed)", sizeof name);
        clean_copy(op, nd->op_type ? nd->op_type : "?", sizeof op);
        return trop_error_set(x->err, st, "onnx", "%s: node '%s' (%s): %s", x->file, name, op,
                              msg);
    }
    return trop_error_set(x->err, st, "onnx", "%s: %s", x->file, msg);
}

/* ---- constants ---- */

oconst *find_const(octx *x, const char *name)
{
    slong i;
    for (i = x->nconsts - 1; i >= 0; i--)
        if (strcmp(x->consts[i].name, name) == 0)
            return x->consts + i;
    return NULL;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* A new constant at the end of the table (its fields for the caller to
 * set); pointers into the table are invalid after it. */
static oconst *push_const(octx *x)
{
    if (x->nconsts == x->alloc) {
        x->alloc = x->alloc ? 2 * x->alloc : 16;
        x->consts = trop_realloc(x->consts, (size_t)x->alloc * sizeof(oconst));
    }
    return x->consts + x->nconsts++;
}

/* Adds the tensor t (float32, float64 or int64) as a constant named name. */
static trop_status add_const(octx *x, const Onnx__TensorProto *t, const char *name,
                             const Onnx__NodeProto *nd)
{
    oconst *k;
    slong i, len = 1;
    trop_status st = TROP_OK;
    int type = t->data_type;
    if (t->n_dims > 8)
        return oerr(x, TROP_ERR_LIMIT, nd, "tensor '%s' has %zu dimensions", name, t->n_dims);
    for (i = 0; i < (slong)t->n_dims; i++) {
        if (t->dims[i] < 0 || (t->dims[i] > 0 && len > TROP_MAX_ELEMS / t->dims[i]))
            return oerr(x, TROP_ERR_LIMIT, nd, "tensor '%s' is too large or has a negative "
                        "dimension", name);
        len *= t->dims[i];
    }
    if (type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && type != ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE
        && type != ONNX__TENSOR_PROTO__DATA_TYPE__INT64)
        return oerr(x, TROP_ERR_FORMAT, nd, "tensor '%s' has data type %d; supported: float, "
                    "double, int64", name, type);
    {
        size_t want = (size_t)len * (type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ? 4 : 8);
        size_t have = t->has_raw_data ? t->raw_data.len
                    : type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ? t->n_float_data * 4
                    : type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE ? t->n_double_data * 8
                    : t->n_int64_data * 8;
        if (t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
            return oerr(x, TROP_ERR_FORMAT, nd, "tensor '%s' is stored in an external file, "
                        "which is not supported", name);
        if (have != want)
            return oerr(x, TROP_ERR_FORMAT, nd, "tensor '%s': %zu bytes of data for %ld "
                        "values", name, have, len);
    }
    k = push_const(x);
    k->name = name;
    k->ndims = (slong)t->n_dims;
    for (i = 0; i < k->ndims; i++)
        k->dims[i] = t->dims[i];
    k->len = len;
    k->data = _fmpq_vec_init(len ? len : 1);
    for (i = 0; i < len && st == TROP_OK; i++) {
        double v;
        if (type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
            float f;
            uint32_t u = t->has_raw_data ? le32(t->raw_data.data + 4 * i) : 0;
            if (t->has_raw_data)
                memcpy(&f, &u, 4);
            else
                f = t->float_data[i];
            v = (double)f;
        } else if (type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE) {
            uint64_t u = t->has_raw_data ? le64(t->raw_data.data + 8 * i) : 0;
            if (t->has_raw_data)
                memcpy(&v, &u, 8);
            else
                v = t->double_data[i];
        } else {
            int64_t q = t->has_raw_data ? (int64_t)le64(t->raw_data.data + 8 * i)
                                        : t->int64_data[i];
            fmpz_set_si(fmpq_numref(k->data + i), q);
            continue;
        }
        if (!isfinite(v))
            st = oerr(x, TROP_ERR_FORMAT, nd, "tensor '%s', value %ld is not finite", name, i);
        else
            trop_q_set_d(k->data + i, v, NULL);
    }
    return st;
}

/* A copy of constant number ki under another name (an Identity of a
 * constant: PyTorch shares equal parameter tensors so). */
static void alias_const(octx *x, slong ki, const char *name)
{
    oconst *c = push_const(x), *k = x->consts + ki;
    *c = *k;
    c->name = name;
    c->data = _fmpq_vec_init(k->len ? k->len : 1);
    _trop_qvec_set(c->data, k->data, k->len);
}

/* ---- the running value ---- */

void run_init(orun *v, slong n, const char *name)
{
    v->m = v->n = n;
    v->diag = 1;
    v->d = NULL;
    v->A = NULL;
    v->c = _fmpq_vec_init(n);
    v->name = name;
    v->ndims = 1;
    v->dims[0] = n;
    v->relu = 0;
}

void run_clear(orun *v)
{
    if (v->d)
        _fmpq_vec_clear(v->d, v->m);
    if (v->A)
        _fmpq_vec_clear(v->A, v->m * v->n);
    _fmpq_vec_clear(v->c, v->m);
}

/* The entry (i, j) of A (diagonal or full). */
void run_get(fmpq_t r, const orun *v, slong i, slong j)
{
    if (!v->diag)
        fmpq_set(r, v->A + i * v->n + j);
    else if (i != j)
        fmpq_zero(r);
    else if (v->d)
        fmpq_set(r, v->d + i);
    else
        fmpq_one(r);
}

static void run_copy(orun *res, const orun *v)
{
    res->m = v->m;
    res->n = v->n;
    res->diag = v->diag;
    res->name = v->name;
    res->d = NULL;
    res->A = NULL;
    if (v->d) {
        res->d = _fmpq_vec_init(v->m);
        _trop_qvec_set(res->d, v->d, v->m);
    }
    if (v->A) {
        res->A = _fmpq_vec_init(v->m * v->n);
        _trop_qvec_set(res->A, v->A, v->m * v->n);
    }
    res->c = _fmpq_vec_init(v->m);
    _trop_qvec_set(res->c, v->c, v->m);
    res->ndims = v->ndims;
    memcpy(res->dims, v->dims, sizeof v->dims);
    res->relu = v->relu;
}

static slong find_val(const octx *x, const char *name)
{
    slong i;
    for (i = 0; i < x->nvals; i++)
        if (strcmp(x->vals[i].name, name) == 0)
            return i;
    return -1;
}

/* Stores v (moved) as a live value; an older value of the same name goes. */
static void put_val(octx *x, orun *v)
{
    slong i = find_val(x, v->name);
    if (i >= 0) {
        run_clear(x->vals + i);
        x->vals[i] = *v;
        return;
    }
    if (x->nvals == x->valloc) {
        x->valloc = x->valloc ? 2 * x->valloc : 8;
        x->vals = trop_realloc(x->vals, (size_t)x->valloc * sizeof(orun));
    }
    x->vals[x->nvals++] = *v;
}

/* 1 if a node after the current one, or the graph output, reads name. */
static int used_later(const octx *x, const char *name)
{
    size_t i, j;
    for (i = x->at + 1; i < x->g->n_node; i++)
        for (j = 0; j < x->g->node[i]->n_input; j++)
            if (strcmp(x->g->node[i]->input[j], name) == 0)
                return 1;
    return strcmp(x->g->output[0]->name, name) == 0;
}

/* Drops the live values no later node reads. */
static void drop_dead(octx *x)
{
    slong i = 0;
    while (i < x->nvals) {
        if (!used_later(x, x->vals[i].name)) {
            run_clear(x->vals + i);
            x->vals[i] = x->vals[--x->nvals];
        } else
            i++;
    }
}

/* row r of (A, c) += w * (row p of v's map). */
void run_addmul_row(fmpq *A, fmpq *c, slong r, const fmpq_t w, const orun *v, slong p)
{
    slong n = v->n, j;
    fmpq_t t;
    fmpq_init(t);
    fmpq_mul(t, w, v->c + p);
    fmpq_add(c + r, c + r, t);
    if (v->diag) {
        if (v->d)
            fmpq_mul(t, w, v->d + p);
        else
            fmpq_set(t, w);
        fmpq_add(A + r * n + p, A + r * n + p, t);
    } else {
        for (j = 0; j < n; j++) {
            fmpq_mul(t, w, v->A + p * n + j);
            fmpq_add(A + r * n + j, A + r * n + j, t);
        }
    }
    fmpq_clear(t);
}

/* v's map becomes (A, c) with mo rows (both moved in), a full matrix,
 * the sample a vector of mo. */
void run_set_full(orun *v, fmpq *A, fmpq *c, slong mo)
{
    run_clear(v);
    v->m = mo;
    v->diag = 0;
    v->d = NULL;
    v->A = A;
    v->c = c;
    v->ndims = 1;
    v->dims[0] = mo;
}

/* v <- W v (+ nothing), W: [mo x m] given by entry(i, j) = w[i * si + j * sj]
 * (so both W and W^T layouts work).  O(mo * m * n) only when A is full. */
static void run_apply(orun *v, const fmpq *w, slong mo, slong si, slong sj)
{
    slong i, j, m = v->m, n = v->n;
    fmpq *A = _fmpq_vec_init(mo * n), *c = _fmpq_vec_init(mo);
    for (i = 0; i < mo; i++)
        for (j = 0; j < m; j++)
            if (!fmpq_is_zero(w + i * si + j * sj))
                run_addmul_row(A, c, i, w + i * si + j * sj, v, j);
    run_set_full(v, A, c, mo);
}

/* v <- v + b (op 0), v - b (1), b - v (2), v * b (3), v / b (4), with b a
 * constant broadcast to length m (len 1 or m). */
/* 1 if broadcasting the constant b against v (with its batch axis) leaves
 * v's shape unchanged (numpy rules, aligned on the right), so that entry i
 * of b meets entry i of v (or b is a scalar). */
static int broadcast_keeps(const orun *v, const oconst *b)
{
    slong i;
    for (i = 0; i < b->ndims; i++) {
        slong bd = b->dims[b->ndims - 1 - i];
        slong vd = i < v->ndims ? v->dims[v->ndims - 1 - i] : 1;   /* the batch is 1 */
        if (bd != 1 && bd != vd)
            return 0;
    }
    return 1;
}

static trop_status run_elementwise(octx *x, const Onnx__NodeProto *nd, const oconst *b,
                                   int op)
{
    orun *v = &x->v;
    slong i, j;
    if (!broadcast_keeps(v, b))
        return oerr(x, TROP_ERR_INVALID, nd, "constant '%s' would broadcast the tensor to "
                    "another shape (only a scalar or a constant of the tensor's shape is "
                    "supported)", b->name);
    if (b->len != 1 && b->len != v->m)
        return oerr(x, TROP_ERR_INVALID, nd, "constant '%s' has %ld values for a tensor of "
                    "%ld", b->name, b->len, v->m);
    for (i = 0; i < v->m; i++) {
        const fmpq *bi = b->data + (b->len == 1 ? 0 : i);
        if (op == 4 && fmpq_is_zero(bi))
            return oerr(x, TROP_ERR_INVALID, nd, "division by zero");
        if (op == 0)
            fmpq_add(v->c + i, v->c + i, bi);
        else if (op == 1)
            fmpq_sub(v->c + i, v->c + i, bi);
        else if (op == 2) {
            fmpq_sub(v->c + i, bi, v->c + i);
        }
        if (op >= 2) {   /* scale row i of A and c by s (-1, b or 1/b) */
            fmpq_t s;
            fmpq_init(s);
            if (op == 2)
                fmpq_set_si(s, -1, 1);
            else if (op == 3)
                fmpq_set(s, bi);
            else
                fmpq_inv(s, bi);
            if (op != 2)
                fmpq_mul(v->c + i, v->c + i, s);
            if (v->diag) {
                if (!v->d) {
                    v->d = _fmpq_vec_init(v->m);
                    for (j = 0; j < v->m; j++)
                        fmpq_one(v->d + j);
                }
                fmpq_mul(v->d + i, v->d + i, s);
            } else {
                for (j = 0; j < v->n; j++)
                    fmpq_mul(v->A + i * v->n + j, v->A + i * v->n + j, s);
            }
            fmpq_clear(s);
        }
    }
    return TROP_OK;
}

/* Turns the map of x->v into a layer with activation act (slope for
 * leaky) and restarts x->v as the identity on its output. */
void run_emit(octx *x, trop_act act, const fmpq_t slope)
{
    orun *v = &x->v;
    trop_layer_struct *L = trop_net_append_layer(x->net, v->m, act, slope, 1);
    slong i, j;
    fmpq_t a;
    fmpq_init(a);
    for (i = 0; i < v->m; i++) {
        for (j = 0; j < v->n; j++) {
            run_get(a, v, i, j);
            fmpq_set(L->W + i * v->n + j, a);
        }
        fmpq_set(L->b + i, v->c + i);
    }
    fmpq_clear(a);
    {   /* an activation keeps the sample's shape (a Conv or pooling may follow) */
        slong m = v->m, dims[4];
        int ndims = v->ndims;
        const char *name = v->name;
        memcpy(dims, v->dims, sizeof dims);
        run_clear(v);
        run_init(v, m, name);
        v->ndims = ndims;
        memcpy(v->dims, dims, sizeof dims);
    }
}

int vec_is_zero(const fmpq *v, slong len)
{
    slong i;
    for (i = 0; i < len; i++)
        if (!fmpq_is_zero(v + i))
            return 0;
    return 1;
}

/* ---- nodes ---- */

const Onnx__AttributeProto *attr(const Onnx__NodeProto *nd, const char *name)
{
    size_t i;
    for (i = 0; i < nd->n_attribute; i++)
        if (strcmp(nd->attribute[i]->name, name) == 0)
            return nd->attribute[i];
    return NULL;
}

long attr_int(const Onnx__NodeProto *nd, const char *name, long dflt)
{
    const Onnx__AttributeProto *a = attr(nd, name);
    return a && a->has_i ? (long)a->i : dflt;
}

static double attr_float(const Onnx__NodeProto *nd, const char *name, double dflt)
{
    const Onnx__AttributeProto *a = attr(nd, name);
    return a && a->has_f ? (double)a->f : dflt;
}

/* For a node with the running value and one constant among its first two
 * inputs: *k the constant, *first 1 if the running value comes first. */
static trop_status split_operands(octx *x, const Onnx__NodeProto *nd, oconst **k, int *first)
{
    int r0, r1;
    if (nd->n_input < 2)
        return oerr(x, TROP_ERR_FORMAT, nd, "needs two inputs");
    r0 = strcmp(nd->input[0], x->v.name) == 0;
    r1 = strcmp(nd->input[1], x->v.name) == 0;
    if (r0 == r1)
        return oerr(x, TROP_ERR_INVALID, nd, "one operand must be the network's running "
                    "value and the other a constant (the graph must be a chain)");
    *k = find_const(x, r0 ? nd->input[1] : nd->input[0]);
    if (!*k)
        return oerr(x, TROP_ERR_INVALID, nd, "'%s' is neither the running value nor a "
                    "constant (branches are not supported)", r0 ? nd->input[1] : nd->input[0]);
    *first = r0;
    return TROP_OK;
}

static trop_status node_matmul(octx *x, const Onnx__NodeProto *nd)
{
    oconst *w;
    int first;
    trop_status st = split_operands(x, nd, &w, &first);
    slong rows, cols;
    if (st != TROP_OK)
        return st;
    if (w->ndims != 2)
        return oerr(x, TROP_ERR_INVALID, nd, "the weight '%s' has %ld dimensions, expected 2",
                    w->name, w->ndims);
    rows = w->dims[0];
    cols = w->dims[1];
    if (first) {   /* v W with W: [m x out] */
        if (rows != x->v.m)
            return oerr(x, TROP_ERR_INVALID, nd, "weight '%s' is %ld x %ld for a tensor of "
                        "%ld", w->name, rows, cols, x->v.m);
        run_apply(&x->v, w->data, cols, 1, cols);
    } else {       /* W v with W: [out x m] */
        if (cols != x->v.m)
            return oerr(x, TROP_ERR_INVALID, nd, "weight '%s' is %ld x %ld for a tensor of "
                        "%ld", w->name, rows, cols, x->v.m);
        run_apply(&x->v, w->data, rows, cols, 1);
    }
    return TROP_OK;
}

/* Gemm: Y = alpha A' B' + beta C with A the running value (a row). */
static trop_status node_gemm(octx *x, const Onnx__NodeProto *nd)
{
    oconst *B, *C = NULL;
    slong rows, cols, out;
    double alpha = attr_float(nd, "alpha", 1.0), beta = attr_float(nd, "beta", 1.0);
    long transA = attr_int(nd, "transA", 0), transB = attr_int(nd, "transB", 0);
    trop_status st;
    if (nd->n_input < 2 || strcmp(nd->input[0], x->v.name) != 0)
        return oerr(x, TROP_ERR_INVALID, nd, "the first input must be the running value");
    if (transA)
        return oerr(x, TROP_ERR_INVALID, nd, "transA = 1 is not supported");
    if (!(B = find_const(x, nd->input[1])) || B->ndims != 2)
        return oerr(x, TROP_ERR_INVALID, nd, "B must be a constant matrix");
    if (nd->n_input >= 3 && *nd->input[2] && !(C = find_const(x, nd->input[2])))
        return oerr(x, TROP_ERR_INVALID, nd, "C must be a constant");
    rows = B->dims[0];
    cols = B->dims[1];
    out = transB ? rows : cols;
    if ((transB ? cols : rows) != x->v.m)
        return oerr(x, TROP_ERR_INVALID, nd, "B is %ld x %ld (transB %ld) for a tensor of %ld",
                    rows, cols, transB, x->v.m);
    if (transB)
        run_apply(&x->v, B->data, out, cols, 1);
    else
        run_apply(&x->v, B->data, out, 1, cols);
    if (alpha < 1.0 || alpha > 1.0) {   /* float32 attributes: exact */
        oconst s = {"alpha", 0, {0}, 1, _fmpq_vec_init(1)};
        trop_q_set_d(s.data, alpha, NULL);
        st = run_elementwise(x, nd, &s, 3);
        _fmpq_vec_clear(s.data, 1);
        if (st != TROP_OK)
            return st;
    }
    if (C) {
        oconst s = *C;
        slong i;
        s.data = _fmpq_vec_init(C->len ? C->len : 1);
        for (i = 0; i < C->len; i++) {
            fmpq_t bq;
            fmpq_init(bq);
            trop_q_set_d(bq, beta, NULL);
            fmpq_mul(s.data + i, C->data + i, bq);
            fmpq_clear(bq);
        }
        st = run_elementwise(x, nd, &s, 0);
        _fmpq_vec_clear(s.data, C->len ? C->len : 1);
        return st;
    }
    return TROP_OK;
}

static trop_status node_prelu(octx *x, const Onnx__NodeProto *nd)
{
    oconst *s;
    slong i;
    if (nd->n_input < 2 || !(s = find_const(x, nd->input[1])) || s->len < 1)
        return oerr(x, TROP_ERR_INVALID, nd, "the slope must be a constant");
    for (i = 1; i < s->len; i++)
        if (!fmpq_equal(s->data, s->data + i))
            return oerr(x, TROP_ERR_INVALID, nd, "slopes that differ by channel are not "
                        "supported (one slope for the layer is)");
    run_emit(x, TROP_ACT_LEAKY, s->data);
    return TROP_OK;
}

/* A maxout layer from x->v: units units, member i of unit j being row
 * idx[j * k + i] of x->v's map, and, when x->v carries a deferred ReLU,
 * a last member 0 (max(0, z_1, ..., z_k) = max_i relu(z_i)), so the rank
 * is k or k + 1 (at most 255: checked by the callers).  x->v becomes the
 * identity on the layer's output (dims: out_dims). */
void emit_maxout(octx *x, slong units, slong k, const slong *idx, const slong *out_dims,
                        int out_ndims)
{
    orun *v = &x->v;
    slong rank = k + (v->relu != 0), r, c;
    trop_layer_struct *L = trop_net_append_layer(x->net, units * rank, TROP_ACT_MAXOUT, NULL,
                                                 rank);
    fmpq_t a;
    fmpq_init(a);
    for (r = 0; r < units * k; r++) {
        slong row = r / k * rank + r % k;
        for (c = 0; c < v->n; c++) {
            run_get(a, v, idx[r], c);
            fmpq_set(L->W + row * v->n + c, a);
        }
        fmpq_set(L->b + row, v->c + idx[r]);
    }
    /* the zero members are the zero rows trop_net_append_layer made */
    fmpq_clear(a);
    {
        const char *name = v->name;
        run_clear(v);
        run_init(v, units, name);
        v->ndims = out_ndims;
        memcpy(v->dims, out_dims, (size_t)out_ndims * sizeof(slong));
    }
}

/* Per-sample shape helpers: the axis of a tensor with a batch dimension,
 * as an index into dims (-1 if it is the batch axis or out of range). */
static int sample_axis(const orun *v, long axis)
{
    long r = v->ndims + 1;
    if (axis < 0)
        axis += r;
    return axis >= 1 && axis < r ? (int)axis - 1 : -1;
}

/* ReduceMax over one axis of a sample: maxout over that axis. */
static trop_status node_reducemax(octx *x, const Onnx__NodeProto *nd)
{
    const Onnx__AttributeProto *ax = attr(nd, "axes");
    orun *v = &x->v;
    long keep = attr_int(nd, "keepdims", 1);
    slong outer = 1, inner = 1, k, units, *idx, j, i, o, out_dims[4];
    int a, t, nd_out = 0;
    if (!ax || ax->n_ints != 1)
        return oerr(x, TROP_ERR_INVALID, nd, "needs one axis in the 'axes' attribute");
    if ((a = sample_axis(v, (long)ax->ints[0])) < 0)
        return oerr(x, TROP_ERR_INVALID, nd, "axis %ld is the batch axis or out of range",
                    (long)ax->ints[0]);
    for (t = 0; t < a; t++)
        outer *= v->dims[t];
    for (t = a + 1; t < v->ndims; t++)
        inner *= v->dims[t];
    k = v->dims[a];
    units = outer * inner;
    if (k + (v->relu != 0) > 255)
        return oerr(x, TROP_ERR_LIMIT, nd, "a maximum over %ld values (at most 255)", k);
    idx = trop_malloc((size_t)(units * k) * sizeof(slong));
    for (o = 0; o < outer; o++)
        for (j = 0; j < inner; j++)
            for (i = 0; i < k; i++)   /* unit (o, j), member i: element (o, i, j) */
                idx[((o * inner + j) * k) + i] = (o * k + i) * inner + j;
    for (t = 0; t < v->ndims; t++)
        if (t != a)
            out_dims[nd_out++] = v->dims[t];
        else if (keep)
            out_dims[nd_out++] = 1;
    if (nd_out == 0)
        out_dims[nd_out++] = 1;
    emit_maxout(x, units, k, idx, out_dims, nd_out);
    trop_free(idx);
    return TROP_OK;
}

/* Reshape to the constant shape of input 1 (ONNX rules: 0 copies the input
 * dimension, -1 is inferred; the first entry is the batch). */
static trop_status node_reshape(octx *x, const Onnx__NodeProto *nd)
{
    orun *v = &x->v;
    oconst *sh = nd->n_input >= 2 ? find_const(x, nd->input[1]) : NULL;
    slong dims[5], prod = 1, infer = -1, i, r;
    if (!sh || sh->len < 1 || sh->len > 5)
        return oerr(x, TROP_ERR_INVALID, nd, "needs a constant shape of 1 to 5 entries");
    r = sh->len;
    for (i = 0; i < r; i++) {
        fmpz_t e;
        fmpz_init(e);
        fmpz_set(e, fmpq_numref(sh->data + i));
        dims[i] = fmpz_fits_si(e) ? fmpz_get_si(e) : -2;
        fmpz_clear(e);
        if (dims[i] == 0)
            dims[i] = i == 0 ? 1 : (i - 1 < v->ndims ? v->dims[i - 1] : -2);
        if (dims[i] == -1 && i > 0) {
            if (infer >= 0 || dims[0] == -1)
                return oerr(x, TROP_ERR_INVALID, nd, "two -1 in the shape");
            infer = i;
        } else if (i > 0 && dims[i] < 1)
            return oerr(x, TROP_ERR_INVALID, nd, "a bad shape entry");
        else if (i > 0)
            prod *= dims[i];
    }
    if (r == 1) {   /* everything in one axis: the sample stays one vector */
        v->ndims = 1;
        v->dims[0] = v->m;
        return TROP_OK;
    }
    if (infer >= 0) {
        if (v->m % prod)
            return oerr(x, TROP_ERR_INVALID, nd, "%ld values do not fit the shape", v->m);
        dims[infer] = v->m / prod;
        prod = v->m;
    }
    if (prod != v->m)
        return oerr(x, TROP_ERR_INVALID, nd, "the shape holds %ld values, the tensor %ld", prod,
                    v->m);
    v->ndims = (int)(r - 1);
    for (i = 1; i < r; i++)
        v->dims[i - 1] = dims[i];
    return TROP_OK;
}

/* Unsqueeze/Squeeze: only the per-sample shape changes (axes from the
 * attribute, or from a constant second input since opset 13). */
static trop_status node_squeeze(octx *x, const Onnx__NodeProto *nd, int un)
{
    orun *v = &x->v;
    const Onnx__AttributeProto *ax = attr(nd, "axes");
    oconst *axc = nd->n_input >= 2 ? find_const(x, nd->input[1]) : NULL;
    slong naxes = ax ? (slong)ax->n_ints : axc ? axc->len : 0, i, t;
    for (i = 0; i < naxes; i++) {
        long a = ax ? (long)ax->ints[i] : fmpz_get_si(fmpq_numref(axc->data + i));
        if (un) {
            long r = v->ndims + 2;
            if (a < 0)
                a += r;
            if (a < 1 || a > v->ndims + 1 || v->ndims >= 4)
                return oerr(x, TROP_ERR_INVALID, nd, "axis %ld is the batch or out of range", a);
            for (t = v->ndims; t > a - 1; t--)
                v->dims[t] = v->dims[t - 1];
            v->dims[a - 1] = 1;
            v->ndims++;
        } else {
            int s = sample_axis(v, a);
            if (s < 0 || v->dims[s] != 1)
                return oerr(x, TROP_ERR_INVALID, nd, "axis %ld is not a sample axis of size 1",
                            a);
            for (t = s; t + 1 < v->ndims; t++)
                v->dims[t] = v->dims[t + 1];
            v->ndims--;
        }
    }
    if (!un && naxes == 0) {   /* all axes of size 1 */
        int w = 0;
        for (t = 0; t < v->ndims; t++)
            if (v->dims[t] != 1)
                v->dims[w++] = v->dims[t];
        v->ndims = w ? w : 1;
        if (!w)
            v->dims[0] = 1;
    }
    return TROP_OK;
}

/* BatchNormalization (inference): y = gamma (x - mean) / sqrt(var + eps)
 * + beta per channel (the sample's first axis), folded into the pending
 * affine map.  gamma / sqrt(var + eps) is irrational in general: it is
 * taken in double (the float32 values and epsilon promoted, one division
 * and one correctly rounded square root) and then used exactly; the rest
 * is exact.  The network read therefore differs from the exact one by one
 * double rounding per channel, and says so in its metadata. */
static trop_status node_batchnorm(octx *x, const Onnx__NodeProto *nd)
{
    orun *v = &x->v;
    oconst *p[4], t;
    slong C = v->dims[0], per, i, j;
    double eps = attr_float(nd, "epsilon", (double)1e-5f);
    trop_status st = TROP_OK;
    if (nd->n_input != 5)
        return oerr(x, TROP_ERR_INVALID, nd, "needs 5 inputs");
    for (j = 0; j < 4; j++)
        if (!(p[j] = find_const(x, nd->input[j + 1])) || p[j]->len != C)
            return oerr(x, TROP_ERR_INVALID, nd, "'%s' must be a constant of %ld values (one "
                        "per channel)", nd->input[j + 1], C);
    per = v->m / C;
    t.name = "batch normalisation";
    t.ndims = v->ndims;   /* the tensor's own shape: entry i meets entry i */
    memcpy(t.dims, v->dims, sizeof v->dims);
    t.len = v->m;
    t.data = _fmpq_vec_init(v->m);
    for (i = 0; i < v->m; i++)   /* subtract the mean */
        fmpq_set(t.data + i, p[2]->data + i / per);
    st = run_elementwise(x, nd, &t, 1);
    for (i = 0; i < v->m && st == TROP_OK; i++) {   /* scale */
        double g = trop_q_get_d(p[0]->data + i / per), var = trop_q_get_d(p[3]->data + i / per);
        if (!(var + eps > 0))
            st = oerr(x, TROP_ERR_INVALID, nd, "a variance plus epsilon that is not positive");
        else
            trop_q_set_d(t.data + i, g / sqrt(var + eps), NULL);
    }
    if (st == TROP_OK)
        st = run_elementwise(x, nd, &t, 3);
    for (i = 0; i < v->m && st == TROP_OK; i++)   /* add beta */
        fmpq_set(t.data + i, p[1]->data + i / per);
    if (st == TROP_OK)
        st = run_elementwise(x, nd, &t, 0);
    _fmpq_vec_clear(t.data, v->m);
    if (st == TROP_OK)
        trop_net_set_meta(x->net, "onnx_inexact", "BatchNormalization: gamma / sqrt(var + "
                          "eps) rounded to double, then used exactly");
    return st;
}

/* Max of k >= 2 live affine values of the same width m: a maxout layer of
 * m units of rank k, unit j the max of row j of each operand (rows
 * j k .. j k + k - 1 of the layer).  x->v becomes the identity on it. */
static trop_status node_max(octx *x, const Onnx__NodeProto *nd)
{
    slong k = (slong)nd->n_input, i, j, r, m = -1, n = 0;
    orun *ops;
    trop_layer_struct *L;
    fmpq_t a;
    if (k < 2)
        return oerr(x, TROP_ERR_INVALID, nd, "a Max of one operand");
    if (k > 255)
        return oerr(x, TROP_ERR_LIMIT, nd, "a Max of %ld operands (at most 255)", k);
    for (i = 0; i < k; i++) {
        slong at = find_val(x, nd->input[i]);
        if (at < 0)
            return oerr(x, TROP_ERR_INVALID, nd, "operand '%s' is not a value of the network "
                        "(a Max with a constant is not supported)", nd->input[i]);
        if (m >= 0 && x->vals[at].m != m)
            return oerr(x, TROP_ERR_INVALID, nd, "operands of widths %ld and %ld (broadcasting "
                        "is not supported)", m, x->vals[at].m);
        m = x->vals[at].m;
        n = x->vals[at].n;
    }
    ops = trop_malloc((size_t)k * sizeof(orun));
    for (i = 0; i < k; i++)
        run_copy(ops + i, x->vals + find_val(x, nd->input[i]));
    L = trop_net_append_layer(x->net, m * k, TROP_ACT_MAXOUT, NULL, k);
    fmpq_init(a);
    for (j = 0; j < m; j++)
        for (i = 0; i < k; i++) {
            r = j * k + i;
            for (slong c = 0; c < n; c++) {
                run_get(a, ops + i, j, c);
                fmpq_set(L->W + r * n + c, a);
            }
            fmpq_set(L->b + r, ops[i].c + j);
        }
    fmpq_clear(a);
    for (i = 0; i < k; i++)
        run_clear(ops + i);
    trop_free(ops);
    run_clear(&x->v);
    run_init(&x->v, m, nd->output[0]);
    return TROP_OK;
}

static const char *const supported_ops[] = {
    "Max", "ReduceMax", "MaxPool", "Conv", "Unsqueeze", "Squeeze", "BatchNormalization",
    "Constant", "MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Relu", "LeakyRelu", "PRelu",
    "Flatten", "Identity", "Dropout", "Reshape"};

static trop_status unsupported(octx *x, const Onnx__NodeProto *nd)
{
    return oerr(x, TROP_ERR_INVALID, nd, "this operator is not supported (supported: Gemm, "
                "MatMul, Add, Sub, Mul, Div by constants, Relu, LeakyRelu, PRelu with one "
                "slope, Max of branches, ReduceMax, Conv, MaxPool, "
                "BatchNormalization, Flatten, "
                "Reshape, Squeeze, Unsqueeze, Identity, Dropout, Constant)");
}

static int is_supported(const char *op)
{
    size_t i;
    for (i = 0; i < sizeof supported_ops / sizeof supported_ops[0]; i++)
        if (strcmp(op, supported_ops[i]) == 0)
            return 1;
    return 0;
}

static trop_status node_op(octx *x, const Onnx__NodeProto *nd);

static trop_status node(octx *x, const Onnx__NodeProto *nd)
{
    const char *op = nd->op_type;
    slong nlayers = x->net->nlayers;
    trop_status st = TROP_OK;
    if (strcmp(op, "Constant") == 0) {
        const Onnx__AttributeProto *a = attr(nd, "value");
        if (!a || !a->t || nd->n_output < 1)
            return oerr(x, TROP_ERR_INVALID, nd, "only a tensor 'value' is supported");
        return add_const(x, a->t, nd->output[0], nd);
    }
    if (!strcmp(op, "Identity") && nd->n_input == 1 && nd->n_output == 1
        && find_val(x, nd->input[0]) < 0 && find_const(x, nd->input[0])) {
        alias_const(x, find_const(x, nd->input[0]) - x->consts, nd->output[0]);
        return TROP_OK;
    }
    if (nd->n_output == 2 && !strcmp(op, "Dropout") && *nd->output[1]
        && used_later(x, nd->output[1]))
        return oerr(x, TROP_ERR_INVALID, nd, "its mask output '%s' is read by a later node "
                    "(a mask nothing reads is supported)", nd->output[1]);
    if (nd->n_output != 1 && !(nd->n_output == 2 && !strcmp(op, "Dropout")))
        return oerr(x, TROP_ERR_INVALID, nd, "has %zu outputs, expected 1", nd->n_output);
    if (!strcmp(op, "Max"))
        st = node_max(x, nd);
    else {
        /* the value operand: the first input, or the second of a binary
         * operator whose first is a constant */
        slong at = nd->n_input >= 1 ? find_val(x, nd->input[0]) : -1;
        if (at < 0 && nd->n_input >= 2 && find_const(x, nd->input[0])
            && (!strcmp(op, "MatMul") || !strcmp(op, "Add") || !strcmp(op, "Sub")
                || !strcmp(op, "Mul")))
            at = find_val(x, nd->input[1]);
        if (at < 0)
            return oerr(x, TROP_ERR_INVALID, nd, "reads no value of the network (inputs that "
                        "are neither the network's values nor constants are not supported)");
        run_clear(&x->v);
        if (used_later(x, x->vals[at].name)) {
            run_copy(&x->v, x->vals + at);
        } else {   /* its last reader: move it out, no copy of A */
            x->v = x->vals[at];
            x->vals[at] = x->vals[--x->nvals];
        }
        st = node_op(x, nd);
    }
    if (st != TROP_OK)
        return st;
    if (x->net->nlayers > nlayers) {
        /* an activation: every other value was a map of the old h */
        drop_dead(x);
        if (x->nvals > 0 && strcmp(x->vals[0].name, x->g->output[0]->name) == 0)
            return oerr(x, TROP_ERR_INVALID, nd, "the graph's output '%s' was computed before "
                        "this node (nodes after the output are not supported)",
                        x->vals[0].name);
        if (x->nvals > 0)
            return oerr(x, TROP_ERR_INVALID, nd, "value '%s' is still read after this layer "
                        "(skip connections are not supported)", x->vals[0].name);
    }
    x->v.name = nd->output[0];
    {
        orun keep = x->v;
        put_val(x, &keep);
        run_init(&x->v, 1, "");   /* x->v no longer owns what was moved */
    }
    drop_dead(x);
    return TROP_OK;
}

/* The operator of nd applied to x->v (affine operators and activations). */
static trop_status node_op(octx *x, const Onnx__NodeProto *nd)
{
    const char *op = nd->op_type;
    oconst *k;
    int first;
    trop_status st = TROP_OK;
    if (!strcmp(op, "MatMul"))
        st = node_matmul(x, nd);
    else if (!strcmp(op, "Gemm"))
        st = node_gemm(x, nd);
    else if (!strcmp(op, "Add") || !strcmp(op, "Sub") || !strcmp(op, "Mul")
             || !strcmp(op, "Div")) {
        if ((st = split_operands(x, nd, &k, &first)) != TROP_OK)
            return st;
        if (!strcmp(op, "Div") && !first)
            return oerr(x, TROP_ERR_INVALID, nd, "a constant divided by the running value is "
                        "not piecewise linear");
        st = run_elementwise(x, nd, k, !strcmp(op, "Add") ? 0 : !strcmp(op, "Sub")
                             ? (first ? 1 : 2) : !strcmp(op, "Mul") ? 3 : 4);
    } else if (!strcmp(op, "Relu")) {
        st = node_relu(x, nd);
    } else if (!strcmp(op, "Conv")) {
        st = node_conv(x, nd);
    } else if (!strcmp(op, "LeakyRelu")) {
        fmpq_t s;
        fmpq_init(s);
        trop_q_set_d(s, attr_float(nd, "alpha", (double)0.01f), NULL);
        run_emit(x, TROP_ACT_LEAKY, s);
        fmpq_clear(s);
    } else if (!strcmp(op, "PRelu")) {
        st = node_prelu(x, nd);
    } else if (!strcmp(op, "BatchNormalization")) {
        st = node_batchnorm(x, nd);
    } else if (!strcmp(op, "ReduceMax")) {
        st = node_reducemax(x, nd);
    } else if (!strcmp(op, "MaxPool")) {
        st = node_maxpool(x, nd);
    } else if (!strcmp(op, "Reshape")) {
        st = node_reshape(x, nd);
    } else if (!strcmp(op, "Squeeze") || !strcmp(op, "Unsqueeze")) {
        st = node_squeeze(x, nd, op[0] == 'U');
    } else if (!strcmp(op, "Flatten")) {
        x->v.ndims = 1;
        x->v.dims[0] = x->v.m;
    } else if (!strcmp(op, "Identity") || !strcmp(op, "Dropout")) {
        /* Dropout is the identity at inference (its mask, if any, unread) */
    } else {
        return unsupported(x, nd);
    }
    return st;
}

/* The number of values of one sample of a graph input: the product of its
 * fixed dimensions (symbolic ones, the batch, count as 1). */
static slong input_size(const Onnx__ValueInfoProto *in)
{
    slong n = 1;
    size_t i;
    if (!in->type || !in->type->tensor_type || !in->type->tensor_type->shape)
        return -1;
    for (i = 0; i < in->type->tensor_type->shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = in->type->tensor_type->shape->dim[i];
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (d->dim_value < 1 || d->dim_value > TROP_MAX_ELEMS || n > TROP_MAX_ELEMS / d->dim_value)
                return -1;
            n *= d->dim_value;
        }
    }
    return n;
}

static trop_status read_graph(octx *x, const Onnx__GraphProto *g)
{
    const Onnx__ValueInfoProto *in = NULL;
    size_t i;
    slong n;
    trop_status st;
    for (i = 0; i < g->n_initializer; i++)
        if ((st = add_const(x, g->initializer[i], g->initializer[i]->name, NULL)) != TROP_OK)
            return st;
    for (i = 0; i < g->n_input; i++)   /* inputs that are not initializers */
        if (!find_const(x, g->input[i]->name)) {
            if (in)
                return oerr(x, TROP_ERR_INVALID, NULL, "the graph has more than one input "
                            "('%s', '%s')", in->name, g->input[i]->name);
            in = g->input[i];
        }
    if (!in)
        return oerr(x, TROP_ERR_FORMAT, NULL, "the graph has no input");
    if ((n = input_size(in)) < 1)
        return oerr(x, TROP_ERR_FORMAT, NULL, "input '%s' has no usable shape", in->name);
    {   /* a fixed batch above 1 would be read as one sample of all of them */
        const Onnx__TensorShapeProto *sh = in->type->tensor_type->shape;
        if (sh->n_dim >= 2 && sh->dim[0]->value_case
            == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && sh->dim[0]->dim_value > 1)
            return oerr(x, TROP_ERR_INVALID, NULL, "input '%s' has a fixed batch of %ld "
                        "samples; export the network with a batch of 1 (or a symbolic one)",
                        in->name, (long)sh->dim[0]->dim_value);
    }
    if (g->n_output != 1)
        return oerr(x, TROP_ERR_INVALID, NULL, "the graph has %zu outputs, expected 1",
                    g->n_output);
    /* an unsupported operator is named first: a maxout export (Max over
     * branches) would otherwise be reported as a branch at its second Gemm */
    for (i = 0; i < g->n_node; i++)
        if (!is_supported(g->node[i]->op_type))
            return unsupported(x, g->node[i]);
    trop_net_clear(x->net);
    trop_net_init(x->net, n);
    x->g = g;
    {
        orun v0;
        const Onnx__TensorShapeProto *sh = in->type->tensor_type->shape;
        run_init(&v0, n, in->name);
        /* the sample's shape: the input's dimensions after the batch (a
         * 1-D input is one sample without a batch axis) */
        if (sh->n_dim >= 2 && sh->n_dim <= 5) {
            size_t d;
            v0.ndims = (int)sh->n_dim - 1;
            for (d = 1; d < sh->n_dim; d++)
                v0.dims[d - 1] = sh->dim[d]->value_case
                                 == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
                                 ? sh->dim[d]->dim_value : 1;
        }
        put_val(x, &v0);
    }
    run_init(&x->v, 1, "");
    for (i = 0; i < g->n_node; i++) {
        x->at = i;
        if ((st = node(x, g->node[i])) != TROP_OK)
            return st;
    }
    {
        slong at = find_val(x, g->output[0]->name);
        if (at < 0)
            return oerr(x, TROP_ERR_INVALID, NULL, "the graph's output '%s' is not a value the "
                        "nodes compute", g->output[0]->name);
        run_clear(&x->v);
        run_copy(&x->v, x->vals + at);
    }
    /* a pending affine map (or a graph with no activation) is the output
     * layer; a graph that ends on an activation has none */
    if (x->net->nlayers == 0 || !x->v.diag || x->v.d || !vec_is_zero(x->v.c, x->v.m))
        run_emit(x, TROP_ACT_LINEAR, NULL);
    return TROP_OK;
}

trop_status trop_net_read_onnx(trop_net_t net, const unsigned char *buf, size_t len,
                               const char *name, trop_error *err)
{
    Onnx__ModelProto *model;
    trop_net_t tmp;
    octx x;
    trop_status st;
    slong i;
    char nbuf[TROP_ERROR_NAME_MAX + 1];
    trop_net_init(tmp, 1);
    memset(&x, 0, sizeof x);
    x.net = tmp;
    x.file = trop_error_name(nbuf, name ? name : TROP_NET_NONAME);
    x.err = err;
    model = onnx__model_proto__unpack(NULL, len, buf);
    if (!model)
        return _trop_net_read_finish(net, tmp, oerr(&x, TROP_ERR_FORMAT, NULL,
                                     "not a valid ONNX model (the protobuf does not parse: "
                                     "truncated or corrupt)"));
    if (!model->graph)
        st = oerr(&x, TROP_ERR_FORMAT, NULL, "the model has no graph");
    else {
        x.v.c = NULL;
        st = read_graph(&x, model->graph);
        if (x.v.c)
            run_clear(&x.v);
        for (i = 0; i < x.nvals; i++)
            run_clear(x.vals + i);
        trop_free(x.vals);
    }
    for (i = 0; i < x.nconsts; i++)
        _fmpq_vec_clear(x.consts[i].data, x.consts[i].len ? x.consts[i].len : 1);
    trop_free(x.consts);
    if (st == TROP_OK && model->producer_name && *model->producer_name)
        trop_net_set_meta(tmp, "onnx_producer", model->producer_name);
    onnx__model_proto__free_unpacked(model, NULL);
    return _trop_net_read_finish(net, tmp, st);
}
