/* net-internal.h: helpers shared by the network readers and writers
 * (nnet.c, json.c, bin.c, io.c).  Not installed. */
#ifndef TROP_NET_INTERNAL_H
#define TROP_NET_INTERNAL_H

#include "trop/net.h"

/* Name used in messages when a reader is given none. */
#define TROP_NET_NONAME "<buffer>"

/* Length of a UTF-8 byte order mark at the start of buf (3 or 0). */
size_t _trop_net_bom_len(const char *buf, size_t len);

/* Sets the normalisation of net (copied).  Shapes: in_mean, in_range:
 * [input_dim].  Replaces an existing normalisation. */
void _trop_net_set_norm(trop_net_t net, const fmpq *in_mean, const fmpq *in_range,
                        const fmpq_t out_mean, const fmpq_t out_range);

/* Ends a read: on TROP_OK moves tmp into net, otherwise leaves net empty
 * with input_dim 1 (the documented state after a failed read).  tmp is
 * cleared in both cases.  Returns st. */
trop_status _trop_net_read_finish(trop_net_t net, trop_net_t tmp, trop_status st);

/* 1 if the n bytes at s are valid UTF-8 with no NUL byte. */
int _trop_utf8_valid(const char *s, size_t n);

/* 1 if x is exactly a double (f32 = 0) or a float (f32 = 1); the vector
 * form for v: [len].  Used by trop_net_is_f64 and the ONNX writer. */
int _trop_q_is_binary(const fmpq_t x, int f32);
int _trop_qvec_is_binary(const fmpq *v, slong len, int f32);

#endif
