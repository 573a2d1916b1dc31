/* es_mlp.h - v0.1 - MLP and linear policies over a flat parameter vector,
   a running observation normalizer, and episodes over any environment.

   QUICK START

       #define ES_IMPLEMENTATION
       #include "es_mlp.h"               // includes es.h

       es_mlp_desc md = {0};             // zero: 64,64 tanh hidden, tanh output in [-1,1]
       md.nin = 17; md.nout = 6;
       es_mlp mlp;
       es_mlp_init(&mlp, &md);
       float *theta = malloc(mlp.nparams * sizeof(float));
       es_mlp_init_theta(&mlp, seed, theta);
       es_normalizer norm;
       es_normalizer_init(&norm, 17, 0.0f, 0.0f, NULL);
       ...
       es_episode ep;
       es_rollout(env, &mlp, theta, &norm, stats, &rng, 0, work, &ep);

   CONFIGURATION MACROS: those of es.h, plus
       ES_MLP_MAX_HIDDEN   most hidden layers (default 8)

   STEP BY STEP

   1. es_mlp_init() computes the layout of theta for the shape in the desc.
      Layer l maps n_l inputs to n_{l+1} outputs; its weights W come first,
      stored input-major (W[i*n_{l+1} + o]), then its n_{l+1} biases.
   2. es_mlp_init_theta() fills theta reproducibly from a seed: each
      output unit's incoming weights are normal with norm 1 (hidden layers)
      or 0.01 (output layer), biases 0 ("normc", as in OpenAI's ES code).
   3. es_mlp_forward() maps one observation to an action with no
      allocation; work holds es_mlp_work_size() floats.
   4. es_normalizer keeps count, sum and sum of squares of observations
      (double). During a generation it is frozen: episodes read its mean and
      1/std and record their own statistics (es_obs_stats_*); after the
      generation the statistics are merged in member order and
      es_normalizer_refresh() takes the new snapshot. Normalized values are
      (obs - mean) / max(std, std_floor) clipped to +-clip.
   5. es_env is the interface to an environment; es_rollout() runs one
      episode of a policy on it. es_env_mujoco.h implements es_env for
      MuJoCo; any C environment can implement it too. An env that fails
      (its init, reset or step returns an error) may say why in env.error.
   6. es_runner runs whole generations: es_runner_generation() evaluates
      the npop members (and noiseless episodes of theta) on an es_pool with
      one es_env per pool thread (both members of an antithetic pair on one
      thread, from one pass of noise), merges observation statistics in
      member order and calls es_tell(). es_runner_evaluate()/es_runner_update()
      split that for distributed runs (es_redis.h).
   7. es_policy_load() reads a trained policy back from a checkpoint: the
      sections ES_TAG_TASK, ES_TAG_POLICY and ES_TAG_NORM that a trainer
      adds to es.h's own.

   CONTRACTS

   Determinism: forward, the normalizer and rollouts use no global state;
   the same theta, normalizer snapshot, env and rng give the same episode.
   Memory: an es_mlp is a plain struct; theta and work are the caller's.
   Threads: one es_env and one work buffer per thread; es_mlp and a frozen
   es_normalizer are read-only and may be shared.

   REVISION HISTORY: see the end of this file. LICENSE: MIT, at the end.
*/
#ifndef ES_MLP_H_INCLUDED
#define ES_MLP_H_INCLUDED

#include "es.h"

#ifndef ES_MLP_MAX_HIDDEN
#define ES_MLP_MAX_HIDDEN 8
#endif
#define ES_MLP_LINEAR (-1)        /* es_mlp_desc.nhidden for a linear policy */
#define ES_MLP_DESC_BYTES (4 * (7 + ES_MLP_MAX_HIDDEN))

