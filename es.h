/* es.h - v0.5 - Evolution Strategies optimizer with a counter-based noise stream.

   Trains any flat float parameter vector theta by the ES of Salimans et al.
   2017 ("Evolution Strategies as a Scalable Alternative to Reinforcement
   Learning", arXiv 1703.03864). No noise is ever stored: every eps is
   regenerated from (seed, generation, pair) by Philox4x32-10.

   QUICK START

       #define ES_IMPLEMENTATION
       #include "es.h"

       es_desc d = es_desc_default();        // in C also: es_desc d = {0};
       d.npop = 64; d.sigma = 0.03f; d.lr = 0.02f;
       es opt;
       if (es_init(&opt, &d, theta0, nparams) != ES_OK) ...  // theta0 may be NULL (zeros)
       for (;;) {
           for (int i = 0; i < opt.desc.npop; i++) {
               es_perturbed(&opt, i, buf);       // theta + sigma*s*eps
               rewards[i] = evaluate(buf);       // higher is better: es maximizes
           }
           if (es_tell(&opt, rewards, NULL) != ES_OK) ...  // shaping, gradient, step
       }
       es_free(&opt);

   es maximizes the rewards. To minimize a loss f, pass rewards[i] = -f(x).

   CONFIGURATION MACROS (define before including)

       ES_IMPLEMENTATION   compile the implementation (in one .c file)
       ES_STATIC           make every function static to this translation unit
       ES_DLL              mark the API dllexport (with ES_IMPLEMENTATION) or dllimport
       ES_NO_THREADS       no pthreads: es_pool runs everything on the caller
       ES_NO_POSIX         no fsync/clock_gettime/sysconf (plain C stdio only), and so
                           no threads: es_pool runs everything on the caller.
                           Windows builds (MinGW-w64, MSVC) are such builds, with
                           files replaced by MoveFileEx (es_file_write_atomic)
       ES_NO_DISPATCH      no run-time choice of AVX2 loops on x86 (same bits)
       ES_MALLOC, ES_FREE  default allocator (define both or neither)
       ES_ASSERT(x)        internal assertions (default: assert)

   STEP BY STEP

   1. Fill an es_desc. Every zero field means its default (es_desc_default()
      gives them written out, and is the way to start in C++, where
      es_desc d = {0} warns under -Wextra): npop 64, sigma 0.03, lr 0.02,
      weight decay 0.005, antithetic sampling, centered-rank shaping, Adam
      with beta1 0.9, beta2 0.999, adam_eps 1e-8, all pairs (top_k 0),
      seed 0, strategy OpenAI-ES (STRATEGIES below for the others and
      their defaults). A setting whose real value may be 0 is set to 0 by naming it
      in d.zero, never by a 0 in its field: d.zero = ES_ZERO_WD (no weight
      decay), ES_ZERO_BETA1 (Adam without momentum), ES_ZERO_BETA2; the
      field's value is then ignored. es_init() refuses what cannot train:
      sigma not positive, infinite, NaN or denormal (ES_ERROR_BAD_SIGMA),
      lr not positive or not finite, weight decay negative or not finite
      (ES_ERROR_BAD_LR), beta1 or beta2 outside [0, 1) or NaN, adam_eps
      not positive or not finite (ES_ERROR_BAD_ADAM), a theta0 holding NaN
      or infinity (ES_ERROR_NOT_FINITE). The resolved desc (opt.desc) holds
      every value written out and resolves to itself.
   2. es_init() copies theta0 (or zeros) and allocates O(nparams) state.
   3. Each generation, for every member i in [0, npop): es_perturbed() writes
      theta + sigma*s*eps into a buffer of yours; evaluate it. Members are
      independent: evaluate them on any threads (es_pool_run does that with
      dynamic load balancing). es_perturbed_pair() writes both members of an
      antithetic pair from one pass of noise.
   4. es_tell() takes the npop rewards (higher is better), shapes them,
      rebuilds the gradient from regenerated noise into opt.grad, takes one
      optimizer step and advances opt.generation. Pass an es_pool to split
      the update over threads. A step that would make theta, g or the Adam
      moments NaN or infinite is refused (ES_ERROR_NOT_FINITE) and, like a
      NaN reward (ES_ERROR_NAN_REWARD), leaves the state as it was: stop
      there, or change the rewards or settings. Generations stay below
      2^31 - 1.
   5. es_save()/es_load() write and read checkpoints; es_hash() fingerprints
      the state. Every file is written by es_file_write_atomic(): a
      temporary file "NAME.es-tmpPID", fsync, rename, fsync of the
      directory, so a crash or power loss leaves the old file or the new
      one. On ES_ERROR_IO, errno says why (ENOSPC, EACCES, ...); the
      temporary files of writers that were killed are removed by the next
      write in their directory.
      es_load() fills an es that holds none (zeroed, or after es_free()).
      es_load() refuses a checkpoint whose settings es_init() would refuse
      or whose generation is 2^31 - 1 or more (ES_ERROR_CORRUPT) and one
      whose theta or Adam moments hold NaN or infinity (ES_ERROR_NOT_FINITE),
      even under a valid CRC.

   CONTRACTS

   Noise stream (ES_NOISE_STREAM_VERSION 1). eps_k[j] of pair k in generation
   g is a function of (seed, g, k, j) alone: Philox4x32-10 with key (seed low
   32 bits, seed high 32 bits) and counter (j/4, k, g, ES_STREAM_EPS). Each
   block's words w0..w3 become four normals by Box-Muller: u = odd 24-bit
   integer (w>>8)|1 times 2^-24 (never 0, never 1), r = sqrt(-2 ln u(w0)),
   angle = (w1>>30)*pi/2 + ((w1>>6) & 0xffffff)*2^-24*pi/2 (the top 26 bits
   of w1 as a fraction of a turn), normals r*cos, r*sin; likewise w2, w3.
   ln, sin and cos are the library's own float polynomials, and every
   header's implementation is compiled without FMA contraction, so the
   stream is bit-identical across compilers, optimization levels, -march
   and platforms with IEEE float (|eps| <= 5.77 by construction), and so is
   a training run with the same MuJoCo library. Do not build the
   implementation with -ffast-math, or with clang's -ffp-contract=fast
   (clang then ignores the contract pragma; gcc's is overridden and fine).
   Other streams (env reset noise, evaluation episodes, policy init) use the
   same generator with another tag in counter word 3 (es_rng).

   Update (ascent). With antithetic pairs and shaped utilities u:
       g = 1/(npop*sigma) * sum_k (u_{2k} - u_{2k+1}) * eps_k
   SGD:  theta += lr*g - lr*wd*theta
   Adam: step on h = -g + wd*theta with lr, beta1 0.9, beta2 0.999, eps 1e-8
         (m = b1 m + (1-b1) h; v = b2 v + (1-b2) h^2;
          theta -= lr*sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v)+eps)).
   Without antithetic sampling member i uses eps_i:
       g = 1/(npop*sigma) * sum_i u_i * eps_i.
   Shaping: centered ranks in [-0.5, 0.5] (ties broken by member index, so
   equal rewards still move theta: on a plateau where every member scores
   the same, theta walks at the full learning rate),
   z-score, or raw rewards. Top-k (ARS V1-t, antithetic only): the k pairs
   with the largest max(r+, r-) enter with utilities r / sigma_R, sigma_R the
   std of their 2k rewards, and npop in the formula becomes 2k.
   es-torch's update lacks the 1/sigma factor: its lr equals our lr*sigma.

   STRATEGIES (desc.strategy; the same es_perturbed / es_tell calls)

   Every strategy samples member i as theta + s*sigma_j*z_j with z the noise
   stream above (z_k of pair k with mirrored/antithetic sampling, s = +1 for
   member 2k and -1 for 2k+1; z_i of member i with plain sampling): only
   sigma becomes per-parameter (es_sigma(), read-only; es_sigma_mean()).
   es_tell regenerates z slice by slice, so nothing npop x nparams exists;
   state and scratch are O(nparams). Rewards are maximized. opt.grad and
   opt.grad_norm hold the mean's gradient (PGPE: g_mu; SNES, sep-CMA-ES:
   sum_i w_i z_i); a step that would leave any state non-finite or a sigma
   at 0 is refused (ES_ERROR_NOT_FINITE) with the state kept. opt.grad is
   not state: after a refused OpenAI-ES step it holds the refused gradient
   (the step's scratch), opt.grad_norm the last accepted one.

   ES_STRATEGY_OPENAI (default): the update above; sigma fixed.

   ES_STRATEGY_PGPE (Sehnke et al. 2010, "Parameter-exploring policy
   gradients", symmetric sampling only). With the shaped utilities u (desc
   shaping), K = npop/2 pairs, baseline b = mean u, eps_k = sigma*z_k:
       g_mu    = 1/K sum_k (u+ - u-)/2 * eps_k
       g_sigma = 1/K sum_k ((u+ + u-)/2 - b) * (eps_k^2 - sigma^2) / sigma
   theta takes g_mu through the desc's optimizer (default ClipUp, or Adam,
   SGD; weight decay as for OpenAI-ES); sigma += sigma_lr * g_sigma, each
   change clipped to +-sigma_max_change*sigma. Defaults: sigma_lr 0.1,
   sigma_max_change 0.2 (those of the authors' later pgpelib), initial sigma
   desc.sigma. On a linear reward u+ + u- = 0 and sigma does not move: PGPE
   widens its search only where the expected reward grows with sigma.

   ES_OPTIMIZER_CLIPUP (Toklu et al. 2020, "ClipUp: a simple and powerful
   optimizer for distribution-based policy evolution"), for any strategy
   that takes an optimizer (OpenAI-ES, PGPE). On h = g - wd*theta:
       v = beta1*v + lr * h/|h|;  if |v| > max_speed: v *= max_speed/|v|;
       theta += v
   Defaults: momentum beta1 0.9, max_speed 2*lr (the paper's advice: step
   size lr = max_speed/2). lr is a length in parameter space, so its
   default (desc.lr 0) scales with the search radius: es_clipup_lr(sigma,
   nparams) = ES_CLIPUP_RADIUS_SHARE * sigma * sqrt(nparams), 0.34 for
   HalfCheetah's 5,702-parameter MLP at sigma 0.03 (PGPE on HalfCheetah-v5,
   3M env steps, seed 1: lr 0.1 gave 1199, 0.3 gave 1345, 1 gave less; the
   OpenAI-ES default of 0.02 barely moves it). The velocity is state
   (checkpointed). es_desc_default() writes out OpenAI-ES's choices (Adam,
   lr 0.02, wd 0.005, antithetic sampling), which SNES and sep-CMA-ES
   refuse and PGPE would take over ClipUp: for another strategy start
   from a zeroed es_desc (every field its strategy's default), or set
   optimizer, sampling and lr back to 0 and wd to 0 with ES_ZERO_WD.

   ES_STRATEGY_SNES (Schaul, Glasmachers, Schmidhuber 2011, "High
   dimensions and heavy tails for natural evolution strategies"; the
   formulas of Wierstra et al. 2014, JMLR 15). Utilities by rank k (1 the
   best) of the npop rewards, desc.shaping not used:
       u_k = max(0, ln(npop/2+1) - ln k) / sum_j max(0, ln(npop/2+1) - ln j) - 1/npop
       theta_j += lr * sigma_j * sum_i u_i z_ij
       sigma_j *= exp(sigma_lr/2 * sum_i u_i (z_ij^2 - 1))
   Defaults: lr (eta_mu) 1, sigma_lr (eta_sigma) (3 + ln n)/(5 sqrt n),
   plain sampling (the paper's). Mirrored sampling may be asked for: SNES's
   estimates stay unbiased (a pair is two draws of the same distribution).
   No optimizer (desc.optimizer resolves to SGD, meaning the step above) and
   no weight decay. The papers' population is 4 + floor(3 ln n); npop's
   default stays 64 (neural networks want more than ~30).

   ES_STRATEGY_SEPCMA (Ros and Hansen 2008, "A simple modification in
   CMA-ES achieving linear time and space complexity"): CMA-ES with a
   diagonal covariance C, cumulative step-size adaptation and rank-one +
   rank-mu updates (constants of Hansen's 2016 tutorial). mu = npop/2
   best members, w_i = ln((npop+1)/2) - ln i normalized to sum 1, mu_eff =
   1/sum w_i^2, n = nparams:
       c_sigma = (mu_eff+2)/(n+mu_eff+5)
       d_sigma = 1 + 2 max(0, sqrt((mu_eff-1)/(n+1)) - 1) + c_sigma
       c_c = (4 + mu_eff/n)/(n + 4 + 2 mu_eff/n)
       c_cov = (n+2)/3 * [1/mu_eff * 2/(n+sqrt 2)^2
               + (1 - 1/mu_eff) min(1, (2 mu_eff - 1)/((n+2)^2 + mu_eff))]
       c_1 = c_cov/mu_eff, c_mu = c_cov - c_1, E|N(0,I)| ~ sqrt(n)(1 - 1/4n + 1/21n^2)
   With y_i = sqrt(C) z_i over the mu best, <z> = sum w_i z_i, <y> = sqrt(C) <z>:
       theta += lr * sigma * <y>                         (lr = c_m, default 1)
       p_sigma = (1-c_sigma) p_sigma + sqrt(c_sigma(2-c_sigma) mu_eff) <z>
       h_sigma = |p_sigma|/sqrt(1-(1-c_sigma)^(2(g+1))) < (1.4 + 2/(n+1)) E|N(0,I)|
       p_c = (1-c_c) p_c + h_sigma sqrt(c_c(2-c_c) mu_eff) <y>
       C = (1-c_1-c_mu) C + c_1 (p_c^2 + (1-h_sigma) c_c(2-c_c) C) + c_mu sum w_i y_i^2
       sigma *= exp(c_sigma/d_sigma (|p_sigma|/E|N(0,I)| - 1))
   and sigma_j = sigma*sqrt(C_j). Plain sampling only: mirrored pairs that
   are both selected cancel in <z>, which shortens p_sigma and biases the
   step size down (Brockhoff et al. 2010). No optimizer, no weight decay;
   desc.sigma is the initial step size, C starts at I.

   Checkpoints of these (and of ClipUp) add the sections STRG (strategy,
   sigma_lr, sigma_max_change, max_speed, sep-CMA's sigma), SIGV (PGPE,
   SNES sigma), VELO (ClipUp velocity), CMAC, CMPS, CMPC (sep-CMA's C,
   p_sigma, p_c); OpenAI-ES with Adam or SGD writes the bytes it always
   did, and a file without STRG loads as OpenAI-ES. es_hash covers the new
   state. A reader older than 0.3 ignores STRG: it refuses a ClipUp file
   (unknown optimizer) but would load SNES/PGPE-with-Adam as OpenAI-ES, so
   resume such runs with 0.3 or later.

   Determinism. The same desc, seed and rewards give the same bytes of theta
   and optimizer state whatever the thread count: the gradient is summed
   over pairs in pair order inside fixed slices of ES__SLICE parameters, and
   a thread owns whole slices, never a share of the population sum.

   Memory. O(nparams + npop); nothing of size npop x nparams ever exists.
   OpenAI-ES keeps theta, g and Adam's m and v: 16 bytes a parameter (8
   with SGD). The other strategies, and ClipUp, keep S state vectors
   (theta, m, v, sigma, velocity; sep-CMA-ES's c, p_s, p_c), g, and
   scratch holding a copy of the state to restore after a refused step:
   12 + 8 S bytes a parameter, from 28 (SNES, or OpenAI-ES with ClipUp) to
   52 (sep-CMA-ES).

   Threads. An es is not thread-safe to modify, but es_perturbed(),
   es_perturbed_pair() and es_noise_fill() may run on any number of threads
   at once.

   Errors. Every fallible call returns es_result (0 ok, negative an error);
   es_result_string() describes it. Nothing here prints, asserts on input,
   exits or aborts. es.h keeps the core codes; the MuJoCo and Redis layers
   own blocks of codes and their own result-string functions (see the
   table after the es_result enum).

   REVISION HISTORY: see the end of this file. LICENSE: MIT, at the end.
*/
#ifndef ES_H_INCLUDED
#define ES_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define ES_VERSION_MAJOR 0
#define ES_VERSION_MINOR 5
#define ES_NOISE_STREAM_VERSION 1
#define ES_CHECKPOINT_FORMAT_VERSION 1

