/* trop-train: trains a ReLU, leaky-ReLU or maxout network on a CSV or IDX
 * data set in double precision and writes it as net.bin for the exact
 * tools; --eval measures a saved network on a data set.
 * See docs/trop-train.md and docs/man/trop-train.1. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <json-c/json.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>
#include "trop/trop.h"
#include "common.h"

static const char *prog = "trop-train";

/* The most classes a target may have (one output each): a column of
 * integers beyond this is far more likely a number than a class. */
#define TT_MAX_CLASSES 65536

static void usage(FILE *fp)
{
    fprintf(fp,
"Usage: trop-train --data FILE [--labels FILE] --arch W1,W2,... -o NET [options]\n"
"       trop-train --eval NET --data FILE [--labels FILE] [--label COL] [--loss L]\n"
"                  [--json]\n"
"Train a network of affine layers with ReLU, leaky-ReLU or maxout units and a\n"
"linear output on a data set, in double precision (OpenBLAS), and write it as\n"
"net.bin, which tropicalize and trop-regions read unchanged.  With --eval,\n"
"report the accuracy, loss and confusion matrix of a saved network.\n"
"\n"
"Data:\n"
"  --data FILE            a CSV file (.csv or .csv.gz; a header row is\n"
"                         detected) or, with --labels, IDX images (MNIST format)\n"
"  --labels FILE          the IDX labels that go with --data\n"
"  --label COL            the CSV target column: a header name or a 0-based\n"
"                         index (default: the last column)\n"
"  --test-data FILE       a separate test set (with --test-labels for IDX);\n"
"                         otherwise --test of the data is held out\n"
"  --test-labels FILE     the IDX labels of --test-data\n"
"  --valid F              fraction held out for validation (default 0.1)\n"
"  --test F               fraction held out for testing (default 0.2)\n"
"  --no-standardize       train on the raw features (default: standardise\n"
"                         with the training part's mean and deviation, stored\n"
"                         in the network file)\n"
"Model:\n"
"  --arch W1,W2,...       hidden widths in units (required for training); the\n"
"                         output layer is added: one unit per class, or one\n"
"                         for a numeric target\n"
"  --act relu|leaky:S|maxout:K\n"
"                         hidden activation (default relu); S an exact slope\n"
"                         such as 1/10 or 0.01, K the maxout rank, 2..255\n"
"  --init he|glorot       weight initialisation (default he)\n"
"Training:\n"
"  --loss ce|mse          cross-entropy (default for classes) or squared error\n"
"                         (default for a numeric target); also for --eval\n"
"  --regression           the target is a number even if every value is a\n"
"                         small integer (one output, squared error)\n"
"  --optimizer adam|sgd   (default adam)\n"
"  --epochs E             (default 20)\n"
"  --batch B              minibatch size (default 64)\n"
"  --lr R                 learning rate (default 0.001 adam, 0.01 sgd)\n"
"  --momentum M           SGD momentum (default 0.9)\n"
"  --weight-decay W       L2 weight decay (default 0)\n"
"  --patience P           stop after P epochs without a better validation\n"
"                         loss and keep the best epoch (default 0: off)\n"
"  --seed S               seed of the split, the weights and the batch order\n"
"                         (default 1); a seed gives the same network bit for\n"
"                         bit on one machine with one thread count\n"
"  --threads T            BLAS threads (default: the BLAS's own, all cores)\n"
"  --regions-every N      every N epochs, count the activation regions of the\n"
"                         network exactly on the 2-D slice through three\n"
"                         training samples (and after the last epoch)\n"
"Output:\n"
"  -o, --output NET       the network file to write (atomically)\n"
"  --json                 print one JSON document on stdout instead of text\n"
"  -q, --quiet            no per-epoch lines and no progress bar on stderr\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Exit status: 0 ok, 1 an error (or an interruption), 2 usage error.\n");
}

typedef struct {
    const char *data, *labels, *label, *test_data, *test_labels, *out, *eval;
    double fvalid, ftest;
    int standardize, json, quiet, regression;
    slong *widths, nwidths;
    trop_act act;
    slong slope_num, slope_den, k;
    const char *act_str;
    trop_init init;
    int loss_set;
    trop_train_opts t;
    int lr_set;
    long threads, regions_every;
} tt_opts;

enum {
    OPT_DATA = 256, OPT_LABELS, OPT_LABEL, OPT_TEST_DATA, OPT_TEST_LABELS, OPT_VALID, OPT_TEST,
    OPT_NOSTD, OPT_ARCH, OPT_ACT, OPT_INIT, OPT_LOSS, OPT_OPTIM, OPT_EPOCHS, OPT_BATCH, OPT_LR,
    OPT_MOMENTUM, OPT_WD, OPT_PATIENCE, OPT_SEED, OPT_THREADS, OPT_REGIONS, OPT_JSON, OPT_EVAL,
    OPT_REGRESSION
};

/* A finite decimal in [lo, hi]; 0 if s is not one. */
static int parse_double(double *v, const char *s, double lo, double hi)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && errno != ERANGE && isfinite(*v) && *v >= lo
           && *v <= hi;
}

