/* tests/test_policy.c - policies and runs in checkpoint files: a checkpoint
   of the format before es_policy_save (tests/data/old_format_halfcheetah.ckpt,
   written by that trainer with --generations 2 --npop 8 --max-steps 60
   --hidden 8 --eval-episodes 2 --seed 5) still loads, with every field
   checked against the flags that made it; save/load round trips; the
   policy shape's size does not depend on ES_MLP_MAX_HIDDEN; and crafted
   checkpoints with a valid CRC but a non-finite or out-of-range field in
   the policy, normalizer or run metadata are refused. And a policy of the
   user's own (es_policy) through es_rollout_policy and the runner: a
   hand-written linear policy gives the bytes of es_mlp's linear policy. */
#define ES_IMPLEMENTATION
#include "es_mlp.h"
#include "tests/test.h"

#include <float.h>

#include <math.h>

#define OLD_FIXTURE "tests/data/old_format_halfcheetah.ckpt"

/* ---- the old format ---------------------------------------------------- */

static void test_old_checkpoint(void)
{
    es_checkpoint ck, back;
    es_mlp mlp, mlp2;
    es_normalizer norm, norm2;
    es_run_info info, info2;
    es opt, opt2;
    char task[64], task2[64], path[] = "build/tests/policy_resaved.ckpt";
    const void *p, *q;
    size_t n, m;
    es_result r;
    int ok, i;

    r = es_checkpoint_read(&ck, OLD_FIXTURE, NULL);
    CHECK(r == ES_OK, "old format: %s reads (%s)", OLD_FIXTURE, es_result_string(r));
    if (r != ES_OK) return;
    CHECK(es_checkpoint_section(&ck, ES_TAG_POLICY, &p, &n) == ES_OK && n == 60 &&
              es_checkpoint_section(&ck, ES_TAG_RUN, &p, &n) == ES_ERROR_NOT_FOUND &&
              es_checkpoint_section(&ck, ES_TAG('T', 'R', 'N', 'R'), &p, &n) == ES_OK && n == 16,
          "old format: the fixture has the 60-byte shape, a TRNR section and no run metadata");
    r = es_policy_load(&ck, task, sizeof task, &mlp, &norm);
    CHECK(r == ES_OK, "old format: es_policy_load accepts it (%s)", es_result_string(r));
    if (r != ES_OK) {
        es_checkpoint_free(&ck);
        return;
    }
    CHECK(strcmp(task, "HalfCheetah-v5") == 0, "old format: task HalfCheetah-v5 (got %s)", task);
    CHECK(mlp.nlayers == 2 && mlp.size[0] == 17 && mlp.size[1] == 8 && mlp.size[2] == 6 &&
              mlp.nparams == 17 * 8 + 8 + 8 * 6 + 6 && mlp.desc.hidden_activation == ES_ACTIVATION_TANH &&
              mlp.desc.output_activation == ES_ACTIVATION_TANH && mlp.desc.act_low == -1.0f &&
              mlp.desc.act_high == 1.0f,
          "old format: policy 17-8-6 tanh in [-1, 1], 198 parameters (--hidden 8)");
    /* population episodes add their observations, evaluation episodes do
       not: 2 generations x 8 members x 60 steps (HalfCheetah never ends early) */
    CHECK(norm.n == 17 && norm.count == 2.0 * 8 * 60 && norm.clip == 5.0f && norm.std_floor == 0.1f,
          "old format: normalizer of 17 inputs over 960 observations, clip 5, floor 0.1 (count %g)", norm.count);
    r = es_run_info_read(&ck, &info);
    CHECK(r == ES_OK && strcmp(info.task, "HalfCheetah-v5") == 0 && info.max_steps == 60 &&
              info.eval_episodes == 2 && info.generation == 2 && info.env_steps == 2 * (8 + 2) * 60 &&
              info.mujoco_version[0] == 0 && info.mujoco_version_number == 0,
          "old format: run metadata from TRNR: max_steps 60, eval_episodes 2, generation 2, "
          "env_steps 1200 = 2 x (8 + 2) x 60, MuJoCo version unknown (%s)", es_result_string(r));
    r = es_load(&opt, &ck, NULL);
    CHECK(r == ES_OK && opt.nparams == mlp.nparams && opt.generation == 2 && opt.desc.npop == 8 &&
              opt.desc.seed == 5,
          "old format: es_load gives theta of the policy's size, generation 2, npop 8, seed 5");
    if (r != ES_OK) {
        es_normalizer_free(&norm);
        es_checkpoint_free(&ck);
        return;
    }

    /* Written again with es_policy_save: the same policy, bits and all. */
    snprintf(info.mujoco_version, sizeof info.mujoco_version, "9.8.7");
    info.mujoco_version_number = 987;
    r = es_policy_save(path, &opt, &mlp, &norm, &info);
    CHECK(r == ES_OK, "es_policy_save writes %s (%s)", path, es_result_string(r));
    r = es_checkpoint_read(&back, path, NULL);
    CHECK(r == ES_OK, "es_policy_save's file reads back");
    if (r == ES_OK) {
        r = es_policy_load(&back, task2, sizeof task2, &mlp2, &norm2);
        CHECK(r == ES_OK && strcmp(task2, task) == 0 && mlp2.nlayers == mlp.nlayers &&
                  memcmp(mlp2.size, mlp.size, sizeof mlp.size) == 0 && mlp2.nparams == mlp.nparams,
              "round trip: task and shape");
        if (r == ES_OK) {
            ok = norm2.n == norm.n && norm2.count == norm.count && norm2.clip == norm.clip &&
                 norm2.std_floor == norm.std_floor;
            for (i = 0; ok && i < norm.n; i++)
                ok = memcmp(&norm2.sum[i], &norm.sum[i], 8) == 0 && memcmp(&norm2.sumsq[i], &norm.sumsq[i], 8) == 0;
            CHECK(ok, "round trip: normalizer sums bit-equal");
            es_normalizer_free(&norm2);
        }
        CHECK(es_load(&opt2, &back, NULL) == ES_OK && es_hash(&opt2) == es_hash(&opt) &&
                  memcmp(opt2.theta, opt.theta, opt.nparams * 4) == 0,
              "round trip: theta and optimizer state bit-equal");
        es_free(&opt2);
        r = es_run_info_read(&back, &info2);
        CHECK(r == ES_OK && strcmp(info2.task, info.task) == 0 && strcmp(info2.mujoco_version, "9.8.7") == 0 &&
                  info2.mujoco_version_number == 987 && info2.max_steps == 60 && info2.eval_episodes == 2 &&
                  info2.env_steps == 1200 && info2.generation == 2,
              "round trip: run metadata, MuJoCo version included");
        CHECK(es_checkpoint_section(&back, ES_TAG_POLICY, &p, &n) == ES_OK && n == 28 + 4 * 1,
              "new shape layout: 28 bytes + 4 per hidden layer (32 for one layer, was 60)");
        CHECK(es_checkpoint_section(&back, ES_TAG('T', 'R', 'N', 'R'), &q, &m) == ES_ERROR_NOT_FOUND,
              "es_policy_save writes no TRNR section");
        /* the core sections are es.h's and unchanged: the same bytes as in the old file */
        ok = 1;
        {
            static const char tags[5][5] = {"DESC", "STAT", "THTA", "ADMM", "ADMV"};
            for (i = 0; i < 5; i++) {
                uint32_t tag = ES_TAG(tags[i][0], tags[i][1], tags[i][2], tags[i][3]);
                if (es_checkpoint_section(&ck, tag, &p, &n) != ES_OK || es_checkpoint_section(&back, tag, &q, &m) != ES_OK ||
                    n != m || memcmp(p, q, n) != 0)
                    ok = 0;
            }
            if (es_checkpoint_section(&ck, ES_TAG_NORM, &p, &n) != ES_OK ||
                es_checkpoint_section(&back, ES_TAG_NORM, &q, &m) != ES_OK || n != m || memcmp(p, q, n) != 0)
                ok = 0;
        }
        CHECK(ok, "round trip: es.h's sections and the normalizer section byte-equal to the old file's");
        es_checkpoint_free(&back);
    }
    remove(path);
    es_free(&opt);
    es_normalizer_free(&norm);
    es_checkpoint_free(&ck);
}

