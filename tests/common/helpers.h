/* tests/common/helpers.h: small helpers shared by the Check suites that
 * need the library (rationals from strings, network conversions). */
#ifndef TROP_TEST_HELPERS_H
#define TROP_TEST_HELPERS_H
#include "trop/trop.h"

/* x = the rational spelled by s (trop_q_set_str); a bad spelling fails the
 * test with the parser's message. */
void trop_test_q_set(fmpq_t x, const char *s);
/* 1 if x equals the rational spelled by s. */
int trop_test_q_is(const fmpq_t x, const char *s);

/* x = a random rational in [-4, 4] with denominator at most 64. */
void trop_test_rand_q(fmpq_t x, trop_rng *r);

/* net = a random network with n inputs, depth hidden layers of 2..4 units
 * and a linear output of 1..2 units.  variant picks the activations (relu,
 * leaky, maxout of rank 2..3 in turn by layer), the leaky slope (1/10,
 * -1/2, 3: the three leaky rules) and, when variant % 4 == 3, float weights
 * (exact dyadics); other weights come from trop_test_rand_q. */
void trop_test_rand_net(trop_net_t net, slong n, slong depth, slong variant, trop_rng *r);

/* The tropical rational functions of net (trop_trat_vec_set_net with the
 * default options; a failure fails the test).  Ownership: an array of
 * trop_net_output_dim(net) trats, released by trop_test_trats_free. */
trop_trat_struct *trop_test_trats_of(const trop_net_t net);
void trop_test_trats_free(trop_trat_struct *F, slong len);
#endif
