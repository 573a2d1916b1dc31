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

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TAG_TRAINER ES_TAG('T', 'R', 'N', 'R')

typedef struct config {
    char env[64];
    int generations;          /* stop after this many (0: no limit) */
    double minutes;           /* stop after this wall time (0: no limit) */
    es_desc es;
    es_mlp_desc policy;
    int threads;
    int ckpt_every;
    int eval_episodes;
    int max_steps;
    char out[1024];
    char resume[1024];
    char redis[256];
    char run[128];
    int quiet;
} config;

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
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
        "  --env NAME          task (default HalfCheetah-v5)\n"
        "  --generations N     stop after generation N (default: no limit)\n"
        "  --minutes M         stop after M minutes of wall time (default 5; 0: no limit)\n"
        "  --npop N            population size, even (default 64)\n"
        "  --sigma S           noise std (default 0.03)\n"
        "  --lr R              learning rate (default 0.02)\n"
        "  --wd W              L2 weight decay (default 0.005)\n"
        "  --optimizer adam|sgd  (default adam)\n"
        "  --shaping rank|zscore|raw  fitness shaping (default rank)\n"
        "  --top-k K           only the K best pairs enter the update (ARS; default 0: all)\n"
        "  --policy mlp|linear (default mlp)\n"
        "  --hidden 64,64      hidden layer widths of the MLP (default 64,64)\n"
        "  --threads N         threads (default: all %d cores)\n"
        "  --seed N            seed of noise, resets and initial weights (default 0)\n"
        "  --out DIR           run directory (default runs/<timestamp>)\n"
        "  --ckpt-every N      checkpoint every N generations (default 10)\n"
        "  --resume PATH       continue bit-exactly from a checkpoint (its settings win)\n"
        "  --eval-episodes N   noiseless episodes of theta per generation (default 1)\n"
        "  --max-steps N       cap on episode length (default: the task's)\n"
        "  --redis HOST:PORT   create or join a distributed run on Redis (with --run NAME);\n"
        "                      every worker needs the same flags (--threads, --out, --minutes\n"
        "                      may differ); environment: ES_REDIS_PASSWORD (AUTH),\n"
        "                      ES_REDIS_LEASE_MS (30000), ES_REDIS_CHUNK (members a chunk),\n"
        "                      ES_REDIS_RECONNECT_S (60)\n"
        "  --run NAME          name of the distributed run\n"
        "  --quiet             no progress output\n"
        "  --help              this text\n\n"
        "A run directory holds config.json, metrics.csv, checkpoints/gen_NNNNNN.ckpt\n"
        "and latest.ckpt. Ctrl-C writes a checkpoint and exits 0.\n"
        "Exit codes: 0 ok, 1 runtime error, 2 usage error.\n\ntasks:",
        es_cpu_count());
    for (i = 0; i < es_mujoco_task_count(); i++) fprintf(f, " %s", es_mujoco_task_name(i));
    fprintf(f, "\n");
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
                                        "--wd", "--optimizer", "--shaping", "--top-k", "--policy", "--hidden",
                                        "--threads", "--seed", "--out", "--ckpt-every", "--resume",
                                        "--eval-episodes", "--max-steps", "--redis", "--run"};
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
    int i, linear = 0;
    memset(c, 0, sizeof *c);
    strcpy(c->env, "HalfCheetah-v5");
    c->minutes = 5.0;
    c->es = es_desc_default();
    c->ckpt_every = 10;
    c->eval_episodes = 1;
    for (i = 1; i < argc; i++) {
        char flag[64];
        const char *a = argv[i], *v = NULL, *eq = strchr(a, '=');
        double d;
        if (strncmp(a, "--", 2) != 0) return bad(a, NULL, "an option starting with --");
        if (eq && (size_t)(eq - a) < sizeof flag) {
            memcpy(flag, a, (size_t)(eq - a));
            flag[eq - a] = 0;
            v = eq + 1;
        } else {
            if (strlen(a) >= sizeof flag) return bad(a, NULL, "a known option");
            strcpy(flag, a);
        }
        if (!strcmp(flag, "--help") || !strcmp(flag, "-h")) return -1;
        if (!strcmp(flag, "--quiet")) { c->quiet = 1; continue; }
        if (!takes_value(flag)) return bad(flag, NULL, "a known option");
        if (!v) {
            if (i + 1 >= argc) return bad(flag, NULL, "a value");
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
            if (!parse_double(v, 0.0, 1e7, &c->minutes)) return bad(flag, v, "minutes >= 0");
        } else if (!strcmp(flag, "--npop")) {
            if (!parse_int(v, 2, 1 << 24, &c->es.npop) || c->es.npop % 2)
                return bad(flag, v, "an even integer in [2, 16777216]");
        } else if (!strcmp(flag, "--sigma")) {
            if (!parse_double(v, 1e-12, 1e6, &d)) return bad(flag, v, "a positive number");
            c->es.sigma = (float)d;
        } else if (!strcmp(flag, "--lr")) {
            if (!parse_double(v, 1e-12, 1e6, &d)) return bad(flag, v, "a positive number");
            c->es.lr = (float)d;
        } else if (!strcmp(flag, "--wd")) {
            if (!parse_double(v, 0.0, 1e6, &d)) return bad(flag, v, "a number >= 0");
            c->es.wd = (float)d;
            if (d == 0.0) c->es.zero |= ES_ZERO_WD;       /* a 0 in wd would mean the default */
            else c->es.zero &= ~(unsigned)ES_ZERO_WD;
        } else if (!strcmp(flag, "--optimizer")) {
            if (!strcmp(v, "adam")) c->es.optimizer = ES_OPTIMIZER_ADAM;
            else if (!strcmp(v, "sgd")) c->es.optimizer = ES_OPTIMIZER_SGD;
            else return bad(flag, v, "adam or sgd");
        } else if (!strcmp(flag, "--shaping")) {
            if (!strcmp(v, "rank")) c->es.shaping = ES_SHAPING_CENTERED_RANK;
            else if (!strcmp(v, "zscore")) c->es.shaping = ES_SHAPING_ZSCORE;
            else if (!strcmp(v, "raw")) c->es.shaping = ES_SHAPING_RAW;
            else return bad(flag, v, "rank, zscore or raw");
        } else if (!strcmp(flag, "--top-k")) {
            if (!parse_int(v, 0, 1 << 23, &c->es.top_k)) return bad(flag, v, "an integer >= 0");
        } else if (!strcmp(flag, "--policy")) {
            if (!strcmp(v, "mlp")) linear = 0;
            else if (!strcmp(v, "linear")) linear = 1;
            else return bad(flag, v, "mlp or linear");
        } else if (!strcmp(flag, "--hidden")) {
            if (!parse_hidden(v, &c->policy)) {
                char want[96];
                snprintf(want, sizeof want, "1 to %d comma-separated widths in [1, 65536], e.g. 64,64",
                         ES_MLP_MAX_HIDDEN);
                return bad(flag, v, want);
            }
        } else if (!strcmp(flag, "--threads")) {
            if (!parse_int(v, 1, 4096, &c->threads)) return bad(flag, v, "an integer in [1, 4096]");
        } else if (!strcmp(flag, "--seed")) {
            char *end;
            errno = 0;
            c->es.seed = strtoull(v, &end, 10);
            if (errno || end == v || *end || *v == '-') return bad(flag, v, "an unsigned integer");
        } else if (!strcmp(flag, "--out")) {
            if (strlen(v) >= sizeof c->out - 64 || !*v) return bad(flag, v, "a directory");
            strcpy(c->out, v);
        } else if (!strcmp(flag, "--ckpt-every")) {
            if (!parse_int(v, 1, INT_MAX, &c->ckpt_every)) return bad(flag, v, "a positive integer");
        } else if (!strcmp(flag, "--resume")) {
            if (strlen(v) >= sizeof c->resume || !*v) return bad(flag, v, "a checkpoint path");
            strcpy(c->resume, v);
        } else if (!strcmp(flag, "--eval-episodes")) {
            if (!parse_int(v, 0, 1000, &c->eval_episodes)) return bad(flag, v, "an integer in [0, 1000]");
        } else if (!strcmp(flag, "--max-steps")) {
            if (!parse_int(v, 1, INT_MAX, &c->max_steps)) return bad(flag, v, "a positive integer");
        } else if (!strcmp(flag, "--redis")) {
            if (strlen(v) >= sizeof c->redis || !strchr(v, ':')) return bad(flag, v, "HOST:PORT");
            strcpy(c->redis, v);
        } else if (!strcmp(flag, "--run")) {
            if (strlen(v) >= sizeof c->run || !*v) return bad(flag, v, "a run name");
            strcpy(c->run, v);
        }
    }
    if (linear) c->policy.nhidden = ES_MLP_LINEAR;
    if (c->es.top_k > c->es.npop / 2) {
        char k[16];
        snprintf(k, sizeof k, "%d", c->es.top_k);
        return bad("--top-k", k, "at most npop/2");
    }
    if (c->redis[0] && !c->run[0]) return bad("--redis", c->redis, "--run NAME as well");
    if (c->run[0] && !c->redis[0]) return bad("--run", c->run, "--redis HOST:PORT as well");
    if (c->threads == 0) c->threads = es_cpu_count();
    return 0;
}

