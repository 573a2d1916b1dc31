/* es_env_mujoco.h - v0.3 - MuJoCo environments for es: the Gymnasium v5
   locomotion and control tasks with their models built in, and any MJCF file.

   Implements the es_env interface of es_mlp.h on MuJoCo 2.2.2 to 3.12 (the
   differences behind checks on mjVERSION_HEADER, listed where the
   implementation starts). One es_mujoco holds a compiled model that is
   read-only after loading and shared by all threads; each thread gets its own
   es_env with its own mjData.

   QUICK START

       #define ES_IMPLEMENTATION
       #include "es_env_mujoco.h"        // includes es_mlp.h, es.h, mujoco.h

       char err[512];
       es_mujoco mj;
       if (es_mujoco_load(&mj, "HalfCheetah-v5", err, sizeof err) != ES_OK) { report(err); }
       es_env env;                          // one per thread
       es_mujoco_env_init(&mj, &env);
       es_rng rng;
       es_rng_init(&rng, seed, ES_STREAM_RESET, generation, pair);
       env.reset(&env, &rng, obs);
       env.step(&env, act, obs, &reward, &status);   // or es_rollout(&env, ...)
       env.destroy(&env);
       es_mujoco_free(&mj);

   Link with -lmujoco -lm (and -lpthread for es.h's thread pool).

   CONFIGURATION MACROS: those of es.h (ES_IMPLEMENTATION, ES_STATIC,
   ES_DLL, ES_MALLOC/ES_FREE, ...), plus

       ES_MUJOCO_NO_HANDLERS   do not install MuJoCo error/warning handlers
                               (then MuJoCo's own, which print and exit, stay,
                               and es_mujoco_guard catches nothing)

   STEP BY STEP

   1. es_mujoco_load() compiles one built-in task by its Gymnasium name
      ("HalfCheetah-v5", ...; es_mujoco_task_count()/es_mujoco_task_name()
      list them). Each model is this file's own MJCF text, loaded through a
      MuJoCo virtual file system: no file is read. Or es_mujoco_load_xml()
      compiles an MJCF file with your observation, reward, termination and
      reset callbacks (es_mujoco_task_desc; zero fields mean defaults;
      examples/custom_task.c is one).
      mj_loadXML takes a global lock: load once, before starting threads.
   2. es_mujoco_env_init() makes an es_env for one thread: obs_dim, act_dim,
      max_steps (1000; Reacher 50), act_low/act_high, and reset/step/destroy.
      It allocates one mjData (5.6 MB for HalfCheetah). The env keeps a
      pointer to the es_mujoco itself: keep that struct where it is (do not
      copy or move it) and free it only after its envs.
   3. env.reset(&env, rng, obs) starts an episode: mj_resetData, the task's
      reset noise drawn from rng (qpos noise for every qpos in order, then
      qvel noise), mj_forward, first observation. Seed rng from the pair
      index with ES_STREAM_RESET (population) or ES_STREAM_EVAL
      (evaluation), so both members of a pair start from the same state.
   4. env.step(&env, act, obs, &reward, &status): act (act_dim floats) goes
      to d->ctrl as it is (MuJoCo clamps its own copy for actuators with
      ctrlrange, control costs see the raw action), mj_step frame_skip
      times, mj_rnePostConstraint once, then observation, reward and
      termination as in Gymnasium v5. Truncation at max_steps is the
      caller's job (es_rollout).
   5. env.destroy(&env) frees the mjData; es_mujoco_free() the model.
      es_mujoco_env_data() gives a renderer the env's mjData.

   BUILT-IN TASKS (Gymnasium v5 defaults; obs dims / act dims)

       HalfCheetah-v5 17/6, Hopper-v5 11/3, Walker2d-v5 17/6, Ant-v5 105/8,
       Swimmer-v5 8/2, Humanoid-v5 348/17, InvertedPendulum-v5 4/1,
       InvertedDoublePendulum-v5 9/1, Reacher-v5 10/2.

   Observation, reward, termination and reset noise follow Gymnasium's v5
   source with default arguments; the terms are written out above each
   task's code below. The six locomotion tasks follow the table the project
   read from Gymnasium's source. For the three small tasks, whose summary
   was unchecked, we read Gymnasium's v5 source files (inverted_pendulum_v5,
   inverted_double_pendulum_v5, reacher_v5) and implemented what their code
   does: InvertedPendulum and InvertedDoublePendulum pay their alive reward
   only while not terminated (0 on the terminating step); the double
   pendulum's observation drops the two always-zero hinge constraint
   forces (9 values); Reacher computes its distance after the physics step
   and drops the z component from its observation (10 values), and its
   control weight is 1 (the code's default; a table in its docstring
   says 0.1).

   Every model compiles to the same mjModel as Gymnasium's asset, and runs
   the same trajectories: tests/test_env_mujoco.c compares masses,
   inertias, sizes, joints, gears and options to 1e-9 (they are equal), and
   1000 steps of every task against an implementation written from the
   spec on Gymnasium's own MJCF (identical observations and terminations,
   rewards equal to the last bit or two of rounding).

   CONTRACTS

   Determinism. An episode is a function of the model, the rng's state at
   reset and the actions: no hidden randomness, no dependence on the thread.

   Memory. es_mujoco owns the mjModel; each es_env owns one mjData and a few
   doubles. Nothing is allocated per step.

   Threads. es_mujoco is read-only after loading; any number of es_env made
   from it may step on different threads. One es_env belongs to one thread
   at a time.

   Errors. Every fallible call returns es_result; messages go to the err
   buffer given or to env.error (never to stdout). Unknown task:
   ES_ERROR_NOT_FOUND with the list of names. Missing or malformed MJCF:
   ES_ERROR_MUJOCO with MuJoCo's message. A custom task whose defaults do
   not fit its model (obs_dim other than nq + nv without observe; no joints
   without observe and reward): ES_ERROR_INVALID_ARGUMENT with the reason.
   An action with a NaN/inf entry, or a NULL one: ES_ERROR_BAD_ACTION (the
   state is not touched; act must hold act_dim floats, which C cannot
   check). step before the first reset: ES_ERROR_INVALID_ARGUMENT.
   es_mujoco_env_init says what failed in env.error ("out of memory for the
   env's state", or MuJoCo's message from mj_makeData as ES_ERROR_MUJOCO).
   ES_ERROR_MUJOCO is this header's own code (es.h's block -100..-199):
   es_mujoco_result_string() names it and every es.h code.

   ERRORS RAISED BY MUJOCO: THE GUARD

   MuJoCo reports errors (a stack overflow in mj_stackAlloc, a bad model)
   by calling mju_user_error, and its callers assume that handler does not
   return. On first use (load, env_init, es_mujoco_guard, or
   es_mujoco_install_handlers(); thread-safe, once per process) this header
   installs its own mju_user_error and mju_user_warning, keeping the ones
   installed before (set yours before the first es call, not after: a
   handler installed later replaces the guard). Ours never returns:

       es_mujoco_guard(fn, arg, msg, msglen) runs fn(arg); a MuJoCo error
       raised inside it on this thread unwinds (longjmp) to the guard,
       which returns ES_ERROR_MUJOCO with MuJoCo's message in msg. Guards
       nest; each thread has its own. fn's own cleanup is skipped, and
       MuJoCo's state touched by fn (an mjData mid-step) must be reset
       before use.

       Outside any guard the message goes to the handler installed before
       ours, or, with none (or if that one returns), to stderr, and the
       process aborts: MuJoCo never gets control back.

   Every es call into MuJoCo runs under the guard: a MuJoCo error in
   reset returns ES_ERROR_MUJOCO; in step (the physics and the task's
   callbacks) it ends the episode as failed (status ES_EPISODE_FAILED,
   reward 0, zero observation) and returns ES_ERROR_MUJOCO, so a runner
   stops with it; env.error holds "<task>: reset|step: <MuJoCo's message>".
   Warnings go to the handler installed before ours, else nowhere (the
   counters in mjData are read instead). ES_MUJOCO_NO_HANDLERS leaves
   MuJoCo's handlers alone (then the guard catches nothing). On MuJoCo
   3.10 and later, a log handler set with mju_setLogHandler bypasses
   mju_user_error, and so the guard.

   Unstable simulation. After each step the warnings mjWARN_BADQPOS,
   mjWARN_BADQVEL and mjWARN_BADQACC (cleared at reset) and the finiteness
   of qpos, qvel, the observation and the reward are checked. If any fails,
   the step returns ES_OK with status ES_EPISODE_FAILED, reward 0 for that
   step, and an all-zero observation; later steps repeat that until the
   next reset. A reward that is not finite while the state is (a reward
   callback's 0/0, or a state beyond its formula) also leaves env.error
   saying so, since no warning does.
   If the reset noise alone breaks the state, reset returns ES_OK with an
   all-zero observation and the first step reports the failure.

   REVISION HISTORY: see the end of this file. LICENSE: MIT, at the end.
*/
#ifndef ES_ENV_MUJOCO_H_INCLUDED
#define ES_ENV_MUJOCO_H_INCLUDED

#include "es_mlp.h"
#include <mujoco/mujoco.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ES_MUJOCO_NAME_MAX 64

/* This layer's result code (es.h's block -100..-199): MuJoCo refused a
   model or raised an error; the message is in the err buffer or in
   env.error. es_mujoco_result_string() names it and passes any other code
   on to es_result_string(). */
#define ES_ERROR_MUJOCO ((es_result)(ES_RESULT_MUJOCO_FIRST - 0))
ES_API const char *es_mujoco_result_string(es_result result);

/* The MuJoCo error guard (see ERRORS above). */
ES_API void es_mujoco_install_handlers(void);
ES_API es_result es_mujoco_guard(void (*fn)(void *arg), void *arg, char *msg, size_t msglen);

/* What a custom reward or termination callback sees after one env step. */
typedef struct es_mujoco_step {
    const mjModel *model;
    const mjData *data;          /* the state after the step */
    const double *qpos_before;   /* qpos at the start of the step (nq) */
    const float *act;            /* the action as given (act_dim, unclipped) */
    int act_dim;
    double dt;                   /* opt.timestep * frame_skip */
    void *user;
} es_mujoco_step;

/* A custom task on your own MJCF. Every zero field means its default. */
typedef struct es_mujoco_task_desc {
    const char *name;            /* for messages and checkpoints (the file name) */
    int frame_skip;              /* physics steps per env step (1) */
    int max_steps;               /* truncation (1000) */
    int obs_dim;                 /* required with observe; without it 0 or nq + nv (else refused) */
    float act_low, act_high;     /* both 0: ctrlrange of actuator 0 if limited, else [-1, 1];
                                    otherwise finite, act_low < act_high */
    double reset_noise;          /* default reset: qpos0 + U(+-noise), qvel U(+-noise) (0: none;
                                    finite, >= 0) */
    /* After mj_resetData, before mj_forward; draw only from rng. */
    void (*reset)(const mjModel *m, mjData *d, es_rng *rng, void *user);
    /* Default: qpos then qvel (a model without joints needs its own). */
    void (*observe)(const mjModel *m, const mjData *d, float *obs, void *user);
    /* Default: (qpos[0] - qpos_before[0]) / dt, forward velocity of the root
       (a model without joints needs its own). Runs under the MuJoCo guard,
       as do observe and terminated. */
    double (*reward)(const es_mujoco_step *step);
    /* Nonzero ends the episode (ES_EPISODE_TERMINATED). Default: never. */
    int (*terminated)(const es_mujoco_step *step);
    void *user;
} es_mujoco_task_desc;

/* A compiled task, shared read-only by every env made from it. */
typedef struct es_mujoco {
    mjModel *model;
    char name[ES_MUJOCO_NAME_MAX];
    int task;                    /* built-in index, -1 for a custom task */
    int frame_skip, max_steps, obs_dim, act_dim;
    float act_low, act_high;
    double dt;                   /* seconds per env step */
    es_mujoco_task_desc custom;  /* resolved callbacks of a custom task */
} es_mujoco;

/* Built-in tasks, for --help: index 0 is HalfCheetah-v5. */
ES_API int es_mujoco_task_count(void);
ES_API const char *es_mujoco_task_name(int i);   /* NULL out of range */
ES_API es_result es_mujoco_task_dims(int i, int *obs_dim, int *act_dim);

