/* es_mlp.h - v0.6 - MLP and linear policies over a flat parameter vector,
   a running observation normalizer, and episodes over any environment.

   QUICK START

       #define ES_IMPLEMENTATION
       #include "es_mlp.h"               // includes es.h

       es_mlp_desc md = es_mlp_desc_for_env(env);   // 64,64 tanh, output in the env's action range
       es_mlp mlp;
       es_mlp_init(&mlp, &md);
       float *theta = malloc(mlp.nparams * sizeof(float));
       es_mlp_init_theta(&mlp, seed, theta);
       es_normalizer norm;
       es_normalizer_init(&norm, md.nin, 0.0f, 0.0f, NULL);
       ...
       es_episode ep;
       es_rollout(env, &mlp, theta, &norm, stats, &rng, 0, work, &ep);

   CONFIGURATION MACROS: those of es.h, plus
       ES_MLP_MAX_HIDDEN   most hidden layers (default 8)

   STEP BY STEP

   1. es_mlp_init() computes the layout of theta for the shape in the desc.
      A zero field means its default (es_mlp_desc_default() writes them
      out; use it in C++): two hidden layers of 64, tanh, a tanh output
      scaled to [act_low, act_high], [-1, 1] when both are 0. A policy for
      an env should act in the env's range: es_mlp_desc_for_env(env) sets
      nin, nout and [act_low, act_high] from it (Humanoid's actuators take
      +-0.4, not +-1); change them after, to tell it otherwise.
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
      thread, from one pass of noise), calls es_tell() and, once that
      succeeded, merges the observation statistics in member order. It
      returns the first episode's error in member order, or es_tell's
      (ES_ERROR_NOT_FINITE when the update would leave theta NaN or
      infinite; nothing has changed then). es_runner_evaluate()/
      es_runner_update() split that for distributed runs (es_redis.h).
      es_runner_evaluate_theta() is the figure to report: the mean (std,
      min, max, early-ended and failed counts) of N noiseless episodes of
      a theta on held-out reset seeds (ES_STREAM_TEST), on the pool.
      Training-only knobs: run.reward_shift (ARS's alive-bonus shift,
      subtracted a step from what es_tell sees) and run.member_max_steps
      with es_runner_adapt_cap() (the OpenAI paper's adaptive episode cap).
      Point run.stop at a flag (a volatile sig_atomic_t a signal handler
      sets) to end a long generation early: episodes not yet started are
      skipped and es_runner_evaluate() (or es_runner_evaluate_theta())
      returns ES_ERROR_STOPPED; theta is unchanged.
   6a.Your own policy: the rollout and the runner see a policy only through
      es_policy (nparams, nin, nout, work_size, forward, user_data);
      es_mlp_policy() makes one of an es_mlp, and es_rollout() and
      es_runner_init() are the es_mlp shorthands of es_rollout_policy() and
      es_runner_init_policy(). forward is one indirect call a step.

          static void my_forward(const es_policy *p, const float *theta,
                                 const float *obs, float *act, float *work)
          { ... act[0..nout) from theta and obs[0..nin) ... }
          es_policy pol = {0};              // C++: memset
          pol.nparams = n; pol.nin = 17; pol.nout = 6;
          pol.forward = my_forward; pol.user_data = &my_shape;
          es_runner_init_policy(&run, &opt, &pol, &norm, envs, &pool, 1, 0);
   7. es_policy_save() (or es_policy_encode(), in memory) writes a trained
      policy as a checkpoint: es.h's sections of the es (theta, optimizer
      state) plus ES_TAG_TASK, ES_TAG_POLICY (the shape: count of hidden
      layers and their widths), ES_TAG_NORM and ES_TAG_RUN, the run
      metadata es_run_info (task, MuJoCo version, max_steps, eval
      episodes, env steps, generation) as "key=value" lines.
      es_policy_load() reads task, shape and normalizer back,
      es_run_info_read() the run metadata, es_load() theta. Every field is
      checked: a non-finite or out-of-range value is refused even under a
      valid CRC. Checkpoints of the older layout (a 60-byte shape, the
      trainer's "TRNR" section) still load.

          es_run_info info = {0};           // C++: memset
          strcpy(info.task, "HalfCheetah-v5");
          info.env_steps = run.env_steps;
          es_policy_save("policy.ckpt", &opt, &mlp, &norm, &info);

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
#include <signal.h>     /* sig_atomic_t */

#ifndef ES_MLP_MAX_HIDDEN
#define ES_MLP_MAX_HIDDEN 8
#endif
#define ES_MLP_LINEAR (-1)        /* es_mlp_desc.nhidden for a linear policy */
#define ES_MLP_MAX_WIDTH (1 << 20) /* nin, nout and hidden widths at most (a checkpoint's too) */
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
    float act_low, act_high;             /* both 0: [-1, 1]; es_mlp_desc_for_env: the env's */
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
       or _FAILED (unstable simulation; the reward is still finite). An
       observation (of reset or step) that is not finite ends a running
       episode as _FAILED, and never reaches a normalizer (the rollout
       checks). */
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

/* The defaults written out (64,64 tanh hidden, tanh output in [-1, 1]),
   nin and nout 0: the way to start in C++, where es_mlp_desc md = {0}
   warns under -Wextra. */
ES_API es_mlp_desc es_mlp_desc_default(void);
/* The defaults for a policy of env: nin, nout and the action range
   [act_low, act_high] taken from the env. */
ES_API es_mlp_desc es_mlp_desc_for_env(const es_env *env);
/* ES_ERROR_INVALID_ARGUMENT for what es_mlp_decode would refuse: a width
   (nin, nout, hidden) outside 1..ES_MLP_MAX_WIDTH, more than 2^34
   parameters (es.h's limit), an action range that is not finite with
   act_low < act_high or whose width act_high - act_low is beyond float. */
ES_API es_result es_mlp_init(es_mlp *mlp, const es_mlp_desc *desc);
ES_API void es_mlp_init_theta(const es_mlp *mlp, uint64_t seed, float *theta);
ES_API size_t es_mlp_work_size(const es_mlp *mlp);
ES_API void es_mlp_forward(const es_mlp *mlp, const float *theta, const float *obs, float *act, float *work);
/* Writes the shape (section ES_TAG_POLICY, layout below) and returns its
   size in bytes, at most ES_MLP_DESC_BYTES; the rest of out is zeroed. */
ES_API size_t es_mlp_encode(const es_mlp *mlp, unsigned char out[ES_MLP_DESC_BYTES]);
ES_API es_result es_mlp_decode(es_mlp *mlp, const void *bytes, size_t size);

/* clip and std_floor <= 0 take the defaults 5 and 0.1; NaN or infinite
   ones (which no checkpoint holds) are ES_ERROR_INVALID_ARGUMENT. */
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

/* A policy over a flat theta, as the rollout and the runner see it: es_mlp
   is one implementation (es_mlp_policy), and any function of (theta, obs)
   can be another. forward writes nout actions for nin inputs, using
   work_size floats of work; it is called from several threads at once
   (each with its own work), so it must not write shared state. Actions
   outside the env's range are the env's to refuse or clip. */
typedef struct es_policy {
    size_t nparams;                      /* floats of theta */
    int nin, nout;                       /* observation and action sizes */
    size_t work_size;                    /* floats of work forward needs */
    void (*forward)(const struct es_policy *policy, const float *theta, const float *obs, float *act,
                    float *work);
    const void *user_data;               /* the implementation's (es_mlp_policy: the es_mlp) */
} es_policy;

/* The es_mlp as an es_policy (it points to mlp, which must outlive it). */
ES_API es_policy es_mlp_policy(const es_mlp *mlp);

