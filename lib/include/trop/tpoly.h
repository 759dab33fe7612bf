/* trop/tpoly.h: tropical (max-plus) polynomials and tropical rational
 * functions with exact rational exponents and coefficients, and the
 * conversion of a network into one tropical rational function per output
 * (Zhang, Naitzat and Lim 2018, section 5; derivations in docs/tpoly.md). */
#ifndef TROP_TPOLY_H
#define TROP_TPOLY_H

#include "trop/q.h"
#include "trop/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types ---- */

/* A tropical polynomial f(x) = max_i <exps_i, x> + coefs_i in nvars
 * variables, a list of length terms.  Shapes: exps: [length x nvars]
 * row-major, coefs: [length] (alloc rows are initialised).  The empty list
 * is the tropical zero (f = -infinity).  A tpoly is canonical when its
 * exponents are distinct and sorted lexicographically increasing; every
 * operation below returns a canonical tpoly, and equal exponents keep the
 * larger coefficient. */
typedef struct trop_tpoly_struct {
    slong nvars;
    slong length, alloc;
    fmpq *exps;
    fmpq *coefs;
} trop_tpoly_struct;
typedef trop_tpoly_struct trop_tpoly_t[1];

/* A tropical rational function f = num (/) den, that is num(x) - den(x). */
typedef struct trop_trat_struct {
    trop_tpoly_t num, den;
} trop_trat_struct;
typedef trop_trat_struct trop_trat_t[1];

/* Statistics of a pruning (trop_tpoly_prune), cumulative when passed to
 * several calls.  input: terms before; kept/dropped: after; the three
 * counters tell which method certified them. */
typedef struct trop_prune_stats {
    slong input, kept, dropped;
    slong certified_qhull; /* decided by a qhull candidate + exact certificate */
    slong certified_exact; /* decided by exact 1-D/affine-hull code */
    slong certified_lp;    /* decided by the exact linear program */
} trop_prune_stats;

/* ---- Memory management ---- */

/* Ownership: init makes the tropical zero in nvars >= 0 variables; clear
 * releases it.  fit_length makes room for len terms. */
TROP_API void trop_tpoly_init(trop_tpoly_t f, slong nvars);
TROP_API void trop_tpoly_clear(trop_tpoly_t f);
TROP_API void trop_tpoly_fit_length(trop_tpoly_t f, slong len);
TROP_API void trop_tpoly_swap(trop_tpoly_t f, trop_tpoly_t g);

TROP_API void trop_trat_init(trop_trat_t f, slong nvars);
TROP_API void trop_trat_clear(trop_trat_t f);

/* ---- Assignment ---- */

/* f = g.  Aliasing: f may alias g.  Aborts if nvars differ. */
TROP_API void trop_tpoly_set(trop_tpoly_t f, const trop_tpoly_t g);
/* f = tropical zero (no terms). */
TROP_API void trop_tpoly_zero(trop_tpoly_t f);
/* f = tropical one: the single term 0 (exponent 0, coefficient 0). */
TROP_API void trop_tpoly_one(trop_tpoly_t f);
/* f = c (.) x^a: one term.  Shapes: a: [nvars] (NULL means 0). */
TROP_API void trop_tpoly_set_term(trop_tpoly_t f, const fmpq *a, const fmpq_t c);
/* Appends a term without canonicalising (for builders); call
 * trop_tpoly_canonicalise afterwards.  Shapes: a: [nvars]. */
TROP_API void trop_tpoly_push_term(trop_tpoly_t f, const fmpq *a, const fmpq_t c);
/* Sorts the exponents and merges equal ones keeping the larger
 * coefficient. */
TROP_API void trop_tpoly_canonicalise(trop_tpoly_t f);

/* ---- Comparison ---- */

/* 1 if f and g have the same term list (both canonical). */
TROP_API int trop_tpoly_equal(const trop_tpoly_t f, const trop_tpoly_t g);

/* ---- Tropical arithmetic ---- */

/* f = g (+) h = max(g, h): the union of the term lists.
 * Aliasing: f may alias g or h. */
