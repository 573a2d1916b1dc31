/* cartpole.c - an environment written in plain C, trained by es with no
   MuJoCo at all: the cart-pole of Barto, Sutton and Anderson (1983) exactly
   as Gymnasium's CartPole-v1 (gravity 9.8, cart 1.0 kg, pole 0.1 kg of half
   length 0.5 m, force 10 N, tau 0.02 s, explicit Euler, ends when the pole
   passes 12 degrees or the cart 2.4 m, reward 1 a step including the last,
   500 steps at most). CartPole's action is discrete: the policy's one
   output pushes right (Gymnasium's action 1) when it is > 0, left
   (action 0) otherwise.

   It trains a linear policy until 10 noiseless episodes of theta on fresh
   reset states all return the maximum 500, then exits 0 (1 if that does not
   happen within --generations, 100 by default).

   Build: cc -O2 examples/cartpole.c -o cartpole -lm -lpthread
   Run:   ./cartpole [--seed N] [--generations N] [--threads N] */
#define ES_IMPLEMENTATION
#include "../es_mlp.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the environment -------------------------------------------------- */

#define CARTPOLE_GRAVITY 9.8
#define CARTPOLE_MASSCART 1.0
#define CARTPOLE_MASSPOLE 0.1
#define CARTPOLE_TOTAL_MASS (CARTPOLE_MASSPOLE + CARTPOLE_MASSCART)
#define CARTPOLE_LENGTH 0.5                      /* half the pole's length */
#define CARTPOLE_POLEMASS_LENGTH (CARTPOLE_MASSPOLE * CARTPOLE_LENGTH)
#define CARTPOLE_FORCE_MAG 10.0
#define CARTPOLE_TAU 0.02                        /* seconds a step */
#define CARTPOLE_THETA_LIMIT (12.0 * 2.0 * 3.14159265358979323846 / 360.0)
#define CARTPOLE_X_LIMIT 2.4
#define CARTPOLE_MAX_STEPS 500

typedef struct cartpole {
    double s[4];                                 /* x, x_dot, theta, theta_dot (double, as Gymnasium) */
} cartpole;

static void cartpole_observe(const cartpole *c, float *obs)
{
    int i;
    for (i = 0; i < 4; i++) obs[i] = (float)c->s[i];   /* Gymnasium returns float32 */
}

/* Each state variable uniform in [-0.05, 0.05), drawn from the es_rng the
   runner seeds (so both members of a pair start alike). */
static es_result cartpole_reset(es_env *env, es_rng *rng, float *obs)
{
    cartpole *c = (cartpole *)env->state;
    int i;
    for (i = 0; i < 4; i++) c->s[i] = -0.05 + 0.1 * es_rng_uniform(rng);
    cartpole_observe(c, obs);
    return ES_OK;
}

/* One step of 0.02 s under +-10 N: the accelerations of the cart-pole
   (Florian 2007's correction of Barto et al.), then explicit Euler, in
   the order and grouping of Gymnasium's cartpole.py. */
static es_result cartpole_step(es_env *env, const float *act, float *obs, double *reward, int *status)
{
    cartpole *c = (cartpole *)env->state;
    double x = c->s[0], x_dot = c->s[1], theta = c->s[2], theta_dot = c->s[3];
    double force = act[0] > 0.0f ? CARTPOLE_FORCE_MAG : -CARTPOLE_FORCE_MAG;   /* > 0: right */
    double costheta = cos(theta), sintheta = sin(theta);
    double temp = (force + CARTPOLE_POLEMASS_LENGTH * (theta_dot * theta_dot) * sintheta) / CARTPOLE_TOTAL_MASS;
    double thetaacc = (CARTPOLE_GRAVITY * sintheta - costheta * temp) /
                      (CARTPOLE_LENGTH * (4.0 / 3.0 - CARTPOLE_MASSPOLE * (costheta * costheta) / CARTPOLE_TOTAL_MASS));
    double xacc = temp - CARTPOLE_POLEMASS_LENGTH * thetaacc * costheta / CARTPOLE_TOTAL_MASS;
    if (isnan(act[0])) return ES_ERROR_INVALID_ARGUMENT;
    c->s[0] = x + CARTPOLE_TAU * x_dot;
    c->s[1] = x_dot + CARTPOLE_TAU * xacc;
    c->s[2] = theta + CARTPOLE_TAU * theta_dot;
    c->s[3] = theta_dot + CARTPOLE_TAU * thetaacc;
    cartpole_observe(c, obs);
    *reward = 1.0;                               /* also on the step that ends the episode */
    *status = c->s[0] < -CARTPOLE_X_LIMIT || c->s[0] > CARTPOLE_X_LIMIT || c->s[2] < -CARTPOLE_THETA_LIMIT ||
                      c->s[2] > CARTPOLE_THETA_LIMIT
                  ? ES_EPISODE_TERMINATED
                  : ES_EPISODE_RUNNING;
    return ES_OK;
}

