/* trop/base.h: status codes, error reports, assertions and the shared scalar
 * types of libtrop.  This header uses no FLINT or qhull types. */
#ifndef TROP_BASE_H
#define TROP_BASE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TROP_BUILDING) && defined(__GNUC__)
#define TROP_API __attribute__((visibility("default")))
#else
#define TROP_API
#endif

/* Sizes, counts and indices are slong, as in FLINT (FLINT defines slong as a
 * macro for mp_limb_signed_t, which is long on every platform we build on). */
#ifndef slong
typedef long slong;
#endif

/* Status of a fallible call.  Success is always 0. */
typedef enum trop_status {
    TROP_OK = 0,
    TROP_ERR_NOMEM,      /* allocation failed */
    TROP_ERR_IO,         /* open/read/write/rename failed */
    TROP_ERR_FORMAT,     /* a file does not follow its format */
    TROP_ERR_INVALID,    /* a value is out of its domain (user input) */
    TROP_ERR_DEGENERATE, /* the geometry is lower-dimensional */
    TROP_ERR_PRECISION,  /* float code could not decide, no exact fallback ran */
    TROP_ERR_LIMIT,      /* a size or time limit was reached */
    TROP_ERR_QHULL,      /* qhull failed for another reason */
    TROP_ERR_INTERNAL,   /* a certificate check failed: a bug */
    TROP_ERR_INTERRUPTED /* the user interrupted a long job */
} trop_status;

/* Activation applied after a layer's affine map z = W h + b (shared by the
 * exact network model, trop/net.h, and the float trainer, trop/train.h). */
typedef enum trop_act {
    TROP_ACT_LINEAR = 0, /* identity */
    TROP_ACT_RELU = 1,   /* max(z, 0) */
    TROP_ACT_LEAKY = 2,  /* z if z >= 0, slope*z if z < 0 (PyTorch LeakyReLU) */
    TROP_ACT_MAXOUT = 3  /* unit j = max of rows j*k .. j*k+k-1 */
} trop_act;

/* An error report, filled by the code that detects the problem.
 * where: the module or file the error refers to; msg: one line, no newline. */
typedef struct trop_error {
    trop_status status;
    char where[24];
    char msg[1024];
} trop_error;

/* File names longer than this many bytes are shortened in error messages to
 * "..." and their last bytes, so the message itself is never cut off. */
#define TROP_ERROR_NAME_MAX 160

/* Writes path into buf (at least TROP_ERROR_NAME_MAX + 1 bytes), shortened as
 * above without splitting a UTF-8 sequence, and returns buf.  Readers use it
 * for the file name they put in front of their messages. */
TROP_API const char *trop_error_name(char *buf, const char *path);

/* The name of a status ("format error", ...); never NULL. */
TROP_API const char *trop_status_str(trop_status s);

/* Fills *err (when err is not NULL) and returns s, so detectors can write
 * `return trop_error_set(err, TROP_ERR_FORMAT, "nnet", "line %ld: ...", l);`.
 * The message is truncated to fit. */
TROP_API trop_status trop_error_set(trop_error *err, trop_status s,
                                    const char *where, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Prepends "prefix: " to err->msg (for callers that add context, such as a
 * file name; a prefix longer than TROP_ERROR_NAME_MAX is shortened like a
 * file name).  Does nothing when err is NULL. */
TROP_API void trop_error_prefix(trop_error *err, const char *prefix);

/* The library version, "MAJOR.MINOR.MICRO". */
TROP_API const char *trop_version_string(void);

/* Contract violations between our own objects abort with file and line. */
TROP_API void trop_abort_assert(const char *expr, const char *file, int line);
#define TROP_ASSERT(c) \
    ((c) ? (void)0 : trop_abort_assert(#c, __FILE__, __LINE__))

/* Allocation wrappers: abort with a message on failure, as FLINT does.  Use
 * them for internal buffers whose size was validated; readers that size
 * from file contents check the size first (see TROP_MAX_ELEMS). */
TROP_API void *trop_malloc(size_t n);
TROP_API void *trop_calloc(size_t n, size_t size);
TROP_API void *trop_realloc(void *p, size_t n);
TROP_API void trop_free(void *p);

/* Largest number of numbers a reader accepts in one network (2^28): a
 * sanity limit that keeps a corrupt size field from allocating gigabytes. */
#define TROP_MAX_ELEMS ((slong)1 << 28)

/* Atomic output: write to a temporary file beside path, then fsync and
 * rename over path on commit, so readers never see a partial file and an
 * interrupted job leaves the previous file intact.  A symlink is followed
 * (its target is replaced), an existing file keeps its mode, and a path that
 * exists but is not a regular file (/dev/null, a fifo) is written directly.
 * Ownership: open fills *f; exactly one of commit or abort must follow. */
typedef struct trop_afile { FILE *fp; char *path; char *tmp; } trop_afile;
/* Errors: TROP_ERR_IO naming path. */
TROP_API trop_status trop_afile_open(trop_afile *f, const char *path, trop_error *err);
/* Flushes, fsyncs, closes and renames.  Errors: TROP_ERR_IO (the temporary
 * file is removed and path is untouched). */
TROP_API trop_status trop_afile_commit(trop_afile *f, trop_error *err);
/* Closes and removes the temporary file; path is untouched. */
TROP_API void trop_afile_abort(trop_afile *f);

/* Reads a whole file into a new buffer with a terminating NUL (not counted
 * in *len).  Ownership: the caller frees *buf with trop_free.
 * Errors: TROP_ERR_IO naming path (missing, unreadable, a directory). */
TROP_API trop_status trop_file_read_all(const char *path, char **buf, size_t *len,
                                        trop_error *err);

/* A small deterministic random generator (splitmix64), so test and tool
 * runs are reproducible on every platform.  Ownership: plain value. */
typedef struct trop_rng { unsigned long long s; } trop_rng;
TROP_API void trop_rng_init(trop_rng *r, unsigned long long seed);
TROP_API unsigned long long trop_rng_u64(trop_rng *r);
/* Uniform integer in [0, n), n >= 1. */
TROP_API slong trop_rng_below(trop_rng *r, slong n);

#ifdef __cplusplus
}
#endif
#endif
