/* fit.c: the training loop: seeded minibatches, SGD with momentum or Adam,
 * L2 weight decay, validation and early stopping. */
#include <math.h>
#include <string.h>
#include <time.h>
#include "trop/train.h"
#include "train-internal.h"

void trop_train_opts_init(trop_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->loss = TROP_LOSS_CE;
    o->optimizer = TROP_OPT_ADAM;
    o->epochs = 20;
    o->batch = 64;
    o->lr = 1e-3;
    o->momentum = 0.9;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->weight_decay = 0;
    o->patience = 0;
    o->seed = 1;
}

/* Optimiser state: first and second moments (Adam) or the momentum buffer
 * (SGD, in s1), each a model of the trained model's shape; t the step. */
typedef struct {
    trop_model_t s1, s2;
    slong t;
} optim_state;

/* One parameter array w: [len] with gradient g.  Adam: Kingma and Ba 2015,
 * Algorithm 1 (bias-corrected moments, in PyTorch's arrangement: the step
 * lr / c1 and the denominator sqrt(v) / sqrt(c2) + eps); SGD: v = mu v + g,
 * w -= lr v (PyTorch's form of classical momentum).  The weight decay
 * wd w is added to g first.  The loops are cloned for AVX-512 and AVX2
 * (chosen at run time), because this update touches every parameter once
 * per minibatch and its square roots and divisions would otherwise cost a
 * third of an epoch; each clone computes the same IEEE operations per
 * element, so results do not depend on the clone. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define TROP_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TROP_CLONES
#endif

TROP_CLONES
static void adam_array(double *restrict w, const double *restrict g, double *restrict s1,
                       double *restrict s2, slong len, double b1, double b2, double wd,
                       double step, double rc2, double eps)
{
    slong i;
    for (i = 0; i < len; i++) {
        double gi = g[i] + wd * w[i];
        s1[i] = b1 * s1[i] + (1 - b1) * gi;
        s2[i] = b2 * s2[i] + (1 - b2) * gi * gi;
        w[i] -= step * s1[i] / (sqrt(s2[i]) * rc2 + eps);
    }
}

TROP_CLONES
static void sgd_array(double *restrict w, const double *restrict g, double *restrict s1,
                      slong len, double lr, double mu, double wd)
{
    slong i;
    for (i = 0; i < len; i++) {
        s1[i] = mu * s1[i] + (g[i] + wd * w[i]);
        w[i] -= lr * s1[i];
    }
}

static void step_array(double *w, const double *g, double *s1, double *s2, slong len,
                       const trop_train_opts *o, double c1, double c2)
{
    if (o->optimizer == TROP_OPT_ADAM)
        adam_array(w, g, s1, s2, len, o->beta1, o->beta2, o->weight_decay,
                   o->lr / c1, 1 / sqrt(c2), o->eps);
    else
        sgd_array(w, g, s1, len, o->lr, o->momentum, o->weight_decay);
}

static void optim_step(trop_model_t m, trop_model_t grad, optim_state *s,
                       const trop_train_opts *o)
{
    slong l;
    double c1, c2;
    s->t++;
    c1 = 1 - pow(o->beta1, (double)s->t);
    c2 = 1 - pow(o->beta2, (double)s->t);
    for (l = 0; l < m->nlayers; l++) {
        trop_model_layer_struct *L = m->layers + l, *G = grad->layers + l;
        trop_model_layer_struct *S1 = s->s1->layers + l, *S2 = s->s2->layers + l;
        step_array(L->W, G->W, S1->W, S2->W, L->nout * L->nin, o, c1, c2);
        step_array(L->b, G->b, S1->b, S2->b, L->nout, o, c1, c2);
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static trop_status check_inputs(const trop_model_t m, const trop_train_opts *o,
                                const trop_dataset_t train, const trop_dataset_t valid,
                                trop_error *err)
{
    trop_status st;
    if (m->nlayers < 1)
        return trop_error_set(err, TROP_ERR_INVALID, "train", "the model has no layers");
    if (train->n < 1)
        return trop_error_set(err, TROP_ERR_INVALID, "train", "no training samples");
    if (train->d != m->input_dim || (valid->n > 0 && valid->d != m->input_dim))
        return trop_error_set(err, TROP_ERR_INVALID, "train",
                              "the data has %ld features, the model %ld inputs",
                              train->d != m->input_dim ? train->d : valid->d, m->input_dim);
    if (o->epochs < 0 || o->batch < 1 || !(o->lr > 0) || !isfinite(o->lr)
        || !(o->weight_decay >= 0) || o->patience < 0 || !(o->momentum >= 0)
        || !(o->beta1 >= 0 && o->beta1 < 1) || !(o->beta2 >= 0 && o->beta2 < 1)
        || !(o->eps > 0))
        return trop_error_set(err, TROP_ERR_INVALID, "train",
                              "bad options: need epochs >= 0, batch >= 1, lr > 0, "
                              "weight decay >= 0, patience >= 0, momentum >= 0, "
                              "0 <= beta < 1, eps > 0");
    if ((st = _trop_loss_check(m, o->loss, train->nclasses, err)) != TROP_OK)
        return st;
    if (valid->n > 0 && valid->nclasses != train->nclasses)
        return trop_error_set(err, TROP_ERR_INVALID, "train",
                              "the validation set has %ld classes, the training set %ld",
                              valid->nclasses, train->nclasses);
    return TROP_OK;
}

/* One pass over train in the order perm (shuffled first); returns 1 when a
 * callback asked to stop. */
