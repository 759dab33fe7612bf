/* onnx-conv.c: convolution and max pooling for the ONNX reader, unrolled
 * into the dense affine maps and maxout layers of our networks, and the
 * ReLU that commutes with max pooling (onnx.c has the rest of the reader;
 * onnx-internal.h what they share). */
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "trop/net.h"
#include "onnx-internal.h"

/* ---- convolution and max pooling, unrolled ----
 *
 * A sample of shape [C, D_1 .. D_s] (s = 1 to 3 spatial axes; the channel
 * axis first, as ONNX orders it) is handled as [C, D_1, D_2, D_3] with the
 * missing axes of size 1, so one triple loop serves Conv1d to Conv3d. */

/* The spatial geometry of a Conv or MaxPool node: per axis (3, padded
 * with 1) the input size D, kernel K, stride S, dilation L, padding before
 * P, and output size O.  kernel: the kernel sizes when the node gives none
 * (Conv: the weight's), else NULL. */
typedef struct {
    slong D[3], K[3], S[3], L[3], P[3], O[3];
} ogeom;

/* Reads kernel_shape, strides, dilations, pads (ceil_mode for pooling)
 * against the running value's shape and computes the output sizes
 * (ONNX's Conv and MaxPool; ceil_mode as PyTorch, whose last window must
 * start inside the input or its left padding). */
static trop_status node_geom(octx *x, const Onnx__NodeProto *nd, const slong *kernel,
                             ogeom *g)
{
    const orun *v = &x->v;
    const Onnx__AttributeProto *ks = attr(nd, "kernel_shape"), *st = attr(nd, "strides"),
                               *dl = attr(nd, "dilations"), *pd = attr(nd, "pads"),
                               *ap = attr(nd, "auto_pad");
    long ceil_mode = attr_int(nd, "ceil_mode", 0);
    slong s = v->ndims - 1, d, num;
    if (ap && ap->has_s && !(ap->s.len == 0 || (ap->s.len == 6
                                                && memcmp(ap->s.data, "NOTSET", 6) == 0)))
        return oerr(x, TROP_ERR_INVALID, nd, "auto_pad is not supported (explicit pads are)");
    if (s < 1 || s > 3)
        return oerr(x, TROP_ERR_INVALID, nd, "needs a tensor of 1 to 3 spatial axes after its "
                    "channels, not of %d axes", v->ndims);
    if ((!ks && !kernel) || (ks && (slong)ks->n_ints != s) || (st && (slong)st->n_ints != s)
        || (dl && (slong)dl->n_ints != s) || (pd && (slong)pd->n_ints != 2 * s))
        return oerr(x, TROP_ERR_INVALID, nd, "kernel_shape, strides, dilations or pads do not "
                    "match the %ld spatial axes of the tensor", s);
    for (d = 0; d < 3; d++) {
        g->D[d] = d < s ? v->dims[d + 1] : 1;
        g->K[d] = d >= s ? 1 : ks ? (slong)ks->ints[d] : kernel[d];
        g->S[d] = d < s && st ? (slong)st->ints[d] : 1;
        g->L[d] = d < s && dl ? (slong)dl->ints[d] : 1;
        g->P[d] = d < s && pd ? (slong)pd->ints[d] : 0;
        if (ks && kernel && d < s && g->K[d] != kernel[d])
            return oerr(x, TROP_ERR_INVALID, nd, "kernel_shape differs from the weight's");
        if (g->K[d] < 1 || g->K[d] > 255 || g->S[d] < 1 || g->S[d] > 255 || g->L[d] < 1
            || g->L[d] > 255 || g->P[d] < 0 || g->P[d] > 65535
            || (d < s && pd && (pd->ints[s + d] < 0 || pd->ints[s + d] > 65535)))
            return oerr(x, TROP_ERR_INVALID, nd, "a kernel, stride or dilation outside 1..255, "
                        "or a padding outside 0..65535");
        num = g->D[d] + g->P[d] + (d < s && pd ? (slong)pd->ints[s + d] : 0)
              - g->L[d] * (g->K[d] - 1) - 1;
        /* floor or ceil of num / S, num possibly negative (a kernel longer
         * than the padded input: no window, or with ceil_mode PyTorch's
         * partial one) */
        g->O[d] = (num >= 0 ? (ceil_mode ? (num + g->S[d] - 1) / g->S[d] : num / g->S[d])
                   : (ceil_mode ? -(-num / g->S[d]) : -((-num + g->S[d] - 1) / g->S[d]))) + 1;
        if (ceil_mode && g->O[d] > 1 && (g->O[d] - 1) * g->S[d] >= g->D[d] + g->P[d])
            g->O[d]--;
        if (g->O[d] < 1)
            return oerr(x, TROP_ERR_INVALID, nd, "the kernel is longer than the padded input");
    }
    return TROP_OK;
}

/* The flat index of the input entry that kernel offset (k0, k1, k2) of the
 * window at output position (o0, o1, o2) reads in channel c, or -1 when it
 * lies in the padding. */
