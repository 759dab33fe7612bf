/* nnet-write.c: the NNet writer.  NNet holds decimals, ReLU hidden layers
 * and a linear output, so only networks of that shape whose every number is
 * a finite decimal (a denominator 2^a 5^b; every float is one) can be
 * written, and then exactly: each number is printed as the decimal it is. */
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>

#include "trop/net.h"
#include "net-internal.h"

/* The exact decimal of x into a new string (flint_free), or NULL when x is
 * not a finite decimal. */
static char *q_decimal(const fmpq_t x)
{
    fmpz_t d, r, num;
    slong a = 0, b = 0, e, i;
    char *digits, *out;
    size_t len;
    int neg = fmpz_sgn(fmpq_numref(x)) < 0;
    fmpz_init(d);
    fmpz_init(r);
    fmpz_init(num);
    fmpz_set(d, fmpq_denref(x));
    while (fmpz_divisible_si(d, 2)) {
        fmpz_divexact_si(d, d, 2);
        a++;
    }
    while (fmpz_divisible_si(d, 5)) {
        fmpz_divexact_si(d, d, 5);
        b++;
    }
    if (!fmpz_is_one(d)) {
        fmpz_clear(d);
        fmpz_clear(r);
        fmpz_clear(num);
        return NULL;
    }
    e = a > b ? a : b;
    /* num = |x| 10^e, an integer */
    fmpz_abs(num, fmpq_numref(x));
    fmpz_set_ui(r, 10);
    fmpz_pow_ui(r, r, (ulong)e);
    fmpz_mul(num, num, r);
    fmpz_divexact(num, num, fmpq_denref(x));
    digits = fmpz_get_str(NULL, 10, num);
    len = strlen(digits);
    out = flint_malloc(len + (size_t)e + 4);
    i = 0;
    if (neg)
        out[i++] = '-';
    if (e == 0) {
        strcpy(out + i, digits);
    } else if ((slong)len > e) {
        memcpy(out + i, digits, len - (size_t)e);
        i += (slong)len - e;
        out[i++] = '.';
        strcpy(out + i, digits + len - (size_t)e);
    } else {
        out[i++] = '0';
        out[i++] = '.';
        memset(out + i, '0', (size_t)(e - (slong)len));
        i += e - (slong)len;
        strcpy(out + i, digits);
    }
    flint_free(digits);
    fmpz_clear(d);
    fmpz_clear(r);
    fmpz_clear(num);
    return out;
}

typedef struct {
    FILE *fp;
    const char *what;   /* the first number that is not a decimal */
    slong layer, index;
} nw;

/* Prints x and a comma; remembers the first number that cannot be. */
static void put(nw *w, const fmpq_t x, const char *what, slong layer, slong index)
{
    char *s = q_decimal(x);
    if (!s) {
        if (!w->what) {
            w->what = what;
            w->layer = layer;
            w->index = index;
        }
        fputs("0,", w->fp);
        return;
    }
    fprintf(w->fp, "%s,", s);
    flint_free(s);
}

static trop_status check_shape(const trop_net_t net, trop_error *err)
{
    slong l;
    for (l = 0; l < net->nlayers; l++) {
        trop_act want = l + 1 < net->nlayers ? TROP_ACT_RELU : TROP_ACT_LINEAR;
        if (net->layers[l].act != want)
            return trop_error_set(err, TROP_ERR_INVALID, "nnet",
                                  "NNet holds ReLU hidden layers and a linear output; layer "
                                  "%ld is %s", l + 1,
                                  net->layers[l].act == TROP_ACT_MAXOUT ? "maxout"
                                  : net->layers[l].act == TROP_ACT_LEAKY ? "leaky ReLU"
                                  : net->layers[l].act == TROP_ACT_RELU ? "ReLU (the output "
                                  "layer must be linear)" : "linear (hidden layers must be "
                                  "ReLU)");
    }
    return TROP_OK;
}

static void put_header(nw *w, const trop_net_t net)
{
    slong l, n = net->input_dim, maxw = n, i;
    fmpq_t t, one, big;
    fmpq_init(t);
    fmpq_init(one);
    fmpq_init(big);
    fmpq_one(one);
    fmpq_set_si(big, 1000000000, 1);
    for (l = 0; l < net->nlayers; l++)
        maxw = net->layers[l].nout > maxw ? net->layers[l].nout : maxw;
    fprintf(w->fp, "// written by libtrop %s (exact decimals)\n", trop_version_string());
    if (!net->has_box)
        fprintf(w->fp, "// the network has no input box: minimum and maximum are +-1e9\n");
    fprintf(w->fp, "%ld,%ld,%ld,%ld,\n%ld,", net->nlayers, n, trop_net_output_dim(net), maxw, n);
    for (l = 0; l < net->nlayers; l++)
        fprintf(w->fp, "%ld,", net->layers[l].nout);
    fputs("\n0,\n", w->fp);
    /* min and max lines in raw coordinates: raw = x range + mean */
    for (l = 0; l < 2; l++) {
        for (i = 0; i < n; i++) {
            if (net->has_box) {
                fmpq_set(t, l == 0 ? net->box_lo + i : net->box_hi + i);
                if (net->has_norm) {
                    fmpq_mul(t, t, net->in_range + i);
                    fmpq_add(t, t, net->in_mean + i);
                }
            } else if (l == 0)
                fmpq_neg(t, big);
            else
                fmpq_set(t, big);
            put(w, t, "the input box", 0, i);
        }
        fputc('\n', w->fp);
    }
    fmpq_zero(t);
    for (l = 0; l < 2; l++) {   /* means, then ranges: n inputs and the output */
        for (i = 0; i < n; i++)
            put(w, net->has_norm ? (l == 0 ? net->in_mean + i : net->in_range + i)
                                 : (l == 0 ? t : one), "the normalisation", 0, i);
        put(w, net->has_norm ? (l == 0 ? net->out_mean : net->out_range) : (l == 0 ? t : one),
            "the normalisation", 0, n);
        fputc('\n', w->fp);
    }
    fmpq_clear(t);
    fmpq_clear(one);
    fmpq_clear(big);
}

trop_status trop_net_write_nnet(const trop_net_t net, const char *path, trop_error *err)
{
    trop_afile f;
    nw w;
    slong l, i, j;
    trop_status st = trop_net_validate(net, err);
    if (st == TROP_OK)
        st = check_shape(net, err);
    if (st != TROP_OK || (st = trop_afile_open(&f, path, err)) != TROP_OK)
        return st;
    memset(&w, 0, sizeof w);
    w.fp = f.fp;
    put_header(&w, net);
    for (l = 0; l < net->nlayers; l++) {
        const trop_layer_struct *L = net->layers + l;
        for (i = 0; i < L->nout; i++) {
            for (j = 0; j < L->nin; j++)
                put(&w, L->W + i * L->nin + j, "a weight", l + 1, i * L->nin + j);
            fputc('\n', w.fp);
        }
        for (i = 0; i < L->nout; i++) {
            put(&w, L->b + i, "a bias", l + 1, i);
            fputc('\n', w.fp);
        }
    }
    if (w.what) {
        trop_afile_abort(&f);
        if (w.layer == 0)
            return trop_error_set(err, TROP_ERR_INVALID, "nnet",
                                  "NNet holds decimals, and %s (input %ld) is not a finite "
                                  "decimal", w.what, w.index);
        return trop_error_set(err, TROP_ERR_INVALID, "nnet",
                              "NNet holds decimals, and %s (layer %ld, entry %ld) is not a "
                              "finite decimal", w.what, w.layer, w.index);
    }
    return trop_afile_commit(&f, err);
}
