/* tests/test_mlp.c - es_mlp.h against hand computations: parameter counts in
   closed form, forward passes worked out in double, normc initialization,
   normalizer statistics of known data, and episodes on a hand-written
   environment whose return has a closed form. */
#define ES_IMPLEMENTATION
#include "es_mlp.h"
#include "tests/test.h"

#include <float.h>
#include <limits.h>
#include <math.h>

/* ---- shapes ----------------------------------------------------------- */

static void test_nparams(void)
{
    es_mlp_desc d;
    es_mlp mlp;
    int i;
    memset(&d, 0, sizeof d);
    d.nin = 17;
    d.nout = 6;
    CHECK(es_mlp_init(&mlp, &d) == ES_OK && mlp.nparams == 17 * 64 + 64 + 64 * 64 + 64 + 64 * 6 + 6 &&
              mlp.nparams == 5702,
          "mlp: 17-64-64-6 (the zero desc) has 5702 parameters");
    d.nhidden = ES_MLP_LINEAR;
    CHECK(es_mlp_init(&mlp, &d) == ES_OK && mlp.nparams == 17 * 6 + 6, "mlp: linear 17-6 has 108 parameters");
    d.nhidden = 3;
    d.hidden[0] = 5;
    d.hidden[1] = 0;
    d.hidden[2] = 2;
    CHECK(es_mlp_init(&mlp, &d) == ES_OK && mlp.nparams == (size_t)(17 * 5 + 5 + 5 * 64 + 64 + 64 * 2 + 2 + 2 * 6 + 6),
          "mlp: 17-5-(0 = 64)-2-6 closed form");
    {
        /* widths past 46340: nin * nout no longer fits in an int */
        es_mlp_desc w;
        memset(&w, 0, sizeof w);
        w.nin = w.nout = 46341;
        w.nhidden = ES_MLP_LINEAR;
        CHECK(es_mlp_init(&mlp, &w) == ES_OK && mlp.nparams == (size_t)46341 * 46341 + 46341,
              "mlp: linear 46341-46341 has 46341^2 + 46341 = 2147534622 parameters (more than INT_MAX)");
        w.nin = w.nout = 1 << 20;
        CHECK(es_mlp_init(&mlp, &w) == ES_ERROR_INVALID_ARGUMENT, "mlp: 2^40 parameters (past es.h's 2^34) refused");
        w.nhidden = 8;
        for (i = 0; i < 8; i++) w.hidden[i] = INT_MAX;
        CHECK(es_mlp_init(&mlp, &w) == ES_ERROR_INVALID_ARGUMENT, "mlp: hidden widths of INT_MAX refused, no wrap-around");
    }
    d.nin = 0;
    CHECK(es_mlp_init(&mlp, &d) == ES_ERROR_INVALID_ARGUMENT, "mlp: nin 0 refused");
    d.nin = 17;
    d.nhidden = ES_MLP_MAX_HIDDEN + 1;
    CHECK(es_mlp_init(&mlp, &d) == ES_ERROR_INVALID_ARGUMENT, "mlp: too many hidden layers refused");
    d.nhidden = 1;
    d.act_low = 1.0f;
    d.act_high = -1.0f;
    CHECK(es_mlp_init(&mlp, &d) == ES_ERROR_INVALID_ARGUMENT, "mlp: act_low > act_high refused");
    d.act_low = -INFINITY;
    d.act_high = 1.0f;
    CHECK(es_mlp_init(&mlp, &d) == ES_ERROR_INVALID_ARGUMENT, "mlp: infinite action bound refused");
    d.act_low = (float)NAN;
    CHECK(es_mlp_init(&mlp, &d) == ES_ERROR_INVALID_ARGUMENT, "mlp: NaN action bound refused");
}

/* ---- forward ----------------------------------------------------------- */

/* 2 -> 3 -> 2, layout: W0[i*3+o] (6), b0 (3), W1[i*2+o] (6), b1 (2). */
static const float net[17] = {
    0.5f, -1.0f, 0.25f,    /* input 0 to hidden 0..2 */
    2.0f, 0.75f, -0.5f,    /* input 1 */
    0.1f, -0.2f, 0.3f,     /* hidden biases */
    1.5f, -0.5f,           /* hidden 0 to outputs */
    -2.0f, 1.0f,           /* hidden 1 */
    0.25f, 3.0f,           /* hidden 2 */
    0.05f, -0.1f           /* output biases */
};

static void hand_forward(const double *x, int relu, double *y)
{
    double h[3];
    int o, i;
    for (o = 0; o < 3; o++) {
        double s = net[6 + o];
        for (i = 0; i < 2; i++) s += x[i] * net[i * 3 + o];
        h[o] = relu ? (s > 0 ? s : 0) : tanh(s);
    }
    for (o = 0; o < 2; o++) {
        double s = net[15 + o];
        for (i = 0; i < 3; i++) s += h[i] * net[9 + i * 2 + o];
        y[o] = s;
    }
}

static const double forward_xs[4][2] = {{0.3, -0.7}, {1.0, 2.0}, {-1.5, 0.5}, {0.0, 0.0}};

/* 1 if es_mlp_forward matches hand_forward at every point, the output
   either tanh-scaled to [lo, hi] or clipped to it (clipped counts the
   outputs the clip changed). */
static int forward_vs_hand(const es_mlp *mlp, int relu, int tanh_out, double lo, double hi, int *clipped)
{
    float work[64], act[2], obs[2];
    int k, o, ok = 1;
    for (k = 0; k < 4; k++) {
        double y[2];
        obs[0] = (float)forward_xs[k][0];
        obs[1] = (float)forward_xs[k][1];
        hand_forward(forward_xs[k], relu, y);
        es_mlp_forward(mlp, net, obs, act, work);
        for (o = 0; o < 2; o++) {
            double want = tanh_out ? lo + (tanh(y[o]) + 1.0) * 0.5 * (hi - lo)
                                   : y[o] < lo ? lo : y[o] > hi ? hi : y[o];
            if (!tanh_out && want != y[o]) (*clipped)++;
            if (fabs(act[o] - want) > 1e-5) ok = 0;
        }
    }
    return ok;
}

