/* test_regionn.c: activation regions in n input dimensions
 * (trop_regionn_count).  Expected values: Zaslavsky's count for hyperplane
 * arrangements in general position and for central ones (worked out in the
 * comments), hand counts of degenerate boxes, products of independent
 * arrangements, and a second method: the plane engine trop_region2_count
 * (lib/region/exact2.c, a different algorithm) on two-input networks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include <flint/fmpz_mat.h>
#include <flint/fmpq_mat.h>
#include "trop/trop.h"
#include "runner.h"
#include "helpers.h"

/* A net with n inputs, one ReLU layer whose rows are "w0 ... w_{n-1} b"
 * separated by ';', and one linear output summing the units. */
static void planes_net(trop_net_t net, slong n, const char *rows)
{
    char buf[4096], *save = NULL, *row;
    slong m = 1, i, j;
    trop_layer_struct *L;
    const char *p;
    for (p = rows; *p; p++)
        m += *p == ';';
    trop_net_init(net, n);
    L = trop_net_append_layer(net, m, TROP_ACT_RELU, NULL, 1);
    snprintf(buf, sizeof buf, "%s", rows);
    for (i = 0, row = strtok_r(buf, ";", &save); row; row = strtok_r(NULL, ";", &save), i++) {
        char *s2 = NULL, *tok = strtok_r(row, " ", &s2);
        for (j = 0; j <= n; j++, tok = strtok_r(NULL, " ", &s2)) {
            ck_assert_ptr_nonnull(tok);
            trop_test_q_set(j < n ? L->W + i * n + j : L->b + i, tok);
        }
    }
    L = trop_net_append_layer(net, 1, TROP_ACT_LINEAR, NULL, 1);
    for (i = 0; i < m; i++)
        fmpq_one(L->W + i);
}

static void cube(fmpq *box, slong n, const char *lo, const char *hi)
{
    slong j;
    for (j = 0; j < n; j++) {
        trop_test_q_set(box + 2 * j, lo);
        trop_test_q_set(box + 2 * j + 1, hi);
    }
}

static slong count_nd(const trop_net_t net, const fmpq *box, const trop_regionn_opts *o)
{
    trop_regionn_count_t c;
    trop_error err;
    slong r;
    trop_regionn_count_init(c);
    ck_assert_msg(trop_regionn_count(c, net, box, NULL, NULL, o, &err) == TROP_OK, "%s",
                  err.msg);
    ck_assert_int_eq(c->complete, 1);
    ck_assert_int_eq(c->per_layer[c->nlayers - 1], c->regions);
    r = c->regions;
    trop_regionn_count_clear(c);
    return r;
}

static slong planes_count(slong n, const char *rows, const char *lo, const char *hi)
{
    trop_net_t net;
    fmpq *box = _fmpq_vec_init(2 * n);
    slong r;
    planes_net(net, n, rows);
    cube(box, n, lo, hi);
    r = count_nd(net, box, NULL);
    trop_net_clear(net);
    _fmpq_vec_clear(box, 2 * n);
    return r;
}

START_TEST(test_boxes_by_hand)
{
    /* In the cube [-1, 1]^3, counted by hand: */
    /* three coordinate planes: the 8 octants */
    ck_assert_int_eq(planes_count(3, "1 0 0 0;0 1 0 0;0 0 1 0", "-1", "1"), 8);
    /* m central planes in general position: 2 (1 + (m - 1) + C(m - 1, 2))
     * = m (m - 1) + 2 regions (Zaslavsky for a central arrangement in R^3):
     * m = 4: 14, m = 5: 22; every region's apex is the origin, a
     * degenerate vertex */
    ck_assert_int_eq(planes_count(3, "1 0 0 0;0 1 0 0;0 0 1 0;1 1 1 0", "-1", "1"), 14);
    ck_assert_int_eq(planes_count(3, "1 0 0 0;0 1 0 0;0 0 1 0;1 1 1 0;1 -2 3 0", "-1", "1"),
                     22);
    /* a plane touching the cube only at the corner (1, 1, 1); along a face;
     * along an edge: no cut */
    ck_assert_int_eq(planes_count(3, "1 1 1 -3", "-1", "1"), 1);
    ck_assert_int_eq(planes_count(3, "1 0 0 -1", "-1", "1"), 1);
    ck_assert_int_eq(planes_count(3, "1 1 0 -2", "-1", "1"), 1);
    /* the corner plane together with the octants: still 8 */
    ck_assert_int_eq(planes_count(3, "1 0 0 0;1 1 1 -3;0 1 0 0;0 0 1 0", "-1", "1"), 8);
    /* duplicate and parallel planes: x = 0 twice, x = 1/2, y = 0: 3 x 2 */
    ck_assert_int_eq(planes_count(3, "1 0 0 0;2 0 0 0;1 0 0 -1/2;0 1 0 0", "-1", "1"), 6);
    /* dead units: a zero row with bias -1 (never active), with bias 0
     * (z = 0 everywhere: active), and a plane outside the cube */
    ck_assert_int_eq(planes_count(3, "0 0 0 -1;0 0 0 0;1 0 0 5", "-1", "1"), 1);
    /* a sliver of width 1e-9 between x = 0 and x = 1e-9, and y = 0: 3 x 2 */
    ck_assert_int_eq(planes_count(3, "1 0 0 0;1 0 0 -1/1000000000;0 1 0 0", "-1", "1"), 6);
    /* three planes through one line (the z axis) and one through it
     * transversally: 6 sectors x 2 */
    ck_assert_int_eq(planes_count(3, "1 0 0 0;0 1 0 0;1 1 0 0;0 0 1 0", "-1", "1"), 12);
    /* four dimensions: the 16 orthants of [-1, 1]^4, and the plane
     * x0 + x1 + x2 + x3 = 0 adds one region per orthant it crosses (14 of
     * them: all but (+ + + +) and (- - - -)) */
    ck_assert_int_eq(planes_count(4, "1 0 0 0 0;0 1 0 0 0;0 0 1 0 0;0 0 0 1 0", "-1", "1"), 16);
    ck_assert_int_eq(planes_count(4, "1 0 0 0 0;0 1 0 0 0;0 0 1 0 0;0 0 0 1 0;1 1 1 1 0",
                                  "-1", "1"), 30);
}
END_TEST

