/* tests/windows_save.c - the checkpoint files of a training run, built for
   Linux and (tests/test_windows.sh) for Windows with MinGW, run under Wine.
   It trains examples/cartpole.c's linear policy for 10 generations with
   Adam and saves its policy to DIR/policy.ckpt after every generation: the
   second save replaces a file, which ISO C's rename cannot do on Windows
   (es.h 0.4 and older failed there). Then it reads the checkpoint back and
   checks theta, the generation and the normalizer, and that no temporary
   file is left. The script compares the policy.ckpt bytes of both builds.
   Prints "ok - ..." / "not ok - ..." lines; exits 1 on a failure.
   Usage: windows_save DIR */
#define ES_IMPLEMENTATION
#define CARTPOLE_NO_MAIN
#include "../examples/cartpole.c"
#if defined(_WIN32)
#  include <process.h>   /* _getpid */
#else
#  include <unistd.h>    /* getpid */
#endif

static int failures;

static void check(int ok, const char *what)
{
    printf("%s - %s\n", ok ? "ok" : "not ok", what);
    failures += !ok;
}

int main(int argc, char **argv)
{
    es_desc d = es_desc_default();
    es_mlp_desc md;
    es opt = {0}, back = {0};
    es_mlp mlp, mlp_back;
    es_normalizer norm = {0}, norm_back = {0};
    es_runner run = {0};
    es_checkpoint ck = {0};
    es_run_info info;
    cartpole cp;
    es_env env;
    char path[1024], tmp[1100], task[32];
    int gen, saved = 1;
    FILE *f;
    if (argc != 2 || strlen(argv[1]) > 900) {
        fprintf(stderr, "usage: windows_save DIR\n");
        return 2;
    }
    snprintf(path, sizeof path, "%s/policy.ckpt", argv[1]);
    cartpole_env(&env, &cp);
    md = es_mlp_desc_for_env(&env);
    md.nhidden = ES_MLP_LINEAR;
    d.npop = 16;
    d.sigma = 0.1f;
    d.lr = 0.05f;
    d.seed = 7;
    memset(&info, 0, sizeof info);
    strcpy(info.task, "CartPole-v1");
    if (es_mlp_init(&mlp, &md) != ES_OK || es_init(&opt, &d, NULL, mlp.nparams) != ES_OK ||
        es_normalizer_init(&norm, md.nin, 0, 0, NULL) != ES_OK ||
        es_runner_init(&run, &opt, &mlp, &norm, &env, NULL, 1, 0) != ES_OK) {
        printf("not ok - set up the run\n");
        return 1;
    }
    for (gen = 0; gen < 10; gen++) {
        if (es_runner_generation(&run) != ES_OK) {
            printf("not ok - generation %d\n", gen);
            return 1;
        }
        info.env_steps = run.env_steps;
        info.eval_episodes = 1;
        saved = saved && es_policy_save(path, &opt, &mlp, &norm, &info) == ES_OK;
    }
    check(saved, "es_policy_save writes policy.ckpt after each of 10 generations (replacing the last)");
    check(es_checkpoint_read(&ck, path, NULL) == ES_OK && es_load(&back, &ck, NULL) == ES_OK &&
              es_policy_load(&ck, task, sizeof task, &mlp_back, &norm_back) == ES_OK,
          "policy.ckpt reads back");
    check(back.generation == 10 && back.nparams == opt.nparams &&
              memcmp(back.theta, opt.theta, opt.nparams * sizeof(float)) == 0 && !strcmp(task, "CartPole-v1"),
          "it holds generation 10's theta and the task");
    check(norm_back.n == norm.n && norm_back.count == norm.count &&
              memcmp(norm_back.mean, norm.mean, (size_t)norm.n * sizeof(float)) == 0,
          "it holds the observation normalizer");
#if defined(_WIN32)
    snprintf(tmp, sizeof tmp, "%s.es-tmp%d", path, _getpid());
#elif defined(ES_NO_POSIX)
    snprintf(tmp, sizeof tmp, "%s.es-tmp", path);
#else
    snprintf(tmp, sizeof tmp, "%s.es-tmp%ld", path, (long)getpid());
#endif
    f = fopen(tmp, "rb");
    check(f == NULL, "no temporary file is left beside it");
    if (f) fclose(f);
    es_checkpoint_free(&ck);
    es_normalizer_free(&norm_back);
    es_normalizer_free(&norm);
    es_free(&back);
    es_runner_free(&run);
    es_free(&opt);
    return failures ? 1 : 0;
}