static void test_forward(void)
{
    es_mlp_desc d;
    es_mlp mlp;
    float work[64], act[2];
    int o, ok_lin = 1, clipped = 0, unused = 0;
    memset(&d, 0, sizeof d);
    d.nin = 2;
    d.nout = 2;
    d.nhidden = 1;
    d.hidden[0] = 3;
    d.act_low = -2.0f;
    d.act_high = 3.0f;
    es_mlp_init(&mlp, &d);
    CHECK(mlp.nparams == 17 && es_mlp_work_size(&mlp) <= 64, "forward: 2-3-2 has 17 parameters");
    CHECK(forward_vs_hand(&mlp, 0, 1, -2.0, 3.0, &unused), "forward: tanh hidden, tanh output scaled to [-2, 3], by hand");

    d.hidden_activation = ES_ACTIVATION_RELU;
    d.output_activation = ES_ACTIVATION_IDENTITY;
    d.act_low = -1.0f;
    d.act_high = 1.5f;
    es_mlp_init(&mlp, &d);
    CHECK(forward_vs_hand(&mlp, 1, 0, -1.0, 1.5, &clipped) && clipped >= 2,
          "forward: relu hidden, identity output clipped to [-1, 1.5], by hand (%d clipped)", clipped);

    d.hidden_activation = ES_ACTIVATION_TANH;
    es_mlp_init(&mlp, &d);
    CHECK(forward_vs_hand(&mlp, 0, 0, -1.0, 1.5, &unused), "forward: tanh hidden, identity output clipped, by hand");

    /* Linear 3 -> 2: W[i*2+o] then b. */
    {
        static const float lin[8] = {1.0f, -1.0f, 0.5f, 2.0f, -0.25f, 0.0f, 0.1f, 0.2f};
        static const float x3[3] = {0.4f, -0.3f, 2.0f};
        double want[2];
        memset(&d, 0, sizeof d);
        d.nin = 3;
        d.nout = 2;
        d.nhidden = ES_MLP_LINEAR;
        d.output_activation = ES_ACTIVATION_IDENTITY;
        d.act_low = -10.0f;
        d.act_high = 10.0f;
        es_mlp_init(&mlp, &d);
        for (o = 0; o < 2; o++) want[o] = lin[6 + o] + 0.4 * lin[o] - 0.3 * lin[2 + o] + 2.0 * lin[4 + o];
        es_mlp_forward(&mlp, lin, x3, act, work);
        for (o = 0; o < 2; o++)
            if (fabs(act[o] - want[o]) > 1e-6) ok_lin = 0;
        CHECK(ok_lin && mlp.nparams == 8, "forward: linear policy y = x W + b, by hand");
    }
}

static void test_init_theta(void)
{
    es_mlp_desc d;
    es_mlp mlp;
    float *a, *b, *c;
    int l, i, o, ok_norm = 1, ok_bias = 1;
    size_t off = 0;
    memset(&d, 0, sizeof d);
    d.nin = 17;
    d.nout = 6;
    es_mlp_init(&mlp, &d);
    a = (float *)malloc(mlp.nparams * sizeof(float));
    b = (float *)malloc(mlp.nparams * sizeof(float));
    c = (float *)malloc(mlp.nparams * sizeof(float));
    if (!a || !b || !c) return;
    es_mlp_init_theta(&mlp, 1234, a);
    es_mlp_init_theta(&mlp, 1234, b);
    es_mlp_init_theta(&mlp, 1235, c);
    CHECK(memcmp(a, b, mlp.nparams * sizeof(float)) == 0, "init: same seed, same bytes");
    CHECK(memcmp(a, c, mlp.nparams * sizeof(float)) != 0, "init: different seed, different theta");
    for (l = 0; l < mlp.nlayers; l++) {
        int nin = mlp.size[l], nout = mlp.size[l + 1];
        double target = l + 1 == mlp.nlayers ? 0.01 : 1.0;
        for (o = 0; o < nout; o++) {
            double n2 = 0.0;
            for (i = 0; i < nin; i++) n2 += (double)a[off + (size_t)(i * nout + o)] * a[off + (size_t)(i * nout + o)];
            if (fabs(sqrt(n2) - target) > 1e-5 * target) ok_norm = 0;
        }
        off += (size_t)(nin * nout);
        for (o = 0; o < nout; o++)
            if (a[off + (size_t)o] != 0.0f) ok_bias = 0;
        off += (size_t)nout;
    }
    CHECK(ok_norm, "init: each unit's incoming weights have norm 1 (hidden) / 0.01 (output)");
    CHECK(ok_bias && off == mlp.nparams, "init: biases are zero");
    /* The weights look like normals: mean near 0 over the first layer. */
    {
        double s = 0.0;
        for (i = 0; i < 17 * 64; i++) s += a[i];
        CHECK(fabs(s / (17 * 64)) < 5.0 * (1.0 / sqrt(17.0)) / sqrt(17.0 * 64), "init: first-layer weights centered");
    }
    free(a);
    free(b);
    free(c);
}

static void test_encode(void)
{
    es_mlp_desc d;
    es_mlp mlp, back;
    unsigned char bytes[ES_MLP_DESC_BYTES];
    es_rng rng;
    int i, rejected = 0;
    memset(&d, 0, sizeof d);
    d.nin = 11;
    d.nout = 3;
    d.nhidden = 3;
    d.hidden[0] = 32;
    d.hidden[1] = 16;
    d.hidden[2] = 8;
    d.hidden_activation = ES_ACTIVATION_RELU;
    d.output_activation = ES_ACTIVATION_IDENTITY;
    d.act_low = -0.5f;
    d.act_high = 2.0f;
    es_mlp_init(&mlp, &d);
    es_mlp_encode(&mlp, bytes);
    CHECK(es_mlp_decode(&back, bytes, sizeof bytes) == ES_OK && back.nparams == mlp.nparams &&
              back.nlayers == mlp.nlayers && memcmp(back.size, mlp.size, sizeof mlp.size) == 0 &&
              back.desc.hidden_activation == ES_ACTIVATION_RELU && back.desc.output_activation == ES_ACTIVATION_IDENTITY &&
              back.desc.act_low == -0.5f && back.desc.act_high == 2.0f,
          "mlp: encode/decode round trip");
    CHECK(es_mlp_decode(&back, bytes, sizeof bytes - 1) != ES_OK, "mlp: decode of a short buffer refused");
    CHECK(es_mlp_decode(&back, NULL, sizeof bytes) != ES_OK, "mlp: decode of NULL refused");
    bytes[0] = 0;
    CHECK(es_mlp_decode(&back, bytes, sizeof bytes) != ES_OK, "mlp: decode with nin 0 refused");
    es_mlp_encode(&mlp, bytes);
    bytes[12] = 9;
    CHECK(es_mlp_decode(&back, bytes, sizeof bytes) != ES_OK, "mlp: decode with an unknown activation refused");
    es_mlp_encode(&mlp, bytes);
    bytes[8] = 99;
    CHECK(es_mlp_decode(&back, bytes, sizeof bytes) != ES_OK, "mlp: decode with 99 hidden layers refused");
    es_mlp_encode(&mlp, bytes);
    es_put_f32(bytes + 24, -3.0f);
    CHECK(es_mlp_decode(&back, bytes, sizeof bytes) != ES_OK, "mlp: decode with act_high < act_low refused");
    es_rng_init(&rng, 9, ES_STREAM_USER, 0, 0);
    for (i = 0; i < 2000; i++) {
        size_t k;
        for (k = 0; k < sizeof bytes; k++) bytes[k] = (unsigned char)es_rng_u32(&rng);
        if (es_mlp_decode(&back, bytes, sizeof bytes) != ES_OK) rejected++;
    }
    CHECK(rejected == 2000, "mlp: 2000 random buffers all refused (%d)", rejected);
}