START_TEST(test_halfspace_domain)
{
    /* the octants inside the cube cut by x + y + z <= 0 (through the
     * origin): all but the positive octant meet it: 7; cut by x + y + z
     * <= -5/2 instead: only the points near (-1, -1, -1): 1.  Zero rows and
     * the region limit below. */
    trop_net_t net;
    fmpq *box = _fmpq_vec_init(6), *hs = _fmpq_vec_init(4);
    trop_regionn_opts o;
    memset(&o, 0, sizeof(o));
    planes_net(net, 3, "1 0 0 0;0 1 0 0;0 0 1 0");
    cube(box, 3, "-1", "1");
    fmpq_set_si(hs + 0, -1, 1);
    fmpq_set_si(hs + 1, -1, 1);
    fmpq_set_si(hs + 2, -1, 1);
    o.halfspaces = hs;
    o.nhalfspaces = 1;
    ck_assert_int_eq(count_nd(net, box, &o), 7);
    fmpq_set_si(hs + 3, -5, 2);
    ck_assert_int_eq(count_nd(net, box, &o), 1);
    /* a row 0 . x + 0 >= 0 constrains nothing: the 8 octants; 0 . x - 1 >=
     * 0 holds nowhere: no region */
    _trop_qvec_zero(hs, 4);
    ck_assert_int_eq(count_nd(net, box, &o), 8);
    fmpq_set_si(hs + 3, -1, 1);
    ck_assert_int_eq(count_nd(net, box, &o), 0);
    {
        /* --max-regions: 8 regions, a limit of 3 stops with TROP_ERR_LIMIT,
         * a limit of 8 does not */
        trop_regionn_count_t c;
        trop_error err;
        trop_regionn_opts lim;
        memset(&lim, 0, sizeof lim);
        lim.max_regions = 3;
        trop_regionn_count_init(c);
        ck_assert_int_eq(trop_regionn_count(c, net, box, NULL, NULL, &lim, &err), TROP_ERR_LIMIT);
        ck_assert_int_eq(c->complete, 0);
        lim.max_regions = 8;
        ck_assert_int_eq(trop_regionn_count(c, net, box, NULL, NULL, &lim, &err), TROP_OK);
        ck_assert_int_eq(c->regions, 8);
        trop_regionn_count_clear(c);
    }
    trop_net_clear(net);
    _fmpq_vec_clear(box, 6);
    _fmpq_vec_clear(hs, 4);
}
END_TEST

/* 1 if the integer rows a_i (i in idx, k of them, each [n]) are linearly
 * independent. */
static int rows_independent(const slong *A, const slong *idx, slong k, slong n)
{
    fmpz_mat_t M;
    slong i, j, r;
    fmpz_mat_init(M, k, n);
    for (i = 0; i < k; i++)
        for (j = 0; j < n; j++)
            fmpz_set_si(fmpz_mat_entry(M, i, j), A[idx[i] * (n + 1) + j]);
    r = fmpz_mat_rank(M);
    fmpz_mat_clear(M);
    return r == k;
}

START_TEST(test_zaslavsky_general_position)
{
    /* m hyperplanes in general position in R^3 cut space into
     * sum_{j <= 3} C(m, j) regions (Zaslavsky 1975); every region is pointed
     * (the normals span R^3) so it has a vertex of the arrangement, and a
     * box holding all vertices inside meets every region.  The test draws
     * integer planes, checks general position exactly (every 3 normals
     * independent, no 4 planes through one point, no 2 parallel), finds the
     * vertices exactly and takes a box beyond them. */
    trop_rng r;
    slong n = 3, m = 5 + _i % 3, i, j, k, q, A[8 * 4];
    double big = 1;
    char rows[1024], lo[32], hi[32];
    int ok;
    trop_rng_init(&r, 4100 + (unsigned long long)_i);
    do {
        ok = 1;
        for (i = 0; i < m; i++)
            for (j = 0; j <= n; j++)
                A[i * (n + 1) + j] = trop_rng_below(&r, 11) - 5;
        for (i = 0; i < m && ok; i++)
            for (j = i + 1; j < m && ok; j++) {
                slong idx[2] = {i, j};
                ok = rows_independent(A, idx, 2, n);
            }
        big = 1;
        for (i = 0; i < m && ok; i++)
            for (j = i + 1; j < m && ok; j++)
                for (k = j + 1; k < m && ok; k++) {
                    slong idx[3] = {i, j, k};
                    fmpq_mat_t M, b, x;
                    if (!rows_independent(A, idx, 3, n)) {
                        ok = 0;
                        break;
                    }
                    fmpq_mat_init(M, 3, 3);
                    fmpq_mat_init(b, 3, 1);
                    fmpq_mat_init(x, 3, 1);
                    for (q = 0; q < 3; q++) {
                        slong c;
                        for (c = 0; c < 3; c++)
                            fmpq_set_si(fmpq_mat_entry(M, q, c), A[idx[q] * 4 + c], 1);
                        fmpq_set_si(fmpq_mat_entry(b, q, 0), -A[idx[q] * 4 + 3], 1);
                    }
                    fmpq_mat_solve(x, M, b);
                    for (q = 0; q < 3; q++)
                        big = fmax(big, fabs(fmpq_get_d(fmpq_mat_entry(x, q, 0))));
                    /* no fourth plane through the vertex */
                    for (q = 0; q < m && ok; q++) {
                        fmpq_t v, t;
                        slong c;
                        if (q == i || q == j || q == k)
                            continue;
                        fmpq_init(v);
                        fmpq_init(t);
                        fmpq_set_si(v, A[q * 4 + 3], 1);
                        for (c = 0; c < 3; c++) {
                            fmpq_set_si(t, A[q * 4 + c], 1);
                            fmpq_addmul(v, t, fmpq_mat_entry(x, c, 0));
                        }
                        ok = !fmpq_is_zero(v);
                        fmpq_clear(v);
                        fmpq_clear(t);
                    }
                    fmpq_mat_clear(M);
                    fmpq_mat_clear(b);
                    fmpq_mat_clear(x);
                }
    } while (!ok);
    rows[0] = 0;
    for (i = 0; i < m; i++) {
        size_t len = strlen(rows);
        snprintf(rows + len, sizeof rows - len, "%s%ld %ld %ld %ld", i ? ";" : "",
                 (long)A[i * 4], (long)A[i * 4 + 1], (long)A[i * 4 + 2], (long)A[i * 4 + 3]);
    }
    snprintf(lo, sizeof lo, "%ld", -(long)ceil(big) - 1);
    snprintf(hi, sizeof hi, "%ld", (long)ceil(big) + 1);
    /* m = 5: 1 + 5 + 10 + 10 = 26; 6: 42; 7: 64 */
    ck_assert_int_eq(planes_count(n, rows, lo, hi), m == 5 ? 26 : m == 6 ? 42 : 64);
}
END_TEST

