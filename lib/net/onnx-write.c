/* onnx-write.c: the ONNX writer.  A network becomes one Gemm (transB = 1,
 * W as stored: [nout x nin]) per layer, followed by Relu, LeakyRelu, or,
 * for maxout, Reshape [-1, units, k] and ReduceMax over the last axis (the
 * groups of k consecutive rows, as the reader reads them).  Tensors are
 * float32 when every number is one exactly, else float64 when every number
 * is a double; a network with other rationals (1/3) cannot be written.
 * The input normalisation is not written: the graph computes what the
 * network computes, on its (normalised) inputs. */
#include <string.h>
#include <stdint.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include "onnx.pb-c.h"

#include "trop/net.h"
#include "net-internal.h"

/* Everything the protobuf structures point to, freed together. */
typedef struct {
    void **ptr;
    slong n, alloc;
} wpool;

static void *wp_alloc(wpool *p, size_t size)
{
    void *q = trop_calloc(1, size ? size : 1);
    if (p->n == p->alloc) {
        p->alloc = p->alloc ? 2 * p->alloc : 64;
        p->ptr = trop_realloc(p->ptr, (size_t)p->alloc * sizeof(void *));
    }
    p->ptr[p->n++] = q;
    return q;
}

static char *wp_name(wpool *p, const char *prefix, slong l)
{
    char *s = wp_alloc(p, 32);
    snprintf(s, 32, "%s%ld", prefix, l);
    return s;
}

/* A float32 or float64 initializer of shape dims [ndims] from v [len]. */
static Onnx__TensorProto *tensor(wpool *p, const char *name, const fmpq *v, slong len,
                                 const int64_t *dims, size_t ndims, int f32)
{
    Onnx__TensorProto *t = wp_alloc(p, sizeof *t);
    uint8_t *raw = wp_alloc(p, (size_t)len * (f32 ? 4 : 8));
    slong i;
    int b;
    onnx__tensor_proto__init(t);
    t->name = (char *)name;
    t->has_data_type = 1;
    t->data_type = f32 ? ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT : ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
    t->n_dims = ndims;
    t->dims = wp_alloc(p, ndims * sizeof(int64_t));
    memcpy(t->dims, dims, ndims * sizeof(int64_t));
    for (i = 0; i < len; i++) {   /* little-endian, whatever the host */
        double d = trop_q_get_d(v + i);
        uint64_t u;
        if (f32) {
            float f = (float)d;
            uint32_t w;
            memcpy(&w, &f, 4);
            for (b = 0; b < 4; b++)
                raw[4 * i + b] = (uint8_t)(w >> (8 * b));
        } else {
            memcpy(&u, &d, 8);
            for (b = 0; b < 8; b++)
                raw[8 * i + b] = (uint8_t)(u >> (8 * b));
        }
    }
    t->has_raw_data = 1;
    t->raw_data.data = raw;
    t->raw_data.len = (size_t)len * (f32 ? 4 : 8);
    return t;
}

static Onnx__TensorProto *int64_tensor(wpool *p, const char *name, const int64_t *v, size_t len)
{
    Onnx__TensorProto *t = wp_alloc(p, sizeof *t);
    int64_t *dims = wp_alloc(p, sizeof(int64_t));
    onnx__tensor_proto__init(t);
    t->name = (char *)name;
    t->has_data_type = 1;
    t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
    dims[0] = (int64_t)len;
    t->n_dims = 1;
    t->dims = dims;
    t->n_int64_data = len;
    t->int64_data = wp_alloc(p, len * sizeof(int64_t));
    memcpy(t->int64_data, v, len * sizeof(int64_t));
    return t;
}

static Onnx__NodeProto *node(wpool *p, const char *op, const char *name, char **in, size_t nin,
                             char *out)
{
    Onnx__NodeProto *nd = wp_alloc(p, sizeof *nd);
    onnx__node_proto__init(nd);
    nd->op_type = (char *)op;
    nd->name = (char *)name;
    nd->n_input = nin;
    nd->input = wp_alloc(p, nin * sizeof(char *));
    memcpy(nd->input, in, nin * sizeof(char *));
    nd->n_output = 1;
    nd->output = wp_alloc(p, sizeof(char *));
    nd->output[0] = out;
    return nd;
}

