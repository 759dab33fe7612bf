/* test_region.c: activation regions of two-input networks and the tropical
 * rational functions read off them.  Expected values come from hand counts
 * of line arrangements (comments show them) and from a second method: the
 * algebraic conversion trop_trat_vec_set_net, pruned, must give exactly the
 * same terms. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "trop/trop.h"
#include "runner.h"
#include "helpers.h"

/* ---- helpers ---- */

/* A 2-input net with one ReLU layer whose rows are "w0 w1 b" lines
 * separated by ';', then one linear output summing the units. */
static void lines_net(trop_net_t net, const char *rows)
{
    char buf[1024], *save = NULL, *row;
    slong m = 1, i;
    trop_layer_struct *L;
    const char *p;
    for (p = rows; *p; p++)
        m += *p == ';';
    trop_net_init(net, 2);
    L = trop_net_append_layer(net, m, TROP_ACT_RELU, NULL, 1);
    snprintf(buf, sizeof buf, "%s", rows);
    for (i = 0, row = strtok_r(buf, ";", &save); row; row = strtok_r(NULL, ";", &save), i++) {
        char w0[64], w1[64], b[64];
        ck_assert_int_eq(sscanf(row, "%63s %63s %63s", w0, w1, b), 3);
        trop_test_q_set(L->W + 2 * i, w0);
        trop_test_q_set(L->W + 2 * i + 1, w1);
        trop_test_q_set(L->b + i, b);
    }
    L = trop_net_append_layer(net, 1, TROP_ACT_LINEAR, NULL, 1);
    for (i = 0; i < m; i++)
        fmpq_one(L->W + i);
}

static void count_regions(const trop_net_t net, slong want, slong want_bounded)
{
    trop_region2_set_t s;
    slong i, nb = 0;
    trop_region2_set_init(s);
    ck_assert_int_eq(trop_region2_set_enum(s, net, NULL, NULL), TROP_OK);
    for (i = 0; i < s->nregions; i++)
        nb += s->bounded[i];
    ck_assert_int_eq(s->nregions, want);
    ck_assert_int_eq(s->per_layer[0], want);
    ck_assert_int_eq(nb, want_bounded);
    trop_region2_set_clear(s);
}

static trop_trat_struct *trats_new(slong m)
{
    trop_trat_struct *F = flint_malloc((size_t)m * sizeof(trop_trat_struct));
    slong i;
    for (i = 0; i < m; i++)
        trop_trat_init(F + i, 2);
    return F;
}

static void trats_free(trop_trat_struct *F, slong m)
{
    slong i;
    for (i = 0; i < m; i++)
        trop_trat_clear(F + i);
    flint_free(F);
}

/* The regions method equals the algebraic method (pruned) term by term,

 * and, when prove, its independent completeness proof succeeds. */
static void same_as_algebra_opt(const trop_net_t net, const char *what, int prove)
{
    slong m = trop_net_output_dim(net), o;
    trop_trat_struct *A = trats_new(m), *R = trats_new(m);
    trop_rconv_info info;
    trop_rconv_opts opts = {prove, 0, NULL, NULL, 0, 0};
    trop_error e;
    ck_assert_int_eq(trop_trat_vec_set_net(A, net, NULL, NULL, NULL), TROP_OK);
    ck_assert_msg(trop_trat_vec_set_net_regions(R, net, &opts, &info, &e) == TROP_OK, "%s: %s",
                  what, e.msg);
    /* the independent proof passed on every P and Q */
    ck_assert_msg(!prove || (info.proven == 2 * m && info.unproven == 0), "%s: proven %ld of %ld",
                  what, info.proven, 2 * m);
    ck_assert_int_eq(info.per_layer[net->nlayers - 1], info.regions);
    trop_free(info.per_layer);
    {
        /* geometry agrees: P and Q have one linear region per term */
        slong *cnt = flint_malloc((size_t)(2 * m) * sizeof(slong));
        ck_assert_int_eq(trop_region2_pq_linear(cnt, net, NULL, NULL), TROP_OK);
        for (o = 0; o < m; o++) {
            ck_assert_msg(cnt[2 * o] == R[o].num->length, "%s: P of output %ld: %ld linear "
                          "regions, %ld terms", what, o, cnt[2 * o], R[o].num->length);
            ck_assert_msg(cnt[2 * o + 1] == R[o].den->length, "%s: Q of output %ld: %ld linear "
                          "regions, %ld terms", what, o, cnt[2 * o + 1], R[o].den->length);
        }
        flint_free(cnt);
    }
    for (o = 0; o < m; o++) {
        ck_assert_msg(trop_tpoly_equal(A[o].num, R[o].num), "%s: output %ld: P has %ld terms "
                      "by regions, %ld by algebra", what, o, R[o].num->length, A[o].num->length);
        ck_assert_msg(trop_tpoly_equal(A[o].den, R[o].den), "%s: output %ld: Q has %ld terms "
                      "by regions, %ld by algebra", what, o, R[o].den->length, A[o].den->length);
    }
    trats_free(A, m);
    trats_free(R, m);
}

static void same_as_algebra(const trop_net_t net, const char *what)
{
    same_as_algebra_opt(net, what, 1);
}

/* ---- line arrangements, counted by hand ---- */

