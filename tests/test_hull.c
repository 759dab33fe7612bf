/* tests/test_hull.c: the hull module (convex hulls through qhull).
 *
 * Hand-checked cases first (square, cube, a bipyramid and a pyramid of
 * lifted points, duplicates, degenerate and invalid input, the files of case
 * 22), then a random loop checking the facet inequalities on every input
 * point.  Every call that reaches qhull also checks qhull's leftover-memory
 * counters, through hull_compute (hull/hull-internal.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trop/hull.h"
#include "../lib/hull/hull-internal.h"
#include "runner.h"

/* ------------------------------------------------------------------ */
/* helpers                                                            */

static int near(double a, double b, double tol)
{
    return fabs(a - b) <= tol;
}

/* Runs hull_compute and asserts that qhull, when it ran, freed everything. */
static trop_status compute(trop_hull_t h, const double *pts, slong npts, slong dim,
                           int triangulate, int joggle, trop_error *err)
{
    trop_hull_opts opts;
    hull_memstat ms;
    trop_status st;
    opts.triangulate = triangulate;
    opts.joggle = joggle;
    st = hull_compute(h, pts, npts, dim, &opts, &ms, err);
    ck_assert_msg(ms.curlong == 0 && ms.totlong == 0,
                  "qhull left %d bytes in %d pieces", ms.totlong, ms.curlong);
    return st;
}

static int is_vertex(const trop_hull_t h, slong p)
{
    slong i;
    for (i = 0; i < h->nverts; i++)
        if (h->verts[i] == p)
            return 1;
    return 0;
}

static int facet_has(const trop_hull_t h, slong f, slong p)
{
    slong k;
    for (k = 0; k < h->nfv[f]; k++)
        if (h->fverts[h->fstart[f] + k] == p)
            return 1;
    return 0;
}

/* The facet whose vertex list is exactly vs[0..n-1] (any order), or -1. */
static slong find_facet(const trop_hull_t h, const slong *vs, slong n)
{
    slong f, k;
    for (f = 0; f < h->nfacets; f++) {
        if (h->nfv[f] != n)
            continue;
        for (k = 0; k < n && facet_has(h, f, vs[k]); k++)
            ;
        if (k == n)
            return f;
    }
    return -1;
}

static double side(const trop_hull_t h, slong f, const double *p)
{
    double s = h->offsets[f];
    slong j;
    for (j = 0; j < h->dim; j++)
        s += h->normals[f * h->dim + j] * p[j];
    return s;
}

/* Asserts facet f has normal n (length dim) and offset off. */
static void assert_plane(const trop_hull_t h, slong f, const double *n, double off)
{
    slong j;
    ck_assert_msg(f >= 0, "facet not found");
    for (j = 0; j < h->dim; j++)
        ck_assert_msg(near(h->normals[f * h->dim + j], n[j], 1e-12),
                      "facet %ld normal[%ld] = %.17g, expected %.17g", (long)f, (long)j,
                      h->normals[f * h->dim + j], n[j]);
    ck_assert_msg(near(h->offsets[f], off, 1e-12), "facet %ld offset %.17g, expected %.17g",
                  (long)f, h->offsets[f], off);
}

/* The invariants every successful answer satisfies. */
static void assert_wellformed(const trop_hull_t h, const double *pts, slong npts, slong dim,
                              int simplicial, double tol, unsigned long long seed)
{
    slong f, i, k, j, total = 0;
    int *seen;

    ck_assert_int_eq(h->dim, dim);
    ck_assert_int_eq(h->npts, npts);
    ck_assert_msg(h->nfacets >= dim + 1, "seed %llu: %ld facets", seed, (long)h->nfacets);
    ck_assert_msg(h->nverts >= dim + 1 && h->nverts <= npts, "seed %llu: %ld vertices", seed,
                  (long)h->nverts);
    for (i = 0; i < h->nverts; i++) {
        ck_assert_msg(h->verts[i] >= 0 && h->verts[i] < npts, "seed %llu", seed);
        if (i > 0)
            ck_assert_msg(h->verts[i - 1] < h->verts[i], "seed %llu: verts not increasing", seed);
    }
    seen = calloc((size_t)npts, sizeof *seen);
    for (f = 0; f < h->nfacets; f++) {
        double len = 0;
        ck_assert_msg(h->fstart[f] == total, "seed %llu: fstart[%ld]", seed, (long)f);
        if (simplicial)
            ck_assert_msg(h->nfv[f] == dim, "seed %llu: facet %ld has %ld vertices", seed,
                          (long)f, (long)h->nfv[f]);
        else
            ck_assert_msg(h->nfv[f] >= dim, "seed %llu: facet %ld has %ld vertices", seed,
                          (long)f, (long)h->nfv[f]);
        total += h->nfv[f];
        for (j = 0; j < dim; j++)
            len += h->normals[f * dim + j] * h->normals[f * dim + j];
        ck_assert_msg(near(len, 1.0, 1e-12), "seed %llu: facet %ld normal not unit", seed, (long)f);
        for (k = 0; k < h->nfv[f]; k++) {
            slong v = h->fverts[h->fstart[f] + k];
            ck_assert_msg(is_vertex(h, v), "seed %llu: facet vertex %ld not in verts", seed, (long)v);
            if (k > 0)
                ck_assert_msg(h->fverts[h->fstart[f] + k - 1] < v,
                              "seed %llu: facet %ld vertices not increasing", seed, (long)f);
            ck_assert_msg(fabs(side(h, f, pts + v * dim)) <= tol,
                          "seed %llu: vertex %ld off its facet %ld by %g", seed, (long)v, (long)f,
                          side(h, f, pts + v * dim));
            seen[v]++;
        }
        for (i = 0; i < npts; i++)
            ck_assert_msg(side(h, f, pts + i * dim) <= tol,
                          "seed %llu: point %ld outside facet %ld by %g", seed, (long)i, (long)f,
                          side(h, f, pts + i * dim));
    }
    /* Every vertex of a dim-polytope lies on at least dim facets. */
    for (i = 0; i < h->nverts; i++)
        ck_assert_msg(seen[h->verts[i]] >= dim, "seed %llu: vertex %ld on %d facets", seed,
                      (long)h->verts[i], seen[h->verts[i]]);
    free(seen);
}

