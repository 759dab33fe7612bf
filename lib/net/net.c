/* net.c: the network model: memory, layers, metadata, validation, forward
 * passes (exact and double) and affine slices. */
#include <math.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "trop/net.h"
#include "net-internal.h"

/* ---- memory ---- */

void trop_net_init(trop_net_t net, slong input_dim)
{
    TROP_ASSERT(input_dim >= 1);
    memset(net, 0, sizeof(trop_net_struct));
    net->input_dim = input_dim;
    fmpq_init(net->out_mean);
    fmpq_init(net->out_range);
    fmpq_one(net->out_range);
}

static void layer_clear(trop_layer_struct *L)
{
    _fmpq_vec_clear(L->W, L->nout * L->nin);
    _fmpq_vec_clear(L->b, L->nout);
    fmpq_clear(L->slope);
}

static char *str_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = trop_malloc(n);
    memcpy(d, s, n);
    return d;
}

static void clear_box_norm(trop_net_t net)
{
    if (net->has_box) {
        _fmpq_vec_clear(net->box_lo, net->input_dim);
        _fmpq_vec_clear(net->box_hi, net->input_dim);
    }
    if (net->has_norm) {
        _fmpq_vec_clear(net->in_mean, net->input_dim);
        _fmpq_vec_clear(net->in_range, net->input_dim);
    }
    net->has_box = net->has_norm = 0;
    net->box_lo = net->box_hi = net->in_mean = net->in_range = NULL;
}

void trop_net_clear(trop_net_t net)
{
    slong i;
    for (i = 0; i < net->nlayers; i++)
        layer_clear(net->layers + i);
    trop_free(net->layers);
    clear_box_norm(net);
    for (i = 0; i < net->nmeta; i++) {
        trop_free(net->meta_key[i]);
        trop_free(net->meta_val[i]);
    }
    trop_free(net->meta_key);
    trop_free(net->meta_val);
    fmpq_clear(net->out_mean);
    fmpq_clear(net->out_range);
}

void trop_net_swap(trop_net_t a, trop_net_t b)
{
    trop_net_struct t = *a;
    *a = *b;
    *b = t;
}

trop_layer_struct *trop_net_append_layer(trop_net_t net, slong nout, trop_act act,
                                         const fmpq_t slope, slong k)
{
    trop_layer_struct *L;
    slong nin = trop_net_output_dim(net);
    TROP_ASSERT(nout >= 1 && k >= 1);
    TROP_ASSERT(act != TROP_ACT_LEAKY || slope != NULL);
    TROP_ASSERT(act == TROP_ACT_MAXOUT ? nout % k == 0 : k == 1);
    if (net->nlayers == net->alloc) {
        net->alloc = net->alloc ? 2 * net->alloc : 4;
        net->layers = trop_realloc(net->layers, (size_t)net->alloc * sizeof(trop_layer_struct));
    }
    L = net->layers + net->nlayers++;
    L->nin = nin;
    L->nout = nout;
    L->W = _fmpq_vec_init(nout * nin);
    L->b = _fmpq_vec_init(nout);
    L->act = act;
    fmpq_init(L->slope);
    if (act == TROP_ACT_LEAKY)
        fmpq_set(L->slope, slope);
    L->k = k;
    return L;
}

void trop_net_set_box(trop_net_t net, const fmpq *lo, const fmpq *hi)
{
    if (!net->has_box) {
        net->box_lo = _fmpq_vec_init(net->input_dim);
        net->box_hi = _fmpq_vec_init(net->input_dim);
        net->has_box = 1;
    }
    _trop_qvec_set(net->box_lo, lo, net->input_dim);
    _trop_qvec_set(net->box_hi, hi, net->input_dim);
}

void trop_net_set_meta(trop_net_t net, const char *key, const char *val)
{
    slong i;
    for (i = 0; i < net->nmeta; i++) {
        if (strcmp(net->meta_key[i], key) == 0) {
            trop_free(net->meta_val[i]);
            net->meta_val[i] = str_dup(val);
            return;
        }
    }
    net->meta_key = trop_realloc(net->meta_key, (size_t)(net->nmeta + 1) * sizeof(char *));
    net->meta_val = trop_realloc(net->meta_val, (size_t)(net->nmeta + 1) * sizeof(char *));
    net->meta_key[net->nmeta] = str_dup(key);
    net->meta_val[net->nmeta] = str_dup(val);
    net->nmeta++;
}

const char *trop_net_get_meta(const trop_net_t net, const char *key)
{
    slong i;
    for (i = 0; i < net->nmeta; i++)
        if (strcmp(net->meta_key[i], key) == 0)
            return net->meta_val[i];
    return NULL;
}

