/* bound.c: region-count bounds of ReLU and maxout architectures, exact in
 * fmpz.  Formulas, papers and theorems: docs/bound.md. */
#include <stdarg.h>
#include <stdio.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_vec.h>

#include "trop/bound.h"

/* ---- checking ---- */

trop_status trop_bound_arch_check(const trop_bound_arch *a, trop_error *err)
{
    slong l;
    if (a->n0 < 1)
        return trop_error_set(err, TROP_ERR_INVALID, "bound",
                              "input dimension n0 = %ld; it must be >= 1", a->n0);
    if (a->nlayers < 1)
        return trop_error_set(err, TROP_ERR_INVALID, "bound", "no hidden layer");
    if (a->act != TROP_BOUND_RELU && a->act != TROP_BOUND_MAXOUT)
        return trop_error_set(err, TROP_ERR_INVALID, "bound", "unknown activation %d",
                              (int)a->act);
    if (a->act == TROP_BOUND_MAXOUT && a->rank < 2)
        return trop_error_set(err, TROP_ERR_INVALID, "bound",
                              "maxout rank k = %ld; it must be >= 2", a->rank);
    if (a->n0 > TROP_BOUND_MAX_INPUTS)
        return trop_error_set(err, TROP_ERR_LIMIT, "bound",
                              "input dimension n0 = %ld is above the limit of %ld", a->n0,
                              TROP_BOUND_MAX_INPUTS);
    if (a->act == TROP_BOUND_MAXOUT && a->rank > TROP_BOUND_MAX_RANK)
        return trop_error_set(err, TROP_ERR_LIMIT, "bound",
                              "maxout rank k = %ld is above the limit of %ld", a->rank,
                              TROP_BOUND_MAX_RANK);
    for (l = 0; l < a->nlayers; l++) {
        if (a->widths[l] < 1)
            return trop_error_set(err, TROP_ERR_INVALID, "bound",
                                  "hidden layer %ld has width %ld; widths must be >= 1", l + 1,
                                  a->widths[l]);
        if (a->widths[l] > TROP_BOUND_MAX_WIDTH)
            return trop_error_set(err, TROP_ERR_LIMIT, "bound",
                                  "hidden layer %ld has width %ld, above the limit of %ld", l + 1,
                                  a->widths[l], TROP_BOUND_MAX_WIDTH);
    }
    /* every width is >= 1, so this also bounds nlayers */
    if (trop_bound_arch_units(a) > TROP_BOUND_MAX_UNITS)
        return trop_error_set(err, TROP_ERR_LIMIT, "bound",
                              "more than %ld hidden units", TROP_BOUND_MAX_UNITS);
    return TROP_OK;
}

slong trop_bound_arch_units(const trop_bound_arch *a)
{
    slong l, n = 0;
    /* stop once past the limit: the caller only needs to know that */
    for (l = 0; l < a->nlayers && n <= TROP_BOUND_MAX_UNITS; l++)
        n += a->widths[l];
    return n;
}

static void assert_valid(const trop_bound_arch *a)
{
    TROP_ASSERT(trop_bound_arch_check(a, NULL) == TROP_OK);
}

/* ---- helpers ---- */