/* ---- the shape's layout ------------------------------------------------ */

static void test_shape_layout(void)
{
    es_mlp_desc d;
    es_mlp mlp, back;
    unsigned char b[4 * (7 + 16)];
    size_t n;
    memset(&d, 0, sizeof d);
    d.nin = 5;
    d.nout = 2;
    d.nhidden = 3;
    d.hidden[0] = 7;
    d.hidden[1] = 6;
    d.hidden[2] = 4;
    es_mlp_init(&mlp, &d);
    memset(b, 0xee, sizeof b);
    n = es_mlp_encode(&mlp, b);
    CHECK(n == 28 + 3 * 4 && es_get_u32(b + 8) == 3 && es_get_u32(b + 28) == 7 && es_get_u32(b + 36) == 4,
          "shape: count of hidden layers then their widths, 40 bytes for 3 layers (whatever ES_MLP_MAX_HIDDEN)");
    CHECK(es_mlp_decode(&back, b, n) == ES_OK && back.nparams == mlp.nparams &&
              memcmp(back.size, mlp.size, sizeof mlp.size) == 0,
          "shape: decodes from exactly its own bytes");
    /* a build with a larger ES_MLP_MAX_HIDDEN once wrote zeroed slots up to its maximum */
    memset(b + n, 0, sizeof b - n);
    CHECK(es_mlp_decode(&back, b, sizeof b) == ES_OK && back.nparams == mlp.nparams,
          "shape: 16 width slots, unused ones zero (an older layout of another maximum) decode");
    b[sizeof b - 1] = 1;
    CHECK(es_mlp_decode(&back, b, sizeof b) == ES_ERROR_CORRUPT, "shape: a nonzero unused slot is refused");
    /* the old linear layout: count -1, 8 zero slots */
    memset(b, 0, sizeof b);
    es_put_u32(b + 0, 17);
    es_put_u32(b + 4, 6);
    es_put_u32(b + 8, 0xffffffffu);
    es_put_u32(b + 12, ES_ACTIVATION_TANH);
    es_put_u32(b + 16, ES_ACTIVATION_TANH);
    es_put_f32(b + 20, -1.0f);
    es_put_f32(b + 24, 1.0f);
    CHECK(es_mlp_decode(&back, b, 60) == ES_OK && back.nlayers == 1 && back.nparams == 17 * 6 + 6,
          "shape: the old 60-byte linear layout (count -1) decodes as linear 17-6");
    d.nhidden = ES_MLP_LINEAR;
    es_mlp_init(&mlp, &d);
    n = es_mlp_encode(&mlp, b);
    CHECK(n == 28 && es_get_u32(b + 8) == 0 && es_mlp_decode(&back, b, n) == ES_OK && back.nlayers == 1,
          "shape: a linear policy is 28 bytes with count 0 and decodes as linear");
    es_put_u32(b + 8, ES_MLP_MAX_HIDDEN + 1);
    CHECK(es_mlp_decode(&back, b, 28 + 4 * (ES_MLP_MAX_HIDDEN + 1)) == ES_ERROR_MISMATCH,
          "shape: more hidden layers than this build's ES_MLP_MAX_HIDDEN: ES_ERROR_MISMATCH");
}

