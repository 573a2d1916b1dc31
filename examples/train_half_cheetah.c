/* train_half_cheetah.c - the full ES trainer: any built-in task, checkpoints,
   bit-exact resume, metrics, progress, Ctrl-C.

   Build: make build/train_half_cheetah
      or: cc -O2 examples/train_half_cheetah.c -o train_half_cheetah -lmujoco -lm -lpthread
   with --redis: add -DES_WITH_REDIS ... -lhiredis (the Makefile does when hiredis is installed)
   Run:   build/train_half_cheetah --help
*/
#define _POSIX_C_SOURCE 200809L
#define ES_IMPLEMENTATION
#include "../es_env_mujoco.h"
#ifdef ES_WITH_REDIS
#include "../es_redis.h"
#endif

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct config {
    char env[64];
    int generations;          /* stop after this many (0: no limit) */
    double minutes;           /* stop after this wall time (0: no limit) */
    unsigned long long max_env_steps;   /* stop after the generation that reaches this many env steps (0: none) */
    es_desc es;
    es_mlp_desc policy;
    int threads;
    int ckpt_every;
    int ckpt_every_given;     /* --ckpt-every on the command line (else a resume keeps the run's) */
    int eval_every_given, test_episodes_given;   /* likewise --eval-every, --test-episodes */
    int budget_given;         /* --generations or --max-env-steps (else a resume keeps the run's) */
    int minutes_given;
    int eval_episodes;
    int max_steps;
    int eval_every;           /* test evaluation every N generations (0: only the final one) */
    int test_episodes;        /* episodes of each test evaluation */
    /* training-only settings, kept in the checkpoint's "TSET" section */
    double reward_shift;      /* subtracted a step from the population's returns */
    int adaptive_cap;         /* population episodes capped at twice the last mean length */
    int lr_schedule, sigma_schedule;           /* SCHEDULE_* */
    float lr_start, lr_end, sigma_start, sigma_end;
    int schedule_generations; /* the schedules reach their end values here, */
    unsigned long long schedule_env_steps;   /* or, when that is 0, at this many env steps */
    int member_cap;           /* --adaptive-cap's current cap (state; 0: the task's) */
    int preset_lr_constant;   /* the preset's lr schedule was dropped (no budget, an lr of the strategy's own, --redis) */
    const struct preset *preset;
    char out[1024];
    char resume[1024];
    char evaluate[1024];      /* --evaluate: a checkpoint to evaluate, nothing trained */
    char redis[256];
    char run[128];
    int quiet;
    int check;                /* --check: validate the flags and exit */
} config;

/* The first Ctrl-C (SIGINT) lets the generation finish and writes a
   checkpoint (exit 0); a second one, or SIGTERM, stops now: episodes not
   started are skipped, the last checkpoint stays as it is, and the exit
   code is 128 + the signal (130, 143). */
static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t stop_now;

static void on_signal(int sig)
{
    static const char msg[] = "\ntrain_half_cheetah: interrupted: finishing this generation, then a checkpoint "
                              "(Ctrl-C again: stop now)\n";
    if (sig == SIGINT && !interrupted) {
        interrupted = 1;
        if (write(2, msg, sizeof msg - 1) < 0) interrupted = 1;   /* nothing to do about it */
    } else if (!stop_now) {
        stop_now = sig;
    }
}

static const char *stop_signal_name(void) { return stop_now == SIGTERM ? "SIGTERM" : "a second Ctrl-C (SIGINT)"; }

/* The most threads --threads takes: 4 per core, at least 16. */
static int threads_limit(void)
{
    int n = 4 * es_cpu_count();
    return n < 16 ? 16 : n > 4096 ? 4096 : n;
}

/* Replaces bytes that are not printable ASCII (a name read from a file may
   hold terminal escapes) with '?'. */
static void printable(char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e) *s = '?';
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void usage(FILE *f)
{
    int i;
    fprintf(f,
        "usage: train_half_cheetah [options]\n"
        "Trains a policy with Evolution Strategies (OpenAI-ES) on a MuJoCo task.\n\n"
        "  --env NAME          task (default HalfCheetah-v5); picks that task's preset, printed\n"
        "                      at start and in config.json; every flag below overrides it\n"
        "  --generations N     stop after generation N (default: no limit)\n"
        "  --minutes M         stop after M minutes of wall time (default 5, or none with\n"
        "                      --generations or --max-env-steps; 0: no limit)\n"
        "  --max-env-steps N   stop after the generation that reaches N env steps (as logged)\n"
        "  --npop N            population size, even (default 64)\n"
        "  --strategy openai|pgpe|snes|sepcma  OpenAI-ES (default), PGPE, SNES or separable\n"
        "                      CMA-ES; the last three adapt a sigma per parameter\n"
        "  --sigma S           noise std; initial sigma of pgpe, snes, sepcma (default 0.03)\n"
        "  --lr R              learning rate (default 0.02; snes, sepcma: 1, their mean step;\n"
        "                      clipup, pgpe: 0.15*sigma*sqrt(parameters), a step length)\n"
        "  --wd W              L2 weight decay (default 0.005)\n"
        "  --optimizer adam|sgd|clipup  (default adam; pgpe: clipup; snes, sepcma take none)\n"
        "  --shaping rank|zscore|raw  fitness shaping (default rank)\n"
        "  --top-k K           only the K best pairs enter the update (ARS, openai only;\n"
        "                      default 0: all)\n"
        "  --policy mlp|linear (default mlp)\n"
        "  --hidden 64,64      hidden layer widths of the MLP (default 64,64)\n"
        "  --threads N         threads (default: all %d cores; at most %d)\n"
        "  --seed N            seed of noise, resets and initial weights (default 0)\n"
        "  --out DIR           run directory (default runs/<timestamp>, or <timestamp>-2...)\n"
        "  --ckpt-every N      checkpoint every N generations (default 10; a resume keeps the run's)\n"
        "  --resume PATH       continue bit-exactly from a checkpoint (its settings win; given none\n"
        "                      of --generations, --max-env-steps, --minutes: the run's too, from\n"
        "                      its config.json, which must then be there)\n",
        es_cpu_count(), threads_limit());
    fputs(   /* in two: a C99 compiler need take no string longer than 4095 characters */
        "  --eval-episodes N   noiseless episodes of theta per generation (default 1; 0: none,\n"
        "                      metrics.csv's eval_return is then nan)\n"
        "  --eval-every N      evaluate theta on --test-episodes held-out episodes every N\n"
        "                      generations into evals.csv (default 10; 0: only at the end)\n"
        "  --test-episodes N   episodes of those evaluations and of the final one (default 10)\n"
        "  --reward-shift R    subtracted from every reward while training only (ARS's alive-bonus\n"
        "                      shift; never in evaluations or reported returns)\n"
        "  --lr-schedule constant|linear|cosine|exp  lr from --lr to --lr-end (default constant)\n"
        "  --lr-end R          lr at the schedule's end (default lr/10)\n"
        "  --sigma-schedule constant|linear|cosine|exp  likewise for sigma (openai only)\n"
        "  --sigma-end S       sigma at the schedule's end (default sigma/10)\n"
        "  --schedule-generations N  generations the schedules take (default --generations;\n"
        "                      without it, the --max-env-steps budget, by env steps)\n"
        "  --adaptive-cap      cap population episodes at twice the previous generation's mean\n"
        "                      length (the OpenAI ES paper); evaluations keep the task's cap\n"
        "  --max-steps N       cap on episode length (default and at most: the task's)\n"
        "  --redis HOST:PORT   create or join a distributed run on Redis (with --run NAME);\n"
        "                      every worker needs the same flags (--threads, --out, --minutes\n"
        "                      may differ); environment: ES_REDIS_PASSWORD (AUTH),\n"
        "                      ES_REDIS_LEASE_MS (30000), ES_REDIS_CHUNK (members a chunk),\n"
        "                      ES_REDIS_RECONNECT_S (60)\n"
        "  --run NAME          name of the distributed run\n"
        "  --quiet             no progress output\n"
        "  --check             check the flags (over the task's preset), the --resume file (and\n"
        "                      its budget), and that --out can be written and holds no other\n"
        "                      run; exit 0, or the start's exit code and reason; nothing is\n"
        "                      written (a trainer running on --out and --redis are not checked)\n"
        "  --evaluate CKPT|DIR train nothing: print the test evaluation of a checkpoint (of a run\n"
        "                      directory's latest.ckpt) on --test-episodes held-out episodes (the\n"
        "                      first 10 are its run's); takes only --env, --test-episodes, --threads\n"
        "  --help              this text\n", f);
    fprintf(f,
        "Every flag also takes the form --flag=VALUE.\n\n"
        "A run directory holds config.json, metrics.csv, evals.csv, checkpoints/gen_NNNNNN.ckpt,\n"
        "latest.ckpt and .lock: one trainer at a time (a second one, or a resume of a\n"
        "live run, is refused; render a live run's latest.ckpt at any time).\n"
        "Ctrl-C finishes the generation, writes a checkpoint and exits 0; a second\n"
        "Ctrl-C or SIGTERM stops within an episode and keeps the last checkpoint.\n"
        "Exit codes: 0 ok (also after one Ctrl-C), 1 runtime error (a failed write\n"
        "names the reason), 2 usage error, 3 run directory in use by another trainer,\n"
        "130 stopped by a second Ctrl-C, 143 stopped by SIGTERM.\n\ntasks:");
    for (i = 0; i < es_mujoco_task_count(); i++) fprintf(f, " %s", es_mujoco_task_name(i));
    fprintf(f, "\n");
}

/* ---- per-task presets ---------------------------------------------------

   --env X starts from X's row; every flag given overrides its field. A zero
   field keeps the trainer's default (the HalfCheetah settings of the README,
   measured there). Where a row comes from:
   - HalfCheetah-v5: the trainer's defaults, tuned and measured here.
   - Swimmer: a linear policy, npop 8, the trainer's Adam without weight
     decay: a sweep here (tools/sweep, 1M env steps, npop 8/32 x sigma
     0.03/0.1) gave 353 and 355 with npop 8, 119 and 139 with npop 32.
     ARS's V1 row (npop 2) had not learned to swim at 0.39M env steps.
   - Hopper, Walker2d, Ant, Humanoid: ARS (Mania, Guy and Recht
     2018, "Simple random search provides a competitive approach to
     reinforcement learning"), its V2-t settings for the v1 tasks: N
     directions, the b best, step size alpha, noise nu, and the alive-bonus shift (1; Humanoid 5), with a linear policy and
     observation normalization (the same numbers, shifts included, appear
     in public run scripts built on the authors' ars.py). Ours: npop = 2N, top_k = b,
     sigma = nu, plain SGD without weight decay, and lr = 2 nu alpha (our
     top-k update is lr/(2 b sigma) sum (r+ - r-)/sigma_R eps, ARS's is
     alpha/(b sigma_R) sum (r+ - r-) delta).
   - Reacher: the MLP with npop 128, sigma 0.01, lr 0.01: sweeps here at
     1M env steps (linear/MLP x sigma 0.01/0.03 x npop 32/128: linear -6.7
     to -7.4, MLP -8.1 to -69) and 3M (this row: -6.4; the defaults had
     given -22 at 1M). With a constant lr it drifted after 4M (-12.7 at 10M,
     3 seeds); lr decaying linearly to lr/10 over the budget held it: -4.8.
   - InvertedPendulum, InvertedDoublePendulum: neither paper has
     them in its tables; the OpenAI ES paper's MuJoCo network (64-64 tanh)
     with the trainer's defaults (InvertedPendulum: npop 32 for its
     short-lived episodes). A sweep at 2M env steps (npop 64/128 x lr
     0.01/0.02) kept InvertedDoublePendulum's defaults. Its lr decays linearly
     to lr/10 over the budget: 3 seeds at 5M gave 9356 (8432 with it constant).
   A preset's schedule needs a budget (--max-env-steps, --generations) and
   an lr of the run's own; without them lr stays constant.
   Hopper, Walker2d, Ant and Humanoid are not tuned for v5 here: their
   rows are the paper's; Hopper's and Walker2d's are measured in the
   README's records, Ant's and Humanoid's are not yet. */
enum { SCHEDULE_CONSTANT = 0, SCHEDULE_LINEAR, SCHEDULE_COSINE, SCHEDULE_EXP };
static const char *const schedule_names[] = {"constant", "linear", "cosine", "exp"};

typedef struct preset {
    const char *env;
    int npop, top_k, linear;
    float sigma, lr;
    int sgd;                  /* plain SGD (ARS) */
    int no_wd;                /* no weight decay (ARS) */
    double reward_shift;
    int lr_schedule;          /* SCHEDULE_*, over the run's budget (lr to lr/10) */
    const char *source;
} preset;

