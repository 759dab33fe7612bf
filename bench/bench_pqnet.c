/* bench_pqnet: time trop_pqnet_eval and trop_pqnet_piece against the same
 * recursion in plain fmpq arithmetic (every multiply-add reduced by a gcd),
 * side by side on the same points, check that both give the same numbers,
 * and print the ratio.  The network is restricted to the plane of its first
 * two inputs (x0 = 0), as the region code uses it; the points have random
 * numerators and denominators of about `bits` bits, inside (-1, 1)^2.
 * The naive baseline handles relu and linear layers (what ACAS Xu has).
 * Usage: bench_pqnet [net] [points] [bits] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "trop/trop.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the baseline: the recursion of lib/tpoly/pqnet.c in fmpq ---- */

/* Columns as in pqnet.c: for eval one column, the point (biases on); for
 * pieces, columns 0 .. n-1 start from e_j (biases off) and column n from 0
 * (biases on), and a unit's branch is the sign of z(x) = <grad z, x> +
 * const z.  bias: [ncol] flags. */
typedef struct {
    slong ncol, maxw;
    fmpq *P, *Q, *P2, *Q2, *H, *G;
    const int *bias;
} naive_ws;

static void naive_row(naive_ws *ws, const trop_layer_struct *L, slong i)
{
    slong j, c, nc = ws->ncol;
    for (c = 0; c < nc; c++) {
        if (ws->bias[c])
            fmpq_set(ws->H + c, L->b + i);
        else
            fmpq_zero(ws->H + c);
        fmpq_zero(ws->G + c);
    }
    for (j = 0; j < L->nin; j++) {
        const fmpq *w = L->W + i * L->nin + j;
        for (c = 0; c < nc && fmpq_sgn(w) > 0; c++) {
            fmpq_addmul(ws->H + c, w, ws->P + j * nc + c);
            fmpq_addmul(ws->G + c, w, ws->Q + j * nc + c);
        }
        for (c = 0; c < nc && fmpq_sgn(w) < 0; c++) {
            fmpq_submul(ws->H + c, w, ws->Q + j * nc + c);
            fmpq_submul(ws->G + c, w, ws->P + j * nc + c);
        }
    }
}

/* The sign of z at the point: H - G of the single column (x NULL), or of
 * <grad z, x> + const z over the columns of a piece (x: [ncol - 1]). */
static int naive_sign(naive_ws *ws, const fmpq *x)
{
    fmpq_t z, d;
    slong c;
    int sg;
    if (x == NULL)
        return fmpq_cmp(ws->H, ws->G);
    fmpq_init(z);
    fmpq_init(d);
    for (c = 0; c < ws->ncol; c++) {
        fmpq_sub(d, ws->H + c, ws->G + c);
        if (c < ws->ncol - 1)
            fmpq_mul(d, d, x + c);
        fmpq_add(z, z, d);
    }
    sg = fmpq_sgn(z);
    fmpq_clear(z);
    fmpq_clear(d);
    return sg;
}

/* Runs the network on the loaded columns (x as for naive_sign); 0 at a
 * relu with z = 0 when strict. */
static int naive_run(naive_ws *ws, const trop_net_t net, const fmpq *x, int strict)
{
    slong l, i, c, nc = ws->ncol;
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        fmpq *sw;
        for (i = 0; i < L->nout; i++) {
            int cmp;
            naive_row(ws, L, i);
            cmp = naive_sign(ws, x);
            if (strict && cmp == 0 && L->act == TROP_ACT_RELU)
                return 0;
            for (c = 0; c < nc; c++) {     /* relu: (max(H, G), G); linear: (H, G) */
                fmpq_set(ws->P2 + i * nc + c,
                         L->act == TROP_ACT_RELU && cmp < 0 ? ws->G + c : ws->H + c);
                fmpq_set(ws->Q2 + i * nc + c, ws->G + c);
            }
        }
        sw = ws->P; ws->P = ws->P2; ws->P2 = sw;
        sw = ws->Q; ws->Q = ws->Q2; ws->Q2 = sw;
    }
    return 1;
}