static void copy_box_norm(trop_net_t res, const trop_net_t a)
{
    slong n = a->input_dim;
    if (a->has_box)
        trop_net_set_box(res, a->box_lo, a->box_hi);
    if (a->has_norm) {
        res->in_mean = _fmpq_vec_init(n);
        res->in_range = _fmpq_vec_init(n);
        _trop_qvec_set(res->in_mean, a->in_mean, n);
        _trop_qvec_set(res->in_range, a->in_range, n);
        res->has_norm = 1;
    }
    fmpq_set(res->out_mean, a->out_mean);
    fmpq_set(res->out_range, a->out_range);
}

void trop_net_set(trop_net_t res, const trop_net_t a)
{
    trop_net_t t;
    slong l, i;
    trop_net_init(t, a->input_dim);
    for (l = 0; l < a->nlayers; l++) {
        const trop_layer_struct *A = a->layers + l;
        trop_layer_struct *L = trop_net_append_layer(t, A->nout, A->act, A->slope, A->k);
        _trop_qvec_set(L->W, A->W, A->nout * A->nin);
        _trop_qvec_set(L->b, A->b, A->nout);
    }
    copy_box_norm(t, a);
    for (i = 0; i < a->nmeta; i++)
        trop_net_set_meta(t, a->meta_key[i], a->meta_val[i]);
    trop_net_swap(res, t);
    trop_net_clear(t);
}

/* ---- properties ---- */

slong trop_layer_width(const trop_layer_struct *L)
{
    return L->act == TROP_ACT_MAXOUT ? L->nout / L->k : L->nout;
}

slong trop_net_output_dim(const trop_net_t net)
{
    return net->nlayers ? trop_layer_width(net->layers + net->nlayers - 1) : net->input_dim;
}

slong trop_net_num_units(const trop_net_t net)
{
    slong l, n = 0;
    for (l = 0; l < net->nlayers; l++)
        if (net->layers[l].act != TROP_ACT_LINEAR)
            n += trop_layer_width(net->layers + l);
    return n;
}

int _trop_q_is_binary(const fmpq_t x, int f32)
{
    /* x is a double (float) iff x == (double)x ((float)x) exactly and x is
     * in range */
    double d = fmpq_get_d(x);
    fmpq_t t;
    int ok;
    if (f32)
        d = (double)(float)d;
    if (!isfinite(d))
        return 0;
    fmpq_init(t);
    trop_q_set_d(t, d, NULL);
    ok = fmpq_equal(t, x);
    fmpq_clear(t);
    return ok;
}

int _trop_qvec_is_binary(const fmpq *v, slong len, int f32)
{
    slong i;
    for (i = 0; i < len; i++)
        if (!_trop_q_is_binary(v + i, f32))
            return 0;
    return 1;
}

int trop_net_is_f64(const trop_net_t net)
{
    slong l;
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        if (!_trop_qvec_is_binary(L->W, L->nout * L->nin, 0)
            || !_trop_qvec_is_binary(L->b, L->nout, 0) || !_trop_q_is_binary(L->slope, 0))
            return 0;
    }
    return 1;
}

trop_status trop_net_validate(const trop_net_t net, trop_error *err)
{
    slong l, nin = net->input_dim;
    if (net->input_dim < 1)
        return trop_error_set(err, TROP_ERR_INVALID, "net", "input_dim must be at least 1");
    if (net->nlayers < 1)
        return trop_error_set(err, TROP_ERR_INVALID, "net", "the network has no layers");
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        if (L->nin != nin)
            return trop_error_set(err, TROP_ERR_INVALID, "net",
                                  "layer %ld reads %ld inputs, the previous layer gives %ld",
                                  l, L->nin, nin);
        if (L->k < 1 || L->nout < 1 || (L->act == TROP_ACT_MAXOUT && L->nout % L->k)
            || (L->act != TROP_ACT_MAXOUT && L->k != 1))
            return trop_error_set(err, TROP_ERR_INVALID, "net",
                                  "layer %ld: %ld rows with k = %ld (k divides the rows of a maxout layer and is 1 otherwise)",
                                  l, L->nout, L->k);
        nin = trop_layer_width(L);
    }
    if (net->has_box) {
        for (l = 0; l < net->input_dim; l++)
            if (fmpq_cmp(net->box_lo + l, net->box_hi + l) > 0)
                return trop_error_set(err, TROP_ERR_INVALID, "net",
                                      "input box: lower bound above upper bound in input %ld", l);
    }
    return TROP_OK;
}

/* ---- evaluation ---- */

/* Applies L's activation to z: [nout] in place, writing width outputs to
 * the front of z. */
static void act_q(fmpq *z, const trop_layer_struct *L)
{
    slong i, j;
    switch (L->act) {
    case TROP_ACT_LINEAR:
        break;
    case TROP_ACT_RELU:
        for (i = 0; i < L->nout; i++)
            if (fmpq_sgn(z + i) < 0)
                fmpq_zero(z + i);
        break;
    case TROP_ACT_LEAKY:
        for (i = 0; i < L->nout; i++)
            if (fmpq_sgn(z + i) < 0)
                fmpq_mul(z + i, z + i, L->slope);
        break;
    case TROP_ACT_MAXOUT:
        for (i = 0; i < L->nout / L->k; i++) {
            fmpq_set(z + i, z + i * L->k);
            for (j = 1; j < L->k; j++)
                if (fmpq_cmp(z + i * L->k + j, z + i) > 0)
                    fmpq_set(z + i, z + i * L->k + j);
        }
        break;
    }
}

