/* tests/test_cartpole.c - the cart-pole of examples/cartpole.c against
   facts worked out by hand: the first Euler step from rest in closed form
   (fractions of the constants), mirror symmetry, the 12-degree and 2.4 m
   thresholds, one reward a step including the last, the 500-step limit,
   and the reset distribution. */
#define CARTPOLE_NO_MAIN
#include "../examples/cartpole.c"
#include "tests/test.h"

static int close_to(double a, double b) { return fabs(a - b) <= 1e-14 * (1.0 + fabs(b)); }

/* One step from state s with action a; the state after, reward and status. */
static void step_from(const double s[4], float a, double out[4], double *reward, int *status)
{
    cartpole c;
    es_env env;
    float obs[4];
    cartpole_env(&env, &c);
    memcpy(c.s, s, sizeof c.s);
    *reward = -1.0;
    *status = -1;
    env.step(&env, &a, obs, reward, status);
    memcpy(out, c.s, sizeof c.s);
}

static void test_first_step(void)
{
    static const double rest[4] = {0.0, 0.0, 0.0, 0.0};
    double s[4], reward;
    int status;
    /* From rest, F = +10 N, sin 0 = 0, cos 0 = 1: temp = F/M = 100/11,
       thetaacc = -temp / (l (4/3 - mp/M)) = -(100/11) / (0.5 * 41/33) = -600/41,
       xacc = temp - mp l thetaacc / M = 100/11 + 300/451 = 4400/451.
       Euler: x and theta keep their (zero) rates, the rates gain tau * acc. */
    step_from(rest, 1.0f, s, &reward, &status);
    CHECK(s[0] == 0.0 && close_to(s[1], 0.02 * 4400.0 / 451.0) && s[2] == 0.0 && close_to(s[3], -0.02 * 600.0 / 41.0),
          "cartpole: first step from rest pushed right: x_dot = 88/451, theta_dot = -12/41 (%.17g, %.17g)", s[1], s[3]);
    CHECK(reward == 1.0 && status == ES_EPISODE_RUNNING, "cartpole: reward 1, still running");
    step_from(rest, -0.3f, s, &reward, &status);
    CHECK(close_to(s[1], -0.02 * 4400.0 / 451.0) && close_to(s[3], 0.02 * 600.0 / 41.0),
          "cartpole: a negative output pushes left: the mirror image");
    step_from(rest, 0.0f, s, &reward, &status);
    CHECK(s[1] < 0.0, "cartpole: an output of exactly 0 pushes left (action 0)");
    {
        /* From (x, v, 0, 0) Euler moves x by tau v: 1 + 0.02 * 2 */
        static const double moving[4] = {1.0, 2.0, 0.0, 0.0};
        step_from(moving, 1.0f, s, &reward, &status);
        CHECK(close_to(s[0], 1.04) && s[2] == 0.0, "cartpole: explicit Euler: x' = x + tau x_dot with the old x_dot");
    }
}

/* The system is symmetric under x -> -x, theta -> -theta, F -> -F. */
static void test_mirror(void)
{
    es_rng rng;
    int i, k, ok = 1;
    es_rng_init(&rng, 11, ES_STREAM_USER, 0, 0);
    for (i = 0; i < 1000; i++) {
        double s[4], m[4], a[4], b[4], r1, r2;
        int st1, st2;
        for (k = 0; k < 4; k++) {
            s[k] = (es_rng_uniform(&rng) - 0.5) * (k == 2 ? 0.4 : 3.0);
            m[k] = -s[k];
        }
        step_from(s, 1.0f, a, &r1, &st1);
        step_from(m, -1.0f, b, &r2, &st2);
        for (k = 0; k < 4; k++) ok &= a[k] == -b[k];
        ok &= r1 == r2 && st1 == st2;
    }
    CHECK(ok, "cartpole: 1000 random states: stepping the mirrored state with the mirrored force gives the mirrored state");
}