/* net = a random two-input relu / leaky net (float weights for some i),
 * box: [4] (initialised) = [-2, 3/2] x [-1, 5/2]; returns 0 (net still
 * to be cleared) if the draw has a maxout layer. */
static int plane_case(trop_net_t net, fmpq *box, unsigned long long seed, int i)
{
    trop_rng r;
    slong l, variant = (i % 2) ? 1 : (i % 4 == 2 ? 3 : 0);
    trop_rng_init(&r, seed + (unsigned long long)i);
    trop_net_init(net, 2);
    trop_test_rand_net(net, 2, 1 + i % 2, variant, &r);
    for (l = 0; l < net->nlayers; l++)
        if (net->layers[l].act == TROP_ACT_MAXOUT)
            return 0;
    trop_test_q_set(box + 0, "-2");
    trop_test_q_set(box + 1, "3/2");
    trop_test_q_set(box + 2, "-1");
    trop_test_q_set(box + 3, "5/2");
    return 1;
}

/* Counts over all of R^n (box NULL): regions and bounded ones. */
static void whole_space(slong n, const char *rows, slong want, slong want_bounded)
{
    trop_net_t net;
    trop_regionn_count_t c;
    planes_net(net, n, rows);
    trop_regionn_count_init(c);
    ck_assert_int_eq(trop_regionn_count(c, net, NULL, NULL, NULL, NULL, NULL), TROP_OK);
    ck_assert_int_eq(c->regions, want);
    ck_assert_int_eq(c->bounded, want_bounded);
    trop_regionn_count_clear(c);
    trop_net_clear(net);
}

START_TEST(test_whole_space_by_hand)
{
    /* over all of R^3: one plane: 2 half-spaces (unbounded, with a line of
     * directions in them); 3 parallel planes: 4 slabs; the octants: 8;
     * 4 central planes in general position: 14 cones; 4 planes in general
     * position: 1 + 4 + 6 + 4 = 15 regions, C(3, 3) = 1 bounded (the
     * tetrahedron x, y, z >= 0, x + y + z <= 1); 5: 26 and C(4, 3) = 4 */
    whole_space(3, "1 2 3 4", 2, 0);
    whole_space(3, "1 1 0 0;1 1 0 -1;2 2 0 1", 4, 0);
    whole_space(3, "1 0 0 0;0 1 0 0;0 0 1 0", 8, 0);
    whole_space(3, "1 0 0 0;0 1 0 0;0 0 1 0;1 1 1 0", 14, 0);
    whole_space(3, "1 0 0 0;0 1 0 0;0 0 1 0;-1 -1 -1 1", 15, 1);
    whole_space(3, "1 0 0 0;0 1 0 0;0 0 1 0;-1 -1 -1 1;1 -2 3 -1/2", 26, 4);
    /* four dimensions: the 16 orthants */
    whole_space(4, "1 0 0 0 0;0 1 0 0 0;0 0 1 0 0;0 0 0 1 0", 16, 0);
}
END_TEST

/* The plane engine and the n-D engine on net over box (NULL: all of R^2)
 * agree on the regions and every layer (and, with bounded, on the bounded
 * ones). */
static void same_as_plane(const trop_net_t net, const fmpq *box, int bounded)
{
    trop_region2_count_t a;
    trop_regionn_count_t b;
    slong l;
    trop_region2_count_init(a);
    trop_regionn_count_init(b);
    ck_assert_int_eq(trop_region2_count(a, net, box, NULL, NULL, NULL, NULL), TROP_OK);
    ck_assert_int_eq(trop_regionn_count(b, net, box, NULL, NULL, NULL, NULL), TROP_OK);
    ck_assert_int_eq(a->regions, b->regions);
    if (bounded)
        ck_assert_int_eq(a->bounded, b->bounded);
    for (l = 0; l < net->nlayers; l++)
        ck_assert_int_eq(a->per_layer[l], b->per_layer[l]);
    trop_region2_count_clear(a);
    trop_regionn_count_clear(b);
}