/* ---- normalizer -------------------------------------------------------- */

static void test_normalizer(void)
{
    /* dyadic data: every sum is exact in double */
    static const float rows[4][2] = {{1.0f, 10.0f}, {2.0f, 20.0f}, {3.0f, 30.0f}, {4.0f, 40.0f}};
    es_normalizer n1, n2, n3;
    double sa[5], sb[5], sall[5];
    float x[2], z[2];
    unsigned char *bytes;
    int i;
    es_normalizer_init(&n1, 2, 0.0f, 0.0f, NULL);
    es_normalizer_init(&n2, 2, 0.0f, 0.0f, NULL);
    CHECK(n1.clip == 5.0f, "normalizer: default clip is 5");
    CHECK(n1.mean[0] == 0.0f && n1.inv_std[0] == 1.0f, "normalizer: empty normalizer is the identity");
    es_obs_stats_clear(sa, 2);
    es_obs_stats_clear(sb, 2);
    es_obs_stats_clear(sall, 2);
    for (i = 0; i < 2; i++) es_obs_stats_add(sa, 2, rows[i]);
    for (i = 2; i < 4; i++) es_obs_stats_add(sb, 2, rows[i]);
    for (i = 0; i < 4; i++) es_obs_stats_add(sall, 2, rows[i]);
    es_normalizer_merge(&n1, sa);
    es_normalizer_merge(&n1, sb);
    es_normalizer_refresh(&n1);
    es_normalizer_merge(&n2, sall);
    es_normalizer_refresh(&n2);
    CHECK(n1.count == 4.0 && fabs(n1.mean[0] - 2.5) < 1e-7 && fabs(n1.mean[1] - 25.0) < 1e-6,
          "normalizer: mean of known data (2.5, 25)");
    CHECK(fabs(1.0 / n1.inv_std[0] - sqrt(1.25)) < 1e-6 && fabs(1.0 / n1.inv_std[1] - sqrt(125.0)) < 1e-5,
          "normalizer: std of known data (sqrt 1.25, sqrt 125)");
    CHECK(memcmp(n1.mean, n2.mean, 2 * sizeof(float)) == 0 && memcmp(n1.inv_std, n2.inv_std, 2 * sizeof(float)) == 0 &&
              memcmp(n1.sum, n2.sum, 2 * sizeof(double)) == 0 && memcmp(n1.sumsq, n2.sumsq, 2 * sizeof(double)) == 0,
          "normalizer: merging A then B equals merging the same data at once");
    x[0] = 3.0f;
    x[1] = 1000.0f;
    es_normalizer_apply(&n1, x, z);
    CHECK(fabs(z[0] - 0.5 / sqrt(1.25)) < 1e-6 && z[1] == 5.0f, "normalizer: (obs - mean)/std, clipped at +5");
    x[1] = -1000.0f;
    es_normalizer_apply(&n1, x, z);
    CHECK(z[1] == -5.0f, "normalizer: clipped at -5");

    /* encode / decode */
    bytes = (unsigned char *)malloc(es_normalizer_bytes(&n1));
    es_normalizer_init(&n3, 2, 0.0f, 0.0f, NULL);
    if (bytes) {
        es_normalizer_encode(&n1, bytes);
        CHECK(es_normalizer_decode(&n3, bytes, es_normalizer_bytes(&n1)) == ES_OK && n3.count == n1.count &&
                  memcmp(n3.sum, n1.sum, 2 * sizeof(double)) == 0 && memcmp(n3.sumsq, n1.sumsq, 2 * sizeof(double)) == 0 &&
                  memcmp(n3.mean, n1.mean, 2 * sizeof(float)) == 0 && memcmp(n3.inv_std, n1.inv_std, 2 * sizeof(float)) == 0 &&
                  n3.clip == n1.clip && n3.std_floor == n1.std_floor,
              "normalizer: encode/decode round trip");
        CHECK(es_normalizer_decode(&n3, bytes, es_normalizer_bytes(&n1) - 1) != ES_OK, "normalizer: decode of a wrong size refused");
        CHECK(es_normalizer_decode(&n3, bytes, 3) != ES_OK, "normalizer: decode of 3 bytes refused");
        bytes[0] = 3;
        CHECK(es_normalizer_decode(&n3, bytes, es_normalizer_bytes(&n1)) != ES_OK, "normalizer: decode of another dimension refused");
        bytes[0] = 2;
        es_put_f64(bytes + 12, -1.0);
        CHECK(es_normalizer_decode(&n3, bytes, es_normalizer_bytes(&n1)) != ES_OK, "normalizer: negative count refused");
        free(bytes);
    }
    es_normalizer_free(&n1);
    es_normalizer_free(&n2);
    es_normalizer_free(&n3);

    /* std floor: constant data has std 0 */
    {
        double s[5];
        float c[2] = {7.0f, -3.0f};
        es_normalizer_init(&n1, 2, 0.0f, 0.0f, NULL);
        es_normalizer_init(&n2, 2, 2.5f, 0.5f, NULL);
        es_obs_stats_clear(s, 2);
        for (i = 0; i < 10; i++) es_obs_stats_add(s, 2, c);
        es_normalizer_merge(&n1, s);
        es_normalizer_merge(&n2, s);
        es_normalizer_refresh(&n1);
        es_normalizer_refresh(&n2);
        CHECK(n1.std_floor > 0.0f && n1.inv_std[0] == (float)(1.0 / n1.std_floor) && n1.mean[0] == 7.0f,
              "normalizer: std of constant data is floored (default floor %g)", n1.std_floor);
        CHECK(n2.inv_std[1] == 2.0f && n2.clip == 2.5f, "normalizer: custom floor 0.5 and clip 2.5");
        x[0] = 100.0f;
        x[1] = -3.25f;
        es_normalizer_apply(&n2, x, z);
        CHECK(z[0] == 2.5f && z[1] == -0.5f, "normalizer: custom clip applies");
        es_normalizer_free(&n1);
        es_normalizer_free(&n2);
    }
    CHECK(es_normalizer_init(&n1, 0, 0.0f, 0.0f, NULL) != ES_OK, "normalizer: dimension 0 refused");
}