/* ---- crafted checkpoints ----------------------------------------------- */

/* A valid policy checkpoint made of sections the test can spoil one by one;
   es_checkpoint_encode gives every variant a valid CRC. */
typedef struct craft {
    char task[128];
    size_t ntask;
    unsigned char shape[256];
    size_t nshape;
    unsigned char norm[20 + 16 * 3];
    char run[1024];
    size_t nrun;                 /* (size_t)-1: no run section */
    unsigned char trnr[16];
    int with_trnr;
    size_t theta_params;         /* es's nparams */
} craft;

static void craft_init(craft *c)
{
    es_mlp_desc d;
    es_mlp mlp;
    es_normalizer norm;
    int i;
    memset(c, 0, sizeof *c);
    strcpy(c->task, "Toy-v0");
    c->ntask = 6;
    memset(&d, 0, sizeof d);
    d.nin = 3;
    d.nout = 2;
    d.nhidden = 1;
    d.hidden[0] = 4;
    es_mlp_init(&mlp, &d);
    c->nshape = es_mlp_encode(&mlp, c->shape);
    c->theta_params = mlp.nparams;
    es_normalizer_init(&norm, 3, 0.0f, 0.0f, NULL);
    for (i = 0; i < 3; i++) {
        norm.sum[i] = 10.0 * (i + 1);
        norm.sumsq[i] = 100.0 * (i + 1);
    }
    norm.count = 20.0;
    es_normalizer_encode(&norm, c->norm);
    es_normalizer_free(&norm);
    c->nrun = (size_t)snprintf(c->run, sizeof c->run,
                               "task=Toy-v0\nmujoco_version=2.2.2\nmujoco_version_number=222\nmax_steps=60\n"
                               "eval_episodes=1\nenv_steps=1000\ngeneration=0\n");
    es_put_u64(c->trnr, 1000);
    es_put_u32(c->trnr + 8, 1);
    es_put_u32(c->trnr + 12, 60);
}

/* es_policy_load's result on the crafted checkpoint (and es_run_info_read's in *run_r). */
static es_result craft_load(const craft *c, es_result *run_r)
{
    es_checkpoint ck;
    es_section s[5];
    es opt;
    es_desc d = es_desc_default();
    es_mlp mlp;
    es_normalizer norm;
    es_run_info info;
    char task[64];
    int ns = 0;
    es_result r;
    d.npop = 4;
    if (es_init(&opt, &d, NULL, c->theta_params) != ES_OK) return ES_ERROR_OUT_OF_MEMORY;
    s[ns].tag = ES_TAG_TASK; s[ns].data = c->task; s[ns++].size = c->ntask;
    s[ns].tag = ES_TAG_POLICY; s[ns].data = c->shape; s[ns++].size = c->nshape;
    s[ns].tag = ES_TAG_NORM; s[ns].data = c->norm; s[ns++].size = sizeof c->norm;
    if (c->nrun != (size_t)-1) {
        s[ns].tag = ES_TAG_RUN; s[ns].data = c->run; s[ns++].size = c->nrun;
    }
    if (c->with_trnr) {
        s[ns].tag = ES_TAG('T', 'R', 'N', 'R'); s[ns].data = c->trnr; s[ns++].size = sizeof c->trnr;
    }
    r = es_checkpoint_encode(&opt, s, ns, &ck);
    es_free(&opt);
    if (r != ES_OK) return r;
    if (run_r) *run_r = es_run_info_read(&ck, &info);
    r = es_policy_load(&ck, task, sizeof task, &mlp, &norm);
    if (r == ES_OK) es_normalizer_free(&norm);
    es_checkpoint_free(&ck);
    return r;
}

static void set_run(craft *c, const char *text)
{
    c->nrun = strlen(text);
    memcpy(c->run, text, c->nrun);
}

