/* trop/bound.h: theoretical bounds on the number of linear regions of a
 * ReLU or maxout network, from its architecture alone, as exact integers
 * (FLINT fmpz).  Every formula, its paper and theorem, and its
 * preconditions are in docs/bound.md. */
#ifndef TROP_BOUND_H
#define TROP_BOUND_H

#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include "trop/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types ---- */

typedef enum trop_bound_act {
    TROP_BOUND_RELU = 0,  /* max(0, z) */
    TROP_BOUND_MAXOUT     /* max of rank affine functions */
} trop_bound_act;

/* An architecture: n0 inputs, nlayers hidden layers of widths
 * widths[0..nlayers-1] (the paper's n_1..n_L), all with activation act
 * (rank k for maxout).  The output layer is linear and takes no part in the
 * bounds, so it is not described here.
 * Shapes: widths: [nlayers].
 * Ownership: a plain value; widths is borrowed, and must outlive every call
 * that receives the arch. */
typedef struct trop_bound_arch {
    slong n0;
    slong nlayers;
    const slong *widths;
    trop_bound_act act;
    slong rank;           /* k >= 2 for maxout; ignored for ReLU */
} trop_bound_arch;

/* Sanity limits of trop_bound_arch_check.  Every result is below
 * 2^(6 * 2^16) (about 120000 decimal digits), and the largest case allowed
 * takes seconds: the Serra et al. dynamic program holds min(n0, n_1..n_L)
 * integers of up to N bits, so the widths and N are bounded, while n0 alone
 * only enters through that minimum and may be larger (image inputs). */
#define TROP_BOUND_MAX_INPUTS ((slong)1 << 20) /* n0 */
#define TROP_BOUND_MAX_WIDTH ((slong)1 << 13)  /* every n_l */
#define TROP_BOUND_MAX_UNITS ((slong)1 << 16)  /* N = n_1 + ... + n_L */
#define TROP_BOUND_MAX_RANK ((slong)64)        /* maxout rank k */

/* Size of a buffer for the reason a bound does not apply. */
#define TROP_BOUND_WHY_LEN 160

/* What a bound says about the maximal number of regions R over all weights:
 * LOWER: R >= value; UPPER: R <= value; EXACT: R == value. */
typedef enum trop_bound_kind {
    TROP_BOUND_LOWER = 0,
    TROP_BOUND_UPPER,
    TROP_BOUND_EXACT
} trop_bound_kind;

/* The signature every bound shares.  Sets res to the bound and returns 1
 * when its preconditions hold; otherwise sets res to 0, returns 0 and, when
 * why is not NULL, writes the failed precondition into why (a buffer of
 * TROP_BOUND_WHY_LEN bytes, one line, no newline).
 * Aborts if the arch fails trop_bound_arch_check. */
typedef int (*trop_bound_fn)(fmpz_t res, const trop_bound_arch *a, char *why);

/* One entry of the table of bounds.  id: the bound's name, a stable key for
 * scripts ("serra2018_upper"); formula: the formula and its preconditions on
 * one line; source: paper and theorem.  Ownership: static, never freed. */
typedef struct trop_bound_info {
    const char *id;
    trop_bound_kind kind;
    const char *formula;
    const char *source;
    trop_bound_fn compute;
} trop_bound_info;

/* ---- Checking an architecture ---- */

/* Errors: TROP_ERR_INVALID if n0, nlayers or a width is below 1, act is
 * not a trop_bound_act, or the rank of a maxout arch is below 2; TROP_ERR_LIMIT above the TROP_BOUND_MAX_*
 * limits.  The message names the offending value ("hidden layer 2 has
 * width 0"). */
TROP_API trop_status trop_bound_arch_check(const trop_bound_arch *a, trop_error *err);

/* N = n_1 + ... + n_L, the number of hidden units. */
TROP_API slong trop_bound_arch_units(const trop_bound_arch *a);

/* ---- Operations ---- */

/* res = sum_{j=0}^{d} C(m, j): the number of regions of m hyperplanes in
 * general position in R^d (Zaslavsky 1975).  m, d >= 0; terms with j > m
 * are 0.  Aliasing: none (res is the only fmpz). */
TROP_API void trop_bound_arrangement(fmpz_t res, ulong m, ulong d);

/* The bounds.  Each has the trop_bound_fn contract above; the formula,
 * paper and theorem are in docs/bound.md and in the table below.
 * zaslavsky: exact for one hidden ReLU layer: sum_{j<=n0} C(n_1, j).
 * montufar2014_lower: prod_{l<L} floor(n_l/n0)^n0 * sum_{j<=n0} C(n_L, j),
 *   ReLU, needs n_l >= n0 for all l.
 * montufar2017_upper: prod_l sum_{j<=d_l} C(n_l, j), d_l = min(n0..n_l), ReLU.
 * serra_upper: sum over J of prod_l C(n_l, j_l), ReLU (Theorem 1).
 * serra_lower: prod_{l<L} (floor(n_l/n0)+1)^n0 * sum_{j<=n0} C(n_L, j),
 *   ReLU, needs n_l >= 3 n0 for all l (Theorem 6).
 * serra_maxout_upper: prod_l sum_{j<=d_l} C(k(k-1)/2 n_l, j), maxout.
 * trivial_upper: 2^N for ReLU, k^N for maxout (one region per activation
 *   pattern). */
TROP_API int trop_bound_zaslavsky(fmpz_t res, const trop_bound_arch *a, char *why);
TROP_API int trop_bound_montufar2014_lower(fmpz_t res, const trop_bound_arch *a, char *why);
TROP_API int trop_bound_montufar2017_upper(fmpz_t res, const trop_bound_arch *a, char *why);
TROP_API int trop_bound_serra_upper(fmpz_t res, const trop_bound_arch *a, char *why);
TROP_API int trop_bound_serra_lower(fmpz_t res, const trop_bound_arch *a, char *why);
TROP_API int trop_bound_serra_maxout_upper(fmpz_t res, const trop_bound_arch *a, char *why);
TROP_API int trop_bound_trivial_upper(fmpz_t res, const trop_bound_arch *a, char *why);

/* The table of all bounds above, in a fixed order (the order of reports).
 * Sets *len to its length.  Ownership: static, borrowed forever. */
TROP_API const trop_bound_info *trop_bound_table(slong *len);

#ifdef __cplusplus
}
#endif
#endif