static void why_set(char *why, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void why_set(char *why, const char *fmt, ...)
{
    va_list ap;
    if (why == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(why, TROP_BOUND_WHY_LEN, fmt, ap);
    va_end(ap);
}

/* The common "does not apply" exit: res = 0, reason already written. */
static int not_applicable(fmpz_t res)
{
    fmpz_zero(res);
    return 0;
}

/* 1 if the arch has activation act; else writes why and returns 0. */
static int needs_act(const trop_bound_arch *a, trop_bound_act act, char *why)
{
    if (a->act == act)
        return 1;
    why_set(why, act == TROP_BOUND_RELU ? "applies to ReLU networks, not to maxout"
                                        : "applies to maxout networks, not to ReLU");
    return 0;
}

/* 1 if every hidden width is >= minw; else writes why naming the first
 * narrower layer (1-based, as in the papers) and returns 0. */
static int needs_width(const trop_bound_arch *a, slong minw, const char *what, char *why)
{
    slong l;
    for (l = 0; l < a->nlayers; l++)
        if (a->widths[l] < minw) {
            why_set(why, "needs n_l >= %s = %ld in every hidden layer; n_%ld = %ld", what, minw,
                    l + 1, a->widths[l]);
            return 0;
        }
    return 1;
}

/* row: [top + 1] = C(n, 0), ..., C(n, top) (top <= n), from
 * C(n, j) = C(n, j - 1) * (n - j + 1) / j, where the division is exact.
 * One bignum-by-word step per entry: calling fmpz_bin_uiui for every entry
 * redoes the whole product each time (1.5 s for a row of 30000, against
 * 0.1 s here). */
static void binomial_row(fmpz *row, ulong n, ulong top)
{
    ulong j;
    fmpz_one(row);
    for (j = 1; j <= top; j++) {
        fmpz_mul_ui(row + j, row + j - 1, n - j + 1);
        fmpz_divexact_ui(row + j, row + j, j);
    }
}

void trop_bound_arrangement(fmpz_t res, ulong m, ulong d)
{
    /* C(m, j) = 0 for j > m, so the sum stops at min(m, d); the binomials
     * are made as in binomial_row but not kept, since a maxout layer's m
     * makes each of them long */
    ulong j, top = FLINT_MIN(m, d);
    fmpz_t c;
    fmpz_init_set_ui(c, 1);
    fmpz_one(res);
    for (j = 1; j <= top; j++) {
        fmpz_mul_ui(c, c, m - j + 1);
        fmpz_divexact_ui(c, c, j);
        fmpz_add(res, res, c);
    }
    fmpz_clear(c);
}

/* res = prod_l sum_{j=0}^{d_l} C(mult * n_l, j), d_l = min(n0, n_1..n_l):
 * Montufar 2017 with mult = 1, Serra et al. Theorem 8 with mult = k(k-1)/2
 * (each maxout unit acts like the k(k-1)/2 hyperplanes between its
 * pieces). */
static void product_of_arrangements(fmpz_t res, const trop_bound_arch *a, ulong mult)
{
    slong l, d = a->n0;
    fmpz_t f;
    fmpz_init(f);
    fmpz_one(res);
    for (l = 0; l < a->nlayers; l++) {
        d = FLINT_MIN(d, a->widths[l]);
        trop_bound_arrangement(f, mult * (ulong)a->widths[l], (ulong)d);
        fmpz_mul(res, res, f);
    }
    fmpz_clear(f);
}

/* res = prod_{l<L} (floor(n_l/n0) + extra)^n0 * sum_{j<=n0} C(n_L, j): the
 * replicated 1-D constructions of Montufar et al. 2014 (extra = 0) and of
 * Serra et al. Theorem 6 (extra = 1). */
static void replicated_lower(fmpz_t res, const trop_bound_arch *a, ulong extra)
{
    slong l, L = a->nlayers;
    fmpz_t f;
    fmpz_init(f);
    trop_bound_arrangement(res, (ulong)a->widths[L - 1], (ulong)a->n0);
    for (l = 0; l < L - 1; l++) {
        fmpz_set_ui(f, (ulong)(a->widths[l] / a->n0) + extra);
        fmpz_pow_ui(f, f, (ulong)a->n0);
        fmpz_mul(res, res, f);
    }
    fmpz_clear(f);
}

/* ---- the bounds ---- */

int trop_bound_zaslavsky(fmpz_t res, const trop_bound_arch *a, char *why)
{
    assert_valid(a);
    if (!needs_act(a, TROP_BOUND_RELU, why))
        return not_applicable(res);
    if (a->nlayers != 1) {
        why_set(why, "counts one hidden layer; this network has %ld", a->nlayers);
        return not_applicable(res);
    }
    trop_bound_arrangement(res, (ulong)a->widths[0], (ulong)a->n0);
    return 1;
}

int trop_bound_montufar2014_lower(fmpz_t res, const trop_bound_arch *a, char *why)
{
    assert_valid(a);
    if (!needs_act(a, TROP_BOUND_RELU, why) || !needs_width(a, a->n0, "n0", why))
        return not_applicable(res);
    replicated_lower(res, a, 0);
    return 1;
}

int trop_bound_montufar2017_upper(fmpz_t res, const trop_bound_arch *a, char *why)
{
    assert_valid(a);
    if (!needs_act(a, TROP_BOUND_RELU, why))
        return not_applicable(res);
    product_of_arrangements(res, a, 1);
    return 1;
}

int trop_bound_serra_lower(fmpz_t res, const trop_bound_arch *a, char *why)
{
    assert_valid(a);
    if (!needs_act(a, TROP_BOUND_RELU, why) || !needs_width(a, 3 * a->n0, "3 n0", why))
        return not_applicable(res);
    replicated_lower(res, a, 1);
    return 1;
}

int trop_bound_serra_maxout_upper(fmpz_t res, const trop_bound_arch *a, char *why)
{
    ulong k;
    assert_valid(a);
    if (!needs_act(a, TROP_BOUND_MAXOUT, why))
        return not_applicable(res);
    k = (ulong)a->rank;
    product_of_arrangements(res, a, k * (k - 1) / 2);
    return 1;
}

int trop_bound_trivial_upper(fmpz_t res, const trop_bound_arch *a, char *why)
{
    (void)why;   /* always applies */
    assert_valid(a);
    /* a region is one activation pattern: each unit picks one of its 2
     * (ReLU) or k (maxout) pieces */
    fmpz_set_ui(res, a->act == TROP_BOUND_RELU ? 2 : (ulong)a->rank);
    fmpz_pow_ui(res, res, (ulong)trop_bound_arch_units(a));
    return 1;
}

/* ---- Serra et al. Theorem 1 by dynamic programming ----
 *
 * J asks 0 <= j_l <= min(n0, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l).  Let
 * m_l = min(n0, n_1 - j_1, ..., n_l - j_l) be the running minimum (m_0 = n0),
 * so that j_l <= min(m_{l-1}, n_l) and m_l = min(m_{l-1}, n_l - j_l).  The
 * sum over J only depends on a prefix (j_1..j_l) through m_l, so
 * dp_l[m] = sum over prefixes with m_l = m of prod C(n_i, j_i)
 * obeys dp_0 = [m = n0] and
 *   dp_l[m'] = sum_m dp_{l-1}[m] * sum_{j <= min(m, n), min(m, n - j) = m'} C(n, j),
 * n = n_l, and the bound is sum_m dp_L[m].  m_l <= d_l = min(n0, n_1..n_l).
 *
 * Per state m the j split in two ranges:
 *   j <= n - m: m' = m ("stay"), weight P(min(m, n - m)) with
 *     P(x) = sum_{j<=x} C(n, j) (empty when m > n);
 *   j > n - m: m' = t = n - j < m ("move"), weight C(n, j) = C(n, t).
 * A move lands on t from every m >= max(t + 1, n - t), so with suffix sums
 * S(m) = sum_{m'' >= m} dp[m''] it is C(n, t) * S(max(t + 1, n - t)).  A layer
 * costs O(d) big-integer operations instead of O(d^2), and the whole bound
 * O(L d) instead of the |J| terms of the plain sum. */

typedef struct {
    fmpz *dp, *next, *suffix, *binom, *prefix;  /* each [cap + 2] */
    slong cap;
} serra_dp;

static void serra_dp_init(serra_dp *s, slong cap)
{
    s->cap = cap;
    s->dp = _fmpz_vec_init(cap + 2);
    s->next = _fmpz_vec_init(cap + 2);
    s->suffix = _fmpz_vec_init(cap + 2);
    s->binom = _fmpz_vec_init(cap + 2);
    s->prefix = _fmpz_vec_init(cap + 2);
}

static void serra_dp_clear(serra_dp *s)
{
    _fmpz_vec_clear(s->dp, s->cap + 2);
    _fmpz_vec_clear(s->next, s->cap + 2);
    _fmpz_vec_clear(s->suffix, s->cap + 2);
    _fmpz_vec_clear(s->binom, s->cap + 2);
    _fmpz_vec_clear(s->prefix, s->cap + 2);
}

/* One layer of width n on states 0..M (M <= cap); the new states are
 * 0..min(M, n). */
static void serra_dp_layer(serra_dp *s, slong M, slong n)
{
    slong m, t, top = FLINT_MIN(M, n);
    fmpz *tmp;
    binomial_row(s->binom, (ulong)n, (ulong)top);
    fmpz_set(s->prefix, s->binom);
    for (m = 1; m <= top; m++)
        fmpz_add(s->prefix + m, s->prefix + m - 1, s->binom + m);
    fmpz_zero(s->suffix + M + 1);
    for (m = M; m >= 0; m--)
        fmpz_add(s->suffix + m, s->suffix + m + 1, s->dp + m);
    _fmpz_vec_zero(s->next, M + 1);
    for (m = 0; m <= top; m++)   /* stay: m <= n here */
        fmpz_mul(s->next + m, s->dp + m, s->prefix + FLINT_MIN(m, n - m));
    for (t = 0; t <= FLINT_MIN(n, M - 1); t++) {   /* move */
        slong from = FLINT_MAX(t + 1, n - t);
        if (from <= M)
            fmpz_addmul(s->next + t, s->binom + t, s->suffix + from);
    }
    /* next holds the states 0..top (moves land on t <= top too) */
    tmp = s->dp;
    s->dp = s->next;
    s->next = tmp;
}

int trop_bound_serra_upper(fmpz_t res, const trop_bound_arch *a, char *why)
{
    serra_dp s;
    slong l, M;
    assert_valid(a);
    if (!needs_act(a, TROP_BOUND_RELU, why))
        return not_applicable(res);
    /* the first layer treats m_0 = n0 and m_0 = min(n0, n_1) alike (j_1 <=
     * n_1 and n_1 - j_1 <= n_1), so the states never exceed d_1 */
    M = FLINT_MIN(a->n0, a->widths[0]);
    serra_dp_init(&s, M);
    fmpz_one(s.dp + M);
    for (l = 0; l < a->nlayers; l++) {
        serra_dp_layer(&s, M, a->widths[l]);
        M = FLINT_MIN(M, a->widths[l]);
    }
    _fmpz_vec_sum(res, s.dp, M + 1);
    serra_dp_clear(&s);
    return 1;
}

/* ---- the table ---- */

#define SERRA2018 "Serra, Tjandraatmadja, Ramalingam 2018, Bounding and counting linear " \
                  "regions of deep neural networks, ICML"

static const trop_bound_info bound_table[] = {
    {"zaslavsky", TROP_BOUND_EXACT,
     "regions of n_1 hyperplanes in general position in R^n0 (one hidden ReLU layer)",
     "Zaslavsky 1975, Facing up to arrangements, Mem. AMS 154; exact for one hidden layer: "
     SERRA2018 ", Section 2 and Theorem 1",
     trop_bound_zaslavsky},
    {"montufar2014_lower", TROP_BOUND_LOWER,
     "prod_{l<L} floor(n_l/n0)^n0 * sum_{j<=n0} C(n_L, j), needs n_l >= n0",
     "Montufar, Pascanu, Cho, Bengio 2014, On the number of linear regions of deep neural "
     "networks, NIPS, Theorem 4",
     trop_bound_montufar2014_lower},
    {"montufar2017_upper", TROP_BOUND_UPPER,
     "prod_l sum_{j<=d_l} C(n_l, j), d_l = min(n0, n_1, ..., n_l)",
     "Montufar 2017, Notes on the number of linear regions of deep neural networks, SampTA; "
     "as stated in " SERRA2018 ", Section 3",
     trop_bound_montufar2017_upper},
    {"serra2018_upper", TROP_BOUND_UPPER,
     "sum over (j_1..j_L) in J of prod_l C(n_l, j_l), "
     "0 <= j_l <= min(n0, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l)",
     SERRA2018 ", Theorem 1", trop_bound_serra_upper},
    {"serra2018_lower", TROP_BOUND_LOWER,
     "prod_{l<L} (floor(n_l/n0) + 1)^n0 * sum_{j<=n0} C(n_L, j), needs n_l >= 3 n0",
     SERRA2018 ", Theorem 6", trop_bound_serra_lower},
    {"serra2018_maxout_upper", TROP_BOUND_UPPER,
     "prod_l sum_{j<=d_l} C(k(k-1)/2 n_l, j), d_l = min(n0, n_1, ..., n_l), rank-k maxout",
     SERRA2018 ", Theorem 8", trop_bound_serra_maxout_upper},
    {"trivial_upper", TROP_BOUND_UPPER,
     "one region per activation pattern: 2^N (ReLU), k^N (rank-k maxout), N hidden units",
     "Montufar, Pascanu, Cho, Bengio 2014 (2^N), as cited in " SERRA2018 ", Section 3",
     trop_bound_trivial_upper},
};

const trop_bound_info *trop_bound_table(slong *len)
{
    *len = (slong)(sizeof bound_table / sizeof bound_table[0]);
    return bound_table;
}