ES_API es_result es_mujoco_load(es_mujoco *mj, const char *task, char *err, size_t errlen);
ES_API es_result es_mujoco_load_xml(es_mujoco *mj, const char *path, const es_mujoco_task_desc *desc,
                                    char *err, size_t errlen);
ES_API void es_mujoco_free(es_mujoco *mj);

/* env points to *mj, which must stay at its address and outlive env. */
ES_API es_result es_mujoco_env_init(const es_mujoco *mj, es_env *env);
ES_API mjData *es_mujoco_env_data(es_env *env);

#ifdef __cplusplus
}
#endif
#endif /* ES_ENV_MUJOCO_H_INCLUDED */

/* ======================================================================== */
#if defined(ES_IMPLEMENTATION) && !defined(ES_ENV_MUJOCO_IMPLEMENTATION_INCLUDED)
#define ES_ENV_MUJOCO_IMPLEMENTATION_INCLUDED

#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ES__STRICT_FP_BEGIN
#ifdef __cplusplus
extern "C" {
#endif

/* ---- MuJoCo versions ------------------------------------------------- */
/* This file compiles against MuJoCo 2.2.2 to 3.12. The differences are kept
   behind checks on mjVERSION_HEADER, whose format changed after 3.4.0
   (340) to 3005000 for 3.5.0 (still increasing):
   - the model sizes (nq, nv, nu, ...) are int before 3.5.0 and mjtSize
     (64-bit) from it: es__mj_size is whichever the headers use;
   - embedded models go into the virtual file system with
     mj_makeEmptyFileVFS before 3.1.3 and mj_addBufferVFS from it (see
     es__mj_load_text). */
#if mjVERSION_HEADER >= 3005000
typedef mjtSize es__mj_size;
#else
typedef int es__mj_size;
#endif

/* ---- the models ------------------------------------------------------ */
/* Our own MJCF for each task (same bodies, masses, sizes, joints, ranges,
   gears and options as Gymnasium's assets). Each text is a list of pieces,
   every piece shorter than the 4095 characters C99 promises per literal. */

#define ES__MJ_VISUAL \
    "<asset>" \
    "<texture name='sky' type='skybox' builtin='gradient' rgb1='.4 .5 .6' rgb2='0 0 0' width='64' height='64'/>" \
    "<texture name='grid' type='2d' builtin='checker' rgb1='.1 .1 .1' rgb2='.8 .8 .8' width='64' height='64'/>" \
    "<material name='ground' texture='grid' texrepeat='40 40' reflectance='.3'/>" \
    "</asset>"

static const char *const es__mj_half_cheetah[] = {
    "<mujoco model='half_cheetah'>"
    "<compiler angle='radian' inertiafromgeom='true' settotalmass='14'/>"
    "<option timestep='0.01' gravity='0 0 -9.81'/>"
    "<size nstack='300000' nuser_geom='1'/>"
    "<default>"
    "<joint limited='true' armature='0.1' damping='0.01' stiffness='8' solreflimit='0.02 1' solimplimit='0 0.8 0.03'/>"
    "<geom type='capsule' contype='1' conaffinity='0' condim='3' friction='0.4 0.1 0.1'"
    " solref='0.02 1' solimp='0 0.8 0.01' rgba='.8 .6 .4 1'/>"
    "<motor ctrllimited='true' ctrlrange='-1 1'/>"
    "<default class='root'><joint limited='false' armature='0' damping='0' stiffness='0'/></default>"
    "<default class='shin'><geom rgba='.9 .6 .6 1'/></default>"
    "</default>"
    ES__MJ_VISUAL
    "<worldbody>"
    "<light directional='true' pos='0 0 1.3' dir='0 0 -1.3' diffuse='1 1 1' specular='.1 .1 .1'/>"
    "<geom name='floor' type='plane' size='40 40 40' conaffinity='1' material='ground' rgba='0.8 0.9 0.8 1'/>"
    "<body name='torso' pos='0 0 0.7'>"
    "<camera name='track' mode='trackcom' pos='0 -3 0.3' xyaxes='1 0 0 0 0 1'/>"
    "<joint name='rootx' class='root' type='slide' axis='1 0 0'/>"
    "<joint name='rootz' class='root' type='slide' axis='0 0 1'/>"
    "<joint name='rooty' class='root' type='hinge' axis='0 1 0'/>"
    "<geom name='torso' fromto='-0.5 0 0 0.5 0 0' size='0.046'/>"
    "<geom name='head' pos='0.6 0 0.1' axisangle='0 1 0 0.87' size='0.046 0.15'/>"
    "<body name='bthigh' pos='-0.5 0 0'>"
    "<joint name='bthigh' axis='0 1 0' range='-0.52 1.05' stiffness='240' damping='6'/>"
    "<geom name='bthigh' pos='0.1 0 -0.13' axisangle='0 1 0 -3.8' size='0.046 0.145'/>"
    "<body name='bshin' pos='0.16 0 -0.25'>"
    "<joint name='bshin' axis='0 1 0' range='-0.785 0.785' stiffness='180' damping='4.5'/>"
    "<geom name='bshin' class='shin' pos='-0.14 0 -0.07' axisangle='0 1 0 -2.03' size='0.046 0.15'/>"
    "<body name='bfoot' pos='-0.28 0 -0.14'>"
    "<joint name='bfoot' axis='0 1 0' range='-0.4 0.785' stiffness='120' damping='3'/>"
    "<geom name='bfoot' class='shin' pos='0.03 0 -0.097' axisangle='0 1 0 -0.27' size='0.046 0.094'/>"
    "</body></body></body>"
    "<body name='fthigh' pos='0.5 0 0'>"
    "<joint name='fthigh' axis='0 1 0' range='-1 0.7' stiffness='180' damping='4.5'/>"
    "<geom name='fthigh' pos='-0.07 0 -0.12' axisangle='0 1 0 0.52' size='0.046 0.133'/>"
    "<body name='fshin' pos='-0.14 0 -0.24'>"
    "<joint name='fshin' axis='0 1 0' range='-1.2 0.87' stiffness='120' damping='3'/>"
    "<geom name='fshin' class='shin' pos='0.065 0 -0.09' axisangle='0 1 0 -0.6' size='0.046 0.106'/>"
    "<body name='ffoot' pos='0.13 0 -0.18'>"
    "<joint name='ffoot' axis='0 1 0' range='-0.5 0.5' stiffness='60' damping='1.5'/>"
    "<geom name='ffoot' class='shin' pos='0.045 0 -0.07' axisangle='0 1 0 -0.6' size='0.046 0.07'/>"
    "</body></body></body>"
    "</body>"
    "</worldbody>"
    "<actuator>"
    "<motor name='bthigh' joint='bthigh' gear='120'/>"
    "<motor name='bshin' joint='bshin' gear='90'/>"
    "<motor name='bfoot' joint='bfoot' gear='60'/>"
    "<motor name='fthigh' joint='fthigh' gear='120'/>"
    "<motor name='fshin' joint='fshin' gear='60'/>"
    "<motor name='ffoot' joint='ffoot' gear='30'/>"
    "</actuator>"
    "</mujoco>",
    NULL
};

/* Hopper-v5 and Walker2d-v5 share the planar root: slide x, slide z (ref
   1.25, so qpos[1] is the torso height), hinge y. */
#define ES__MJ_PLANAR_ROOT \
    "<joint name='rootx' type='slide' axis='1 0 0' pos='0 0 -1.25' limited='false' armature='0' damping='0' stiffness='0'/>" \
    "<joint name='rootz' type='slide' axis='0 0 1' pos='0 0 -1.25' ref='1.25' limited='false' armature='0' damping='0' stiffness='0'/>" \
    "<joint name='rooty' type='hinge' axis='0 1 0' pos='0 0 0' limited='false' armature='0' damping='0' stiffness='0'/>"

static const char *const es__mj_hopper[] = {
    "<mujoco model='hopper'>"
    "<compiler angle='degree' inertiafromgeom='true'/>"
    "<option timestep='0.002' integrator='RK4'/>"
    "<visual><map znear='0.02'/></visual>"
    "<default>"
    "<joint limited='true' armature='1' damping='1'/>"
    "<geom type='capsule' contype='1' conaffinity='1' condim='1' margin='0.001' solref='0.02 1' solimp='0.8 0.8 0.01' rgba='.8 .6 .4 1'/>"
    "<motor ctrllimited='true' ctrlrange='-0.4 0.4'/>"
    "</default>"
    ES__MJ_VISUAL
    "<worldbody>"
    "<light directional='true' pos='0 0 1.3' dir='0 0 -1.3' diffuse='1 1 1' specular='.1 .1 .1'/>"
    "<geom name='floor' type='plane' size='20 20 0.125' condim='3' material='ground' rgba='0.8 0.9 0.8 1'/>"
    "<body name='torso' pos='0 0 1.25'>"
    "<camera name='track' mode='trackcom' pos='0 -3 -0.25' xyaxes='1 0 0 0 0 1'/>"
    ES__MJ_PLANAR_ROOT
    "<geom name='torso_geom' size='0.05 0.19999999999999996' friction='0.9'/>"
    "<body name='thigh' pos='0 0 -0.19999999999999996'>"
    "<joint name='thigh_joint' type='hinge' axis='0 -1 0' pos='0 0 0' range='-150 0'/>"
    "<geom name='thigh_geom' pos='0 0 -0.2250000000000001' size='0.05 0.22500000000000003' friction='0.9'/>"
    "<body name='leg' pos='0 0 -0.7000000000000001'>"
    "<joint name='leg_joint' type='hinge' axis='0 -1 0' pos='0 0 0.25' range='-150 0'/>"
    "<geom name='leg_geom' size='0.04 0.25' friction='0.9'/>"
    "<body name='foot' pos='0.13 0 -0.35'>"
    "<joint name='foot_joint' type='hinge' axis='0 -1 0' pos='-0.13 0 0.1' range='-45 45'/>"
    "<geom name='foot_geom' pos='-0.065 0 0.1' quat='0.7071067811865476 0 -0.7071067811865475 0' size='0.06 0.195' friction='2'/>"
    "</body></body></body>"
    "</body>"
    "</worldbody>"
    "<actuator>"
    "<motor joint='thigh_joint' gear='200' ctrlrange='-1 1'/>"
    "<motor joint='leg_joint' gear='200' ctrlrange='-1 1'/>"
    "<motor joint='foot_joint' gear='200' ctrlrange='-1 1'/>"
    "</actuator>"
    "</mujoco>",
    NULL
};

/* One leg of the walker; the left one differs only in names and colour. */
#define ES__MJ_WALKER_LEG(S, RGBA) \
    "<body name='thigh" S "' pos='0 0 -0.19999999999999996'>" \
    "<joint name='thigh" S "_joint' type='hinge' axis='0 -1 0' pos='0 0 0' range='-150 0'/>" \
    "<geom name='thigh" S "_geom' pos='0 0 -0.2250000000000001' size='0.05 0.22500000000000003' friction='0.9'" RGBA "/>" \
    "<body name='leg" S "' pos='0 0 -0.7000000000000001'>" \
    "<joint name='leg" S "_joint' type='hinge' axis='0 -1 0' pos='0 0 0.25' range='-150 0'/>" \
    "<geom name='leg" S "_geom' size='0.04 0.25' friction='0.9'" RGBA "/>" \
    "<body name='foot" S "' pos='0.2 0 -0.35'>" \
    "<joint name='foot" S "_joint' type='hinge' axis='0 -1 0' pos='-0.2 0 0.1' range='-45 45'/>" \
    "<geom name='foot" S "_geom' pos='-0.1 0 0.1' quat='0.7071067811865476 0 -0.7071067811865475 0' size='0.06 0.1' friction='1.9'" RGBA "/>" \
    "</body></body></body>"

static const char *const es__mj_walker2d[] = {
    "<mujoco model='walker2d'>"
    "<compiler angle='degree' inertiafromgeom='true'/>"
    "<option timestep='0.002' integrator='RK4'/>"
    "<default>"
    "<joint limited='true' armature='0.01' damping='0.1'/>"
    "<geom type='capsule' contype='1' conaffinity='0' condim='3' density='1000' friction='0.7 0.1 0.1' rgba='.8 .6 .4 1'/>"
    "<motor ctrllimited='true' ctrlrange='-1 1'/>"
    "</default>"
    ES__MJ_VISUAL
    "<worldbody>"
    "<light directional='true' pos='0 0 1.3' dir='0 0 -1.3' diffuse='1 1 1' specular='.1 .1 .1'/>"
    "<geom name='floor' type='plane' size='40 40 40' conaffinity='1' material='ground' rgba='0.8 0.9 0.8 1'/>"
    "<body name='torso' pos='0 0 1.25'>"
    "<camera name='track' mode='trackcom' pos='0 -3 -0.25' xyaxes='1 0 0 0 0 1'/>"
    ES__MJ_PLANAR_ROOT
    "<geom name='torso_geom' size='0.05 0.19999999999999996' friction='0.9'/>"
    ES__MJ_WALKER_LEG("", "")
    ES__MJ_WALKER_LEG("_left", " rgba='.7 .3 .6 1'")
    "</body>"
    "</worldbody>"
    "<actuator>"
    "<motor joint='thigh_joint' gear='100'/>"
    "<motor joint='leg_joint' gear='100'/>"
    "<motor joint='foot_joint' gear='100'/>"
    "<motor joint='thigh_left_joint' gear='100'/>"
    "<motor joint='leg_left_joint' gear='100'/>"
    "<motor joint='foot_left_joint' gear='100'/>"
    "</actuator>"
    "</mujoco>",
    NULL
};

/* One ant leg: hip body at (X, Y), ankle body twice as far along the same
   diagonal, foot segment of twice that length. */
#define ES__MJ_ANT_LEG(BODY, N, X, Y, X2, Y2, ANKLE_AXIS, ANKLE_RANGE) \
    "<body name='" BODY "' pos='0 0 0'>" \
    "<geom name='aux_" N "_geom' fromto='0 0 0 " X " " Y " 0'/>" \
    "<body name='aux_" N "' pos='" X " " Y " 0'>" \
    "<joint name='hip_" N "' type='hinge' axis='0 0 1' pos='0 0 0' range='-30 30'/>" \
    "<geom name='leg_" N "_geom' fromto='0 0 0 " X " " Y " 0'/>" \
    "<body pos='" X " " Y " 0'>" \
    "<joint name='ankle_" N "' type='hinge' axis='" ANKLE_AXIS "' pos='0 0 0' range='" ANKLE_RANGE "'/>" \
    "<geom name='ankle_" N "_geom' fromto='0 0 0 " X2 " " Y2 " 0'/>" \
    "</body></body></body>"

static const char *const es__mj_ant[] = {
    "<mujoco model='ant'>"
    "<compiler angle='degree' inertiafromgeom='true'/>"
    "<option timestep='0.01' integrator='RK4'/>"
    "<default>"
    "<joint limited='true' armature='1' damping='1'/>"
    "<geom type='capsule' size='0.08' contype='1' conaffinity='0' condim='3' density='5' friction='1 0.5 0.5' margin='0.01' rgba='.8 .6 .4 1'/>"
    "</default>"
    ES__MJ_VISUAL
    "<worldbody>"
    "<light directional='true' pos='0 0 1.3' dir='0 0 -1.3' diffuse='1 1 1' specular='.1 .1 .1'/>"
    "<geom name='floor' type='plane' size='40 40 40' conaffinity='1' material='ground' rgba='0.8 0.9 0.8 1'/>"
    "<body name='torso' pos='0 0 0.75'>"
    "<camera name='track' mode='trackcom' pos='0 -3 0.3' xyaxes='1 0 0 0 0 1'/>"
    "<geom name='torso_geom' type='sphere' size='0.25' pos='0 0 0'/>"
    "<joint name='root' type='free' pos='0 0 0' limited='false' armature='0' damping='0' margin='0.01'/>"
    ES__MJ_ANT_LEG("front_left_leg", "1", "0.2", "0.2", "0.4", "0.4", "-1 1 0", "30 70")
    ES__MJ_ANT_LEG("front_right_leg", "2", "-0.2", "0.2", "-0.4", "0.4", "1 1 0", "-70 -30")
    ES__MJ_ANT_LEG("back_leg", "3", "-0.2", "-0.2", "-0.4", "-0.4", "-1 1 0", "-70 -30")
    ES__MJ_ANT_LEG("right_back_leg", "4", "0.2", "-0.2", "0.4", "-0.4", "1 1 0", "30 70")
    "</body>"
    "</worldbody>"
    "<actuator>"
    "<motor joint='hip_4' gear='150' ctrllimited='true' ctrlrange='-1 1'/>"
    "<motor joint='ankle_4' gear='150' ctrllimited='true' ctrlrange='-1 1'/>"
    "<motor joint='hip_1' gear='150' ctrllimited='true' ctrlrange='-1 1'/>"
    "<motor joint='ankle_1' gear='150' ctrllimited='true' ctrlrange='-1 1'/>"
    "<motor joint='hip_2' gear='150' ctrllimited='true' ctrlrange='-1 1'/>"
    "<motor joint='ankle_2' gear='150' ctrllimited='true' ctrlrange='-1 1'/>"
    "<motor joint='hip_3' gear='150' ctrllimited='true' ctrlrange='-1 1'/>"
    "<motor joint='ankle_3' gear='150' ctrllimited='true' ctrlrange='-1 1'/>"
    "</actuator>"
    "</mujoco>",
    NULL
};

static const char *const es__mj_swimmer[] = {
    "<mujoco model='swimmer'>"
    "<compiler angle='degree' inertiafromgeom='true'/>"
    "<option timestep='0.01' integrator='RK4' density='4000' viscosity='0.1'/>"
    "<default>"
    "<joint armature='0.1'/>"
    "<geom type='capsule' size='0.1' density='1000' contype='0' conaffinity='0' condim='1' rgba='.8 .6 .4 1'/>"
    "<motor ctrllimited='true' ctrlrange='-1 1' gear='150'/>"
    "</default>"
    ES__MJ_VISUAL
    "<worldbody>"
    "<light directional='true' pos='0 0 1.3' dir='0 0 -1.3' diffuse='1 1 1' specular='.1 .1 .1'/>"
    "<geom name='floor' type='plane' pos='0 0 -0.1' size='40 40 0.1' condim='3' material='ground' rgba='0.8 0.9 0.8 1'/>"
    "<body name='torso' pos='0 0 0'>"
    "<camera name='track' mode='trackcom' pos='0 -3 3' xyaxes='1 0 0 0 1 1'/>"
    "<geom fromto='1.5 0 0 0.5 0 0'/>"
    "<joint name='slider1' type='slide' axis='1 0 0' pos='0 0 0'/>"
    "<joint name='slider2' type='slide' axis='0 1 0' pos='0 0 0'/>"
    "<joint name='free_body_rot' type='hinge' axis='0 0 1' pos='0 0 0'/>"
    "<body name='mid' pos='0.5 0 0'>"
    "<geom fromto='0 0 0 -1 0 0'/>"
    "<joint name='motor1_rot' type='hinge' axis='0 0 1' pos='0 0 0' limited='true' range='-100 100'/>"
    "<body name='back' pos='-1 0 0'>"
    "<geom fromto='0 0 0 -1 0 0'/>"
    "<joint name='motor2_rot' type='hinge' axis='0 0 1' pos='0 0 0' limited='true' range='-100 100'/>"
    "</body></body></body>"
    "</worldbody>"
    "<actuator>"
    "<motor joint='motor1_rot'/>"
    "<motor joint='motor2_rot'/>"
    "</actuator>"
    "</mujoco>",
    NULL
};

/* Humanoid-v5. One leg and one arm are macros over the mirrored numbers. */
#define ES__MJ_HUMANOID_LEG(S, Y, HX_AXIS, HZ_AXIS, HY_ARM, THIGH_Y, SHIN_Y, KNEE_EXTRA) \
    "<body name='" S "_thigh' pos='0 " Y " -0.04'>" \
    "<joint name='" S "_hip_x' type='hinge' axis='" HX_AXIS "' pos='0 0 0' range='-25 5' armature='0.01' damping='5' stiffness='10'/>" \
    "<joint name='" S "_hip_z' type='hinge' axis='" HZ_AXIS "' pos='0 0 0' range='-60 35' armature='0.01' damping='5' stiffness='10'/>" \
    "<joint name='" S "_hip_y' type='hinge' axis='0 1 0' pos='0 0 0' range='-110 20' armature='" HY_ARM "' damping='5' stiffness='20'/>" \
    "<geom name='" S "_thigh1' fromto='0 0 0 0 " THIGH_Y " -0.34' size='0.06'/>" \
    "<body name='" S "_shin' pos='0 " SHIN_Y " -0.403'>" \
    "<joint name='" S "_knee' type='hinge' axis='0 -1 0' pos='0 0 0.02' range='-160 -2' armature='0.006'" KNEE_EXTRA "/>" \
    "<geom name='" S "_shin1' fromto='0 0 0 0 0 -0.3' size='0.049'/>" \
    "<body name='" S "_foot' pos='0 0 -0.45'>" \
    "<geom name='" S "_foot' type='sphere' pos='0 0 0.1' size='0.075'/>" \
    "</body></body></body>"

#define ES__MJ_HUMANOID_ARM(S, Y, S1_AXIS, S2_AXIS, UARM_TO, LARM_POS, ELBOW_AXIS, LARM_FROMTO, HAND_POS, S1_RANGE, EXTRA) \
    "<body name='" S "_upper_arm' pos='0 " Y " 0.06'>" \
    "<joint name='" S "_shoulder1' type='hinge' axis='" S1_AXIS "' pos='0 0 0' range='" S1_RANGE "' armature='0.0068' stiffness='1'/>" \
    "<joint name='" S "_shoulder2' type='hinge' axis='" S2_AXIS "' pos='0 0 0' range='" S1_RANGE "' armature='0.0051' stiffness='1'/>" \
    "<geom name='" S "_uarm1' fromto='0 0 0 " UARM_TO "' size='0.04 0.16'/>" \
    "<body name='" S "_lower_arm' pos='" LARM_POS "'>" \
    "<joint name='" S "_elbow' type='hinge' axis='" ELBOW_AXIS "' pos='0 0 0' range='-90 50' armature='0.0028' stiffness='0'/>" \
    "<geom name='" S "_larm' fromto='" LARM_FROMTO "' size='0.031'/>" \
    "<geom name='" S "_hand' type='sphere' pos='" HAND_POS "' size='0.04'/>" \
    EXTRA \
    "</body></body>"

static const char *const es__mj_humanoid[] = {
    "<mujoco model='humanoid'>"
    "<compiler angle='degree' inertiafromgeom='true'/>"
    "<option timestep='0.003' integrator='RK4' solver='PGS' iterations='50'/>"
    "<visual><map fogstart='3' fogend='5'/></visual>"
    "<default>"
    "<joint limited='true' armature='1' damping='1'/>"
    "<geom type='capsule' contype='1' conaffinity='1' condim='1' margin='0.001' rgba='.8 .6 .4 1'/>"
    "<motor ctrllimited='true' ctrlrange='-0.4 0.4'/>"
    "</default>"
    ES__MJ_VISUAL
    "<worldbody>"
    "<light directional='true' pos='0 0 1.3' dir='0 0 -1.3' diffuse='1 1 1' specular='.1 .1 .1'/>"
    "<geom name='floor' type='plane' size='20 20 0.125' condim='3' friction='1 0.1 0.1' material='ground' rgba='0.8 0.9 0.8 1'/>"
    "<body name='torso' pos='0 0 1.4'>"
    "<camera name='track' mode='trackcom' pos='0 -4 0' xyaxes='1 0 0 0 0 1'/>"
    "<joint name='root' type='free' pos='0 0 0' limited='false' armature='0' damping='0' stiffness='0'/>"
    "<geom name='torso1' fromto='0 -0.07 0 0 0.07 0' size='0.07'/>"
    "<geom name='head' type='sphere' pos='0 0 0.19' size='0.09'/>"
    "<geom name='uwaist' fromto='-0.01 -0.06 -0.12 -0.01 0.06 -0.12' size='0.06'/>"
    "<body name='lwaist' pos='-0.01 0 -0.26' quat='1 0 -0.002 0'>"
    "<geom name='lwaist' fromto='0 -0.06 0 0 0.06 0' size='0.06'/>"
    "<joint name='abdomen_z' type='hinge' axis='0 0 1' pos='0 0 0.065' range='-45 45' armature='0.02' damping='5' stiffness='20'/>"
    "<joint name='abdomen_y' type='hinge' axis='0 1 0' pos='0 0 0.065' range='-75 30' armature='0.02' damping='5' stiffness='10'/>"
    "<body name='pelvis' pos='0 0 -0.165' quat='1 0 -0.002 0'>"
    "<joint name='abdomen_x' type='hinge' axis='1 0 0' pos='0 0 0.1' range='-35 35' armature='0.02' damping='5' stiffness='10'/>"
    "<geom name='butt' fromto='-0.02 -0.07 0 -0.02 0.07 0' size='0.09'/>",
    ES__MJ_HUMANOID_LEG("right", "-0.1", "1 0 0", "0 0 1", "0.008", "0.01", "0.01", "")
    ES__MJ_HUMANOID_LEG("left", "0.1", "-1 0 0", "0 0 -1", "0.01", "-0.01", "-0.01", " stiffness='1'")
    "</body></body>",
    ES__MJ_HUMANOID_ARM("right", "-0.17", "2 1 1", "0 -1 1", "0.16 -0.16 -0.16", "0.18 -0.18 -0.18", "0 -1 1",
                        "0.01 0.01 0.01 0.17 0.17 0.17", "0.18 0.18 0.18", "-85 60", "<camera pos='0 0 0'/>")
    ES__MJ_HUMANOID_ARM("left", "0.17", "2 -1 1", "0 1 1", "0.16 0.16 -0.16", "0.18 0.18 -0.18", "0 -1 -1",
                        "0.01 -0.01 0.01 0.17 -0.17 0.17", "0.18 -0.18 0.18", "-60 85", "")
    "</body>"
    "</worldbody>"
    "<tendon>"
    "<fixed name='left_hipknee'><joint joint='left_hip_y' coef='-1'/><joint joint='left_knee' coef='1'/></fixed>"
    "<fixed name='right_hipknee'><joint joint='right_hip_y' coef='-1'/><joint joint='right_knee' coef='1'/></fixed>"
    "</tendon>"
    "<actuator>"
    "<motor name='abdomen_y' joint='abdomen_y' gear='100'/>"
    "<motor name='abdomen_z' joint='abdomen_z' gear='100'/>"
    "<motor name='abdomen_x' joint='abdomen_x' gear='100'/>"
    "<motor name='right_hip_x' joint='right_hip_x' gear='100'/>"
    "<motor name='right_hip_z' joint='right_hip_z' gear='100'/>"
    "<motor name='right_hip_y' joint='right_hip_y' gear='300'/>"
    "<motor name='right_knee' joint='right_knee' gear='200'/>"
    "<motor name='left_hip_x' joint='left_hip_x' gear='100'/>"
    "<motor name='left_hip_z' joint='left_hip_z' gear='100'/>"
    "<motor name='left_hip_y' joint='left_hip_y' gear='300'/>"
    "<motor name='left_knee' joint='left_knee' gear='200'/>"
    "<motor name='right_shoulder1' joint='right_shoulder1' gear='25'/>"
    "<motor name='right_shoulder2' joint='right_shoulder2' gear='25'/>"
    "<motor name='right_elbow' joint='right_elbow' gear='25'/>"
    "<motor name='left_shoulder1' joint='left_shoulder1' gear='25'/>"
    "<motor name='left_shoulder2' joint='left_shoulder2' gear='25'/>"
    "<motor name='left_elbow' joint='left_elbow' gear='25'/>"
    "</actuator>"
    "</mujoco>",
    NULL
};

/* The cart of both pendulums: a rail along x and a capsule cart on it. */
#define ES__MJ_RAIL_AND_CART_GEOMS \
    "<geom name='rail' type='capsule' pos='0 0 0' quat='0.707 0 0.707 0' size='0.02 1' rgba='.3 .3 .7 1'/>"
#define ES__MJ_CART_GEOM \
    "<geom name='cart' type='capsule' pos='0 0 0' quat='0.707 0 0.707 0' size='0.1 0.1'/>"

static const char *const es__mj_inverted_pendulum[] = {
    "<mujoco model='inverted_pendulum'>"
    "<compiler angle='degree' inertiafromgeom='true'/>"
    "<option timestep='0.02' integrator='RK4' gravity='0 0 -9.81'/>"
    "<size nstack='3000'/>"
    "<default>"
    "<joint limited='true' armature='0' damping='1'/>"
    "<geom contype='0' friction='1 0.1 0.1' rgba='.7 .7 0 1'/>"
    "<motor ctrllimited='true' ctrlrange='-3 3'/>"
    "</default>"
    ES__MJ_VISUAL
    "<worldbody>"
    "<light directional='true' pos='0 0 3' dir='0 0 -1' diffuse='1 1 1'/>"
    ES__MJ_RAIL_AND_CART_GEOMS
    "<body name='cart' pos='0 0 0'>"
    "<joint name='slider' type='slide' axis='1 0 0' pos='0 0 0' range='-1 1'/>"
    ES__MJ_CART_GEOM
    "<body name='pole' pos='0 0 0'>"
    "<joint name='hinge' type='hinge' axis='0 1 0' pos='0 0 0' range='-90 90'/>"
    "<geom name='cpole' type='capsule' fromto='0 0 0 0.001 0 0.6' size='0.049 0.3' rgba='0 .7 .7 1'/>"
    "</body></body>"
    "</worldbody>"
    "<actuator><motor name='slide' joint='slider' gear='100'/></actuator>"
    "</mujoco>",
    NULL
};

static const char *const es__mj_inverted_double_pendulum[] = {
    "<mujoco model='inverted_double_pendulum'>"
    "<compiler angle='degree' inertiafromgeom='true'/>"
    "<option timestep='0.01' integrator='RK4' gravity='1e-5 0 -9.81'/>"
    "<size nstack='3000'/>"
    "<default>"
    "<joint damping='0.05'/>"
    "<geom contype='0' friction='1 0.1 0.1' rgba='.7 .7 0 1'/>"
    "</default>"
    ES__MJ_VISUAL
    "<worldbody>"
    "<light directional='true' pos='0 0 3' dir='0 0 -1' diffuse='1 1 1'/>"
    "<geom name='floor' type='plane' pos='0 0 -3' size='40 40 40' material='ground' rgba='0.8 0.9 0.8 1'/>"
    ES__MJ_RAIL_AND_CART_GEOMS
    "<body name='cart' pos='0 0 0'>"
    "<joint name='slider' type='slide' axis='1 0 0' pos='0 0 0' limited='true' range='-1 1' margin='0.01'/>"
    ES__MJ_CART_GEOM
    "<body name='pole' pos='0 0 0'>"
    "<joint name='hinge' type='hinge' axis='0 1 0' pos='0 0 0'/>"
    "<geom name='cpole' type='capsule' fromto='0 0 0 0 0 0.6' size='0.045 0.3' rgba='0 .7 .7 1'/>"
    "<body name='pole2' pos='0 0 0.6'>"
    "<joint name='hinge2' type='hinge' axis='0 1 0' pos='0 0 0'/>"
    "<geom name='cpole2' type='capsule' fromto='0 0 0 0 0 0.6' size='0.045 0.3' rgba='0 .7 .7 1'/>"
    "<site name='tip' pos='0 0 0.6' size='0.01 0.01'/>"
    "</body></body></body>"
    "</worldbody>"
    "<actuator><motor name='slide' joint='slider' gear='500' ctrllimited='true' ctrlrange='-1 1'/></actuator>"
    "</mujoco>",
    NULL
};

#define ES__MJ_REACHER_WALL(NAME, FROMTO) \
    "<geom name='" NAME "' type='capsule' conaffinity='0' fromto='" FROMTO "' size='0.02' rgba='.9 .4 .6 1'/>"

static const char *const es__mj_reacher[] = {
    "<mujoco model='reacher'>"
    "<compiler angle='radian' inertiafromgeom='true'/>"
    "<option timestep='0.01' integrator='RK4' gravity='0 0 -9.81'/>"
    "<default>"
    "<joint limited='true' armature='1' damping='1'/>"
    "<geom contype='0' friction='1 0.1 0.1' rgba='.7 .7 0 1'/>"
    "<motor ctrllimited='true' ctrlrange='-1 1' gear='200'/>"
    "</default>"
    "<worldbody>"
    "<light directional='true' pos='0 0 3' dir='0 0 -1' diffuse='1 1 1'/>"
    "<geom name='ground' type='plane' pos='0 0 0' size='1 1 10' contype='0' conaffinity='0' rgba='.9 .9 .9 1'/>"
    ES__MJ_REACHER_WALL("sideS", "-0.3 -0.3 0.01 0.3 -0.3 0.01")
    ES__MJ_REACHER_WALL("sideE", "0.3 -0.3 0.01 0.3 0.3 0.01")
    ES__MJ_REACHER_WALL("sideN", "-0.3 0.3 0.01 0.3 0.3 0.01")
    ES__MJ_REACHER_WALL("sideW", "-0.3 -0.3 0.01 -0.3 0.3 0.01")
    "<geom name='root' type='cylinder' fromto='0 0 0 0 0 0.02' size='0.011' contype='0' conaffinity='0' rgba='.9 .4 .6 1'/>"
    "<body name='body0' pos='0 0 0.01'>"
    "<geom name='link0' type='capsule' fromto='0 0 0 0.1 0 0' size='0.01' rgba='0 .4 .6 1'/>"
    "<joint name='joint0' type='hinge' axis='0 0 1' pos='0 0 0' limited='false'/>"
    "<body name='body1' pos='0.1 0 0'>"
    "<joint name='joint1' type='hinge' axis='0 0 1' pos='0 0 0' range='-3 3'/>"
    "<geom name='link1' type='capsule' fromto='0 0 0 0.1 0 0' size='0.01' rgba='0 .4 .6 1'/>"
    "<body name='fingertip' pos='0.11 0 0'>"
    "<geom name='fingertip' type='sphere' pos='0 0 0' size='0.01' rgba='0 .8 .6 1'/>"
    "</body></body></body>"
    "<body name='target' pos='0.1 -0.1 0.01'>"
    "<joint name='target_x' type='slide' axis='1 0 0' pos='0 0 0' range='-0.27 0.27' ref='0.1' armature='0' damping='0' stiffness='0'/>"
    "<joint name='target_y' type='slide' axis='0 1 0' pos='0 0 0' range='-0.27 0.27' ref='-0.1' armature='0' damping='0' stiffness='0'/>"
    "<geom name='target' type='sphere' pos='0 0 0' size='0.009' contype='0' conaffinity='0' rgba='.9 .2 .2 1'/>"
    "</body>"
    "</worldbody>"
    "<actuator><motor joint='joint0'/><motor joint='joint1'/></actuator>"
    "</mujoco>",
    NULL
};

/* ---- per-env state ---------------------------------------------------- */

typedef struct es__mj_env {
    const es_mujoco *mj;
    mjData *d;
    double *qpos_before;         /* nq doubles, right after this struct */
    double x_before;             /* the task's forward coordinate before the step */
    int ready;                   /* reset has run */
    int failed;                  /* the episode failed; steps repeat it until reset */
} es__mj_env;

struct es__mj_task;
typedef struct es__mj_task {
    const char *name;
    const char *file;            /* name inside the virtual file system */
    const char *const *xml;
    int frame_skip, max_steps, obs_dim, act_dim;
    float act_low, act_high;
    double qpos_noise, qvel_noise;   /* qpos0 + U(+-qpos_noise); qvel U(+-) or, with qvel_normal, N(0, qvel_noise) */
    int qvel_normal;
    void (*reset)(const struct es__mj_task *t, es__mj_env *e, es_rng *rng);
    void (*observe)(const es__mj_env *e, float *obs);
    /* forward coordinate used for x_vel (NULL: none) */
    double (*forward_x)(const mjModel *m, const mjData *d);
    /* reward of the step just taken; sets *terminated */
    double (*reward)(const es__mj_env *e, const float *act, double x_vel, int *terminated);
} es__mj_task;

/* ---- shared helpers --------------------------------------------------- */

static double es__mj_uniform(es_rng *rng, double lo, double hi)
{
    return lo + (hi - lo) * es_rng_uniform(rng);
}

static void es__mj_noise_uniform(double *x, const double *x0, es__mj_size n, double scale, es_rng *rng)
{
    es__mj_size i;
    for (i = 0; i < n; i++) x[i] = (x0 ? x0[i] : 0.0) + es__mj_uniform(rng, -scale, scale);
}

static void es__mj_noise_normal(double *x, es__mj_size n, double scale, es_rng *rng)
{
    es__mj_size i;
    for (i = 0; i < n; i++) x[i] = scale * es_rng_normal(rng);
}

static int es__mj_finite(const mjtNum *x, es__mj_size n)
{
    es__mj_size i;
    for (i = 0; i < n; i++)
        if (!(x[i] - x[i] == 0.0)) return 0;   /* false for NaN and inf */
    return 1;
}

static int es__mj_finite_f(const float *x, int n)
{
    int i;
    for (i = 0; i < n; i++)
        if (!(x[i] - x[i] == 0.0f)) return 0;
    return 1;
}

static double es__mj_sumsq_act(const float *act, int n)
{
    double s = 0.0;
    int i;
    for (i = 0; i < n; i++) s += (double)act[i] * (double)act[i];
    return s;
}

static float *es__mj_put(float *obs, const mjtNum *x, es__mj_size n)
{
    es__mj_size i;
    for (i = 0; i < n; i++) obs[i] = (float)x[i];
    return obs + n;
}

static float *es__mj_put_clip(float *obs, const mjtNum *x, es__mj_size n, double lim)
{
    es__mj_size i;
    for (i = 0; i < n; i++) {
        double v = x[i];
        obs[i] = (float)(v < -lim ? -lim : v > lim ? lim : v);
    }
    return obs + n;
}

static double es__mj_qpos0_x(const mjModel *m, const mjData *d)
{
    (void)m;
    return d->qpos[0];
}

/* The reset of every locomotion task: qpos noise first, then qvel noise. */
static void es__mj_noise_reset(const es__mj_task *t, es__mj_env *e, es_rng *rng)
{
    const mjModel *m = e->mj->model;
    es__mj_noise_uniform(e->d->qpos, m->qpos0, m->nq, t->qpos_noise, rng);
    if (t->qvel_normal) es__mj_noise_normal(e->d->qvel, m->nv, t->qvel_noise, rng);
    else es__mj_noise_uniform(e->d->qvel, NULL, m->nv, t->qvel_noise, rng);
}

/* ---- HalfCheetah-v5 ---------------------------------------------------
   obs (17): qpos[1:9], qvel[0:9]. reward: x_vel - 0.1 sum(a^2), x_vel from
   qpos[0]. Never terminates. Reset: qpos0 + U(+-0.1), qvel 0.1 N(0,1). */

static void es__mj_cheetah_observe(const es__mj_env *e, float *obs)
{
    const mjModel *m = e->mj->model;
    obs = es__mj_put(obs, e->d->qpos + 1, m->nq - 1);
    es__mj_put(obs, e->d->qvel, m->nv);
}

static double es__mj_cheetah_reward(const es__mj_env *e, const float *act, double x_vel, int *terminated)
{
    *terminated = 0;
    return x_vel - 0.1 * es__mj_sumsq_act(act, e->mj->act_dim);
}

/* ---- Hopper-v5, Walker2d-v5 -------------------------------------------
   obs: qpos[1:], clip(qvel, +-10). reward: x_vel (qpos[0]) + 1 while
   healthy - 1e-3 sum(a^2); terminates when unhealthy. Healthy (strict
   bounds): Hopper: qpos[1] > 0.7, |qpos[2]| < 0.2, every qpos[2:] and qvel
   in (-100, 100); Walker2d: 0.8 < qpos[1] < 2, -1 < qpos[2] < 1. Reset:
   qpos0 + U(+-5e-3), qvel U(+-5e-3). */

static void es__mj_planar_observe(const es__mj_env *e, float *obs)
{
    const mjModel *m = e->mj->model;
    obs = es__mj_put(obs, e->d->qpos + 1, m->nq - 1);
    es__mj_put_clip(obs, e->d->qvel, m->nv, 10.0);
}

static double es__mj_hopper_reward(const es__mj_env *e, const float *act, double x_vel, int *terminated)
{
    const mjModel *m = e->mj->model;
    const mjtNum *q = e->d->qpos, *v = e->d->qvel;
    int i, healthy = q[1] > 0.7 && q[2] > -0.2 && q[2] < 0.2;
    for (i = 2; i < m->nq; i++) healthy = healthy && q[i] > -100.0 && q[i] < 100.0;
    for (i = 0; i < m->nv; i++) healthy = healthy && v[i] > -100.0 && v[i] < 100.0;
    *terminated = !healthy;
    return x_vel + (healthy ? 1.0 : 0.0) - 1e-3 * es__mj_sumsq_act(act, e->mj->act_dim);
}

static double es__mj_walker_reward(const es__mj_env *e, const float *act, double x_vel, int *terminated)
{
    const mjtNum *q = e->d->qpos;
    int healthy = q[1] > 0.8 && q[1] < 2.0 && q[2] > -1.0 && q[2] < 1.0;
    *terminated = !healthy;
    return x_vel + (healthy ? 1.0 : 0.0) - 1e-3 * es__mj_sumsq_act(act, e->mj->act_dim);
}

/* ---- Ant-v5 ------------------------------------------------------------
   obs (105): qpos[2:] (13), qvel (14), clip(cfrc_ext[1:], +-1) (78).
   reward: x_vel of the torso's xpos + 1 while healthy - 0.5 sum(a^2)
   - 5e-4 sum(clip(cfrc_ext[1:])^2); terminates when unhealthy: healthy
   is a finite state with 0.2 <= qpos[2] <= 1. Reset: qpos0 + U(+-0.1),
   qvel 0.1 N(0,1). */

static double es__mj_torso_x(const mjModel *m, const mjData *d)
{
    (void)m;
    return d->xpos[3 * 1 + 0];
}

static void es__mj_ant_observe(const es__mj_env *e, float *obs)
{
    const mjModel *m = e->mj->model;
    obs = es__mj_put(obs, e->d->qpos + 2, m->nq - 2);
    obs = es__mj_put(obs, e->d->qvel, m->nv);
    es__mj_put_clip(obs, e->d->cfrc_ext + 6, 6 * (m->nbody - 1), 1.0);
}

static double es__mj_ant_reward(const es__mj_env *e, const float *act, double x_vel, int *terminated)
{
    const mjModel *m = e->mj->model;
    const mjData *d = e->d;
    double contact = 0.0;
    int i, healthy = es__mj_finite(d->qpos, m->nq) && es__mj_finite(d->qvel, m->nv) &&
                     d->qpos[2] >= 0.2 && d->qpos[2] <= 1.0;
    for (i = 6; i < 6 * m->nbody; i++) {
        double c = d->cfrc_ext[i];
        c = c < -1.0 ? -1.0 : c > 1.0 ? 1.0 : c;
        contact += c * c;
    }
    *terminated = !healthy;
    return x_vel + (healthy ? 1.0 : 0.0) - 0.5 * es__mj_sumsq_act(act, e->mj->act_dim) - 5e-4 * contact;
}

/* ---- Swimmer-v5 ---------------------------------------------------------
   obs (8): qpos[2:], qvel. reward: x_vel (qpos[0]) - 1e-4 sum(a^2). Never
   terminates. Reset: qpos0 + U(+-0.1), qvel U(+-0.1). */

static void es__mj_swimmer_observe(const es__mj_env *e, float *obs)
{
    const mjModel *m = e->mj->model;
    obs = es__mj_put(obs, e->d->qpos + 2, m->nq - 2);
    es__mj_put(obs, e->d->qvel, m->nv);
}

static double es__mj_swimmer_reward(const es__mj_env *e, const float *act, double x_vel, int *terminated)
{
    *terminated = 0;
    return x_vel - 1e-4 * es__mj_sumsq_act(act, e->mj->act_dim);
}

/* ---- Humanoid-v5 ---------------------------------------------------------
   obs (348): qpos[2:] (22), qvel (23), cinert[1:] (130), cvel[1:] (78),
   qfrc_actuator[6:] (17), cfrc_ext[1:] (78). reward: 1.25 x_vel of the
   mass-weighted xipos centre + 5 while healthy - 0.1 sum(a^2)
   - min(5e-7 sum(cfrc_ext^2), 10); terminates when qpos[2] leaves
   (1, 2). Reset: qpos0 + U(+-1e-2), qvel U(+-1e-2). */

static double es__mj_mass_centre_x(const mjModel *m, const mjData *d)
{
    double mx = 0.0, mass = 0.0;
    int b;
    for (b = 0; b < m->nbody; b++) {
        mx += m->body_mass[b] * d->xipos[3 * b];
        mass += m->body_mass[b];
    }
    return mx / mass;
}

static void es__mj_humanoid_observe(const es__mj_env *e, float *obs)
{
    const mjModel *m = e->mj->model;
    const mjData *d = e->d;
    obs = es__mj_put(obs, d->qpos + 2, m->nq - 2);
    obs = es__mj_put(obs, d->qvel, m->nv);
    obs = es__mj_put(obs, d->cinert + 10, 10 * (m->nbody - 1));
    obs = es__mj_put(obs, d->cvel + 6, 6 * (m->nbody - 1));
    obs = es__mj_put(obs, d->qfrc_actuator + 6, m->nv - 6);
    es__mj_put(obs, d->cfrc_ext + 6, 6 * (m->nbody - 1));
}

static double es__mj_humanoid_reward(const es__mj_env *e, const float *act, double x_vel, int *terminated)
{
    const mjModel *m = e->mj->model;
    const mjData *d = e->d;
    double contact = 0.0;
    int i, healthy = d->qpos[2] > 1.0 && d->qpos[2] < 2.0;
    for (i = 0; i < 6 * m->nbody; i++) contact += d->cfrc_ext[i] * d->cfrc_ext[i];
    contact *= 5e-7;
    if (contact > 10.0) contact = 10.0;
    *terminated = !healthy;
    return 1.25 * x_vel + (healthy ? 5.0 : 0.0) - 0.1 * es__mj_sumsq_act(act, e->mj->act_dim) - contact;
}

/* ---- InvertedPendulum-v5 ----------------------------------------------
   obs (4): qpos, qvel. Terminates when the observation is not finite or
   |qpos[1]| > 0.2; reward 1 per step, 0 on the step that terminates (v5).
   Reset: qpos0 + U(+-0.01), qvel U(+-0.01). */

static void es__mj_qpos_qvel_observe(const es__mj_env *e, float *obs)
{
    const mjModel *m = e->mj->model;
    obs = es__mj_put(obs, e->d->qpos, m->nq);
    es__mj_put(obs, e->d->qvel, m->nv);
}

static double es__mj_pendulum_reward(const es__mj_env *e, const float *act, double x_vel, int *terminated)
{
    const mjModel *m = e->mj->model;
    const mjData *d = e->d;
    (void)act;
    (void)x_vel;
    *terminated = !es__mj_finite(d->qpos, m->nq) || !es__mj_finite(d->qvel, m->nv) || fabs(d->qpos[1]) > 0.2;
    return *terminated ? 0.0 : 1.0;
}

/* ---- InvertedDoublePendulum-v5 ------------------------------------------
   obs (9): qpos[0], sin(qpos[1:3]), cos(qpos[1:3]), clip(qvel, +-10),
   clip(qfrc_constraint[0], +-10). With (x, y) the x and z of the tip
   site: terminates when y <= 1; reward 10 (0 on the terminating step)
   - 0.01 x^2 - (y - 2)^2 - 1e-3 qvel[1]^2 - 5e-3 qvel[2]^2.
   Reset: qpos0 + U(+-0.1), qvel 0.1 N(0,1). */

static void es__mj_double_pendulum_observe(const es__mj_env *e, float *obs)
{
    const mjData *d = e->d;
    double c = d->qfrc_constraint[0];
    obs[0] = (float)d->qpos[0];
    obs[1] = (float)sin(d->qpos[1]);
    obs[2] = (float)sin(d->qpos[2]);
    obs[3] = (float)cos(d->qpos[1]);
    obs[4] = (float)cos(d->qpos[2]);
    es__mj_put_clip(obs + 5, d->qvel, 3, 10.0);
    obs[8] = (float)(c < -10.0 ? -10.0 : c > 10.0 ? 10.0 : c);
}

static double es__mj_double_pendulum_reward(const es__mj_env *e, const float *act, double x_vel, int *terminated)
{
    const mjData *d = e->d;
    double x = d->site_xpos[0], y = d->site_xpos[2], v1 = d->qvel[1], v2 = d->qvel[2];
    (void)act;
    (void)x_vel;
    *terminated = y <= 1.0;
    return (*terminated ? 0.0 : 10.0) - (0.01 * x * x + (y - 2.0) * (y - 2.0)) -
           (1e-3 * v1 * v1 + 5e-3 * v2 * v2);
}

/* ---- Reacher-v5 ----------------------------------------------------------
   obs (10): cos(qpos[0:2]), sin(qpos[0:2]), qpos[2:4] (target), qvel[0:2],
   (xpos[fingertip] - xpos[target])[0:2]. reward, after the step (v5):
   -|xpos[fingertip] - xpos[target]| (3-D) - sum(a^2). Never terminates;
   50 steps. Reset: qpos0 + U(+-0.1) on all of qpos; then the target drawn
   as U(+-0.2)^2 pairs until one lies strictly inside the 0.2 disc, written
   to qpos[2:4]; then qvel U(+-0.005) on all of qvel, the target's set to 0. */

#define ES__MJ_FINGERTIP 3   /* body ids in our reacher model */
#define ES__MJ_TARGET 4

static void es__mj_reacher_reset(const es__mj_task *t, es__mj_env *e, es_rng *rng)
{
    const mjModel *m = e->mj->model;
    mjData *d = e->d;
    double gx, gy;
    (void)t;
    es__mj_noise_uniform(d->qpos, m->qpos0, m->nq, 0.1, rng);
    do {
        gx = es__mj_uniform(rng, -0.2, 0.2);
        gy = es__mj_uniform(rng, -0.2, 0.2);
    } while (!(sqrt(gx * gx + gy * gy) < 0.2));
    d->qpos[m->nq - 2] = gx;
    d->qpos[m->nq - 1] = gy;
    es__mj_noise_uniform(d->qvel, NULL, m->nv, 0.005, rng);
    d->qvel[m->nv - 2] = 0.0;
    d->qvel[m->nv - 1] = 0.0;
}

static void es__mj_reacher_observe(const es__mj_env *e, float *obs)
{
    const mjData *d = e->d;
    const mjtNum *f = d->xpos + 3 * ES__MJ_FINGERTIP, *g = d->xpos + 3 * ES__MJ_TARGET;
    obs[0] = (float)cos(d->qpos[0]);
    obs[1] = (float)cos(d->qpos[1]);
    obs[2] = (float)sin(d->qpos[0]);
    obs[3] = (float)sin(d->qpos[1]);
    obs[4] = (float)d->qpos[2];
    obs[5] = (float)d->qpos[3];
    obs[6] = (float)d->qvel[0];
    obs[7] = (float)d->qvel[1];
    obs[8] = (float)(f[0] - g[0]);
    obs[9] = (float)(f[1] - g[1]);
}

static double es__mj_reacher_reward(const es__mj_env *e, const float *act, double x_vel, int *terminated)
{
    const mjtNum *f = e->d->xpos + 3 * ES__MJ_FINGERTIP, *g = e->d->xpos + 3 * ES__MJ_TARGET;
    double dx = f[0] - g[0], dy = f[1] - g[1], dz = f[2] - g[2];
    (void)x_vel;
    *terminated = 0;
    return -sqrt(dx * dx + dy * dy + dz * dz) - es__mj_sumsq_act(act, e->mj->act_dim);
}

/* ---- the task table --------------------------------------------------- */

static const es__mj_task es__mj_tasks[] = {
    {"HalfCheetah-v5", "half_cheetah.xml", es__mj_half_cheetah, 5, 1000, 17, 6, -1.0f, 1.0f, 0.1, 0.1, 1,
     es__mj_noise_reset, es__mj_cheetah_observe, es__mj_qpos0_x, es__mj_cheetah_reward},
    {"Hopper-v5", "hopper.xml", es__mj_hopper, 4, 1000, 11, 3, -1.0f, 1.0f, 5e-3, 5e-3, 0,
     es__mj_noise_reset, es__mj_planar_observe, es__mj_qpos0_x, es__mj_hopper_reward},
    {"Walker2d-v5", "walker2d.xml", es__mj_walker2d, 4, 1000, 17, 6, -1.0f, 1.0f, 5e-3, 5e-3, 0,
     es__mj_noise_reset, es__mj_planar_observe, es__mj_qpos0_x, es__mj_walker_reward},
    {"Ant-v5", "ant.xml", es__mj_ant, 5, 1000, 105, 8, -1.0f, 1.0f, 0.1, 0.1, 1,
     es__mj_noise_reset, es__mj_ant_observe, es__mj_torso_x, es__mj_ant_reward},
    {"Swimmer-v5", "swimmer.xml", es__mj_swimmer, 4, 1000, 8, 2, -1.0f, 1.0f, 0.1, 0.1, 0,
     es__mj_noise_reset, es__mj_swimmer_observe, es__mj_qpos0_x, es__mj_swimmer_reward},
    {"Humanoid-v5", "humanoid.xml", es__mj_humanoid, 5, 1000, 348, 17, -0.4f, 0.4f, 1e-2, 1e-2, 0,
     es__mj_noise_reset, es__mj_humanoid_observe, es__mj_mass_centre_x, es__mj_humanoid_reward},
    {"InvertedPendulum-v5", "inverted_pendulum.xml", es__mj_inverted_pendulum, 2, 1000, 4, 1, -3.0f, 3.0f,
     0.01, 0.01, 0, es__mj_noise_reset, es__mj_qpos_qvel_observe, NULL, es__mj_pendulum_reward},
    {"InvertedDoublePendulum-v5", "inverted_double_pendulum.xml", es__mj_inverted_double_pendulum, 5, 1000, 9, 1,
     -1.0f, 1.0f, 0.1, 0.1, 1, es__mj_noise_reset, es__mj_double_pendulum_observe, NULL,
     es__mj_double_pendulum_reward},
    {"Reacher-v5", "reacher.xml", es__mj_reacher, 2, 50, 10, 2, -1.0f, 1.0f, 0.1, 0.005, 0,
     es__mj_reacher_reset, es__mj_reacher_observe, NULL, es__mj_reacher_reward}
};

#define ES__MJ_NTASKS ((int)(sizeof es__mj_tasks / sizeof es__mj_tasks[0]))

ES_API int es_mujoco_task_count(void) { return ES__MJ_NTASKS; }

ES_API const char *es_mujoco_task_name(int i)
{
    return i >= 0 && i < ES__MJ_NTASKS ? es__mj_tasks[i].name : NULL;
}

ES_API es_result es_mujoco_task_dims(int i, int *obs_dim, int *act_dim)
{
    if (i < 0 || i >= ES__MJ_NTASKS) return ES_ERROR_NOT_FOUND;
    if (obs_dim) *obs_dim = es__mj_tasks[i].obs_dim;
    if (act_dim) *act_dim = es__mj_tasks[i].act_dim;
    return ES_OK;
}

/* ---- MuJoCo error handling ---------------------------------------------
   MuJoCo's callers assume its error handler does not return (mj_stackAlloc,
   for one, would go on past the end of its stack). Ours never does: inside
   an es_mujoco_guard() call of this thread it unwinds to that call;
   elsewhere it hands the message to the handler installed before it, or
   prints it and aborts. */

#if defined(__cplusplus) && __cplusplus >= 201103L
#  define ES__MJ_TLS thread_local
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__STDC_NO_THREADS__)
#  define ES__MJ_TLS _Thread_local
#elif defined(__GNUC__) || defined(__clang__)
#  define ES__MJ_TLS __thread
#elif defined(_MSC_VER)
#  define ES__MJ_TLS __declspec(thread)
#endif

