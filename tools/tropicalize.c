/* tropicalize: a piecewise-linear network to its tropical rational
 * functions, one P (/) Q per output, exact, pruned and optionally verified.
 * See docs/tropicalize.md and docs/man/tropicalize.1. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "trop/trop.h"
#include "common.h"
#include "export.h"
#include "problem.h"

static const char *prog = "tropicalize";

static void usage(FILE *fp)
{
    fprintf(fp,
"Usage: tropicalize NET [options]\n"
"Turn a ReLU / leaky-ReLU / maxout network into its tropical rational\n"
"functions: every output equals P(x) - Q(x), where P and Q are max-plus\n"
"polynomials with exact rational exponents and coefficients, pruned to the\n"
"terms that are strictly maximal somewhere.\n"
"\n"
"NET is a net.bin, NNet, JSON or ONNX file (detected by content).  NNet\n"
"networks are analysed on their normalised inputs, as their weights see\n"
"them.\n"
"\n"
"Options:\n"
"  --terms               print every term of P and Q\n"
"  --json                print one JSON document (see docs/tropicalize.md)\n"
"  --max-seconds S       stop the conversion after S seconds (exit 1, nothing\n"
"                        written); Ctrl-C stops it at once the same way\n"
"  --format F            text (default), json (= --json), polymake (a script\n"
"                        for polymake's application tropical that defines P and\n"
"                        Q of every output) or oscar (a Julia script for OSCAR:\n"
"                        P and Q with integer exponents in u = x / D; see\n"
"                        docs/tropicalize.md)\n"
"  -o, --output FILE     write the report to FILE (atomically) instead of stdout\n"
"  --verify N            compare P - Q with the network exactly at N random\n"
"                        rational points and the corners of the box; exit 1 on\n"
"                        any mismatch\n"
"  --box LO,HI           box [LO,HI]^d for --verify (default: the network's\n"
"                        input box, [0,1]^2 for --slice-points, else [-1,1]^d)\n"
"  --seed S              seed of the random points (default 1)\n"
"  --slice-axes I,J      restrict to inputs I and J (0-based); the others are\n"
"                        held at the point given by --at (default 0)\n"
"  --at X0               comma-separated point for --slice-axes (n values;\n"
"                        entries I and J are ignored: t0 = xI, t1 = xJ)\n"
"  --slice-points 'A;B;C'  restrict to the plane A + t0 (B - A) + t1 (C - A)\n"
"  --method M            how to build P and Q: 'regions' (read them off the\n"
"                        activation regions, enumerated exactly; two inputs\n"
"                        only), 'algebra' (tropical products layer by layer,\n"
"                        pruned as they go) or 'auto' (default: regions for\n"
"                        two inputs, else algebra)\n"
"  --certify             regions method: also prove independently that no\n"
"                        term is missing (exact evaluations of the network at\n"
"                        the vertices and rays of the terms' cells)\n"
"  --certify-max-terms N  skip that proof for a P or Q with more than N terms\n"
"                        (default 20000; 0: no limit)\n"
"  --self-check          count the linear regions of every P and Q by geometry\n"
"                        (over the plane with the regions method; over R^n,\n"
"                        from the exact activation regions, for 3 or more\n"
"                        inputs) and check that they equal the term counts (a\n"
"                        second pass; exit 1 if not)\n"
"  --threads N           regions method: threads, 1..1024 (default: one per\n"
"                        processor)\n"
"  --no-prune            keep every term (algebra method; for comparison; slow)\n"
"  --max-terms N         stop with an error when one tropical product would\n"
"                        have more than N candidate terms (default 5000000,\n"
"                        about half a gigabyte; 0 means no limit)\n"
"  -q, --quiet           no progress on stderr\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Rationals on the command line are decimals (0.1 means 1/10) or p/q.\n"
"Exit status: 0 ok, 1 error or verification mismatch, 2 usage error.\n");
}

typedef struct {
    const char *net_path, *out_path, *box, *axes, *at, *points;
    int terms, format, quiet, prune, verify_set, method, certify, self_check;
    double max_seconds;   /* 0: no limit */
    long verify, max_terms, certify_max, threads;
    unsigned long long seed;
} tz_opts;


enum { OPT_TERMS = 256, OPT_JSON, OPT_FORMAT, OPT_MAXSEC, OPT_VERIFY, OPT_BOX, OPT_SEED, OPT_AXES, OPT_AT, OPT_POINTS,
       OPT_NOPRUNE, OPT_MAXTERMS, OPT_METHOD, OPT_CERTMAX, OPT_CERT, OPT_THREADS, OPT_SELFCHECK };

