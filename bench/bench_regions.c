/* bench_regions: the two ways to a network's tropical rational functions on
 * the plane, side by side on the same networks: the algebraic conversion
 * (trop_trat_vec_set_net) and the exact region enumeration
 * (trop_trat_vec_set_net_regions); prints both times, their ratio, and
 * checks that the terms agree.  The networks are random 2-W-W-1 ReLU nets
 * with float weights (seeded, so runs compare).
 * Usage: bench_regions [width] [nets] [threads] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include "trop/trop.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void random_net(trop_net_t net, slong w, trop_rng *r)
{
    slong l, i, widths[3] = {w, w, 1};
    trop_net_clear(net);
    trop_net_init(net, 2);
    for (l = 0; l < 3; l++) {
        trop_layer_struct *L = trop_net_append_layer(net, widths[l],
                                                     l < 2 ? TROP_ACT_RELU : TROP_ACT_LINEAR,
                                                     NULL, 1);
        for (i = 0; i < L->nout * L->nin; i++)
            trop_q_set_d(L->W + i, (double)(trop_rng_below(r, 2001) - 1000) / 1000.0, NULL);
        for (i = 0; i < L->nout; i++)
            trop_q_set_d(L->b + i, (double)(trop_rng_below(r, 2001) - 1000) / 1000.0, NULL);
    }
}

int main(int argc, char **argv)
{
    slong w = argc > 1 ? atol(argv[1]) : 8, nets = argc > 2 ? atol(argv[2]) : 3, k;
    trop_rconv_opts ro = {0, 0, NULL, NULL, 0, argc > 3 ? atol(argv[3]) : 0};
    double ta = 0, tr = 0, t0;
    slong terms = 0, regions = 0;
    int same = 1;
    trop_rng r;
    trop_net_t net;
    trop_rng_init(&r, 7);
    trop_net_init(net, 2);
    for (k = 0; k < nets; k++) {
        trop_trat_t A, R;
        trop_rconv_info info;
        random_net(net, w, &r);
        trop_trat_init(A, 2);
        trop_trat_init(R, 2);
        t0 = now();
        if (trop_trat_vec_set_net(A, net, NULL, NULL, NULL) != TROP_OK)
            return 1;
        ta += now() - t0;
        t0 = now();
        if (trop_trat_vec_set_net_regions(R, net, &ro, &info, NULL) != TROP_OK)
            return 1;
        tr += now() - t0;
        same &= trop_tpoly_equal(A->num, R->num) && trop_tpoly_equal(A->den, R->den);
        terms += R->num->length + R->den->length;
        regions += info.regions;
        trop_free(info.per_layer);
        trop_trat_clear(A);
        trop_trat_clear(R);
    }
    printf("2-%ld-%ld-1 relu, %ld nets (%ld regions, %ld terms of P and Q in all): algebra %.3f s, "
           "regions %.3f s, ratio regions/algebra %.4f, terms %s\n", w, w, nets, regions, terms,
           ta, tr, tr / ta, same ? "equal" : "DIFFER");
    trop_net_clear(net);
    flint_cleanup();
    return same ? 0 : 1;
}
