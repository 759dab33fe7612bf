/* region-internal.h: private interface between the region files. */
#ifndef TROP_REGION_INTERNAL_H
#define TROP_REGION_INTERNAL_H
#include "trop/pqnet.h"
#include "trop/region.h"

/* Called once per activation region with the exact pieces of every output:
 * P, Q: [nout x 4N] limbs, each piece the four nonnegative N-limb columns
 * (dP/dt0, dP/dt1, c+, c-), P = dP/dt0 t0 + dP/dt1 t1 + c+ - c-, over the
 * common denominator e->den of the trop_pqnet_struct (limbs.c).  Borrowed
 * for the call. */
typedef void (*trop_xregion2_emit)(const mp_limb_t *P, const mp_limb_t *Q, slong nout, slong N,
                                   void *arg);

/* Exact enumeration of the activation regions of the two-input network
 * prepared in e over all of R^2 (exact2.c) on nthreads threads: thread t
 * calls emit(..., emit_args[t]) once per region it finds (so emit needs no
 * lock); per_layer: [e->nlayers] receives the number of regions after each
 * layer.  opts may be NULL (max_regions, progress as for
 * trop_region2_set_enum; progress is called from one thread only).
 * Errors: TROP_ERR_LIMIT, TROP_ERR_INTERRUPTED. */
/* N, the limb width of the pieces that _trop_xregion2_enum emits for e. */
slong _trop_xregion2_width(const trop_pqnet_struct *e);

trop_status _trop_xregion2_enum(const trop_pqnet_struct *e, trop_xregion2_emit emit,
                                void **emit_args, slong nthreads, slong *per_layer,
                                const trop_region2_opts *opts, trop_error *err);

/* ---- limbs.c: the pairs (P, Q) on fixed-width limb vectors ---- */

/* One layer of a trop_pqnet prepared for limb arithmetic: |W| as nw-limb
 * factors [nout x nin x nw] with signs wsg, |b| as N-limb values [nout x N]
 * with signs bsg, and the slope factors of the leaky rules. */
typedef struct {
    const trop_pqlayer_struct *L;
    slong nw;
    mp_limb_t *w;
    signed char *wsg;
    mp_limb_t *b;
    signed char *bsg;
    mp_limb_t *sd, *sn, *spl, *smi;
    slong nsd, nsn, nspl, nsmi;
} _xlayer;

/* A network for limb arithmetic.  A piece is 4 N-limb nonnegative
 * columns (d/dt0, d/dt1, c+, c-) with constant c = c+ - c-, on the integer
 * scale of the trop_pqnet (limbs.c explains why nothing is negative and
 * how N is bounded). */
typedef struct {
    slong N, nlayers;
    _xlayer *layers;
} _xnet;

void _xnet_init(_xnet *x, const trop_pqnet_struct *e);
void _xnet_clear(_xnet *x);
/* H, G: [4N] = the affine pair of row i of layer l from the previous
 * pieces P, Q: [nin x 4N]. */
void _xnet_affine_row(mp_limb_t *H, mp_limb_t *G, const _xnet *x, slong l, slong i,
                      const mp_limb_t *P, const mp_limb_t *Q);
/* P, Q: [4N] = one unit of layer l from its pairs H, G ([4N], or [k x 4N]
 * for maxout) on a branch (1: z >= 0, 0: z < 0; maxout: the arg max row). */
void _xnet_unit(mp_limb_t *P, mp_limb_t *Q, const mp_limb_t *H, const mp_limb_t *G,
                const _xnet *x, slong l, slong branch);
/* *s = sign of x - y, m = |x - y| (N limbs each). */
void _xlimbs_diff(int *s, mp_limb_t *m, const mp_limb_t *x, const mp_limb_t *y, slong N);
/* m ~ d * 2^e with d in [1/2, 1) (relative error below 2^-52); 0 for 0. */
double _xlimbs_get_d_2exp(slong *e, const mp_limb_t *m, slong N);
/* r = s * m. */
void _xlimbs_get_fmpz(fmpz_t r, int s, const mp_limb_t *m, slong N);
#endif
