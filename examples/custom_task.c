/* custom_task.c - your own MuJoCo task: examples/point_mass.xml (a puck on a
   table, two motors) loaded with es_mujoco_load_xml and this file's reset,
   observation, reward and termination callbacks. The puck must reach a
   target drawn anew each episode and stop on it. ES trains a 64,64 tanh
   policy until the task is solved: all 10 noiseless evaluation episodes of
   one generation end on their target (within 3 cm, slower than 5 cm/s)
   inside 2 s. Exit 0 only then; 1 if 150 generations did not solve it.
   Build: cc -O2 examples/custom_task.c -o custom_task -lmujoco -lm -lpthread
   Run:   ./custom_task [examples/point_mass.xml] */
#define ES_IMPLEMENTATION
#include "../es_env_mujoco.h"
#include <stdio.h>
#include <stdlib.h>

#define REACHED_M 0.03      /* distance to the target that counts as on it */
#define STOPPED_MS 0.05     /* speed that counts as stopped */
#define MAX_GENERATIONS 150

/* The target is the model's one mocap body; the puck's joints are x, y. */
static double distance(const mjData *d)
{
    double dx = d->mocap_pos[0] - d->qpos[0], dy = d->mocap_pos[1] - d->qpos[1];
    return sqrt(dx * dx + dy * dy);
}

/* Reset: the puck near the centre at rest, the target 15 to 40 cm away in
   any direction. Every draw comes from rng, so episodes are reproducible. */
static void reset(const mjModel *m, mjData *d, es_rng *rng, void *user)
{
    double angle = 2.0 * 3.14159265358979 * es_rng_uniform(rng);
    double radius = 0.15 + 0.25 * es_rng_uniform(rng);
    (void)m;
    (void)user;
    d->qpos[0] = 0.1 * (es_rng_uniform(rng) - 0.5);
    d->qpos[1] = 0.1 * (es_rng_uniform(rng) - 0.5);
    d->mocap_pos[0] = radius * cos(angle);
    d->mocap_pos[1] = radius * sin(angle);
}

/* Observation (4): the way to the target, then the puck's velocity. */
static void observe(const mjModel *m, const mjData *d, float *obs, void *user)
{
    (void)m;
    (void)user;
    obs[0] = (float)(d->mocap_pos[0] - d->qpos[0]);
    obs[1] = (float)(d->mocap_pos[1] - d->qpos[1]);
    obs[2] = (float)d->qvel[0];
    obs[3] = (float)d->qvel[1];
}

/* Reward: minus the distance each step, minus a little effort; reaching
   the target early ends the episode and so stops the cost. */
static double reward(const es_mujoco_step *s)
{
    double effort = 0.0;
    int i;
    for (i = 0; i < s->act_dim; i++) effort += (double)s->act[i] * (double)s->act[i];
    return -distance(s->data) - 0.01 * effort;
}

static int terminated(const es_mujoco_step *s)
{
    const mjtNum *v = s->data->qvel;
    return distance(s->data) < REACHED_M && sqrt(v[0] * v[0] + v[1] * v[1]) < STOPPED_MS;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/point_mass.xml";
    es_mujoco_task_desc task = {0};
    es_mujoco mj;
    es_pool pool;
    es_env *envs;
    es_mlp_desc md = {0};
    es_mlp mlp;
    es_desc d = {0};
    es opt;
    es_normalizer norm;
    es_runner run;
    float *theta;
    char err[512];
    int t, gen, j, reached = 0, solved = 0;
    es_result r;

    task.name = "PointMass";
    task.frame_skip = 2;                 /* 50 decisions a second */
    task.max_steps = 100;                /* 2 s */
    task.obs_dim = 4;
    task.reset = reset;
    task.observe = observe;
    task.reward = reward;
    task.terminated = terminated;
    if (es_mujoco_load_xml(&mj, path, &task, err, sizeof err) != ES_OK) {
        fprintf(stderr, "custom_task: %s\n", err);
        return 1;
    }
    if ((r = es_pool_init(&pool, 0, NULL)) != ES_OK) {
        fprintf(stderr, "custom_task: %s\n", es_result_string(r));
        return 1;
    }
    envs = (es_env *)calloc((size_t)pool.nthreads, sizeof *envs);
    if (!envs) return 1;
    for (t = 0; t < pool.nthreads; t++) {
        if ((r = es_mujoco_env_init(&mj, &envs[t])) != ES_OK) {
            fprintf(stderr, "custom_task: %s: %s\n", es_mujoco_result_string(r), envs[t].error);
            return 1;
        }
    }
    md.nin = envs[0].obs_dim;
    md.nout = envs[0].act_dim;
    md.act_low = envs[0].act_low;        /* the motors' ctrlrange */
    md.act_high = envs[0].act_high;
    d.seed = 1;
    if ((r = es_mlp_init(&mlp, &md)) == ES_OK && !(theta = (float *)malloc(mlp.nparams * sizeof *theta)))
        r = ES_ERROR_OUT_OF_MEMORY;
    if (r != ES_OK) {
        fprintf(stderr, "custom_task: policy: %s\n", es_result_string(r));
        return 1;
    }
    es_mlp_init_theta(&mlp, d.seed, theta);
    if ((r = es_init(&opt, &d, theta, mlp.nparams)) != ES_OK ||
        (r = es_normalizer_init(&norm, md.nin, 0.0f, 0.0f, NULL)) != ES_OK ||
        (r = es_runner_init(&run, &opt, &mlp, &norm, envs, &pool, 10, 0)) != ES_OK) {
        fprintf(stderr, "custom_task: %s\n", es_result_string(r));
        return 1;
    }
    free(theta);

    for (gen = 0; gen < MAX_GENERATIONS && !solved; gen++) {
        double eval = 0.0;
        r = es_runner_generation(&run);  /* also 10 noiseless episodes of theta, before its update */
        if (r != ES_OK) {
            fprintf(stderr, "custom_task: generation %d: %s: %s\n", gen, es_mujoco_result_string(r), envs[0].error);
            return 1;
        }
        for (j = 0, reached = 0; j < run.eval_episodes; j++) {
            reached += run.status[opt.desc.npop + j] == ES_EPISODE_TERMINATED;
            eval += run.eval_returns[j] / run.eval_episodes;
        }
        solved = reached == run.eval_episodes;
        if (gen % 10 == 0 || solved)
            printf("generation %3d  mean return %7.2f  evaluation %7.2f  on target %2d/%d\n", gen,
                   es_runner_mean_reward(&run), eval, reached, run.eval_episodes);
        fflush(stdout);
    }
    if (solved) printf("solved at generation %d: every evaluation episode ends on its target\n", gen - 1);
    else printf("not solved in %d generations (last: %d/%d on target)\n", MAX_GENERATIONS, reached, run.eval_episodes);

    es_runner_free(&run);
    es_normalizer_free(&norm);
    es_free(&opt);
    for (t = 0; t < pool.nthreads; t++) envs[t].destroy(&envs[t]);
    free(envs);
    es_pool_free(&pool);
    es_mujoco_free(&mj);
    return solved ? 0 : 1;
}
