/* trop-bounds: the theoretical bounds on the number of linear regions of a
 * ReLU or maxout architecture, exact, each with its paper and theorem.
 * See docs/trop-bounds.md and docs/man/trop-bounds.1. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include "trop/trop.h"
#include "common.h"

static const char *prog = "trop-bounds";

static void usage(FILE *fp)
{
    fprintf(fp,
"Usage: trop-bounds --arch N0,N1,...,NL,NOUT [--act relu|maxout:K] [--json]\n"
"Print the theoretical bounds on the number of linear regions of a ReLU or\n"
"maxout network with the given architecture, as exact integers, each with\n"
"its paper and theorem, or the reason it does not apply.\n"
"\n"
"--arch lists the input dimension N0, the hidden widths N1..NL (at least\n"
"one) and the output width NOUT.  The output layer is linear: it does not\n"
"split the input space, so NOUT takes no part in the bounds.\n"
"\n"
"Options:\n"
"  --arch N0,N1,...,NOUT  input dimension, hidden widths, output width\n"
"                         (positive integers; required)\n"
"  --act relu|maxout:K    activation of every hidden layer (default relu);\n"
"                         maxout:K is rank-K maxout, 2 <= K <= 64\n"
"  --json                 print one JSON document (see docs/trop-bounds.md)\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Exit status: 0 ok, 1 error writing the report, 2 usage error.\n");
}

typedef struct {
    slong *sizes;      /* [nsizes]: n0, n_1..n_L, nout */
    slong nsizes;
    trop_bound_arch arch;
    int json;
} tb_opts;

enum { OPT_ARCH = 256, OPT_ACT, OPT_JSON };

/* A positive decimal integer; -1 if s is not one, -2 if it does not fit in
 * a slong. */
static slong parse_size(const char *s)
{
    char *end;
    long v;
    if (*s < '0' || *s > '9')   /* no sign, no space: strtol would take them */
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (*end != '\0' || v < 1)
        return -1;
    return errno == ERANGE ? -2 : v;
}

/* Splits "a,b,c" into o->sizes.  Returns -1 on success, else the usage
 * exit status. */
static int parse_arch(tb_opts *o, const char *s)
{
    char *buf = strdup(s), *p = buf, *comma;
    int rc = -1;
    size_t fields = 1;
    for (comma = buf; (comma = strchr(comma, ',')) != NULL; comma++)
        fields++;
    o->nsizes = 0;
    o->sizes = flint_malloc(fields * sizeof(slong));
    for (;;) {
        comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        o->sizes[o->nsizes] = parse_size(p);
        if (o->sizes[o->nsizes] < 0) {
            rc = tool_usage_error(prog, "--arch: entry %ld ('%s') %s", o->nsizes + 1, p,
                                  o->sizes[o->nsizes] == -2 ? "is too large"
                                                            : "is not an integer >= 1");
            break;
        }
        o->nsizes++;
        if (!comma)
            break;
        p = comma + 1;
    }
    free(buf);
    if (rc < 0 && o->nsizes < 3)
        rc = tool_usage_error(prog, "--arch needs the input dimension, at least one hidden "
                                    "width and the output width, got '%s'", s);
    return rc;
}

/* "relu" or "maxout:K" with K an integer in 2..TROP_BOUND_MAX_RANK (checked
 * here, so that trop_bound_arch_check only finds faults in --arch). */
static int parse_act(tb_opts *o, const char *s)
{
    if (strcmp(s, "relu") == 0) {
        o->arch.act = TROP_BOUND_RELU;
        return -1;
    }
    if (strncmp(s, "maxout:", 7) == 0) {
        slong k = parse_size(s + 7);
        if (k >= 2 && k <= TROP_BOUND_MAX_RANK) {
            o->arch.act = TROP_BOUND_MAXOUT;
            o->arch.rank = k;
            return -1;
        }
    }
    return tool_usage_error(prog, "--act needs relu or maxout:K with an integer K from 2 "
                                  "to %ld, got '%s'", TROP_BOUND_MAX_RANK, s);
}