static const preset presets[] = {
    {"HalfCheetah-v5", 0, 0, 0, 0.0f, 0.0f, 0, 0, 0.0, 0, "the trainer's defaults, measured in the README"},
    {"Hopper-v5", 16, 4, 1, 0.025f, 2.0f * 0.025f * 0.01f, 1, 1, 1.0, 0, "ARS V2-t (N 8, b 4, alpha 0.01, nu 0.025, shift 1)"},
    {"Walker2d-v5", 80, 30, 1, 0.025f, 2.0f * 0.025f * 0.03f, 1, 1, 1.0, 0, "ARS V2-t (N 40, b 30, alpha 0.03, nu 0.025, shift 1)"},
    {"Ant-v5", 120, 20, 1, 0.025f, 2.0f * 0.025f * 0.015f, 1, 1, 1.0, 0, "ARS V2-t (N 60, b 20, alpha 0.015, nu 0.025, shift 1)"},
    {"Humanoid-v5", 460, 230, 1, 0.0075f, 2.0f * 0.0075f * 0.02f, 1, 1, 5.0, 0,
     "ARS V2-t (N 230, b 230, alpha 0.02, nu 0.0075, shift 5)"},
    {"Swimmer-v5", 8, 0, 1, 0.0f, 0.0f, 0, 1, 0.0, 0, "linear, npop 8, no weight decay (a sweep here: 353 at 1M; ARS V1's npop 2 had not learned at 0.39M)"},
    {"InvertedPendulum-v5", 32, 0, 0, 0.0f, 0.0f, 0, 0, 0.0, 0, "trainer defaults, npop 32 (no paper row; untuned)"},
    {"InvertedDoublePendulum-v5", 0, 0, 0, 0.0f, 0.0f, 0, 0, 0.0, SCHEDULE_LINEAR,
     "trainer defaults, lr decaying linearly over the budget (no paper row; README: records)"},
    {"Reacher-v5", 128, 0, 0, 0.01f, 0.01f, 0, 0, 0.0, SCHEDULE_LINEAR,
     "MLP, npop 128, sigma 0.01, lr 0.01 decaying linearly over the budget (sweeps here: -6.4 at 3M; README: records)"},
};

static const preset *find_preset(const char *env)
{
    size_t i;
    for (i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (!strcmp(presets[i].env, env)) return &presets[i];
    return NULL;
}

/* ---- schedules ----------------------------------------------------------- */

/* A generation's progress through the schedules, held at 1 after their
   end: its number over --schedule-generations or, when the schedules
   follow the --max-env-steps budget, the env steps logged before it over
   the budget's. Both are state of the run, so a resumed run and any
   thread count take the same values. */
static double schedule_progress(const config *c, uint32_t gen, unsigned long long steps_before)
{
    double t = c->schedule_generations > 0 ? (double)gen / c->schedule_generations
                                           : (double)steps_before / (double)c->schedule_env_steps;
    return t < 1.0 ? t : 1.0;
}

/* The value of a schedule from start to end at progress t in [0, 1]. */
static float schedule_value(int kind, float start, float end, double t)
{
    switch (kind) {
    case SCHEDULE_LINEAR: return (float)(start + ((double)end - start) * t);
    case SCHEDULE_COSINE: return (float)(end + ((double)start - end) * 0.5 * (1.0 + cos(3.14159265358979323846 * t)));
    case SCHEDULE_EXP: return (float)(start * pow((double)end / start, t));
    default: return start;
    }
}

static int parse_schedule(const char *v, int *kind)
{
    int k;
    for (k = 0; k < 4; k++)
        if (!strcmp(v, schedule_names[k])) {
            *kind = k;
            return 1;
        }
    return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return 0;
    *out = (int)v;
    return 1;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) return 0;
    *out = v;
    return 1;
}

/* An unsigned 64-bit integer of at least lo: digits only (strtoull would
   skip a blank and wrap a minus). */
static int parse_u64(const char *s, unsigned long long lo, unsigned long long *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (!isdigit((unsigned char)*s) || errno || end == s || *end || v < lo) return 0;
    *out = v;
    return 1;
}

/* Widths like 64,64: 1 to ES_MLP_MAX_HIDDEN of them, none empty. */
static int parse_hidden(const char *s, es_mlp_desc *p)
{
    int n = 0;
    char buf[256], *tok = buf, *comma;
    if (strlen(s) >= sizeof buf) return 0;
    strcpy(buf, s);
    do {
        comma = strchr(tok, ',');
        if (comma) *comma = 0;
        if (n == ES_MLP_MAX_HIDDEN || !parse_int(tok, 1, 65536, &p->hidden[n])) return 0;
        n++;
        tok = comma + 1;
    } while (comma);
    p->nhidden = n;
    return 1;
}

static int bad(const char *flag, const char *value, const char *want)
{
    fprintf(stderr, "train_half_cheetah: %s%s%s: expected %s (see --help)\n", flag, value ? " " : "",
            value ? value : "", want);
    return 2;
}

/* The flags that take a value (the others: --help, --quiet). */
static int takes_value(const char *flag)
{
    static const char *const names[] = {"--env", "--generations", "--minutes", "--npop", "--sigma", "--lr",
                                        "--wd", "--optimizer", "--strategy", "--shaping", "--top-k", "--policy", "--hidden",
                                        "--threads", "--seed", "--out", "--ckpt-every", "--resume", "--evaluate",
                                        "--eval-episodes", "--max-steps", "--redis", "--run", "--eval-every",
                                        "--test-episodes", "--max-env-steps", "--reward-shift", "--lr-schedule", "--lr-end",
                                        "--sigma-schedule", "--sigma-end", "--schedule-generations"};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(flag, names[i])) return 1;
    return 0;
}

static int known_task(const char *name)
{
    int i;
    for (i = 0; i < es_mujoco_task_count(); i++)
        if (!strcmp(name, es_mujoco_task_name(i))) return 1;
    return 0;
}