ES_API size_t es_rollout_policy_work_size(const es_env *env, const es_policy *policy);
/* One episode of at most max_steps (<= 0: env->max_steps). stats (may be
   NULL) receives the raw observations the policy saw; norm may be NULL,
   else its n is env->obs_dim (as the policy's nin and nout are the env's
   sizes: else ES_ERROR_INVALID_ARGUMENT). A reward that is not finite, or
   a return that overflows, ends it with ES_ERROR_NAN_REWARD and says so
   in env->error. */
ES_API es_result es_rollout_policy(es_env *env, const es_policy *policy, const float *theta,
                                   const es_normalizer *norm, double *stats, es_rng *rng,
                                   int max_steps, float *work, es_episode *ep);
/* The same for an es_mlp (es_mlp_policy(mlp)). */
ES_API size_t es_rollout_work_size(const es_env *env, const es_mlp *mlp);
ES_API es_result es_rollout(es_env *env, const es_mlp *mlp, const float *theta,
                            const es_normalizer *norm, double *stats, es_rng *rng,
                            int max_steps, float *work, es_episode *ep);

/* Checkpoint sections of a trained policy (beside es.h's own): the task
   name, the policy shape (es_mlp_encode), the normalizer's sums
   (es_normalizer_encode) and the run metadata (es_run_info, as text). */
#define ES_TAG_TASK ES_TAG('T', 'A', 'S', 'K')
#define ES_TAG_POLICY ES_TAG('P', 'O', 'L', 'I')
#define ES_TAG_NORM ES_TAG('N', 'O', 'R', 'M')
#define ES_TAG_RUN ES_TAG('R', 'U', 'N', 'I')

#define ES_RUN_TASK_MAX 64                /* task name bytes, with its NUL */
#define ES_RUN_VERSION_MAX 32             /* MuJoCo version string bytes, with its NUL */
#define ES_RUN_MAX_EVAL_EPISODES (1 << 20)
/* env steps of a run at most: 146 years at 10^9 steps/s; more is a forged
   or corrupt file, and a run resumed below it cannot wrap its count */
#define ES_RUN_MAX_ENV_STEPS ((uint64_t)1 << 62)

/* What a run was, beside its optimizer state: the checkpoint's run
   metadata (ES_TAG_RUN, with the task also in ES_TAG_TASK). Zero fields
   mean "not recorded". */
typedef struct es_run_info {
    char task[ES_RUN_TASK_MAX];          /* e.g. "HalfCheetah-v5"; printable ASCII, no spaces, required */
    char mujoco_version[ES_RUN_VERSION_MAX]; /* mj_versionString() of the run, "" unknown */
    int mujoco_version_number;           /* mj_version() of the run, 0 unknown */
    int max_steps;                       /* episode limit the run used; 0: the task's own */
    int eval_episodes;                   /* noiseless episodes of theta a generation */
    uint64_t env_steps;                  /* env steps taken by the run so far */
    uint32_t generation;                 /* written from es.generation */
} es_run_info;

/* Encodes a trained policy as a checkpoint: es.h's sections of opt
   (theta, optimizer state), then ES_TAG_TASK (info->task), ES_TAG_POLICY,
   ES_TAG_NORM, ES_TAG_RUN, then the caller's extra sections (may be none).
   info->generation is ignored: opt->generation is written. A normalizer
   whose sums are not finite gives ES_ERROR_NOT_FINITE (es_policy_load
   would refuse it). opt, mlp, norm and info are required
   (ES_ERROR_INVALID_ARGUMENT). A policy trained without a normalizer is
   saved with a fresh one clipping at FLT_MAX, es_normalizer_init(&n, nin,
   FLT_MAX, 0, NULL): with no observation counted it is the identity (a
   fresh one with the default clip would clip inputs to +-5). */
ES_API es_result es_policy_encode(const es *opt, const es_mlp *mlp, const es_normalizer *norm,
                                  const es_run_info *info, const es_section *extra, int nextra,
                                  es_checkpoint *out);
/* es_policy_encode with no extra section, written atomically to path. */
ES_API es_result es_policy_save(const char *path, const es *opt, const es_mlp *mlp, const es_normalizer *norm,
                                const es_run_info *info);

/* Reads the task name (NUL-terminated), the policy shape and a normalizer
   it initializes (free it with es_normalizer_free), and checks the run
   metadata when present. Old checkpoints (a 60-byte policy shape, no
   ES_TAG_RUN) load as well. ES_ERROR_MISMATCH: a section is missing, the
   task name does not fit task_size, or theta does not fit the shape;
   ES_ERROR_CORRUPT: a field is out of range or not finite. A shape with
   more hidden layers than ES_MLP_MAX_HIDDEN gives ES_ERROR_MISMATCH: build
   with a larger ES_MLP_MAX_HIDDEN to read it. On failure
   *norm is left zeroed (es_normalizer_free is harmless). The theta and
   optimizer state come from es_load(). */
ES_API es_result es_policy_load(const es_checkpoint *ck, char *task, size_t task_size, es_mlp *mlp,
                                es_normalizer *norm);

/* Reads the run metadata. A checkpoint of an older trainer (section
   "TRNR") gives its env steps, eval episodes and max steps, with the
   MuJoCo version unknown. ES_ERROR_NOT_FOUND: neither is present;
   ES_ERROR_CORRUPT: a malformed or out-of-range field, or a task or
   generation that disagrees with the task section or es.h's state. */
ES_API es_result es_run_info_read(const es_checkpoint *ck, es_run_info *info);

/* A generation of ES on an environment: evaluates the population (and
   noiseless episodes of theta) on a thread pool with one es_env per pool
   thread, updates, and merges the observation statistics in member order.
   Population member i resets from (seed, ES_STREAM_RESET, generation,
   pair of i); evaluation episode j from (seed, ES_STREAM_EVAL, generation, j).
   reward_shift (default 0) is subtracted once a step from the population's
   returns as es_tell sees them (ARS's alive-bonus shift), never from
   rewards[] or any evaluation; member_max_steps (0: max_steps) caps the
   population's episodes only (es_runner_adapt_cap sets it). */
typedef struct es_runner {
    es *opt;
    es_policy policy;
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
    uint32_t rewards_gen;                /* generation + 1 of those results (0: none). A successful
                                            es_runner_evaluate of members sets it (a failed one clears
                                            it); es_runner_update needs the optimizer's current one.
                                            A caller that fills rewards, steps and stats itself (its own
                                            es_redis_generation callbacks) sets it as es_redis.h does */
    uint64_t env_steps;                  /* all steps taken so far */
    /* scratch */
    float *theta_buf, *work;
    size_t work_size;
    double *stats_buf;                   /* per thread: one episode's statistics */
    size_t stats_stride;
    int begin, end, eval, nunits;        /* the current job */
    es_result *errors;                   /* npop + eval_episodes: each episode's own result */
    int *failed;                         /* per thread: its env failed in this evaluation */
    /* training-only settings, zero by es_runner_init (see above) */
    double reward_shift;
    int member_max_steps;
    float *shifted;                      /* npop rewards minus the shift, for es_tell */
    /* optional, set after es_runner_init: while *stop is nonzero no further
       episode starts and es_runner_evaluate returns ES_ERROR_STOPPED (a
       signal handler's flag stops a long generation within an episode) */
    const volatile sig_atomic_t *stop;
    es_allocator allocator;              /* opt's, kept: es_runner_free may follow es_free(opt) */
} es_runner;

/* A multi-episode evaluation of a policy (es_runner_evaluate_theta). std
   is the population standard deviation (divides by episodes). early: ended
   by the task's own termination before the cap; failed: unstable
   simulation (ES_EPISODE_FAILED, counted apart from early). */
typedef struct es_eval_stats {
    int episodes;
    double mean, std, min, max;          /* of the returns */
    double mean_steps;
    int early, failed;
    uint64_t env_steps;                  /* steps of these episodes (not added to run->env_steps) */
} es_eval_stats;