TROP_API void trop_tpoly_add(trop_tpoly_t f, const trop_tpoly_t g, const trop_tpoly_t h);
/* f = g (.) h = g + h: the Minkowski sum of the term sets (all pairwise
 * sums; length(g) * length(h) terms before merging, no pruning).
 * Aliasing: f may alias g or h. */
TROP_API void trop_tpoly_mul(trop_tpoly_t f, const trop_tpoly_t g, const trop_tpoly_t h);
/* f = c (.) g = g + c (every coefficient plus c).  Aliasing: f may alias g. */
TROP_API void trop_tpoly_add_const(trop_tpoly_t f, const trop_tpoly_t g, const fmpq_t c);
/* f = g^(.s) = s * g for a rational s >= 0 (exponents and coefficients
 * times s; s = 0 gives the tropical one, for a nonzero g).
 * Aliasing: f may alias g.  Aborts if s < 0. */
TROP_API void trop_tpoly_pow(trop_tpoly_t f, const trop_tpoly_t g, const fmpq_t s);

/* ---- Evaluation ---- */

/* res = f(x) = max_i <a_i, x> + c_i exactly.  Shapes: x: [nvars].  Returns
 * 0 and leaves res unchanged if f is the tropical zero, else 1 (and, when
 * argmax is not NULL, sets *argmax to the index of the first maximal term). */
TROP_API int trop_tpoly_eval_q(fmpq_t res, const trop_tpoly_t f, const fmpq *x,
                               slong *argmax);
/* res = f(x) in double (rounded).  Returns -HUGE_VAL for the tropical zero. */
TROP_API double trop_tpoly_eval_d(const trop_tpoly_t f, const double *x);

/* A tropical polynomial prepared for exact evaluation at many points: its
 * terms rounded to double, which decide in double (with a proven error
 * bound) which few terms can be maximal, so only those are evaluated
 * exactly (lib/tpoly/feval.c).  Ownership: init borrows f, which must not
 * change or go away before clear.  Not for two threads at
 * once. */
typedef struct trop_tpoly_feval_struct {
    const trop_tpoly_struct *f;
    double *d;       /* [length x (nvars + 1)]: exponents, then coefficient */
    slong *cand;     /* [length] scratch */
    double *hi;      /* [length] scratch */
    int finite;      /* every term fits a double with room to spare */
} trop_tpoly_feval_struct;
typedef trop_tpoly_feval_struct trop_tpoly_feval_t[1];

TROP_API void trop_tpoly_feval_init(trop_tpoly_feval_t e, const trop_tpoly_t f);
TROP_API void trop_tpoly_feval_clear(trop_tpoly_feval_t e);
/* res = f(x) exactly, as trop_tpoly_eval_q (returns 0 for the tropical
 * zero).  Falls back to the plain exact evaluation when a term or x does not
 * fit a double.  Shapes: x: [nvars]. */
TROP_API int trop_tpoly_feval_q(fmpq_t res, const trop_tpoly_feval_t e, const fmpq *x);

/* res = num(x) - den(x) exactly.  Aborts if num or den is the tropical
 * zero. */
TROP_API void trop_trat_eval_q(fmpq_t res, const trop_trat_t f, const fmpq *x);

/* ---- Pruning ---- */

/* Removes from f every term that is not strictly maximal on a
 * full-dimensional subset of R^nvars, i.e. keeps exactly the vertices of the
 * upper hull of the lifted points (a_i, c_i).  f is canonicalised first.
 * qhull proposes the answer when the affine hull of the exponents has
 * dimension >= 2; every kept term is certified by a rational point where it
 * beats every other term strictly, every dropped term by a convex
 * combination of other terms that dominates it; what the certificates
 * cannot settle is decided by an exact linear program.  The function value
 * f(x) is unchanged.  stats may be NULL (else it is added to).
 * Errors: TROP_ERR_INTERNAL if a certificate check fails (a bug).
 * Aliasing: in place. */
TROP_API trop_status trop_tpoly_prune(trop_tpoly_t f, trop_prune_stats *stats,
                                      trop_error *err);

/* The reference pruning: one exact linear program per term, no qhull.
 * Same contract as trop_tpoly_prune; slow (for tests and small inputs). */
