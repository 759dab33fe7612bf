/* onnx-internal.h: what the ONNX reader's files share (onnx.c: the graph,
 * constants, the running value and the affine and activation operators;
 * onnx-conv.c: convolution, max pooling and the ReLU that commutes with
 * it).  Not installed.  The short names below are macros for symbols with
 * the library's internal prefix, so the reader's code stays readable and
 * nothing unprefixed reaches the link. */
#ifndef TROP_NET_ONNX_INTERNAL_H
#define TROP_NET_ONNX_INTERNAL_H

#include <flint/flint.h>
#include <flint/fmpq.h>
#include "onnx.pb-c.h"
#include "trop/net.h"

/* A constant tensor: dims [ndims], data [len] exact. */
typedef struct {
    const char *name;
    slong ndims, dims[8], len;
    fmpq *data;
} oconst;

/* The running value: v = A h + c of length m, h of length n.  diag: A is
 * diagonal (n = m) with diagonal d [m] (NULL: the identity); else A: [m x n]
 * row-major. */
typedef struct {
    slong m, n;
    int diag;
    fmpq *d, *A, *c;
    const char *name;   /* the ONNX value name it carries */
    slong dims[4];      /* the shape of one sample (without the batch) */
    int ndims;
    int relu;           /* the value is relu(A h + c), not yet a layer: its
                           only reader is a max pooling, which makes it a
                           maxout unit with a zero piece (see node_relu) */
} orun;

/* vals: the live values (all affine maps of the same h), each named; v:
 * the value the node being read works on; g, at: the graph and the index
 * of that node (to see which values later nodes still read). */
typedef struct {
    oconst *consts;
    slong nconsts, alloc;
    orun *vals;
    slong nvals, valloc;
    orun v;
    const Onnx__GraphProto *g;
    size_t at;
    trop_net_struct *net;
    const char *file;
    trop_error *err;
} octx;

#define oerr _trop_onnx_err
#define find_const _trop_onnx_find_const
#define attr _trop_onnx_attr
#define attr_int _trop_onnx_attr_int
#define run_init _trop_onnx_run_init
#define run_clear _trop_onnx_run_clear
#define run_get _trop_onnx_run_get
#define run_set_full _trop_onnx_run_set_full
#define run_addmul_row _trop_onnx_run_addmul_row
#define run_emit _trop_onnx_run_emit
#define emit_maxout _trop_onnx_emit_maxout
#define vec_is_zero _trop_onnx_vec_is_zero
#define node_conv _trop_onnx_node_conv
#define node_maxpool _trop_onnx_node_maxpool
#define node_relu _trop_onnx_node_relu

/* Sets x->err to "FILE: node 'NAME' (OP): message" (without the node part
 * when nd is NULL), control characters shown as '?'; returns st. */
trop_status oerr(octx *x, trop_status st, const Onnx__NodeProto *nd, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* The constant named name (the latest of that name), or NULL. */
oconst *find_const(octx *x, const char *name);

/* The attribute name of nd, or NULL; its integer value, or dflt. */
const Onnx__AttributeProto *attr(const Onnx__NodeProto *nd, const char *name);
long attr_int(const Onnx__NodeProto *nd, const char *name, long dflt);

/* The running value: init as the identity on n values named name (shape
 * [n]); clear; entry (i, j) of A (diagonal or full). */
void run_init(orun *v, slong n, const char *name);
void run_clear(orun *v);
void run_get(fmpq_t r, const orun *v, slong i, slong j);

/* v's map becomes (A [mo x n] row-major, c [mo]), both moved in; its shape
 * [mo]. */
void run_set_full(orun *v, fmpq *A, fmpq *c, slong mo);

/* Row r of (A [. x n], c) += w times row p of v's map. */
void run_addmul_row(fmpq *A, fmpq *c, slong r, const fmpq_t w, const orun *v, slong p);

/* x->v's map becomes a layer with activation act (slope for leaky), and
 * x->v the identity on its output, keeping the sample's shape. */
void run_emit(octx *x, trop_act act, const fmpq_t slope);

/* A maxout layer from x->v: units units, member i of unit j row
 * idx[j * k + i] of x->v's map (idx: [units * k]), plus the zero member
 * when x->v carries a deferred ReLU; x->v becomes the identity on it, of
 * shape out_dims [out_ndims]. */
void emit_maxout(octx *x, slong units, slong k, const slong *idx, const slong *out_dims,
                 int out_ndims);

/* 1 if v [len] is all zero. */
int vec_is_zero(const fmpq *v, slong len);

/* onnx-conv.c: the operators Conv, MaxPool and Relu on x->v (see there). */
trop_status node_conv(octx *x, const Onnx__NodeProto *nd);
trop_status node_maxpool(octx *x, const Onnx__NodeProto *nd);
trop_status node_relu(octx *x, const Onnx__NodeProto *nd);

#endif