/* Checks that msg carries a qhull message id "QHnnnn". */
static int has_qh_id(const char *msg)
{
    const char *p = strstr(msg, "QH");
    return p != NULL && p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9'
           && p[4] >= '0' && p[4] <= '9' && p[5] >= '0' && p[5] <= '9';
}

/* ------------------------------------------------------------------ */
/* the qhull command and exit codes                                   */

START_TEST(test_command)
{
    static const struct { int tri, jog; const char *cmd; } tab[] = {
        {0, 0, "qhull"}, {1, 0, "qhull Qt"}, {0, 1, "qhull QJ"}, {1, 1, "qhull QJ"},
    };
    static const double sq[] = {0, 0, 1, 0, 0, 1, 1, 1};
    char buf[HULL_COMMAND_SIZE];
    trop_hull_t h;
    size_t i;

    hull_build_command(NULL, buf);
    ck_assert_str_eq(buf, "qhull");
    trop_hull_init(h);
    for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        trop_hull_opts o;
        o.triangulate = tab[i].tri;
        o.joggle = tab[i].jog;
        hull_build_command(&o, buf);
        ck_assert_str_eq(buf, tab[i].cmd);
        ck_assert_int_eq(compute(h, sq, 4, 2, tab[i].tri, tab[i].jog, NULL), TROP_OK);
        ck_assert_str_eq(h->command, tab[i].cmd);
    }
    ck_assert_int_eq(trop_hull_compute(h, sq, 4, 2, NULL, NULL), TROP_OK);
    ck_assert_str_eq(h->command, "qhull");
    trop_hull_clear(h);
}
END_TEST

START_TEST(test_exitcodes)
{
    /* qh_ERR... values of libqhull_r.h (qhull 2020.2) */
    ck_assert_int_eq(hull_status_of_exitcode(1), TROP_ERR_INVALID);     /* qh_ERRinput */
    ck_assert_int_eq(hull_status_of_exitcode(2), TROP_ERR_DEGENERATE);  /* qh_ERRsingular */
    ck_assert_int_eq(hull_status_of_exitcode(3), TROP_ERR_PRECISION);   /* qh_ERRprec */
    ck_assert_int_eq(hull_status_of_exitcode(4), TROP_ERR_NOMEM);       /* qh_ERRmem */
    ck_assert_int_eq(hull_status_of_exitcode(5), TROP_ERR_QHULL);       /* qh_ERRqhull */
    ck_assert_int_eq(hull_status_of_exitcode(6), TROP_ERR_QHULL);       /* qh_ERRother */
    ck_assert_int_eq(hull_status_of_exitcode(7), TROP_ERR_PRECISION);   /* qh_ERRtopology */
    ck_assert_int_eq(hull_status_of_exitcode(8), TROP_ERR_PRECISION);   /* qh_ERRwide */
    ck_assert_int_eq(hull_status_of_exitcode(9), TROP_ERR_QHULL);       /* qh_ERRdebug */
}
END_TEST

/* ------------------------------------------------------------------ */
/* hand-checked hulls                                                 */

/* Unit square and its centre.  Facets (outward normal, offset, vertices):
 * y=0: (0,-1), 0, {0,1};  x=0: (-1,0), 0, {0,2};  x=1: (1,0), -1, {1,3};
 * y=1: (0,1), -1, {2,3}.  The centre is at distance -1/2 from each. */
START_TEST(test_square)
{
    static const double pts[] = {0, 0, 1, 0, 0, 1, 1, 1, 0.5, 0.5};
    static const slong fv[4][2] = {{0, 1}, {0, 2}, {1, 3}, {2, 3}};
    static const double n[4][2] = {{0, -1}, {-1, 0}, {1, 0}, {0, 1}};
    static const double off[4] = {0, 0, -1, -1};
    trop_hull_t h;
    int tri, i;

    trop_hull_init(h);
    for (tri = 0; tri <= 1; tri++) {
        ck_assert_int_eq(compute(h, pts, 5, 2, tri, 0, NULL), TROP_OK);
        ck_assert_int_eq(h->nverts, 4);
        ck_assert_int_eq(h->nfacets, 4);
        for (i = 0; i < 4; i++)
            ck_assert_int_eq(h->verts[i], i);
        ck_assert(!is_vertex(h, 4));
        for (i = 0; i < 4; i++) {
            slong f = find_facet(h, fv[i], 2);
            assert_plane(h, f, n[i], off[i]);
            ck_assert(near(side(h, f, pts + 8), -0.5, 1e-15));
        }
        assert_wellformed(h, pts, 5, 2, 1, 1e-12, 0);
    }
    trop_hull_clear(h);
}
END_TEST

