/* trop/region.h: activation regions of a network, on the plane and in n
 * dimensions.
 *
 * An activation region is a maximal connected set of inputs on which every
 * unit keeps one activation pattern (the sign of each ReLU or leaky ReLU
 * pre-activation, the arg max of each maxout unit); the network is affine
 * on it.
 *
 * On the plane (networks with two inputs, or a 2-D slice of a bigger one,
 * see trop_net_slice): trop_region2_count and its relatives enumerate them
 * exactly over the whole plane or a box or polygon (lib/region/exact2.c),
 * with linear and decision regions, areas, and the tropical rational
 * functions read off them.  trop_region2_set_enum is the older double
 * search: a search, not a proof (regions thinner than the rounding error
 * can be missed), kept as a second method for tests.
 *
 * In n dimensions (trop_regionn_*): exact enumeration inside a box or
 * polytope, or over all of R^n for small networks, with exact points,
 * maps, vertices, volumes, linear and decision regions (relu and leaky
 * layers; lib/region/regionn.c, vertn.c, linearn.c). */
#ifndef TROP_REGION_H
#define TROP_REGION_H

#include "trop/net.h"
#include "trop/tpoly.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The activation regions of a network with two inputs t = (t0, t1).
 * point: [nregions x 2] row-major, a point inside each region (double).
 * maps: [nregions x nout x 6] row-major: for region r and output unit o,
 *   maps[(r * nout + o) * 6 + 0..2] = (dP/dt0, dP/dt1, P(0)) of the affine
 *   piece of the unit's P on the region (Zhang's decomposition, the same
 *   P and Q as trop_trat_vec_set_net), and [3..5] the same for Q; double.
 * bounded: [nregions], 1 if the region is bounded.
 * per_layer: [nlayers], the number of activation regions of the first
 *   l + 1 layers (the refinement after layer l). */
typedef struct trop_region2_set_struct {
    slong nregions, nout, nlayers;
    double *point;
    double *maps;
    unsigned char *bounded;
    slong *per_layer;
} trop_region2_set_struct;
typedef trop_region2_set_struct trop_region2_set_t[1];

/* Options of trop_region2_set_enum.  max_regions: when > 0, stop with
 * TROP_ERR_LIMIT once a layer would produce more regions.  progress: when
 * not NULL, called now and then with the layer (1-based), the layer count
 * and the regions made so far in this layer; a nonzero answer stops the
 * enumeration with TROP_ERR_INTERRUPTED. */
typedef struct trop_region2_opts {
    slong max_regions;
    int (*progress)(slong layer, slong nlayers, slong regions, void *arg);
    void *progress_arg;
    slong threads;      /* trop_region2_count: 0 means one per processor */
    /* exact enumeration: the domain is further cut to the half-planes
     * a t0 + b t1 + c >= 0 of the rows of halfplanes: [nhalfplanes x 3]
     * (a polygon domain); NULL for none */
    const fmpq *halfplanes;
    slong nhalfplanes;
} trop_region2_opts;

/* Ownership: init makes an empty set; clear releases it. */
TROP_API void trop_region2_set_init(trop_region2_set_t s);
TROP_API void trop_region2_set_clear(trop_region2_set_t s);

/* Enumerates the activation regions of net over all of R^2 by refining
 * layer by layer: each region of the first l layers is cut by the lines
 * where the pre-activations of layer l + 1 change sign (for maxout, where
 * the arg max changes).  Regions are convex polygons in the oriented
 * projective plane (homogeneous vertices (x, y, w), w >= 0, w = 0 for
 * directions), so unbounded regions need no bounding box; the method and
 * its tolerances are in docs/region.md.  Ties are resolved as in
 * trop_trat_vec_set_net (z >= 0 counts as active, the lowest maxout index
 * wins), and a pre-activation that vanishes on a whole region does not cut
 * it.  opts may be NULL.
 * Errors: TROP_ERR_LIMIT (opts->max_regions), TROP_ERR_INTERRUPTED; s is
 * then empty.  Aborts if net->input_dim != 2 or net has no layers. */