static void test_crafted(void)
{
    craft c;
    es_result r, rr = ES_OK;
    int i;
    static const struct { size_t off; double value; const char *what; } norm_bad[] = {
        {12, NAN, "count NaN"}, {12, INFINITY, "count inf"}, {12, -1.0, "count -1"},
        {12, 1.5, "count 1.5 (not whole)"}, {12, 1e300, "count 1e300"},
        {20, NAN, "a sum NaN"}, {28, -INFINITY, "a sum -inf"},
        {44, NAN, "a sum of squares NaN"}, {52, INFINITY, "a sum of squares inf"},
        {60, -4.0, "a sum of squares negative"}, {44, 1e245, "a sum of squares whose std is beyond float"},
    };
    static const struct { size_t off; float value; const char *what; } normf_bad[] = {
        {4, NAN, "clip NaN"}, {4, INFINITY, "clip inf"}, {4, 0.0f, "clip 0"},
        {8, NAN, "std floor NaN"}, {8, INFINITY, "std floor inf"}, {8, -0.1f, "std floor negative"},
    };
    static const struct { size_t off; uint32_t value; const char *what; } shape_bad[] = {
        {0, 0, "nin 0"}, {0, (1u << 20) + 1, "nin 2^20 + 1"}, {4, 0xffffffffu, "nout -1"},
        {8, 99, "99 hidden layers"}, {8, 2, "2 hidden layers with one width"},
        {12, 0, "hidden activation 0"}, {16, 7, "output activation 7"},
        {28, 0, "hidden width 0"}, {28, 0x80000000u, "hidden width 2^31"},
    };
    static const struct { const char *text; const char *what; } run_bad[] = {
        {"task=Toy-v0\ngeneration=1\n", "generation 1 beside es.h's 0"},
        {"task=Toy-v1\ngeneration=0\n", "task Toy-v1 beside the task section's Toy-v0"},
        {"generation=0\n", "no task"},
        {"task=Toy-v0\n", "no generation"},
        {"task=Toy-v0\ngeneration=0\ngeneration=0\n", "a key twice"},
        {"task=Toy-v0\ngeneration=0\nmax_steps=-1\n", "max_steps -1"},
        {"task=Toy-v0\ngeneration=0\nmax_steps=2147483648\n", "max_steps 2^31"},
        {"task=Toy-v0\ngeneration=0\neval_episodes=1048577\n", "eval_episodes 2^20 + 1"},
        {"task=Toy-v0\ngeneration=0\nenv_steps=18446744073709551616\n", "env_steps 2^64"},
        {"task=Toy-v0\ngeneration=0\nenv_steps=4611686018427387905\n", "env_steps 2^62 + 1 (a sum that could wrap)"},
        {"task=Toy-v0\ngeneration=0\nenv_steps=1e6\n", "env_steps 1e6"},
        {"task=Toy-v0\ngeneration=0\nenv_steps=07\n", "a leading zero"},
        {"task=Toy-v0\ngeneration=0\nmax_steps=+5\n", "a sign"},
        {"task=Toy-v0\ngeneration=0\nmax_steps=\n", "an empty number"},
        {"task=Toy-v0\ngeneration=0", "no final newline"},
        {"task=Toy-v0\ngeneration=0\nnote=\x1b[2J\n", "a control character in a value"},
        {"task=Toy-v0\ngeneration=0\nNote=x\n", "an upper-case key"},
        {"task=Toy-v0\ngeneration=0\n=x\n", "an empty key"},
        {"task=Toy-v0\ngeneration=0\njunk\n", "a line without ="},
        {"task=Toy-v0\ngeneration=0\nmujoco_version=0123456789012345678901234567890123\n", "a 34-character MuJoCo version"},
        {"task=Toy-v0\ngeneration=0\nmujoco_version_number=-222\n", "a negative MuJoCo version number"},
        {"task=Toy-v0\ngeneration=0\n\n", "an empty line"},
    };

    craft_init(&c);
    r = craft_load(&c, &rr);
    CHECK(r == ES_OK && rr == ES_OK, "crafted: the unspoiled checkpoint loads (%s, %s)", es_result_string(r),
          es_result_string(rr));

    for (i = 0; i < (int)(sizeof norm_bad / sizeof norm_bad[0]); i++) {
        craft_init(&c);
        es_put_f64(c.norm + norm_bad[i].off, norm_bad[i].value);
        r = craft_load(&c, NULL);
        CHECK(r == ES_ERROR_CORRUPT, "crafted normalizer, %s: refused as corrupt (%s)", norm_bad[i].what,
              es_result_string(r));
    }
    craft_init(&c);
    es_put_f64(c.norm + 12, 1.0);
    es_put_f64(c.norm + 20, 1e300);
    es_put_f64(c.norm + 44, 1.7e308);
    r = craft_load(&c, NULL);
    CHECK(r == ES_ERROR_CORRUPT, "crafted normalizer, a mean beyond float: refused as corrupt (%s)", es_result_string(r));
    for (i = 0; i < (int)(sizeof normf_bad / sizeof normf_bad[0]); i++) {
        craft_init(&c);
        es_put_f32(c.norm + normf_bad[i].off, normf_bad[i].value);
        r = craft_load(&c, NULL);
        CHECK(r == ES_ERROR_CORRUPT, "crafted normalizer, %s: refused as corrupt (%s)", normf_bad[i].what,
              es_result_string(r));
    }
    for (i = 0; i < (int)(sizeof shape_bad / sizeof shape_bad[0]); i++) {
        craft_init(&c);
        es_put_u32(c.shape + shape_bad[i].off, shape_bad[i].value);
        r = craft_load(&c, NULL);
        CHECK(r == ES_ERROR_CORRUPT || r == ES_ERROR_MISMATCH, "crafted shape, %s: refused (%s)", shape_bad[i].what,
              es_result_string(r));
    }
    {
        static const float fbad[4] = {NAN, INFINITY, -INFINITY, 2.0f};
        for (i = 0; i < 4; i++) {
            craft_init(&c);
            es_put_f32(c.shape + (i == 2 ? 20 : 24), fbad[i]);
            if (i == 3) es_put_f32(c.shape + 20, 3.0f);
            r = craft_load(&c, NULL);
            CHECK(r == ES_ERROR_CORRUPT, "crafted shape, action range with %s: refused (%s)",
                  i == 0 ? "act_high NaN" : i == 1 ? "act_high inf" : i == 2 ? "act_low -inf" : "act_low > act_high",
                  es_result_string(r));
        }
    }
    craft_init(&c);
    c.nshape -= 2;
    CHECK(craft_load(&c, NULL) == ES_ERROR_CORRUPT, "crafted shape, size not 28 + 4k: refused");
    craft_init(&c);
    c.theta_params += 1;
    CHECK(craft_load(&c, NULL) == ES_ERROR_MISMATCH, "crafted: theta one longer than the shape needs: refused");

    craft_init(&c);
    c.task[2] = '\n';
    CHECK(craft_load(&c, NULL) == ES_ERROR_MISMATCH, "crafted task name with a newline: refused");
    craft_init(&c);
    c.ntask = 0;
    CHECK(craft_load(&c, NULL) == ES_ERROR_MISMATCH, "crafted empty task name: refused");
    craft_init(&c);
    memset(c.task, 'a', 64);
    c.ntask = 64;
    CHECK(craft_load(&c, NULL) == ES_ERROR_MISMATCH, "crafted 64-byte task name: refused");

    for (i = 0; i < (int)(sizeof run_bad / sizeof run_bad[0]); i++) {
        craft_init(&c);
        set_run(&c, run_bad[i].text);
        r = craft_load(&c, &rr);
        CHECK(r == ES_ERROR_CORRUPT && rr == ES_ERROR_CORRUPT,
              "crafted run metadata, %s: refused by es_policy_load and es_run_info_read (%s, %s)", run_bad[i].what,
              es_result_string(r), es_result_string(rr));
    }
    craft_init(&c);
    set_run(&c, "generation=0\nnew_field_of_a_later_version=x y\ntask=Toy-v0\n");
    r = craft_load(&c, &rr);
    CHECK(r == ES_OK && rr == ES_OK, "run metadata: unknown keys are skipped, keys in any order (%s)",
          es_result_string(r));

    /* the old trainer section, when there is no run metadata */
    craft_init(&c);
    c.nrun = (size_t)-1;
    r = craft_load(&c, &rr);
    CHECK(r == ES_OK && rr == ES_ERROR_NOT_FOUND, "no run metadata: the policy loads, es_run_info_read says not found");
    c.with_trnr = 1;
    r = craft_load(&c, &rr);
    CHECK(r == ES_OK && rr == ES_OK, "old TRNR section alone: loads");
    es_put_u32(c.trnr + 8, ES_RUN_MAX_EVAL_EPISODES + 1);
    r = craft_load(&c, &rr);
    CHECK(r == ES_ERROR_CORRUPT && rr == ES_ERROR_CORRUPT, "old TRNR section with 2^20 + 1 eval episodes: refused");
    es_put_u32(c.trnr + 8, 1);
    es_put_u32(c.trnr + 12, 0x80000000u);
    r = craft_load(&c, &rr);
    CHECK(r == ES_ERROR_CORRUPT && rr == ES_ERROR_CORRUPT, "old TRNR section with max_steps 2^31: refused");
}

