/* lp.c: exact decisions about single terms: the affine hull of the
 * exponents, the strict-maximum and domination certificates, and an exact
 * phase-1 simplex (Bland's rule) that decides the rest.
 *
 * Term i of f is strictly maximal on an open set iff the lifted point
 * (a_i, c_i) is a vertex of the upper hull of all lifted points, iff the
 * system
 *     sum_{j != i} lam_j a_j = a_i,  sum lam_j = 1,  sum lam_j c_j - s = c_i,
 *     lam >= 0, s >= 0
 * is infeasible.  A feasible lam is the "dominated" certificate; by Farkas'
 * lemma infeasibility gives y = (y_a, y_0, y_c) with
 *     y_a.a_j + y_0 + y_c c_j <= 0 (j != i),  y_c >= 0,  y_a.a_i + y_0 + y_c c_i > 0,
 * from which we build the point x where term i wins strictly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "tpoly-internal.h"

slong _tpoly_affine_dim(const trop_tpoly_t f, slong *J)
{
    /* Incremental reduced row echelon form of the rows a_i - a_0. */
    slong n = f->nvars, d = 0, i, r, k;
    fmpq *B = _fmpq_vec_init(n * n), *v = _fmpq_vec_init(n);
    fmpq_t t;
    fmpq_init(t);
    for (i = 1; i < f->length && d < n; i++) {
        slong p = -1;
        for (k = 0; k < n; k++)
            fmpq_sub(v + k, TPOLY_EXP(f, i) + k, TPOLY_EXP(f, 0) + k);
        for (r = 0; r < d; r++) {
            if (fmpq_is_zero(v + J[r]))
                continue;
            fmpq_set(t, v + J[r]);
            for (k = 0; k < n; k++)
                fmpq_submul(v + k, t, B + r * n + k);
        }
        for (k = 0; k < n && p < 0; k++)
            if (!fmpq_is_zero(v + k))
                p = k;
        if (p < 0)
            continue;
        fmpq_inv(t, v + p);
        for (k = 0; k < n; k++)
            fmpq_mul(v + k, v + k, t);
        for (r = 0; r < d; r++) {
            if (fmpq_is_zero(B + r * n + p))
                continue;
            fmpq_set(t, B + r * n + p);
            for (k = 0; k < n; k++)
                fmpq_submul(B + r * n + k, t, v + k);
        }
        _trop_qvec_set(B + d * n, v, n);
        J[d++] = p;
    }
    fmpq_clear(t);
    _fmpq_vec_clear(B, n * n);
    _fmpq_vec_clear(v, n);
    return d;
}

/* Value of term j at x in double with a rigorous bound on its error, u =
 * 2^-53.  Model: a, c and x are converted by fmpq_get_d, which truncates
 * (relative error < 2u, plus an absolute 2^-1074 for underflow); a product
 * of two converted values then carries < 5u relative error, and summing
 * nvars + 1 terms adds at most nvars u times the running sum of absolute
 * values.  So |val - exact| <= (nvars + 5) u S + (nvars + 2) 2^-1070 with S
 * the sum of |products| and |c|; we use (2 nvars + 6) u and inflate S by
 * 1.01 to cover its own rounding.  Returns 0 if something is not finite. */
static int term_value_d(double *val, double *errb, const trop_tpoly_t f, slong j,
                        const double *xd, const double *fd)
{
    slong k, n = f->nvars;
    const double *row = fd ? fd + j * (n + 1) : NULL;
    double v = row ? row[n] : fmpq_get_d(f->coefs + j), S = fabs(v);
    for (k = 0; k < n; k++) {
        double p = (row ? row[k] : fmpq_get_d(TPOLY_EXP(f, j) + k)) * xd[k];
        v += p;
        S += fabs(p);
    }
    *val = v;
    *errb = (double)(2 * n + 6) * 0x1p-53 * S * 1.01 + (double)(n + 2) * 0x1p-1070;
    return isfinite(v) && isfinite(*errb);
}