TROP_API trop_status trop_region2_set_enum(trop_region2_set_t s, const trop_net_t net,
                                           const trop_region2_opts *opts, trop_error *err);

/* ---- Exact enumeration ---- */

/* One activation region as trop_region2_count hands it to a visitor.
 * branch[l][u]: the activation pattern, for unit u of layer l (units[l]
 * units): 1 if its pre-activation is >= 0 there, 0 if < 0; for maxout, the
 * arg max row 0..k-1.  map: [nout x 3] row-major, the exact affine map of
 * each output on the region, (d/dt0, d/dt1, value at 0), as numerators over
 * the positive denominator den.  bounded: 1 if the region is bounded.
 * Everything is borrowed for the visit. */
typedef struct trop_region2_rec_struct {
    slong nlayers;
    const slong *units;
    const slong *const *branch;
    slong nout;
    const fmpz *map;
    const fmpz *den;
    int bounded;
    const void *internal;
} trop_region2_rec_struct;

/* pt: [2], initialised by the caller = an exact rational point inside the
 * region: the mean of its finite vertices plus its ideal vertices'
 * directions (scaled to max norm 1), a positive combination of all its
 * generators. */
TROP_API void trop_region2_rec_point(fmpq *pt, const trop_region2_rec_struct *r);

/* The region's vertices, counter-clockwise: vertex k: [3] (initialised by
 * the caller) in homogeneous integer coordinates (x, y, w), the point
 * (x/w, y/w), or for w = 0 the direction (x, y) of an unbounded end. */
TROP_API slong trop_region2_rec_nvertices(const trop_region2_rec_struct *r);
TROP_API void trop_region2_rec_vertex(fmpz *v, const trop_region2_rec_struct *r, slong k);

/* area = the region's exact area and returns 1, or returns 0 (area
 * unchanged) if it is unbounded. */
TROP_API int trop_region2_rec_area(fmpq_t area, const trop_region2_rec_struct *r);

/* A visitor: a nonzero answer stops the visits (the counting goes on).
 * Visits come from several threads but never two at once. */
typedef int (*trop_region2_visit)(const trop_region2_rec_struct *r, void *arg);

/* Exact counts: regions (activation regions of the domain), bounded (of
 * those, the bounded ones), per_layer: [nlayers] regions after each layer.
 * Ownership: init/clear; trop_region2_count fills. */
typedef struct trop_region2_count_struct {
    slong regions, bounded, nlayers;
    slong *per_layer;
} trop_region2_count_struct;
typedef trop_region2_count_struct trop_region2_count_t[1];

TROP_API void trop_region2_count_init(trop_region2_count_t c);
TROP_API void trop_region2_count_clear(trop_region2_count_t c);

/* Enumerates the activation regions of a two-input network exactly, over
 * all of R^2 (box NULL) or inside box: [4] = lo0, hi0, lo1, hi1 (lo < hi),
 * with the exact engine of trop_trat_vec_set_net_regions (every cut decided
 * exactly; lib/region/exact2.c): the counts are exact, and a region touching
 * the box boundary counts once, clipped.  visit (may be NULL) sees every
 * region; opts may be NULL (threads, max_regions, progress).
 * Errors: TROP_ERR_LIMIT, TROP_ERR_INTERRUPTED (the counts are then
 * partial).  Aborts if net->input_dim != 2, net has no layers or box is
 * empty. */
TROP_API trop_status trop_region2_count(trop_region2_count_t res, const trop_net_t net,
                                        const fmpq *box, trop_region2_visit visit, void *arg,
                                        const trop_region2_opts *opts, trop_error *err);

/* As trop_region2_count (res, net, box, visit, arg, opts, errors), and
 * also the linear regions: maximal connected unions of activation regions
 * on which the network is one affine map (activation regions that share an
 * edge of positive length and have the same map are merged, transitively;
 * Serra et al. 2018 call both kinds "linear regions").  *linear counts them
 * for the whole output vector, per_output: [output_dim] for each output
 * alone.  Exact (lib/region/linear2.c); memory grows with the number of
 * region edges. */
