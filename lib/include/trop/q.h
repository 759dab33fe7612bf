/* trop/q.h: exact rational scalars over FLINT's fmpq, and the only place
 * where numbers cross between text, double and rational. */
#ifndef TROP_Q_H
#define TROP_Q_H

#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "trop/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sets res to the exact dyadic rational that the finite double d is
 * (0.1 becomes 3602879701896397/2^55).
 * Errors: TROP_ERR_INVALID if d is NaN or infinite (res is then 0). */
TROP_API trop_status trop_q_set_d(fmpq_t res, double d, trop_error *err);

/* Returns x as a double.  FLINT 2.9's fmpq_get_d truncates (rounds toward
 * zero), so the relative error is below 2^-52 (not 2^-53); values beyond the
 * double range give +-HUGE_VAL.  This rounds: never use it on a path that
 * must stay exact. */
TROP_API double trop_q_get_d(const fmpq_t x);

/* Parses the longest prefix of s that spells a decimal number
 * `[+-]digits[.digits][(e|E)[+-]digits]` (digits may be empty on one side of
 * the point, not both) and sets res to exactly that decimal: "0.1" is 1/10.
 * *end (when end is not NULL) points past the number.
 * Errors: TROP_ERR_FORMAT if s does not start with a number or the number is
 * malformed (a hex float, "1e", a missing digit); TROP_ERR_INVALID for
 * "nan", "inf", "infinity" (any case) and for a nonzero value that a
 * double parse would turn into infinity or zero (|x| >= DBL_MAX + ulp/2, or
 * |x| <= 2^-1075): such a value could not have come from a float network.
 * Everything in between, subnormals included, is kept exactly.  The message names what was found; callers prefix the
 * file and line. */
TROP_API trop_status trop_q_parse_decimal(fmpq_t res, const char *s,
                                          const char **end, trop_error *err);

/* Sets res from the whole string s: a decimal as in trop_q_parse_decimal, or
 * a rational "p/q" with integers p and q (q != 0, signs allowed on p).
 * Leading and trailing blanks are allowed.
 * Errors: as trop_q_parse_decimal, plus TROP_ERR_FORMAT for trailing text
 * and TROP_ERR_INVALID for a zero denominator. */
TROP_API trop_status trop_q_set_str(fmpq_t res, const char *s, trop_error *err);

/* Returns x in lowest terms as "p/q", or "p" when the denominator is 1.
 * Ownership: the caller frees the string with flint_free. */
TROP_API char *trop_q_get_str(const fmpq_t x);

/* res = round(x) to the nearest rational with denominator at most maxden
 * (continued fractions; ties to the smaller denominator).  maxden >= 1.
 * Aliasing: res may alias x. */
TROP_API void trop_q_limit_den(fmpq_t res, const fmpq_t x, const fmpz_t maxden);

/* res = <a, b> over len entries (FLINT's _fmpq_vec_dot, named here so the
 * exact modules share one spelling).  Aliasing: res must not alias a or b. */
TROP_API void _trop_qvec_dot(fmpq_t res, const fmpq *a, const fmpq *b, slong len);

/* v[i] = 0 for len entries. */
TROP_API void _trop_qvec_zero(fmpq *v, slong len);

/* res[i] = a[i] for len entries.  Aliasing: res may equal a. */
TROP_API void _trop_qvec_set(fmpq *res, const fmpq *a, slong len);

#ifdef __cplusplus
}
#endif
#endif
