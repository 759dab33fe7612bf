/* hull/qhull.c: convex hulls through the reentrant qhull library.
 *
 * Each call owns everything it uses: a copy of the input points, a qhT
 * cleared by qh_zero, and an open_memstream stream that collects qhull's
 * messages.  qhull is freed (qh_freeqhull(!qh_ALL), qh_memfreeshort) before
 * returning, and its leftover-memory counters are checked.
 *
 * Conventions (verified by tests/test_hull.c): qhull's facet->normal is the
 * outward unit normal and facet->offset the offset with
 *     <normal, p> + offset = signed distance of p above the facet,
 * so points of the hull have <normal, p> + offset <= 0 (up to roundoff) and
 * the facet's vertices give 0.
 *
 * setjmp discipline: qh_new_qhull runs its own setjmp(qh->errexit).  The two
 * later passes over qhull's facet list run inside hull_guarded's setjmp, with
 * qh->NOerrexit = False, so that a qhull error there longjmps back instead of
 * calling exit().  Nothing is allocated by us inside those blocks, and what
 * they write survives a longjmp because it lives in memory reached through
 * pointers (the counters are volatile besides).  setjmp is used only as the
 * controlling expression of an if, as C11 7.13.1.1 allows. */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libqhull_r/qhull_ra.h>

#include "trop/hull.h"
#include "hull-internal.h"

/* qhull must run in double, on our own copy of the points. */
_Static_assert(sizeof(coordT) == sizeof(double), "qhull_r must be built with realT = double");

/* ------------------------------------------------------------------ */
/* Memory management                                                  */

static void hull_release(trop_hull_struct *h)
{
    trop_free(h->normals);
    trop_free(h->offsets);
    trop_free(h->fstart);
    trop_free(h->nfv);
    trop_free(h->fverts);
    trop_free(h->verts);
    h->normals = NULL;
    h->offsets = NULL;
    h->fstart = NULL;
    h->nfv = NULL;
    h->fverts = NULL;
    h->verts = NULL;
    h->nfacets = 0;
    h->nverts = 0;
}

void trop_hull_init(trop_hull_t h)
{
    memset(h, 0, sizeof *h);
    h->normals = NULL;
    h->offsets = NULL;
    h->fstart = NULL;
    h->nfv = NULL;
    h->fverts = NULL;
    h->verts = NULL;
    h->command[0] = '\0';
}

void trop_hull_clear(trop_hull_t h)
{
    hull_release(h);
}

/* ------------------------------------------------------------------ */
/* The qhull command                                                  */

void hull_build_command(const trop_hull_opts *opts, char *buf)
{
    const char *extra = "";
    if (opts != NULL) {
        if (opts->joggle)
            extra = " QJ";        /* 'Qt' would do nothing (qhull warns QH7038) */
        else if (opts->triangulate)
            extra = " Qt";
    }
    snprintf(buf, HULL_COMMAND_SIZE, "qhull%s", extra);
}

/* ------------------------------------------------------------------ */
/* Reading qhull's answer                                             */

/* What the two passes over qhull's facet list read and write.  It lives in
 * the caller's frame, so its values survive a longjmp out of a pass. */
typedef struct hull_scan {
    trop_hull_struct *h;
    volatile slong nfacets;   /* pass 1 */
    volatile slong nincid;    /* pass 1: facet-vertex incidences */
    volatile int bad;         /* pass 2: the facet list was not as expected */
} hull_scan;

/* Runs pass(qh, s) under setjmp(qh->errexit) with qh->NOerrexit = False, so a
 * qhull error inside longjmps here instead of calling exit().  Returns 0, or
 * 1 after such an error.  No locals of this function change after setjmp. */
static int hull_guarded(qhT *qh, void (*pass)(qhT *, hull_scan *), hull_scan *s)
{
    if (setjmp(qh->errexit)) {
        qh->NOerrexit = True;
        return 1;
    }
    qh->NOerrexit = False;
    pass(qh, s);
    qh->NOerrexit = True;
    return 0;
}

