/* bench_regionn: exact activation regions in n input dimensions
 * (trop_regionn_count) of random n-W-...-W-1 ReLU nets in the box
 * [-1, 1]^n, for n = 2..nmax.  Baseline, side by side on the same n = 2
 * nets: the plane engine trop_region2_count (lib/region/exact2.c).  Prints
 * regions, time and regions per second per dimension, and the ratio of the
 * two engines' rates at n = 2.  Weights are He-initialised doubles
 * (seeded).  Usage: bench_regionn [width] [depth] [nets] [nmax] [threads] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "trop/trop.h"
#include "he-net.h"

int main(int argc, char **argv)
{
    slong w = argc > 1 ? atol(argv[1]) : 16, depth = argc > 2 ? atol(argv[2]) : 2;
    slong nets = argc > 3 ? atol(argv[3]) : 2, nmax = argc > 4 ? atol(argv[4]) : 6;
    slong threads = argc > 5 ? atol(argv[5]) : 0, n, k, i;
    double rate2 = 0;
    trop_net_t net;
    trop_rng r;
    trop_net_init(net, 1);
    printf("  %ld nets of n-%ld^%ld-1 ReLU in [-1,1]^n, exact\n", nets, w, depth);
    for (n = 2; n <= nmax; n++) {
        fmpq *box = _fmpq_vec_init(2 * n);
        trop_regionn_opts o = {0};
        double tn = 0, tp = 0, t0;
        slong regs = 0, regp = 0;
        o.threads = threads;
        for (i = 0; i < n; i++) {
            fmpq_set_si(box + 2 * i, -1, 1);
            fmpq_one(box + 2 * i + 1);
        }
        trop_rng_init(&r, 1000 + (unsigned long long)n);
        for (k = 0; k < nets; k++) {
            trop_regionn_count_t c;
            he_net(net, n, w, depth, &r);
            trop_regionn_count_init(c);
            t0 = now();
            if (trop_regionn_count(c, net, box, NULL, NULL, &o, NULL) != TROP_OK)
                return 1;
            tn += now() - t0;
            regs += c->regions;
            trop_regionn_count_clear(c);
            if (n == 2) {
                trop_region2_count_t c2;
                trop_region2_opts o2 = {0, NULL, NULL, threads, NULL, 0};
                trop_region2_count_init(c2);
                t0 = now();
                if (trop_region2_count(c2, net, box, NULL, NULL, &o2, NULL) != TROP_OK)
                    return 1;
                tp += now() - t0;
                regp += c2->regions;
                trop_region2_count_clear(c2);
            }
        }
        printf("  n = %ld: %ld regions in %.3f s, %.0f regions/s", n, regs, tn,
               (double)regs / tn);
        if (n == 2) {
            rate2 = (double)regs / tn;
            printf("; plane engine (baseline): %ld regions in %.3f s, %.0f regions/s; "
                   "time ratio n-D / plane %.2f%s\n", regp, tp, (double)regp / tp, tn / tp,
                   regp == regs ? "" : "  COUNTS DIFFER");
        } else
            printf("; rate relative to n = 2: %.3f\n", (double)regs / tn / rate2);
        _fmpq_vec_clear(box, 2 * n);
    }
    trop_net_clear(net);
    flint_cleanup_master();
    return 0;
}