START_TEST(test_lines_general)
{
    trop_net_t net;
    /* x = 0, y = 0, x + y = 1, x - y = 2: no two parallel, the six
     * crossings (0,0), (0,1), (0,-2), (1,0), (2,0), (3/2,-1/2) distinct, so
     * 1 + 4 + C(4,2) = 11 regions, of which C(4-1, 2) = 3 bounded */
    lines_net(net, "1 0 0; 0 1 0; 1 1 -1; 1 -1 -2");
    count_regions(net, 11, 3);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_lines_special)
{
    trop_net_t net;
    /* three parallel lines x = 0, 1, 2: four strips, none bounded */
    lines_net(net, "1 0 0; 1 0 -1; 1 0 -2");
    count_regions(net, 4, 0);
    trop_net_clear(net);
    /* and y = 0 across them: eight unbounded pieces */
    lines_net(net, "1 0 0; 1 0 -1; 1 0 -2; 0 1 0");
    count_regions(net, 8, 0);
    trop_net_clear(net);
    /* three lines through one point (x = 0, y = 0, x = y): six wedges */
    lines_net(net, "1 0 0; 0 1 0; 1 -1 0");
    count_regions(net, 6, 0);
    trop_net_clear(net);
    /* a triangle x >= 0, y >= 0, x + y <= 1: 7 regions, 1 bounded */
    lines_net(net, "1 0 0; 0 1 0; -1 -1 1");
    count_regions(net, 7, 1);
    trop_net_clear(net);
    /* one line given twice (2x - 2 = 2(x - 1)), and a constant unit: two
     * half-planes */
    lines_net(net, "1 0 -1; 2 0 -2; 0 0 5");
    count_regions(net, 2, 0);
    trop_net_clear(net);
}
END_TEST

/* ---- exact counts, on a box and on the plane ---- */

static void box_set(fmpq *box, const char *lo0, const char *hi0, const char *lo1,
                    const char *hi1)
{
    trop_test_q_set(box + 0, lo0);
    trop_test_q_set(box + 1, hi0);
    trop_test_q_set(box + 2, lo1);
    trop_test_q_set(box + 3, hi1);
}

/* Exact count of net (rows as for lines_net) on the box, or the plane. */
static void exact_count(const char *rows, const char *box4, slong want, slong want_bounded)
{
    trop_net_t net;
    trop_region2_count_t c;
    fmpq box[4];
    char b[4][64];
    int i;
    for (i = 0; i < 4; i++)
        fmpq_init(box + i);
    lines_net(net, rows);
    if (box4 != NULL) {
        ck_assert_int_eq(sscanf(box4, "%63s %63s %63s %63s", b[0], b[1], b[2], b[3]), 4);
        box_set(box, b[0], b[1], b[2], b[3]);
    }
    trop_region2_count_init(c);
    ck_assert_int_eq(trop_region2_count(c, net, box4 ? box : NULL, NULL, NULL, NULL, NULL),
                     TROP_OK);
    ck_assert_msg(c->regions == want, "%s on %s: %ld regions, expected %ld", rows,
                  box4 ? box4 : "R^2", c->regions, want);
    ck_assert_int_eq(c->bounded, want_bounded);
    trop_region2_count_clear(c);
    trop_net_clear(net);
    for (i = 0; i < 4; i++)
        fmpq_clear(box + i);
}

START_TEST(test_exact_counts)
{
    /* the plane: as for the double search above */
    exact_count("1 0 0; 0 1 0; 1 1 -1; 1 -1 -2", NULL, 11, 3);
    exact_count("1 0 0; 1 0 -1; 1 0 -2; 0 1 0", NULL, 8, 0);
    exact_count("1 0 0; 0 1 0; 1 -1 0", NULL, 6, 0);
    exact_count("1 0 -1; 2 0 -2; 0 0 5", NULL, 2, 0);
    /* a box: every region is bounded */
    exact_count("1 0 0; 0 1 0", "-1 1 -1 1", 4, 4);
    /* a line through a corner only touches the box: one region */
    exact_count("1 1 -2", "-1 1 -1 1", 1, 1);
    /* a line along the box's edge cuts nothing */
    exact_count("1 0 -1", "-1 1 -1 1", 1, 1);
    /* a sliver of width 1e-9 between two parallel lines */
    exact_count("1 0 0; 1 0 -1/1000000000", "-1 1 -1 1", 3, 3);
    /* a dead unit (negative on the whole box) and a zero row */
    exact_count("1 0 -5; 0 0 0; 0 1 0", "-1 1 -1 1", 2, 2);
    /* three lines through one point inside the box: six pieces */
    exact_count("1 0 0; 0 1 0; 1 -1 0", "-1 1 -1 1", 6, 6);
    /* the triangle x, y >= 0, x + y <= 1 in [-2, 2]^2: 7 pieces */
    exact_count("1 0 0; 0 1 0; -1 -1 1", "-2 2 -2 2", 7, 7);
}
END_TEST

/* Serra et al. 2018, Fig. 2, on the plane (t1 ignored): h_a = max(0, x),
 * h_b = max(0, 1 - x), y = max(0, 4h_a + 2h_b - 3). */
static void serra_plane_net(trop_net_t net)
{
    trop_layer_struct *L;
    trop_net_init(net, 2);
    L = trop_net_append_layer(net, 2, TROP_ACT_RELU, NULL, 1);
    trop_test_q_set(L->W + 0, "1");
    trop_test_q_set(L->W + 2, "-1");
    trop_test_q_set(L->b + 1, "1");
    L = trop_net_append_layer(net, 1, TROP_ACT_RELU, NULL, 1);
    trop_test_q_set(L->W + 0, "4");
    trop_test_q_set(L->W + 1, "2");
    trop_test_q_set(L->b + 0, "-3");
}

/* Count of lines_net(rows) on the polygon of the half-planes hp ("a b c;
 * ..."), inside box4 or the plane. */
