/* trop-convert: reads a network in any format libtrop reads (net.bin, NNet,
 * JSON, ONNX) and writes it as net.bin, JSON or NNet, exactly, when the
 * target can express it.  See docs/trop-convert.md and
 * docs/man/trop-convert.1. */
#include <getopt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gmp.h>
#include <flint/flint.h>
#include "trop/trop.h"
#include "common.h"

static const char *prog = "trop-convert";

static void usage(FILE *fp)
{
    fprintf(fp,
"Usage: trop-convert IN -o OUT [--to bin|json|nnet|onnx] [--encoding rational|f64]\n"
"Convert a network between formats, exactly.  IN is a net.bin, NNet, JSON or\n"
"ONNX file (detected by content); OUT is written atomically as net.bin, JSON,\n"
"NNet or ONNX, chosen by --to or by OUT's extension (.bin, .json, .nnet,\n"
".onnx).  Every number is carried exactly: a target that cannot express the\n"
"network (NNet holds only ReLU hidden layers, a linear output and finite\n"
"decimals; ONNX holds floats) is an error, never an approximation.\n"
"\n"
"Options:\n"
"  -o, --output OUT       the file to write (required); - is standard output\n"
"                         (with --to; not a terminal for bin and onnx)\n"
"  --to bin|json|nnet|onnx\n"
"                         the target format (default: from OUT's extension)\n"
"  --encoding rational|f64\n"
"                         net.bin number encoding (default: f64 when every\n"
"                         number is a double, else rational)\n"
"  -q, --quiet            no summary line on stderr\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Exit status: 0 ok, 1 the network could not be read or written, 2 usage error.\n");
}

enum { TO_NONE, TO_BIN, TO_JSON, TO_NNET, TO_ONNX };

static int format_of(const char *s)
{
    return !strcmp(s, "bin") ? TO_BIN : !strcmp(s, "json") ? TO_JSON
         : !strcmp(s, "nnet") ? TO_NNET : !strcmp(s, "onnx") ? TO_ONNX : TO_NONE;
}

static int format_of_path(const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return TO_NONE;
    return format_of(dot + 1);
}

/* Writes net as format to (a path; atomically). */
static trop_status write_net(const trop_net_t net, const char *to_path, int to, int enc,
                             trop_error *err)
{
    if (to == TO_BIN)
        return trop_net_write_bin(net, to_path, enc ? (trop_net_encoding)enc
                                  : trop_net_is_f64(net) ? TROP_NET_ENC_F64
                                  : TROP_NET_ENC_RATIONAL, err);
    if (to == TO_JSON)
        return trop_net_write_json(net, to_path, err);
    if (to == TO_ONNX)
        return trop_net_write_onnx(net, to_path, err);
    return trop_net_write_nnet(net, to_path, err);
}

/* -o -: the writers write files atomically, so the network goes to a
 * temporary file that is then copied to standard output. */
static trop_status write_stdout(const trop_net_t net, int to, int enc, trop_error *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096], buf[65536];
    int fd;
    size_t n;
    FILE *fp;
    trop_status st;
    snprintf(path, sizeof path, "%s/trop-convert-XXXXXX", dir && *dir ? dir : "/tmp");
    if ((fd = mkstemp(path)) < 0)
        return trop_error_set(err, TROP_ERR_IO, "io", "%s: cannot make a temporary file: %s",
                              path, strerror(errno));
    close(fd);
    if ((st = write_net(net, path, to, enc, err)) == TROP_OK) {
        if (!(fp = fopen(path, "rb")))
            st = trop_error_set(err, TROP_ERR_IO, "io", "%s: %s", path, strerror(errno));
        else {
            while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
                if (fwrite(buf, 1, n, stdout) != n)
                    break;
            if (ferror(fp) || fflush(stdout) != 0 || ferror(stdout))
                st = trop_error_set(err, TROP_ERR_IO, "io", "error writing to standard "
                                    "output");
            fclose(fp);
        }
    }
    remove(path);
    return st;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"output", required_argument, 0, 'o'}, {"to", required_argument, 0, 't'},
        {"encoding", required_argument, 0, 'e'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    const char *in = NULL, *out = NULL;
    int to = TO_NONE, c, quiet = 0, enc = 0;
    trop_net_t net;
    trop_error err;
    trop_status st;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qhV", longs, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 't':
            if ((to = format_of(optarg)) == TO_NONE)
                return tool_usage_error(prog, "--to needs bin, json, nnet or onnx, not '%s'",
                                        optarg);
            break;
        case 'e':
            if (strcmp(optarg, "rational") && strcmp(optarg, "f64"))
                return tool_usage_error(prog, "--encoding needs rational or f64, not '%s'",
                                        optarg);
            enc = strcmp(optarg, "f64") ? TROP_NET_ENC_RATIONAL : TROP_NET_ENC_F64;
            break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return TOOL_EXIT_OK;
        case 'V': printf("%s %s\n", prog, trop_version_string()); return TOOL_EXIT_OK;
        case ':': return tool_usage_error(prog, "option '%s' needs a value", argv[optind - 1]);
        default: return tool_usage_error(prog, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return tool_usage_error(prog, optind >= argc ? "the input network is required"
                                                     : "one input network only");
    in = argv[optind];
    if (!out)
        return tool_usage_error(prog, "-o OUT is required");
    if (!strcmp(out, "-") && to == TO_NONE)
        return tool_usage_error(prog, "-o - (standard output) needs --to bin|json|nnet|onnx");
    if (!strcmp(out, "-") && (to == TO_BIN || to == TO_ONNX) && isatty(STDOUT_FILENO))
        return tool_usage_error(prog, "%s is binary: not written to a terminal (redirect "
                                "standard output or give a file name)", to == TO_BIN
                                ? "net.bin" : "ONNX");
    if (to == TO_NONE && (to = format_of_path(out)) == TO_NONE)
        return tool_usage_error(prog, "cannot tell the target format from '%s': give --to "
                                "bin|json|nnet|onnx", out);
    if (enc && to != TO_BIN)
        return tool_usage_error(prog, "--encoding applies to net.bin only");
    trop_net_init(net, 1);
    if ((st = trop_net_read(net, in, &err)) != TROP_OK) {
        tool_print_error(prog, in, &err);
        trop_net_clear(net);
        flint_cleanup_master();
        return TOOL_EXIT_FAIL;
    }
    st = strcmp(out, "-") ? write_net(net, out, to, enc, &err) : write_stdout(net, to, enc, &err);
    if (st == TROP_OK && to == TO_ONNX && (net->has_norm || net->has_box) && !quiet)
        fprintf(stderr, "%s: note: ONNX gets the layers only: the graph takes the inputs the "
                "weights see (normalised, for NNet), and the input box is not written\n",
                prog);
    if (st != TROP_OK)
        tool_print_error(prog, out, &err);
    else if (!quiet)
        fprintf(stderr, "%s: %s -> %s (%s): %ld inputs, %ld layers, %ld outputs, exact\n", prog,
                in, strcmp(out, "-") ? out : "standard output", to == TO_BIN ? "net.bin" : to == TO_JSON ? "JSON"
                : to == TO_ONNX ? "ONNX" : "NNet",
                net->input_dim, net->nlayers, trop_net_output_dim(net));
    trop_net_clear(net);
    flint_cleanup_master();
    return st == TROP_OK ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}