static Onnx__AttributeProto *attr(wpool *p, Onnx__NodeProto *nd, const char *name)
{
    Onnx__AttributeProto *a = wp_alloc(p, sizeof *a);
    Onnx__AttributeProto **arr = wp_alloc(p, (nd->n_attribute + 1) * sizeof(*arr));
    onnx__attribute_proto__init(a);
    a->name = (char *)name;
    a->has_type = 1;
    if (nd->n_attribute)
        memcpy(arr, nd->attribute, nd->n_attribute * sizeof(*arr));
    arr[nd->n_attribute++] = a;
    nd->attribute = arr;
    return a;
}

/* A graph input or output "name" of type elem and shape [1, n]. */
static Onnx__ValueInfoProto *value_info(wpool *p, const char *name, int elem, slong n)
{
    Onnx__ValueInfoProto *v = wp_alloc(p, sizeof *v);
    Onnx__TypeProto *tp = wp_alloc(p, sizeof *tp);
    Onnx__TypeProto__Tensor *tt = wp_alloc(p, sizeof *tt);
    Onnx__TensorShapeProto *sh = wp_alloc(p, sizeof *sh);
    Onnx__TensorShapeProto__Dimension **d = wp_alloc(p, 2 * sizeof(*d));
    int i;
    onnx__value_info_proto__init(v);
    onnx__type_proto__init(tp);
    onnx__type_proto__tensor__init(tt);
    onnx__tensor_shape_proto__init(sh);
    for (i = 0; i < 2; i++) {
        d[i] = wp_alloc(p, sizeof(**d));
        onnx__tensor_shape_proto__dimension__init(d[i]);
        d[i]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        d[i]->dim_value = i ? n : 1;
    }
    sh->n_dim = 2;
    sh->dim = d;
    tt->has_elem_type = 1;
    tt->elem_type = elem;
    tt->shape = sh;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    v->name = (char *)name;
    v->type = tp;
    return v;
}

static trop_status check(const trop_net_t net, int *f32, trop_error *err)
{
    slong l;
    int all32 = 1, all64 = 1;
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        all32 = all32 && _trop_qvec_is_binary(L->W, L->nout * L->nin, 1)
                && _trop_qvec_is_binary(L->b, L->nout, 1);
        all64 = all64 && _trop_qvec_is_binary(L->W, L->nout * L->nin, 0)
                && _trop_qvec_is_binary(L->b, L->nout, 0);
        if (L->act == TROP_ACT_LEAKY && !_trop_q_is_binary(L->slope, 1))
            return trop_error_set(err, TROP_ERR_INVALID, "onnx",
                                  "layer %ld: ONNX stores a LeakyRelu slope as a float32, and "
                                  "this one is not one exactly", l + 1);
    }
    if (!all64)
        return trop_error_set(err, TROP_ERR_INVALID, "onnx",
                              "ONNX stores floats, and a weight of this network is not a "
                              "double exactly (write net.bin or JSON instead)");
    *f32 = all32;
    return TROP_OK;
}

