/* bench/he-net.h: what the region benchmarks share: a wall clock and
 * random ReLU nets with He-uniform weights (seeded, doubles). */
#ifndef TROP_BENCH_HE_NET_H
#define TROP_BENCH_HE_NET_H
#include <math.h>
#include <time.h>
#include "trop/trop.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double uniform(trop_rng *r)
{
    return (double)(trop_rng_u64(r) >> 11) * 0x1p-53 * 2.0 - 1.0;
}

/* net = n0 inputs, depth ReLU layers of width w (He-uniform weights, biases
 * in [-0.1, 0.1]) and one linear output. */
static void he_net(trop_net_t net, slong n0, slong w, slong depth, trop_rng *r)
{
    slong l, i, nin = n0;
    trop_net_clear(net);
    trop_net_init(net, n0);
    for (l = 0; l <= depth; l++) {
        slong nout = l < depth ? w : 1;
        double a = sqrt(6.0 / (double)nin);
        trop_layer_struct *L = trop_net_append_layer(
            net, nout, l < depth ? TROP_ACT_RELU : TROP_ACT_LINEAR, NULL, 1);
        for (i = 0; i < nout * nin; i++)
            trop_q_set_d(L->W + i, a * uniform(r), NULL);
        for (i = 0; i < nout; i++)
            trop_q_set_d(L->b + i, 0.1 * uniform(r), NULL);
        nin = nout;
    }
}
#endif
