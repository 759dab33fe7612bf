/* grad.c: losses, backpropagation and evaluation of the float model.
 * Gradients follow the chain rule layer by layer (Rumelhart, Hinton and
 * Williams 1986); the products are CBLAS dgemm calls. */
#include <math.h>
#include <string.h>
#include <cblas.h>
#include "trop/train.h"
#include "train-internal.h"

trop_status _trop_loss_check(const trop_model_t m, trop_loss loss, slong nclasses,
                             trop_error *err)
{
    slong out = trop_model_output_dim(m);
    if (loss == TROP_LOSS_CE && (nclasses < 2 || out != nclasses))
        return trop_error_set(err, TROP_ERR_INVALID, "train",
                              nclasses < 2 ? "cross-entropy needs class labels (the target "
                                             "column holds numbers that are not all classes "
                                             "0..K-1 with K >= 2)"
                                           : "cross-entropy needs one output per class: "
                                             "the model has %ld outputs, the data %ld classes",
                              out, nclasses);
    if (loss == TROP_LOSS_MSE && out != 1 && out != nclasses)
        return trop_error_set(err, TROP_ERR_INVALID, "train",
                              "mean squared error needs one output, or one per class: the "
                              "model has %ld outputs, the data %ld classes", out, nclasses);
    return TROP_OK;
}

slong trop_model_predict_class(const double *f, slong out_dim, slong nclasses)
{
    slong j, best = 0;
    if (out_dim == 1) {
        double r = floor(f[0] + 0.5);
        if (!(r >= 0))   /* also NaN */
            return 0;
        return r >= (double)(nclasses - 1) ? nclasses - 1 : (slong)r;
    }
    for (j = 1; j < out_dim; j++)
        if (f[j] > f[best])
            best = j;
    return best;
}

double _trop_loss_eval(double *dout, slong *correct, const double *f, const double *y,
                       slong n, slong out, trop_loss loss, slong nclasses)
{
    slong i, j, good = 0;
    double sum = 0, inv = 1.0 / (double)n;
    for (i = 0; i < n; i++) {
        const double *fi = f + i * out;
        double *gi = dout ? dout + i * out : NULL;
        slong c = nclasses > 0 ? (slong)y[i] : -1;
        TROP_ASSERT(nclasses == 0 || (c >= 0 && c < nclasses));
        if (loss == TROP_LOSS_CE) {
            /* log-sum-exp shifted by the max, so exp never overflows */
            double mx = fi[0], s = 0, lse;
            for (j = 1; j < out; j++)
                mx = fi[j] > mx ? fi[j] : mx;
            for (j = 0; j < out; j++)
                s += exp(fi[j] - mx);
            lse = mx + log(s);
            sum += lse - fi[c];
            if (gi)
                for (j = 0; j < out; j++)
                    gi[j] = (exp(fi[j] - lse) - (j == c ? 1.0 : 0.0)) * inv;
        } else {
            /* the mean over samples and outputs, as PyTorch's MSELoss */
            double w = 1.0 / (double)out;
            for (j = 0; j < out; j++) {
                double t = out == 1 ? y[i] : (j == c ? 1.0 : 0.0), e = fi[j] - t;
                sum += w * e * e;
                if (gi)
                    gi[j] = 2 * w * e * inv;
            }
        }
        if (nclasses > 0 && trop_model_predict_class(fi, out, nclasses) == c)
            good++;
    }
    if (correct)
        *correct = good;
    return sum * inv;
}

/* dZ = dH * act'(Z) for n rows of one layer (maxout: the gradient goes to
 * the winning row of each group, the others get 0). */
static void activate_back(double *dZ, const double *dH, const double *Z,
                          const unsigned char *arg, slong n, const trop_model_layer_struct *L)
{
    slong i, len = n * L->nout;
    if (L->act == TROP_ACT_RELU) {
        for (i = 0; i < len; i++)
            dZ[i] = Z[i] > 0 ? dH[i] : 0.0;
    } else if (L->act == TROP_ACT_LEAKY) {
        for (i = 0; i < len; i++)
            dZ[i] = Z[i] > 0 ? dH[i] : L->slope * dH[i];
    } else if (L->act == TROP_ACT_MAXOUT) {
        slong units = n * trop_model_layer_width(L), k = L->k;
        memset(dZ, 0, (size_t)len * sizeof(double));
        for (i = 0; i < units; i++)
            dZ[i * k + arg[i]] = dH[i];
    }
}

