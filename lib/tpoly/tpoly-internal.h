/* tpoly-internal.h: private helpers shared by the tpoly files. */
#ifndef TROP_TPOLY_INTERNAL_H
#define TROP_TPOLY_INTERNAL_H
#include "trop/tpoly.h"

/* Pointer to the exponent row of term i. */
#define TPOLY_EXP(f, i) ((f)->exps + (i) * (f)->nvars)

/* Lexicographic comparison of two exponent rows of length n. */
int _tpoly_exp_cmp(const fmpq *a, const fmpq *b, slong n);

/* Exact phase-1 simplex deciding whether term i of the canonical f lies in
 * the convex hull of the other lifted points pushed down (see lp.c).  Works
 * on the coordinates J: [d] of the exponents (the affine hull of the
 * exponents projects injectively onto them).  Returns 1 if term i is
 * strictly maximal somewhere (x: [nvars], zero outside J, is set when not
 * NULL) and 0 otherwise (lambda: [length] set when not NULL). */
int _tpoly_lp_vertex(const trop_tpoly_t f, slong i, const slong *J, slong d,
                     fmpq *x, fmpq *lambda);

/* As _tpoly_lp_vertex, starting the column generation from the terms
 * hint: [nhint] (none equal to i; NULL allowed). */
int _tpoly_lp_vertex_hint(const trop_tpoly_t f, slong i, const slong *J, slong d,
                          const slong *hint, slong nhint, const double *fd, fmpq *x,
                          fmpq *lambda);

/* 1 if term i is dominated by a convex combination of the terms cols:
 * [ncols] (none equal to i), decided exactly by the same LP. */
int _tpoly_lp_dominated_by(const trop_tpoly_t f, slong i, const slong *J, slong d,
                           const slong *cols, slong ncols);

/* Exact affine hull of the exponents of f: returns its dimension d and sets
 * J[0..d-1] to pivot coordinates on which the affine hull projects
 * injectively.  J has room for nvars entries. */
slong _tpoly_affine_dim(const trop_tpoly_t f, slong *J);

/* Checks exactly (with a double filter first) that term i beats every other
 * term strictly at x: [nvars].  fd is NULL or the cache of _tpoly_dcache.
 * Returns 1 if so. */
int _tpoly_check_strict_max(const trop_tpoly_t f, slong i, const fmpq *x, const double *fd);

/* The terms of f as doubles (fmpq_get_d): [length x (nvars + 1)] row-major,
 * exponents then coefficient.  Ownership: the caller frees with trop_free. */
double *_tpoly_dcache(const trop_tpoly_t f);

/* Checks exactly that lambda: [length] (lambda_i = 0, lambda >= 0, sum 1)
 * has sum lambda_j a_j = a_i and sum lambda_j c_j >= c_i. */
int _tpoly_check_dominated(const trop_tpoly_t f, slong i, const fmpq *lambda);
/* trop_tpoly_prune that asks stop(arg) every 16 terms and returns
 * TROP_ERR_INTERRUPTED (f canonicalised, otherwise unchanged) when it says
 * yes: one pruning of a large set can take minutes. */
trop_status _trop_tpoly_prune_stoppable(trop_tpoly_t f, trop_prune_stats *stats,
                                        int (*stop)(void *), void *arg, trop_error *err);
#endif