#ifdef ES__MJ_TLS
static ES__MJ_TLS jmp_buf *es__mj_jump;
static ES__MJ_TLS char es__mj_message[512];
#endif

static void es__mj_copy(char *dst, size_t n, const char *src)
{
    size_t k;
    if (!dst || n == 0) return;
    k = strlen(src);
    if (k >= n) k = n - 1;
    memcpy(dst, src, k);
    dst[k] = '\0';
}

#ifndef ES_MUJOCO_NO_HANDLERS
static void (*es__mj_prev_error)(const char *);     /* written once, before ours is in place */
static void (*es__mj_prev_warning)(const char *);
#endif

/* MuJoCo's messages span several lines: one line, runs of blanks as one. */
static void es__mj_one_line(char *s)
{
    size_t i, k = 0;
    for (i = 0; s[i]; i++) {
        char ch = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
        if (ch == ' ' && (k == 0 || s[k - 1] == ' ')) continue;
        s[k++] = ch;
    }
    while (k > 0 && s[k - 1] == ' ') k--;
    s[k] = '\0';
}

#ifndef ES_MUJOCO_NO_HANDLERS
static void es__mj_on_error(const char *msg)
{
    if (!msg) msg = "MuJoCo error";
#ifdef ES__MJ_TLS
    if (es__mj_jump) {
        es__mj_copy(es__mj_message, sizeof es__mj_message, msg);
        longjmp(*es__mj_jump, 1);
    }
#endif
    /* No es call to return to, and MuJoCo must not get control back. */
    if (es__mj_prev_error) {
        es__mj_prev_error(msg);
        fprintf(stderr, "MuJoCo error (its handler returned): %s\n", msg);
    } else {
        fprintf(stderr, "MuJoCo error: %s\n", msg);
    }
    fflush(stderr);
    abort();
}