static void naive_init(naive_ws *ws, const trop_net_t net, slong ncol)
{
    slong l, len;
    ws->ncol = ncol;
    ws->maxw = net->input_dim;
    for (l = 0; l < net->nlayers; l++) {
        if (net->layers[l].act != TROP_ACT_RELU && net->layers[l].act != TROP_ACT_LINEAR) {
            fprintf(stderr, "bench_pqnet: the baseline handles relu and linear layers only\n");
            exit(2);
        }
        ws->maxw = FLINT_MAX(ws->maxw, net->layers[l].nout);
    }
    len = ws->maxw * ncol;
    ws->P = _fmpq_vec_init(len); ws->Q = _fmpq_vec_init(len);
    ws->P2 = _fmpq_vec_init(len); ws->Q2 = _fmpq_vec_init(len);
    ws->H = _fmpq_vec_init(ncol); ws->G = _fmpq_vec_init(ncol);
}

static void naive_clear(naive_ws *ws)
{
    slong len = ws->maxw * ws->ncol;
    _fmpq_vec_clear(ws->P, len); _fmpq_vec_clear(ws->Q, len);
    _fmpq_vec_clear(ws->P2, len); _fmpq_vec_clear(ws->Q2, len);
    _fmpq_vec_clear(ws->H, ws->ncol); _fmpq_vec_clear(ws->G, ws->ncol);
}

/* Loads the inputs: the point x (ncol = 1) or, for pieces (ncol = n + 1),
 * e_j and 0. */
static void naive_load(naive_ws *ws, const fmpq *x, slong n)
{
    slong j, c, nc = ws->ncol;
    for (j = 0; j < n; j++)
        for (c = 0; c < nc; c++) {
            if (nc == 1)
                fmpq_set(ws->P + j, x + j);
            else
                fmpq_set_si(ws->P + j * nc + c, c == j, 1);
            fmpq_zero(ws->Q + j * nc + c);
        }
}

/* ---- the benchmark ---- */

static void rand_point(fmpq *x, flint_rand_t st, slong bits)
{
    fmpz_t p, q;
    int j;
    fmpz_init(p);
    fmpz_init(q);
    for (j = 0; j < 2; j++) {
        fmpz_randbits(q, st, bits);
        fmpz_abs(q, q);
        fmpz_add_ui(q, q, 1);
        fmpz_randm(p, st, q);               /* |x| < 1 */
        if (n_randint(st, 2))
            fmpz_neg(p, p);
        fmpq_set_fmpz_frac(x + j, p, q);
    }
    fmpz_clear(p);
    fmpz_clear(q);
}

static int vec_equal(const fmpq *a, const fmpq *b, slong len)
{
    slong i;
    for (i = 0; i < len; i++)
        if (!fmpq_equal(a + i, b + i))
            return 0;
    return 1;
}