/* ---- run directory ----------------------------------------------------- */

static int mkdirs(const char *path)
{
    char buf[1100];
    size_t i, n = strlen(path);
    if (n >= sizeof buf) return -1;
    strcpy(buf, path);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
            buf[i] = c;
        }
    }
    return 0;
}

static const char *optimizer_name(es_optimizer o) { return o == ES_OPTIMIZER_SGD ? "sgd" : "adam"; }
static const char *shaping_name(es_shaping s)
{
    return s == ES_SHAPING_ZSCORE ? "zscore" : s == ES_SHAPING_RAW ? "raw" : "rank";
}

static int write_config_json(const config *c, const es *opt, const es_mlp *mlp, const char *path)
{
    FILE *f = fopen(path, "w");
    int l;
    if (!f) return -1;
    fprintf(f, "{\n  \"env\": \"%s\",\n  \"npop\": %d,\n  \"sigma\": %.9g,\n  \"lr\": %.9g,\n"
               "  \"wd\": %.9g,\n  \"optimizer\": \"%s\",\n  \"shaping\": \"%s\",\n  \"antithetic\": %s,\n"
               "  \"top_k\": %d,\n  \"seed\": %llu,\n  \"policy\": \"%s\",\n  \"hidden\": [",
            c->env, opt->desc.npop, opt->desc.sigma, opt->desc.lr, opt->desc.wd,
            optimizer_name(opt->desc.optimizer), shaping_name(opt->desc.shaping),
            opt->desc.sampling == ES_SAMPLING_ANTITHETIC ? "true" : "false", opt->desc.top_k,
            (unsigned long long)opt->desc.seed, mlp->nlayers == 1 ? "linear" : "mlp");
    for (l = 1; l < mlp->nlayers; l++) fprintf(f, "%s%d", l > 1 ? ", " : "", mlp->size[l]);
    fprintf(f, "],\n  \"nparams\": %zu,\n  \"obs_clip\": 5,\n  \"threads\": %d,\n  \"generations\": %d,\n"
               "  \"minutes\": %g,\n  \"ckpt_every\": %d,\n  \"eval_episodes\": %d,\n  \"max_steps\": %d,\n"
               "  \"noise_stream_version\": %d\n}\n",
            mlp->nparams, c->threads, c->generations, c->minutes, c->ckpt_every, c->eval_episodes,
            c->max_steps, ES_NOISE_STREAM_VERSION);
    return fclose(f) == 0 ? 0 : -1;
}