TROP_API trop_status trop_region2_linear(trop_region2_count_t res, slong *linear,
                                         slong *per_output, const trop_net_t net,
                                         const fmpq *box, trop_region2_visit visit, void *arg,
                                         const trop_region2_opts *opts, trop_error *err);

/* Decision regions of a classifier on the plane: maximal connected sets on
 * which the arg max of the outputs is one class (ties to the lower
 * index); for a network with one output, the classes are output >= 0 and
 * output < 0.  res receives the counts of the network followed by that
 * arg max (its activation regions cut further where the class changes);
 * *decision the number of decision regions.  Exact, as
 * trop_region2_linear (same errors). */
TROP_API trop_status trop_region2_decision(trop_region2_count_t res, slong *decision,
                                           const trop_net_t net, const fmpq *box,
                                           const trop_region2_opts *opts, trop_error *err);

/* The linear regions over the plane of Zhang's P and Q of every output (as
 * functions): counts: [2 x output_dim], P of output o at 2 o, its Q at
 * 2 o + 1.  A convex piecewise-linear function has exactly one linear
 * region per term of its pruned form, so these must equal the term counts
 * of trop_trat_vec_set_net_regions: an independent check of the terms by
 * geometry (tropicalize --self-check).  Errors as trop_region2_linear. */
TROP_API trop_status trop_region2_pq_linear(slong *counts, const trop_net_t net,
                                            const trop_region2_opts *opts, trop_error *err);

/* ---- Tropical rational functions from regions ---- */

/* Options of trop_trat_vec_set_net_regions.  max_regions, progress,
 * progress_arg: as in trop_region2_opts (progress is called from one
 * thread).  certify: also run the independent completeness proof
 * trop_tpoly_certify2 on every P and Q with at most certify_max_terms terms
 * (0: no limit); it costs one exact evaluation of the network per vertex of
 * the terms' cells.  threads: threads for the enumeration (0: one per
 * processor online); the result does not depend on it. */
typedef struct trop_rconv_opts {
    int certify;
    slong max_regions;
    int (*progress)(slong layer, slong nlayers, slong regions, void *arg);
    void *progress_arg;
    slong certify_max_terms;
    slong threads;
} trop_rconv_opts;

/* What trop_trat_vec_set_net_regions did.  regions: activation regions
 * (exact count); per_layer: [nlayers], the regions after each layer
 * (allocated by the call; the caller frees it with trop_free); checks:
 * exact evaluations made by the proof; proven, unproven: of the
 * 2 x output_dim functions P and Q, how many the proof passed and how many
 * it did not run on (over the limit, or qhull's faces did not cover). */
typedef struct trop_rconv_info {
    slong regions, nlayers, checks, proven, unproven;
    slong *per_layer;
} trop_rconv_info;

/* Sets res[0 .. output_dim-1] to the tropical rational functions of the
 * outputs of a network with two inputs: the same functions, and the same
 * pruned terms, as trop_trat_vec_set_net, read off the activation regions
 * instead of multiplied out.  The regions of the whole plane are
 * enumerated exactly (every cut decided by a filtered predicate with an
 * exact fallback, lib/region/exact2.c), each carrying the exact pieces of
 * every P and Q; the distinct pieces are the terms, exact and complete.
 * Ownership: res is an array of output_dim trats initialised by the caller
 * with nvars = 2; opts and info may be NULL; info->per_layer is allocated
 * by the call.  Errors: TROP_ERR_LIMIT (max_regions), TROP_ERR_INTERRUPTED
 * (res is then zero); TROP_ERR_INTERNAL if the independent proof finds a
 * missing term (a bug); those of trop_tpoly_certify2.
 * Aborts if net->input_dim != 2. */
TROP_API trop_status trop_trat_vec_set_net_regions(trop_trat_struct *res, const trop_net_t net,
                                                   const trop_rconv_opts *opts,
                                                   trop_rconv_info *info, trop_error *err);

/* ---- Activation regions in n input dimensions ---- */

