/* region-internal.h: private interface between the region files. */
#ifndef TROP_REGION_INTERNAL_H
#define TROP_REGION_INTERNAL_H
#include "trop/pqnet.h"
#include "trop/region.h"

/* Called once per activation region with the exact pieces of every output:
 * P, Q: [nout x 3] integer columns (dP/dt0, dP/dt1, P(0)) over the common
 * denominator e->den of the trop_pqnet_struct.  Borrowed for the call. */
typedef void (*trop_xregion2_emit)(const fmpz *P, const fmpz *Q, slong nout, void *arg);

/* Exact enumeration of the activation regions of the two-input network
 * prepared in e over all of R^2 (exact2.c): emit is called once per region;
 * per_layer: [e->nlayers] receives the number of regions after each layer.
 * opts may be NULL (max_regions, progress as for trop_region2_set_enum).
 * Errors: TROP_ERR_LIMIT, TROP_ERR_INTERRUPTED. */
trop_status _trop_xregion2_enum(const trop_pqnet_struct *e, trop_xregion2_emit emit,
                                void *emit_arg, slong *per_layer, const trop_region2_opts *opts,
                                trop_error *err);
#endif