/* Pass 1: counts the facets and the facet-vertex incidences. */
static void hull_count(qhT *qh, hull_scan *s)
{
    facetT *facet;
    FORALLfacets {
        s->nfacets += 1;
        s->nincid += qh_setsize(qh, facet->vertices);
    }
}

/* Pass 2: copies normals, offsets and vertex point ids into s->h, whose
 * arrays were sized by pass 1.  Sets s->bad when a facet has no normal, a
 * vertex is not one of the input points, or the counts changed. */
static void hull_fill(qhT *qh, hull_scan *s)
{
    trop_hull_struct *h = s->h;
    facetT *facet;
    vertexT *vertex, **vertexp;
    slong f = 0, k = 0, j;
    const slong dim = h->dim, nf = s->nfacets, nincid = s->nincid;

    FORALLfacets {
        if (f >= nf || facet->normal == NULL) {
            s->bad = 1;
            return;
        }
        for (j = 0; j < dim; j++)
            h->normals[f * dim + j] = facet->normal[j];
        h->offsets[f] = facet->offset;
        h->fstart[f] = k;
        h->nfv[f] = 0;
        FOREACHvertex_(facet->vertices) {
            int id = qh_pointid(qh, vertex->point);
            if (k >= nincid || id < 0 || (slong)id >= h->npts) {
                s->bad = 1;
                return;
            }
            h->fverts[k++] = (slong)id;
            h->nfv[f] += 1;
        }
        f++;
    }
    if (f != nf || k != nincid)
        s->bad = 1;
}

static int slong_cmp(const void *a, const void *b)
{
    slong x = *(const slong *)a, y = *(const slong *)b;
    return (x > y) - (x < y);
}

/* Sorts each facet's vertex list and collects the sorted unique vertex ids. */
static void hull_finish(trop_hull_struct *h)
{
    slong f, i, n = 0, total = 0;
    for (f = 0; f < h->nfacets; f++) {
        qsort(h->fverts + h->fstart[f], (size_t)h->nfv[f], sizeof(slong), slong_cmp);
        total += h->nfv[f];
    }
    h->verts = trop_malloc((size_t)total * sizeof(slong));
    memcpy(h->verts, h->fverts, (size_t)total * sizeof(slong));
    qsort(h->verts, (size_t)total, sizeof(slong), slong_cmp);
    for (i = 0; i < total; i++)
        if (n == 0 || h->verts[n - 1] != h->verts[i])
            h->verts[n++] = h->verts[i];
    h->nverts = n;
    h->verts = trop_realloc(h->verts, (size_t)n * sizeof(slong));
}

/* ------------------------------------------------------------------ */
/* qhull's messages and exit codes                                    */

/* Copies into out the line of qhull's messages that explains the failure:
 * the first error line ("QH6nnn ..."), else the first line with a QH id
 * (warnings are "QH7nnn"), else the first non-empty line. */
static void hull_message_line(const char *msgs, char *out, size_t size)
{
    const char *best = NULL, *p, *e;
    size_t n;
    int pass;

    out[0] = '\0';
    if (msgs == NULL)
        return;
    for (pass = 0; pass < 3 && best == NULL; pass++) {
        for (p = msgs; *p != '\0'; p = (*e == '\n') ? e + 1 : e) {
            e = strchr(p, '\n');
            if (e == NULL)
                e = p + strlen(p);
            if ((pass == 0 && strncmp(p, "QH6", 3) == 0)
                || (pass == 1 && strncmp(p, "QH", 2) == 0)
                || (pass == 2 && e > p)) {
                best = p;
                break;
            }
        }
    }
    if (best == NULL)
        return;
    e = strchr(best, '\n');
    n = e ? (size_t)(e - best) : strlen(best);
    while (n > 0 && (best[n - 1] == ' ' || best[n - 1] == '\r' || best[n - 1] == '\t'))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(out, best, n);
    out[n] = '\0';
}