trop_status trop_net_write_onnx(const trop_net_t net, const char *path, trop_error *err)
{
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
    Onnx__OperatorSetIdProto opset, *opsets[1];
    Onnx__ValueInfoProto *in, *out;
    wpool p = {NULL, 0, 0};
    slong l, nnodes = 0, ninit = 0;
    int f32 = 1, elem;
    char *cur = "x";
    trop_afile f;
    trop_status st = trop_net_validate(net, err);
    if (st == TROP_OK)
        st = check(net, &f32, err);
    if (st != TROP_OK)
        return st;
    elem = f32 ? ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT : ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
    onnx__model_proto__init(&model);
    onnx__graph_proto__init(&graph);
    onnx__operator_set_id_proto__init(&opset);
    opset.domain = "";
    opset.has_version = 1;
    opset.version = 13;
    opsets[0] = &opset;
    graph.node = wp_alloc(&p, (size_t)(3 * net->nlayers) * sizeof(Onnx__NodeProto *));
    graph.initializer = wp_alloc(&p, (size_t)(3 * net->nlayers) * sizeof(Onnx__TensorProto *));
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        int last = l + 1 == net->nlayers;
        int64_t dims[2] = {L->nout, L->nin};
        char *W = wp_name(&p, "W", l), *b = wp_name(&p, "b", l);
        char *z = last && L->act == TROP_ACT_LINEAR ? "y" : wp_name(&p, "z", l);
        char *h = last ? "y" : wp_name(&p, "h", l);
        char *gin[3] = {cur, W, b};
        Onnx__NodeProto *g;
        graph.initializer[ninit++] = tensor(&p, W, L->W, L->nout * L->nin, dims, 2, f32);
        graph.initializer[ninit++] = tensor(&p, b, L->b, L->nout, dims, 1, f32);
        g = node(&p, "Gemm", wp_name(&p, "gemm", l), gin, 3, z);
        attr(&p, g, "transB")->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
        g->attribute[0]->has_i = 1;
        g->attribute[0]->i = 1;
        graph.node[nnodes++] = g;
        if (L->act == TROP_ACT_RELU || L->act == TROP_ACT_LEAKY) {
            Onnx__NodeProto *a = node(&p, L->act == TROP_ACT_RELU ? "Relu" : "LeakyRelu",
                                      wp_name(&p, "act", l), &z, 1, h);
            if (L->act == TROP_ACT_LEAKY) {
                Onnx__AttributeProto *al = attr(&p, a, "alpha");
                al->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
                al->has_f = 1;
                al->f = (float)trop_q_get_d(L->slope);
            }
            graph.node[nnodes++] = a;
            cur = h;
        } else if (L->act == TROP_ACT_MAXOUT) {
            int64_t shape[3] = {-1, L->nout / L->k, L->k}, axes[1] = {2};
            char *sn = wp_name(&p, "shape", l), *r = wp_name(&p, "r", l);
            char *rin[2] = {z, sn};
            Onnx__NodeProto *rm;
            Onnx__AttributeProto *a;
            graph.initializer[ninit++] = int64_tensor(&p, sn, shape, 3);
            graph.node[nnodes++] = node(&p, "Reshape", wp_name(&p, "reshape", l), rin, 2, r);
            rm = node(&p, "ReduceMax", wp_name(&p, "max", l), &r, 1, h);
            a = attr(&p, rm, "axes");
            a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
            a->n_ints = 1;
            a->ints = wp_alloc(&p, sizeof(int64_t));
            a->ints[0] = axes[0];
            a = attr(&p, rm, "keepdims");
            a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
            a->has_i = 1;
            a->i = 0;
            graph.node[nnodes++] = rm;
            cur = h;
        } else {
            cur = z;
        }
    }
    graph.n_node = (size_t)nnodes;
    graph.n_initializer = (size_t)ninit;
    graph.name = "libtrop";
    in = value_info(&p, "x", elem, net->input_dim);
    out = value_info(&p, "y", elem, trop_net_output_dim(net));
    graph.n_input = 1;
    graph.input = &in;
    graph.n_output = 1;
    graph.output = &out;
    model.has_ir_version = 1;
    model.ir_version = 7;
    model.producer_name = "libtrop";
    model.producer_version = (char *)trop_version_string();
    model.n_opset_import = 1;
    model.opset_import = opsets;
    model.graph = &graph;
    if ((st = trop_afile_open(&f, path, err)) == TROP_OK) {
        size_t size = onnx__model_proto__get_packed_size(&model);
        uint8_t *buf = trop_malloc(size ? size : 1);
        onnx__model_proto__pack(&model, buf);
        if (fwrite(buf, 1, size, f.fp) != size) {
            trop_afile_abort(&f);
            st = trop_error_set(err, TROP_ERR_IO, "onnx", "%s: write failed", path);
        } else {
            st = trop_afile_commit(&f, err);
        }
        trop_free(buf);
    }
    for (l = 0; l < p.n; l++)
        trop_free(p.ptr[l]);
    trop_free(p.ptr);
    return st;
}