/* Unit cube, corner i = (i&1, (i>>1)&1, (i>>2)&1), plus its centre (8).
 * Without Qt: 6 square facets of 4 vertices, normals +-e_k, offset -1 for
 * +e_k and 0 for -e_k.  With Qt: each square splits into 2 triangles, 12
 * facets, each normal appearing twice. */
START_TEST(test_cube)
{
    double pts[27];
    trop_hull_t h;
    slong f, j, k, i;
    int tri;

    for (i = 0; i < 8; i++) {
        pts[3 * i] = (double)(i & 1);
        pts[3 * i + 1] = (double)((i >> 1) & 1);
        pts[3 * i + 2] = (double)((i >> 2) & 1);
    }
    pts[24] = pts[25] = pts[26] = 0.5;
    trop_hull_init(h);
    for (tri = 0; tri <= 1; tri++) {
        int count[3][2] = {{0, 0}, {0, 0}, {0, 0}};
        ck_assert_int_eq(compute(h, pts, 9, 3, tri, 0, NULL), TROP_OK);
        ck_assert_int_eq(h->nverts, 8);
        ck_assert(!is_vertex(h, 8));
        ck_assert_int_eq(h->nfacets, tri ? 12 : 6);
        for (f = 0; f < h->nfacets; f++) {
            slong axis = -1;
            int positive = 0;
            ck_assert_int_eq(h->nfv[f], tri ? 3 : 4);
            for (j = 0; j < 3; j++) {
                double c = h->normals[f * 3 + j];
                if (near(c, 1, 1e-15) || near(c, -1, 1e-15)) {
                    ck_assert_int_eq(axis, -1);
                    axis = j;
                    positive = c > 0;
                } else {
                    ck_assert(near(c, 0, 1e-15));
                }
            }
            ck_assert_int_ge(axis, 0);
            ck_assert(near(h->offsets[f], positive ? -1.0 : 0.0, 1e-15));
            count[axis][positive]++;
            /* the facet's corners all have coordinate `axis` = positive */
            for (k = 0; k < h->nfv[f]; k++) {
                slong v = h->fverts[h->fstart[f] + k];
                ck_assert_int_eq((v >> axis) & 1, positive);
            }
        }
        for (j = 0; j < 3; j++) {
            ck_assert_int_eq(count[j][0], tri ? 2 : 1);
            ck_assert_int_eq(count[j][1], tri ? 2 : 1);
        }
        assert_wellformed(h, pts, 9, 3, tri, 1e-12, 0);
    }
    trop_hull_clear(h);
}
END_TEST

/* Lifted points (a, c) over the square [0,2]^2: the corners at height 0
 * (0..3), an apex T = (1,1,1) (4), a bottom B = (1,1,-1) (5), and two points
 * inside, (1,1,0) and (1,1,1/2) (6, 7).  The hull is a bipyramid with 8
 * triangles.  Upper facets (last normal coordinate > 0) all contain the
 * apex, and T is the only vertex that lies on no lower facet:
 *   {0,1,4}: (0,-1,1)/r2, 0      {0,2,4}: (-1,0,1)/r2, 0
 *   {1,3,4}: (1,0,1)/r2, -r2     {2,3,4}: (0,1,1)/r2, -r2     (r2 = sqrt 2)
 * and the lower facets are their mirror images through c = 0 with B. */
START_TEST(test_bipyramid)
{
    static const double pts[] = {0, 0, 0, 2, 0, 0, 0, 2, 0, 2, 2, 0,
                                 1, 1, 1, 1, 1, -1, 1, 1, 0, 1, 1, 0.5};
    static const slong up[4][3] = {{0, 1, 4}, {0, 2, 4}, {1, 3, 4}, {2, 3, 4}};
    static const slong lo[4][3] = {{0, 1, 5}, {0, 2, 5}, {1, 3, 5}, {2, 3, 5}};
    static const double un[4][3] = {{0, -1, 1}, {-1, 0, 1}, {1, 0, 1}, {0, 1, 1}};
    const double r2 = sqrt(2.0);
    const double uoff[4] = {0, 0, -r2, -r2};
    trop_hull_t h;
    int tri, i, j, nup = 0;

    trop_hull_init(h);
    for (tri = 0; tri <= 1; tri++) {
        ck_assert_int_eq(compute(h, pts, 8, 3, tri, 0, NULL), TROP_OK);
        ck_assert_int_eq(h->nfacets, 8);
        ck_assert_int_eq(h->nverts, 6);
        for (i = 0; i < 6; i++)
            ck_assert_int_eq(h->verts[i], i);
        for (i = 0; i < 4; i++) {
            double n[3], ln[3];
            for (j = 0; j < 3; j++) {
                n[j] = un[i][j] / r2;
                ln[j] = (j == 2 ? -un[i][j] : un[i][j]) / r2;
            }
            assert_plane(h, find_facet(h, up[i], 3), n, uoff[i]);
            assert_plane(h, find_facet(h, lo[i], 3), ln, uoff[i]);
        }
        nup = 0;
        for (i = 0; i < h->nfacets; i++) {
            if (h->normals[i * 3 + 2] > 0) {
                nup++;
                ck_assert(facet_has(h, i, 4));
                ck_assert(!facet_has(h, i, 5));
            } else {
                ck_assert(facet_has(h, i, 5));
                ck_assert(!facet_has(h, i, 4));
            }
        }
        ck_assert_int_eq(nup, 4);
        assert_wellformed(h, pts, 8, 3, 1, 1e-12, 0);
    }
    trop_hull_clear(h);
}
END_TEST