static slong polygon_count(const char *rows, const char *hp, const char *box4)
{
    trop_net_t net, hnet;
    trop_region2_count_t c;
    trop_region2_opts o;
    fmpq box[4];
    char b[4][64];
    slong i, n, got;
    /* the half-planes are written as a net's rows, for the same parser */
    lines_net(hnet, hp);
    lines_net(net, rows);
    n = hnet->layers[0].nout;
    memset(&o, 0, sizeof o);
    o.halfplanes = _fmpq_vec_init(3 * n);
    o.nhalfplanes = n;
    for (i = 0; i < n; i++) {
        fmpq_set((fmpq *)o.halfplanes + 3 * i, hnet->layers[0].W + 2 * i);
        fmpq_set((fmpq *)o.halfplanes + 3 * i + 1, hnet->layers[0].W + 2 * i + 1);
        fmpq_set((fmpq *)o.halfplanes + 3 * i + 2, hnet->layers[0].b + i);
    }
    for (i = 0; i < 4; i++)
        fmpq_init(box + i);
    if (box4 != NULL) {
        ck_assert_int_eq(sscanf(box4, "%63s %63s %63s %63s", b[0], b[1], b[2], b[3]), 4);
        box_set(box, b[0], b[1], b[2], b[3]);
    }
    trop_region2_count_init(c);
    ck_assert_int_eq(trop_region2_count(c, net, box4 ? box : NULL, NULL, NULL, &o, NULL),
                     TROP_OK);
    got = c->regions;
    trop_region2_count_clear(c);
    for (i = 0; i < 4; i++)
        fmpq_clear(box + i);
    _fmpq_vec_clear((fmpq *)o.halfplanes, 3 * n);
    trop_net_clear(net);
    trop_net_clear(hnet);
    return got;
}

START_TEST(test_polygon_domains)
{
    /* the triangle x, y >= 0, x + y <= 1 cut by x = 1/2: 2 pieces; by
     * x = 1/2 and y = 1/2: 3 (the corner (1/2, 1/2) is on the hypotenuse) */
    ck_assert_int_eq(polygon_count("1 0 -1/2", "1 0 0; 0 1 0; -1 -1 1", NULL), 2);
    ck_assert_int_eq(polygon_count("1 0 -1/2; 0 1 -1/2", "1 0 0; 0 1 0; -1 -1 1", NULL), 3);
    /* an empty domain (x >= 1 and x <= 0) and a flat one (x >= 0, x <= 0) */
    ck_assert_int_eq(polygon_count("0 1 0", "1 0 -1; -1 0 0", NULL), 0);
    ck_assert_int_eq(polygon_count("0 1 0", "1 0 0; -1 0 0", NULL), 0);
    /* a half-plane x >= 0 of the box [-1, 1]^2 cut by y = 0: 2 */
    ck_assert_int_eq(polygon_count("0 1 0", "1 0 0", "-1 1 -1 1"), 2);
    /* the unbounded quadrant x, y >= 0 with the four lines of lines4: x = 0
     * and y = 0 are its sides, x + y = 1 cuts off the triangle at the
     * origin, x - y = 2 (from (2, 0) towards (1, 1)) cuts the rest: 3 */
    ck_assert_int_eq(polygon_count("1 0 0; 0 1 0; 1 1 -1; 1 -1 -2", "1 0 0; 0 1 0", NULL), 3);
}
END_TEST

START_TEST(test_exact_serra_and_maxout)
{
    /* Serra et al. 2018, Fig. 2 on the line, as a plane network that
     * ignores t1: h_a = max(0, x), h_b = max(0, 1 - x), y = max(0, 4h_a +
     * 2h_b - 3).  By hand: z_y = -1 - 2x on x < 0, 2x - 1 on 0 < x < 1,
     * 4x - 3 on x > 1, so the breakpoints are -1/2, 0, 1/2, 1: 5 regions
     * (strips), none bounded */
    trop_net_t net;
    trop_layer_struct *L;
    trop_region2_count_t c;
    slong r;
    serra_plane_net(net);
    trop_region2_count_init(c);
    ck_assert_int_eq(trop_region2_count(c, net, NULL, NULL, NULL, NULL, NULL), TROP_OK);
    ck_assert_int_eq(c->regions, 5);
    ck_assert_int_eq(c->per_layer[0], 3);
    ck_assert_int_eq(c->bounded, 0);
    trop_region2_count_clear(c);
    trop_net_clear(net);
    /* a rank-k maxout unit in one input with k generic pieces r x - r^2
     * (tangents of x^2 / 4 at x = 2r): k regions */
    for (r = 2; r <= 5; r++) {
        slong i;
        trop_net_init(net, 2);
        L = trop_net_append_layer(net, r, TROP_ACT_MAXOUT, NULL, r);
        for (i = 0; i < r; i++) {
            fmpq_set_si(L->W + 2 * i, i, 1);
            fmpq_set_si(L->b + i, -i * i, 1);
        }
        trop_region2_count_init(c);
        ck_assert_int_eq(trop_region2_count(c, net, NULL, NULL, NULL, NULL, NULL), TROP_OK);
        ck_assert_int_eq(c->regions, r);
        trop_region2_count_clear(c);
        trop_net_clear(net);
    }
}
END_TEST

static int visit_nothing(const trop_region2_rec_struct *r, void *arg)
{
    (void)r;
    (void)arg;
    return 0;
}

/* The fast count (no visitor: double maps with error bounds, exact replay
 * where a filter cannot decide) equals the count that carries exact pieces
 * (a visitor forces it), layer by layer, on random nets whose small integer
 * weights make many exact coincidences (concurrent lines, lines through
 * vertices, units dead on a region), on the plane and on a box. */