int _tpoly_check_dominated(const trop_tpoly_t f, slong i, const fmpq *lambda)
{
    slong j, k, n = f->nvars;
    fmpq *s = _fmpq_vec_init(n + 2);
    int ok = fmpq_is_zero(lambda + i);
    for (j = 0; j < f->length && ok; j++) {
        if (fmpq_sgn(lambda + j) < 0)
            ok = 0;
        if (fmpq_is_zero(lambda + j))
            continue;
        for (k = 0; k < n; k++)
            fmpq_addmul(s + k, lambda + j, TPOLY_EXP(f, j) + k);
        fmpq_addmul(s + n, lambda + j, f->coefs + j);
        fmpq_add(s + n + 1, s + n + 1, lambda + j);
    }
    for (k = 0; k < n && ok; k++)
        ok = fmpq_equal(s + k, TPOLY_EXP(f, i) + k);
    ok = ok && fmpq_cmp(s + n, f->coefs + i) >= 0 && fmpq_is_one(s + n + 1);
    _fmpq_vec_clear(s, n + 2);
    return ok;
}

/* ---- the simplex ---- */

typedef struct {
    slong m, N;      /* rows, columns (structural + slack + artificial) */
    fmpq *A;         /* [m x N] */
    fmpq *rhs;       /* [m] */
    fmpq *rc;        /* [N] reduced costs of the phase-1 objective */
    fmpq_t obj;      /* current phase-1 objective (sum of artificials) */
    slong *basis;    /* [m] */
} lp_tab;

static void tab_pivot(lp_tab *T, slong r, slong k)
{
    slong i, j, N = T->N;
    fmpq_t p, q;
    fmpq_init(p);
    fmpq_init(q);
    fmpq_inv(p, T->A + r * N + k);
    for (j = 0; j < N; j++)
        fmpq_mul(T->A + r * N + j, T->A + r * N + j, p);
    fmpq_mul(T->rhs + r, T->rhs + r, p);
    for (i = 0; i < T->m; i++) {
        if (i == r || fmpq_is_zero(T->A + i * N + k))
            continue;
        fmpq_set(q, T->A + i * N + k);
        for (j = 0; j < N; j++)
            if (!fmpq_is_zero(T->A + r * N + j))
                fmpq_submul(T->A + i * N + j, q, T->A + r * N + j);
        fmpq_submul(T->rhs + i, q, T->rhs + r);
    }
    if (!fmpq_is_zero(T->rc + k)) {
        fmpq_set(q, T->rc + k);
        for (j = 0; j < N; j++)
            if (!fmpq_is_zero(T->A + r * N + j))
                fmpq_submul(T->rc + j, q, T->A + r * N + j);
        fmpq_addmul(T->obj, q, T->rhs + r);  /* obj += rc_k * theta */
    }
    T->basis[r] = k;
    fmpq_clear(p);
    fmpq_clear(q);
}

/* Runs phase 1 to optimality (Bland's rule cannot cycle). */
static void tab_solve(lp_tab *T)
{
    fmpq_t ratio, best;
    fmpq_init(ratio);
    fmpq_init(best);
    for (;;) {
        slong k, r, row = -1;
        for (k = 0; k < T->N && fmpq_sgn(T->rc + k) >= 0; k++)
            ;
        if (k == T->N)
            break;
        for (r = 0; r < T->m; r++) {
            if (fmpq_sgn(T->A + r * T->N + k) <= 0)
                continue;
            fmpq_div(ratio, T->rhs + r, T->A + r * T->N + k);
            if (row < 0 || fmpq_cmp(ratio, best) < 0
                || (fmpq_equal(ratio, best) && T->basis[r] < T->basis[row])) {
                row = r;
                fmpq_set(best, ratio);
            }
        }
        TROP_ASSERT(row >= 0);  /* phase 1 is bounded below by 0 */
        tab_pivot(T, row, k);
    }
    fmpq_clear(ratio);
    fmpq_clear(best);
}