START_TEST(test_whole_space_as_plane)
{
    /* over all of R^2: the n-D engine's exact mode and the plane engine
     * (oriented projective plane) agree on regions, bounded ones and every
     * layer */
    trop_net_t net;
    fmpq *box = _fmpq_vec_init(4);
    if (plane_case(net, box, 12800, _i))
        same_as_plane(net, NULL, 1);
    trop_net_clear(net);
    _fmpq_vec_clear(box, 4);
}
END_TEST

START_TEST(test_same_as_plane_engine)
{
    /* two-input relu / leaky nets (some with float weights): the n-D engine
     * and the plane engine agree on every layer's count */
    trop_net_t net;
    fmpq *box = _fmpq_vec_init(4);
    if (plane_case(net, box, 5200, _i))
        same_as_plane(net, box, 0);
    trop_net_clear(net);
    _fmpq_vec_clear(box, 4);
}
END_TEST

START_TEST(test_product_arrangement)
{
    /* 3 inputs: units on (x0, x1) only (a random arrangement A) and k units
     * on x2 only (thresholds inside the box): one layer, so the regions are
     * the products, count = count2(A) x (k + 1); count2 by the plane
     * engine.  The output sums A's units only. */
    trop_rng r;
    trop_net_t a, net;
    trop_region2_count_t c2;
    trop_layer_struct *L;
    fmpq box2[4], *box3 = _fmpq_vec_init(6);
    slong m = 3 + _i % 4, k = 1 + _i % 3, i;
    trop_rng_init(&r, 6300 + (unsigned long long)_i);
    trop_net_init(a, 2);
    L = trop_net_append_layer(a, m, TROP_ACT_RELU, NULL, 1);
    for (i = 0; i < 3 * m; i++)
        trop_test_rand_q(i < 2 * m ? L->W + i : L->b + i - 2 * m, &r);
    L = trop_net_append_layer(a, 1, TROP_ACT_LINEAR, NULL, 1);
    for (i = 0; i < m; i++)
        fmpq_one(L->W + i);
    trop_net_init(net, 3);
    L = trop_net_append_layer(net, m + k, TROP_ACT_RELU, NULL, 1);
    for (i = 0; i < m; i++) {
        fmpq_set(L->W + 3 * i, a->layers[0].W + 2 * i);
        fmpq_set(L->W + 3 * i + 1, a->layers[0].W + 2 * i + 1);
        fmpq_set(L->b + i, a->layers[0].b + i);
    }
    for (i = 0; i < k; i++) {
        fmpq_one(L->W + 3 * (m + i) + 2);
        fmpq_set_si(L->b + m + i, -(slong)i, k + 1);    /* x2 = i / (k + 1) */
    }
    L = trop_net_append_layer(net, 1, TROP_ACT_LINEAR, NULL, 1);
    for (i = 0; i < m; i++)
        fmpq_one(L->W + i);       /* the units on x2 do not reach the output */
    for (i = 0; i < 4; i++) {
        fmpq_init(box2 + i);
        fmpq_set_si(box2 + i, i % 2 ? 2 : -2, 1);
    }
    cube(box3, 3, "-2", "2");
    trop_region2_count_init(c2);
    ck_assert_int_eq(trop_region2_count(c2, a, box2, NULL, NULL, NULL, NULL), TROP_OK);
    ck_assert_int_eq(count_nd(net, box3, NULL), c2->regions * (k + 1));
    {
        /* the output ignores x2, so the linear regions are those of A
         * (extruded along x2), counted by the plane engine */
        slong l2 = -1, l3 = -2;
        trop_regionn_count_t c3;
        trop_regionn_count_init(c3);
        ck_assert_int_eq(trop_region2_linear(c2, &l2, NULL, a, box2, NULL, NULL, NULL, NULL),
                         TROP_OK);
        ck_assert_int_eq(trop_regionn_linear(c3, &l3, NULL, net, box3, NULL, NULL, NULL, NULL),
                         TROP_OK);
        ck_assert_int_eq(l3, l2);
        trop_regionn_count_clear(c3);
    }
    trop_region2_count_clear(c2);
    for (i = 0; i < 4; i++)
        fmpq_clear(box2 + i);
    _fmpq_vec_clear(box3, 6);
    trop_net_clear(a);
    trop_net_clear(net);
}
END_TEST

/* net = a random n-input net (trop_test_rand_net with depth and variant,
 * seeded); 0 if the draw has a maxout layer (the net is still to be
 * cleared). */
static int nd_case(trop_net_t net, slong n, slong depth, slong variant, unsigned long long seed)
{
    trop_rng r;
    slong l;
    trop_rng_init(&r, seed);
    trop_net_init(net, n);
    trop_test_rand_net(net, n, depth, variant, &r);
    for (l = 0; l < net->nlayers; l++)
        if (net->layers[l].act == TROP_ACT_MAXOUT)
            return 0;
    return 1;
}

/* ---- point location: every region's point and map are right ---- */

typedef struct {
    slong n, nunits, nout, count;
    unsigned char *pats;       /* [count x nunits] */
    const trop_net_struct *net;
} collect;

/* pat: [units] = the exact activation pattern at x (z >= 0 active); the
 * return value is 0 if some pre-activation is exactly 0 there. */