START_TEST(test_fast_count_equals_exact)
{
    trop_rng r;
    trop_net_t net;
    trop_region2_count_t a, b;
    fmpq box[4];
    slong l, i, k;
    trop_rng_init(&r, trop_test_seed() + 9000 + (unsigned long long)_i);
    trop_net_init(net, 2);
    trop_test_rand_net(net, 2, 1 + _i % 3, _i, &r);
    if (_i % 2 == 0)
        for (l = 0; l < net->nlayers; l++) {
            trop_layer_struct *L = net->layers + l;
            for (i = 0; i < L->nout * L->nin; i++)
                fmpq_set_si(L->W + i, trop_rng_below(&r, 5) - 2, 1);
            for (i = 0; i < L->nout; i++)
                fmpq_set_si(L->b + i, trop_rng_below(&r, 3) - 1, 1);
        }
    for (i = 0; i < 4; i++) {
        fmpq_init(box + i);
        fmpq_set_si(box + i, i % 2 ? 1 : -1, 1);
    }
    for (k = 0; k < 2; k++) {
        const fmpq *bx = k ? box : NULL;
        trop_region2_count_init(a);
        trop_region2_count_init(b);
        ck_assert_int_eq(trop_region2_count(a, net, bx, NULL, NULL, NULL, NULL), TROP_OK);
        ck_assert_int_eq(trop_region2_count(b, net, bx, visit_nothing, NULL, NULL, NULL),
                         TROP_OK);
        ck_assert_msg(a->regions == b->regions && a->bounded == b->bounded,
                      "seed %llu: fast %ld (%ld bounded), exact %ld (%ld bounded)",
                      trop_test_seed() + 9000 + (unsigned long long)_i, a->regions,
                      a->bounded, b->regions, b->bounded);
        for (l = 0; l < net->nlayers; l++)
            ck_assert_int_eq(a->per_layer[l], b->per_layer[l]);
        trop_region2_count_clear(a);
        trop_region2_count_clear(b);
    }
    for (i = 0; i < 4; i++)
        fmpq_clear(box + i);
    trop_net_clear(net);
}
END_TEST

/* The exact count over the plane never exceeds the bounds for the
 * architecture: Serra et al.'s Theorem 1 and Montufar 2017 (ReLU), and
 * the trivial 2^N; random ReLU nets with 2..6 units per layer. */
START_TEST(test_count_below_bounds)
{
    trop_rng r;
    trop_net_t net;
    trop_region2_count_t c;
    trop_bound_arch a;
    slong widths[4], l, i, depth = 1 + _i % 3;
    fmpz_t b, n;
    trop_rng_init(&r, trop_test_seed() + 9500 + (unsigned long long)_i);
    trop_net_init(net, 2);
    for (l = 0; l <= depth; l++) {
        slong w = l < depth ? 2 + trop_rng_below(&r, 5) : 1;
        trop_layer_struct *L = trop_net_append_layer(net, w, l < depth ? TROP_ACT_RELU
                                                                     : TROP_ACT_LINEAR, NULL, 1);
        for (i = 0; i < L->nout * L->nin; i++)
            trop_test_rand_q(L->W + i, &r);
        for (i = 0; i < L->nout; i++)
            trop_test_rand_q(L->b + i, &r);
        if (l < depth)
            widths[l] = w;
    }
    a.n0 = 2;
    a.nlayers = depth;
    a.widths = widths;
    a.act = TROP_BOUND_RELU;
    a.rank = 0;
    fmpz_init(b);
    fmpz_init(n);
    trop_region2_count_init(c);
    ck_assert_int_eq(trop_region2_count(c, net, NULL, NULL, NULL, NULL, NULL), TROP_OK);
    fmpz_set_si(n, c->regions);
    ck_assert(trop_bound_serra_upper(b, &a, NULL));
    ck_assert_msg(fmpz_cmp(n, b) <= 0, "%ld regions above Serra's bound", c->regions);
    ck_assert(trop_bound_montufar2017_upper(b, &a, NULL));
    ck_assert(fmpz_cmp(n, b) <= 0);
    ck_assert(trop_bound_trivial_upper(b, &a, NULL));
    ck_assert(fmpz_cmp(n, b) <= 0);
    /* one hidden layer: at most the arrangement count, reached in general
     * position (random rational lines are in general position almost
     * surely, but the test only asserts the bound) */
    trop_region2_count_clear(c);
    fmpz_clear(b);
    fmpz_clear(n);
    trop_net_clear(net);
}
END_TEST

/* A one-input net on the plane (t1 ignored): relu units x + c_i, then a
 * linear output with weights w_i. */