#ifdef __cplusplus
extern "C" {
#endif

typedef enum es_activation {
    ES_ACTIVATION_DEFAULT = 0,
    ES_ACTIVATION_TANH,       /* default, hidden and output */
    ES_ACTIVATION_RELU,
    ES_ACTIVATION_IDENTITY    /* as output: clipped to the action range */
} es_activation;

typedef struct es_mlp_desc {
    int nin, nout;                       /* observation and action sizes */
    int nhidden;                         /* hidden layers: 0 = default (2), ES_MLP_LINEAR = none */
    int hidden[ES_MLP_MAX_HIDDEN];       /* widths; 0 = 64 */
    es_activation hidden_activation;     /* tanh */
    es_activation output_activation;     /* tanh, scaled to [act_low, act_high] */
    float act_low, act_high;             /* both 0: [-1, 1] */
} es_mlp_desc;

typedef struct es_mlp {
    es_mlp_desc desc;                    /* resolved */
    int nlayers;                         /* weight layers: nhidden + 1 */
    int size[ES_MLP_MAX_HIDDEN + 2];     /* widths: input, hidden..., output */
    size_t nparams;
    int max_width;
} es_mlp;

typedef struct es_normalizer {
    int n;
    double count;
    double *sum, *sumsq;                 /* accumulated over all merged episodes */
    float *mean, *inv_std;               /* the frozen snapshot */
    float clip, std_floor;
    es_allocator allocator;
} es_normalizer;

enum { ES_EPISODE_RUNNING = 0, ES_EPISODE_TERMINATED = 1, ES_EPISODE_FAILED = 2 };

#define ES_ENV_ERROR_SIZE 256

typedef struct es_env {
    int obs_dim, act_dim;
    int max_steps;                       /* truncation limit */
    float act_low, act_high;             /* action range, every dimension */
    void *state;                         /* the implementation's */
    /* Start an episode: reset noise comes from rng; writes the first observation. */
    es_result (*reset)(struct es_env *env, es_rng *rng, float *obs);
    /* One step. *status: ES_EPISODE_RUNNING, _TERMINATED (the task's own end)
       or _FAILED (unstable simulation; the reward is still finite). */
    es_result (*step)(struct es_env *env, const float *act, float *obs, double *reward, int *status);
    void (*destroy)(struct es_env *env);
    /* What the last failing call (the env's init, reset or step) said, for
       a message: "" when it said nothing. The implementation writes it. */
    char error[ES_ENV_ERROR_SIZE];
} es_env;

typedef struct es_episode {
    double ret;                          /* sum of rewards */
    int steps;
    int status;                          /* ES_EPISODE_*; RUNNING means truncated */
} es_episode;

ES_API es_result es_mlp_init(es_mlp *mlp, const es_mlp_desc *desc);
ES_API void es_mlp_init_theta(const es_mlp *mlp, uint64_t seed, float *theta);
ES_API size_t es_mlp_work_size(const es_mlp *mlp);
ES_API void es_mlp_forward(const es_mlp *mlp, const float *theta, const float *obs, float *act, float *work);
ES_API void es_mlp_encode(const es_mlp *mlp, unsigned char out[ES_MLP_DESC_BYTES]);
ES_API es_result es_mlp_decode(es_mlp *mlp, const void *bytes, size_t size);

ES_API es_result es_normalizer_init(es_normalizer *norm, int n, float clip, float std_floor,
                                    const es_allocator *allocator);
ES_API void es_normalizer_free(es_normalizer *norm);
ES_API void es_normalizer_apply(const es_normalizer *norm, const float *obs, float *out);
ES_API void es_normalizer_merge(es_normalizer *norm, const double *stats);
ES_API void es_normalizer_refresh(es_normalizer *norm);
ES_API size_t es_normalizer_bytes(const es_normalizer *norm);
ES_API void es_normalizer_encode(const es_normalizer *norm, unsigned char *out);
ES_API es_result es_normalizer_decode(es_normalizer *norm, const void *bytes, size_t size);

/* One episode's observation statistics: 1 + 2n doubles (count, sums, sums of squares). */
ES_API size_t es_obs_stats_size(int n);
ES_API void es_obs_stats_clear(double *stats, int n);
ES_API void es_obs_stats_add(double *stats, int n, const float *obs);

ES_API size_t es_rollout_work_size(const es_env *env, const es_mlp *mlp);
/* One episode of at most max_steps (<= 0: env->max_steps). stats (may be
   NULL) receives the raw observations the policy saw; norm may be NULL. */
ES_API es_result es_rollout(es_env *env, const es_mlp *mlp, const float *theta,
                            const es_normalizer *norm, double *stats, es_rng *rng,
                            int max_steps, float *work, es_episode *ep);

/* Checkpoint sections of a trained policy (beside es.h's own): the task
   name, the policy shape (es_mlp_encode) and the normalizer's sums. */
#define ES_TAG_TASK ES_TAG('T', 'A', 'S', 'K')
#define ES_TAG_POLICY ES_TAG('P', 'O', 'L', 'I')
#define ES_TAG_NORM ES_TAG('N', 'O', 'R', 'M')

/* Reads those sections: task name (NUL-terminated), policy shape and a
   normalizer it initializes. ES_ERROR_MISMATCH if a section is missing
   or inconsistent. */
ES_API es_result es_policy_load(const es_checkpoint *ck, char *task, size_t task_size, es_mlp *mlp,
                                es_normalizer *norm);

/* A generation of ES on an environment: evaluates the population (and
   noiseless episodes of theta) on a thread pool with one es_env per pool
   thread, merges the observation statistics in member order, and updates.
   Population member i resets from (seed, ES_STREAM_RESET, generation,
   pair of i); evaluation episode j from (seed, ES_STREAM_EVAL, generation, j). */
typedef struct es_runner {
    es *opt;
    const es_mlp *mlp;
    es_normalizer *norm;                 /* may be NULL */
    es_env *envs;                        /* pool->nthreads of them */
    es_pool *pool;                       /* may be NULL: one thread */
    int eval_episodes, max_steps;
    /* results of the last evaluation */
    float *rewards;                      /* npop returns */
    int *steps;                          /* npop + eval_episodes episode lengths */
    int *status;                         /* npop + eval_episodes ES_EPISODE_* */
    double *eval_returns;                /* eval_episodes returns of theta */
    double *stats;                       /* npop observation statistics */
    uint64_t env_steps;                  /* all steps taken so far */
    /* scratch */
    float *theta_buf, *work;
    size_t work_size;
    double *stats_buf;                   /* per thread: one episode's statistics */
    size_t stats_stride;
    int begin, end, eval, nunits;        /* the current job */
    es_result error;
} es_runner;

ES_API es_result es_runner_init(es_runner *run, es *opt, const es_mlp *mlp, es_normalizer *norm,
                                es_env *envs, es_pool *pool, int eval_episodes, int max_steps);
ES_API void es_runner_free(es_runner *run);
/* Evaluates members [begin, end) and, if with_eval, the evaluation episodes. */
ES_API es_result es_runner_evaluate(es_runner *run, int begin, int end, int with_eval);
/* Merges the statistics in member order, refreshes the normalizer, es_tell. */
ES_API es_result es_runner_update(es_runner *run);
/* es_runner_evaluate of everything, then es_runner_update. */
ES_API es_result es_runner_generation(es_runner *run);
ES_API double es_runner_mean_reward(const es_runner *run);

#ifdef __cplusplus
}
#endif
#endif /* ES_MLP_H_INCLUDED */