/* An upside-down pyramid: corners of [0,2]^2 at height 0, centre at height
 * -1 (4).  The upper hull is the top square: with Qt two triangles with
 * normal (0,0,1) and offset 0, covering the 4 corners; the centre is a
 * vertex only of the 4 lower facets. */
START_TEST(test_pyramid_down)
{
    static const double pts[] = {0, 0, 0, 2, 0, 0, 0, 2, 0, 2, 2, 0, 1, 1, -1};
    static const double top[3] = {0, 0, 1};
    trop_hull_t h;
    slong f, nup = 0, k;
    char covered[4] = {0, 0, 0, 0};

    trop_hull_init(h);
    ck_assert_int_eq(compute(h, pts, 5, 3, 1, 0, NULL), TROP_OK);
    ck_assert_int_eq(h->nverts, 5);
    ck_assert_int_eq(h->nfacets, 6);
    for (f = 0; f < h->nfacets; f++) {
        if (h->normals[f * 3 + 2] > 0) {
            nup++;
            assert_plane(h, f, top, 0);
            ck_assert(!facet_has(h, f, 4));
            for (k = 0; k < 3; k++)
                covered[h->fverts[h->fstart[f] + k]] = 1;
        } else {
            ck_assert(facet_has(h, f, 4));
        }
    }
    ck_assert_int_eq(nup, 2);
    ck_assert(covered[0] && covered[1] && covered[2] && covered[3]);
    assert_wellformed(h, pts, 5, 3, 1, 1e-12, 0);
    trop_hull_clear(h);
}
END_TEST

/* Repeated corners and a repeated inside point: qhull keeps one index per
 * corner, and never an inside point. */
START_TEST(test_duplicates)
{
    /* 0:(0,0) 1:(1,0) 2:(0,0) 3:(0,1) 4:(1,1) 5:(1,0) 6,7:(1/2,1/2) 8:(1,1) */
    static const double sq[] = {0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0.5, 0.5, 0.5, 0.5, 1, 1};
    double cube[48];
    trop_hull_t h;
    slong i;

    trop_hull_init(h);
    ck_assert_int_eq(compute(h, sq, 9, 2, 1, 0, NULL), TROP_OK);
    ck_assert_int_eq(h->nverts, 4);
    ck_assert_int_eq(h->nfacets, 4);
    ck_assert_int_eq(is_vertex(h, 0) + is_vertex(h, 2), 1);
    ck_assert_int_eq(is_vertex(h, 1) + is_vertex(h, 5), 1);
    ck_assert_int_eq(is_vertex(h, 3), 1);
    ck_assert_int_eq(is_vertex(h, 4) + is_vertex(h, 8), 1);
    ck_assert(!is_vertex(h, 6) && !is_vertex(h, 7));
    assert_wellformed(h, sq, 9, 2, 1, 1e-12, 0);

    /* every cube corner twice: points i and i + 8 coincide */
    for (i = 0; i < 16; i++) {
        cube[3 * i] = (double)(i & 1);
        cube[3 * i + 1] = (double)((i >> 1) & 1);
        cube[3 * i + 2] = (double)((i >> 2) & 1);
    }
    ck_assert_int_eq(compute(h, cube, 16, 3, 1, 0, NULL), TROP_OK);
    ck_assert_int_eq(h->nverts, 8);
    ck_assert_int_eq(h->nfacets, 12);
    for (i = 0; i < 8; i++)
        ck_assert_int_eq(is_vertex(h, i) + is_vertex(h, i + 8), 1);
    assert_wellformed(h, cube, 16, 3, 1, 1e-12, 0);
    trop_hull_clear(h);
}
END_TEST

/* pts may point into h's own arrays: they are copied before h changes.  The
 * normals of the square's hull are the 4 points (0,-1), (-1,0), (1,0),
 * (0,1): a diamond with 4 vertices and 4 edges. */
START_TEST(test_alias)
{
    static const double sq[] = {0, 0, 1, 0, 0, 1, 1, 1};
    trop_hull_t h;
    slong f;

    trop_hull_init(h);
    ck_assert_int_eq(compute(h, sq, 4, 2, 0, 0, NULL), TROP_OK);
    ck_assert_int_eq(compute(h, h->normals, h->nfacets, 2, 0, 0, NULL), TROP_OK);
    ck_assert_int_eq(h->npts, 4);
    ck_assert_int_eq(h->nverts, 4);
    ck_assert_int_eq(h->nfacets, 4);
    for (f = 0; f < 4; f++)   /* edges of |x| + |y| <= 1 */
        ck_assert(near(h->offsets[f], -sqrt(0.5), 1e-15));
    trop_hull_clear(h);
}
END_TEST

/* ------------------------------------------------------------------ */
/* degenerate and invalid input                                       */

