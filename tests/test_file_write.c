/* tests/test_file_write.c - es_file_write_atomic (and so es_save and every
   checkpoint) under the faults a disk and a signal bring: write() returning
   EINTR or short counts, ENOSPC, the directory fsync'd after the rename, and
   the temporary files of killed writers removed. The faults come from this
   file's own write() and fsync(), which the executable's calls bind to. */
#define _GNU_SOURCE
#define ES_IMPLEMENTATION
#include "es.h"
#include "tests/test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <utime.h>
#include <unistd.h>

static int fault_eintr;        /* this many write() calls fail with EINTR */
static size_t fault_short;     /* a write() writes at most this many bytes (0: all) */
static int fault_nospc;        /* write() fails with ENOSPC */
static int dir_fsyncs, file_fsyncs;

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fault_eintr > 0) {
        fault_eintr--;
        errno = EINTR;
        return -1;
    }
    if (fault_nospc) {
        errno = ENOSPC;
        return -1;
    }
    if (fault_short && n > fault_short) n = fault_short;
    return (ssize_t)syscall(SYS_write, fd, buf, n);
}

int fsync(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) dir_fsyncs++;
    else file_fsyncs++;
    return (int)syscall(SYS_fsync, fd);
}

/* When set: at a writer's lock on its new temporary file, whether the
   directory was held shared then (a probe's LOCK_EX on it would wait). */
static const char *probe_dir;
static int probes, dir_held, inherited;

int flock(int fd, int op)
{
    struct stat st;
    if (probe_dir) inherited += !(fcntl(fd, F_GETFD) & FD_CLOEXEC);   /* an exec'd child would keep the lock */
    if (probe_dir && op == (LOCK_EX | LOCK_NB) && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY && fstat(fd, &st) == 0 &&
        S_ISREG(st.st_mode)) {   /* the writer's own new file (a clean-up opens others read-only) */
        int d = open(probe_dir, O_RDONLY);
        probes++;
        dir_held += d >= 0 && syscall(SYS_flock, d, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
        if (d >= 0) close(d);
    }
    return (int)syscall(SYS_flock, fd, op);
}

static int file_equals(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "rb");
    unsigned char buf[70000];
    size_t n;
    if (!f) return 0;
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return n == size && memcmp(buf, data, size) == 0;
}

static int temps_in(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) n += strstr(e->d_name, "tmp") != NULL;
    closedir(d);
    return n;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("leftover", f);
        fclose(f);
    }
}

/* A file last written an hour ago: what a killed writer left. */
static void age(const char *path)
{
    struct utimbuf t;
    t.actime = t.modtime = time(NULL) - 3600;
    utime(path, &t);
}

