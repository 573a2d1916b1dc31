/* tests/test_mujoco_guard.c - es_env_mujoco.h's MuJoCo error guard: an
   error inside es_mujoco_guard comes back as ES_ERROR_MUJOCO with MuJoCo's
   message; outside any guard the handler installed before es's gets it, or
   the message goes to stderr and the process aborts, never returning into
   MuJoCo. Each case runs in its own child process (fork), since the
   handlers are process-wide and an abort is one of the expected ends.
   Also: the handlers install once when many threads race to install them,
   each thread's guard catches its own errors, and es_mujoco_env_init says
   what failed. */
#define ES_IMPLEMENTATION
#include "../es_env_mujoco.h"
#include "test.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- running a case in a child -------------------------------------------- */

typedef struct child_result {
    int exited, code;          /* WIFEXITED, WEXITSTATUS */
    int signaled, sig;         /* WIFSIGNALED, WTERMSIG */
    char out[2048];            /* the child's stdout and stderr */
} child_result;

/* Runs fn() in a child whose stdout and stderr go to a pipe; fn's return
   value is the child's exit code. */
static int run_child(int (*fn)(void), child_result *res)
{
    int fds[2], status = 0;
    size_t at = 0;
    pid_t pid;
    memset(res, 0, sizeof *res);
    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0) return -1;
    pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[1]);
        signal(SIGABRT, SIG_DFL);
        {
            int code = fn();
            fflush(stdout);
            fflush(stderr);
            _exit(code);
        }
    }
    close(fds[1]);
    for (;;) {
        ssize_t n = read(fds[0], res->out + at, sizeof res->out - 1 - at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        at += (size_t)n;
        if (at == sizeof res->out - 1) break;
    }
    while (at > 0 && res->out[at - 1] == '\n') at--;
    res->out[at] = '\0';
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    res->exited = WIFEXITED(status);
    res->code = res->exited ? WEXITSTATUS(status) : -1;
    res->signaled = WIFSIGNALED(status);
    res->sig = res->signaled ? WTERMSIG(status) : 0;
    return 0;
}

static void raise_error(void *arg)
{
    mju_error((const char *)arg);
}

/* ---- the cases (each in a child) ------------------------------------------ */

/* An error inside a guarded call comes back with MuJoCo's message, the
   process goes on, and a second one is caught the same way. Exit 0 on
   success, else which step failed. */
static int case_inside_guard(void)
{
    char msg[256];
    es_result r = es_mujoco_guard(raise_error, (void *)"the first error", msg, sizeof msg);
    if (r != ES_ERROR_MUJOCO || strcmp(msg, "the first error") != 0) return 10;
    r = es_mujoco_guard(raise_error, (void *)"the second error", msg, sizeof msg);
    if (r != ES_ERROR_MUJOCO || strcmp(msg, "the second error") != 0) return 11;
    printf("back in the program\n");
    return 0;
}

/* Guards nest: the inner one catches its own, then the outer one is still
   in force for what follows. */
typedef struct nest {
    es_result inner;
    char inner_msg[128];
} nest;

static void nested_fn(void *arg)
{
    nest *n = (nest *)arg;
    n->inner = es_mujoco_guard(raise_error, (void *)"inner", n->inner_msg, sizeof n->inner_msg);
    mju_error("outer");
}

static int case_nested(void)
{
    nest n;
    char msg[128];
    es_result r;
    memset(&n, 0, sizeof n);
    r = es_mujoco_guard(nested_fn, &n, msg, sizeof msg);
    if (n.inner != ES_ERROR_MUJOCO || strcmp(n.inner_msg, "inner") != 0) return 20;
    if (r != ES_ERROR_MUJOCO || strcmp(msg, "outer") != 0) return 21;
    return 0;
}

/* Outside any es call, with no handler installed before es's: the message
   on stderr, then abort. Returning would be the failure (exit 0). */
static int case_outside_no_previous(void)
{
    es_mujoco_install_handlers();
    mju_error("raised outside any es call");
    printf("mju_error returned into the program\n");
    return 0;
}

/* Outside any es call, with a handler installed before es's: that handler
   gets the message (it exits 42 here). */
static void users_handler(const char *msg)
{
    printf("user's handler: %s\n", msg);
    fflush(stdout);
    _exit(42);
}

static int case_outside_previous(void)
{
    char msg[64];
    mju_user_error = users_handler;
    es_mujoco_install_handlers();
    /* the guard still works with a user's handler in place */
    if (es_mujoco_guard(raise_error, (void *)"caught", msg, sizeof msg) != ES_ERROR_MUJOCO || strcmp(msg, "caught"))
        return 30;
    mju_error("raised outside, for the user's handler");
    printf("mju_error returned into the program\n");
    return 0;
}

/* A previous handler that returns does not make ours return: abort. */
static int returned_count;
static void returning_handler(const char *msg)
{
    printf("returning handler: %s\n", msg);
    fflush(stdout);
    returned_count++;
}

static int case_outside_previous_returns(void)
{
    mju_user_error = returning_handler;
    es_mujoco_install_handlers();
    mju_error("the user's handler returns");
    printf("mju_error returned into the program (%d)\n", returned_count);
    return 0;
}

/* Many threads install the handlers at once and each raises errors inside
   its own guard: every thread gets its own messages back, the user's
   handler stays the one behind es's (called once, outside), and es's
   handler is installed (not chained to itself). */
#define NTHREADS 8

typedef struct worker {
    int id, ok;
} worker;