/* An es_env over a cartpole the caller owns; es_rollout truncates at 500. */
static void cartpole_env(es_env *env, cartpole *c)
{
    memset(env, 0, sizeof *env);
    env->obs_dim = 4;
    env->act_dim = 1;
    env->max_steps = CARTPOLE_MAX_STEPS;
    env->act_low = -1.0f;
    env->act_high = 1.0f;
    env->state = c;
    env->reset = cartpole_reset;
    env->step = cartpole_step;
}

/* ---- training --------------------------------------------------------- */

#ifndef CARTPOLE_NO_MAIN       /* tests/test_cartpole.c includes the environment alone */
/* Returns of 10 noiseless episodes of theta from reset states of their own
   stream (ES_STREAM_USER): neither the population nor the runner's
   evaluation episodes start from them. */
static es_result evaluate(es_env *env, const es_mlp *mlp, const float *theta, const es_normalizer *norm,
                          uint64_t seed, uint32_t generation, double ret[10], float *work)
{
    int j;
    for (j = 0; j < 10; j++) {
        es_rng rng;
        es_episode ep;
        es_result r;
        es_rng_init(&rng, seed, ES_STREAM_USER, generation, (uint32_t)j);
        if ((r = es_rollout(env, mlp, theta, norm, NULL, &rng, 0, work, &ep)) != ES_OK) return r;
        ret[j] = ep.ret;
    }
    return ES_OK;
}

int main(int argc, char **argv)
{
    es_desc d = es_desc_default();
    es_mlp_desc md;
    es_pool pool = {0};
    es opt = {0};
    es_mlp mlp;
    es_normalizer norm = {0};
    es_runner run = {0};
    cartpole *cps = NULL;
    es_env *envs = NULL;
    float *work = NULL;
    double ret[10];
    int i, gen = 0, generations = 100, threads = 0, solved = 0, nenv = 0;
    es_result r = ES_OK;
    for (i = 1; i < argc; i++) {
        char *end = NULL;
        long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
        int ok = end && *end == 0 && v >= 0 && v <= 1000000;
        if (!strcmp(argv[i], "--seed") && ok) d.seed = (uint64_t)v;
        else if (!strcmp(argv[i], "--generations") && ok && v > 0) generations = (int)v;
        else if (!strcmp(argv[i], "--threads") && ok) threads = (int)v;
        else {
            fprintf(stderr, "usage: cartpole [--seed N] [--generations N] [--threads N]\n");
            return 2;
        }
        i++;
    }
    d.npop = 32;
    d.sigma = 0.1f;
    d.lr = 0.05f;
    if ((r = es_pool_init(&pool, threads, NULL)) != ES_OK) goto done;
    nenv = pool.nthreads;
    cps = (cartpole *)calloc((size_t)nenv, sizeof *cps);
    envs = (es_env *)calloc((size_t)nenv, sizeof *envs);
    if (!cps || !envs) {
        r = ES_ERROR_OUT_OF_MEMORY;
        goto done;
    }
    for (i = 0; i < nenv; i++) cartpole_env(&envs[i], &cps[i]);
    md = es_mlp_desc_for_env(&envs[0]);
    md.nhidden = ES_MLP_LINEAR;                  /* a linear policy balances the pole */
    if ((r = es_mlp_init(&mlp, &md)) != ES_OK) goto done;
    work = (float *)malloc(es_rollout_work_size(&envs[0], &mlp) * sizeof *work);
    if (!work) {
        r = ES_ERROR_OUT_OF_MEMORY;
        goto done;
    }
    if ((r = es_init(&opt, &d, NULL, mlp.nparams)) != ES_OK ||        /* theta starts at 0 */
        (r = es_normalizer_init(&norm, md.nin, 0, 0, NULL)) != ES_OK ||
        (r = es_runner_init(&run, &opt, &mlp, &norm, envs, &pool, 0, 0)) != ES_OK)
        goto done;
    for (gen = 0; gen < generations && !solved; gen++) {
        int j, full = 0;
        double mean = 0.0;
        if ((r = es_runner_generation(&run)) != ES_OK) goto done;
        if ((r = evaluate(&envs[0], &mlp, opt.theta, &norm, d.seed, opt.generation, ret, work)) != ES_OK) goto done;
        for (j = 0; j < 10; j++) {
            mean += ret[j] / 10.0;
            full += ret[j] == (double)CARTPOLE_MAX_STEPS;
        }
        solved = full == 10;
        printf("generation %3d  population mean %6.1f  eval mean %6.1f  (%d of 10 at 500)\n", gen,
               es_runner_mean_reward(&run), mean, full);
    }
done:
    if (r != ES_OK) fprintf(stderr, "cartpole: %s\n", es_result_string(r));
    else if (solved) printf("solved: 10 of 10 noiseless episodes returned 500 after %d generations\n", gen);
    else printf("not solved in %d generations\n", generations);
    es_runner_free(&run);
    es_normalizer_free(&norm);
    es_free(&opt);
    free(work);
    free(envs);
    free(cps);
    es_pool_free(&pool);
    return r == ES_OK && solved ? 0 : 1;
}
#endif