static void es__mj_on_warning(const char *msg)
{
    if (es__mj_prev_warning) es__mj_prev_warning(msg);
    /* else silent: the counters in mjData carry what matters */
}

static void es__mj_install_now(void)
{
    if (mju_user_error != es__mj_on_error) {
        es__mj_prev_error = mju_user_error;
        mju_user_error = es__mj_on_error;
    }
    if (mju_user_warning != es__mj_on_warning) {
        es__mj_prev_warning = mju_user_warning;
        mju_user_warning = es__mj_on_warning;
    }
}
#endif

#if !defined(ES_MUJOCO_NO_HANDLERS) && ES__THREADS
static pthread_once_t es__mj_once = PTHREAD_ONCE_INIT;
#endif

ES_API void es_mujoco_install_handlers(void)
{
#if defined(ES_MUJOCO_NO_HANDLERS)
    /* the caller keeps MuJoCo's handlers (and the guard catches nothing) */
#elif ES__THREADS
    pthread_once(&es__mj_once, es__mj_install_now);
#elif defined(__GNUC__) || defined(__clang__)
    static int state;                /* 0 not yet, 1 being installed, 2 done */
    int expected = 0;
    if (__atomic_compare_exchange_n(&state, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        es__mj_install_now();
        __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
    } else {
        while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2) {
        }
    }
#else
    static volatile int done;        /* no threads and no atomics: one thread */
    if (!done) {
        es__mj_install_now();
        done = 1;
    }
#endif
}