static int pattern_at(unsigned char *pat, const trop_net_t net, const fmpq *x)
{
    slong l, i, k, q = 0, nin = net->input_dim;
    fmpq *h = _fmpq_vec_init(nin), *z;
    int strict = 1;
    _trop_qvec_set(h, x, nin);
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        z = _fmpq_vec_init(L->nout);
        for (i = 0; i < L->nout; i++) {
            for (k = 0; k < nin; k++)
                fmpq_addmul(z + i, L->W + i * nin + k, h + k);
            fmpq_add(z + i, z + i, L->b + i);
            if (L->act == TROP_ACT_LINEAR)
                continue;
            strict &= !fmpq_is_zero(z + i);
            pat[q++] = fmpq_sgn(z + i) >= 0;
            if (fmpq_sgn(z + i) < 0) {
                if (L->act == TROP_ACT_RELU)
                    fmpq_zero(z + i);
                else
                    fmpq_mul(z + i, z + i, L->slope);
            }
        }
        _fmpq_vec_clear(h, nin);
        h = z;
        nin = L->nout;
    }
    _fmpq_vec_clear(h, nin);
    return strict;
}

static int collect_visit(const trop_regionn_rec_struct *r, void *arg)
{
    collect *c = arg;
    slong l, u, q = 0, o, j, n = r->dim;
    unsigned char *p;
    fmpq *map = _fmpq_vec_init(c->nout * (n + 1)), *y = _fmpq_vec_init(c->nout);
    fmpq_t v;
    c->pats = realloc(c->pats, (size_t)(c->count + 1) * (size_t)c->nunits);
    p = c->pats + c->count * c->nunits;
    for (l = 0; l < r->nlayers; l++)
        for (u = 0; u < r->units[l]; u++)
            p[q++] = (unsigned char)r->branch[l][u];
    ck_assert_int_eq(q, c->nunits);
    c->count++;
    {
        /* the point is strictly inside: its exact pattern is the region's,
         * with no pre-activation at 0 */
        unsigned char *pp = malloc((size_t)c->nunits + 1);
        ck_assert_int_eq(pattern_at(pp, c->net, r->point), 1);
        ck_assert(memcmp(pp, p, (size_t)c->nunits) == 0);
        free(pp);
    }
    /* the region's map equals the network at its point */
    trop_regionn_rec_map(map, r);
    trop_net_eval_q(y, c->net, r->point);
    fmpq_init(v);
    for (o = 0; o < c->nout; o++) {
        fmpq_set(v, map + o * (n + 1) + n);
        for (j = 0; j < n; j++)
            fmpq_addmul(v, map + o * (n + 1) + j, r->point + j);
        ck_assert(fmpq_equal(v, y + o));
    }
    fmpq_clear(v);
    _fmpq_vec_clear(map, c->nout * (n + 1));
    _fmpq_vec_clear(y, c->nout);
    return 0;
}

START_TEST(test_point_location)
{
    /* 3- and 4-input nets: the patterns are distinct (a pattern's region
     * is convex), each region's point lies strictly inside it with the
     * region's map, and random rational points of the box fall in one of
     * the listed regions. */
    trop_rng r;
    trop_net_t net;
    collect c;
    trop_regionn_count_t res;
    slong n = 3 + _i % 2, i, j, l, hits = 0;
    fmpq *box = _fmpq_vec_init(2 * n), *x = _fmpq_vec_init(n);
    unsigned char *pat;
    trop_rng_init(&r, 7400 + (unsigned long long)_i);
    if (!nd_case(net, n, 1 + _i % 3, _i % 2, 7400 + (unsigned long long)_i))
        goto done;
    cube(box, n, "-2", "2");
    memset(&c, 0, sizeof(c));
    c.n = n;
    c.net = net;
    c.nout = trop_net_output_dim(net);
    for (l = 0; l < net->nlayers; l++)
        if (net->layers[l].act != TROP_ACT_LINEAR)
            c.nunits += net->layers[l].nout;
    trop_regionn_count_init(res);
    ck_assert_int_eq(trop_regionn_count(res, net, box, collect_visit, &c, NULL, NULL), TROP_OK);
    ck_assert_int_eq(c.count, res->regions);
    for (i = 0; i < c.count; i++)
        for (j = i + 1; j < c.count; j++)
            ck_assert(memcmp(c.pats + i * c.nunits, c.pats + j * c.nunits,
                             (size_t)c.nunits) != 0);
    pat = malloc((size_t)c.nunits + 1);
    for (i = 0; i < 200; i++) {
        for (j = 0; j < n; j++) {
            fmpq_set_si(x + j, trop_rng_below(&r, 4001) - 2000, 1000);
        }
        if (!pattern_at(pat, net, x))
            continue;
        for (j = 0; j < c.count; j++)
            if (memcmp(pat, c.pats + j * c.nunits, (size_t)c.nunits) == 0)
                break;
        ck_assert_msg(j < c.count, "a random point's pattern is not among the regions");
        hits++;
    }
    ck_assert_int_gt(hits, 150);
    free(pat);
    free(c.pats);
    trop_regionn_count_clear(res);
done:
    trop_net_clear(net);
    _fmpq_vec_clear(box, 2 * n);
    _fmpq_vec_clear(x, n);
}
END_TEST

/* ---- vertices and volumes ---- */

typedef struct {
    fmpq_t sum;
    slong failed, count;
} vol_acc;