START_TEST(test_degenerate)
{
    static const double line[] = {0, 0, 1, 1, 2, 2, 3, 3};              /* y = x */
    static const double twice[] = {1, 2, 1, 2, 1, 2, 3, 4};             /* 2 distinct points */
    static const double plane[] = {0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 2, 3, 1}; /* z = 1 */
    static const double same[] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
    static const double tilted[] = {0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 2}; /* z = x + y */
    static const double sq[] = {0, 0, 1, 0, 0, 1, 1, 1};
    trop_hull_t h;
    trop_error err;

    trop_hull_init(h);
    /* a successful hull first, to see that a failure empties h */
    ck_assert_int_eq(compute(h, sq, 4, 2, 1, 0, NULL), TROP_OK);

    ck_assert_int_eq(compute(h, line, 4, 2, 1, 0, &err), TROP_ERR_DEGENERATE);
    ck_assert_int_eq(err.status, TROP_ERR_DEGENERATE);
    ck_assert_str_eq(err.where, "hull");
    ck_assert_msg(strstr(err.msg, "QH6154") != NULL, "message: %s", err.msg);
    ck_assert_msg(strstr(err.msg, "qhull Qt") != NULL, "message: %s", err.msg);
    ck_assert_int_eq(h->nfacets, 0);
    ck_assert_int_eq(h->nverts, 0);
    ck_assert_ptr_null(h->normals);
    ck_assert_ptr_null(h->verts);
    ck_assert_str_eq(h->command, "qhull Qt");

    ck_assert_int_eq(compute(h, twice, 4, 2, 0, 0, &err), TROP_ERR_DEGENERATE);
    ck_assert_msg(has_qh_id(err.msg), "message: %s", err.msg);
    ck_assert_int_eq(compute(h, tilted, 4, 3, 1, 0, &err), TROP_ERR_DEGENERATE);
    ck_assert_msg(has_qh_id(err.msg), "message: %s", err.msg);

    /* a constant coordinate is caught before qhull (exactly) */
    ck_assert_int_eq(compute(h, plane, 5, 3, 1, 0, &err), TROP_ERR_DEGENERATE);
    ck_assert_msg(strstr(err.msg, "coordinate 2") != NULL, "message: %s", err.msg);
    ck_assert_int_eq(compute(h, same, 4, 3, 1, 0, &err), TROP_ERR_DEGENERATE);
    ck_assert_msg(strstr(err.msg, "all 4 points are equal") != NULL, "message: %s", err.msg);
    ck_assert_int_eq(compute(h, same, 4, 3, 0, 1, &err), TROP_ERR_DEGENERATE);
    /* with QJ, qhull joggles a flat set into a thin full-dimensional one */
    ck_assert_int_eq(compute(h, plane, 5, 3, 0, 1, &err), TROP_OK);
    ck_assert_int_eq(compute(h, line, 4, 2, 0, 1, &err), TROP_OK);
    ck_assert_int_eq(compute(h, line, 4, 2, 1, 0, NULL), TROP_ERR_DEGENERATE);
    trop_hull_clear(h);
}
END_TEST

START_TEST(test_invalid)
{
    double pts[] = {0, 0, 1, 0, 0, 1, 1, 1};
    static const double three[] = {0, 0, 0, 1, 1, 0, 2, 2, 0};
    trop_hull_t h;
    trop_error err;

    trop_hull_init(h);
    pts[5] = NAN;
    ck_assert_int_eq(compute(h, pts, 4, 2, 1, 0, &err), TROP_ERR_INVALID);
    ck_assert_msg(strstr(err.msg, "point 2, coordinate 1") != NULL, "message: %s", err.msg);
    ck_assert_int_eq(h->nfacets, 0);
    pts[5] = INFINITY;
    ck_assert_int_eq(compute(h, pts, 4, 2, 1, 0, &err), TROP_ERR_INVALID);
    pts[5] = -INFINITY;
    ck_assert_int_eq(compute(h, pts, 4, 2, 1, 0, NULL), TROP_ERR_INVALID);
    pts[5] = 1;
    ck_assert_int_eq(compute(h, pts, 4, 2, 1, 0, &err), TROP_OK);

    /* npts <= dim */
    ck_assert_int_eq(compute(h, pts, 2, 2, 1, 0, &err), TROP_ERR_INVALID);
    ck_assert_int_eq(h->nfacets, 0);
    ck_assert_int_eq(compute(h, pts, 0, 2, 1, 0, &err), TROP_ERR_INVALID);
    ck_assert_int_eq(compute(h, three, 3, 3, 1, 0, &err), TROP_ERR_INVALID);  /* case 22/02 */
    ck_assert_msg(strstr(err.msg, "at least 4") != NULL, "message: %s", err.msg);
    /* dim < 2 */
    ck_assert_int_eq(compute(h, pts, 8, 1, 1, 0, &err), TROP_ERR_INVALID);
    ck_assert_int_eq(compute(h, pts, 8, 0, 1, 0, NULL), TROP_ERR_INVALID);
    trop_hull_clear(h);
}
END_TEST

/* ------------------------------------------------------------------ */
/* case 22: degenerate point sets for upper-hull pruning              */

/* Reads lifted points "e1 e2 c" (entries may be fractions a/b). */
static slong read_points(const char *name, double *pts, slong max)
{
    FILE *fp = fopen(trop_test_data(name), "r");
    char line[256];
    slong n = 0;
    ck_assert_msg(fp != NULL, "cannot open %s", trop_test_data(name));
    while (fgets(line, sizeof line, fp) != NULL) {
        char *tok, *save = NULL;
        if (line[0] == '#')
            continue;
        for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL;
             tok = strtok_r(NULL, " \t\r\n", &save)) {
            char *slash = strchr(tok, '/');
            ck_assert_int_lt(n, max);
            pts[n++] = slash ? strtod(tok, NULL) / strtod(slash + 1, NULL) : strtod(tok, NULL);
        }
    }
    fclose(fp);
    return n;
}

