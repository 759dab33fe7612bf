/* trat.c: a network to one tropical rational function per output.
 *
 * Every unit carries a pair (P, Q) of tropical polynomials with value
 * P(x) - Q(x).  The inputs are (x_j, 0).  An affine row z = sum_j w_j h_j + b
 * with h_j = P_j - Q_j splits w = w+ - w- (Zhang, Naitzat and Lim 2018, §5):
 *     H = b (.) prod_j P_j^(w+_j) (.) Q_j^(w-_j),   G = prod_j Q_j^(w+_j) (.) P_j^(w-_j),
 * so that z = H - G.  The activations (derived in docs/tpoly.md):
 *     linear, leaky slope 1:  (H, G)
 *     relu:                   (H (+) G, G)
 *     leaky 0 <= s <= 1:      ((H (.) G^s) (+) (H^s (.) G), G^(1+s))
 *     leaky s < 0:            (H^(1-s) (+) G^(1-s), G (.) H^(-s))
 *     leaky s > 1 (a min):    (H^(1+s), (G (.) H^s) (+) (G^s (.) H))
 *     maxout of z_1..z_k:     ((+)_r H_r (.) prod_{t != r} G_t, prod_t G_t)
 * Every product is pruned as soon as it is formed, so the term lists stay at
 * the size of the functions they represent. */
#include <string.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "tpoly-internal.h"

typedef struct {
    int prune;
    trop_prune_stats *st;
    trop_error *err;
    trop_prune_stats *ost;   /* this output's statistics (last layer), or NULL */
    const trop_tconv_opts *opts;
    slong layer, nlayers, terms;
    slong unit, width;       /* the unit in progress (1-based) and the layer width */
} conv_ctx;

static void stats_add(trop_prune_stats *a, const trop_prune_stats *b)
{
    a->input += b->input;
    a->kept += b->kept;
    a->dropped += b->dropped;
    a->certified_qhull += b->certified_qhull;
    a->certified_exact += b->certified_exact;
    a->certified_lp += b->certified_lp;
}

/* Calls the progress callback (it throttles its own drawing); a nonzero
 * answer stops the conversion.  Called after every pruning, so an
 * interrupt is seen within one pruning. */
static trop_status tick(conv_ctx *c, slong unit, slong width)
{
    if (c->opts != NULL && c->opts->progress != NULL
        && c->opts->progress(c->layer, c->nlayers, unit, width, c->terms, c->opts->progress_arg))
        return trop_error_set(c->err, TROP_ERR_INTERRUPTED, "tpoly",
                              "stopped in layer %ld, unit %ld", c->layer, unit);
    return TROP_OK;
}

/* Asked during a pruning: the progress callback, as tick. */
static int stop_requested(void *arg)
{
    conv_ctx *c = arg;
    return c->opts != NULL && c->opts->progress != NULL
           && c->opts->progress(c->layer, c->nlayers, c->unit, c->width, c->terms,
                                c->opts->progress_arg);
}

static trop_status maybe_prune(trop_tpoly_t f, conv_ctx *c)
{
    trop_prune_stats st = {0, 0, 0, 0, 0, 0};
    trop_status s;
    if (!c->prune)
        return TROP_OK;
    s = _trop_tpoly_prune_stoppable(f, &st, stop_requested, c, c->err);
    if (c->st != NULL)
        stats_add(c->st, &st);
    if (c->ost != NULL)
        stats_add(c->ost, &st);
    return s == TROP_OK ? tick(c, c->unit, c->width) : s;
}

/* f = g (.) h unless the product would have more candidate terms than
 * opts->max_candidates allows (then TROP_ERR_LIMIT and f is unchanged). */
static trop_status mul_checked(trop_tpoly_t f, const trop_tpoly_t g, const trop_tpoly_t h,
                               conv_ctx *c)
{
    slong lim = c->opts != NULL ? c->opts->max_candidates : 0;
    if (lim > 0 && h->length > 0 && g->length > lim / h->length)
        return trop_error_set(c->err, TROP_ERR_LIMIT, "tpoly",
                              "layer %ld, unit %ld: a tropical product would have %ld x %ld "
                              "candidate terms, above the limit of %ld", c->layer, c->unit,
                              g->length, h->length, lim);
    trop_tpoly_mul(f, g, h);
    return TROP_OK;
}

/* acc = acc (.) g^s (s > 0), pruned. */
static trop_status mul_pow(trop_tpoly_t acc, const trop_tpoly_t g, const fmpq_t s, conv_ctx *c)
{
    trop_tpoly_t t;
    trop_status st;
    trop_tpoly_init(t, g->nvars);
    if (fmpq_is_one(s))
        st = mul_checked(acc, acc, g, c);
    else {
        trop_tpoly_pow(t, g, s);
        st = mul_checked(acc, acc, t, c);
    }
    trop_tpoly_clear(t);
    return st == TROP_OK ? maybe_prune(acc, c) : st;
}