void trop_net_eval_q(fmpq *y, const trop_net_t net, const fmpq *x)
{
    slong l, i, maxw = net->input_dim, wlen;
    fmpq *h, *z;
    for (l = 0; l < net->nlayers; l++)
        maxw = FLINT_MAX(maxw, net->layers[l].nout);
    h = _fmpq_vec_init(maxw);
    z = _fmpq_vec_init(maxw);
    _trop_qvec_set(h, x, net->input_dim);
    wlen = net->input_dim;
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        for (i = 0; i < L->nout; i++) {
            _fmpq_vec_dot(z + i, L->W + i * L->nin, h, L->nin);
            fmpq_add(z + i, z + i, L->b + i);
        }
        act_q(z, L);
        wlen = trop_layer_width(L);
        { fmpq *sw = h; h = z; z = sw; }
    }
    _trop_qvec_set(y, h, wlen);
    _fmpq_vec_clear(h, maxw);
    _fmpq_vec_clear(z, maxw);
}

static void act_d(double *z, const trop_layer_struct *L)
{
    slong i, j;
    double s = fmpq_get_d(L->slope);
    for (i = 0; L->act == TROP_ACT_RELU && i < L->nout; i++)
        z[i] = z[i] < 0 ? 0 : z[i];
    for (i = 0; L->act == TROP_ACT_LEAKY && i < L->nout; i++)
        z[i] = z[i] < 0 ? s * z[i] : z[i];
    if (L->act == TROP_ACT_MAXOUT) {
        for (i = 0; i < L->nout / L->k; i++) {
            double m = z[i * L->k];
            for (j = 1; j < L->k; j++)
                m = z[i * L->k + j] > m ? z[i * L->k + j] : m;
            z[i] = m;
        }
    }
}

void trop_net_eval_d(double *y, const trop_net_t net, const double *x)
{
    slong l, i, j, maxw = net->input_dim, wlen;
    double *h, *z;
    for (l = 0; l < net->nlayers; l++)
        maxw = FLINT_MAX(maxw, net->layers[l].nout);
    h = trop_malloc((size_t)maxw * sizeof(double));
    z = trop_malloc((size_t)maxw * sizeof(double));
    memcpy(h, x, (size_t)net->input_dim * sizeof(double));
    wlen = net->input_dim;
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        for (i = 0; i < L->nout; i++) {
            double s = fmpq_get_d(L->b + i);
            for (j = 0; j < L->nin; j++)
                s += fmpq_get_d(L->W + i * L->nin + j) * h[j];
            z[i] = s;
        }
        act_d(z, L);
        wlen = trop_layer_width(L);
        { double *sw = h; h = z; z = sw; }
    }
    memcpy(y, h, (size_t)wlen * sizeof(double));
    trop_free(h);
    trop_free(z);
}

/* ---- slices ---- */

void trop_net_slice(trop_net_t res, const trop_net_t net, const fmpq *x0,
                    const fmpq *U, slong m)
{
    slong l, i, j, n = net->input_dim;
    const trop_layer_struct *A;
    trop_layer_struct *L;
    fmpq_t t;
    TROP_ASSERT(m >= 1 && net->nlayers >= 1 && res != net);
    trop_net_clear(res);
    trop_net_init(res, m);
    A = net->layers;
    L = trop_net_append_layer(res, A->nout, A->act, A->slope, A->k);
    fmpq_init(t);
    for (i = 0; i < A->nout; i++) {
        /* b' = W x0 + b;  W' = W U  ([nout x n] times [n x m]) */
        _fmpq_vec_dot(L->b + i, A->W + i * n, x0, n);
        fmpq_add(L->b + i, L->b + i, A->b + i);
        for (j = 0; j < m; j++) {
            fmpq_zero(L->W + i * m + j);
            for (l = 0; l < n; l++) {
                fmpq_mul(t, A->W + i * n + l, U + l * m + j);
                fmpq_add(L->W + i * m + j, L->W + i * m + j, t);
            }
        }
    }
    fmpq_clear(t);
    for (l = 1; l < net->nlayers; l++) {
        A = net->layers + l;
        L = trop_net_append_layer(res, A->nout, A->act, A->slope, A->k);
        _trop_qvec_set(L->W, A->W, A->nout * A->nin);
        _trop_qvec_set(L->b, A->b, A->nout);
    }
    fmpq_set(res->out_mean, net->out_mean);
    fmpq_set(res->out_range, net->out_range);
    for (i = 0; i < net->nmeta; i++)
        trop_net_set_meta(res, net->meta_key[i], net->meta_val[i]);
}