/* policy->nparams must equal opt->nparams, its nin and nout the sizes of
   every env (one per pool thread), norm's n (if norm) its nin, and
   eval_episodes is 0 to ES_RUN_MAX_EVAL_EPISODES; else
   ES_ERROR_INVALID_ARGUMENT. The runner keeps a copy of *policy (not of
   its user_data). */
ES_API es_result es_runner_init_policy(es_runner *run, es *opt, const es_policy *policy, es_normalizer *norm,
                                       es_env *envs, es_pool *pool, int eval_episodes, int max_steps);
/* es_runner_init_policy with es_mlp_policy(mlp). */
ES_API es_result es_runner_init(es_runner *run, es *opt, const es_mlp *mlp, es_normalizer *norm,
                                es_env *envs, es_pool *pool, int eval_episodes, int max_steps);
ES_API void es_runner_free(es_runner *run);
/* Evaluates members [begin, end) and, if with_eval, the evaluation episodes.
   It clears the envs' error messages first; a thread whose env fails runs
   no further episode (their slots, and that of the failed member's pair:
   ES_ERROR_STOPPED, 0 steps), so envs[t].error still says why when it
   returns the first failure in member order. */
ES_API es_result es_runner_evaluate(es_runner *run, int begin, int end, int with_eval);
/* es_tell, then (only if it succeeded) merges the statistics in member
   order and refreshes the normalizer. On failure nothing has changed.
   Once per evaluation: ES_ERROR_INVALID_ARGUMENT when no successful
   es_runner_evaluate of the optimizer's current generation came before
   (none, a failed one, or one already used); the caller evaluates every
   member, in one call or in ranges. */
ES_API es_result es_runner_update(es_runner *run);
/* es_runner_evaluate of everything, then es_runner_update. */
ES_API es_result es_runner_generation(es_runner *run);
ES_API double es_runner_mean_reward(const es_runner *run);
/* The figure to report: episodes noiseless episodes of theta (NULL: the
   run's current theta) on the pool in parallel, episode j reset from
   (seed, ES_STREAM_TEST, 0, j), a stream no population or per-generation
   evaluation episode uses; the same episodes at every call, so evaluations
   of successive thetas compare. Capped at run->max_steps (never the
   adaptive member_max_steps), without the reward shift. Returns and the
   stats are summed in episode order: the same bits for any thread count.
   Needs no es_runner_evaluate in flight. run->env_steps is left alone. */
ES_API es_result es_runner_evaluate_theta(es_runner *run, const float *theta, int episodes,
                                          es_eval_stats *stats);
/* OpenAI ES's adaptive episode cap (Salimans et al. 2017, section 2.3):
   sets member_max_steps to twice the mean length of the population's
   episodes of the last evaluation (rounded up, at least 1, at most
   max_steps or the env's limit). Integer arithmetic: bit-exact. */
ES_API void es_runner_adapt_cap(es_runner *run);

#ifdef __cplusplus
}
#endif
#endif /* ES_MLP_H_INCLUDED */

/* ======================================================================== */
#if defined(ES_IMPLEMENTATION) && !defined(ES_MLP_IMPLEMENTATION_INCLUDED)
#define ES_MLP_IMPLEMENTATION_INCLUDED

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