static slong window_entry(const ogeom *g, slong c, slong o0, slong o1, slong o2, slong k0,
                          slong k1, slong k2)
{
    slong i0 = o0 * g->S[0] - g->P[0] + k0 * g->L[0];
    slong i1 = o1 * g->S[1] - g->P[1] + k1 * g->L[1];
    slong i2 = o2 * g->S[2] - g->P[2] + k2 * g->L[2];
    if (i0 < 0 || i0 >= g->D[0] || i1 < 0 || i1 >= g->D[1] || i2 < 0 || i2 >= g->D[2])
        return -1;
    return ((c * g->D[0] + i0) * g->D[1] + i1) * g->D[2] + i2;
}

/* Conv: the convolution of the running value [C, D...] with the constant
 * weight W [M, C / group, K...] plus the optional bias B [M], unrolled into
 * a dense affine map of shape [M, O...]: output (m, o) is B[m] plus the sum
 * over c' < C / group and kernel offsets k of W[m, c', k] times input
 * (g C / group + c', o S - P + k L), where g = m / (M / group) is m's group;
 * inputs in the zero padding contribute nothing (ONNX Conv). */
trop_status node_conv(octx *x, const Onnx__NodeProto *nd)
{
    orun *v = &x->v;
    oconst *W = nd->n_input >= 2 ? find_const(x, nd->input[1]) : NULL, *B = NULL;
    long group = attr_int(nd, "group", 1);
    slong s = v->ndims - 1, C = v->dims[0], M, Cg, kern[3] = {1, 1, 1}, mo, n = v->n, d;
    slong m, o0, o1, o2, c, k0, k1, k2, r, wi;
    ogeom g;
    fmpq *A, *cv;
    trop_status st;
    if (nd->n_input < 2 || nd->n_input > 3)
        return oerr(x, TROP_ERR_INVALID, nd, "has %zu inputs, expected 2 or 3", nd->n_input);
    if (nd->n_input == 3 && *nd->input[2] && !(B = find_const(x, nd->input[2])))
        return oerr(x, TROP_ERR_INVALID, nd, "the bias must be a constant");
    if (!W || W->ndims != s + 2 || s < 1 || s > 3)
        return oerr(x, TROP_ERR_INVALID, nd, "the weight must be a constant of %ld axes for a "
                    "tensor of %d", s + 2, v->ndims);
    M = W->dims[0];
    Cg = W->dims[1];
    if (group < 1 || M < 1 || M % group || Cg * group != C)
        return oerr(x, TROP_ERR_INVALID, nd, "a weight of %ld x %ld channels in %ld groups for "
                    "a tensor of %ld channels", M, Cg, group, C);
    if (B && B->len != M)
        return oerr(x, TROP_ERR_INVALID, nd, "the bias has %ld values for %ld channels",
                    B->len, M);
    for (d = 0; d < s; d++)
        kern[d] = W->dims[d + 2];
    if ((st = node_geom(x, nd, kern, &g)) != TROP_OK)
        return st;
    mo = M * g.O[0] * g.O[1] * g.O[2];
    if (mo > TROP_MAX_ELEMS / n)
        return oerr(x, TROP_ERR_LIMIT, nd, "unrolled, the convolution is a %ld x %ld matrix "
                    "(at most 2^28 entries)", mo, n);
    A = _fmpq_vec_init(mo * n);
    cv = _fmpq_vec_init(mo);
    r = 0;
    for (m = 0; m < M; m++)
        for (o0 = 0; o0 < g.O[0]; o0++)
            for (o1 = 0; o1 < g.O[1]; o1++)
                for (o2 = 0; o2 < g.O[2]; o2++, r++) {
                    slong gc = m / (M / group) * Cg;
                    if (B)
                        fmpq_set(cv + r, B->data + m);
                    wi = m * Cg * g.K[0] * g.K[1] * g.K[2];
                    for (c = 0; c < Cg; c++)
                        for (k0 = 0; k0 < g.K[0]; k0++)
                            for (k1 = 0; k1 < g.K[1]; k1++)
                                for (k2 = 0; k2 < g.K[2]; k2++, wi++) {
                                    slong p = window_entry(&g, gc + c, o0, o1, o2, k0, k1, k2);
                                    if (p >= 0 && !fmpq_is_zero(W->data + wi))
                                        run_addmul_row(A, cv, r, W->data + wi, v, p);
                                }
                }
    run_set_full(v, A, cv, mo);
    v->ndims = (int)s + 1;
    v->dims[0] = M;
    for (d = 0; d < s; d++)
        v->dims[d + 1] = g.O[d];
    return TROP_OK;
}

/* MaxPool: every window of every channel becomes a maxout unit whose
 * members are the window's entries in kernel order; a window clipped by
 * the padding (which ONNX fills with -inf) repeats its first entry to keep
 * the rank K_1 K_2 K_3 (a repeated member changes no max).  A deferred
 * ReLU adds the zero member.  Output shape [C, O...]. */