#ifndef ES_API
#  if defined(ES_STATIC) && (defined(__GNUC__) || defined(__clang__))
#    define ES_API static __attribute__((unused))   /* no -Wunused-function for what a TU skips */
#  elif defined(ES_STATIC)
#    define ES_API static
#  elif defined(ES_DLL) && defined(_WIN32) && defined(ES_IMPLEMENTATION)
#    define ES_API __declspec(dllexport)
#  elif defined(ES_DLL) && defined(_WIN32)
#    define ES_API __declspec(dllimport)
#  else
#    define ES_API extern
#  endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum es_result {
    ES_OK = 0,
    ES_ERROR_INVALID_ARGUMENT = -1,
    ES_ERROR_OUT_OF_MEMORY = -2,
    ES_ERROR_BAD_NPOP = -3,
    ES_ERROR_BAD_SIGMA = -4,
    ES_ERROR_BAD_TOP_K = -5,
    ES_ERROR_NAN_REWARD = -6,
    ES_ERROR_IO = -7,
    ES_ERROR_NOT_A_CHECKPOINT = -8,
    ES_ERROR_NEWER_VERSION = -9,
    ES_ERROR_TRUNCATED = -10,
    ES_ERROR_CORRUPT = -11,
    ES_ERROR_MISMATCH = -12,
    ES_ERROR_THREADS = -13,
    /* -14, -17, -18: no longer used (MuJoCo, Redis, GL moved to their layers) */
    ES_ERROR_NOT_FOUND = -15,
    ES_ERROR_BAD_ACTION = -16,
    ES_ERROR_BAD_LR = -19,
    ES_ERROR_BAD_ADAM = -20,
    ES_ERROR_NOT_FINITE = -21,
    ES_ERROR_STOPPED = -22,    /* stopped on request (es_runner's stop flag) */
    ES__RESULT_MIN = -2147483647   /* so every int code is an es_result, in C++ too */
} es_result;

/* Result codes by layer. es.h and es_mlp.h own -1..-99 (above). Each upper
   layer owns a block, defines its codes there as ((es_result)N) and names
   them with its own result-string function, which passes every other code
   on to es_result_string():
       -100..-199  es_env_mujoco.h   es_mujoco_result_string()
       -200..-299  es_redis.h        es_redis_result_string()
       -1000 and below: programs' own codes (examples/render.c: GL).
   es_result_string() names only the layer of a code in another block. */
#define ES_RESULT_MUJOCO_FIRST (-100)
#define ES_RESULT_REDIS_FIRST (-200)
#define ES_RESULT_APP_FIRST (-1000)

typedef enum es_sampling {
    ES_SAMPLING_DEFAULT = 0,
    ES_SAMPLING_ANTITHETIC,   /* members 2k, 2k+1 use +eps_k, -eps_k (default) */
    ES_SAMPLING_PLAIN         /* member i uses +eps_i */
} es_sampling;

typedef enum es_shaping {
    ES_SHAPING_DEFAULT = 0,
    ES_SHAPING_CENTERED_RANK, /* default */
    ES_SHAPING_ZSCORE,
    ES_SHAPING_RAW
} es_shaping;

typedef enum es_optimizer {
    ES_OPTIMIZER_DEFAULT = 0,
    ES_OPTIMIZER_ADAM,        /* default (PGPE: ClipUp) */
    ES_OPTIMIZER_SGD,
    ES_OPTIMIZER_CLIPUP       /* Toklu et al. 2020: normalized step, momentum, clipped speed */
} es_optimizer;

typedef enum es_strategy {
    ES_STRATEGY_DEFAULT = 0,
    ES_STRATEGY_OPENAI,       /* default: Salimans et al. 2017 (with top_k: ARS V1-t) */
    ES_STRATEGY_PGPE,         /* Sehnke et al. 2010, symmetric sampling */
    ES_STRATEGY_SNES,         /* Schaul et al. 2011, separable NES */
    ES_STRATEGY_SEPCMA        /* Ros and Hansen 2008, separable CMA-ES */
} es_strategy;

/* Stream tags: word 3 of the Philox counter. */
enum {
    ES_STREAM_EPS = 0,        /* perturbations (es_noise_fill) */
    ES_STREAM_RESET = 1,      /* env reset noise of population episodes */
    ES_STREAM_EVAL = 2,       /* env reset noise of evaluation episodes */
    ES_STREAM_INIT = 3,       /* policy initialization */
    ES_STREAM_TEST = 4,       /* env reset noise of held-out test episodes (es_runner_evaluate_theta) */
    ES_STREAM_USER = 16       /* first tag free for users */
};

/* Both functions or neither (ES_MALLOC/ES_FREE): one alone is refused
   (ES_ERROR_INVALID_ARGUMENT) by every call that takes an allocator. */
typedef struct es_allocator {
    void *(*alloc_fn)(size_t size, void *user_data);
    void (*free_fn)(void *ptr, void *user_data);
    void *user_data;
} es_allocator;

/* es_desc.zero: settings whose value is a real 0. A 0 in a field means
   its default, so a setting that may truly be 0 is named here instead
   (d.zero = ES_ZERO_WD: no weight decay); the field itself is then ignored. */
typedef enum es_zero {
    ES_ZERO_WD = 1,           /* no weight decay */
    ES_ZERO_BETA1 = 2,        /* Adam without momentum */
    ES_ZERO_BETA2 = 4         /* Adam's second moment is the last h^2 */
} es_zero;

typedef struct es_desc {
    int npop;                 /* population size, even when antithetic (64), <= 2^24 */
    float sigma;              /* noise std (0.03), > 0 */
    float lr;                 /* learning rate (0.02), > 0 */
    float wd;                 /* L2 weight decay (0.005), > 0; none: ES_ZERO_WD */
    es_sampling sampling;
    es_shaping shaping;       /* OpenAI-ES (not with top_k) and PGPE; SNES and sep-CMA-ES rank */
    es_optimizer optimizer;
    float beta1, beta2;       /* Adam (0.9, 0.999), in (0, 1); 0: ES_ZERO_BETA1/2 */
    float adam_eps;           /* Adam (1e-8), > 0 */
    int top_k;                /* pairs entering the update, 0 = all */
    uint64_t seed;            /* noise seed (0 is a valid seed) */
    unsigned zero;            /* es_zero flags: settings that are a real 0 */
    es_allocator allocator;   /* zero: ES_MALLOC/ES_FREE */
    es_strategy strategy;     /* OpenAI-ES by default; see STRATEGIES */
    float sigma_lr;           /* PGPE alpha_sigma (0.1), SNES eta_sigma ((3+ln n)/(5 sqrt n)) */
    float sigma_max_change;   /* PGPE: |dsigma| <= this * sigma a step (0.2), below 1 */
    float max_speed;          /* ClipUp: |velocity| <= this (2 lr) */
} es_desc;

typedef struct es {
    es_desc desc;             /* resolved: no zero left but those named in desc.zero */
    size_t nparams;
    float *theta;
    float *m, *v;             /* Adam moments (NULL with SGD) */
    float *grad;              /* g of the last es_tell (ascent direction) */
    uint64_t t;               /* Adam step count */
    uint32_t generation;
    /* figures of the last es_tell */
    double grad_norm;         /* |g| */
    double update_ratio;      /* |dtheta| / |theta| */
    /* scratch, O(npop + nparams / slice) */
    float *utility;
    int *order;
    double *slice_sums;
    /* strategy state, O(nparams); NULL where the configuration has none */
    float *sigma;             /* per-parameter sigma (PGPE, SNES, sep-CMA-ES) */
    float *velocity;          /* ClipUp */
    float *cma_c, *cma_ps, *cma_pc;   /* sep-CMA-ES: diag(C), paths p_sigma, p_c */
    double cma_sigma;         /* sep-CMA-ES: global step size */
    float *work;              /* (2 + state vectors) nparams: the strategies' scratch */
} es;

/* A counter-based stream of random numbers: counter (block, index,
   generation, stream), key from the seed. */
typedef struct es_rng {
    uint32_t key[2];
    uint32_t ctr[4];
    uint32_t word[4];
    int used;                 /* words of word[] consumed */
} es_rng;

typedef void (*es_pool_fn)(void *user, int index, int thread);

typedef struct es_pool {
    int nthreads;             /* including the calling thread */
    void *impl;
} es_pool;

/* One checkpoint section: a 4-character tag and its bytes (data may be NULL
   only when size is 0). es.h's own tags (DESC STAT THTA ADMM ADMV STRG SIGV
   VELO CMAC CMPS CMPC) are refused as user sections; es_mlp.h writes TASK
   POLI NORM RUNI through them. */
typedef struct es_section {
    uint32_t tag;
    const void *data;
    size_t size;
} es_section;

typedef struct es_checkpoint {
    unsigned char *bytes;     /* the whole file, validated */
    size_t size;
    es_allocator allocator;
} es_checkpoint;

#define ES_TAG(a, b, c, d) ((uint32_t)(unsigned char)(a) | ((uint32_t)(unsigned char)(b) << 8) | \
                            ((uint32_t)(unsigned char)(c) << 16) | ((uint32_t)(unsigned char)(d) << 24))

ES_API const char *es_result_string(es_result result);
ES_API es_desc es_desc_default(void);
#define ES_CLIPUP_RADIUS_SHARE 0.15f   /* ClipUp's default lr over sigma*sqrt(nparams) */
ES_API float es_clipup_lr(float sigma, size_t nparams);   /* sigma 0: the default sigma */

/* Philox4x32-10 (Salmon et al. 2011). */
ES_API void es_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);
/* eps of one pair: n standard normals, element j of (seed, generation, pair). */
ES_API void es_noise_fill(uint64_t seed, uint32_t generation, uint32_t pair, float *eps, size_t n);

ES_API void es_rng_init(es_rng *rng, uint64_t seed, uint32_t stream, uint32_t generation, uint32_t index);
ES_API uint32_t es_rng_u32(es_rng *rng);
ES_API double es_rng_uniform(es_rng *rng);   /* [0, 1), 53 bits */
ES_API double es_rng_normal(es_rng *rng);    /* standard normal (float precision) */

ES_API es_result es_init(es *opt, const es_desc *desc, const float *theta0, size_t nparams);
ES_API void es_free(es *opt);
ES_API es_result es_perturbed(const es *opt, int member, float *out);
ES_API es_result es_perturbed_pair(const es *opt, int pair, float *plus, float *minus);
ES_API es_result es_tell(es *opt, const float *rewards, es_pool *pool);
ES_API es_result es_utilities(const es_desc *desc, const float *rewards, float *utility, int *order);
/* FNV-1a of theta and the optimizer state (ES_HASH_INIT for NULL). */
ES_API uint64_t es_hash(const es *opt);
/* Per-parameter sigma (read-only; NULL for OpenAI-ES, whose sigma is
   desc.sigma) and its mean (desc.sigma for OpenAI-ES). */
ES_API const float *es_sigma(const es *opt);
ES_API double es_sigma_mean(const es *opt);
ES_API uint64_t es_hash_bytes(uint64_t h, const void *data, size_t size);
#define ES_HASH_INIT 0xcbf29ce484222325ull

ES_API int es_cpu_count(void);
ES_API es_result es_pool_init(es_pool *pool, int nthreads, const es_allocator *allocator);
ES_API void es_pool_run(es_pool *pool, int n, es_pool_fn fn, void *user);
ES_API void es_pool_free(es_pool *pool);

ES_API uint32_t es_crc32(uint32_t crc, const void *data, size_t size);
ES_API es_result es_checkpoint_encode(const es *opt, const es_section *user, int nuser,
                                      es_checkpoint *out);
ES_API es_result es_checkpoint_decode(es_checkpoint *ck, const void *bytes, size_t size,
                                      const es_allocator *allocator);
ES_API es_result es_checkpoint_read(es_checkpoint *ck, const char *path, const es_allocator *allocator);
ES_API es_result es_checkpoint_write(const es_checkpoint *ck, const char *path);
ES_API es_result es_checkpoint_section(const es_checkpoint *ck, uint32_t tag, const void **data, size_t *size);
ES_API void es_checkpoint_free(es_checkpoint *ck);
ES_API es_result es_load(es *opt, const es_checkpoint *ck, const es_allocator *allocator);
ES_API es_result es_save(const es *opt, const char *path, const es_section *user, int nuser);
ES_API es_result es_file_write_atomic(const char *path, const void *data, size_t size);
/* write() to a file descriptor until all is written, retrying EINTR (POSIX;
   ES_ERROR_IO with errno on failure). */
ES_API es_result es_write_all(int fd, const void *data, size_t size);

/* Little-endian byte helpers for checkpoint sections. */
ES_API void es_put_u32(unsigned char *p, uint32_t x);
ES_API void es_put_u64(unsigned char *p, uint64_t x);
ES_API void es_put_f32(unsigned char *p, float x);
ES_API void es_put_f64(unsigned char *p, double x);
ES_API uint32_t es_get_u32(const unsigned char *p);
ES_API uint64_t es_get_u64(const unsigned char *p);
ES_API float es_get_f32(const unsigned char *p);
ES_API double es_get_f64(const unsigned char *p);

#ifdef __cplusplus
}
#endif
#endif /* ES_H_INCLUDED */

/* ======================================================================== */
#if defined(ES_IMPLEMENTATION) && !defined(ES_IMPLEMENTATION_INCLUDED)
#define ES_IMPLEMENTATION_INCLUDED

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#if defined(ES_MALLOC) != defined(ES_FREE)
#  error "es.h: define both ES_MALLOC and ES_FREE, or neither"
#endif
#ifndef ES_MALLOC
#  include <stdlib.h>
#  define ES_MALLOC(size) malloc(size)
#  define ES_FREE(ptr) free(ptr)
#endif
#ifndef ES_ASSERT
#  include <assert.h>
#  define ES_ASSERT(x) assert(x)
#endif

#if !defined(ES_NO_POSIX) && (defined(__unix__) || defined(__APPLE__))
#  define ES__POSIX 1
#  include <dirent.h>
#  include <errno.h>
#  include <fcntl.h>
#  include <sys/file.h>
#  include <sys/stat.h>
#  include <time.h>
#  include <unistd.h>
#else
#  define ES__POSIX 0
#  if defined(_WIN32)   /* es_file_write_atomic: MoveFileExA, _commit, _getpid */
#    ifndef WIN32_LEAN_AND_MEAN
#      define WIN32_LEAN_AND_MEAN
#    endif
#    include <windows.h>
#    include <io.h>
#    include <process.h>
#  endif
#endif
#if defined(ES_NO_THREADS) || !ES__POSIX
#  define ES__THREADS 0
#else
#  define ES__THREADS 1
#  include <pthread.h>
#endif

/* No FMA contraction anywhere in the implementations: a fused a*b+c rounds
   once where a*b then +c rounds twice, so a -march=native build would
   train to other bytes than a portable one. Every header's implementation
   sits between ES__STRICT_FP_BEGIN and ES__STRICT_FP_END; the pragmas are
   pushed and popped, so the user's own code keeps its flags. */
#if defined(__clang__)
#  define ES__STRICT_FP_BEGIN _Pragma("float_control(push)") _Pragma("clang fp contract(off)")
#  define ES__STRICT_FP_END _Pragma("float_control(pop)")
#elif defined(__GNUC__)
#  define ES__STRICT_FP_BEGIN _Pragma("GCC push_options") _Pragma("GCC optimize(\"fp-contract=off\")")
#  define ES__STRICT_FP_END _Pragma("GCC pop_options")
#else
#  define ES__STRICT_FP_BEGIN
#  define ES__STRICT_FP_END
#endif

#if defined(__GNUC__)
#  define ES__INLINE __inline__ __attribute__((always_inline))
#else
#  define ES__INLINE
#endif

/* ES__DISPATCH(name, (params), (args)) defines static void name from the
   ES__INLINE name##_body. On x86 built without AVX2 it compiles the body
   twice, for the baseline and for AVX2 (never FMA), and picks by the CPU at
   run time: the same operations lane by lane, so the same bits either way
   (tests/test_compilers.sh compares with an ES_NO_DISPATCH build). */