/* H and G of row i of layer L from the previous pairs (P[j], Q[j]). */
static trop_status affine_row(trop_tpoly_t H, trop_tpoly_t G, const trop_layer_struct *L,
                              slong i, const trop_trat_struct *prev, conv_ctx *c)
{
    slong j;
    fmpq_t w;
    trop_status s = TROP_OK;
    fmpq_init(w);
    trop_tpoly_one(H);
    trop_tpoly_one(G);
    for (j = 0; j < L->nin && s == TROP_OK; j++) {
        const fmpq *wij = L->W + i * L->nin + j;
        if (fmpq_is_zero(wij))
            continue;
        fmpq_abs(w, wij);
        if (fmpq_sgn(wij) > 0) {
            s = mul_pow(H, prev[j].num, w, c);
            if (s == TROP_OK)
                s = mul_pow(G, prev[j].den, w, c);
        } else {
            s = mul_pow(H, prev[j].den, w, c);
            if (s == TROP_OK)
                s = mul_pow(G, prev[j].num, w, c);
        }
    }
    trop_tpoly_add_const(H, H, L->b + i);
    fmpq_clear(w);
    return s;
}

/* res = g^s1 (.) h^s2 (s1, s2 >= 0), pruned. */
static trop_status pow_pair(trop_tpoly_t res, const trop_tpoly_t g, const fmpq_t s1,
                            const trop_tpoly_t h, const fmpq_t s2, conv_ctx *c)
{
    trop_tpoly_t t;
    trop_status st;
    trop_tpoly_init(t, g->nvars);
    trop_tpoly_pow(res, g, s1);
    trop_tpoly_pow(t, h, s2);
    st = mul_checked(res, res, t, c);
    trop_tpoly_clear(t);
    return st == TROP_OK ? maybe_prune(res, c) : st;
}

static trop_status leaky_pair(trop_trat_struct *out, trop_tpoly_t H, trop_tpoly_t G,
                              const fmpq_t s, conv_ctx *c)
{
    fmpq_t one, a, b;
    trop_tpoly_t t;
    trop_status st;
    fmpq_init(one); fmpq_init(a); fmpq_init(b);
    trop_tpoly_init(t, H->nvars);
    fmpq_one(one);
    if (fmpq_sgn(s) < 0) {                       /* s < 0 */
        fmpq_sub(a, one, s);                     /* 1 - s */
        fmpq_neg(b, s);                          /* -s */
        trop_tpoly_pow(out->num, H, a);
        trop_tpoly_pow(t, G, a);
        trop_tpoly_add(out->num, out->num, t);
        st = maybe_prune(out->num, c);
        if (st == TROP_OK)
            st = pow_pair(out->den, G, one, H, b, c);
    } else if (fmpq_cmp(s, one) <= 0) {          /* 0 <= s <= 1 */
        fmpq_add(a, one, s);
        st = pow_pair(out->num, H, one, G, s, c);
        if (st == TROP_OK)
            st = pow_pair(t, H, s, G, one, c);
        trop_tpoly_add(out->num, out->num, t);
        if (st == TROP_OK)
            st = maybe_prune(out->num, c);
        trop_tpoly_pow(out->den, G, a);
    } else {                                     /* s > 1: a minimum */
        fmpq_add(a, one, s);
        trop_tpoly_pow(out->num, H, a);
        st = pow_pair(out->den, G, one, H, s, c);
        if (st == TROP_OK)
            st = pow_pair(t, G, s, H, one, c);
        trop_tpoly_add(out->den, out->den, t);
        if (st == TROP_OK)
            st = maybe_prune(out->den, c);
    }
    trop_tpoly_clear(t);
    fmpq_clear(one); fmpq_clear(a); fmpq_clear(b);
    return st;
}

static trop_status relu_pair(trop_trat_struct *out, trop_tpoly_t H, trop_tpoly_t G,
                             conv_ctx *c)
{
    trop_tpoly_add(out->num, H, G);
    trop_tpoly_set(out->den, G);
    return maybe_prune(out->num, c);
}