/* --method values; AUTO is resolved once the input dimension is known. */
enum { METHOD_AUTO = 0, METHOD_REGIONS, METHOD_ALGEBRA };

/* --format values (text is 0, the default). */
enum { FORMAT_TEXT = 0, FORMAT_JSON, FORMAT_POLYMAKE, FORMAT_OSCAR };

/* --format F and --json: the last one given wins.  Returns 0 for an
 * unknown F. */
static int set_format(tz_opts *o, const char *f)
{
    static const char *const names[] = {"text", "json", "polymake", "oscar"};
    int i;
    for (i = 0; i < 4; i++)
        if (!strcmp(f, names[i])) {
            o->format = i;
            return 1;
        }
    return 0;
}

static int parse_args(tz_opts *o, int argc, char **argv)
{
    static const struct option lo[] = {
        {"terms", no_argument, 0, OPT_TERMS}, {"json", no_argument, 0, OPT_JSON},
        {"format", required_argument, 0, OPT_FORMAT},
        {"max-seconds", required_argument, 0, OPT_MAXSEC},
        {"output", required_argument, 0, 'o'}, {"verify", required_argument, 0, OPT_VERIFY},
        {"box", required_argument, 0, OPT_BOX}, {"seed", required_argument, 0, OPT_SEED},
        {"slice-axes", required_argument, 0, OPT_AXES}, {"at", required_argument, 0, OPT_AT},
        {"slice-points", required_argument, 0, OPT_POINTS},
        {"no-prune", no_argument, 0, OPT_NOPRUNE}, {"quiet", no_argument, 0, 'q'},
        {"max-terms", required_argument, 0, OPT_MAXTERMS},
        {"method", required_argument, 0, OPT_METHOD},
        {"certify-max-terms", required_argument, 0, OPT_CERTMAX},
        {"certify", no_argument, 0, OPT_CERT},
        {"threads", required_argument, 0, OPT_THREADS},
        {"self-check", no_argument, 0, OPT_SELFCHECK},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int c, rc;
    tool_slice_opts so;
    char *end;
    memset(o, 0, sizeof *o);
    opterr = 0;   /* we print our own messages */
    o->prune = 1;
    o->seed = 1;
    o->max_terms = 5000000;
    o->certify_max = 20000;
    while ((c = getopt_long(argc, argv, ":o:qhV", lo, NULL)) != -1) {
        switch (c) {
        case OPT_TERMS: o->terms = 1; break;
        case OPT_JSON: set_format(o, "json"); break;
        case OPT_MAXSEC: {
            long v;
            if (!tool_parse_long(&v, optarg, 1, 1000000000))
                return tool_usage_error(prog, "--max-seconds needs a whole number of seconds "
                                        "in 1..1000000000, got '%s'", optarg);
            o->max_seconds = (double)v;
            break;
        }
        case OPT_FORMAT:
            if (!set_format(o, optarg))
                return tool_usage_error(prog, "--format needs text, json, polymake or oscar, "
                                        "got '%s'", optarg);
            break;
        case 'o':
            if (*optarg == '\0')
                return tool_usage_error(prog, "-o needs a file name, got an empty one");
            o->out_path = optarg;
            break;
        case OPT_VERIFY:
            errno = 0;
            o->verify = strtol(optarg, &end, 10);
            if (end == optarg || *end || o->verify < 0 || errno == ERANGE)
                return tool_usage_error(prog, "--verify needs a count >= 0, got '%s'", optarg);
            o->verify_set = 1;
            break;
        case OPT_BOX: o->box = optarg; break;
        case OPT_SEED:
            errno = 0;
            o->seed = strtoull(optarg, &end, 10);
            if (end == optarg || *end || optarg[0] == '-' || errno == ERANGE)
                return tool_usage_error(prog, "--seed needs an integer in 0..%llu, got '%s'",
                                        (unsigned long long)-1, optarg);
            break;
        case OPT_AXES: o->axes = optarg; break;
        case OPT_AT: o->at = optarg; break;
        case OPT_POINTS: o->points = optarg; break;
        case OPT_NOPRUNE: o->prune = 0; break;
        case OPT_MAXTERMS:
            errno = 0;
            o->max_terms = strtol(optarg, &end, 10);
            if (end == optarg || *end || o->max_terms < 0 || errno == ERANGE)
                return tool_usage_error(prog, "--max-terms needs a count >= 0, got '%s'", optarg);
            break;
        case OPT_METHOD:
            if (strcmp(optarg, "auto") == 0)
                o->method = METHOD_AUTO;
            else if (strcmp(optarg, "regions") == 0)
                o->method = METHOD_REGIONS;
            else if (strcmp(optarg, "algebra") == 0)
                o->method = METHOD_ALGEBRA;
            else
                return tool_usage_error(prog, "--method needs auto, regions or algebra, got '%s'",
                                        optarg);
            break;
        case OPT_CERTMAX:
            errno = 0;
            o->certify_max = strtol(optarg, &end, 10);
            if (end == optarg || *end || o->certify_max < 0 || errno == ERANGE)
                return tool_usage_error(prog, "--certify-max-terms needs a count >= 0, got '%s'",
                                        optarg);
            break;
        case OPT_CERT: o->certify = 1; break;
        case OPT_SELFCHECK: o->self_check = 1; break;
        case OPT_THREADS:
            if (!tool_parse_long(&o->threads, optarg, 1, 1024))
                return tool_usage_error(prog, "--threads needs a count in 1..1024, got '%s'",
                                        optarg);
            break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); exit(TOOL_EXIT_OK);
        case 'V': printf("tropicalize (libtrop) %s\n", trop_version_string()); exit(TOOL_EXIT_OK);
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
    if (!o->prune && o->method == METHOD_REGIONS)
        return tool_usage_error(prog, "--no-prune needs --method algebra (the regions method "
                                      "finds only the terms that matter)");
    if (!o->prune)
        o->method = METHOD_ALGEBRA;
    if (o->box && !o->verify_set)
        fprintf(stderr, "%s: warning: --box only sets the box of --verify; without --verify it "
                        "has no effect\n", prog);
    if (o->terms && o->format >= FORMAT_POLYMAKE)
        fprintf(stderr, "%s: warning: --terms has no effect with --format %s (the script has "
                        "every term)\n", prog, o->format == FORMAT_POLYMAKE ? "polymake"
                        : "oscar");
    return -1;
}

/* Turns --method auto into regions (two variables) or algebra; regions
 * needs two variables. */
static int resolve_method(tz_opts *o, slong m)
{
    if (o->method == METHOD_AUTO)
        o->method = m == 2 ? METHOD_REGIONS : METHOD_ALGEBRA;
    if (o->method == METHOD_REGIONS && m != 2)
        return tool_usage_error(prog, "--method regions needs two inputs (use --slice-axes or "
                                      "--slice-points); this problem has %ld", m);
    if (o->self_check && o->method == METHOD_ALGEBRA && m == 2)
        return tool_usage_error(prog, "--self-check on a plane checks the regions method");
    if (o->self_check && m < 2)
        return tool_usage_error(prog, "--self-check needs two or more variables");
    return -1;
}

/* ---- verification ---- */

typedef struct {
    long points, corners, mismatches;
    double seconds;
} tz_verify;

/* y = original network at x0 + U t (or the network itself at t). */
static void eval_original(fmpq *y, const trop_net_t net, const tool_problem *p, const fmpq *t)
{
    slong n = net->input_dim, i, j;
    fmpq *x;
    if (!p->sliced) {
        trop_net_eval_q(y, net, t);
        return;
    }
    x = _fmpq_vec_init(n);
    for (i = 0; i < n; i++) {
        fmpq_set(x + i, p->x0 + i);
        for (j = 0; j < p->m; j++)
            fmpq_addmul(x + i, p->U + i * p->m + j, t + j);
    }
    trop_net_eval_q(y, net, x);
    _fmpq_vec_clear(x, n);
}

/* The number of outputs where P - Q differs from the network at t.  fe:
 * [2 m], the prepared num and den of every output. */
static long compare_at(const trop_tpoly_feval_struct *fe, const trop_net_t net,
                       const tool_problem *p, const fmpq *t, fmpq *y)
{
    slong k, m = trop_net_output_dim(net);
    long bad = 0;
    fmpq_t v, w;
    fmpq_init(v);
    fmpq_init(w);
    eval_original(y, net, p, t);
    for (k = 0; k < m; k++) {
        trop_tpoly_feval_q(v, fe + 2 * k, t);
        trop_tpoly_feval_q(w, fe + 2 * k + 1, t);
        fmpq_sub(v, v, w);
        bad += !fmpq_equal(v, y + k);
    }
    fmpq_clear(v);
    fmpq_clear(w);
    return bad;
}

static void verify(tz_verify *res, const trop_trat_struct *F, const trop_net_t net,
                   const tool_problem *p, long npts, unsigned long long seed)
{
    slong m = p->m, k, i, nout = trop_net_output_dim(net);
    fmpq *t = _fmpq_vec_init(m), *y = _fmpq_vec_init(nout);
    trop_tpoly_feval_struct *fe = flint_malloc((size_t)(2 * nout) * sizeof(*fe));
    fmpz_t a, q;
    trop_rng r;
    double t0 = tool_now();
    for (k = 0; k < nout; k++) {
        trop_tpoly_feval_init(fe + 2 * k, F[k].num);
        trop_tpoly_feval_init(fe + 2 * k + 1, F[k].den);
    }
    memset(res, 0, sizeof *res);
    fmpz_init(a);
    fmpz_init(q);
    trop_rng_init(&r, seed);
    for (k = 0; k < npts && !tool_interrupted(); k++) {
        /* t_i = lo + (hi - lo) * a / q with q in [1, 2^16], a in [0, q] */
        for (i = 0; i < m; i++) {
            slong den = 1 + trop_rng_below(&r, 65536);
            fmpz_set_si(q, den);
            fmpz_set_si(a, trop_rng_below(&r, den + 1));
            fmpq_sub(t + i, p->hi + i, p->lo + i);
            fmpq_mul_fmpz(t + i, t + i, a);
            fmpq_div_fmpz(t + i, t + i, q);
            fmpq_add(t + i, t + i, p->lo + i);
        }
        res->mismatches += compare_at(fe, net, p, t, y) > 0;
        res->points++;
    }
    for (k = 0; m <= 12 && k < ((slong)1 << m); k++) {
        for (i = 0; i < m; i++)
            fmpq_set(t + i, (k >> i) & 1 ? p->hi + i : p->lo + i);
        res->mismatches += compare_at(fe, net, p, t, y) > 0;
        res->corners++;
    }
    for (k = 0; k < 2 * nout; k++)
        trop_tpoly_feval_clear(fe + k);
    flint_free(fe);
    fmpz_clear(a);
    fmpz_clear(q);
    _fmpq_vec_clear(t, m);
    _fmpq_vec_clear(y, nout);
    res->seconds = tool_now() - t0;
}

/* ---- progress ---- */

static int on_progress(slong layer, slong nlayers, slong unit, slong width, slong terms, void *arg)
{
    return tool_progress_draw(arg, prog, "layer %ld/%ld, unit %ld/%ld, %ld terms", layer,
                              nlayers, unit, width, terms);
}

static int on_region_progress(slong layer, slong nlayers, slong regions, void *arg)
{
    return tool_progress_draw(arg, prog, "layer %ld/%ld, %ld activation regions", layer,
                              nlayers, regions);
}

/* ---- output ---- */

static void print_q(FILE *fp, const fmpq_t x)
{
    char *s = trop_q_get_str(x);
    fputs(s, fp);
    flint_free(s);
}

/* One term as an affine expression: "-1 + 2*x0 - 1/2*x1"; a zero constant
 * is left out unless the term is constant. */
static void print_term(FILE *fp, const trop_tpoly_t f, slong i, const char *var)
{
    slong j, shown = 0;
    fmpq_t b;
    fmpq_init(b);
    fputs("    ", fp);
    if (!fmpq_is_zero(f->coefs + i)) {
        print_q(fp, f->coefs + i);
        shown++;
    }
    for (j = 0; j < f->nvars; j++) {
        const fmpq *a = f->exps + i * f->nvars + j;
        if (fmpq_is_zero(a))
            continue;
        fmpq_abs(b, a);
        if (shown)
            fputs(fmpq_sgn(a) < 0 ? " - " : " + ", fp);
        else if (fmpq_sgn(a) < 0)
            fputc('-', fp);
        if (!fmpq_is_one(b)) {
            print_q(fp, b);
            fputc('*', fp);
        }
        fprintf(fp, "%s%ld", var, j);
        shown++;
    }
    if (!shown)
        fputc('0', fp);
    fputc('\n', fp);
    fmpq_clear(b);
}

typedef struct {
    const tz_opts *o;
    const trop_net_t *net;
    const tool_problem *p;
    const trop_trat_struct *F;
    const trop_prune_stats *st, *ost;
    const tz_verify *ver;
    const trop_rconv_info *rinfo;   /* NULL for the algebra method */
    int self_check;                 /* -1 not run, 0 failed, 1 passed */
    double seconds;
} tz_report;

static void write_text(FILE *fp, const tz_report *R)
{
    const trop_net_struct *net = *R->net;
    slong k, i, nout = trop_net_output_dim(R->p->net);
    const char *var = R->p->sliced ? "t" : "x";
    fprintf(fp, "# trop-tropicalize v1\n");
    fprintf(fp, "network: %s (inputs %ld, outputs %ld, layers %ld, nonlinear units %ld)\n",
            R->o->net_path, net->input_dim, nout, net->nlayers, trop_net_num_units(net));
    if (net->has_norm)
        fprintf(fp, "inputs: normalised, x = (raw - mean) / range "
                    "(the file's normalisation constants); "
                    "outputs before de-normalisation\n");
    if (R->p->sliced)
        fprintf(fp, "slice: %s\n", R->p->slice_desc);
    if (R->p->m == 1)
        fprintf(fp, "variables: 1 (%s0)\n", var);
    else
        fprintf(fp, "variables: %ld (%s0..%s%ld)\n", R->p->m, var, var, R->p->m - 1);
    for (k = 0; k < nout; k++) {
        const trop_trat_struct *F = R->F + k;
        fprintf(fp, "output %ld: P %ld terms, Q %ld terms", k, F->num->length, F->den->length);
        if (R->o->prune && R->rinfo == NULL && R->ost[k].input > 0)
            fprintf(fp, " (last layer pruned %ld of %ld candidate terms)", R->ost[k].dropped,
                    R->ost[k].input);
        fputc('\n', fp);
        if (R->o->terms) {
            fprintf(fp, "  P = max of\n");
            for (i = 0; i < F->num->length; i++)
                print_term(fp, F->num, i, var);
            fprintf(fp, "  Q = max of\n");
            for (i = 0; i < F->den->length; i++)
                print_term(fp, F->den, i, var);
        }
    }
    if (R->rinfo != NULL) {
        const trop_rconv_info *ri = R->rinfo;
        fprintf(fp, "method: regions (%ld activation regions, enumerated exactly; after each "
                    "layer:", ri->regions);
        for (k = 0; k < ri->nlayers; k++)
            fprintf(fp, " %ld", ri->per_layer[k]);
        fprintf(fp, ")\n");
        if (R->o->certify)
            fprintf(fp, "proof: %ld of %ld P and Q independently proven complete (%ld exact "
                        "evaluations)%s\n", ri->proven, ri->proven + ri->unproven, ri->checks,
                    ri->unproven ? "; the others were over --certify-max-terms or not decided"
                                 : "");
    } else
        fprintf(fp, "method: algebra (exact tropical products, pruned as they go)\n");
    if (R->self_check >= 0)
        fprintf(fp, "self-check: the linear regions of every P and Q over %s, counted "
                    "by geometry, %s their term counts\n",
                R->p->m == 2 ? "the plane" : "R^n", R->self_check ? "equal" : "DIFFER FROM");
    if (R->o->prune && R->rinfo == NULL)
        fprintf(fp, "pruning, all steps: %ld candidate terms, %ld kept, %ld dropped; certified by "
                    "qhull + exact check %ld, exact 1-D %ld, exact LP %ld\n",
                R->st->input, R->st->kept, R->st->dropped, R->st->certified_qhull,
                R->st->certified_exact, R->st->certified_lp);
    if (R->ver != NULL)
        fprintf(fp, "verify: %ld random rational points + %ld box corners, exact: %s (%ld mismatches)\n",
                R->ver->points, R->ver->corners, R->ver->mismatches ? "MISMATCH" : "all equal",
                R->ver->mismatches);
    fprintf(fp, "time: %.3f s\n", R->seconds);
}

static json_object *jq(const fmpq_t x)
{
    char *s = trop_q_get_str(x);
    json_object *o = json_object_new_string(s);
    flint_free(s);
    return o;
}

static json_object *jtpoly(const trop_tpoly_t f)
{
    json_object *arr = json_object_new_array_ext((int)f->length);
    slong i, j;
    for (i = 0; i < f->length; i++) {
        json_object *t = json_object_new_object(), *e = json_object_new_array_ext((int)f->nvars);
        for (j = 0; j < f->nvars; j++)
            json_object_array_add(e, jq(f->exps + i * f->nvars + j));
        json_object_object_add(t, "exponent", e);
        json_object_object_add(t, "coefficient", jq(f->coefs + i));
        json_object_array_add(arr, t);
    }
    return arr;
}

static json_object *jstats(const trop_prune_stats *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "candidates", json_object_new_int64(s->input));
    json_object_object_add(o, "kept", json_object_new_int64(s->kept));
    json_object_object_add(o, "dropped", json_object_new_int64(s->dropped));
    json_object_object_add(o, "certified_qhull", json_object_new_int64(s->certified_qhull));
    json_object_object_add(o, "certified_exact", json_object_new_int64(s->certified_exact));
    json_object_object_add(o, "certified_lp", json_object_new_int64(s->certified_lp));
    return o;
}

static json_object *jqvec(const fmpq *v, slong len)
{
    json_object *a = json_object_new_array_ext((int)len);
    slong i;
    for (i = 0; i < len; i++)
        json_object_array_add(a, jq(v + i));
    return a;
}

static void write_json(FILE *fp, const tz_report *R)
{
    const trop_net_struct *net = *R->net;
    slong k, nout = trop_net_output_dim(R->p->net);
    json_object *root = json_object_new_object(), *outs = json_object_new_array(), *jn;
    json_object_object_add(root, "format", json_object_new_string("trop-tropicalize"));
    json_object_object_add(root, "version", json_object_new_int(1));
    jn = json_object_new_object();
    json_object_object_add(jn, "file", json_object_new_string(R->o->net_path));
    json_object_object_add(jn, "input_dim", json_object_new_int64(net->input_dim));
    json_object_object_add(jn, "output_dim", json_object_new_int64(nout));
    json_object_object_add(jn, "layers", json_object_new_int64(net->nlayers));
    json_object_object_add(jn, "nonlinear_units", json_object_new_int64(trop_net_num_units(net)));
    json_object_object_add(jn, "normalised_inputs", json_object_new_boolean(net->has_norm));
    json_object_object_add(root, "network", jn);
    json_object_object_add(root, "input_dim", json_object_new_int64(R->p->m));
    if (R->p->sliced) {
        json_object *s = json_object_new_object();
        json_object_object_add(s, "x0", jqvec(R->p->x0, net->input_dim));
        json_object_object_add(s, "U", jqvec(R->p->U, net->input_dim * R->p->m));
        json_object_object_add(root, "slice", s);
    } else
        json_object_object_add(root, "slice", NULL);
    for (k = 0; k < nout; k++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "P_terms", json_object_new_int64(R->F[k].num->length));
        json_object_object_add(o, "Q_terms", json_object_new_int64(R->F[k].den->length));
        json_object_object_add(o, "P", jtpoly(R->F[k].num));
        json_object_object_add(o, "Q", jtpoly(R->F[k].den));
        if (R->o->prune && R->rinfo == NULL)
            json_object_object_add(o, "last_layer_pruning", jstats(R->ost + k));
        json_object_array_add(outs, o);
    }
    json_object_object_add(root, "outputs", outs);
    json_object_object_add(root, "method", json_object_new_string(R->rinfo ? "regions"
                                                                            : "algebra"));
    if (R->rinfo != NULL) {
        json_object *ri = json_object_new_object(), *pl = json_object_new_array();
        for (k = 0; k < R->rinfo->nlayers; k++)
            json_object_array_add(pl, json_object_new_int64(R->rinfo->per_layer[k]));
        json_object_object_add(ri, "activation_regions", json_object_new_int64(R->rinfo->regions));
        json_object_object_add(ri, "per_layer", pl);
        if (R->o->certify) {
            json_object *pf = json_object_new_object();
            json_object_object_add(pf, "proven", json_object_new_int64(R->rinfo->proven));
            json_object_object_add(pf, "unproven", json_object_new_int64(R->rinfo->unproven));
            json_object_object_add(pf, "evaluations", json_object_new_int64(R->rinfo->checks));
            json_object_object_add(ri, "proof", pf);
        } else
            json_object_object_add(ri, "proof", NULL);
        json_object_object_add(root, "regions", ri);
    }
    json_object_object_add(root, "self_check",
                           R->self_check >= 0 ? json_object_new_boolean(R->self_check) : NULL);
    json_object_object_add(root, "pruning", R->o->prune && R->rinfo == NULL ? jstats(R->st)
                                                                             : NULL);
    if (R->ver != NULL) {
        json_object *v = json_object_new_object();
        json_object_object_add(v, "points", json_object_new_int64(R->ver->points));
        json_object_object_add(v, "corners", json_object_new_int64(R->ver->corners));
        json_object_object_add(v, "mismatches", json_object_new_int64(R->ver->mismatches));
        json_object_object_add(v, "box_lo", jqvec(R->p->lo, R->p->m));
        json_object_object_add(v, "box_hi", jqvec(R->p->hi, R->p->m));
        json_object_object_add(root, "verify", v);
    }
    json_object_object_add(root, "time_seconds", json_object_new_double(R->seconds));
    fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), fp);
    fputc('\n', fp);
    json_object_put(root);
}