ES__STRICT_FP_BEGIN
#ifdef __cplusplus
extern "C" {
#endif

ES_API es_mlp_desc es_mlp_desc_default(void)
{
    es_mlp_desc d;
    memset(&d, 0, sizeof d);
    d.nhidden = 2;
    d.hidden[0] = d.hidden[1] = 64;
    d.hidden_activation = ES_ACTIVATION_TANH;
    d.output_activation = ES_ACTIVATION_TANH;
    d.act_low = -1.0f;
    d.act_high = 1.0f;
    return d;
}

ES_API es_mlp_desc es_mlp_desc_for_env(const es_env *env)
{
    es_mlp_desc d = es_mlp_desc_default();
    if (!env) return d;
    d.nin = env->obs_dim;
    d.nout = env->act_dim;
    d.act_low = env->act_low;
    d.act_high = env->act_high;
    return d;
}

ES_API es_result es_mlp_init(es_mlp *mlp, const es_mlp_desc *desc)
{
    es_mlp_desc d;
    int l, nh;
    size_t np = 0;
    if (!mlp || !desc) return ES_ERROR_INVALID_ARGUMENT;
    memset(mlp, 0, sizeof *mlp);
    d = *desc;
    if (d.nin <= 0 || d.nout <= 0 || d.nin > ES_MLP_MAX_WIDTH || d.nout > ES_MLP_MAX_WIDTH ||
        d.nhidden < ES_MLP_LINEAR || d.nhidden > ES_MLP_MAX_HIDDEN)
        return ES_ERROR_INVALID_ARGUMENT;
    if (d.nhidden == 0) d.nhidden = 2;
    nh = d.nhidden == ES_MLP_LINEAR ? 0 : d.nhidden;
    for (l = 0; l < nh; l++) {
        if (d.hidden[l] == 0) d.hidden[l] = 64;
        if (d.hidden[l] < 0 || d.hidden[l] > ES_MLP_MAX_WIDTH) return ES_ERROR_INVALID_ARGUMENT;
    }
    if (d.hidden_activation == ES_ACTIVATION_DEFAULT) d.hidden_activation = ES_ACTIVATION_TANH;
    if (d.output_activation == ES_ACTIVATION_DEFAULT) d.output_activation = ES_ACTIVATION_TANH;
    if (d.act_low == 0.0f && d.act_high == 0.0f) {
        d.act_low = -1.0f;
        d.act_high = 1.0f;
    }
    /* the tanh output scales by the width: inf for [-FLT_MAX, FLT_MAX] */
    if (!(d.act_low < d.act_high) || !isfinite(d.act_low) || !isfinite(d.act_high) ||
        !isfinite(d.act_high - d.act_low) || d.hidden_activation > ES_ACTIVATION_IDENTITY ||
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
    for (l = 0; l < mlp->nlayers; l++) {       /* each term < 2^63; stop past es.h's 2^34 */
        uint64_t layer = (uint64_t)mlp->size[l] * (uint64_t)mlp->size[l + 1] + (uint64_t)mlp->size[l + 1];
        if (layer > ((uint64_t)1 << 34) || (uint64_t)np + layer > ((uint64_t)1 << 34) ||
            (uint64_t)np + layer > (uint64_t)((size_t)-1 / 16)) {
            memset(mlp, 0, sizeof *mlp);
            return ES_ERROR_INVALID_ARGUMENT;
        }
        np += (size_t)layer;
    }
    mlp->nparams = np;
    return ES_OK;
}

ES_API void es_mlp_init_theta(const es_mlp *mlp, uint64_t seed, float *theta)
{
    int l;
    size_t i, o;
    float *p = theta;
    for (l = 0; l < mlp->nlayers; l++) {
        /* size_t: nin * nout and i * nout + o pass INT_MAX from widths of 46341 */
        size_t nin = (size_t)mlp->size[l], nout = (size_t)mlp->size[l + 1];
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

/* Shape as little-endian 32-bit words: nin, nout, the count of hidden
   layers (0: linear), hidden activation, output activation, act_low and
   act_high (floats), then the width of each hidden layer: 28 + 4 * count
   bytes. Older files wrote ES_MLP_MAX_HIDDEN (8) width slots, the unused
   ones zero, and a count of -1 for a linear policy (60 bytes); they
   decode too. */
ES_API size_t es_mlp_encode(const es_mlp *mlp, unsigned char out[ES_MLP_DESC_BYTES])
{
    const es_mlp_desc *d = &mlp->desc;
    int l, nh = mlp->nlayers - 1;
    memset(out, 0, ES_MLP_DESC_BYTES);
    es_put_u32(out + 0, (uint32_t)d->nin);
    es_put_u32(out + 4, (uint32_t)d->nout);
    es_put_u32(out + 8, (uint32_t)nh);
    es_put_u32(out + 12, (uint32_t)d->hidden_activation);
    es_put_u32(out + 16, (uint32_t)d->output_activation);
    es_put_f32(out + 20, d->act_low);
    es_put_f32(out + 24, d->act_high);
    for (l = 0; l < nh; l++) es_put_u32(out + 28 + 4 * l, (uint32_t)mlp->size[l + 1]);
    return 28 + 4 * (size_t)nh;
}

ES_API es_result es_mlp_decode(es_mlp *mlp, const void *bytes, size_t size)
{
    const unsigned char *p = (const unsigned char *)bytes;
    es_mlp_desc d;
    uint32_t count;
    size_t l, slots;
    if (!mlp || !bytes || size < 28 || (size - 28) % 4 != 0) return ES_ERROR_CORRUPT;
    memset(&d, 0, sizeof d);
    slots = (size - 28) / 4;
    count = es_get_u32(p + 8);
    if (count == 0xffffffffu) count = 0;             /* older files' linear policy */
    if (count > (uint32_t)ES_MLP_MAX_HIDDEN) return ES_ERROR_MISMATCH;
    if (slots < count) return ES_ERROR_CORRUPT;
    for (l = count; l < slots; l++)                   /* older files' unused slots */
        if (es_get_u32(p + 28 + 4 * l) != 0) return ES_ERROR_CORRUPT;
    d.nin = (int)es_get_u32(p + 0);
    d.nout = (int)es_get_u32(p + 4);
    d.nhidden = count == 0 ? ES_MLP_LINEAR : (int)count;
    d.hidden_activation = (es_activation)es_get_u32(p + 12);
    d.output_activation = (es_activation)es_get_u32(p + 16);
    d.act_low = es_get_f32(p + 20);
    d.act_high = es_get_f32(p + 24);
    if (es_get_u32(p + 0) - 1u >= (uint32_t)ES_MLP_MAX_WIDTH || es_get_u32(p + 4) - 1u >= (uint32_t)ES_MLP_MAX_WIDTH ||
        d.hidden_activation == ES_ACTIVATION_DEFAULT || d.output_activation == ES_ACTIVATION_DEFAULT)
        return ES_ERROR_CORRUPT;
    for (l = 0; l < count; l++) {
        uint32_t w = es_get_u32(p + 28 + 4 * l);
        if (w - 1u >= (uint32_t)ES_MLP_MAX_WIDTH) return ES_ERROR_CORRUPT;   /* 0 would read as "default" */
        d.hidden[l] = (int)w;
    }
    return es_mlp_init(mlp, &d) == ES_OK ? ES_OK : ES_ERROR_CORRUPT;
}

/* ---- observation normalizer ----------------------------------------- */

ES_API es_result es_normalizer_init(es_normalizer *norm, int n, float clip, float std_floor,
                                    const es_allocator *allocator)
{
    es_allocator a;
    if (!norm) return ES_ERROR_INVALID_ARGUMENT;
    memset(norm, 0, sizeof *norm);   /* es_normalizer_free is harmless after a failure too */
    if (n <= 0 || !(fabsf(clip) <= FLT_MAX) || !(fabsf(std_floor) <= FLT_MAX) || !es__allocator_ok(allocator))
        return ES_ERROR_INVALID_ARGUMENT;
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
    float clip = es_get_f32(p + 4), std_floor = es_get_f32(p + 8);
    double count = es_get_f64(p + 12);
    /* finite and in range, or the snapshot would turn every input into NaN or +-clip */
    if (!(clip > 0.0f && clip <= FLT_MAX) || !(std_floor > 0.0f && std_floor <= FLT_MAX) ||
        !(count >= 0.0 && count <= 9007199254740992.0) || count != floor(count))
        return ES_ERROR_CORRUPT;                      /* a count of observations: a whole number below 2^53 */
    for (i = 0; i < norm->n; i++) {
        double s = es_get_f64(p + 20 + 8 * (size_t)i), s2 = es_get_f64(p + 20 + 8 * ((size_t)norm->n + (size_t)i));
        if (!(s >= -DBL_MAX && s <= DBL_MAX) || !(s2 >= 0.0 && s2 <= DBL_MAX)) return ES_ERROR_CORRUPT;
    }
    norm->clip = clip;
    norm->std_floor = std_floor;
    norm->count = count;
    for (i = 0; i < norm->n; i++) {
        norm->sum[i] = es_get_f64(p + 20 + 8 * (size_t)i);
        norm->sumsq[i] = es_get_f64(p + 20 + 8 * ((size_t)norm->n + (size_t)i));
    }
    es_normalizer_refresh(norm);
    for (i = 0; i < norm->n; i++)                     /* huge sums over a tiny count, a std beyond float */
        if (!(fabsf(norm->mean[i]) <= FLT_MAX) || !(norm->inv_std[i] > 0.0f && norm->inv_std[i] <= FLT_MAX))
            return ES_ERROR_CORRUPT;
    return ES_OK;
}

/* ---- episodes -------------------------------------------------------- */

static void es__mlp_policy_forward(const es_policy *policy, const float *theta, const float *obs, float *act,
                                   float *work)
{
    es_mlp_forward((const es_mlp *)policy->user_data, theta, obs, act, work);
}

ES_API es_policy es_mlp_policy(const es_mlp *mlp)
{
    es_policy p;
    memset(&p, 0, sizeof p);
    if (!mlp) return p;
    p.nparams = mlp->nparams;
    p.nin = mlp->desc.nin;
    p.nout = mlp->desc.nout;
    p.work_size = es_mlp_work_size(mlp);
    p.forward = es__mlp_policy_forward;
    p.user_data = mlp;
    return p;
}

ES_API size_t es_rollout_policy_work_size(const es_env *env, const es_policy *policy)
{
    return 2 * (size_t)env->obs_dim + (size_t)env->act_dim + policy->work_size;
}

ES_API size_t es_rollout_work_size(const es_env *env, const es_mlp *mlp)
{
    es_policy p = es_mlp_policy(mlp);
    return es_rollout_policy_work_size(env, &p);
}

ES_API es_result es_rollout(es_env *env, const es_mlp *mlp, const float *theta,
                            const es_normalizer *norm, double *stats, es_rng *rng,
                            int max_steps, float *work, es_episode *ep)
{
    es_policy p;
    if (!mlp) return ES_ERROR_INVALID_ARGUMENT;
    p = es_mlp_policy(mlp);
    return es_rollout_policy(env, &p, theta, norm, stats, rng, max_steps, work, ep);
}

ES_API es_result es_rollout_policy(es_env *env, const es_policy *policy, const float *theta,
                                   const es_normalizer *norm, double *stats, es_rng *rng,
                                   int max_steps, float *work, es_episode *ep)
{
    float *obs, *x, *act, *mw;
    es_result r;
    int status = ES_EPISODE_RUNNING;
    if (!env || !policy || !policy->forward || !theta || !work || !ep || policy->nin != env->obs_dim ||
        policy->nout != env->act_dim || (norm && norm->n != env->obs_dim))
        return ES_ERROR_INVALID_ARGUMENT;
    obs = work;
    x = work + env->obs_dim;
    act = x + env->obs_dim;
    mw = act + env->act_dim;
    if (max_steps <= 0 || max_steps > env->max_steps) max_steps = env->max_steps;
    ep->ret = 0.0;
    ep->steps = 0;
    r = env->reset(env, rng, obs);
    /* an observation that is not finite ends the episode as failed before
       it reaches the statistics: one NaN would make the normalizer's mean
       NaN for good, and the policy blind to that input */
    if (r == ES_OK && !es__all_finite(obs, (size_t)env->obs_dim)) status = ES_EPISODE_FAILED;
    while (r == ES_OK && ep->steps < max_steps && status == ES_EPISODE_RUNNING) {
        double reward = 0.0;
        if (stats) es_obs_stats_add(stats, env->obs_dim, obs);
        if (norm) es_normalizer_apply(norm, obs, x);
        else memcpy(x, obs, (size_t)env->obs_dim * sizeof(float));
        policy->forward(policy, theta, x, act, mw);
        r = env->step(env, act, obs, &reward, &status);
        if (r != ES_OK) break;             /* a failed call is not a step */
        if (!(fabs(ep->ret + reward) <= DBL_MAX)) {   /* the env broke its contract, or the sum overflowed */
            snprintf(env->error, sizeof env->error, "step %d gave a reward of %g, making the return %g",
                     ep->steps + 1, reward, ep->ret + reward);
            r = ES_ERROR_NAN_REWARD;
            break;
        }
        ep->ret += reward;
        ep->steps++;
        if (status == ES_EPISODE_RUNNING && !es__all_finite(obs, (size_t)env->obs_dim)) status = ES_EPISODE_FAILED;
    }
    ep->status = status;
    return r;
}

/* ---- policies and runs in checkpoints -------------------------------- */

static void *es__runner_alloc(const es *opt, size_t size)
{
    const es_allocator *a = &opt->desc.allocator;
    return a->alloc_fn ? a->alloc_fn(size, a->user_data) : ES_MALLOC(size);
}

static void es__runner_free(const es *opt, void *p)
{
    const es_allocator *a = &opt->desc.allocator;
    if (!p) return;
    if (a->free_fn) a->free_fn(p, a->user_data);
    else ES_FREE(p);
}

/* Run metadata (ES_TAG_RUN) is text: one "key=value\n" line a field, keys
   of [a-z0-9_], values of printable ASCII, in any order; readers skip keys
   they do not know, so fields can be added without a new layout. Keys:
   task, mujoco_version, mujoco_version_number, max_steps, eval_episodes,
   env_steps, generation (whole numbers in decimal, no sign). */

static int es__printable(const char *s, size_t n, int allow_space)
{
    size_t i;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < (allow_space ? 0x20 : 0x21) || (unsigned char)s[i] > 0x7e) return 0;
    return 1;
}

/* A whole number of at most 20 digits and at most max; 0 if malformed. */
static int es__parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t x = 0;
    size_t i;
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0')) return 0;
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)((unsigned char)s[i] - '0');
        if (d > 9 || x > (max - d) / 10) return 0;
        x = x * 10 + d;
    }
    *out = x;
    return 1;
}

