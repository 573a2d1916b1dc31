/* tests/test_env_mujoco.c - es_env_mujoco.h: built-in models against
   Gymnasium's reference MJCF, trajectory parity with an implementation of the
   v5 tasks written here from reference/ENVS.md, the random-policy return of
   HalfCheetah-v5, and bad inputs. */
#define ES_IMPLEMENTATION
#include "es_env_mujoco.h"
#include "test.h"
#include <math.h>

/* The MuJoCo differences this file meets (es_env_mujoco.h handles the rest):
   mjData's stack is gone from 3.0.0 (mjModel.nstack became narena, and
   <size nstack> only adds to an arena of at least 1 MB: <size memory> sets
   it), and the limited flags are mjtBool arrays from 3.9.0. */
#if mjVERSION_HEADER >= 300
#define STACK_SIZE(m) ((m)->narena)
#define SMALL_STACK "<size memory='8K'/>"
#else
#define STACK_SIZE(m) ((m)->nstack)
#define SMALL_STACK "<size nstack='300'/>"
#endif
#if mjVERSION_HEADER >= 3009000
typedef mjtBool flag_t;
#else
typedef mjtByte flag_t;
#endif

/* ---- the reference side: Gymnasium's assets and ENVS.md ---------------- */

typedef struct ref_task {
    const char *name, *file;
    int frame_skip, obs_dim;
    double qpos_noise, qvel_noise;   /* uniform half-widths (qvel 0: 0.1 N(0,1)) */
} ref_task;

static const ref_task ref_tasks[] = {
    {"HalfCheetah-v5", "half_cheetah.xml", 5, 17, 0.1, 0.0},
    {"Hopper-v5", "hopper.xml", 4, 11, 5e-3, 5e-3},
    {"Walker2d-v5", "walker2d_v5.xml", 4, 17, 5e-3, 5e-3},
    {"Ant-v5", "ant.xml", 5, 105, 0.1, 0.0},
    {"Swimmer-v5", "swimmer.xml", 4, 8, 0.1, 0.1},
    {"Humanoid-v5", "humanoid.xml", 5, 348, 1e-2, 1e-2},
    {"InvertedPendulum-v5", "inverted_pendulum.xml", 2, 4, 0.01, 0.01},
    {"InvertedDoublePendulum-v5", "inverted_double_pendulum.xml", 5, 9, 0.1, 0.0},
    {"Reacher-v5", "reacher.xml", 2, 10, 0.0, 0.0},
};
#define NREF ((int)(sizeof ref_tasks / sizeof ref_tasks[0]))