/* ---- episodes on a hand-written environment --------------------------- */

/* A 1-D point mass: x' = x + a, reward -x'^2; x0 = uniform from the reset
   rng; terminates when t reaches term_at (0: never), fails at fail_at. */
typedef struct mass {
    double x;
    int t, term_at, fail_at, error_at, nan_at, error_episode, episodes, warn_at;
    int reward_at;                     /* this step's reward is reward_value (a broken env) */
    double reward_value;
} mass;

static es_result mass_reset(es_env *env, es_rng *rng, float *obs)
{
    mass *m = (mass *)env->state;
    m->x = es_rng_uniform(rng) * 2.0 - 1.0;
    m->t = 0;
    m->episodes++;
    env->error[0] = '\0';   /* as the MuJoCo env: the message is the last failing call's */
    obs[0] = (float)m->x;
    return ES_OK;
}

static es_result mass_step(es_env *env, const float *act, float *obs, double *reward, int *status)
{
    mass *m = (mass *)env->state;
    if (m->error_at && m->t + 1 == m->error_at && (!m->error_episode || m->episodes == m->error_episode)) {
        snprintf(env->error, sizeof env->error, "mass: no step %d", m->error_at);
        return ES_ERROR_IO;
    }
    m->x += act[0];
    m->t++;
    if (m->warn_at && m->t == m->warn_at) snprintf(env->error, sizeof env->error, "mass: a note, not a failure");
    obs[0] = m->nan_at && m->t == m->nan_at ? NAN : (float)m->x;
    *reward = m->reward_at && m->t >= m->reward_at ? m->reward_value : -m->x * m->x;
    *status = m->term_at && m->t == m->term_at ? ES_EPISODE_TERMINATED
            : m->fail_at && m->t == m->fail_at ? ES_EPISODE_FAILED : ES_EPISODE_RUNNING;
    return ES_OK;
}

static void test_rollout(void)
{
    mass m;
    es_env env;
    es_mlp_desc d;
    es_mlp mlp;
    es_episode ep;
    es_rng rng, rng2;
    float theta[2], work[64];
    double stats[3], x0, want, x;
    int t;
    memset(&m, 0, sizeof m);
    memset(&env, 0, sizeof env);
    env.obs_dim = 1;
    env.act_dim = 1;
    env.max_steps = 20;
    env.act_low = -10.0f;
    env.act_high = 10.0f;
    env.state = &m;
    env.reset = mass_reset;
    env.step = mass_step;
    memset(&d, 0, sizeof d);
    d.nin = 1;
    d.nout = 1;
    d.nhidden = ES_MLP_LINEAR;
    d.output_activation = ES_ACTIVATION_IDENTITY;
    d.act_low = -10.0f;
    d.act_high = 10.0f;
    es_mlp_init(&mlp, &d);
    CHECK(es_rollout_work_size(&env, &mlp) <= 64, "rollout: work size");

    /* a = -0.5 x: x_t = x0 / 2^t, return = -x0^2 sum_{t=1..20} 4^-t */
    theta[0] = -0.5f;
    theta[1] = 0.0f;
    es_rng_init(&rng, 77, ES_STREAM_RESET, 3, 4);
    rng2 = rng;
    x0 = es_rng_uniform(&rng2) * 2.0 - 1.0;
    es_obs_stats_clear(stats, 1);
    CHECK(es_rollout(&env, &mlp, theta, NULL, stats, &rng, 0, work, &ep) == ES_OK, "rollout: ok");
    want = -x0 * x0 * (1.0 - pow(0.25, 20)) / 3.0;
    CHECK(ep.steps == 20 && ep.status == ES_EPISODE_RUNNING && fabs(ep.ret - want) < 1e-6,
          "rollout: feedback policy a = -x/2 gives -x0^2 (1 - 4^-20)/3 over 20 steps, truncated (%.7f vs %.7f)", ep.ret, want);
    CHECK(stats[0] == 20.0 && fabs(stats[1] - x0 * (2.0 - pow(0.5, 19))) < 1e-6 &&
              fabs(stats[2] - x0 * x0 * (1.0 - pow(0.25, 20)) / 0.75) < 1e-6,
          "rollout: statistics of the 20 observations the policy saw (x0 / 2^t, t = 0..19)");

    /* constant action b: x_t = x0 + t b, terminated at 7 */
    theta[0] = 0.0f;
    theta[1] = 0.25f;
    m.term_at = 7;
    es_rng_init(&rng, 78, ES_STREAM_RESET, 0, 0);
    rng2 = rng;
    x0 = es_rng_uniform(&rng2) * 2.0 - 1.0;
    es_rollout(&env, &mlp, theta, NULL, NULL, &rng, 0, work, &ep);
    for (want = 0.0, t = 1; t <= 7; t++) want -= (x0 + 0.25 * t) * (x0 + 0.25 * t);
    CHECK(ep.steps == 7 && ep.status == ES_EPISODE_TERMINATED && fabs(ep.ret - want) < 1e-5,
          "rollout: constant action, terminated at step 7 with the closed-form return");

    /* an observation that is not finite: the episode fails there, and the
       statistics keep only the finite ones (a NaN made the normalizer's
       mean NaN for good, silently) */
    m.term_at = 0;
    m.nan_at = 3;
    es_rng_init(&rng, 78, ES_STREAM_RESET, 0, 0);
    es_obs_stats_clear(stats, 1);
    CHECK(es_rollout(&env, &mlp, theta, NULL, stats, &rng, 0, work, &ep) == ES_OK && ep.steps == 3 &&
              ep.status == ES_EPISODE_FAILED && stats[0] == 3.0 && isfinite(stats[1]) && isfinite(stats[2]),
          "rollout: a NaN observation at step 3 ends the episode as failed; the statistics hold the 3 finite ones");
    m.nan_at = 0;
    m.term_at = 7;

    /* truncation by max_steps below the termination step */
    es_rng_init(&rng, 78, ES_STREAM_RESET, 0, 0);
    es_rollout(&env, &mlp, theta, NULL, NULL, &rng, 5, work, &ep);
    for (want = 0.0, t = 1; t <= 5; t++) want -= (x0 + 0.25 * t) * (x0 + 0.25 * t);
    CHECK(ep.steps == 5 && ep.status == ES_EPISODE_RUNNING && fabs(ep.ret - want) < 1e-5,
          "rollout: max_steps 5 truncates (status RUNNING)");
    es_rng_init(&rng, 78, ES_STREAM_RESET, 0, 0);
    es_rollout(&env, &mlp, theta, NULL, NULL, &rng, 1000, work, &ep);
    CHECK(ep.steps == 7, "rollout: max_steps above env->max_steps is capped (terminates at 7)");

    /* failure */
    m.term_at = 0;
    m.fail_at = 3;
    es_rng_init(&rng, 78, ES_STREAM_RESET, 0, 0);
    es_rollout(&env, &mlp, theta, NULL, NULL, &rng, 0, work, &ep);
    for (want = 0.0, t = 1; t <= 3; t++) want -= (x0 + 0.25 * t) * (x0 + 0.25 * t);
    CHECK(ep.steps == 3 && ep.status == ES_EPISODE_FAILED && fabs(ep.ret - want) < 1e-5, "rollout: a failed step ends the episode");

    /* an env error propagates */
    m.fail_at = 0;
    m.error_at = 4;
    es_rng_init(&rng, 78, ES_STREAM_RESET, 0, 0);
    CHECK(es_rollout(&env, &mlp, theta, NULL, NULL, &rng, 0, work, &ep) == ES_ERROR_IO && ep.steps == 3,
          "rollout: an env error is returned after 3 good steps");
    m.error_at = 0;

    /* with a normalizer: the policy sees (x - mean) * inv_std, clipped */
    {
        es_normalizer norm;
        double s[3];
        float o = 0.5f;
        es_normalizer_init(&norm, 1, 0.0f, 0.0f, NULL);
        es_obs_stats_clear(s, 1);
        es_obs_stats_add(s, 1, &o);
        o = 1.5f;
        es_obs_stats_add(s, 1, &o);                 /* mean 1, std 0.5 */
        es_normalizer_merge(&norm, s);
        es_normalizer_refresh(&norm);
        theta[0] = 1.0f;                             /* a = (x - 1) / 0.5 */
        theta[1] = 0.0f;
        m.term_at = 1;
        es_rng_init(&rng, 79, ES_STREAM_RESET, 0, 0);
        rng2 = rng;
        x0 = es_rng_uniform(&rng2) * 2.0 - 1.0;
        es_rollout(&env, &mlp, theta, &norm, NULL, &rng, 0, work, &ep);
        x = x0 + (x0 - 1.0) / 0.5;
        CHECK(ep.steps == 1 && fabs(ep.ret + x * x) < 1e-5, "rollout: the policy sees normalized observations");
        es_normalizer_free(&norm);
        m.term_at = 0;
    }

    /* bad arguments */
    d.nin = 2;
    es_mlp_init(&mlp, &d);
    CHECK(es_rollout(&env, &mlp, theta, NULL, NULL, &rng, 0, work, &ep) == ES_ERROR_INVALID_ARGUMENT,
          "rollout: policy of the wrong shape refused");
    CHECK(es_rollout(NULL, &mlp, theta, NULL, NULL, &rng, 0, work, &ep) == ES_ERROR_INVALID_ARGUMENT,
          "rollout: NULL env refused");
}