/* Returns 0 on success, 2 on a usage error (message printed), -1 for --help. */
static int parse_args(int argc, char **argv, config *c)
{
    int i, linear = 0, given_lr = 0, given_wd = 0, given_opt = 0, given_topk = 0, given_policy = 0, given_hidden = 0;
    int given_shift = 0, given_lr_end = 0, given_sigma_end = 0, given_minutes = 0;
    int given_shaping = 0, given_schedule_generations = 0, given_lr_schedule = 0;
    const preset *pr;
    memset(c, 0, sizeof *c);
    strcpy(c->env, "HalfCheetah-v5");
    /* the task first: its preset, then every flag over it */
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--env") && i + 1 < argc && known_task(argv[i + 1])) strcpy(c->env, argv[i + 1]);
        else if (!strncmp(argv[i], "--env=", 6) && known_task(argv[i] + 6)) strcpy(c->env, argv[i] + 6);
    }
    c->minutes = 5.0;
    c->es = es_desc_default();
    c->ckpt_every = 10;
    c->eval_episodes = 1;
    c->eval_every = 10;
    c->test_episodes = 10;
    c->preset = pr = find_preset(c->env);
    if (pr) {
        if (pr->npop) c->es.npop = pr->npop;
        if (pr->sigma > 0.0f) c->es.sigma = pr->sigma;
        if (pr->lr > 0.0f) c->es.lr = pr->lr;
        c->es.top_k = pr->top_k;
        if (pr->sgd) c->es.optimizer = ES_OPTIMIZER_SGD;
        if (pr->no_wd) {
            c->es.wd = 0.0f;
            c->es.zero |= ES_ZERO_WD;
        }
        linear = pr->linear;
        c->reward_shift = pr->reward_shift;
        c->lr_schedule = pr->lr_schedule;
    }
    for (i = 1; i < argc; i++) {
        char flag[64];
        const char *a = argv[i], *v = NULL, *eq = strchr(a, '=');
        double d;
        if (!strcmp(a, "-h")) return -1;
        if (strncmp(a, "--", 2) != 0) return bad(a, NULL, "an option starting with --");
        if (eq && (size_t)(eq - a) < sizeof flag) {
            memcpy(flag, a, (size_t)(eq - a));
            flag[eq - a] = 0;
            v = eq + 1;
        } else {
            if (strlen(a) >= sizeof flag) return bad(a, NULL, "a known option");
            strcpy(flag, a);
        }
        if (!strcmp(flag, "--help")) return -1;
        if ((!strcmp(flag, "--quiet") || !strcmp(flag, "--adaptive-cap") || !strcmp(flag, "--check")) && v)
            return bad(flag, v, "no value: it is a switch");   /* =no would switch it on */
        if (!strcmp(flag, "--quiet")) { c->quiet = 1; continue; }
        if (!strcmp(flag, "--check")) { c->check = 1; continue; }
        if (!strcmp(flag, "--adaptive-cap")) { c->adaptive_cap = 1; continue; }
        if (!takes_value(flag)) return bad(flag, NULL, "a known option");
        if (!v) {   /* a flag next is no value: --out --quiet made a run named --quiet */
            if (i + 1 >= argc || !strncmp(argv[i + 1], "--", 2))
                return bad(flag, NULL, "a value (one starting with -- is given as FLAG=VALUE)");
            v = argv[++i];
        }
        if (!strcmp(flag, "--env")) {
            if (!known_task(v)) {
                char tasks[512] = "a built-in task:";
                int k;
                for (k = 0; k < es_mujoco_task_count(); k++)
                    snprintf(tasks + strlen(tasks), sizeof tasks - strlen(tasks), " %s", es_mujoco_task_name(k));
                return bad(flag, v, tasks);
            }
            strcpy(c->env, v);
        } else if (!strcmp(flag, "--generations")) {
            if (!parse_int(v, 1, INT_MAX, &c->generations)) return bad(flag, v, "a positive integer");
        } else if (!strcmp(flag, "--minutes")) {
            if (!parse_double(v, 0.0, 1e7, &c->minutes)) return bad(flag, v, "minutes in [0, 1e7]");
            given_minutes = 1;
        } else if (!strcmp(flag, "--max-env-steps")) {
            if (!parse_u64(v, 1, &c->max_env_steps)) return bad(flag, v, "a positive integer");
        } else if (!strcmp(flag, "--npop")) {
            if (!parse_int(v, 2, 1 << 24, &c->es.npop) || c->es.npop % 2)
                return bad(flag, v, "an even integer in [2, 16777216]");
        } else if (!strcmp(flag, "--sigma")) {
            if (!parse_double(v, 1e-12, 1e6, &d)) return bad(flag, v, "a number in [1e-12, 1e6]");
            c->es.sigma = (float)d;
        } else if (!strcmp(flag, "--lr")) {
            if (!parse_double(v, 1e-12, 1e6, &d)) return bad(flag, v, "a number in [1e-12, 1e6]");
            c->es.lr = (float)d;
            given_lr = 1;
        } else if (!strcmp(flag, "--wd")) {
            if (!parse_double(v, 0.0, 1e6, &d)) return bad(flag, v, "a number in [0, 1e6]");
            c->es.wd = (float)d;
            if (d == 0.0) c->es.zero |= ES_ZERO_WD;       /* a 0 in wd would mean the default */
            else c->es.zero &= ~(unsigned)ES_ZERO_WD;
            given_wd = 1;
        } else if (!strcmp(flag, "--optimizer")) {
            given_opt = 1;
            if (!strcmp(v, "adam")) c->es.optimizer = ES_OPTIMIZER_ADAM;
            else if (!strcmp(v, "sgd")) c->es.optimizer = ES_OPTIMIZER_SGD;
            else if (!strcmp(v, "clipup")) c->es.optimizer = ES_OPTIMIZER_CLIPUP;
            else return bad(flag, v, "adam, sgd or clipup");
        } else if (!strcmp(flag, "--strategy")) {
            if (!strcmp(v, "openai")) c->es.strategy = ES_STRATEGY_OPENAI;
            else if (!strcmp(v, "pgpe")) c->es.strategy = ES_STRATEGY_PGPE;
            else if (!strcmp(v, "snes")) c->es.strategy = ES_STRATEGY_SNES;
            else if (!strcmp(v, "sepcma")) c->es.strategy = ES_STRATEGY_SEPCMA;
            else return bad(flag, v, "openai, pgpe, snes or sepcma");
        } else if (!strcmp(flag, "--shaping")) {
            given_shaping = 1;
            if (!strcmp(v, "rank")) c->es.shaping = ES_SHAPING_CENTERED_RANK;
            else if (!strcmp(v, "zscore")) c->es.shaping = ES_SHAPING_ZSCORE;
            else if (!strcmp(v, "raw")) c->es.shaping = ES_SHAPING_RAW;
            else return bad(flag, v, "rank, zscore or raw");
        } else if (!strcmp(flag, "--top-k")) {
            if (!parse_int(v, 0, 1 << 23, &c->es.top_k)) return bad(flag, v, "an integer >= 0");
            given_topk = 1;
        } else if (!strcmp(flag, "--policy")) {
            given_policy = 1;
            if (!strcmp(v, "mlp")) linear = 0;
            else if (!strcmp(v, "linear")) linear = 1;
            else return bad(flag, v, "mlp or linear");
        } else if (!strcmp(flag, "--hidden")) {
            given_hidden = 1;
            if (!parse_hidden(v, &c->policy)) {
                char want[96];
                snprintf(want, sizeof want, "1 to %d comma-separated widths in [1, 65536], e.g. 64,64",
                         ES_MLP_MAX_HIDDEN);
                return bad(flag, v, want);
            }
        } else if (!strcmp(flag, "--threads")) {
            if (!parse_int(v, 1, threads_limit(), &c->threads)) {
                char want[96];
                snprintf(want, sizeof want, "an integer in [1, %d] (4 threads a core, at least 16)", threads_limit());
                return bad(flag, v, want);
            }
        } else if (!strcmp(flag, "--seed")) {
            unsigned long long seed;
            if (!parse_u64(v, 0, &seed)) return bad(flag, v, "an unsigned integer");
            c->es.seed = seed;
        } else if (!strcmp(flag, "--out")) {
            if (!*v) return bad(flag, v, "a directory");
            if (strlen(v) >= sizeof c->out - 64) return bad(flag, NULL, "a directory path of at most 959 bytes");
            strcpy(c->out, v);
        } else if (!strcmp(flag, "--ckpt-every")) {
            if (!parse_int(v, 1, INT_MAX, &c->ckpt_every)) return bad(flag, v, "a positive integer");
            c->ckpt_every_given = 1;
        } else if (!strcmp(flag, "--resume")) {
            if (!*v) return bad(flag, v, "a checkpoint path");
            if (strlen(v) >= sizeof c->resume) return bad(flag, NULL, "a checkpoint path of at most 1023 bytes");
            strcpy(c->resume, v);
        } else if (!strcmp(flag, "--evaluate")) {
            if (!*v) return bad(flag, v, "a checkpoint path");
            if (strlen(v) >= sizeof c->evaluate) return bad(flag, NULL, "a checkpoint path of at most 1023 bytes");
            strcpy(c->evaluate, v);
        } else if (!strcmp(flag, "--eval-episodes")) {
            if (!parse_int(v, 0, 1000, &c->eval_episodes)) return bad(flag, v, "an integer in [0, 1000]");
        } else if (!strcmp(flag, "--eval-every")) {
            if (!parse_int(v, 0, INT_MAX, &c->eval_every)) return bad(flag, v, "an integer >= 0");
            c->eval_every_given = 1;
        } else if (!strcmp(flag, "--test-episodes")) {
            if (!parse_int(v, 1, 100000, &c->test_episodes)) return bad(flag, v, "an integer in [1, 100000]");
            c->test_episodes_given = 1;
        } else if (!strcmp(flag, "--reward-shift")) {
            if (!parse_double(v, -1e6, 1e6, &c->reward_shift)) return bad(flag, v, "a number in [-1e6, 1e6]");
            given_shift = 1;
        } else if (!strcmp(flag, "--lr-schedule")) {
            if (!parse_schedule(v, &c->lr_schedule)) return bad(flag, v, "constant, linear, cosine or exp");
            given_lr_schedule = 1;
        } else if (!strcmp(flag, "--sigma-schedule")) {
            if (!parse_schedule(v, &c->sigma_schedule)) return bad(flag, v, "constant, linear, cosine or exp");
        } else if (!strcmp(flag, "--lr-end")) {
            if (!parse_double(v, 1e-12, 1e6, &d)) return bad(flag, v, "a number in [1e-12, 1e6]");
            c->lr_end = (float)d;
            given_lr_end = 1;
        } else if (!strcmp(flag, "--sigma-end")) {
            if (!parse_double(v, 1e-12, 1e6, &d)) return bad(flag, v, "a number in [1e-12, 1e6]");
            c->sigma_end = (float)d;
            given_sigma_end = 1;
        } else if (!strcmp(flag, "--schedule-generations")) {
            given_schedule_generations = 1;
            if (!parse_int(v, 1, INT_MAX, &c->schedule_generations)) return bad(flag, v, "a positive integer");
        } else if (!strcmp(flag, "--max-steps")) {
            if (!parse_int(v, 1, INT_MAX, &c->max_steps)) return bad(flag, v, "a positive integer");
        } else if (!strcmp(flag, "--redis")) {
            int port;
            if (strlen(v) >= sizeof c->redis || !strchr(v, ':') || *v == ':' ||
                !parse_int(strrchr(v, ':') + 1, 1, 65535, &port))
                return bad(flag, v, "HOST:PORT (a port from 1 to 65535)");
            strcpy(c->redis, v);
        } else if (!strcmp(flag, "--run")) {
            if (strlen(v) >= sizeof c->run || !*v) return bad(flag, v, "a run name");
            strcpy(c->run, v);
        }
    }
    /* A resume takes these from its checkpoint (the flags given are reported as ignored): no check on
       values that go unused, such as a --top-k against the default npop. */
    if (c->resume[0]) {
        given_hidden = given_lr_end = given_sigma_end = given_schedule_generations = given_shaping = 0;
        given_lr = given_wd = given_opt = given_topk = given_policy = given_lr_schedule = linear = 0;
        c->es = es_desc_default();
        c->lr_schedule = c->sigma_schedule = c->schedule_generations = 0;
    }
    if (given_hidden && given_policy && linear) return bad("--hidden", NULL, "--policy mlp (a linear policy has no hidden layers)");
    if (given_lr_end && !c->lr_schedule) return bad("--lr-end", NULL, "an --lr-schedule");
    if (given_sigma_end && !c->sigma_schedule) return bad("--sigma-end", NULL, "a --sigma-schedule");
    if (given_schedule_generations && !c->lr_schedule && !c->sigma_schedule)
        return bad("--schedule-generations", NULL, "an --lr-schedule or a --sigma-schedule");
    if (given_hidden && !given_policy) linear = 0;       /* widths given: an MLP */
    if (linear) c->policy.nhidden = ES_MLP_LINEAR;
    /* a preset's top-k gives way to a smaller population or another strategy */
    if (!given_topk && c->es.top_k > c->es.npop / 2) c->es.top_k = c->es.npop / 2;
    if (!given_topk && c->es.strategy > ES_STRATEGY_OPENAI) c->es.top_k = 0;
    (void)given_shift;
    if (c->es.top_k > c->es.npop / 2) {
        char k[16];
        snprintf(k, sizeof k, "%d", c->es.top_k);
        return bad("--top-k", k, "at most npop/2");
    }
    if (given_shaping && c->es.top_k > 0)   /* ARS: raw returns over their std */
        return bad("--shaping", NULL, "--top-k 0 (top-k scales the raw returns by their std; the presets of Hopper, "
                                      "Walker2d, Ant and Humanoid set it)");
    /* The other strategies' own defaults where no flag was given. */
    if (c->es.top_k > 0 && c->es.strategy > ES_STRATEGY_OPENAI)
        return bad("--top-k", NULL, "--strategy openai (the others take all members)");
    if (c->es.strategy == ES_STRATEGY_PGPE && !given_opt) c->es.optimizer = ES_OPTIMIZER_CLIPUP;
    if (c->es.optimizer == ES_OPTIMIZER_CLIPUP && !given_lr)
        c->es.lr = 0.0f;   /* ClipUp's own (es_clipup_lr); a preset's SGD lr is no step length */
    if (c->es.strategy >= ES_STRATEGY_SNES) {
        if (given_opt) return bad("--optimizer", NULL, "no --optimizer with snes or sepcma (they take their own step)");
        if (given_shaping) return bad("--shaping", NULL, "no --shaping with snes or sepcma (their weights are ranks)");
        if (given_wd) return bad("--wd", NULL, "no --wd with snes or sepcma");
        c->es.optimizer = ES_OPTIMIZER_DEFAULT;
        c->es.sampling = ES_SAMPLING_DEFAULT;   /* plain */
        c->es.wd = 0.0f;
        c->es.zero |= ES_ZERO_WD;
        if (!given_lr) c->es.lr = 0.0f;         /* 1: the paper's mean step */
    }
    /* a budget of generations or env steps is the limit, and is kept by a resume */
    c->budget_given = c->generations || c->max_env_steps;
    c->minutes_given = given_minutes;
    if (c->budget_given && !given_minutes) c->minutes = 0.0;
    c->lr_start = c->es.lr;
    c->sigma_start = c->es.sigma;
    if (!given_lr_end) c->lr_end = c->lr_start * 0.1f;
    if (!given_sigma_end) c->sigma_end = c->sigma_start * 0.1f;
    if (c->sigma_schedule && c->es.strategy > ES_STRATEGY_OPENAI)
        return bad("--sigma-schedule", NULL, "--strategy openai (the others adapt their own sigma)");
    /* a preset's schedule needs a budget to decay over and an lr of the run's own (not snes', sepcma's
       or ClipUp's), and is not yet distributed: without them lr stays constant */
    if (!given_lr_schedule && c->lr_schedule &&
        (c->es.lr == 0.0f || c->redis[0] || (!c->schedule_generations && !c->generations && !c->max_env_steps))) {
        if (given_lr_end) return bad("--lr-end", NULL, "a budget (--max-env-steps, --generations) for the preset's lr schedule");
        c->lr_schedule = SCHEDULE_CONSTANT;
        c->preset_lr_constant = 1;
    }
    if (c->lr_schedule && c->es.lr == 0.0f)
        return bad("--lr-schedule", NULL, "--lr as well with snes, sepcma or ClipUp (their lr depends on the run)");
    if ((c->lr_schedule || c->sigma_schedule) && !c->schedule_generations) {
        if (c->generations) c->schedule_generations = c->generations;
        else if (c->max_env_steps) c->schedule_env_steps = c->max_env_steps;
        else return bad("--lr-schedule/--sigma-schedule", NULL, "--generations, --max-env-steps or --schedule-generations");
    }
    if (c->redis[0] && (c->lr_schedule || c->sigma_schedule || c->adaptive_cap))
        return bad("--redis", c->redis, "no schedules and no --adaptive-cap (not yet distributed)");
    if (c->redis[0] && !c->run[0]) return bad("--redis", c->redis, "--run NAME as well");
    if (c->run[0] && !c->redis[0]) return bad("--run", c->run, "--redis HOST:PORT as well");
    for (i = 1; c->evaluate[0] && i < argc; i++) {   /* nothing trains: any other flag would go unused */
        static const char *const alone[] = {"--evaluate", "--env", "--test-episodes", "--threads"};
        size_t k, n = strcspn(argv[i], "=");
        int known = strncmp(argv[i], "--", 2) != 0;   /* a value */
        for (k = 0; k < sizeof alone / sizeof alone[0]; k++)
            known |= n == strlen(alone[k]) && !strncmp(argv[i], alone[k], n);
        if (!known) {
            char flag[64];
            snprintf(flag, sizeof flag, "%.*s", (int)(n < 63 ? n : 63), argv[i]);
            return bad(flag, NULL, "no flag beside --evaluate but --env, --test-episodes and --threads");
        }
    }
    if (c->threads == 0) c->threads = es_cpu_count();
    return 0;
}

/* ---- run directory ----------------------------------------------------- */

/* The directories a trainer created, in order: a failed start removes them. */
typedef struct {
    char path[16][1100];
    int n;
} made_dirs;

/* mkdir -p; records each directory it creates in made (NULL: none). */
static int mkdirs(const char *path, made_dirs *made)
{
    char buf[1100];
    size_t i, n = strlen(path);
    if (n >= sizeof buf) return errno = ENAMETOOLONG, -1;
    strcpy(buf, path);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0755) == 0) {
                if (made && made->n < (int)(sizeof made->path / sizeof made->path[0]))
                    snprintf(made->path[made->n++], sizeof made->path[0], "%s", buf);
            } else if (errno != EEXIST) {
                return -1;
            }
            buf[i] = c;
        }
    }
    return 0;
}

static const char *optimizer_name(const es_desc *d)
{
    es_optimizer o = d->optimizer;
    if (d->strategy >= ES_STRATEGY_SNES) return "none";   /* they take their own step */
    return o == ES_OPTIMIZER_SGD ? "sgd" : o == ES_OPTIMIZER_CLIPUP ? "clipup" : "adam";
}
static const char *strategy_name(es_strategy s)
{
    return s == ES_STRATEGY_PGPE ? "pgpe" : s == ES_STRATEGY_SNES ? "snes" : s == ES_STRATEGY_SEPCMA ? "sepcma" : "openai";
}
static const char *shaping_name(es_shaping s)
{
    return s == ES_SHAPING_ZSCORE ? "zscore" : s == ES_SHAPING_RAW ? "raw" : "rank";
}

/* config.json, written whole (temporary file and rename) or not at all;
   -1 with errno on failure. */
static int write_config_json(const config *c, const es *opt, const es_mlp *mlp, const char *path)
{
    char buf[4096];
    int l, n;
    n = snprintf(buf, sizeof buf, "{\n  \"env\": \"%s\",\n  \"npop\": %d,\n  \"sigma\": %.9g,\n  \"lr\": %.9g,\n"
               "  \"wd\": %.9g,\n  \"optimizer\": \"%s\",\n  \"strategy\": \"%s\",\n  \"sigma_lr\": %.9g,\n"
               "  \"sigma_max_change\": %.9g,\n  \"max_speed\": %.9g,\n  \"shaping\": \"%s\",\n  \"antithetic\": %s,\n"
               "  \"top_k\": %d,\n  \"seed\": %llu,\n  \"policy\": \"%s\",\n  \"hidden\": [",
            c->env, opt->desc.npop, c->sigma_schedule ? c->sigma_start : opt->desc.sigma,
            c->lr_schedule ? c->lr_start : opt->desc.lr, opt->desc.wd,
            optimizer_name(&opt->desc), strategy_name(opt->desc.strategy), opt->desc.sigma_lr,
            opt->desc.sigma_max_change, opt->desc.max_speed, shaping_name(opt->desc.shaping),
            opt->desc.sampling == ES_SAMPLING_ANTITHETIC ? "true" : "false", opt->desc.top_k,
            (unsigned long long)opt->desc.seed, mlp->nlayers == 1 ? "linear" : "mlp");
    for (l = 1; l < mlp->nlayers; l++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%d", l > 1 ? ", " : "", mlp->size[l]);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "],\n  \"nparams\": %zu,\n  \"obs_clip\": 5,\n  \"threads\": %d,\n  \"generations\": %d,\n"
               "  \"minutes\": %g,\n  \"max_env_steps\": %llu,\n  \"ckpt_every\": %d,\n  \"eval_episodes\": %d,\n  \"max_steps\": %d,\n"
               "  \"eval_every\": %d,\n  \"test_episodes\": %d,\n  \"reward_shift\": %.9g,\n  \"adaptive_cap\": %s,\n"
               "  \"lr_schedule\": \"%s\",\n  \"lr_end\": %.9g,\n  \"sigma_schedule\": \"%s\",\n  \"sigma_end\": %.9g,\n"
               "  \"schedule_generations\": %d,\n  \"schedule_env_steps\": %llu,\n  \"preset\": \"%s\",\n"
               "  \"noise_stream_version\": %d\n}\n",
            mlp->nparams, c->threads, c->generations, c->minutes, c->max_env_steps, c->ckpt_every, c->eval_episodes,
            c->max_steps, c->eval_every, c->test_episodes, c->reward_shift, c->adaptive_cap ? "true" : "false",
            schedule_names[c->lr_schedule], c->lr_end, schedule_names[c->sigma_schedule], c->sigma_end,
            c->schedule_generations, c->schedule_env_steps, c->preset ? c->preset->source : "none", ES_NOISE_STREAM_VERSION);
    if (n < 0 || (size_t)n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return es_file_write_atomic(path, buf, (size_t)n) == ES_OK ? 0 : -1;
}