static void line_net(trop_net_t net, const char *cs, const char *ws)
{
    char buf[256], *save = NULL, *tok;
    fmpq c[8], w[8];
    slong m = 0, i;
    trop_layer_struct *L;
    for (i = 0; i < 8; i++) {
        fmpq_init(c + i);
        fmpq_init(w + i);
    }
    snprintf(buf, sizeof buf, "%s", cs);
    for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        trop_test_q_set(c + m++, tok);
    snprintf(buf, sizeof buf, "%s", ws);
    save = NULL;
    for (i = 0, tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        trop_test_q_set(w + i++, tok);
    trop_net_init(net, 2);
    L = trop_net_append_layer(net, m, TROP_ACT_RELU, NULL, 1);
    for (i = 0; i < m; i++) {
        fmpq_one(L->W + 2 * i);
        fmpq_set(L->b + i, c + i);
    }
    L = trop_net_append_layer(net, 1, TROP_ACT_LINEAR, NULL, 1);
    for (i = 0; i < m; i++)
        fmpq_set(L->W + i, w + i);
    for (i = 0; i < 8; i++) {
        fmpq_clear(c + i);
        fmpq_clear(w + i);
    }
}

static void linear_count(const trop_net_t net, slong act, slong lin, const slong *per)
{
    trop_region2_count_t c;
    slong got, gp[4], o;
    trop_region2_count_init(c);
    ck_assert_int_eq(trop_region2_linear(c, &got, gp, net, NULL, NULL, NULL, NULL, NULL),
                     TROP_OK);
    ck_assert_int_eq(c->regions, act);
    ck_assert_int_eq(got, lin);
    for (o = 0; per != NULL && o < trop_net_output_dim(net); o++)
        ck_assert_int_eq(gp[o], per[o]);
    trop_region2_count_clear(c);
}

START_TEST(test_linear_regions)
{
    trop_net_t net;
    trop_layer_struct *L;
    slong per[2] = {2, 2};
    /* Serra et al. 2018, Fig. 2: y = -1 - 2x, 0, 0, 2x - 1, 4x - 3 on
     * (-inf, -1/2), (-1/2, 0), (0, 1/2), (1/2, 1), (1, inf): the two zero
     * pieces are adjacent, so 5 activation and 4 linear regions */
    serra_plane_net(net);
    linear_count(net, 5, 4, NULL);
    trop_net_clear(net);
    /* relu(x) - 2 relu(x - 1) + relu(x - 2) = 0, x, 2 - x, 0: the two zero
     * pieces are not adjacent, so 4 and 4 */
    line_net(net, "0 -1 -2", "1 -2 1");
    linear_count(net, 4, 4, NULL);
    trop_net_clear(net);
    /* relu(x) - relu(x): zero everywhere, two activation regions, one
     * linear region */
    line_net(net, "0 0", "1 -1");
    linear_count(net, 2, 1, NULL);
    trop_net_clear(net);
    /* outputs relu(x) and relu(y): the four quadrants are four activation
     * regions and, for the vector, four linear regions; each output alone
     * sees two (its half-planes) */
    trop_net_init(net, 2);
    L = trop_net_append_layer(net, 2, TROP_ACT_RELU, NULL, 1);
    fmpq_one(L->W + 0);
    fmpq_one(L->W + 3);
    L = trop_net_append_layer(net, 2, TROP_ACT_LINEAR, NULL, 1);
    fmpq_one(L->W + 0);
    fmpq_one(L->W + 3);
    linear_count(net, 4, 4, per);
    trop_net_clear(net);
    /* four lines in general position, the sum of the units: every region
     * has its own map, 11 and 11 */
    lines_net(net, "1 0 0; 0 1 0; 1 1 -1; 1 -1 -2");
    linear_count(net, 11, 11, NULL);
    trop_net_clear(net);
}
END_TEST

static slong decision_count(const trop_net_t net)
{
    trop_region2_count_t c;
    slong d;
    trop_region2_count_init(c);
    ck_assert_int_eq(trop_region2_decision(c, &d, net, NULL, NULL, NULL), TROP_OK);
    trop_region2_count_clear(c);
    return d;
}

START_TEST(test_decision_regions)
{
    trop_net_t net;
    trop_layer_struct *L;
    /* outputs (|t0|, 1/2): class 0 where |t0| >= 1/2, two strips apart,
     * class 1 between: 3 decision regions */
    trop_net_init(net, 2);
    L = trop_net_append_layer(net, 2, TROP_ACT_RELU, NULL, 1);
    fmpq_one(L->W + 0);
    fmpq_set_si(L->W + 2, -1, 1);
    L = trop_net_append_layer(net, 2, TROP_ACT_LINEAR, NULL, 1);
    fmpq_one(L->W + 0);
    fmpq_one(L->W + 1);
    fmpq_set_si(L->b + 1, 1, 2);
    ck_assert_int_eq(decision_count(net), 3);
    trop_net_clear(net);
    /* one output t0 - 1 (a linear layer): the classes t0 >= 1 and t0 < 1 */
    trop_net_init(net, 2);
    L = trop_net_append_layer(net, 1, TROP_ACT_LINEAR, NULL, 1);
    fmpq_one(L->W + 0);
    fmpq_set_si(L->b + 0, -1, 1);
    ck_assert_int_eq(decision_count(net), 2);
    trop_net_clear(net);
    /* relu(t0 - 1) >= 0 everywhere: one class */
    line_net(net, "-1", "1");
    ck_assert_int_eq(decision_count(net), 1);
    trop_net_clear(net);
    /* one output, a sum of ReLUs, >= 0 everywhere: one class, one region */
    lines_net(net, "1 0 0; 0 1 0; 1 1 -1; 1 -1 -2");
    ck_assert_int_eq(decision_count(net), 1);
    trop_net_clear(net);
    /* Serra's network: y >= 0 everywhere, one decision region */
    serra_plane_net(net);
    ck_assert_int_eq(decision_count(net), 1);
    trop_net_clear(net);
}
END_TEST

/* The activation pattern of net at x, exactly: br[l][u] as in
 * trop_region2_rec_struct; returns 0 if some unit is on its boundary. */
typedef struct {
    slong n;
    slong *pattern;   /* [n x total units] */
    fmpz *maps;       /* [n x nout x 3] */
    fmpz_t den;
    slong total, nout, cap;
} rec_list;

static int collect_rec(const trop_region2_rec_struct *r, void *arg)
{
    rec_list *L = arg;
    slong l, u, k = 0;
    if (L->n == L->cap) {
        slong i, ncap = L->cap ? 2 * L->cap : 64;
        fmpz *nm = _fmpz_vec_init(ncap * L->nout * 3);
        for (i = 0; i < L->n * L->nout * 3; i++)
            fmpz_swap(nm + i, L->maps + i);
        if (L->maps)
            _fmpz_vec_clear(L->maps, L->cap * L->nout * 3);
        L->maps = nm;
        L->pattern = trop_realloc(L->pattern, (size_t)(ncap * L->total) * sizeof(slong));
        L->cap = ncap;
    }
    for (l = 0; l < r->nlayers; l++)
        for (u = 0; u < r->units[l]; u++)
            L->pattern[L->n * L->total + k++] = r->branch[l][u];
    _fmpz_vec_set(L->maps + L->n * L->nout * 3, r->map, L->nout * 3);
    fmpz_set(L->den, r->den);
    L->n++;
    return 0;
}

/* pat: the exact pattern of net at x (ties: z >= 0 active, the lowest maxout
 * row); returns 0 if x lies on some unit's boundary. */
static int pattern_at(slong *pat, const trop_net_t net, const fmpq *x)
{
    slong l, i, j, k = 0, n = net->input_dim;
    fmpq *h = _fmpq_vec_init(64), *z = _fmpq_vec_init(64);
    fmpq_t s;
    int generic = 1;
    fmpq_init(s);
    for (j = 0; j < n; j++)
        fmpq_set(h + j, x + j);
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        for (i = 0; i < L->nout; i++) {
            fmpq_set(z + i, L->b + i);
            for (j = 0; j < L->nin; j++)
                fmpq_addmul(z + i, L->W + i * L->nin + j, h + j);
        }
        if (L->act == TROP_ACT_MAXOUT) {
            for (i = 0; i < L->nout / L->k; i++) {
                slong r, best = 0;
                for (r = 1; r < L->k; r++) {
                    int c = fmpq_cmp(z + i * L->k + r, z + i * L->k + best);
                    generic &= c != 0;
                    if (c > 0)
                        best = r;
                }
                pat[k++] = best;
                fmpq_set(h + i, z + i * L->k + best);
            }
        } else {
            for (i = 0; i < L->nout; i++) {
                int sg = fmpq_sgn(z + i);
                if (L->act != TROP_ACT_LINEAR)
                    generic &= sg != 0;
                pat[k++] = L->act == TROP_ACT_LINEAR ? 0 : sg >= 0;
                if (L->act == TROP_ACT_RELU && sg < 0)
                    fmpq_zero(z + i);
                else if (L->act == TROP_ACT_LEAKY && sg < 0)
                    fmpq_mul(z + i, z + i, L->slope);
                fmpq_set(h + i, z + i);
            }
        }
    }
    fmpq_clear(s);
    _fmpq_vec_clear(h, 64);
    _fmpq_vec_clear(z, 64);
    return generic;
}