/* Two mass envs (one per pool thread), 9 steps, actions in [-10, 10]. */
static void mass_envs(es_env envs[2], mass ms[2])
{
    int i;
    memset(ms, 0, 2 * sizeof ms[0]);
    for (i = 0; i < 2; i++) {
        memset(&envs[i], 0, sizeof envs[i]);
        envs[i].obs_dim = envs[i].act_dim = 1;
        envs[i].max_steps = 9;
        envs[i].act_low = -10.0f;
        envs[i].act_high = 10.0f;
        envs[i].state = &ms[i];
        envs[i].reset = mass_reset;
        envs[i].step = mass_step;
    }
}

/* Two mass envs and a linear policy a = theta[0] x + theta[1] for them. */
static void mass_linear(es_env envs[2], mass ms[2], es_mlp *mlp)
{
    es_mlp_desc d;
    mass_envs(envs, ms);
    d = es_mlp_desc_for_env(&envs[0]);
    d.nhidden = ES_MLP_LINEAR;
    d.output_activation = ES_ACTIVATION_IDENTITY;
    es_mlp_init(mlp, &d);
}

/* es_runner against its contract, recomputed member by member through the
   public calls: member m runs es_perturbed(m) from the reset rng (seed,
   ES_STREAM_RESET, generation, m/2 with antithetic pairs, else m), the
   evaluation episode j runs theta from (seed, ES_STREAM_EVAL, generation,
   j); on 2 threads and over ranges that split pairs, the same bytes. */