static const char *METRICS_HEADER =
    "generation,env_steps,wall_s,reward_mean,reward_min,reward_max,eval_return,theta_rank,"
    "elite_count,failed_episodes,grad_norm,update_ratio,sigma,lr,theta_hash\n";

/* Keeps the rows of generations before gen (a resumed run rewrites the
   rest) and returns the wall time of the last kept row. */
static double trim_metrics(const char *path, uint32_t gen)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    char *kept = NULL;
    size_t len = 0, cap = 0;
    double wall = 0.0;
    if (!f) return 0.0;
    while (fgets(line, sizeof line, f)) {
        unsigned long g;
        double w;
        size_t n = strlen(line);
        if (sscanf(line, "%lu,%*[^,],%lf", &g, &w) == 2) {
            if (g >= gen) continue;
            wall = w;
        } else if (len > 0) {
            continue;
        }
        if (len + n + 1 > cap) {
            char *k;
            cap = (len + n + 1) * 2;
            k = (char *)realloc(kept, cap);
            if (!k) break;
            kept = k;
        }
        memcpy(kept + len, line, n);
        len += n;
    }
    fclose(f);
    if (kept) {
        es_file_write_atomic(path, kept, len);
        free(kept);
    }
    return wall;
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
    FILE *metrics;
    double wall0, wall_offset;
    struct dist *dist;        /* --redis: the distributed run (NULL: local) */
} trainer;

#ifdef ES_WITH_REDIS
static void redis_publish(trainer *t, const es_checkpoint *ck);
#endif

static es_result encode_checkpoint(trainer *t, es_checkpoint *ck)
{
    unsigned char policy[ES_MLP_DESC_BYTES], trainer_bytes[16], *norm;
    es_section sec[4];
    es_result r;
    norm = (unsigned char *)malloc(es_normalizer_bytes(&t->norm));
    if (!norm) return ES_ERROR_OUT_OF_MEMORY;
    es_mlp_encode(&t->mlp, policy);
    es_normalizer_encode(&t->norm, norm);
    es_put_u64(trainer_bytes, t->run.env_steps);
    es_put_u32(trainer_bytes + 8, (uint32_t)t->cfg.eval_episodes);
    es_put_u32(trainer_bytes + 12, (uint32_t)t->cfg.max_steps);
    sec[0].tag = ES_TAG_TASK; sec[0].data = t->cfg.env; sec[0].size = strlen(t->cfg.env);
    sec[1].tag = ES_TAG_POLICY; sec[1].data = policy; sec[1].size = sizeof policy;
    sec[2].tag = ES_TAG_NORM; sec[2].data = norm; sec[2].size = es_normalizer_bytes(&t->norm);
    sec[3].tag = TAG_TRAINER; sec[3].data = trainer_bytes; sec[3].size = sizeof trainer_bytes;
    r = es_checkpoint_encode(&t->opt, sec, 4, ck);
    free(norm);
    return r;
}

static es_result save_checkpoint(trainer *t)
{
    char path[1200];
    es_checkpoint ck;
    es_result r = encode_checkpoint(t, &ck);
    if (r != ES_OK) return r;
#ifdef ES_WITH_REDIS
    if (t->dist) redis_publish(t, &ck);
#endif
    snprintf(path, sizeof path, "%s/checkpoints/gen_%06u.ckpt", t->dir, t->opt.generation);
    r = es_checkpoint_write(&ck, path);
    if (r == ES_OK) {
        snprintf(path, sizeof path, "%s/latest.ckpt", t->dir);
        r = es_checkpoint_write(&ck, path);
    }
    es_checkpoint_free(&ck);
    return r;
}