trop_status hull_status_of_exitcode(int exitcode)
{
    switch (exitcode) {
    case qh_ERRinput: return TROP_ERR_INVALID;
    case qh_ERRsingular: return TROP_ERR_DEGENERATE;
    case qh_ERRprec:
    case qh_ERRtopology:
    case qh_ERRwide: return TROP_ERR_PRECISION;
    case qh_ERRmem: return TROP_ERR_NOMEM;
    default: return TROP_ERR_QHULL;
    }
}

/* ------------------------------------------------------------------ */
/* Operations                                                         */

/* Points sharing one coordinate lie in a hyperplane.  qhull does not report
 * this uniformly (the first coordinate gives QH6013, an input error; all
 * points equal give QH6421, an internal error), so it is decided here,
 * exactly, before qhull runs.  With joggle, qhull is meant to perturb such
 * input into full dimension, so only "all points equal" is refused. */
static trop_status hull_check_widths(const double *pts, slong npts, slong dim, int joggle,
                                     trop_error *err)
{
    slong i, j, nflat = 0, flat = -1;
    for (j = 0; j < dim; j++) {
        for (i = 1; i < npts; i++)
            if (pts[i * dim + j] < pts[j] || pts[i * dim + j] > pts[j])
                break;
        if (i == npts) {
            nflat++;
            if (flat < 0)
                flat = j;
        }
    }
    if (nflat == dim)
        return trop_error_set(err, TROP_ERR_DEGENERATE, "hull", "all %ld points are equal",
                              (long)npts);
    if (nflat > 0 && !joggle)
        return trop_error_set(err, TROP_ERR_DEGENERATE, "hull",
                              "all %ld points have coordinate %ld equal to %g: "
                              "they lie in a hyperplane", (long)npts, (long)flat, pts[flat]);
    return TROP_OK;
}