/* "16,16,8" into o->widths.  Returns 0 on success. */
static int parse_arch(tt_opts *o, const char *s)
{
    const char *p = s;
    o->nwidths = 0;
    o->widths = flint_malloc((strlen(s) / 2 + 1) * sizeof(slong));
    for (;;) {
        char buf[32];
        size_t len = strcspn(p, ",");
        long w;
        if (len == 0 || len >= sizeof buf)
            return -1;
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (!tool_parse_long(&w, buf, 1, 1L << 20) || buf[0] == '+' || buf[0] == ' ')
            return -1;
        o->widths[o->nwidths++] = w;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* "relu", "leaky:1/10" (or a decimal), "maxout:3".  Returns 0 on success. */
static int parse_act(tt_opts *o, const char *s)
{
    long k;
    o->act_str = s;
    o->slope_num = 0;
    o->slope_den = 1;
    o->k = 1;
    if (strcmp(s, "relu") == 0) {
        o->act = TROP_ACT_RELU;
        return 0;
    }
    if (strncmp(s, "maxout:", 7) == 0) {
        o->act = TROP_ACT_MAXOUT;
        if (!tool_parse_long(&k, s + 7, 2, 255))
            return -1;
        o->k = k;
        return 0;
    }
    if (strncmp(s, "leaky:", 6) == 0) {
        fmpq_t q;
        int ok;
        fmpq_init(q);
        ok = trop_q_set_str(q, s + 6, NULL) == TROP_OK && fmpz_fits_si(fmpq_numref(q))
             && fmpz_fits_si(fmpq_denref(q));
        if (ok) {
            o->act = TROP_ACT_LEAKY;
            o->slope_num = fmpz_get_si(fmpq_numref(q));
            o->slope_den = fmpz_get_si(fmpq_denref(q));
        }
        fmpq_clear(q);
        return ok ? 0 : -1;
    }
    return -1;
}

static int parse_args(tt_opts *o, int argc, char **argv)
{
    static const struct option longs[] = {
        {"data", required_argument, 0, OPT_DATA}, {"labels", required_argument, 0, OPT_LABELS},
        {"label", required_argument, 0, OPT_LABEL},
        {"test-data", required_argument, 0, OPT_TEST_DATA},
        {"test-labels", required_argument, 0, OPT_TEST_LABELS},
        {"valid", required_argument, 0, OPT_VALID}, {"test", required_argument, 0, OPT_TEST},
        {"no-standardize", no_argument, 0, OPT_NOSTD},
        {"arch", required_argument, 0, OPT_ARCH}, {"act", required_argument, 0, OPT_ACT},
        {"init", required_argument, 0, OPT_INIT}, {"loss", required_argument, 0, OPT_LOSS},
        {"optimizer", required_argument, 0, OPT_OPTIM},
        {"epochs", required_argument, 0, OPT_EPOCHS}, {"batch", required_argument, 0, OPT_BATCH},
        {"lr", required_argument, 0, OPT_LR}, {"momentum", required_argument, 0, OPT_MOMENTUM},
        {"weight-decay", required_argument, 0, OPT_WD},
        {"patience", required_argument, 0, OPT_PATIENCE},
        {"seed", required_argument, 0, OPT_SEED}, {"threads", required_argument, 0, OPT_THREADS},
        {"regions-every", required_argument, 0, OPT_REGIONS},
        {"output", required_argument, 0, 'o'}, {"json", no_argument, 0, OPT_JSON},
        {"eval", required_argument, 0, OPT_EVAL}, {"quiet", no_argument, 0, 'q'},
        {"regression", no_argument, 0, OPT_REGRESSION},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int c;
    long v;
    o->fvalid = 0.1;
    o->ftest = 0.2;
    o->standardize = 1;
    o->act = TROP_ACT_RELU;
    o->act_str = "relu";
    o->slope_den = 1;
    o->k = 1;
    trop_train_opts_init(&o->t);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qhV", longs, NULL)) != -1) {
        switch (c) {
        case OPT_DATA: o->data = optarg; break;
        case OPT_LABELS: o->labels = optarg; break;
        case OPT_LABEL: o->label = optarg; break;
        case OPT_TEST_DATA: o->test_data = optarg; break;
        case OPT_TEST_LABELS: o->test_labels = optarg; break;
        case OPT_VALID:
            if (!parse_double(&o->fvalid, optarg, 0, 0.9))
                return tool_usage_error(prog, "--valid needs a fraction in [0, 0.9], not '%s'",
                                        optarg);
            break;
        case OPT_TEST:
            if (!parse_double(&o->ftest, optarg, 0, 0.9))
                return tool_usage_error(prog, "--test needs a fraction in [0, 0.9], not '%s'",
                                        optarg);
            break;
        case OPT_NOSTD: o->standardize = 0; break;
        case OPT_ARCH:
            if (parse_arch(o, optarg) != 0)
                return tool_usage_error(prog, "--arch needs positive widths such as 16,16, "
                                              "not '%s'", optarg);
            break;
        case OPT_ACT:
            if (parse_act(o, optarg) != 0)
                return tool_usage_error(prog, "--act needs relu, leaky:S (S a rational slope "
                                              "such as 1/10) or maxout:K (2 <= K <= 255), "
                                              "not '%s'", optarg);
            break;
        case OPT_INIT:
            if (strcmp(optarg, "he") && strcmp(optarg, "glorot"))
                return tool_usage_error(prog, "--init needs he or glorot, not '%s'", optarg);
            o->init = strcmp(optarg, "he") ? TROP_INIT_GLOROT : TROP_INIT_HE;
            break;
        case OPT_LOSS:
            if (strcmp(optarg, "ce") && strcmp(optarg, "mse"))
                return tool_usage_error(prog, "--loss needs ce or mse, not '%s'", optarg);
            o->t.loss = strcmp(optarg, "ce") ? TROP_LOSS_MSE : TROP_LOSS_CE;
            o->loss_set = 1;
            break;
        case OPT_OPTIM:
            if (strcmp(optarg, "adam") && strcmp(optarg, "sgd"))
                return tool_usage_error(prog, "--optimizer needs adam or sgd, not '%s'",
                                        optarg);
            o->t.optimizer = strcmp(optarg, "adam") ? TROP_OPT_SGD : TROP_OPT_ADAM;
            break;
        case OPT_EPOCHS:
            if (!tool_parse_long(&v, optarg, 0, 1000000))
                return tool_usage_error(prog, "--epochs needs an integer in [0, 1000000], "
                                              "not '%s'", optarg);
            o->t.epochs = v;
            break;
        case OPT_BATCH:
            if (!tool_parse_long(&v, optarg, 1, 1L << 20))
                return tool_usage_error(prog, "--batch needs an integer in [1, 1048576], "
                                              "not '%s'", optarg);
            o->t.batch = v;
            break;
        case OPT_LR:
            if (!parse_double(&o->t.lr, optarg, 1e-300, 1e6))
                return tool_usage_error(prog, "--lr needs a positive number, not '%s'", optarg);
            o->lr_set = 1;
            break;
        case OPT_MOMENTUM:
            if (!parse_double(&o->t.momentum, optarg, 0, 1))
                return tool_usage_error(prog, "--momentum needs a number in [0, 1], not '%s'",
                                        optarg);
            break;
        case OPT_WD:
            if (!parse_double(&o->t.weight_decay, optarg, 0, 1e6))
                return tool_usage_error(prog, "--weight-decay needs a number >= 0, not '%s'",
                                        optarg);
            break;
        case OPT_PATIENCE:
            if (!tool_parse_long(&v, optarg, 0, 1000000))
                return tool_usage_error(prog, "--patience needs an integer >= 0, not '%s'",
                                        optarg);
            o->t.patience = v;
            break;
        case OPT_SEED: {
            char *end;
            errno = 0;
            o->t.seed = strtoull(optarg, &end, 10);
            if (end == optarg || *end || errno == ERANGE || optarg[0] == '-')
                return tool_usage_error(prog, "--seed needs an integer >= 0, not '%s'", optarg);
            break;
        }
        case OPT_THREADS:
            if (!tool_parse_long(&o->threads, optarg, 1, 1024))
                return tool_usage_error(prog, "--threads needs an integer in [1, 1024], "
                                              "not '%s'", optarg);
            break;
        case OPT_REGIONS:
            if (!tool_parse_long(&o->regions_every, optarg, 1, 1000000))
                return tool_usage_error(prog, "--regions-every needs an integer >= 1, "
                                              "not '%s'", optarg);
            break;
        case 'o': o->out = optarg; break;
        case OPT_JSON: o->json = 1; break;
        case OPT_EVAL: o->eval = optarg; break;
        case OPT_REGRESSION: o->regression = 1; break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); exit(TOOL_EXIT_OK);
        case 'V': printf("%s %s\n", prog, trop_version_string()); exit(TOOL_EXIT_OK);
        case ':': return tool_usage_error(prog, "option '%s' needs a value", argv[optind - 1]);
        default: return tool_usage_error(prog, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return tool_usage_error(prog, "unexpected argument '%s'", argv[optind]);
    if (!o->data)
        return tool_usage_error(prog, "--data is required");
    if (o->test_labels && !o->test_data)
        return tool_usage_error(prog, "--test-labels needs --test-data");
    if (o->test_data && (o->labels != NULL) != (o->test_labels != NULL))
        return tool_usage_error(prog, "IDX data needs --labels and --test-labels together");
    if (o->eval)
        return -1;
    if (!o->widths)
        return tool_usage_error(prog, "--arch is required for training (or use --eval NET)");
    if (!o->out)
        return tool_usage_error(prog, "-o NET is required for training");
    if (o->fvalid + (o->test_data ? 0 : o->ftest) > 0.9)
        return tool_usage_error(prog, "--valid and --test together hold out more than 0.9");
    if (!o->lr_set && o->t.optimizer == TROP_OPT_SGD)
        o->t.lr = 0.01;
    return -1;
}

/* Checks before a long run that the output can be written: path is not a
 * directory and its directory exists and is writable.  Returns 0 if so,
 * else prints why. */
static int check_output(const char *path)
{
    struct stat sb;
    char *dir = strdup(path), *slash = strrchr(dir, '/');
    int ok;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "%s: %s: is a directory (-o names the network file)\n", prog, path);
        free(dir);
        return -1;
    }
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    ok = access(dir, W_OK | X_OK) == 0;
    if (!ok)
        fprintf(stderr, "%s: %s: cannot write in the directory %s: %s\n", prog, path, dir,
                strerror(errno));
    free(dir);
    return ok ? 0 : -1;
}

/* ---- data ---- */

/* 1 if path (gzip-compressed or not) starts with the magic of IDX images
 * or labels. */
static int looks_like_idx(const char *path)
{
    unsigned char b[4];
    gzFile f = gzopen(path, "rb");
    int n;
    if (!f)
        return 0;
    n = gzread(f, b, 4);
    gzclose(f);
    return n == 4 && b[0] == 0 && b[1] == 0 && b[2] == 8 && (b[3] == 1 || b[3] == 3);
}

static trop_status load(trop_dataset_t ds, const char *data, const char *labels,
                        const char *label, trop_error *err)
{
    if (!labels && looks_like_idx(data))
        return trop_error_set(err, TROP_ERR_INVALID, "train",
                              "an IDX file: give its labels with --labels (--test-labels "
                              "for --test-data)");
    return labels ? trop_dataset_read_idx(ds, data, labels, err)
                  : trop_dataset_read_csv(ds, data, label, err);
}

/* The basename of a path (for metadata and reports). */
static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* ---- training ---- */

typedef struct {
    const tt_opts *o;
    tool_progress pr;
    json_object *epochs;    /* the JSON epoch log */
    const trop_model_struct *m;
    const trop_dataset_struct *train;
    slong idx[3];           /* the samples spanning the region slice; -1: none */
    slong last_regions;
    slong counted_epoch;    /* the epoch of last_regions */
    slong epoch;            /* the epoch running */
    int region_failed;
    double ymean, yscale;   /* a numeric target's standardisation */
} tt_run;

/* The mean and population deviation of the targets (1 when constant). */
static void target_fit(double *mean, double *scale, const trop_dataset_t ds)
{
    trop_dataset_t t;
    trop_dataset_init(t);
    t->n = ds->n;
    t->d = 1;
    t->X = ds->y;   /* borrowed: the targets as a one-feature set */
    trop_dataset_standardize_fit(mean, scale, t);
    t->X = NULL;
    trop_dataset_clear(t);
}

static void target_standardize(trop_dataset_t ds, double mean, double scale)
{
    slong i;
    for (i = 0; i < ds->n; i++)
        ds->y[i] = (ds->y[i] - mean) / scale;
}

/* The last (linear) layer's outputs y become y * scale + mean. */
static void fold_target(trop_model_t m, double mean, double scale)
{
    trop_model_layer_struct *L = m->layers + m->nlayers - 1;
    slong i;
    for (i = 0; i < L->nout * L->nin; i++)
        L->W[i] *= scale;
    for (i = 0; i < L->nout; i++)
        L->b[i] = L->b[i] * scale + mean;
}

/* Picks three training samples in general position (the first triple, in
 * the split's order, whose differences are not parallel in double). */
static void pick_slice(tt_run *R)
{
    const trop_dataset_struct *ds = R->train;
    slong a, b, c, d = ds->d, j, lim = ds->n < 64 ? ds->n : 64;
    R->idx[0] = -1;
    for (a = 0; a < lim; a++)
        for (b = a + 1; b < lim; b++)
            for (c = b + 1; c < lim; c++) {
                const double *x0 = ds->X + a * d, *x1 = ds->X + b * d, *x2 = ds->X + c * d;
                double uu = 0, vv = 0, uv = 0;
                for (j = 0; j < d; j++) {
                    double u = x1[j] - x0[j], v = x2[j] - x0[j];
                    uu += u * u;
                    vv += v * v;
                    uv += u * v;
                }
                if (uu > 0 && vv > 0 && uu * vv - uv * uv > 1e-6 * uu * vv) {
                    R->idx[0] = a;
                    R->idx[1] = b;
                    R->idx[2] = c;
                    return;
                }
            }
}

static void clear_progress(tool_progress *pr)
{
    if (pr->drawn) {
        fputs("\r\033[K", stderr);
        pr->drawn = 0;
    }
}

/* Progress of a slice count on the terminal; a nonzero answer (an
 * interruption) stops the count. */
static int count_progress(slong layer, slong nlayers, slong regions, void *arg)
{
    tt_run *R = arg;
    return tool_progress_draw(&R->pr, prog, "epoch %ld: counting regions, layer %ld/%ld: %ld",
                              R->epoch, layer, nlayers, regions);
}

/* The exact count of activation regions of the current model on the
 * parallelogram x = s0 + t (s1 - s0) + u (s2 - s0), t, u in [0, 1]. */
static trop_status slice_regions(slong *count, const tt_run *R, trop_error *err)
{
    const trop_dataset_struct *ds = R->train;
    slong d = ds->d, j;
    trop_net_t net, sl;
    fmpq *x0 = _fmpq_vec_init(d), *U = _fmpq_vec_init(2 * d), box[4];
    trop_region2_count_t cnt;
    trop_region2_opts ro;
    trop_status st;
    trop_net_init(net, 1);
    trop_net_init(sl, 1);
    /* the samples are standardised already, as the network's inputs are */
    st = trop_net_set_model(net, R->m, err);
    for (j = 0; j < d && st == TROP_OK; j++) {
        const double *s0 = ds->X + R->idx[0] * d, *s1 = ds->X + R->idx[1] * d,
                     *s2 = ds->X + R->idx[2] * d;
        fmpq_t t;
        fmpq_init(t);
        trop_q_set_d(x0 + j, s0[j], NULL);
        trop_q_set_d(t, s1[j], NULL);
        fmpq_sub(U + 2 * j, t, x0 + j);
        trop_q_set_d(t, s2[j], NULL);
        fmpq_sub(U + 2 * j + 1, t, x0 + j);
        fmpq_clear(t);
    }
    for (j = 0; j < 4; j++) {
        fmpq_init(box + j);
        fmpq_set_si(box + j, j % 2, 1);
    }
    trop_region2_count_init(cnt);
    if (st == TROP_OK) {
        trop_net_slice(sl, net, x0, U, 2);
        memset(&ro, 0, sizeof ro);
        ro.threads = R->o->threads;
        ro.progress = count_progress;
        ro.progress_arg = (void *)R;
        st = trop_region2_count(cnt, sl, box, NULL, NULL, &ro, err);
        *count = cnt->regions;
    }
    trop_region2_count_clear(cnt);
    for (j = 0; j < 4; j++)
        fmpq_clear(box + j);
    _fmpq_vec_clear(x0, d);
    _fmpq_vec_clear(U, 2 * d);
    trop_net_clear(net);
    trop_net_clear(sl);
    return st;
}

/* Counts the slice regions for epoch ep into R (a failure is reported once
 * and stops the counting; an interruption just skips it). */
static void count_for_epoch(tt_run *R, slong ep)
{
    trop_error err;
    slong regions = -1;
    trop_status st;
    R->epoch = ep;
    st = slice_regions(&regions, R, &err);
    clear_progress(&R->pr);
    if (st == TROP_OK) {
        R->last_regions = regions;
        R->counted_epoch = ep;
    } else if (st != TROP_ERR_INTERRUPTED) {
        tool_print_error(prog, "regions on the slice", &err);
        R->region_failed = 1;
    }
}

static json_object *json_num(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

static int on_batch(slong epoch, slong done, slong total, void *arg)
{
    tt_run *R = arg;
    return tool_progress_draw(&R->pr, prog, "epoch %ld/%ld  %3.0f%%", epoch, R->o->t.epochs,
                              100.0 * (double)done / (double)total);
}

static int on_epoch(const trop_train_epoch *e, void *arg)
{
    tt_run *R = arg;
    json_object *je = json_object_new_object();
    slong regions = -1;
    int want_regions = R->o->regions_every > 0 && R->idx[0] >= 0 && !R->region_failed
                       && (e->epoch % R->o->regions_every == 0 || e->epoch == R->o->t.epochs);
    if (want_regions && !tool_interrupted()) {
        count_for_epoch(R, e->epoch);
        if (R->counted_epoch == e->epoch)
            regions = R->last_regions;
    }
    clear_progress(&R->pr);
    if (!R->o->quiet) {
        fprintf(stderr, "%s: epoch %ld/%ld  loss %.*f", prog, e->epoch, R->o->t.epochs,
                fabs(e->train_loss) < 1e4 ? 4 : 0, e->train_loss);
        if (!isnan(e->train_acc))
            fprintf(stderr, "  acc %.4f", e->train_acc);
        if (!isnan(e->valid_loss))
            fprintf(stderr, "  valid loss %.*f", fabs(e->valid_loss) < 1e4 ? 4 : 0,
                    e->valid_loss);
        if (!isnan(e->valid_acc))
            fprintf(stderr, "  acc %.4f", e->valid_acc);
        if (regions >= 0)
            fprintf(stderr, "  regions %ld", regions);
        fprintf(stderr, "  %.2f s%s\n", e->seconds, e->best && !isnan(e->valid_loss) ? "  *" : "");
    }
    json_object_object_add(je, "epoch", json_object_new_int64(e->epoch));
    json_object_object_add(je, "train_loss", json_num(e->train_loss));
    json_object_object_add(je, "train_accuracy", json_num(e->train_acc));
    json_object_object_add(je, "valid_loss", json_num(e->valid_loss));
    json_object_object_add(je, "valid_accuracy", json_num(e->valid_acc));
    json_object_object_add(je, "seconds", json_object_new_double(e->seconds));
    json_object_object_add(je, "slice_regions",
                           regions >= 0 ? json_object_new_int64(regions) : NULL);
    json_object_array_add(R->epochs, je);
    return tool_interrupted();
}

/* The default box of the saved network: the standardised training data's
 * range, widened to multiples of 1/8 (and to width 1/8 at least). */
static void set_box(trop_net_t net, const trop_dataset_t tr)
{
    slong d = tr->d, i, j;
    fmpq *lo = _fmpq_vec_init(d), *hi = _fmpq_vec_init(d);
    double *mn = flint_malloc((size_t)d * sizeof(double)), *mx = flint_malloc((size_t)d * sizeof(double));
    for (j = 0; j < d; j++) {
        mn[j] = INFINITY;
        mx[j] = -INFINITY;
    }
    for (i = 0; i < tr->n; i++)   /* rows in memory order */
        for (j = 0; j < d; j++) {
            double x = tr->X[i * d + j];
            mn[j] = x < mn[j] ? x : mn[j];
            mx[j] = x > mx[j] ? x : mx[j];
        }
    for (j = 0; j < d; j++) {
        double a = floor(mn[j] * 8), b = ceil(mx[j] * 8);
        if (!(b > a))
            b = a + 1;
        fmpq_set_si(lo + j, (slong)a, 8);
        fmpq_set_si(hi + j, (slong)b, 8);
    }
    trop_net_set_box(net, lo, hi);
    flint_free(mn);
    flint_free(mx);
    _fmpq_vec_clear(lo, d);
    _fmpq_vec_clear(hi, d);
}

static void meta_printf(trop_net_t net, const char *key, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void meta_printf(trop_net_t net, const char *key, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    trop_net_set_meta(net, key, buf);
}

/* "4-16-16-3" into buf. */
static void arch_string(char *buf, size_t len, const trop_model_t m)
{
    slong l;
    size_t at = (size_t)snprintf(buf, len, "%ld", m->input_dim);
    for (l = 0; l < m->nlayers && at < len; l++)
        at += (size_t)snprintf(buf + at, len - at, "-%ld", trop_model_layer_width(m->layers + l));
}

typedef struct {
    double loss, acc;
    slong *confusion;   /* [nclasses x nclasses] or NULL */
    slong n, nclasses;
} tt_eval;

static const char *loss_name(trop_loss l)
{
    return l == TROP_LOSS_CE ? "cross-entropy" : "squared error";
}

static void print_confusion(FILE *fp, const tt_eval *ev)
{
    slong i, j;
    if (!ev->confusion)
        return;
    fprintf(fp, "confusion (rows: true class, columns: predicted class):\n");
    for (i = 0; i < ev->nclasses; i++) {
        for (j = 0; j < ev->nclasses; j++)
            fprintf(fp, "%s%ld", j ? " " : "  ", ev->confusion[i * ev->nclasses + j]);
        fputc('\n', fp);
    }
}

static json_object *json_eval(const tt_eval *ev, trop_loss loss)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "samples", json_object_new_int64(ev->n));
    json_object_object_add(j, "loss", json_num(ev->loss));
    json_object_object_add(j, "loss_kind", json_object_new_string(loss_name(loss)));
    json_object_object_add(j, "accuracy", json_num(ev->acc));
    if (ev->confusion) {
        json_object *rows = json_object_new_array();
        slong i, k;
        for (i = 0; i < ev->nclasses; i++) {
            json_object *row = json_object_new_array();
            for (k = 0; k < ev->nclasses; k++)
                json_object_array_add(row, json_object_new_int64(ev->confusion[i * ev->nclasses + k]));
            json_object_array_add(rows, row);
        }
        json_object_object_add(j, "confusion", rows);
    }
    return j;
}

static trop_status evaluate(tt_eval *ev, const trop_model_t m, trop_loss loss,
                            const trop_dataset_t ds, trop_error *err)
{
    ev->n = ds->n;
    ev->nclasses = ds->nclasses;
    ev->confusion = ds->nclasses > 0
                    ? flint_calloc((size_t)(ds->nclasses * ds->nclasses), sizeof(slong)) : NULL;
    return trop_model_evaluate(&ev->loss, &ev->acc, ev->confusion, m, loss, ds, err);
}

/* A JSON report's root: its format name and version, as the other tools
 * write them, and the library version. */
static json_object *json_root(const char *format)
{
    json_object *root = json_object_new_object();
    json_object_object_add(root, "format", json_object_new_string(format));
    json_object_object_add(root, "version", json_object_new_int(1));
    json_object_object_add(root, "trop_version", json_object_new_string(trop_version_string()));
    return root;
}

static void print_json(json_object *root)
{
    puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN
                                              | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Writes the network of m with its box and metadata.  */
static trop_status save(const tt_opts *o, const trop_model_t m, const trop_dataset_t tr,
                        const trop_train_result *res, const tt_eval *test, trop_error *err)
{
    trop_net_t net;
    char arch[512];
    trop_status st;
    trop_net_init(net, 1);
    if ((st = trop_net_set_model(net, m, err)) == TROP_OK) {
        set_box(net, tr);
        arch_string(arch, sizeof arch, m);
        trop_net_set_meta(net, "producer", "trop-train");
        trop_net_set_meta(net, "trop_version", trop_version_string());
        trop_net_set_meta(net, "data", base_name(o->data));
        trop_net_set_meta(net, "target", tr->nclasses > 0 ? "classes" : "number");
        if (o->label && !o->labels)
            trop_net_set_meta(net, "label", o->label);
        trop_net_set_meta(net, "arch", arch);
        trop_net_set_meta(net, "activation", o->act_str);
        trop_net_set_meta(net, "inputs", m->has_std ? "standardised: x = (raw - mean) / "
                                                      "deviation of the training part" : "raw");
        trop_net_set_meta(net, "loss", loss_name(o->t.loss));
        trop_net_set_meta(net, "optimizer", o->t.optimizer == TROP_OPT_ADAM ? "adam" : "sgd");
        meta_printf(net, "lr", "%.17g", o->t.lr);
        meta_printf(net, "batch", "%ld", o->t.batch);
        meta_printf(net, "weight_decay", "%.17g", o->t.weight_decay);
        if (o->t.optimizer == TROP_OPT_SGD)
            meta_printf(net, "momentum", "%.17g", o->t.momentum);
        meta_printf(net, "init", "%s", o->init == TROP_INIT_HE ? "he" : "glorot");
        meta_printf(net, "patience", "%ld", o->t.patience);
        if (o->test_data) {
            meta_printf(net, "split", "valid %.17g, test from test_data", o->fvalid);
            trop_net_set_meta(net, "test_data", base_name(o->test_data));
        } else {
            meta_printf(net, "split", "valid %.17g, test %.17g", o->fvalid, o->ftest);
        }
        meta_printf(net, "seed", "%llu", o->t.seed);
        meta_printf(net, "epochs", "%ld", res->epochs_run);
        meta_printf(net, "best_epoch", "%ld", res->best_epoch);
        meta_printf(net, "train_samples", "%ld", tr->n);
        if (test->n > 0) {
            meta_printf(net, "test_samples", "%ld", test->n);
            meta_printf(net, "test_loss", "%.6g", test->loss);
            if (!isnan(test->acc))
                meta_printf(net, "test_accuracy", "%.6g", test->acc);
        }
        st = trop_net_write_bin(net, o->out, trop_net_is_f64(net) ? TROP_NET_ENC_F64
                                                                  : TROP_NET_ENC_RATIONAL, err);
    }
    trop_net_clear(net);
    return st;
}

/* The number of weights and biases the model of o on d features and out
 * outputs would have (saturating at 2^62). */
static slong count_params(const tt_opts *o, slong d, slong out)
{
    double p = 0, in = (double)d;
    slong l;
    for (l = 0; l < o->nwidths; l++) {
        p += (double)(o->widths[l] * o->k) * (in + 1);
        in = (double)o->widths[l];
    }
    p += (double)out * (in + 1);
    return p > 4.6e18 ? (slong)1 << 62 : (slong)p;
}

static void build_model(trop_model_t m, const tt_opts *o, const trop_dataset_t tr)
{
    /* one output per class (cross-entropy, or squared error on one-hot
     * targets), one for a numeric target */
    slong l, out = tr->nclasses >= 2 ? tr->nclasses : 1;
    for (l = 0; l < o->nwidths; l++)
        trop_model_append_layer(m, o->widths[l] * o->k, o->act, o->slope_num, o->slope_den,
                                o->k);
    trop_model_append_layer(m, out, TROP_ACT_LINEAR, 0, 1, 1);
    trop_model_init_weights(m, o->init, o->t.seed);
}

static void report_text(const tt_opts *o, const trop_model_t m, const trop_dataset_t tr,
                        const trop_dataset_t va, const tt_eval *test,
                        const trop_train_result *res, const tt_run *R)
{
    char arch[512];
    arch_string(arch, sizeof arch, m);
    printf("# trop-train v1\n");
    printf("data: %s (%ld features, %ld classes): train %ld, valid %ld, test %ld%s\n",
           o->data, tr->d, tr->nclasses, tr->n, va->n, test->n,
           m->has_std ? ", standardised" : "");
    printf("model: %s, %s, %ld parameters\n", arch, o->act_str, trop_model_num_params(m));
    printf("training: %s, lr %g, batch %ld, %s, weight decay %g, seed %llu\n",
           o->t.optimizer == TROP_OPT_ADAM ? "adam" : "sgd", o->t.lr, o->t.batch,
           loss_name(o->t.loss), o->t.weight_decay, o->t.seed);
    printf("epochs: %ld of %ld, kept epoch %ld%s%s\n", res->epochs_run, o->t.epochs,
           res->best_epoch, res->stopped_early ? " (early stop)" : "",
           res->interrupted ? " (interrupted)" : "");
    if (R->last_regions >= 0)
        printf("slice regions: %ld (exact, of the network written; the plane through training "
               "samples %ld, %ld, %ld, exact points in --json)\n", R->last_regions, R->idx[0],
               R->idx[1], R->idx[2]);
    if (test->n > 0) {
        if (!isnan(test->acc))
            printf("test accuracy: %.4f (%ld of %ld)\n", test->acc,
                   (slong)floor(test->acc * (double)test->n + 0.5), test->n);
        printf("test loss: %.6g (%s)\n", test->loss, loss_name(o->t.loss));
        print_confusion(stdout, test);
    }
    printf("written: %s\n", o->out);
}

/* The three slice samples as exact rationals in --slice-points syntax
 * ("x1,x2,...", standardised coordinates), so that trop-regions
 * --slice-points 'A;B;C' --box 0,1 reproduces the count. */
static json_object *slice_points_json(const tt_run *R)
{
    json_object *a = json_object_new_array();
    slong i, j, d = R->train->d;
    fmpq_t q;
    fmpq_init(q);
    for (i = 0; i < 3; i++) {
        size_t cap = 64, len = 0;
        char *buf = flint_malloc(cap);
        buf[0] = '\0';
        for (j = 0; j < d; j++) {
            char *t;
            size_t tl;
            trop_q_set_d(q, R->train->X[R->idx[i] * d + j], NULL);
            t = fmpq_get_str(NULL, 10, q);
            tl = strlen(t);
            if (len + tl + 2 > cap) {
                cap = 2 * (len + tl + 2);
                buf = flint_realloc(buf, cap);
            }
            len += (size_t)sprintf(buf + len, "%s%s", j ? "," : "", t);
            flint_free(t);
        }
        json_object_array_add(a, json_object_new_string(buf));
        flint_free(buf);
    }
    fmpq_clear(q);
    return a;
}

static json_object *report_json(const tt_opts *o, const trop_model_t m,
                                const trop_dataset_t tr, const trop_dataset_t va,
                                const tt_eval *test, const trop_train_result *res,
                                tt_run *R)
{
    json_object *root = json_root("trop-train"), *jd = json_object_new_object(),
                *jm = json_object_new_object(), *jt = json_object_new_object(),
                *jr = json_object_new_object();
    char arch[512];
    arch_string(arch, sizeof arch, m);
    json_object_object_add(jd, "file", json_object_new_string(o->data));
    json_object_object_add(jd, "features", json_object_new_int64(tr->d));
    json_object_object_add(jd, "classes", json_object_new_int64(tr->nclasses));
    json_object_object_add(jd, "train", json_object_new_int64(tr->n));
    json_object_object_add(jd, "valid", json_object_new_int64(va->n));
    json_object_object_add(jd, "test", json_object_new_int64(test->n));
    json_object_object_add(jd, "standardised", json_object_new_boolean(m->has_std));
    json_object_object_add(root, "data", jd);
    json_object_object_add(jm, "arch", json_object_new_string(arch));
    json_object_object_add(jm, "activation", json_object_new_string(o->act_str));
    json_object_object_add(jm, "parameters", json_object_new_int64(trop_model_num_params(m)));
    json_object_object_add(root, "model", jm);
    json_object_object_add(jt, "optimizer",
                           json_object_new_string(o->t.optimizer == TROP_OPT_ADAM ? "adam" : "sgd"));
    json_object_object_add(jt, "loss", json_object_new_string(loss_name(o->t.loss)));
    json_object_object_add(jt, "lr", json_object_new_double(o->t.lr));
    json_object_object_add(jt, "batch", json_object_new_int64(o->t.batch));
    json_object_object_add(jt, "weight_decay", json_object_new_double(o->t.weight_decay));
    json_object_object_add(jt, "seed", json_object_new_uint64(o->t.seed));
    json_object_object_add(jt, "epochs", json_object_new_int64(o->t.epochs));
    json_object_object_add(root, "training", jt);
    json_object_object_add(root, "epochs", json_object_get(R->epochs));
    json_object_object_add(jr, "epochs_run", json_object_new_int64(res->epochs_run));
    json_object_object_add(jr, "kept_epoch", json_object_new_int64(res->best_epoch));
    json_object_object_add(jr, "stopped_early", json_object_new_boolean(res->stopped_early));
    json_object_object_add(jr, "interrupted", json_object_new_boolean(res->interrupted));
    json_object_object_add(root, "result", jr);
    json_object_object_add(root, "slice_regions", R->last_regions >= 0
                           ? json_object_new_int64(R->last_regions) : NULL);
    if (R->idx[0] >= 0 && o->regions_every > 0) {
        json_object *js = json_object_new_array();
        slong i;
        for (i = 0; i < 3; i++)
            json_object_array_add(js, json_object_new_int64(R->idx[i]));
        json_object_object_add(root, "slice_samples", js);
        json_object_object_add(root, "slice_points", slice_points_json(R));
    }
    json_object_object_add(root, "test", test->n > 0 ? json_eval(test, o->t.loss) : NULL);
    json_object_object_add(root, "output", json_object_new_string(o->out));
    return root;
}

static int run_train(tt_opts *o)
{
    trop_dataset_t all, tr, va, te;
    trop_model_t m;
    trop_error err;
    trop_train_result res;
    tt_eval test;
    tt_run R;
    int rc = TOOL_EXIT_FAIL;
    trop_status st;
    memset(&test, 0, sizeof test);
    memset(&R, 0, sizeof R);
    memset(&res, 0, sizeof res);
    trop_dataset_init(all);
    trop_dataset_init(tr);
    trop_dataset_init(va);
    trop_dataset_init(te);
    trop_model_init(m, 1);
    R.epochs = json_object_new_array();
    R.last_regions = -1;
    if (check_output(o->out) != 0)
        goto done;
    if ((st = load(all, o->data, o->labels, o->label, &err)) != TROP_OK) {
        tool_print_error(prog, o->data, &err);
        goto done;
    }
    if (o->test_data && (st = load(te, o->test_data, o->test_labels, o->label, &err))
                        != TROP_OK) {
        tool_print_error(prog, o->test_data, &err);
        goto done;
    }
    if (o->regression) {   /* the target is a number: no classes */
        all->nclasses = te->nclasses = 0;
    }
    if (o->test_data) {
        trop_dataset_t none;
        trop_dataset_init(none);
        trop_dataset_split(tr, va, none, all, o->fvalid, 0, o->t.seed);
        trop_dataset_clear(none);
        if (te->d != tr->d || te->nclasses > tr->nclasses) {
            fprintf(stderr, "%s: %s: %ld features and %ld classes, the training data %ld and "
                    "%ld\n", prog, o->test_data, te->d, te->nclasses, tr->d, tr->nclasses);
            goto done;
        }
        te->nclasses = tr->nclasses;
    } else {
        trop_dataset_split(tr, va, te, all, o->fvalid, o->ftest, o->t.seed);
    }
    if (va->n > 0)
        va->nclasses = tr->nclasses;
    if (te->n > 0)
        te->nclasses = tr->nclasses;
    if (tr->n < 1) {
        fprintf(stderr, "%s: %s: no samples left for training after the split\n", prog, o->data);
        goto done;
    }
    if (all->nclasses > TT_MAX_CLASSES || all->nclasses > all->n) {
        fprintf(stderr, "%s: %s: the target's values are integers up to %ld, which would "
                "make %ld classes for %ld samples; for a numeric target use --regression\n",
                prog, o->data, all->nclasses - 1, all->nclasses, all->n);
        goto done;
    }
    if (all->nclasses == 0 && !o->regression && !o->loss_set && !o->quiet)
        fprintf(stderr, "%s: note: the target column is not class indices 0..K-1, so it is "
                "treated as a number (one output, squared error)\n", prog);
    if (o->t.patience > 0 && va->n == 0)
        fprintf(stderr, "%s: warning: --patience needs a validation part (--valid > 0); "
                "no early stopping\n", prog);
    if (!o->loss_set)
        o->t.loss = tr->nclasses >= 2 ? TROP_LOSS_CE : TROP_LOSS_MSE;
    {
        slong np = count_params(o, tr->d, tr->nclasses >= 2 ? tr->nclasses : 1);
        if (np > TROP_MAX_ELEMS) {
            fprintf(stderr, "%s: --arch: the network would have %ld weights and biases; the "
                    "network file holds at most %ld\n", prog, np, (slong)TROP_MAX_ELEMS);
            goto done;
        }
    }
    trop_model_clear(m);
    trop_model_init(m, tr->d);
    if (o->standardize) {
        double *mean = flint_malloc((size_t)tr->d * sizeof(double));
        double *scale = flint_malloc((size_t)tr->d * sizeof(double));
        trop_dataset_standardize_fit(mean, scale, tr);
        trop_dataset_standardize(tr, mean, scale);
        trop_dataset_standardize(va, mean, scale);
        trop_dataset_standardize(te, mean, scale);
        trop_model_set_std(m, mean, scale);
        flint_free(mean);
        flint_free(scale);
    }
    if (tr->nclasses == 0) {
        /* a numeric target is trained standardised (its scale would
         * otherwise set the learning rate) and folded back afterwards */
        target_fit(&R.ymean, &R.yscale, tr);
        target_standardize(tr, R.ymean, R.yscale);
        target_standardize(va, R.ymean, R.yscale);
    } else {
        R.ymean = 0;
        R.yscale = 1;
    }
    build_model(m, o, tr);
    if (o->threads > 0)
        trop_train_set_threads(o->threads);
    R.o = o;
    R.m = m;
    R.train = tr;
    R.pr.on = tool_progress_enabled() && !o->quiet;
    R.idx[0] = -1;
    if (o->regions_every > 0) {
        pick_slice(&R);
        if (R.idx[0] < 0)
            fprintf(stderr, "%s: no three training samples span a plane; no region counts\n",
                    prog);
    }
    o->t.on_epoch = on_epoch;
    o->t.on_batch = on_batch;
    o->t.arg = &R;
    tool_catch_signals();
    if ((st = trop_train_fit(m, &o->t, tr, va, &res, &err)) != TROP_OK) {
        tool_print_error(prog, o->data, &err);
        goto done;
    }
    clear_progress(&R.pr);
    if (o->regions_every > 0 && R.idx[0] >= 0 && !R.region_failed && res.best_epoch > 0
        && R.counted_epoch != res.best_epoch) {
        /* the count the report gives is that of the network written (an
         * interruption skips it) */
        R.last_regions = -1;
        if (!tool_interrupted())
            count_for_epoch(&R, res.best_epoch);
    }
    if (res.epochs_run == 0 && o->t.epochs > 0) {
        fprintf(stderr, "%s: interrupted before the first epoch ended; nothing written\n",
                prog);
        goto done;
    }
    if (tr->nclasses == 0)
        fold_target(m, R.ymean, R.yscale);
    if (te->n > 0 && (st = evaluate(&test, m, o->t.loss, te, &err)) != TROP_OK) {
        tool_print_error(prog, o->test_data ? o->test_data : o->data, &err);
        goto done;
    }
    if ((st = save(o, m, tr, &res, &test, &err)) != TROP_OK) {
        tool_print_error(prog, o->out, &err);
        goto done;
    }
    if (o->json) {
        json_object *root = report_json(o, m, tr, va, &test, &res, &R);
        print_json(root);
        json_object_put(root);
    } else {
        report_text(o, m, tr, va, &test, &res, &R);
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "%s: error writing the report: %s\n", prog, strerror(errno));
        goto done;
    }
    if (res.interrupted) {
        fprintf(stderr, "%s: interrupted; %s holds epoch %ld\n", prog, o->out, res.best_epoch);
        goto done;
    }
    rc = TOOL_EXIT_OK;
done:
    json_object_put(R.epochs);
    flint_free(test.confusion);
    trop_model_clear(m);
    trop_dataset_clear(all);
    trop_dataset_clear(tr);
    trop_dataset_clear(va);
    trop_dataset_clear(te);
    return rc;
}

/* ---- evaluation ---- */

static int run_eval(const tt_opts *o)
{
    trop_net_t net;
    trop_model_t m;
    trop_dataset_t ds;
    trop_error err;
    tt_eval ev;
    trop_loss loss;
    slong out;
    int rc = TOOL_EXIT_FAIL;
    memset(&ev, 0, sizeof ev);
    trop_net_init(net, 1);
    trop_model_init(m, 1);
    trop_dataset_init(ds);
    if (trop_net_read(net, o->eval, &err) != TROP_OK) {
        tool_print_error(prog, o->eval, &err);
        goto done;
    }
    if (trop_model_set_net(m, net, &err) != TROP_OK) {
        tool_print_error(prog, o->eval, &err);
        goto done;
    }
    {   /* the target column and kind the network was trained on, unless given */
        const char *label = o->label ? o->label : trop_net_get_meta(net, "label");
        const char *target = trop_net_get_meta(net, "target");
        if (load(ds, o->data, o->labels, label, &err) != TROP_OK) {
            tool_print_error(prog, o->data, &err);
            goto done;
        }
        if (o->regression || (target && strcmp(target, "number") == 0))
            ds->nclasses = 0;
    }
    out = trop_model_output_dim(m);
    if (ds->nclasses == 0 && out >= 2 && !(o->loss_set && o->t.loss == TROP_LOSS_MSE)) {
        fprintf(stderr, "%s: %s: the target column holds a value that is not a class index "
                "(a negative, fractional or large number), but %s has %ld outputs, one per "
                "class\n", prog, o->data, o->eval, out);
        goto done;
    }
    if (ds->nclasses > 0 && out >= 2) {
        /* labels may not use every class of the network */
        if (ds->nclasses > out) {
            fprintf(stderr, "%s: %s: class labels up to %ld, but %s has %ld outputs\n", prog,
                    o->data, ds->nclasses - 1, o->eval, out);
            goto done;
        }
        ds->nclasses = out;
    }
    loss = o->loss_set ? o->t.loss : ds->nclasses >= 2 && out >= 2 ? TROP_LOSS_CE
                                                                      : TROP_LOSS_MSE;
    if (m->has_std) {
        if (ds->d != m->input_dim) {
            fprintf(stderr, "%s: %s: %ld features, but %s has %ld inputs\n", prog, o->data,
                    ds->d, o->eval, m->input_dim);
            goto done;
        }
        trop_dataset_standardize(ds, m->mean, m->scale);
    }
    if (evaluate(&ev, m, loss, ds, &err) != TROP_OK) {
        tool_print_error(prog, o->data, &err);
        goto done;
    }
    if (o->json) {
        json_object *root = json_root("trop-train-eval");
        json_object_object_add(root, "network", json_object_new_string(o->eval));
        json_object_object_add(root, "data", json_object_new_string(o->data));
        json_object_object_add(root, "arithmetic", json_object_new_string("double"));
        json_object_object_add(root, "eval", json_eval(&ev, loss));
        print_json(root);
        json_object_put(root);
    } else {
        printf("# trop-train-eval v1\n");
        printf("network: %s\ndata: %s (%ld samples, %ld features)\n", o->eval, o->data, ds->n,
               ds->d);
        printf("arithmetic: double\n");
        if (!isnan(ev.acc))
            printf("accuracy: %.4f (%ld of %ld)\n", ev.acc,
                   (slong)floor(ev.acc * (double)ev.n + 0.5), ev.n);
        printf("loss: %.6g (%s)\n", ev.loss, loss_name(loss));
        print_confusion(stdout, &ev);
    }
    rc = fflush(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
done:
    flint_free(ev.confusion);
    trop_net_clear(net);
    trop_model_clear(m);
    trop_dataset_clear(ds);
    return rc;
}

int main(int argc, char **argv)
{
    tt_opts o;
    int rc;
    memset(&o, 0, sizeof o);
    if ((rc = parse_args(&o, argc, argv)) >= 0) {
        flint_free(o.widths);
        return rc;
    }
    rc = o.eval ? run_eval(&o) : run_train(&o);
    flint_free(o.widths);
    flint_cleanup_master();
    return rc;
}