/* Restores task, policy, optimizer, normalizer and counters from a file. */
static int load_checkpoint(trainer *t, const char *path, int env_given)
{
    es_checkpoint ck;
    const void *p;
    size_t n;
    es_result r = es_checkpoint_read(&ck, path, NULL);
    if (r != ES_OK) {
        fprintf(stderr, "train_half_cheetah: cannot resume from %s: %s\n", path,
                r == ES_ERROR_IO ? strerror(errno) : es_result_string(r));
        return 1;
    }
    {
        char task[sizeof t->cfg.env];
        r = es_policy_load(&ck, task, sizeof task, &t->mlp, &t->norm);
        if (r != ES_OK) goto bad;
        if (env_given && strcmp(task, t->cfg.env) != 0) {
            fprintf(stderr, "train_half_cheetah: %s is a checkpoint of %s, not %s\n", path, task, t->cfg.env);
            es_checkpoint_free(&ck);
            return 1;
        }
        strcpy(t->cfg.env, task);
    }
    t->cfg.policy = t->mlp.desc;
    r = es_load(&t->opt, &ck, NULL);
    if (r != ES_OK || t->opt.nparams != t->mlp.nparams) goto bad;
    t->cfg.es = t->opt.desc;
    if (es_checkpoint_section(&ck, TAG_TRAINER, &p, &n) != ES_OK || n != 16) goto bad;
    t->run.env_steps = es_get_u64((const unsigned char *)p);
    t->cfg.eval_episodes = (int)es_get_u32((const unsigned char *)p + 8);
    t->cfg.max_steps = (int)es_get_u32((const unsigned char *)p + 12);
    if (t->cfg.eval_episodes > 1000 || t->cfg.max_steps < 0) goto bad;
    es_checkpoint_free(&ck);
    return 0;
bad:
    fprintf(stderr, "train_half_cheetah: cannot resume from %s: not a trainer checkpoint (%s)\n", path,
            r != ES_OK ? es_result_string(r) : "sections missing or inconsistent");
    es_checkpoint_free(&ck);
    return 1;
}

/* The run directory of a checkpoint: DIR for DIR/latest.ckpt and
   DIR/checkpoints/gen_N.ckpt. */