START_TEST(test_exact_point_location)
{
    /* a random point lies in exactly one region (its activation pattern is
     * listed once) and that region's exact map equals the network there */
    trop_rng r;
    trop_net_t net;
    rec_list L;
    trop_region2_count_t c;
    fmpq x[2], y[4];
    fmpq_t v, w;
    slong l, total = 0, k, i, nout, *pat;
    trop_rng_init(&r, trop_test_seed() + 7000 + (unsigned long long)_i);
    trop_net_init(net, 2);
    trop_test_rand_net(net, 2, 1 + _i % 3, _i, &r);
    nout = trop_net_output_dim(net);
    for (l = 0; l < net->nlayers; l++)
        total += trop_layer_width(net->layers + l);
    memset(&L, 0, sizeof L);
    L.total = total;
    L.nout = nout;
    fmpz_init(L.den);
    trop_region2_count_init(c);
    ck_assert_int_eq(trop_region2_count(c, net, NULL, collect_rec, &L, NULL, NULL), TROP_OK);
    ck_assert_int_eq(L.n, c->regions);
    pat = trop_malloc((size_t)total * sizeof(slong));
    fmpq_init(x + 0); fmpq_init(x + 1); fmpq_init(v); fmpq_init(w);
    for (i = 0; i < nout; i++)
        fmpq_init(y + i);
    for (k = 0; k < 60; k++) {
        slong found = 0, at = -1, j;
        trop_test_rand_q(x + 0, &r);
        trop_test_rand_q(x + 1, &r);
        if (!pattern_at(pat, net, x))
            continue;
        for (j = 0; j < L.n; j++)
            if (memcmp(L.pattern + j * total, pat, (size_t)total * sizeof(slong)) == 0) {
                found++;
                at = j;
            }
        ck_assert_msg(found == 1, "seed %llu: point %ld lies in %ld listed regions",
                      trop_test_seed() + 7000 + (unsigned long long)_i, k, found);
        trop_net_eval_q(y, net, x);
        for (i = 0; i < nout; i++) {
            const fmpz *m = L.maps + (at * nout + i) * 3;
            fmpq_set_fmpz_frac(v, m + 0, L.den);
            fmpq_mul(v, v, x + 0);
            fmpq_set_fmpz_frac(w, m + 1, L.den);
            fmpq_addmul(v, w, x + 1);
            fmpq_set_fmpz_frac(w, m + 2, L.den);
            fmpq_add(v, v, w);
            ck_assert_msg(fmpq_equal(v, y + i), "region map differs from the network");
        }
    }
    fmpq_clear(x + 0); fmpq_clear(x + 1); fmpq_clear(v); fmpq_clear(w);
    for (i = 0; i < nout; i++)
        fmpq_clear(y + i);
    trop_free(pat);
    trop_free(L.pattern);
    if (L.maps)
        _fmpz_vec_clear(L.maps, L.cap * nout * 3);
    fmpz_clear(L.den);
    trop_region2_count_clear(c);
    trop_net_clear(net);
}
END_TEST

/* ---- tropical rational functions ---- */