/* A setting of the run from its config.json (a resume keeps the run's
   --ckpt-every, --eval-every, --test-episodes and, given none of its own,
   its budget): the value's text, blanks trimmed, into val. 1 when found. */
static int run_config(const char *dir, const char *key, char *val, size_t size)
{
    char path[1200], buf[4096], pattern[64];
    const char *k;
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "%s/config.json", dir);
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    if (!(f = fopen(path, "r"))) return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    if (!(k = strstr(buf, pattern))) return 0;
    k += strlen(pattern) + strspn(k + strlen(pattern), " \t");
    n = strcspn(k, ",}\n");
    while (n > 0 && isspace((unsigned char)k[n - 1])) n--;
    if (n == 0 || n >= size) return 0;
    memcpy(val, k, n);
    val[n] = 0;
    return 1;
}

static int run_config_int(const char *dir, const char *key, int lo, int hi, int *value)
{
    char v[64];
    return run_config(dir, key, v, sizeof v) && parse_int(v, lo, hi, value);
}

/* evals.csv, one row a test evaluation of theta after `generation`
   updates (that of checkpoints/gen_<generation>.ckpt when one was written): es_runner_evaluate_theta
   over test_episodes held-out episodes. */
static const char *EVALS_HEADER =
    "generation,env_steps,wall_s,episodes,mean,std,min,max,mean_steps,early,failed,eval_s\n";

static const char *METRICS_HEADER =
    "generation,env_steps,wall_s,reward_mean,reward_min,reward_max,eval_return,theta_rank,"
    "elite_count,failed_episodes,grad_norm,update_ratio,sigma,lr,theta_hash\n";

/* A CSV file of the run directory, appended a whole row at a time. */
typedef struct csv_log {
    int fd;                   /* -1: not open */
    off_t len;                /* its length after the last whole row */
    char path[1200];
} csv_log;

/* A whole row (the header's count of fields, its newline) of a generation
   < gen? *wall: its third field, wall_s. */
static int csv_row_before(const char *line, size_t n, size_t commas, uint32_t gen, double *wall)
{
    size_t i, c = 0;
    char *end;
    unsigned long g;
    if (n < 2 || line[n - 1] != '\n' || line[0] < '0' || line[0] > '9') return 0;
    for (i = 0; i < n; i++) c += line[i] == ',';
    if (c != commas) return 0;
    g = strtoul(line, &end, 10);
    if (*end != ',' || g >= gen) return 0;
    end = strchr(end + 1, ',');
    *wall = strtod(end + 1, NULL);
    return 1;
}

/* Makes a CSV file match a checkpoint: the header, then the whole rows of
   generations before gen; later rows (written after the checkpoint) and
   torn lines (a write cut short by a crash or a full disk) are dropped.
   *wall (may be NULL): wall_s of the last row kept. 0, or -1 with errno. */
static int repair_csv(const char *path, const char *header, uint32_t gen, double *wall)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *out = NULL;
    size_t len = 0, cap = 0, kept, pos, hlen = strlen(header), commas = 0;
    int rc = 0;
    for (pos = 0; pos < hlen; pos++) commas += header[pos] == ',';
    if (wall) *wall = 0.0;
    if (!f) return errno == ENOENT ? 0 : -1;
    for (;;) {                               /* the whole file */
        size_t got;
        if (len + 65536 > cap) {
            char *b = (char *)realloc(buf, cap = 2 * cap + 65536);
            if (!b) {
                rc = -1;
                break;
            }
            buf = b;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f)) rc = -1;
    fclose(f);
    if (rc == 0 && !(out = (char *)malloc(len + hlen + 1))) rc = -1;
    if (rc == 0) {
        memcpy(out, header, hlen);
        kept = hlen;
        for (pos = 0; pos < len;) {
            const char *nl = (const char *)memchr(buf + pos, '\n', len - pos);
            size_t n = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
            double w;
            if (csv_row_before(buf + pos, n, commas, gen, &w)) {
                memcpy(out + kept, buf + pos, n);
                kept += n;
                if (wall) *wall = w;
            }
            pos += n;
        }
        if ((kept != len || memcmp(out, buf, len) != 0) && es_file_write_atomic(path, out, kept) != ES_OK) rc = -1;
    }
    free(buf);
    free(out);
    return rc;
}

/* Appends whole rows; a failed write is cut back to the last whole row, so
   no torn line stays. 0, or 1 with a message. */
static int csv_append(csv_log *c, const char *text, size_t n)
{
    if (es_write_all(c->fd, text, n) != ES_OK) {
        int e = errno;
        if (ftruncate(c->fd, c->len) != 0) {
            /* the write's error is the one to report; a resume repairs the rest */
        }
        fprintf(stderr, "\ntrain_half_cheetah: cannot write %s: %s\n", c->path, strerror(e));
        return 1;
    }
    c->len += (off_t)n;
    return 0;
}

/* Reaches the disk (with each checkpoint). 0, or 1 with a message. */
static int csv_sync(csv_log *c)
{
    int r;
    do r = fsync(c->fd); while (r != 0 && errno == EINTR);
    if (r == 0) return 0;
    fprintf(stderr, "\ntrain_half_cheetah: cannot write %s: %s\n", c->path, strerror(errno));
    return 1;
}

/* Opens DIR/NAME for appending: a new run's starts empty, a resumed run's
   is repaired to its rows before generation gen. 0, or 1 with a message. */
static int csv_open(csv_log *c, const char *dir, const char *name, const char *header, int resume, uint32_t gen,
                    double *wall)
{
    snprintf(c->path, sizeof c->path, "%s/%s", dir, name);
    if (resume && repair_csv(c->path, header, gen, wall) != 0) {
        fprintf(stderr, "train_half_cheetah: cannot repair %s: %s\n", c->path, strerror(errno));
        return 1;
    }
    c->fd = open(c->path, O_WRONLY | O_CREAT | O_APPEND | (resume ? 0 : O_TRUNC), 0644);
    if (c->fd < 0 || (c->len = lseek(c->fd, 0, SEEK_END)) < 0) {
        fprintf(stderr, "train_half_cheetah: cannot write %s: %s\n", c->path, strerror(errno));
        return 1;
    }
    return c->len == 0 ? csv_append(c, header, strlen(header)) : 0;
}

/* ---- checkpoints --------------------------------------------------------- */

typedef struct trainer {
    config cfg;
    es_mujoco mj;
    es_mlp mlp;
    es opt;
    es_normalizer norm;
    es_pool pool;
    es_env *envs;
    int nenvs;
    es_runner run;
    char dir[1100];
    csv_log metrics;          /* metrics.csv, a row a generation */
    csv_log evals;            /* evals.csv: the test evaluations */
    uint32_t evaluated;       /* generation of the last test evaluation, +1 (0: none) */
    es_eval_stats last_eval;
    int lock_fd;              /* DIR/.lock, locked for the trainer's life (-1: none) */
    made_dirs made;           /* directories this trainer created: removed if setup fails (the empty ones) */
    int lock_made;            /* DIR/.lock is this trainer's own */
    char lock_prev[64];       /* DIR/.lock's text before this trainer wrote its pid there */
    ssize_t lock_prev_len;    /* its bytes; -1: none to put back */
    int fresh;                /* DIR held no run's file when this trainer took it */
    uint32_t ckpt_gen;        /* generation of the last checkpoint written or resumed (0: none) */
    double wall0, wall_offset;
    struct es_redis *rd;      /* --redis: the distributed run (NULL: local) */
    int final_requested;      /* --redis: this worker's --minutes set the run's final generation */
    char src[1024];           /* --resume: the directory of the run resumed */
} trainer;

/* The trainer's own checkpoint section: its training-only settings and
   the adaptive cap, as "key=value" lines. Written only when one of them is
   not the default, so a default run's checkpoint keeps its bytes. */
#define TAG_TSET ES_TAG('T', 'S', 'E', 'T')

