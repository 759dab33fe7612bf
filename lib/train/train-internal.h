/* train-internal.h: the trainer's private workspace and passes, shared by
 * model.c, grad.c and fit.c.  Not installed. */
#ifndef TROP_TRAIN_INTERNAL_H
#define TROP_TRAIN_INTERNAL_H

#include "trop/train.h"

/* Buffers for a forward and backward pass over at most cap rows.  Per
 * layer l: Z[l]: [cap x nout] pre-activations; H[l]: [cap x width]
 * outputs (H[l] == Z[l] for a linear layer); arg[l]: [cap x width] the
 * winning row within each maxout group (NULL unless maxout); dH[l]:
 * [cap x width] the gradient with respect to H[l]; dZ[l]: [cap x nout]
 * (dZ[l] == dH[l] for a linear layer).  Ownership: init/clear. */
typedef struct {
    slong cap, nlayers;
    double **Z, **H, **dZ, **dH;
    unsigned char **arg;
} _trop_ws;

void _trop_ws_init(_trop_ws *ws, const trop_model_t m, slong cap);
void _trop_ws_clear(_trop_ws *ws);

/* Forward pass of X: [n x input_dim] (n <= cap); returns the output rows
 * [n x output_dim], borrowed from ws. */
const double *_trop_model_fwd(_trop_ws *ws, const trop_model_t m, const double *X, slong n);

/* The loss of the last forward pass (outputs f: [n x out], targets y: [n])
 * and, into dout: [n x out], its gradient with respect to f; *correct
 * (when not NULL) gets the number of samples classified right (nclasses
 * > 0). */
double _trop_loss_eval(double *dout, slong *correct, const double *f, const double *y,
                       slong n, slong out, trop_loss loss, slong nclasses);

/* Backward pass after _trop_model_fwd(ws, m, X, n), with ws->dH[last]
 * holding the gradient of the loss with respect to the outputs; writes the
 * gradient of every weight and bias into grad (m's shape). */
void _trop_model_bwd(trop_model_t grad, _trop_ws *ws, const trop_model_t m, const double *X,
                     slong n);

/* 0 when the loss fits the model's output width and the data's classes,
 * else an error naming the mismatch. */
trop_status _trop_loss_check(const trop_model_t m, trop_loss loss, slong nclasses,
                             trop_error *err);

#endif