static void test_save_arguments(void)
{
    es opt;
    es_desc d = es_desc_default();
    es_mlp_desc md;
    es_mlp mlp;
    es_normalizer norm;
    es_run_info info;
    es_checkpoint ck;
    memset(&md, 0, sizeof md);
    md.nin = 3;
    md.nout = 1;
    md.nhidden = ES_MLP_LINEAR;
    es_mlp_init(&mlp, &md);
    d.npop = 4;
    es_init(&opt, &d, NULL, mlp.nparams);
    es_normalizer_init(&norm, 3, 0.0f, 0.0f, NULL);
    memset(&info, 0, sizeof info);
    CHECK(es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, &ck) == ES_ERROR_INVALID_ARGUMENT,
          "es_policy_encode: an empty task name is refused");
    strcpy(info.task, "bad task");
    CHECK(es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, &ck) == ES_ERROR_INVALID_ARGUMENT,
          "es_policy_encode: a task name with a space is refused");
    strcpy(info.task, "Toy-v0");
    info.max_steps = -1;
    CHECK(es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, &ck) == ES_ERROR_INVALID_ARGUMENT,
          "es_policy_encode: negative max_steps refused");
    info.max_steps = 0;
    info.env_steps = ES_RUN_MAX_ENV_STEPS + 1;
    CHECK(es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, &ck) == ES_ERROR_INVALID_ARGUMENT,
          "es_policy_encode: env_steps above 2^62 refused (no reader would take it)");
    info.env_steps = ES_RUN_MAX_ENV_STEPS;
    if (es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, &ck) == ES_OK) {
        es_run_info back;
        CHECK(es_run_info_read(&ck, &back) == ES_OK && back.env_steps == ES_RUN_MAX_ENV_STEPS,
              "es_policy_encode: env_steps 2^62 is written and read back");
        es_checkpoint_free(&ck);
    } else {
        CHECK(0, "es_policy_encode: env_steps 2^62 is written and read back (refused)");
    }
    info.env_steps = 0;
    norm.sum[1] = NAN;   /* what a NaN observation left before the rollout checked them */
    CHECK(es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, &ck) == ES_ERROR_NOT_FINITE,
          "es_policy_encode: a normalizer sum that is NaN is refused (es_policy_load refused the file written)");
    norm.sum[1] = 0.0;
    norm.sumsq[2] = INFINITY;
    CHECK(es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, &ck) == ES_ERROR_NOT_FINITE,
          "es_policy_encode: an infinite sum of squares is refused");
    norm.sumsq[2] = 0.0;
    strcpy(info.mujoco_version, "3.1\n");
    CHECK(es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, &ck) == ES_ERROR_INVALID_ARGUMENT,
          "es_policy_encode: a newline in the MuJoCo version refused");
    info.mujoco_version[0] = 0;
    es_normalizer_free(&norm);
    /* a policy trained without a normalizer, saved as es_policy_encode's
       comment says: the one read back passes observations through */
    es_normalizer_init(&norm, 3, FLT_MAX, 0.0f, NULL);
    if (es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, &ck) == ES_OK) {
        es_normalizer back;
        es_mlp mback;
        char task[ES_RUN_TASK_MAX];
        const float obs[3] = {40.0f, -40.0f, 1e30f};
        float out[3] = {0.0f, 0.0f, 0.0f};
        es_result r = es_policy_load(&ck, task, sizeof task, &mback, &back);
        if (r == ES_OK) es_normalizer_apply(&back, obs, out);
        CHECK(r == ES_OK && memcmp(obs, out, sizeof obs) == 0,
              "es_policy_encode: a fresh normalizer clipping at FLT_MAX loads back as the identity (%s: 40 -> %g, "
              "1e30 -> %g)", es_result_string(r), out[0], out[2]);
        es_normalizer_free(&back);
        es_checkpoint_free(&ck);
    } else {
        CHECK(0, "es_policy_encode: a fresh normalizer clipping at FLT_MAX is written");
    }
    es_normalizer_free(&norm);
    es_normalizer_init(&norm, 4, 0.0f, 0.0f, NULL);
    CHECK(es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, &ck) == ES_ERROR_INVALID_ARGUMENT,
          "es_policy_encode: a normalizer of another size than the policy's input refused");
    es_normalizer_free(&norm);
    es_normalizer_init(&norm, 3, 0.0f, 0.0f, NULL);
    {
        es_section extra;
        const void *p;
        size_t n;
        extra.tag = ES_TAG('U', 'S', 'E', 'R');
        extra.data = "mine";
        extra.size = 4;
        CHECK(es_policy_encode(&opt, &mlp, &norm, &info, &extra, 1, &ck) == ES_OK &&
                  es_checkpoint_section(&ck, extra.tag, &p, &n) == ES_OK && n == 4 && memcmp(p, "mine", 4) == 0,
              "es_policy_encode: an extra section of the caller's goes in");
        es_checkpoint_free(&ck);
    }
    es_normalizer_free(&norm);
    es_free(&opt);
}


