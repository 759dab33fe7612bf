/* io.c: format detection, the generic readers, and helpers shared by the
 * format-specific readers (nnet.c, json.c, bin.c). */
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "trop/net.h"
#include "net-internal.h"

static const unsigned char bin_magic[8] = {'T', 'R', 'O', 'P', 'N', 'E', 'T', 0};

size_t _trop_net_bom_len(const char *buf, size_t len)
{
    return (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB
            && (unsigned char)buf[2] == 0xBF) ? 3 : 0;
}

void _trop_net_set_norm(trop_net_t net, const fmpq *in_mean, const fmpq *in_range,
                        const fmpq_t out_mean, const fmpq_t out_range)
{
    slong i, n = net->input_dim;
    if (!net->has_norm) {
        net->in_mean = _fmpq_vec_init(n);
        net->in_range = _fmpq_vec_init(n);
        net->has_norm = 1;
    }
    for (i = 0; i < n; i++) {
        fmpq_set(net->in_mean + i, in_mean + i);
        fmpq_set(net->in_range + i, in_range + i);
    }
    fmpq_set(net->out_mean, out_mean);
    fmpq_set(net->out_range, out_range);
}

trop_status _trop_net_read_finish(trop_net_t net, trop_net_t tmp, trop_status st)
{
    if (st == TROP_OK) {
        trop_net_swap(net, tmp);
        trop_net_clear(tmp);   /* the previous contents of net */
        return TROP_OK;
    }
    trop_net_clear(tmp);
    trop_net_clear(net);
    trop_net_init(net, 1);
    return st;
}

/* Length of the UTF-8 sequence starting with lead byte c (0 if invalid). */
static int utf8_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

int _trop_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = (size_t)utf8_len(u[i]), j;
        unsigned cp;
        if (k == 0 || u[i] == 0 || i + k > n)
            return 0;
        cp = k == 1 ? u[i] : (unsigned)(u[i] & (0x7F >> k));
        for (j = 1; j < k; j++) {
            if ((u[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (u[i + j] & 0x3F);
        }
        /* overlong 3/4-byte forms, surrogates, and beyond U+10FFFF */
        if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF))
            || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k;
    }
    return 1;
}

trop_net_format trop_net_detect(const unsigned char *buf, size_t len)
{
    size_t i = _trop_net_bom_len((const char *)buf, len);
    if (len == 0)
        return TROP_NET_FORMAT_UNKNOWN;
    /* a proper prefix of the magic is a truncated net.bin, not NNet text */
    if (memcmp(buf, bin_magic, len < 8 ? len : 8) == 0)
        return TROP_NET_FORMAT_BIN;
    /* an ONNX ModelProto starts with field 1, ir_version (tag byte 0x08),
     * which no text format can */
    if (buf[0] == 0x08)
        return TROP_NET_FORMAT_ONNX;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
        i++;
    if (i < len && buf[i] == '{')
        return TROP_NET_FORMAT_JSON;
    return TROP_NET_FORMAT_NNET;
}

trop_status trop_net_read_buffer(trop_net_t net, const char *buf, size_t len,
                                 const char *name, trop_error *err)
{
    trop_net_t tmp;
    if (name == NULL)
        name = TROP_NET_NONAME;
    switch (trop_net_detect((const unsigned char *)buf, len)) {
    case TROP_NET_FORMAT_BIN:
        return trop_net_read_bin(net, (const unsigned char *)buf, len, name, err);
    case TROP_NET_FORMAT_JSON:
        return trop_net_read_json(net, buf, len, name, err);
    case TROP_NET_FORMAT_NNET:
        return trop_net_read_nnet(net, buf, len, name, err);
    case TROP_NET_FORMAT_ONNX:
        return trop_net_read_onnx(net, (const unsigned char *)buf, len, name, err);
    case TROP_NET_FORMAT_UNKNOWN:
        break;
    }
    trop_net_init(tmp, 1);
    return _trop_net_read_finish(net, tmp, trop_error_set(err, TROP_ERR_FORMAT, "net",
                                                          "%s: empty file", name));
}

trop_status trop_net_read(trop_net_t net, const char *path, trop_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    trop_status st = trop_file_read_all(path, &buf, &len, err);
    if (st != TROP_OK) {
        trop_net_t tmp;
        trop_net_init(tmp, 1);
        return _trop_net_read_finish(net, tmp, st);
    }
    st = trop_net_read_buffer(net, buf, len, path, err);
    trop_free(buf);
    return st;
}
