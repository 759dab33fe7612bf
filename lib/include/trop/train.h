/* trop/train.h: the float trainer's data sets (issue 4; the trainer itself
 * is to come).  Double precision only, by design (STYLE.md section 6): this
 * header uses nothing but double, slong and the status types. */
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

#ifdef __cplusplus
}
#endif
#endif