/* ---- your own policy --------------------------------------------------- */

/* A point mass in the plane pushed by the actions towards the origin:
   obs (x, y, vx, vy), act 2 in [-0.5, 0.5], reward -|pos|^2 - 0.01 |act|^2,
   ends (terminated) when |x| or |y| passes 3; reset noise from the rng. */
typedef struct toy {
    float pos[2], vel[2];
} toy;

static es_result toy_reset(es_env *env, es_rng *rng, float *obs)
{
    toy *t = (toy *)env->state;
    t->pos[0] = (float)(2.0 * es_rng_uniform(rng) - 1.0);
    t->pos[1] = (float)(2.0 * es_rng_uniform(rng) - 1.0);
    t->vel[0] = t->vel[1] = 0.0f;
    obs[0] = t->pos[0]; obs[1] = t->pos[1]; obs[2] = 0.0f; obs[3] = 0.0f;
    return ES_OK;
}

static es_result toy_step(es_env *env, const float *act, float *obs, double *reward, int *status)
{
    toy *t = (toy *)env->state;
    int i;
    *reward = 0.0;
    for (i = 0; i < 2; i++) {
        t->vel[i] += 0.1f * act[i];
        t->pos[i] += 0.1f * t->vel[i];
        *reward -= (double)t->pos[i] * t->pos[i] + 0.01 * (double)act[i] * act[i];
        obs[i] = t->pos[i];
        obs[2 + i] = t->vel[i];
    }
    *status = fabsf(t->pos[0]) > 3.0f || fabsf(t->pos[1]) > 3.0f ? ES_EPISODE_TERMINATED : ES_EPISODE_RUNNING;
    return ES_OK;
}

static void toy_env(es_env *env, toy *state)
{
    memset(env, 0, sizeof *env);
    env->obs_dim = 4;
    env->act_dim = 2;
    env->max_steps = 40;
    env->act_low = -0.5f;
    env->act_high = 0.5f;
    env->state = state;
    env->reset = toy_reset;
    env->step = toy_step;
}

/* The user's own policy: act = clip(b + obs W) with W input-major, the
   layout es_mlp documents, written out here without es_mlp. */
typedef struct my_linear {
    int nin, nout;
    float lo, hi;
} my_linear;

ES__STRICT_FP_BEGIN   /* no FMA contraction here either, as in the library */
static void my_linear_forward(const es_policy *policy, const float *theta, const float *obs, float *act, float *work)
{
    const my_linear *l = (const my_linear *)policy->user_data;
    const float *b = theta + (size_t)l->nin * (size_t)l->nout;
    int i, o;
    (void)work;
    for (o = 0; o < l->nout; o++) {
        float acc = b[o];
        for (i = 0; i < l->nin; i++) acc += obs[i] * theta[i * l->nout + o];
        act[o] = acc < l->lo ? l->lo : acc > l->hi ? l->hi : acc;
    }
}
ES__STRICT_FP_END

typedef struct trained {
    es opt;
    es_normalizer norm;
    es_checkpoint ck;
    double eval[2];
    uint64_t env_steps;
    es_result r;
} trained;