#if !defined(ES_NO_DISPATCH) && !defined(__AVX2__) && (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#  define ES__DISPATCH(name, params, args) \
    static __attribute__((target("avx2"))) void name##_avx2 params { name##_body args; } \
    static void name##_base params { name##_body args; } \
    static void name params { if (__builtin_cpu_supports("avx2")) name##_avx2 args; else name##_base args; }
#else
#  define ES__DISPATCH(name, params, args) static void name params { name##_body args; }
#endif

#if defined(__SSE__) || defined(_M_X64)
#  include <xmmintrin.h>
#endif

#define ES__SLICE 1024   /* parameters per update slice (multiple of 4) */

ES__STRICT_FP_BEGIN
#ifdef __cplusplus
extern "C" {
#endif

ES_API const char *es_result_string(es_result result)
{
    int code = (int)result;
    switch (code) {
    case ES_OK: return "ok";
    case ES_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case ES_ERROR_OUT_OF_MEMORY: return "out of memory";
    case ES_ERROR_BAD_NPOP: return "npop must be at least 2, and even with antithetic sampling";
    case ES_ERROR_BAD_SIGMA: return "sigma must be positive, finite and not denormal";
    case ES_ERROR_BAD_TOP_K: return "top_k must be between 0 and npop/2, with antithetic sampling";
    case ES_ERROR_NAN_REWARD: return "a reward is NaN or infinite";
    case ES_ERROR_IO: return "file input/output failed";
    case ES_ERROR_NOT_A_CHECKPOINT: return "not an es checkpoint (bad magic)";
    case ES_ERROR_NEWER_VERSION: return "checkpoint written by a newer format or noise stream version";
    case ES_ERROR_TRUNCATED: return "checkpoint is truncated";
    case ES_ERROR_CORRUPT: return "checkpoint is corrupt (checksum, layout or a setting out of range)";
    case ES_ERROR_MISMATCH: return "checkpoint does not match this task or policy";
    case ES_ERROR_THREADS: return "could not start threads";
    case ES_ERROR_NOT_FOUND: return "not found";
    case ES_ERROR_BAD_ACTION: return "bad action (wrong size or not finite)";
    case ES_ERROR_BAD_LR: return "lr must be positive and finite, weight decay finite and not negative";
    case ES_ERROR_BAD_ADAM: return "Adam needs beta1 and beta2 in [0, 1) and adam_eps positive and finite";
    case ES_ERROR_NOT_FINITE: return "theta or the optimizer state is NaN or infinite";
    case ES_ERROR_STOPPED: return "stopped on request";
    default: break;
    }
    /* another layer's block: its name (its own function says more) */
    if (code <= ES_RESULT_MUJOCO_FIRST && code > ES_RESULT_REDIS_FIRST) return "MuJoCo error";
    if (code <= ES_RESULT_REDIS_FIRST && code > ES_RESULT_REDIS_FIRST - 100) return "Redis error";
    if (code <= ES_RESULT_APP_FIRST) return "the program's own error";
    return "unknown error";
}

ES_API es_desc es_desc_default(void)
{
    es_desc d;
    memset(&d, 0, sizeof d);
    d.npop = 64;
    d.sigma = 0.03f;
    d.lr = 0.02f;
    d.wd = 0.005f;
    d.sampling = ES_SAMPLING_ANTITHETIC;
    d.shaping = ES_SHAPING_CENTERED_RANK;
    d.optimizer = ES_OPTIMIZER_ADAM;
    d.beta1 = 0.9f;
    d.beta2 = 0.999f;
    d.adam_eps = 1e-8f;
    return d;
}

/* ---- memory ---------------------------------------------------------- */

/* One function without the other would free one allocator's blocks with the other's. */
static int es__allocator_ok(const es_allocator *a)
{
    return !a || !a->alloc_fn == !a->free_fn;
}

static void *es__alloc(const es_allocator *a, size_t size)
{
    if (a && a->alloc_fn) return a->alloc_fn(size, a->user_data);
    return ES_MALLOC(size);
}

static void es__free(const es_allocator *a, void *p)
{
    if (!p) return;
    if (a && a->free_fn) a->free_fn(p, a->user_data);
    else ES_FREE(p);
}

/* ---- Philox4x32-10 and the noise stream ------------------------------- */

static void es__philox(const uint32_t in[4], uint32_t k0, uint32_t k1, uint32_t out[4])
{
    uint32_t c0 = in[0], c1 = in[1], c2 = in[2], c3 = in[3];
    int r;
    for (r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)0xD2511F53u * c0;
        uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

ES_API void es_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    es__philox(ctr, key[0], key[1], out);
}

/* ln(u) for u in (0, 1): u = m * 2^e with m in [sqrt(1/2), sqrt(2)),
   ln m = 2 atanh(f), f = (m-1)/(m+1), |f| <= 0.1716. */
static ES__INLINE float es__logf(float u)
{
    uint32_t bits, big;
    int32_t e;
    float m, f, s, p;
    memcpy(&bits, &u, 4);
    e = (int32_t)(bits >> 23) - 127;
    bits = (bits & 0x007fffffu) | 0x3f800000u;
    big = bits > 0x3fb504f3u;               /* m > sqrt(2) */
    bits -= big << 23;                      /* halve m */
    e += (int32_t)big;
    memcpy(&m, &bits, 4);
    f = (m - 1.0f) / (m + 1.0f);
    s = f * f;
    p = 0.11111111f;
    p = p * s + 0.14285715f;
    p = p * s + 0.2f;
    p = p * s + 0.33333334f;
    p = p * s + 1.0f;
    return (float)e * 0.69314718f + 2.0f * f * p;
}

/* sin and cos of 2*pi*w/2^32: the top two bits pick the quadrant, the next
   24 the angle a in [0, pi/2), Taylor polynomials to x^13 and x^12. */
static ES__INLINE void es__sincos_turn(uint32_t w, float *sn, float *cs)
{
    uint32_t q = w >> 30;
    float a = (float)(int32_t)((w >> 6) & 0xffffffu) * 5.9604644775390625e-08f * 1.5707964f;
    float x2 = a * a, s, c, t;
    s = -1.6059044e-10f;
    s = s * x2 + 2.5052108e-08f;
    s = s * x2 - 2.7557319e-06f;
    s = s * x2 + 1.9841270e-04f;
    s = s * x2 - 8.3333333e-03f;
    s = s * x2 + 1.6666667e-01f;
    s = a - a * x2 * s;
    c = 2.0876757e-09f;
    c = c * x2 - 2.7557319e-07f;
    c = c * x2 + 2.4801587e-05f;
    c = c * x2 - 1.3888889e-03f;
    c = c * x2 + 4.1666667e-02f;
    c = c * x2 - 0.5f;
    c = 1.0f + x2 * c;
    t = (q & 1u) ? c : s;                   /* selects, no branches: vectorizes */
    c = (q & 1u) ? -s : c;
    *sn = (q & 2u) ? -t : t;
    *cs = (q & 2u) ? -c : c;
}

/* -2 ln u of a word, u = ((w>>8)|1) 2^-24: the square of the Box-Muller radius. */
static ES__INLINE float es__radius2(uint32_t w)
{
    float u = (float)(int32_t)((w >> 8) | 1u) * 5.9604644775390625e-08f;
    return -2.0f * es__logf(u);
}

/* The Box-Muller radius sqrt(-2 ln u) of a word. */
static ES__INLINE float es__radius(uint32_t w)
{
    return sqrtf(es__radius2(w));
}

/* Four Philox words to four normals (Box-Muller on word pairs). */
static void es__normals4(const uint32_t w[4], float z[4])
{
    int i;
    for (i = 0; i < 4; i += 2) {
        float r = es__radius(w[i]);
        float sn, cs;
        es__sincos_turn(w[i + 1], &sn, &cs);
        z[i] = r * cs;
        z[i + 1] = r * sn;
    }
}

/* ES__NOISE_BLOCKS Philox blocks at once (counters c, c+1, ...), as
   structure-of-arrays loops of fixed length that gcc and clang vectorize at
   -O2; the same operations as es__philox and es__normals4, lane by lane,
   so the same bits. */
#define ES__NOISE_BLOCKS 16
static ES__INLINE void es__noise_blocks(uint32_t c, uint32_t pair, uint32_t generation,
                                         uint32_t k0, uint32_t k1, float *out)
{
    uint32_t c0[ES__NOISE_BLOCKS], c1[ES__NOISE_BLOCKS], c2[ES__NOISE_BLOCKS], c3[ES__NOISE_BLOCKS];
    float ra[ES__NOISE_BLOCKS], rb[ES__NOISE_BLOCKS];
    float sa[ES__NOISE_BLOCKS], ca[ES__NOISE_BLOCKS], sb[ES__NOISE_BLOCKS], cb[ES__NOISE_BLOCKS];
    int b, r;
    for (b = 0; b < ES__NOISE_BLOCKS; b++) {
        c0[b] = c + (uint32_t)b;
        c1[b] = pair;
        c2[b] = generation;
        c3[b] = ES_STREAM_EPS;
    }
    for (r = 0; r < 10; r++) {
        for (b = 0; b < ES__NOISE_BLOCKS; b++) {
            uint64_t p0 = (uint64_t)0xD2511F53u * c0[b];
            uint64_t p1 = (uint64_t)0xCD9E8D57u * c2[b];
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1[b] ^ k0;
            uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3[b] ^ k1;
            c1[b] = (uint32_t)p1;
            c3[b] = (uint32_t)p0;
            c0[b] = n0;
            c2[b] = n2;
        }
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    for (b = 0; b < ES__NOISE_BLOCKS; b++) {
        ra[b] = es__radius2(c0[b]);
        rb[b] = es__radius2(c2[b]);
    }
    /* sqrtf sets errno on negative input (never here: -2 ln u > 0), which
       keeps gcc from vectorizing it; SSE's sqrtps is the same IEEE square
       root, correctly rounded, lane by lane. */
#if defined(__SSE__) || defined(_M_X64)
    for (b = 0; b < ES__NOISE_BLOCKS; b += 4) {
        _mm_storeu_ps(ra + b, _mm_sqrt_ps(_mm_loadu_ps(ra + b)));
        _mm_storeu_ps(rb + b, _mm_sqrt_ps(_mm_loadu_ps(rb + b)));
    }
#else
    for (b = 0; b < ES__NOISE_BLOCKS; b++) {
        ra[b] = sqrtf(ra[b]);
        rb[b] = sqrtf(rb[b]);
    }
#endif
    for (b = 0; b < ES__NOISE_BLOCKS; b++) {
        es__sincos_turn(c1[b], &sa[b], &ca[b]);
        es__sincos_turn(c3[b], &sb[b], &cb[b]);
    }
    for (b = 0; b < ES__NOISE_BLOCKS; b++) {
        out[4 * b + 0] = ra[b] * ca[b];
        out[4 * b + 1] = ra[b] * sa[b];
        out[4 * b + 2] = rb[b] * cb[b];
        out[4 * b + 3] = rb[b] * sb[b];
    }
}

/* ngroups runs of ES__NOISE_BLOCKS blocks from counter c: the hot loop,
   compiled for the baseline and AVX2 once around all of it. */
static ES__INLINE void es__noise_groups_body(uint32_t c, uint32_t pair, uint32_t generation, uint32_t k0,
                                             uint32_t k1, float *out, size_t ngroups)
{
    size_t g;
    for (g = 0; g < ngroups; g++, c += ES__NOISE_BLOCKS, out += 4 * ES__NOISE_BLOCKS)
        es__noise_blocks(c, pair, generation, k0, k1, out);
}
ES__DISPATCH(es__noise_groups,
             (uint32_t c, uint32_t pair, uint32_t generation, uint32_t k0, uint32_t k1, float *out, size_t ngroups),
             (c, pair, generation, k0, k1, out, ngroups))

/* eps[0..n) of pair k starting at element j0 (a multiple of 4). */
static void es__noise_range(uint64_t seed, uint32_t generation, uint32_t pair,
                            size_t j0, float *eps, size_t n)
{
    uint32_t ctr[4], w[4];
    float z[4];
    size_t j;
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    ES_ASSERT(j0 % 4 == 0);                 /* a block holds elements 4b..4b+3 */
    ctr[0] = (uint32_t)(j0 / 4);
    ctr[1] = pair;
    ctr[2] = generation;
    ctr[3] = ES_STREAM_EPS;
    j = n / (4 * ES__NOISE_BLOCKS) * (4 * ES__NOISE_BLOCKS);
    es__noise_groups(ctr[0], pair, generation, k0, k1, eps, j / (4 * ES__NOISE_BLOCKS));
    ctr[0] += (uint32_t)(j / 4);
    for (; j + 4 <= n; j += 4, ctr[0]++) {
        es__philox(ctr, k0, k1, w);
        es__normals4(w, eps + j);
    }
    if (j < n) {
        size_t i;
        es__philox(ctr, k0, k1, w);
        es__normals4(w, z);
        for (i = 0; j + i < n; i++) eps[j + i] = z[i];
    }
}

ES_API void es_noise_fill(uint64_t seed, uint32_t generation, uint32_t pair, float *eps, size_t n)
{
    es__noise_range(seed, generation, pair, 0, eps, n);
}

ES_API void es_rng_init(es_rng *rng, uint64_t seed, uint32_t stream, uint32_t generation, uint32_t index)
{
    rng->key[0] = (uint32_t)seed;
    rng->key[1] = (uint32_t)(seed >> 32);
    rng->ctr[0] = 0;
    rng->ctr[1] = index;
    rng->ctr[2] = generation;
    rng->ctr[3] = stream;
    rng->used = 4;
}

ES_API uint32_t es_rng_u32(es_rng *rng)
{
    if (rng->used == 4) {
        es__philox(rng->ctr, rng->key[0], rng->key[1], rng->word);
        rng->ctr[0]++;
        rng->used = 0;
    }
    return rng->word[rng->used++];
}

ES_API double es_rng_uniform(es_rng *rng)
{
    uint32_t hi = es_rng_u32(rng) >> 5, lo = es_rng_u32(rng) >> 6;
    return ((double)hi * 67108864.0 + (double)lo) * (1.0 / 9007199254740992.0);
}

ES_API double es_rng_normal(es_rng *rng)
{
    uint32_t w[4];
    float z[4];
    w[0] = es_rng_u32(rng);
    w[1] = es_rng_u32(rng);
    w[2] = w[3] = 0;
    es__normals4(w, z);
    return (double)z[0];
}

/* ---- desc and state -------------------------------------------------- */

#define ES__ZERO_ALL (ES_ZERO_WD | ES_ZERO_BETA1 | ES_ZERO_BETA2)

/* A field's 0 becomes its default, unless desc.zero names it: then it is 0
   whatever the field holds. The result is a fixed point: resolving a
   resolved desc changes nothing. */
/* The strategies' hooks (defined with the strategies, after es_tell). */
static void es__strategy_defaults(es_desc *d, size_t nparams);
static es_result es__strategy_check(es_desc *d);
static es_result es__strategy_init(es *opt);
static void es__strategy_free(es *opt);
static es_result es__strategy_tell(es *opt, const float *rewards, es_pool *pool);

/* The largest population es_init takes and es_load reads back. */
#define ES__MAX_NPOP (1 << 24)

static es_result es__resolve(const es_desc *in, es_desc *d, size_t nparams)
{
    es_desc def = es_desc_default();
    *d = *in;
    if (!es__allocator_ok(&d->allocator)) return ES_ERROR_INVALID_ARGUMENT;
    es__strategy_defaults(d, nparams);
    if (d->npop == 0) d->npop = def.npop;
    if (d->sigma == 0.0f) d->sigma = def.sigma;
    if (d->lr == 0.0f) d->lr = def.lr;
    if (d->zero & ES_ZERO_WD) d->wd = 0.0f;
    else if (d->wd == 0.0f) d->wd = def.wd;
    if (d->sampling == ES_SAMPLING_DEFAULT) d->sampling = def.sampling;
    if (d->shaping == ES_SHAPING_DEFAULT) d->shaping = def.shaping;
    if (d->optimizer == ES_OPTIMIZER_DEFAULT) d->optimizer = def.optimizer;
    if (d->zero & ES_ZERO_BETA1) d->beta1 = 0.0f;
    else if (d->beta1 == 0.0f) d->beta1 = def.beta1;
    if (d->zero & ES_ZERO_BETA2) d->beta2 = 0.0f;
    else if (d->beta2 == 0.0f) d->beta2 = def.beta2;
    if (d->adam_eps == 0.0f) d->adam_eps = def.adam_eps;
    if (d->npop < 2 || d->npop > ES__MAX_NPOP || (d->sampling == ES_SAMPLING_ANTITHETIC && d->npop % 2 != 0))
        return ES_ERROR_BAD_NPOP;
    /* the noise is multiplied by sigma and the gradient divided by it: a
       denormal sigma loses its precision and overflows 1/sigma */
    if (!(d->sigma >= FLT_MIN) || !(d->sigma <= FLT_MAX)) return ES_ERROR_BAD_SIGMA;
    if (d->top_k < 0 || d->top_k > d->npop / 2 ||
        (d->top_k > 0 && d->sampling != ES_SAMPLING_ANTITHETIC))
        return ES_ERROR_BAD_TOP_K;
    if (!(d->lr > 0.0f) || !(d->lr <= FLT_MAX) || !(d->wd >= 0.0f) || !(d->wd <= FLT_MAX))
        return ES_ERROR_BAD_LR;
    if (!(d->beta1 >= 0.0f && d->beta1 < 1.0f) || !(d->beta2 >= 0.0f && d->beta2 < 1.0f) ||
        !(d->adam_eps > 0.0f) || !(d->adam_eps <= FLT_MAX))
        return ES_ERROR_BAD_ADAM;
    if ((int)d->sampling < 0 || d->sampling > ES_SAMPLING_PLAIN || (int)d->shaping < 0 ||
        d->shaping > ES_SHAPING_RAW || (int)d->optimizer < 0 || d->optimizer > ES_OPTIMIZER_CLIPUP ||
        (d->zero & ~(unsigned)ES__ZERO_ALL) != 0)
        return ES_ERROR_INVALID_ARGUMENT;
    return es__strategy_check(d);
}

/* 1 when all n floats are finite. */
static int es__all_finite(const float *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

static size_t es__nslices(size_t nparams) { return (nparams + ES__SLICE - 1) / ES__SLICE; }

/* At most 2^34 parameters (a checkpoint's 4-byte floats stay below 2^36
   bytes), and few enough that every byte count fits in a size_t: 16 bytes
   a parameter bound the largest buffer (4 for theta, m, v, grad each). */
static int es__nparams_ok(size_t nparams)
{
    return nparams > 0 && (uint64_t)nparams <= ((uint64_t)1 << 34) && nparams <= (size_t)-1 / 16;
}

ES_API float es_clipup_lr(float sigma, size_t nparams)
{
    if (sigma == 0.0f) sigma = es_desc_default().sigma;
    return (float)(ES_CLIPUP_RADIUS_SHARE * (double)sigma * sqrt((double)nparams));
}

ES_API es_result es_init(es *opt, const es_desc *desc, const float *theta0, size_t nparams)
{
    es_desc d;
    es_result r;
    const es_allocator *a;
    size_t np = nparams ? nparams : 1;
    if (!opt || !desc || !es__nparams_ok(nparams)) return ES_ERROR_INVALID_ARGUMENT;
    memset(opt, 0, sizeof *opt);
    r = es__resolve(desc, &d, nparams);
    if (r != ES_OK) return r;
    if (theta0 && !es__all_finite(theta0, nparams)) return ES_ERROR_NOT_FINITE;
    opt->desc = d;
    opt->nparams = nparams;
    a = &opt->desc.allocator;
    opt->theta = (float *)es__alloc(a, np * sizeof(float));
    opt->grad = (float *)es__alloc(a, np * sizeof(float));
    opt->utility = (float *)es__alloc(a, (size_t)d.npop * sizeof(float));
    opt->order = (int *)es__alloc(a, (size_t)d.npop * sizeof(int));
    opt->slice_sums = (double *)es__alloc(a, es__nslices(nparams) * 4 * sizeof(double));
    if (d.optimizer == ES_OPTIMIZER_ADAM) {
        opt->m = (float *)es__alloc(a, np * sizeof(float));
        opt->v = (float *)es__alloc(a, np * sizeof(float));
    }
    if (!opt->theta || !opt->grad || !opt->utility || !opt->order || !opt->slice_sums ||
        (d.optimizer == ES_OPTIMIZER_ADAM && (!opt->m || !opt->v))) {
        es_free(opt);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    if (theta0) memcpy(opt->theta, theta0, nparams * sizeof(float));
    else memset(opt->theta, 0, nparams * sizeof(float));
    memset(opt->grad, 0, nparams * sizeof(float));
    if (opt->m) {
        memset(opt->m, 0, nparams * sizeof(float));
        memset(opt->v, 0, nparams * sizeof(float));
    }
    return es__strategy_init(opt);
}

ES_API void es_free(es *opt)
{
    const es_allocator *a;
    if (!opt) return;
    a = &opt->desc.allocator;
    es__free(a, opt->theta);
    es__free(a, opt->grad);
    es__free(a, opt->m);
    es__free(a, opt->v);
    es__free(a, opt->utility);
    es__free(a, opt->order);
    es__free(a, opt->slice_sums);
    es__strategy_free(opt);
    memset(opt, 0, sizeof *opt);
}

ES_API es_result es_perturbed(const es *opt, int member, float *out)
{
    size_t j;
    float scale;
    uint32_t pair;
    if (!opt || !out || member < 0 || member >= opt->desc.npop) return ES_ERROR_INVALID_ARGUMENT;
    if (opt->desc.sampling == ES_SAMPLING_ANTITHETIC) {
        pair = (uint32_t)member >> 1;
        scale = (member & 1) ? -opt->desc.sigma : opt->desc.sigma;
    } else {
        pair = (uint32_t)member;
        scale = opt->desc.sigma;
    }
    es__noise_range(opt->desc.seed, opt->generation, pair, 0, out, opt->nparams);
    if (opt->sigma) {                       /* per-parameter sigma */
        const float *sg = opt->sigma;
        if (scale < 0.0f) for (j = 0; j < opt->nparams; j++) out[j] = opt->theta[j] + -sg[j] * out[j];
        else for (j = 0; j < opt->nparams; j++) out[j] = opt->theta[j] + sg[j] * out[j];
        return ES_OK;
    }
    for (j = 0; j < opt->nparams; j++) out[j] = opt->theta[j] + scale * out[j];
    return ES_OK;
}

/* Members 2*pair and 2*pair+1 from one pass of noise (antithetic only):
   the same bytes as two es_perturbed calls, at half the noise. */
ES_API es_result es_perturbed_pair(const es *opt, int pair, float *plus, float *minus)
{
    size_t j;
    float sigma;
    if (!opt || !plus || !minus || plus == minus || opt->desc.sampling != ES_SAMPLING_ANTITHETIC ||
        pair < 0 || pair >= opt->desc.npop / 2)
        return ES_ERROR_INVALID_ARGUMENT;
    sigma = opt->desc.sigma;
    es__noise_range(opt->desc.seed, opt->generation, (uint32_t)pair, 0, minus, opt->nparams);
    if (opt->sigma) {                       /* per-parameter sigma */
        for (j = 0; j < opt->nparams; j++) {
            float eps = minus[j], sg = opt->sigma[j];
            plus[j] = opt->theta[j] + sg * eps;
            minus[j] = opt->theta[j] + -sg * eps;
        }
        return ES_OK;
    }
    for (j = 0; j < opt->nparams; j++) {
        float eps = minus[j];
        plus[j] = opt->theta[j] + sigma * eps;
        minus[j] = opt->theta[j] + -sigma * eps;
    }
    return ES_OK;
}

/* ---- fitness shaping ------------------------------------------------- */

/* Stable merge sort of member indices by (reward, index). */
static void es__sort(const float *key, int *idx, int *tmp, int n)
{
    int width, i;
    for (width = 1; width < n; width *= 2) {
        for (i = 0; i < n; i += 2 * width) {
            int lo = i, mid = i + width < n ? i + width : n;
            int hi = i + 2 * width < n ? i + 2 * width : n;
            int a = lo, b = mid, k = lo;
            while (a < mid && b < hi) tmp[k++] = key[idx[b]] < key[idx[a]] ? idx[b++] : idx[a++];
            while (a < mid) tmp[k++] = idx[a++];
            while (b < hi) tmp[k++] = idx[b++];
        }
        memcpy(idx, tmp, (size_t)n * sizeof(int));
    }
}

static double es__mean_std(const float *x, const int *sel, int n, double *std)
{
    double mean = 0.0, var = 0.0;
    int i;
    for (i = 0; i < n; i++) mean += x[sel ? sel[i] : i];
    mean /= n;
    for (i = 0; i < n; i++) {
        double dx = x[sel ? sel[i] : i] - mean;
        var += dx * dx;
    }
    *std = sqrt(var / n);
    return mean;
}

/* Utilities of the npop rewards under desc's shaping (order: npop ints of
   scratch, left holding members sorted by reward). desc must be resolved. */
ES_API es_result es_utilities(const es_desc *d, const float *rewards, float *u, int *order)
{
    int n = d->npop, i, *tmp;
    double mean, std;
    for (i = 0; i < n; i++)
        if (!isfinite(rewards[i])) return ES_ERROR_NAN_REWARD;
    switch (d->shaping) {
    case ES_SHAPING_ZSCORE:
        mean = es__mean_std(rewards, NULL, n, &std);
        for (i = 0; i < n; i++) u[i] = std > 0.0 ? (float)((rewards[i] - mean) / std) : 0.0f;
        break;
    case ES_SHAPING_RAW:
        for (i = 0; i < n; i++) u[i] = rewards[i];
        break;
    default:
        tmp = (int *)es__alloc(&d->allocator, (size_t)n * sizeof(int));
        if (!tmp) return ES_ERROR_OUT_OF_MEMORY;
        for (i = 0; i < n; i++) order[i] = i;
        es__sort(rewards, order, tmp, n);
        es__free(&d->allocator, tmp);
        for (i = 0; i < n; i++) u[order[i]] = (float)((double)i / (n - 1) - 0.5);
        break;
    }
    return ES_OK;
}

/* Top-k: the k pairs with the largest max(r+, r-) get weights
   (r+ - r-)/sigma_R; the others 0. pair_w holds npop/2 weights. */
static es_result es__top_k(const es *opt, const float *rewards, float *pair_w)
{
    int npairs = opt->desc.npop / 2, k = opt->desc.top_k, i, *idx = opt->order, *sel, *tmp;
    float *best = opt->utility;   /* scratch: npairs <= npop */
    double std;
    for (i = 0; i < npairs; i++) {
        best[i] = rewards[2 * i] > rewards[2 * i + 1] ? rewards[2 * i] : rewards[2 * i + 1];
        idx[i] = i;
    }
    tmp = (int *)es__alloc(&opt->desc.allocator, (size_t)opt->desc.npop * sizeof(int));
    if (!tmp) return ES_ERROR_OUT_OF_MEMORY;
    es__sort(best, idx, tmp, npairs);      /* ascending; best k at the end */
    sel = tmp;
    for (i = 0; i < k; i++) {
        sel[2 * i] = 2 * idx[npairs - 1 - i];
        sel[2 * i + 1] = sel[2 * i] + 1;
    }
    es__mean_std(rewards, sel, 2 * k, &std);
    if (!(std > 0.0)) std = 1.0;
    for (i = 0; i < npairs; i++) pair_w[i] = 0.0f;
    for (i = 0; i < k; i++) {
        int p = idx[npairs - 1 - i];
        pair_w[p] = (float)(((double)rewards[2 * p] - rewards[2 * p + 1]) / std);   /* finite for any finite pair */
    }
    es__free(&opt->desc.allocator, tmp);
    return ES_OK;
}

/* ---- the update ------------------------------------------------------ */

typedef struct es__tell_job {
    es *opt;
    const float *w;       /* weight of each noise index (pair or member) */
    int nnoise;
    double gscale;        /* 1 / (npop * sigma) */
    double adam_step;     /* lr * sqrt(1-b2^t) / (1-b1^t) */
    int commit;           /* 0: g into opt->grad and a trial step; 1: the step */
} es__tell_job;

/* The optimizer's new theta, m, v of parameter j for gradient g (m, v are
   left alone with SGD). */
static ES__INLINE void es__step(const es *e, const es__tell_job *job, size_t j, float g,
                                float *th, float *m, float *v)
{
    float before = e->theta[j], lr = e->desc.lr, wd = e->desc.wd;
    if (e->desc.optimizer == ES_OPTIMIZER_SGD) {
        *th = before + lr * g - lr * wd * before;
    } else {
        float h = -g + wd * before;
        *m = e->desc.beta1 * e->m[j] + (1.0f - e->desc.beta1) * h;
        *v = e->desc.beta2 * e->v[j] + (1.0f - e->desc.beta2) * h * h;
        *th = before - (float)(job->adam_step * *m / (sqrt((double)*v) + e->desc.adam_eps));
    }
}

/* One slice. Trial: g = gscale * sum_k w_k eps_k (pairs in order) into
   opt->grad, the step computed but not stored; records |g|^2, |dtheta|^2,
   |theta|^2 of the slice and whether anything came out non-finite.
   Commit: the step from the stored g, the same arithmetic. */
static void es__tell_slice(void *user, int slice, int thread)
{
    es__tell_job *job = (es__tell_job *)user;
    es *e = job->opt;
    size_t j0 = (size_t)slice * ES__SLICE, n = e->nparams - j0, j;
    double acc[ES__SLICE], g2 = 0.0, d2 = 0.0, t2 = 0.0;
    float eps[ES__SLICE], th, m = 0.0f, v = 0.0f;
    int k, bad = 0;
    (void)thread;
    if (n > ES__SLICE) n = ES__SLICE;
    if (job->commit) {
        for (j = j0; j < j0 + n; j++) {
            es__step(e, job, j, e->grad[j], &th, &m, &v);
            e->theta[j] = th;
            if (e->m) {
                e->m[j] = m;
                e->v[j] = v;
            }
        }
        return;
    }
    for (j = 0; j < n; j++) acc[j] = 0.0;
    for (k = 0; k < job->nnoise; k++) {
        double w = job->w[k];
        if (w == 0.0) continue;
        es__noise_range(e->desc.seed, e->generation, (uint32_t)k, j0, eps, n);
        for (j = 0; j < n; j++) acc[j] += w * eps[j];
    }
    for (j = 0; j < n; j++) {
        float g = (float)(acc[j] * job->gscale), before = e->theta[j0 + j];
        e->grad[j0 + j] = g;
        es__step(e, job, j0 + j, g, &th, &m, &v);
        bad |= !isfinite(g) || !isfinite(th) || !isfinite(m) || !isfinite(v);
        g2 += (double)g * g;
        d2 += ((double)th - before) * ((double)th - before);
        t2 += (double)before * before;
    }
    e->slice_sums[4 * slice + 0] = g2;
    e->slice_sums[4 * slice + 1] = d2;
    e->slice_sums[4 * slice + 2] = t2;
    e->slice_sums[4 * slice + 3] = bad;
}

ES_API es_result es_tell(es *opt, const float *rewards, es_pool *pool)
{
    es__tell_job job;
    es_result r;
    int i, npairs, nslices, bad = 0;
    float *w;
    double g2 = 0.0, d2 = 0.0, t2 = 0.0;
    /* freed: no theta; the generation it makes must stay below 2^31 - 1, which es_load refuses */
    if (!opt || !rewards || !opt->theta || opt->generation >= (uint32_t)INT32_MAX - 1)
        return ES_ERROR_INVALID_ARGUMENT;
    for (i = 0; i < opt->desc.npop; i++)
        if (!isfinite(rewards[i])) return ES_ERROR_NAN_REWARD;
    if (opt->work) return es__strategy_tell(opt, rewards, pool);   /* PGPE, SNES, sep-CMA-ES, ClipUp */
    npairs = opt->desc.npop / 2;
    w = (float *)es__alloc(&opt->desc.allocator, (size_t)opt->desc.npop * sizeof(float));
    if (!w) return ES_ERROR_OUT_OF_MEMORY;
    job.opt = opt;
    job.w = w;
    job.commit = 0;
    if (opt->desc.top_k > 0) {
        r = es__top_k(opt, rewards, w);
        job.nnoise = npairs;
        job.gscale = 1.0 / (2.0 * opt->desc.top_k * opt->desc.sigma);
    } else {
        r = es_utilities(&opt->desc, rewards, opt->utility, opt->order);
        if (opt->desc.sampling == ES_SAMPLING_ANTITHETIC) {
            for (i = 0; i < npairs; i++) w[i] = opt->utility[2 * i] - opt->utility[2 * i + 1];
            job.nnoise = npairs;
        } else {
            for (i = 0; i < opt->desc.npop; i++) w[i] = opt->utility[i];
            job.nnoise = opt->desc.npop;
        }
        job.gscale = 1.0 / ((double)opt->desc.npop * opt->desc.sigma);
    }
    if (r != ES_OK) {
        es__free(&opt->desc.allocator, w);
        return r;
    }
    if (opt->desc.optimizer == ES_OPTIMIZER_ADAM) {
        double t = (double)opt->t + 1.0;
        job.adam_step = opt->desc.lr * sqrt(1.0 - pow(opt->desc.beta2, t)) / (1.0 - pow(opt->desc.beta1, t));
    } else {
        job.adam_step = 0.0;
    }
    /* a trial over every slice first: a step that would leave anything
       non-finite is refused with the state untouched */
    nslices = (int)es__nslices(opt->nparams);
    if (pool && pool->nthreads > 1 && nslices > 1) es_pool_run(pool, nslices, es__tell_slice, &job);
    else for (i = 0; i < nslices; i++) es__tell_slice(&job, i, 0);
    for (i = 0; i < nslices; i++) {
        g2 += opt->slice_sums[4 * i];
        d2 += opt->slice_sums[4 * i + 1];
        t2 += opt->slice_sums[4 * i + 2];
        bad |= opt->slice_sums[4 * i + 3] != 0.0;
    }
    es__free(&opt->desc.allocator, w);
    if (bad || !isfinite(job.adam_step)) return ES_ERROR_NOT_FINITE;
    job.commit = 1;
    if (pool && pool->nthreads > 1 && nslices > 1) es_pool_run(pool, nslices, es__tell_slice, &job);
    else for (i = 0; i < nslices; i++) es__tell_slice(&job, i, 0);
    if (opt->desc.optimizer == ES_OPTIMIZER_ADAM) opt->t++;
    opt->grad_norm = sqrt(g2);
    opt->update_ratio = t2 > 0.0 ? sqrt(d2 / t2) : 0.0;
    opt->generation++;
    return ES_OK;
}

/* ---- strategies: PGPE, SNES, sep-CMA-ES; the ClipUp optimizer --------- */

static void es__strategy_defaults(es_desc *d, size_t nparams)
{
    if (d->strategy == ES_STRATEGY_DEFAULT) d->strategy = ES_STRATEGY_OPENAI;
    if (d->strategy == ES_STRATEGY_PGPE) {
        if (d->optimizer == ES_OPTIMIZER_DEFAULT) d->optimizer = ES_OPTIMIZER_CLIPUP;
        if (d->sigma_lr == 0.0f) d->sigma_lr = 0.1f;
        if (d->sigma_max_change == 0.0f) d->sigma_max_change = 0.2f;
    } else if (d->strategy == ES_STRATEGY_SNES || d->strategy == ES_STRATEGY_SEPCMA) {
        if (d->sampling == ES_SAMPLING_DEFAULT) d->sampling = ES_SAMPLING_PLAIN;
        if (d->optimizer == ES_OPTIMIZER_DEFAULT) d->optimizer = ES_OPTIMIZER_SGD;
        if (d->lr == 0.0f) d->lr = 1.0f;
        if (d->wd == 0.0f) d->zero |= ES_ZERO_WD;   /* no weight decay */
    }
    /* ClipUp's step is a length: its lr 0 is a share of the search radius */
    if (d->optimizer == ES_OPTIMIZER_CLIPUP && d->lr == 0.0f && isfinite(d->sigma) && d->sigma >= 0.0f)
        d->lr = es_clipup_lr(d->sigma, nparams);
}

/* After the generic defaults: what each strategy accepts. */
static es_result es__strategy_check(es_desc *d)
{
    es_strategy s = d->strategy;
    if ((int)s < 0 || s > ES_STRATEGY_SEPCMA || !isfinite(d->sigma_lr) || d->sigma_lr < 0.0f ||
        !isfinite(d->sigma_max_change) || d->sigma_max_change < 0.0f || !isfinite(d->max_speed) ||
        d->max_speed < 0.0f)
        return ES_ERROR_INVALID_ARGUMENT;
    if (s != ES_STRATEGY_OPENAI && d->top_k != 0) return ES_ERROR_BAD_TOP_K;
    if (s == ES_STRATEGY_PGPE && (d->sampling != ES_SAMPLING_ANTITHETIC || d->sigma_max_change >= 1.0f))
        return ES_ERROR_INVALID_ARGUMENT;
    if ((s == ES_STRATEGY_SNES || s == ES_STRATEGY_SEPCMA) && (d->optimizer != ES_OPTIMIZER_SGD || d->wd > 0.0f))
        return ES_ERROR_INVALID_ARGUMENT;
    if (s == ES_STRATEGY_SEPCMA && d->sampling != ES_SAMPLING_PLAIN) return ES_ERROR_INVALID_ARGUMENT;
    if (d->optimizer == ES_OPTIMIZER_CLIPUP && d->max_speed == 0.0f) d->max_speed = 2.0f * d->lr;
    return ES_OK;
}

static float *es__alloc_floats(es *opt, size_t n, float value)
{
    float *x = (float *)es__alloc(&opt->desc.allocator, n * sizeof(float));
    size_t j;
    if (x) for (j = 0; j < n; j++) x[j] = value;
    return x;
}

/* The vectors an update changes (theta first), for the copy that a
   refused step restores. */
#define ES__NSTATE 8
static int es__state_vectors(const es *opt, float **x)
{
    int k = 0;
    x[k++] = opt->theta;
    if (opt->m) x[k++] = opt->m;
    if (opt->v) x[k++] = opt->v;
    if (opt->sigma) x[k++] = opt->sigma;
    if (opt->velocity) x[k++] = opt->velocity;
    if (opt->cma_c) {
        x[k++] = opt->cma_c;
        x[k++] = opt->cma_ps;
        x[k++] = opt->cma_pc;
    }
    return k;
}

/* Copies the state into work (save) or back (restore); t and the sep-CMA
   step are kept by the caller. */
static void es__state_copy(es *opt, int restore)
{
    float *x[ES__NSTATE], *copy = opt->work + 2 * opt->nparams;
    int k = es__state_vectors(opt, x), i;
    for (i = 0; i < k; i++, copy += opt->nparams) {
        if (restore) memcpy(x[i], copy, opt->nparams * sizeof(float));
        else memcpy(copy, x[i], opt->nparams * sizeof(float));
    }
}

/* 1 when the state after a step can go on: everything finite, sigma > 0. */
static int es__state_ok(const es *opt)
{
    float *x[ES__NSTATE];
    int k = es__state_vectors(opt, x), i;
    size_t j;
    for (i = 0; i < k; i++)
        if (!es__all_finite(x[i], opt->nparams)) return 0;
    if (opt->sigma)
        for (j = 0; j < opt->nparams; j++)
            if (!(opt->sigma[j] > 0.0f)) return 0;
    return !opt->cma_c || (isfinite(opt->cma_sigma) && opt->cma_sigma > 0.0);
}

static es_result es__strategy_init(es *opt)
{
    es_desc *d = &opt->desc;
    size_t n = opt->nparams;
    if (d->strategy == ES_STRATEGY_OPENAI && d->optimizer != ES_OPTIMIZER_CLIPUP) return ES_OK;
    if (d->strategy == ES_STRATEGY_SNES && d->sigma_lr == 0.0f)
        d->sigma_lr = (float)((3.0 + log((double)n)) / (5.0 * sqrt((double)n)));
    if (d->strategy != ES_STRATEGY_OPENAI) opt->sigma = es__alloc_floats(opt, n, d->sigma);
    if (d->optimizer == ES_OPTIMIZER_CLIPUP) opt->velocity = es__alloc_floats(opt, n, 0.0f);
    if (d->strategy == ES_STRATEGY_SEPCMA) {
        opt->cma_c = es__alloc_floats(opt, n, 1.0f);
        opt->cma_ps = es__alloc_floats(opt, n, 0.0f);
        opt->cma_pc = es__alloc_floats(opt, n, 0.0f);
        opt->cma_sigma = d->sigma;
    }
    {   /* a1, a2, and a copy of the state to restore after a non-finite step */
        float *state[ES__NSTATE];
        if (n <= (size_t)-1 / (4 * (2 + ES__NSTATE)))
            opt->work = es__alloc_floats(opt, (2 + (size_t)es__state_vectors(opt, state)) * n, 0.0f);
    }
    if (!opt->work || (d->strategy != ES_STRATEGY_OPENAI && !opt->sigma) ||
        (d->optimizer == ES_OPTIMIZER_CLIPUP && !opt->velocity) ||
        (d->strategy == ES_STRATEGY_SEPCMA && (!opt->cma_c || !opt->cma_ps || !opt->cma_pc))) {
        es_free(opt);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    return ES_OK;
}

static void es__strategy_free(es *opt)
{
    const es_allocator *a = &opt->desc.allocator;
    es__free(a, opt->sigma);
    es__free(a, opt->velocity);
    es__free(a, opt->cma_c);
    es__free(a, opt->cma_ps);
    es__free(a, opt->cma_pc);
    es__free(a, opt->work);
}

ES_API const float *es_sigma(const es *opt) { return opt ? opt->sigma : NULL; }

ES_API double es_sigma_mean(const es *opt)
{
    double s = 0.0;
    size_t j;
    if (!opt) return 0.0;
    if (!opt->sigma) return opt->desc.sigma;
    for (j = 0; j < opt->nparams; j++) s += opt->sigma[j];
    return s / (double)opt->nparams;
}

/* sep-CMA-ES: sigma_j = global step * sqrt(C_jj), in one place so that
   es_tell and es_load give the same bits. */
static void es__cma_sigma(es *opt)
{
    size_t j;
    for (j = 0; j < opt->nparams; j++) opt->sigma[j] = (float)(opt->cma_sigma * sqrt((double)opt->cma_c[j]));
}

/* Rank weights by reward (order: ascending, ties by member index, so the
   best member is order[n-1]): SNES's utilities (Wierstra et al. 2014,
   u_k = max(0, ln(n/2+1) - ln k) / sum_j max(0, ln(n/2+1) - ln j) - 1/n,
   rank k = 1 the best), or CMA-ES's recombination weights (Hansen 2016,
   w_k = ln((n+1)/2) - ln k for the mu = n/2 best, normalized to sum 1, 0
   for the others). Returns mu_eff = 1 / sum w_k^2 of the CMA weights. */
static double es__rank_weights(int snes, const int *order, int n, float *u)
{
    double sum = 0.0, sum2 = 0.0, w;
    int k, mu = n / 2;
    for (k = 1; k <= n; k++) {
        if (snes) w = log(n / 2.0 + 1.0) - log((double)k);
        else w = k <= mu ? log((n + 1) / 2.0) - log((double)k) : 0.0;
        if (w > 0.0) sum += w;
    }
    for (k = 1; k <= n; k++) {
        if (snes) w = log(n / 2.0 + 1.0) - log((double)k);
        else w = k <= mu ? log((n + 1) / 2.0) - log((double)k) : 0.0;
        w = w > 0.0 ? w / sum : 0.0;
        sum2 += w * w;
        u[order[n - k]] = (float)(snes ? w - 1.0 / n : w);
    }
    return 1.0 / sum2;
}

typedef struct es__moments_job {
    es *opt;
    const float *w1, *w2; /* weights of z and of z^2 for each noise index */
    int nnoise;
} es__moments_job;

/* One slice of a1_j = sum_k w1_k z_kj and a2_j = sum_k w2_k z_kj^2 (noise
   indices in order) into work[j] and work[n + j]. */
static void es__moments_slice(void *user, int slice, int thread)
{
    es__moments_job *job = (es__moments_job *)user;
    es *e = job->opt;
    size_t j0 = (size_t)slice * ES__SLICE, n = e->nparams - j0, j;
    double a1[ES__SLICE], a2[ES__SLICE];
    float z[ES__SLICE];
    int k;
    (void)thread;
    if (n > ES__SLICE) n = ES__SLICE;
    for (j = 0; j < n; j++) a1[j] = a2[j] = 0.0;
    for (k = 0; k < job->nnoise; k++) {
        double w1 = job->w1[k], w2 = job->w2[k];
        if (w1 == 0.0 && w2 == 0.0) continue;
        es__noise_range(e->desc.seed, e->generation, (uint32_t)k, j0, z, n);
        for (j = 0; j < n; j++) {
            a1[j] += w1 * z[j];
            a2[j] += w2 * ((double)z[j] * z[j]);
        }
    }
    for (j = 0; j < n; j++) {
        e->work[j0 + j] = (float)a1[j];
        e->work[e->nparams + j0 + j] = (float)a2[j];
    }
}

/* The mean's step from the ascent gradient g (in work[0..n)), on theta
   with the desc's optimizer; returns |g|. */
static double es__mean_step(es *opt, const float *g)
{
    size_t n = opt->nparams, j;
    float lr = opt->desc.lr, wd = opt->desc.wd;
    double g2 = 0.0;
    for (j = 0; j < n; j++) g2 += (double)g[j] * g[j];
    if (opt->desc.optimizer == ES_OPTIMIZER_SGD) {
        for (j = 0; j < n; j++) opt->theta[j] = opt->theta[j] + lr * g[j] - lr * wd * opt->theta[j];
    } else if (opt->desc.optimizer == ES_OPTIMIZER_ADAM) {
        double step;
        opt->t++;
        step = lr * sqrt(1.0 - pow(opt->desc.beta2, (double)opt->t)) / (1.0 - pow(opt->desc.beta1, (double)opt->t));
        for (j = 0; j < n; j++) {
            float h = -g[j] + wd * opt->theta[j];
            opt->m[j] = opt->desc.beta1 * opt->m[j] + (1.0f - opt->desc.beta1) * h;
            opt->v[j] = opt->desc.beta2 * opt->v[j] + (1.0f - opt->desc.beta2) * h * h;
            opt->theta[j] -= (float)(step * opt->m[j] / (sqrt((double)opt->v[j]) + opt->desc.adam_eps));
        }
    } else {
        /* ClipUp on h = g - wd theta: v = m v + lr h/|h|; |v| clipped to
           max_speed; theta += v. */
        double h2 = 0.0, v2 = 0.0, scale;
        for (j = 0; j < n; j++) {
            float h = g[j] - wd * opt->theta[j];
            h2 += (double)h * h;
        }
        scale = h2 > 0.0 ? lr / sqrt(h2) : 0.0;
        for (j = 0; j < n; j++) {
            float h = g[j] - wd * opt->theta[j];
            opt->velocity[j] = (float)(opt->desc.beta1 * (double)opt->velocity[j] + scale * h);
            v2 += (double)opt->velocity[j] * opt->velocity[j];
        }
        if (sqrt(v2) > opt->desc.max_speed) {
            scale = opt->desc.max_speed / sqrt(v2);
            for (j = 0; j < n; j++) opt->velocity[j] = (float)(scale * opt->velocity[j]);
        }
        for (j = 0; j < n; j++) opt->theta[j] += opt->velocity[j];
    }
    return sqrt(g2);
}

/* sep-CMA-ES (Ros and Hansen 2008) from a1 = sum w z, a2 = sum w z^2 of
   the mu best; returns |a1|. */
static double es__sepcma_step(es *opt, const float *a1, const float *a2, double mueff)
{
    double n = (double)opt->nparams, ps2 = 0.0, a12 = 0.0;
    double cs = (mueff + 2.0) / (n + mueff + 5.0);
    double ds = 1.0 + 2.0 * (sqrt((mueff - 1.0) / (n + 1.0)) - 1.0 > 0.0 ? sqrt((mueff - 1.0) / (n + 1.0)) - 1.0 : 0.0) + cs;
    double cc = (4.0 + mueff / n) / (n + 4.0 + 2.0 * mueff / n);
    double ccov = (1.0 / mueff) * 2.0 / ((n + sqrt(2.0)) * (n + sqrt(2.0))) +
                  (1.0 - 1.0 / mueff) * fmin(1.0, (2.0 * mueff - 1.0) / ((n + 2.0) * (n + 2.0) + mueff));
    double c1, cmu, chin = sqrt(n) * (1.0 - 1.0 / (4.0 * n) + 1.0 / (21.0 * n * n));
    double kps = sqrt(cs * (2.0 - cs) * mueff), kpc = sqrt(cc * (2.0 - cc) * mueff), hs, dh, sigma_old;
    size_t j;
    ccov = fmin(1.0, ccov * (n + 2.0) / 3.0);
    c1 = ccov / mueff;
    cmu = ccov - c1;
    for (j = 0; j < opt->nparams; j++) {
        opt->cma_ps[j] = (float)((1.0 - cs) * opt->cma_ps[j] + kps * a1[j]);
        ps2 += (double)opt->cma_ps[j] * opt->cma_ps[j];
        a12 += (double)a1[j] * a1[j];
    }
    hs = sqrt(ps2) / sqrt(1.0 - pow(1.0 - cs, 2.0 * ((double)opt->generation + 1.0))) <
         (1.4 + 2.0 / (n + 1.0)) * chin ? 1.0 : 0.0;
    dh = (1.0 - hs) * cc * (2.0 - cc);
    sigma_old = opt->cma_sigma;
    opt->cma_sigma = sigma_old * exp(cs / ds * (sqrt(ps2) / chin - 1.0));
    for (j = 0; j < opt->nparams; j++) {
        double c = opt->cma_c[j], y = sqrt(c) * a1[j];   /* sum w y = D sum w z */
        double pc = (1.0 - cc) * opt->cma_pc[j] + hs * kpc * y;
        opt->theta[j] = (float)(opt->theta[j] + opt->desc.lr * sigma_old * y);
        opt->cma_pc[j] = (float)pc;
        opt->cma_c[j] = (float)((1.0 - c1 - cmu) * c + c1 * (pc * pc + dh * c) + cmu * c * a2[j]);
    }
    es__cma_sigma(opt);
    return sqrt(a12);
}

static es_result es__strategy_tell(es *opt, const float *rewards, es_pool *pool)
{
    es__moments_job job;
    es_strategy s = opt->desc.strategy;
    int npop = opt->desc.npop, npairs = npop / 2, anti = opt->desc.sampling == ES_SAMPLING_ANTITHETIC;
    int nnoise = anti ? npairs : npop, i, nslices, *tmp;
    size_t n = opt->nparams, j;
    float *w1, *w2, *u = opt->utility, *a1 = opt->work, *a2 = opt->work + n;
    double mueff = 0.0, t2 = 0.0, d2 = 0.0, gnorm;
    es_result r = ES_OK;
    w1 = (float *)es__alloc(&opt->desc.allocator, 2 * (size_t)nnoise * sizeof(float));
    tmp = (int *)es__alloc(&opt->desc.allocator, (size_t)npop * sizeof(int));
    if (!w1 || !tmp) {
        es__free(&opt->desc.allocator, w1);
        es__free(&opt->desc.allocator, tmp);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    w2 = w1 + nnoise;
    if (s == ES_STRATEGY_OPENAI && opt->desc.top_k > 0) {
        r = es__top_k(opt, rewards, w1);    /* pair weights; utility, order are its scratch */
    } else if (s == ES_STRATEGY_OPENAI || s == ES_STRATEGY_PGPE) {
        r = es_utilities(&opt->desc, rewards, u, opt->order);
    } else {
        for (i = 0; i < npop; i++) opt->order[i] = i;
        es__sort(rewards, opt->order, tmp, npop);
        mueff = es__rank_weights(s == ES_STRATEGY_SNES, opt->order, npop, u);
    }
    es__free(&opt->desc.allocator, tmp);
    if (r != ES_OK) {
        es__free(&opt->desc.allocator, w1);
        return r;
    }
    if (s == ES_STRATEGY_PGPE) {            /* w1 = (u+ - u-)/2, w2 = (u+ + u-)/2 - mean u */
        double b = 0.0;
        for (i = 0; i < npop; i++) b += u[i];
        b /= npop;
        for (i = 0; i < npairs; i++) {
            w1[i] = (float)(((double)u[2 * i] - u[2 * i + 1]) / 2.0);
            w2[i] = (float)(((double)u[2 * i] + u[2 * i + 1]) / 2.0 - b);
        }
    } else if (s == ES_STRATEGY_OPENAI && opt->desc.top_k > 0) {
        for (i = 0; i < npairs; i++) w2[i] = 0.0f;
    } else if (anti) {                      /* a pair: u+ z + u- (-z); z^2 alike */
        for (i = 0; i < npairs; i++) {
            w1[i] = u[2 * i] - u[2 * i + 1];
            w2[i] = s == ES_STRATEGY_OPENAI ? 0.0f : u[2 * i] + u[2 * i + 1];
        }
    } else {
        for (i = 0; i < npop; i++) {
            w1[i] = u[i];
            w2[i] = s == ES_STRATEGY_OPENAI ? 0.0f : u[i];
        }
    }
    job.opt = opt;
    job.w1 = w1;
    job.w2 = w2;
    job.nnoise = nnoise;
    nslices = (int)es__nslices(n);
    if (pool && pool->nthreads > 1 && nslices > 1) es_pool_run(pool, nslices, es__moments_slice, &job);
    else for (i = 0; i < nslices; i++) es__moments_slice(&job, i, 0);
    for (j = 0; j < n; j++) t2 += (double)opt->theta[j] * opt->theta[j];
    {
        const float *before = opt->work + 2 * n;  /* the saved theta comes first */
        double sum_w2 = 0.0, cma_sigma = opt->cma_sigma;
        uint64_t t = opt->t;
        es__state_copy(opt, 0);
        for (i = 0; i < nnoise; i++) sum_w2 += w2[i];
        if (s == ES_STRATEGY_OPENAI) {      /* g = a1 / (npop sigma), as es_tell */
            double gscale = 1.0 / ((opt->desc.top_k ? 2.0 * opt->desc.top_k : (double)npop) * opt->desc.sigma);
            for (j = 0; j < n; j++) a1[j] = (float)(a1[j] * gscale);
            gnorm = es__mean_step(opt, a1);
        } else if (s == ES_STRATEGY_PGPE) {
            /* g_mu = sum (u+ - u-)/2 eps / npairs, eps = sigma z;
               g_sigma = sum ((u+ + u-)/2 - b) (eps^2 - sigma^2)/sigma / npairs. */
            float lr_s = opt->desc.sigma_lr, mc = opt->desc.sigma_max_change;
            for (j = 0; j < n; j++) {
                double sg = opt->sigma[j], gs = sg * ((double)a2[j] - sum_w2) / npairs;
                double ds = lr_s * gs, lim = mc * sg;
                a1[j] = (float)(sg * a1[j] / npairs);
                if (ds > lim) ds = lim;
                if (ds < -lim) ds = -lim;
                opt->sigma[j] = (float)(sg + ds);
            }
            gnorm = es__mean_step(opt, a1);
        } else if (s == ES_STRATEGY_SNES) {
            /* mu += eta_mu sigma sum u z; sigma *= exp(eta_sigma/2 sum u (z^2 - 1)). */
            double a12 = 0.0;
            for (j = 0; j < n; j++) {
                double sg = opt->sigma[j];
                a12 += (double)a1[j] * a1[j];
                opt->theta[j] = (float)(opt->theta[j] + opt->desc.lr * sg * a1[j]);
                opt->sigma[j] = (float)(sg * exp(opt->desc.sigma_lr / 2.0 * ((double)a2[j] - sum_w2)));
            }
            gnorm = sqrt(a12);
        } else {
            gnorm = es__sepcma_step(opt, a1, a2, mueff);
        }
        if (!es__state_ok(opt) || !isfinite(gnorm)) {
            es__state_copy(opt, 1);         /* refused: the state as it was */
            opt->t = t;
            opt->cma_sigma = cma_sigma;
            if (opt->cma_c) es__cma_sigma(opt);
            es__free(&opt->desc.allocator, w1);
            return ES_ERROR_NOT_FINITE;
        }
        for (j = 0; j < n; j++) d2 += ((double)opt->theta[j] - before[j]) * ((double)opt->theta[j] - before[j]);
        memcpy(opt->grad, a1, n * sizeof(float));
    }
    opt->grad_norm = gnorm;
    opt->update_ratio = t2 > 0.0 ? sqrt(d2 / t2) : 0.0;
    opt->generation++;
    es__free(&opt->desc.allocator, w1);
    return ES_OK;
}

/* ---- hashing --------------------------------------------------------- */

ES_API uint64_t es_hash_bytes(uint64_t h, const void *data, size_t size)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t i;
    for (i = 0; i < size; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t es__hash_floats(uint64_t h, const float *x, size_t n)
{
    unsigned char b[4];
    size_t i;
    for (i = 0; i < n; i++) {
        es_put_f32(b, x[i]);
        h = es_hash_bytes(h, b, 4);
    }
    return h;
}

/* The strategies' state, when there is any (OpenAI-ES with SGD or Adam:
   none, so its hash is what it was before the strategies). */
static uint64_t es__strategy_hash(const es *opt, uint64_t h)
{
    unsigned char b[8];
    if (opt->sigma && !opt->cma_c) h = es__hash_floats(h, opt->sigma, opt->nparams);
    if (opt->velocity) h = es__hash_floats(h, opt->velocity, opt->nparams);
    if (opt->cma_c) {
        h = es__hash_floats(h, opt->cma_c, opt->nparams);
        h = es__hash_floats(h, opt->cma_ps, opt->nparams);
        h = es__hash_floats(h, opt->cma_pc, opt->nparams);
        es_put_f64(b, opt->cma_sigma);
        h = es_hash_bytes(h, b, 8);
    }
    return h;
}

/* FNV-1a over theta, the Adam moments and step, and the generation, as
   little-endian bytes: the same on every platform. */
ES_API uint64_t es_hash(const es *opt)
{
    unsigned char b[12];
    uint64_t h;
    if (!opt) return ES_HASH_INIT;
    h = es__hash_floats(ES_HASH_INIT, opt->theta, opt->nparams);
    if (opt->m) {
        h = es__hash_floats(h, opt->m, opt->nparams);
        h = es__hash_floats(h, opt->v, opt->nparams);
    }
    h = es__strategy_hash(opt, h);
    es_put_u64(b, opt->t);
    es_put_u32(b + 8, opt->generation);
    return es_hash_bytes(h, b, 12);
}

/* ---- thread pool ----------------------------------------------------- */

ES_API int es_cpu_count(void)
{
#if ES__POSIX && defined(_SC_NPROCESSORS_ONLN)
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
#else
    return 1;
#endif
}

#if ES__THREADS
typedef struct es__pool_impl {
    pthread_mutex_t mu;
    pthread_cond_t start, done;
    pthread_t *threads;
    int nstarted;
    es_pool_fn fn;
    void *user;
    int n;
    int next;             /* next index to hand out (atomic) */
    unsigned job;         /* bumps once per es_pool_run */
    int running;          /* workers still inside the current job */
    int quit;
    es_allocator allocator;
} es__pool_impl;

typedef struct es__pool_arg { es__pool_impl *impl; int thread; } es__pool_arg;

static int es__pool_take(es__pool_impl *p)
{
#if defined(__GNUC__) || defined(__clang__)
    return __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
#else
    int i;
    pthread_mutex_lock(&p->mu);
    i = p->next++;
    pthread_mutex_unlock(&p->mu);
    return i;
#endif
}

static void es__pool_work(es__pool_impl *p, int thread)
{
    int i;
    while ((i = es__pool_take(p)) < p->n) p->fn(p->user, i, thread);
}

static void *es__pool_main(void *arg)
{
    es__pool_arg *a = (es__pool_arg *)arg;
    es__pool_impl *p = a->impl;
    int thread = a->thread;
    unsigned seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->job == seen && !p->quit) pthread_cond_wait(&p->start, &p->mu);
        if (p->quit) break;
        seen = p->job;
        pthread_mutex_unlock(&p->mu);
        es__pool_work(p, thread);
        pthread_mutex_lock(&p->mu);
        if (--p->running == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}
#endif

ES_API es_result es_pool_init(es_pool *pool, int nthreads, const es_allocator *allocator)
{
#if ES__THREADS
    es__pool_impl *p;
    es__pool_arg *args;
    int i;
#endif
    if (!pool) return ES_ERROR_INVALID_ARGUMENT;
    pool->nthreads = 1;
    pool->impl = NULL;
    if (!es__allocator_ok(allocator)) return ES_ERROR_INVALID_ARGUMENT;
    if (nthreads <= 0) nthreads = es_cpu_count();
#if ES__THREADS
    if (nthreads == 1) return ES_OK;
    p = (es__pool_impl *)es__alloc(allocator, sizeof *p + (size_t)nthreads * sizeof(es__pool_arg));
    if (!p) return ES_ERROR_OUT_OF_MEMORY;
    memset(p, 0, sizeof *p);
    if (allocator) p->allocator = *allocator;
    p->threads = (pthread_t *)es__alloc(allocator, (size_t)nthreads * sizeof(pthread_t));
    if (!p->threads) {
        es__free(allocator, p);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->done, NULL);
    args = (es__pool_arg *)(p + 1);
    pool->impl = p;
    for (i = 1; i < nthreads; i++) {
        args[i].impl = p;
        args[i].thread = i;
        if (pthread_create(&p->threads[i], NULL, es__pool_main, &args[i]) != 0) {
            es_pool_free(pool);
            return ES_ERROR_THREADS;
        }
        p->nstarted = i;
        pool->nthreads = i + 1;
    }
#else
    (void)allocator;
#endif
    return ES_OK;
}

/* Runs fn(user, i, thread) for i in [0, n), each index once, handed out one
   at a time to whichever thread is free; the caller is thread 0. */
ES_API void es_pool_run(es_pool *pool, int n, es_pool_fn fn, void *user)
{
#if ES__THREADS
    es__pool_impl *p = pool ? (es__pool_impl *)pool->impl : NULL;
    if (p) {
        pthread_mutex_lock(&p->mu);
        p->fn = fn;
        p->user = user;
        p->n = n;
        p->next = 0;
        p->running = p->nstarted;
        p->job++;
        pthread_cond_broadcast(&p->start);
        pthread_mutex_unlock(&p->mu);
        es__pool_work(p, 0);
        pthread_mutex_lock(&p->mu);
        while (p->running > 0) pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
        return;
    }
#endif
    {
        int i;
        (void)pool;
        for (i = 0; i < n; i++) fn(user, i, 0);
    }
}

ES_API void es_pool_free(es_pool *pool)
{
#if ES__THREADS
    es__pool_impl *p;
    es_allocator a;
    int i;
    if (!pool || !pool->impl) return;
    p = (es__pool_impl *)pool->impl;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->mu);
    for (i = 1; i <= p->nstarted; i++) pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->start);
    pthread_cond_destroy(&p->done);
    a = p->allocator;
    es__free(&a, p->threads);
    es__free(&a, p);
#endif
    if (pool) {
        pool->impl = NULL;
        pool->nthreads = 1;
    }
}

/* ---- bytes, CRC32, files --------------------------------------------- */

ES_API void es_put_u32(unsigned char *p, uint32_t x)
{
    p[0] = (unsigned char)x; p[1] = (unsigned char)(x >> 8);
    p[2] = (unsigned char)(x >> 16); p[3] = (unsigned char)(x >> 24);
}
ES_API void es_put_u64(unsigned char *p, uint64_t x)
{
    es_put_u32(p, (uint32_t)x);
    es_put_u32(p + 4, (uint32_t)(x >> 32));
}
ES_API void es_put_f32(unsigned char *p, float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    es_put_u32(p, u);
}
ES_API void es_put_f64(unsigned char *p, double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    es_put_u64(p, u);
}
ES_API uint32_t es_get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
ES_API uint64_t es_get_u64(const unsigned char *p)
{
    return (uint64_t)es_get_u32(p) | ((uint64_t)es_get_u32(p + 4) << 32);
}
ES_API float es_get_f32(const unsigned char *p)
{
    uint32_t u = es_get_u32(p);
    float x;
    memcpy(&x, &u, 4);
    return x;
}
ES_API double es_get_f64(const unsigned char *p)
{
    uint64_t u = es_get_u64(p);
    double x;
    memcpy(&x, &u, 8);
    return x;
}

/* CRC-32 (IEEE 802.3, reflected 0xEDB88320), as zlib and PNG use it. */
ES_API uint32_t es_crc32(uint32_t crc, const void *data, size_t size)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t i;
    int b;
    crc = ~crc;
    for (i = 0; i < size; i++) {
        crc ^= p[i];
        for (b = 0; b < 8; b++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

#if ES__POSIX
/* write() until done; a write interrupted by a signal (EINTR) is retried. */
ES_API es_result es_write_all(int fd, const void *data, size_t size)
{
    const unsigned char *p = (const unsigned char *)data;
    while (size > 0) {
        ssize_t w = write(fd, p, size);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (w == 0) errno = EIO;
            return ES_ERROR_IO;
        }
        p += w;
        size -= (size_t)w;
    }
    return ES_OK;
}

static int es__fsync(int fd)
{
    int r;
    do r = fsync(fd); while (r != 0 && errno == EINTR);
    return r;
}

/* fd is the file path names now (not one made again under its name). */
static int es__same_file(int fd, const char *path)
{
    struct stat a, b;
    if (stat(path, &b) != 0) return errno != ENOENT;   /* gone; an error that tells nothing (EOVERFLOW): yes */
    return fstat(fd, &a) != 0 || (a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

/* Opened files are not handed on to exec'd children (a child keeping a
   lock would keep it for its life), where the build declares O_CLOEXEC
   (POSIX 2008). */
#ifdef O_CLOEXEC
#  define ES__CLOEXEC O_CLOEXEC
#else
#  define ES__CLOEXEC 0
#endif

/* The directory of path, opened and locked without waiting (LOCK_SH by a
   writer from the creation of its temporary file to its lock on it,
   LOCK_EX by a clean-up); -1 if it cannot be opened or locked. */
static int es__lock_dir(const char *path, size_t dirlen, int how)
{
    char dir[4096];
    int fd;
    if (dirlen + 2 > sizeof dir) return -1;
    memcpy(dir, path, dirlen);
    strcpy(dir + dirlen, dirlen ? "" : ".");
    fd = open(dir, O_RDONLY | ES__CLOEXEC);
    if (fd >= 0 && flock(fd, how | LOCK_NB) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Removes the temporary files ("NAME.es-tmpPID") of writers that died in
   dir: a live writer holds a lock on its file, a dead one's lock is gone.
   A writer creates its file empty and locks it before the first byte,
   holding the directory shared in between: so an empty unlocked file is a
   dead writer's when the clean-up holds the directory alone. When it
   cannot (a writer is in that moment, or another process holds the
   directory) an empty file is left alone until it is ES__TEMP_AGE seconds
   old. Should a clean-up take a live writer's file anyway (a writer that
   found the directory busy goes on without it), its writer sees so and
   makes another. Directory locks are those of one machine: writers on
   several machines into one network directory get the 10 s alone only
   where their file system shares flock locks on directories. */
#define ES__TEMP_AGE 10
static void es__remove_stale_temps(const char *dir, size_t dirlen)
{
    char path[4096];
    DIR *d;
    struct dirent *e;
    int alone;
    if (dirlen + 2 > sizeof path) return;
    memcpy(path, dir, dirlen);
    path[dirlen] = 0;
    d = opendir(dirlen ? path : ".");
    if (!d) return;
    alone = es__lock_dir(dir, dirlen, LOCK_EX);
    while ((e = readdir(d)) != NULL) {
        const char *tag = strstr(e->d_name, ".es-tmp"), *q;
        long pid = 0;
        int fd;
        struct stat st;
        while (tag && strstr(tag + 1, ".es-tmp")) tag = strstr(tag + 1, ".es-tmp");
        if (!tag || !tag[7]) continue;
        for (q = tag + 7; *q >= '0' && *q <= '9' && pid < 1000000000L; q++) pid = pid * 10 + (*q - '0');
        if (*q || pid == (long)getpid() || dirlen + 2 + strlen(e->d_name) > sizeof path) continue;
        snprintf(path + dirlen, sizeof path - dirlen, "%s%s", dirlen ? "/" : "", e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||   /* a FIFO would block the open */
            (st.st_size == 0 && alone < 0 && difftime(time(NULL), st.st_mtime) < ES__TEMP_AGE))
            continue;
        fd = open(path, O_RDONLY | O_NONBLOCK | ES__CLOEXEC);
        if (fd < 0) continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0 && es__same_file(fd, path)) unlink(path);
        close(fd);
    }
    if (alone >= 0) close(alone);
    closedir(d);
}
#else
ES_API es_result es_write_all(int fd, const void *data, size_t size)
{
    (void)fd;
    (void)data;
    (void)size;
    return ES_ERROR_IO;   /* no file descriptors without POSIX */
}
#endif

#if !ES__POSIX
/* Puts tmp in path's place. ISO C's rename may refuse to replace a file
   (Windows' does): there MoveFileEx replaces it at once and writes
   through; elsewhere the old file is removed first, so a crash in that
   moment leaves the new bytes as path's temporary file and no path. */
static es_result es__replace(const char *tmp, const char *path)
{
#  if defined(_WIN32)
    if (MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) return ES_OK;
#  else
    FILE *f;
    if (rename(tmp, path) == 0) return ES_OK;
    if ((f = fopen(path, "rb")) != NULL) {   /* there: rename would not replace it */
        fclose(f);
        if (remove(path) == 0) return rename(tmp, path) == 0 ? ES_OK : ES_ERROR_IO;   /* tmp keeps the bytes */
    }
#  endif
    remove(tmp);
    return ES_ERROR_IO;
}
#endif

/* Temporary file, fsync, rename, fsync of the directory: a crash or power
   loss leaves the old file or the new one, never a torn one. On POSIX
   systems a failure (ES_ERROR_IO) leaves errno saying why (ENOSPC: "No
   space left on device"), and temporary files of killed writers in the
   directory are removed. The rename replaces a regular file or a symlink
   (the link itself: its target is left as it was); a device, FIFO or
   socket at path, or a symlink to one, is refused with errno EEXIST,
   never replaced (as root, /dev/null would have become a regular file). A directory that may be
   written but not read is not fsync'd (the rename is then as durable as
   the file system makes it). Without POSIX (Windows, ES_NO_POSIX) the
   bytes go through stdio to "NAME.es-tmp" ("NAME.es-tmpPID" on Windows,
   flushed to the disk with _commit) and take path's place with
   MoveFileEx on Windows, rename elsewhere (see es__replace). */
ES_API es_result es_file_write_atomic(const char *path, const void *data, size_t size)
{
    char tmp[4096];
    if (!path || (!data && size) || strlen(path) + 24 > sizeof tmp) return ES_ERROR_INVALID_ARGUMENT;
#if ES__POSIX
    {
        const char *slash = strrchr(path, '/');
        size_t dirlen = slash ? (size_t)(slash - path) + (slash == path) : 0;
        int fd, err = 0, tries, dirfd;
        struct stat st;
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {   /* (lstat is not C99's POSIX) */
            errno = EEXIST;   /* a directory: rename says EISDIR */
            return ES_ERROR_IO;
        }
        es__remove_stale_temps(path, dirlen);
        snprintf(tmp, sizeof tmp, "%s.es-tmp%ld", path, (long)getpid());
        for (tries = 0, dirfd = -1;; tries++) {
            int lk;
            if (dirfd < 0) dirfd = es__lock_dir(path, dirlen, LOCK_SH);   /* busy: go on without, see above */
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | ES__CLOEXEC, 0644);
            if (fd >= 0) {
                /* the lock marks it live for es__remove_stale_temps, whose
                   clean-up may have taken it between the open and the lock
                   (and removed it): then a new one. No locks on this file
                   system (ENOLCK...): written unmarked. */
                if (flock(fd, LOCK_EX | LOCK_NB) != 0 ? errno != EWOULDBLOCK : es__same_file(fd, tmp)) break;
                close(fd);
            } else if (errno == EEXIST) {   /* this name's file: a dead writer's goes (a reused pid), a live one's stays */
                if ((fd = open(tmp, O_RDONLY | O_NONBLOCK | ES__CLOEXEC)) >= 0) {
                    lk = flock(fd, LOCK_EX | LOCK_NB);
                    if ((lk == 0 || errno != EWOULDBLOCK) && es__same_file(fd, tmp)) unlink(tmp);
                    close(fd);
                }
            } else {
                err = errno;
                break;
            }
            if (tries == 1000) {
                err = EAGAIN;
                break;
            }
        }
        if (dirfd >= 0) close(dirfd);   /* and its lock: the file has its own now */
        if (err) {
            errno = err;
            return ES_ERROR_IO;
        }
        if (es_write_all(fd, data, size) != ES_OK || es__fsync(fd) != 0) err = errno;
        if (!err && rename(tmp, path) != 0) err = errno;   /* renamed while still locked */
        if (close(fd) != 0 && !err) err = errno;
        if (err) {
            unlink(tmp);
            errno = err;
            return ES_ERROR_IO;
        }
        /* the rename itself reaches the disk only with its directory */
        memcpy(tmp, path, dirlen);
        strcpy(tmp + dirlen, dirlen ? "" : ".");
        fd = open(tmp, O_RDONLY | ES__CLOEXEC);
        if (fd < 0) return errno == EACCES ? ES_OK : ES_ERROR_IO;   /* EACCES: write and search only, see above */
        if (es__fsync(fd) != 0 && errno != EINVAL) err = errno;   /* EINVAL: no fsync for directories here */
        close(fd);
        if (err) {
            errno = err;
            return ES_ERROR_IO;
        }
        return ES_OK;
    }
#else
    {
        FILE *f;
        int ok;
#  if defined(_WIN32)
        snprintf(tmp, sizeof tmp, "%s.es-tmp%d", path, _getpid());
#  else
        snprintf(tmp, sizeof tmp, "%s.es-tmp", path);   /* one writer of a path at a time */
#  endif
        f = fopen(tmp, "wb");
        if (!f) return ES_ERROR_IO;
        ok = fwrite(data, 1, size, f) == size && fflush(f) == 0;
#  if defined(_WIN32)
        ok = ok && _commit(_fileno(f)) == 0;   /* to the disk, as fsync */
#  endif
        ok = (fclose(f) == 0) && ok;
        if (!ok) {
            remove(tmp);
            return ES_ERROR_IO;
        }
        return es__replace(tmp, path);
    }
#endif
}

/* ---- checkpoints ----------------------------------------------------- */
/* Layout: "ESCKPT\r\n", u32 format version, u32 section count, then each
   section as u32 tag, u64 size, bytes; last a u32 CRC-32 of all before it.
   Core sections: DESC, STAT, THTA (theta), ADMM/ADMV (Adam moments). */

#define ES__MAGIC "ESCKPT\r\n"
#define ES__TAG_DESC ES_TAG('D', 'E', 'S', 'C')
#define ES__TAG_STAT ES_TAG('S', 'T', 'A', 'T')
#define ES__TAG_THTA ES_TAG('T', 'H', 'T', 'A')
#define ES__TAG_ADMM ES_TAG('A', 'D', 'M', 'M')
#define ES__TAG_ADMV ES_TAG('A', 'D', 'M', 'V')
#define ES__DESC_SIZE 56
#define ES__STAT_SIZE 24
/* Strategy sections, written only when the strategy is not OpenAI-ES or the
   optimizer is ClipUp (so a default run's bytes are what they were):
   STRG: u32 strategy, f32 sigma_lr, f32 sigma_max_change, f32 max_speed,
   f64 sep-CMA-ES global step, 8 bytes zero; SIGV per-parameter sigma (PGPE,
   SNES); VELO ClipUp velocity; CMAC, CMPS, CMPC sep-CMA-ES diag(C), p_sigma,
   p_c (its sigma is rebuilt from them). A file without STRG is OpenAI-ES. */
#define ES__TAG_STRG ES_TAG('S', 'T', 'R', 'G')
#define ES__TAG_SIGV ES_TAG('S', 'I', 'G', 'V')
#define ES__TAG_VELO ES_TAG('V', 'E', 'L', 'O')
#define ES__TAG_CMAC ES_TAG('C', 'M', 'A', 'C')
#define ES__TAG_CMPS ES_TAG('C', 'M', 'P', 'S')
#define ES__TAG_CMPC ES_TAG('C', 'M', 'P', 'C')
#define ES__STRG_SIZE 32

/* 1 for the tags of es.h's own sections: a user section of one would be
   read as the optimizer's. */
static int es__reserved_tag(uint32_t tag)
{
    static const uint32_t own[] = {ES__TAG_DESC, ES__TAG_STAT, ES__TAG_THTA, ES__TAG_ADMM, ES__TAG_ADMV, ES__TAG_STRG,
                                   ES__TAG_SIGV, ES__TAG_VELO, ES__TAG_CMAC, ES__TAG_CMPS, ES__TAG_CMPC};
    size_t i;
    for (i = 0; i < sizeof own / sizeof own[0]; i++)
        if (tag == own[i]) return 1;
    return 0;
}

static void es__put_floats(unsigned char *p, const float *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) es_put_f32(p + 4 * i, x[i]);
}

static unsigned char *es__put_section(unsigned char *p, uint32_t tag, const void *data, size_t size)
{
    es_put_u32(p, tag);
    es_put_u64(p + 4, (uint64_t)size);
    if (size) memcpy(p + 12, data, size);
    return p + 12 + size;
}

/* The strategy's vectors, in file order (at most 4). */
static int es__strategy_vectors(const es *opt, uint32_t *tags, float **vec)
{
    int k = 0;
    if (!opt->work) return 0;
    if (opt->sigma && !opt->cma_c) { tags[k] = ES__TAG_SIGV; vec[k++] = opt->sigma; }
    if (opt->velocity) { tags[k] = ES__TAG_VELO; vec[k++] = opt->velocity; }
    if (opt->cma_c) {
        tags[k] = ES__TAG_CMAC; vec[k++] = opt->cma_c;
        tags[k] = ES__TAG_CMPS; vec[k++] = opt->cma_ps;
        tags[k] = ES__TAG_CMPC; vec[k++] = opt->cma_pc;
    }
    return k;
}

/* Sections and bytes the strategy adds to a checkpoint. */
static int es__strategy_nsec(const es *opt, size_t *bytes)
{
    uint32_t tags[4];
    float *vec[4];
    int k = es__strategy_vectors(opt, tags, vec);
    if (!opt->work) {
        *bytes = 0;
        return 0;
    }
    *bytes = 12 * (size_t)(k + 1) + ES__STRG_SIZE + (size_t)k * opt->nparams * 4;
    return k + 1;
}

static unsigned char *es__strategy_put(const es *opt, unsigned char *p)
{
    unsigned char strg[ES__STRG_SIZE];
    uint32_t tags[4];
    float *vec[4];
    int k = es__strategy_vectors(opt, tags, vec), i;
    if (!opt->work) return p;
    memset(strg, 0, sizeof strg);
    es_put_u32(strg + 0, (uint32_t)opt->desc.strategy);
    es_put_f32(strg + 4, opt->desc.sigma_lr);
    es_put_f32(strg + 8, opt->desc.sigma_max_change);
    es_put_f32(strg + 12, opt->desc.max_speed);
    es_put_f64(strg + 16, opt->cma_sigma);
    p = es__put_section(p, ES__TAG_STRG, strg, sizeof strg);
    for (i = 0; i < k; i++) {
        p = es__put_section(p, tags[i], NULL, 0);
        es_put_u64(p - 8, (uint64_t)opt->nparams * 4);
        es__put_floats(p, vec[i], opt->nparams);
        p += opt->nparams * 4;
    }
    return p;
}

ES_API es_result es_checkpoint_encode(const es *opt, const es_section *user, int nuser,
                                      es_checkpoint *out)
{
    unsigned char desc[ES__DESC_SIZE], stat[ES__STAT_SIZE], *p, *buf;
    size_t size, fbytes, i, sbytes;
    int nsec;
    const es_desc *d;
    if (!opt || !out || nuser < 0 || (nuser > 0 && !user)) return ES_ERROR_INVALID_ARGUMENT;
    if (!opt->theta || opt->nparams == 0) return ES_ERROR_INVALID_ARGUMENT;   /* freed or never initialized: es_load refuses it */
    for (i = 0; i < (size_t)nuser; i++) {
        size_t j;
        if ((user[i].size > 0 && !user[i].data) || es__reserved_tag(user[i].tag)) return ES_ERROR_INVALID_ARGUMENT;
        for (j = 0; j < i; j++)   /* es_checkpoint_section finds only the first of a tag */
            if (user[j].tag == user[i].tag) return ES_ERROR_INVALID_ARGUMENT;
    }
    nsec = (opt->m ? 5 : 3) + es__strategy_nsec(opt, &sbytes);
    d = &opt->desc;
    memset(out, 0, sizeof *out);
    fbytes = opt->nparams * 4;
    size = 16 + 12 * (size_t)(nsec + nuser) + ES__DESC_SIZE + ES__STAT_SIZE + fbytes * (opt->m ? 3 : 1) + 4;
    for (i = 0; i < (size_t)nuser; i++) {   /* a sum that wraps would size the buffer small */
        if (user[i].size > (size_t)-1 / 2 - size) return ES_ERROR_INVALID_ARGUMENT;
        size += user[i].size;
    }
    size += sbytes - 12 * (size_t)(nsec - (opt->m ? 5 : 3));   /* their headers are in the 12*nsec */
    buf = (unsigned char *)es__alloc(&d->allocator, size);
    if (!buf) return ES_ERROR_OUT_OF_MEMORY;
    memset(desc, 0, sizeof desc);
    es_put_u32(desc + 0, (uint32_t)d->npop);
    es_put_f32(desc + 4, d->sigma);
    es_put_f32(desc + 8, d->lr);
    es_put_f32(desc + 12, d->wd);
    es_put_u32(desc + 16, (uint32_t)d->sampling);
    es_put_u32(desc + 20, (uint32_t)d->shaping);
    es_put_u32(desc + 24, (uint32_t)d->optimizer);
    es_put_f32(desc + 28, d->beta1);
    es_put_f32(desc + 32, d->beta2);
    es_put_f32(desc + 36, d->adam_eps);
    es_put_u32(desc + 40, (uint32_t)d->top_k);
    es_put_u64(desc + 44, d->seed);
    es_put_u32(stat + 0, opt->generation);
    es_put_u64(stat + 4, opt->t);
    es_put_u64(stat + 12, (uint64_t)opt->nparams);
    es_put_u32(stat + 20, ES_NOISE_STREAM_VERSION);
    memcpy(buf, ES__MAGIC, 8);
    es_put_u32(buf + 8, ES_CHECKPOINT_FORMAT_VERSION);
    es_put_u32(buf + 12, (uint32_t)(nsec + nuser));
    p = es__put_section(buf + 16, ES__TAG_DESC, desc, sizeof desc);
    p = es__put_section(p, ES__TAG_STAT, stat, sizeof stat);
    p = es__put_section(p, ES__TAG_THTA, NULL, 0);
    es_put_u64(p - 8, (uint64_t)fbytes);
    es__put_floats(p, opt->theta, opt->nparams);
    p += fbytes;
    if (opt->m) {
        p = es__put_section(p, ES__TAG_ADMM, NULL, 0);
        es_put_u64(p - 8, (uint64_t)fbytes);
        es__put_floats(p, opt->m, opt->nparams);
        p += fbytes;
        p = es__put_section(p, ES__TAG_ADMV, NULL, 0);
        es_put_u64(p - 8, (uint64_t)fbytes);
        es__put_floats(p, opt->v, opt->nparams);
        p += fbytes;
    }
    p = es__strategy_put(opt, p);
    for (i = 0; i < (size_t)nuser; i++) p = es__put_section(p, user[i].tag, user[i].data, user[i].size);
    es_put_u32(p, es_crc32(0, buf, (size_t)(p - buf)));
    out->bytes = buf;
    out->size = size;
    out->allocator = d->allocator;
    return ES_OK;
}

/* Validates magic, version, section layout and CRC, then keeps a copy. */
ES_API es_result es_checkpoint_decode(es_checkpoint *ck, const void *bytes, size_t size,
                                      const es_allocator *allocator)
{
    const unsigned char *b = (const unsigned char *)bytes;
    size_t pos = 16;
    uint32_t i, nsec, version;
    int overrun = 0;
    if (!ck) return ES_ERROR_INVALID_ARGUMENT;
    memset(ck, 0, sizeof *ck);
    if ((!bytes && size) || !es__allocator_ok(allocator)) return ES_ERROR_INVALID_ARGUMENT;
    if (size < 8) return size > 0 && memcmp(b, ES__MAGIC, size) == 0 ? ES_ERROR_TRUNCATED : ES_ERROR_NOT_A_CHECKPOINT;
    if (memcmp(b, ES__MAGIC, 8) != 0) return ES_ERROR_NOT_A_CHECKPOINT;
    if (size < 20) return ES_ERROR_TRUNCATED;
    nsec = es_get_u32(b + 12);
    for (i = 0; i < nsec && !overrun; i++) {
        uint64_t len;
        if (size - 4 - pos < 12) {
            overrun = 1;
            break;
        }
        len = es_get_u64(b + pos + 4);
        if (len > (uint64_t)(size - 4 - pos - 12)) overrun = 1;
        else pos += 12 + (size_t)len;
    }
    /* Every format version ends with the CRC of all bytes before it, so the
       checksum is tested first: a damaged version field reads as CORRUPT,
       not NEWER_VERSION. Sections running past the end suggest a cut file. */
    if (es_crc32(0, b, size - 4) != es_get_u32(b + size - 4))
        return overrun ? ES_ERROR_TRUNCATED : ES_ERROR_CORRUPT;
    version = es_get_u32(b + 8);
    if (version > ES_CHECKPOINT_FORMAT_VERSION) return ES_ERROR_NEWER_VERSION;
    if (version == 0 || overrun || pos != size - 4) return ES_ERROR_CORRUPT;
    ck->bytes = (unsigned char *)es__alloc(allocator, size);
    if (!ck->bytes) return ES_ERROR_OUT_OF_MEMORY;
    memcpy(ck->bytes, b, size);
    ck->size = size;
    if (allocator) ck->allocator = *allocator;
    return ES_OK;
}

ES_API es_result es_checkpoint_read(es_checkpoint *ck, const char *path, const es_allocator *allocator)
{
    FILE *f;
    long len;
    unsigned char *buf;
    es_result r;
    if (!ck) return ES_ERROR_INVALID_ARGUMENT;
    memset(ck, 0, sizeof *ck);
    if (!path || !es__allocator_ok(allocator)) return ES_ERROR_INVALID_ARGUMENT;
#if ES__POSIX
    {   /* a FIFO would block the open until a writer came, a device may never end */
        struct stat st;
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
            errno = ESPIPE;
            return ES_ERROR_IO;
        }
    }
#endif
    f = fopen(path, "rb");
    if (!f) return ES_ERROR_IO;
    /* A directory opens, then fails to read (and its ftell is LONG_MAX). */
    if ((fgetc(f) == EOF && ferror(f)) || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
        (unsigned long)len >= (unsigned long)((size_t)-1 / 2) || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return ES_ERROR_IO;
    }
    buf = (unsigned char *)es__alloc(allocator, (size_t)len + 1);
    if (!buf) {
        fclose(f);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        es__free(allocator, buf);
        return ES_ERROR_IO;
    }
    fclose(f);
    r = es_checkpoint_decode(ck, buf, (size_t)len, allocator);
    es__free(allocator, buf);
    return r;
}

ES_API es_result es_checkpoint_write(const es_checkpoint *ck, const char *path)
{
    if (!ck || !ck->bytes) return ES_ERROR_INVALID_ARGUMENT;
    return es_file_write_atomic(path, ck->bytes, ck->size);
}

ES_API es_result es_checkpoint_section(const es_checkpoint *ck, uint32_t tag, const void **data, size_t *size)
{
    size_t pos = 16;
    uint32_t i, nsec;
    if (!ck || !ck->bytes || !data || !size) return ES_ERROR_INVALID_ARGUMENT;
    nsec = es_get_u32(ck->bytes + 12);
    for (i = 0; i < nsec; i++) {
        size_t len = (size_t)es_get_u64(ck->bytes + pos + 4);
        if (es_get_u32(ck->bytes + pos) == tag) {
            *data = ck->bytes + pos + 12;
            *size = len;
            return ES_OK;
        }
        pos += 12 + len;
    }
    return ES_ERROR_NOT_FOUND;
}

ES_API void es_checkpoint_free(es_checkpoint *ck)
{
    if (!ck) return;
    es__free(&ck->allocator, ck->bytes);
    memset(ck, 0, sizeof *ck);
}

static void es__get_floats(float *x, const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) x[i] = es_get_f32(p + 4 * i);
}

/* The strategy fields of the desc from STRG (absent: OpenAI-ES). */
static es_result es__strategy_load_desc(const es_checkpoint *ck, es_desc *d)
{
    const void *v;
    size_t size;
    const unsigned char *p;
    if (es_checkpoint_section(ck, ES__TAG_STRG, &v, &size) != ES_OK) {
        d->strategy = ES_STRATEGY_OPENAI;
        return ES_OK;
    }
    p = (const unsigned char *)v;
    if (size != ES__STRG_SIZE || es_get_u32(p) == ES_STRATEGY_DEFAULT || es_get_u32(p) > ES_STRATEGY_SEPCMA)
        return ES_ERROR_CORRUPT;
    d->strategy = (es_strategy)es_get_u32(p);
    d->sigma_lr = es_get_f32(p + 4);
    d->sigma_max_change = es_get_f32(p + 8);
    d->max_speed = es_get_f32(p + 12);
    return ES_OK;
}

/* The strategy's vectors, each present, of nparams floats, finite, and
   sigma and diag(C) positive. */
static es_result es__strategy_load_state(es *opt, const es_checkpoint *ck)
{
    uint32_t tags[4];
    float *vec[4];
    int k = es__strategy_vectors(opt, tags, vec), i;
    size_t j, size;
    const void *v;
    for (i = 0; i < k; i++) {
        int positive = tags[i] == ES__TAG_SIGV || tags[i] == ES__TAG_CMAC;
        if (es_checkpoint_section(ck, tags[i], &v, &size) != ES_OK || size != opt->nparams * 4)
            return ES_ERROR_CORRUPT;
        es__get_floats(vec[i], (const unsigned char *)v, opt->nparams);
        if (!es__all_finite(vec[i], opt->nparams)) return ES_ERROR_NOT_FINITE;
        for (j = 0; positive && j < opt->nparams; j++)
            if (!(vec[i][j] > 0.0f)) return ES_ERROR_CORRUPT;
    }
    if (opt->cma_c) {
        es_checkpoint_section(ck, ES__TAG_STRG, &v, &size);
        opt->cma_sigma = es_get_f64((const unsigned char *)v + 16);
        if (!isfinite(opt->cma_sigma)) return ES_ERROR_NOT_FINITE;
        if (!(opt->cma_sigma > 0.0)) return ES_ERROR_CORRUPT;
        es__cma_sigma(opt);
    }
    return ES_OK;
}

ES_API es_result es_load(es *opt, const es_checkpoint *ck, const es_allocator *allocator)
{
    const void *dv, *sv, *tv, *mv, *vv;
    size_t ds, ss, ts, ms, vs, nparams;
    const unsigned char *p;
    es_desc d;
    es_result r;
    if (!opt || !ck || !ck->bytes || !es__allocator_ok(allocator)) return ES_ERROR_INVALID_ARGUMENT;   /* no bytes: never read */
    if (es_checkpoint_section(ck, ES__TAG_DESC, &dv, &ds) != ES_OK || ds != ES__DESC_SIZE ||
        es_checkpoint_section(ck, ES__TAG_STAT, &sv, &ss) != ES_OK || ss != ES__STAT_SIZE ||
        es_checkpoint_section(ck, ES__TAG_THTA, &tv, &ts) != ES_OK)
        return ES_ERROR_CORRUPT;
    p = (const unsigned char *)sv;
    if (es_get_u32(p + 20) > ES_NOISE_STREAM_VERSION) return ES_ERROR_NEWER_VERSION;
    if (es_get_u32(p + 20) != ES_NOISE_STREAM_VERSION) return ES_ERROR_MISMATCH;
    if (es_get_u64(p + 12) > ((uint64_t)1 << 34)) return ES_ERROR_CORRUPT;
    nparams = (size_t)es_get_u64(p + 12);
    if (!es__nparams_ok(nparams) || ts != nparams * 4) return ES_ERROR_CORRUPT;
    memset(&d, 0, sizeof d);
    p = (const unsigned char *)dv;
    d.npop = (int)es_get_u32(p + 0);
    d.sigma = es_get_f32(p + 4);
    d.lr = es_get_f32(p + 8);
    d.wd = es_get_f32(p + 12);
    d.sampling = (es_sampling)es_get_u32(p + 16);
    d.shaping = (es_shaping)es_get_u32(p + 20);
    d.optimizer = (es_optimizer)es_get_u32(p + 24);
    d.beta1 = es_get_f32(p + 28);
    d.beta2 = es_get_f32(p + 32);
    d.adam_eps = es_get_f32(p + 36);
    d.top_k = (int)es_get_u32(p + 40);
    d.seed = es_get_u64(p + 44);
    if (allocator) d.allocator = *allocator;
    /* A resolved desc holds no zero but those es_zero names: mark them,
       and refuse a zero anywhere else (es_init would read it as "default"). */
    if (d.wd == 0.0f) d.zero |= ES_ZERO_WD;
    if (d.beta1 == 0.0f) d.zero |= ES_ZERO_BETA1;
    if (d.beta2 == 0.0f) d.zero |= ES_ZERO_BETA2;
    if (es__strategy_load_desc(ck, &d) != ES_OK) return ES_ERROR_CORRUPT;
    if (d.npop <= 0 || d.npop > ES__MAX_NPOP || d.sigma == 0.0f || d.lr == 0.0f || d.adam_eps == 0.0f ||
        d.sampling == ES_SAMPLING_DEFAULT || d.shaping == ES_SHAPING_DEFAULT || d.optimizer == ES_OPTIMIZER_DEFAULT)
        return ES_ERROR_CORRUPT;
    p = (const unsigned char *)sv;
    if (es_get_u32(p + 0) >= (uint32_t)INT32_MAX) return ES_ERROR_CORRUPT;   /* generations stay below 2^31 - 1 */
    r = es_init(opt, &d, NULL, nparams);
    if (r != ES_OK) return r == ES_ERROR_OUT_OF_MEMORY ? r : ES_ERROR_CORRUPT;
    opt->generation = es_get_u32(p + 0);
    opt->t = es_get_u64(p + 4);
    es__get_floats(opt->theta, (const unsigned char *)tv, nparams);
    r = es__all_finite(opt->theta, nparams) ? ES_OK : ES_ERROR_NOT_FINITE;
    if (r == ES_OK && opt->m) {
        size_t j;
        if (es_checkpoint_section(ck, ES__TAG_ADMM, &mv, &ms) != ES_OK || ms != nparams * 4 ||
            es_checkpoint_section(ck, ES__TAG_ADMV, &vv, &vs) != ES_OK || vs != nparams * 4) {
            es_free(opt);
            return ES_ERROR_CORRUPT;
        }
        es__get_floats(opt->m, (const unsigned char *)mv, nparams);
        es__get_floats(opt->v, (const unsigned char *)vv, nparams);
        if (!es__all_finite(opt->m, nparams) || !es__all_finite(opt->v, nparams)) r = ES_ERROR_NOT_FINITE;
        for (j = 0; r == ES_OK && j < nparams; j++)
            if (opt->v[j] < 0.0f) r = ES_ERROR_CORRUPT;   /* a sum of squares */
    }
    if (r == ES_OK) r = es__strategy_load_state(opt, ck);
    if (r != ES_OK) es_free(opt);
    return r;
}

ES_API es_result es_save(const es *opt, const char *path, const es_section *user, int nuser)
{
    es_checkpoint ck;
    es_result r = es_checkpoint_encode(opt, user, nuser, &ck);
    if (r != ES_OK) return r;
    r = es_checkpoint_write(&ck, path);
    es_checkpoint_free(&ck);
    return r;
}

#ifdef __cplusplus
}
#endif
ES__STRICT_FP_END
#endif /* ES_IMPLEMENTATION */

/* REVISION HISTORY
   0.5  Windows (MinGW-w64, run under Wine in the tests): es_file_write_atomic
        replaces an existing file with MoveFileEx, writing through, after
        _commit (ISO rename refused it: every save after the first failed);
        without POSIX the temporary file is NAME.es-tmp (NAME.es-tmpPID on
        Windows), and elsewhere a file rename will not replace is removed
        first. Checkpoints are the same bytes on Windows as on Linux.
        es_checkpoint_read refuses a FIFO or device (ES_ERROR_IO, errno
        ESPIPE) instead of blocking on it.
   0.4  es_file_write_atomic refuses a device, FIFO or socket at the path
        (EEXIST) and skips the fsync of a directory it may not read; an
        allocator with one function alone, duplicate or wrapping user
        sections, a negative strategy are refused; es_tell stops at
        generation 2^31 - 2 (es_load reads it back); es_hash(NULL).
   0.3  result codes by layer: es.h keeps the core codes; ES_ERROR_MUJOCO,
        ES_ERROR_REDIS and ES_ERROR_GL moved to es_env_mujoco.h (-100
        block), es_redis.h (-200) and examples/render.c (-1000), each with
        its own result-string function; es_result_string names the layer.
        es_desc.zero (es_zero flags) names settings that are a real 0 (no
        weight decay: ES_ZERO_WD), replacing "negative wd means 0"; es_init
        refuses a negative or NaN lr or weight decay, a denormal sigma, beta1
        or beta2 outside [0, 1) or NaN, adam_eps not positive, a non-finite
        theta0 (ES_ERROR_BAD_LR, ES_ERROR_BAD_ADAM, ES_ERROR_NOT_FINITE);
        es_tell refuses a step that would leave anything non-finite and keeps
        the state; opt.grad holds the last gradient; es_load refuses
        non-finite theta or moments, out-of-range settings and generations
        of 2^31 - 1 or more. Checkpoint format unchanged (v1).
        es_file_write_atomic (so es_save and every checkpoint) retries
        EINTR and short writes, fsyncs the directory after the rename,
        keeps errno on ES_ERROR_IO, and removes the temporary files
        (NAME.es-tmpPID) of killed writers; es_write_all; ES_ERROR_STOPPED.
        Strategies behind the same calls: PGPE, SNES, sep-CMA-ES
        (desc.strategy), the ClipUp optimizer; per-parameter sigma
        (es_sigma, es_sigma_mean); their state in new checkpoint sections
        (OpenAI-ES runs keep their bytes).
        es_init refuses npop above 2^24 (es_load read no more back); es_tell
        refuses a freed es; top-k takes pair differences in double (finite
        rewards, a finite step); es_checkpoint_encode refuses user sections
        with es.h's tags or NULL bytes.
   0.2  no FMA contraction in any header's implementation (a -march=native
        build trains to the same bytes); AVX2 loops chosen at run time
        (ES_NO_DISPATCH); es_perturbed_pair. Noise stream and checkpoint
        format unchanged (v1).
   0.1  first release: Philox noise stream v1, ES with SGD/Adam, shaping,
        top-k, thread pool, checkpoint format v1.

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
