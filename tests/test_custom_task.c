/* tests/test_custom_task.c - custom MJCF tasks (es_mujoco_load_xml) at the
   edges that ASan found: obs_dim other than nq + nv without an observe
   callback (it overran the observation, or left part of it unwritten), a
   model with actuators and no joints (the default reward read qpos[0] past
   the end), and a MuJoCo error during a step (the episode failed and
   MuJoCo's message was lost). Built and run under ASan too (make test). */
#define ES_IMPLEMENTATION
#include "../es_env_mujoco.h"
#include "test.h"

#include <math.h>

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

static void scratch_path(const char *name, char *buf, size_t n)
{
    FILE *f;
    snprintf(buf, n, "build/%s", name);
    if ((f = fopen(buf, "ab")) != NULL) {
        fclose(f);
        return;
    }
    snprintf(buf, n, "%s", name);
}

/* Writes xml to a scratch file named name; 0 (and a failed check) if it cannot. */
static int model_file(const char *name, const char *xml, char *path, size_t n)
{
    scratch_path(name, path, n);
    if (write_file(path, xml)) return 1;
    CHECK(0, "write %s", path);
    return 0;
}

/* A slider on a rail: nq = 1, nv = 1, one motor. */
static const char *slider_xml =
    "<mujoco><option timestep='0.01'/><worldbody>"
    "<body><joint name='x' type='slide' axis='1 0 0'/><geom type='sphere' size='.1' mass='1'/></body>"
    "</worldbody><actuator><motor joint='x' ctrllimited='true' ctrlrange='-1 1'/></actuator></mujoco>";

/* A body without joints, pushed through a site: nq = nv = 0, nu = 1. */
static const char *nojoint_xml =
    "<mujoco><worldbody><body name='b' pos='0 0 1'><geom type='sphere' size='.1'/><site name='s'/></body>"
    "</worldbody><actuator><general site='s' gear='0 0 1 0 0 0'/></actuator></mujoco>";

/* Loads path with desc, makes an env, resets and takes one step with the
   observation in a buffer of exactly env.obs_dim floats (so ASan sees an
   overrun). Returns the load result. */
static es_result load_and_step(const char *path, const es_mujoco_task_desc *desc, char *err, size_t errlen,
                               float *obs_out, int *obs_dim_out)
{
    es_mujoco mj;
    es_env env;
    es_rng rng;
    es_result r = es_mujoco_load_xml(&mj, path, desc, err, errlen);
    if (r != ES_OK) return r;
    if (es_mujoco_env_init(&mj, &env) == ES_OK) {
        float *obs = (float *)malloc((size_t)env.obs_dim * sizeof(float));
        float act[1] = {0.5f};
        double reward = 0.0;
        int status = 0, i;
        if (obs) {
            for (i = 0; i < env.obs_dim; i++) obs[i] = -12345.0f;   /* what an unwritten entry would keep */
            es_rng_init(&rng, 3, ES_STREAM_EVAL, 0, 0);
            if (env.reset(&env, &rng, obs) == ES_OK) env.step(&env, act, obs, &reward, &status);
            if (obs_out)
                for (i = 0; i < env.obs_dim && i < 8; i++) obs_out[i] = obs[i];
            if (obs_dim_out) *obs_dim_out = env.obs_dim;
            free(obs);
        }
        env.destroy(&env);
    }
    es_mujoco_free(&mj);
    return r;
}