static void *worker_main(void *arg)
{
    worker *w = (worker *)arg;
    char want[64], msg[64];
    int k;
    w->ok = 1;
    for (k = 0; k < 200; k++) {
        snprintf(want, sizeof want, "thread %d error %d", w->id, k);
        if (es_mujoco_guard(raise_error, want, msg, sizeof msg) != ES_ERROR_MUJOCO || strcmp(msg, want) != 0)
            w->ok = 0;
    }
    return NULL;
}

static int user_calls;
static void counting_handler(const char *msg)
{
    user_calls++;
    printf("user's handler (%d): %s\n", user_calls, msg);
    fflush(stdout);
    _exit(user_calls == 1 ? 43 : 44);
}

static int case_threads(void)
{
    pthread_t th[NTHREADS];
    worker w[NTHREADS];
    int i, ok = 1;
    mju_user_error = counting_handler;
    for (i = 0; i < NTHREADS; i++) {
        w[i].id = i;
        if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0) return 50;
    }
    for (i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        ok = ok && w[i].ok;
    }
    if (!ok) return 51;
    if (mju_user_error == counting_handler || mju_user_error == NULL) return 52;
    mju_error("after the threads");
    return 53;
}

/* ---- the test --------------------------------------------------------------- */

static void test_guard_cases(void)
{
    child_result c;

    if (run_child(case_inside_guard, &c) != 0) CHECK(0, "fork");
    CHECK(c.exited && c.code == 0 && strstr(c.out, "back in the program"),
          "inside a guard: ES_ERROR_MUJOCO with MuJoCo's message, twice, and the program goes on (exit %d: %s)",
          c.code, c.out);

    if (run_child(case_nested, &c) != 0) CHECK(0, "fork");
    CHECK(c.exited && c.code == 0, "nested guards: the inner one catches its error, the outer one the next (exit %d)",
          c.code);

    if (run_child(case_outside_no_previous, &c) != 0) CHECK(0, "fork");
    CHECK(c.signaled && c.sig == SIGABRT && strstr(c.out, "raised outside any es call") &&
              !strstr(c.out, "returned into the program"),
          "outside an es call, no previous handler: message on stderr, killed by SIGABRT, never returns "
          "(signal %d: %s)", c.sig, c.out);

    if (run_child(case_outside_previous, &c) != 0) CHECK(0, "fork");
    CHECK(c.exited && c.code == 42 && strstr(c.out, "user's handler: raised outside, for the user's handler") &&
              !strstr(c.out, "caught"),
          "outside an es call, a handler installed before: it gets the message (exit %d: %s)", c.code, c.out);

    if (run_child(case_outside_previous_returns, &c) != 0) CHECK(0, "fork");
    CHECK(c.signaled && c.sig == SIGABRT && strstr(c.out, "returning handler: the user's handler returns") &&
              !strstr(c.out, "returned into the program"),
          "a previous handler that returns: still never back into MuJoCo (SIGABRT, signal %d)", c.sig);

    if (run_child(case_threads, &c) != 0) CHECK(0, "fork");
    CHECK(c.exited && c.code == 43 && strstr(c.out, "user's handler (1): after the threads"),
          "%d threads install at once and raise 200 errors each: every thread gets its own messages, "
          "the previous handler called once outside (exit %d: %s)", NTHREADS, c.code, c.out);
}

/* es_mujoco_env_init says what failed: a model whose simulation data cannot
   be allocated (its stack or arena size made absurd after loading). */
static void test_env_init_detail(void)
{
    es_mujoco mj;
    es_env env;
    char err[512];
    es_result r;
    if (es_mujoco_load(&mj, "HalfCheetah-v5", err, sizeof err) != ES_OK) {
        CHECK(0, "HalfCheetah-v5 loads: %s", err);
        return;
    }
#if mjVERSION_HEADER < 300
    mj.model->nstack = -1000000;            /* mj_makeData's malloc fails */
#else
    mj.model->narena = (size_t)1 << 50;
#endif
    r = es_mujoco_env_init(&mj, &env);
    CHECK(r == ES_ERROR_MUJOCO && strstr(env.error, "HalfCheetah-v5: mj_makeData: ") &&
              strstr(env.error, "allocate") && !strchr(env.error, '\n'),
          "env_init: a failing mj_makeData is ES_ERROR_MUJOCO with MuJoCo's words in env.error (%s: %s)",
          es_mujoco_result_string(r), env.error);
    es_mujoco_free(&mj);

    r = es_mujoco_env_init(&mj, &env);      /* freed: no model */
    CHECK(r == ES_ERROR_INVALID_ARGUMENT && strstr(env.error, "no model"),
          "env_init without a model: ES_ERROR_INVALID_ARGUMENT, and says so (%s)", env.error);
    r = es_mujoco_guard(NULL, NULL, err, sizeof err);
    CHECK(r == ES_ERROR_INVALID_ARGUMENT, "es_mujoco_guard without a function: ES_ERROR_INVALID_ARGUMENT");
}

static void test_result_strings(void)
{
    CHECK(strcmp(es_mujoco_result_string(ES_ERROR_MUJOCO), "MuJoCo error") == 0 &&
              strcmp(es_mujoco_result_string(ES_ERROR_IO), es_result_string(ES_ERROR_IO)) == 0 &&
              (int)ES_ERROR_MUJOCO <= ES_RESULT_MUJOCO_FIRST && (int)ES_ERROR_MUJOCO > ES_RESULT_REDIS_FIRST &&
              strstr(es_result_string(ES_ERROR_MUJOCO), "MuJoCo"),
          "result codes: ES_ERROR_MUJOCO lives in the MuJoCo block, es_mujoco_result_string names it and "
          "passes core codes on");
}

int main(void)
{
    test_guard_cases();
    test_env_init_detail();
    test_result_strings();
    return test_finish();
}