static void runner_case(es_sampling sampling, int npop)
{
    mass ms[2];
    es_env envs[2];
    es_mlp_desc d;
    es_mlp mlp;
    es_desc ed = es_desc_default();
    es opt;
    es_pool pool;
    es_runner run;
    es_normalizer norm;
    float theta0[2] = {-0.3f, 0.1f}, th[2], work[64], rewards[16];
    double stats[16 * 3];
    int m, ok = 1, okr = 1;
    const char *name = sampling == ES_SAMPLING_ANTITHETIC ? "antithetic" : "plain";
    mass_envs(envs, ms);
    ms[0].term_at = ms[1].term_at = 6;
    memset(&d, 0, sizeof d);
    d.nin = d.nout = 1;
    d.nhidden = ES_MLP_LINEAR;
    d.output_activation = ES_ACTIVATION_IDENTITY;
    d.act_low = -10.0f;
    d.act_high = 10.0f;
    es_mlp_init(&mlp, &d);
    ed.npop = npop;
    ed.sigma = 0.1f;
    ed.seed = 5;
    ed.sampling = sampling;
    es_init(&opt, &ed, theta0, 2);
    opt.generation = 4;
    es_normalizer_init(&norm, 1, 0.0f, 0.0f, NULL);
    es_pool_init(&pool, 2, NULL);
    if (es_runner_init(&run, &opt, &mlp, &norm, envs, &pool, 1, 0) != ES_OK) {
        CHECK(0, "runner (%s): es_runner_init", name);
        return;
    }
    CHECK(es_runner_evaluate(&run, 0, npop, 1) == ES_OK, "runner (%s): evaluate", name);
    for (m = 0; m < npop; m++) {
        es_rng rng;
        es_episode ep;
        double st[3];
        es_perturbed(&opt, m, th);
        es_rng_init(&rng, 5, ES_STREAM_RESET, 4, sampling == ES_SAMPLING_ANTITHETIC ? (uint32_t)m / 2 : (uint32_t)m);
        es_obs_stats_clear(st, 1);
        es_rollout(&envs[0], &mlp, th, &norm, st, &rng, 0, work, &ep);
        ok &= run.rewards[m] == (float)ep.ret && run.steps[m] == ep.steps && run.status[m] == ep.status &&
              memcmp(run.stats + 3 * m, st, sizeof st) == 0;
    }
    {
        es_rng rng;
        es_episode ep;
        es_rng_init(&rng, 5, ES_STREAM_EVAL, 4, 0);
        es_rollout(&envs[0], &mlp, opt.theta, &norm, NULL, &rng, 0, work, &ep);
        ok &= run.eval_returns[0] == ep.ret && run.steps[npop] == ep.steps;
    }
    CHECK(ok, "runner (%s, npop %d, 2 threads): every member and the evaluation episode as the contract says", name, npop);
    memcpy(rewards, run.rewards, (size_t)npop * sizeof(float));
    memcpy(stats, run.stats, (size_t)npop * 3 * sizeof(double));
    memset(run.rewards, 0, (size_t)npop * sizeof(float));
    memset(run.stats, 0, (size_t)npop * 3 * sizeof(double));
    es_runner_evaluate(&run, 0, 3, 0);
    es_runner_evaluate(&run, 3, 3, 0);
    es_runner_evaluate(&run, 3, npop - 1, 0);
    es_runner_evaluate(&run, npop - 1, npop, 1);
    okr = memcmp(rewards, run.rewards, (size_t)npop * sizeof(float)) == 0 &&
          memcmp(stats, run.stats, (size_t)npop * 3 * sizeof(double)) == 0;
    CHECK(okr, "runner (%s): ranges [0,3) [3,3) [3,%d) [%d,%d) give the bytes of the whole population", name,
          npop - 1, npop - 1, npop);
    CHECK(es_runner_evaluate(&run, 2, 1, 0) == ES_ERROR_INVALID_ARGUMENT &&
          es_runner_evaluate(&run, 0, npop + 1, 0) == ES_ERROR_INVALID_ARGUMENT,
          "runner (%s): a range outside [0, npop) refused", name);
    es_runner_free(&run);
    es_pool_free(&pool);
    es_normalizer_free(&norm);
    es_free(&opt);
}

static void test_runner(void)
{
    runner_case(ES_SAMPLING_ANTITHETIC, 12);
    runner_case(ES_SAMPLING_PLAIN, 7);
}

/* A generation whose update would overflow theta (SGD, lr 3e38) fails with
   ES_ERROR_NOT_FINITE and changes nothing: theta, the generation and the
   normalizer (whose statistics used to be merged before es_tell, so a
   retried update counted them twice). An env error reaches the caller. */
static void test_runner_failures(void)
{
    mass ms[2];
    es_env envs[2];
    es_mlp mlp;
    es_desc ed = es_desc_default();
    es opt;
    es_pool pool;
    es_runner run;
    es_normalizer norm;
    float theta0[2] = {-0.3f, 0.1f};
    int i, ok;
    mass_linear(envs, ms, &mlp);
    ed.npop = 8;
    ed.sigma = 1e-3f;
    ed.lr = 3e38f;
    ed.optimizer = ES_OPTIMIZER_SGD;
    es_init(&opt, &ed, theta0, 2);
    es_normalizer_init(&norm, 1, 0.0f, 0.0f, NULL);
    es_pool_init(&pool, 2, NULL);
    if (es_runner_init(&run, &opt, &mlp, &norm, envs, &pool, 1, 0) != ES_OK) {
        CHECK(0, "runner failures: es_runner_init");
        return;
    }
    CHECK(es_runner_generation(&run) == ES_ERROR_NOT_FINITE, "runner failures: an update that overflows theta -> ES_ERROR_NOT_FINITE");
    CHECK(opt.generation == 0 && memcmp(opt.theta, theta0, sizeof theta0) == 0,
          "runner failures: theta and generation unchanged");
    CHECK(norm.count == 0.0 && norm.sum[0] == 0.0, "runner failures: the normalizer took no statistics of the failed generation");
    CHECK(es_runner_update(&run) == ES_ERROR_NOT_FINITE && norm.count == 0.0,
          "runner failures: retrying the update still counts nothing");
    opt.desc.lr = 0.01f;
    CHECK(es_runner_update(&run) == ES_OK && norm.count == 8.0 * 9.0 && opt.generation == 1,
          "runner failures: a successful update merges the 8 episodes' 9 observations once");
    CHECK(es_runner_update(&run) == ES_ERROR_INVALID_ARGUMENT && norm.count == 8.0 * 9.0 && opt.generation == 1,
          "runner failures: a second update of one evaluation is refused (it stepped again on old rewards and "
          "counted the observations twice)");
    ms[0].error_at = ms[1].error_at = 3;
    CHECK(es_runner_generation(&run) == ES_ERROR_IO && opt.generation == 1 && run.errors[0] == ES_ERROR_IO,
          "runner failures: an env error ends the generation with that error, in the episode's slot");
    ms[0].error_at = ms[1].error_at = 0;
    CHECK(es_runner_generation(&run) == ES_OK, "runner failures: the next generation runs");
    ok = 1;
    for (i = 0; i < 9; i++) ok &= run.errors[i] == ES_OK;
    CHECK(ok, "runner failures: the slots are cleared for the next generation");
    es_runner_free(&run);
    CHECK(es_runner_evaluate(&run, 0, 8, 1) == ES_ERROR_INVALID_ARGUMENT && es_runner_update(&run) == ES_ERROR_INVALID_ARGUMENT &&
              es_runner_generation(&run) == ES_ERROR_INVALID_ARGUMENT && es_runner_mean_reward(&run) == 0.0,
          "runner failures: a freed runner is refused by evaluate, update and generation (no crash)");
    es_pool_free(&pool);
    es_normalizer_free(&norm);
    es_free(&opt);
}