static double sq(double x) { return x * x; }
static double clampd(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* The forward coordinate each task differentiates. */
static double ref_x(int t, const mjModel *m, const mjData *d)
{
    if (t == 3) return d->xpos[3 * 1 + 0];           /* Ant: the torso's xpos */
    if (t == 5) {                                     /* Humanoid: mass-weighted xipos */
        double mx = 0.0, mass = 0.0;
        int b;
        for (b = 0; b < m->nbody; b++) {
            mx += m->body_mass[b] * d->xipos[3 * b];
            mass += m->body_mass[b];
        }
        return mx / mass;
    }
    return d->qpos[0];
}

/* Observation, reward and termination of the step just taken (ENVS.md). */
static void ref_outcome(int t, const mjModel *m, const mjData *d, const float *a, double x_vel,
                        double *obs, double *reward, int *terminated)
{
    double ctrl2 = 0.0;
    int i, k = 0, healthy = 1;
    for (i = 0; i < m->nu; i++) ctrl2 += sq(a[i]);
    switch (t) {
    case 0:  /* HalfCheetah */
        for (i = 1; i < m->nq; i++) obs[k++] = d->qpos[i];
        for (i = 0; i < m->nv; i++) obs[k++] = d->qvel[i];
        *reward = x_vel - 0.1 * ctrl2;
        *terminated = 0;
        break;
    case 1:  /* Hopper */
    case 2:  /* Walker2d */
        for (i = 1; i < m->nq; i++) obs[k++] = d->qpos[i];
        for (i = 0; i < m->nv; i++) obs[k++] = clampd(d->qvel[i], -10, 10);
        if (t == 1) {
            healthy = d->qpos[1] > 0.7 && d->qpos[2] > -0.2 && d->qpos[2] < 0.2;
            for (i = 2; i < m->nq; i++) healthy = healthy && fabs(d->qpos[i]) < 100;
            for (i = 0; i < m->nv; i++) healthy = healthy && fabs(d->qvel[i]) < 100;
        } else {
            healthy = d->qpos[1] > 0.8 && d->qpos[1] < 2.0 && d->qpos[2] > -1 && d->qpos[2] < 1;
        }
        *reward = x_vel + (healthy ? 1.0 : 0.0) - 1e-3 * ctrl2;
        *terminated = !healthy;
        break;
    case 3: {  /* Ant */
        double contact = 0.0;
        for (i = 2; i < m->nq; i++) obs[k++] = d->qpos[i];
        for (i = 0; i < m->nv; i++) obs[k++] = d->qvel[i];
        for (i = 6; i < 6 * m->nbody; i++) {
            double c = clampd(d->cfrc_ext[i], -1, 1);
            obs[k++] = c;
            contact += c * c;
        }
        for (i = 0; i < m->nq; i++) healthy = healthy && isfinite(d->qpos[i]);
        for (i = 0; i < m->nv; i++) healthy = healthy && isfinite(d->qvel[i]);
        healthy = healthy && d->qpos[2] >= 0.2 && d->qpos[2] <= 1.0;
        *reward = x_vel + (healthy ? 1.0 : 0.0) - 0.5 * ctrl2 - 5e-4 * contact;
        *terminated = !healthy;
        break;
    }
    case 4:  /* Swimmer */
        for (i = 2; i < m->nq; i++) obs[k++] = d->qpos[i];
        for (i = 0; i < m->nv; i++) obs[k++] = d->qvel[i];
        *reward = x_vel - 1e-4 * ctrl2;
        *terminated = 0;
        break;
    case 5: {  /* Humanoid */
        double contact = 0.0;
        for (i = 2; i < m->nq; i++) obs[k++] = d->qpos[i];
        for (i = 0; i < m->nv; i++) obs[k++] = d->qvel[i];
        for (i = 10; i < 10 * m->nbody; i++) obs[k++] = d->cinert[i];
        for (i = 6; i < 6 * m->nbody; i++) obs[k++] = d->cvel[i];
        for (i = 6; i < m->nv; i++) obs[k++] = d->qfrc_actuator[i];
        for (i = 6; i < 6 * m->nbody; i++) obs[k++] = d->cfrc_ext[i];
        for (i = 0; i < 6 * m->nbody; i++) contact += sq(d->cfrc_ext[i]);
        contact = 5e-7 * contact;
        if (contact > 10) contact = 10;
        healthy = d->qpos[2] > 1.0 && d->qpos[2] < 2.0;
        *reward = 1.25 * x_vel + (healthy ? 5.0 : 0.0) - 0.1 * ctrl2 - contact;
        *terminated = !healthy;
        break;
    }
    case 6:  /* InvertedPendulum: 1 per step while upright, 0 on the step that ends it */
        for (i = 0; i < m->nq; i++) obs[k++] = d->qpos[i];
        for (i = 0; i < m->nv; i++) obs[k++] = d->qvel[i];
        for (i = 0; i < k; i++) healthy = healthy && isfinite(obs[i]);
        *terminated = !healthy || fabs(obs[1]) > 0.2;
        *reward = *terminated ? 0.0 : 1.0;
        break;
    case 7: {  /* InvertedDoublePendulum: tip site (x, z) */
        double x = d->site_xpos[0], y = d->site_xpos[2];
        obs[k++] = d->qpos[0];
        obs[k++] = sin(d->qpos[1]);
        obs[k++] = sin(d->qpos[2]);
        obs[k++] = cos(d->qpos[1]);
        obs[k++] = cos(d->qpos[2]);
        for (i = 0; i < 3; i++) obs[k++] = clampd(d->qvel[i], -10, 10);
        obs[k++] = clampd(d->qfrc_constraint[0], -10, 10);
        *terminated = y <= 1;
        *reward = (*terminated ? 0.0 : 10.0) - 0.01 * x * x - sq(y - 2) - 1e-3 * sq(d->qvel[1]) - 5e-3 * sq(d->qvel[2]);
        break;
    }
    case 8: {  /* Reacher: bodies by name */
        int f = mj_name2id(m, mjOBJ_BODY, "fingertip"), g = mj_name2id(m, mjOBJ_BODY, "target");
        double dist = sqrt(sq(d->xpos[3 * f] - d->xpos[3 * g]) + sq(d->xpos[3 * f + 1] - d->xpos[3 * g + 1]) +
                           sq(d->xpos[3 * f + 2] - d->xpos[3 * g + 2]));
        obs[k++] = cos(d->qpos[0]);
        obs[k++] = cos(d->qpos[1]);
        obs[k++] = sin(d->qpos[0]);
        obs[k++] = sin(d->qpos[1]);
        obs[k++] = d->qpos[2];
        obs[k++] = d->qpos[3];
        obs[k++] = d->qvel[0];
        obs[k++] = d->qvel[1];
        obs[k++] = d->xpos[3 * f] - d->xpos[3 * g];
        obs[k++] = d->xpos[3 * f + 1] - d->xpos[3 * g + 1];
        *reward = -dist - ctrl2;
        *terminated = 0;
        break;
    }
    default:
        *reward = 0;
        *terminated = 0;
    }
}

static mjModel *load_reference(const char *dir, const char *file)
{
    char path[1024], err[512];
    mjModel *m;
    snprintf(path, sizeof path, "%s/gymnasium/%s", dir, file);
    m = mj_loadXML(path, NULL, err, (int)sizeof err);
    if (!m) printf("# cannot load %s: %s\n", path, err);
    return m;
}

/* ---- 1. each built-in model equals its reference model -------------------- */

static double maxdiff(const mjtNum *a, const mjtNum *b, es__mj_size n)
{
    double m = 0.0;
    es__mj_size i;
    for (i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > m || a[i] != a[i] || b[i] != b[i]) m = a[i] == b[i] ? m : fabs(a[i] - b[i]);
    return m;
}

static int same_ints(const int *a, const int *b, es__mj_size n)
{
    return n == 0 || memcmp(a, b, (size_t)n * sizeof(int)) == 0;
}

static int same_flags(const flag_t *a, const flag_t *b, es__mj_size n)
{
    return n == 0 || memcmp(a, b, (size_t)n * sizeof(flag_t)) == 0;
}

static void test_model(const char *dir, const ref_task *rt)
{
    es_mujoco mj;
    char err[512];
    const mjModel *a;
    mjModel *b;
    double d = 0.0;
    int sizes, ints;
    if (es_mujoco_load(&mj, rt->name, err, sizeof err) != ES_OK) {
        CHECK(0, "%s loads: %s", rt->name, err);
        return;
    }
    b = load_reference(dir, rt->file);
    if (!b) {
        CHECK(0, "%s: reference %s loads", rt->name, rt->file);
        es_mujoco_free(&mj);
        return;
    }
    a = mj.model;
    sizes = a->nq == b->nq && a->nv == b->nv && a->nu == b->nu && a->nbody == b->nbody &&
            a->ngeom == b->ngeom && a->njnt == b->njnt && a->nsite == b->nsite &&
            a->ntendon == b->ntendon && a->nwrap == b->nwrap;
    CHECK(sizes, "%s: nq nv nu nbody ngeom njnt nsite ntendon equal (%d %d %d %d %d %d)", rt->name, (int)a->nq,
          (int)a->nv, (int)a->nu, (int)a->nbody, (int)a->ngeom, (int)a->njnt);
    if (!sizes) {
        mj_deleteModel(b);
        es_mujoco_free(&mj);
        return;
    }
#define D(field, n) do { double e_ = maxdiff(a->field, b->field, (n)); if (e_ > d) d = e_; \
    if (e_ > 1e-9) printf("# %s: %s differs by %g\n", rt->name, #field, e_); } while (0)
    D(opt.gravity, 3);
    D(opt.wind, 3);
    {
        mjtNum o1[4], o2[4];
        o1[0] = a->opt.timestep; o1[1] = a->opt.density; o1[2] = a->opt.viscosity; o1[3] = a->opt.impratio;
        o2[0] = b->opt.timestep; o2[1] = b->opt.density; o2[2] = b->opt.viscosity; o2[3] = b->opt.impratio;
        D(opt.gravity, 0);
        if (maxdiff(o1, o2, 4) > d) d = maxdiff(o1, o2, 4);
    }
    D(qpos0, a->nq);
    D(body_pos, 3 * a->nbody);
    D(body_quat, 4 * a->nbody);
    D(body_ipos, 3 * a->nbody);
    D(body_iquat, 4 * a->nbody);
    D(body_mass, a->nbody);
    D(body_inertia, 3 * a->nbody);
    D(geom_size, 3 * a->ngeom);
    D(geom_pos, 3 * a->ngeom);
    D(geom_quat, 4 * a->ngeom);
    D(geom_friction, 3 * a->ngeom);
    D(geom_solref, mjNREF * a->ngeom);
    D(geom_solimp, mjNIMP * a->ngeom);
    D(geom_margin, a->ngeom);
    D(geom_gap, a->ngeom);
    D(jnt_pos, 3 * a->njnt);
    D(jnt_axis, 3 * a->njnt);
    D(jnt_range, 2 * a->njnt);
    D(jnt_stiffness, a->njnt);
    D(jnt_margin, a->njnt);
    D(jnt_solref, mjNREF * a->njnt);
    D(jnt_solimp, mjNIMP * a->njnt);
    D(dof_damping, a->nv);
    D(dof_armature, a->nv);
    D(dof_frictionloss, a->nv);
    D(actuator_gear, 6 * a->nu);
    D(actuator_ctrlrange, 2 * a->nu);
    D(actuator_gainprm, mjNGAIN * a->nu);
    D(actuator_biasprm, mjNBIAS * a->nu);
    D(site_pos, 3 * a->nsite);
    D(wrap_prm, a->nwrap);
#undef D
    ints = a->opt.integrator == b->opt.integrator && a->opt.solver == b->opt.solver &&
           a->opt.iterations == b->opt.iterations && a->opt.cone == b->opt.cone &&
           a->opt.disableflags == b->opt.disableflags && STACK_SIZE(a) == STACK_SIZE(b) &&
           same_ints(a->body_parentid, b->body_parentid, a->nbody) &&
           same_ints(a->geom_type, b->geom_type, a->ngeom) &&
           same_ints(a->geom_bodyid, b->geom_bodyid, a->ngeom) &&
           same_ints(a->geom_contype, b->geom_contype, a->ngeom) &&
           same_ints(a->geom_conaffinity, b->geom_conaffinity, a->ngeom) &&
           same_ints(a->geom_condim, b->geom_condim, a->ngeom) &&
           same_ints(a->jnt_type, b->jnt_type, a->njnt) &&
           same_ints(a->jnt_bodyid, b->jnt_bodyid, a->njnt) &&
           same_flags(a->jnt_limited, b->jnt_limited, a->njnt) &&
           same_ints(a->actuator_trnid, b->actuator_trnid, 2 * a->nu) &&
           same_flags(a->actuator_ctrllimited, b->actuator_ctrllimited, a->nu) &&
           same_ints(a->wrap_objid, b->wrap_objid, a->nwrap);
    CHECK(ints, "%s: integrator, solver, stack size, geom/joint types, limits, contact masks, tree equal", rt->name);
    CHECK(d <= 1e-9, "%s: masses, inertias, sizes, ranges, damping, stiffness, armature, gears, options "
          "within 1e-9 (max diff %.3g)", rt->name, d);
    mj_deleteModel(b);
    es_mujoco_free(&mj);
}

/* ---- 2. trajectory parity ------------------------------------------------ */

static void test_parity(const char *dir, int t, int nsteps)
{
    const ref_task *rt = &ref_tasks[t];
    es_mujoco mj;
    es_env env;
    es_rng reset_rng, act_rng;
    char err[512];
    mjModel *m;
    mjData *d, *de;
    float obs[400], act[32];
    double ref_obs[400], max_obs = 0.0, max_rew = 0.0, ret = 0.0;
    int i, step, episodes = 1, in_episode = 0, status_mismatch = 0, noise_ok = 1, failed = 0, terminations = 0;
    if (es_mujoco_load(&mj, rt->name, err, sizeof err) != ES_OK) {
        CHECK(0, "%s loads: %s", rt->name, err);
        return;
    }
    m = load_reference(dir, rt->file);
    if (!m || es_mujoco_env_init(&mj, &env) != ES_OK) {
        CHECK(0, "%s: reference model and env", rt->name);
        if (m) mj_deleteModel(m);
        es_mujoco_free(&mj);
        return;
    }
    CHECK(env.obs_dim == rt->obs_dim && env.act_dim == m->nu && env.max_steps == (t == 8 ? 50 : 1000),
          "%s: obs_dim %d, act_dim %d, max_steps %d", rt->name, env.obs_dim, env.act_dim, env.max_steps);
    d = mj_makeData(m);
    de = es_mujoco_env_data(&env);
    es_rng_init(&act_rng, 99, ES_STREAM_USER, 0, (uint32_t)t);
    for (step = 0; step < nsteps; step++) {
        double r, rr, x0, x_vel;
        int status, term, k;
        if (step == 0 || episodes < 0) {
            es_rng_init(&reset_rng, 7, ES_STREAM_RESET, 0, (uint32_t)(step + 1000 * t));
            env.reset(&env, &reset_rng, obs);
            /* the same reset from ENVS.md on the reference: qpos0 + noise (all
               of qpos in order), then qvel noise, drawn from an rng in the same state */
            es_rng_init(&reset_rng, 7, ES_STREAM_RESET, 0, (uint32_t)(step + 1000 * t));
            mj_resetData(m, d);
            if (t == 8) {  /* Reacher: arm noise, a goal in the 0.2 disc, small velocities */
                double gx, gy;
                for (i = 0; i < m->nq; i++) d->qpos[i] = m->qpos0[i] - 0.1 + 0.2 * es_rng_uniform(&reset_rng);
                do {
                    gx = -0.2 + 0.4 * es_rng_uniform(&reset_rng);
                    gy = -0.2 + 0.4 * es_rng_uniform(&reset_rng);
                } while (sqrt(gx * gx + gy * gy) >= 0.2);
                d->qpos[2] = gx;
                d->qpos[3] = gy;
                for (i = 0; i < m->nv; i++) d->qvel[i] = -0.005 + 0.01 * es_rng_uniform(&reset_rng);
                d->qvel[2] = d->qvel[3] = 0.0;
            } else {
                for (i = 0; i < m->nq; i++)
                    d->qpos[i] = m->qpos0[i] + (-rt->qpos_noise + 2.0 * rt->qpos_noise * es_rng_uniform(&reset_rng));
                for (i = 0; i < m->nv; i++)
                    d->qvel[i] = rt->qvel_noise > 0 ? -rt->qvel_noise + 2.0 * rt->qvel_noise * es_rng_uniform(&reset_rng)
                                                    : 0.1 * es_rng_normal(&reset_rng);
            }
            for (i = 0; i < m->nv; i++)
                if (d->qvel[i] != de->qvel[i]) noise_ok = 0;
            mj_forward(m, d);
            ref_outcome(t, m, d, act, 0.0, ref_obs, &rr, &term);
            for (k = 0; k < env.obs_dim; k++)
                if (fabs(obs[k] - (float)ref_obs[k]) > max_obs) max_obs = fabs(obs[k] - (float)ref_obs[k]);
            if (episodes < 0) episodes = -episodes + 1;
            in_episode = 0;
        }
        /* actions up to 20% beyond the range: control costs see them unclipped */
        for (i = 0; i < env.act_dim; i++)
            act[i] = (float)(1.2 * (env.act_low + (env.act_high - env.act_low) * es_rng_uniform(&act_rng)));
        env.step(&env, act, obs, &r, &status);
        x0 = ref_x(t, m, d);
        for (i = 0; i < m->nu; i++) d->ctrl[i] = act[i];
        for (i = 0; i < rt->frame_skip; i++) mj_step(m, d);
        mj_rnePostConstraint(m, d);
        x_vel = (ref_x(t, m, d) - x0) / (m->opt.timestep * rt->frame_skip);
        ref_outcome(t, m, d, act, x_vel, ref_obs, &rr, &term);
        for (k = 0; k < env.obs_dim; k++) {
            double e = fabs(obs[k] - (float)ref_obs[k]) / (1.0 + fabs(ref_obs[k]));
            if (e > max_obs) max_obs = e;
        }
        if (fabs(r - rr) / (1.0 + fabs(rr)) > max_rew) max_rew = fabs(r - rr) / (1.0 + fabs(rr));
        ret += r;
        if (status == ES_EPISODE_FAILED) failed++;
        if ((status == ES_EPISODE_TERMINATED) != (term != 0)) status_mismatch++;
        if (status != ES_EPISODE_RUNNING || term || ++in_episode == env.max_steps) {
            terminations++;
            episodes = -episodes;  /* start another episode next step */
        }
    }
    CHECK(noise_ok, "%s: reset draws qpos0 + noise, then qvel noise, from the rng given", rt->name);
    CHECK(max_obs <= 1e-6 && max_rew <= 1e-9 && !status_mismatch && !failed,
          "%s: %d steps (%d episodes) match the reference: max obs diff %.2g, max reward diff %.2g, "
          "%d termination mismatches, %d failed", rt->name, nsteps, episodes < 0 ? -episodes : episodes,
          max_obs, max_rew, status_mismatch, failed);
    (void)ret;
    (void)terminations;
    mj_deleteData(d);
    mj_deleteModel(m);
    env.destroy(&env);
    es_mujoco_free(&mj);
}

/* ---- 3. random policy on HalfCheetah-v5 ---------------------------------- */

static void test_random_cheetah(void)
{
    es_mujoco mj;
    es_env env;
    es_rng rng, act_rng;
    char err[512];
    float obs[17], act[6];
    double sum = 0.0, sumsq = 0.0, mean, sd;
    int ep, i, k, n = 100, bad = 0;
    if (es_mujoco_load(&mj, "HalfCheetah-v5", err, sizeof err) != ES_OK || es_mujoco_env_init(&mj, &env) != ES_OK) {
        CHECK(0, "HalfCheetah-v5 loads: %s", err);
        return;
    }
    for (ep = 0; ep < n; ep++) {
        double ret = 0.0, r;
        int status = ES_EPISODE_RUNNING;
        es_rng_init(&rng, 2024, ES_STREAM_EVAL, 0, (uint32_t)ep);
        es_rng_init(&act_rng, 2024, ES_STREAM_USER, 0, (uint32_t)ep);
        env.reset(&env, &rng, obs);
        for (i = 0; i < env.max_steps && status == ES_EPISODE_RUNNING; i++) {
            for (k = 0; k < 6; k++) act[k] = (float)(-1.0 + 2.0 * es_rng_uniform(&act_rng));
            env.step(&env, act, obs, &r, &status);
            ret += r;
        }
        if (i != 1000 || status != ES_EPISODE_RUNNING) bad++;
        sum += ret;
        sumsq += ret * ret;
    }
    mean = sum / n;
    sd = sqrt((sumsq - n * mean * mean) / (n - 1));
    /* Gymnasium quotes about -280. The control cost alone is -0.1*6/3*1000 =
       -200 per episode; the rest is backward drift. The band is +-40, about
       5.6 standard errors of a 100-episode mean (sd per episode ~ 70; measured -284 sd 71). */
    CHECK(!bad && fabs(mean + 280.0) <= 40.0,
          "HalfCheetah-v5 uniform random actions: mean return %.1f (sd %.1f, 100 episodes of 1000 steps), "
          "within -280 +- 40", mean, sd);
    env.destroy(&env);
    es_mujoco_free(&mj);
}

/* ---- 4. bad inputs --------------------------------------------------------- */

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fputs(text, f);
    fclose(f);
    return 1;
}

static const char *scratch_path(const char *name, char *buf, size_t n)
{
    FILE *f;
    snprintf(buf, n, "build/%s", name);
    if ((f = fopen(buf, "wb")) != NULL) {
        fclose(f);
        return buf;
    }
    snprintf(buf, n, "%s", name);
    return buf;
}

static void raise_mujoco_error(void *arg);

typedef struct step_call {
    const mjModel *m;
    mjData *d;
} step_call;

static void step_fn(void *arg)
{
    step_call *c = (step_call *)arg;
    mj_step(c->m, c->d);
}

static void test_bad_inputs(void)
{
    es_mujoco mj;
    es_env env;
    es_rng rng;
    char err[512], path[256];
    float obs[32], act[8];
    double r = 0.0;
    int status, i;
    es_result res;

    res = es_mujoco_load(&mj, "HalfCheetah-v4", err, sizeof err);
    CHECK(res == ES_ERROR_NOT_FOUND && strstr(err, "HalfCheetah-v5") && strstr(err, "Reacher-v5"),
          "unknown task: ES_ERROR_NOT_FOUND listing the names (%s)", err);

    res = es_mujoco_load(&mj, NULL, err, sizeof err);
    CHECK(res == ES_ERROR_INVALID_ARGUMENT && strstr(err, "NULL"), "NULL task: ES_ERROR_INVALID_ARGUMENT, saying so (%s)", err);
    res = es_mujoco_load_xml(&mj, NULL, NULL, err, sizeof err);
    CHECK(res == ES_ERROR_INVALID_ARGUMENT && strstr(err, "NULL"), "NULL path: ES_ERROR_INVALID_ARGUMENT, saying so (%s)", err);

    res = es_mujoco_load_xml(&mj, "no/such/model.xml", NULL, err, sizeof err);
    CHECK(res == ES_ERROR_MUJOCO && strstr(err, "no/such/model.xml"), "missing file: ES_ERROR_MUJOCO (%s)", err);

    scratch_path("test_env_malformed.xml", path, sizeof path);
    write_file(path, "<mujoco><worldbody><body><geom size='.1'/></worldbody></mujoco>");
    res = es_mujoco_load_xml(&mj, path, NULL, err, sizeof err);
    CHECK(res == ES_ERROR_MUJOCO && strlen(err) > strlen(path) + 4, "malformed XML: ES_ERROR_MUJOCO (%s)", err);
    write_file(path, "<mujoco><worldbody><body><geom type='bogus' size='.1'/></body></worldbody></mujoco>");
    res = es_mujoco_load_xml(&mj, path, NULL, err, sizeof err);
    CHECK(res == ES_ERROR_MUJOCO && strlen(err) > strlen(path) + 4, "invalid MJCF: ES_ERROR_MUJOCO (%s)", err);
    /* a ctrlrange beyond float became [-inf, inf], which no policy can scale to */
    write_file(path, "<mujoco><worldbody><body><joint name='j' type='slide'/><geom size='.1'/></body></worldbody>"
                     "<actuator><motor joint='j' ctrllimited='true' ctrlrange='-1e39 1e39'/></actuator></mujoco>");
    res = es_mujoco_load_xml(&mj, path, NULL, err, sizeof err);
    CHECK(res == ES_ERROR_INVALID_ARGUMENT && strstr(err, "ctrlrange") && mj.model == NULL,
          "a model's ctrlrange of +-1e39: ES_ERROR_INVALID_ARGUMENT, naming it (%s)", err);
    {
        es_mujoco_task_desc td;
        memset(&td, 0, sizeof td);
        td.act_low = -1.0f;
        td.act_high = 1.0f;
        res = es_mujoco_load_xml(&mj, path, &td, err, sizeof err);
        CHECK(res == ES_OK && mj.act_low == -1.0f, "the same model with act_low and act_high given loads (%s)", err);
        es_mujoco_free(&mj);
    }
    remove(path);

    /* NaN action */
    if (es_mujoco_load(&mj, "HalfCheetah-v5", err, sizeof err) == ES_OK && es_mujoco_env_init(&mj, &env) == ES_OK) {
        mjData *d = es_mujoco_env_data(&env);
        double t0;
        es_rng_init(&rng, 1, ES_STREAM_RESET, 0, 0);
        env.reset(&env, &rng, obs);
        t0 = d->time;
        for (i = 0; i < 6; i++) act[i] = 0.5f;
        act[3] = (float)NAN;
        res = env.step(&env, act, obs, &r, &status);
        CHECK(res == ES_ERROR_BAD_ACTION && d->time == t0, "NaN action: ES_ERROR_BAD_ACTION, state untouched");
        act[3] = (float)INFINITY;
        CHECK(env.step(&env, act, obs, &r, &status) == ES_ERROR_BAD_ACTION, "infinite action: ES_ERROR_BAD_ACTION");
        CHECK(env.step(&env, NULL, obs, &r, &status) == ES_ERROR_BAD_ACTION, "NULL action: ES_ERROR_BAD_ACTION");
        act[3] = 0.5f;
        res = env.step(&env, act, obs, &r, &status);
        CHECK(res == ES_OK && status == ES_EPISODE_RUNNING && isfinite(r), "a valid action after a bad one steps");
        env.destroy(&env);
        es_mujoco_free(&mj);
    } else {
        CHECK(0, "HalfCheetah-v5 loads: %s", err);
    }

    /* An unstable custom model: an unlimited motor with a huge gear drives
       qacc past MuJoCo's limit; MuJoCo warns and resets, the env fails. */
    scratch_path("test_env_unstable.xml", path, sizeof path);
    write_file(path,
               "<mujoco><option timestep='0.01'/><worldbody><body name='b'>"
               "<joint name='x' type='slide' axis='1 0 0'/><geom type='sphere' size='0.1'/>"
               "</body></worldbody><actuator><motor joint='x' gear='1e6'/></actuator></mujoco>");
    res = es_mujoco_load_xml(&mj, path, NULL, err, sizeof err);
    CHECK(res == ES_OK && mj.obs_dim == 2 && mj.act_dim == 1 && mj.max_steps == 1000,
          "custom MJCF loads with defaults (obs qpos,qvel; %s)", err);
    if (res == ES_OK && es_mujoco_env_init(&mj, &env) == ES_OK) {
        es_rng_init(&rng, 1, ES_STREAM_RESET, 0, 0);
        CHECK(env.reset(&env, &rng, obs) == ES_OK && obs[0] == 0.0f, "custom reset (no noise by default)");
        act[0] = 0.5f;
        res = env.step(&env, act, obs, &r, &status);
        CHECK(res == ES_OK && status == ES_EPISODE_RUNNING && r > 0.0,
              "custom step rewards forward velocity (%g)", r);
        act[0] = 1e9f;
        res = env.step(&env, act, obs, &r, &status);
        CHECK(res == ES_OK && status == ES_EPISODE_FAILED && r == 0.0 && obs[0] == 0.0f && obs[1] == 0.0f,
              "unstable simulation: ES_EPISODE_FAILED, reward 0, zero observation");
        act[0] = 0.0f;
        res = env.step(&env, act, obs, &r, &status);
        CHECK(res == ES_OK && status == ES_EPISODE_FAILED && r == 0.0, "a failed episode stays failed until reset");
        env.reset(&env, &rng, obs);
        res = env.step(&env, act, obs, &r, &status);
        CHECK(res == ES_OK && status == ES_EPISODE_RUNNING, "reset clears the failure");
        env.destroy(&env);
    }
    es_mujoco_free(&mj);
    {   /* what es_mlp_init would refuse later, or a noise that is not one, is refused here */
        es_mujoco_task_desc td;
        int k;
        for (k = 0; k < 4; k++) {
            memset(&td, 0, sizeof td);
            if (k == 0) td.reset_noise = NAN;
            if (k == 1) td.act_low = td.act_high = 0.5f;
            if (k == 2) td.act_low = -INFINITY, td.act_high = 1.0f;
            if (k == 3) td.act_low = -1.0f, td.act_high = INFINITY;
            res = es_mujoco_load_xml(&mj, path, &td, err, sizeof err);
            CHECK(res == ES_ERROR_INVALID_ARGUMENT && mj.model == NULL,
                  "custom MJCF: %s refused (ES_ERROR_INVALID_ARGUMENT, got %d: %s)",
                  k == 0 ? "reset_noise NaN" : k == 1 ? "act_low == act_high" : k == 2 ? "act_low -inf" : "act_high inf",
                  (int)res, err);
            es_mujoco_free(&mj);
        }
    }
    write_file(path, "<mujoco><worldbody><body><joint type='slide'/><geom size='.1'/></body></worldbody></mujoco>");
    res = es_mujoco_load_xml(&mj, path, NULL, err, sizeof err);
    CHECK(res == ES_ERROR_INVALID_ARGUMENT && strstr(err, "no actuators"),
          "custom MJCF without actuators: ES_ERROR_INVALID_ARGUMENT, as other models that do not fit a task (%s)", err);
    es_mujoco_free(&mj);

    /* A MuJoCo error inside mj_step (its stack is too small once contacts
       appear) fails the episode and comes back as ES_ERROR_MUJOCO with
       MuJoCo's message in env.error, instead of MuJoCo's exit(). */
    write_file(path,
               "<mujoco>" SMALL_STACK "<worldbody><geom type='plane' size='5 5 1'/>"
               "<body pos='0 0 0.5'><freejoint/><geom type='box' size='.1 .1 .1'/></body>"
               "<body pos='0.05 0 0.75'><freejoint/><geom type='box' size='.1 .1 .1'/></body>"
               "<body pos='0 0 1'><joint name='h' type='slide' axis='0 0 1'/><geom type='box' size='.1 .1 .1'/></body>"
               "</worldbody><actuator><motor joint='h'/></actuator></mujoco>");
    res = es_mujoco_load_xml(&mj, path, NULL, err, sizeof err);
    if (res == ES_OK && es_mujoco_env_init(&mj, &env) == ES_OK) {
        int n = 0;
        es_rng_init(&rng, 1, ES_STREAM_RESET, 0, 0);
        env.reset(&env, &rng, obs);
        act[0] = 0.0f;
        status = ES_EPISODE_RUNNING;
        for (n = 0; n < 1000 && status == ES_EPISODE_RUNNING; n++) res = env.step(&env, act, obs, &r, &status);
        CHECK(res == ES_ERROR_MUJOCO && status == ES_EPISODE_FAILED && r == 0.0 &&
                  mju_user_error == es__mj_on_error && strstr(env.error, "tack"),
              "MuJoCo error inside mj_step (stack overflow at step %d): ES_ERROR_MUJOCO, ES_EPISODE_FAILED, "
              "MuJoCo's message kept (%s), no exit", n, env.error);
        env.destroy(&env);
        {   /* the same steps on a fresh mjData: the error is mj_stackAlloc's */
            step_call c;
            char msg[256] = "";
            int k = 0, failed = 0;
            char *nl;
            c.m = mj.model;
            c.d = mj_makeData(mj.model);
            if (c.d) {
                for (k = 0; k < 1000 && !failed; k++) failed = es__mj_guarded(step_fn, &c, msg, sizeof msg) != 0;
                mj_deleteData(c.d);
            }
            while ((nl = strchr(msg, '\n')) != NULL) *nl = ' ';
            CHECK(failed && k == n && strstr(msg, "tack overflow"),   /* 2.2: "Stack overflow", 3.x: "mj_stackAlloc: ... stack overflow" */
                  "the small-stack model overflows mj_stackAlloc's stack at step %d of %d (\"%s\")", k, n, msg);
        }
    } else {
        CHECK(0, "small-stack model loads: %s", err);
    }
    es_mujoco_free(&mj);
    {
        char msg[64];
        CHECK(es_mujoco_guard(raise_mujoco_error, NULL, msg, sizeof msg) == ES_ERROR_MUJOCO &&
                  strcmp(msg, "raised by the test") == 0,
              "mju_error unwinds to the es call with its message");
    }
    remove(path);
}

static void raise_mujoco_error(void *arg)
{
    (void)arg;
    mju_error("raised by the test");
}

/* A custom task with every callback. */
static void drop_observe(const mjModel *m, const mjData *d, float *obs, void *user)
{
    (void)m;
    (void)user;
    obs[0] = (float)d->xpos[3 * 1 + 2];   /* height of the ball */
}

static double drop_reward(const es_mujoco_step *s)
{
    return (s->data->qpos[0] - s->qpos_before[0]) / s->dt + *(const double *)s->user;
}

static int drop_terminated(const es_mujoco_step *s)
{
    return s->data->qpos[0] < -0.5;   /* the ball 0.5 below its start */
}

static void drop_reset(const mjModel *m, mjData *d, es_rng *rng, void *user)
{
    (void)m;
    (void)user;
    d->qpos[0] += 0.1 * es_rng_uniform(rng);
}

static double nan_reward(const es_mujoco_step *s)
{
    (void)s;
    return 0.0 * HUGE_VAL;   /* a 0/0 in the user's formula */
}

static void test_custom(void)
{
    es_mujoco mj;
    es_mujoco_task_desc td;
    es_env env;
    es_rng rng;
    char err[512], path[256];
    float obs[4], act[1] = {0.0f};
    double r = 0.0, bonus = 0.25, z0;
    int status = ES_EPISODE_RUNNING, n = 0;
    memset(&td, 0, sizeof td);
    td.name = "drop";
    td.frame_skip = 2;
    td.max_steps = 77;
    td.obs_dim = 1;
    td.observe = drop_observe;
    td.reward = drop_reward;
    td.terminated = drop_terminated;
    td.reset = drop_reset;
    td.user = &bonus;
    scratch_path("test_env_drop.xml", path, sizeof path);
    write_file(path,
               "<mujoco><option timestep='0.01'/><worldbody><geom type='plane' size='5 5 1'/>"
               "<body pos='0 0 1'><joint name='z' type='slide' axis='0 0 1'/><geom type='sphere' size='.1'/></body>"
               "</worldbody><actuator><motor joint='z' ctrllimited='true' ctrlrange='-2 2'/></actuator></mujoco>");
    if (es_mujoco_load_xml(&mj, path, &td, err, sizeof err) != ES_OK || es_mujoco_env_init(&mj, &env) != ES_OK) {
        CHECK(0, "custom task loads: %s", err);
        remove(path);
        return;
    }
    CHECK(strcmp(mj.name, "drop") == 0 && env.obs_dim == 1 && env.act_dim == 1 && env.max_steps == 77 &&
          env.act_low == -2.0f && env.act_high == 2.0f && fabs(mj.dt - 0.02) < 1e-15,
          "custom desc: name, obs_dim, max_steps, frame_skip, act range from ctrlrange");
    es_rng_init(&rng, 5, ES_STREAM_EVAL, 0, 0);
    env.reset(&env, &rng, obs);
    z0 = obs[0];
    CHECK(z0 > 1.0f && z0 < 1.1f, "custom reset callback draws from the rng (z %.3f)", z0);
    while (status == ES_EPISODE_RUNNING && n < 1000) {
        env.step(&env, act, obs, &r, &status);
        n++;
    }
    /* free fall of 0.5 m takes 0.32 s, 16 env steps of 0.02 s; the reward is the (negative) velocity plus 0.25 */
    CHECK(status == ES_EPISODE_TERMINATED && obs[0] < z0 - 0.5f && n >= 15 && n <= 18 && r < -2.0,
          "custom reward and termination callbacks (terminated after %d steps, z %.3f)", n, obs[0]);
    env.destroy(&env);
    es_mujoco_free(&mj);
    td.reward = nan_reward;   /* fails as unstable, and env.error says it was the reward */
    if (es_mujoco_load_xml(&mj, path, &td, err, sizeof err) == ES_OK && es_mujoco_env_init(&mj, &env) == ES_OK) {
        es_result res;
        env.reset(&env, &rng, obs);
        res = env.step(&env, act, obs, &r, &status);
        CHECK(res == ES_OK && status == ES_EPISODE_FAILED && r == 0.0 && strstr(env.error, "drop: step: the reward is ") && strstr(env.error, "nan with the state finite"),
              "a reward callback's NaN: ES_EPISODE_FAILED, reward 0, env.error says why (%s)", env.error);
        env.destroy(&env);
    } else {
        CHECK(0, "custom task with a NaN reward loads: %s", err);
    }
    es_mujoco_free(&mj);
    remove(path);
}

int main(void)
{
    const char *dir = test_need_reference("es_env_mujoco parity with Gymnasium's MJCF");
    int t;
    CHECK(es_mujoco_task_count() == NREF, "%d built-in tasks", es_mujoco_task_count());
    for (t = 0; t < es_mujoco_task_count(); t++) {
        int o = 0, a = 0;
        es_result r = es_mujoco_task_dims(t, &o, &a);
        CHECK(r == ES_OK && strcmp(es_mujoco_task_name(t), ref_tasks[t].name) == 0 &&
              o == ref_tasks[t].obs_dim, "task %d is %s with obs_dim %d", t, es_mujoco_task_name(t), o);
    }
    if (dir) {
        for (t = 0; t < es_mujoco_task_count() && t < NREF; t++) test_model(dir, &ref_tasks[t]);
        for (t = 0; t < es_mujoco_task_count() && t < NREF; t++) test_parity(dir, t, 1000);
    }
    test_random_cheetah();
    test_bad_inputs();
    test_custom();
    return test_finish();
}