static int run_epoch(trop_train_epoch *e, trop_model_t m, trop_model_t grad, optim_state *s,
                     _trop_ws *ws, double *Xb, double *yb, slong *perm, trop_rng *r,
                     const trop_train_opts *o, const trop_dataset_t ds)
{
    slong i, i0, good = 0, out = trop_model_output_dim(m), d = ds->d;
    double sum = 0;
    for (i = ds->n - 1; i > 0; i--) {   /* Fisher-Yates */
        slong j = trop_rng_below(r, i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (i0 = 0; i0 < ds->n; i0 += o->batch) {
        slong nb = ds->n - i0 < o->batch ? ds->n - i0 : o->batch, c;
        const double *f;
        for (i = 0; i < nb; i++) {
            memcpy(Xb + i * d, ds->X + perm[i0 + i] * d, (size_t)d * sizeof(double));
            yb[i] = ds->y[perm[i0 + i]];
        }
        f = _trop_model_fwd(ws, m, Xb, nb);
        sum += (double)nb * _trop_loss_eval(ws->dH[m->nlayers - 1], &c, f, yb, nb, out,
                                            o->loss, ds->nclasses);
        good += c;
        _trop_model_bwd(grad, ws, m, Xb, nb);
        optim_step(m, grad, s, o);
        if (o->on_batch && o->on_batch(e->epoch, i0 + nb, ds->n, o->arg))
            return 1;
    }
    e->train_loss = sum / (double)ds->n;
    e->train_acc = ds->nclasses > 0 ? (double)good / (double)ds->n : (double)NAN;
    return 0;
}

trop_status trop_train_fit(trop_model_t m, const trop_train_opts *o,
                           const trop_dataset_t train, const trop_dataset_t valid,
                           trop_train_result *res, trop_error *err)
{
    trop_model_t grad, best;
    optim_state s;
    _trop_ws ws;
    trop_rng r;
    double *Xb, *yb, best_loss = INFINITY;
    slong *perm, i, ep;
    trop_status st;
    memset(res, 0, sizeof *res);
    if ((st = check_inputs(m, o, train, valid, err)) != TROP_OK)
        return st;
    trop_model_init(grad, m->input_dim);
    trop_model_init(best, m->input_dim);
    trop_model_init(s.s1, m->input_dim);
    trop_model_init(s.s2, m->input_dim);
    trop_model_zero_like(grad, m);
    trop_model_zero_like(s.s1, m);
    trop_model_zero_like(s.s2, m);
    s.t = 0;
    {
        slong cap = o->batch < train->n ? o->batch : train->n;
        _trop_ws_init(&ws, m, cap);
        Xb = trop_malloc((size_t)(cap * train->d) * sizeof(double));
        yb = trop_malloc((size_t)cap * sizeof(double));
    }
    perm = trop_malloc((size_t)train->n * sizeof(slong));
    for (i = 0; i < train->n; i++)
        perm[i] = i;
    trop_rng_init(&r, o->seed);
    trop_model_set(best, m);   /* epoch 0: the initial weights */
    for (ep = 1; ep <= o->epochs; ep++) {
        trop_train_epoch e;
        double t0 = now_seconds();
        memset(&e, 0, sizeof e);
        e.epoch = ep;
        if (run_epoch(&e, m, grad, &s, &ws, Xb, yb, perm, &r, o, train)) {
            res->interrupted = 1;
            break;
        }
        if (!isfinite(e.train_loss)) {
            st = trop_error_set(err, TROP_ERR_INVALID, "train",
                                "training diverged in epoch %ld (the loss is %g): the "
                                "learning rate or the weight decay may be too large", ep,
                                e.train_loss);
            break;
        }
        e.valid_loss = e.valid_acc = NAN;
        if (valid->n > 0) {
            trop_model_evaluate(&e.valid_loss, &e.valid_acc, NULL, m, o->loss, valid, NULL);
            if (e.valid_loss < best_loss) {
                best_loss = e.valid_loss;
                trop_model_set(best, m);
                res->best_epoch = ep;
                e.best = 1;
            }
        } else {   /* no validation: the last complete epoch is the one kept */
            trop_model_set(best, m);
            res->best_epoch = ep;
            e.best = 1;
        }
        e.seconds = now_seconds() - t0;
        res->epochs_run = ep;
        if (o->on_epoch && o->on_epoch(&e, o->arg)) {
            res->interrupted = 1;
            break;
        }
        if (valid->n > 0 && o->patience > 0 && ep - res->best_epoch >= o->patience) {
            res->stopped_early = 1;
            break;
        }
    }
    if (res->best_epoch != res->epochs_run || res->interrupted || st != TROP_OK) {
        /* take the kept epoch's weights, the initial ones if none was kept
         * (an interrupted or diverged epoch's updates are dropped); the
         * standardisation of m stays */
        slong l;
        for (l = 0; l < m->nlayers; l++) {
            trop_model_layer_struct *L = m->layers + l;
            memcpy(L->W, best->layers[l].W, (size_t)(L->nout * L->nin) * sizeof(double));
            memcpy(L->b, best->layers[l].b, (size_t)L->nout * sizeof(double));
        }
    }
    trop_free(perm);
    trop_free(Xb);
    trop_free(yb);
    _trop_ws_clear(&ws);
    trop_model_clear(grad);
    trop_model_clear(best);
    trop_model_clear(s.s1);
    trop_model_clear(s.s2);
    return st;
}