/* An allocator whose blocks ES_FREE cannot free: it counts what is out. */
static int blocks_out;
static void *offset_alloc(size_t size, void *user)
{
    char *p = (char *)malloc(size + 16);
    (void)user;
    if (!p) return NULL;
    blocks_out++;
    return p + 16;
}
static void offset_free(void *ptr, void *user)
{
    (void)user;
    if (!ptr) return;
    blocks_out--;
    free((char *)ptr - 16);
}

/* The runner's contract with its caller: an update needs an evaluation of
   the current generation, and the runner may be freed after its optimizer
   (es_runner_free used the freed optimizer's zeroed allocator: ES_FREE of
   a custom allocator's blocks). */
static void test_runner_order(void)
{
    es_env envs[2];
    mass ms[2];
    es_mlp mlp;
    es_desc ed = es_desc_default();
    es opt;
    es_runner run;
    float theta0[2] = {-0.3f, 0.1f};
    mass_linear(envs, ms, &mlp);
    ed.npop = 8;
    ed.allocator.alloc_fn = offset_alloc;
    ed.allocator.free_fn = offset_free;
    blocks_out = 0;
    if (es_init(&opt, &ed, theta0, 2) != ES_OK || es_runner_init(&run, &opt, &mlp, NULL, envs, NULL, 0, 0) != ES_OK) {
        CHECK(0, "runner order: init");
        return;
    }
    CHECK(es_runner_update(&run) == ES_ERROR_INVALID_ARGUMENT && opt.generation == 0 &&
              memcmp(opt.theta, theta0, sizeof theta0) == 0,
          "runner order: an update before any evaluation is refused, theta kept (it stepped on zeroed rewards)");
    CHECK(es_runner_evaluate(&run, 0, 8, 0) == ES_OK && es_runner_update(&run) == ES_OK && opt.generation == 1,
          "runner order: evaluate, then update");
    CHECK(es_runner_evaluate(&run, 0, 8, 0) == ES_OK, "runner order: an evaluation of generation 1, not used...");
    ms[0].episodes = 0;
    ms[0].error_at = 3;
    ms[0].error_episode = 2;   /* one episode of eight fails, on the only thread */
    CHECK(es_runner_evaluate(&run, 0, 8, 0) == ES_ERROR_IO && run.errors[1] == ES_ERROR_IO &&
              run.errors[6] == ES_ERROR_STOPPED && !strcmp(envs[0].error, "mass: no step 3"),
          "runner order: after its env failed, the thread runs no further episode, and env.error still says why "
          "(the next episode's reset cleared it)");
    CHECK(es_runner_update(&run) == ES_ERROR_INVALID_ARGUMENT && opt.generation == 1,
          "runner order: ... then a failed one of the same generation: no update (the good one counted, and the "
          "failed one had rewritten its slots)");
    ms[0].episodes = 0;
    ms[0].error_episode = 1;   /* member 0 fails: its pair's member 1 is not run */
    CHECK(es_runner_evaluate(&run, 0, 8, 0) == ES_ERROR_IO && run.errors[0] == ES_ERROR_IO &&
              run.errors[1] == ES_ERROR_STOPPED && run.steps[1] == 0,
          "runner order: the pair of a failed member says it was not run (it kept the last generation's slot)");
    ms[0].error_at = 0;
    ms[0].warn_at = 2;   /* a message on a call that did not fail */
    CHECK(es_runner_evaluate(&run, 0, 8, 0) == ES_OK && es_runner_update(&run) == ES_OK,
          "runner order: an env that writes env.error on a successful call fails nothing");
    ms[0].warn_at = 0;
    es_free(&opt);
    es_runner_free(&run);
    CHECK(blocks_out == 0, "runner order: freed after its optimizer, every block went back to the custom allocator "
          "(%d out)", blocks_out);
}

/* Defaults written out for C++, and a policy made for an env takes its
   action range (a tanh output saturates at the env's bounds). */
static void test_desc_defaults(void)
{
    es_mlp_desc z, d = es_mlp_desc_default();
    es_mlp a, b;
    es_env env;
    float theta[2] = {100.0f, 0.0f}, obs = 1.0f, act = 0.0f, work[8];
    memset(&z, 0, sizeof z);
    z.nin = d.nin = 17;
    z.nout = d.nout = 6;
    CHECK(es_mlp_init(&a, &z) == ES_OK && es_mlp_init(&b, &d) == ES_OK && memcmp(&a, &b, sizeof a) == 0,
          "mlp: es_mlp_desc_default() resolves exactly as the zero desc");
    memset(&env, 0, sizeof env);
    env.obs_dim = 1;
    env.act_dim = 1;
    env.act_low = -0.4f;
    env.act_high = 0.4f;
    d = es_mlp_desc_for_env(&env);
    CHECK(d.nin == 1 && d.nout == 1 && d.act_low == -0.4f && d.act_high == 0.4f,
          "mlp: es_mlp_desc_for_env takes obs_dim, act_dim and the action range +-0.4");
    d.nhidden = ES_MLP_LINEAR;
    es_mlp_init(&a, &d);
    es_mlp_forward(&a, theta, &obs, &act, work);
    CHECK(act == 0.4f, "mlp: its tanh output saturates at the env's bound 0.4 (got %.9g)", act);
    obs = -1.0f;
    es_mlp_forward(&a, theta, &obs, &act, work);
    CHECK(act == -0.4f, "mlp: and at -0.4 (got %.9g)", act);
}

static void half_free(void *p, void *user)
{
    (void)user;
    free(p);
}

/* The embedding boundary under careless inputs: what would overrun a
   buffer, or save a file that does not load, is refused; a reward that is
   not finite is an error with a message, never a figure. */
