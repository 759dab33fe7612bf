/* bench_prune: time trop_tpoly_prune (qhull filter + exact certificates)
 * against the reference trop_tpoly_prune_lp (one exact LP per term) on the
 * same term sets, side by side, and print the ratio.  The term sets are
 * Minkowski products of random tropical polynomials, the shape pruning
 * meets inside the network conversion.
 * Usage: bench_prune [nvars] [factors] [terms per factor] [repeats] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "trop/trop.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* f = product of nf random polys with nt terms each (small integer data). */
static void make_set(trop_tpoly_t f, slong n, slong nf, slong nt, trop_rng *r)
{
    trop_tpoly_t g;
    fmpq *a = _fmpq_vec_init(n);
    fmpq_t c;
    slong k, t, j;
    fmpq_init(c);
    trop_tpoly_init(g, n);
    trop_tpoly_one(f);
    for (k = 0; k < nf; k++) {
        trop_tpoly_zero(g);
        for (t = 0; t < nt; t++) {
            for (j = 0; j < n; j++)
                fmpq_set_si(a + j, trop_rng_below(r, 7) - 3, 1);
            fmpq_set_si(c, trop_rng_below(r, 201) - 100, 1 + trop_rng_below(r, 9));
            trop_tpoly_push_term(g, a, c);
        }
        trop_tpoly_canonicalise(g);
        trop_tpoly_mul(f, f, g);
    }
    trop_tpoly_clear(g);
    fmpq_clear(c);
    _fmpq_vec_clear(a, n);
}

int main(int argc, char **argv)
{
    slong n = argc > 1 ? atol(argv[1]) : 2, nf = argc > 2 ? atol(argv[2]) : 3;
    slong nt = argc > 3 ? atol(argv[3]) : 12, reps = argc > 4 ? atol(argv[4]) : 5, k;
    double tq = 0, tl = 0, t0;
    slong cand = 0, kept = 0;
    trop_rng r;
    trop_rng_init(&r, 42);
    for (k = 0; k < reps; k++) {
        trop_tpoly_t f, g;
        trop_tpoly_init(f, n);
        trop_tpoly_init(g, n);
        make_set(f, n, nf, nt, &r);
        trop_tpoly_set(g, f);
        cand += f->length;
        t0 = now();
        trop_tpoly_prune(f, NULL, NULL);
        tq += now() - t0;
        t0 = now();
        trop_tpoly_prune_lp(g, NULL, NULL);
        tl += now() - t0;
        if (!trop_tpoly_equal(f, g)) {
            fprintf(stderr, "bench_prune: the two prunings disagree (rep %ld)\n", k);
            return 1;
        }
        kept += f->length;
        trop_tpoly_clear(f);
        trop_tpoly_clear(g);
    }
    printf("prune nvars=%ld sets=%ld candidates/set=%.0f kept/set=%.0f  "
           "qhull+certificates %.3f s  reference LP %.3f s  ratio %.3f\n",
           n, reps, (double)cand / (double)reps, (double)kept / (double)reps, tq, tl, tq / tl);
    flint_cleanup_master();
    return 0;
}
