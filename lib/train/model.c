/* model.c: the float network model: memory, initialisation, forward pass.
 * The dense products go through CBLAS (OpenBLAS); STYLE.md section 6: no
 * exact arithmetic here. */
#include <math.h>
#include <string.h>
#include <cblas.h>
#include "trop/train.h"
#include "train-internal.h"

void trop_model_init(trop_model_t m, slong input_dim)
{
    TROP_ASSERT(input_dim >= 1);
    memset(m, 0, sizeof(trop_model_struct));
    m->input_dim = input_dim;
}

static void layer_clear(trop_model_layer_struct *L)
{
    trop_free(L->W);
    trop_free(L->b);
}

void trop_model_clear(trop_model_t m)
{
    slong l;
    for (l = 0; l < m->nlayers; l++)
        layer_clear(m->layers + l);
    trop_free(m->layers);
    trop_free(m->mean);
    trop_free(m->scale);
    memset(m, 0, sizeof(trop_model_struct));
}

slong trop_model_layer_width(const trop_model_layer_struct *L)
{
    return L->nout / L->k;
}

slong trop_model_output_dim(const trop_model_t m)
{
    return m->nlayers ? trop_model_layer_width(m->layers + m->nlayers - 1) : m->input_dim;
}

slong trop_model_num_params(const trop_model_t m)
{
    slong l, s = 0;
    for (l = 0; l < m->nlayers; l++)
        s += m->layers[l].nout * (m->layers[l].nin + 1);
    return s;
}

trop_model_layer_struct *trop_model_append_layer(trop_model_t m, slong nout, trop_act act,
                                                 slong slope_num, slong slope_den, slong k)
{
    trop_model_layer_struct *L;
    TROP_ASSERT(nout >= 1 && k >= 1 && nout % k == 0 && slope_den >= 1);
    TROP_ASSERT(act == TROP_ACT_MAXOUT || k == 1);
    TROP_ASSERT(k <= 255);   /* the workspace keeps maxout winners in a byte */
    if (m->nlayers == m->alloc) {
        m->alloc = m->alloc ? 2 * m->alloc : 4;
        m->layers = trop_realloc(m->layers, (size_t)m->alloc * sizeof(trop_model_layer_struct));
    }
    L = m->layers + m->nlayers;
    L->nin = trop_model_output_dim(m);
    L->nout = nout;
    L->W = trop_calloc((size_t)(nout * L->nin), sizeof(double));
    L->b = trop_calloc((size_t)nout, sizeof(double));
    L->act = act;
    L->k = k;
    if (act == TROP_ACT_LEAKY) {
        L->slope_num = slope_num;
        L->slope_den = slope_den;
    } else {
        L->slope_num = 0;
        L->slope_den = 1;
    }
    L->slope = (double)L->slope_num / (double)L->slope_den;
    m->nlayers++;
    return L;
}

void trop_model_set_std(trop_model_t m, const double *mean, const double *scale)
{
    slong j;
    if (!m->has_std) {
        m->mean = trop_malloc((size_t)m->input_dim * sizeof(double));
        m->scale = trop_malloc((size_t)m->input_dim * sizeof(double));
        m->has_std = 1;
    }
    for (j = 0; j < m->input_dim; j++) {
        TROP_ASSERT(scale[j] > 0);
        m->mean[j] = mean[j];
        m->scale[j] = scale[j];
    }
}

static void copy_shape(trop_model_t res, const trop_model_t a)
{
    slong l;
    trop_model_clear(res);
    trop_model_init(res, a->input_dim);
    for (l = 0; l < a->nlayers; l++) {
        const trop_model_layer_struct *L = a->layers + l;
        trop_model_append_layer(res, L->nout, L->act, L->slope_num, L->slope_den, L->k);
    }
}

void trop_model_set(trop_model_t res, const trop_model_t a)
{
    slong l;
    TROP_ASSERT(res != a);
    copy_shape(res, a);
    for (l = 0; l < a->nlayers; l++) {
        const trop_model_layer_struct *L = a->layers + l;
        memcpy(res->layers[l].W, L->W, (size_t)(L->nout * L->nin) * sizeof(double));
        memcpy(res->layers[l].b, L->b, (size_t)L->nout * sizeof(double));
    }
    if (a->has_std)
        trop_model_set_std(res, a->mean, a->scale);
}

void trop_model_zero_like(trop_model_t res, const trop_model_t a)
{
    TROP_ASSERT(res != a);
    copy_shape(res, a);
}

/* A standard normal deviate (Box-Muller on two 53-bit uniforms; the first
 * is shifted into (0, 1] so that its logarithm is finite). */
static double rng_normal(trop_rng *r)
{
    const double two53 = 9007199254740992.0, pi2 = 6.283185307179586;
    double u1 = ((double)(trop_rng_u64(r) >> 11) + 1.0) / two53;
    double u2 = (double)(trop_rng_u64(r) >> 11) / two53;
    return sqrt(-2.0 * log(u1)) * cos(pi2 * u2);
}

/* Uniform in [-1, 1). */
static double rng_sym(trop_rng *r)
{
    return 2.0 * ((double)(trop_rng_u64(r) >> 11) / 9007199254740992.0) - 1.0;
}