static int vol_visit(const trop_regionn_rec_struct *r, void *arg)
{
    vol_acc *a = arg;
    fmpq_t v;
    fmpq *V;
    slong nv, k, j, l;
    fmpq_init(v);
    if (trop_regionn_rec_volume(v, r)) {
        ck_assert_int_gt(fmpq_sgn(v), 0);
        fmpq_add(a->sum, a->sum, v);
    } else
        a->failed++;
    a->count++;
    /* every vertex is in the region's closure: the point 1/1024 of the way
     * from it to the region's point is inside, with the region's pattern */
    nv = trop_regionn_rec_vertices(&V, r);
    if (nv > 0) {
        fmpq *x = _fmpq_vec_init(r->dim);
        unsigned char pat[512];
        slong q = 0;
        for (k = 0; k < nv; k++) {
            for (j = 0; j < r->dim; j++) {
                fmpq_sub(x + j, r->point + j, V + k * r->dim + j);
                fmpq_div_2exp(x + j, x + j, 10);
                fmpq_add(x + j, x + j, V + k * r->dim + j);
            }
            pattern_at(pat, r->net, x);
            q = 0;
            for (l = 0; l < r->nlayers; l++)
                for (j = 0; j < r->units[l]; j++)
                    ck_assert_int_eq(pat[q++], r->branch[l][j]);
        }
        _fmpq_vec_clear(x, r->dim);
        _fmpq_vec_clear(V, nv * r->dim);
    }
    fmpq_clear(v);
    return 0;
}

static void volumes_fill(const trop_net_t net, const fmpq *box, const char *want)
{
    vol_acc a;
    trop_regionn_count_t c;
    fmpq_init(a.sum);
    a.failed = a.count = 0;
    trop_regionn_count_init(c);
    ck_assert_int_eq(trop_regionn_count(c, net, box, vol_visit, &a, NULL, NULL), TROP_OK);
    ck_assert_int_eq(a.failed, 0);
    ck_assert_int_eq(a.count, c->regions);
    ck_assert_msg(trop_test_q_is(a.sum, want), "volumes add up to %f, not %s",
                  fmpq_get_d(a.sum), want);
    trop_regionn_count_clear(c);
    fmpq_clear(a.sum);
}

START_TEST(test_volumes_fill_box)
{
    /* by hand: the 14 pieces of [-1,1]^3 cut by x, y, z, x + y + z = 0 add
     * up to 8; random 3- and 4-input nets: the exact volumes add up to the
     * box's exactly (which fails if a vertex is missing or wrong) */
    trop_net_t net;
    trop_rng r;
    slong n = 3 + _i % 2, l;
    fmpq *box = _fmpq_vec_init(8);
    if (_i == 0) {
        planes_net(net, 3, "1 0 0 0;0 1 0 0;0 0 1 0;1 1 1 0");
        cube(box, 3, "-1", "1");
        volumes_fill(net, box, "8");
        trop_net_clear(net);
    }
    trop_rng_init(&r, 8500 + (unsigned long long)_i);
    trop_net_init(net, n);
    trop_test_rand_net(net, n, 1 + _i % 2, 0, &r);
    for (l = 0; l < net->nlayers; l++)
        if (net->layers[l].act == TROP_ACT_MAXOUT)
            goto done;
    cube(box, n, "-1", "3/2");
    volumes_fill(net, box, n == 3 ? "125/8" : "625/16");
done:
    trop_net_clear(net);
    _fmpq_vec_clear(box, 8);
}
END_TEST

/* ---- linear regions ---- */

START_TEST(test_linear_by_hand)
{
    /* units relu(x), relu(-x), relu(y), relu(-y) in [-1,1]^3: 4 activation
     * regions; out0 = relu(x) - relu(-x) = x (1 linear region), out1 =
     * relu(y) (2: y > 0 and y < 0); the vector (x, relu(y)): 2 */
    trop_net_t net;
    trop_layer_struct *L;
    trop_regionn_count_t c;
    fmpq *box = _fmpq_vec_init(6);
    slong lin = -1, per[2];
    trop_net_init(net, 3);
    L = trop_net_append_layer(net, 4, TROP_ACT_RELU, NULL, 1);
    fmpq_one(L->W + 0);
    fmpq_set_si(L->W + 3, -1, 1);
    fmpq_one(L->W + 7);
    fmpq_set_si(L->W + 10, -1, 1);
    L = trop_net_append_layer(net, 2, TROP_ACT_LINEAR, NULL, 1);
    fmpq_one(L->W + 0);
    fmpq_set_si(L->W + 1, -1, 1);
    fmpq_one(L->W + 4 + 2);
    cube(box, 3, "-1", "1");
    trop_regionn_count_init(c);
    ck_assert_int_eq(trop_regionn_linear(c, &lin, per, net, box, NULL, NULL, NULL, NULL), TROP_OK);
    ck_assert_int_eq(c->regions, 4);
    ck_assert_int_eq(lin, 2);
    ck_assert_int_eq(per[0], 1);
    ck_assert_int_eq(per[1], 2);
    trop_regionn_count_clear(c);
    trop_net_clear(net);
    _fmpq_vec_clear(box, 6);
}
END_TEST

START_TEST(test_linear_same_as_plane)
{
    /* two-input nets whose outputs ignore one or two units of the last
     * hidden layer (so that adjacent regions share maps and merge): the
     * linear regions, for the vector and per output, equal the plane
     * engine's (exact edge overlaps, a different method) */
    trop_net_t net;
    trop_region2_count_t a;
    trop_regionn_count_t b;
    fmpq *box = _fmpq_vec_init(4);
    slong i, la = -1, lb = -2, pa[4], pb[4];
    if (plane_case(net, box, 9600, _i)) {
        trop_layer_struct *L = net->layers + net->nlayers - 1;
        for (i = 0; i < L->nout; i++) {
            fmpq_zero(L->W + i * L->nin);
            if (_i % 2 == 0 && L->nin > 1)
                fmpq_zero(L->W + i * L->nin + 1);
        }
        trop_region2_count_init(a);
        trop_regionn_count_init(b);
        ck_assert_int_eq(trop_region2_linear(a, &la, pa, net, box, NULL, NULL, NULL, NULL),
                         TROP_OK);
        ck_assert_int_eq(trop_regionn_linear(b, &lb, pb, net, box, NULL, NULL, NULL, NULL),
                         TROP_OK);
        ck_assert_int_eq(a->regions, b->regions);
        ck_assert_int_eq(la, lb);
        for (i = 0; i < trop_net_output_dim(net); i++)
            ck_assert_int_eq(pa[i], pb[i]);
        trop_region2_count_clear(a);
        trop_regionn_count_clear(b);
    }
    trop_net_clear(net);
    _fmpq_vec_clear(box, 4);
}
END_TEST