static void test_boundary(void)
{
    mass ms[2];
    es_env envs[2];
    es_mlp mlp;
    es_mlp_desc d;
    es_desc ed = es_desc_default();
    es opt;
    es_pool pool;
    es_runner run;
    es_normalizer norm, wide;
    es_eval_stats st;
    es_episode ep;
    es_rng rng;
    float theta0[2] = {-0.3f, 0.1f}, work[256];
    es_result r;

    /* widths and ranges es_mlp_decode would refuse */
    d = es_mlp_desc_default();
    d.nin = ES_MLP_MAX_WIDTH;
    d.nout = 1;
    d.nhidden = ES_MLP_LINEAR;
    CHECK(es_mlp_init(&mlp, &d) == ES_OK, "mlp: nin ES_MLP_MAX_WIDTH (2^20) is accepted");
    d.nin = ES_MLP_MAX_WIDTH + 1;
    CHECK(es_mlp_init(&mlp, &d) == ES_ERROR_INVALID_ARGUMENT, "mlp: nin 2^20 + 1 refused (its checkpoint would not load)");
    d = es_mlp_desc_default();
    d.nin = d.nout = 2;
    d.nhidden = 1;
    d.hidden[0] = ES_MLP_MAX_WIDTH + 1;
    CHECK(es_mlp_init(&mlp, &d) == ES_ERROR_INVALID_ARGUMENT, "mlp: a hidden width of 2^20 + 1 refused");
    d.hidden[0] = 4;
    d.act_low = -FLT_MAX;
    d.act_high = FLT_MAX;
    CHECK(es_mlp_init(&mlp, &d) == ES_ERROR_INVALID_ARGUMENT,
          "mlp: [-FLT_MAX, FLT_MAX] refused (the tanh output scales by its width, inf)");
    d.act_low = -FLT_MAX / 4;
    d.act_high = FLT_MAX / 4;
    CHECK(es_mlp_init(&mlp, &d) == ES_OK, "mlp: [-FLT_MAX/4, FLT_MAX/4] accepted");
    CHECK(es_normalizer_init(&norm, 2, INFINITY, 0.0f, NULL) == ES_ERROR_INVALID_ARGUMENT && norm.sum == NULL,
          "normalizer: an infinite clip refused (no checkpoint holds one), the struct left zeroed");
    CHECK(es_normalizer_init(&norm, 2, 0.0f, NAN, NULL) == ES_ERROR_INVALID_ARGUMENT, "normalizer: a NaN std_floor refused");
    {
        es_allocator half;
        memset(&half, 0, sizeof half);
        half.free_fn = half_free;
        CHECK(es_normalizer_init(&norm, 2, 0.0f, 0.0f, &half) == ES_ERROR_INVALID_ARGUMENT,
              "normalizer: an allocator with free_fn alone refused");
    }
    CHECK(es_normalizer_init(&norm, 2, FLT_MAX, 0.0f, NULL) == ES_OK, "normalizer: clip FLT_MAX accepted");
    es_normalizer_free(&norm);

    /* sizes across the runner's envs and normalizer */
    mass_linear(envs, ms, &mlp);
    ed.npop = 8;
    es_init(&opt, &ed, theta0, 2);
    es_pool_init(&pool, 2, NULL);
    es_normalizer_init(&norm, 1, 0.0f, 0.0f, NULL);
    es_normalizer_init(&wide, 40, 0.0f, 0.0f, NULL);
    envs[1].obs_dim = 40;
    CHECK(es_runner_init(&run, &opt, &mlp, &norm, envs, &pool, 1, 0) == ES_ERROR_INVALID_ARGUMENT,
          "runner: the second thread's env with obs_dim 40 (the policy's nin 1) refused (its statistics overran a buffer)");
    envs[1].obs_dim = 1;
    envs[1].act_dim = 3;
    CHECK(es_runner_init(&run, &opt, &mlp, &norm, envs, &pool, 1, 0) == ES_ERROR_INVALID_ARGUMENT,
          "runner: the second thread's env with act_dim 3 refused");
    envs[1].act_dim = 1;
    CHECK(es_runner_init(&run, &opt, &mlp, &norm, envs, &pool, INT_MAX - 4, 0) == ES_ERROR_INVALID_ARGUMENT,
          "runner: eval_episodes past ES_RUN_MAX_EVAL_EPISODES refused (npop + it overflowed int)");
    es_rng_init(&rng, 1, ES_STREAM_EVAL, 0, 0);
    CHECK(es_rollout(&envs[0], &mlp, theta0, &wide, NULL, &rng, 0, work, &ep) == ES_ERROR_INVALID_ARGUMENT,
          "rollout: a normalizer of 40 inputs on an env of 1 refused (it wrote past the work buffer)");

    /* rewards that are not finite */
    ms[0].reward_at = 3;
    ms[0].reward_value = NAN;
    r = es_rollout(&envs[0], &mlp, theta0, &norm, NULL, &rng, 0, work, &ep);
    CHECK(r == ES_ERROR_NAN_REWARD && ep.steps == 2 && strstr(envs[0].error, "step 3 gave a reward of nan"),
          "rollout: a NaN reward at step 3 -> ES_ERROR_NAN_REWARD after 2 steps, env.error: %s", envs[0].error);
    ms[0].reward_at = 1;
    ms[0].reward_value = 1e308;
    r = es_rollout(&envs[0], &mlp, theta0, &norm, NULL, &rng, 0, work, &ep);
    CHECK(r == ES_ERROR_NAN_REWARD && ep.steps == 1 && isfinite(ep.ret),
          "rollout: rewards of 1e308 whose sum overflows -> ES_ERROR_NAN_REWARD, the return kept finite; env.error: %s",
          envs[0].error);
    if (es_runner_init(&run, &opt, &mlp, &norm, envs, &pool, 2, 0) != ES_OK) {
        CHECK(0, "boundary: es_runner_init");
    } else {
        ms[0].reward_at = ms[1].reward_at = 9;
        ms[0].reward_value = ms[1].reward_value = 1e300;
        r = es_runner_generation(&run);
        CHECK(r == ES_ERROR_NAN_REWARD && opt.generation == 0 &&
                  (strstr(envs[0].error, "beyond float") || strstr(envs[1].error, "beyond float")),
              "runner: a finite return beyond float fails the generation with ES_ERROR_NAN_REWARD, saying so: %s%s",
              envs[0].error, envs[1].error);
        ms[0].reward_value = ms[1].reward_value = INFINITY;
        r = es_runner_evaluate_theta(&run, NULL, 4, &st);
        CHECK(r == ES_ERROR_NAN_REWARD, "runner: an evaluation whose rewards are infinite -> ES_ERROR_NAN_REWARD (was ES_OK, mean inf)");
        ms[0].reward_at = ms[1].reward_at = 0;
        CHECK(es_runner_generation(&run) == ES_OK && es_runner_evaluate_theta(&run, NULL, 4, &st) == ES_OK &&
                  isfinite(st.mean), "runner: with finite rewards again, a generation and an evaluation run");
        es_runner_free(&run);
    }
    es_normalizer_free(&wide);
    es_normalizer_free(&norm);
    es_pool_free(&pool);
    es_free(&opt);
}

int main(void)
{
    (void)test_need_reference;   /* test.h helper unused here */
    test_nparams();
    test_forward();
    test_init_theta();
    test_encode();
    test_normalizer();
    test_rollout();
    test_runner();
    test_runner_failures();
    test_runner_order();
    test_desc_defaults();
    test_boundary();
    return test_finish();
}
