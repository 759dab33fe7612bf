/* trop-regions: the activation regions of a network on a plane, counted
 * exactly, with the theoretical bounds beside the count.
 * See docs/trop-regions.md and docs/man/trop-regions.1. */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "trop/trop.h"
#include "common.h"
#include "problem.h"

static const char *prog = "trop-regions";

static void usage(FILE *fp)
{
    fprintf(fp,
"Usage: trop-regions NET [options]\n"
"Count the activation regions of a ReLU / leaky-ReLU / maxout network\n"
"exactly (every cut decided in exact arithmetic), layer by layer, with the\n"
"theoretical bounds on the number of regions beside the count.\n"
"\n"
"NET is a net.bin, NNet, JSON or ONNX file.  A network with two inputs, or a\n"
"plane of a bigger one (--slice-axes, --slice-points), is analysed on the\n"
"plane with everything below.  A network with n >= 3 inputs and no slice\n"
"is analysed in its n-dimensional box (relu / leaky layers; counts, per\n"
"layer, --domain all (exact LPs only: small networks), --linear, --decision,\n"
"--csv, --vertices, --volumes, --halfspaces, --max-seconds; no --svg).\n"
"NNet networks are analysed on their normalised inputs.\n"
"\n"
"Options:\n"
"  --domain box|all      count inside the box (default) or over the whole\n"
"                        plane, unbounded regions included\n"
"  --halfplanes 'A,B,C;...'  cut the domain further to the half-planes\n"
"                        A t0 + B t1 + C >= 0 (a polygon domain); in n\n"
"                        dimensions rows of n + 1 numbers A1,...,An,C:\n"
"                        A . x + C >= 0 (alias --halfspaces)\n"
"  --box LO,HI           the box [LO,HI]^n (default: the network's input box\n"
"                        on the analysed inputs, [0,1]^2 for --slice-points,\n"
"                        else [-1,1]^n)\n"
"  --max-seconds S       n dimensions: stop after S seconds and report how far\n"
"                        the count got (\"complete\": false in JSON)\n"
"  --slice-axes I,J      restrict to inputs I and J (0-based); the others are\n"
"                        held at the point given by --at (default 0)\n"
"  --at X0               comma-separated point for --slice-axes\n"
"  --slice-points 'A;B;C'  restrict to the plane A + t0 (B - A) + t1 (C - A)\n"
"  --json                print one JSON document (see docs/trop-regions.md)\n"
"  --csv FILE            write one row per region (pattern, an exact interior\n"
"                        point, the exact affine map of every output); FILE -\n"
"                        is standard output, before the report\n"
"  --svg FILE            draw the regions in the box (FILE - is standard output,\n"
"                        before the report): one colour per affine map,\n"
"                        region edges thin, the decision boundary bold (where\n"
"                        the arg max of the outputs changes; for one output,\n"
"                        where it is 0), axes with coordinates\n"
"  --vertices            with --csv: a column with every region's vertices\n"
"  --volumes             the exact area of every bounded region: statistics in\n"
"                        the report (and a column with --csv); in a box the\n"
"                        areas must add up to the box's, which is checked\n"
"  --decision            also count the decision regions: connected sets where\n"
"                        the arg max of the outputs (for one output, its sign)\n"
"                        is one class (a second pass)\n"
"  --no-linear           skip the linear regions (merging adjacent activation\n"
"                        regions with one affine map; it about doubles the time)\n"
"  --linear              n dimensions: also count the linear regions (they need\n"
"                        every region's exact vertices: much slower than the\n"
"                        count); on a plane they are counted by default\n"
"  --threads N           threads, 1..1024 (default: one per processor)\n"
"  --max-regions N       stop with an error beyond N regions (default 0: no\n"
"                        limit)\n"
"  -q, --quiet           no progress on stderr\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Rationals on the command line are decimals (0.1 means 1/10) or p/q.\n"
"Exit status: 0 ok, 1 error, 2 usage error.\n");
}

typedef struct {
    const char *net_path, *csv_path, *svg_path, *box, *axes, *at, *points, *halfplanes;
    int json, quiet, all, nolinear, vertices, volumes, decision, linear;
    long threads, max_regions;
    double max_seconds;   /* n dimensions: stop with a partial report (0: none) */
} tr_opts;

enum { OPT_DOMAIN = 256, OPT_BOX, OPT_AXES, OPT_AT, OPT_POINTS, OPT_JSON, OPT_CSV, OPT_THREADS,
       OPT_MAXREG, OPT_NOLINEAR, OPT_VERTICES, OPT_VOLUMES, OPT_SVG, OPT_DECISION,
       OPT_HALFPLANES, OPT_MAXSEC, OPT_LINEAR };

