/* trop/net.h: the network model (affine layers followed by ReLU, leaky ReLU
 * with a rational slope, maxout of rank k, or the identity), its readers
 * and writer, exact and float forward passes, and restriction to an affine
 * slice of the input space.  All weights are exact rationals. */
#ifndef TROP_NET_H
#define TROP_NET_H

#include <stdio.h>
#include "trop/q.h"
#include "trop/train.h"

#ifdef __cplusplus
extern "C" {
#endif

/* trop_act, the activation of a layer, is in trop/base.h (the float
 * trainer shares it). */

/* One layer.  Shapes: W: [nout x nin] row-major (the PyTorch layout);
 * b: [nout].  For maxout, nout = (number of units) * k and the groups of k
 * rows are consecutive.  slope is used by TROP_ACT_LEAKY only, k by
 * TROP_ACT_MAXOUT only (k is 1 otherwise). */
typedef struct trop_layer_struct {
    slong nin, nout;
    fmpq *W;
    fmpq *b;
    trop_act act;
    fmpq_t slope;
    slong k;
} trop_layer_struct;

/* A network.  layers[0] reads the input_dim inputs; layer l reads the
 * outputs of layer l-1.  The box, when has_box, is the default input box in
 * the coordinates the weights act on (for NNet: the normalised min/max).
 * The normalisation, when has_norm, records the NNet constants: raw input i
 * maps to (x_i - in_mean[i]) / in_range[i]; the network's outputs y map to
 * y * out_range + out_mean.  The model itself always computes on the
 * normalised coordinates; nothing is clipped.  meta holds nmeta key/value
 * pairs (UTF-8 strings) carried by net.bin. */
typedef struct trop_net_struct {
    slong input_dim;
    slong nlayers, alloc;
    trop_layer_struct *layers;
    int has_box;
    fmpq *box_lo, *box_hi;        /* [input_dim] each */
    int has_norm;
    fmpq *in_mean, *in_range;     /* [input_dim] each */
    fmpq_t out_mean, out_range;
    slong nmeta;
    char **meta_key, **meta_val;  /* [nmeta] each, owned by the net */
} trop_net_struct;
typedef trop_net_struct trop_net_t[1];

/* File formats, detected by content (see docs/formats.md). */
typedef enum trop_net_format {
    TROP_NET_FORMAT_UNKNOWN = 0,
    TROP_NET_FORMAT_BIN,   /* net.bin */
    TROP_NET_FORMAT_NNET,  /* NNet text */
    TROP_NET_FORMAT_JSON,  /* JSON */
    TROP_NET_FORMAT_ONNX   /* ONNX protobuf (a chain of supported operators) */
} trop_net_format;

/* Number encoding of net.bin weights. */
typedef enum trop_net_encoding {
    TROP_NET_ENC_RATIONAL = 1, /* exact rationals (always lossless) */
    TROP_NET_ENC_F64 = 2       /* IEEE float64; only if every weight is one */
} trop_net_encoding;

/* ---- Memory management ---- */

/* Ownership: init makes an empty network with input_dim inputs and no
 * layers; clear releases everything.  Aborts if input_dim < 1. */
TROP_API void trop_net_init(trop_net_t net, slong input_dim);
TROP_API void trop_net_clear(trop_net_t net);
TROP_API void trop_net_swap(trop_net_t a, trop_net_t b);
/* res = a (deep copy).  Aliasing: none. */
TROP_API void trop_net_set(trop_net_t res, const trop_net_t a);

/* Appends a layer with zero weights reading the current output width.
 * Returns a borrowed pointer to the new layer (valid until the next
 * append or clear) whose W and b the caller fills.  nout is the number of
 * rows of W (units * k for maxout).  slope may be NULL unless act is
 * TROP_ACT_LEAKY.  Aborts if nout < 1, k < 1, or (maxout) k does not
 * divide nout. */
TROP_API trop_layer_struct *trop_net_append_layer(trop_net_t net, slong nout,
        trop_act act, const fmpq_t slope, slong k);

/* Sets the default input box (lo <= hi entrywise; shapes [input_dim]). */
TROP_API void trop_net_set_box(trop_net_t net, const fmpq *lo, const fmpq *hi);

/* Adds a metadata pair (copied).  A key that exists is replaced. */
TROP_API void trop_net_set_meta(trop_net_t net, const char *key, const char *val);
/* Returns the value of key (borrowed) or NULL. */
TROP_API const char *trop_net_get_meta(const trop_net_t net, const char *key);

/* ---- Properties ---- */

/* Number of outputs of layer l (units: nout / k). */
TROP_API slong trop_layer_width(const trop_layer_struct *L);
/* Number of network outputs (width of the last layer; input_dim if no
 * layers). */
TROP_API slong trop_net_output_dim(const trop_net_t net);
/* Number of hidden nonlinear units (relu/leaky units and maxout units). */
TROP_API slong trop_net_num_units(const trop_net_t net);
/* 1 if every weight, bias and slope is an integer / a double exactly. */
TROP_API int trop_net_is_f64(const trop_net_t net);

/* Checks internal consistency (shapes chain, k divides nout for maxout and
 * is 1 otherwise, at least one layer, box lower <= upper).
 * Errors: TROP_ERR_INVALID with a message naming the layer. */
TROP_API trop_status trop_net_validate(const trop_net_t net, trop_error *err);

/* ---- Evaluation ---- */

/* y = net(x) exactly.  Shapes: x: [input_dim], y: [output_dim]; both are
 * initialised by the caller.  Aliasing: none. */
TROP_API void trop_net_eval_q(fmpq *y, const trop_net_t net, const fmpq *x);

/* y = net(x) in double (weights rounded to double).  Shapes as above. */
TROP_API void trop_net_eval_d(double *y, const trop_net_t net, const double *x);

/* ---- Slices ---- */

/* res = the network restricted to the affine subspace x = x0 + U t, a
 * network with m inputs t (U and x0 are folded into the first layer:
 * W' = W U, b' = W x0 + b).  Shapes: x0: [input_dim]; U: [input_dim x m]
 * row-major.  The box of res is unset; the metadata is copied.
 * Aliasing: res must not alias net.  Aborts if m < 1 or net has no layers. */
TROP_API void trop_net_slice(trop_net_t res, const trop_net_t net,
                             const fmpq *x0, const fmpq *U, slong m);

/* ---- The float trainer's model (trop/train.h) ---- */

/* net = m exactly: every double weight, bias and standardisation constant
 * becomes the rational it is (trop_q_set_d), a leaky slope the rational
 * slope_num/slope_den.  The standardisation becomes the input
 * normalisation (in_mean = mean, in_range = scale, out_mean 0, out_range
 * 1), so the exact tools work on standardised inputs as the model does.
 * No box and no metadata are set.  Ownership: net initialised by the
 * caller, overwritten.  Errors: TROP_ERR_INVALID (a weight that is NaN or
 * infinite, say after a diverged run; net is then left empty). */
TROP_API trop_status trop_net_set_model(trop_net_t net, const trop_model_t m,
                                        trop_error *err);

/* m = net rounded to double (toward zero, fmpq_get_d), for float
 * evaluation and further training of any network the readers accept.  The
 * input normalisation becomes the standardisation; an output
 * de-normalisation (NNet: y * out_range + out_mean) is folded into a
 * linear last layer.  Ownership: m initialised by the caller, overwritten.
 * Errors: TROP_ERR_LIMIT (a leaky slope whose numerator or denominator
 * does not fit a slong, maxout rank above 255, a weight beyond the double
 * range, an output de-normalisation after a nonlinear last layer, an
 * input range that is not positive); m is then left empty. */
TROP_API trop_status trop_model_set_net(trop_model_t m, const trop_net_t net, trop_error *err);

/* ---- Input/output ---- */

/* Guesses the format from the first bytes of a file (magic for net.bin,
 * '{' for JSON, otherwise NNet). */
TROP_API trop_net_format trop_net_detect(const unsigned char *buf, size_t len);

/* Reads a network from path in any supported format (detected by content).
 * On error net is left as an empty valid network with input_dim 1 and err
 * names the file, the line or offset and what was expected.
 * Ownership: net must be initialised (any state); it is overwritten.
 * Errors: TROP_ERR_IO, TROP_ERR_FORMAT, TROP_ERR_INVALID, TROP_ERR_LIMIT (a
 * size above TROP_MAX_ELEMS). */
TROP_API trop_status trop_net_read(trop_net_t net, const char *path, trop_error *err);

/* Parses a network from memory.  name is used in messages only. */
TROP_API trop_status trop_net_read_buffer(trop_net_t net, const char *buf, size_t len,
                                          const char *name, trop_error *err);

/* Format-specific readers from memory (same contract as trop_net_read). */
TROP_API trop_status trop_net_read_nnet(trop_net_t net, const char *buf, size_t len,
                                        const char *name, trop_error *err);
TROP_API trop_status trop_net_read_json(trop_net_t net, const char *buf, size_t len,
                                        const char *name, trop_error *err);
TROP_API trop_status trop_net_read_bin(trop_net_t net, const unsigned char *buf, size_t len,
                                       const char *name, trop_error *err);
/* ONNX (docs/formats.md): a graph that is a chain of layers from its one
 * input to its one output, of Gemm (alpha, beta, transB), MatMul (either
 * weight orientation), Add/Sub/Mul/Div by constants, Relu, LeakyRelu,
 * PRelu with one constant slope, Max of affine branches, ReduceMax over
 * one axis and one-channel MaxPool (each read as maxout),
 * BatchNormalization (folded; its scale gamma / sqrt(var + eps) is taken in
 * double and the network labelled "onnx_inexact" in its metadata), Flatten,
 * Reshape, Squeeze, Unsqueeze, Identity, Dropout and Constant nodes, with weights from initializers or Constant nodes (raw_data or
 * float_data/double_data; float32 and float64 become the exact rationals
 * they are).  Consecutive affine operators are composed exactly into one
 * layer.  Any other operator, a value read across an activation, or a
 * second non-constant operand is TROP_ERR_INVALID naming the node and its
 * op type; a protobuf that does
 * not parse is TROP_ERR_FORMAT. */
TROP_API trop_status trop_net_read_onnx(trop_net_t net, const unsigned char *buf, size_t len,
                                        const char *name, trop_error *err);

/* Writes net to path in net.bin format, atomically (a temporary file in the
 * same directory, fsync, rename).  enc chooses the number encoding; with
 * TROP_NET_ENC_F64 every value must be a double exactly, else
 * TROP_ERR_INVALID.  Errors: TROP_ERR_IO, TROP_ERR_INVALID. */
TROP_API trop_status trop_net_write_bin(const trop_net_t net, const char *path,
                                        trop_net_encoding enc, trop_error *err);

/* Writes net as NNet text to path atomically, every number as the exact
 * decimal it is (docs/formats.md).  The input box, when set, becomes the
 * min/max lines (raw coordinates); without one they are -1e9 and 1e9.
 * Errors: TROP_ERR_INVALID when NNet cannot express the network (a hidden
 * layer that is not ReLU, an output layer that is not linear, a number
 * that is not a finite decimal, such as 1/3), TROP_ERR_IO. */
TROP_API trop_status trop_net_write_nnet(const trop_net_t net, const char *path,
                                         trop_error *err);

/* Writes net as ONNX (opset 13) to path atomically: per layer one Gemm
 * (transB = 1) and Relu, LeakyRelu or, for maxout, Reshape + ReduceMax;
 * float32 tensors when every number is a float exactly, else float64.
 * The input normalisation is not written (the graph computes on the
 * network's own inputs).  Errors: TROP_ERR_INVALID when ONNX cannot hold
 * the network exactly (a weight that is not a double, a leaky slope that
 * is not a float32), TROP_ERR_IO. */
TROP_API trop_status trop_net_write_onnx(const trop_net_t net, const char *path,
                                         trop_error *err);

/* Writes net as JSON (the reader's format; numbers as exact rational
 * strings) to path atomically.  Errors: TROP_ERR_IO. */
TROP_API trop_status trop_net_write_json(const trop_net_t net, const char *path,
                                         trop_error *err);

#ifdef __cplusplus
}
#endif
#endif
