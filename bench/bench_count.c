/* bench_count: exact counts of activation regions on the plane
 * (trop_region2_count) for random 2-W-...-W-1 ReLU nets, side by side with
 * the double-precision search (trop_region2_set_enum, no exactness) on the
 * same nets over the whole plane; prints regions per second and the ratio
 * of the times.  Weights are He-initialised doubles (seeded).
 * With n0 > 2 inputs the nets are counted on the plane of inputs 0 and 1
 * (the others at 0), a 2-D slice.
 * Usage: bench_count [width] [depth] [nets] [threads] [n0] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include "trop/trop.h"
#include "he-net.h"

int main(int argc, char **argv)
{
    slong w = argc > 1 ? atol(argv[1]) : 64, depth = argc > 2 ? atol(argv[2]) : 3;
    slong nets = argc > 3 ? atol(argv[3]) : 3, k, i, n0 = argc > 5 ? atol(argv[5]) : 2;
    fmpq *x0, *U;
    trop_net_t full;
    trop_region2_opts ro = {0, NULL, NULL, argc > 4 ? atol(argv[4]) : 0, NULL, 0};
    double te = 0, tplane = 0, td = 0, t0;
    slong nbox = 0, nplane = 0, nd = 0;
    trop_net_t net;
    trop_rng r;
    fmpq box[4];
    for (i = 0; i < 4; i++) {
        fmpq_init(box + i);
        fmpq_set_si(box + i, i % 2 ? 1 : -1, 1);
    }
    trop_rng_init(&r, 11);
    trop_net_init(net, 2);
    trop_net_init(full, n0);
    x0 = _fmpq_vec_init(n0);
    U = _fmpq_vec_init(2 * n0);
    fmpq_one(U + 0);
    fmpq_one(U + 3);
    for (k = 0; k < nets; k++) {
        trop_region2_count_t c;
        trop_region2_set_t s;
        if (n0 == 2)
            he_net(net, 2, w, depth, &r);
        else {
            he_net(full, n0, w, depth, &r);
            trop_net_slice(net, full, x0, U, 2);
        }
        trop_region2_count_init(c);
        t0 = now();
        if (trop_region2_count(c, net, box, NULL, NULL, &ro, NULL) != TROP_OK)
            return 1;
        te += now() - t0;
        nbox += c->regions;
        t0 = now();
        if (trop_region2_count(c, net, NULL, NULL, NULL, &ro, NULL) != TROP_OK)
            return 1;
        tplane += now() - t0;
        nplane += c->regions;
        trop_region2_count_clear(c);
        trop_region2_set_init(s);
        t0 = now();
        if (trop_region2_set_enum(s, net, NULL, NULL) != TROP_OK)
            return 1;
        td += now() - t0;
        nd += s->nregions;
        trop_region2_set_clear(s);
    }
    printf("%ld-%ld^%ld-1 relu%s, %ld nets: exact [-1,1]^2 %ld regions %.3f s (%.0f regions/s); "
           "exact plane %ld regions %.3f s; double plane (baseline, not exact) %ld regions "
           "%.3f s; ratio exact/double on the plane %.2f\n", n0, w, depth,
           n0 > 2 ? " (plane of inputs 0, 1)" : "", nets, nbox, te,
           (double)nbox / te, nplane, tplane, nd, td, tplane / td);
    for (i = 0; i < 4; i++)
        fmpq_clear(box + i);
    _fmpq_vec_clear(x0, n0);
    _fmpq_vec_clear(U, 2 * n0);
    trop_net_clear(full);
    trop_net_clear(net);
    flint_cleanup();
    return 0;
}