/* 4 generations of npop 8 on 2 threads with 2 evaluation episodes. */
static void train_with(const es_policy *policy, const float *theta0, trained *out)
{
    es_desc d = es_desc_default();
    es_pool pool;
    es_env envs[2];
    toy states[2];
    es_runner run;
    int g;
    memset(out, 0, sizeof *out);
    d.npop = 8;
    d.seed = 11;
    d.sigma = 0.1f;
    d.lr = 0.05f;
    es_pool_init(&pool, 2, NULL);
    toy_env(&envs[0], &states[0]);
    toy_env(&envs[1], &states[1]);
    out->r = es_init(&out->opt, &d, theta0, policy->nparams);
    if (out->r == ES_OK) out->r = es_normalizer_init(&out->norm, 4, 0.0f, 0.0f, NULL);
    if (out->r == ES_OK) out->r = es_runner_init_policy(&run, &out->opt, policy, &out->norm, envs, &pool, 2, 0);
    for (g = 0; out->r == ES_OK && g < 4; g++) out->r = es_runner_generation(&run);
    if (out->r == ES_OK) {
        out->eval[0] = run.eval_returns[0];
        out->eval[1] = run.eval_returns[1];
        out->env_steps = run.env_steps;
        es_runner_free(&run);
        out->r = es_checkpoint_encode(&out->opt, NULL, 0, &out->ck);
    }
    es_pool_free(&pool);
}

static void trained_free(trained *t)
{
    es_checkpoint_free(&t->ck);
    es_normalizer_free(&t->norm);
    es_free(&t->opt);
}

static void test_own_policy(void)
{
    es_mlp_desc md;
    es_mlp mlp;
    es_policy mine, theirs;
    my_linear lin;
    trained a, b, c;
    float *theta0;
    int same_norm, i;

    memset(&md, 0, sizeof md);
    md.nin = 4;
    md.nout = 2;
    md.nhidden = ES_MLP_LINEAR;
    md.output_activation = ES_ACTIVATION_IDENTITY;   /* clipped to the action range */
    md.act_low = -0.5f;
    md.act_high = 0.5f;
    es_mlp_init(&mlp, &md);
    theirs = es_mlp_policy(&mlp);
    CHECK(theirs.nparams == 4 * 2 + 2 && theirs.nin == 4 && theirs.nout == 2 && theirs.forward != NULL &&
              theirs.user_data == &mlp && theirs.work_size == es_mlp_work_size(&mlp),
          "es_mlp_policy: nparams 10, sizes, work size and the mlp as user data");

    lin.nin = 4;
    lin.nout = 2;
    lin.lo = -0.5f;
    lin.hi = 0.5f;
    memset(&mine, 0, sizeof mine);
    mine.nparams = 10;
    mine.nin = 4;
    mine.nout = 2;
    mine.work_size = 0;
    mine.forward = my_linear_forward;
    mine.user_data = &lin;

    theta0 = (float *)malloc(10 * sizeof(float));
    es_mlp_init_theta(&mlp, 3, theta0);
    for (i = 0; i < 10; i++) theta0[i] *= 40.0f;   /* large enough that actions clip */

    {   /* one episode each way */
        es_env env;
        toy st;
        es_rng rng;
        es_episode e1, e2;
        float work[64];
        toy_env(&env, &st);
        es_rng_init(&rng, 5, ES_STREAM_EVAL, 0, 0);
        CHECK(es_rollout_policy_work_size(&env, &mine) == 4 + 4 + 2 &&
                  es_rollout_policy(&env, &mine, theta0, NULL, NULL, &rng, 0, work, &e1) == ES_OK,
              "es_rollout_policy runs the hand-written policy (work: 10 floats, none of its own)");
        es_rng_init(&rng, 5, ES_STREAM_EVAL, 0, 0);
        es_rollout(&env, &mlp, theta0, NULL, NULL, &rng, 0, work, &e2);
        CHECK(e1.steps == e2.steps && e1.status == e2.status && memcmp(&e1.ret, &e2.ret, sizeof e1.ret) == 0,
              "an episode of the hand-written linear policy equals es_mlp's bit for bit (%d steps, return %.6f)",
              e1.steps, e1.ret);
    }

    train_with(&mine, theta0, &a);
    train_with(&theirs, theta0, &b);
    CHECK(a.r == ES_OK && b.r == ES_OK, "runner: 4 generations with each policy (%s, %s)", es_result_string(a.r),
          es_result_string(b.r));
    if (a.r == ES_OK && b.r == ES_OK) {
        CHECK(a.ck.size == b.ck.size && memcmp(a.ck.bytes, b.ck.bytes, a.ck.size) == 0,
              "runner: the hand-written linear policy gives the checkpoint bytes of es_mlp's linear policy");
        same_norm = a.norm.count == b.norm.count && a.norm.count > 0;
        for (i = 0; i < 4; i++)
            same_norm = same_norm && memcmp(&a.norm.sum[i], &b.norm.sum[i], 8) == 0 &&
                        memcmp(&a.norm.sumsq[i], &b.norm.sumsq[i], 8) == 0;
        CHECK(same_norm && a.env_steps == b.env_steps && memcmp(a.eval, b.eval, sizeof a.eval) == 0,
              "runner: the same normalizer sums, env steps (%llu) and evaluation returns",
              (unsigned long long)a.env_steps);
        CHECK(memcmp(a.opt.theta, theta0, 10 * sizeof(float)) != 0, "runner: theta moved in 4 generations");
    }
    /* the comparison can fail: a policy that clips at 0.4 ends elsewhere */
    lin.hi = 0.4f;
    train_with(&mine, theta0, &c);
    CHECK(c.r == ES_OK && (c.ck.size != b.ck.size || memcmp(c.ck.bytes, b.ck.bytes, b.ck.size) != 0),
          "runner: a policy clipping at 0.4 instead of 0.5 gives other bytes (the comparison sees a difference)");
    trained_free(&a);
    trained_free(&b);
    trained_free(&c);

    {   /* es_runner_init_policy checks the policy against es and envs */
        es opt;
        es_desc d = es_desc_default();
        es_env env;
        toy st;
        es_runner run;
        es_policy bad = mine;
        d.npop = 4;
        toy_env(&env, &st);
        es_init(&opt, &d, theta0, 10);
        bad.nparams = 11;
        CHECK(es_runner_init_policy(&run, &opt, &bad, NULL, &env, NULL, 0, 0) == ES_ERROR_INVALID_ARGUMENT,
              "es_runner_init_policy: nparams other than the es's refused");
        bad = mine;
        bad.nin = 5;
        CHECK(es_runner_init_policy(&run, &opt, &bad, NULL, &env, NULL, 0, 0) == ES_ERROR_INVALID_ARGUMENT,
              "es_runner_init_policy: nin other than the env's obs_dim refused");
        bad = mine;
        bad.forward = NULL;
        CHECK(es_runner_init_policy(&run, &opt, &bad, NULL, &env, NULL, 0, 0) == ES_ERROR_INVALID_ARGUMENT,
              "es_runner_init_policy: no forward refused");
        es_free(&opt);
    }
    free(theta0);
}