/* Runs fn(arg); ES_OK, or ES_ERROR_MUJOCO with MuJoCo's message in msg if
   MuJoCo raised an error inside it. The handlers must be installed. */
static es_result es__mj_guarded(void (*fn)(void *arg), void *arg, char *msg, size_t msglen)
{
#ifdef ES__MJ_TLS
    jmp_buf here;
    jmp_buf *volatile outer = es__mj_jump;
    if (setjmp(here)) {
        es__mj_jump = outer;
        es__mj_copy(msg, msglen, es__mj_message);
        return ES_ERROR_MUJOCO;
    }
    es__mj_jump = &here;
    fn(arg);
    es__mj_jump = outer;
#else
    fn(arg);
#endif
    return ES_OK;
}

ES_API es_result es_mujoco_guard(void (*fn)(void *arg), void *arg, char *msg, size_t msglen)
{
    if (msg && msglen) msg[0] = '\0';
    if (!fn) return ES_ERROR_INVALID_ARGUMENT;
    es_mujoco_install_handlers();
    return es__mj_guarded(fn, arg, msg, msglen);
}

ES_API const char *es_mujoco_result_string(es_result result)
{
    return result == ES_ERROR_MUJOCO ? "MuJoCo error" : es_result_string(result);
}

/* ---- loading ---------------------------------------------------------- */