trop_status node_maxpool(octx *x, const Onnx__NodeProto *nd)
{
    orun *v = &x->v;
    slong s = v->ndims - 1, C = v->dims[0], k, units, *idx, u, j, c, o0, o1, o2, k0, k1, k2;
    slong out_dims[4], d;
    ogeom g;
    trop_status st;
    if (nd->n_input != 1)
        return oerr(x, TROP_ERR_INVALID, nd, "has %zu inputs, expected 1", nd->n_input);
    if ((st = node_geom(x, nd, NULL, &g)) != TROP_OK)
        return st;
    k = g.K[0] * g.K[1] * g.K[2];
    if (k + (v->relu != 0) > 255)
        return oerr(x, TROP_ERR_LIMIT, nd, "a window of %ld values (at most 255)", k);
    units = C * g.O[0] * g.O[1] * g.O[2];
    if (units > TROP_MAX_ELEMS / (k + 1) / v->n)
        return oerr(x, TROP_ERR_LIMIT, nd, "%ld windows of %ld values: too large a layer",
                    units, k);
    idx = trop_malloc((size_t)(units * k) * sizeof(slong));
    u = 0;
    for (c = 0; c < C; c++)
        for (o0 = 0; o0 < g.O[0]; o0++)
            for (o1 = 0; o1 < g.O[1]; o1++)
                for (o2 = 0; o2 < g.O[2]; o2++, u++) {
                    slong *w = idx + u * k;
                    j = 0;
                    for (k0 = 0; k0 < g.K[0]; k0++)
                        for (k1 = 0; k1 < g.K[1]; k1++)
                            for (k2 = 0; k2 < g.K[2]; k2++) {
                                slong p = window_entry(&g, c, o0, o1, o2, k0, k1, k2);
                                if (p >= 0)
                                    w[j++] = p;
                            }
                    if (j == 0) {
                        trop_free(idx);
                        return oerr(x, TROP_ERR_INVALID, nd, "a window lies entirely in the "
                                    "padding");
                    }
                    for (; j < k; j++)
                        w[j] = w[0];
                }
    out_dims[0] = C;
    for (d = 0; d < s; d++)
        out_dims[d + 1] = g.O[d];
    emit_maxout(x, units, k, idx, out_dims, (int)s + 1);
    trop_free(idx);
    return TROP_OK;
}

/* 1 if name is read by exactly one later node, a MaxPool or ReduceMax,
 * and is not the graph's output. */
static int only_pooled(const octx *x, const char *name)
{
    size_t i, j, readers = 0, pools = 0;
    for (i = x->at + 1; i < x->g->n_node; i++)
        for (j = 0; j < x->g->node[i]->n_input; j++)
            if (strcmp(x->g->node[i]->input[j], name) == 0) {
                readers++;
                pools += j == 0 && (!strcmp(x->g->node[i]->op_type, "MaxPool")
                                    || !strcmp(x->g->node[i]->op_type, "ReduceMax"));
            }
    return readers == 1 && pools == 1 && strcmp(x->g->output[0]->name, name) != 0;
}

/* Adds a zero member to every unit of the last layer, a maxout layer:
 * relu(max_i z_i) = max(0, z_1, ..., z_k). */
static void maxout_add_zero(trop_net_t net)
{
    trop_layer_struct *L = net->layers + net->nlayers - 1;
    slong units = L->nout / L->k, k = L->k, n = L->nin, r, j;
    fmpq *W = _fmpq_vec_init(units * (k + 1) * n), *b = _fmpq_vec_init(units * (k + 1));
    for (r = 0; r < units * k; r++) {
        slong row = r / k * (k + 1) + r % k;
        for (j = 0; j < n; j++)
            fmpq_swap(W + row * n + j, L->W + r * n + j);
        fmpq_swap(b + row, L->b + r);
    }
    _fmpq_vec_clear(L->W, L->nout * n);
    _fmpq_vec_clear(L->b, L->nout);
    L->W = W;
    L->b = b;
    L->k = k + 1;
    L->nout = units * (k + 1);
}

/* Relu.  Two cases need no ReLU layer, because ReLU commutes with max:
 * before a max pooling (its only reader) the ReLU is deferred, and the
 * pooling's maxout units get the zero member (Conv, Relu, MaxPool); on
 * the bare output of a maxout layer that nothing else reads, the layer's
 * units get the zero member now (Conv, MaxPool, Relu).  Either way
 * relu(max_i z_i) = max_i relu(z_i) = max(0, z_1, ..., z_k), one maxout
 * layer instead of a ReLU layer as wide as the convolution followed by a
 * maxout layer reading it. */
trop_status node_relu(octx *x, const Onnx__NodeProto *nd)
{
    orun *v = &x->v;
    const trop_layer_struct *L = x->net->nlayers ? x->net->layers + x->net->nlayers - 1 : NULL;
    if (only_pooled(x, nd->output[0])) {
        v->relu = 1;
        return TROP_OK;
    }
    if (L && L->act == TROP_ACT_MAXOUT && L->k < 255 && x->nvals == 0 && v->diag && !v->d
        && v->m == trop_layer_width(L) && vec_is_zero(v->c, v->m)) {
        maxout_add_zero(x->net);
        return TROP_OK;
    }
    run_emit(x, TROP_ACT_RELU, NULL);
    return TROP_OK;
}

