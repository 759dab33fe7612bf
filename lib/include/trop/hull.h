/* trop/hull.h: convex hulls through qhull (libqhull_r).  This is the only
 * module that includes qhull; its answers are floating point and are meant
 * as a filter: callers certify them in exact arithmetic (see tpoly/prune.c). */
#ifndef TROP_HULL_H
#define TROP_HULL_H

#include "trop/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options turned into the qhull command by one function (hull_build_command
 * in hull/qhull.c).  triangulate: 'Qt' (every facet becomes a simplex of dim
 * vertices); joggle: 'QJ' (perturb the input; facets are then simplicial
 * too); merge: let qhull merge coplanar facets (default qhull behaviour);
 * when 0, 'Q0' is not used either; merging stays qhull's default. */
typedef struct trop_hull_opts {
    int triangulate;
    int joggle;
} trop_hull_opts;

/* A convex hull of npts points in R^dim (dim >= 2), in double.
 * Facet f has outward unit normal normals[f*dim .. f*dim+dim-1] and offset
 * offsets[f]: points p of the hull satisfy <normal, p> + offset <= 0, with
 * equality on the facet.  Its vertices are the nfv[f] indices (into the input
 * point array) fverts[fstart[f] .. fstart[f]+nfv[f]-1].  verts lists the
 * nverts indices of hull vertices, increasing.  command is the qhull command
 * that ran.  Ownership: init/clear; compute overwrites. */
typedef struct trop_hull_struct {
    slong dim, npts;
    slong nfacets;
    double *normals;   /* [nfacets x dim] row-major */
    double *offsets;   /* [nfacets] */
    slong *fstart;     /* [nfacets] */
    slong *nfv;        /* [nfacets] */
    slong *fverts;     /* [sum nfv] */
    slong nverts;
    slong *verts;      /* [nverts] */
    char command[64];
} trop_hull_struct;
typedef trop_hull_struct trop_hull_t[1];

TROP_API void trop_hull_init(trop_hull_t h);
TROP_API void trop_hull_clear(trop_hull_t h);

/* Computes the convex hull of pts: [npts x dim] row-major doubles.  The
 * points are copied; qhull runs in its own context and frees all its memory
 * before returning.  Errors: TROP_ERR_INVALID (dim < 2, npts <= dim, a
 * non-finite coordinate), TROP_ERR_DEGENERATE (qhull found the points
 * lower-dimensional: QH6154 and kin), TROP_ERR_PRECISION (qhull precision or
 * topology errors), TROP_ERR_NOMEM, TROP_ERR_QHULL (anything else); the
 * message keeps qhull's first line with its QHnnnn id. */
TROP_API trop_status trop_hull_compute(trop_hull_t h, const double *pts, slong npts,
                                       slong dim, const trop_hull_opts *opts,
                                       trop_error *err);

#ifdef __cplusplus
}
#endif
#endif