static es_result es__run_info_parse(es_run_info *info, const char *text, size_t size)
{
    static const char *const keys[] = {"task", "mujoco_version", "mujoco_version_number", "max_steps",
                                       "eval_episodes", "env_steps", "generation"};
    unsigned seen = 0;
    size_t pos = 0;
    memset(info, 0, sizeof *info);
    if (size > 65536) return ES_ERROR_CORRUPT;
    while (pos < size) {
        const char *line = text + pos, *eq, *nl = (const char *)memchr(line, '\n', size - pos);
        size_t klen, vlen, k;
        uint64_t x = 0;
        if (!nl) return ES_ERROR_CORRUPT;                /* every line ends with \n */
        eq = (const char *)memchr(line, '=', (size_t)(nl - line));
        if (!eq || eq == line) return ES_ERROR_CORRUPT;
        klen = (size_t)(eq - line);
        vlen = (size_t)(nl - eq - 1);
        for (k = 0; k < klen; k++)
            if (!((line[k] >= 'a' && line[k] <= 'z') || (line[k] >= '0' && line[k] <= '9') || line[k] == '_'))
                return ES_ERROR_CORRUPT;
        if (!es__printable(eq + 1, vlen, 1)) return ES_ERROR_CORRUPT;
        pos += (size_t)(nl - line) + 1;
        for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (strlen(keys[k]) == klen && memcmp(keys[k], line, klen) == 0) break;
        if (k == sizeof keys / sizeof keys[0]) continue;  /* a later version's field */
        if (seen & (1u << k)) return ES_ERROR_CORRUPT;   /* twice */
        seen |= 1u << k;
        eq++;
        switch (k) {
        case 0:
            if (vlen == 0 || vlen >= ES_RUN_TASK_MAX || !es__printable(eq, vlen, 0)) return ES_ERROR_CORRUPT;
            memcpy(info->task, eq, vlen);
            break;
        case 1:
            if (vlen >= ES_RUN_VERSION_MAX) return ES_ERROR_CORRUPT;
            memcpy(info->mujoco_version, eq, vlen);
            break;
        case 2: case 3:
            if (!es__parse_u64(eq, vlen, 0x7fffffff, &x)) return ES_ERROR_CORRUPT;
            if (k == 2) info->mujoco_version_number = (int)x;
            else info->max_steps = (int)x;
            break;
        case 4:
            if (!es__parse_u64(eq, vlen, ES_RUN_MAX_EVAL_EPISODES, &x)) return ES_ERROR_CORRUPT;
            info->eval_episodes = (int)x;
            break;
        case 5:
            if (!es__parse_u64(eq, vlen, ES_RUN_MAX_ENV_STEPS, &x)) return ES_ERROR_CORRUPT;
            info->env_steps = x;
            break;
        default:
            if (!es__parse_u64(eq, vlen, 0xffffffffu, &x)) return ES_ERROR_CORRUPT;
            info->generation = (uint32_t)x;
            break;
        }
    }
    return (seen & 1u) && (seen & (1u << 6)) ? ES_OK : ES_ERROR_CORRUPT;   /* task and generation required */
}

/* The task section's name, checked; 0 if missing or malformed. */
static size_t es__task_section(const es_checkpoint *ck, const char **name)
{
    const void *p;
    size_t n;
    if (es_checkpoint_section(ck, ES_TAG_TASK, &p, &n) != ES_OK || n == 0 || n >= ES_RUN_TASK_MAX ||
        !es__printable((const char *)p, n, 0))
        return 0;
    *name = (const char *)p;
    return n;
}

ES_API es_result es_run_info_read(const es_checkpoint *ck, es_run_info *info)
{
    const void *p, *st;
    size_t n, ns, ntask;
    const char *task = NULL;
    uint32_t generation;
    es_result r;
    if (!ck || !ck->bytes || !info) return ES_ERROR_INVALID_ARGUMENT;
    memset(info, 0, sizeof *info);
    if (es_checkpoint_section(ck, ES__TAG_STAT, &st, &ns) != ES_OK || ns < 4) return ES_ERROR_CORRUPT;
    generation = es_get_u32((const unsigned char *)st);
    ntask = es__task_section(ck, &task);
    if (es_checkpoint_section(ck, ES_TAG_RUN, &p, &n) == ES_OK) {
        r = es__run_info_parse(info, (const char *)p, n);
        if (r == ES_OK && (info->generation != generation || !task || strlen(info->task) != ntask ||
                           memcmp(info->task, task, ntask) != 0))
            r = ES_ERROR_CORRUPT;
        if (r != ES_OK) memset(info, 0, sizeof *info);
        return r;
    }
    /* Trainers before ES_TAG_RUN wrote "TRNR": u64 env steps, u32 eval
       episodes, u32 max steps. */
    if (es_checkpoint_section(ck, ES_TAG('T', 'R', 'N', 'R'), &p, &n) != ES_OK) return ES_ERROR_NOT_FOUND;
    if (n != 16 || !task) return ES_ERROR_CORRUPT;
    info->env_steps = es_get_u64((const unsigned char *)p);
    if (info->env_steps > ES_RUN_MAX_ENV_STEPS || es_get_u32((const unsigned char *)p + 8) > ES_RUN_MAX_EVAL_EPISODES ||
        es_get_u32((const unsigned char *)p + 12) > 0x7fffffffu)
        return ES_ERROR_CORRUPT;
    info->eval_episodes = (int)es_get_u32((const unsigned char *)p + 8);
    info->max_steps = (int)es_get_u32((const unsigned char *)p + 12);
    info->generation = generation;
    memcpy(info->task, task, ntask);
    return ES_OK;
}