/* ---- crafted files for the programs ------------------------------------ */

/* Writes DIR/NAME.ckpt for each way of spoiling the old fixture's policy,
   normalizer or run metadata under a valid CRC, and DIR/control.ckpt
   unspoiled, built the same way (tests/test_checkpoint_compat.sh hands them
   to the trainer's --resume and to the renderer). */
static int write_crafted(const char *dir)
{
    es_checkpoint ck, out;
    es_mlp mlp;
    es_normalizer norm;
    es_run_info info;
    es opt;
    char task[64], path[1024];
    unsigned char shape[ES_MLP_DESC_BYTES], *normb;
    size_t nshape, nnorm;
    int k, rc = 0;
    static const char *const names[] = {"control", "norm_sum_nan", "norm_count_inf", "norm_sumsq_negative", "shape_act_nan",
                                        "shape_width_0", "run_max_steps_negative", "run_generation_7",
                                        "run_eval_episodes_huge", "task_escape"};
    if (es_checkpoint_read(&ck, OLD_FIXTURE, NULL) != ES_OK ||
        es_policy_load(&ck, task, sizeof task, &mlp, &norm) != ES_OK || es_run_info_read(&ck, &info) != ES_OK ||
        es_load(&opt, &ck, NULL) != ES_OK) {
        fprintf(stderr, "test_policy: cannot read %s\n", OLD_FIXTURE);
        return 1;
    }
    nnorm = es_normalizer_bytes(&norm);
    normb = (unsigned char *)malloc(nnorm);
    if (!normb) return 1;
    for (k = 0; k < (int)(sizeof names / sizeof names[0]); k++) {
        char run[512];
        const char *tname = "HalfCheetah-v5", *n = names[k];
        es_section s[4];
        nshape = es_mlp_encode(&mlp, shape);
        es_normalizer_encode(&norm, normb);
        snprintf(run, sizeof run, "task=HalfCheetah-v5\nmax_steps=%s\neval_episodes=%s\nenv_steps=1200\ngeneration=%s\n",
                 !strcmp(n, "run_max_steps_negative") ? "-1" : "60",
                 !strcmp(n, "run_eval_episodes_huge") ? "99999999" : "2", !strcmp(n, "run_generation_7") ? "7" : "2");
        if (!strcmp(n, "norm_sum_nan")) es_put_f64(normb + 20, NAN);
        if (!strcmp(n, "norm_count_inf")) es_put_f64(normb + 12, INFINITY);
        if (!strcmp(n, "norm_sumsq_negative")) es_put_f64(normb + 20 + 8 * (size_t)norm.n, -1.0);
        if (!strcmp(n, "shape_act_nan")) es_put_f32(shape + 24, NAN);
        if (!strcmp(n, "shape_width_0")) es_put_u32(shape + 28, 0);
        if (!strcmp(n, "task_escape")) tname = "HalfCheetah-v5\033[2J";
        s[0].tag = ES_TAG_TASK; s[0].data = tname; s[0].size = strlen(tname);
        s[1].tag = ES_TAG_POLICY; s[1].data = shape; s[1].size = nshape;
        s[2].tag = ES_TAG_NORM; s[2].data = normb; s[2].size = nnorm;
        s[3].tag = ES_TAG_RUN; s[3].data = run; s[3].size = strlen(run);
        snprintf(path, sizeof path, "%s/%s.ckpt", dir, names[k]);
        if (es_checkpoint_encode(&opt, s, 4, &out) != ES_OK || es_checkpoint_write(&out, path) != ES_OK) rc = 1;
        es_checkpoint_free(&out);
    }
    free(normb);
    es_free(&opt);
    es_normalizer_free(&norm);
    es_checkpoint_free(&ck);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-crafted") == 0) return write_crafted(argv[2]);
    (void)test_need_reference;   /* test.h helper unused here */
    test_old_checkpoint();
    test_shape_layout();
    test_crafted();
    test_save_arguments();
    test_own_policy();
    return test_finish();
}