/* Builds the tableau of the system in the header comment on the
 * coordinates J (columns: lam_j for j != i, then s, then m artificials). */
static void tab_build(lp_tab *T, const trop_tpoly_t f, slong i, const slong *J, slong d,
                      const slong *cols, slong nl, int *sign)
{
    slong m = d + 2, N = nl + 1 + m, r, j, col;
    T->m = m;
    T->N = N;
    T->A = _fmpq_vec_init(m * N);
    T->rhs = _fmpq_vec_init(m);
    T->rc = _fmpq_vec_init(N);
    fmpq_init(T->obj);
    T->basis = trop_malloc((size_t)m * sizeof(slong));
    for (col = 0; col < nl; col++) {
        j = cols[col];
        for (r = 0; r < d; r++)
            fmpq_set(T->A + r * N + col, TPOLY_EXP(f, j) + J[r]);
        fmpq_one(T->A + d * N + col);
        fmpq_set(T->A + (d + 1) * N + col, f->coefs + j);
    }
    fmpq_set_si(T->A + (d + 1) * N + nl, -1, 1);
    for (r = 0; r < d; r++)
        fmpq_set(T->rhs + r, TPOLY_EXP(f, i) + J[r]);
    fmpq_one(T->rhs + d);
    fmpq_set(T->rhs + d + 1, f->coefs + i);
    for (r = 0; r < m; r++) {
        sign[r] = fmpq_sgn(T->rhs + r) < 0 ? -1 : 1;
        if (sign[r] < 0) {
            for (j = 0; j < nl + 1; j++)
                fmpq_neg(T->A + r * N + j, T->A + r * N + j);
            fmpq_neg(T->rhs + r, T->rhs + r);
        }
        fmpq_one(T->A + r * N + nl + 1 + r);
        T->basis[r] = nl + 1 + r;
        /* reduced costs of the artificial basis: rc_k = -sum_r A_rk */
        for (j = 0; j < nl + 1; j++)
            fmpq_sub(T->rc + j, T->rc + j, T->A + r * N + j);
        fmpq_add(T->obj, T->obj, T->rhs + r);
    }
}

static void tab_clear(lp_tab *T)
{
    _fmpq_vec_clear(T->A, T->m * T->N);
    _fmpq_vec_clear(T->rhs, T->m);
    _fmpq_vec_clear(T->rc, T->N);
    fmpq_clear(T->obj);
    trop_free(T->basis);
}

/* From the Farkas vector y (original row signs) build x on J. */
static void farkas_point(fmpq *x, const trop_tpoly_t f, slong i, const slong *J, slong d,
                         const fmpq *y, const slong *cols, slong nl)
{
    slong j, r, c;
    fmpq_t M, t, u;
    _trop_qvec_zero(x, f->nvars);
    if (fmpq_sgn(y + d + 1) > 0) {
        for (r = 0; r < d; r++)
            fmpq_div(x + J[r], y + r, y + d + 1);
        return;
    }
    /* y_c = 0: y_a separates a_i from every other exponent; go far enough
     * along y_a that the coefficients cannot catch up:
     * M > (c_j - c_i) / (y_a.(a_i - a_j)) for all j. */
    fmpq_init(M);
    fmpq_init(t);
    fmpq_init(u);
    for (c = 0; c < nl; c++) {
        j = cols[c];
        fmpq_zero(t);
        for (r = 0; r < d; r++) {
            fmpq_sub(u, TPOLY_EXP(f, i) + J[r], TPOLY_EXP(f, j) + J[r]);
            fmpq_addmul(t, y + r, u);
        }
        TROP_ASSERT(fmpq_sgn(t) > 0);
        fmpq_sub(u, f->coefs + j, f->coefs + i);
        fmpq_div(u, u, t);
        if (fmpq_cmp(u, M) > 0)
            fmpq_set(M, u);
    }
    fmpq_add_si(M, M, 1);
    for (r = 0; r < d; r++)
        fmpq_mul(x + J[r], y + r, M);
    fmpq_clear(M);
    fmpq_clear(t);
    fmpq_clear(u);
}