/* 04: (0,0,0) (0,1,0) (1,0,0) (1,0,2) (1,0,1).  Point 4 lies on the edge
 * [2,3], so the hull is the tetrahedron 0123.  Its only upper facet is
 * {0,1,3}, normal (-2,0,1)/sqrt5, offset 0; {0,2,3} (normal (0,-1,0)) and
 * {1,2,3} (normal (1,1,0)/sqrt2, offset -1/sqrt2) are vertical; {0,1,2}
 * is the bottom.  Upper vertices: 0, 1, 3, as the README expects. */
START_TEST(test_case22_04)
{
    double pts[32];
    static const slong f013[3] = {0, 1, 3}, f023[3] = {0, 2, 3}, f123[3] = {1, 2, 3},
                       f012[3] = {0, 1, 2};
    const double s5 = sqrt(5.0), s2 = sqrt(2.0);
    const double n013[3] = {-2 / s5, 0, 1 / s5}, n023[3] = {0, -1, 0},
                 n123[3] = {1 / s2, 1 / s2, 0}, n012[3] = {0, 0, -1};
    trop_hull_t h;
    slong f, nup = 0;

    ck_assert_int_eq(read_points("22-upper-hull/04_duplicate_exponents.txt", pts, 32), 15);
    trop_hull_init(h);
    ck_assert_int_eq(compute(h, pts, 5, 3, 1, 0, NULL), TROP_OK);
    ck_assert_int_eq(h->nverts, 4);
    ck_assert(!is_vertex(h, 4));
    ck_assert_int_eq(h->nfacets, 4);
    assert_plane(h, find_facet(h, f013, 3), n013, 0);
    assert_plane(h, find_facet(h, f023, 3), n023, 0);
    assert_plane(h, find_facet(h, f123, 3), n123, -1 / s2);
    assert_plane(h, find_facet(h, f012, 3), n012, 0);
    for (f = 0; f < h->nfacets; f++)
        if (h->normals[f * 3 + 2] > 1e-12)
            nup++;
    ck_assert_int_eq(nup, 1);
    assert_wellformed(h, pts, 5, 3, 1, 1e-12, 0);
    trop_hull_clear(h);
}
END_TEST

/* 05 and 06: corners of [0,2]^2 at height 0 and the centre (1,1) at height
 * +1e-13 (05) or -1e-13 (06).  qhull resolves both (with warning QH7089 on
 * its message stream).  05: 4 upper triangles, all through the centre (4),
 * and the bottom square in 2 triangles with normal (0,0,-1).  06: the top
 * square in 2 triangles with normal (0,0,1), offset 0, and 4 lower
 * triangles through the centre. */
START_TEST(test_case22_05_06)
{
    double pts[32];
    static const char *files[2] = {"22-upper-hull/05_interior_point_above_by_1e-13.txt",
                                   "22-upper-hull/06_interior_point_below_by_1e-13.txt"};
    static const double down[3] = {0, 0, -1}, up[3] = {0, 0, 1};
    trop_hull_t h;
    int c;

    trop_hull_init(h);
    for (c = 0; c < 2; c++) {
        slong f, nup = 0;
        ck_assert_int_eq(read_points(files[c], pts, 32), 15);
        ck_assert_int_eq(compute(h, pts, 5, 3, 1, 0, NULL), TROP_OK);
        ck_assert_int_eq(h->nverts, 5);
        ck_assert_int_eq(h->nfacets, 6);
        for (f = 0; f < h->nfacets; f++) {
            int upper = h->normals[f * 3 + 2] > 0;
            nup += upper;
            if (upper == (c == 0)) {          /* a side through the centre */
                ck_assert(facet_has(h, f, 4));
                ck_assert(near(fabs(h->normals[f * 3 + 2]), 1.0, 1e-12));
            } else {                          /* the flat square */
                ck_assert(!facet_has(h, f, 4));
                assert_plane(h, f, c == 0 ? down : up, 0);
            }
        }
        ck_assert_int_eq(nup, c == 0 ? 4 : 2);
        assert_wellformed(h, pts, 5, 3, 1, 1e-12, 0);
    }
    trop_hull_clear(h);
}
END_TEST

/* 07 (centre 1e-17 above the corners) is full-dimensional, but within
 * qhull's roundoff of flat: qhull 2020.2 answers QH6154 "initial simplex is
 * flat".  A status must come back, never a crash; if qhull ever resolves it,
 * the answer must be the true one (all 5 points are vertices).  08 (centre
 * exactly on the square) really is flat: every point has c = 0, which
 * trop_hull_compute sees before qhull runs (qconvex says QH6154). */