/* The comment line that names the network and the slice (with the options
 * that define it, so the script describes itself) in an exported script;
 * the caller frees it.  Control characters become '?': a newline in a file
 * name must not end the comment and run the rest as code. */
static char *export_what(const tz_report *R)
{
    const tz_opts *o = R->o;
    size_t size = strlen(o->net_path) + strlen(R->p->slice_desc) + 200
                  + (o->points ? strlen(o->points) : 0) + (o->axes ? strlen(o->axes) : 0)
                  + (o->at ? strlen(o->at) : 0);
    char *what = flint_malloc(size), *c;
    snprintf(what, size, "network: %s (inputs %ld, outputs %ld)%s%s%s%s%s%s%s%s", o->net_path,
             (*R->net)->input_dim, trop_net_output_dim(R->p->net),
             R->p->sliced ? "; slice: " : "", R->p->sliced ? R->p->slice_desc : "",
             o->points ? ", --slice-points " : "", o->points ? o->points : "",
             o->axes ? ", --slice-axes " : "", o->axes ? o->axes : "",
             o->at ? " --at " : "", o->at ? o->at : "");
    for (c = what; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    return what;
}

/* Writes the report in the chosen format to -o FILE (atomically) or
 * standard output.  OSCAR output that cannot hold the exponents is refused
 * before anything is written. */
static int write_report(const tz_report *R)
{
    trop_afile af;
    trop_error err;
    FILE *fp = stdout;
    slong nout = trop_net_output_dim(R->p->net), m = R->p->m;
    const char *var = R->p->sliced ? "t" : "x";
    fmpz_t D;
    char *what = export_what(R);
    int rc = TOOL_EXIT_OK;
    fmpz_init(D);
    if (R->o->format == FORMAT_OSCAR && export_oscar_scale(D, R->F, nout) != 0) {
        fprintf(stderr, "%s: OSCAR's exponents are nonnegative machine integers, and these, "
                "scaled to integers by their common denominator (of %ld bits), are negative "
                "or need more than 62 bits; use --format polymake, which keeps rational "
                "exponents\n", prog, (long)fmpz_bits(D));
        rc = TOOL_EXIT_FAIL;
    } else if (R->o->out_path && trop_afile_open(&af, R->o->out_path, &err) != TROP_OK) {
        tool_print_error(prog, NULL, &err);
        rc = TOOL_EXIT_FAIL;
    } else {
        if (R->o->out_path)
            fp = af.fp;
        if (R->o->format == FORMAT_POLYMAKE)
            export_polymake(fp, R->F, nout, m, var, what);
        else if (R->o->format == FORMAT_OSCAR)
            export_oscar(fp, R->F, nout, m, var, what, D);
        else if (R->o->format == FORMAT_JSON)
            write_json(fp, R);
        else
            write_text(fp, R);
        if (R->o->out_path && trop_afile_commit(&af, &err) != TROP_OK) {
            tool_print_error(prog, NULL, &err);
            rc = TOOL_EXIT_FAIL;
        }
        if (!R->o->out_path && (fflush(stdout) != 0 || ferror(stdout))) {
            fprintf(stderr, "%s: error writing the report to standard output\n", prog);
            rc = TOOL_EXIT_FAIL;
        }
    }
    fmpz_clear(D);
    flint_free(what);
    return rc;
}

int main(int argc, char **argv)
{
    tz_opts o;
    tool_problem p;
    tool_slice_opts so;
    tool_progress pr = {0, 0, 0, 0};
    tz_verify ver = {0, 0, 0, 0};
    trop_net_t net;
    trop_error err;
    trop_prune_stats st = {0, 0, 0, 0, 0, 0}, *ost;
    trop_tconv_opts co;
    trop_trat_struct *F;
    tz_report R;
    trop_rconv_info rinfo;
    slong nout, k;
    int rc = parse_args(&o, argc, argv);
    double t0;
    if (rc >= 0)
        return rc;
    trop_net_init(net, 1);
    if (trop_net_read(net, o.net_path, &err) != TROP_OK) {
        tool_print_error(prog, o.net_path, &err);
        trop_net_clear(net);
        return TOOL_EXIT_FAIL;
    }
    if (trop_net_validate(net, &err) != TROP_OK) {
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
    if (rc < 0)
        rc = resolve_method(&o, p.m);
    if (rc >= 0) {
        tool_problem_clear(&p);
        trop_net_clear(net);
        return rc;
    }
    tool_catch_signals();
    nout = trop_net_output_dim(p.net);
    F = flint_malloc((size_t)nout * sizeof(trop_trat_struct));
    ost = flint_calloc((size_t)nout, sizeof(trop_prune_stats));
    for (k = 0; k < nout; k++)
        trop_trat_init(F + k, p.m);
    pr.on = !o.quiet && tool_progress_enabled();
    if (o.max_seconds > 0)
        pr.deadline = tool_now() + o.max_seconds;
    /* a qhull call deep in a pruning can run for minutes without a check:
     * 10 s after Ctrl-C or the deadline the process stops anyway (nothing
     * is written before the end) */
    tool_hard_stop(prog, 10, o.max_seconds);
    co.prune = o.prune;
    co.progress = on_progress;
    co.progress_arg = &pr;
    co.output_stats = ost;
    co.max_candidates = o.max_terms;
    t0 = tool_now();
    if (o.method == METHOD_REGIONS) {
        trop_rconv_opts ro;
        memset(&ro, 0, sizeof ro);
        memset(&rinfo, 0, sizeof rinfo);
        ro.certify = o.certify;
        ro.certify_max_terms = o.certify_max;
        ro.threads = o.threads;
        ro.progress = on_region_progress;
        ro.progress_arg = &pr;
        rc = trop_trat_vec_set_net_regions(F, p.net, &ro, &rinfo, &err);
    } else
        rc = trop_trat_vec_set_net(F, p.net, &co, &st, &err);
    if (pr.drawn)
        fputc('\n', stderr);
    tool_hard_stop_disarm();   /* --max-seconds is for the conversion only */
    if (rc != TROP_OK) {
        if (rc == TROP_ERR_INTERRUPTED && pr.deadline > 0 && tool_now() > pr.deadline
            && !tool_interrupted())
            fprintf(stderr, "%s: %s: stopped after --max-seconds %g, before the conversion "
                    "ended (%s); nothing written\n", prog, o.net_path, o.max_seconds, err.msg);
        else
            tool_print_error(prog, o.net_path, &err);
        rc = TOOL_EXIT_FAIL;
    } else {
        R.o = &o;
        R.net = (const trop_net_t *)&net;
        R.p = &p;
        R.F = F;
        R.st = &st;
        R.ost = ost;
        R.seconds = tool_now() - t0;
        R.ver = NULL;
        R.rinfo = o.method == METHOD_REGIONS ? &rinfo : NULL;
        R.self_check = -1;
        if (o.self_check) {
            slong *cnt = flint_malloc((size_t)(2 * nout) * sizeof(slong));
            trop_status cs = p.m == 2 ? trop_region2_pq_linear(cnt, p.net, NULL, &err)
                                      : trop_regionn_pq_pieces(cnt, p.net, NULL, &err);
            if (cs != TROP_OK) {
                tool_print_error(prog, o.net_path, &err);
                rc = TOOL_EXIT_FAIL;
            } else {
                R.self_check = 1;
                for (k = 0; k < nout; k++)
                    if (cnt[2 * k] != F[k].num->length || cnt[2 * k + 1] != F[k].den->length)
                        R.self_check = 0;
            }
            flint_free(cnt);
        }
        if (o.verify_set) {
            verify(&ver, F, net, &p, o.verify, o.seed);
            R.ver = &ver;
        }
        if (tool_interrupted()) {
            /* a cut-short verification must not read like a success */
            if (o.verify_set)
                fprintf(stderr, "%s: interrupted during verification after %ld of %ld points; "
                                "no report written\n", prog, ver.points, o.verify);
            else
                fprintf(stderr, "%s: interrupted; no report written\n", prog);
            rc = TOOL_EXIT_FAIL;
        } else if (rc != TOOL_EXIT_FAIL)
            rc = write_report(&R);
        if (rc == TOOL_EXIT_OK && R.self_check == 0) {
            fprintf(stderr, "%s: self-check FAILED: the linear regions of P or Q differ from the "
                            "term counts\n", prog);
            rc = TOOL_EXIT_FAIL;
        }
        if (rc == TOOL_EXIT_OK && R.ver != NULL && ver.mismatches > 0) {
            fprintf(stderr, "%s: verification FAILED: P - Q differs from the network\n", prog);
            rc = TOOL_EXIT_FAIL;
        }
    }
    for (k = 0; k < nout; k++)
        trop_trat_clear(F + k);
    flint_free(F);
    flint_free(ost);
    if (o.method == METHOD_REGIONS)
        trop_free(rinfo.per_layer);
    tool_problem_clear(&p);
    trop_net_clear(net);
    flint_cleanup();
    return rc;
}