static void es__mj_errorf(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
    if (err && errlen) snprintf(err, errlen, fmt, a, b);
}

typedef struct es__mj_load_call {
    const char *file;
    const mjVFS *vfs;
    char *err;
    int errlen;
    mjModel *model;
} es__mj_load_call;

static void es__mj_load_fn(void *arg)
{
    es__mj_load_call *c = (es__mj_load_call *)arg;
    c->model = mj_loadXML(c->file, c->vfs, c->err, c->errlen);
}

static mjModel *es__mj_compile(const char *file, const mjVFS *vfs, char *err, size_t errlen)
{
    char local[512];
    es__mj_load_call c;
    c.file = file;
    c.vfs = vfs;
    c.err = local;
    c.errlen = (int)sizeof local;
    c.model = NULL;
    local[0] = '\0';
    if (es__mj_guarded(es__mj_load_fn, &c, local, sizeof local) != ES_OK) c.model = NULL;
    if (!c.model) {
        es__mj_one_line(local);
        es__mj_errorf(err, errlen, "%s: %s", file, local[0] ? local : "MuJoCo could not load the model");
    }
    return c.model;
}

/* Compiles a model held in memory through MuJoCo's virtual file system. */
static mjModel *es__mj_load_text(const char *file, const char *const *pieces, char *err, size_t errlen)
{
    size_t len = 0, at = 0;
    int i;
    mjModel *m = NULL;
    mjVFS *vfs;
    for (i = 0; pieces[i]; i++) len += strlen(pieces[i]);
    vfs = (mjVFS *)ES_MALLOC(sizeof *vfs);    /* about 2 MB in 2.2: never on the stack */
    if (!vfs) {
        es__mj_errorf(err, errlen, "%s: %s", file, "out of memory for the virtual file system");
        return NULL;
    }
    mj_defaultVFS(vfs);
#if mjVERSION_HEADER < 313    /* mj_addBufferVFS exists from 3.1.3 */
    {
        int slot;
        char *dst;
        if (mj_makeEmptyFileVFS(vfs, file, (int)len) != 0 || (slot = mj_findFileVFS(vfs, file)) < 0) {
            es__mj_errorf(err, errlen, "%s: %s", file, "cannot create the file in MuJoCo's virtual file system");
            ES_FREE(vfs);
            return NULL;
        }
        dst = (char *)vfs->filedata[slot];
        for (i = 0; pieces[i]; i++) {
            size_t k = strlen(pieces[i]);
            memcpy(dst + at, pieces[i], k);
            at += k;
        }
    }
#else
    {
        char *text = (char *)ES_MALLOC(len + 1);
        if (!text) {
            es__mj_errorf(err, errlen, "%s: %s", file, "out of memory");
            mj_deleteVFS(vfs);
            ES_FREE(vfs);
            return NULL;
        }
        for (i = 0; pieces[i]; i++) {
            size_t k = strlen(pieces[i]);
            memcpy(text + at, pieces[i], k);
            at += k;
        }
        text[at] = '\0';
        if (mj_addBufferVFS(vfs, file, text, (int)len) != 0) {
            es__mj_errorf(err, errlen, "%s: %s", file, "cannot add the file to MuJoCo's virtual file system");
            ES_FREE(text);
            mj_deleteVFS(vfs);
            ES_FREE(vfs);
            return NULL;
        }
        ES_FREE(text);
    }
#endif
    m = es__mj_compile(file, vfs, err, errlen);
    mj_deleteVFS(vfs);
    ES_FREE(vfs);
    return m;
}