static void test_thresholds(void)
{
    double s[4], reward;
    int status;
    const double lim = 12.0 * 2.0 * 3.14159265358979323846 / 360.0;
    double a[4] = {0.0, 0.0, 0.2, 0.5};         /* theta' = 0.2 + 0.01 = 0.21 > 12 deg = 0.20944 */
    double b[4] = {2.39, 1.0, 0.0, 0.0};        /* x' = 2.39 + 0.02 = 2.41 > 2.4 */
    double c[4] = {-2.39, -1.0, 0.0, 0.0};
    double e[4] = {2.4, 0.0, 0.0, 0.0};         /* exactly at the limit: not past it */
    double f[4] = {0.0, 0.0, -0.2, -0.5};
    CHECK(fabs(lim - 0.20943951023931953) < 1e-16, "cartpole: the angle limit is 12 degrees = 0.2094395 rad");
    step_from(a, 1.0f, s, &reward, &status);
    CHECK(status == ES_EPISODE_TERMINATED && reward == 1.0, "cartpole: past +12 degrees terminates, with reward 1 on that step");
    step_from(f, 1.0f, s, &reward, &status);
    CHECK(status == ES_EPISODE_TERMINATED, "cartpole: past -12 degrees terminates");
    step_from(b, 1.0f, s, &reward, &status);
    CHECK(status == ES_EPISODE_TERMINATED && reward == 1.0, "cartpole: the cart past +2.4 terminates");
    step_from(c, 1.0f, s, &reward, &status);
    CHECK(status == ES_EPISODE_TERMINATED, "cartpole: the cart past -2.4 terminates");
    step_from(e, 1.0f, s, &reward, &status);
    CHECK(s[0] == 2.4 && status == ES_EPISODE_RUNNING, "cartpole: x = 2.4 exactly is still in (the test is strict)");
}

static void test_episodes(void)
{
    cartpole cp;
    es_env env;
    es_mlp_desc md;
    es_mlp mlp;
    es_episode ep;
    es_rng rng;
    float theta[5], work[64];
    double lo = 1.0, hi = -1.0, sum = 0.0;
    int i, k, ok = 1;
    cartpole_env(&env, &cp);
    md = es_mlp_desc_for_env(&env);
    md.nhidden = ES_MLP_LINEAR;
    CHECK(es_mlp_init(&mlp, &md) == ES_OK && mlp.nparams == 5 && es_rollout_work_size(&env, &mlp) <= 64,
          "cartpole: a linear policy has 5 parameters");
    /* always right: the pole falls left within a second or so; the return
       counts every step including the last */
    memset(theta, 0, sizeof theta);
    theta[4] = 1.0f;
    es_rng_init(&rng, 3, ES_STREAM_RESET, 0, 0);
    es_rollout(&env, &mlp, theta, NULL, NULL, &rng, 0, work, &ep);
    CHECK(ep.status == ES_EPISODE_TERMINATED && ep.steps > 5 && ep.steps < 60 && ep.ret == (double)ep.steps &&
              cp.s[2] < -0.2094,
          "cartpole: pushing right always, the pole falls left after %d steps, return = steps", ep.steps);
    /* a hand-made controller (push toward where the pole leans and moves,
       and back toward the centre) keeps it up: truncated at exactly 500 */
    theta[0] = 0.1f;                              /* x */
    theta[1] = 0.5f;                              /* x_dot */
    theta[2] = 10.0f;                             /* theta */
    theta[3] = 2.0f;                              /* theta_dot */
    theta[4] = 0.0f;
    for (i = 0; i < 10; i++) {
        es_rng_init(&rng, 3, ES_STREAM_EVAL, 0, (uint32_t)i);
        es_rollout(&env, &mlp, theta, NULL, NULL, &rng, 0, work, &ep);
        ok &= ep.steps == 500 && ep.ret == 500.0 && ep.status == ES_EPISODE_RUNNING;
    }
    CHECK(ok, "cartpole: a hand-made linear controller lasts the 500-step limit (return 500, truncated) in 10 episodes");
    /* resets: each variable uniform in [-0.05, 0.05) */
    for (i = 0; i < 4000; i++) {
        float obs[4];
        es_rng_init(&rng, 5, ES_STREAM_RESET, 0, (uint32_t)i);
        env.reset(&env, &rng, obs);
        for (k = 0; k < 4; k++) {
            lo = cp.s[k] < lo ? cp.s[k] : lo;
            hi = cp.s[k] > hi ? cp.s[k] : hi;
            sum += cp.s[k];
            ok &= obs[k] == (float)cp.s[k];
        }
    }
    CHECK(ok && lo >= -0.05 && hi < 0.05 && lo < -0.0499 && hi > 0.0499 && fabs(sum / 16000.0) < 0.002,
          "cartpole: 16000 reset values lie in [-0.05, 0.05), reach both ends, mean %.5f; obs is the state as float",
          sum / 16000.0);
}

int main(void)
{
    (void)test_need_reference;
    test_first_step();
    test_mirror();
    test_thresholds();
    test_episodes();
    return test_finish();
}