static int parse_args(tb_opts *o, int argc, char **argv)
{
    static const struct option lo[] = {
        {"arch", required_argument, 0, OPT_ARCH}, {"act", required_argument, 0, OPT_ACT},
        {"json", no_argument, 0, OPT_JSON}, {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    const char *arch = NULL;
    int c, rc;
    trop_error err;
    memset(o, 0, sizeof *o);
    opterr = 0;   /* we print our own messages */
    while ((c = getopt_long(argc, argv, ":hV", lo, NULL)) != -1) {
        switch (c) {
        case OPT_ARCH: arch = optarg; break;
        case OPT_ACT:
            if ((rc = parse_act(o, optarg)) >= 0)
                return rc;
            break;
        case OPT_JSON: o->json = 1; break;
        case 'h': usage(stdout); exit(TOOL_EXIT_OK);
        case 'V': printf("trop-bounds (libtrop) %s\n", trop_version_string()); exit(TOOL_EXIT_OK);
        case ':':
            return tool_usage_error(prog, "option '%s' needs a value", argv[optind - 1]);
        default:
            return tool_usage_error(prog, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return tool_usage_error(prog, "unexpected argument '%s'", argv[optind]);
    if (arch == NULL)
        return tool_usage_error(prog, "missing --arch");
    if ((rc = parse_arch(o, arch)) >= 0)
        return rc;
    o->arch.n0 = o->sizes[0];
    o->arch.nlayers = o->nsizes - 2;
    o->arch.widths = o->sizes + 1;
    /* the library's limits and rules, reported as usage errors: they are
     * about the command line */
    if (trop_bound_arch_check(&o->arch, &err) != TROP_OK)
        return tool_usage_error(prog, "--arch: %s", err.msg);
    return -1;
}

/* ---- computing and printing ---- */

typedef struct {
    const trop_bound_info *info;
    int applies;
    char *value;                      /* decimal, flint_free; NULL if not */
    char why[TROP_BOUND_WHY_LEN];
} tb_result;

static const char *kind_str(trop_bound_kind k)
{
    return k == TROP_BOUND_LOWER ? "lower" : k == TROP_BOUND_UPPER ? "upper" : "exact";
}

static tb_result *compute_all(const trop_bound_arch *a, slong *len)
{
    const trop_bound_info *t = trop_bound_table(len);
    tb_result *r = flint_calloc((size_t)*len, sizeof *r);
    slong i;
    fmpz_t v;
    fmpz_init(v);
    for (i = 0; i < *len; i++) {
        r[i].info = t + i;
        r[i].applies = t[i].compute(v, a, r[i].why);
        r[i].value = r[i].applies ? fmpz_get_str(NULL, 10, v) : NULL;
    }
    fmpz_clear(v);
    return r;
}

static void print_list(FILE *fp, const slong *v, slong len)
{
    slong i;
    for (i = 0; i < len; i++)
        fprintf(fp, i ? ",%ld" : "%ld", v[i]);
}

static void write_text(FILE *fp, const tb_opts *o, const tb_result *r, slong nr)
{
    const trop_bound_arch *a = &o->arch;
    slong i;
    fprintf(fp, "# trop-bounds v1\narch: ");
    print_list(fp, o->sizes, o->nsizes);
    fprintf(fp, "\ninputs: %ld\nhidden widths: ", a->n0);
    print_list(fp, a->widths, a->nlayers);
    fprintf(fp, " (%ld layer%s, %ld units)\n", a->nlayers, a->nlayers == 1 ? "" : "s",
            trop_bound_arch_units(a));
    fprintf(fp, "outputs: %ld (linear layer, not counted in the bounds)\n",
            o->sizes[o->nsizes - 1]);
    if (a->act == TROP_BOUND_RELU)
        fprintf(fp, "activation: relu\n");
    else
        fprintf(fp, "activation: maxout, rank %ld\n", a->rank);
    for (i = 0; i < nr; i++) {
        if (r[i].applies)
            fprintf(fp, "%s: %s\n", r[i].info->id, r[i].value);
        else
            fprintf(fp, "%s: not applicable: %s\n", r[i].info->id, r[i].why);
        fprintf(fp, "  kind: %s\n  formula: %s\n  source: %s\n", kind_str(r[i].info->kind),
                r[i].info->formula, r[i].info->source);
    }
}

static json_object *jlist(const slong *v, slong len)
{
    json_object *arr = json_object_new_array_ext((int)len);
    slong i;
    for (i = 0; i < len; i++)
        json_object_array_add(arr, json_object_new_int64(v[i]));
    return arr;
}

static json_object *jresult(const tb_result *r)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "kind", json_object_new_string(kind_str(r->info->kind)));
    json_object_object_add(b, "applies", json_object_new_boolean(r->applies));
    /* integers as strings: they pass 2^53 quickly */
    json_object_object_add(b, "value", r->applies ? json_object_new_string(r->value) : NULL);
    json_object_object_add(b, "reason", r->applies ? NULL : json_object_new_string(r->why));
    json_object_object_add(b, "formula", json_object_new_string(r->info->formula));
    json_object_object_add(b, "source", json_object_new_string(r->info->source));
    return b;
}

static void write_json(FILE *fp, const tb_opts *o, const tb_result *r, slong nr)
{
    const trop_bound_arch *a = &o->arch;
    json_object *root = json_object_new_object(), *bounds = json_object_new_object();
    slong i;
    json_object_object_add(root, "format", json_object_new_string("trop-bounds"));
    json_object_object_add(root, "version", json_object_new_int(1));
    json_object_object_add(root, "arch", jlist(o->sizes, o->nsizes));
    json_object_object_add(root, "inputs", json_object_new_int64(a->n0));
    json_object_object_add(root, "hidden_widths", jlist(a->widths, a->nlayers));
    json_object_object_add(root, "hidden_units", json_object_new_int64(trop_bound_arch_units(a)));
    json_object_object_add(root, "outputs", json_object_new_int64(o->sizes[o->nsizes - 1]));
    json_object_object_add(root, "activation",
                           json_object_new_string(a->act == TROP_BOUND_RELU ? "relu" : "maxout"));
    json_object_object_add(root, "rank",
                           a->act == TROP_BOUND_RELU ? NULL : json_object_new_int64(a->rank));
    for (i = 0; i < nr; i++)
        json_object_object_add(bounds, r[i].info->id, jresult(r + i));
    json_object_object_add(root, "bounds", bounds);
    fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), fp);
    fputc('\n', fp);
    json_object_put(root);
}

int main(int argc, char **argv)
{
    tb_opts o;
    tb_result *r;
    slong nr, i;
    int rc = parse_args(&o, argc, argv);
    if (rc >= 0) {
        flint_free(o.sizes);
        return rc;
    }
    /* a closed pipe must give a write error we report, not a silent death;
     * SIGINT keeps its default, as the work takes at most seconds */
    signal(SIGPIPE, SIG_IGN);
    r = compute_all(&o.arch, &nr);
    if (o.json)
        write_json(stdout, &o, r, nr);
    else
        write_text(stdout, &o, r, nr);
    rc = TOOL_EXIT_OK;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: error writing the report to standard output\n", prog);
        rc = TOOL_EXIT_FAIL;
    }
    for (i = 0; i < nr; i++)
        flint_free(r[i].value);
    flint_free(r);
    flint_free(o.sizes);
    flint_cleanup();
    return rc;
}