void _trop_model_bwd(trop_model_t grad, _trop_ws *ws, const trop_model_t m, const double *X,
                     slong n)
{
    slong l, i, j;
    for (l = m->nlayers - 1; l >= 0; l--) {
        const trop_model_layer_struct *L = m->layers + l;
        trop_model_layer_struct *G = grad->layers + l;
        const double *in = l ? ws->H[l - 1] : X;
        double *dZ = ws->dZ[l];
        if (L->act != TROP_ACT_LINEAR)
            activate_back(dZ, ws->dH[l], ws->Z[l], ws->arg[l], n, L);
        /* dW [nout x nin] = dZ^T [nout x n] * in [n x nin] */
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)L->nout, (int)L->nin, (int)n,
                    1.0, dZ, (int)L->nout, in, (int)L->nin, 0.0, G->W, (int)L->nin);
        memset(G->b, 0, (size_t)L->nout * sizeof(double));
        for (i = 0; i < n; i++)
            for (j = 0; j < L->nout; j++)
                G->b[j] += dZ[i * L->nout + j];
        /* dH[l-1] [n x nin] = dZ [n x nout] * W [nout x nin] */
        if (l > 0)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)L->nin,
                        (int)L->nout, 1.0, dZ, (int)L->nout, L->W, (int)L->nin, 0.0,
                        ws->dH[l - 1], (int)L->nin);
    }
}

/* The number of classes the targets y: [n] imply for the loss: the model's
 * output width when it has several outputs, else 0 (a numeric target). */
static slong implied_classes(const trop_model_t m)
{
    slong out = trop_model_output_dim(m);
    return out >= 2 ? out : 0;
}

double trop_model_loss_grad(trop_model_t grad, const trop_model_t m, trop_loss loss,
                            const double *X, const double *y, slong n)
{
    _trop_ws ws;
    const double *f;
    double val;
    slong out = trop_model_output_dim(m), nc = implied_classes(m);
    TROP_ASSERT(n >= 1 && m->nlayers >= 1);
    TROP_ASSERT(loss == TROP_LOSS_MSE || nc >= 2);
    _trop_ws_init(&ws, m, n);
    f = _trop_model_fwd(&ws, m, X, n);
    val = _trop_loss_eval(grad ? ws.dH[m->nlayers - 1] : NULL, NULL, f, y, n, out, loss, nc);
    if (grad) {
        if (grad->nlayers != m->nlayers)
            trop_model_zero_like(grad, m);
        _trop_model_bwd(grad, &ws, m, X, n);
    }
    _trop_ws_clear(&ws);
    return val;
}

trop_status trop_model_evaluate(double *loss_out, double *acc_out, slong *confusion,
                                const trop_model_t m, trop_loss loss, const trop_dataset_t ds,
                                trop_error *err)
{
    enum { BLOCK = 512 };
    _trop_ws ws;
    slong i0, i, out = trop_model_output_dim(m), good = 0, nc = ds->nclasses;
    double sum = 0;
    trop_status st;
    if (m->nlayers < 1 || ds->n < 1)
        return trop_error_set(err, TROP_ERR_INVALID, "train",
                              m->nlayers < 1 ? "the model has no layers" : "no samples");
    if (ds->d != m->input_dim)
        return trop_error_set(err, TROP_ERR_INVALID, "train",
                              "the data has %ld features, the model %ld inputs", ds->d,
                              m->input_dim);
    if ((st = _trop_loss_check(m, loss, nc, err)) != TROP_OK)
        return st;
    if (confusion && nc > 0)
        memset(confusion, 0, (size_t)(nc * nc) * sizeof(slong));
    _trop_ws_init(&ws, m, ds->n < BLOCK ? ds->n : BLOCK);
    for (i0 = 0; i0 < ds->n; i0 += BLOCK) {
        slong nb = ds->n - i0 < BLOCK ? ds->n - i0 : BLOCK, c;
        const double *f = _trop_model_fwd(&ws, m, ds->X + i0 * ds->d, nb);
        sum += (double)nb * _trop_loss_eval(NULL, &c, f, ds->y + i0, nb, out, loss, nc);
        good += c;
        if (confusion && nc > 0)
            for (i = 0; i < nb; i++)
                confusion[(slong)ds->y[i0 + i] * nc
                          + trop_model_predict_class(f + i * out, out, nc)]++;
    }
    _trop_ws_clear(&ws);
    *loss_out = sum / (double)ds->n;
    if (acc_out)
        *acc_out = nc > 0 ? (double)good / (double)ds->n : (double)NAN;
    return TROP_OK;
}
