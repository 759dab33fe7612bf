/* hull/hull-internal.h: private helpers of the hull module, shared with
 * tests/test_hull.c.  No qhull types here: qhull's headers stay inside
 * hull/qhull.c. */
#ifndef TROP_HULL_INTERNAL_H
#define TROP_HULL_INTERNAL_H

#include "trop/hull.h"

/* Room for a qhull command, terminating NUL included: the size of
 * trop_hull_struct.command. */
#define HULL_COMMAND_SIZE ((size_t)sizeof(((trop_hull_struct *)0)->command))

/* Writes the qhull command for opts into buf (HULL_COMMAND_SIZE bytes):
 * "qhull", then " Qt" when opts->triangulate, or " QJ" when opts->joggle
 * (joggled output is simplicial already, so QJ wins over Qt and Qt is not
 * passed).  opts may be NULL, meaning all options 0. */
void hull_build_command(const trop_hull_opts *opts, char *buf);

/* The status for a qhull exit code (qh_ERR... in libqhull_r.h): qh_ERRinput
 * (1) -> INVALID, qh_ERRsingular (2) -> DEGENERATE, qh_ERRprec (3),
 * qh_ERRtopology (7), qh_ERRwide (8) -> PRECISION, qh_ERRmem (4) -> NOMEM,
 * anything else -> QHULL. */
trop_status hull_status_of_exitcode(int exitcode);

/* qhull's leftover-memory counters after qh_freeqhull(!qh_ALL) and
 * qh_memfreeshort: both must be zero (both are 0 when qhull did not run). */
typedef struct hull_memstat {
    int curlong;  /* long-memory pieces not freed */
    int totlong;  /* bytes of long memory not freed */
} hull_memstat;

/* trop_hull_compute, also reporting qhull's leftover counters in *ms (ms may
 * be NULL).  Lets tests assert that every call, failing ones included,
 * frees all of qhull's memory. */
trop_status hull_compute(trop_hull_t h, const double *pts, slong npts, slong dim,
                         const trop_hull_opts *opts, hull_memstat *ms, trop_error *err);

#endif