trop_status hull_compute(trop_hull_t h, const double *pts, slong npts, slong dim,
                         const trop_hull_opts *opts, hull_memstat *ms, trop_error *err)
{
    char cmd[HULL_COMMAND_SIZE];
    char line[200];
    coordT *buf;
    qhT *qh;
    FILE *ef;
    char *msgs = NULL;
    size_t msgslen = 0;
    int exitcode, curlong = 0, totlong = 0, scanfail = 0;
    hull_scan scan;
    trop_status st = TROP_OK;
    slong i;

    TROP_ASSERT(h != NULL);
    if (ms != NULL)
        ms->curlong = ms->totlong = 0;
    hull_build_command(opts, cmd);

    /* Validate, then copy the points before h is touched, so pts may even
     * point into h's own arrays. */
    if (dim < 2 || dim > INT_MAX || npts <= dim || npts > INT_MAX
        || (size_t)npts > SIZE_MAX / sizeof(coordT) / (size_t)dim) {
        if (dim < 2)
            st = trop_error_set(err, TROP_ERR_INVALID, "hull", "dimension %ld < 2", (long)dim);
        else if (npts <= dim)
            st = trop_error_set(err, TROP_ERR_INVALID, "hull",
                                "%ld points in R^%ld: a full-dimensional hull needs at least %ld",
                                (long)npts, (long)dim, (long)dim + 1);
        else
            st = trop_error_set(err, TROP_ERR_INVALID, "hull",
                                "%ld points in R^%ld: too many for qhull", (long)npts, (long)dim);
    } else {
        TROP_ASSERT(pts != NULL);
        for (i = 0; i < npts * dim; i++)
            if (!isfinite(pts[i])) {
                st = trop_error_set(err, TROP_ERR_INVALID, "hull",
                                    "point %ld, coordinate %ld is not finite (%g)",
                                    (long)(i / dim), (long)(i % dim), pts[i]);
                break;
            }
        if (st == TROP_OK)
            st = hull_check_widths(pts, npts, dim, opts != NULL && opts->joggle, err);
    }
    if (st != TROP_OK) {
        hull_release(h);
        h->dim = dim;
        h->npts = npts;
        memcpy(h->command, cmd, sizeof cmd);
        return st;
    }

    buf = trop_malloc((size_t)npts * (size_t)dim * sizeof(coordT));
    memcpy(buf, pts, (size_t)npts * (size_t)dim * sizeof(coordT));
    hull_release(h);
    h->dim = dim;
    h->npts = npts;
    memcpy(h->command, cmd, sizeof cmd);

    ef = open_memstream(&msgs, &msgslen);
    if (ef == NULL) {
        trop_free(buf);
        return trop_error_set(err, TROP_ERR_NOMEM, "hull", "cannot open a stream for qhull's messages");
    }
    qh = trop_malloc(sizeof(qhT));
    qh_zero(qh, ef);

    scan.h = h;
    scan.nfacets = 0;
    scan.nincid = 0;
    scan.bad = 0;
    exitcode = qh_new_qhull(qh, (int)dim, (int)npts, buf, False, cmd, NULL, ef);
    if (exitcode == 0) {
        scanfail = hull_guarded(qh, hull_count, &scan);
        if (!scanfail && scan.nfacets > 0) {
            /* Our allocations happen here, between the two passes, outside
             * any setjmp block. */
            size_t nf = (size_t)scan.nfacets;
            h->nfacets = scan.nfacets;
            h->normals = trop_malloc(nf * (size_t)dim * sizeof(double));
            h->offsets = trop_malloc(nf * sizeof(double));
            h->fstart = trop_malloc(nf * sizeof(slong));
            h->nfv = trop_malloc(nf * sizeof(slong));
            h->fverts = trop_malloc((size_t)scan.nincid * sizeof(slong));
            scanfail = hull_guarded(qh, hull_fill, &scan);
        }
    }

    qh_freeqhull(qh, !qh_ALL);
    qh_memfreeshort(qh, &curlong, &totlong);
    trop_free(qh);
    trop_free(buf);
    if (ms != NULL) {
        ms->curlong = curlong;
        ms->totlong = totlong;
    }
    fclose(ef);   /* msgs is now NUL-terminated and owned by us */
    hull_message_line(msgs, line, sizeof line);

    if (exitcode != 0) {
        st = hull_status_of_exitcode(exitcode);
        if (line[0] != '\0')
            trop_error_set(err, st, "hull", "%s [%s]", line, cmd);
        else
            trop_error_set(err, st, "hull", "qhull exit code %d [%s]", exitcode, cmd);
    } else if (scanfail) {
        st = trop_error_set(err, TROP_ERR_QHULL, "hull", "error while reading qhull's facets: %s [%s]",
                            line[0] != '\0' ? line : "no message", cmd);
    } else if (scan.nfacets == 0 || scan.bad) {
        st = trop_error_set(err, TROP_ERR_QHULL, "hull",
                            "unexpected facet list from qhull (%ld facets%s) [%s]", (long)scan.nfacets,
                            scan.bad ? ", a facet without normal or a vertex that is not an input point" : "",
                            cmd);
    } else if (curlong != 0 || totlong != 0) {
        st = trop_error_set(err, TROP_ERR_QHULL, "hull",
                            "qhull did not free %d bytes of long memory (%d pieces) [%s]",
                            totlong, curlong, cmd);
    }
    free(msgs);   /* allocated by open_memstream, not by trop_malloc */

    if (st != TROP_OK) {
        hull_release(h);
        return st;
    }
    hull_finish(h);
    return TROP_OK;
}

trop_status trop_hull_compute(trop_hull_t h, const double *pts, slong npts, slong dim,
                              const trop_hull_opts *opts, trop_error *err)
{
    return hull_compute(h, pts, npts, dim, opts, NULL, err);
}