/* Runs the LP of term i over the columns cols: [nl] (terms other than i).
 * Returns 1 if infeasible (term i is not dominated by those terms). */
static int lp_run(const trop_tpoly_t f, slong i, const slong *J, slong d, const slong *cols,
                  slong nl, fmpq *x, fmpq *lambda)
{
    lp_tab T;
    int *sign = trop_malloc((size_t)(d + 2) * sizeof(int)), vertex;
    slong r, j;
    tab_build(&T, f, i, J, d, cols, nl, sign);
    tab_solve(&T);
    vertex = !fmpq_is_zero(T.obj);
    if (vertex && x != NULL) {
        fmpq *y = _fmpq_vec_init(d + 2);
        /* artificial column r has cost 1, so rc = 1 - y_r */
        for (r = 0; r < d + 2; r++) {
            fmpq_one(y + r);
            fmpq_sub(y + r, y + r, T.rc + nl + 1 + r);
            if (sign[r] < 0)
                fmpq_neg(y + r, y + r);
        }
        farkas_point(x, f, i, J, d, y, cols, nl);
        _fmpq_vec_clear(y, d + 2);
    } else if (!vertex && lambda != NULL) {
        _trop_qvec_zero(lambda, f->length);
        for (r = 0; r < d + 2; r++) {
            j = T.basis[r];
            if (j < nl)
                fmpq_set(lambda + cols[j], T.rhs + r);
        }
    }
    tab_clear(&T);
    trop_free(sign);
    return vertex;
}

/* Terms j != i with value >= term i's at x (the terms the point x fails
 * against), the largest first, at most maxv of them (maxv == 1 may stop at
 * the first violator found exactly: callers then only ask whether any
 * exists).  Values are compared
 * in double with the error bound of term_value_d, exactly when that cannot
 * decide. */
typedef struct { double v; slong j; } viol;

static int viol_cmp(const void *a, const void *b)
{
    double x = ((const viol *)a)->v, y = ((const viol *)b)->v;
    return x > y ? -1 : (x < y);
}

static slong violators(slong *out, slong maxv, const trop_tpoly_t f, slong i, const fmpq *x,
                       const double *fd)
{
    slong j, n = f->nvars, nv = 0;
    double *xd = trop_malloc((size_t)(n + 1) * sizeof(double)), vi, ei, vj, ej;
    viol *V = trop_malloc((size_t)f->length * sizeof(viol));
    fmpq_t ti, tj;
    int fi;
    for (j = 0; j < n; j++)
        xd[j] = fmpq_get_d(x + j);
    fmpq_init(ti);
    fmpq_init(tj);
    _fmpq_vec_dot(ti, TPOLY_EXP(f, i), x, n);
    fmpq_add(ti, ti, f->coefs + i);
    fi = term_value_d(&vi, &ei, f, i, xd, fd);
    for (j = 0; j < f->length; j++) {
        int fj = j != i && fi && term_value_d(&vj, &ej, f, j, xd, fd);
        if (j == i || (fj && vi - ei > vj + ej))
            continue;
        if (!(fj && vi + ei < vj - ej)) {
            _fmpq_vec_dot(tj, TPOLY_EXP(f, j), x, n);
            fmpq_add(tj, tj, f->coefs + j);
            if (fmpq_cmp(ti, tj) > 0)
                continue;
        }
        V[nv].v = fj ? vj : HUGE_VAL;
        V[nv].j = j;
        nv++;
        if (maxv == 1)
            break;    /* an existence check: any violator will do */
    }
    qsort(V, (size_t)nv, sizeof(viol), viol_cmp);
    for (j = 0; j < nv && j < maxv; j++)
        out[j] = V[j].j;
    fmpq_clear(ti);
    fmpq_clear(tj);
    trop_free(V);
    trop_free(xd);
    return nv < maxv ? nv : maxv;
}

