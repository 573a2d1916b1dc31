/* tests/test_evaluate.c - es_runner_evaluate_theta, the training-only
   reward shift and the adaptive episode cap, on a hand-written environment
   whose episodes are a closed-form function of the reset noise: reset
   draws u in [0, 1); an episode earns 1 + u + a/10 a step (a the action:
   0 for a zero theta, whose episodes the expected figures describe); it ends early (the
   task's own end) after 3 steps when u < 0.3, fails after 2 steps when
   u > 0.9, after 5 steps when a > 0.001, and otherwise runs to the cap. The expected figures are
   recomputed here from es_rng alone, never from the runner. */
#define ES_IMPLEMENTATION
#include "es_mlp.h"
#include "tests/test.h"

#include <math.h>

typedef struct tally {
    double u;
    int t;
    uint32_t streams;                    /* bit s: a reset drew from stream tag s */
} tally;

static es_result tally_reset(es_env *env, es_rng *rng, float *obs)
{
    tally *s = (tally *)env->state;
    s->u = es_rng_uniform(rng);
    s->t = 0;
    s->streams |= 1u << (rng->ctr[3] & 31);
    obs[0] = (float)s->u;
    obs[1] = 0.0f;
    return ES_OK;
}

static es_result tally_step(es_env *env, const float *act, float *obs, double *reward, int *status)
{
    tally *s = (tally *)env->state;
    s->t++;
    *reward = 1.0 + s->u + 0.1 * act[0];
    obs[0] = (float)s->u;
    obs[1] = (float)s->t;
    *status = ES_EPISODE_RUNNING;
    if (s->u < 0.3 && s->t == 3) *status = ES_EPISODE_TERMINATED;
    if (s->u > 0.9 && s->t == 2) *status = ES_EPISODE_FAILED;
    if (act[0] > 0.001f && s->t == 5) *status = ES_EPISODE_TERMINATED;   /* never for a zero theta */
    return ES_OK;
}

/* The episode of reset noise u under cap: its return, length, status. */
static void expected_episode(double u, int cap, double *ret, int *steps, int *status)
{
    int n = cap;
    *status = ES_EPISODE_RUNNING;
    if (u < 0.3 && cap >= 3) { n = 3; *status = ES_EPISODE_TERMINATED; }
    if (u > 0.9 && cap >= 2) { n = 2; *status = ES_EPISODE_FAILED; }
    *ret = n * (1.0 + u);
    *steps = n;
}

typedef struct fixture {
    es_mlp mlp;
    es opt;
    es_pool pool;
    es_env envs[4];
    tally states[4];
    es_runner run;
} fixture;

static void fixture_init(fixture *f, int threads, int npop, uint64_t seed, int max_steps)
{
    es_mlp_desc md;
    es_desc d;
    float theta[64];
    int i;
    memset(f, 0, sizeof *f);
    memset(&md, 0, sizeof md);
    md.nin = 2;
    md.nout = 1;
    md.nhidden = ES_MLP_LINEAR;
    es_mlp_init(&f->mlp, &md);
    es_mlp_init_theta(&f->mlp, seed, theta);
    d = es_desc_default();
    d.npop = npop;
    d.seed = seed;
    es_init(&f->opt, &d, theta, f->mlp.nparams);
    es_pool_init(&f->pool, threads, NULL);
    for (i = 0; i < 4; i++) {
        f->envs[i].obs_dim = 2;
        f->envs[i].act_dim = 1;
        f->envs[i].max_steps = 50;
        f->envs[i].act_low = -1.0f;
        f->envs[i].act_high = 1.0f;
        f->envs[i].state = &f->states[i];
        f->envs[i].reset = tally_reset;
        f->envs[i].step = tally_step;
    }
    es_runner_init(&f->run, &f->opt, &f->mlp, NULL, f->envs, &f->pool, 1, max_steps);
}

static void fixture_free(fixture *f)
{
    es_runner_free(&f->run);
    es_pool_free(&f->pool);
    es_free(&f->opt);
}