/* Copies the outputs of naive column c into res[i * stride + off]. */
static void naive_get(fmpq *res, const naive_ws *ws, const fmpq *V, slong m, slong c,
                      slong stride, slong off)
{
    slong i;
    for (i = 0; i < m; i++)
        fmpq_set(res + i * stride + off, V + i * ws->ncol + c);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "data/nets/ACASXU_run2a_1_1_batch_2000.nnet";
    slong npts = argc > 2 ? atol(argv[2]) : 200, bits = argc > 3 ? atol(argv[3]) : 100;
    static const int bias_eval[1] = {1}, bias_piece[3] = {0, 0, 1};
    trop_net_t full, net;
    trop_pqnet_t e;
    naive_ws ws1, ws3;
    trop_error err;
    flint_rand_t st;
    fmpq *x0, *U, *pts, *P, *Q, *P2, *Q2, *Pa, *Qa, *Pa2, *Qa2, *y;
    double t0, t_ev = 0, t_evn = 0, t_pc = 0, t_pcn = 0, t_net = 0;
    slong m, k, c, generic = 0;
    trop_net_init(full, 1);
    trop_net_init(net, 1);
    if (trop_net_read(full, path, &err) != TROP_OK) {
        fprintf(stderr, "bench_pqnet: %s\n", err.msg);
        return 1;
    }
    x0 = _fmpq_vec_init(full->input_dim);
    U = _fmpq_vec_init(2 * full->input_dim);
    fmpq_one(U + 0);                        /* U = (e_0, e_1) */
    fmpq_one(U + 3);
    trop_net_slice(net, full, x0, U, 2);
    m = trop_net_output_dim(net);
    trop_pqnet_init(e, net);
    naive_init(&ws1, net, 1);
    ws1.bias = bias_eval;
    naive_init(&ws3, net, 3);
    ws3.bias = bias_piece;
    pts = _fmpq_vec_init(2 * npts);
    P = _fmpq_vec_init(m); Q = _fmpq_vec_init(m); P2 = _fmpq_vec_init(m); Q2 = _fmpq_vec_init(m);
    y = _fmpq_vec_init(m);
    Pa = _fmpq_vec_init(3 * m); Qa = _fmpq_vec_init(3 * m);
    Pa2 = _fmpq_vec_init(3 * m); Qa2 = _fmpq_vec_init(3 * m);
    flint_randinit(st);
    for (k = 0; k < npts; k++)
        rand_point(pts + 2 * k, st, bits);

    for (k = 0; k < npts; k++) {
        const fmpq *x = pts + 2 * k;
        int ok1, ok2;
        t0 = now();
        trop_pqnet_eval(P, Q, e, x, 0);
        t_ev += now() - t0;
        t0 = now();
        naive_load(&ws1, x, 2);
        naive_run(&ws1, net, NULL, 0);
        naive_get(P2, &ws1, ws1.P, m, 0, 1, 0);
        naive_get(Q2, &ws1, ws1.Q, m, 0, 1, 0);
        t_evn += now() - t0;
        t0 = now();
        ok1 = trop_pqnet_piece(Pa, Qa, e, x);
        t_pc += now() - t0;
        t0 = now();
        naive_load(&ws3, x, 2);
        ok2 = naive_run(&ws3, net, x, 1);
        for (c = 0; c < 3; c++) {
            naive_get(Pa2, &ws3, ws3.P, m, c, 3, c);
            naive_get(Qa2, &ws3, ws3.Q, m, c, 3, c);
        }
        t_pcn += now() - t0;
        t0 = now();
        trop_net_eval_q(y, net, x);
        t_net += now() - t0;
        if (!vec_equal(P, P2, m) || !vec_equal(Q, Q2, m) || ok1 != ok2
            || (ok1 && (!vec_equal(Pa, Pa2, 3 * m) || !vec_equal(Qa, Qa2, 3 * m)))) {
            fprintf(stderr, "bench_pqnet: pqnet and the fmpq baseline disagree (point %ld)\n", k);
            return 1;
        }
        generic += ok1;
    }
    printf("pqnet %s, plane of inputs 0 and 1, %ld points with %ld-bit denominators "
           "(%ld generic)\n", path, npts, bits, generic);
    printf("  eval : fmpq %8.1f us  pqnet %8.1f us  ratio %.2f\n", 1e6 * t_evn / (double)npts,
           1e6 * t_ev / (double)npts, t_evn / t_ev);
    printf("  piece: fmpq %8.1f us  pqnet %8.1f us  ratio %.2f\n", 1e6 * t_pcn / (double)npts,
           1e6 * t_pc / (double)npts, t_pcn / t_pc);
    printf("  (trop_net_eval_q, the output values only, fmpq: %.1f us)\n",
           1e6 * t_net / (double)npts);

    flint_randclear(st);
    _fmpq_vec_clear(pts, 2 * npts);
    _fmpq_vec_clear(P, m); _fmpq_vec_clear(Q, m); _fmpq_vec_clear(P2, m); _fmpq_vec_clear(Q2, m);
    _fmpq_vec_clear(y, m);
    _fmpq_vec_clear(Pa, 3 * m); _fmpq_vec_clear(Qa, 3 * m);
    _fmpq_vec_clear(Pa2, 3 * m); _fmpq_vec_clear(Qa2, 3 * m);
    _fmpq_vec_clear(x0, full->input_dim);
    _fmpq_vec_clear(U, 2 * full->input_dim);
    naive_clear(&ws1);
    naive_clear(&ws3);
    trop_pqnet_clear(e);
    trop_net_clear(net);
    trop_net_clear(full);
    flint_cleanup_master();
    return 0;
}