static size_t encode_settings(trainer *t, char *buf, size_t size)
{
    const config *c = &t->cfg;
    int n;
    if (c->reward_shift == 0.0 && !c->adaptive_cap && !c->lr_schedule && !c->sigma_schedule) return 0;
    n = snprintf(buf, size,
                 "reward_shift=%.17g\nadaptive_cap=%d\nmember_max_steps=%d\nlr_schedule=%s\nlr_start=%.9g\n"
                 "lr_end=%.9g\nsigma_schedule=%s\nsigma_start=%.9g\nsigma_end=%.9g\nschedule_generations=%d\n",
                 c->reward_shift, c->adaptive_cap, t->run.member_max_steps, schedule_names[c->lr_schedule],
                 c->lr_start, c->lr_end, schedule_names[c->sigma_schedule], c->sigma_start, c->sigma_end,
                 c->schedule_generations);
    if (n > 0 && c->schedule_env_steps && (size_t)n < size)   /* only when set: older runs keep their bytes */
        n += snprintf(buf + n, size - (size_t)n, "schedule_env_steps=%llu\n", c->schedule_env_steps);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* Reads TSET into the config; 0 ok, else a message and 1. */
static int decode_settings(config *c, const char *p, size_t n, const char *path)
{
    char line[128];
    size_t i = 0;
    int seen = 0;
    while (i < n) {
        size_t k = 0;
        char *eq;
        float *f = NULL;
        double v;
        int ok = 1, known = 1;
        while (i < n && p[i] != '\n' && k < sizeof line - 1) line[k++] = p[i++];
        line[k] = 0;
        if (i < n && p[i] != '\n') break;                  /* an overlong line */
        i++;
        if (!(eq = strchr(line, '='))) break;
        *eq++ = 0;
        if (!strcmp(line, "lr_schedule")) ok = parse_schedule(eq, &c->lr_schedule);
        else if (!strcmp(line, "sigma_schedule")) ok = parse_schedule(eq, &c->sigma_schedule);
        else if (!strcmp(line, "adaptive_cap")) ok = parse_int(eq, 0, 1, &c->adaptive_cap);
        else if (!strcmp(line, "member_max_steps")) ok = parse_int(eq, 0, INT_MAX, &c->member_cap);
        else if (!strcmp(line, "schedule_generations")) ok = parse_int(eq, 0, INT_MAX, &c->schedule_generations);
        else if (!strcmp(line, "reward_shift")) ok = parse_double(eq, -1e6, 1e6, &c->reward_shift);
        else if (!strcmp(line, "schedule_env_steps")) ok = parse_u64(eq, 1, &c->schedule_env_steps);
        else if (!strcmp(line, "lr_start")) f = &c->lr_start;
        else if (!strcmp(line, "lr_end")) f = &c->lr_end;
        else if (!strcmp(line, "sigma_start")) f = &c->sigma_start;
        else if (!strcmp(line, "sigma_end")) f = &c->sigma_end;
        else known = 0;                                      /* a later trainer's key: skipped */
        /* lr 0 is a strategy's own default (snes, sepcma, ClipUp), kept by a constant schedule; a sigma
           is at least the flags' 1e-12 (its end a tenth of that): a 1e-300 would be a float 0, then NaN */
        if (f && (ok = parse_double(eq, 0.0, 1e6, &v) && (v >= 1e-14 || f == &c->lr_start || f == &c->lr_end)))
            *f = (float)v;
        if (!ok) break;
        seen += known;
    }
    if (i < n || seen < 10 || ((c->lr_schedule || c->sigma_schedule) && c->schedule_generations < 1 && !c->schedule_env_steps) ||
        (c->lr_schedule && (c->lr_start <= 0.0f || c->lr_end <= 0.0f))) {
        fprintf(stderr, "train_half_cheetah: cannot %s %s: its training settings (section TSET) are "
                        "malformed\n", c->evaluate[0] ? "evaluate" : "resume from", path);
        return 1;
    }
    return 0;
}

static es_result encode_checkpoint(trainer *t, es_checkpoint *ck)
{
    es_run_info info;
    es_section extra;
    char settings[1024];
    memset(&info, 0, sizeof info);
    snprintf(info.task, sizeof info.task, "%s", t->cfg.env);
    snprintf(info.mujoco_version, sizeof info.mujoco_version, "%s", mj_versionString());
    info.mujoco_version_number = mj_version();
    info.max_steps = t->cfg.max_steps;
    info.eval_episodes = t->cfg.eval_episodes;
    info.env_steps = t->run.env_steps;
    extra.tag = TAG_TSET;
    extra.data = settings;
    extra.size = encode_settings(t, settings, sizeof settings);
    return es_policy_encode(&t->opt, &t->mlp, &t->norm, &info, &extra, extra.size ? 1 : 0, ck);
}

/* Writes latest.ckpt, then checkpoints/gen_N.ckpt: a run stopped between the
   two (a kill, a full disk) still resumes with latest.ckpt, its newest state.
   On ES_ERROR_IO errno says why. */
static es_result save_checkpoint(trainer *t)
{
    char path[1200];
    es_checkpoint ck;
    int e;
    es_result r = encode_checkpoint(t, &ck);
    if (r != ES_OK) return r;
    snprintf(path, sizeof path, "%s/latest.ckpt", t->dir);
    r = es_checkpoint_write(&ck, path);
    if (r == ES_OK) {
        snprintf(path, sizeof path, "%s/checkpoints/gen_%06u.ckpt", t->dir, t->opt.generation);
        r = es_checkpoint_write(&ck, path);
    }
    e = errno;
    es_checkpoint_free(&ck);
    errno = e;
    if (r == ES_OK) t->ckpt_gen = t->opt.generation;
    return r;
}

static int holds_run(const char *dir);

/* After a failed start: its .lock and the directories it created, when
   they hold nothing else (nothing written is removed). */
static void undo_start(trainer *t)
{
    char path[1200];
    int i;
    snprintf(path, sizeof path, "%s/.lock", t->cfg.out);
    if (t->lock_fd >= 0 && t->lock_made && (holds_run(t->cfg.out) < 0 || !t->fresh))
        unlink(path);   /* as it was: no .lock */
    else if (t->lock_fd >= 0 && !t->lock_made && t->lock_prev_len >= 0 &&   /* a stopped run's pid, not ours */
             (ftruncate(t->lock_fd, 0) != 0 || pwrite(t->lock_fd, t->lock_prev, (size_t)t->lock_prev_len, 0) < 0))
        fprintf(stderr, "train_half_cheetah: note: cannot restore %s: %s\n", path, strerror(errno));
    for (i = t->made.n - 1; i >= 0; i--) rmdir(t->made.path[i]);   /* deepest first; only empty ones go */
}

/* The default --out: runs/<time>, or runs/<time>-2, -3... when another
   trainer started in the same second; made here, so it is this run's own. */
static int default_out(trainer *t)
{
    char stamp[64];
    time_t now = time(NULL);
    struct tm tmv;
    int k;
    localtime_r(&now, &tmv);
    strftime(stamp, sizeof stamp, "runs/%Y%m%d-%H%M%S", &tmv);
    for (k = 1; k < 1000; k++) {
        if (k == 1) snprintf(t->cfg.out, sizeof t->cfg.out, "%s", stamp);
        else snprintf(t->cfg.out, sizeof t->cfg.out, "%s-%d", stamp, k);
        if (mkdirs("runs", &t->made) != 0) break;
        if (mkdir(t->cfg.out, 0755) == 0) {
            snprintf(t->made.path[t->made.n++], sizeof t->made.path[0], "%s", t->cfg.out);
            return 0;
        }
        if (errno != EEXIST) break;
    }
    fprintf(stderr, "train_half_cheetah: cannot create %s: %s\n", t->cfg.out, strerror(errno));
    return 1;
}

/* The run directory's lock, held until the trainer exits: a second trainer
   on the directory, or a resume of a live run, is refused (exit 3).
   DIR/.lock holds the owner's pid. Returns 0 or the exit code. */
static int lock_run_dir(trainer *t, const char *dir)
{
    char path[1200], text[32];
    int fd, e;
    if (t->lock_fd >= 0) return 0;
    snprintf(path, sizeof path, "%s/.lock", dir);
    fd = -1;
    if (mkdirs(dir, &t->made) == 0) {
        if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644)) >= 0) t->lock_made = 1;
        else if (errno == EEXIST) fd = open(path, O_RDWR);
    }
    if (fd < 0) {
        fprintf(stderr, "train_half_cheetah: cannot create %s: %s\n", path, strerror(errno));
        undo_start(t);
        return 1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ssize_t n;
        e = errno;
        n = read(fd, text, sizeof text - 1);
        close(fd);
        text[n > 0 ? n : 0] = 0;
        text[strspn(text, "0123456789")] = 0;
        if (e == EWOULDBLOCK) {
            fprintf(stderr, "train_half_cheetah: %s is in use by a running trainer (pid %s): %s\n", dir,
                    text[0] ? text : "unknown",
                    t->cfg.resume[0] ? "resume it after that trainer has stopped (tools/render can show its "
                                       "latest.ckpt meanwhile)"
                                     : "choose another --out");
            return 3;
        }
        fprintf(stderr, "train_half_cheetah: cannot lock %s: %s\n", path, strerror(e));
        return 1;
    }
    t->lock_prev_len = t->lock_made ? -1 : pread(fd, t->lock_prev, sizeof t->lock_prev, 0);
    snprintf(text, sizeof text, "%ld\n", (long)getpid());
    t->lock_fd = fd;
    if (ftruncate(fd, 0) != 0 || es_write_all(fd, text, strlen(text)) != ES_OK) {
        fprintf(stderr, "train_half_cheetah: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

/* Restores task, policy, optimizer, normalizer and counters from a file.
   Returns 0, 1 for a file it cannot use, or 2 for a --env that is not the file's. */
static int load_checkpoint(trainer *t, const char *path, int env_given)
{
    es_checkpoint ck;
    es_run_info info;
    char task[sizeof t->cfg.env];
    const char *cannot = t->cfg.evaluate[0] ? "cannot evaluate" : "cannot resume from";
    es_result r = es_checkpoint_read(&ck, path, NULL);
    if (r != ES_OK) {
        fprintf(stderr, "train_half_cheetah: %s %s: %s\n", cannot, path,
                r == ES_ERROR_IO ? strerror(errno) : es_result_string(r));
        return 1;
    }
    if ((r = es_policy_load(&ck, task, sizeof task, &t->mlp, &t->norm)) != ES_OK ||
        (r = es_run_info_read(&ck, &info)) != ES_OK || (r = es_load(&t->opt, &ck, NULL)) != ES_OK) {
        fprintf(stderr, "train_half_cheetah: %s %s: not a trainer checkpoint (%s)\n", cannot, path,
                es_result_string(r));
        es_checkpoint_free(&ck);
        return 1;
    }
    {   /* the run's own training-only settings, none when it has no TSET */
        const void *p;
        size_t n;
        config *c = &t->cfg;
        c->reward_shift = 0.0;
        c->adaptive_cap = c->lr_schedule = c->sigma_schedule = c->schedule_generations = c->member_cap = 0;
        c->schedule_env_steps = 0;
        if (es_checkpoint_section(&ck, TAG_TSET, &p, &n) != ES_OK) {
            c->lr_start = t->opt.desc.lr;
            c->sigma_start = t->opt.desc.sigma;
        } else if (decode_settings(c, (const char *)p, n, path)) {   /* as the fresh run wrote them */
            es_checkpoint_free(&ck);
            return 1;
        }
    }
    es_checkpoint_free(&ck);
    if (!known_task(task)) {
        printable(task);
        fprintf(stderr, "train_half_cheetah: %s is a checkpoint of \"%s\", not a built-in task\n", path, task);
        return 1;
    }
    if (env_given && strcmp(task, t->cfg.env) != 0) {
        fprintf(stderr, "train_half_cheetah: %s is a checkpoint of %s, not %s\n", path, task, t->cfg.env);
        return 2;   /* the flags contradict the file: a usage error */
    }
    strcpy(t->cfg.env, task);
    t->cfg.preset = find_preset(task);   /* config.json names the run's, not the command line's */
    t->cfg.policy = t->mlp.desc;
    t->cfg.es = t->opt.desc;
    t->run.env_steps = info.env_steps;
    t->cfg.eval_episodes = info.eval_episodes;
    t->cfg.max_steps = info.max_steps;
    if (t->cfg.eval_episodes > 1000) {
        fprintf(stderr, "train_half_cheetah: %s %s: %d eval episodes (at most 1000)\n", cannot, path,
                t->cfg.eval_episodes);
        return 1;
    }
    /* Trajectories differ between MuJoCo versions: the run goes on, no longer bit-exact. */
    if (t->cfg.evaluate[0]) {
        if (info.mujoco_version[0] && strcmp(info.mujoco_version, mj_versionString()) != 0)
            fprintf(stderr, "train_half_cheetah: warning: %s was trained with MuJoCo %s, this is MuJoCo %s: the "
                    "returns are not those of the run's own evaluations (trajectories differ between MuJoCo "
                    "versions)\n", path, info.mujoco_version, mj_versionString());
    } else if (!info.mujoco_version[0])
        fprintf(stderr, "train_half_cheetah: note: %s does not record its MuJoCo version (an older trainer's); "
                "the continuation is bit-exact only on the MuJoCo it was trained with (this is MuJoCo %s)\n",
                path, mj_versionString());
    else if (strcmp(info.mujoco_version, mj_versionString()) != 0)
        fprintf(stderr, "train_half_cheetah: warning: %s was trained with MuJoCo %s, this is MuJoCo %s: the run "
                "continues, but is no longer bit-exact (trajectories differ between MuJoCo versions)\n",
                path, info.mujoco_version, mj_versionString());
    return 0;
}

/* Whether dir holds a run's own files (a checkpoints/ alone may be anyone's). */
static int is_run_dir(const char *dir)
{
    static const char *const own[] = {"latest.ckpt", "config.json", "metrics.csv", "evals.csv"};
    char path[1200];
    size_t i;
    for (i = 0; i < sizeof own / sizeof own[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, own[i]);
        if (access(path, F_OK) == 0) return 1;
    }
    return 0;
}

/* Whether name is gen_<digits>.ckpt, as the trainer names checkpoints. */
static int is_gen_name(const char *name)
{
    size_t n = strlen(name);
    return n >= 10 && n <= 9 + 19 && !strncmp(name, "gen_", 4) && !strcmp(name + n - 5, ".ckpt") &&
           strspn(name + 4, "0123456789") == n - 9;
}

/* The run directory of a checkpoint: DIR for DIR/latest.ckpt and
   DIR/checkpoints/gen_N.ckpt, also when gen_N.ckpt is named from inside
   a run's checkpoints/ (gen_N.ckpt, ./gen_N.ckpt: the run is ..). */
static void run_dir_of(const char *ckpt, char *dir, size_t size)
{
    const char *slash = strrchr(ckpt, '/');
    size_t n = slash ? (size_t)(slash - ckpt) : 0;
    if (!slash || (n == 1 && ckpt[0] == '.')) {
        char cwd[PATH_MAX];
        const char *base = getcwd(cwd, sizeof cwd) ? strrchr(cwd, '/') : NULL;
        int inside = base && !strcmp(base, "/checkpoints") && is_gen_name(slash ? slash + 1 : ckpt);
        snprintf(dir, size, inside && is_run_dir("..") ? ".." : ".");
        return;
    }
    if (n == 0) {
        snprintf(dir, size, "/");
        return;
    }
    if (n >= 11 && !strncmp(ckpt + n - 11, "checkpoints", 11) && (n == 11 || ckpt[n - 12] == '/')) {
        if (n <= 12) {                       /* checkpoints/ or /checkpoints/ */
            snprintf(dir, size, n == 12 ? "/" : ".");
            return;
        }
        n -= 12;
    }
    snprintf(dir, size, "%.*s", (int)n, ckpt);
}

/* Whether a directory has no entry but . and .. */
static int empty_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;
    if (!d) return 0;
    while ((e = readdir(d)) != NULL) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n == 0;
}

/* A run's files (an empty checkpoints/ is none); holds_run(dir) is the index of the first one dir holds, or -1. */
static const char *const run_files[] = {"latest.ckpt", "checkpoints/", "metrics.csv", "evals.csv", "config.json"};

static int holds_run(const char *dir)
{
    char path[1200];
    struct stat st;
    int i;
    for (i = 0; i < (int)(sizeof run_files / sizeof run_files[0]); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, run_files[i]);
        if (lstat(path, &st) == 0 && !(S_ISDIR(st.st_mode) && empty_dir(path))) return i;
    }
    return -1;
}

/* The newest DIR/checkpoints/gen_N.ckpt into path (1), or 0 when there is none. */
static int newest_checkpoint(const char *dir, char *path, size_t size)
{
    char sub[1100];
    char name[32] = "";
    unsigned long long g, best = 0;
    DIR *d;
    struct dirent *e;
    snprintf(sub, sizeof sub, "%s/checkpoints", dir);
    if (!(d = opendir(sub))) return 0;
    while ((e = readdir(d)) != NULL) {   /* the highest number */
        if (!is_gen_name(e->d_name)) continue;
        g = strtoull(e->d_name + 4, NULL, 10);
        if (!name[0] || g > best) {
            best = g;
            strcpy(name, e->d_name);
        }
    }
    closedir(d);
    if (name[0]) snprintf(path, size, "%s/%s", sub, name);
    return name[0] != 0;
}

/* Whether two paths name one existing file or directory. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* ---- distributed runs (--redis, es_redis.h) ------------------------------- */