void trop_model_init_weights(trop_model_t m, trop_init kind, unsigned long long seed)
{
    trop_rng r;
    slong l, i;
    trop_rng_init(&r, seed);
    for (l = 0; l < m->nlayers; l++) {
        trop_model_layer_struct *L = m->layers + l;
        slong len = L->nout * L->nin;
        if (kind == TROP_INIT_GLOROT) {
            double a = sqrt(6.0 / (double)(L->nin + L->nout));
            for (i = 0; i < len; i++)
                L->W[i] = a * rng_sym(&r);
        } else {
            /* gain^2 = 2 / (1 + s^2) for a rectifier of negative slope s
             * (He et al. 2015, eq. (15)); a linear layer has gain 1 */
            double gain2 = L->act == TROP_ACT_LINEAR ? 1.0
                         : 2.0 / (1.0 + L->slope * L->slope);
            double sd = sqrt(gain2 / (double)L->nin);
            for (i = 0; i < len; i++)
                L->W[i] = sd * rng_normal(&r);
        }
        memset(L->b, 0, (size_t)L->nout * sizeof(double));
    }
}

/* ---- workspace ---- */

void _trop_ws_init(_trop_ws *ws, const trop_model_t m, slong cap)
{
    slong l, L = m->nlayers;
    ws->cap = cap;
    ws->nlayers = L;
    ws->Z = trop_calloc((size_t)L, sizeof(double *));
    ws->H = trop_calloc((size_t)L, sizeof(double *));
    ws->dZ = trop_calloc((size_t)L, sizeof(double *));
    ws->dH = trop_calloc((size_t)L, sizeof(double *));
    ws->arg = trop_calloc((size_t)L, sizeof(unsigned char *));
    for (l = 0; l < L; l++) {
        const trop_model_layer_struct *Ly = m->layers + l;
        size_t zn = (size_t)(cap * Ly->nout), hn = (size_t)(cap * trop_model_layer_width(Ly));
        ws->Z[l] = trop_malloc(zn * sizeof(double));
        ws->dH[l] = trop_malloc(hn * sizeof(double));
        if (Ly->act == TROP_ACT_LINEAR) {
            ws->H[l] = ws->Z[l];
            ws->dZ[l] = ws->dH[l];
        } else {
            ws->H[l] = trop_malloc(hn * sizeof(double));
            ws->dZ[l] = trop_malloc(zn * sizeof(double));
        }
        if (Ly->act == TROP_ACT_MAXOUT)
            ws->arg[l] = trop_malloc(hn);
    }
}

void _trop_ws_clear(_trop_ws *ws)
{
    slong l;
    for (l = 0; l < ws->nlayers; l++) {
        if (ws->H[l] != ws->Z[l])
            trop_free(ws->H[l]);
        if (ws->dZ[l] != ws->dH[l])
            trop_free(ws->dZ[l]);
        trop_free(ws->Z[l]);
        trop_free(ws->dH[l]);
        trop_free(ws->arg[l]);
    }
    trop_free(ws->Z);
    trop_free(ws->H);
    trop_free(ws->dZ);
    trop_free(ws->dH);
    trop_free(ws->arg);
}

/* H = act(Z) for n rows of one layer (maxout: H[i][j] = max of the group,
 * arg[i][j] its first maximal row). */
static void activate(double *H, unsigned char *arg, const double *Z, slong n,
                     const trop_model_layer_struct *L)
{
    slong i, len = n * L->nout;
    if (L->act == TROP_ACT_RELU) {
        for (i = 0; i < len; i++)
            H[i] = Z[i] > 0 ? Z[i] : 0.0;
    } else if (L->act == TROP_ACT_LEAKY) {
        for (i = 0; i < len; i++)
            H[i] = Z[i] > 0 ? Z[i] : L->slope * Z[i];
    } else if (L->act == TROP_ACT_MAXOUT) {
        slong units = n * trop_model_layer_width(L), j, r, k = L->k;
        for (j = 0; j < units; j++) {
            const double *z = Z + j * k;
            slong best = 0;
            for (r = 1; r < k; r++)
                if (z[r] > z[best])
                    best = r;
            H[j] = z[best];
            arg[j] = (unsigned char)best;
        }
    }
}

const double *_trop_model_fwd(_trop_ws *ws, const trop_model_t m, const double *X, slong n)
{
    slong l, i;
    const double *in = X;
    TROP_ASSERT(n <= ws->cap && m->nlayers >= 1);
    for (l = 0; l < m->nlayers; l++) {
        const trop_model_layer_struct *L = m->layers + l;
        double *Z = ws->Z[l];
        for (i = 0; i < n; i++)
            memcpy(Z + i * L->nout, L->b, (size_t)L->nout * sizeof(double));
        /* Z [n x nout] += in [n x nin] * W^T */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)L->nout, (int)L->nin,
                    1.0, in, (int)L->nin, L->W, (int)L->nin, 1.0, Z, (int)L->nout);
        if (L->act != TROP_ACT_LINEAR)
            activate(ws->H[l], ws->arg[l], Z, n, L);
        in = ws->H[l];
    }
    return in;
}

void trop_model_forward(double *Y, const trop_model_t m, const double *X, slong n)
{
    enum { BLOCK = 512 };
    _trop_ws ws;
    slong i0, out = trop_model_output_dim(m);
    if (m->nlayers == 0) {
        memcpy(Y, X, (size_t)(n * m->input_dim) * sizeof(double));
        return;
    }
    _trop_ws_init(&ws, m, n < BLOCK ? n : BLOCK);
    for (i0 = 0; i0 < n; i0 += BLOCK) {
        slong nb = n - i0 < BLOCK ? n - i0 : BLOCK;
        const double *f = _trop_model_fwd(&ws, m, X + i0 * m->input_dim, nb);
        memcpy(Y + i0 * out, f, (size_t)(nb * out) * sizeof(double));
    }
    _trop_ws_clear(&ws);
}

void trop_train_set_threads(slong n)
{
    if (n > 0)
        openblas_set_num_threads((int)n);
}