TROP_API trop_status trop_tpoly_prune_lp(trop_tpoly_t f, trop_prune_stats *stats,
                                         trop_error *err);

/* Decides exactly whether term i of the canonical f is strictly maximal on
 * an open set.  Returns 1 (and, when x is not NULL, a point x: [nvars] where
 * term i beats all others strictly) or 0 (and, when lambda is not NULL, a
 * convex combination lambda: [length], lambda_i = 0, with
 * sum lambda_j a_j = a_i and sum lambda_j c_j >= c_i).  x and lambda are
 * initialised by the caller. */
TROP_API int trop_tpoly_term_is_vertex(const trop_tpoly_t f, slong i, fmpq *x,
                                       fmpq *lambda);

/* ---- Certificates ---- */

/* An exact oracle for a convex piecewise-linear function f of nvars
 * variables: sets val = f(x) when recession is 0, and the recession
 * function f_inf(x) = lim_{s -> inf} f(s x) / s when it is 1.
 * Shapes: x: [nvars]. */
typedef void (*trop_tpoly_oracle)(fmpq_t val, const fmpq *x, int recession, void *arg);

/* Proves f = T, where T is a canonical pruned tropical polynomial in two
 * variables whose terms are all terms of f (each equals f on an open set),
 * by checking f at the vertices and rays of the cells of T (the dual
 * subdivision, proposed by qhull and verified exactly; the argument is in
 * docs/tpoly.md and lib/tpoly/certify.c).  Sets *certified to 1 when
 * proven; to 0 when a check found a point witness: [2] (initialised by
 * the caller) where f > T, so a term of f is missing there; to -1 when
 * neither (qhull's faces did not cover the Newton polygon).  checks, when
 * not NULL, is increased by the number of oracle calls.
 * Errors: those of trop_hull_compute other than DEGENERATE and PRECISION
 * (which give *certified = -1).  Aborts if T->nvars != 2 or T is empty. */
TROP_API trop_status trop_tpoly_certify2(int *certified, fmpq *witness, const trop_tpoly_t T,
                                         trop_tpoly_oracle f, void *arg, slong *checks,
                                         trop_error *err);

/* ---- Networks ---- */

/* Options of trop_trat_vec_set_net.  prune: prune as you go (default 1).
 * progress: when not NULL, called after every pruning and after each unit
 * with the layer (1-based), the layer count, the unit in progress (1-based),
 * the layer width and the number of terms of the finished units of this
 * layer; a nonzero return stops the conversion.
 * output_stats: when not NULL, an array [output_dim] that receives the
 * pruning statistics of the last layer, output by output.
 * max_candidates: when > 0, a tropical product whose candidate term count
 * (the product of the two lengths) would exceed it stops the conversion
 * with TROP_ERR_LIMIT instead of exhausting memory. */
typedef struct trop_tconv_opts {
    int prune;
    slong max_candidates;
    int (*progress)(slong layer, slong nlayers, slong unit, slong width, slong terms,
                    void *arg);
    void *progress_arg;
    trop_prune_stats *output_stats;
} trop_tconv_opts;

/* Sets res[0 .. output_dim-1] to the tropical rational functions of the
 * outputs of net: output i equals num_i(x) - den_i(x) for every x in
 * R^input_dim.  The rules per activation are derived in docs/tpoly.md
 * (ReLU and the affine layer: Zhang, Naitzat and Lim 2018, section 5).
 * Ownership: res is an array of output_dim trats initialised by the caller
 * with nvars = input_dim.  opts may be NULL (defaults); stats may be NULL.
 * Errors: those of trop_tpoly_prune; TROP_ERR_INTERRUPTED when the progress
 * callback asked to stop, TROP_ERR_LIMIT for opts->max_candidates (res is
 * then left as tropical zeros). */
TROP_API trop_status trop_trat_vec_set_net(trop_trat_struct *res, const trop_net_t net,
                                           const trop_tconv_opts *opts,
                                           trop_prune_stats *stats, trop_error *err);

#ifdef __cplusplus
}
#endif
#endif
