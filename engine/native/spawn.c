/*
 * A stage started by posix_spawn instead of fork + exec. glibc spawns with clone(CLONE_VM |
 * CLONE_VFORK): the child runs in this program's memory until its exec, so no page table is
 * copied and no page faults back in here afterwards. In a VM where a page fault costs ~60 µs
 * (bench/README.md, issue 21, session 7) a fork cost ~1–2 ms of this program's time per stage.
 *
 * The program is looked up here, as execvp would (each PATH entry of the stage's own env, relative
 * ones from its directory, the first regular file we may execute), and exec'd by the path execvp
 * would have given (relative ones resolve in the child, after its chdir); argv[0] stays as the plan
 * gives it. Every case this does not take the same way as execvp (no PATH, not found, a script
 * without `#!`, a directory that is not there, an exec or chdir that fails) is left to the fork
 * path, which reports it as before.
 */
#define _GNU_SOURCE
#include "spawn.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef PIPEWRIGHT_PORTABLE
/* posix_spawn_file_actions_addclosefrom_np and _addchdir_np are glibc's (docs/engine.md, "Porting"). */
pid_t spawnStage(const StagePlan *s, int in, int out) {
  (void)s, (void)in, (void)out;
  return 0;
}
#else

/* The value of PATH in `env`, or NULL. */
static const char *searchPath(char **env) {
  for (char **e = env; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) return *e + 5;
  return NULL;
}

/* `file` relative to `dir` unless absolute, into `at`; 0 when it fits. */
static int from(const char *dir, const char *file, char *at, size_t n) {
  int w = *file == '/' ? snprintf(at, n, "%s", file) : snprintf(at, n, "%s/%s", dir, file);
  return w > 0 && (size_t)w < n ? 0 : -1;
}

static int runnable(const char *file) {
  struct stat st;
  return stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0;
}

/* Whether execve itself runs `file`: a `#!` script or an ELF program (execvp hands any other file to /bin/sh). */
static int execable(const char *file) {
  unsigned char head[4];
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, head, sizeof head);
  if (fd >= 0) close(fd);
  return (n >= 2 && head[0] == '#' && head[1] == '!') || (n == 4 && memcmp(head, "\x7f" "ELF", 4) == 0);
}

/*
 * Into `out`: the file execvp would run for `name` (no `/` in it) from `dir`, written as execvp
 * writes it (ENTRY/NAME, NAME alone for an empty entry: a script's $0 is this); 0 when found.
 */
static int lookUp(const char *name, const char *path, const char *dir, char *out, size_t n) {
  char at[PATH_MAX];
  for (const char *p = path;; p++) {
    const char *colon = strchr(p, ':');
    int len = colon ? (int)(colon - p) : (int)strlen(p);
    int w = snprintf(out, n, "%.*s%s%s", len, p, len > 0 ? "/" : "", name);
    if (w > 0 && (size_t)w < n && from(dir, out, at, sizeof at) == 0 && runnable(at)) return 0;
    if (!colon) return -1;
    p = colon;
  }
}

pid_t spawnStage(const StagePlan *s, int in, int out) {
  char file[PATH_MAX], at[PATH_MAX];
  const char *program = s->argv[0];
  if (!strchr(program, '/')) {
    const char *path = searchPath(s->env);
    if (!path || lookUp(program, path, s->dir, file, sizeof file) != 0) return 0;
    program = file;
  }
  /*
   * What would make the exec or the chdir fail goes the fork path, checked here: posix_spawn reports
   * such a failure, but not under qemu-user (the arm64 contract tests), whose vfork is a fork.
   */
  struct stat st;
  if (stat(s->dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(s->dir, X_OK) != 0) return 0;
  if (from(s->dir, program, at, sizeof at) != 0 || !runnable(at) || !execable(at)) return 0;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  if (posix_spawn_file_actions_init(&fa) != 0) return 0;
  if (posix_spawnattr_init(&attr) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    return 0;
  }
  int bad = 0;
  bad |= in < 0 ? posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) : posix_spawn_file_actions_adddup2(&fa, in, 0);
  bad |= out < 0 ? posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) : posix_spawn_file_actions_adddup2(&fa, out, 1);
  bad |= posix_spawn_file_actions_adddup2(&fa, s->errFd, 2);
  /* Nothing of ours but the commit channel, which keeps its number (its variable names it). */
  for (int fd = 3; fd < s->commitFd; fd++) bad |= posix_spawn_file_actions_addclose(&fa, fd);
  bad |= posix_spawn_file_actions_addclosefrom_np(&fa, s->commitFd >= 3 ? s->commitFd + 1 : 3);
  bad |= posix_spawn_file_actions_addchdir_np(&fa, s->dir);
  /*
   * Every signal back to its default, glibc's own two (32, 33) included: sigfillset leaves those out,
   * and a spawned child then has them ignored (a disposition an exec keeps), where a forked one had
   * them as the kernel starts a process.
   */
  sigset_t all, none;
  memset(&all, 0xff, sizeof all);
  sigemptyset(&none);
  bad |= posix_spawnattr_setsigdefault(&attr, &all) | posix_spawnattr_setsigmask(&attr, &none);
  bad |= posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  if (bad || posix_spawn(&pid, program, &fa, &attr, s->argv, s->env) != 0) pid = 0;
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return pid;
}
#endif