#ifdef ES_WITH_REDIS
/* es_redis.h does the rest; --resume only seeds a run Redis holds nothing of. */
static char redis_settings[512];      /* read at the first generation */
static int env_int(const char *name, int lo, int hi, int def)
{
    const char *v = getenv(name);
    int x;
    if (!v || !*v) return def;
    if (parse_int(v, lo, hi, &x)) return x;
    fprintf(stderr, "train_half_cheetah: %s=%s ignored: expected an integer in [%d, %d]\n", name, v, lo, hi);
    return def;
}
static void redis_log(void *f, const char *msg) { fprintf((FILE *)f, "train_half_cheetah: redis: %s\n", msg); }
/* The message of a failed Redis call, and the exit code. */
static int redis_fail(trainer *t, es_result r)
{
    fprintf(stderr, "\ntrain_half_cheetah: --redis %s: %s\n", t->cfg.redis, t->rd->error);
    if (r == ES_ERROR_REDIS_AUTH)
        fprintf(stderr, "train_half_cheetah: %s\n", getenv("ES_REDIS_PASSWORD") && *getenv("ES_REDIS_PASSWORD")
                ? "ES_REDIS_PASSWORD was refused: set it to the server's requirepass"
                : "set ES_REDIS_PASSWORD to its requirepass");
    return r == ES_ERROR_REDIS_SETTINGS ? 2 : 1;
}
static int redis_connect(trainer *t)
{
    static es_redis rd;
    es_redis_desc desc;
    char host[256], *colon, *p;
    int port, r;
    snprintf(host, sizeof host, "%s", t->cfg.redis);
    colon = strrchr(host, ':');
    if (!colon || !parse_int(colon + 1, 1, 65535, &port)) return 2;   /* parse_args checked it */
    *colon = 0;
    memset(&desc, 0, sizeof desc);
    desc.host = host; desc.port = port; desc.run = t->cfg.run; desc.password = getenv("ES_REDIS_PASSWORD");
    desc.lease_ms = env_int("ES_REDIS_LEASE_MS", 100, 86400000, 30000);
    desc.reconnect_s = env_int("ES_REDIS_RECONNECT_S", 1, 86400, 60);
    desc.chunk = env_int("ES_REDIS_CHUNK", 1, 1 << 24, 0);
    desc.settings = redis_settings; desc.ckpt_every = t->cfg.ckpt_every; desc.generations = t->cfg.generations;
    desc.log_fn = redis_log; desc.log_user = stderr;
    t->rd = &rd;
    if ((r = es_redis_connect(&rd, &desc)) != ES_OK) return es_redis_close(&rd), redis_fail(t, (es_result)r);
    if (!t->cfg.out[0] && !t->cfg.resume[0]) {      /* one directory a worker */
        snprintf(t->cfg.out, sizeof t->cfg.out, "runs/%s-%s", t->cfg.run, rd.worker);
        for (p = t->cfg.out + 5; *p; p++)
            if (*p == ':' || *p == '/') *p = '-';
    }
    return 0;
}
/* After setup: what the run's workers share besides the runner's settings. */
static void redis_describe(trainer *t)
{
    int n = snprintf(redis_settings, sizeof redis_settings, "env=%s\nlayers=", t->cfg.env), l;
    for (l = 0; l <= t->mlp.nlayers && n < (int)sizeof redis_settings - 16; l++)
        n += snprintf(redis_settings + n, sizeof redis_settings - (size_t)n, "%s%d", l ? "," : "", t->mlp.size[l]);
    snprintf(redis_settings + n, sizeof redis_settings - (size_t)n, "\nmujoco=%s\n",   /* the runner's own: es_redis.h */
             mj_versionString());
}
static void redis_finish(es_redis *rd, int report, double wall)
{
    char per[48] = "";   /* none for a worker that joined a run already ended */
    if (rd->generations) snprintf(per, sizeof per, ", %.2f ms a generation", 1e3 * rd->redis_s / rd->generations);
    if (report)
        printf("redis: %u generations, %llu chunks evaluated, %llu late results dropped, %llu re-claimed, %llu "
               "recomputed, %llu reconnects; %.3f s in %llu Redis calls (%.2f%% of %.1f s wall%s), %.3f s "
               "waiting for other workers\n", rd->generations, (unsigned long long)rd->evaluated,
               (unsigned long long)rd->dropped, (unsigned long long)rd->reclaimed,
               (unsigned long long)rd->recomputed, (unsigned long long)rd->reconnects, rd->redis_s,
               (unsigned long long)rd->calls, wall > 0 ? 100.0 * rd->redis_s / wall : 0.0, wall,
               per, rd->wait_s);
    es_redis_close(rd);
}
#endif

/* ---- the loop ------------------------------------------------------------ */

static void fmt_duration(double s, char *buf, size_t size)
{
    long v = (long)(s + 0.5);
    if (v >= 3600) snprintf(buf, size, "%ld:%02ld:%02ld", v / 3600, v / 60 % 60, v % 60);
    else snprintf(buf, size, "%ld:%02ld", v / 60, v % 60);
}

/* Appends the generation's metrics row and shows the progress; 0, or 1 when
   metrics.csv cannot be written (message printed). */
static int log_generation(trainer *t, uint32_t gen, double wall, uint64_t steps_before, double gen_s, int tty)
{
    char row[512];
    int n;
    es_runner *run = &t->run;
    int npop = t->opt.desc.npop, i, elite = 0, rank = 0, failed = 0;
    double mean = es_runner_mean_reward(run), lo = run->rewards[0], hi = run->rewards[0], eval = NAN;
    double sps = gen_s > 0.0 ? (double)(run->env_steps - steps_before) / gen_s : 0.0;
    for (i = 0; i < npop; i++) {
        if (run->rewards[i] < lo) lo = run->rewards[i];
        if (run->rewards[i] > hi) hi = run->rewards[i];
        if (run->rewards[i] > mean) elite++;
        if (run->status[i] == ES_EPISODE_FAILED) failed++;
    }
    if (t->cfg.eval_episodes > 0) {
        eval = 0.0;
        for (i = 0; i < t->cfg.eval_episodes; i++) eval += run->eval_returns[i];
        eval /= t->cfg.eval_episodes;
        for (i = 0; i < npop; i++) rank += run->rewards[i] > eval;
    }
    n = snprintf(row, sizeof row, "%u,%llu,%.3f,%.4f,%.4f,%.4f,%.4f,%d,%d,%d,%.6g,%.6g,%.6g,%.6g,%016llx\n", gen,
                 (unsigned long long)run->env_steps, wall, mean, lo, hi, eval, rank, elite, failed,
                 t->opt.grad_norm, t->opt.update_ratio, es_sigma_mean(&t->opt), t->opt.desc.lr,
                 (unsigned long long)es_hash(&t->opt));
    if (n <= 0 || (size_t)n >= sizeof row || csv_append(&t->metrics, row, (size_t)n)) return 1;
    if (!t->cfg.quiet) {
        char eta[32] = "";
        double left = -1.0;
        if (t->cfg.minutes > 0) left = t->cfg.minutes * 60.0 - (now_s() - t->wall0);
        if (t->cfg.generations > 0) {
            double by_gen = (t->cfg.generations - (double)gen - 1) * gen_s;
            if (left < 0 || by_gen < left) left = by_gen;
        }
        if (left >= 0) {
            strcpy(eta, "  eta ");
            fmt_duration(left < 0 ? 0 : left, eta + 6, sizeof eta - 6);
        }
        printf("%sgen %5u  return mean %8.1f max %8.1f  eval %8.1f  %6.1fk steps/s  %s%s%s",
               tty ? "\r\033[K" : "", gen, mean, hi, eval, sps / 1000.0, "", eta, tty ? "" : "\n");
        fflush(stdout);
    }
    return 0;
}

/* The exit of a forced stop (a second Ctrl-C, SIGTERM): 128 + the signal. */
static int forced_stop(trainer *t, uint32_t gen)
{
    char last[1300];
    if (t->ckpt_gen) snprintf(last, sizeof last, "%s/latest.ckpt (generation %u) is intact", t->dir, t->ckpt_gen);
    else snprintf(last, sizeof last, "no checkpoint was written yet");
    fprintf(stderr, "\ntrain_half_cheetah: stopped by %s in generation %u; %s\n", stop_signal_name(), gen, last);
    return 128 + (int)stop_now;
}

/* A test evaluation of the current theta: a row of evals.csv, kept in
   t->last_eval. Returns 0, or the exit code after a message (1, or 128 +
   the signal of a forced stop). */
static int test_evaluation(trainer *t)
{
    char row[512];
    int n;
    es_eval_stats st;
    double e0 = now_s();
    es_result r = es_runner_evaluate_theta(&t->run, NULL, t->cfg.test_episodes, &st);
    if (r != ES_OK && stop_now) return forced_stop(t, t->opt.generation);
    if (r != ES_OK) {
        fprintf(stderr, "\ntrain_half_cheetah: test evaluation failed: %s\n", es_mujoco_result_string(r));
        return 1;
    }
    t->evaluated = t->opt.generation + 1;
    n = snprintf(row, sizeof row, "%u,%llu,%.3f,%d,%.4f,%.4f,%.4f,%.4f,%.2f,%d,%d,%.3f\n", t->opt.generation,
                 (unsigned long long)t->run.env_steps, t->wall_offset + now_s() - t->wall0, st.episodes, st.mean,
                 st.std, st.min, st.max, st.mean_steps, st.early, st.failed, now_s() - e0);
    if (n <= 0 || (size_t)n >= sizeof row || csv_append(&t->evals, row, (size_t)n)) return 1;
    t->last_eval = st;
    return 0;
}

/* The run has trained its --generations or --max-env-steps: from the
   run's state alone, so every worker of a distributed run agrees. */
static int budget_reached(const trainer *t)
{
    return (t->cfg.generations > 0 && (int)t->opt.generation >= t->cfg.generations) ||
           (t->cfg.max_env_steps && t->run.env_steps >= t->cfg.max_env_steps);
}

static int train(trainer *t)
{
    int tty = isatty(1), stop = budget_reached(t), rc;   /* a resumed run may have nothing left to do */
    es_result r;
    t->wall0 = now_s();
    while (!stop) {
        uint32_t gen = t->opt.generation;
        uint64_t steps_before = t->run.env_steps;
        double g0 = now_s();
        int ended = 0;
        if (t->cfg.lr_schedule)
            t->opt.desc.lr = schedule_value(t->cfg.lr_schedule, t->cfg.lr_start, t->cfg.lr_end,
                                            schedule_progress(&t->cfg, gen, steps_before));
        if (t->cfg.sigma_schedule)
            t->opt.desc.sigma = schedule_value(t->cfg.sigma_schedule, t->cfg.sigma_start, t->cfg.sigma_end,
                                               schedule_progress(&t->cfg, gen, steps_before));
#ifdef ES_WITH_REDIS
        if (t->rd) {
            uint64_t caught_up = t->rd->caught_up;
            if (!t->rd->joined) redis_describe(t);
            if ((r = es_redis_runner_generation(t->rd, &t->run, &ended)) != ES_OK)
                return stop_now ? forced_stop(t, gen) : redis_fail(t, r);
            if (ended && t->rd->final && t->opt.generation >= t->rd->final)   /* not its own limit: say why */
                printf("the run ends at generation %u (the final generation %s --minutes set)\n", t->rd->final,
                       t->final_requested ? "this worker's" : "another worker's");
            if ((t->rd->adopted && t->rd->generations == 1) || t->rd->caught_up != caught_up)
                steps_before = t->run.env_steps;   /* joined, or fell behind: took the run's checkpoint */
        } else
#endif
        r = es_runner_generation(&t->run);
        if (r != ES_OK && stop_now) return forced_stop(t, gen);
        if (r != ES_OK) {
            const char *why = "";
            int i;
            for (i = 0; i < t->nenvs && !why[0]; i++) why = t->envs[i].error;   /* the env's own words */
            fprintf(stderr, "\ntrain_half_cheetah: generation %u failed: %s%s%s\n", gen, es_mujoco_result_string(r),
                    why[0] ? ": " : "", why);
            return 1;
        }
        gen = t->opt.generation - 1;          /* a joiner adopted the run's generation */
        if (t->cfg.adaptive_cap) es_runner_adapt_cap(&t->run);   /* the next generation's cap */
        if (!ended && log_generation(t, gen, t->wall_offset + now_s() - t->wall0, steps_before, now_s() - g0, tty))
            return 1;
        if (ended || budget_reached(t)) stop = 1;
        if (t->cfg.minutes > 0 && now_s() - t->wall0 >= t->cfg.minutes * 60.0) {
#ifdef ES_WITH_REDIS
            uint32_t final;          /* all workers stop at the same generation (logged) */
            if (t->rd && !stop) {
                if ((r = es_redis_request_final(t->rd, t->opt.generation, &final)) != ES_OK)
                    return stop_now ? forced_stop(t, gen) : redis_fail(t, r);
                t->final_requested = t->rd->final_set;   /* not when another worker's request came first */
            }
            if (!t->rd)
#endif
            stop = 1;
        }
        if (interrupted || stop_now) stop = 1;
        if (t->cfg.eval_every > 0 && t->opt.generation % (uint32_t)t->cfg.eval_every == 0 &&
            (rc = test_evaluation(t)) != 0)
            return rc;
        if (stop || t->opt.generation % (uint32_t)t->cfg.ckpt_every == 0) {
            if (csv_sync(&t->metrics) || csv_sync(&t->evals)) return 1;
            r = save_checkpoint(t);
            if (r != ES_OK) {
                fprintf(stderr, "\ntrain_half_cheetah: cannot write a checkpoint in %s: %s\n", t->dir,
                        r == ES_ERROR_IO ? strerror(errno) : es_result_string(r));
                return 1;
            }
        }
    }
    if (!t->cfg.quiet && tty) printf("\n");
    if (stop_now) {
        fprintf(stderr, "train_half_cheetah: stopped by %s; checkpoint of generation %u written\n",
                stop_signal_name(), t->opt.generation);
        return 128 + (int)stop_now;
    }
    if (t->evaluated != t->opt.generation + 1 && (rc = test_evaluation(t)) != 0) return rc;   /* the final theta's */
    printf("final policy (generation %u, %llu env steps): %d-episode evaluation mean %.1f std %.1f min %.1f "
           "max %.1f, %d ended early, %d failed (evals.csv)\n", t->opt.generation,
           (unsigned long long)t->run.env_steps, t->last_eval.episodes, t->last_eval.mean, t->last_eval.std,
           t->last_eval.min, t->last_eval.max, t->last_eval.early, t->last_eval.failed);
    if (interrupted) fprintf(stderr, "train_half_cheetah: interrupted; checkpoint written\n");
    printf("done: generation %u, %llu env steps\n  checkpoints: %s/checkpoints/ (latest: %s/latest.ckpt)\n"
           "  metrics:     %s/metrics.csv, test evaluations: %s/evals.csv\n",
           t->opt.generation, (unsigned long long)t->run.env_steps, t->dir, t->dir, t->dir, t->dir);
    return 0;
}

static int out_of_memory(const char *what)
{
    fprintf(stderr, "train_half_cheetah: out of memory for %s\n", what);
    return 1;
}