ES_API es_result es_policy_encode(const es *opt, const es_mlp *mlp, const es_normalizer *norm,
                                  const es_run_info *info, const es_section *extra, int nextra,
                                  es_checkpoint *out)
{
    unsigned char shape[ES_MLP_DESC_BYTES], *normb;
    char text[ES_RUN_TASK_MAX + ES_RUN_VERSION_MAX + 256];
    es_section *sec;
    size_t ntask;
    int i, len;
    es_result r;
    if (!opt || !mlp || !norm || !info || !out || nextra < 0 || (nextra > 0 && !extra) ||
        mlp->nparams != opt->nparams || norm->n != mlp->desc.nin || info->max_steps < 0 ||
        info->eval_episodes < 0 || info->eval_episodes > ES_RUN_MAX_EVAL_EPISODES ||
        info->env_steps > ES_RUN_MAX_ENV_STEPS || info->mujoco_version_number < 0)
        return ES_ERROR_INVALID_ARGUMENT;
    ntask = strlen(info->task);
    if (ntask == 0 || ntask >= ES_RUN_TASK_MAX || !es__printable(info->task, ntask, 0) ||
        strlen(info->mujoco_version) >= ES_RUN_VERSION_MAX ||
        !es__printable(info->mujoco_version, strlen(info->mujoco_version), 1))
        return ES_ERROR_INVALID_ARGUMENT;
    len = snprintf(text, sizeof text,
                   "task=%s\nmujoco_version=%s\nmujoco_version_number=%d\nmax_steps=%d\neval_episodes=%d\n"
                   "env_steps=%llu\ngeneration=%lu\n",
                   info->task, info->mujoco_version, info->mujoco_version_number, info->max_steps,
                   info->eval_episodes, (unsigned long long)info->env_steps, (unsigned long)opt->generation);
    if (len <= 0 || (size_t)len >= sizeof text) return ES_ERROR_INVALID_ARGUMENT;
    for (i = 0; i < norm->n; i++)   /* what es_normalizer_decode would refuse is not written */
        if (!(fabs(norm->sum[i]) <= DBL_MAX) || !(norm->sumsq[i] >= 0.0 && norm->sumsq[i] <= DBL_MAX))
            return ES_ERROR_NOT_FINITE;
    normb = (unsigned char *)es__runner_alloc(opt, es_normalizer_bytes(norm));
    sec = (es_section *)es__runner_alloc(opt, ((size_t)nextra + 4) * sizeof *sec);
    if (!normb || !sec) {
        es__runner_free(opt, normb);
        es__runner_free(opt, sec);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    es_normalizer_encode(norm, normb);
    sec[0].tag = ES_TAG_TASK; sec[0].data = info->task; sec[0].size = ntask;
    sec[1].tag = ES_TAG_POLICY; sec[1].data = shape; sec[1].size = es_mlp_encode(mlp, shape);
    sec[2].tag = ES_TAG_NORM; sec[2].data = normb; sec[2].size = es_normalizer_bytes(norm);
    sec[3].tag = ES_TAG_RUN; sec[3].data = text; sec[3].size = (size_t)len;
    for (i = 0; i < nextra; i++) sec[4 + i] = extra[i];
    r = es_checkpoint_encode(opt, sec, nextra + 4, out);
    es__runner_free(opt, normb);
    es__runner_free(opt, sec);
    return r;
}

ES_API es_result es_policy_save(const char *path, const es *opt, const es_mlp *mlp, const es_normalizer *norm,
                                const es_run_info *info)
{
    es_checkpoint ck;
    es_result r;
    if (!path) return ES_ERROR_INVALID_ARGUMENT;
    r = es_policy_encode(opt, mlp, norm, info, NULL, 0, &ck);
    if (r != ES_OK) return r;
    r = es_checkpoint_write(&ck, path);
    es_checkpoint_free(&ck);
    return r;
}

ES_API es_result es_policy_load(const es_checkpoint *ck, char *task, size_t task_size, es_mlp *mlp,
                                es_normalizer *norm)
{
    const void *p;
    const char *name = NULL;
    size_t n;
    es_result r;
    es_run_info info;
    if (!ck || !ck->bytes || !task || task_size == 0 || !mlp || !norm) return ES_ERROR_INVALID_ARGUMENT;
    memset(norm, 0, sizeof *norm);
    n = es__task_section(ck, &name);
    if (n == 0 || n >= task_size) return ES_ERROR_MISMATCH;
    if (es_checkpoint_section(ck, ES_TAG_POLICY, &p, &n) != ES_OK) return ES_ERROR_MISMATCH;
    if ((r = es_mlp_decode(mlp, p, n)) != ES_OK) return r;
    /* theta must fit the shape (es_load reads it) */
    if (es_checkpoint_section(ck, ES__TAG_THTA, &p, &n) != ES_OK || n / 4 != mlp->nparams || n % 4 != 0)
        return ES_ERROR_MISMATCH;
    r = es_run_info_read(ck, &info);
    if (r != ES_OK && r != ES_ERROR_NOT_FOUND) return r;
    if (es_checkpoint_section(ck, ES_TAG_NORM, &p, &n) != ES_OK) return ES_ERROR_MISMATCH;
    r = es_normalizer_init(norm, mlp->desc.nin, 0.0f, 0.0f, NULL);
    if (r != ES_OK) return r;
    r = es_normalizer_decode(norm, p, n);
    if (r != ES_OK) {
        es_normalizer_free(norm);
        return r;
    }
    n = es__task_section(ck, &name);
    memcpy(task, name, n);
    task[n] = 0;
    return ES_OK;
}

/* ---- generations ----------------------------------------------------- */

ES_API void es_runner_free(es_runner *run)
{
    void *p[11];
    int i;
    const es_allocator *a;
    if (!run || !run->opt) return;
    a = &run->allocator;
    p[0] = run->rewards; p[1] = run->steps; p[2] = run->status; p[3] = run->eval_returns;
    p[4] = run->stats; p[5] = run->theta_buf; p[6] = run->work; p[7] = run->stats_buf;
    p[8] = run->errors; p[9] = run->shifted; p[10] = run->failed;
    for (i = 0; i < 11; i++) {
        if (!p[i]) continue;
        if (a->free_fn) a->free_fn(p[i], a->user_data);
        else ES_FREE(p[i]);
    }
    memset(run, 0, sizeof *run);
}

ES_API es_result es_runner_init(es_runner *run, es *opt, const es_mlp *mlp, es_normalizer *norm,
                                es_env *envs, es_pool *pool, int eval_episodes, int max_steps)
{
    es_policy p;
    if (!mlp) return ES_ERROR_INVALID_ARGUMENT;
    p = es_mlp_policy(mlp);
    return es_runner_init_policy(run, opt, &p, norm, envs, pool, eval_episodes, max_steps);
}

ES_API es_result es_runner_init_policy(es_runner *run, es *opt, const es_policy *policy, es_normalizer *norm,
                                       es_env *envs, es_pool *pool, int eval_episodes, int max_steps)
{
    int npop, nthreads, nep, i;
    size_t nstats;
    if (!run || !opt || !policy || !policy->forward || !envs || eval_episodes < 0 ||
        eval_episodes > ES_RUN_MAX_EVAL_EPISODES || policy->nparams != opt->nparams ||
        (norm && norm->n != policy->nin))
        return ES_ERROR_INVALID_ARGUMENT;
    nthreads = pool ? pool->nthreads : 1;
    for (i = 0; i < nthreads; i++)   /* every thread's env: the buffers below are sized from the policy's */
        if (envs[i].obs_dim != policy->nin || envs[i].act_dim != policy->nout) return ES_ERROR_INVALID_ARGUMENT;
    memset(run, 0, sizeof *run);
    npop = opt->desc.npop;
    nep = npop + eval_episodes;
    nstats = es_obs_stats_size(envs[0].obs_dim);
    run->opt = opt;
    run->allocator = opt->desc.allocator;
    run->policy = *policy;
    run->norm = norm;
    run->envs = envs;
    run->pool = pool;
    run->eval_episodes = eval_episodes;
    run->max_steps = max_steps;
    /* whole 64-byte lines per thread, and one spare: no false sharing */
    run->work_size = (es_rollout_policy_work_size(&envs[0], policy) + 31) / 16 * 16;
    run->rewards = (float *)es__runner_alloc(opt, (size_t)npop * sizeof(float));
    run->steps = (int *)es__runner_alloc(opt, (size_t)nep * sizeof(int));
    run->status = (int *)es__runner_alloc(opt, (size_t)nep * sizeof(int));
    run->errors = (es_result *)es__runner_alloc(opt, (size_t)nep * sizeof(es_result));
    run->eval_returns = (double *)es__runner_alloc(opt, ((size_t)eval_episodes + 1) * sizeof(double));
    run->stats = (double *)es__runner_alloc(opt, (size_t)npop * nstats * sizeof(double));
    run->stats_stride = (nstats + 15) / 8 * 8;
    run->stats_buf = (double *)es__runner_alloc(opt, (size_t)nthreads * run->stats_stride * sizeof(double));
    run->theta_buf = (float *)es__runner_alloc(opt, (size_t)nthreads * 2 * opt->nparams * sizeof(float));
    run->work = (float *)es__runner_alloc(opt, (size_t)nthreads * run->work_size * sizeof(float));
    run->shifted = (float *)es__runner_alloc(opt, (size_t)npop * sizeof(float));
    run->failed = (int *)es__runner_alloc(opt, (size_t)nthreads * sizeof(int));
    if (!run->rewards || !run->steps || !run->status || !run->errors || !run->eval_returns || !run->stats ||
        !run->stats_buf || !run->theta_buf || !run->work || !run->shifted || !run->failed) {
        es_runner_free(run);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    memset(run->steps, 0, (size_t)nep * sizeof(int));
    memset(run->status, 0, (size_t)nep * sizeof(int));
    for (i = 0; i < nep; i++) run->errors[i] = ES_OK;
    memset(run->rewards, 0, (size_t)npop * sizeof(float));
    memset(run->stats, 0, (size_t)npop * nstats * sizeof(double));
    return ES_OK;
}

/* Member m's episode with policy theta, on the thread's env. */
/* An episode not run (slot k of steps, status, errors; member m or -1):
   its thread's env failed in this evaluation (its next reset would clear
   env->error, and the evaluation fails anyway: a thread takes its tasks
   in increasing order, so that failure comes earlier in member order), or
   the other member of its pair did. */
static es_result es__runner_skip(es_runner *run, int k, int m)
{
    if (m >= 0) run->rewards[m] = 0.0f;
    run->steps[k] = 0;
    run->status[k] = ES_EPISODE_FAILED;
    run->errors[k] = ES_ERROR_STOPPED;
    return ES_ERROR_STOPPED;
}

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
    if (run->failed[thread]) return es__runner_skip(run, m, m);   /* keep the message of the env's failure */
    es_rng_init(&rng, opt->desc.seed, ES_STREAM_RESET, opt->generation, antithetic ? (uint32_t)m >> 1 : (uint32_t)m);
    es_obs_stats_clear(stats, env->obs_dim);
    memset(&ep, 0, sizeof ep);
    r = es_rollout_policy(env, &run->policy, theta, run->norm, stats, &rng,
                          run->member_max_steps > 0 ? run->member_max_steps : run->max_steps,
                          run->work + (size_t)thread * run->work_size, &ep);
    memcpy(run->stats + (size_t)m * nstats, stats, nstats * sizeof(double));
    if (r == ES_OK && !(fabs(ep.ret) <= FLT_MAX)) {   /* es_tell takes floats */
        snprintf(env->error, sizeof env->error, "a return of %g is beyond float", ep.ret);
        r = ES_ERROR_NAN_REWARD;
    }
    run->rewards[m] = fabs(ep.ret) <= FLT_MAX ? (float)ep.ret : 0.0f;
    run->steps[m] = ep.steps;
    run->status[m] = ep.status;
    run->errors[m] = r;
    if (r != ES_OK) run->failed[thread] = 1;
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
    if (run->stop && *run->stop) return;       /* es_runner_evaluate reports it */
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
            if (r != ES_OK) es__runner_skip(run, m1 - 1, m1 - 1);   /* no stale slot beside the failure */
            else if (!(run->stop && *run->stop)) r = es__runner_member(run, m1 - 1, minus, thread);
        } else {
            es_perturbed(opt, m0, plus);
            r = es__runner_member(run, m0, plus, thread);
        }
    } else {
        int j = i - run->nunits;
        es_episode ep;
        es_rng rng;
        if (run->failed[thread]) {
            run->eval_returns[j] = 0.0;
            es__runner_skip(run, opt->desc.npop + j, -1);
            return;
        }
        es_rng_init(&rng, opt->desc.seed, ES_STREAM_EVAL, opt->generation, (uint32_t)j);
        r = es_rollout_policy(&run->envs[thread], &run->policy, opt->theta, run->norm, NULL, &rng, run->max_steps,
                              run->work + (size_t)thread * run->work_size, &ep);
        run->eval_returns[j] = ep.ret;
        run->steps[opt->desc.npop + j] = ep.steps;
        run->status[opt->desc.npop + j] = ep.status;
        run->errors[opt->desc.npop + j] = r;
        if (r != ES_OK) run->failed[thread] = 1;
    }
}

