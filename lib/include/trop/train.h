/* trop/train.h: the float trainer: data sets, the float network model
 * (trop_model), its losses, optimisers and training loop.  Double precision
 * only, by design (STYLE.md section 6): this header uses nothing but
 * double, slong and the status types.  The exact side converts with
 * trop_net_set_model and trop_model_set_net (trop/net.h). */
#ifndef TROP_TRAIN_H
#define TROP_TRAIN_H

#include "trop/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A data set: n samples of d features and one target each.
 * X: [n x d] row-major; y: [n] the target as read.  nclasses > 0 when the
 * target is a class index (every value an integer in 0..nclasses-1), 0 for
 * a numeric target.  feature_names: [d] (NULL when the file has no header
 * naming the columns); class_names: [nclasses] (NULL unless the file names
 * them, as scikit-learn's CSVs do).  Ownership: init makes an empty set,
 * clear releases everything; the readers overwrite. */
typedef struct trop_dataset_struct {
    slong n, d, nclasses;
    double *X, *y;
    char **feature_names, **class_names;
} trop_dataset_struct;
typedef trop_dataset_struct trop_dataset_t[1];

TROP_API void trop_dataset_init(trop_dataset_t ds);
TROP_API void trop_dataset_clear(trop_dataset_t ds);

/* Reads a CSV file (gzip-compressed or not; through libcsv and zlib).
 * Conventions (docs/train.md): comma-separated, RFC 4180 quotes, LF, CRLF
 * or CR line endings, a UTF-8 byte order mark ignored, blank lines
 * ignored, blanks around a field trimmed.  The first record is a header
 * when one of its fields is not a number; a scikit-learn header
 * "n_samples,n_features,class names..." (its first two fields integers
 * matching the data) gives the class names.  label names the target
 * column: a header name, or a 0-based index; NULL means the last column.
 * Numbers are decimals in the C locale's syntax ([+-] digits [. digits]
 * [e [+-] digits], at least one digit); nan, inf, hex, a decimal comma,
 * trailing garbage, empty fields and values beyond the range of a double
 * are errors, as are ragged records, a file with no data and class indices
 * outside the names given.  On error ds is left empty and err names the
 * file, the record (line, 1-based, counting the header; blank lines are not
 * counted) and the field.
 * Errors: TROP_ERR_IO, TROP_ERR_FORMAT, TROP_ERR_INVALID (label), TROP_ERR_LIMIT. */
TROP_API trop_status trop_dataset_read_csv(trop_dataset_t ds, const char *path,
                                           const char *label, trop_error *err);

/* Reads an IDX pair (the MNIST / Fashion-MNIST format, gzip-compressed or
 * not): images: magic 0x00000803, unsigned bytes, n x rows x cols (the
 * pixels become the d = rows * cols features, 0..255); labels: magic
 * 0x00000801, n unsigned bytes (classes 0..max).  The two n must agree.
 * Errors: TROP_ERR_IO, TROP_ERR_FORMAT (bad magic, truncated data, sizes
 * that disagree), TROP_ERR_LIMIT. */
TROP_API trop_status trop_dataset_read_idx(trop_dataset_t ds, const char *images,
                                           const char *labels, trop_error *err);

/* train, valid, test = a split of ds by a seeded shuffle (trop_rng): the
 * first round(n fvalid) shuffled samples go to valid, the next
 * round(n ftest) to test, the rest to train (fvalid, ftest >= 0, their sum
 * < 1).  Rows, targets, nclasses and names are copied; the same seed gives
 * the same split.  Ownership: the three outputs are initialised by the
 * caller and overwritten.  Aliasing: none of them may be ds.  Aborts on bad
 * fractions. */
TROP_API void trop_dataset_split(trop_dataset_t train, trop_dataset_t valid,
                                 trop_dataset_t test, const trop_dataset_t ds, double fvalid,
                                 double ftest, unsigned long long seed);

/* The standardisation constants of ds: mean: [d] the feature means, scale:
 * [d] their population standard deviations (1 for a constant feature, so
 * that it maps to 0 rather than dividing by 0); caller-allocated. */
TROP_API void trop_dataset_standardize_fit(double *mean, double *scale, const trop_dataset_t ds);

/* X[i][j] = (X[i][j] - mean[j]) / scale[j] in place (mean, scale: [d]). */
TROP_API void trop_dataset_standardize(trop_dataset_t ds, const double *mean,
                                       const double *scale);

/* ---- The float network model ---- */

/* One layer of a trop_model: z = W h + b, then the activation.
 * Shapes: W: [nout x nin] row-major (as in trop_layer_struct), b: [nout].
 * For maxout, nout = units * k and unit j is the max of rows j*k ..
 * j*k+k-1.  A leaky layer keeps its slope exactly as slope_num/slope_den
 * (den > 0; the net.bin file stores that rational) and rounded in slope;
 * other layers have slope 0/1.  k is 1 unless act is TROP_ACT_MAXOUT. */
typedef struct trop_model_layer_struct {
    slong nin, nout;
    double *W, *b;
    trop_act act;
    slong slope_num, slope_den;
    double slope;
    slong k;
} trop_model_layer_struct;

/* A float network: layers[0] reads input_dim inputs.  When has_std, its
 * inputs are standardised features: raw feature j enters as
 * (x_j - mean[j]) / scale[j] (mean, scale: [input_dim]); the model itself
 * computes on standardised inputs, and the caller standardises data
 * (trop_dataset_standardize).  Ownership: init/clear; never copy by
 * assignment, use trop_model_set. */
typedef struct trop_model_struct {
    slong input_dim, nlayers, alloc;
    trop_model_layer_struct *layers;
    int has_std;
    double *mean, *scale;
} trop_model_struct;
typedef trop_model_struct trop_model_t[1];

/* Ownership: init makes a model with input_dim inputs and no layers (and
 * no standardisation); clear releases everything.  Aborts if
 * input_dim < 1. */
TROP_API void trop_model_init(trop_model_t m, slong input_dim);
TROP_API void trop_model_clear(trop_model_t m);
/* res = a (deep copy, bit for bit).  Aliasing: none. */
TROP_API void trop_model_set(trop_model_t res, const trop_model_t a);
/* res = 0 with the shape of a (same layers, activations and slopes; all
 * weights and biases 0; no standardisation).  Used for gradients and
 * optimiser state.  Aliasing: none. */
TROP_API void trop_model_zero_like(trop_model_t res, const trop_model_t a);

/* Appends a layer of nout rows reading the current output width, with
 * zero weights; returns a borrowed pointer (valid until the next append or
 * clear).  slope_num/slope_den is the leaky slope (used only when act is
 * TROP_ACT_LEAKY; den > 0).  Aborts if nout < 1, k < 1 or k > 255, k != 1 for a
 * non-maxout layer, k does not divide nout, or den < 1. */
TROP_API trop_model_layer_struct *trop_model_append_layer(trop_model_t m, slong nout,
        trop_act act, slong slope_num, slong slope_den, slong k);

/* Sets the standardisation constants (copied; shapes [input_dim]).
 * Aborts unless every scale is > 0 (NaN included). */
TROP_API void trop_model_set_std(trop_model_t m, const double *mean, const double *scale);

/* Width of a layer's output (units: nout / k). */
TROP_API slong trop_model_layer_width(const trop_model_layer_struct *L);
/* Number of outputs (width of the last layer; input_dim if no layers). */
TROP_API slong trop_model_output_dim(const trop_model_t m);
/* Number of trainable numbers (all weights and biases). */
TROP_API slong trop_model_num_params(const trop_model_t m);

/* Weight initialisation.  Biases are set to 0.
 * TROP_INIT_HE: W ~ N(0, 2 / ((1 + s^2) fan_in)), s the leaky slope (0 for
 *   ReLU and maxout; 1 for linear layers, giving 1 / fan_in): He, Zhang,
 *   Ren and Sun 2015, eq. (10) and (15).
 * TROP_INIT_GLOROT: W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)): Glorot
 *   and Bengio 2010, eq. (16).  fan_out counts rows (units * k). */
typedef enum trop_init { TROP_INIT_HE = 0, TROP_INIT_GLOROT = 1 } trop_init;
/* Fills every layer's W from a trop_rng seeded with seed and sets b to 0.
 * The same seed gives the same weights on one platform; Glorot's uniform
 * weights are the same on every platform, He's normal ones go through
 * libm's log and cos, which may round differently elsewhere. */
TROP_API void trop_model_init_weights(trop_model_t m, trop_init kind,
                                      unsigned long long seed);

/* Y = m(X) for a batch.  Shapes: X: [n x input_dim] row-major (already
 * standardised when m has_std), Y: [n x output_dim] row-major, both caller
 * owned.  Runs in blocks of rows through the BLAS.  Aliasing: none. */
TROP_API void trop_model_forward(double *Y, const trop_model_t m, const double *X, slong n);

/* ---- Losses ---- */

/* TROP_LOSS_CE: softmax cross-entropy, mean over the samples: needs
 *   output_dim = nclasses >= 2 and y a class index.
 * TROP_LOSS_MSE: the mean squared error, over the samples and the outputs
 *   (PyTorch's MSELoss): (1 / (n m)) sum_i sum_j (f_ij - t_ij)^2, m the
 *   output width; with one output t = y, with output_dim = nclasses >= 2 t
 *   is the one-hot vector of y. */
typedef enum trop_loss { TROP_LOSS_CE = 0, TROP_LOSS_MSE = 1 } trop_loss;

/* The loss of m on n samples and, when grad is not NULL, its gradient with
 * respect to every weight and bias (grad: a model of m's shape, see
 * trop_model_zero_like; overwritten).  Shapes: X: [n x input_dim]
 * row-major, y: [n].  Weight decay is not included (the optimiser adds
 * it).  At a ReLU kink (z = 0) the derivative used is 0, at a maxout tie
 * the first maximal row, as PyTorch does.  A non-NULL grad that does not
 * have m's shape is reshaped (trop_model_zero_like).  Aborts if m has no
 * layers, n < 1, the loss does not fit the output width (see trop_loss), or
 * a class index y[i] is not in 0..output_dim-1 where classes are used. */
TROP_API double trop_model_loss_grad(trop_model_t grad, const trop_model_t m, trop_loss loss,
                                     const double *X, const double *y, slong n);

/* The class a model's output row predicts: the arg max (first on ties)
 * when out_dim >= 2; with one output, the nearest integer to f clamped to
 * [0, nclasses - 1]. */
TROP_API slong trop_model_predict_class(const double *f, slong out_dim, slong nclasses);

/* Loss, accuracy and confusion matrix of m on a data set (standardised
 * already).  confusion: [nclasses x nclasses] row-major, row = true class,
 * column = predicted, or NULL; accuracy is NaN (and confusion untouched)
 * for a numeric target (nclasses 0).  The class indices of ds must lie in
 * 0..ds->nclasses-1, as the readers guarantee (aborts otherwise).
 * Errors: TROP_ERR_INVALID when the data does not fit the model (feature
 * count, a number of classes other than the model's outputs for CE, a loss
 * that does not fit) with a message saying which. */
TROP_API trop_status trop_model_evaluate(double *loss_out, double *acc_out, slong *confusion,
                                         const trop_model_t m, trop_loss loss,
                                         const trop_dataset_t ds, trop_error *err);

/* ---- Training ---- */

typedef enum trop_optimizer { TROP_OPT_ADAM = 0, TROP_OPT_SGD = 1 } trop_optimizer;

/* One epoch's record, handed to the on_epoch callback.  valid_* are NaN
 * when there is no validation set, *_acc NaN for a numeric target.
 * train_loss is the mean of the minibatch losses seen during the epoch
 * (as the weights moved); seconds is the epoch's wall time. */
typedef struct trop_train_epoch {
    slong epoch;  /* 1-based */
    double train_loss, train_acc, valid_loss, valid_acc, seconds;
    int best;     /* 1 when this epoch's weights are the ones kept so far: the
                   * best validation loss, or (no validation set) always */
} trop_train_epoch;

/* Training options; trop_train_opts_init sets the defaults given here.
 * loss: TROP_LOSS_CE.  optimizer: TROP_OPT_ADAM.  epochs: 20.  batch: 64.
 * lr: 1e-3 (Adam) -- set 0.01 or so for SGD.  momentum: 0.9 (SGD, classical
 * momentum as in PyTorch: v = mu v + g, w -= lr v).  beta1 0.9, beta2
 * 0.999, eps 1e-8 (Adam, Kingma and Ba 2015, Algorithm 1).  weight_decay:
 * 0 (L2: weight_decay * w added to every gradient, biases included, as
 * PyTorch's weight_decay).  patience: 0 (off); otherwise training stops
 * after that many epochs without a lower validation loss, and the weights
 * of the best epoch are restored.  seed: 1 (minibatch order).
 * on_epoch: called after every epoch (may be NULL); a nonzero return stops
 * training after that epoch.  on_batch: called after every minibatch with
 * the samples done so far in the epoch and the epoch's total (may be NULL;
 * a nonzero return stops training at once, for interruption). */
typedef struct trop_train_opts {
    trop_loss loss;
    trop_optimizer optimizer;
    slong epochs, batch;
    double lr, momentum, beta1, beta2, eps, weight_decay;
    slong patience;
    unsigned long long seed;
    int (*on_epoch)(const trop_train_epoch *e, void *arg);
    int (*on_batch)(slong epoch, slong done, slong total, void *arg);
    void *arg;
} trop_train_opts;

TROP_API void trop_train_opts_init(trop_train_opts *o);

/* What a training run did. */
typedef struct trop_train_result {
    slong epochs_run;    /* epochs completed */
    slong best_epoch;    /* the epoch whose weights m holds (0: none) */
    int stopped_early;   /* early stopping fired */
    int interrupted;     /* a callback asked to stop */
} trop_train_result;

/* Trains m (initialised by the caller, trop_model_init_weights) on train
 * with minibatches in a seeded shuffled order, validating on valid after
 * each epoch when valid->n > 0.  With a validation set the weights left in
 * m are those of the best validation loss, without one those of the last
 * complete epoch; an epoch interrupted by on_batch is dropped, and when no
 * epoch is kept (interrupted in the first one, or no finite validation
 * loss) m gets its initial weights back.
 * The run is reproducible bit for bit for a given seed, data, model and
 * BLAS thread count on one machine.
 * Errors: TROP_ERR_INVALID (data or options that do not fit the model:
 * feature count, class indices, loss, batch < 1, lr <= 0, ...; m is then
 * untouched), and TROP_ERR_INVALID when the training loss becomes NaN or
 * infinite (divergence: m gets the weights of the last kept epoch, or its
 * initial ones), each with a message saying which. */
TROP_API trop_status trop_train_fit(trop_model_t m, const trop_train_opts *o,
                                    const trop_dataset_t train, const trop_dataset_t valid,
                                    trop_train_result *res, trop_error *err);

/* Sets the number of BLAS threads for the dense products (n < 1: no
 * change; the BLAS starts with its own default, the number of cores).
 * Global to the process, as in the BLAS itself. */
TROP_API void trop_train_set_threads(slong n);

#ifdef __cplusplus
}
#endif
#endif