static int out_of_memory_policy(const es_mlp *mlp, int threads, int npop)
{
    fprintf(stderr, "train_half_cheetah: out of memory for a policy of %zu parameters (theta, Adam's moments "
                    "and two copies a thread: about %.1f GB) and npop %d (returns, ranks and statistics a member: "
                    "about %.1f GB); choose smaller --hidden widths, a smaller --npop or fewer --threads\n",
            mlp->nparams, 4.0 * (3.0 + 2.0 * threads) * (double)mlp->nparams / 1e9, npop, 64.0 * npop / 1e9);
    return 1;
}

/* A byte copy of a checkpoint, written as each one is (temporary file,
   fsync, rename). 0, or 1 with a message. */
static int copy_checkpoint(const char *from, const char *to)
{
    es_checkpoint ck;
    es_result r = es_checkpoint_read(&ck, from, NULL);
    if (r == ES_OK) {
        r = es_checkpoint_write(&ck, to);
        es_checkpoint_free(&ck);
    }
    if (r == ES_OK) return 0;
    fprintf(stderr, "train_half_cheetah: cannot write %s: %s\n", to,
            r == ES_ERROR_IO ? strerror(errno) : es_result_string(r));
    return 1;
}

/* A resume of the run directory's own latest.ckpt puts back its
   checkpoints/gen_N.ckpt if a stop between the two writes left it out.
   A resume from any file but the run directory's own latest.ckpt (an
   older checkpoints/gen_N.ckpt, or another run's into a new --out) copies
   it to latest.ckpt first, byte for byte: the CSV files then lose the rows
   after it, and a stop before the next checkpoint must leave the two in
   agreement, or a later resume would skip the rows in between. 0, or 1
   with a message. */
static int restart_from(trainer *t)
{
    char path[1200];
    struct stat st;
    snprintf(path, sizeof path, "%s/latest.ckpt", t->dir);
    if (same_file(t->cfg.resume, path)) {   /* a stop between latest.ckpt and its gen_N.ckpt left the latter out */
        snprintf(path, sizeof path, "%s/checkpoints/gen_%06u.ckpt", t->dir, t->opt.generation);
        return access(path, F_OK) == 0 ? 0 : copy_checkpoint(t->cfg.resume, path);
    }
    if (stat(path, &st) == 0)
        fprintf(stderr, "train_half_cheetah: note: %s continues from %s (generation %u): latest.ckpt becomes "
                "a copy of it, metrics.csv and evals.csv drop any rows of later generations\n", t->dir,
                t->cfg.resume, t->opt.generation);
    return copy_checkpoint(t->cfg.resume, path);
}

/* A plain --resume (no --generations, --max-env-steps, --minutes) takes
   the run's own limits from its config.json. Returns 0 or 2 with a message. */
static int resume_budget(trainer *t)
{
    char v[64], path[1200];
    int known = 0;
    if (run_config(t->src, "generations", v, sizeof v)) known += parse_int(v, 0, INT_MAX, &t->cfg.generations);
    if (run_config(t->src, "max_env_steps", v, sizeof v)) known += parse_u64(v, 0, &t->cfg.max_env_steps);
    if (run_config(t->src, "minutes", v, sizeof v)) known += parse_double(v, 0.0, 1e7, &t->cfg.minutes);
    if (known) return 0;
    /* not the defaults' 5 minutes in its place: the run may have been far longer */
    snprintf(path, sizeof path, "%s/config.json", t->src);
    fprintf(stderr, "train_half_cheetah: the run's budget is unknown: %s %s; give --generations, "
            "--max-env-steps or --minutes\n", path, access(path, F_OK) ? "is missing"
            : "holds none of generations, max_env_steps, minutes");
    return 2;
}

/* Where the run goes: checks a --resume file and, with no --out, takes the
   run's own directory (a resume in place). Reads only. Returns 0 or the exit code. */
static int resolve_out(trainer *t, int env_given)
{
    int rc;
    if (t->cfg.resume[0]) {   /* a file, before anything is locked or written beside it */
        struct stat st;
        int found = stat(t->cfg.resume, &st) == 0;
        if (!found || !S_ISREG(st.st_mode)) {
            fprintf(stderr, "train_half_cheetah: cannot resume from %s: %s\n", t->cfg.resume,
                    !found ? strerror(errno)
                    : S_ISDIR(st.st_mode) ? "a directory, not a checkpoint (its latest.ckpt?)" : "not a regular file");
            return 1;
        }
        run_dir_of(t->cfg.resume, t->src, sizeof t->src);
    }
    if (!t->cfg.out[0] && t->cfg.resume[0]) {   /* in place: only in a run's own directory */
        if (!is_run_dir(t->src) && !t->cfg.redis[0]) {
            if ((rc = load_checkpoint(t, t->cfg.resume, env_given)) != 0) return rc;   /* a bad file says so first */
            fprintf(stderr, "train_half_cheetah: %s is not in a run directory (no latest.ckpt, config.json, "
                            "metrics.csv or evals.csv in its run's place): give --out DIR for the run that continues it\n",
                    t->cfg.resume);
            return 2;
        }
        snprintf(t->cfg.out, sizeof t->cfg.out, "%s", t->src);
    }
    return 0;
}

/* What --out already holds, against what the start asks: never mix two
   runs (a resume goes on in its own directory or an empty one). Reads
   only. Returns 0 or the exit code. */
static int check_out(trainer *t)
{
    char path[1200];
    struct stat st;
    int i;
    if (t->cfg.redis[0] || !t->cfg.out[0]) return 0;
    snprintf(path, sizeof path, "%s/latest.ckpt", t->cfg.out);
    if (stat(path, &st) == 0 && !t->cfg.resume[0]) {
        fprintf(stderr, "train_half_cheetah: --out %s already holds a run: continue it with --resume %s, "
                        "or choose another --out\n", t->cfg.out, path);
        return 2;
    }
    if (!t->cfg.resume[0] && newest_checkpoint(t->cfg.out, path, sizeof path)) {   /* latest.ckpt removed */
        fprintf(stderr, "train_half_cheetah: --out %s already holds a run without latest.ckpt: continue it with "
                        "--resume %s, or choose another --out\n", t->cfg.out, path);
        return 2;
    }
    if (!t->cfg.resume[0] && (i = holds_run(t->cfg.out)) >= 0) {   /* a run stopped before its first checkpoint, or files of the user's */
        fprintf(stderr, "train_half_cheetah: --out %s already holds %s (and no checkpoint to resume): remove "
                        "it or choose another --out\n", t->cfg.out, run_files[i]);
        return 2;
    }
    if (t->cfg.resume[0] && !same_file(t->cfg.out, t->src) && (i = holds_run(t->cfg.out)) >= 0) {
        fprintf(stderr, "train_half_cheetah: --out %s holds another run's %s; resume into the run's own "
                        "directory (no --out) or an empty one\n", t->cfg.out, run_files[i]);
        return 2;
    }
    return 0;
}

static int env_flag_given(int argc, char **argv)
{
    int i, given = 0;
    for (i = 1; i < argc; i++) given |= !strncmp(argv[i], "--env", 5);
    return given;
}

/* Whether the trainer could make --out (or its .lock) there: the nearest
   directory on its path that exists must be one it may write in. */
static int out_writable(const char *out)
{
    char p[1100], *slash;
    struct stat st;
    int e = 0;
    snprintf(p, sizeof p, "%s", out);
    while (stat(p, &st) != 0) {
        e = errno;
        if (e != ENOENT || !strcmp(p, ".") || !strcmp(p, "/") || lstat(p, &st) == 0) break;   /* a dangling link */
        if (!(slash = strrchr(p, '/'))) snprintf(p, sizeof p, ".");
        else if (slash == p) p[1] = 0;
        else *slash = 0;
        e = 0;
    }
    if (!e && !S_ISDIR(st.st_mode)) e = ENOTDIR;
    if (!e && access(p, W_OK | X_OK | (strcmp(p, out) ? 0 : R_OK)) != 0) e = errno;
    if (!e) return 0;
    fprintf(stderr, "train_half_cheetah: cannot create %s/.lock: %s\n", out, strerror(e));
    return 1;
}

/* The new run's policy over the loaded task (t->mj). The flags' sizes are
   valid one by one: es_mlp_init can refuse only their product, past
   es.h's 2^34 parameters. Exit code 2: a flag to correct. */
static int policy_init(trainer *t)
{
    t->cfg.policy.nin = t->mj.obs_dim;
    t->cfg.policy.nout = t->mj.act_dim;
    t->cfg.policy.act_low = t->mj.act_low;
    t->cfg.policy.act_high = t->mj.act_high;
    if (es_mlp_init(&t->mlp, &t->cfg.policy) != ES_OK) {
        fprintf(stderr, "train_half_cheetah: --hidden: a policy of these sizes on %s has more than 2^34 parameters "
                "(es.h's limit)\n", t->cfg.env);
        return 2;
    }
    return 0;
}

/* -1: a resumed run already within its budget, which start and --check
   both answer (exit 0) without touching its directory. */
static int nothing_to_train(const trainer *t)
{
    fprintf(stderr, "train_half_cheetah: nothing to train: %s is at generation %u, %llu env steps, within the "
            "budget; %s is left as it is (give a larger --generations or --max-env-steps)\n", t->cfg.resume,
            t->opt.generation, (unsigned long long)t->run.env_steps, t->cfg.out[0] ? t->cfg.out : ".");
    return -1;
}

/* --check beyond the flags: what a start would refuse on the disk (a
   --resume file that is missing or not a checkpoint, a plain --resume of a
   run without its budget, an --out it cannot write in or that holds another
   run) and in the policy's size, and a resume with nothing to train,
   without locking, creating or writing anything. Not checked: another
   trainer's lock on --out, the --redis server. */
static int check_start(trainer *t, int argc, char **argv)
{
    int rc, env_given = env_flag_given(argc, argv);
    if ((rc = resolve_out(t, env_given)) != 0) return rc;
    if (t->cfg.out[0] && (rc = out_writable(t->cfg.out)) != 0) return rc;
    if ((rc = check_out(t)) != 0) return rc;
    if (t->cfg.resume[0] && (rc = load_checkpoint(t, t->cfg.resume, env_given)) != 0) return rc;
    if (!t->cfg.resume[0]) {
        char err[512];
        if (es_mujoco_load(&t->mj, t->cfg.env, err, sizeof err) != ES_OK) {
            fprintf(stderr, "train_half_cheetah: %s\n", err);
            return 1;
        }
        if ((rc = policy_init(t)) != 0) return rc;
    }
    if (t->cfg.resume[0] && !t->cfg.redis[0] && !t->cfg.budget_given && !t->cfg.minutes_given &&
        (rc = resume_budget(t)) != 0)
        return rc;
    return t->cfg.resume[0] && !t->cfg.redis[0] && budget_reached(t) ? nothing_to_train(t) : 0;
}

/* The thread pool and one env of the loaded task for each of its threads. */
static int make_envs(trainer *t)
{
    es_result r = es_pool_init(&t->pool, t->cfg.threads, NULL);
    int i;
    if (r != ES_OK) {
        fprintf(stderr, "train_half_cheetah: %s\n", es_result_string(r));
        return 1;
    }
    t->nenvs = t->pool.nthreads;
    t->envs = (es_env *)calloc((size_t)t->nenvs, sizeof *t->envs);
    if (!t->envs) return out_of_memory("the environments");
    for (i = 0; i < t->nenvs; i++) {
        if ((r = es_mujoco_env_init(&t->mj, &t->envs[i])) != ES_OK) {
            fprintf(stderr, "train_half_cheetah: %s: %s\n", es_mujoco_result_string(r), t->envs[i].error);
            return 1;
        }
    }
    return 0;
}

/* --evaluate CKPT: the checkpoint's theta on --test-episodes held-out
   episodes, as the trainer's test evaluations run them (the same reset
   seeds: the first 10 are those of its evaluations in evals.csv; the run's
   episode cap; no reward shift), on the pool. Nothing is written. */
static int evaluate_checkpoint(trainer *t, int env_given)
{
    char err[512];
    es_eval_stats st;
    es_result r;
    uint64_t steps;
    int rc;
    struct stat st_dir;
    if (stat(t->cfg.evaluate, &st_dir) == 0 && S_ISDIR(st_dir.st_mode)) {   /* a run directory: its latest */
        if (strlen(t->cfg.evaluate) + sizeof "/latest.ckpt" > sizeof t->cfg.evaluate) return bad("--evaluate", NULL, "a shorter path");
        strcat(t->cfg.evaluate, "/latest.ckpt");
    }
    if (stat(t->cfg.evaluate, &st_dir) == 0 && !S_ISREG(st_dir.st_mode)) {   /* a FIFO would block the read */
        fprintf(stderr, "train_half_cheetah: cannot evaluate %s: not a regular file\n", t->cfg.evaluate);
        return 1;
    }
    if ((rc = load_checkpoint(t, t->cfg.evaluate, env_given)) != 0) return rc;
    if (es_mujoco_load(&t->mj, t->cfg.env, err, sizeof err) != ES_OK) {
        fprintf(stderr, "train_half_cheetah: %s\n", err);
        return 1;
    }
    if ((rc = make_envs(t)) != 0) return rc;
    steps = t->run.env_steps;   /* the checkpoint's, which es_runner_init clears */
    r = es_runner_init(&t->run, &t->opt, &t->mlp, &t->norm, t->envs, &t->pool, 0, t->cfg.max_steps);
    if (r == ES_OK) r = es_runner_evaluate_theta(&t->run, NULL, t->cfg.test_episodes, &st);
    if (r != ES_OK) {
        fprintf(stderr, "train_half_cheetah: cannot evaluate %s: %s\n", t->cfg.evaluate,
                r == ES_ERROR_MISMATCH ? "its policy does not fit the task" : es_mujoco_result_string(r));
        return 1;
    }
    printf("%s: %s, generation %u, %llu env steps: %d-episode evaluation mean %.4f std %.4f min %.4f max %.4f, "
           "mean length %.2f, %d ended early, %d failed\n", t->cfg.evaluate, t->cfg.env, t->opt.generation,
           (unsigned long long)steps, st.episodes, st.mean, st.std, st.min, st.max, st.mean_steps,
           st.early, st.failed);
    return 0;
}