/* Episodes report their results in their own slots of run->errors (no
   two threads write one place); after es_pool_run, which returns only
   when every task is done, the first failure in member order wins. */
ES_API es_result es_runner_evaluate(es_runner *run, int begin, int end, int with_eval)
{
    int i, npop;
    if (!run || !run->opt || begin < 0 || end > run->opt->desc.npop || begin > end) return ES_ERROR_INVALID_ARGUMENT;
    npop = run->opt->desc.npop;
    if (end > begin) run->rewards_gen = 0;   /* set again only if this evaluation succeeds */
    run->begin = begin;
    run->end = end;
    run->eval = with_eval ? run->eval_episodes : 0;
    for (i = begin; i < end; i++) run->errors[i] = ES_OK;
    for (i = 0; i < run->eval; i++) run->errors[npop + i] = ES_OK;
    for (i = 0; i < (run->pool ? run->pool->nthreads : 1); i++) {   /* this evaluation's failures and messages */
        run->failed[i] = 0;
        run->envs[i].error[0] = '\0';
    }
    if (run->opt->desc.sampling == ES_SAMPLING_ANTITHETIC)
        run->nunits = end > begin ? ((end - 1) >> 1) - (begin >> 1) + 1 : 0;
    else
        run->nunits = end - begin;
    es_pool_run(run->pool, run->nunits + run->eval, es__runner_task, run);
    if (run->stop && *run->stop) return ES_ERROR_STOPPED;    /* episodes were skipped: nothing counts */
    for (i = begin; i < end; i++) run->env_steps += (uint64_t)run->steps[i];
    for (i = 0; i < run->eval; i++) run->env_steps += (uint64_t)run->steps[npop + i];
    for (i = begin; i < end; i++)
        if (run->errors[i] != ES_OK) return run->errors[i];
    for (i = 0; i < run->eval; i++)
        if (run->errors[npop + i] != ES_OK) return run->errors[npop + i];
    if (end > begin) run->rewards_gen = run->opt->generation + 1;
    return ES_OK;
}