static int parse_args(tr_opts *o, int argc, char **argv)
{
    static const struct option lo[] = {
        {"domain", required_argument, 0, OPT_DOMAIN}, {"box", required_argument, 0, OPT_BOX},
        {"slice-axes", required_argument, 0, OPT_AXES}, {"at", required_argument, 0, OPT_AT},
        {"slice-points", required_argument, 0, OPT_POINTS}, {"json", no_argument, 0, OPT_JSON},
        {"csv", required_argument, 0, OPT_CSV}, {"threads", required_argument, 0, OPT_THREADS},
        {"max-regions", required_argument, 0, OPT_MAXREG}, {"quiet", no_argument, 0, 'q'},
        {"no-linear", no_argument, 0, OPT_NOLINEAR}, {"linear", no_argument, 0, OPT_LINEAR},
        {"vertices", no_argument, 0, OPT_VERTICES}, {"volumes", no_argument, 0, OPT_VOLUMES},
        {"svg", required_argument, 0, OPT_SVG}, {"decision", no_argument, 0, OPT_DECISION},
        {"halfplanes", required_argument, 0, OPT_HALFPLANES},
        {"halfspaces", required_argument, 0, OPT_HALFPLANES},
        {"max-seconds", required_argument, 0, OPT_MAXSEC},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int c, rc;
    tool_slice_opts so;
    memset(o, 0, sizeof *o);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qhV", lo, NULL)) != -1) {
        switch (c) {
        case OPT_DOMAIN:
            if (strcmp(optarg, "all") == 0)
                o->all = 1;
            else if (strcmp(optarg, "box") == 0)
                o->all = 0;
            else
                return tool_usage_error(prog, "--domain needs box or all, got '%s'", optarg);
            break;
        case OPT_BOX: o->box = optarg; break;
        case OPT_AXES: o->axes = optarg; break;
        case OPT_AT: o->at = optarg; break;
        case OPT_POINTS: o->points = optarg; break;
        case OPT_JSON: o->json = 1; break;
        case OPT_CSV:
            if (*optarg == '\0')
                return tool_usage_error(prog, "--csv needs a file name (or -), got an empty one");
            o->csv_path = optarg;
            break;
        case OPT_THREADS:
            if (!tool_parse_long(&o->threads, optarg, 1, 1024))
                return tool_usage_error(prog, "--threads needs a count in 1..1024, got '%s'",
                                        optarg);
            break;
        case OPT_MAXREG:
            if (!tool_parse_long(&o->max_regions, optarg, 0, WORD_MAX))
                return tool_usage_error(prog, "--max-regions needs a count >= 0, got '%s'",
                                        optarg);
            break;
        case OPT_NOLINEAR: o->nolinear = 1; break;
        case OPT_LINEAR: o->linear = 1; break;
        case OPT_VERTICES: o->vertices = 1; break;
        case OPT_VOLUMES: o->volumes = 1; break;
        case OPT_SVG:
            if (*optarg == '\0')
                return tool_usage_error(prog, "--svg needs a file name (or -), got an empty one");
            o->svg_path = optarg;
            break;
        case OPT_DECISION: o->decision = 1; break;
        case OPT_HALFPLANES: o->halfplanes = optarg; break;
        case OPT_MAXSEC: {
            long v;
            if (!tool_parse_long(&v, optarg, 1, 100000000))
                return tool_usage_error(prog, "--max-seconds needs a whole number of seconds "
                                              "in 1..100000000, got '%s'", optarg);
            o->max_seconds = (double)v;
            break;
        }
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); exit(TOOL_EXIT_OK);
        case 'V': printf("trop-regions (libtrop) %s\n", trop_version_string()); exit(TOOL_EXIT_OK);
        case ':':
            return tool_usage_error(prog, "option '%s' needs a value", argv[optind - 1]);
        default:
            return tool_usage_error(prog, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return tool_usage_error(prog, optind >= argc ? "missing NET file" : "too many arguments");
    o->net_path = argv[optind];
    so.axes = o->axes;
    so.at = o->at;
    so.points = o->points;
    so.box = o->box;
    if ((rc = tool_slice_opts_check(&so, prog)) >= 0)
        return rc;
    if (o->all && o->box)
        return tool_usage_error(prog, "--box and --domain all exclude each other");
    if (o->linear && o->nolinear)
        return tool_usage_error(prog, "--linear and --no-linear exclude each other");
    if (o->vertices && !o->csv_path)
        return tool_usage_error(prog, "--vertices needs --csv FILE");
    if (o->svg_path && o->all)
        return tool_usage_error(prog, "--svg draws a box: it excludes --domain all");
    return -1;
}

/* ---- the architecture for the bounds ---- */

/* The bounds' architecture of the analysed network: n0 = 2, the nonlinear
 * layers as hidden layers (the last layer, when linear, is the output).
 * Returns 0 when the bounds do not apply (a linear hidden layer, mixed
 * activations), with the reason in why. */
static int bound_arch(trop_bound_arch *a, slong *widths, const trop_net_t net, char *why,
                      size_t whylen)
{
    slong l, L = net->nlayers;
    trop_act act0;
    if (L >= 1 && net->layers[L - 1].act == TROP_ACT_LINEAR)
        L--;
    if (L == 0) {
        snprintf(why, whylen, "the network has no nonlinear layer");
        return 0;
    }
    act0 = net->layers[0].act;
    for (l = 0; l < L; l++) {
        const trop_layer_struct *Ly = net->layers + l;
        int relu_like = Ly->act == TROP_ACT_RELU || Ly->act == TROP_ACT_LEAKY;
        if (Ly->act == TROP_ACT_LINEAR) {
            snprintf(why, whylen, "layer %ld is linear", l + 1);
            return 0;
        }
        if (relu_like != (act0 == TROP_ACT_RELU || act0 == TROP_ACT_LEAKY)
            || (Ly->act == TROP_ACT_MAXOUT && Ly->k != net->layers[0].k)) {
            snprintf(why, whylen, "the hidden layers mix activations or maxout ranks");
            return 0;
        }
        widths[l] = trop_layer_width(Ly);
    }
    a->n0 = net->input_dim;
    a->nlayers = L;
    a->widths = widths;
    a->act = act0 == TROP_ACT_MAXOUT ? TROP_BOUND_MAXOUT : TROP_BOUND_RELU;
    a->rank = act0 == TROP_ACT_MAXOUT ? net->layers[0].k : 0;
    if (trop_bound_arch_check(a, NULL) != TROP_OK) {
        snprintf(why, whylen, "the architecture is beyond the bounds' limits");
        return 0;
    }
    return 1;
}

static const char *kind_str(trop_bound_kind k)
{
    return k == TROP_BOUND_LOWER ? "lower" : (k == TROP_BOUND_UPPER ? "upper" : "exact");
}

/* ---- the CSV rows ---- */

/* What the visitor does: CSV rows (fp not NULL) and areas (volumes). */
typedef struct {
    FILE *fp;
    const trop_net_struct *net;
    int vertices, volumes;
    fmpq *pt;          /* [2] */
    fmpq_t q;
    slong id;
    FILE *svg;         /* --svg, or NULL */
    double bx[4];      /* the box in double: lo0, hi0, lo1, hi1 */
    slong nareas;      /* bounded regions measured */
    slong nfailed;     /* n dimensions: regions whose volume failed */
    fmpq_t amin, amax, asum, area;
    fmpz v[3];
} csv_ctx;

static void csv_init(csv_ctx *c, const tr_opts *o, const trop_net_struct *net)
{
    memset(c, 0, sizeof *c);
    c->net = net;
    c->vertices = o->vertices;
    c->volumes = o->volumes;
    c->pt = _fmpq_vec_init(2);
    fmpq_init(c->q);
    fmpq_init(c->amin);
    fmpq_init(c->amax);
    fmpq_init(c->asum);
    fmpq_init(c->area);
    fmpz_init(c->v + 0);
    fmpz_init(c->v + 1);
    fmpz_init(c->v + 2);
}

static void csv_clear(csv_ctx *c)
{
    _fmpq_vec_clear(c->pt, 2);
    fmpq_clear(c->q);
    fmpq_clear(c->amin);
    fmpq_clear(c->amax);
    fmpq_clear(c->asum);
    fmpq_clear(c->area);
    fmpz_clear(c->v + 0);
    fmpz_clear(c->v + 1);
    fmpz_clear(c->v + 2);
}

static void csv_q(FILE *fp, const fmpq_t x)
{
    char *s = trop_q_get_str(x);
    fputs(s, fp);
    flint_free(s);
}

/* "x y;x y;..." with an unbounded end as "inf dx dy". */
static void csv_vertices(csv_ctx *c, const trop_region2_rec_struct *r)
{
    slong k, n = trop_region2_rec_nvertices(r);
    fputc(',', c->fp);
    for (k = 0; k < n; k++) {
        trop_region2_rec_vertex(c->v, r, k);
        if (k > 0)
            fputc(';', c->fp);
        if (fmpz_is_zero(c->v + 2)) {
            fputs("inf ", c->fp);
            fmpz_fprint(c->fp, c->v + 0);
            fputc(' ', c->fp);
            fmpz_fprint(c->fp, c->v + 1);
            continue;
        }
        fmpq_set_fmpz_frac(c->q, c->v + 0, c->v + 2);
        csv_q(c->fp, c->q);
        fputc(' ', c->fp);
        fmpq_set_fmpz_frac(c->q, c->v + 1, c->v + 2);
        csv_q(c->fp, c->q);
    }
}

/* Adds c->area (an area, or a volume in n dimensions) to the statistics. */
static void stat_add(csv_ctx *c)
{
    if (c->nareas == 0 || fmpq_cmp(c->area, c->amin) < 0)
        fmpq_set(c->amin, c->area);
    if (c->nareas == 0 || fmpq_cmp(c->area, c->amax) > 0)
        fmpq_set(c->amax, c->area);
    fmpq_add(c->asum, c->asum, c->area);
    c->nareas++;
}

/* Adds the region's area to the statistics; 1 if it is bounded. */
static int add_area(csv_ctx *c, const trop_region2_rec_struct *r)
{
    if (!trop_region2_rec_area(c->area, r))
        return 0;
    stat_add(c);
    return 1;
}

/* ---- SVG ---- */

#define SVG_SIZE 800.0
#define SVG_MARGIN 60.0

static double svg_x(const csv_ctx *c, double x)
{
    return SVG_MARGIN + (x - c->bx[0]) / (c->bx[1] - c->bx[0]) * SVG_SIZE;
}

static double svg_y(const csv_ctx *c, double y)
{
    return SVG_MARGIN + (c->bx[3] - y) / (c->bx[3] - c->bx[2]) * SVG_SIZE;
}

/* A colour that depends only on the map (FNV-1a of its digits), so that
 * regions with one affine map share it from run to run. */
static void svg_colour(char *buf, const trop_region2_rec_struct *r)
{
    unsigned long long h = 1469598103934665603ULL;
    slong i;
    for (i = 0; i < 3 * r->nout; i++) {
        char *d = fmpz_get_str(NULL, 16, r->map + i), *p;
        for (p = d; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        h = (h ^ ',') * 1099511628211ULL;
        flint_free(d);
    }
    snprintf(buf, 32, "hsl(%llu,%llu%%,%llu%%)", h % 360, 45 + (h >> 20) % 30, 55 + (h >> 40) % 25);
}

/* The region's polygon in double (bounded: the box clips every region). */
static slong svg_polygon(double *xy, const trop_region2_rec_struct *r, csv_ctx *c, slong cap)
{
    slong k, n = trop_region2_rec_nvertices(r), m = 0;
    for (k = 0; k < n && m < cap; k++) {
        trop_region2_rec_vertex(c->v, r, k);
        if (fmpz_is_zero(c->v + 2))
            continue;
        fmpq_set_fmpz_frac(c->q, c->v + 0, c->v + 2);
        xy[2 * m] = fmpq_get_d(c->q);
        fmpq_set_fmpz_frac(c->q, c->v + 1, c->v + 2);
        xy[2 * m + 1] = fmpq_get_d(c->q);
        m++;
    }
    return m;
}

/* Clips the polygon xy: [n x 2] to a t0 + b t1 + e >= 0 (Sutherland-Hodgman,
 * in double: this is drawing, not counting); returns the new size. */
static slong svg_clip(double *out, const double *xy, slong n, double a, double b, double e)
{
    slong i, m = 0;
    for (i = 0; i < n; i++) {
        const double *p = xy + 2 * i, *q = xy + 2 * ((i + 1) % n);
        double sp = a * p[0] + b * p[1] + e, sq = a * q[0] + b * q[1] + e;
        if (sp >= 0) {
            out[2 * m] = p[0];
            out[2 * m + 1] = p[1];
            m++;
        }
        if ((sp >= 0) != (sq >= 0)) {
            double t = sp / (sp - sq);
            out[2 * m] = p[0] + t * (q[0] - p[0]);
            out[2 * m + 1] = p[1] + t * (q[1] - p[1]);
            m++;
        }
    }
    return m;
}

/* Draws the decision boundary inside the region: for one output its zero
 * line, else the lines out_i = out_j (i < j) inside the cell where i and j
 * are both maximal. */
static void svg_boundary(csv_ctx *c, const trop_region2_rec_struct *r, const double *xy,
                         slong n)
{
    double den = fmpz_get_d(r->den), A[64][3], buf1[256], buf2[256];
    slong o, i, j, m, nout = r->nout > 64 ? 64 : r->nout;
    for (o = 0; o < nout; o++)
        for (i = 0; i < 3; i++)
            A[o][i] = fmpz_get_d(r->map + 3 * o + i) / den;
    for (i = 0; i < (nout == 1 ? 1 : nout); i++)
        for (j = i + 1; j < (nout == 1 ? 2 : nout); j++) {
            /* the line L = out_i - out_j (or out_0 alone) */
            double a = A[i][0] - (nout == 1 ? 0 : A[j][0]);
            double b = A[i][1] - (nout == 1 ? 0 : A[j][1]);
            double e = A[i][2] - (nout == 1 ? 0 : A[j][2]);
            double p0[2], p1[2];
            slong k, cnt = 0;
            memcpy(buf1, xy, (size_t)(2 * n) * sizeof(double));
            m = n;
            for (k = 0; k < nout && nout > 1 && m > 0; k++) {  /* where i beats every k */
                if (k == i || k == j)
                    continue;
                m = svg_clip(buf2, buf1, m, A[i][0] - A[k][0], A[i][1] - A[k][1],
                             A[i][2] - A[k][2]);
                memcpy(buf1, buf2, (size_t)(2 * m) * sizeof(double));
            }
            /* the segment of L inside the cell: where L changes sign */
            for (k = 0; k < m && cnt < 2; k++) {
                const double *p = buf1 + 2 * k, *q = buf1 + 2 * ((k + 1) % m);
                double sp = a * p[0] + b * p[1] + e, sq = a * q[0] + b * q[1] + e;
                if ((sp > 0) != (sq > 0) && fabs(sp - sq) > 0) {
                    double t = sp / (sp - sq), *d = cnt == 0 ? p0 : p1;
                    d[0] = p[0] + t * (q[0] - p[0]);
                    d[1] = p[1] + t * (q[1] - p[1]);
                    cnt++;
                }
            }
            if (cnt == 2)
                fprintf(c->svg, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
                                "class=\"db\"/>\n", svg_x(c, p0[0]), svg_y(c, p0[1]),
                        svg_x(c, p1[0]), svg_y(c, p1[1]));
        }
}

static void svg_region(csv_ctx *c, const trop_region2_rec_struct *r)
{
    double xy[256];
    char col[32];
    slong k, n = svg_polygon(xy, r, c, 128);
    if (n < 3)
        return;
    svg_colour(col, r);
    fprintf(c->svg, "<path fill=\"%s\" d=\"", col);
    for (k = 0; k < n; k++)
        fprintf(c->svg, "%c%.2f %.2f", k ? 'L' : 'M', svg_x(c, xy[2 * k]),
                svg_y(c, xy[2 * k + 1]));
    fprintf(c->svg, "Z\"/>\n");
    svg_boundary(c, r, xy, n);
}

static void svg_begin(csv_ctx *c, const fmpq *box)
{
    int i;
    for (i = 0; i < 4; i++)
        c->bx[i] = fmpq_get_d(box + i);
    fprintf(c->svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                    "viewBox=\"0 0 %.0f %.0f\">\n<style>path{stroke:#555;stroke-width:0.3}"
                    " .db{stroke:#000;stroke-width:2.5} text{font:14px sans-serif}</style>\n",
            SVG_SIZE + 2 * SVG_MARGIN, SVG_SIZE + 2 * SVG_MARGIN, SVG_SIZE + 2 * SVG_MARGIN,
            SVG_SIZE + 2 * SVG_MARGIN);
}

static void svg_end(csv_ctx *c)
{
    int i;
    double lo = SVG_MARGIN, hi = SVG_MARGIN + SVG_SIZE;
    fprintf(c->svg, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" "
                    "fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\"/>\n",
            lo, lo, SVG_SIZE, SVG_SIZE);
    for (i = 0; i <= 4; i++) {
        double f = i / 4.0, x = c->bx[0] + f * (c->bx[1] - c->bx[0]);
        double y = c->bx[2] + f * (c->bx[3] - c->bx[2]);
        fprintf(c->svg, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>"
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.4g</text>\n",
                svg_x(c, x), hi, svg_x(c, x), hi + 6, svg_x(c, x), hi + 24, x);
        fprintf(c->svg, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>"
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n",
                lo - 6, svg_y(c, y), lo, svg_y(c, y), lo - 9, svg_y(c, y) + 5, y);
    }
    fprintf(c->svg, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">t0</text>"
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">t1</text>\n</svg>\n",
            (lo + hi) / 2, hi + 48, lo - 40, (lo + hi) / 2);
}

static int csv_row(const trop_region2_rec_struct *r, void *arg)
{
    csv_ctx *c = arg;
    slong l, u, o, j;
    int first = 1, bounded_area = c->volumes ? add_area(c, r) : 0;
    if (c->svg != NULL)
        svg_region(c, r);
    if (c->fp == NULL)
        return 0;
    fprintf(c->fp, "%ld,%d,", c->id++, r->bounded);
    /* one group per nonlinear layer: a 0/1 per relu or leaky unit, the arg
     * max rows joined by '.' for maxout */
    for (l = 0; l < r->nlayers; l++) {
        const trop_layer_struct *L = c->net->layers + l;
        if (L->act == TROP_ACT_LINEAR || (L->act == TROP_ACT_LEAKY && fmpq_is_one(L->slope)))
            continue;                /* the identity: no branch */
        if (!first)
            fputc('|', c->fp);
        first = 0;
        for (u = 0; u < r->units[l]; u++) {
            if (L->act == TROP_ACT_MAXOUT && u > 0)
                fputc('.', c->fp);
            fprintf(c->fp, "%ld", r->branch[l][u]);
        }
    }
    trop_region2_rec_point(c->pt, r);
    fputc(',', c->fp);
    csv_q(c->fp, c->pt + 0);
    fputc(',', c->fp);
    csv_q(c->fp, c->pt + 1);
    for (o = 0; o < r->nout; o++)
        for (j = 0; j < 3; j++) {
            fmpq_set_fmpz_frac(c->q, r->map + 3 * o + j, r->den);
            fputc(',', c->fp);
            csv_q(c->fp, c->q);
        }
    if (c->volumes) {
        fputc(',', c->fp);
        if (bounded_area)
            csv_q(c->fp, c->area);
    }
    if (c->vertices)
        csv_vertices(c, r);
    fputc('\n', c->fp);
    return ferror(c->fp) != 0;
}

/* ---- progress ---- */

static int on_progress(slong layer, slong nlayers, slong regions, void *arg)
{
    (void)layer;
    (void)nlayers;
    return tool_progress_draw(arg, prog, "%ld activation regions", regions);
}

/* ---- the report ---- */

typedef struct {
    const tr_opts *o;
    const trop_net_struct *net;
    const tool_problem *p;
    const trop_region2_count_struct *c;
    const fmpq *box;      /* NULL: the whole plane */
    slong linear;         /* -1: not computed */
    const slong *per_output;
    const csv_ctx *areas; /* NULL without --volumes */
    slong decision;       /* -1: not computed */
    double seconds;
    slong dim;            /* analysed variables: box is [2 dim] lo, hi pairs */
    int complete;         /* 0: cut short by --max-seconds (n dimensions) */
    slong seeds, done;    /* n dimensions: layer-0 regions, finished subtrees */
    int seeds_complete;   /* the layer-1 count is complete */
} tr_report;

/* 1 if the areas (volumes) add up to the box's (box domain only). */
static int areas_fill_box(const tr_report *R)
{
    fmpq_t w, h;
    slong i;
    int ok;
    fmpq_init(w);
    fmpq_init(h);
    fmpq_one(w);
    for (i = 0; i < R->dim; i++) {
        fmpq_sub(h, R->box + 2 * i + 1, R->box + 2 * i);
        fmpq_mul(w, w, h);
    }
    ok = fmpq_equal(w, R->areas->asum) && R->areas->nfailed == 0;
    fmpq_clear(w);
    fmpq_clear(h);
    return ok;
}

/* Fills value/why for bound b of the table; returns whether it applies. */
static int bound_value(char **value, char *why, const trop_bound_info *b, int arch_ok,
                       const trop_bound_arch *a, const char *arch_why)
{
    fmpz_t v;
    int ok;
    *value = NULL;
    if (!arch_ok) {
        snprintf(why, TROP_BOUND_WHY_LEN, "%s", arch_why);
        return 0;
    }
    fmpz_init(v);
    ok = b->compute(v, a, why);
    if (ok)
        *value = fmpz_get_str(NULL, 10, v);
    fmpz_clear(v);
    return ok;
}

static void write_text(FILE *fp, const tr_report *R, const trop_bound_info *tab, slong ntab,
                       int arch_ok, const trop_bound_arch *a, const char *arch_why)
{
    slong i;
    fprintf(fp, "# trop-regions v1\n");
    fprintf(fp, "network: %s (inputs %ld, outputs %ld, layers %ld, nonlinear units %ld)\n",
            R->o->net_path, R->net->input_dim, trop_net_output_dim(R->net), R->net->nlayers,
            trop_net_num_units(R->net));
    if (R->net->has_norm)
        fprintf(fp, "inputs: normalised, x = (raw - mean) / range "
                    "(the file's normalisation constants)\n");
    if (R->p->sliced)
        fprintf(fp, "slice: %s\n", R->p->slice_desc);
    if (R->o->halfplanes && R->dim > 2)
        fprintf(fp, "half-spaces: %s (A1 x0 + ... + An x(n-1) + C >= 0)\n", R->o->halfplanes);
    else if (R->o->halfplanes)
        fprintf(fp, "half-planes: %s (A t0 + B t1 + C >= 0)\n", R->o->halfplanes);
    if (R->box == NULL && R->dim > 2)
        fprintf(fp, "domain: all of R^%ld\n", R->dim);
    else if (R->box == NULL)
        fprintf(fp, "domain: the whole plane\n");
    else {
        fprintf(fp, "domain: box ");
        for (i = 0; i < R->dim; i++) {
            fputs(i ? " x [" : "[", fp);
            csv_q(fp, R->box + 2 * i);
            fputs(", ", fp);
            csv_q(fp, R->box + 2 * i + 1);
            fputs("]", fp);
        }
        fputc('\n', fp);
    }
    if (!R->complete && R->seeds_complete)
        fprintf(fp, "PARTIAL: stopped after --max-seconds; %ld of the %ld regions of layer 1 "
                    "were refined to the end, so the counts below are lower bounds (the layer-1 "
                    "count, %ld, is complete)\n", R->done, R->seeds, R->seeds);
    else if (!R->complete)
        fprintf(fp, "PARTIAL: stopped after --max-seconds while counting the regions of layer "
                    "1 (%ld so far); all counts below are lower bounds\n", R->seeds);
    fprintf(fp, "activation regions: %ld (%s; bounded %ld, unbounded %ld)\n", R->c->regions,
            R->complete ? "exact" : "found so far", R->c->bounded,
            R->c->regions - R->c->bounded);
    if (R->linear >= 0) {
        fprintf(fp, "linear regions: %ld (exact; adjacent activation regions with one affine "
                    "map merged)\n", R->linear);
        fprintf(fp, "linear regions per output:");
        for (i = 0; i < trop_net_output_dim(R->p->net); i++)
            fprintf(fp, " %ld", R->per_output[i]);
        fputc('\n', fp);
    }
    if (R->decision >= 0)
        fprintf(fp, "decision regions: %ld (exact; connected sets of one arg max class)\n",
                R->decision);
    if (R->areas != NULL) {
        const csv_ctx *a = R->areas;
        const char *what = R->dim > 2 ? "volumes" : "areas";
        fprintf(fp, "%s of the %ld bounded regions (exact): min %.6g, max %.6g, mean %.6g, "
                    "sum %.6g", what, a->nareas, fmpq_get_d(a->amin), fmpq_get_d(a->amax),
                a->nareas ? fmpq_get_d(a->asum) / (double)a->nareas : 0.0, fmpq_get_d(a->asum));
        if (a->nfailed > 0)
            fprintf(fp, "; %ld regions could not be measured", a->nfailed);
        if (R->box != NULL && R->o->halfplanes == NULL && R->complete)
            fprintf(fp, "; they add up to the box's %s exactly: %s",
                    R->dim > 2 ? "volume" : "area", areas_fill_box(R) ? "yes" : "NO");
        fputc('\n', fp);
    }
    fprintf(fp, "after each layer:");
    for (i = 0; i < R->c->nlayers; i++)
        fprintf(fp, " %ld", R->c->per_layer[i]);
    fputc('\n', fp);
    if (R->dim > 2)
        fprintf(fp, "bounds on the number of regions of this architecture over R^%ld "
                    "(maximum over all weights):\n", R->dim);
    else
        fprintf(fp, "bounds on the number of regions of this architecture over the %s "
                    "(maximum over all weights):\n", R->net->input_dim == 1 ? "line" : "plane");
    for (i = 0; i < ntab; i++) {
        char why[TROP_BOUND_WHY_LEN], *v;
        if (bound_value(&v, why, tab + i, arch_ok, a, arch_why)) {
            size_t len = strlen(v);
            fprintf(fp, "  %-22s %-5s ", tab[i].id, kind_str(tab[i].kind));
            if (len > 30) {   /* 1418 digits help nobody in a report: 3.000e+1417 */
                long lead = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10
                            + (v[3] - '0') + (v[4] >= '5');   /* 4 digits, rounded */
                size_t e = len - 1;
                if (lead == 10000)
                    lead = 1000, e++;
                fprintf(fp, "%ld.%03lde+%zu (%zu digits; exact in --json)", lead / 1000,
                        lead % 1000, e, len);
            } else
                fputs(v, fp);
            fprintf(fp, "  (%s)\n", tab[i].source);
            flint_free(v);
        } else
            fprintf(fp, "  %-22s %-5s not applicable: %s\n", tab[i].id, kind_str(tab[i].kind),
                    why);
    }
    fprintf(fp, "time: %.3f s\n", R->seconds);
}

static json_object *jq(const fmpq_t x)
{
    char *s = trop_q_get_str(x);
    json_object *o = json_object_new_string(s);
    flint_free(s);
    return o;
}

static void write_json(FILE *fp, const tr_report *R, const trop_bound_info *tab, slong ntab,
                       int arch_ok, const trop_bound_arch *a, const char *arch_why)
{
    json_object *root = json_object_new_object(), *jn = json_object_new_object();
    json_object *dom = json_object_new_object(), *pl = json_object_new_array();
    json_object *bounds = json_object_new_object();
    slong i;
    json_object_object_add(root, "format", json_object_new_string("trop-regions"));
    json_object_object_add(root, "version", json_object_new_int(1));
    json_object_object_add(jn, "file", json_object_new_string(R->o->net_path));
    json_object_object_add(jn, "input_dim", json_object_new_int64(R->net->input_dim));
    json_object_object_add(jn, "output_dim", json_object_new_int64(trop_net_output_dim(R->net)));
    json_object_object_add(jn, "layers", json_object_new_int64(R->net->nlayers));
    json_object_object_add(jn, "normalised_inputs", json_object_new_boolean(R->net->has_norm));
    json_object_object_add(root, "network", jn);
    if (R->p->sliced) {
        json_object *s = json_object_new_object(), *x0 = json_object_new_array();
        json_object *U = json_object_new_array();
        for (i = 0; i < R->net->input_dim; i++)
            json_object_array_add(x0, jq(R->p->x0 + i));
        for (i = 0; i < 2 * R->net->input_dim; i++)
            json_object_array_add(U, jq(R->p->U + i));
        json_object_object_add(s, "x0", x0);
        json_object_object_add(s, "U", U);
        json_object_object_add(root, "slice", s);
    } else
        json_object_object_add(root, "slice", NULL);
    json_object_object_add(dom, "kind", json_object_new_string(R->box ? "box" : "all"));
    if (R->box) {
        json_object *lo = json_object_new_array(), *hi = json_object_new_array();
        for (i = 0; i < R->dim; i++) {
            json_object_array_add(lo, jq(R->box + 2 * i));
            json_object_array_add(hi, jq(R->box + 2 * i + 1));
        }
        json_object_object_add(dom, "lo", lo);
        json_object_object_add(dom, "hi", hi);
    }
    json_object_object_add(root, "domain", dom);
    json_object_object_add(dom, "dim", json_object_new_int64(R->dim));
    json_object_object_add(root, "complete", json_object_new_boolean(R->complete));
    if (R->dim > 2) {
        json_object *pr = json_object_new_object();
        json_object_object_add(pr, "layer1_regions", json_object_new_int64(R->seeds));
        json_object_object_add(pr, "layer1_regions_done", json_object_new_int64(R->done));
        json_object_object_add(pr, "layer1_complete", json_object_new_boolean(R->seeds_complete));
        json_object_object_add(root, "progress", pr);
    } else
        json_object_object_add(root, "progress", NULL);
    json_object_object_add(root, "activation_regions", json_object_new_int64(R->c->regions));
    json_object_object_add(root, "bounded", json_object_new_int64(R->c->bounded));
    json_object_object_add(root, "unbounded",
                           json_object_new_int64(R->c->regions - R->c->bounded));
    if (R->linear >= 0) {
        json_object *po = json_object_new_array();
        for (i = 0; i < trop_net_output_dim(R->p->net); i++)
            json_object_array_add(po, json_object_new_int64(R->per_output[i]));
        json_object_object_add(root, "linear_regions", json_object_new_int64(R->linear));
        json_object_object_add(root, "linear_regions_per_output", po);
    } else {
        json_object_object_add(root, "linear_regions", NULL);
        json_object_object_add(root, "linear_regions_per_output", NULL);
    }
    for (i = 0; i < R->c->nlayers; i++)
        json_object_array_add(pl, json_object_new_int64(R->c->per_layer[i]));
    json_object_object_add(root, "per_layer", pl);
    json_object_object_add(root, "decision_regions",
                           R->decision >= 0 ? json_object_new_int64(R->decision) : NULL);
    if (R->areas != NULL) {
        json_object *ar = json_object_new_object();
        const csv_ctx *a = R->areas;
        json_object_object_add(ar, "bounded_regions", json_object_new_int64(a->nareas));
        json_object_object_add(ar, "min", jq(a->amin));
        json_object_object_add(ar, "max", jq(a->amax));
        json_object_object_add(ar, "sum", jq(a->asum));
        json_object_object_add(ar, "sum_equals_box",
                               R->box && !R->o->halfplanes && R->complete
                                   ? json_object_new_boolean(areas_fill_box(R)) : NULL);
        if (R->dim > 2)
            json_object_object_add(ar, "failed", json_object_new_int64(a->nfailed));
        json_object_object_add(root, R->dim > 2 ? "volumes" : "areas", ar);
        json_object_object_add(root, R->dim > 2 ? "areas" : "volumes", NULL);
    } else {
        json_object_object_add(root, "areas", NULL);
        json_object_object_add(root, "volumes", NULL);
    }
    for (i = 0; i < ntab; i++) {
        char why[TROP_BOUND_WHY_LEN], *v;
        json_object *b = json_object_new_object();
        int ok = bound_value(&v, why, tab + i, arch_ok, a, arch_why);
        json_object_object_add(b, "kind", json_object_new_string(kind_str(tab[i].kind)));
        json_object_object_add(b, "applies", json_object_new_boolean(ok));
        json_object_object_add(b, "value", ok ? json_object_new_string(v) : NULL);
        json_object_object_add(b, "reason", ok ? NULL : json_object_new_string(why));
        json_object_object_add(b, "source", json_object_new_string(tab[i].source));
        json_object_object_add(bounds, tab[i].id, b);
        if (ok)
            flint_free(v);
    }
    json_object_object_add(root, "bounds", bounds);
    json_object_object_add(root, "time_seconds", json_object_new_double(R->seconds));
    fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
          fp);
    fputc('\n', fp);
    json_object_put(root);
}

static int write_report(const tr_report *R)
{
    slong ntab, widths[64];
    const trop_bound_info *tab = trop_bound_table(&ntab);
    trop_bound_arch a;
    char why[TROP_BOUND_WHY_LEN];
    int arch_ok = R->p->net->nlayers <= 65
                  && bound_arch(&a, widths, R->p->net, why, sizeof why);
    /* a one-input network counts intervals of the line: n0 = 1 */
    if (arch_ok && R->net->input_dim == 1)
        a.n0 = 1;
    if (R->p->net->nlayers > 65)
        snprintf(why, sizeof why, "more than 64 hidden layers");
    if (R->o->json)
        write_json(stdout, R, tab, ntab, arch_ok, &a, why);
    else
        write_text(stdout, R, tab, ntab, arch_ok, &a, why);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: error writing the report to standard output\n", prog);
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

/* A one-input network is analysed on the plane with t1 ignored: its
 * regions are strips, one per interval of the line, so the counts are
 * those of the line (the box's t1 side is [0, 1]). */
static int setup_line(tool_problem *p, const trop_net_t net)
{
    fmpq *x0 = _fmpq_vec_init(1), *U = _fmpq_vec_init(2);
    fmpq lo, hi;
    fmpq_init(&lo);
    fmpq_init(&hi);
    fmpq_set(&lo, p->lo + 0);
    fmpq_set(&hi, p->hi + 0);
    fmpq_one(U + 0);
    trop_net_slice(p->net, net, x0, U, 2);
    _fmpq_vec_clear(p->lo, p->m);
    _fmpq_vec_clear(p->hi, p->m);
    p->m = 2;
    p->lo = _fmpq_vec_init(2);
    p->hi = _fmpq_vec_init(2);
    fmpq_set(p->lo + 0, &lo);
    fmpq_set(p->hi + 0, &hi);
    fmpq_one(p->hi + 1);
    p->sliced = 1;
    p->x0 = x0;
    p->U = U;
    snprintf(p->slice_desc, sizeof p->slice_desc,
             "one input: t0 = x0, t1 ignored (regions are strips, one per interval)");
    fmpq_clear(&lo);
    fmpq_clear(&hi);
    return -1;
}

/* "a,b,c;a,b,c;..." into rows: [n x width] (allocated; width 3 on the
 * plane, dim + 1 in n dimensions); -1 on success, else the usage exit
 * status. */
static int parse_halfplanes(fmpq **rows, slong *n, const char *s, slong width)
{
    char *buf = strdup(s), *save = NULL, *tok;
    slong k = 1, i = 0;
    const char *q;
    for (q = s; *q; q++)
        k += *q == ';';
    *rows = _fmpq_vec_init(width * k);
    *n = k;
    for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save), i++)
        if (i >= k || tool_parse_qvec(*rows + width * i, width, tok) < 0)
            break;
    free(buf);
    if (i != k || tok != NULL) {
        _fmpq_vec_clear(*rows, width * k);
        *rows = NULL;
        *n = 0;
        if (width == 3)
            return tool_usage_error(prog, "--halfplanes needs rows A,B,C separated by ';', "
                                          "got '%s'", s);
        return tool_usage_error(prog, "--halfspaces needs rows of %ld numbers A1,...,A%ld,C "
                                      "separated by ';', got '%s'", width, width - 1, s);
    }
    return -1;
}

/* *fp = where --csv writes: standard output for "-", else the temporary
 * file of af, committed by the caller at the end; NULL without --csv.
 * Returns 0, or -1 after printing the error. */
static int csv_open(FILE **fp, trop_afile *af, const char *path)
{
    trop_error err;
    *fp = NULL;
    if (path == NULL)
        return 0;
    if (strcmp(path, "-") == 0) {
        *fp = stdout;
        return 0;
    }
    if (trop_afile_open(af, path, &err) != TROP_OK) {
        tool_print_error(prog, NULL, &err);
        return -1;
    }
    *fp = af->fp;
    return 0;
}

/* ---- main ---- */

static int run(const tr_opts *o, const trop_net_t net, tool_problem *p)
{
    trop_region2_count_t c;
    trop_region2_opts ro;
    tool_progress pr = {0, 0, 0, 0};
    tr_report R;
    trop_afile af, svgf;
    trop_error err;
    csv_ctx cc;
    fmpq box[4];
    slong linear = -1, *per_output = NULL, nhp = 0;
    fmpq *hp = NULL;
    trop_region2_visit visit;
    int rc, i, to_stdout, svg_stdout;
    double t0;
    for (i = 0; i < 4; i++)
        fmpq_init(box + i);
    fmpq_set(box + 0, p->lo + 0);
    fmpq_set(box + 1, p->hi + 0);
    fmpq_set(box + 2, p->lo + 1);
    fmpq_set(box + 3, p->hi + 1);
    if (!o->all && (fmpq_equal(box + 0, box + 1) || fmpq_equal(box + 2, box + 3))) {
        rc = tool_usage_error(prog, "the box is empty (a side of length 0)");
        goto done_box;
    }
    memset(&ro, 0, sizeof ro);
    if (o->halfplanes) {
        rc = parse_halfplanes(&hp, &nhp, o->halfplanes, 3);
        if (rc >= 0)
            goto done_box;
        ro.halfplanes = hp;
        ro.nhalfplanes = nhp;
    }
    ro.threads = o->threads;
    ro.max_regions = o->max_regions;
    ro.progress = on_progress;
    ro.progress_arg = &pr;
    pr.on = !o->quiet && tool_progress_enabled();
    csv_init(&cc, o, p->net);
    to_stdout = o->csv_path != NULL && strcmp(o->csv_path, "-") == 0;
    if (csv_open(&cc.fp, &af, o->csv_path) < 0) {
        rc = TOOL_EXIT_FAIL;
        csv_clear(&cc);
        goto done_box;
    }
    if (cc.fp != NULL) {
        fprintf(cc.fp, "region,bounded,pattern,t0,t1");
        for (i = 0; i < trop_net_output_dim(p->net); i++)
            fprintf(cc.fp, ",out%d_dt0,out%d_dt1,out%d_c", i, i, i);
        fprintf(cc.fp, "%s%s\n", o->volumes ? ",area" : "", o->vertices ? ",vertices" : "");
    }
    svg_stdout = o->svg_path != NULL && strcmp(o->svg_path, "-") == 0;
    if (svg_stdout) {
        cc.svg = stdout;
        svg_begin(&cc, box);
    } else if (o->svg_path) {
        if (trop_afile_open(&svgf, o->svg_path, &err) != TROP_OK) {
            tool_print_error(prog, NULL, &err);
            if (cc.fp && !to_stdout)
                trop_afile_abort(&af);
            csv_clear(&cc);
            rc = TOOL_EXIT_FAIL;
            goto done_box;
        }
        cc.svg = svgf.fp;
        svg_begin(&cc, box);
    }
    visit = cc.fp != NULL || o->volumes || cc.svg != NULL ? csv_row : NULL;
    trop_region2_count_init(c);
    per_output = flint_calloc((size_t)trop_net_output_dim(p->net), sizeof(slong));
    t0 = tool_now();
    if (o->nolinear)
        rc = trop_region2_count(c, p->net, o->all ? NULL : box, visit, &cc, &ro, &err);
    else
        rc = trop_region2_linear(c, &linear, per_output, p->net, o->all ? NULL : box, visit,
                                 &cc, &ro, &err);
    if (pr.drawn)
        fputc('\n', stderr);
    if (rc != TROP_OK) {
        tool_print_error(prog, o->net_path, &err);
        rc = TOOL_EXIT_FAIL;
    } else if (tool_interrupted()) {
        fprintf(stderr, "%s: interrupted; no report written\n", prog);
        rc = TOOL_EXIT_FAIL;
    } else {
        R.o = o;
        R.net = net;
        R.p = p;
        R.c = c;
        R.box = o->all ? NULL : box;
        R.linear = o->nolinear ? -1 : linear;
        R.per_output = per_output;
        R.areas = o->volumes ? &cc : NULL;
        R.decision = -1;
        R.dim = 2;
        R.complete = 1;
        R.seeds = R.done = 0;
        rc = TOOL_EXIT_OK;
        if (o->decision) {
            trop_region2_count_t dc;
            trop_region2_count_init(dc);
            if (trop_region2_decision(dc, &R.decision, p->net, o->all ? NULL : box, &ro, &err)
                != TROP_OK) {
                tool_print_error(prog, o->net_path, &err);
                rc = TOOL_EXIT_FAIL;
            }
            trop_region2_count_clear(dc);
        }
        R.seconds = tool_now() - t0;
        /* files are committed only when everything succeeded; otherwise
         * they are removed below and earlier versions stay */
        if (rc == TOOL_EXIT_OK && cc.fp && !to_stdout) {
            if (ferror(cc.fp)) {
                fprintf(stderr, "%s: error writing %s\n", prog, o->csv_path);
                trop_afile_abort(&af);
                rc = TOOL_EXIT_FAIL;
            } else if (trop_afile_commit(&af, &err) != TROP_OK) {
                tool_print_error(prog, NULL, &err);
                rc = TOOL_EXIT_FAIL;
            }
            cc.fp = NULL;    /* committed, or removed */
        }
        if (rc == TOOL_EXIT_OK && cc.svg) {
            svg_end(&cc);
            if (ferror(cc.svg))
                rc = TOOL_EXIT_FAIL;
            if (!svg_stdout && rc == TOOL_EXIT_OK && trop_afile_commit(&svgf, &err) != TROP_OK) {
                tool_print_error(prog, NULL, &err);
                rc = TOOL_EXIT_FAIL;
                cc.svg = NULL;
            }
            if (rc == TOOL_EXIT_OK)
                cc.svg = NULL;
        }
        if (rc == TOOL_EXIT_OK)
            rc = write_report(&R);
    }
    if (cc.fp && !to_stdout)
        trop_afile_abort(&af);
    if (cc.svg && !svg_stdout)
        trop_afile_abort(&svgf);
    csv_clear(&cc);
    trop_region2_count_clear(c);
    flint_free(per_output);
done_box:
    for (i = 0; i < 4; i++)
        fmpq_clear(box + i);
    if (hp != NULL)
        _fmpq_vec_clear(hp, 3 * nhp);
    return rc;
}

/* ---- n dimensions ---- */

/* The CSV rows of trop_regionn_count: region, pattern, the exact point,
 * the exact map of every output (gradient, then the value at 0). */
typedef struct {
    FILE *fp;
    const trop_net_struct *net;
    slong id, dim, nout;
    fmpq *map;         /* [nout x (dim + 1)] */
    csv_ctx *stats;    /* --volumes: the volumes' statistics, else NULL */
    int vertices;
} nd_csv;

/* The CSV column of the exact vertices "x0 x1 ...;x0 x1 ..." (empty if
 * they could not be found). */
static void nd_vertices(nd_csv *c, const trop_regionn_rec_struct *r)
{
    fmpq *V;
    slong nv = trop_regionn_rec_vertices(&V, r), k, j;
    fputc(',', c->fp);
    for (k = 0; k < nv; k++) {
        if (k > 0)
            fputc(';', c->fp);
        for (j = 0; j < c->dim; j++) {
            if (j > 0)
                fputc(' ', c->fp);
            csv_q(c->fp, V + k * c->dim + j);
        }
    }
    if (nv > 0)
        _fmpq_vec_clear(V, nv * c->dim);
}

static int nd_row(const trop_regionn_rec_struct *r, void *arg)
{
    nd_csv *c = arg;
    slong l, u, j, o;
    int first = 1, measured = 0;
    if (c->stats != NULL) {
        measured = trop_regionn_rec_volume(c->stats->area, r);
        if (measured)
            stat_add(c->stats);
        else
            c->stats->nfailed++;
    }
    if (c->fp == NULL)
        return 0;
    fprintf(c->fp, "%ld,1,", c->id++);
    for (l = 0; l < r->nlayers; l++) {
        const trop_layer_struct *L = c->net->layers + l;
        if (L->act == TROP_ACT_LINEAR || (L->act == TROP_ACT_LEAKY && fmpq_is_one(L->slope)))
            continue;
        if (!first)
            fputc('|', c->fp);
        first = 0;
        for (u = 0; u < r->units[l]; u++)
            fprintf(c->fp, "%ld", r->branch[l][u]);
    }
    for (j = 0; j < c->dim; j++) {
        fputc(',', c->fp);
        csv_q(c->fp, r->point + j);
    }
    trop_regionn_rec_map(c->map, r);
    for (o = 0; o < c->nout; o++)
        for (j = 0; j <= c->dim; j++) {
            fputc(',', c->fp);
            csv_q(c->fp, c->map + o * (c->dim + 1) + j);
        }
    if (c->stats != NULL) {
        fputc(',', c->fp);
        if (measured)
            csv_q(c->fp, c->stats->area);
    }
    if (c->vertices)
        nd_vertices(c, r);
    fputc('\n', c->fp);
    return ferror(c->fp) != 0;
}

typedef struct {
    tool_progress pr;
    double t0, max_seconds;
    int timed_out;
} nd_progress;

static int on_progress_nd(slong done, slong total, slong regions, void *arg)
{
    nd_progress *np = arg;
    if (np->max_seconds > 0 && tool_now() - np->t0 > np->max_seconds) {
        np->timed_out = 1;
        return 1;
    }
    if (regions == 0 && done == 0)
        return tool_progress_draw(&np->pr, prog, "layer 1: %ld regions", total);
    return tool_progress_draw(&np->pr, prog, "layer-1 regions refined %ld of %ld, %ld regions",
                              done, total, regions);
}

static int run_nd(const tr_opts *o, const trop_net_t net, tool_problem *p)
{
    slong n = p->m, i, j, nhs = 0;
    fmpq *box = _fmpq_vec_init(2 * n), *hs = NULL;
    trop_regionn_count_t c;
    trop_region2_count_struct c2;
    trop_regionn_opts ro;
    nd_progress np;
    nd_csv cc;
    trop_afile af;
    trop_error err;
    tr_report R;
    int rc = -1, to_stdout, st;
    const char *bad = o->svg_path ? "--svg" : NULL;
    csv_ctx stats;
    slong linear = -1, *per_output = NULL;
    if (bad != NULL) {
        rc = tool_usage_error(prog, "%s works on a plane; this network has %ld inputs (use "
                                    "--slice-axes or --slice-points, or leave %s out)", bad, n, bad);
        goto done;
    }
    if (o->all && (o->linear || o->decision || o->volumes || o->vertices)) {
        rc = tool_usage_error(prog, "%s needs a box in %ld dimensions, not --domain all",
                              o->linear ? "--linear" : o->decision ? "--decision"
                              : o->volumes ? "--volumes" : "--vertices", n);
        goto done;
    }
    for (i = 0; i < n && !o->all; i++) {
        fmpq_set(box + 2 * i, p->lo + i);
        fmpq_set(box + 2 * i + 1, p->hi + i);
        if (fmpq_equal(box + 2 * i, box + 2 * i + 1)) {
            rc = tool_usage_error(prog, "the box is empty (a side of length 0)");
            goto done;
        }
    }
    memset(&ro, 0, sizeof ro);
    if (o->halfplanes) {
        if ((rc = parse_halfplanes(&hs, &nhs, o->halfplanes, n + 1)) >= 0)
            goto done;
        ro.halfspaces = hs;
        ro.nhalfspaces = nhs;
    }
    memset(&np, 0, sizeof np);
    np.pr.on = !o->quiet && tool_progress_enabled();
    np.max_seconds = o->max_seconds;
    ro.threads = o->threads;
    ro.max_regions = o->max_regions;
    ro.progress = on_progress_nd;
    ro.progress_arg = &np;
    memset(&cc, 0, sizeof cc);
    cc.net = p->net;
    cc.dim = n;
    cc.nout = trop_net_output_dim(p->net);
    cc.map = _fmpq_vec_init(cc.nout * (n + 1));
    cc.vertices = o->vertices;
    csv_init(&stats, o, p->net);
    cc.stats = o->volumes ? &stats : NULL;
    to_stdout = o->csv_path != NULL && strcmp(o->csv_path, "-") == 0;
    if (csv_open(&cc.fp, &af, o->csv_path) < 0) {
        rc = TOOL_EXIT_FAIL;
        _fmpq_vec_clear(cc.map, cc.nout * (n + 1));
        csv_clear(&stats);
        goto done;
    }
    if (cc.fp != NULL) {
        fprintf(cc.fp, "region,bounded,pattern");
        for (j = 0; j < n; j++)
            fprintf(cc.fp, ",x%ld", j);
        for (i = 0; i < cc.nout; i++) {
            for (j = 0; j < n; j++)
                fprintf(cc.fp, ",out%ld_dx%ld", i, j);
            fprintf(cc.fp, ",out%ld_c", i);
        }
        fprintf(cc.fp, "%s%s\n", o->volumes ? ",volume" : "", o->vertices ? ",vertices" : "");
    }
    trop_regionn_count_init(c);
    np.t0 = tool_now();
    per_output = flint_calloc((size_t)cc.nout, sizeof(slong));
    if (o->linear)
        st = trop_regionn_linear(c, &linear, per_output, p->net, box,
                                 cc.fp || cc.stats ? nd_row : NULL, &cc, &ro, &err);
    else
        st = trop_regionn_count(c, p->net, o->all ? NULL : box,
                                cc.fp || cc.stats ? nd_row : NULL, &cc, &ro, &err);
    if (np.pr.drawn)
        fputc('\n', stderr);
    if (tool_interrupted()) {
        fprintf(stderr, "%s: interrupted; no report written\n", prog);
        rc = TOOL_EXIT_FAIL;
    } else if (st != TROP_OK && !(st == TROP_ERR_INTERRUPTED && np.timed_out)) {
        tool_print_error(prog, o->net_path, &err);
        rc = TOOL_EXIT_FAIL;
    } else {
        c2.regions = c->regions;
        c2.bounded = c->bounded;
        c2.nlayers = c->nlayers;
        c2.per_layer = c->per_layer;
        memset(&R, 0, sizeof R);
        R.o = o;
        R.net = net;
        R.p = p;
        R.c = &c2;
        R.box = o->all ? NULL : box;
        rc = TOOL_EXIT_OK;
        R.linear = o->linear && c->complete ? linear : -1;
        R.per_output = per_output;
        R.decision = -1;
        if (o->decision && c->complete) {
            trop_regionn_count_t dc;
            trop_regionn_count_init(dc);
            if (trop_regionn_decision(dc, &R.decision, p->net, box, &ro, &err) != TROP_OK) {
                tool_print_error(prog, o->net_path, &err);
                rc = TOOL_EXIT_FAIL;
            }
            trop_regionn_count_clear(dc);
        }
        R.areas = cc.stats;
        R.dim = n;
        R.complete = c->complete;
        R.seeds = c->seeds;
        R.seeds_complete = c->seeds_complete;
        R.done = c->done;
        R.seconds = tool_now() - np.t0;
        if (cc.fp && rc == TOOL_EXIT_OK && !to_stdout) {
            if (ferror(cc.fp) || trop_afile_commit(&af, &err) != TROP_OK) {
                fprintf(stderr, "%s: error writing %s\n", prog, o->csv_path);
                rc = TOOL_EXIT_FAIL;
            }
            cc.fp = NULL;
        }
        if (rc == TOOL_EXIT_OK)
            rc = write_report(&R);
    }
    if (cc.fp && !to_stdout)
        trop_afile_abort(&af);
    trop_regionn_count_clear(c);
    flint_free(per_output);
    _fmpq_vec_clear(cc.map, cc.nout * (n + 1));
    csv_clear(&stats);
done:
    _fmpq_vec_clear(box, 2 * n);
    if (hs != NULL)
        _fmpq_vec_clear(hs, nhs * (n + 1));
    return rc;
}

int main(int argc, char **argv)
{
    tr_opts o;
    tool_problem p;
    tool_slice_opts so;
    trop_net_t net;
    trop_error err;
    int rc = parse_args(&o, argc, argv);
    if (rc >= 0)
        return rc;
    trop_net_init(net, 1);
    if (trop_net_read(net, o.net_path, &err) != TROP_OK
        || trop_net_validate(net, &err) != TROP_OK) {
        tool_print_error(prog, o.net_path, &err);
        trop_net_clear(net);
        return TOOL_EXIT_FAIL;
    }
    tool_problem_init(&p);
    so.axes = o.axes;
    so.at = o.at;
    so.points = o.points;
    so.box = o.box;
    rc = tool_problem_setup(&p, net, &so, prog);
    if (rc < 0 && p.m == 1)
        rc = setup_line(&p, net);
    if (rc < 0 && p.m > 2) {
        tool_catch_signals();
        rc = run_nd(&o, net, &p);
    } else if (rc < 0 && o.max_seconds > 0)
        rc = tool_usage_error(prog, "--max-seconds is for networks analysed in 3 or more "
                                    "dimensions");
    else if (rc < 0) {
        tool_catch_signals();
        rc = run(&o, net, &p);
    }
    tool_problem_clear(&p);
    trop_net_clear(net);
    flint_cleanup();
    return rc;
}