static int setup(trainer *t, int argc, char **argv)
{
    char err[512], path[1200];
    int i, env_given = env_flag_given(argc, argv);
    float *theta0;
    es_result r;
    if ((i = resolve_out(t, env_given)) != 0) return i;
    if (!t->cfg.out[0] && (i = default_out(t)) != 0) return i;
    if ((i = lock_run_dir(t, t->cfg.out)) != 0) return i;   /* before anything there is read or written */
    t->fresh = holds_run(t->cfg.out) < 0;
    if ((i = check_out(t)) != 0) return i;
    if (t->cfg.resume[0]) {
        static const char *const kept[] = {"--npop", "--sigma", "--lr", "--wd", "--optimizer", "--strategy", "--shaping",
                                           "--top-k", "--policy", "--hidden", "--seed", "--eval-episodes",
                                           "--max-steps", "--reward-shift", "--adaptive-cap", "--lr-schedule",
                                           "--lr-end", "--sigma-schedule", "--sigma-end", "--schedule-generations"};
        char ignored[256] = "";
        size_t k;
        if ((i = load_checkpoint(t, t->cfg.resume, env_given)) != 0) return i;
        t->ckpt_gen = t->opt.generation;
        for (i = 1; i < argc && !t->cfg.redis[0]; i++)
            for (k = 0; k < sizeof kept / sizeof kept[0]; k++)
                if (!strncmp(argv[i], kept[k], strlen(kept[k])) &&
                    (argv[i][strlen(kept[k])] == 0 || argv[i][strlen(kept[k])] == '='))
                    snprintf(ignored + strlen(ignored), sizeof ignored - strlen(ignored), " %s", kept[k]);
        if (ignored[0])
            fprintf(stderr, "train_half_cheetah: a resumed run keeps its checkpoint's settings; ignored:%s\n",
                    ignored);
    }
    if (es_mujoco_load(&t->mj, t->cfg.env, err, sizeof err) != ES_OK) {
        fprintf(stderr, "train_half_cheetah: %s\n", err);
        return 1;
    }
    if (t->cfg.max_steps > t->mj.max_steps) {   /* what runs: the task's time limit */
        if (!t->cfg.quiet)
            fprintf(stderr, "train_half_cheetah: note: --max-steps %d is past %s's time limit: its episodes end at %d\n",
                    t->cfg.max_steps, t->cfg.env, t->mj.max_steps);
        t->cfg.max_steps = t->mj.max_steps;
    }
    if ((i = make_envs(t)) != 0) return i;
    if (!t->cfg.resume[0]) {
        if ((i = policy_init(t)) != 0) return i;
        theta0 = (float *)malloc(t->mlp.nparams * sizeof(float));
        if (!theta0) return out_of_memory_policy(&t->mlp, t->nenvs, t->cfg.es.npop);
        es_mlp_init_theta(&t->mlp, t->cfg.es.seed, theta0);
        r = es_init(&t->opt, &t->cfg.es, theta0, t->mlp.nparams);
        free(theta0);
        if (r == ES_ERROR_OUT_OF_MEMORY) return out_of_memory_policy(&t->mlp, t->nenvs, t->cfg.es.npop);
        if (r != ES_OK) {
            fprintf(stderr, "train_half_cheetah: %s\n", es_result_string(r));
            return 2;
        }
        if (es_normalizer_init(&t->norm, t->mlp.desc.nin, 0.0f, 0.0f, NULL) != ES_OK)
            return out_of_memory("the observation normalizer");
    } else if (t->mlp.desc.nin != t->envs[0].obs_dim || t->mlp.desc.nout != t->envs[0].act_dim) {
        fprintf(stderr, "train_half_cheetah: %s: policy shape does not fit %s\n", t->cfg.resume, t->cfg.env);
        return 1;
    }
    {
        uint64_t steps = t->run.env_steps;
        r = es_runner_init(&t->run, &t->opt, &t->mlp, &t->norm, t->envs, &t->pool, t->cfg.eval_episodes,
                           t->cfg.max_steps);
        if (r == ES_ERROR_OUT_OF_MEMORY) return out_of_memory_policy(&t->mlp, t->nenvs, t->cfg.es.npop);
        if (r != ES_OK) {
            fprintf(stderr, "train_half_cheetah: %s\n", es_result_string(r));
            return 1;
        }
        t->run.env_steps = steps;
        t->run.reward_shift = t->cfg.reward_shift;
        t->run.member_max_steps = t->cfg.member_cap;
        t->run.stop = &stop_now;
    }
    snprintf(t->dir, sizeof t->dir, "%s", t->cfg.out);
    if (t->cfg.resume[0] && !t->cfg.redis[0]) {   /* the run's own, unless given again */
        if (!t->cfg.ckpt_every_given) run_config_int(t->src, "ckpt_every", 1, INT_MAX, &t->cfg.ckpt_every);
        if (!t->cfg.eval_every_given) run_config_int(t->src, "eval_every", 0, INT_MAX, &t->cfg.eval_every);
        if (!t->cfg.test_episodes_given) run_config_int(t->src, "test_episodes", 1, 100000, &t->cfg.test_episodes);
        if (!t->cfg.budget_given && !t->cfg.minutes_given) {   /* a plain --resume: the run's own limits */
            if ((i = resume_budget(t)) != 0) return i;
            if (!t->cfg.quiet && (t->cfg.generations || t->cfg.max_env_steps))
                printf("the run's budget (its config.json): %s %llu%s\n",
                       t->cfg.generations ? "--generations" : "--max-env-steps",
                       t->cfg.generations ? (unsigned long long)t->cfg.generations : t->cfg.max_env_steps,
                       t->cfg.minutes > 0 ? " (and its --minutes, from now)" : "");
        }
    }
    if (t->cfg.resume[0] && t->cfg.redis[0] && !t->cfg.budget_given && !t->cfg.minutes_given && !t->cfg.quiet)
        fprintf(stderr, "train_half_cheetah: note: a --redis worker's limits are its flags, as every worker's, not "
                "the run's config.json: with none given it trains for %g minutes\n", t->cfg.minutes);
    if (t->cfg.resume[0] && !t->cfg.redis[0] && budget_reached(t)) return nothing_to_train(t);   /* before any write */
    snprintf(path, sizeof path, "%s/checkpoints", t->dir);
    if (mkdirs(path, &t->made) != 0) {
        fprintf(stderr, "train_half_cheetah: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof path, "%s/config.json", t->dir);
    if (write_config_json(&t->cfg, &t->opt, &t->mlp, path) != 0) {
        fprintf(stderr, "train_half_cheetah: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (t->cfg.resume[0] && !t->cfg.redis[0] && (i = restart_from(t)) != 0) return i;
    if (csv_open(&t->metrics, t->dir, "metrics.csv", METRICS_HEADER, t->cfg.resume[0] != 0, t->opt.generation,
                 &t->wall_offset) ||
        csv_open(&t->evals, t->dir, "evals.csv", EVALS_HEADER, t->cfg.resume[0] != 0, t->opt.generation + 1,
                 NULL))   /* evals.csv keeps the checkpoint's own theta's row */
        return 1;
    if (t->cfg.resume[0]) {           /* this theta's evaluation row, if any, stands */
        FILE *f;
        char line[512];
        snprintf(path, sizeof path, "%s/evals.csv", t->dir);
        if ((f = fopen(path, "r")) != NULL) {
            es_eval_stats *st = &t->last_eval;
            unsigned g;
            while (fgets(line, sizeof line, f))
                if (sscanf(line, "%u,%*[^,],%*[^,],%d,%lf,%lf,%lf,%lf,%lf,%d,%d", &g, &st->episodes, &st->mean,
                           &st->std, &st->min, &st->max, &st->mean_steps, &st->early, &st->failed) == 9 &&
                    g == t->opt.generation)
                    t->evaluated = g + 1;
            fclose(f);
        }
    }
    if (t->cfg.preset_lr_constant && !t->cfg.resume[0])   /* even with --quiet: it changes the run's result */
        printf("note: the preset's lr schedule needs a budget (--max-env-steps or --generations), an lr of the run's "
               "own and no --redis: lr stays constant\n");
    if (!t->cfg.quiet) {
        const config *c = &t->cfg;
        printf("%s: %s policy with %zu parameters, npop %d, %d threads, run directory %s\n", t->cfg.env,
               t->mlp.nlayers == 1 ? "linear" : "MLP", t->mlp.nparams, t->opt.desc.npop, t->pool.nthreads,
               t->dir);
        if (c->preset && !c->resume[0]) printf("preset for %s: %s; flags given override it\n", c->env, c->preset->source);
        printf("settings: %s, npop %d, sigma %g%s%s, lr %g%s%s, %s, wd %g, top-k %d, reward shift %g%s, episode cap %d%s\n",
               strategy_name(t->opt.desc.strategy), t->opt.desc.npop,
               c->sigma_schedule ? c->sigma_start : (float)es_sigma_mean(&t->opt),
               c->sigma_schedule ? " -> " : "", c->sigma_schedule ? schedule_names[c->sigma_schedule] : "",
               c->lr_schedule ? c->lr_start : t->opt.desc.lr, c->lr_schedule ? " -> " : "", c->lr_schedule ? schedule_names[c->lr_schedule] : "",
               optimizer_name(&t->opt.desc), t->opt.desc.wd, t->opt.desc.top_k, c->reward_shift,
               c->reward_shift != 0.0 ? " (training only)" : "", c->max_steps > 0 ? c->max_steps : t->mj.max_steps,
               c->adaptive_cap ? " (adaptive for the population)" : "");
        if (c->lr_schedule || c->sigma_schedule)
            printf("schedules over %llu %s: lr to %g, sigma to %g\n",
                   c->schedule_generations ? (unsigned long long)c->schedule_generations : c->schedule_env_steps,
                   c->schedule_generations ? "generations" : "env steps",
                   c->lr_schedule ? c->lr_end : c->lr_start, c->sigma_schedule ? c->sigma_end : c->sigma_start);
    }
    return 0;
}

/* A new run that failed before its first row or checkpoint (a --redis
   worker refused by the run's settings, a task failing at once) leaves
   nothing behind either: its config.json, header-only CSV files, .lock and
   directories go, as those of a failed start do. */
static void forget_untrained(trainer *t)
{
    static const char *const ours[] = {"config.json", "metrics.csv", "evals.csv"};
    char path[1200];
    size_t i;
    snprintf(path, sizeof path, "%s/latest.ckpt", t->dir);
    if (!t->fresh || t->ckpt_gen || access(path, F_OK) == 0 || t->metrics.len != (off_t)strlen(METRICS_HEADER) ||
        t->evals.len != (off_t)strlen(EVALS_HEADER))
        return;
    for (i = 0; i < sizeof ours / sizeof ours[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", t->dir, ours[i]);
        unlink(path);
    }
    undo_start(t);
}

static void teardown(trainer *t)
{
    int i;
    if (t->metrics.fd >= 0) close(t->metrics.fd);
    if (t->evals.fd >= 0) close(t->evals.fd);
    if (t->lock_fd >= 0) close(t->lock_fd);
    es_runner_free(&t->run);
    for (i = 0; t->envs && i < t->nenvs; i++)
        if (t->envs[i].destroy) t->envs[i].destroy(&t->envs[i]);
    free(t->envs);
    es_pool_free(&t->pool);
    es_normalizer_free(&t->norm);
    es_free(&t->opt);
    es_mujoco_free(&t->mj);
}

int main(int argc, char **argv)
{
    static trainer t;
    struct sigaction sa;
    int rc = parse_args(argc, argv, &t.cfg);
    t.metrics.fd = t.evals.fd = t.lock_fd = -1;
    t.lock_prev_len = -1;
    if (rc < 0) {
        usage(stdout);
        return 0;
    }
    if (rc) return rc;
#ifndef ES_WITH_REDIS
    if (t.cfg.redis[0]) {   /* (--check too) */
        fprintf(stderr, "train_half_cheetah: --redis: this build has no Redis support\n");
        return 2;
    }
#endif
    if (t.cfg.evaluate[0]) {   /* writes nothing: a signal may end it as it would any reader */
        rc = evaluate_checkpoint(&t, env_flag_given(argc, argv));
        teardown(&t);
        return rc;
    }
    if (t.cfg.check) {   /* what tools/sweep asks of each configuration before its first run */
        if ((rc = check_start(&t, argc, argv)) == 0)
            printf("train_half_cheetah: the flags are valid%s (nothing trained or written)\n",
                   t.cfg.out[0] ? (t.cfg.resume[0] ? ", and the run can resume there" : ", and --out can take the run")
                                : "");
        teardown(&t);
        return rc < 0 ? 0 : rc;
    }
#ifdef ES_WITH_REDIS
    if (t.cfg.redis[0] && (rc = redis_connect(&t)) != 0) return rc;
#endif
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = setup(&t, argc, argv);
    if (rc == 0) {
        if ((rc = train(&t)) == 1 || rc == 2) forget_untrained(&t);
    } else if (rc == -1) {   /* nothing to train: the directory as it was */
        rc = 0;
        undo_start(&t);
    } else if (t.lock_fd >= 0) undo_start(&t);   /* a failed start leaves no empty directory of its own behind */
#ifdef ES_WITH_REDIS
    if (t.rd) redis_finish(t.rd, rc == 0, now_s() - t.wall0);
#endif
    teardown(&t);
    return rc;
}