static void es__mj_fill(es_mujoco *mj, const char *name, int frame_skip, int max_steps, int obs_dim,
                        float act_low, float act_high)
{
    es__mj_copy(mj->name, sizeof mj->name, name);
    mj->frame_skip = frame_skip;
    mj->max_steps = max_steps;
    mj->obs_dim = obs_dim;
    mj->act_dim = (int)mj->model->nu;
    mj->act_low = act_low;
    mj->act_high = act_high;
    mj->dt = mj->model->opt.timestep * (double)frame_skip;
}

ES_API es_result es_mujoco_load(es_mujoco *mj, const char *task, char *err, size_t errlen)
{
    int i;
    if (err && errlen) err[0] = '\0';
    if (!mj) return ES_ERROR_INVALID_ARGUMENT;
    memset(mj, 0, sizeof *mj);
    mj->task = -1;
    if (!task) {
        es__mj_errorf(err, errlen, "%s: %s", "es_mujoco_load", "the task name is NULL");
        return ES_ERROR_INVALID_ARGUMENT;
    }
    for (i = 0; i < ES__MJ_NTASKS; i++)
        if (strcmp(task, es__mj_tasks[i].name) == 0) break;
    if (i == ES__MJ_NTASKS) {
        if (err && errlen) {
            int j;
            size_t at;
            snprintf(err, errlen, "unknown task '%s'; built-in tasks:", task);
            for (j = 0; j < ES__MJ_NTASKS; j++) {
                at = strlen(err);
                if (at + 1 >= errlen) break;
                snprintf(err + at, errlen - at, " %s", es__mj_tasks[j].name);
            }
        }
        return ES_ERROR_NOT_FOUND;
    }
    es_mujoco_install_handlers();
    mj->model = es__mj_load_text(es__mj_tasks[i].file, es__mj_tasks[i].xml, err, errlen);
    if (!mj->model) return ES_ERROR_MUJOCO;
    if (mj->model->nu != es__mj_tasks[i].act_dim) {   /* our own text and table disagree */
        es__mj_errorf(err, errlen, "%s: %s", task, "built-in model does not match its task table");
        mj_deleteModel(mj->model);
        mj->model = NULL;
        return ES_ERROR_MUJOCO;
    }
    mj->task = i;
    es__mj_fill(mj, es__mj_tasks[i].name, es__mj_tasks[i].frame_skip, es__mj_tasks[i].max_steps,
                es__mj_tasks[i].obs_dim, es__mj_tasks[i].act_low, es__mj_tasks[i].act_high);
    return ES_OK;
}

ES_API es_result es_mujoco_load_xml(es_mujoco *mj, const char *path, const es_mujoco_task_desc *desc,
                                    char *err, size_t errlen)
{
    es_mujoco_task_desc t;
    const char *base;
    FILE *f;
    if (err && errlen) err[0] = '\0';
    if (!mj) return ES_ERROR_INVALID_ARGUMENT;
    memset(mj, 0, sizeof *mj);
    mj->task = -1;
    if (!path) {
        es__mj_errorf(err, errlen, "%s: %s", "es_mujoco_load_xml", "the path is NULL");
        return ES_ERROR_INVALID_ARGUMENT;
    }
    memset(&t, 0, sizeof t);
    if (desc) t = *desc;
    if (t.observe && t.obs_dim <= 0) {
        es__mj_errorf(err, errlen, "%s: %s", path, "a custom observe callback needs obs_dim");
        return ES_ERROR_INVALID_ARGUMENT;
    }
    /* the range as es_mlp_init takes it (both 0: the model's own) */
    if (t.frame_skip < 0 || t.max_steps < 0 || !(t.reset_noise >= 0.0 && t.reset_noise <= DBL_MAX) ||
        ((t.act_low != 0.0f || t.act_high != 0.0f) &&
         !(t.act_low < t.act_high && t.act_high - t.act_low <= FLT_MAX))) {
        es__mj_errorf(err, errlen, "%s: %s", path, "negative frame_skip or max_steps, reset_noise negative or not "
                      "finite, or an action range other than finite act_low < act_high (both 0: the model's own)");
        return ES_ERROR_INVALID_ARGUMENT;
    }
    f = fopen(path, "rb");           /* a clear message for the common case */
    if (!f) {
        es__mj_errorf(err, errlen, "%s: %s", path, "cannot open the file");
        return ES_ERROR_MUJOCO;
    }
    fclose(f);
    es_mujoco_install_handlers();
    mj->model = es__mj_compile(path, NULL, err, errlen);
    if (!mj->model) return ES_ERROR_MUJOCO;
    if (mj->model->nu <= 0) {   /* a model, but not one a policy can act on */
        es__mj_errorf(err, errlen, "%s: %s", path, "the model has no actuators");
        mj_deleteModel(mj->model);
        mj->model = NULL;
        return ES_ERROR_INVALID_ARGUMENT;
    }
    {   /* the defaults read qpos and qvel: refuse what they cannot fill or would overrun */
        long nqv = (long)mj->model->nq + (long)mj->model->nv;
        const char *why = NULL;
        char line[200];
        if (!t.observe && nqv == 0) {
            why = "the model has no joints, so the default observation (qpos, qvel) is empty: give observe and obs_dim";
        } else if (!t.observe && t.obs_dim != 0 && (long)t.obs_dim != nqv) {
            snprintf(line, sizeof line,
                     "obs_dim %d, but the default observation writes nq + nv = %ld values: give observe, or obs_dim 0",
                     t.obs_dim, nqv);
            why = line;
        } else if (!t.reward && mj->model->nq == 0) {
            why = "the default reward is the velocity of qpos[0], and the model has no joints: give reward";
        }
        if (why) {
            es__mj_errorf(err, errlen, "%s: %s", path, why);
            mj_deleteModel(mj->model);
            mj->model = NULL;
            return ES_ERROR_INVALID_ARGUMENT;
        }
        if (t.obs_dim == 0) t.obs_dim = (int)nqv;
    }
    if (t.frame_skip == 0) t.frame_skip = 1;
    if (t.max_steps == 0) t.max_steps = 1000;
    if (t.act_low == 0.0f && t.act_high == 0.0f) {
        if (mj->model->actuator_ctrllimited[0]) {
            double lo = mj->model->actuator_ctrlrange[0], hi = mj->model->actuator_ctrlrange[1];
            char line[200];
            if (!(lo >= -FLT_MAX && hi <= FLT_MAX && (float)lo < (float)hi &&
                  (float)hi - (float)lo <= FLT_MAX)) {   /* as es_mlp_init takes it */
                snprintf(line, sizeof line, "actuator 0's ctrlrange [%g, %g] is no finite float range: "
                         "give act_low and act_high", lo, hi);
                es__mj_errorf(err, errlen, "%s: %s", path, line);
                mj_deleteModel(mj->model);
                mj->model = NULL;
                return ES_ERROR_INVALID_ARGUMENT;
            }
            t.act_low = (float)lo;
            t.act_high = (float)hi;
        } else {
            t.act_low = -1.0f;
            t.act_high = 1.0f;
        }
    }
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    mj->custom = t;
    es__mj_fill(mj, t.name ? t.name : base, t.frame_skip, t.max_steps, t.obs_dim, t.act_low, t.act_high);
    mj->custom.name = NULL;          /* mj->name holds the copy */
    return ES_OK;
}

ES_API void es_mujoco_free(es_mujoco *mj)
{
    if (!mj) return;
    if (mj->model) mj_deleteModel(mj->model);
    memset(mj, 0, sizeof *mj);
    mj->task = -1;
}

/* ---- custom tasks ----------------------------------------------------- */