START_TEST(test_single_unit)
{
    /* max(0, 2x0 - 3x1 + 1) = max(2x0 + 1, 3x1) - 3x1: H = 2x0 + 1 and
     * G = 3x1 (the negative weight moves to G), P = max(H, G), Q = G */
    trop_net_t net;
    trop_trat_struct *R = trats_new(1);
    trop_tpoly_t want;
    fmpq a[2];
    fmpq_t c;
    lines_net(net, "2 -3 1");
    ck_assert_int_eq(trop_trat_vec_set_net_regions(R, net, NULL, NULL, NULL), TROP_OK);
    trop_tpoly_init(want, 2);
    fmpq_init(a + 0); fmpq_init(a + 1); fmpq_init(c);
    fmpq_set_si(a + 0, 2, 1); fmpq_set_si(c, 1, 1);
    trop_tpoly_push_term(want, a, c);
    fmpq_zero(a + 0); fmpq_set_si(a + 1, 3, 1); fmpq_zero(c);
    trop_tpoly_push_term(want, a, c);
    trop_tpoly_canonicalise(want);
    ck_assert(trop_tpoly_equal(R[0].num, want));
    trop_tpoly_set_term(want, a, c);
    ck_assert(trop_tpoly_equal(R[0].den, want));
    fmpq_clear(a + 0); fmpq_clear(a + 1); fmpq_clear(c);
    trop_tpoly_clear(want);
    trats_free(R, 1);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_random_vs_algebra)
{
    trop_rng r;
    trop_net_t net;
    char what[64];
    trop_rng_init(&r, trop_test_seed() + 3000 + (unsigned long long)_i);
    snprintf(what, sizeof what, "seed %llu", trop_test_seed() + 3000 + (unsigned long long)_i);
    trop_net_init(net, 2);
    trop_test_rand_net(net, 2, 1 + _i % 2, _i, &r);
    same_as_algebra(net, what);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_wide_exponents)
{
    /* float weights spanning 2^-100 .. 2^10: the layers' integer scales make
     * weights of two and more limbs, the slow path of limbs.c; the terms
     * must still equal the algebraic method's */
    trop_rng r;
    trop_net_t net;
    slong l, i;
    char what[64];
    trop_rng_init(&r, trop_test_seed() + 8000 + (unsigned long long)_i);
    snprintf(what, sizeof what, "wide exponents, seed %llu",
             trop_test_seed() + 8000 + (unsigned long long)_i);
    trop_net_init(net, 2);
    trop_test_rand_net(net, 2, 1, 3 * _i + 1, &r);  /* relu / leaky / maxout by _i */
    for (l = 0; l < net->nlayers; l++) {
        trop_layer_struct *L = net->layers + l;
        for (i = 0; i < L->nout * L->nin; i++) {
            double m = (double)(trop_rng_below(&r, 2001) - 1000) / 1000.0;
            trop_q_set_d(L->W + i, ldexp(m, (int)trop_rng_below(&r, 81) - 70), NULL);
        }
    }
    /* the proof's qhull faces are in double: with coefficients this far
     * apart it may not decide (it never passes a wrong list) */
    same_as_algebra_opt(net, what, 0);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_real_twin_ladder_plane)
{
    /* A real verification benchmark (5 inputs, 10 ReLUs) on the plane of
     * its first two inputs, the others at 1/2 */
    trop_net_t net, sl;
    fmpq *x0, *U;
    slong i;
    trop_net_init(net, 1);
    trop_net_init(sl, 1);
    ck_assert_int_eq(trop_net_read(net, trop_test_data("nnet/twin_ladder-5_inp-2_layers-5_width-1_margin.nnet"),
                                   NULL), TROP_OK);
    x0 = _fmpq_vec_init(5);
    U = _fmpq_vec_init(10);
    for (i = 2; i < 5; i++)
        fmpq_set_si(x0 + i, 1, 2);
    fmpq_one(U + 0);      /* U = [e0 e1]: row i is (U[i][0], U[i][1]) */
    fmpq_one(U + 3);
    trop_net_slice(sl, net, x0, U, 2);
    same_as_algebra(sl, "twin_ladder plane");
    _fmpq_vec_clear(x0, 5);
    _fmpq_vec_clear(U, 10);
    trop_net_clear(sl);
    trop_net_clear(net);
}
END_TEST

START_TEST(test_real_acas_plane)
{
    /* ACAS Xu 1_1 (5 inputs, 6 x 50 ReLUs, 5 outputs) on the plane of its
     * first two normalised inputs, the others at 0.  The exact enumeration
     * and the double search (a second method) must agree on the region
     * counts, layer by layer; P - Q must equal the network exactly at random
     * rational points, near and far. */
    trop_net_t net, sl;
    trop_region2_set_t ds;
    trop_rconv_info info;
    trop_trat_struct *R;
    trop_tpoly_feval_t fp, fq;
    trop_rng r;
    fmpq *x0, *U, t[2], y[5];
    fmpq_t v, w;
    slong i, k, o;
    trop_net_init(net, 1);
    trop_net_init(sl, 1);
    ck_assert_int_eq(trop_net_read(net, trop_test_data("nnet/ACASXU_run2a_1_1_batch_2000.nnet"),
                                   NULL), TROP_OK);
    x0 = _fmpq_vec_init(5);
    U = _fmpq_vec_init(10);
    fmpq_one(U + 0);
    fmpq_one(U + 3);
    trop_net_slice(sl, net, x0, U, 2);
    R = trats_new(5);
    ck_assert_int_eq(trop_trat_vec_set_net_regions(R, sl, NULL, &info, NULL), TROP_OK);
    trop_region2_set_init(ds);
    ck_assert_int_eq(trop_region2_set_enum(ds, sl, NULL, NULL), TROP_OK);
    ck_assert_int_eq(info.regions, ds->nregions);
    for (i = 0; i < sl->nlayers; i++)
        ck_assert_int_eq(info.per_layer[i], ds->per_layer[i]);
    ck_assert_int_eq(info.regions, 105509);
    trop_region2_set_clear(ds);
    {
        /* the fast count on the box [-1/2, 1/2]^2 equals the exact-mode count */
        trop_region2_count_t a, b;
        fmpq box[4];
        for (i = 0; i < 4; i++) {
            fmpq_init(box + i);
            fmpq_set_si(box + i, i % 2 ? 1 : -1, 2);
        }
        trop_region2_count_init(a);
        trop_region2_count_init(b);
        ck_assert_int_eq(trop_region2_count(a, sl, box, NULL, NULL, NULL, NULL), TROP_OK);
        ck_assert_int_eq(trop_region2_count(b, sl, box, visit_nothing, NULL, NULL, NULL), TROP_OK);
        ck_assert_int_eq(a->regions, 51005);
        ck_assert_int_eq(b->regions, 51005);
        for (i = 0; i < sl->nlayers; i++)
            ck_assert_int_eq(a->per_layer[i], b->per_layer[i]);
        trop_region2_count_clear(a);
        trop_region2_count_clear(b);
        for (i = 0; i < 4; i++)
            fmpq_clear(box + i);
    }
    trop_free(info.per_layer);
    trop_rng_init(&r, trop_test_seed() + 5000);
    fmpq_init(t + 0); fmpq_init(t + 1); fmpq_init(v); fmpq_init(w);
    for (o = 0; o < 5; o++)
        fmpq_init(y + o);
    for (k = 0; k < trop_test_count(40); k++) {
        trop_test_rand_q(t + 0, &r);
        trop_test_rand_q(t + 1, &r);
        if (k % 4 == 3) {             /* far out: the unbounded regions */
            fmpq_mul_2exp(t + 0, t + 0, 20);
            fmpq_mul_2exp(t + 1, t + 1, 20);
        }
        trop_net_eval_q(y, sl, t);
        for (o = 0; o < 5; o++) {
            trop_tpoly_feval_init(fp, R[o].num);
            trop_tpoly_feval_init(fq, R[o].den);
            trop_tpoly_feval_q(v, fp, t);
            trop_tpoly_feval_q(w, fq, t);
            fmpq_sub(v, v, w);
            ck_assert_msg(fmpq_equal(v, y + o), "output %ld differs at point %ld", o, k);
            trop_tpoly_feval_clear(fp);
            trop_tpoly_feval_clear(fq);
        }
    }
    fmpq_clear(t + 0); fmpq_clear(t + 1); fmpq_clear(v); fmpq_clear(w);
    for (o = 0; o < 5; o++)
        fmpq_clear(y + o);
    trats_free(R, 5);
    _fmpq_vec_clear(x0, 5);
    _fmpq_vec_clear(U, 10);
    trop_net_clear(sl);
    trop_net_clear(net);
}
END_TEST

