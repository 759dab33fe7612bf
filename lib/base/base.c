/* base.c: status strings, error reports, assertions, allocation wrappers,
 * atomic files and the deterministic rng. */
#define _XOPEN_SOURCE 700   /* realpath */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trop/base.h"
#include "trop/version.h"

const char *trop_status_str(trop_status s)
{
    switch (s) {
    case TROP_OK: return "ok";
    case TROP_ERR_NOMEM: return "out of memory";
    case TROP_ERR_IO: return "i/o error";
    case TROP_ERR_FORMAT: return "format error";
    case TROP_ERR_INVALID: return "invalid input";
    case TROP_ERR_DEGENERATE: return "degenerate geometry";
    case TROP_ERR_PRECISION: return "precision error";
    case TROP_ERR_LIMIT: return "limit reached";
    case TROP_ERR_QHULL: return "qhull error";
    case TROP_ERR_INTERNAL: return "internal error";
    case TROP_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown status";
}

trop_status trop_error_set(trop_error *err, trop_status s, const char *where,
                           const char *fmt, ...)
{
    va_list ap;
    if (err == NULL)
        return s;
    err->status = s;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return s;
}

const char *trop_error_name(char *buf, const char *path)
{
    size_t n = strlen(path);
    const char *tail;
    if (n <= TROP_ERROR_NAME_MAX) {
        memcpy(buf, path, n + 1);
        return buf;
    }
    /* keep the tail: the file's own name is what identifies it */
    tail = path + n - (TROP_ERROR_NAME_MAX - 3);
    while ((unsigned char)*tail >= 0x80 && (unsigned char)*tail < 0xC0)
        tail++; /* a UTF-8 continuation byte: start at the next character */
    snprintf(buf, TROP_ERROR_NAME_MAX + 1, "...%s", tail);
    return buf;
}

void trop_error_prefix(trop_error *err, const char *prefix)
{
    char tmp[sizeof err->msg + TROP_ERROR_NAME_MAX + 3];
    char name[TROP_ERROR_NAME_MAX + 1];
    if (err == NULL)
        return;
    snprintf(tmp, sizeof tmp, "%s: %s", trop_error_name(name, prefix), err->msg);
    /* truncation only for messages that were already near the limit */
    memcpy(err->msg, tmp, sizeof err->msg - 1);
    err->msg[sizeof err->msg - 1] = '\0';
}

const char *trop_version_string(void)
{
    return TROP_VERSION;
}

void trop_abort_assert(const char *expr, const char *file, int line)
{
    fprintf(stderr, "libtrop: assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}

static void oom(size_t n)
{
    fprintf(stderr, "libtrop: out of memory allocating %zu bytes\n", n);
    abort();
}

void *trop_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom(n);
    return p;
}

void *trop_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        oom(n * size);
    return p;
}

void *trop_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom(n);
    return q;
}

void trop_free(void *p)
{
    free(p);
}

static char *str_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = trop_malloc(n);
    memcpy(d, s, n);
    return d;
}

/* The mode a new file gets: 0666 minus the umask (umask can only be read
 * by setting it, so it is set back at once). */
static mode_t new_file_mode(void)
{
    mode_t m = umask(0);
    umask(m);
    return 0666 & ~m;
}

/* The file a symlink names, even when it does not exist yet (realpath
 * needs an existing target).  Returns NULL if it cannot be read.
 * Ownership: the caller frees with free. */