/* One activation region as trop_regionn_count hands it to a visitor.
 * branch[l][u]: the activation pattern, 1 if the pre-activation of unit u
 * of layer l (units[l] units; 0 for a linear layer) is >= 0 on the
 * region, 0 if < 0.  point: [dim] an exact rational point strictly inside
 * the region (certified: every defining inequality holds strictly there).
 * nrows: the number of inequalities kept for the region (the domain's and
 * those of the units that cut it; some may be redundant).  Everything is
 * borrowed for the visit. */
typedef struct trop_regionn_rec_struct {
    slong dim, nlayers;
    const slong *units;
    const slong *const *branch;
    const fmpq *point;
    const trop_net_struct *net;
    slong nrows;
    const void *internal;
} trop_regionn_rec_struct;

/* map: [output_dim x (dim + 1)] row-major, initialised by the caller = the
 * exact affine map of each output on the region (gradient, then the value
 * at 0), from an exact forward pass on the region's pattern. */
TROP_API void trop_regionn_rec_map(fmpq *map, const trop_regionn_rec_struct *r);

/* *verts = the region's vertices, exact: [count x dim] row-major, sorted
 * lexicographically, allocated by the call (free with _fmpq_vec_clear(
 * *verts, count * dim)); returns count, or -1 (and *verts NULL) when the
 * double guide did not lead to vertices that check exactly.  Each vertex
 * is solved exactly from dim independent inequalities tight there and
 * satisfies all of them; completeness rests on the guide, and is checked
 * globally by the volumes adding up (trop_regionn_rec_volume). */
TROP_API slong trop_regionn_rec_vertices(fmpq **verts, const trop_regionn_rec_struct *r);

/* vol = the region's volume, exact, from its exact vertices and qhull's
 * triangulation of their hull (each boundary simplex coned to the
 * region's point); returns 1, or 0 (vol then meaningless) when the
 * vertices or the hull failed.  Over a box the volumes of all regions must
 * add up to the box's: the check that the vertex sets were complete. */
TROP_API int trop_regionn_rec_volume(fmpq_t vol, const trop_regionn_rec_struct *r);

/* A visitor: a nonzero answer stops the visits (the counting goes on).
 * Visits come from several threads but never two at once. */
typedef int (*trop_regionn_visit)(const trop_regionn_rec_struct *r, void *arg);

/* Options of trop_regionn_count (all may be 0).  threads: 0 means one per
 * processor online.  max_regions: stop with TROP_ERR_LIMIT past it.
 * progress: called now and then from one thread with the layer-0 regions
 * whose subtrees are done, their total, and the regions found so far; a
 * nonzero answer stops with TROP_ERR_INTERRUPTED.  halfspaces:
 * [nhalfspaces x (dim + 1)] rows (a, c) keeping a . x + c >= 0, cutting the
 * box to a polytope. */
typedef struct trop_regionn_opts {
    slong threads, max_regions;
    int (*progress)(slong done, slong total, slong regions, void *arg);
    void *progress_arg;
    const fmpq *halfspaces;
    slong nhalfspaces;
} trop_regionn_opts;

/* Counts of trop_regionn_count.  regions: activation regions of the
 * domain, bounded: how many of them are bounded; per_layer: [nlayers] regions after each layer; seeds: the
 * regions of layer 0 (the units of work) and done: how many of their
 * subtrees were finished; complete: 1 if nothing was cut short (else the
 * counts are partial); seeds_complete: 1 if the layer-0 pass finished
 * (per_layer[0] = seeds is then exact even when complete is 0; if not,
 * no subtree was started); filtered, exact: how
 * many cut decisions the double certificates settled and how many needed
 * the exact LP.  Ownership: init/clear. */
typedef struct trop_regionn_count_struct {
    slong regions, bounded, nlayers;
    slong *per_layer;
    slong seeds, done;
    int complete, seeds_complete;
    slong filtered, exact;
} trop_regionn_count_struct;
typedef trop_regionn_count_struct trop_regionn_count_t[1];

TROP_API void trop_regionn_count_init(trop_regionn_count_t r);
TROP_API void trop_regionn_count_clear(trop_regionn_count_t r);