/* ---- decision regions ---- */

static slong decision_nd(const trop_net_t net, const fmpq *box)
{
    trop_regionn_count_t c;
    slong dec = -1;
    trop_regionn_count_init(c);
    ck_assert_int_eq(trop_regionn_decision(c, &dec, net, box, NULL, NULL), TROP_OK);
    trop_regionn_count_clear(c);
    return dec;
}

START_TEST(test_decision_by_hand)
{
    /* outputs x, y, z on [-1,1]^3: the arg max splits the cube into 3
     * connected classes; a relu layer first (relu(x), relu(-x), y, z) does
     * not change that.  One output x^2-like: |x| - 1/2 (relu(x) + relu(-x)
     * - 1/2): class 0 where |x| >= 1/2 (two slabs), class 1 in between: 3 */
    trop_net_t net;
    trop_layer_struct *L;
    fmpq *box = _fmpq_vec_init(6);
    cube(box, 3, "-1", "1");
    trop_net_init(net, 3);
    L = trop_net_append_layer(net, 4, TROP_ACT_RELU, NULL, 1);
    fmpq_one(L->W + 0);
    fmpq_set_si(L->W + 3, -1, 1);
    fmpq_one(L->W + 7);
    fmpq_one(L->W + 11);
    fmpq_set_si(L->b + 2, 10, 1);       /* y + 10, z + 10: always active */
    fmpq_set_si(L->b + 3, 10, 1);
    L = trop_net_append_layer(net, 3, TROP_ACT_LINEAR, NULL, 1);
    fmpq_one(L->W + 0);                 /* relu(x) - relu(-x) = x */
    fmpq_set_si(L->W + 1, -1, 1);
    fmpq_one(L->W + 4 + 2);             /* y */
    fmpq_one(L->W + 8 + 3);             /* z */
    fmpq_set_si(L->b + 1, -10, 1);
    fmpq_set_si(L->b + 2, -10, 1);
    ck_assert_int_eq(decision_nd(net, box), 3);
    trop_net_clear(net);
    trop_net_init(net, 3);
    L = trop_net_append_layer(net, 2, TROP_ACT_RELU, NULL, 1);
    fmpq_one(L->W + 0);
    fmpq_set_si(L->W + 3, -1, 1);
    L = trop_net_append_layer(net, 1, TROP_ACT_LINEAR, NULL, 1);
    fmpq_one(L->W + 0);
    fmpq_one(L->W + 1);
    fmpq_set_si(L->b + 0, -1, 2);
    ck_assert_int_eq(decision_nd(net, box), 3);
    trop_net_clear(net);
    _fmpq_vec_clear(box, 6);
}
END_TEST

START_TEST(test_decision_same_as_plane)
{
    /* two-input classifiers (1 or 2 outputs): the decision regions equal
     * the plane engine's (a maxout layer there, exact edge overlaps) */
    trop_net_t net;
    trop_region2_count_t a;
    trop_regionn_count_t b;
    fmpq *box = _fmpq_vec_init(4);
    slong da = -1, db = -2;
    if (plane_case(net, box, 11700, _i)) {
        trop_region2_count_init(a);
        trop_regionn_count_init(b);
        ck_assert_int_eq(trop_region2_decision(a, &da, net, box, NULL, NULL), TROP_OK);
        ck_assert_int_eq(trop_regionn_decision(b, &db, net, box, NULL, NULL), TROP_OK);
        ck_assert_int_eq(da, db);
        trop_region2_count_clear(a);
        trop_regionn_count_clear(b);
    }
    trop_net_clear(net);
    _fmpq_vec_clear(box, 4);
}
END_TEST

/* ---- P and Q over R^n ---- */

START_TEST(test_pq_pieces_equal_terms)
{
    /* 3- and 4-input nets: the linear regions of every P and Q over R^n
     * (distinct pieces over the exact activation regions) equal the term
     * counts of the algebraic conversion, pruned (a second method: tropical
     * products and exact pruning, lib/tpoly) */
    trop_net_t net;
    trop_trat_struct *F;
    slong n = 3 + _i % 2, o, nout, *cnt;
    if (!nd_case(net, n, 1 + _i % 2, _i % 2, 13900 + (unsigned long long)_i))
        goto done;
    nout = trop_net_output_dim(net);
    F = trop_test_trats_of(net);
    cnt = malloc((size_t)(2 * nout) * sizeof(slong));
    ck_assert_int_eq(trop_regionn_pq_pieces(cnt, net, NULL, NULL), TROP_OK);
    for (o = 0; o < nout; o++) {
        ck_assert_int_eq(cnt[2 * o], F[o].num->length);
        ck_assert_int_eq(cnt[2 * o + 1], F[o].den->length);
    }
    free(cnt);
    trop_test_trats_free(F, nout);
done:
    trop_net_clear(net);
}
END_TEST