/* ---- the completeness proof can fail ---- */

static void tpoly_oracle(fmpq_t val, const fmpq *x, int recession, void *arg)
{
    const trop_tpoly_struct *f = arg;
    slong i;
    fmpq_t t;
    if (!recession) {
        trop_tpoly_eval_q(val, f, x, NULL);
        return;
    }
    fmpq_init(t);
    for (i = 0; i < f->length; i++) {
        _trop_qvec_dot(t, f->exps + 2 * i, x, 2);
        if (i == 0 || fmpq_cmp(t, val) > 0)
            fmpq_set(val, t);
    }
    fmpq_clear(t);
}

START_TEST(test_certify_detects_missing)
{
    /* f = the P of a random net (algebraic, pruned); dropping any one term
     * must make the proof fail with a point where f beats the rest, and the
     * full list must pass */
    trop_rng r;
    trop_net_t net;
    trop_trat_struct *A = trats_new(1);
    trop_tpoly_t T;
    fmpq w[2];
    fmpq_t fv, tv;
    slong i, j;
    int cert;
    trop_rng_init(&r, trop_test_seed() + 4000 + (unsigned long long)_i);
    lines_net(net, "1 0 0; 0 1 0; 1 1 -1; 1 -1 -2; 3 1 2");
    for (i = 0; i < 5; i++)       /* random output weights, both signs */
        trop_test_rand_q(net->layers[1].W + i, &r);
    ck_assert_int_eq(trop_trat_vec_set_net(A, net, NULL, NULL, NULL), TROP_OK);
    fmpq_init(w + 0); fmpq_init(w + 1); fmpq_init(fv); fmpq_init(tv);
    trop_tpoly_init(T, 2);
    ck_assert_int_eq(trop_tpoly_certify2(&cert, w, A[0].num, tpoly_oracle, A[0].num, NULL, NULL),
                     TROP_OK);
    ck_assert_int_eq(cert, 1);
    for (j = 0; j < A[0].num->length; j++) {
        trop_tpoly_zero(T);
        for (i = 0; i < A[0].num->length; i++)
            if (i != j)
                trop_tpoly_push_term(T, A[0].num->exps + 2 * i, A[0].num->coefs + i);
        trop_tpoly_canonicalise(T);
        if (T->length == 0)
            continue;
        ck_assert_int_eq(trop_tpoly_certify2(&cert, w, T, tpoly_oracle, A[0].num, NULL, NULL),
                         TROP_OK);
        ck_assert_msg(cert == 0, "term %ld of %ld dropped: certified %d", j,
                      A[0].num->length, cert);
        trop_tpoly_eval_q(fv, A[0].num, w, NULL);
        trop_tpoly_eval_q(tv, T, w, NULL);
        ck_assert(fmpq_cmp(fv, tv) > 0);
    }
    trop_tpoly_clear(T);
    fmpq_clear(w + 0); fmpq_clear(w + 1); fmpq_clear(fv); fmpq_clear(tv);
    trats_free(A, 1);
    trop_net_clear(net);
}
END_TEST

static Suite *region_suite(void)
{
    Suite *s = suite_create("region");
    TCase *tc = tcase_create("arrangements");
    tcase_add_test(tc, test_lines_general);
    tcase_add_test(tc, test_lines_special);
    tcase_add_test(tc, test_exact_counts);
    tcase_add_test(tc, test_polygon_domains);
    tcase_add_test(tc, test_exact_serra_and_maxout);
    tcase_add_loop_test(tc, test_exact_point_location, 0, trop_test_count(20));
    tcase_add_test(tc, test_linear_regions);
    tcase_add_test(tc, test_decision_regions);
    tcase_add_loop_test(tc, test_count_below_bounds, 0, trop_test_count(30));
    tcase_add_loop_test(tc, test_fast_count_equals_exact, 0, trop_test_count(40));
    suite_add_tcase(s, tc);
    tc = tcase_create("trat");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_single_unit);
    tcase_add_loop_test(tc, test_random_vs_algebra, 0, trop_test_count(30));
    tcase_add_loop_test(tc, test_wide_exponents, 0, trop_test_count(6));
    tcase_add_test(tc, test_real_twin_ladder_plane);
    tcase_add_test(tc, test_real_acas_plane);
    tcase_add_loop_test(tc, test_certify_detects_missing, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(region_suite);
}
