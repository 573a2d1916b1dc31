/* tests/test_policy.c - policies and runs in checkpoint files: a checkpoint
   of the format before es_policy_save (tests/data/old_format_halfcheetah.ckpt,
   written by that trainer with --generations 2 --npop 8 --max-steps 60
   --hidden 8 --eval-episodes 2 --seed 5) still loads, with every field
   checked against the flags that made it; save/load round trips; the
   policy shape's size does not depend on ES_MLP_MAX_HIDDEN; and crafted
   checkpoints with a valid CRC but a non-finite or out-of-range field in
   the policy, normalizer or run metadata are refused. */
#define ES_IMPLEMENTATION
#include "es_mlp.h"
#include "tests/test.h"

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
        {60, -4.0, "a sum of squares negative"},
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
    strcpy(info.mujoco_version, "3.1\n");
    CHECK(es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, &ck) == ES_ERROR_INVALID_ARGUMENT,
          "es_policy_encode: a newline in the MuJoCo version refused");
    info.mujoco_version[0] = 0;
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

int main(void)
{
    (void)test_need_reference;   /* test.h helper unused here */
    test_old_checkpoint();
    test_shape_layout();
    test_crafted();
    test_save_arguments();
    return test_finish();
}