static void test_obs_dim(void)
{
    es_mujoco_task_desc d;
    char path[256], err[512];
    float obs[8];
    int dim = 0;
    es_result r;
    if (!model_file("test_custom_slider.xml", slider_xml, path, sizeof path)) return;

    memset(&d, 0, sizeof d);
    d.obs_dim = 1;                       /* nq + nv = 2: the default observation would write 2 */
    err[0] = '\0';
    r = load_and_step(path, &d, err, sizeof err, NULL, NULL);
    CHECK(r == ES_ERROR_INVALID_ARGUMENT && strstr(err, "obs_dim 1") && strstr(err, "nq + nv = 2"),
          "obs_dim smaller than nq + nv without observe: refused (%s)", err);

    d.obs_dim = 5;                       /* 3 entries would never be written */
    err[0] = '\0';
    r = load_and_step(path, &d, err, sizeof err, NULL, NULL);
    CHECK(r == ES_ERROR_INVALID_ARGUMENT && strstr(err, "obs_dim 5") && strstr(err, "nq + nv = 2"),
          "obs_dim larger than nq + nv without observe: refused (%s)", err);

    d.obs_dim = 2;                       /* exactly nq + nv, or 0: the default observation */
    memset(obs, 0, sizeof obs);
    r = load_and_step(path, &d, err, sizeof err, obs, &dim);
    /* after one step of 0.01 s from rest, force 0.5 on 1 kg: v = 0.005, x = v * dt (semi-implicit Euler) */
    CHECK(r == ES_OK && dim == 2 && fabs(obs[1] - 0.005) < 1e-6 && fabs(obs[0] - 0.00005) < 1e-7,
          "obs_dim = nq + nv without observe: qpos then qvel (%g %g)", obs[0], obs[1]);
    d.obs_dim = 0;
    dim = 0;
    r = load_and_step(path, &d, err, sizeof err, obs, &dim);
    CHECK(r == ES_OK && dim == 2, "obs_dim 0 without observe: nq + nv");
    remove(path);
}

static void one_observe(const mjModel *m, const mjData *d, float *obs, void *user)
{
    (void)m;
    (void)user;
    obs[0] = (float)d->xpos[3 * 1 + 2];   /* height of the body */
}

static double constant_reward(const es_mujoco_step *s)
{
    (void)s;
    return 0.25;
}

static void test_no_joints(void)
{
    es_mujoco_task_desc d;
    char path[256], err[512];
    float obs[8];
    int dim = 0;
    es_result r;
    if (!model_file("test_custom_nojoint.xml", nojoint_xml, path, sizeof path)) return;
    memset(&d, 0, sizeof d);
    d.obs_dim = 1;
    d.observe = one_observe;             /* the default reward would read qpos[0] of nq = 0 */
    err[0] = '\0';
    r = load_and_step(path, &d, err, sizeof err, NULL, NULL);
    CHECK(r == ES_ERROR_INVALID_ARGUMENT && strstr(err, "no joints") && strstr(err, "reward"),
          "nq = 0 with the default reward: refused (%s)", err);

    memset(&d, 0, sizeof d);
    d.reward = constant_reward;          /* the default observation would be empty */
    err[0] = '\0';
    r = load_and_step(path, &d, err, sizeof err, NULL, NULL);
    CHECK(r == ES_ERROR_INVALID_ARGUMENT && strstr(err, "no joints") && strstr(err, "observe"),
          "nq = 0 with the default observation: refused (%s)", err);

    d.obs_dim = 1;
    d.observe = one_observe;
    memset(obs, 0, sizeof obs);
    r = load_and_step(path, &d, err, sizeof err, obs, &dim);
    CHECK(r == ES_OK && dim == 1 && obs[0] == 1.0f, "nq = 0 with its own observe and reward: runs (height %g)",
          obs[0]);
    remove(path);
}

/* MuJoCo errors during an episode: raised by a task's own callback, and
   MuJoCo's own stack overflow once contacts appear. */
static int raise_at_step;

static double raising_reward(const es_mujoco_step *s)
{
    (void)s;
    if (--raise_at_step == 0) mju_error("the reward callback gave up");
    return 1.0;
}

static void raising_reset(const mjModel *m, mjData *d, es_rng *rng, void *user)
{
    (void)m;
    (void)d;
    (void)rng;
    (void)user;
    mju_error("the reset callback gave up");
}