int main(void)
{
    char dir[] = "/tmp/es-file-write-XXXXXX", path[256], p2[256], live[256], dead[256], odd[256];
    static unsigned char data[65536], old[100];
    size_t i;
    int fd, fd2, dirfd, e;
    es_result r;
    for (i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 7 + i / 256);
    for (i = 0; i < sizeof old; i++) old[i] = (unsigned char)(255 - i);
    if (!mkdtemp(dir)) {
        printf("not ok - cannot create a temporary directory\n");
        return 1;
    }
    snprintf(path, sizeof path, "%s/state.ckpt", dir);

    fault_eintr = 3;
    fault_short = 1000;
    r = es_file_write_atomic(path, data, sizeof data);
    CHECK(r == ES_OK && file_equals(path, data, sizeof data),
          "writes interrupted by a signal (EINTR) and short writes are retried, not failures");
    fault_eintr = 0;
    fault_short = 0;

    dir_fsyncs = file_fsyncs = 0;
    r = es_file_write_atomic(path, old, sizeof old);
    CHECK(r == ES_OK && file_fsyncs == 1 && dir_fsyncs == 1,
          "the file and then its directory are fsync'd (files %d, directories %d)", file_fsyncs, dir_fsyncs);

    {
        es opt;
        es_desc d = es_desc_default();
        float theta[3] = {1, 2, 3};
        snprintf(p2, sizeof p2, "%s/saved.ckpt", dir);
        es_init(&opt, &d, theta, 3);
        dir_fsyncs = 0;
        CHECK(es_save(&opt, p2, NULL, 0) == ES_OK && dir_fsyncs == 1, "es_save fsyncs the directory after the rename");
        es_free(&opt);
    }

    fault_nospc = 1;
    errno = 0;
    r = es_file_write_atomic(path, data, sizeof data);
    e = errno;
    fault_nospc = 0;
    CHECK(r == ES_ERROR_IO && e == ENOSPC, "a full disk fails with ES_ERROR_IO and errno ENOSPC (errno %d: %s)", e,
          strerror(e));
    CHECK(file_equals(path, old, sizeof old), "... and the old file is intact");
    CHECK(temps_in(dir) == 0, "... and no temporary file is left");

    /* Temporary files of writers that died: no lock held on them. */
    snprintf(dead, sizeof dead, "%s/gen_000010.ckpt.es-tmp4000001", dir);
    snprintf(live, sizeof live, "%s/gen_000020.ckpt.es-tmp4000002", dir);
    snprintf(odd, sizeof odd, "%s/notes.es-tmpx", dir);
    touch(dead);
    touch(live);
    touch(odd);
    fd = open(live, O_RDONLY);
    CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0, "a live writer's temporary file is locked");
    r = es_file_write_atomic(path, data, sizeof data);
    CHECK(r == ES_OK && !exists(dead), "the temporary file of a killed writer is removed by the next write there");
    CHECK(exists(live), "a live writer's temporary file is kept");
    CHECK(exists(odd), "files of other names are kept");
    /* Empty: as a writer creates it, before its lock; it holds the
       directory shared from its create to its lock. */
    fd2 = open(dead, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd2 >= 0) close(fd2);
    probe_dir = dir;
    r = es_file_write_atomic(path, data, sizeof data);
    probe_dir = NULL;
    CHECK(r == ES_OK && !exists(dead), "an empty unlocked temporary file is removed at once when no writer is "
          "between its create and its lock (a writer killed there left it for 10 s)");
    CHECK(probes == 1 && dir_held == 1, "the writer held its directory shared when it locked its new file (%d of %d)",
          dir_held, probes);
    CHECK(inherited == 0, "... and no file it locked would pass to an exec'd child (%d would)", inherited);
    fd2 = open(dead, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd2 >= 0) close(fd2);
    dirfd = open(dir, O_RDONLY);   /* as another writer between its create and its lock */
    if (dirfd >= 0) flock(dirfd, LOCK_SH | LOCK_NB);
    r = es_file_write_atomic(path, data, sizeof data);
    CHECK(r == ES_OK && exists(dead), "... then an empty unlocked temporary file of the last seconds is kept (its "
          "writer may be about to lock it)");
    age(dead);
    r = es_file_write_atomic(path, data, sizeof data);
    CHECK(r == ES_OK && !exists(dead), "... and removed once it is old");
    if (dirfd >= 0) close(dirfd);
    if (fd >= 0) close(fd);
    remove(live);
    remove(odd);

    /* A directory another process holds (flock -x DIR cmd), and a FIFO of a
       temporary file's name: a writer waited for good on either. */
    alarm(20);
    dirfd = open(dir, O_RDONLY);
    CHECK(dirfd >= 0 && flock(dirfd, LOCK_EX | LOCK_NB) == 0, "another process holds the directory");
    r = es_file_write_atomic(path, old, sizeof old);
    CHECK(r == ES_OK && file_equals(path, old, sizeof old), "... a write there goes through, without waiting for it");
    if (dirfd >= 0) close(dirfd);
    snprintf(odd, sizeof odd, "%s/fifo.ckpt.es-tmp4000003", dir);
    CHECK(mkfifo(odd, 0644) == 0, "a FIFO named as a temporary file");
    r = es_file_write_atomic(path, data, sizeof data);
    CHECK(r == ES_OK && exists(odd), "... a write there goes through (it waited in open) and leaves the FIFO");
    alarm(0);
    remove(odd);

    /* Writers in one directory: each one's clean-up must never take
       another's live temporary file (it did between the other's open and
       lock: 1 to 2 in 100 writes failed with ENOENT). */
    {
        enum { WRITERS = 3, WRITES = 1000 };
        pid_t kids[WRITERS];
        int k, failed = 0, status;
        for (k = 0; k < WRITERS; k++) {
            if ((kids[k] = fork()) == 0) {
                int n, bad = 0;
                snprintf(p2, sizeof p2, "%s/w%d.ckpt", dir, k);
                for (n = 0; n < WRITES; n++) bad += es_file_write_atomic(p2, data, 100) != ES_OK;
                _exit(bad > 255 ? 255 : bad);
            }
        }
        for (k = 0; k < WRITERS; k++) {
            if (kids[k] < 0 || waitpid(kids[k], &status, 0) != kids[k] || !WIFEXITED(status)) failed += 1000;
            else failed += WEXITSTATUS(status);
            snprintf(p2, sizeof p2, "%s/w%d.ckpt", dir, k);
            CHECK(file_equals(p2, data, 100), "writer %d's file is whole", k);
            remove(p2);
        }
        CHECK(failed == 0, "%d processes writing %d files each into one directory: no write fails (%d did)", WRITERS,
              WRITES, failed);
        CHECK(temps_in(dir) == 0, "... and no temporary file is left");
    }

    /* A temporary file of this very name: a live writer's (locked) is left
       whole and the write fails (it was truncated to 0 bytes, and the
       other writer's rename then put an empty file in place); a dead
       writer's (a reused pid) is replaced, whatever its length. */
    {
        char same[300];
        int held;
        snprintf(same, sizeof same, "%s.es-tmp%ld", path, (long)getpid());
        touch(same);   /* "leftover": 8 bytes */
        held = open(same, O_RDONLY);
        CHECK(held >= 0 && flock(held, LOCK_EX | LOCK_NB) == 0, "a writer of the same temporary name holds it");
        errno = 0;
        r = es_file_write_atomic(path, data, 4);
        e = errno;
        CHECK(r == ES_ERROR_IO && e == EAGAIN && file_equals(same, "leftover", 8) && file_equals(path, data, sizeof data),
              "... then a write fails with EAGAIN and leaves that file and the old one whole (errno %s)", strerror(e));
        if (held >= 0) close(held);
        r = es_file_write_atomic(path, old, 4);
        CHECK(r == ES_OK && file_equals(path, old, 4) && !exists(same),
              "a dead writer's longer file of the same name is replaced: the new file holds only its 4 bytes");
    }

    /* What sits at the path: a FIFO or a device is refused, never replaced
       (as root, es_save("/dev/null") made /dev/null a regular file); a
       symlink is replaced by the file, its target left as it was. */
    snprintf(p2, sizeof p2, "%s/pipe.ckpt", dir);
    if (mkfifo(p2, 0644) == 0) {
        struct stat st;
        errno = 0;
        r = es_file_write_atomic(p2, data, 10);
        e = errno;
        CHECK(r == ES_ERROR_IO && e == EEXIST && lstat(p2, &st) == 0 && S_ISFIFO(st.st_mode) && temps_in(dir) == 0,
              "a FIFO at the path: ES_ERROR_IO, errno EEXIST (%s), the FIFO still there, no temporary file left",
              strerror(e));
        {   /* nor is it read: the open would wait for a writer for ever */
            es_checkpoint ck;
            alarm(20);
            errno = 0;
            r = es_checkpoint_read(&ck, p2, NULL);
            e = errno;
            alarm(0);
            CHECK(r == ES_ERROR_IO && e == ESPIPE, "es_checkpoint_read of a FIFO: ES_ERROR_IO at once, errno ESPIPE (%s)",
                  strerror(e));
        }
        remove(p2);
    } else {
        CHECK(0, "mkfifo %s: %s", p2, strerror(errno));
    }
    snprintf(p2, sizeof p2, "%s/null.ckpt", dir);
    if (mknod(p2, S_IFCHR | 0666, makedev(1, 3)) == 0) {   /* root only: another /dev/null */
        struct stat st;
        r = es_file_write_atomic(p2, data, 10);
        CHECK(r == ES_ERROR_IO && lstat(p2, &st) == 0 && S_ISCHR(st.st_mode),
              "a character device at the path: refused, still a device");
        remove(p2);
    } else {
        printf("# a character device at the path: not checked (mknod needs root: %s)\n", strerror(errno));
    }
    {
        char target[300];
        snprintf(target, sizeof target, "%s/target.ckpt", dir);
        snprintf(p2, sizeof p2, "%s/link.ckpt", dir);
        r = es_file_write_atomic(target, old, 5);
        if (r == ES_OK && symlink("target.ckpt", p2) == 0) {
            struct stat st;
            r = es_file_write_atomic(p2, data, 10);
            CHECK(r == ES_OK && lstat(p2, &st) == 0 && S_ISREG(st.st_mode) && file_equals(p2, data, 10) &&
                      file_equals(target, old, 5),
                  "a symlink at the path is replaced by the file, as documented; its target is left as it was");
        } else {
            CHECK(0, "symlink %s: %s", p2, strerror(errno));
        }
        remove(p2);
        remove(target);
    }
    {   /* root reads any directory: as root, the write runs in a child as nobody */
        char wx[300];
        int ok = 0, status;
        pid_t kid;
        snprintf(wx, sizeof wx, "%s/wx", dir);
        snprintf(p2, sizeof p2, "%s/wx/x.ckpt", dir);
        if (mkdir(wx, 0700) == 0 && es_file_write_atomic(p2, old, 5) == ES_OK &&
            (geteuid() != 0 || (chown(wx, 65534, 65534) == 0 && chown(p2, 65534, 65534) == 0 && chmod(dir, 0711) == 0)) &&
            chmod(wx, 0300) == 0 && (kid = fork()) >= 0) {
            if (kid == 0) {
                if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
                errno = 0;
                r = es_file_write_atomic(p2, data, 10);
                _exit(r == ES_OK ? 0 : errno == EACCES ? 1 : 2);
            }
            ok = waitpid(kid, &status, 0) == kid && WIFEXITED(status) ? WEXITSTATUS(status) : 4;
            chmod(wx, 0700);
            chmod(dir, 0700);
            CHECK(ok == 0 && file_equals(p2, data, 10),
                  "a directory that may be written but not read: the file is replaced and the call says ES_OK "
                  "(exit %d; 1: it said ES_ERROR_IO, EACCES, with the new file in place)", ok);
        } else {
            CHECK(0, "a write-only directory %s: %s", wx, strerror(errno));
        }
        remove(p2);
        rmdir(wx);
    }

    snprintf(p2, sizeof p2, "%s/missing/x.ckpt", dir);
    errno = 0;
    r = es_file_write_atomic(p2, data, 10);
    e = errno;
    CHECK(r == ES_ERROR_IO && e == ENOENT, "a missing directory: ES_ERROR_IO, errno ENOENT (%s)", strerror(e));

    remove(path);
    snprintf(p2, sizeof p2, "%s/saved.ckpt", dir);
    remove(p2);
    CHECK(rmdir(dir) == 0, "nothing else was left in the directory");
    return test_finish();
}