static char *link_target(const char *path)
{
    char buf[4096], *res = realpath(path, NULL);
    const char *slash;
    ssize_t n;
    size_t dlen;
    if (res != NULL)
        return res;
    n = readlink(path, buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    slash = strrchr(path, '/');
    if (buf[0] == '/' || slash == NULL)
        return strdup(buf);
    dlen = (size_t)(slash - path) + 1;              /* keep the link's directory */
    res = malloc(dlen + (size_t)n + 1);
    if (res != NULL) {
        memcpy(res, path, dlen);
        memcpy(res + dlen, buf, (size_t)n + 1);
    }
    return res;
}

trop_status trop_afile_open(trop_afile *f, const char *path, trop_error *err)
{
    struct stat st;
    char *real = NULL;
    size_t n;
    int fd, exists;
    char nb[TROP_ERROR_NAME_MAX + 1];
    mode_t mode;
    f->fp = NULL;
    f->tmp = NULL;
    /* a symlink is followed: the file it names is replaced, not the link */
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        real = link_target(path);
    f->path = str_dup(real ? real : path);
    free(real);
    exists = stat(f->path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        /* a device, fifo or the like (/dev/null, /dev/stdout): write to it
         * directly; renaming over it would replace the special file */
        f->fp = fopen(f->path, "wb");
        if (f->fp == NULL) {
            int e = errno;
            trop_free(f->path);
            f->path = NULL;
            return trop_error_set(err, TROP_ERR_IO, "file", "%s: %s", trop_error_name(nb, path),
                                  strerror(e));
        }
        return TROP_OK;
    }
    mode = exists ? (st.st_mode & 07777) : new_file_mode();
    n = strlen(f->path) + 16;
    f->tmp = trop_malloc(n);
    snprintf(f->tmp, n, "%s.tmpXXXXXX", f->path);
    fd = mkstemp(f->tmp);
    if (fd < 0) {
        int e = errno;
        trop_free(f->path);
        trop_free(f->tmp);
        f->path = f->tmp = NULL;
        return trop_error_set(err, TROP_ERR_IO, "file",
                              "%s: cannot create temporary file: %s",
                              trop_error_name(nb, path), strerror(e));
    }
    /* mkstemp makes 0600: give the file the mode it has (or would get) */
    fchmod(fd, mode);
    f->fp = fdopen(fd, "wb");
    if (f->fp == NULL) {
        int e = errno;
        close(fd);
        unlink(f->tmp);
        trop_free(f->path);
        trop_free(f->tmp);
        f->path = f->tmp = NULL;
        return trop_error_set(err, TROP_ERR_IO, "file", "%s: %s", trop_error_name(nb, path),
                              strerror(e));
    }
    return TROP_OK;
}

static void afile_release(trop_afile *f)
{
    trop_free(f->path);
    trop_free(f->tmp);
    f->fp = NULL;
    f->path = f->tmp = NULL;
}

trop_status trop_afile_commit(trop_afile *f, trop_error *err)
{
    int bad = 0, e = 0;
    if (fflush(f->fp) != 0 || ferror(f->fp)) {
        bad = 1;
        e = errno;
    }
    if (!bad && fsync(fileno(f->fp)) != 0 && errno != EINVAL && errno != EROFS) {
        bad = 1;
        e = errno;
    }
    if (fclose(f->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad && f->tmp != NULL && rename(f->tmp, f->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        char nb[TROP_ERROR_NAME_MAX + 1];
        trop_status s = trop_error_set(err, TROP_ERR_IO, "file", "%s: write failed: %s",
                                       trop_error_name(nb, f->path), strerror(e));
        if (f->tmp != NULL)
            unlink(f->tmp);
        afile_release(f);
        return s;
    }
    afile_release(f);
    return TROP_OK;
}

void trop_afile_abort(trop_afile *f)
{
    if (f->fp != NULL)
        fclose(f->fp);
    if (f->tmp != NULL)
        unlink(f->tmp);
    afile_release(f);
}

trop_status trop_file_read_all(const char *path, char **buf, size_t *len, trop_error *err)
{
    FILE *fp;
    struct stat st;
    size_t cap = 1 << 16, n = 0, got;
    char *b;
    char nb[TROP_ERROR_NAME_MAX + 1];
    *buf = NULL;
    *len = 0;
    fp = fopen(path, "rb");
    if (fp == NULL) {
        int e = errno;
        return trop_error_set(err, TROP_ERR_IO, "file", "%s: %s", trop_error_name(nb, path),
                              strerror(e));
    }
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        return trop_error_set(err, TROP_ERR_IO, "file", "%s: is a directory", trop_error_name(nb, path));
    }
    b = trop_malloc(cap);
    while ((got = fread(b + n, 1, cap - n - 1, fp)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            b = trop_realloc(b, cap);
        }
    }
    if (ferror(fp)) {
        int e = errno;
        fclose(fp);
        trop_free(b);
        return trop_error_set(err, TROP_ERR_IO, "file", "%s: read failed: %s",
                              trop_error_name(nb, path), strerror(e));
    }
    fclose(fp);
    b[n] = '\0';
    *buf = b;
    *len = n;
    return TROP_OK;
}

void trop_rng_init(trop_rng *r, unsigned long long seed)
{
    r->s = seed;
}

unsigned long long trop_rng_u64(trop_rng *r)
{
    /* splitmix64 (Steele, Lea and Flood 2014) */
    unsigned long long z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

slong trop_rng_below(trop_rng *r, slong n)
{
    TROP_ASSERT(n >= 1);
    return (slong)(trop_rng_u64(r) % (unsigned long long)n);
}