static void test_step_errors(void)
{
    es_mujoco_task_desc d;
    es_mujoco mj;
    es_env env;
    es_rng rng;
    char path[256], err[512];
    float obs[16], act[1] = {0.0f};
    double reward = 1.0;
    int status = ES_EPISODE_RUNNING, n = 0;
    es_result r = ES_OK;

    if (!model_file("test_custom_errors.xml", slider_xml, path, sizeof path)) return;
    memset(&d, 0, sizeof d);
    d.reward = raising_reward;
    if (es_mujoco_load_xml(&mj, path, &d, err, sizeof err) != ES_OK || es_mujoco_env_init(&mj, &env) != ES_OK) {
        CHECK(0, "slider loads: %s", err);
        return;
    }
    es_rng_init(&rng, 1, ES_STREAM_EVAL, 0, 0);
    env.reset(&env, &rng, obs);
    raise_at_step = 3;
    while (r == ES_OK && status == ES_EPISODE_RUNNING && n < 10) {
        r = env.step(&env, act, obs, &reward, &status);
        n++;
    }
    CHECK(r == ES_ERROR_MUJOCO && n == 3 && status == ES_EPISODE_FAILED && reward == 0.0 && obs[0] == 0.0f &&
              strstr(env.error, "step: the reward callback gave up"),
          "a MuJoCo error in a task callback at step %d: ES_ERROR_MUJOCO, episode failed, message kept (%s)", n,
          env.error);
    r = env.step(&env, act, obs, &reward, &status);
    CHECK(r == ES_OK && status == ES_EPISODE_FAILED && strstr(env.error, "gave up"),
          "later steps repeat the failure until reset, the message stays");
    raise_at_step = 0;
    r = env.reset(&env, &rng, obs);
    CHECK(r == ES_OK && env.error[0] == '\0', "reset clears the failure and its message");
    env.destroy(&env);
    es_mujoco_free(&mj);

    d.reset = raising_reset;
    if (es_mujoco_load_xml(&mj, path, &d, err, sizeof err) == ES_OK && es_mujoco_env_init(&mj, &env) == ES_OK) {
        r = env.reset(&env, &rng, obs);
        CHECK(r == ES_ERROR_MUJOCO && strstr(env.error, "reset: the reset callback gave up"),
              "a MuJoCo error at reset: ES_ERROR_MUJOCO with the message (%s)", env.error);
        env.destroy(&env);
    }
    es_mujoco_free(&mj);

    /* A box falls onto a plane; the stack is big enough until contacts appear. */
    write_file(path,
#if mjVERSION_HEADER < 300
               "<mujoco><size nstack='200'/>"
#else
               "<mujoco><size memory='8K'/>"
#endif
               "<option timestep='0.01'/><worldbody><geom type='plane' size='5 5 1'/>"
               "<body pos='0 0 0.3'><joint name='j' type='free'/><geom type='box' size='.1 .1 .1'/></body>"
               "</worldbody><actuator><motor joint='j' gear='0 0 1 0 0 0'/></actuator></mujoco>");
    memset(&d, 0, sizeof d);
    d.reward = constant_reward;
    if (es_mujoco_load_xml(&mj, path, &d, err, sizeof err) != ES_OK || es_mujoco_env_init(&mj, &env) != ES_OK) {
        CHECK(0, "small-stack model loads: %s", err);
        remove(path);
        return;
    }
    es_rng_init(&rng, 1, ES_STREAM_EVAL, 0, 0);
    r = env.reset(&env, &rng, obs);
    status = ES_EPISODE_RUNNING;
    for (n = 0; r == ES_OK && status == ES_EPISODE_RUNNING && n < 200; n++)
        r = env.step(&env, act, obs, &reward, &status);
    CHECK(r == ES_ERROR_MUJOCO && n > 5 && status == ES_EPISODE_FAILED && strstr(env.error, "tack") &&
              !strchr(env.error, '\n'),
          "MuJoCo's own stack overflow at step %d: ES_ERROR_MUJOCO, MuJoCo's message on one line (%s)", n, env.error);
    env.destroy(&env);
    es_mujoco_free(&mj);
    remove(path);
}

int main(void)
{
    test_obs_dim();
    test_no_joints();
    test_step_errors();
    return test_finish();
}
