/* region-internal.h: private interface between the region files. */
#ifndef TROP_REGION_INTERNAL_H
#define TROP_REGION_INTERNAL_H
#include "trop/pqnet.h"
#include "trop/region.h"

/* One activation region, handed to the emit callback: the exact pieces of
 * every output, P, Q: [nout x 4N] limbs, each piece the four nonnegative
 * N-limb columns (dP/dt0, dP/dt1, c+, c-), P = dP/dt0 t0 + dP/dt1 t1 +
 * c+ - c-, over the common denominator e->den of the trop_pqnet_struct
 * (limbs.c); br[l][u]: the branch of unit u of layer l (1: z >= 0, 0:
 * z < 0; maxout: the arg max row); poly: the region, for the accessors
 * below.  Everything is borrowed for the call. */
typedef struct {
    const mp_limb_t *P, *Q;
    slong nout, N;
    const slong *const *br;
    const void *poly;
} trop_xregion2_rec;

typedef void (*trop_xregion2_emit)(const trop_xregion2_rec *r, void *arg);

/* 1 if the region is bounded. */
int _trop_xregion2_bounded(const trop_xregion2_rec *r);
/* pt: [2] = an exact rational point inside the region. */
void _trop_xregion2_point(fmpq *pt, const trop_xregion2_rec *r);
/* The number of edges of the region, and edge k: line: [3] = (a, b, c)
 * with the region on the side a t0 + b t1 + c >= 0 (integers), p, q: [3]
 * its endpoints in homogeneous integer coordinates (w = 0: a direction).
 * Returns 0 (and leaves the outputs) for an edge on the line at infinity. */
slong _trop_xregion2_nedges(const trop_xregion2_rec *r);
/* The vertices, counter-clockwise: vertex k: [3] homogeneous integers. */
slong _trop_xregion2_nverts(const trop_xregion2_rec *r);
void _trop_xregion2_vertex(fmpz *v, const trop_xregion2_rec *r, slong k);
int _trop_xregion2_edge(fmpz *line, fmpz *p, fmpz *q, const trop_xregion2_rec *r, slong k);

/* N, the limb width of the pieces that _trop_xregion2_enum emits for e. */
slong _trop_xregion2_width(const trop_pqnet_struct *e, const fmpq *box);

trop_status _trop_xregion2_enum(const trop_pqnet_struct *e, const trop_net_struct *fast,
                                const fmpq *box, trop_xregion2_emit emit, void **emit_args,
                                slong nthreads, slong *per_layer,
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

/* min_bits: values the limbs must also hold (box coordinates). */
void _xnet_init(_xnet *x, const trop_pqnet_struct *e, slong min_bits);
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

/* ---- regionn.c: what vertn.c needs of a visited n-D region ---- */

/* 1 if the units of layer L branch: relu, leaky with a slope other than 1
 * (slope 1 is the identity), maxout; 0 for linear layers. */
static inline int _trop_layer_branches(const trop_layer_struct *L)
{
    return L->act != TROP_ACT_LINEAR && !(L->act == TROP_ACT_LEAKY && fmpq_is_one(L->slope));
}


/* rows: [nrows x (dim+1)] (initialised) = the region's inequalities
 * rows[k] . (x, 1) >= 0, exact. */
void _trop_regionn_rows(fmpq *rows, const trop_regionn_rec_struct *r);
/* pat: [units] = the activation pattern of the points c + eps d for all
 * small eps > 0 (c: [dim] rationals, d: [dim] integers), exact: per unit
 * the sign of z(c), or if 0 the sign of grad z . d, or if both are 0 the
 * tie rule (active). */
void _trop_regionn_pattern_beyond(unsigned char *pat, const trop_regionn_rec_struct *r,
                                  const fmpq *c, const fmpz *d);
/* The unit of row k (>= 0), or -1 - j for row j of the domain. */
slong _trop_regionn_row_unit(const trop_regionn_rec_struct *r, slong k);
/* The double guide of the region (rebuilt by qhull if it had none): V
 * vertices *vx: [V x dim] and their tight rows *Z: [V x *words] bitsets;
 * both allocated with trop_malloc, freed by the caller with trop_free.
 * Returns V (0 if qhull failed too). */
slong _trop_regionn_guide(double **vx, ulong **Z, slong *words, const trop_regionn_rec_struct *r);

/* ---- qlp.c: the exact simplex of the n-D engine ---- */

/* Maximises obj . y over {y in Q^d : h_k . (y, 1) >= 0, k < m} with h: [m x
 * (d+1)] row-major (constant last), from y0: [d] with every h_k(y0) >= 0
 * (aborts otherwise).  Returns 0 with ystar: [d] an optimal vertex and
 * value = obj . ystar, or 1 if the maximum is unbounded.  Exact (fmpq
 * tableau, Bland's rule); meant for small m and d.  No aliasing. */
int _trop_qlp_max(fmpq *ystar, fmpq_t value, const fmpq *h, slong m, slong d,
                  const fmpq *obj, const fmpq *y0);
#endif