int _tpoly_check_strict_max(const trop_tpoly_t f, slong i, const fmpq *x, const double *fd)
{
    slong v;
    return violators(&v, 1, f, i, x, fd) == 0;
}

double *_tpoly_dcache(const trop_tpoly_t f)
{
    slong n = f->nvars, j, k;
    double *fd = trop_malloc((size_t)(f->length * (n + 1)) * sizeof(double));
    for (j = 0; j < f->length; j++) {
        for (k = 0; k < n; k++)
            fd[j * (n + 1) + k] = fmpq_get_d(TPOLY_EXP(f, j) + k);
        fd[j * (n + 1) + n] = fmpq_get_d(f->coefs + j);
    }
    return fd;
}

/* Column generation: the LP over a small set S of terms either shows term
 * i dominated (done: a combination of terms of S is a combination of terms
 * of f) or gives a point x where i beats S strictly; the terms that beat i
 * at x join S and we repeat.  S grows at every round, so this ends, and in
 * practice after a few rounds with |S| a small multiple of d. */
int _tpoly_lp_vertex_hint(const trop_tpoly_t f, slong i, const slong *J, slong d,
                          const slong *hint, slong nhint, const double *fd, fmpq *x,
                          fmpq *lambda)
{
    slong T = f->length, nS = 0, k, add = d + 2;
    slong *S = trop_malloc((size_t)T * sizeof(slong));
    char *in = trop_calloc((size_t)T, 1);
    fmpq *xx = _fmpq_vec_init(f->nvars);
    int vertex;
    in[i] = 1;
    for (k = 0; k < nhint; k++)
        if (!in[hint[k]]) {
            in[hint[k]] = 1;
            S[nS++] = hint[k];
        }
    for (k = 0; k < T && nS < add; k++)
        if (!in[k]) {
            in[k] = 1;
            S[nS++] = k;
        }
    for (;;) {
        slong v[64], nv, a;
        vertex = lp_run(f, i, J, d, S, nS, xx, lambda);
        if (!vertex)
            break;
        nv = violators(v, FLINT_MIN(add, 64), f, i, xx, fd);
        if (nv == 0)
            break;
        for (a = 0; a < nv; a++) {
            TROP_ASSERT(!in[v[a]]);
            in[v[a]] = 1;
            S[nS++] = v[a];
        }
    }
    if (vertex && x != NULL)
        _trop_qvec_set(x, xx, f->nvars);
    _fmpq_vec_clear(xx, f->nvars);
    trop_free(S);
    trop_free(in);
    return vertex;
}

int _tpoly_lp_vertex(const trop_tpoly_t f, slong i, const slong *J, slong d,
                     fmpq *x, fmpq *lambda)
{
    return _tpoly_lp_vertex_hint(f, i, J, d, NULL, 0, NULL, x, lambda);
}

int _tpoly_lp_dominated_by(const trop_tpoly_t f, slong i, const slong *J, slong d,
                           const slong *cols, slong ncols)
{
    return !lp_run(f, i, J, d, cols, ncols, NULL, NULL);
}

int trop_tpoly_term_is_vertex(const trop_tpoly_t f, slong i, fmpq *x, fmpq *lambda)
{
    slong *J = trop_malloc((size_t)(f->nvars + 1) * sizeof(slong)), d;
    int v;
    TROP_ASSERT(i >= 0 && i < f->length);
    if (f->length == 1) {
        if (x != NULL)
            _trop_qvec_zero(x, f->nvars);
        trop_free(J);
        return 1;
    }
    d = _tpoly_affine_dim(f, J);
    v = _tpoly_lp_vertex(f, i, J, d, x, lambda);
    trop_free(J);
    return v;
}