/* Maxout unit over rows r0 .. r0+k-1 whose pairs are (H[r], G[r]). */
static trop_status maxout_pair(trop_trat_struct *out, trop_tpoly_struct *H,
                               trop_tpoly_struct *G, slong k, conv_ctx *c)
{
    slong r, t;
    trop_tpoly_t term;
    trop_status s = TROP_OK;
    trop_tpoly_init(term, H->nvars);
    trop_tpoly_zero(out->num);
    trop_tpoly_one(out->den);
    for (r = 0; r < k && s == TROP_OK; r++) {
        trop_tpoly_set(term, H + r);
        for (t = 0; t < k && s == TROP_OK; t++) {
            if (t == r)
                continue;
            s = mul_checked(term, term, G + t, c);
            if (s == TROP_OK)
                s = maybe_prune(term, c);
        }
        trop_tpoly_add(out->num, out->num, term);
        if (s == TROP_OK)
            s = maybe_prune(out->num, c);
        if (s == TROP_OK)
            s = mul_checked(out->den, out->den, G + r, c);
        if (s == TROP_OK)
            s = maybe_prune(out->den, c);
    }
    trop_tpoly_clear(term);
    return s;
}

static trop_status layer_apply(trop_trat_struct *next, const trop_layer_struct *L,
                               const trop_trat_struct *prev, slong nvars, conv_ctx *c)
{
    slong i, r, k = L->k;
    trop_status s = TROP_OK;
    trop_tpoly_struct *H = flint_malloc((size_t)k * sizeof(trop_tpoly_struct));
    trop_tpoly_struct *G = flint_malloc((size_t)k * sizeof(trop_tpoly_struct));
    for (r = 0; r < k; r++) {
        trop_tpoly_init(H + r, nvars);
        trop_tpoly_init(G + r, nvars);
    }
    c->width = trop_layer_width(L);
    for (i = 0; i < trop_layer_width(L) && s == TROP_OK; i++) {
        c->unit = i + 1;
        if (c->opts != NULL && c->opts->output_stats != NULL && c->layer == c->nlayers)
            c->ost = c->opts->output_stats + i;   /* before the affine step: it counts too */
        for (r = 0; r < k && s == TROP_OK; r++)
            s = affine_row(H + r, G + r, L, i * k + r, prev, c);
        if (s != TROP_OK)
            break;
        if (L->act == TROP_ACT_LINEAR || (L->act == TROP_ACT_LEAKY && fmpq_is_one(L->slope))) {
            trop_tpoly_swap(next[i].num, H);
            trop_tpoly_swap(next[i].den, G);
        } else if (L->act == TROP_ACT_RELU)
            s = relu_pair(next + i, H, G, c);
        else if (L->act == TROP_ACT_LEAKY)
            s = leaky_pair(next + i, H, G, L->slope, c);
        else
            s = maxout_pair(next + i, H, G, k, c);
        c->terms += next[i].num->length + next[i].den->length;
        if (s == TROP_OK)
            s = tick(c, i + 1, trop_layer_width(L));
    }
    for (r = 0; r < k; r++) {
        trop_tpoly_clear(H + r);
        trop_tpoly_clear(G + r);
    }
    flint_free(H);
    flint_free(G);
    return s;
}

static trop_trat_struct *pairs_init(slong len, slong nvars)
{
    trop_trat_struct *v = flint_malloc((size_t)len * sizeof(trop_trat_struct));
    slong i;
    for (i = 0; i < len; i++)
        trop_trat_init(v + i, nvars);
    return v;
}

static void pairs_clear(trop_trat_struct *v, slong len)
{
    slong i;
    for (i = 0; i < len; i++)
        trop_trat_clear(v + i);
    flint_free(v);
}

trop_status trop_trat_vec_set_net(trop_trat_struct *res, const trop_net_t net,
                                  const trop_tconv_opts *opts, trop_prune_stats *stats,
                                  trop_error *err)
{
    slong n = net->input_dim, l, j, width = n;
    trop_trat_struct *cur = pairs_init(n, n), *next;
    fmpq *e = _fmpq_vec_init(n);
    conv_ctx c;
    trop_status s = TROP_OK;
    c.prune = opts ? opts->prune : 1;
    c.st = stats;
    c.err = err;
    c.opts = opts;
    c.ost = NULL;
    c.nlayers = net->nlayers;
    for (j = 0; j < n; j++) {            /* input j is x_j - 0 */
        fmpq_one(e + j);
        trop_tpoly_set_term(cur[j].num, e, NULL);
        trop_tpoly_one(cur[j].den);
        fmpq_zero(e + j);
    }
    _fmpq_vec_clear(e, n);
    for (l = 0; l < net->nlayers && s == TROP_OK; l++) {
        const trop_layer_struct *L = net->layers + l;
        next = pairs_init(trop_layer_width(L), n);
        c.layer = l + 1;
        c.terms = 0;
        s = layer_apply(next, L, cur, n, &c);
        pairs_clear(cur, width);
        cur = next;
        width = trop_layer_width(L);
    }
    for (j = 0; j < width && s == TROP_OK; j++) {
        trop_tpoly_swap(res[j].num, cur[j].num);
        trop_tpoly_swap(res[j].den, cur[j].den);
    }
    pairs_clear(cur, width);
    return s;
}
