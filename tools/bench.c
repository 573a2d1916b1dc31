/* tools/bench.c - the measurements behind `make bench` (tools/bench runs it).

   Every figure it prints is a ratio or a count measured in this one run:
   the machine may be shared and noisy, so never compare a time with one
   taken by another run. Rounds are interleaved and the median is printed.
   The rounds are spread over the first SPAN generations of a training run
   (the 2-thread trainer trains on between them): how fast the physics runs
   depends on the gait, and the untrained policy of generation 1 is not the
   one a run spends its time with.

   Build: make build/bench
   Run:   build/bench [ROUNDS [SPAN]] timing figures (name: value lines),
                                      default 5 rounds over 60 generations
          build/bench rss NPOP        peak RSS in kB after one short generation
          build/bench rollout N [big] N policy steps of es_rollout (for callgrind)
          build/bench bare N          N env steps with random actions (for callgrind)
          build/bench replay N        N env steps replaying rollout N's actions
          build/bench forward N [big] N calls of es_mlp_forward (for callgrind)
   "big" is the Humanoid-sized policy 348-256-256-17.

   FIGURES (HalfCheetah-v5, 17-64-64-6 tanh MLP, npop 64, normalizer, one
   evaluation episode: the trainer's defaults)
   throughput_ratio_1t       env steps per CPU-second of es_runner_generation
                             over a bare loop of the same episodes (same
                             resets, the same es_env) with random actions;
                             ..._by_round gives each round's, at the
                             generations round_generations lists
   ..._same_actions          the bare loop replays the actions the
                             generation's policies took: the same physics,
                             so only the policy and ES cost differ
   scaling_2t                wall-clock steps/s on 2 threads over 1 thread
   scaling_2t_cpu            the same from each thread's CPU time (the
                             busiest thread): what 2 free cores would give,
                             unaffected by other processes on the machine
   bare_scaling_2t           the bare loop's own 2-thread over 1-thread
                             wall-clock scaling: what this machine allows
   scaling_2t_over_bare      the two, round by round: 1 when the trainer
                             scales as well as the physics alone
   es_overhead_share         (npop/2 es_perturbed_pair + es_runner_update)
                             CPU time over the generation's
   strategy_share_X          the same share with strategy X's ES side (its
                             perturbations as the runner makes them, then
                             es_tell) in place of OpenAI-ES's, X = openai,
                             openai_clipup, pgpe (ClipUp), snes, sepcma
                             (these two sample plainly: npop noise vectors)
   forward_per_env_step_1t   one es_mlp_forward over one bare env step
   normals_per_s_1t          es_noise_fill normals per CPU-second
   big_*                     the same on Humanoid-v5 with 348-256-256-17
   m_strategy_share_X        strategy_share_X on Humanoid-v5 with
                             348-1024-640-17: a million parameters
*/
#define _POSIX_C_SOURCE 200809L
#define ES_IMPLEMENTATION
#include "../es_env_mujoco.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS_MAX 15

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the calling thread: on a shared machine the time this thread
   was descheduled does not count against it. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *x, int n)
{
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

static void die(const char *what, es_result r)
{
    fprintf(stderr, "bench: %s: %s\n", what, es_result_string(r));
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    return p;
}

/* ---- a trainer: the HalfCheetah defaults of examples/train_half_cheetah ---- */

typedef struct trainer {
    es opt;
    es_mlp mlp;
    es_normalizer norm;
    es_pool pool;
    es_env envs[2];
    es_runner run;
    float *theta;
} trainer;

static void policy_desc(es_mlp_desc *md, int nin, int nout, int big)
{
    memset(md, 0, sizeof *md);
    md->nin = nin;
    md->nout = nout;
    if (big == 1) {
        md->nhidden = 2;
        md->hidden[0] = md->hidden[1] = 256;
    } else if (big == 2) {      /* Humanoid-v5: 348-1024-640-17, 1,024,273 parameters */
        md->nhidden = 2;
        md->hidden[0] = 1024;
        md->hidden[1] = 640;
    }
}

static void trainer_init(trainer *t, const es_mujoco *mj, int threads, int npop, int max_steps,
                         int eval_episodes, int big)
{
    es_desc d = es_desc_default();
    es_mlp_desc md;
    es_result r;
    int i;
    memset(t, 0, sizeof *t);
    d.npop = npop;
    policy_desc(&md, mj->obs_dim, mj->act_dim, big);
    md.act_low = mj->act_low;
    md.act_high = mj->act_high;
    if ((r = es_mlp_init(&t->mlp, &md)) != ES_OK) die("es_mlp_init", r);
    t->theta = (float *)xmalloc(t->mlp.nparams * sizeof(float));
    es_mlp_init_theta(&t->mlp, d.seed, t->theta);
    if ((r = es_init(&t->opt, &d, t->theta, t->mlp.nparams)) != ES_OK) die("es_init", r);
    if ((r = es_pool_init(&t->pool, threads, NULL)) != ES_OK) die("es_pool_init", r);
    for (i = 0; i < t->pool.nthreads; i++)
        if ((r = es_mujoco_env_init(mj, &t->envs[i])) != ES_OK) die("es_mujoco_env_init", r);
    if ((r = es_normalizer_init(&t->norm, md.nin, 0.0f, 0.0f, NULL)) != ES_OK) die("es_normalizer_init", r);
    r = es_runner_init(&t->run, &t->opt, &t->mlp, &t->norm, t->envs, &t->pool, eval_episodes, max_steps);
    if (r != ES_OK) die("es_runner_init", r);
}

static void trainer_free(trainer *t)
{
    int i;
    es_runner_free(&t->run);
    es_normalizer_free(&t->norm);
    for (i = 0; i < t->pool.nthreads; i++) t->envs[i].destroy(&t->envs[i]);
    es_pool_free(&t->pool);
    es_free(&t->opt);
    free(t->theta);
}

/* dst takes src's state (theta, Adam moments, generation, normalizer):
   the rounds then measure t1 and t2 on the same generation again. */
static void trainer_copy(trainer *dst, const trainer *src)
{
    es_checkpoint ck;
    size_t nb = es_normalizer_bytes(&src->norm);
    unsigned char *norm = (unsigned char *)xmalloc(nb);
    es_result r;
    es_normalizer_encode(&src->norm, norm);
    if ((r = es_checkpoint_encode(&src->opt, NULL, 0, &ck)) != ES_OK) die("es_checkpoint_encode", r);
    es_free(&dst->opt);
    if ((r = es_load(&dst->opt, &ck, NULL)) != ES_OK) die("es_load", r);
    if ((r = es_normalizer_decode(&dst->norm, norm, nb)) != ES_OK) die("es_normalizer_decode", r);
    if (es_hash(&dst->opt) != es_hash(&src->opt)) die("trainer_copy", ES_ERROR_MISMATCH);
    es_checkpoint_free(&ck);
    free(norm);
}

typedef struct gen_time {
    double wall, cpu;           /* whole generation */
    double eval_cpu, update_cpu, perturb_cpu;
    uint64_t steps;
} gen_time;

/* CPU time of pool thread i >= 1 (0 if there is none). */
static double pool_thread_cpu(es_pool *pool, int i)
{
    es__pool_impl *p = (es__pool_impl *)pool->impl;
    clockid_t id;
    struct timespec ts;
    if (!p || i >= pool->nthreads || pthread_getcpuclockid(p->threads[i], &id) != 0) return 0.0;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One generation as es_runner_generation runs it (evaluate, then update),
   timed in parts; the caller's CPU time is only meaningful on 1 thread. */
static gen_time trainer_generation(trainer *t, int split)
{
    gen_time g;
    uint64_t s0 = t->run.env_steps;
    double w0, c0, c1;
    es_result r;
    memset(&g, 0, sizeof g);
    w0 = wall_s();
    c0 = cpu_s();
    if (split) {
        r = es_runner_evaluate(&t->run, 0, t->opt.desc.npop, 1);
        c1 = cpu_s();
        if (r == ES_OK) r = es_runner_update(&t->run);
        g.eval_cpu = c1 - c0;
        g.update_cpu = cpu_s() - c1;
    } else {
        r = es_runner_generation(&t->run);
    }
    if (r != ES_OK) die("es_runner_generation", r);
    g.wall = wall_s() - w0;
    g.cpu = cpu_s() - c0;
    g.steps = t->run.env_steps - s0;
    return g;
}

/* CPU time of the perturbations alone, as the runner makes them: one
   es_perturbed_pair a pair (noise generation plus theta +- sigma*eps). */
static double perturb_cpu(trainer *t)
{
    float *buf = (float *)xmalloc(2 * t->opt.nparams * sizeof(float));
    double c0 = cpu_s();
    int k;
    for (k = 0; k < t->opt.desc.npop / 2; k++) es_perturbed_pair(&t->opt, k, buf, buf + t->opt.nparams);
    c0 = cpu_s() - c0;
    free(buf);
    return c0;
}

/* CPU time of one generation's ES side under a strategy at t's size and
   npop: the perturbations as the runner makes them (pairs when antithetic),
   then es_tell on made-up distinct rewards. */
static double strategy_cpu(const trainer *t, es_strategy s, es_optimizer o)
{
    es_desc d;
    es e;
    size_t n = t->opt.nparams;
    float *buf = (float *)xmalloc(2 * n * sizeof(float)), *rew;
    double c0;
    int k, npop = t->opt.desc.npop;
    es_result r;
    memset(&d, 0, sizeof d);
    d.npop = npop;
    d.strategy = s;
    d.optimizer = o;
    d.seed = t->opt.desc.seed;
    if ((r = es_init(&e, &d, t->opt.theta, n)) != ES_OK) die("es_init", r);
    rew = (float *)xmalloc((size_t)npop * sizeof(float));
    for (k = 0; k < npop; k++) rew[k] = (float)((k * 37) % npop);
    c0 = cpu_s();
    if (e.desc.sampling == ES_SAMPLING_ANTITHETIC)
        for (k = 0; k < npop / 2; k++) es_perturbed_pair(&e, k, buf, buf + n);
    else
        for (k = 0; k < npop; k++) es_perturbed(&e, k, buf);
    if ((r = es_tell(&e, rew, NULL)) != ES_OK) die("es_tell", r);
    c0 = cpu_s() - c0;
    es_free(&e);
    free(rew);
    free(buf);
    return c0;
}

/* ---- the bare loop: the same episodes, random actions, no policy ---- */

#define ACT_ROWS 1021
typedef struct bare {
    es_env *env;
    float *acts, *obs;
    int npop, eval_episodes, max_steps;
    const float *replay;        /* not NULL: these actions in order, not random ones */
    size_t cursor;
} bare;

static void bare_init(bare *b, es_env *env, int npop, int eval_episodes, int max_steps)
{
    es_rng rng;
    int i;
    memset(b, 0, sizeof *b);
    b->env = env;
    b->npop = npop;
    b->eval_episodes = eval_episodes;
    b->max_steps = max_steps <= 0 || max_steps > env->max_steps ? env->max_steps : max_steps;
    b->acts = (float *)xmalloc((size_t)ACT_ROWS * (size_t)env->act_dim * sizeof(float));
    b->obs = (float *)xmalloc((size_t)env->obs_dim * sizeof(float));
    es_rng_init(&rng, 12345, ES_STREAM_USER, 0, 0);
    for (i = 0; i < ACT_ROWS * env->act_dim; i++)
        b->acts[i] = env->act_low + (env->act_high - env->act_low) * (float)es_rng_uniform(&rng);
}

static void bare_free(bare *b)
{
    free(b->acts);
    free(b->obs);
}

static __attribute__((noinline)) uint64_t bare_episode(bare *b, uint32_t stream, uint32_t generation,
                                                       uint32_t index, int max_steps)
{
    es_env *env = b->env;
    es_rng rng;
    double reward;
    int status = ES_EPISODE_RUNNING, n = 0;
    es_rng_init(&rng, 0, stream, generation, index);
    if (env->reset(env, &rng, b->obs) != ES_OK) die("reset", ES_ERROR_MUJOCO);
    while (n < max_steps && status == ES_EPISODE_RUNNING) {
        const float *a = b->replay ? b->replay + b->cursor++ * (size_t)env->act_dim
                                   : b->acts + (size_t)((index * 37u + (uint32_t)n) % ACT_ROWS) * (size_t)env->act_dim;
        if (env->step(env, a, b->obs, &reward, &status) != ES_OK) die("step", ES_ERROR_MUJOCO);
        n++;
    }
    return (uint64_t)n;
}

/* Every episode of a generation: npop members (pairs share resets) and the
   evaluation episodes. */
static uint64_t bare_generation(bare *b, uint32_t generation)
{
    uint64_t n = 0;
    int i;
    b->cursor = 0;
    for (i = 0; i < b->npop; i++)
        n += bare_episode(b, ES_STREAM_RESET, generation, (uint32_t)i >> 1, b->max_steps);
    for (i = 0; i < b->eval_episodes; i++)
        n += bare_episode(b, ES_STREAM_EVAL, generation, (uint32_t)i, b->max_steps);
    return n;
}

/* ---- a recording env: the actions a generation's policies took, in order ---- */

typedef struct recorder {
    es_env *inner;
    float *acts;
    size_t n, cap;              /* actions recorded, room */
} recorder;

static es_result rec_reset(es_env *env, es_rng *rng, float *obs)
{
    recorder *r = (recorder *)env->state;
    return r->inner->reset(r->inner, rng, obs);
}

static es_result rec_step(es_env *env, const float *act, float *obs, double *reward, int *status)
{
    recorder *r = (recorder *)env->state;
    if (r->n < r->cap) memcpy(r->acts + r->n * (size_t)env->act_dim, act, (size_t)env->act_dim * sizeof(float));
    r->n++;
    return r->inner->step(r->inner, act, obs, reward, status);
}

/* Puts r in front of t's first env (kept in *saved; put it back with
   t->envs[0] = *saved). */
static void recorder_attach(trainer *t, recorder *r, es_env *saved)
{
    es_env rec = t->envs[0];
    *saved = t->envs[0];
    r->inner = saved;
    r->n = 0;
    rec.state = r;
    rec.reset = rec_reset;
    rec.step = rec_step;
    t->envs[0] = rec;
}

/* Runs the evaluation half of t's next generation (1 thread: members in
   order, then the evaluation episode) through a recorder; es state is not
   changed, so the next generation takes exactly these steps. */
static void record_generation(trainer *t, recorder *r)
{
    es_env saved;
    recorder_attach(t, r, &saved);
    if (es_runner_evaluate(&t->run, 0, t->opt.desc.npop, 1) != ES_OK) die("record", ES_ERROR_MUJOCO);
    t->envs[0] = saved;
    if (r->n > r->cap) die("record: too many steps", ES_ERROR_INVALID_ARGUMENT);
}

/* ---- one generation, every measurement interleaved piece by piece ---- */

/* A generation is timed in pieces (CHUNK members, then the evaluation
   episodes with the update), and each piece runs, one after the other: the
   1-thread trainer t1, the bare loop b (random actions, 1 thread), br (the
   actions record_generation took), the 2-thread trainer t2 on the same
   members (same generation: the same work), and the bare loop on 2
   threads. A drift in the machine's speed then hits every side alike. */
#define CHUNK 8
typedef struct interleaved {
    gen_time g1;                    /* t1's pieces, summed */
    double wall2, busiest2;         /* t2's pieces: wall, and its busiest thread's CPU */
    uint64_t steps2;
    double bare_cpu, same_cpu, bare_wall, bare2_wall;
    uint64_t bare_steps, same_steps, bare2_steps;
} interleaved;

/* Episodes i0..i1-1 of a generation's stream on one bare loop. */
typedef struct bare_job { bare *b; uint32_t stream, gen; int i0, i1; uint64_t steps; } bare_job;

static void *bare_run(void *arg)
{
    bare_job *j = (bare_job *)arg;
    int i;
    j->steps = 0;
    for (i = j->i0; i < j->i1; i++)
        j->steps += bare_episode(j->b, j->stream, j->gen, j->stream == ES_STREAM_RESET ? (uint32_t)i >> 1 : (uint32_t)i,
                                 j->b->max_steps);
    return NULL;
}

/* The bare loop's pieces: b and br on this thread (CPU and wall time), then
   the same episodes split over b2[0] (this thread) and b2[1] (another). */
static void bare_pieces(interleaved *x, bare *b, bare *br, bare *b2, uint32_t stream, uint32_t gen, int i0, int i1)
{
    bare_job j = {b, stream, gen, i0, i1, 0}, h0, h1;
    pthread_t th;
    double c0 = cpu_s(), w0 = wall_s();
    bare_run(&j);
    x->bare_steps += j.steps;
    x->bare_cpu += cpu_s() - c0;
    x->bare_wall += wall_s() - w0;
    j.b = br;
    c0 = cpu_s();
    bare_run(&j);
    x->same_steps += j.steps;
    x->same_cpu += cpu_s() - c0;
    h0 = h1 = j;
    h0.b = &b2[0];
    h1.b = &b2[1];
    h0.i1 = h1.i0 = i0 + (i1 - i0 + 1) / 2;
    w0 = wall_s();
    if (pthread_create(&th, NULL, bare_run, &h1) != 0) die("pthread_create", ES_ERROR_THREADS);
    bare_run(&h0);
    pthread_join(th, NULL);
    x->bare2_wall += wall_s() - w0;
    x->bare2_steps += h0.steps + h1.steps;
}

/* t2's part of a piece: members [m0, m1) and, if last, the evaluation
   episodes and the update. */
static void t2_piece(interleaved *x, trainer *t2, int m0, int m1, int last)
{
    double w0 = wall_s(), other0 = pool_thread_cpu(&t2->pool, 1), c0 = cpu_s(), other;
    uint64_t s0 = t2->run.env_steps;
    es_result r = es_runner_evaluate(&t2->run, m0, m1, last);
    if (r == ES_OK && last) r = es_runner_update(&t2->run);
    if (r != ES_OK) die("generation (2 threads)", r);
    x->wall2 += wall_s() - w0;
    c0 = cpu_s() - c0;
    other = pool_thread_cpu(&t2->pool, 1) - other0;
    x->busiest2 += c0 > other ? c0 : other;
    x->steps2 += t2->run.env_steps - s0;
}

static interleaved interleaved_generation(trainer *t1, trainer *t2, bare *b, bare *br, bare *b2)
{
    interleaved x;
    uint32_t gen = t1->opt.generation;
    uint64_t s0 = t1->run.env_steps;
    int npop = t1->opt.desc.npop, c;
    double w0, c0;
    es_result r = ES_OK;
    memset(&x, 0, sizeof x);
    br->cursor = 0;
    for (c = 0; c < npop && r == ES_OK; c += CHUNK) {
        int e = c + CHUNK < npop ? c + CHUNK : npop;
        w0 = wall_s();
        c0 = cpu_s();
        r = es_runner_evaluate(&t1->run, c, e, 0);
        x.g1.eval_cpu += cpu_s() - c0;
        x.g1.wall += wall_s() - w0;
        bare_pieces(&x, b, br, b2, ES_STREAM_RESET, gen, c, e);
        t2_piece(&x, t2, c, e, 0);
    }
    w0 = wall_s();
    c0 = cpu_s();
    if (r == ES_OK) r = es_runner_evaluate(&t1->run, npop, npop, 1);
    x.g1.eval_cpu += cpu_s() - c0;
    c0 = cpu_s();
    if (r == ES_OK) r = es_runner_update(&t1->run);
    x.g1.update_cpu = cpu_s() - c0;
    x.g1.wall += wall_s() - w0;
    if (r != ES_OK) die("generation", r);
    bare_pieces(&x, b, br, b2, ES_STREAM_EVAL, gen, 0, t1->run.eval_episodes);
    t2_piece(&x, t2, npop, npop, 1);
    x.g1.cpu = x.g1.eval_cpu + x.g1.update_cpu;
    x.g1.steps = t1->run.env_steps - s0;
    if (es_hash(&t1->opt) != es_hash(&t2->opt)) die("1 and 2 threads differ", ES_ERROR_MISMATCH);
    return x;
}

/* ---- modes for callgrind: the loops it collects (--toggle-collect) ---- */

static __attribute__((noinline)) uint64_t bench_rollout_loop(trainer *t, float *theta, int nsteps)
{
    es_env *env = &t->envs[0];
    float *work = (float *)xmalloc(es_rollout_work_size(env, &t->mlp) * sizeof(float));
    double *stats = (double *)xmalloc(es_obs_stats_size(env->obs_dim) * sizeof(double));
    uint64_t n = 0;
    uint32_t k = 0;
    while (n < (uint64_t)nsteps) {
        es_episode ep;
        es_rng rng;
        es_rng_init(&rng, 0, ES_STREAM_RESET, 0, k++);
        es_obs_stats_clear(stats, env->obs_dim);
        if (es_rollout(env, &t->mlp, theta, &t->norm, stats, &rng, nsteps - (int)n, work, &ep) != ES_OK)
            die("es_rollout", ES_ERROR_MUJOCO);
        n += (uint64_t)ep.steps;
    }
    free(work);
    free(stats);
    return n;
}

static __attribute__((noinline)) void bench_forward_loop(const es_mlp *mlp, const float *theta,
                                                         const float *xs, int nx, float *act,
                                                         float *work, int n)
{
    int i;
    for (i = 0; i < n; i++)
        es_mlp_forward(mlp, theta, xs + (size_t)(i % nx) * (size_t)mlp->desc.nin, act, work);
}

static __attribute__((noinline)) uint64_t bench_bare_loop(bare *b, int nsteps)
{
    uint64_t n = 0;
    uint32_t k = 0;
    while (n < (uint64_t)nsteps) n += bare_episode(b, ES_STREAM_RESET, 0, k++, nsteps - (int)n);
    return n;
}

static void load_task(es_mujoco *mj, const char *task)
{
    char err[512];
    if (es_mujoco_load(mj, task, err, sizeof err) != ES_OK) {
        fprintf(stderr, "bench: %s: %s\n", task, err);
        exit(1);
    }
}

/* A perturbed theta of the trainer's init: the policy a member would run. */
static float *member_theta(trainer *t)
{
    float *theta = (float *)xmalloc(t->opt.nparams * sizeof(float));
    es_perturbed(&t->opt, 0, theta);
    return theta;
}

static int mode_callgrind(const char *mode, int n, int big)
{
    es_mujoco mj;
    trainer t;
    load_task(&mj, big ? "Humanoid-v5" : "HalfCheetah-v5");
    trainer_init(&t, &mj, 1, 64, 0, 0, big);
    if (strcmp(mode, "rollout") == 0) {
        float *theta = member_theta(&t);
        printf("steps: %llu\n", (unsigned long long)bench_rollout_loop(&t, theta, n));
        free(theta);
    } else if (strcmp(mode, "bare") == 0 || strcmp(mode, "replay") == 0) {
        bare b;
        recorder rec;
        float *theta = NULL;
        memset(&rec, 0, sizeof rec);
        bare_init(&b, &t.envs[0], 64, 0, 0);
        if (strcmp(mode, "replay") == 0) {       /* the rollout loop's actions (not collected) */
            es_env saved;
            theta = member_theta(&t);
            rec.cap = (size_t)n;
            rec.acts = (float *)xmalloc(rec.cap * (size_t)t.envs[0].act_dim * sizeof(float));
            recorder_attach(&t, &rec, &saved);
            bench_rollout_loop(&t, theta, n);
            t.envs[0] = saved;
            b.replay = rec.acts;
        }
        printf("steps: %llu\n", (unsigned long long)bench_bare_loop(&b, n));
        bare_free(&b);
        free(rec.acts);
        free(theta);
    } else {
        int nx = 64, nin = t.mlp.desc.nin, i;
        float *theta = member_theta(&t);
        float *xs = (float *)xmalloc((size_t)nx * (size_t)nin * sizeof(float));
        float *act = (float *)xmalloc((size_t)t.mlp.desc.nout * sizeof(float));
        float *work = (float *)xmalloc(es_mlp_work_size(&t.mlp) * sizeof(float));
        es_rng rng;
        es_rng_init(&rng, 7, ES_STREAM_USER, 0, 0);
        for (i = 0; i < nx * nin; i++) xs[i] = (float)es_rng_normal(&rng);
        bench_forward_loop(&t.mlp, theta, xs, nx, act, work, n);
        printf("calls: %d\n", n);
        free(theta); free(xs); free(act); free(work);
    }
    trainer_free(&t);
    es_mujoco_free(&mj);
    return 0;
}

/* ---- peak RSS ---- */

static long vm_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static int mode_rss(int npop, int max_steps)
{
    es_mujoco mj;
    trainer t;
    load_task(&mj, "HalfCheetah-v5");
    trainer_init(&t, &mj, 1, npop, max_steps, 1, 0);
    trainer_generation(&t, 0);
    printf("%ld\n", vm_hwm_kb());
    trainer_free(&t);
    es_mujoco_free(&mj);
    return 0;
}

/* ---- the timing figures ---- */

static double noise_rate(void)
{
    size_t n = (size_t)1 << 18;
    float *eps = (float *)xmalloc(n * sizeof(float));
    double r[5];
    int k;
    for (k = 0; k < 5; k++) {
        double c0 = cpu_s(), c;
        uint32_t pair = 0;
        size_t done = 0;
        do {
            es_noise_fill(1, 3, pair++, eps, n);
            done += n;
            c = cpu_s() - c0;
        } while (c < 0.2);
        r[k] = (double)done / c;
    }
    free(eps);
    return median(r, 5);
}

/* CPU time of one forward of a policy (for a ratio to the env step). */
static double forward_cpu(trainer *t, int calls)
{
    int nx = 64, nin = t->mlp.desc.nin, i;
    float *theta = member_theta(t);
    float *xs = (float *)xmalloc((size_t)nx * (size_t)nin * sizeof(float));
    float *act = (float *)xmalloc((size_t)t->mlp.desc.nout * sizeof(float));
    float *work = (float *)xmalloc(es_mlp_work_size(&t->mlp) * sizeof(float));
    es_rng rng;
    double c0;
    es_rng_init(&rng, 7, ES_STREAM_USER, 0, 0);
    for (i = 0; i < nx * nin; i++) xs[i] = (float)es_rng_normal(&rng);
    c0 = cpu_s();
    bench_forward_loop(&t->mlp, theta, xs, nx, act, work, calls);
    c0 = cpu_s() - c0;
    free(theta); free(xs); free(act); free(work);
    return c0 / calls;
}

static int mode_timing(int rounds, int span)
{
    es_mujoco hc, hu;
    trainer t1, t2, tb;
    bare b, br, b2[2];
    recorder rec;
    double thr[ROUNDS_MAX], thr_same[ROUNDS_MAX], scal_cpu[ROUNDS_MAX], scal[ROUNDS_MAX], bscal[ROUNDS_MAX], share[ROUNDS_MAX], fwd[ROUNDS_MAX];
    double bshare[ROUNDS_MAX], bfwd[ROUNDS_MAX], over_bare[ROUNDS_MAX], bsteps = 0.0;
    static const struct { const char *name; es_strategy s; es_optimizer o; } strat[] = {
        {"openai", ES_STRATEGY_OPENAI, ES_OPTIMIZER_DEFAULT}, {"openai_clipup", ES_STRATEGY_OPENAI, ES_OPTIMIZER_CLIPUP},
        {"pgpe", ES_STRATEGY_PGPE, ES_OPTIMIZER_DEFAULT}, {"snes", ES_STRATEGY_SNES, ES_OPTIMIZER_DEFAULT},
        {"sepcma", ES_STRATEGY_SEPCMA, ES_OPTIMIZER_DEFAULT}};
    enum { NSTRAT = sizeof strat / sizeof strat[0] };
    double sshare[NSTRAT][ROUNDS_MAX];
    int si;
    uint32_t at[ROUNDS_MAX];
    int k, npop = 64, stride = rounds > 1 ? span / (rounds - 1) : 0;
    uint64_t gen_steps = 0;

    load_task(&hc, "HalfCheetah-v5");
    trainer_init(&t1, &hc, 1, npop, 0, 1, 0);
    trainer_init(&t2, &hc, 2, npop, 0, 1, 0);
    bare_init(&b, &t1.envs[0], npop, 1, 0);
    bare_init(&br, &t1.envs[0], npop, 1, 0);
    bare_init(&b2[0], &t2.envs[0], npop, 1, 0);
    bare_init(&b2[1], &t2.envs[1], npop, 1, 0);
    rec.cap = (size_t)(npop + 1) * (size_t)t1.envs[0].max_steps;
    rec.acts = (float *)xmalloc(rec.cap * (size_t)t1.envs[0].act_dim * sizeof(float));
    br.replay = rec.acts;

    /* warm-up: one generation each, one bare generation */
    trainer_generation(&t1, 0);
    trainer_generation(&t2, 0);
    bare_generation(&b, 0);

    for (k = 0; k < rounds; k++) {
        /* t1 and t2 run the same generation (determinism): the same work */
        double p;
        interleaved x;
        int i;
        if (k > 0) {                  /* on along the run: t2 trains, t1 follows */
            for (i = 1; i < stride; i++)
                if (es_runner_generation(&t2.run) != ES_OK) die("es_runner_generation", ES_ERROR_MUJOCO);
            trainer_copy(&t1, &t2);
        }
        at[k] = t1.opt.generation;
        record_generation(&t1, &rec);
        p = perturb_cpu(&t1);
        x = interleaved_generation(&t1, &t2, &b, &br, b2);
        if (x.same_steps != x.g1.steps) die("the replay took other steps than the generation", ES_ERROR_MISMATCH);
        thr[k] = ((double)x.g1.steps / x.g1.cpu) / ((double)x.bare_steps / x.bare_cpu);
        thr_same[k] = ((double)x.g1.steps / x.g1.cpu) / ((double)x.same_steps / x.same_cpu);
        scal[k] = ((double)x.steps2 / x.wall2) / ((double)x.g1.steps / x.g1.wall);
        scal_cpu[k] = x.g1.cpu / x.busiest2;
        bscal[k] = ((double)x.bare2_steps / x.bare2_wall) / ((double)x.bare_steps / x.bare_wall);
        over_bare[k] = scal[k] / bscal[k];
        share[k] = (p + x.g1.update_cpu) / x.g1.cpu;
        for (si = 0; si < NSTRAT; si++) {   /* the generation with strategy si's ES side instead */
            double c = strategy_cpu(&t1, strat[si].s, strat[si].o);
            sshare[si][k] = c / (x.g1.cpu - (p + x.g1.update_cpu) + c);
        }
        fwd[k] = forward_cpu(&t1, 20000) / (x.bare_cpu / (double)x.bare_steps);
        gen_steps = x.g1.steps;
    }
    printf("round_generations:");
    for (k = 0; k < rounds; k++) printf(" %u", (unsigned)at[k]);
    printf("\nthroughput_ratio_1t_by_round:");
    for (k = 0; k < rounds; k++) printf(" %.3f", thr[k]);
    printf("\nscaling_2t_by_round:");
    for (k = 0; k < rounds; k++) printf(" %.3f", scal[k]);
    printf("\nbare_scaling_2t_by_round:");
    for (k = 0; k < rounds; k++) printf(" %.3f", bscal[k]);
    printf("\nthroughput_ratio_1t: %.3f\n", median(thr, rounds));
    printf("throughput_ratio_1t_same_actions: %.3f\n", median(thr_same, rounds));
    printf("scaling_2t: %.3f\n", median(scal, rounds));
    printf("scaling_2t_cpu: %.3f\n", median(scal_cpu, rounds));
    printf("bare_scaling_2t: %.3f\n", median(bscal, rounds));
    printf("scaling_2t_over_bare: %.3f\n", median(over_bare, rounds));
    printf("es_overhead_share: %.4f\n", median(share, rounds));
    for (si = 0; si < NSTRAT; si++) printf("strategy_share_%s: %.4f\n", strat[si].name, median(sshare[si], rounds));
    printf("forward_per_env_step_1t: %.4f\n", median(fwd, rounds));
    printf("steps_per_generation: %llu\n", (unsigned long long)gen_steps);
    fflush(stdout);
    bare_free(&b);
    bare_free(&br);
    bare_free(&b2[0]);
    bare_free(&b2[1]);
    free(rec.acts);
    trainer_free(&t2);
    trainer_free(&t1);

    printf("normals_per_s_1t: %.3g\n", noise_rate());
    fflush(stdout);

    /* the larger policy on the Humanoid, where the ES side weighs most */
    load_task(&hu, "Humanoid-v5");
    trainer_init(&tb, &hu, 1, npop, 0, 1, 1);
    trainer_generation(&tb, 0);
    for (k = 0; k < rounds; k++) {
        double p = perturb_cpu(&tb), c0, bare_step;
        gen_time g = trainer_generation(&tb, 1);
        bare bh;
        uint64_t bs;
        bshare[k] = (p + g.update_cpu) / g.cpu;
        bare_init(&bh, &tb.envs[0], 4, 0, 0);
        c0 = cpu_s();
        bs = bare_generation(&bh, 0);
        bare_step = (cpu_s() - c0) / (double)bs;
        bare_free(&bh);
        bfwd[k] = forward_cpu(&tb, 2000) / bare_step;
        bsteps = (double)g.steps / (npop + 1);
    }
    printf("big_params: %zu\n", tb.mlp.nparams);
    printf("big_es_overhead_share: %.4f\n", median(bshare, rounds));
    printf("big_forward_per_env_step_1t: %.4f\n", median(bfwd, rounds));
    printf("big_mean_episode_steps: %.1f\n", bsteps);
    trainer_free(&tb);

    /* a million parameters: each strategy's ES side over a generation */
    trainer_init(&tb, &hu, 1, npop, 0, 1, 2);
    trainer_generation(&tb, 0);
    for (k = 0; k < rounds; k++) {
        double p = perturb_cpu(&tb);
        gen_time g = trainer_generation(&tb, 1);
        for (si = 0; si < NSTRAT; si++) {
            double c = strategy_cpu(&tb, strat[si].s, strat[si].o);
            sshare[si][k] = c / (g.cpu - (p + g.update_cpu) + c);
        }
    }
    printf("m_params: %zu\n", tb.mlp.nparams);
    for (si = 0; si < NSTRAT; si++) printf("m_strategy_share_%s: %.4f\n", strat[si].name, median(sshare[si], rounds));
    trainer_free(&tb);
    es_mujoco_free(&hu);
    es_mujoco_free(&hc);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "rss") == 0)
        return mode_rss(atoi(argv[2]), argc >= 4 ? atoi(argv[3]) : 10);
    if (argc >= 3 && (strcmp(argv[1], "rollout") == 0 || strcmp(argv[1], "bare") == 0 ||
                      strcmp(argv[1], "replay") == 0 || strcmp(argv[1], "forward") == 0))
        return mode_callgrind(argv[1], atoi(argv[2]), argc >= 4 && strcmp(argv[3], "big") == 0);
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        puts("usage: bench [ROUNDS [SPAN]] | rss NPOP [MAX_STEPS] | rollout N [big] | bare N | replay N | forward N [big]");
        return 0;
    }
    {
        int rounds = argc >= 2 ? atoi(argv[1]) : 5, span = argc >= 3 ? atoi(argv[2]) : 60;
        if (rounds < 1) rounds = 1;
        if (rounds > ROUNDS_MAX) rounds = ROUNDS_MAX;
        if (span < 0) span = 0;
        return mode_timing(rounds, span);
    }
}