START_TEST(test_sliver_geometry)
{
    /* x = -1e-12 and x = 1e-12 in [-1,1]^3 (from a helper's report): three
     * slabs, the middle one of volume 2e-12 * 4 = 8e-12 with 8 vertices;
     * the volumes add up to 8; the maps 0, x + 1e-12, 2 x differ: 3 linear
     * regions.  Far thinner than double precision: the vertices come from
     * the exact brute-force fallback. */
    trop_net_t net;
    trop_regionn_count_t c;
    fmpq *box = _fmpq_vec_init(6);
    slong lin = -1;
    planes_net(net, 3, "1 0 0 1/1000000000000;1 0 0 -1/1000000000000");
    cube(box, 3, "-1", "1");
    volumes_fill(net, box, "8");
    trop_regionn_count_init(c);
    ck_assert_int_eq(trop_regionn_linear(c, &lin, NULL, net, box, NULL, NULL, NULL, NULL),
                     TROP_OK);
    ck_assert_int_eq(c->regions, 3);
    ck_assert_int_eq(lin, 3);
    trop_regionn_count_clear(c);
    trop_net_clear(net);
    _fmpq_vec_clear(box, 6);
}
END_TEST

START_TEST(test_volumes_six_dims)
{
    /* one layer of 8 relus in [-1,1]^6 (a helper's case where qhull's
     * triangulation double-covered part of a boundary): 127 regions whose
     * volumes add up to 64 exactly */
    trop_net_t net;
    fmpq *box = _fmpq_vec_init(12);
    planes_net(net, 6, "-3 -2 0 0 1 -1 -3;-2 3 0 3 1 -1 0;2 0 -1 2 0 -2 3;"
                       "-2 -3 -2 -2 -2 2 3;-2 -3 0 3 1 -2 3;-1 -1 -3 -2 0 1 2;"
                       "-1 1 1 -1 -2 2 3;3 1 1 2 2 2 1");
    cube(box, 6, "-1", "1");
    ck_assert_int_eq(count_nd(net, box, NULL), 127);
    volumes_fill(net, box, "64");
    trop_net_clear(net);
    _fmpq_vec_clear(box, 12);
}
END_TEST

START_TEST(test_maxout_rejected)
{
    trop_net_t net;
    trop_regionn_count_t res;
    trop_error err;
    fmpq *box = _fmpq_vec_init(6);
    trop_net_init(net, 3);
    trop_net_append_layer(net, 4, TROP_ACT_MAXOUT, NULL, 2);
    cube(box, 3, "-1", "1");
    trop_regionn_count_init(res);
    ck_assert_int_eq(trop_regionn_count(res, net, box, NULL, NULL, NULL, &err), TROP_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "maxout"));
    trop_regionn_count_clear(res);
    trop_net_clear(net);
    _fmpq_vec_clear(box, 6);
}
END_TEST

START_TEST(test_real_acas_box)
{
    /* ACAS Xu 1_1 on the plane of inputs 0 and 1 in [-1/2, 1/2]^2 (the
     * others 0), as a 2-input slice: the plane engine's counts, layer by
     * layer (51005 in the end; test_region checks them against the double
     * search). */
    trop_net_t net, sl;
    trop_regionn_count_t b;
    fmpq *x0 = _fmpq_vec_init(5), *U = _fmpq_vec_init(10), *box = _fmpq_vec_init(4);
    static const slong want[7] = {568, 2434, 8409, 18379, 33087, 51005, 51005};
    slong i;
    trop_net_init(net, 1);
    trop_net_init(sl, 1);
    ck_assert_int_eq(trop_net_read(net, trop_test_data("nnet/ACASXU_run2a_1_1_batch_2000.nnet"),
                                   NULL), TROP_OK);
    fmpq_one(U + 0);
    fmpq_one(U + 3);
    trop_net_slice(sl, net, x0, U, 2);
    cube(box, 2, "-1/2", "1/2");
    trop_regionn_count_init(b);
    ck_assert_int_eq(trop_regionn_count(b, sl, box, NULL, NULL, NULL, NULL), TROP_OK);
    for (i = 0; i < 7; i++)
        ck_assert_int_eq(b->per_layer[i], want[i]);
    trop_regionn_count_clear(b);
    trop_net_clear(sl);
    trop_net_clear(net);
    _fmpq_vec_clear(x0, 5);
    _fmpq_vec_clear(U, 10);
    _fmpq_vec_clear(box, 4);
}
END_TEST

static Suite *regionn_suite(void)
{
    Suite *s = suite_create("regionn");
    TCase *tc = tcase_create("regionn");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_boxes_by_hand);
    tcase_add_test(tc, test_halfspace_domain);
    tcase_add_test(tc, test_whole_space_by_hand);
    tcase_add_loop_test(tc, test_whole_space_as_plane, 0, trop_test_count(40));
    tcase_add_loop_test(tc, test_zaslavsky_general_position, 0, trop_test_count(9));
    tcase_add_loop_test(tc, test_same_as_plane_engine, 0, trop_test_count(40));
    tcase_add_loop_test(tc, test_product_arrangement, 0, trop_test_count(12));
    tcase_add_loop_test(tc, test_point_location, 0, trop_test_count(20));
    tcase_add_loop_test(tc, test_volumes_fill_box, 0, trop_test_count(12));
    tcase_add_test(tc, test_linear_by_hand);
    tcase_add_loop_test(tc, test_linear_same_as_plane, 0, trop_test_count(40));
    tcase_add_test(tc, test_decision_by_hand);
    tcase_add_loop_test(tc, test_decision_same_as_plane, 0, trop_test_count(40));
    tcase_add_loop_test(tc, test_pq_pieces_equal_terms, 0, trop_test_count(20));
    tcase_add_test(tc, test_sliver_geometry);
    tcase_add_test(tc, test_volumes_six_dims);
    tcase_add_test(tc, test_maxout_rejected);
    tcase_add_test(tc, test_real_acas_box);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(regionn_suite);
}