/* ======================================================================== */
#if defined(ES_IMPLEMENTATION) && !defined(ES_MLP_IMPLEMENTATION_INCLUDED)
#define ES_MLP_IMPLEMENTATION_INCLUDED

#include <math.h>
#include <string.h>

ES__STRICT_FP_BEGIN
#ifdef __cplusplus
extern "C" {
#endif

ES_API es_result es_mlp_init(es_mlp *mlp, const es_mlp_desc *desc)
{
    es_mlp_desc d;
    int l, nh;
    size_t np = 0;
    if (!mlp || !desc) return ES_ERROR_INVALID_ARGUMENT;
    memset(mlp, 0, sizeof *mlp);
    d = *desc;
    if (d.nin <= 0 || d.nout <= 0 || d.nhidden < ES_MLP_LINEAR || d.nhidden > ES_MLP_MAX_HIDDEN)
        return ES_ERROR_INVALID_ARGUMENT;
    if (d.nhidden == 0) d.nhidden = 2;
    nh = d.nhidden == ES_MLP_LINEAR ? 0 : d.nhidden;
    for (l = 0; l < nh; l++) {
        if (d.hidden[l] == 0) d.hidden[l] = 64;
        if (d.hidden[l] < 0) return ES_ERROR_INVALID_ARGUMENT;
    }
    if (d.hidden_activation == ES_ACTIVATION_DEFAULT) d.hidden_activation = ES_ACTIVATION_TANH;
    if (d.output_activation == ES_ACTIVATION_DEFAULT) d.output_activation = ES_ACTIVATION_TANH;
    if (d.act_low == 0.0f && d.act_high == 0.0f) {
        d.act_low = -1.0f;
        d.act_high = 1.0f;
    }
    if (!(d.act_low < d.act_high) || !isfinite(d.act_low) || !isfinite(d.act_high) ||
        d.hidden_activation > ES_ACTIVATION_IDENTITY ||
        d.output_activation > ES_ACTIVATION_IDENTITY)
        return ES_ERROR_INVALID_ARGUMENT;
    mlp->desc = d;
    mlp->nlayers = nh + 1;
    mlp->size[0] = d.nin;
    for (l = 0; l < nh; l++) mlp->size[l + 1] = d.hidden[l];
    mlp->size[nh + 1] = d.nout;
    mlp->max_width = 0;
    for (l = 0; l <= nh + 1; l++)
        if (mlp->size[l] > mlp->max_width) mlp->max_width = mlp->size[l];
    for (l = 0; l < mlp->nlayers; l++)
        np += (size_t)mlp->size[l] * (size_t)mlp->size[l + 1] + (size_t)mlp->size[l + 1];
    mlp->nparams = np;
    return ES_OK;
}

ES_API void es_mlp_init_theta(const es_mlp *mlp, uint64_t seed, float *theta)
{
    int l, i, o;
    float *p = theta;
    for (l = 0; l < mlp->nlayers; l++) {
        int nin = mlp->size[l], nout = mlp->size[l + 1];
        double target = l + 1 == mlp->nlayers ? 0.01 : 1.0;
        es_rng rng;
        es_rng_init(&rng, seed, ES_STREAM_INIT, 0, (uint32_t)l);
        for (i = 0; i < nin * nout; i++) p[i] = (float)es_rng_normal(&rng);
        for (o = 0; o < nout; o++) {
            double norm2 = 0.0, scale;
            for (i = 0; i < nin; i++) norm2 += (double)p[i * nout + o] * p[i * nout + o];
            scale = norm2 > 0.0 ? target / sqrt(norm2) : 0.0;
            for (i = 0; i < nin; i++) p[i * nout + o] = (float)(p[i * nout + o] * scale);
        }
        p += nin * nout;
        for (o = 0; o < nout; o++) p[o] = 0.0f;
        p += nout;
    }
}

ES_API size_t es_mlp_work_size(const es_mlp *mlp) { return 2 * (size_t)mlp->max_width; }

/* tanh in float without libm, so the activation loop vectorizes: an odd
   Taylor polynomial below 0.4, else (1-t)/(1+t) with t = exp(-2|x|) =
   2^n * 2^f (|f| <= 1/2, degree-6 polynomial). Relative error < 3e-7. */
static ES__INLINE float es__tanhf(float x)
{
    uint32_t xb, ab, sign, bits, pick, mask;
    float a, s, z, f, p, t, big, small, r;
    int32_t n;
    memcpy(&xb, &x, 4);
    sign = xb & 0x80000000u;
    ab = xb ^ sign;
    ab = ab < 0x41100000u ? ab : 0x41100000u;   /* |x| clamped to 9: tanh(9) is 1 in float */
    memcpy(&a, &ab, 4);
    s = a * a;
    small = a * (1.0f + s * (-0.33333333f + s * (0.13333333f + s * (-0.053968254f +
                 s * (0.021869488f + s * -0.0088632355f)))));
    z = a * -2.8853900817779268f;            /* -2|x|/ln 2, in [-26, 0] */
    n = (int32_t)(z - 0.5f);                 /* nearest integer (z <= 0) */
    f = (z - (float)n) * 0.69314718f;
    p = 1.0f + f * (1.0f + f * (0.5f + f * (0.16666667f + f * (0.041666668f +
                f * (0.0083333338f + f * 0.0013888889f)))));
    bits = (uint32_t)(n + 127) << 23;
    memcpy(&t, &bits, 4);
    t *= p;
    big = (1.0f - t) / (1.0f + t);
    memcpy(&bits, &big, 4);
    memcpy(&pick, &small, 4);
    /* |x| < 0.4: the polynomial; a mask, not ?:, which gcc would turn
       back into a branch (FP may trap) and not vectorize */
    mask = 0u - (uint32_t)(ab < 0x3ecccccdu);
    bits = (pick & mask) | (bits & ~mask);
    bits |= sign;
    memcpy(&r, &bits, 4);
    return r;
}

static ES__INLINE void es__activate(es_activation act, float *y, int n)
{
    int i;
    if (act == ES_ACTIVATION_TANH) {
        int q;
        for (i = 0; i + 8 <= n; i += 8)          /* fixed-length blocks vectorize at -O2 */
            for (q = 0; q < 8; q++) y[i + q] = es__tanhf(y[i + q]);
        for (; i < n; i++) y[i] = es__tanhf(y[i]);
    }
    else if (act == ES_ACTIVATION_RELU) for (i = 0; i < n; i++) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
}

/* y = act(b + x W) for one layer (W input-major, nin x nout). Every output
   is b[o] + x[0] W[0][o] + x[1] W[1][o] + ... added in input order, whatever
   the blocking, so results do not depend on it. Blocks of ES__MLP_BLOCK
   outputs keep their sums in registers across all inputs: the fixed-size
   q loops vectorize at gcc's and clang's -O2 (8 lanes with AVX2). */
#define ES__MLP_BLOCK 16
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
#  define ES__UNROLL _Pragma("GCC unroll 16")
#else
#  define ES__UNROLL
#endif
static ES__INLINE void es__mlp_layer_body(const float *x, int nin, const float *w, const float *b, int nout,
                                          es_activation act, float *y)
{
    size_t stride = (size_t)nout;
    int o = 0, i, q;
    for (; o + ES__MLP_BLOCK <= nout; o += ES__MLP_BLOCK) {
        float acc[ES__MLP_BLOCK];
        const float *wi = w + o;
        for (q = 0; q < ES__MLP_BLOCK; q++) acc[q] = b[o + q];
        for (i = 0; i < nin; i++, wi += stride) {
            const float xi = x[i];
            ES__UNROLL
            for (q = 0; q < ES__MLP_BLOCK; q++) acc[q] += xi * wi[q];
        }
        for (q = 0; q < ES__MLP_BLOCK; q++) y[o + q] = acc[q];
    }
    for (; o + 4 <= nout; o += 4) {
        float acc[4];
        const float *wi = w + o;
        for (q = 0; q < 4; q++) acc[q] = b[o + q];
        for (i = 0; i < nin; i++, wi += stride) {
            const float xi = x[i];
            for (q = 0; q < 4; q++) acc[q] += xi * wi[q];
        }
        for (q = 0; q < 4; q++) y[o + q] = acc[q];
    }
    for (; o < nout; o++) {
        float acc = b[o];
        const float *wi = w + o;
        for (i = 0; i < nin; i++, wi += stride) acc += x[i] * *wi;
        y[o] = acc;
    }
    es__activate(act, y, nout);
}
ES__DISPATCH(es__mlp_layer, (const float *x, int nin, const float *w, const float *b, int nout, es_activation act, float *y),
             (x, nin, w, b, nout, act, y))

ES_API void es_mlp_forward(const es_mlp *mlp, const float *theta, const float *obs, float *act, float *work)
{
    const float *x = obs, *w = theta;
    float *bufs[2];
    int l, o;
    bufs[0] = work;
    bufs[1] = work + mlp->max_width;
    for (l = 0; l < mlp->nlayers; l++) {
        int nin = mlp->size[l], nout = mlp->size[l + 1];
        float *y = l + 1 == mlp->nlayers ? act : bufs[l & 1];
        const float *b = w + (size_t)nin * (size_t)nout;
        es_activation act_l = l + 1 < mlp->nlayers ? mlp->desc.hidden_activation : ES_ACTIVATION_IDENTITY;
        es__mlp_layer(x, nin, w, b, nout, act_l, y);
        w = b + nout;
        x = y;
    }
    {
        float lo = mlp->desc.act_low, hi = mlp->desc.act_high;
        int n = mlp->desc.nout;
        if (mlp->desc.output_activation == ES_ACTIVATION_TANH) {
            for (o = 0; o < n; o++) act[o] = lo + (es__tanhf(act[o]) + 1.0f) * 0.5f * (hi - lo);
        } else {
            if (mlp->desc.output_activation == ES_ACTIVATION_RELU) es__activate(ES_ACTIVATION_RELU, act, n);
            for (o = 0; o < n; o++) act[o] = act[o] < lo ? lo : act[o] > hi ? hi : act[o];
        }
    }
}

/* Shape as little-endian words: nin, nout, nhidden, hidden activation,
   output activation, act_low, act_high, hidden widths. */
ES_API void es_mlp_encode(const es_mlp *mlp, unsigned char out[ES_MLP_DESC_BYTES])
{
    const es_mlp_desc *d = &mlp->desc;
    int l;
    memset(out, 0, ES_MLP_DESC_BYTES);
    es_put_u32(out + 0, (uint32_t)d->nin);
    es_put_u32(out + 4, (uint32_t)d->nout);
    es_put_u32(out + 8, (uint32_t)d->nhidden);
    es_put_u32(out + 12, (uint32_t)d->hidden_activation);
    es_put_u32(out + 16, (uint32_t)d->output_activation);
    es_put_f32(out + 20, d->act_low);
    es_put_f32(out + 24, d->act_high);
    for (l = 0; l < ES_MLP_MAX_HIDDEN; l++) es_put_u32(out + 28 + 4 * l, (uint32_t)d->hidden[l]);
}

ES_API es_result es_mlp_decode(es_mlp *mlp, const void *bytes, size_t size)
{
    const unsigned char *p = (const unsigned char *)bytes;
    es_mlp_desc d;
    int l;
    if (!mlp || !bytes || size != ES_MLP_DESC_BYTES) return ES_ERROR_CORRUPT;
    memset(&d, 0, sizeof d);
    d.nin = (int)es_get_u32(p + 0);
    d.nout = (int)es_get_u32(p + 4);
    d.nhidden = (int)es_get_u32(p + 8);
    d.hidden_activation = (es_activation)es_get_u32(p + 12);
    d.output_activation = (es_activation)es_get_u32(p + 16);
    d.act_low = es_get_f32(p + 20);
    d.act_high = es_get_f32(p + 24);
    for (l = 0; l < ES_MLP_MAX_HIDDEN; l++) d.hidden[l] = (int)es_get_u32(p + 28 + 4 * l);
    if (d.nin > (1 << 20) || d.nout > (1 << 20)) return ES_ERROR_CORRUPT;
    for (l = 0; l < ES_MLP_MAX_HIDDEN; l++)
        if (d.hidden[l] > (1 << 20)) return ES_ERROR_CORRUPT;
    return es_mlp_init(mlp, &d) == ES_OK ? ES_OK : ES_ERROR_CORRUPT;
}

/* ---- observation normalizer ----------------------------------------- */

ES_API es_result es_normalizer_init(es_normalizer *norm, int n, float clip, float std_floor,
                                    const es_allocator *allocator)
{
    es_allocator a;
    if (!norm || n <= 0) return ES_ERROR_INVALID_ARGUMENT;
    memset(norm, 0, sizeof *norm);
    memset(&a, 0, sizeof a);
    if (allocator) a = *allocator;
    norm->allocator = a;
    norm->n = n;
    norm->clip = clip > 0.0f ? clip : 5.0f;
    norm->std_floor = std_floor > 0.0f ? std_floor : 0.1f;
    norm->sum = (double *)(a.alloc_fn ? a.alloc_fn((size_t)n * 2 * sizeof(double), a.user_data)
                                      : ES_MALLOC((size_t)n * 2 * sizeof(double)));
    norm->mean = (float *)(a.alloc_fn ? a.alloc_fn((size_t)n * 2 * sizeof(float), a.user_data)
                                      : ES_MALLOC((size_t)n * 2 * sizeof(float)));
    if (!norm->sum || !norm->mean) {
        es_normalizer_free(norm);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    norm->sumsq = norm->sum + n;
    norm->inv_std = norm->mean + n;
    memset(norm->sum, 0, (size_t)n * 2 * sizeof(double));
    es_normalizer_refresh(norm);
    return ES_OK;
}

ES_API void es_normalizer_free(es_normalizer *norm)
{
    void *p[2];
    int i;
    if (!norm) return;
    p[0] = norm->sum;
    p[1] = norm->mean;
    for (i = 0; i < 2; i++) {
        if (!p[i]) continue;
        if (norm->allocator.free_fn) norm->allocator.free_fn(p[i], norm->allocator.user_data);
        else ES_FREE(p[i]);
    }
    memset(norm, 0, sizeof *norm);
}

ES_API void es_normalizer_apply(const es_normalizer *norm, const float *obs, float *out)
{
    int i;
    float c = norm->clip;
    for (i = 0; i < norm->n; i++) {
        float z = (obs[i] - norm->mean[i]) * norm->inv_std[i];
        out[i] = z < -c ? -c : z > c ? c : z;
    }
}

ES_API size_t es_obs_stats_size(int n) { return 1 + 2 * (size_t)n; }

ES_API void es_obs_stats_clear(double *stats, int n) { memset(stats, 0, es_obs_stats_size(n) * sizeof(double)); }

ES_API void es_obs_stats_add(double *stats, int n, const float *obs)
{
    int i;
    stats[0] += 1.0;
    for (i = 0; i < n; i++) {
        stats[1 + i] += obs[i];
        stats[1 + n + i] += (double)obs[i] * obs[i];
    }
}

ES_API void es_normalizer_merge(es_normalizer *norm, const double *stats)
{
    int i, n = norm->n;
    norm->count += stats[0];
    for (i = 0; i < n; i++) {
        norm->sum[i] += stats[1 + i];
        norm->sumsq[i] += stats[1 + n + i];
    }
}

ES_API void es_normalizer_refresh(es_normalizer *norm)
{
    int i;
    for (i = 0; i < norm->n; i++) {
        double mean = 0.0, var = 1.0, sd;
        if (norm->count > 0.0) {
            mean = norm->sum[i] / norm->count;
            var = norm->sumsq[i] / norm->count - mean * mean;
        }
        sd = sqrt(var > 0.0 ? var : 0.0);
        if (sd < norm->std_floor) sd = norm->std_floor;
        norm->mean[i] = (float)mean;
        norm->inv_std[i] = (float)(1.0 / sd);
    }
}

/* Layout: u32 n, f32 clip, f32 std_floor, f64 count, n f64 sums, n f64 sums of squares. */
ES_API size_t es_normalizer_bytes(const es_normalizer *norm) { return 20 + 16 * (size_t)norm->n; }

ES_API void es_normalizer_encode(const es_normalizer *norm, unsigned char *out)
{
    int i;
    es_put_u32(out, (uint32_t)norm->n);
    es_put_f32(out + 4, norm->clip);
    es_put_f32(out + 8, norm->std_floor);
    es_put_f64(out + 12, norm->count);
    for (i = 0; i < norm->n; i++) {
        es_put_f64(out + 20 + 8 * (size_t)i, norm->sum[i]);
        es_put_f64(out + 20 + 8 * ((size_t)norm->n + (size_t)i), norm->sumsq[i]);
    }
}

/* Restores sums into an initialized normalizer of the same size. */
ES_API es_result es_normalizer_decode(es_normalizer *norm, const void *bytes, size_t size)
{
    const unsigned char *p = (const unsigned char *)bytes;
    int i;
    if (!norm || !bytes || size < 20 || es_get_u32(p) != (uint32_t)norm->n ||
        size != es_normalizer_bytes(norm))
        return ES_ERROR_MISMATCH;
    norm->clip = es_get_f32(p + 4);
    norm->std_floor = es_get_f32(p + 8);
    norm->count = es_get_f64(p + 12);
    if (!(norm->clip > 0.0f) || !(norm->std_floor > 0.0f) || !(norm->count >= 0.0)) return ES_ERROR_CORRUPT;
    for (i = 0; i < norm->n; i++) {
        norm->sum[i] = es_get_f64(p + 20 + 8 * (size_t)i);
        norm->sumsq[i] = es_get_f64(p + 20 + 8 * ((size_t)norm->n + (size_t)i));
    }
    es_normalizer_refresh(norm);
    return ES_OK;
}

/* ---- episodes -------------------------------------------------------- */

ES_API size_t es_rollout_work_size(const es_env *env, const es_mlp *mlp)
{
    return 2 * (size_t)env->obs_dim + (size_t)env->act_dim + es_mlp_work_size(mlp);
}

ES_API es_result es_rollout(es_env *env, const es_mlp *mlp, const float *theta,
                            const es_normalizer *norm, double *stats, es_rng *rng,
                            int max_steps, float *work, es_episode *ep)
{
    float *obs, *x, *act, *mw;
    es_result r;
    int status = ES_EPISODE_RUNNING;
    if (!env || !mlp || !theta || !work || !ep || mlp->desc.nin != env->obs_dim ||
        mlp->desc.nout != env->act_dim)
        return ES_ERROR_INVALID_ARGUMENT;
    obs = work;
    x = work + env->obs_dim;
    act = x + env->obs_dim;
    mw = act + env->act_dim;
    if (max_steps <= 0 || max_steps > env->max_steps) max_steps = env->max_steps;
    ep->ret = 0.0;
    ep->steps = 0;
    r = env->reset(env, rng, obs);
    while (r == ES_OK && ep->steps < max_steps && status == ES_EPISODE_RUNNING) {
        double reward = 0.0;
        if (stats) es_obs_stats_add(stats, env->obs_dim, obs);
        if (norm) es_normalizer_apply(norm, obs, x);
        else memcpy(x, obs, (size_t)env->obs_dim * sizeof(float));
        es_mlp_forward(mlp, theta, x, act, mw);
        r = env->step(env, act, obs, &reward, &status);
        if (r != ES_OK) break;             /* a failed call is not a step */
        ep->ret += reward;
        ep->steps++;
    }
    ep->status = status;
    return r;
}

/* ---- policies in checkpoints ----------------------------------------- */

ES_API es_result es_policy_load(const es_checkpoint *ck, char *task, size_t task_size, es_mlp *mlp,
                                es_normalizer *norm)
{
    const void *p;
    size_t n;
    es_result r;
    if (!ck || !task || task_size == 0 || !mlp || !norm) return ES_ERROR_INVALID_ARGUMENT;
    memset(norm, 0, sizeof *norm);
    if (es_checkpoint_section(ck, ES_TAG_TASK, &p, &n) != ES_OK || n == 0 || n >= task_size ||
        memchr(p, 0, n) != NULL)
        return ES_ERROR_MISMATCH;
    memcpy(task, p, n);
    task[n] = 0;
    if (es_checkpoint_section(ck, ES_TAG_POLICY, &p, &n) != ES_OK || es_mlp_decode(mlp, p, n) != ES_OK)
        return ES_ERROR_MISMATCH;
    r = es_normalizer_init(norm, mlp->desc.nin, 0.0f, 0.0f, NULL);
    if (r != ES_OK) return r;
    if (es_checkpoint_section(ck, ES_TAG_NORM, &p, &n) != ES_OK || es_normalizer_decode(norm, p, n) != ES_OK) {
        es_normalizer_free(norm);
        return ES_ERROR_MISMATCH;
    }
    return ES_OK;
}

/* ---- generations ----------------------------------------------------- */

static void *es__runner_alloc(const es *opt, size_t size)
{
    const es_allocator *a = &opt->desc.allocator;
    return a->alloc_fn ? a->alloc_fn(size, a->user_data) : ES_MALLOC(size);
}

ES_API void es_runner_free(es_runner *run)
{
    void *p[8];
    int i;
    const es_allocator *a;
    if (!run || !run->opt) return;
    a = &run->opt->desc.allocator;
    p[0] = run->rewards; p[1] = run->steps; p[2] = run->status; p[3] = run->eval_returns;
    p[4] = run->stats; p[5] = run->theta_buf; p[6] = run->work; p[7] = run->stats_buf;
    for (i = 0; i < 8; i++) {
        if (!p[i]) continue;
        if (a->free_fn) a->free_fn(p[i], a->user_data);
        else ES_FREE(p[i]);
    }
    memset(run, 0, sizeof *run);
}

ES_API es_result es_runner_init(es_runner *run, es *opt, const es_mlp *mlp, es_normalizer *norm,
                                es_env *envs, es_pool *pool, int eval_episodes, int max_steps)
{
    int npop, nthreads, nep;
    size_t nstats;
    if (!run || !opt || !mlp || !envs || eval_episodes < 0 || mlp->nparams != opt->nparams ||
        mlp->desc.nin != envs[0].obs_dim || mlp->desc.nout != envs[0].act_dim ||
        (norm && norm->n != envs[0].obs_dim))
        return ES_ERROR_INVALID_ARGUMENT;
    memset(run, 0, sizeof *run);
    npop = opt->desc.npop;
    nthreads = pool ? pool->nthreads : 1;
    nep = npop + eval_episodes;
    nstats = es_obs_stats_size(envs[0].obs_dim);
    run->opt = opt;
    run->mlp = mlp;
    run->norm = norm;
    run->envs = envs;
    run->pool = pool;
    run->eval_episodes = eval_episodes;
    run->max_steps = max_steps;
    /* whole 64-byte lines per thread, and one spare: no false sharing */
    run->work_size = (es_rollout_work_size(&envs[0], mlp) + 31) / 16 * 16;
    run->rewards = (float *)es__runner_alloc(opt, (size_t)npop * sizeof(float));
    run->steps = (int *)es__runner_alloc(opt, (size_t)nep * sizeof(int));
    run->status = (int *)es__runner_alloc(opt, (size_t)nep * sizeof(int));
    run->eval_returns = (double *)es__runner_alloc(opt, ((size_t)eval_episodes + 1) * sizeof(double));
    run->stats = (double *)es__runner_alloc(opt, (size_t)npop * nstats * sizeof(double));
    run->stats_stride = (nstats + 15) / 8 * 8;
    run->stats_buf = (double *)es__runner_alloc(opt, (size_t)nthreads * run->stats_stride * sizeof(double));
    run->theta_buf = (float *)es__runner_alloc(opt, (size_t)nthreads * 2 * opt->nparams * sizeof(float));
    run->work = (float *)es__runner_alloc(opt, (size_t)nthreads * run->work_size * sizeof(float));
    if (!run->rewards || !run->steps || !run->status || !run->eval_returns || !run->stats || !run->stats_buf ||
        !run->theta_buf || !run->work) {
        es_runner_free(run);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    memset(run->steps, 0, (size_t)nep * sizeof(int));
    memset(run->status, 0, (size_t)nep * sizeof(int));
    memset(run->rewards, 0, (size_t)npop * sizeof(float));
    return ES_OK;
}

/* Member m's episode with policy theta, on the thread's env. */
static es_result es__runner_member(es_runner *run, int m, const float *theta, int thread)
{
    es *opt = run->opt;
    es_env *env = &run->envs[thread];
    /* statistics gather in the thread's own lines (neighbouring members run
       at the same time on other threads), then go to member m's slot */
    double *stats = run->stats_buf + (size_t)thread * run->stats_stride;
    size_t nstats = es_obs_stats_size(env->obs_dim);
    int antithetic = opt->desc.sampling == ES_SAMPLING_ANTITHETIC;
    es_episode ep;
    es_rng rng;
    es_result r;
    es_rng_init(&rng, opt->desc.seed, ES_STREAM_RESET, opt->generation, antithetic ? (uint32_t)m >> 1 : (uint32_t)m);
    es_obs_stats_clear(stats, env->obs_dim);
    r = es_rollout(env, run->mlp, theta, run->norm, stats, &rng, run->max_steps,
                   run->work + (size_t)thread * run->work_size, &ep);
    memcpy(run->stats + (size_t)m * nstats, stats, nstats * sizeof(double));
    run->rewards[m] = (float)ep.ret;
    run->steps[m] = ep.steps;
    run->status[m] = ep.status;
    return r;
}

/* Task i < run->nunits: the members [m0, m1) of unit i (with antithetic
   sampling a unit is a pair's members inside [begin, end), and one pass of
   noise serves both); past that, an evaluation episode. */
static void es__runner_task(void *user, int i, int thread)
{
    es_runner *run = (es_runner *)user;
    es *opt = run->opt;
    float *plus = run->theta_buf + (size_t)thread * 2 * opt->nparams, *minus = plus + opt->nparams;
    es_result r;
    if (i < run->nunits) {
        int m0 = run->begin + i, m1 = m0 + 1;
        if (opt->desc.sampling == ES_SAMPLING_ANTITHETIC) {
            int pair = (run->begin >> 1) + i;
            m0 = 2 * pair < run->begin ? run->begin : 2 * pair;
            m1 = 2 * pair + 2 > run->end ? run->end : 2 * pair + 2;
        }
        if (m1 - m0 == 2) {
            es_perturbed_pair(opt, m0 >> 1, plus, minus);
            r = es__runner_member(run, m0, plus, thread);
            if (r == ES_OK) r = es__runner_member(run, m1 - 1, minus, thread);
        } else {
            es_perturbed(opt, m0, plus);
            r = es__runner_member(run, m0, plus, thread);
        }
    } else {
        int j = i - run->nunits;
        es_episode ep;
        es_rng rng;
        es_rng_init(&rng, opt->desc.seed, ES_STREAM_EVAL, opt->generation, (uint32_t)j);
        r = es_rollout(&run->envs[thread], run->mlp, opt->theta, run->norm, NULL, &rng, run->max_steps,
                       run->work + (size_t)thread * run->work_size, &ep);
        run->eval_returns[j] = ep.ret;
        run->steps[opt->desc.npop + j] = ep.steps;
        run->status[opt->desc.npop + j] = ep.status;
    }
    if (r != ES_OK) {                        /* any thread may report one */
#if defined(__GNUC__) || defined(__clang__)
        __atomic_store_n(&run->error, r, __ATOMIC_RELAXED);
#else
        run->error = r;
#endif
    }
}

ES_API es_result es_runner_evaluate(es_runner *run, int begin, int end, int with_eval)
{
    int i;
    if (!run || begin < 0 || end > run->opt->desc.npop || begin > end) return ES_ERROR_INVALID_ARGUMENT;
    run->begin = begin;
    run->end = end;
    run->eval = with_eval ? run->eval_episodes : 0;
    run->error = ES_OK;
    if (run->opt->desc.sampling == ES_SAMPLING_ANTITHETIC)
        run->nunits = end > begin ? ((end - 1) >> 1) - (begin >> 1) + 1 : 0;
    else
        run->nunits = end - begin;
    es_pool_run(run->pool, run->nunits + run->eval, es__runner_task, run);
    for (i = begin; i < end; i++) run->env_steps += (uint64_t)run->steps[i];
    for (i = 0; i < run->eval; i++) run->env_steps += (uint64_t)run->steps[run->opt->desc.npop + i];
    return run->error;
}

ES_API es_result es_runner_update(es_runner *run)
{
    int i;
    size_t nstats;
    if (!run) return ES_ERROR_INVALID_ARGUMENT;
    if (run->norm) {
        nstats = es_obs_stats_size(run->norm->n);
        for (i = 0; i < run->opt->desc.npop; i++) es_normalizer_merge(run->norm, run->stats + (size_t)i * nstats);
        es_normalizer_refresh(run->norm);
    }
    return es_tell(run->opt, run->rewards, run->pool);
}

ES_API es_result es_runner_generation(es_runner *run)
{
    es_result r = es_runner_evaluate(run, 0, run ? run->opt->desc.npop : 0, 1);
    return r != ES_OK ? r : es_runner_update(run);
}

ES_API double es_runner_mean_reward(const es_runner *run)
{
    double s = 0.0;
    int i;
    for (i = 0; i < run->opt->desc.npop; i++) s += run->rewards[i];
    return s / run->opt->desc.npop;
}

#ifdef __cplusplus
}
#endif
ES__STRICT_FP_END
#endif /* ES_IMPLEMENTATION */

/* REVISION HISTORY
   0.2  the tanh vectorizes and the layers run AVX2 loops where the CPU has
        them (same bits); es_runner evaluates both members of an antithetic
        pair on one thread from one pass of noise (same results).
   0.1  first release: MLP and linear policies, observation normalizer,
        es_env, es_rollout, es_runner, es_policy_load.

   LICENSE
   MIT License. Copyright (c) 2026 the es authors.
   Permission is hereby granted, free of charge, to any person obtaining a
   copy of this software and associated documentation files (the
   "Software"), to deal in the Software without restriction, including
   without limitation the rights to use, copy, modify, merge, publish,
   distribute, sublicense, and/or sell copies of the Software, and to permit
   persons to whom the Software is furnished to do so, subject to the
   following conditions: The above copyright notice and this permission
   notice shall be included in all copies or substantial portions of the
   Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
   EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
   MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN
   NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
   DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
   OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE
   USE OR OTHER DEALINGS IN THE SOFTWARE.
*/