static void es__mj_custom_reset(const es__mj_task *t, es__mj_env *e, es_rng *rng)
{
    const es_mujoco *mj = e->mj;
    const mjModel *m = mj->model;
    (void)t;
    if (mj->custom.reset) {
        mj->custom.reset(m, e->d, rng, mj->custom.user);
    } else if (mj->custom.reset_noise > 0.0) {
        es__mj_noise_uniform(e->d->qpos, m->qpos0, m->nq, mj->custom.reset_noise, rng);
        es__mj_noise_uniform(e->d->qvel, NULL, m->nv, mj->custom.reset_noise, rng);
    }
}

static void es__mj_custom_observe(const es__mj_env *e, float *obs)
{
    const es_mujoco *mj = e->mj;
    if (mj->custom.observe) {
        mj->custom.observe(mj->model, e->d, obs, mj->custom.user);
    } else {
        obs = es__mj_put(obs, e->d->qpos, mj->model->nq);
        es__mj_put(obs, e->d->qvel, mj->model->nv);
    }
}

static double es__mj_custom_reward(const es__mj_env *e, const float *act, double x_vel, int *terminated)
{
    const es_mujoco *mj = e->mj;
    es_mujoco_step s;
    (void)x_vel;
    s.model = mj->model;
    s.data = e->d;
    s.qpos_before = e->qpos_before;
    s.act = act;
    s.act_dim = mj->act_dim;
    s.dt = mj->dt;
    s.user = mj->custom.user;
    *terminated = mj->custom.terminated ? (mj->custom.terminated(&s) != 0) : 0;
    if (mj->custom.reward) return mj->custom.reward(&s);
    return (e->d->qpos[0] - e->qpos_before[0]) / mj->dt;
}

static const es__mj_task es__mj_custom_task = {
    "custom", NULL, NULL, 1, 1000, 0, 0, -1.0f, 1.0f, 0.0, 0.0, 0,
    es__mj_custom_reset, es__mj_custom_observe, NULL, es__mj_custom_reward
};

static const es__mj_task *es__mj_task_of(const es_mujoco *mj)
{
    return mj->task >= 0 ? &es__mj_tasks[mj->task] : &es__mj_custom_task;
}

/* ---- the es_env ------------------------------------------------------- */

static int es__mj_unstable(const mjModel *m, const mjData *d)
{
    return d->warning[mjWARN_BADQPOS].number > 0 || d->warning[mjWARN_BADQVEL].number > 0 ||
           d->warning[mjWARN_BADQACC].number > 0 || !es__mj_finite(d->qpos, m->nq) ||
           !es__mj_finite(d->qvel, m->nv);
}

/* env->error = "<task>: <what>: <detail>" */
static void es__mj_env_error(es_env *env, const es_mujoco *mj, const char *what, const char *detail)
{
    const char *part[5];
    size_t at = 0, n = sizeof env->error;
    int i;
    part[0] = mj && mj->name[0] ? mj->name : "MuJoCo";
    part[1] = ": ";
    part[2] = what;
    part[3] = ": ";
    part[4] = detail && detail[0] ? detail : "MuJoCo error";
    for (i = 0; i < 5; i++) {                    /* truncated to fit, always terminated */
        es__mj_copy(env->error + at, n - at, part[i]);
        at += strlen(env->error + at);
    }
    es__mj_one_line(env->error);
}

typedef struct es__mj_reset_call {
    es__mj_env *e;
    es_rng *rng;
    float *obs;
    int unstable;
} es__mj_reset_call;

static void es__mj_reset_fn(void *arg)
{
    es__mj_reset_call *c = (es__mj_reset_call *)arg;
    es__mj_env *e = c->e;
    const mjModel *m = e->mj->model;
    const es__mj_task *task = es__mj_task_of(e->mj);
    mj_resetData(m, e->d);
    memset(e->d->warning, 0, sizeof e->d->warning);
    task->reset(task, e, c->rng);
    mj_forward(m, e->d);
    c->unstable = es__mj_unstable(m, e->d);
    if (!c->unstable) task->observe(e, c->obs);
}

static es_result es__mj_reset(es_env *env, es_rng *rng, float *obs)
{
    es__mj_env *e;
    es__mj_reset_call c;
    char msg[512];
    if (!env || !env->state || !rng || !obs) return ES_ERROR_INVALID_ARGUMENT;
    e = (es__mj_env *)env->state;
    c.e = e;
    c.rng = rng;
    c.obs = obs;
    c.unstable = 0;
    e->ready = 0;
    e->failed = 0;
    env->error[0] = '\0';
    if (es__mj_guarded(es__mj_reset_fn, &c, msg, sizeof msg) != ES_OK) {
        es__mj_env_error(env, e->mj, "reset", msg);
        return ES_ERROR_MUJOCO;
    }
    e->ready = 1;
    /* the noise alone broke it: the first step reports the failure */
    if (c.unstable || !es__mj_finite_f(obs, env->obs_dim)) {
        e->failed = 1;
        memset(obs, 0, (size_t)env->obs_dim * sizeof(float));
    }
    return ES_OK;
}

typedef struct es__mj_step_call {
    es__mj_env *e;
    const float *act;
    float *obs;
    double reward;
    int terminated, unstable;
} es__mj_step_call;

/* The physics, the reward and the observation of one step: all of it under
   the guard, the task's callbacks too. */
static void es__mj_step_fn(void *arg)
{
    es__mj_step_call *c = (es__mj_step_call *)arg;
    es__mj_env *e = c->e;
    const es_mujoco *mj = e->mj;
    const mjModel *m = mj->model;
    const es__mj_task *task = es__mj_task_of(mj);
    double x_vel = 0.0;
    int k;
    for (k = 0; k < mj->frame_skip; k++) mj_step(m, e->d);
    mj_rnePostConstraint(m, e->d);
    c->unstable = es__mj_unstable(m, e->d);
    if (c->unstable) return;
    if (task->forward_x) x_vel = (task->forward_x(m, e->d) - e->x_before) / mj->dt;
    c->reward = task->reward(e, c->act, x_vel, &c->terminated);
    task->observe(e, c->obs);
}

static es_result es__mj_step(es_env *env, const float *act, float *obs, double *reward, int *status)
{
    es__mj_env *e;
    const es_mujoco *mj;
    const es__mj_task *task;
    const mjModel *m;
    es__mj_step_call c;
    es_result res = ES_OK;
    char msg[512];
    int i;
    if (!env || !env->state || !obs || !reward || !status) return ES_ERROR_INVALID_ARGUMENT;
    if (!act) return ES_ERROR_BAD_ACTION;
    e = (es__mj_env *)env->state;
    if (!e->ready) return ES_ERROR_INVALID_ARGUMENT;
    for (i = 0; i < env->act_dim; i++)
        if (!(act[i] - act[i] == 0.0f)) return ES_ERROR_BAD_ACTION;
    mj = e->mj;
    m = mj->model;
    task = es__mj_task_of(mj);
    if (e->failed) goto failed;
    if (task->forward_x) e->x_before = task->forward_x(m, e->d);
    memcpy(e->qpos_before, e->d->qpos, (size_t)m->nq * sizeof(mjtNum));
    for (i = 0; i < m->nu; i++) e->d->ctrl[i] = (mjtNum)act[i];
    c.e = e;
    c.act = act;
    c.obs = obs;
    c.reward = 0.0;
    c.terminated = 0;
    c.unstable = 0;
    if (es__mj_guarded(es__mj_step_fn, &c, msg, sizeof msg) != ES_OK) {
        es__mj_env_error(env, mj, "step", msg);   /* the episode fails, and says why */
        res = ES_ERROR_MUJOCO;
        goto failed;
    }
    if (c.unstable || !es__mj_finite_f(obs, env->obs_dim)) goto failed;
    if (!(c.reward - c.reward == 0.0)) {
        snprintf(msg, sizeof msg, "the reward is %g with the state finite: the episode fails as unstable", c.reward);
        es__mj_env_error(env, mj, "step", msg);
        goto failed;
    }
    *reward = c.reward;
    *status = c.terminated ? ES_EPISODE_TERMINATED : ES_EPISODE_RUNNING;
    return ES_OK;
failed:
    e->failed = 1;
    memset(obs, 0, (size_t)env->obs_dim * sizeof(float));
    *reward = 0.0;
    *status = ES_EPISODE_FAILED;
    return res;
}

static void es__mj_destroy(es_env *env)
{
    es__mj_env *e;
    if (!env || !env->state) return;
    e = (es__mj_env *)env->state;
    if (e->d) mj_deleteData(e->d);
    ES_FREE(e);
    env->state = NULL;
}

typedef struct es__mj_make_call {
    const mjModel *m;
    mjData *d;
} es__mj_make_call;

static void es__mj_make_fn(void *arg)
{
    es__mj_make_call *c = (es__mj_make_call *)arg;
    c->d = mj_makeData(c->m);
}

ES_API es_result es_mujoco_env_init(const es_mujoco *mj, es_env *env)
{
    es__mj_env *e;
    es__mj_make_call c;
    char msg[512];
    if (!env) return ES_ERROR_INVALID_ARGUMENT;
    memset(env, 0, sizeof *env);
    if (!mj || !mj->model) {
        es__mj_env_error(env, NULL, "es_mujoco_env_init", "no model (es_mujoco_load or es_mujoco_load_xml first)");
        return ES_ERROR_INVALID_ARGUMENT;
    }
    es_mujoco_install_handlers();
    e = (es__mj_env *)ES_MALLOC(sizeof *e + (size_t)mj->model->nq * sizeof(double));
    if (!e) {
        es__mj_env_error(env, mj, "es_mujoco_env_init", "out of memory for the env's state");
        return ES_ERROR_OUT_OF_MEMORY;
    }
    memset(e, 0, sizeof *e);
    e->mj = mj;
    e->qpos_before = (double *)(void *)(e + 1);
    c.m = mj->model;
    c.d = NULL;
    if (es__mj_guarded(es__mj_make_fn, &c, msg, sizeof msg) != ES_OK) {
        ES_FREE(e);
        es__mj_env_error(env, mj, "mj_makeData", msg);
        return ES_ERROR_MUJOCO;
    }
    if (!c.d) {
        ES_FREE(e);
        es__mj_env_error(env, mj, "mj_makeData", "MuJoCo could not allocate the simulation data");
        return ES_ERROR_OUT_OF_MEMORY;
    }
    e->d = c.d;
    env->obs_dim = mj->obs_dim;
    env->act_dim = mj->act_dim;
    env->max_steps = mj->max_steps;
    env->act_low = mj->act_low;
    env->act_high = mj->act_high;
    env->state = e;
    env->reset = es__mj_reset;
    env->step = es__mj_step;
    env->destroy = es__mj_destroy;
    return ES_OK;
}

ES_API mjData *es_mujoco_env_data(es_env *env)
{
    if (!env || !env->state || env->step != es__mj_step) return NULL;
    return ((es__mj_env *)env->state)->d;
}

#ifdef __cplusplus
}
#endif
ES__STRICT_FP_END
#endif /* ES_IMPLEMENTATION */

/* REVISION HISTORY
   0.3  A model's own ctrlrange must be a finite float range (else
        refused, naming it); a reward that is not finite with the state
        finite says so in env.error; NULL task or path names itself in err;
        the es_mujoco must stay put and outlive its envs (documented).
   0.2  the MuJoCo error guard is public (es_mujoco_guard,
        es_mujoco_install_handlers: once, thread-safe) and never returns
        into MuJoCo: outside a guard the previous handler gets the message,
        or it goes to stderr and the process aborts. A MuJoCo error in step
        (physics and callbacks, all guarded) fails the episode and returns
        ES_ERROR_MUJOCO with the message in env.error; reset and env_init
        say what failed too. ES_ERROR_MUJOCO is this header's (-100),
        es_mujoco_result_string. Custom tasks: obs_dim other than nq + nv
        without observe, and a jointless model without observe or reward,
        are refused. Compiles warning-free against MuJoCo 2.2.2 to 3.12
        (checks on mjVERSION_HEADER: mjtSize model sizes from 3.5.0,
        mj_addBufferVFS from 3.1.3).
   0.1  first release: the nine Gymnasium v5 tasks built in, custom MJCF with
        callbacks, unstable episodes ending as failed.

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