static void run_dir_of(const char *ckpt, char *dir, size_t size)
{
    const char *slash = strrchr(ckpt, '/');
    size_t n = slash ? (size_t)(slash - ckpt) : 0;
    if (n == 0) {
        snprintf(dir, size, slash ? "/" : ".");
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

/* ---- distributed runs (--redis, es_redis.h) ------------------------------- */

#ifdef ES_WITH_REDIS
/* Every worker runs the same generations: chunks of the population (and
   one chunk of all evaluation episodes, chunk 0) are claimed through Redis,
   evaluated by whoever claimed them, and every worker collects all results
   and applies the same es_runner_update. The run's settings are stored in
   Redis when it is created; a worker with other settings is refused.
   A joiner adopts the run's checkpoint in Redis (cfg.resume points at a
   copy), so --resume only seeds a run Redis holds nothing of. --minutes:
   the first worker past its limit sets the run's final generation, which
   every worker respects. env_steps counts every member's steps, whoever
   ran them, so checkpoints equal a single-process run's. */
typedef struct dist {
    es_redis rd;
    int chunk;                /* members per chunk */
    int eval_chunk;           /* 1: chunk 0 holds the evaluation episodes */
    int nchunks;
    es_redis_results res;
    unsigned char *payload;
    es_checkpoint snap;       /* for repopulating Redis */
    int created;
    double wall0;
    uint32_t gens;            /* generations run by this worker */
    char adopt[1200];         /* checkpoint taken from Redis, removed after setup */
} dist;

static int env_int(const char *name, int lo, int hi, int def)
{
    const char *v = getenv(name);
    int x;
    if (!v || !*v) return def;
    if (!parse_int(v, lo, hi, &x)) {
        fprintf(stderr, "train_half_cheetah: %s=%s ignored: expected an integer in [%d, %d]\n", name, v, lo, hi);
        return def;
    }
    return x;
}

static void redis_log(void *user, const char *msg)
{
    (void)user;
    fprintf(stderr, "train_half_cheetah: redis: %s\n", msg);
}

/* The settings every worker of a run must share, one per line. */
static void run_config_text(const config *c, int chunk, char *out, size_t size)
{
    char hidden[128] = "-";
    int l, n = 0;
    if (c->policy.nhidden != ES_MLP_LINEAR) {
        int nh = c->policy.nhidden ? c->policy.nhidden : 2;
        for (l = 0; l < nh && n < (int)sizeof hidden - 12; l++)
            n += snprintf(hidden + n, sizeof hidden - (size_t)n, "%s%d", l ? "," : "",
                          c->policy.hidden[l] ? c->policy.hidden[l] : 64);
    }
    snprintf(out, size,
             "es run, noise stream %d\nenv=%s\nnpop=%d\nsigma=%.9g\nlr=%.9g\nwd=%.9g\noptimizer=%s\n"
             "shaping=%s\ntop_k=%d\npolicy=%s\nhidden=%s\nseed=%llu\ngenerations=%d\nckpt_every=%d\n"
             "eval_episodes=%d\nmax_steps=%d\nchunk=%d\n",
             ES_NOISE_STREAM_VERSION, c->env, c->es.npop, c->es.sigma, c->es.lr, (double)c->es.wd,
             optimizer_name(c->es.optimizer), shaping_name(c->es.shaping), c->es.top_k,
             c->policy.nhidden == ES_MLP_LINEAR ? "linear" : "mlp", hidden, (unsigned long long)c->es.seed,
             c->generations, c->ckpt_every, c->eval_episodes, c->max_steps, chunk);
}

/* Prints the first line where the two configs differ. */
static void config_conflict(const char *run, const char *ours, const char *theirs)
{
    while (*ours && *theirs) {
        size_t a = strcspn(ours, "\n"), b = strcspn(theirs, "\n");
        if (a != b || memcmp(ours, theirs, a) != 0) break;
        ours += a + (ours[a] != 0);
        theirs += b + (theirs[b] != 0);
    }
    fprintf(stderr,
            "train_half_cheetah: --run %s was created with other settings: the run has \"%.*s\", this worker "
            "\"%.*s\"; start every worker of a run with the same flags\n",
            run, (int)strcspn(theirs, "\n"), theirs, (int)strcspn(ours, "\n"), ours);
}

static es_result redis_snapshot(void *user, uint32_t *gen, const void **bytes, size_t *size)
{
    trainer *t = (trainer *)user;
    es_checkpoint_free(&t->dist->snap);
    if (encode_checkpoint(t, &t->dist->snap) != ES_OK) return ES_ERROR_OUT_OF_MEMORY;
    *gen = t->opt.generation;
    *bytes = t->dist->snap.bytes;
    *size = t->dist->snap.size;
    return ES_OK;
}

static void redis_publish(trainer *t, const es_checkpoint *ck)
{
    uint32_t g = t->opt.generation, every = (uint32_t)t->cfg.ckpt_every;
    if (es_redis_checkpoint_put(&t->dist->rd, g, ck->bytes, ck->size, g > every ? g - every : 0, NULL) != ES_OK)
        fprintf(stderr, "train_half_cheetah: redis: cannot store the checkpoint of generation %u: %s\n", g,
                t->dist->rd.error);
}

/* Before setup: connect, create or join the run; a joiner adopts the run's
   checkpoint (through cfg.resume). Returns 0, or the exit code. */
static int redis_start(trainer *t, int env_given)
{
    dist *d;
    es_redis_desc desc;
    char host[256], text[2048], *colon;
    void *stored = NULL;
    size_t stored_size = 0;
    int port;
    d = (dist *)calloc(1, sizeof *d);
    if (!d) return 1;
    t->dist = d;
    d->wall0 = now_s();
    snprintf(host, sizeof host, "%s", t->cfg.redis);
    colon = strrchr(host, ':');
    if (!colon || !parse_int(colon + 1, 1, 65535, &port)) return bad("--redis", t->cfg.redis, "HOST:PORT");
    *colon = 0;
    memset(&desc, 0, sizeof desc);
    desc.host = host;
    desc.port = port;
    desc.password = getenv("ES_REDIS_PASSWORD");
    desc.run = t->cfg.run;
    desc.lease_ms = env_int("ES_REDIS_LEASE_MS", 100, 86400000, 30000);
    desc.reconnect_s = env_int("ES_REDIS_RECONNECT_S", 1, 86400, 60);
    desc.snapshot = redis_snapshot;
    desc.snapshot_user = t;
    desc.log_fn = redis_log;
    if (es_redis_connect(&d->rd, &desc) != ES_OK) {
        fprintf(stderr, "train_half_cheetah: --redis %s: %s\n", t->cfg.redis, d->rd.error);
        return 1;
    }
    if (t->cfg.resume[0]) {            /* the settings of the checkpoint */
        if (load_checkpoint(t, t->cfg.resume, env_given)) return 1;
        es_free(&t->opt);
        es_normalizer_free(&t->norm);
        t->run.env_steps = 0;
        if (!t->cfg.out[0]) run_dir_of(t->cfg.resume, t->cfg.out, sizeof t->cfg.out);
    }
    if (!t->cfg.out[0]) {
        char *p;
        snprintf(t->cfg.out, sizeof t->cfg.out, "runs/%s-%s", t->cfg.run, d->rd.worker);
        for (p = t->cfg.out + 5; *p; p++)
            if (*p == ':' || *p == '/') *p = '-';
    }
    d->chunk = env_int("ES_REDIS_CHUNK", 1, 1 << 24, 0);
    if (!d->chunk) d->chunk = t->cfg.es.npop / 8 < 2 ? 2 : t->cfg.es.npop / 8 > 16 ? 16 : t->cfg.es.npop / 8;
    run_config_text(&t->cfg, d->chunk, text, sizeof text);
    if (es_redis_config(&d->rd, text, strlen(text), &stored, &stored_size, &d->created) != ES_OK) {
        fprintf(stderr, "train_half_cheetah: --redis %s: %s\n", t->cfg.redis, d->rd.error);
        return 1;
    }
    if (stored_size != strlen(text) || memcmp(stored, text, stored_size) != 0) {
        config_conflict(t->cfg.run, text, (const char *)stored);
        es_redis_free(stored);
        return 2;
    }
    es_redis_free(stored);
    if (!d->created) {                 /* join: adopt the run's checkpoint */
        void *bytes = NULL;
        size_t size = 0;
        uint32_t g = 0;
        double t0 = now_s();
        es_result r;
        while ((r = es_redis_checkpoint_get(&d->rd, &g, &bytes, &size)) == ES_ERROR_NOT_FOUND &&
               now_s() - t0 < desc.reconnect_s) {
            struct timespec ts = {0, 200000000};
            nanosleep(&ts, NULL);      /* the creator has not stored it yet */
        }
        if (r != ES_OK) {
            fprintf(stderr, "train_half_cheetah: --run %s: no checkpoint in Redis: %s\n", t->cfg.run,
                    r == ES_ERROR_NOT_FOUND ? "none stored" : d->rd.error);
            return 1;
        }
        snprintf(d->adopt, sizeof d->adopt, "%s/.redis-adopt.ckpt", t->cfg.out);
        if (mkdirs(t->cfg.out) != 0 || es_file_write_atomic(d->adopt, bytes, size) != ES_OK) {
            fprintf(stderr, "train_half_cheetah: cannot write %s: %s\n", d->adopt, strerror(errno));
            es_redis_free(bytes);
            return 1;
        }
        es_redis_free(bytes);
        strcpy(t->cfg.resume, d->adopt);
        if (!t->cfg.quiet) printf("joining run %s at generation %u (checkpoint from Redis)\n", t->cfg.run, g);
    } else if (!t->cfg.quiet) {
        printf("created run %s on Redis %s\n", t->cfg.run, t->cfg.redis);
    }
    return 0;
}

/* After setup: chunk layout, buffers, and the run's checkpoint in Redis. */
static int redis_ready(trainer *t)
{
    dist *d = t->dist;
    es_checkpoint ck;
    int npop = t->opt.desc.npop;
    size_t a, b;
    if (d->adopt[0]) remove(d->adopt);
    d->eval_chunk = t->cfg.eval_episodes > 0;
    d->nchunks = d->eval_chunk + (npop + d->chunk - 1) / d->chunk;
    d->res.npop = npop;
    d->res.nstats = (int)es_obs_stats_size(t->mlp.desc.nin);
    d->res.neval = t->cfg.eval_episodes;
    d->res.rewards = t->run.rewards;
    d->res.stats = t->run.stats;
    d->res.steps = t->run.steps;
    d->res.status = t->run.status;
    d->res.eval_returns = t->run.eval_returns;
    a = es_redis_payload_size(d->chunk, d->res.nstats, 0);
    b = es_redis_payload_size(0, d->res.nstats, d->res.neval);
    d->payload = (unsigned char *)malloc(a > b ? a : b);
    if (!d->payload || encode_checkpoint(t, &ck) != ES_OK) return 1;
    redis_publish(t, &ck);
    es_checkpoint_free(&ck);
    return 0;
}

static void chunk_members(const dist *d, int chunk, int *begin, int *end)
{
    int k = chunk - d->eval_chunk;
    *begin = k * d->chunk;
    *end = *begin + d->chunk < d->res.npop ? *begin + d->chunk : d->res.npop;
}

static es_result redis_eval_chunk(void *user, uint32_t gen, int chunk, const void **payload, size_t *size)
{
    trainer *t = (trainer *)user;
    dist *d = t->dist;
    int begin = 0, end = 0, with_eval = d->eval_chunk && chunk == 0;
    es_result r;
    if (gen != t->opt.generation) return ES_ERROR_INVALID_ARGUMENT;
    if (!with_eval) chunk_members(d, chunk, &begin, &end);
    r = es_runner_evaluate(&t->run, begin, end, with_eval);
    if (r != ES_OK) return r;
    *size = es_redis_payload_size(end - begin, d->res.nstats, with_eval ? d->res.neval : 0);
    *payload = d->payload;
    return es_redis_payload_encode(d->payload, *size, gen, (uint32_t)chunk, begin, end, with_eval, &d->res);
}

static es_result redis_take_chunk(void *user, uint32_t gen, int chunk, const void *payload, size_t size)
{
    trainer *t = (trainer *)user;
    dist *d = t->dist;
    int begin = 0, end = 0, with_eval = d->eval_chunk && chunk == 0;
    if (!with_eval) chunk_members(d, chunk, &begin, &end);
    return es_redis_payload_decode(payload, size, gen, (uint32_t)chunk, begin, end, with_eval, &d->res);
}

/* One generation with the other workers; *ended when the run's last
   generation (--generations, or the final one set by --minutes) is reached. */
static es_result redis_generation(trainer *t, int *ended)
{
    dist *d = t->dist;
    uint64_t before = t->run.env_steps, steps = 0;
    int i, n = t->opt.desc.npop + t->cfg.eval_episodes;
    es_result r;
    *ended = t->cfg.generations > 0 && (int)t->opt.generation >= t->cfg.generations;
    if (*ended) return ES_OK;
    r = es_redis_generation(&d->rd, t->opt.generation, d->nchunks, redis_eval_chunk, redis_take_chunk, t, ended);
    if (r != ES_OK) {
        fprintf(stderr, "\ntrain_half_cheetah: redis: %s\n", d->rd.error);
        return r;
    }
    if (*ended) return ES_OK;
    for (i = 0; i < n; i++) steps += (uint64_t)t->run.steps[i];
    t->run.env_steps = before + steps;  /* every member's steps, whoever ran them */
    d->gens++;
    return es_runner_update(&t->run);
}

/* --minutes: the first worker past its limit sets the run's final generation. */
static void redis_time_up(trainer *t)
{
    uint32_t final = 0;
    if (es_redis_request_final(&t->dist->rd, t->opt.generation, &final) == ES_OK && !t->cfg.quiet)
        printf("\ntime limit: the run ends at generation %u\n", final);
}

/* Prints this worker's coordination figures (if report) and disconnects. */
static void redis_finish(trainer *t, int report)
{
    dist *d = t->dist;
    double wall;
    if (!d) return;
    wall = now_s() - d->wall0;
    if (report)
        printf("redis: %u generations, %llu chunks evaluated, %llu late results dropped, %llu re-claimed, "
           "%llu reconnects; %.3f s in %llu Redis calls (%.2f%% of %.1f s wall, %.2f ms a generation), "
           "%.3f s waiting for other workers\n",
           d->gens, (unsigned long long)d->rd.evaluated, (unsigned long long)d->rd.dropped,
           (unsigned long long)d->rd.reclaimed, (unsigned long long)d->rd.reconnects, d->rd.redis_s,
           (unsigned long long)d->rd.calls, wall > 0 ? 100.0 * d->rd.redis_s / wall : 0.0, wall,
           d->gens ? 1e3 * d->rd.redis_s / d->gens : 0.0, d->rd.wait_s);
    es_redis_close(&d->rd);
    es_checkpoint_free(&d->snap);
    free(d->payload);
    free(d);
    t->dist = NULL;
}
#endif

/* ---- the loop ------------------------------------------------------------ */

static void fmt_duration(double s, char *buf, size_t size)
{
    long v = (long)(s + 0.5);
    if (v >= 3600) snprintf(buf, size, "%ld:%02ld:%02ld", v / 3600, v / 60 % 60, v % 60);
    else snprintf(buf, size, "%ld:%02ld", v / 60, v % 60);
}

static void log_generation(trainer *t, uint32_t gen, double wall, uint64_t steps_before, double gen_s, int tty)
{
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
    fprintf(t->metrics, "%u,%llu,%.3f,%.4f,%.4f,%.4f,%.4f,%d,%d,%d,%.6g,%.6g,%.6g,%.6g,%016llx\n", gen,
            (unsigned long long)run->env_steps, wall, mean, lo, hi, eval, rank, elite, failed,
            t->opt.grad_norm, t->opt.update_ratio, t->opt.desc.sigma, t->opt.desc.lr,
            (unsigned long long)es_hash(&t->opt));
    fflush(t->metrics);
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
}

static int train(trainer *t)
{
    int tty = isatty(1), stop = 0;
    es_result r;
    t->wall0 = now_s();
    /* a resumed run already at --generations has nothing left to do */
    if (t->cfg.generations > 0 && (int)t->opt.generation >= t->cfg.generations
#ifdef ES_WITH_REDIS
        && !t->dist
#endif
    )
        stop = 1;
    while (!stop) {
        uint32_t gen = t->opt.generation;
        uint64_t steps_before = t->run.env_steps;
        double g0 = now_s();
        int ended = 0;
#ifdef ES_WITH_REDIS
        if (t->dist) r = redis_generation(t, &ended);
        else
#endif
        r = es_runner_generation(&t->run);
        if (r != ES_OK) {
            const char *why = "";
            int i;
            for (i = 0; i < t->nenvs && !why[0]; i++) why = t->envs[i].error;   /* the env's own words */
            fprintf(stderr, "\ntrain_half_cheetah: generation %u failed: %s%s%s\n", gen, es_mujoco_result_string(r),
                    why[0] ? ": " : "", why);
            return 1;
        }
        if (!ended) log_generation(t, gen, t->wall_offset + now_s() - t->wall0, steps_before, now_s() - g0, tty);
        if (ended || (t->cfg.generations > 0 && (int)t->opt.generation >= t->cfg.generations)) stop = 1;
        if (t->cfg.minutes > 0 && now_s() - t->wall0 >= t->cfg.minutes * 60.0) {
#ifdef ES_WITH_REDIS
            if (t->dist) {             /* all workers stop at the same generation */
                if (!t->cfg.quiet && tty) printf("\n");
                if (!stop) redis_time_up(t);
            } else
#endif
            stop = 1;
        }
        if (interrupted) stop = 1;
        if (stop || t->opt.generation % (uint32_t)t->cfg.ckpt_every == 0) {
            r = save_checkpoint(t);
            if (r != ES_OK) {
                fprintf(stderr, "\ntrain_half_cheetah: cannot write a checkpoint in %s: %s\n", t->dir,
                        es_result_string(r));
                return 1;
            }
        }
    }
    if (!t->cfg.quiet && tty) printf("\n");
    if (interrupted) fprintf(stderr, "train_half_cheetah: interrupted; checkpoint written\n");
    printf("done: generation %u, %llu env steps\n  checkpoints: %s/checkpoints/ (latest: %s/latest.ckpt)\n"
           "  metrics:     %s/metrics.csv\n",
           t->opt.generation, (unsigned long long)t->run.env_steps, t->dir, t->dir, t->dir);
    return 0;
}

static int setup(trainer *t, int argc, char **argv)
{
    char err[512], path[1200];
    int i, env_given = 0;
    float *theta0;
    es_result r;
    for (i = 1; i < argc; i++) env_given |= !strncmp(argv[i], "--env", 5);
    if (!t->cfg.resume[0] && !t->cfg.redis[0] && t->cfg.out[0]) {   /* never mix two runs */
        struct stat st;
        snprintf(path, sizeof path, "%s/latest.ckpt", t->cfg.out);
        if (stat(path, &st) == 0) {
            fprintf(stderr, "train_half_cheetah: --out %s already holds a run: continue it with --resume %s, "
                            "or choose another --out\n", t->cfg.out, path);
            return 2;
        }
    }
    if (t->cfg.resume[0]) {
        static const char *const kept[] = {"--npop", "--sigma", "--lr", "--wd", "--optimizer", "--shaping",
                                           "--top-k", "--policy", "--hidden", "--seed", "--eval-episodes",
                                           "--max-steps"};
        char ignored[256] = "";
        size_t k;
        if (load_checkpoint(t, t->cfg.resume, env_given)) return 1;
        if (!t->cfg.out[0]) run_dir_of(t->cfg.resume, t->cfg.out, sizeof t->cfg.out);
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
    if (t->cfg.max_steps > t->mj.max_steps) t->cfg.max_steps = t->mj.max_steps;   /* what runs */
    r = es_pool_init(&t->pool, t->cfg.threads, NULL);
    if (r != ES_OK) {
        fprintf(stderr, "train_half_cheetah: %s\n", es_result_string(r));
        return 1;
    }
    t->nenvs = t->pool.nthreads;
    t->envs = (es_env *)calloc((size_t)t->nenvs, sizeof *t->envs);
    if (!t->envs) return 1;
    for (i = 0; i < t->nenvs; i++) {
        if ((r = es_mujoco_env_init(&t->mj, &t->envs[i])) != ES_OK) {
            fprintf(stderr, "train_half_cheetah: %s: %s\n", es_mujoco_result_string(r), t->envs[i].error);
            return 1;
        }
    }
    if (!t->cfg.resume[0]) {
        t->cfg.policy.nin = t->envs[0].obs_dim;
        t->cfg.policy.nout = t->envs[0].act_dim;
        t->cfg.policy.act_low = t->envs[0].act_low;
        t->cfg.policy.act_high = t->envs[0].act_high;
        if ((r = es_mlp_init(&t->mlp, &t->cfg.policy)) != ES_OK) {
            fprintf(stderr, "train_half_cheetah: bad policy shape: %s\n", es_result_string(r));
            return 2;
        }
        theta0 = (float *)malloc(t->mlp.nparams * sizeof(float));
        if (!theta0) return 1;
        es_mlp_init_theta(&t->mlp, t->cfg.es.seed, theta0);
        r = es_init(&t->opt, &t->cfg.es, theta0, t->mlp.nparams);
        free(theta0);
        if (r != ES_OK) {
            fprintf(stderr, "train_half_cheetah: %s\n", es_result_string(r));
            return 2;
        }
        if (es_normalizer_init(&t->norm, t->mlp.desc.nin, 0.0f, 0.0f, NULL) != ES_OK) return 1;
    } else if (t->mlp.desc.nin != t->envs[0].obs_dim || t->mlp.desc.nout != t->envs[0].act_dim) {
        fprintf(stderr, "train_half_cheetah: %s: policy shape does not fit %s\n", t->cfg.resume, t->cfg.env);
        return 1;
    }
    {
        uint64_t steps = t->run.env_steps;
        r = es_runner_init(&t->run, &t->opt, &t->mlp, &t->norm, t->envs, &t->pool, t->cfg.eval_episodes,
                           t->cfg.max_steps);
        if (r != ES_OK) {
            fprintf(stderr, "train_half_cheetah: %s\n", es_result_string(r));
            return 1;
        }
        t->run.env_steps = steps;
    }
    if (!t->cfg.out[0]) {
        time_t now = time(NULL);
        struct tm tmv;
        localtime_r(&now, &tmv);
        strftime(t->cfg.out, sizeof t->cfg.out, "runs/%Y%m%d-%H%M%S", &tmv);
    }
    snprintf(t->dir, sizeof t->dir, "%s", t->cfg.out);
    snprintf(path, sizeof path, "%s/checkpoints", t->dir);
    if (mkdirs(path) != 0) {
        fprintf(stderr, "train_half_cheetah: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof path, "%s/config.json", t->dir);
    if (write_config_json(&t->cfg, &t->opt, &t->mlp, path) != 0) {
        fprintf(stderr, "train_half_cheetah: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof path, "%s/metrics.csv", t->dir);
    t->wall_offset = t->cfg.resume[0] ? trim_metrics(path, t->opt.generation) : 0.0;
    t->metrics = fopen(path, t->cfg.resume[0] ? "a" : "w");
    if (!t->metrics) {
        fprintf(stderr, "train_half_cheetah: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (ftell(t->metrics) == 0) fputs(METRICS_HEADER, t->metrics);
    if (!t->cfg.quiet)
        printf("%s: %s policy with %zu parameters, npop %d, %d threads, run directory %s\n", t->cfg.env,
               t->mlp.nlayers == 1 ? "linear" : "MLP", t->mlp.nparams, t->opt.desc.npop, t->pool.nthreads,
               t->dir);
    return 0;
}

static void teardown(trainer *t)
{
    int i;
    if (t->metrics) fclose(t->metrics);
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
    if (rc < 0) {
        usage(stdout);
        return 0;
    }
    if (rc) return rc;
#ifdef ES_WITH_REDIS
    if (t.cfg.redis[0]) {
        int i, env_given = 0;
        for (i = 1; i < argc; i++) env_given |= !strncmp(argv[i], "--env", 5);
        rc = redis_start(&t, env_given);
        if (rc) {
            redis_finish(&t, 0);
            return rc;
        }
    }
#else
    if (t.cfg.redis[0]) {
        fprintf(stderr, "train_half_cheetah: --redis: this build has no Redis support\n");
        return 2;
    }
#endif
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = setup(&t, argc, argv);
#ifdef ES_WITH_REDIS
    if (rc == 0 && t.dist) rc = redis_ready(&t);
#endif
    if (rc == 0) rc = train(&t);
#ifdef ES_WITH_REDIS
    redis_finish(&t, rc == 0);
#endif
    teardown(&t);
    return rc;
}