START_TEST(test_case22_07_08)
{
    double pts[32];
    trop_hull_t h;
    trop_error err;
    trop_status st;

    trop_hull_init(h);
    ck_assert_int_eq(read_points("22-upper-hull/07_interior_point_above_by_1e-17.txt", pts, 32), 15);
    st = compute(h, pts, 5, 3, 1, 0, &err);
    if (st == TROP_OK) {
        ck_assert_int_eq(h->nverts, 5);
    } else {
        ck_assert_msg(st == TROP_ERR_DEGENERATE || st == TROP_ERR_PRECISION, "status %d", st);
        ck_assert_msg(has_qh_id(err.msg), "message: %s", err.msg);
    }
    ck_assert_int_eq(read_points("22-upper-hull/08_interior_point_on_face.txt", pts, 32), 15);
    ck_assert_int_eq(compute(h, pts, 5, 3, 1, 0, &err), TROP_ERR_DEGENERATE);
    ck_assert_msg(strstr(err.msg, "coordinate 2 equal to 0") != NULL, "message: %s", err.msg);
    trop_hull_clear(h);
}
END_TEST

/* ------------------------------------------------------------------ */
/* memory                                                             */

/* Many calls in a row, succeeding and failing, on one object and on fresh
 * ones: qhull's counters stay at zero (checked in compute) and valgrind
 * (meson test --setup valgrind) sees no leak. */