static void test_known_answer(void)
{
    const int n = 40, cap = 20;
    float zero[64] = {0};
    fixture f;
    es_eval_stats st;
    double sum = 0.0, sq = 0.0, lo = INFINITY, hi = -INFINITY, mean;
    int j, early = 0, failed = 0;
    uint64_t steps = 0;
    fixture_init(&f, 1, 8, 7, cap);
    for (j = 0; j < n; j++) {
        es_rng rng;
        double ret;
        int len, status;
        es_rng_init(&rng, 7, ES_STREAM_TEST, 0, (uint32_t)j);
        expected_episode(es_rng_uniform(&rng), cap, &ret, &len, &status);
        sum += ret;
        lo = ret < lo ? ret : lo;
        hi = ret > hi ? ret : hi;
        steps += (uint64_t)len;
        early += status == ES_EPISODE_TERMINATED;
        failed += status == ES_EPISODE_FAILED;
    }
    mean = sum / n;
    for (j = 0; j < n; j++) {
        es_rng rng;
        double ret;
        int len, status;
        es_rng_init(&rng, 7, ES_STREAM_TEST, 0, (uint32_t)j);
        expected_episode(es_rng_uniform(&rng), cap, &ret, &len, &status);
        sq += (ret - mean) * (ret - mean);
    }
    CHECK(es_runner_evaluate_theta(&f.run, zero, n, &st) == ES_OK, "evaluate_theta: 40 episodes of a zero theta run");
    CHECK(st.episodes == n && fabs(st.mean - mean) < 1e-9 && fabs(st.std - sqrt(sq / n)) < 1e-9 &&
              fabs(st.min - lo) < 1e-9 && fabs(st.max - hi) < 1e-9,
          "evaluate_theta: mean %.6f std %.6f min %.4f max %.4f equal the closed form (%.6f %.6f %.4f %.4f)",
          st.mean, st.std, st.min, st.max, mean, sqrt(sq / n), lo, hi);
    CHECK(st.early == early && st.failed == failed && early > 0 && failed > 0,
          "evaluate_theta: %d early-ended and %d failed episodes counted apart (expected %d, %d)", st.early,
          st.failed, early, failed);
    CHECK(st.env_steps == steps && f.run.env_steps == 0,
          "evaluate_theta: %llu steps reported, none added to the run's env_steps",
          (unsigned long long)st.env_steps);
    CHECK(f.states[0].streams == 1u << ES_STREAM_TEST, "evaluate_theta: every reset drew from ES_STREAM_TEST");
    f.states[0].streams = 0;
    es_runner_generation(&f.run);
    CHECK(!(f.states[0].streams & (1u << ES_STREAM_TEST)) && (f.states[0].streams & (1u << ES_STREAM_RESET)) &&
              (f.states[0].streams & (1u << ES_STREAM_EVAL)),
          "a generation's population and eval episodes never reset from the test stream");
    CHECK(es_runner_evaluate_theta(&f.run, NULL, 0, &st) == ES_ERROR_INVALID_ARGUMENT &&
              es_runner_evaluate_theta(&f.run, NULL, 10, NULL) == ES_ERROR_INVALID_ARGUMENT,
          "evaluate_theta: 0 episodes or no stats refused");
    fixture_free(&f);
}

static void test_threads(void)
{
    fixture a, b;
    es_eval_stats sa, sb;
    fixture_init(&a, 1, 8, 3, 0);
    fixture_init(&b, 3, 8, 3, 0);
    es_runner_evaluate_theta(&a.run, NULL, 25, &sa);
    es_runner_evaluate_theta(&b.run, NULL, 25, &sb);
    CHECK(!memcmp(&sa, &sb, sizeof sa), "evaluate_theta: 1 and 3 threads give the same bits (mean %.6f)", sa.mean);
    fixture_free(&a);
    fixture_free(&b);
}

/* The shift reaches es_tell only: theta after a shifted update equals an
   es fed rewards - shift*steps by hand; rewards[] keep the returns. */
static void test_shift(void)
{
    fixture f, g;
    es ref;
    float shifted[16], theta0[64];
    int i, same_rewards = 1;
    fixture_init(&f, 2, 16, 5, 30);
    fixture_init(&g, 2, 16, 5, 30);
    memcpy(theta0, f.opt.theta, f.mlp.nparams * sizeof(float));
    es_init(&ref, &f.opt.desc, theta0, f.mlp.nparams);
    f.run.reward_shift = 3.0;
    es_runner_generation(&f.run);
    es_runner_generation(&g.run);
    for (i = 0; i < 16; i++) {
        shifted[i] = (float)((double)f.run.rewards[i] - 3.0 * f.run.steps[i]);
        if (f.run.rewards[i] != g.run.rewards[i]) same_rewards = 0;
    }
    es_tell(&ref, shifted, NULL);
    CHECK(same_rewards, "reward shift: rewards[] hold the unshifted returns");
    CHECK(!memcmp(ref.theta, f.opt.theta, f.mlp.nparams * sizeof(float)),
          "reward shift: theta equals es_tell on rewards - 3 * steps");
    CHECK(memcmp(g.opt.theta, f.opt.theta, f.mlp.nparams * sizeof(float)) != 0,
          "reward shift: without it theta moves differently");
    es_free(&ref);
    fixture_free(&f);
    fixture_free(&g);
}

static void test_cap(void)
{
    fixture f;
    uint64_t sum = 0;
    int i, want, capped = 1;
    fixture_init(&f, 2, 16, 11, 40);
    es_runner_generation(&f.run);
    for (i = 0; i < 16; i++) sum += (uint64_t)f.run.steps[i];
    want = (int)((2 * sum + 15) / 16);
    if (want > 40) want = 40;
    es_runner_adapt_cap(&f.run);
    CHECK(f.run.member_max_steps == want, "adaptive cap: twice the mean length %.2f rounded up is %d (got %d)",
          (double)sum / 16, want, f.run.member_max_steps);
    f.run.member_max_steps = 4;
    es_runner_generation(&f.run);
    for (i = 0; i < 16; i++) capped &= f.run.steps[i] <= 4;
    {
        es_rng rng;
        double ret;
        int len, status;
        es_rng_init(&rng, 11, ES_STREAM_EVAL, 1, 0);
        expected_episode(es_rng_uniform(&rng), 40, &ret, &len, &status);
        CHECK(capped && f.run.steps[16] == len,
              "adaptive cap: population episodes stop at 4 steps, the eval episode is not capped (%d steps)", len);
    }
    es_runner_adapt_cap(&f.run);
    CHECK(f.run.member_max_steps <= 8, "adaptive cap: capped episodes give a cap of at most 8 (%d)",
          f.run.member_max_steps);
    for (i = 0; i < 16; i++) f.run.steps[i] = 40;
    es_runner_adapt_cap(&f.run);
    CHECK(f.run.member_max_steps == 40, "adaptive cap: never above max_steps");
    fixture_free(&f);
}

int main(void)
{
    test_known_answer();
    test_threads();
    test_shift();
    test_cap();
    return test_failed_count ? 1 : 0;
}
