/* trop/pqnet.h: fast exact evaluation, point by point, of the tropical
 * decomposition of a network.  For every output, the pair (P, Q) of tropical
 * polynomials that trop_trat_vec_set_net builds (output = P - Q; the rules
 * are those of lib/tpoly/trat.c and docs/tpoly.md) is evaluated at a
 * rational point without building P and Q: the same recursion is run on
 * numbers.  Layers are scaled to integers once, at init, so the inner loops
 * are fmpz multiply-adds with no gcd (details in docs/pqnet.md). */
#ifndef TROP_PQNET_H
#define TROP_PQNET_H

#include "trop/q.h"
#include "trop/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types ---- */

/* How a unit turns its affine pair (H, G) into (P, Q); the slope s = sn/sd
 * of a leaky ReLU picks one of the three leaky rules. */
typedef enum trop_pq_rule {
    TROP_PQ_LINEAR = 0,  /* identity, leaky slope 1: (H, G) */
    TROP_PQ_RELU,        /* relu, leaky slope 0: (max(H, G), G) */
    TROP_PQ_LEAKY_LO,    /* 0 < s < 1: (max(H + sG, sH + G), (1+s)G) */
    TROP_PQ_LEAKY_NEG,   /* s < 0: (max((1-s)H, (1-s)G), G - sH) */
    TROP_PQ_LEAKY_HI,    /* s > 1: ((1+s)H, max(G + sH, sG + H)) */
    TROP_PQ_MAXOUT       /* (max_r H_r + sum_{t != r} G_t, sum_t G_t) */
} trop_pq_rule;

/* One layer scaled to integers.  With D the least common denominator of the
 * layer's weights and biases, W = D * (the layer's W): [nout x nin]
 * row-major, b: [nout] = D * (the bias) * (the denominator of every earlier
 * layer), so that the bias lands on the scale of the integers it is added
 * to.  sn, sd: the slope (sd > 0) and spl = sd + sn, smi = sd - sn, for the
 * leaky rules.  Fields are read-only for callers. */
typedef struct trop_pqlayer_struct {
    slong nin, nout, k;
    trop_pq_rule rule;
    fmpz *W;
    fmpz *b;
    fmpz_t sn, sd, spl, smi;
} trop_pqlayer_struct;

/* A network prepared for evaluation: the integer layers, den = the product
 * of every layer's scale (D, times sd for the leaky rules), and scratch
 * space for up to ncol = input_dim + 1 columns of values (the evaluation
 * propagates 1, the affine pieces input_dim + 1).  Fields are read-only. */
typedef struct trop_pqnet_struct {
    slong input_dim, output_dim, nlayers;
    slong maxw, kmax, ncol;  /* widest layer, largest maxout rank, columns */
    trop_pqlayer_struct *layers;
    fmpz_t den;
    fmpz *P, *Q, *P2, *Q2;   /* [maxw x ncol] each: this layer's and the next */
    fmpz *H, *G;             /* [kmax x ncol] each: the affine rows of one unit */
    fmpz *bf, *xw;           /* [ncol]: bias factor per column; the point (pieces) */
    fmpz *t;                 /* [3] temporaries */
} trop_pqnet_struct;
typedef trop_pqnet_struct trop_pqnet_t[1];

/* ---- Memory management ---- */

/* Prepares net for evaluation: scales every layer to integers (see
 * trop_pqlayer_struct) and allocates the scratch space.  e does not keep a
 * reference to net.  A net with no layers is the identity (P = x, Q = 0).
 * Ownership: clear releases everything; init again before reuse.  Aborts
 * if a layer's k is < 1 or does not divide its nout (trop_net_append_layer
 * makes no such layer). */
TROP_API void trop_pqnet_init(trop_pqnet_t e, const trop_net_t net);
TROP_API void trop_pqnet_clear(trop_pqnet_t e);

/* ---- Evaluation ---- */

/* P[i], Q[i] = the values at x of the tropical polynomials P_i, Q_i of
 * output i (those of trop_trat_vec_set_net, as functions: the same numbers,
 * not only the same difference), exactly and in lowest terms.
 * With recession = 1 the recession functions are evaluated instead:
 * P_inf(x) = lim_{t -> +inf} P(t x) / t = max_i <a_i, x> over the terms of
 * P.  They come from the same recursion with every bias dropped: P and Q
 * are convex, built from the inputs and constants by max, + and scaling by
 * s >= 0, and each of these commutes with taking recession functions of
 * convex functions (rec max(f, g) = max(rec f, rec g), rec (f + g) = rec f +
 * rec g, rec (s f) = s rec f), while a constant has recession 0.
 * Shapes: x: [input_dim]; P, Q: [output_dim], initialised by the caller.
 * Aliasing: none (P, Q must not overlap x).  e holds the scratch space, so
 * one e must not be used by two threads at once. */
TROP_API void trop_pqnet_eval(fmpq *P, fmpq *Q, trop_pqnet_t e, const fmpq *x,
                              int recession);

/* At a generic point x, where every relu and leaky unit (slope not 1) has a
 * nonzero pre-activation z = H - G and every maxout unit a unique row of
 * largest H_r - G_r, every P_i and Q_i is affine near x: returns 1 and
 * those affine pieces.  Each unit follows the sign of z (the arg max for
 * maxout), so with z > 0 a relu gives P = H, with z < 0 P = G.
 * Returns 0 at any other point (Pa and Qa unspecified).
 * Shapes: x: [input_dim]; Pa, Qa: [output_dim x (input_dim + 1)] row-major,
 * row i the gradient of P_i (resp. Q_i) followed by its constant term,
 * initialised by the caller.  Aliasing: none.  Threads: as for
 * trop_pqnet_eval. */
TROP_API int trop_pqnet_piece(fmpq *Pa, fmpq *Qa, trop_pqnet_t e, const fmpq *x);

#ifdef __cplusplus
}
#endif
#endif
