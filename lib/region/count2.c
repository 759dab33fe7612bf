/* count2.c: the exact activation regions of a two-input network, counted
 * and, on request, handed to a visitor one by one (for reports). */
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_vec.h>
#include <flint/fmpq.h>
#include <flint/fmpq_vec.h>

#include "region-internal.h"

/* What all threads share: the visitor and its lock. */
typedef struct {
    trop_region2_visit visit;
    void *arg;
    pthread_mutex_t lock;
    int stopped;
    const trop_pqnet_struct *e;
    const slong *units;
} vshared;

/* One thread's counts and scratch. */
typedef struct {
    vshared *sh;
    slong regions, bounded;
    fmpz *map;            /* [nout x 3] */
    fmpz_t t;
} vlocal;

/* map = P - Q of every output: (d/dt0, d/dt1, c+ - c-) of P minus Q's. */
static void rec_map(fmpz *map, fmpz_t t, const trop_xregion2_rec *r)
{
    slong o, j, N = r->N;
    for (o = 0; o < r->nout; o++) {
        const mp_limb_t *p = r->P + 4 * N * o, *q = r->Q + 4 * N * o;
        for (j = 0; j < 3; j++) {
            fmpz *m = map + 3 * o + j;
            fmpz_set_ui_array(m, p + j * N, N);
            fmpz_set_ui_array(t, q + j * N, N);
            fmpz_sub(m, m, t);
        }
        /* the constant: (P.c+ - P.c-) - (Q.c+ - Q.c-) */
        fmpz_set_ui_array(t, p + 3 * N, N);
        fmpz_sub(map + 3 * o + 2, map + 3 * o + 2, t);
        fmpz_set_ui_array(t, q + 3 * N, N);
        fmpz_add(map + 3 * o + 2, map + 3 * o + 2, t);
    }
}

static void emit_count(const trop_xregion2_rec *r, void *arg)
{
    vlocal *v = arg;
    vshared *sh = v->sh;
    int b = _trop_xregion2_bounded(r);
    trop_region2_rec_struct rec;
    v->regions++;
    v->bounded += b;
    if (sh->visit == NULL)
        return;
    rec_map(v->map, v->t, r);
    rec.nlayers = sh->e->nlayers;
    rec.units = sh->units;
    rec.branch = r->br;
    rec.nout = r->nout;
    rec.map = v->map;
    rec.den = sh->e->den;
    rec.bounded = b;
    rec.internal = r;
    pthread_mutex_lock(&sh->lock);
    if (!sh->stopped && sh->visit(&rec, sh->arg) != 0)
        sh->stopped = 1;
    pthread_mutex_unlock(&sh->lock);
}

void trop_region2_rec_point(fmpq *pt, const trop_region2_rec_struct *r)
{
    _trop_xregion2_point(pt, r->internal);
}

slong trop_region2_rec_nvertices(const trop_region2_rec_struct *r)
{
    return _trop_xregion2_nverts(r->internal);
}

void trop_region2_rec_vertex(fmpz *v, const trop_region2_rec_struct *r, slong k)
{
    _trop_xregion2_vertex(v, r->internal, k);
}

int trop_region2_rec_area(fmpq_t area, const trop_region2_rec_struct *r)
{
    slong k, n = trop_region2_rec_nvertices(r);
    fmpz v[3];
    fmpq *x, *y;
    fmpq_t t;
    if (!r->bounded)
        return 0;
    x = _fmpq_vec_init(n);
    y = _fmpq_vec_init(n);
    fmpz_init(v + 0); fmpz_init(v + 1); fmpz_init(v + 2);
    fmpq_init(t);
    for (k = 0; k < n; k++) {
        trop_region2_rec_vertex(v, r, k);
        fmpq_set_fmpz_frac(x + k, v + 0, v + 2);
        fmpq_set_fmpz_frac(y + k, v + 1, v + 2);
    }
    /* the shoelace formula: twice the signed area, positive (counter-clockwise) */
    fmpq_zero(area);
    for (k = 0; k < n; k++) {
        fmpq_mul(t, x + k, y + (k + 1) % n);
        fmpq_add(area, area, t);
        fmpq_mul(t, y + k, x + (k + 1) % n);
        fmpq_sub(area, area, t);
    }
    fmpq_div_2exp(area, area, 1);
    _fmpq_vec_clear(x, n);
    _fmpq_vec_clear(y, n);
    fmpz_clear(v + 0); fmpz_clear(v + 1); fmpz_clear(v + 2);
    fmpq_clear(t);
    return 1;
}

void trop_region2_count_init(trop_region2_count_t c)
{
    memset(c, 0, sizeof *c);
}

void trop_region2_count_clear(trop_region2_count_t c)
{
    trop_free(c->per_layer);
    memset(c, 0, sizeof *c);
}

static slong online_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (slong)n : 1;
}

trop_status trop_region2_count(trop_region2_count_t res, const trop_net_t net, const fmpq *box,
                               trop_region2_visit visit, void *arg,
                               const trop_region2_opts *opts, trop_error *err)
{
    trop_pqnet_t e;
    vshared sh;
    vlocal *loc;
    void **args;
    slong t, l, nth, nout = trop_net_output_dim(net);
    slong *units = trop_malloc((size_t)net->nlayers * sizeof(slong));
    trop_status st;
    TROP_ASSERT(net->input_dim == 2 && net->nlayers >= 1);
    trop_region2_count_clear(res);
    nth = opts != NULL && opts->threads > 0 ? opts->threads : online_threads();
    trop_pqnet_init(e, net);
    for (l = 0; l < net->nlayers; l++)
        units[l] = trop_layer_width(net->layers + l);
    sh.visit = visit;
    sh.arg = arg;
    sh.stopped = 0;
    sh.e = e;
    sh.units = units;
    pthread_mutex_init(&sh.lock, NULL);
    loc = trop_calloc((size_t)nth, sizeof(vlocal));
    args = trop_malloc((size_t)nth * sizeof(void *));
    for (t = 0; t < nth; t++) {
        loc[t].sh = &sh;
        loc[t].map = _fmpz_vec_init(3 * nout);
        fmpz_init(loc[t].t);
        args[t] = loc + t;
    }
    res->nlayers = net->nlayers;
    res->per_layer = trop_calloc((size_t)net->nlayers, sizeof(slong));
    /* without a visitor nothing needs the exact maps: the fast mode */
    st = _trop_xregion2_enum(e, visit == NULL ? net : NULL, box, emit_count, args, nth,
                             res->per_layer, opts, err);
    for (t = 0; t < nth; t++) {
        res->regions += loc[t].regions;
        res->bounded += loc[t].bounded;
        _fmpz_vec_clear(loc[t].map, 3 * nout);
        fmpz_clear(loc[t].t);
    }
    pthread_mutex_destroy(&sh.lock);
    trop_free(loc);
    trop_free(args);
    trop_free(units);
    trop_pqnet_clear(e);
    return st;
}
