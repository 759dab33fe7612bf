/* tools/problem.c: the analysed function of a tool (see problem.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "common.h"
#include "problem.h"

int tool_slice_opts_check(const tool_slice_opts *o, const char *prog)
{
    if (o->axes && o->points)
        return tool_usage_error(prog, "--slice-axes and --slice-points exclude each other");
    if (o->at && !o->axes)
        return tool_usage_error(prog, "--at needs --slice-axes");
    return -1;
}

void tool_problem_init(tool_problem *p)
{
    memset(p, 0, sizeof *p);
    trop_net_init(p->net, 1);
}

void tool_problem_clear(tool_problem *p)
{
    slong n = p->n;
    trop_net_clear(p->net);
    if (p->sliced) {
        _fmpq_vec_clear(p->x0, n);
        _fmpq_vec_clear(p->U, n * p->m);
    }
    if (p->lo) {
        _fmpq_vec_clear(p->lo, p->m);
        _fmpq_vec_clear(p->hi, p->m);
    }
}

static int setup_axes(tool_problem *p, const trop_net_t net, const tool_slice_opts *o,
                      const char *prog)
{
    slong n = net->input_dim, I, J;
    if (tool_parse_pair(&I, &J, o->axes, n) != 0)
        return tool_usage_error(prog, "--slice-axes needs two distinct indices in 0..%ld, got '%s'",
                                n - 1, o->axes);
    p->m = 2;
    p->x0 = _fmpq_vec_init(n);
    p->U = _fmpq_vec_init(n * 2);
    p->sliced = 1;
    if (o->at && tool_parse_qvec(p->x0, n, o->at) < 0)
        return tool_usage_error(prog, "--at needs %ld comma-separated rationals, got '%s'", n, o->at);
    /* t0 and t1 are the values of x_I and x_J themselves: --at's entries I
     * and J are ignored */
    fmpq_zero(p->x0 + I);
    fmpq_zero(p->x0 + J);
    fmpq_one(p->U + I * 2 + 0);
    fmpq_one(p->U + J * 2 + 1);
    p->lo = _fmpq_vec_init(2);
    p->hi = _fmpq_vec_init(2);
    if (net->has_box) {
        fmpq_set(p->lo + 0, net->box_lo + I);
        fmpq_set(p->hi + 0, net->box_hi + I);
        fmpq_set(p->lo + 1, net->box_lo + J);
        fmpq_set(p->hi + 1, net->box_hi + J);
    }
    snprintf(p->slice_desc, sizeof p->slice_desc,
             "inputs %ld and %ld vary (t0 = x%ld, t1 = x%ld), the others held at --at", I, J, I, J);
    return -1;
}

/* 1 if the two columns of U: [n x 2] are linearly independent (some 2 x 2
 * minor is nonzero). */
static int rank_two(const fmpq *U, slong n)
{
    slong i, j;
    int ok = 0;
    fmpq_t a, b;
    fmpq_init(a);
    fmpq_init(b);
    for (i = 0; i < n && !ok; i++)
        for (j = i + 1; j < n && !ok; j++) {
            fmpq_mul(a, U + i * 2, U + j * 2 + 1);
            fmpq_mul(b, U + i * 2 + 1, U + j * 2);
            ok = !fmpq_equal(a, b);
        }
    fmpq_clear(a);
    fmpq_clear(b);
    return ok;
}

static int setup_points(tool_problem *p, const trop_net_t net, const tool_slice_opts *o,
                        const char *prog)
{
    slong n = net->input_dim, k, i;
    char *buf = strdup(o->points), *save = NULL, *tok;
    fmpq *P = _fmpq_vec_init(3 * n);
    int bad = 0;
    for (k = 0, tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save), k++)
        if (k >= 3 || tool_parse_qvec(P + k * n, n, tok) < 0)
            bad = 1;
    free(buf);
    if (bad || k != 3) {
        _fmpq_vec_clear(P, 3 * n);
        return tool_usage_error(prog, "--slice-points needs three points of %ld values, 'A;B;C'", n);
    }
    p->m = 2;
    p->x0 = _fmpq_vec_init(n);
    p->U = _fmpq_vec_init(n * 2);
    p->sliced = 1;
    for (i = 0; i < n; i++) {
        fmpq_set(p->x0 + i, P + i);
        fmpq_sub(p->U + i * 2 + 0, P + n + i, P + i);
        fmpq_sub(p->U + i * 2 + 1, P + 2 * n + i, P + i);
    }
    _fmpq_vec_clear(P, 3 * n);
    if (!rank_two(p->U, n))
        fprintf(stderr, "%s: warning: the three points are collinear or coincide; the slice "
                        "is not a plane\n", prog);
    p->lo = _fmpq_vec_init(2);
    p->hi = _fmpq_vec_init(2);
    fmpq_one(p->hi + 0);
    fmpq_one(p->hi + 1);
    snprintf(p->slice_desc, sizeof p->slice_desc, "plane A + t0 (B - A) + t1 (C - A)");
    return -1;
}

int tool_problem_setup(tool_problem *p, const trop_net_t net, const tool_slice_opts *o,
                       const char *prog)
{
    slong i;
    int rc = -1;
    p->n = net->input_dim;
    if (o->axes)
        rc = setup_axes(p, net, o, prog);
    else if (o->points)
        rc = setup_points(p, net, o, prog);
    if (rc >= 0)
        return rc;
    if (p->sliced) {
        trop_net_slice(p->net, net, p->x0, p->U, p->m);
        if (o->axes && !net->has_box)
            for (i = 0; i < 2; i++) {
                fmpq_set_si(p->lo + i, -1, 1);
                fmpq_one(p->hi + i);
            }
    } else {
        trop_net_set(p->net, net);
        p->m = net->input_dim;
        p->lo = _fmpq_vec_init(p->m);
        p->hi = _fmpq_vec_init(p->m);
        for (i = 0; i < p->m; i++) {
            if (net->has_box) {
                fmpq_set(p->lo + i, net->box_lo + i);
                fmpq_set(p->hi + i, net->box_hi + i);
            } else {
                fmpq_set_si(p->lo + i, -1, 1);
                fmpq_one(p->hi + i);
            }
        }
    }
    if (o->box) {
        fmpq lh[2];
        fmpq_init(lh + 0);
        fmpq_init(lh + 1);
        if (tool_parse_qvec(lh, 2, o->box) < 0) {
            fmpq_clear(lh + 0);
            fmpq_clear(lh + 1);
            return tool_usage_error(prog, "--box needs two finite rationals LO,HI (decimals or "
                                          "p/q, within the range of a double), got '%s'", o->box);
        }
        if (fmpq_cmp(lh + 0, lh + 1) > 0) {
            fmpq_clear(lh + 0);
            fmpq_clear(lh + 1);
            return tool_usage_error(prog, "--box needs LO <= HI, got '%s'", o->box);
        }
        for (i = 0; i < p->m; i++) {
            fmpq_set(p->lo + i, lh + 0);
            fmpq_set(p->hi + i, lh + 1);
        }
        fmpq_clear(lh + 0);
        fmpq_clear(lh + 1);
    }
    return -1;
}

