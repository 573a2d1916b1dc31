/* render.c - renders trained policies: checkpoints to MP4 videos (or frames).

   For each checkpoint: reads theta, policy shape, normalizer and task name,
   rebuilds the task, runs the policy without noise (reset noise from the
   ES_STREAM_EVAL stream, as the trainer's evaluation episode j at the
   checkpoint's generation), renders every env step with MuJoCo's offscreen
   buffer and pipes raw RGB frames into ffmpeg (H.264 in an MP4).

   OpenGL without a display: EGL on Mesa's surfaceless platform, else OSMesa;
   the library is chosen at run time and loaded with dlopen(RTLD_GLOBAL), so
   MuJoCo's own GL loader finds exactly one of them (MUJOCO_GL=egl|osmesa
   forces one). Nothing links against libEGL or libOSMesa.

   Build: make build/render   (what tools/render does)
      or: cc -O2 -I. examples/render.c -o render -lmujoco -lm -lpthread [-ldl on glibc < 2.34]
   Run:   build/render --help
*/
#define _POSIX_C_SOURCE 200809L
#define ES_IMPLEMENTATION
#include "../es_env_mujoco.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "render"

/* ---- options ------------------------------------------------------------- */

typedef struct options {
    int all, frames, steps, episodes, width, height, samples;
    double fps;
    const char *out;
    char **targets;
    int ntargets;
} options;

static void usage(FILE *f)
{
    fprintf(f,
        "usage: tools/render RUN_DIR|CKPT... [options]\n"
        "Renders trained policies to MP4 videos: each checkpoint's policy runs without\n"
        "noise (the trainer's evaluation episode) and every env step becomes a frame.\n\n"
        "  RUN_DIR           a run directory: its latest.ckpt (with --all: every\n"
        "                    checkpoints/gen_*.ckpt)\n"
        "  CKPT              a checkpoint file\n"
        "  --all             every checkpoint of each run directory\n"
        "  --out DIR         output directory (default RUN_DIR/videos; for a checkpoint\n"
        "                    outside a run directory, its own directory)\n"
        "  --steps N         env steps per episode (default: the trained run's --max-steps,\n"
        "                    else the task's episode, 1000 for HalfCheetah; at most that)\n"
        "  --episodes N      evaluation episodes per checkpoint, one video each (default 1)\n"
        "  --width W         frame width, even (default 640)\n"
        "  --height H        frame height, even (default 480)\n"
        "  --fps F           video frame rate (default 1/dt of the task: 20 for HalfCheetah)\n"
        "  --frames          write numbered PPM frames into a directory instead of an MP4\n"
        "  --samples N       multisample anti-aliasing, 0-16 (default 0; 4 smooths edges\n"
        "                    and renders about 3x slower on a CPU)\n"
        "  --help            this text\n\n"
        "Videos are named gen_NNNNNN_return_R.mp4 (the generation and the episode's\n"
        "return; gen_NNNNNN_epK_return_R.mp4 with --episodes 2 or more); frames go\n"
        "to a directory of that name with _frames, as frame_NNNNNN.ppm.\n"
        "OpenGL: EGL (Mesa surfaceless) with OSMesa as the fallback; MUJOCO_GL=egl or\n"
        "MUJOCO_GL=osmesa forces one. Videos need ffmpeg on the PATH.\n"
        "Exit codes: 0 ok, 1 runtime error, 2 usage error.\n");
}

static int bad(const char *flag, const char *value, const char *want)
{
    fprintf(stderr, PROG ": %s%s%s: expected %s (see --help)\n", flag, value ? " " : "", value ? value : "", want);
    return 2;
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

/* 0 ok, 2 usage error (message printed), -1 --help. */
static int parse_args(int argc, char **argv, options *o)
{
    int i;
    memset(o, 0, sizeof *o);
    o->width = 640;
    o->height = 480;
    o->episodes = 1;
    o->targets = (char **)calloc((size_t)argc, sizeof *o->targets);
    if (!o->targets) return 2;
    for (i = 1; i < argc; i++) {
        char flag[32];
        const char *a = argv[i], *v = NULL, *eq;
        if (strncmp(a, "--", 2) != 0 || !strcmp(a, "--")) {
            if (!strcmp(a, "--")) {
                for (i++; i < argc; i++) o->targets[o->ntargets++] = argv[i];
                break;
            }
            if (a[0] == '-' && a[1]) {
                if (!strcmp(a, "-h")) return -1;
                return bad(a, NULL, "a known option");
            }
            o->targets[o->ntargets++] = argv[i];
            continue;
        }
        eq = strchr(a, '=');
        if (eq && (size_t)(eq - a) < sizeof flag) {
            memcpy(flag, a, (size_t)(eq - a));
            flag[eq - a] = 0;
            v = eq + 1;
        } else {
            if (strlen(a) >= sizeof flag) return bad(a, NULL, "a known option");
            strcpy(flag, a);
        }
        if (!strcmp(flag, "--help")) return -1;
        if (!strcmp(flag, "--all") || !strcmp(flag, "--frames")) {
            if (v) return bad(flag, v, "no value");
            if (flag[2] == 'a') o->all = 1;
            else o->frames = 1;
            continue;
        }
        if (strcmp(flag, "--out") && strcmp(flag, "--steps") && strcmp(flag, "--episodes") &&
            strcmp(flag, "--width") && strcmp(flag, "--height") && strcmp(flag, "--fps") &&
            strcmp(flag, "--samples"))
            return bad(flag, NULL, "a known option");
        if (!v) {   /* a flag next is no value: --out --width 16 made a directory --width */
            if (i + 1 >= argc || !strncmp(argv[i + 1], "--", 2))
                return bad(flag, NULL, "a value (one starting with -- is given as FLAG=VALUE)");
            v = argv[++i];
        }
        if (!strcmp(flag, "--out")) {
            if (!*v) return bad(flag, v, "a directory");
            o->out = v;
        } else if (!strcmp(flag, "--steps")) {
            if (!parse_int(v, 1, 10000000, &o->steps)) return bad(flag, v, "a positive integer");
        } else if (!strcmp(flag, "--episodes")) {
            if (!parse_int(v, 1, 1000, &o->episodes)) return bad(flag, v, "an integer in [1, 1000]");
        } else if (!strcmp(flag, "--samples")) {
            if (!parse_int(v, 0, 16, &o->samples)) return bad(flag, v, "an integer in [0, 16]");
        } else if (!strcmp(flag, "--width") || !strcmp(flag, "--height")) {
            int *dst = flag[2] == 'w' ? &o->width : &o->height;
            if (!parse_int(v, 16, 8192, dst) || *dst % 2) return bad(flag, v, "an even integer in [16, 8192]");
        } else {
            char *end;
            errno = 0;
            o->fps = strtod(v, &end);
            if (errno || end == v || *end || !(o->fps >= 0.1 && o->fps <= 1000.0))
                return bad(flag, v, "frames per second in [0.1, 1000]");
        }
    }
    if (o->ntargets == 0) return bad("RUN_DIR|CKPT", NULL, "at least one run directory or checkpoint");
    return 0;
}

/* ---- small helpers -------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
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

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The directories mkdirs made: the lengths of their paths, prefixes of the
   path it was given, in the order made. */
typedef struct made_dirs {
    size_t end[32];
    int n;
} made_dirs;

/* Makes path and its missing parents, noting each one it made. */
static int mkdirs(const char *path, made_dirs *made)
{
    char buf[PATH_MAX];
    size_t i, n = strlen(path);
    made->n = 0;
    if (n == 0 || n >= sizeof buf) return -1;
    strcpy(buf, path);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0755) == 0) {
                if (made->n < 32) made->end[made->n++] = i;
            } else if (errno != EEXIST) {
                return -1;
            }
            buf[i] = c;
        }
    }
    if (is_dir(path)) return 0;
    errno = ENOTDIR;   /* there, but a file: not mkdir's EEXIST ("File exists") */
    return -1;
}

