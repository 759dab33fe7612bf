/* tests/common/helpers.c: see helpers.h. */
#include <check.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include "helpers.h"

void trop_test_q_set(fmpq_t x, const char *s)
{
    trop_error e;
    ck_assert_msg(trop_q_set_str(x, s, &e) == TROP_OK, "q_set(%s): %s", s, e.msg);
}

int trop_test_q_is(const fmpq_t x, const char *s)
{
    fmpq_t t;
    int r;
    fmpq_init(t);
    trop_test_q_set(t, s);
    r = fmpq_equal(x, t);
    fmpq_clear(t);
    return r;
}

void trop_test_rand_q(fmpq_t x, trop_rng *r)
{
    fmpz_t p, q;
    fmpz_init_set_si(p, trop_rng_below(r, 513) - 256);
    fmpz_init_set_si(q, 1 + trop_rng_below(r, 64));
    fmpq_set_fmpz_frac(x, p, q);
    fmpz_clear(p);
    fmpz_clear(q);
}

void trop_test_rand_net(trop_net_t net, slong n, slong depth, slong variant, trop_rng *r)
{
    slong l, i, width;
    fmpq_t s;
    fmpq_init(s);
    trop_net_clear(net);
    trop_net_init(net, n);
    fmpq_set_si(s, (variant % 3 == 0) ? 1 : (variant % 3 == 1 ? -1 : 3),
                (variant % 3 == 0) ? 10 : (variant % 3 == 1 ? 2 : 1));
    for (l = 0; l <= depth; l++) {
        trop_act act = l == depth ? TROP_ACT_LINEAR : (trop_act)(1 + (variant + l) % 3);
        slong k = act == TROP_ACT_MAXOUT ? 2 + trop_rng_below(r, 2) : 1;
        trop_layer_struct *L;
        width = l == depth ? 1 + trop_rng_below(r, 2) : 2 + trop_rng_below(r, 3);
        L = trop_net_append_layer(net, width * k, act, s, k);
        for (i = 0; i < L->nout * L->nin; i++) {
            if (variant % 4 == 3)
                trop_q_set_d(L->W + i, (double)(trop_rng_below(r, 2001) - 1000) / 997.0, NULL);
            else
                trop_test_rand_q(L->W + i, r);
        }
        for (i = 0; i < L->nout; i++)
            trop_test_rand_q(L->b + i, r);
    }
    fmpq_clear(s);
}

trop_trat_struct *trop_test_trats_of(const trop_net_t net)
{
    slong m = trop_net_output_dim(net), i;
    trop_trat_struct *F = flint_malloc((size_t)m * sizeof(trop_trat_struct));
    for (i = 0; i < m; i++)
        trop_trat_init(F + i, net->input_dim);
    ck_assert_int_eq(trop_trat_vec_set_net(F, net, NULL, NULL, NULL), TROP_OK);
    return F;
}

void trop_test_trats_free(trop_trat_struct *F, slong len)
{
    slong i;
    for (i = 0; i < len; i++)
        trop_trat_clear(F + i);
    flint_free(F);
}