START_TEST(test_many_calls)
{
    static const double sq[] = {0, 0, 1, 0, 0, 1, 1, 1, 0.5, 0.5};
    static const double line[] = {0, 0, 1, 1, 2, 2, 3, 3};
    double cube[24];
    trop_hull_t h, g;
    int i;

    for (i = 0; i < 8; i++) {
        cube[3 * i] = (double)(i & 1);
        cube[3 * i + 1] = (double)((i >> 1) & 1);
        cube[3 * i + 2] = (double)((i >> 2) & 1);
    }
    trop_hull_init(h);
    for (i = 0; i < trop_test_count(200); i++) {
        trop_error err;
        ck_assert_int_eq(compute(h, sq, 5, 2, i & 1, 0, NULL), TROP_OK);
        ck_assert_int_eq(compute(h, cube, 8, 3, 1, (i & 3) == 3, NULL), TROP_OK);
        ck_assert_int_eq(compute(h, line, 4, 2, 1, 0, &err), TROP_ERR_DEGENERATE);
        trop_hull_init(g);
        ck_assert_int_eq(compute(g, cube, 8, 3, 0, 0, NULL), TROP_OK);
        trop_hull_clear(g);
    }
    trop_hull_clear(h);
    trop_hull_init(g);   /* clear of a never-filled object */
    trop_hull_clear(g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* random loop                                                        */

typedef struct { long long x, y; } ipt;

static int ipt_cmp(const void *a, const void *b)
{
    const ipt *p = a, *q = b;
    if (p->x != q->x)
        return (p->x > q->x) - (p->x < q->x);
    return (p->y > q->y) - (p->y < q->y);
}

static long long cross(ipt o, ipt a, ipt b)
{
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/* Exact 2-D hull of integer points (monotone chain, collinear points
 * dropped): the number of vertices, written sorted into out. */
static slong exact_hull2(const double *pts, slong n, ipt *out)
{
    ipt *p = malloc((size_t)n * sizeof *p), *hl = malloc((size_t)(2 * n + 2) * sizeof *hl);
    slong i, m = 0, k = 0, t;
    for (i = 0; i < n; i++) {
        p[i].x = (long long)pts[2 * i];
        p[i].y = (long long)pts[2 * i + 1];
    }
    qsort(p, (size_t)n, sizeof *p, ipt_cmp);
    for (i = 0; i < n; i++)
        if (m == 0 || ipt_cmp(&p[m - 1], &p[i]) != 0)
            p[m++] = p[i];
    for (i = 0; i < m; i++) {
        while (k >= 2 && cross(hl[k - 2], hl[k - 1], p[i]) <= 0)
            k--;
        hl[k++] = p[i];
    }
    for (i = m - 2, t = k + 1; i >= 0; i--) {
        while (k >= t && cross(hl[k - 2], hl[k - 1], p[i]) <= 0)
            k--;
        hl[k++] = p[i];
    }
    k = k > 1 ? k - 1 : k;   /* the first point is repeated at the end */
    for (i = 0; i < k; i++)
        out[i] = hl[i];
    qsort(out, (size_t)k, sizeof *out, ipt_cmp);
    free(p);
    free(hl);
    return k;
}

/* Exact rank of the differences p_i - p_0 of small integer points
 * (fraction-free Gaussian elimination; entries stay far below 2^63). */
static slong exact_rank(const double *pts, slong n, slong d)
{
    long long *a = malloc((size_t)(n * d) * sizeof *a);
    long long prev = 1;
    slong r = 0, c, i, j;
    for (i = 1; i < n; i++)
        for (j = 0; j < d; j++)
            a[(i - 1) * d + j] = (long long)(pts[i * d + j] - pts[j]);
    n--;
    for (c = 0; c < d && r < n; c++) {
        slong piv = -1;
        for (i = r; i < n; i++)
            if (a[i * d + c] != 0) {
                piv = i;
                break;
            }
        if (piv < 0)
            continue;
        for (j = 0; j < d; j++) {
            long long tmp = a[r * d + j];
            a[r * d + j] = a[piv * d + j];
            a[piv * d + j] = tmp;
        }
        for (i = r + 1; i < n; i++) {
            for (j = c + 1; j < d; j++)
                a[i * d + j] = (a[r * d + c] * a[i * d + j] - a[i * d + c] * a[r * d + j]) / prev;
            a[i * d + c] = 0;
        }
        prev = a[r * d + c];
        r++;
    }
    free(a);
    return r;
}

static double uniform(trop_rng *r)
{
    return (double)(trop_rng_u64(r) >> 11) * 0x1p-53 * 2.0 - 1.0;
}

/* Random point sets in R^2..R^5: uniform in [-1,1]^d (mode 0), small
 * integers in [-3,3]^d with duplicates and coplanar points (mode 1), or a
 * scaled cube plus uniform points inside and on it (mode 2); 'Qt' in most
 * runs, 'QJ' in some.  Checks that every input point satisfies every facet
 * inequality within 1e-9, that every facet's vertices are on it within 1e-9,
 * and, in 2-D with integers, that the vertices are exactly those of an exact
 * hull; a flat integer set must give TROP_ERR_DEGENERATE. */
START_TEST(test_random)
{
    unsigned long long seed = trop_test_seed() + (unsigned long long)_i;
    trop_rng r;
    slong dim, npts, i, j, ncube, rank;
    int mode, tri, jog, small;
    double *pts;
    trop_hull_t h;
    trop_error err;
    trop_status st;

    memset(&err, 0, sizeof err);
    trop_rng_init(&r, seed);
    dim = 2 + trop_rng_below(&r, 4);
    mode = (int)trop_rng_below(&r, 3);
    jog = trop_rng_below(&r, 5) == 0;
    tri = jog || trop_rng_below(&r, 4) != 0;
    small = mode == 1 && trop_rng_below(&r, 2) == 0;   /* often flat */
    ncube = mode == 2 ? ((slong)1 << dim) : 0;
    npts = ncube + dim + 1 + trop_rng_below(&r, small ? 3 : 40);
    pts = malloc((size_t)(npts * dim) * sizeof *pts);
    for (i = 0; i < npts; i++)
        for (j = 0; j < dim; j++) {
            double v;
            if (mode == 1)
                v = (double)(small ? trop_rng_below(&r, 3) - 1 : trop_rng_below(&r, 7) - 3);
            else if (i < ncube)
                v = (i >> j) & 1 ? 3.0 : -3.0;
            else if (mode == 2 && trop_rng_below(&r, 4) == 0)
                v = trop_rng_below(&r, 2) ? 3.0 : -3.0;    /* on a face */
            else
                v = (mode == 2 ? 3.0 : 1.0) * uniform(&r);
            pts[i * dim + j] = v;
        }

    trop_hull_init(h);
    st = compute(h, pts, npts, dim, tri, jog, &err);
    rank = mode == 1 ? exact_rank(pts, npts, dim) : dim;
    if (rank < dim && (!jog || rank == 0)) {   /* QJ does not rescue a single point */
        ck_assert_msg(st == TROP_ERR_DEGENERATE, "seed %llu: status %d for a flat set", seed, st);
    } else {
        ck_assert_msg(st == TROP_OK, "seed %llu: dim %ld, %ld points, mode %d, %s: %s", seed,
                      (long)dim, (long)npts, mode, h->command, err.msg);
        /* With QJ the facets are those of the joggled points, which qhull
         * moves by up to its joggle (about 1e-11 relative at first, larger
         * after a retry), so the tolerance is wider. */
        assert_wellformed(h, pts, npts, dim, tri, jog ? 1e-6 : 1e-9, seed);
        if (dim == 2 && mode == 1 && !jog) {
            ipt *ex = malloc((size_t)npts * sizeof *ex);
            slong nex = exact_hull2(pts, npts, ex), k;
            ck_assert_msg(nex == h->nverts, "seed %llu: %ld vertices, exact %ld", seed,
                          (long)h->nverts, (long)nex);
            for (k = 0; k < nex; k++) {   /* each exact vertex is a qhull vertex */
                int found = 0;
                for (i = 0; i < h->nverts && !found; i++) {
                    const double *p = pts + 2 * h->verts[i];
                    found = (long long)p[0] == ex[k].x && (long long)p[1] == ex[k].y;
                }
                ck_assert_msg(found, "seed %llu: exact vertex (%lld,%lld) missed", seed, ex[k].x,
                              ex[k].y);
            }
            free(ex);
        }
    }
    trop_hull_clear(h);
    free(pts);
}
END_TEST

static Suite *hull_suite(void)
{
    Suite *s = suite_create("hull");
    TCase *tc;

    tc = tcase_create("command");
    tcase_add_test(tc, test_command);
    tcase_add_test(tc, test_exitcodes);
    suite_add_tcase(s, tc);

    tc = tcase_create("compute");
    tcase_add_test(tc, test_square);
    tcase_add_test(tc, test_cube);
    tcase_add_test(tc, test_bipyramid);
    tcase_add_test(tc, test_pyramid_down);
    tcase_add_test(tc, test_duplicates);
    tcase_add_test(tc, test_alias);
    tcase_add_test(tc, test_degenerate);
    tcase_add_test(tc, test_invalid);
    tcase_add_test(tc, test_case22_04);
    tcase_add_test(tc, test_case22_05_06);
    tcase_add_test(tc, test_case22_07_08);
    suite_add_tcase(s, tc);

    tc = tcase_create("memory");
    tcase_add_test(tc, test_many_calls);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);

    tc = tcase_create("random");
    tcase_add_loop_test(tc, test_random, 0, trop_test_count(300));
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return trop_test_main(hull_suite);
}