/* Removes the directories mkdirs(path) made, deepest first, those still
   empty: a failed render leaves none of its own behind, and no other. */
static void rmdirs(const char *path, const made_dirs *made)
{
    char buf[PATH_MAX];
    int k;
    for (k = made->n - 1; k >= 0; k--) {
        memcpy(buf, path, made->end[k]);
        buf[made->end[k]] = 0;
        rmdir(buf);
    }
}

/* Full path of an executable found on PATH, or 0. */
static int find_on_path(const char *name, char *out, size_t size)
{
    const char *path = getenv("PATH"), *p;
    if (!path || !*path) return 0;
    for (p = path; *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (n > 0 && snprintf(out, size, "%.*s/%s", (int)n, p, name) < (int)size && access(out, X_OK) == 0 &&
            is_file(out))
            return 1;
        if (!colon) break;
        p = colon + 1;
    }
    return 0;
}

static int write_all(int fd, const void *data, size_t size)
{
    const unsigned char *p = (const unsigned char *)data;
    while (size > 0) {
        ssize_t k = write(fd, p, size);
        if (k < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += k;
        size -= (size_t)k;
    }
    return 0;
}

/* snprintf into an error buffer (truncation is fine for a message). */
static void set_err(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

/* dlsym's object pointer into a function pointer, without the cast that
   ISO C leaves undefined. */
typedef void (*fn_ptr)(void);
static fn_ptr lookup(void *lib, const char *name)
{
    void *p = dlsym(lib, name);
    fn_ptr f = NULL;
    if (p) memcpy(&f, &p, sizeof f);
    return f;
}

/* ---- OpenGL: EGL surfaceless or OSMesa, loaded at run time ----------------- */
/* The few EGL/OSMesa names used, declared here so that building needs
   neither libegl-dev nor libosmesa6-dev (values from the Khronos and Mesa
   headers; they are ABI). */
typedef void *egl_display;
typedef void *egl_config;
typedef void *egl_context;
typedef unsigned int egl_boolean;
#define EGL_ALPHA_SIZE_ 0x3021
#define EGL_BLUE_SIZE_ 0x3022
#define EGL_GREEN_SIZE_ 0x3023
#define EGL_RED_SIZE_ 0x3024
#define EGL_DEPTH_SIZE_ 0x3025
#define EGL_STENCIL_SIZE_ 0x3026
#define EGL_SURFACE_TYPE_ 0x3033
#define EGL_NONE_ 0x3038
#define EGL_RENDERABLE_TYPE_ 0x3040
#define EGL_EXTENSIONS_ 0x3055
#define EGL_OPENGL_API_ 0x30A2
#define EGL_PBUFFER_BIT_ 0x0001
#define EGL_OPENGL_BIT_ 0x0008
#define EGL_PLATFORM_SURFACELESS_MESA_ 0x31DD
#define GL_RGBA_ 0x1908
#define GL_UNSIGNED_BYTE_ 0x1401
#define GL_VENDOR_ 0x1F00
#define GL_RENDERER_ 0x1F01
#define GL_VERSION_ 0x1F02

typedef fn_ptr (*egl_get_proc_fn)(const char *name);
typedef egl_display (*egl_get_display_fn)(void *native);
typedef egl_display (*egl_get_platform_display_fn)(unsigned int platform, void *native, const int *attrib);
typedef egl_boolean (*egl_initialize_fn)(egl_display dpy, int *major, int *minor);
typedef egl_boolean (*egl_choose_config_fn)(egl_display dpy, const int *attrib, egl_config *configs,
                                            int size, int *n);
typedef egl_boolean (*egl_bind_api_fn)(unsigned int api);
typedef egl_context (*egl_create_context_fn)(egl_display dpy, egl_config cfg, egl_context share,
                                             const int *attrib);
typedef egl_boolean (*egl_make_current_fn)(egl_display dpy, void *draw, void *read, egl_context ctx);
typedef egl_boolean (*egl_destroy_context_fn)(egl_display dpy, egl_context ctx);
typedef egl_boolean (*egl_terminate_fn)(egl_display dpy);
typedef const char *(*egl_query_string_fn)(egl_display dpy, int name);
typedef int (*egl_get_error_fn)(void);
typedef void *(*osmesa_create_fn)(unsigned int format, int depth, int stencil, int accum, void *share);
typedef unsigned char (*osmesa_make_current_fn)(void *ctx, void *buffer, unsigned int type, int w, int h);
typedef void (*osmesa_destroy_fn)(void *ctx);
typedef const unsigned char *(*gl_get_string_fn)(unsigned int name);

enum { GL_NONE_ = 0, GL_EGL, GL_OSMESA };

typedef struct gl {
    int kind;
    void *lib;
    egl_display dpy;
    egl_context ctx;
    void *osmesa;
    unsigned char *osmesa_buf;
    char info[256];
} gl;

static const char *gl_name(int kind) { return kind == GL_EGL ? "EGL" : kind == GL_OSMESA ? "OSMesa" : "none"; }

static void *gl_dlopen(const char *const *names, char *err, size_t errlen)
{
    int i;
    for (i = 0; names[i]; i++) {
        void *h = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
        if (h) return h;
    }
    snprintf(err, errlen, "cannot load %s (%s)", names[0], dlerror());
    return NULL;
}

static void gl_describe(gl *g, fn_ptr get_string)
{
    const unsigned char *r = NULL, *v = NULL;
    if (get_string) {
        gl_get_string_fn gs = (gl_get_string_fn)get_string;
        r = gs(GL_RENDERER_);
        v = gs(GL_VERSION_);
    }
    snprintf(g->info, sizeof g->info, "%s, %s, OpenGL %s", gl_name(g->kind), r ? (const char *)r : "?",
             v ? (const char *)v : "?");
}

static int gl_open_egl(gl *g, char *err, size_t errlen)
{
    static const char *const names[] = {"libEGL.so.1", "libEGL.so", NULL};
    static const int attrib[] = {EGL_SURFACE_TYPE_, EGL_PBUFFER_BIT_, EGL_RED_SIZE_, 8, EGL_GREEN_SIZE_, 8,
                                 EGL_BLUE_SIZE_, 8, EGL_ALPHA_SIZE_, 8, EGL_DEPTH_SIZE_, 24,
                                 EGL_STENCIL_SIZE_, 8, EGL_RENDERABLE_TYPE_, EGL_OPENGL_BIT_, EGL_NONE_};
    egl_get_proc_fn get_proc;
    egl_get_platform_display_fn get_platform_display = NULL;
    egl_query_string_fn query_string;
    egl_get_error_fn get_error;
    egl_config cfg = NULL;
    const char *ext;
    int n = 0, major, minor;
    g->lib = gl_dlopen(names, err, errlen);
    if (!g->lib) return -1;
    get_proc = (egl_get_proc_fn)lookup(g->lib, "eglGetProcAddress");
    query_string = (egl_query_string_fn)lookup(g->lib, "eglQueryString");
    get_error = (egl_get_error_fn)lookup(g->lib, "eglGetError");
    if (!get_proc || !query_string || !get_error) {
        snprintf(err, errlen, "libEGL lacks eglGetProcAddress");
        return -1;
    }
    ext = query_string(NULL, EGL_EXTENSIONS_);
    if (ext && strstr(ext, "EGL_MESA_platform_surfaceless"))
        get_platform_display = (egl_get_platform_display_fn)get_proc("eglGetPlatformDisplayEXT");
    if (get_platform_display) g->dpy = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA_, NULL, NULL);
    if (!g->dpy) {       /* not Mesa: the default display may still work headless (e.g. NVIDIA) */
        egl_get_display_fn get_display = (egl_get_display_fn)lookup(g->lib, "eglGetDisplay");
        if (get_display) g->dpy = get_display(NULL);
    }
    if (!g->dpy || !((egl_initialize_fn)lookup(g->lib, "eglInitialize"))(g->dpy, &major, &minor)) {
        snprintf(err, errlen, "no EGL display (surfaceless or default); EGL error 0x%x", get_error());
        g->dpy = NULL;
        return -1;
    }
    if (!((egl_choose_config_fn)lookup(g->lib, "eglChooseConfig"))(g->dpy, attrib, &cfg, 1, &n) || n < 1) {
        n = 0;   /* some surfaceless drivers offer no pbuffer configs: any RGBA8/24/8 will do */
        if (!((egl_choose_config_fn)lookup(g->lib, "eglChooseConfig"))(g->dpy, attrib + 2, &cfg, 1, &n) || n < 1) {
            snprintf(err, errlen, "no EGL config with RGBA8, depth 24, stencil 8 for desktop OpenGL");
            return -1;
        }
    }
    if (!((egl_bind_api_fn)lookup(g->lib, "eglBindAPI"))(EGL_OPENGL_API_)) {
        snprintf(err, errlen, "EGL cannot bind the desktop OpenGL API; EGL error 0x%x", get_error());
        return -1;
    }
    g->ctx = ((egl_create_context_fn)lookup(g->lib, "eglCreateContext"))(g->dpy, cfg, NULL, NULL);
    if (!g->ctx) {
        snprintf(err, errlen, "eglCreateContext failed; EGL error 0x%x", get_error());
        return -1;
    }
    if (!((egl_make_current_fn)lookup(g->lib, "eglMakeCurrent"))(g->dpy, NULL, NULL, g->ctx)) {
        snprintf(err, errlen, "eglMakeCurrent without a surface failed; EGL error 0x%x", get_error());
        return -1;
    }
    g->kind = GL_EGL;
    gl_describe(g, get_proc("glGetString"));
    return 0;
}

static int gl_open_osmesa(gl *g, int width, int height, char *err, size_t errlen)
{
    static const char *const names[] = {"libOSMesa.so.8", "libOSMesa.so.6", "libOSMesa.so", NULL};
    osmesa_create_fn create;
    osmesa_make_current_fn make_current;
    g->lib = gl_dlopen(names, err, errlen);
    if (!g->lib) return -1;
    create = (osmesa_create_fn)lookup(g->lib, "OSMesaCreateContextExt");
    make_current = (osmesa_make_current_fn)lookup(g->lib, "OSMesaMakeCurrent");
    if (!create || !make_current) {
        snprintf(err, errlen, "libOSMesa lacks OSMesaCreateContextExt/OSMesaMakeCurrent");
        return -1;
    }
    g->osmesa = create(GL_RGBA_, 24, 8, 0, NULL);
    if (!g->osmesa) {
        snprintf(err, errlen, "OSMesaCreateContextExt failed");
        return -1;
    }
    g->osmesa_buf = (unsigned char *)malloc((size_t)width * (size_t)height * 4);
    if (!g->osmesa_buf || !make_current(g->osmesa, g->osmesa_buf, GL_UNSIGNED_BYTE_, width, height)) {
        snprintf(err, errlen, "OSMesaMakeCurrent failed");
        return -1;
    }
    g->kind = GL_OSMESA;
    gl_describe(g, lookup(g->lib, "glGetString"));
    return 0;
}

static void gl_close(gl *g)
{
    if (g->lib && g->ctx) {
        ((egl_make_current_fn)lookup(g->lib, "eglMakeCurrent"))(g->dpy, NULL, NULL, NULL);
        ((egl_destroy_context_fn)lookup(g->lib, "eglDestroyContext"))(g->dpy, g->ctx);
    }
    if (g->lib && g->dpy) ((egl_terminate_fn)lookup(g->lib, "eglTerminate"))(g->dpy);
    if (g->lib && g->osmesa) ((osmesa_destroy_fn)lookup(g->lib, "OSMesaDestroyContext"))(g->osmesa);
    free(g->osmesa_buf);
    if (g->lib) dlclose(g->lib);
    memset(g, 0, sizeof *g);
}

/* Whether a symbol is still visible to MuJoCo's loader (dlsym on the
   global object, as a loader looking for eglGetProcAddress does). */
static int global_has(const char *name)
{
    void *self = dlopen(NULL, RTLD_NOW);
    int has = self && dlsym(self, name) != NULL;
    if (self) dlclose(self);
    return has;
}

/* Makes a GL context current on this thread. MUJOCO_GL=egl|osmesa forces a
   backend; by default EGL, then OSMesa. If EGL was loaded but failed and
   cannot be unloaded, MuJoCo's loader would still find it, so the program
   runs itself again with MUJOCO_GL=osmesa. Returns 0, 1 (runtime error) or
   2 (bad MUJOCO_GL). */
static int gl_open(gl *g, int width, int height, char **argv)
{
    const char *want = getenv("MUJOCO_GL");
    char err_egl[512] = "", err_os[512] = "";
    memset(g, 0, sizeof *g);
    if (want && *want && strcmp(want, "egl") && strcmp(want, "osmesa")) {
        fprintf(stderr, PROG ": MUJOCO_GL=%s: this renderer supports egl or osmesa\n", want);
        return 2;
    }
    if (!want || !*want || !strcmp(want, "egl")) {
        if (gl_open_egl(g, err_egl, sizeof err_egl) == 0) return 0;
        gl_close(g);
        if (want && *want) {
            fprintf(stderr, PROG ": MUJOCO_GL=egl: %s\n", err_egl);
            return 1;
        }
        if (global_has("eglGetProcAddress")) {
            setenv("MUJOCO_GL", "osmesa", 1);
            fprintf(stderr, PROG ": EGL failed (%s); trying OSMesa\n", err_egl);
            execv("/proc/self/exe", argv);
            fprintf(stderr, PROG ": cannot restart with OSMesa: %s\n", strerror(errno));
            return 1;
        }
    }
    if (gl_open_osmesa(g, width, height, err_os, sizeof err_os) == 0) return 0;
    gl_close(g);
    if (err_egl[0])
        fprintf(stderr, PROG ": no OpenGL: EGL: %s; OSMesa: %s\n"
                        "  install libegl1 + libegl-mesa0 (or libosmesa6): tools/install-deps\n", err_egl, err_os);
    else
        fprintf(stderr, PROG ": no OpenGL: OSMesa: %s\n", err_os);
    return 1;
}

/* ---- MuJoCo errors during rendering ---------------------------------------- */
/* mjr_* report failures through MuJoCo's error handler: the drawing runs
   under es_mujoco_guard, which brings the message back here. Rendering
   failures are this program's own result code (es.h's block for programs). */

#define RENDER_ERROR_GL ((es_result)(ES_RESULT_APP_FIRST - 0))

static char render_message[512];

static const char *render_result_string(es_result r)
{
    return r == RENDER_ERROR_GL ? "OpenGL or MuJoCo rendering error" : es_mujoco_result_string(r);
}

typedef struct scene {
    const mjModel *m;
    mjData *d;
    mjvScene scn;
    mjvCamera cam;
    mjvOption opt;
    mjrContext con;
    mjrRect viewport;
    int made_scene, made_context;
    unsigned char *flipped;  /* where scene_draw_fn reads the pixels to */
} scene;

typedef struct scene_make_call {
    scene *s;
    int width, height, samples;
} scene_make_call;

static void scene_make_fn(void *arg)
{
    scene_make_call *c = (scene_make_call *)arg;
    scene *s = c->s;
    int width = c->width, height = c->height, samples = c->samples;
    mjModel *m = (mjModel *)s->m;
    m->vis.global.offwidth = width;       /* the offscreen buffer must hold a frame */
    m->vis.global.offheight = height;
    m->vis.quality.shadowsize = 1024;    /* 4096 by default; 1024 looks the same, faster */
    m->vis.quality.offsamples = samples; /* 4 by default: 3x the cost on llvmpipe */
    mjv_defaultScene(&s->scn);
    mjv_defaultOption(&s->opt);
    mjv_defaultCamera(&s->cam);
    mjr_defaultContext(&s->con);
    mjv_makeScene(m, &s->scn, 2000);
    s->made_scene = 1;
    mjr_makeContext(m, &s->con, mjFONTSCALE_50);
    s->made_context = 1;
    mjr_setBuffer(mjFB_OFFSCREEN, &s->con);
    if (s->con.currentBuffer != mjFB_OFFSCREEN) mju_error("the offscreen framebuffer is not available");
    s->viewport.left = 0;
    s->viewport.bottom = 0;
    s->viewport.width = width;
    s->viewport.height = height;
    s->cam.fixedcamid = mj_name2id(m, mjOBJ_CAMERA, "track");
    if (s->cam.fixedcamid >= 0) {
        s->cam.type = mjCAMERA_FIXED;
    } else {                              /* no tracking camera: follow the root body from the side */
        s->cam.type = mjCAMERA_TRACKING;
        s->cam.trackbodyid = m->nbody > 1 ? 1 : 0;
        s->cam.distance = 1.5 * m->stat.extent;
        s->cam.azimuth = 90.0;
        s->cam.elevation = -15.0;
    }
}

static void scene_free(scene *s)
{
    if (s->made_context) mjr_freeContext(&s->con);
    if (s->made_scene) mjv_freeScene(&s->scn);
    s->made_context = s->made_scene = 0;
}

/* 0, or -1 with the message in render_message. */
static int scene_make(scene *s, const mjModel *m, mjData *d, int width, int height, int samples)
{
    scene_make_call c;
    memset(s, 0, sizeof *s);
    s->m = m;
    s->d = d;
    c.s = s;
    c.width = width;
    c.height = height;
    c.samples = samples;
    if (es_mujoco_guard(scene_make_fn, &c, render_message, sizeof render_message) != ES_OK) {
        scene_free(s);
        return -1;
    }
    return 0;
}

/* The period of a drawn geom's texture along axis k, 0 when it has none.
   mjvGeom carries texid/texrepeat/texuniform except in MuJoCo 3.2.0 to
   3.10.x (mjVERSION_HEADER 320 to 3010999), where they come from the geom's
   material (its RGB texture slot). */
static float texture_period(const mjModel *m, const mjvGeom *g, int k)
{
    float repeat;
    int uniform;
#if mjVERSION_HEADER >= 320 && mjVERSION_HEADER < 3011000
    if (g->matid < 0 || g->matid >= m->nmat || m->mat_texid[mjNTEXROLE * g->matid + mjTEXROLE_RGB] < 0)
        return 0.0f;
    repeat = m->mat_texrepeat[2 * g->matid + k];
    uniform = m->mat_texuniform[g->matid] != 0;
#else
    (void)m;
    if (g->texid < 0) return 0.0f;
    repeat = g->texrepeat[k];
    uniform = g->texuniform != 0;
#endif
    if (!(repeat > 0.0f)) return 0.0f;
    return uniform ? 1.0f / repeat : 2.0f * g->size[k] / repeat;
}

/* A plane's drawn size is finite (HalfCheetah's floor ends 40 m out, which
   a good policy passes in 10 s) while its collision is infinite. Each frame,
   horizontal planes are moved under the camera by whole periods of their
   texture, so the floor looks endless and the pattern does not slide. Only
   the drawing changes; the simulation never sees it. */
static void follow_floor(const mjModel *m, mjvScene *scn)
{
    float c[2];
    int i, k;
    c[0] = 0.5f * (scn->camera[0].pos[0] + scn->camera[1].pos[0]);
    c[1] = 0.5f * (scn->camera[0].pos[1] + scn->camera[1].pos[1]);
    for (i = 0; i < scn->ngeom; i++) {
        mjvGeom *g = &scn->geoms[i];
        if (g->type != mjGEOM_PLANE || g->objtype != mjOBJ_GEOM || !(g->size[0] > 0.0f) ||
            !(g->size[1] > 0.0f) || fabsf(g->mat[0]) < 0.9999f || fabsf(g->mat[8]) < 0.9999f)
            continue;                     /* infinite, tilted or rotated planes stay */
        for (k = 0; k < 2; k++) {
            float period = texture_period(m, g, k);
            if (!(period > 0.0f)) period = g->size[2] > 0.0f ? g->size[2] : 1.0f;
            g->pos[k] += floorf((c[k] - g->pos[k]) / period + 0.5f) * period;
        }
    }
}

static void scene_draw_fn(void *arg)
{
    scene *s = (scene *)arg;
    mjv_updateScene(s->m, s->d, &s->opt, NULL, &s->cam, mjCAT_ALL, &s->scn);
    follow_floor(s->m, &s->scn);
    mjr_render(s->viewport, &s->scn, &s->con);
    mjr_readPixels(s->flipped, NULL, s->viewport, &s->con);
}

/* Renders the current state into rgb (top row first); 0, or -1 with the
   message in render_message. */
static int scene_render(scene *s, unsigned char *rgb, unsigned char *flipped)
{
    int y, w = s->viewport.width, h = s->viewport.height;
    size_t row = (size_t)w * 3;
    s->flipped = flipped;
    if (es_mujoco_guard(scene_draw_fn, s, render_message, sizeof render_message) != ES_OK) return -1;
    for (y = 0; y < h; y++) memcpy(rgb + (size_t)y * row, flipped + (size_t)(h - 1 - y) * row, row);
    return 0;
}

/* ---- frame sinks: ffmpeg or a directory of PPM files ------------------------ */

typedef struct sink {
    int frames_mode;
    int fd;                  /* ffmpeg's stdin */
    pid_t pid;
    char tmp[PATH_MAX];      /* temporary MP4 or frames directory */
    int nframes, width, height;
    char err[512];
} sink;

static int sink_open(sink *k, const options *o, const char *ffmpeg, double fps, const char *tmp)
{
    memset(k, 0, sizeof *k);
    k->fd = -1;
    k->pid = -1;
    k->frames_mode = o->frames;
    k->width = o->width;
    k->height = o->height;
    if (strlen(tmp) >= sizeof k->tmp) {
        set_err(k->err, sizeof k->err, "path too long: %s", tmp);
        return -1;
    }
    strcpy(k->tmp, tmp);
    if (k->frames_mode) {
        if (mkdir(k->tmp, 0755) != 0) {
            set_err(k->err, sizeof k->err, "cannot create %s: %s", k->tmp, strerror(errno));
            k->tmp[0] = 0;
            return -1;
        }
        return 0;
    } else {
        char size[32], rate[32];
        int fds[2];
        const char *args[32];
        int n = 0;
        snprintf(size, sizeof size, "%dx%d", o->width, o->height);
        snprintf(rate, sizeof rate, "%.6g", fps);
        /* Made here, for ffmpeg to overwrite: a directory it cannot write in
           would otherwise show only as a broken pipe. */
        if ((fds[0] = open(k->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 || close(fds[0]) != 0) {   /* ours by its pid */
            const char *slash = strrchr(k->tmp, '/');
            set_err(k->err, sizeof k->err, "cannot write in %.*s: %s", slash ? (int)(slash - k->tmp) : 1,
                    slash ? k->tmp : ".", strerror(errno));
            if (fds[0] >= 0) unlink(k->tmp);
            k->tmp[0] = 0;
            return -1;
        }
        args[n++] = "ffmpeg"; args[n++] = "-hide_banner"; args[n++] = "-loglevel"; args[n++] = "error";
        args[n++] = "-nostdin"; args[n++] = "-y";
        args[n++] = "-f"; args[n++] = "rawvideo"; args[n++] = "-pix_fmt"; args[n++] = "rgb24";
        args[n++] = "-s"; args[n++] = size; args[n++] = "-r"; args[n++] = rate; args[n++] = "-i"; args[n++] = "-";
        args[n++] = "-an"; args[n++] = "-c:v"; args[n++] = "libx264"; args[n++] = "-pix_fmt"; args[n++] = "yuv420p";
        args[n++] = "-movflags"; args[n++] = "+faststart"; args[n++] = "-f"; args[n++] = "mp4";
        args[n++] = k->tmp;
        args[n] = NULL;
        if (pipe(fds) != 0) {
            set_err(k->err, sizeof k->err, "pipe: %s", strerror(errno));
            unlink(k->tmp);
            k->tmp[0] = 0;
            return -1;
        }
        fflush(NULL);
        k->pid = fork();
        if (k->pid < 0) {
            set_err(k->err, sizeof k->err, "fork: %s", strerror(errno));
            close(fds[0]);
            close(fds[1]);
            unlink(k->tmp);
            k->tmp[0] = 0;
            return -1;
        }
        if (k->pid == 0) {
            signal(SIGINT, SIG_IGN);      /* the parent decides when to stop */
            dup2(fds[0], 0);
            close(fds[0]);
            close(fds[1]);
            execv(ffmpeg, (char *const *)args);
            fprintf(stderr, PROG ": cannot run %s: %s\n", ffmpeg, strerror(errno));
            _exit(127);
        }
        close(fds[0]);
        k->fd = fds[1];
        return 0;
    }
}

static int sink_write(sink *k, const unsigned char *rgb)
{
    size_t size = (size_t)k->width * (size_t)k->height * 3;
    if (k->frames_mode) {
        char path[PATH_MAX + 32];
        FILE *f;
        int ok;
        snprintf(path, sizeof path, "%s/frame_%06d.ppm", k->tmp, k->nframes + 1);
        f = fopen(path, "wb");
        if (!f) {
            set_err(k->err, sizeof k->err, "cannot write %s: %s", path, strerror(errno));
            return -1;
        }
        ok = fprintf(f, "P6\n%d %d\n255\n", k->width, k->height) > 0 && fwrite(rgb, 1, size, f) == size;
        if (fclose(f) != 0 || !ok) {
            set_err(k->err, sizeof k->err, "cannot write %s: %s", path, strerror(errno));
            unlink(path);
            return -1;
        }
    } else if (write_all(k->fd, rgb, size) != 0) {
        set_err(k->err, sizeof k->err, "ffmpeg stopped reading frames (%s)", strerror(errno));
        return -1;
    }
    k->nframes++;
    return 0;
}

/* The big-endian unsigned integer in p[0..n-1]. */
static uint64_t read_be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    int i;
    for (i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

/* Reads the top-level box at off of a file of end bytes: its type and its
   size (the 64-bit largesize when the 32-bit size is 1). 0, or -1 with the
   reason in err. A size of 0 ("to the end of the file") is refused: ffmpeg
   writes it so while the video is open and fills it in when it finishes. */
static int mp4_box(int fd, uint64_t off, uint64_t end, char type[5], uint64_t *size, char *err, size_t errlen)
{
    unsigned char h[16];
    uint64_t header = 8;
    if (end - off < 8) {
        set_err(err, errlen, off ? "%llu bytes after its last box" : "it holds only %llu bytes",
                (unsigned long long)(end - off));
        return -1;
    }
    if (pread(fd, h, 8, (off_t)off) != 8) {
        set_err(err, errlen, "cannot read it: %s", strerror(errno));
        return -1;
    }
    memcpy(type, h + 4, 4);
    type[4] = 0;
    *size = read_be(h, 4);
    if (*size == 1) {
        header = 16;
        if (end - off < 16 || pread(fd, h + 8, 8, (off_t)(off + 8)) != 8) {
            set_err(err, errlen, "its '%s' box is cut short", type);
            return -1;
        }
        *size = read_be(h + 8, 8);
    }
    if (*size == 0) set_err(err, errlen, "its '%s' box was never closed (size 0)", type);
    else if (*size < header) set_err(err, errlen, "its '%s' box has the impossible size %llu", type,
                                     (unsigned long long)*size);
    else if (*size > end - off) set_err(err, errlen, "its '%s' box is cut short: %llu bytes missing", type,
                                        (unsigned long long)(*size - (end - off)));
    else return 0;
    return -1;
}

/* Whether path is a whole MP4: its top-level boxes, 'ftyp' first and a
   'moov' and an 'mdat' among them, tile the file exactly to its last byte.
   ffmpeg 5.1 exits 0 when it cannot write the trailer (a full disk), leaving
   a file without 'moov' that no player opens, so its exit status alone
   cannot be trusted. 0, or -1 with the reason in err. */
static int mp4_verify(const char *path, char *err, size_t errlen)
{
    struct stat st;
    uint64_t off = 0, size = 0;
    char type[5] = "";
    int fd = open(path, O_RDONLY), moov = 0, mdat = 0, rc = 0;
    if (fd < 0 || fstat(fd, &st) != 0) {
        set_err(err, errlen, "cannot read it: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    while (rc == 0 && off < (uint64_t)st.st_size) {
        rc = mp4_box(fd, off, (uint64_t)st.st_size, type, &size, err, errlen);
        if (rc == 0 && off == 0 && strcmp(type, "ftyp") != 0) {
            set_err(err, errlen, "it begins with '%s', not 'ftyp'", type);
            rc = -1;
        }
        moov |= !strcmp(type, "moov");
        mdat |= !strcmp(type, "mdat");
        off += size;
    }
    close(fd);
    if (rc == 0 && (!moov || !mdat)) {
        set_err(err, errlen, "it has no '%s' box", !moov ? "moov" : "mdat");
        rc = -1;
    }
    return rc;
}

/* Whether the file system holding path has no block left for us: the
   likely reason an ffmpeg that exited 0 left a broken video. */
static int fs_full(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    struct statvfs vfs;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
    return statvfs(dir, &vfs) == 0 && vfs.f_bavail == 0;
}

/* Closes ffmpeg's input and waits for it: 0 if the video is complete. */
static int sink_finish(sink *k)
{
    char why[256];
    int status = 0;
    if (k->frames_mode || k->pid < 0) return 0;
    if (k->fd >= 0) close(k->fd);
    k->fd = -1;
    while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR) {
    }
    k->pid = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (!k->err[0]) {
            if (WIFEXITED(status)) set_err(k->err, sizeof k->err, "ffmpeg failed with status %d", WEXITSTATUS(status));
            else set_err(k->err, sizeof k->err, "ffmpeg was killed by signal %d", WTERMSIG(status));
        }
        return -1;
    }
    if (mp4_verify(k->tmp, why, sizeof why) != 0) {
        set_err(k->err, sizeof k->err, "ffmpeg exited 0 but left a broken video, not kept: %s%s", why,
                fs_full(k->tmp) ? " (the file system is full)" : "");
        return -1;
    }
    return 0;
}

/* Removes whatever the sink wrote. */
static void sink_discard(sink *k)
{
    if (!k->frames_mode && k->pid >= 0) {
        if (k->fd >= 0) close(k->fd);
        k->fd = -1;
        kill(k->pid, SIGTERM);
        while (waitpid(k->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        k->pid = -1;
    }
    if (!k->tmp[0]) return;
    if (k->frames_mode) {
        int i;
        char path[PATH_MAX + 32];
        for (i = 1; i <= k->nframes; i++) {
            snprintf(path, sizeof path, "%s/frame_%06d.ppm", k->tmp, i);
            unlink(path);
        }
        rmdir(k->tmp);
    } else {
        unlink(k->tmp);
    }
    k->tmp[0] = 0;
}

/* Moves the finished output to its name; an older frames directory of the
   same name (only our frame_*.ppm files in it) is replaced. */
static int sink_commit(sink *k, const char *final)
{
    if (k->frames_mode && is_dir(final)) {
        DIR *dir = opendir(final);
        struct dirent *e;
        char path[PATH_MAX + 300];
        if (dir) {
            while ((e = readdir(dir)) != NULL) {
                if (strncmp(e->d_name, "frame_", 6) != 0) continue;
                if (snprintf(path, sizeof path, "%s/%s", final, e->d_name) < (int)sizeof path) unlink(path);
            }
            closedir(dir);
        }
        if (rmdir(final) != 0) {
            set_err(k->err, sizeof k->err, "cannot replace %s: %s", final, strerror(errno));
            return -1;
        }
    }
    if (rename(k->tmp, final) != 0) {
        set_err(k->err, sizeof k->err, "cannot rename %s to %s: %s", k->tmp, final, strerror(errno));
        return -1;
    }
    k->tmp[0] = 0;
    return 0;
}

/* ---- an es_env that renders after every step -------------------------------- */

typedef struct recorder {
    es_env *inner;
    scene *scene;
    sink *sink;
    unsigned char *rgb, *flipped;
    int failed;              /* 1 render error, 2 sink error, 3 interrupted */
} recorder;

static es_result rec_reset(es_env *env, es_rng *rng, float *obs)
{
    recorder *r = (recorder *)env->state;
    return r->inner->reset(r->inner, rng, obs);
}

static es_result rec_step(es_env *env, const float *act, float *obs, double *reward, int *status)
{
    recorder *r = (recorder *)env->state;
    es_result res = r->inner->step(r->inner, act, obs, reward, status);
    if (res != ES_OK) return res;
    if (interrupted) {
        r->failed = 3;
        return ES_ERROR_IO;
    }
    if (scene_render(r->scene, r->rgb, r->flipped) != 0) {
        r->failed = 1;
        return RENDER_ERROR_GL;
    }
    if (sink_write(r->sink, r->rgb) != 0) {
        r->failed = 2;
        return ES_ERROR_IO;
    }
    return ES_OK;
}

/* ---- one checkpoint ----------------------------------------------------------- */

/* The directory videos of this checkpoint go to by default: RUN/videos for
   RUN/latest.ckpt and RUN/checkpoints/gen_N.ckpt when RUN is a run directory,
   else the checkpoint's own directory. */
static void default_out_dir(const char *ckpt, char *out, size_t size)
{
    char dir[PATH_MAX], probe[PATH_MAX + 32];
    const char *slash = strrchr(ckpt, '/');
    size_t n = slash ? (size_t)(slash - ckpt) : 0;
    snprintf(dir, sizeof dir, "%.*s", (int)n, n ? ckpt : (slash ? "/" : "."));
    n = strlen(dir);
    if (n >= 11 && !strcmp(dir + n - 11, "checkpoints") && (n == 11 || dir[n - 12] == '/')) {
        char run[PATH_MAX];
        snprintf(run, sizeof run, "%.*s", (int)(n > 12 ? n - 12 : 0), n > 12 ? dir : ".");
        snprintf(probe, sizeof probe, "%s/metrics.csv", run);
        if (is_file(probe) && snprintf(out, size, "%s/videos", run) < (int)size) return;
    }
    snprintf(probe, sizeof probe, "%s/metrics.csv", dir);
    if (is_file(probe)) snprintf(out, size, "%s/videos", dir);
    else snprintf(out, size, "%s", dir);
}

/* The trainer's test evaluation of this checkpoint's theta, when its run
   directory's evals.csv holds one (the row of generation gen): printed
   beside the rendered episode, which is a single one. */
static void print_test_evaluation(const char *ckpt, unsigned gen)
{
    char dir[PATH_MAX], path[PATH_MAX + 32], line[512];
    const char *slash = strrchr(ckpt, '/');
    size_t n = slash ? (size_t)(slash - ckpt) : 0;
    FILE *f;
    snprintf(dir, sizeof dir, "%.*s", (int)n, n ? ckpt : (slash ? "/" : "."));
    n = strlen(dir);
    if (n >= 11 && !strcmp(dir + n - 11, "checkpoints") && (n == 11 || dir[n - 12] == '/'))
        dir[n > 12 ? n - 12 : 0] = 0;
    snprintf(path, sizeof path, "%s/evals.csv", dir[0] ? dir : ".");
    if (!(f = fopen(path, "r"))) return;
    while (fgets(line, sizeof line, f)) {
        unsigned g;
        int episodes, early, failed;
        double mean, sd, lo, hi;
        if (sscanf(line, "%u,%*[^,],%*[^,],%d,%lf,%lf,%lf,%lf,%*[^,],%d,%d", &g, &episodes, &mean, &sd, &lo, &hi,
                   &early, &failed) == 8 && g == gen)
            printf("%s: gen %u test evaluation (evals.csv): mean %.2f over %d episodes, std %.2f, min %.2f, "
                   "max %.2f, %d ended early, %d failed\n", ckpt, gen, mean, episodes, sd, lo, hi, early, failed);
    }
    fclose(f);
}

typedef struct policy {
    es_checkpoint ck;
    es opt;
    es_mlp mlp;
    es_normalizer norm;
    char task[ES_MUJOCO_NAME_MAX];
    int max_steps;                   /* the trainer's --max-steps, 0: the task's */
    int have_ck, have_opt, have_norm;
} policy;

static void policy_free(policy *p)
{
    if (p->have_norm) es_normalizer_free(&p->norm);
    if (p->have_opt) es_free(&p->opt);
    if (p->have_ck) es_checkpoint_free(&p->ck);
    memset(p, 0, sizeof *p);
}

static int policy_read(policy *p, const char *path)
{
    es_result r;
    memset(p, 0, sizeof *p);
    errno = 0;
    r = es_checkpoint_read(&p->ck, path, NULL);
    if (r != ES_OK) {
        fprintf(stderr, PROG ": %s: %s\n", path,
                r == ES_ERROR_IO && errno ? strerror(errno) : es_result_string(r));
        return -1;
    }
    p->have_ck = 1;
    r = es_policy_load(&p->ck, p->task, sizeof p->task, &p->mlp, &p->norm);
    if (r != ES_OK) {
        fprintf(stderr, PROG ": %s: not a policy checkpoint (no task, policy or normalizer): %s\n", path,
                es_result_string(r));
        return -1;
    }
    p->have_norm = 1;
    r = es_load(&p->opt, &p->ck, NULL);
    if (r != ES_OK) {
        fprintf(stderr, PROG ": %s: %s\n", path, es_result_string(r));
        return -1;
    }
    p->have_opt = 1;
    {   /* the run's metadata: its --max-steps (none in a bare policy checkpoint) */
        es_run_info info;
        r = es_run_info_read(&p->ck, &info);
        if (r != ES_OK && r != ES_ERROR_NOT_FOUND) {
            fprintf(stderr, PROG ": %s: run metadata: %s\n", path, es_result_string(r));
            return -1;
        }
        p->max_steps = r == ES_OK ? info.max_steps : 0;
    }
    return 0;
}

static void fmt_return(double ret, char *buf, size_t size)
{
    snprintf(buf, size, "%.1f", ret);
    if (!strcmp(buf, "-0.0")) snprintf(buf, size, "0.0");
}

/* Renders every episode of one checkpoint. Returns 0 or 1. */
static int render_checkpoint(const options *o, const char *path, const char *ffmpeg, gl *g, int *gl_state,
                             char **argv)
{
    policy p;
    es_mujoco mj;
    es_env env, rec_env;
    recorder rec;
    scene sc;
    sink k;
    char err[512], outdir[PATH_MAX], tmp[PATH_MAX + 64], final[PATH_MAX + 128], ret_s[64];
    int steps, ep, rc = 0, have_env = 0, have_scene = 0;
    double fps;
    size_t frame_bytes = (size_t)o->width * (size_t)o->height * 3;
    made_dirs made = {{0}, 0};   /* mkdirs' record of the directories it made */
    static unsigned serial;
    static char noted[sizeof mj.name];   /* the task whose time limit was last noted */

    memset(&mj, 0, sizeof mj);
    memset(&rec, 0, sizeof rec);
    if (policy_read(&p, path) != 0) {
        policy_free(&p);
        return 1;
    }
    if (es_mujoco_load(&mj, p.task, err, sizeof err) != ES_OK) {
        fprintf(stderr, PROG ": %s: checkpoint of task '%s', which cannot be rebuilt: %s\n", path, p.task, err);
        policy_free(&p);
        return 1;
    }
    if (es_mujoco_env_init(&mj, &env) != ES_OK) {
        fprintf(stderr, PROG ": %s: cannot make the environment: %s\n", path, env.error);
        rc = 1;
        goto done;
    }
    have_env = 1;
    if (p.mlp.desc.nin != env.obs_dim || p.mlp.desc.nout != env.act_dim) {
        fprintf(stderr, PROG ": %s: policy of %d inputs and %d outputs does not fit %s (%d, %d)\n", path,
                p.mlp.desc.nin, p.mlp.desc.nout, p.task, env.obs_dim, env.act_dim);
        rc = 1;
        goto done;
    }
    if (*gl_state == 0) {            /* GL on first use: a bad checkpoint alone needs none */
        int grc = gl_open(g, o->width, o->height, argv);
        if (grc) {
            *gl_state = -grc;
            rc = 1;
            goto done;
        }
        *gl_state = 1;
        printf("OpenGL: %s\n", g->info);
    }
    if (*gl_state < 0) {
        rc = 1;
        goto done;
    }
    if (scene_make(&sc, mj.model, es_mujoco_env_data(&env), o->width, o->height, o->samples) != 0) {
        fprintf(stderr, PROG ": %s: MuJoCo cannot render with %s: %s%s\n", path, gl_name(g->kind), render_message,
                g->kind == GL_EGL ? " (try MUJOCO_GL=osmesa)" : "");
        rc = 1;
        goto done;
    }
    have_scene = 1;
    if (o->out) snprintf(outdir, sizeof outdir, "%s%s", o->out[0] == '-' ? "./" : "", o->out);   /* ffmpeg takes -x for an option */
    else default_out_dir(path, outdir, sizeof outdir);
    if (mkdirs(outdir, &made) != 0) {
        fprintf(stderr, PROG ": cannot create %s: %s\n", outdir, strerror(errno));
        rc = 1;
        goto done;
    }
    rec.rgb = (unsigned char *)malloc(frame_bytes);
    rec.flipped = (unsigned char *)malloc(frame_bytes);
    if (!rec.rgb || !rec.flipped) {
        fprintf(stderr, PROG ": out of memory\n");
        rc = 1;
        goto done;
    }
    steps = o->steps > 0 ? o->steps : p.max_steps > 0 && p.max_steps < mj.max_steps ? p.max_steps : mj.max_steps;
    if (steps > mj.max_steps) {   /* the task's time limit, as the trainer's; said once a task, not a checkpoint */
        if (strcmp(noted, mj.name) != 0)
            fprintf(stderr, PROG ": note: --steps %d is past %s's time limit: its episodes end at %d\n", steps,
                    mj.name, mj.max_steps);
        snprintf(noted, sizeof noted, "%s", mj.name);
        steps = mj.max_steps;
    }
    fps = o->fps > 0 ? o->fps : 1.0 / mj.dt;
    rec.inner = &env;
    rec.scene = &sc;
    rec.sink = &k;
    rec_env = env;
    rec_env.state = &rec;
    rec_env.max_steps = steps;
    rec_env.reset = rec_reset;
    rec_env.step = rec_step;
    rec_env.destroy = NULL;

    for (ep = 0; ep < o->episodes && rc == 0; ep++) {
        es_rng rng;
        es_episode e;
        es_result r;
        float *work = (float *)malloc(es_rollout_work_size(&env, &p.mlp) * sizeof(float));
        double t0, secs;
        char name[128];
        if (!work) {
            fprintf(stderr, PROG ": out of memory\n");
            rc = 1;
            break;
        }
        snprintf(tmp, sizeof tmp, "%s/.render-%ld-%u%s", outdir, (long)getpid(), serial++,
                 o->frames ? ".frames" : ".mp4.part");
        if (sink_open(&k, o, ffmpeg, fps, tmp) != 0) {
            fprintf(stderr, PROG ": %s\n", k.err);
            free(work);
            rc = 1;
            break;
        }
        rec.failed = 0;
        es_rng_init(&rng, p.opt.desc.seed, ES_STREAM_EVAL, p.opt.generation, (uint32_t)ep);
        t0 = now_s();
        r = es_rollout(&rec_env, &p.mlp, p.opt.theta, &p.norm, NULL, &rng, steps, work, &e);
        free(work);
        if (r == ES_OK && sink_finish(&k) != 0) r = ES_ERROR_IO;
        secs = now_s() - t0;
        fmt_return(e.ret, ret_s, sizeof ret_s);
        if (o->episodes > 1) snprintf(name, sizeof name, "gen_%06u_ep%d_return_%s", p.opt.generation, ep, ret_s);
        else snprintf(name, sizeof name, "gen_%06u_return_%s", p.opt.generation, ret_s);
        snprintf(final, sizeof final, "%s/%s%s", outdir, name, o->frames ? "_frames" : ".mp4");
        if (r == ES_OK && k.nframes == 0) {
            snprintf(k.err, sizeof k.err, "the episode ended before its first step");
            r = ES_ERROR_IO;
        }
        if (r == ES_OK && sink_commit(&k, final) != 0) r = ES_ERROR_IO;
        if (r != ES_OK) {
            if (rec.failed == 3 || interrupted) fprintf(stderr, PROG ": interrupted; nothing written for %s\n", path);
            else if (rec.failed == 1) fprintf(stderr, PROG ": %s: rendering failed: %s\n", path, render_message);
            else if (k.err[0]) fprintf(stderr, PROG ": %s: %s\n", path, k.err);
            else fprintf(stderr, PROG ": %s: episode failed: %s%s%s\n", path, render_result_string(r),
                         env.error[0] ? ": " : "", env.error);
            sink_discard(&k);
            rc = 1;
            break;
        }
        printf("%s: %s gen %u episode %d: %d frames, %.1f frames/s, return %.2f%s -> %s\n", path, p.task,
               p.opt.generation, ep, k.nframes, secs > 0 ? k.nframes / secs : 0.0, e.ret,
               e.status == ES_EPISODE_TERMINATED ? " (terminated)" :
               e.status == ES_EPISODE_FAILED ? " (unstable)" : "", final);
        fflush(stdout);
    }
    if (rc == 0) print_test_evaluation(path, p.opt.generation);
done:
    if (rc != 0) rmdirs(outdir, &made);
    free(rec.rgb);
    free(rec.flipped);
    if (have_scene) scene_free(&sc);
    if (have_env) env.destroy(&env);
    es_mujoco_free(&mj);
    policy_free(&p);
    return rc;
}

/* ---- targets -------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Appends the checkpoints a target names; 0, or 1 with a message. */
static int expand_target(const char *t, int all, char ***list, int *n, int *cap)
{
    char path[PATH_MAX];
    char **found = NULL;
    int nfound = 0, capfound = 0, i;
    if (is_dir(t)) {
        if (all) {
            DIR *dir;
            struct dirent *e;
            snprintf(path, sizeof path, "%s/checkpoints", t);
            dir = opendir(path);
            if (!dir) {
                fprintf(stderr, PROG ": %s: no checkpoints/ directory (not a run directory?)\n", t);
                return 1;
            }
            while ((e = readdir(dir)) != NULL) {
                size_t len = strlen(e->d_name);
                char *s;
                if (strncmp(e->d_name, "gen_", 4) || len < 10 || strcmp(e->d_name + len - 5, ".ckpt")) continue;
                if (nfound == capfound) {
                    char **grown = (char **)realloc(found, (size_t)(capfound = capfound * 2 + 16) * sizeof *found);
                    if (!grown) break;
                    found = grown;
                }
                s = (char *)malloc(strlen(path) + len + 2);
                if (!s) break;
                sprintf(s, "%s/%s", path, e->d_name);
                found[nfound++] = s;
            }
            closedir(dir);
            if (nfound == 0) {
                fprintf(stderr, PROG ": %s: no checkpoints/gen_*.ckpt\n", t);
                free(found);
                return 1;
            }
            qsort(found, (size_t)nfound, sizeof *found, cmp_str);
        } else {
            snprintf(path, sizeof path, "%s/latest.ckpt", t);
            if (!is_file(path)) {
                fprintf(stderr, PROG ": %s: no latest.ckpt (not a run directory?)\n", t);
                return 1;
            }
            found = (char **)malloc(sizeof *found);
            if (!found || !(found[0] = (char *)malloc(strlen(path) + 1))) {
                free(found);
                return 1;
            }
            strcpy(found[0], path);
            nfound = 1;
        }
    } else if (is_file(t)) {
        found = (char **)malloc(sizeof *found);
        if (!found || !(found[0] = (char *)malloc(strlen(t) + 1))) {
            free(found);
            return 1;
        }
        strcpy(found[0], t);
        nfound = 1;
    } else {
        fprintf(stderr, PROG ": %s: no such run directory or checkpoint\n", t);
        return 1;
    }
    for (i = 0; i < nfound; i++) {
        if (*n == *cap) {
            char **grown = (char **)realloc(*list, (size_t)(*cap = *cap * 2 + 16) * sizeof **list);
            if (!grown) {
                for (; i < nfound; i++) free(found[i]);
                free(found);
                return 1;
            }
            *list = grown;
        }
        (*list)[(*n)++] = found[i];
    }
    free(found);
    return 0;
}

int main(int argc, char **argv)
{
    options o;
    gl g;
    char ffmpeg[PATH_MAX] = "";
    char **list = NULL;
    int n = 0, cap = 0, i, rc, failed = 0, gl_state = 0;
    struct sigaction sa;
    rc = parse_args(argc, argv, &o);
    if (rc < 0) {
        usage(stdout);
        free(o.targets);
        return 0;
    }
    if (rc) {
        free(o.targets);
        return rc;
    }
    if (!o.frames && !find_on_path("ffmpeg", ffmpeg, sizeof ffmpeg)) {
        fprintf(stderr, PROG ": ffmpeg not found on PATH (install it: apt-get install ffmpeg, or\n"
                        "  tools/install-deps); --frames writes PPM frames without it\n");
        free(o.targets);
        return 1;
    }
    for (i = 0; i < o.ntargets; i++) failed |= expand_target(o.targets[i], o.all, &list, &n, &cap);
    memset(&g, 0, sizeof g);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);         /* a dead ffmpeg is an error, not our death */
    for (i = 0; i < n && !interrupted; i++) {
        failed |= render_checkpoint(&o, list[i], ffmpeg, &g, &gl_state, argv);
        if (gl_state < 0) break;      /* no GL: the next checkpoints would fail alike */
    }
    if (gl_state > 0) gl_close(&g);
    for (i = 0; i < n; i++) free(list[i]);
    free(list);
    free(o.targets);
    if (gl_state == -2) return 2;
    return interrupted || failed ? 1 : 0;
}