/* Enumerates the activation regions of a ReLU / leaky-ReLU network with
 * dim = net->input_dim >= 2 inputs inside box: [2 dim] = lo0, hi0, lo1,
 * hi1, ... (lo < hi), or over all of R^dim (box NULL: unbounded regions
 * included; every decision then goes to the exact LP, and boundedness is
 * decided by 2 dim exact LPs per region, so this is for small networks),
 * optionally cut by opts->halfspaces.  Exact: a unit
 * is said to cut a region only with a rational point strictly inside each
 * side, and said not to cut it only with a Farkas-type certificate whose
 * rounding is bounded, or after an exact LP (lib/region/regionn.c;
 * docs/region.md, "n dimensions").  Ties as trop_region2_count (z >= 0 is
 * active); a region touching the domain's boundary counts once, clipped.
 * visit (may be NULL) sees every region.
 * Errors: TROP_ERR_INVALID (a maxout layer: use a plane), TROP_ERR_LIMIT,
 * TROP_ERR_INTERRUPTED (counts partial, res->complete 0).
 * Aborts if dim < 2, net has no layers, or the box is empty. */
TROP_API trop_status trop_regionn_count(trop_regionn_count_t res, const trop_net_t net,
                                        const fmpq *box, trop_regionn_visit visit, void *arg,
                                        const trop_regionn_opts *opts, trop_error *err);

/* As trop_regionn_count (same arguments and errors), and also the linear
 * regions in n dimensions: activation regions that share a facet and have
 * the same affine map merged, transitively; *linear for the output vector,
 * per_output: [output_dim] (may be NULL) for each output alone.  Facets
 * come from the exact vertices; the neighbour across a facet is found by
 * exact symbolic perturbation at points of the facet's relative interior
 * (lib/region/linearn.c, which says when that sees every neighbour).
 * Further errors: TROP_ERR_PRECISION (a region's exact vertices could not
 * be found), TROP_ERR_INTERNAL (a neighbour's pattern is unknown: a bug).
 * Memory grows with the regions and their facets; the exact vertices make
 * it much slower than the count. */
TROP_API trop_status trop_regionn_linear(trop_regionn_count_t res, slong *linear,
                                         slong *per_output, const trop_net_t net,
                                         const fmpq *box, trop_regionn_visit visit, void *arg,
                                         const trop_regionn_opts *opts, trop_error *err);

/* The linear regions over all of R^dim of Zhang's P and Q of every output
 * (as functions), counts: [2 x output_dim], P of output o at 2 o, its Q at
 * 2 o + 1, for a network with dim >= 2 inputs.  P and Q are convex, so a
 * linear region is exactly the set where one affine piece is P, and their
 * number is the number of distinct pieces of P over the activation regions
 * (read exactly at each region's point with trop_pqnet_piece).  It must
 * equal the term count of the pruned P from trop_trat_vec_set_net: an
 * independent check of the terms by geometry (tropicalize --self-check).
 * Enumerates R^dim in the exact mode of trop_regionn_count: for small
 * networks.  Errors: those of trop_regionn_count, TROP_ERR_PRECISION (a
 * region's point lies on a unit's zero set, which needs a unit identically
 * 0 on a region). */
TROP_API trop_status trop_regionn_pq_pieces(slong *counts, const trop_net_t net,
                                            const trop_regionn_opts *opts, trop_error *err);

/* Decision regions of a classifier in n dimensions: maximal connected sets
 * on which the arg max of the outputs is one class (ties to the lower
 * index; for one output, output >= 0 and output < 0), as
 * trop_region2_decision on the plane.  res receives the counts of the
 * network followed by one relu unit per pair of outputs (its activation
 * regions cut where the class changes); *decision the number of decision
 * regions, merged across facets as in trop_regionn_linear (same errors). */
TROP_API trop_status trop_regionn_decision(trop_regionn_count_t res, slong *decision,
                                           const trop_net_t net, const fmpq *box,
                                           const trop_regionn_opts *opts, trop_error *err);

#ifdef __cplusplus
}
#endif
#endif
