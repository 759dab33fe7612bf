/* model.c: the crossing between the float trainer's model (trop_model,
 * doubles) and the exact network (trop_net, rationals).  Each value
 * crosses through trop_q_set_d / trop_q_get_d (lib/q), so a trained
 * network's weights become exactly the rationals the doubles are. */
#include <math.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "trop/net.h"
#include "net-internal.h"

static trop_status vec_set_d(fmpq *res, const double *v, slong len, trop_error *err)
{
    slong i;
    trop_status st;
    for (i = 0; i < len; i++)
        if ((st = trop_q_set_d(res + i, v[i], err)) != TROP_OK)
            return st;
    return TROP_OK;
}

trop_status trop_net_set_model(trop_net_t net, const trop_model_t m, trop_error *err)
{
    trop_net_t tmp;
    slong l;
    trop_status st = TROP_OK;
    trop_net_init(tmp, m->input_dim);
    for (l = 0; l < m->nlayers && st == TROP_OK; l++) {
        const trop_model_layer_struct *L = m->layers + l;
        trop_layer_struct *T;
        fmpq_t slope;
        fmpq_init(slope);
        fmpq_set_si(slope, L->slope_num, (ulong)L->slope_den);
        T = trop_net_append_layer(tmp, L->nout, L->act,
                                  L->act == TROP_ACT_LEAKY ? slope : NULL, L->k);
        fmpq_clear(slope);
        if ((st = vec_set_d(T->W, L->W, L->nout * L->nin, err)) == TROP_OK)
            st = vec_set_d(T->b, L->b, L->nout, err);
        if (st != TROP_OK)
            trop_error_prefix(err, l + 1 < m->nlayers ? "a hidden layer" : "the output layer");
    }
    if (st == TROP_OK && m->has_std) {
        fmpq *mean = _fmpq_vec_init(m->input_dim), *range = _fmpq_vec_init(m->input_dim);
        fmpq_t zero, one;
        fmpq_init(zero);
        fmpq_init(one);
        fmpq_one(one);
        if ((st = vec_set_d(mean, m->mean, m->input_dim, err)) == TROP_OK
            && (st = vec_set_d(range, m->scale, m->input_dim, err)) == TROP_OK)
            _trop_net_set_norm(tmp, mean, range, zero, one);
        _fmpq_vec_clear(mean, m->input_dim);
        _fmpq_vec_clear(range, m->input_dim);
        fmpq_clear(zero);
        fmpq_clear(one);
    }
    if (st == TROP_OK)
        trop_net_swap(net, tmp);
    else {
        trop_net_clear(net);
        trop_net_init(net, 1);
    }
    trop_net_clear(tmp);
    return st;
}

/* *d = x rounded toward zero; an error when that is not finite. */
static trop_status get_d(double *d, const fmpq_t x, trop_error *err)
{
    *d = trop_q_get_d(x);
    if (!isfinite(*d))
        return trop_error_set(err, TROP_ERR_LIMIT, "net",
                              "a value is beyond the range of a double");
    return TROP_OK;
}

static trop_status vec_get_d(double *res, const fmpq *v, slong len, trop_error *err)
{
    slong i;
    trop_status st;
    for (i = 0; i < len; i++)
        if ((st = get_d(res + i, v + i, err)) != TROP_OK)
            return st;
    return TROP_OK;
}

static trop_status set_std(trop_model_t m, const trop_net_t net, trop_error *err)
{
    slong n = net->input_dim, j;
    double *mean = trop_malloc((size_t)n * sizeof(double));
    double *scale = trop_malloc((size_t)n * sizeof(double));
    trop_status st = vec_get_d(mean, net->in_mean, n, err);
    if (st == TROP_OK)
        st = vec_get_d(scale, net->in_range, n, err);
    for (j = 0; j < n && st == TROP_OK; j++)
        if (!(scale[j] > 0))
            st = trop_error_set(err, TROP_ERR_LIMIT, "net",
                                "input %ld: the normalisation range %g is not positive", j,
                                scale[j]);
    if (st == TROP_OK)
        trop_model_set_std(m, mean, scale);
    trop_free(mean);
    trop_free(scale);
    return st;
}

/* Folds y -> y * out_range + out_mean into the last layer (linear). */
static trop_status fold_output_norm(trop_model_t m, const trop_net_t net, trop_error *err)
{
    trop_model_layer_struct *L = m->layers + m->nlayers - 1;
    double r, c;
    slong i;
    trop_status st;
    if (fmpq_is_zero(net->out_mean) && fmpq_is_one(net->out_range))
        return TROP_OK;
    if (L->act != TROP_ACT_LINEAR)
        return trop_error_set(err, TROP_ERR_LIMIT, "net",
                              "an output de-normalisation after a nonlinear last layer");
    if ((st = get_d(&r, net->out_range, err)) != TROP_OK
        || (st = get_d(&c, net->out_mean, err)) != TROP_OK)
        return st;
    for (i = 0; i < L->nout * L->nin; i++)
        L->W[i] *= r;
    for (i = 0; i < L->nout; i++)
        L->b[i] = L->b[i] * r + c;
    return TROP_OK;
}

trop_status trop_model_set_net(trop_model_t m, const trop_net_t net, trop_error *err)
{
    slong l;
    trop_status st = TROP_OK;
    trop_model_clear(m);
    trop_model_init(m, net->input_dim);
    for (l = 0; l < net->nlayers && st == TROP_OK; l++) {
        const trop_layer_struct *T = net->layers + l;
        trop_model_layer_struct *L;
        slong num = 0, den = 1;
        if (T->act == TROP_ACT_LEAKY) {
            if (!fmpz_fits_si(fmpq_numref(T->slope)) || !fmpz_fits_si(fmpq_denref(T->slope))) {
                st = trop_error_set(err, TROP_ERR_LIMIT, "net",
                                    "layer %ld: the leaky slope's numerator or denominator "
                                    "does not fit a machine integer", l + 1);
                break;
            }
            num = fmpz_get_si(fmpq_numref(T->slope));
            den = fmpz_get_si(fmpq_denref(T->slope));
        }
        if (T->k > 255) {
            st = trop_error_set(err, TROP_ERR_LIMIT, "net",
                                "layer %ld: maxout rank %ld is above 255", l + 1, T->k);
            break;
        }
        L = trop_model_append_layer(m, T->nout, T->act, num, den, T->k);
        if ((st = vec_get_d(L->W, T->W, T->nout * T->nin, err)) == TROP_OK)
            st = vec_get_d(L->b, T->b, T->nout, err);
    }
    if (st == TROP_OK && net->has_norm)
        st = set_std(m, net, err);
    if (st == TROP_OK && net->has_norm && net->nlayers > 0)
        st = fold_output_norm(m, net, err);
    if (st != TROP_OK) {
        trop_model_clear(m);
        trop_model_init(m, 1);
    }
    return st;
}
