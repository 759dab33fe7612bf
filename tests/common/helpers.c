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