/* The statistics are merged only after es_tell succeeded: a failed update
   changes nothing, so retrying it cannot count them twice (the normalizer
   plays no part in the update itself). */
ES_API es_result es_runner_update(es_runner *run)
{
    int i;
    size_t nstats;
    es_result r;
    if (!run || !run->opt) return ES_ERROR_INVALID_ARGUMENT;   /* freed or never initialized */
    if (run->rewards_gen != run->opt->generation + 1) return ES_ERROR_INVALID_ARGUMENT;   /* stale rewards */
    if (run->reward_shift != 0.0) {          /* training only: rewards[] keep the returns */
        for (i = 0; i < run->opt->desc.npop; i++)
            run->shifted[i] = (float)((double)run->rewards[i] - run->reward_shift * (double)run->steps[i]);
        r = es_tell(run->opt, run->shifted, run->pool);
    } else {
        r = es_tell(run->opt, run->rewards, run->pool);
    }
    if (r != ES_OK) return r;
    if (run->norm) {
        nstats = es_obs_stats_size(run->norm->n);
        for (i = 0; i < run->opt->desc.npop; i++) es_normalizer_merge(run->norm, run->stats + (size_t)i * nstats);
        es_normalizer_refresh(run->norm);
    }
    return ES_OK;
}

ES_API es_result es_runner_generation(es_runner *run)
{
    es_result r = es_runner_evaluate(run, 0, run && run->opt ? run->opt->desc.npop : 0, 1);
    return r != ES_OK ? r : es_runner_update(run);
}

ES_API double es_runner_mean_reward(const es_runner *run)
{
    double s = 0.0;
    int i;
    if (!run || !run->opt) return 0.0;   /* freed or never initialized: no rewards */
    for (i = 0; i < run->opt->desc.npop; i++) s += run->rewards[i];
    return s / run->opt->desc.npop;
}

typedef struct es__test_job {
    es_runner *run;
    const float *theta;
    double *returns;
    int *steps, *status, *errors;        /* errors: each episode's es_result */
} es__test_job;

static void es__test_task(void *user, int j, int thread)
{
    es__test_job *job = (es__test_job *)user;
    es_runner *run = job->run;
    es_episode ep;
    es_rng rng;
    es_result r;
    if (run->stop && *run->stop) return;       /* es_runner_evaluate_theta reports it */
    es_rng_init(&rng, run->opt->desc.seed, ES_STREAM_TEST, 0, (uint32_t)j);
    r = es_rollout_policy(&run->envs[thread], &run->policy, job->theta, run->norm, NULL, &rng, run->max_steps,
                          run->work + (size_t)thread * run->work_size, &ep);
    job->returns[j] = ep.ret;
    job->steps[j] = ep.steps;
    job->status[j] = ep.status;
    job->errors[j] = (int)r;
}

ES_API es_result es_runner_evaluate_theta(es_runner *run, const float *theta, int episodes,
                                          es_eval_stats *stats)
{
    es__test_job job;
    double sum = 0.0, sq = 0.0;
    uint64_t steps = 0;
    int j, cap;
    es_result r = ES_OK;
    if (!run || !run->opt || !stats || episodes < 1 || episodes > ES_RUN_MAX_EVAL_EPISODES)
        return ES_ERROR_INVALID_ARGUMENT;
    memset(stats, 0, sizeof *stats);
    job.run = run;
    job.theta = theta ? theta : run->opt->theta;
    job.returns = (double *)es__runner_alloc(run->opt, (size_t)episodes * sizeof(double));
    job.steps = (int *)es__runner_alloc(run->opt, 3 * (size_t)episodes * sizeof(int));
    if (!job.returns || !job.steps) {
        es__runner_free(run->opt, job.returns);
        es__runner_free(run->opt, job.steps);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    job.status = job.steps + episodes;
    job.errors = job.status + episodes;
    es_pool_run(run->pool, episodes, es__test_task, &job);
    if (run->stop && *run->stop) {               /* episodes were skipped: no figures */
        es__runner_free(run->opt, job.returns);
        es__runner_free(run->opt, job.steps);
        return ES_ERROR_STOPPED;
    }
    cap = run->max_steps > 0 && run->max_steps < run->envs[0].max_steps ? run->max_steps : run->envs[0].max_steps;
    stats->episodes = episodes;
    stats->min = stats->max = job.returns[0];
    for (j = 0; j < episodes; j++) {             /* episode order: any thread count, same bits */
        double x = job.returns[j];
        sum += x;
        if (x < stats->min) stats->min = x;
        if (x > stats->max) stats->max = x;
        steps += (uint64_t)job.steps[j];
        if (r == ES_OK && job.errors[j] != (int)ES_OK) r = (es_result)job.errors[j];   /* the first, in episode order */
        if (job.status[j] == ES_EPISODE_FAILED) stats->failed++;
        else if (job.status[j] == ES_EPISODE_TERMINATED && job.steps[j] < cap) stats->early++;
    }
    stats->mean = sum / episodes;
    for (j = 0; j < episodes; j++) sq += (job.returns[j] - stats->mean) * (job.returns[j] - stats->mean);
    stats->std = sqrt(sq / episodes);
    stats->env_steps = steps;
    stats->mean_steps = (double)steps / episodes;
    es__runner_free(run->opt, job.returns);
    es__runner_free(run->opt, job.steps);
    return r;
}

ES_API void es_runner_adapt_cap(es_runner *run)
{
    uint64_t sum = 0, cap;
    int i, npop, limit;
    if (!run || !run->opt) return;
    npop = run->opt->desc.npop;
    limit = run->max_steps > 0 && run->max_steps < run->envs[0].max_steps ? run->max_steps : run->envs[0].max_steps;
    for (i = 0; i < npop; i++) sum += (uint64_t)run->steps[i];
    cap = (2 * sum + (uint64_t)npop - 1) / (uint64_t)npop;
    run->member_max_steps = cap < 1 ? 1 : cap > (uint64_t)limit ? limit : (int)cap;
}

#ifdef __cplusplus
}
#endif
ES__STRICT_FP_END
#endif /* ES_IMPLEMENTATION */

/* REVISION HISTORY
   0.6  The boundary checks what would overrun or not load back:
        es_runner_init_policy checks every pool thread's env (not only
        envs[0]) and eval_episodes <= ES_RUN_MAX_EVAL_EPISODES,
        es_rollout_policy a normalizer's size, es_mlp_init widths up to
        ES_MLP_MAX_WIDTH and an action range of finite width,
        es_normalizer_init a finite clip and std_floor. A reward that is not
        finite (or a return that overflows, or exceeds float for es_tell)
        is ES_ERROR_NAN_REWARD with env.error saying so, never a figure.
   0.5  es_policy: the rollout and the runner take any policy
        (es_rollout_policy, es_runner_init_policy; es_mlp_policy makes one
        of an es_mlp); es_runner.mlp became es_runner.policy.
        es_runner.stop: a flag (set by a signal handler) that skips the
        episodes not yet started; es_runner_evaluate returns ES_ERROR_STOPPED.
        The runner calls refuse a freed or zeroed runner (no crash).
   0.4  es_runner_evaluate_theta (multi-episode evaluation on held-out
        reset seeds, es_eval_stats), es_runner.reward_shift (training
        only), es_runner.member_max_steps and es_runner_adapt_cap.
   0.3  es_policy_save/es_policy_encode and the run metadata section
        (es_run_info, ES_TAG_RUN, es_run_info_read); the policy shape is
        stored as a count of hidden layers and their widths (older 60-byte
        shapes still load); es_policy_load refuses non-finite or
        out-of-range shape, normalizer and run fields.
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
