/*
 * pw-segment: runs one straight segment of a run, a | b | c, from a plan the engine writes on
 * its stdin (docs/engine-protocol.md; plan.c reads it), and reports on fd 3 what the scripts'
 * wrappers report (engine/plumbing.ts parses it):
 *
 *   pw-segment PARENT_PID < PLAN      PARENT_PID: the engine's, to notice it died before we asked
 *   pw-segment --version              prints `pw-segment PLAN_VERSION` (the engine's probe)
 *
 * Fds: 1 the last stage's stdout, 2 this program's own errors, 3 control; and those the plan
 * names: each stage's stderr and commit channel, the first stage's input.
 *
 * It leads its own process group, becomes the child subreaper of its stages (orphans they leave are reaped here, not by a PID
 * 1 that may not reap) and asks for SIGHUP when its parent dies (PR_SET_PDEATHSIG, however the
 * engine dies): then it ends its stages as segment.sh does, SIGTERM and 200 ms later SIGKILL to
 * its whole process group, itself included. SIGTERM, which the engine sends the group to end the
 * stages, does not end it (nor the counters): it survives to reap them and report.
 *
 * Each stage is forked and exec'd directly: default signal dispositions, nothing blocked, stdin
 * and stdout its pipes, stderr its own fd, no other fd but its commit channel, its env exactly
 * (PATH looked up in it), its working directory. With counts on, a process per edge copies and
 * counts the bytes (count.c, forked from this program: no exec, nothing to find on disk).
 * `pid I PID TIME` when a stage started; once reaped (wait4: its own CPU and peak memory, exit
 * and signal told apart), `done I STATUS RCHAR WCHAR CUTIME CSTIME TIME HOW MAXRSS`, RCHAR and
 * WCHAR read from /proc/PID/io while it is a zombie (0 where there is no /proc).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "count.h"
#include "plan.h"

extern char **environ;

enum { controlFd = 3 };

static SegmentPlan plan;
/* Each stage's pid (0: not started), each edge counter's (index: edge id + 1), and how many of them are not reaped yet. */
static pid_t *stagePid, *counterPid;
static int unreaped;

static void report(const char *line) {
  size_t n = strlen(line);
  while (n > 0) {
    ssize_t w = write(controlFd, line, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return; /* the engine is gone */
    line += w;
    n -= (size_t)w;
  }
}

/* Wall-clock time, seconds to the microsecond, as the control lines carry it. */
static void now(char *out, size_t n) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  snprintf(out, n, "%lld.%06ld", (long long)t.tv_sec, t.tv_nsec / 1000);
}

/* The parent-death signal: nothing will read our output or end our stages. Only async-signal-safe calls. */
static void orphaned(int sig) {
  (void)sig;
  signal(SIGHUP, SIG_IGN);
  kill(0, SIGTERM);
  struct timespec pause = {0, 200 * 1000 * 1000};
  nanosleep(&pause, NULL);
  kill(0, SIGKILL);
  _exit(129);
}

/* SIGTERM ends the stages; this program and the counters outlive it to reap and report. */
static void survive(int sig) {
  (void)sig;
}

/* Closes every fd from `first` up, but `keep` (-1: none). */
static void closeFrom(int first, int keep) {
  unsigned int lo = (unsigned int)first, hi = ~0U;
  if (keep >= first) {
    if (keep > first && close_range(lo, (unsigned int)keep - 1, 0) != 0) goto byHand;
    lo = (unsigned int)keep + 1;
  }
  if (close_range(lo, hi, 0) == 0) return;
byHand:; /* a kernel before 5.9 */
  struct rlimit rl;
  long most = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur : 65536;
  for (long fd = first; fd < most; fd++)
    if (fd != keep) close((int)fd);
}

/* In a child: every signal as the kernel starts a process (default, nothing blocked). */
static void defaultSignals(void) {
  for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* In the child of stage i: its fds, dir and env, then its program. */
static void execStage(const StagePlan *s, int in, int out) {
  defaultSignals();
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(s->errFd, 2) < 0) _exit(126);
  closeFrom(3, s->commitFd);
  if (chdir(s->dir) != 0) {
    dprintf(2, "pipewright: cannot enter the working directory %s\n", s->dir);
    _exit(126);
  }
  environ = s->env;
  execvp(s->argv[0], s->argv);
  int e = errno;
  dprintf(2, "pipewright: cannot run %s: %s\n", s->argv[0], strerror(e));
  _exit(e == ENOENT ? 127 : 126);
}

/* In the child counting edge `id`: its fd 0 and 1 are the edge's two ends; it keeps fd 2 and the control fd. */
static void runCounter(int id, int in, int out) {
  signal(SIGHUP, SIG_DFL);
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0) _exit(70);
  closeFrom(controlFd + 1, -1);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  char idText[16];
  snprintf(idText, sizeof idText, "%d", id);
  char *argv[] = {"edge-count", idText, NULL};
  _exit(edgeCount(2, argv));
}

/*
 * One element of the pipeline (stage i, or the counter of edge `edge` when i < 0) reading `in`:
 * forked with a new pipe as its stdout (or fd 1 when `last`); returns the pipe's read end, which
 * the next element reads. Our copies of its ends are closed, so end of file and SIGPIPE work as
 * in a shell.
 */
static int element(int i, int edge, int in, int last) {
  int p[2] = {-1, -1};
  if (!last && pipe(p) != 0) p[0] = p[1] = -1;
  int out = last ? 1 : p[1];
  pid_t pid = out < 0 ? -1 : fork();
  char t[32], line[96];
  if (pid == 0) {
    if (i >= 0) execStage(&plan.stage[i], in, out);
    runCounter(edge, in, out);
  }
  if (pid > 0) unreaped++;
  if (i >= 0) {
    now(t, sizeof t);
    if (pid > 0) snprintf(line, sizeof line, "pid %d %d %s\n", i, (int)pid, t);
    else snprintf(line, sizeof line, "done %d 126 0 0 0 0 %s exit\n", i, t);
    report(line);
    stagePid[i] = pid > 0 ? pid : 0;
  } else {
    counterPid[edge + 1] = pid > 0 ? pid : 0;
    if (pid < 0) fprintf(stderr, "pw-segment: cannot start the counter of edge %d: %s\n", edge, strerror(errno));
  }
  close(in);
  if (!last) close(p[1]);
  return p[0];
}

/* The totals of process I/O of a child that has exited and is not reaped yet (its reaped children's included). */
static void processIo(pid_t pid, unsigned long long *rchar, unsigned long long *wchar) {
  char path[48], text[1024];
  *rchar = *wchar = 0;
  snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return;
  text[n] = '\0';
  char *r = strstr(text, "rchar: "), *w = strstr(text, "wchar: ");
  if (r) *rchar = strtoull(r + 7, NULL, 10);
  if (w) *wchar = strtoull(w + 7, NULL, 10);
}

static long long ticks(struct timeval t, long hz) {
  return (long long)t.tv_sec * hz + (long long)t.tv_usec * hz / 1000000;
}

/* Reaps every child; reports each stage's end. Adopted orphans are reaped too, and not waited for. */
static void reapAll(void) {
  long hz = sysconf(_SC_CLK_TCK);
  while (unreaped > 0) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT) != 0) {
      if (errno == EINTR) continue;
      return;
    }
    pid_t pid = si.si_pid;
    int stage = -1, ours = 0;
    for (int i = 0; i < plan.stages; i++)
      if (stagePid[i] == pid) stage = i;
    for (int e = 0; e <= plan.stages; e++)
      if (counterPid[e] == pid) ours = 1;
    unsigned long long rchar = 0, wchar = 0;
    if (stage >= 0) processIo(pid, &rchar, &wchar);
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
      if (errno != EINTR) return;
    if (stage < 0) {
      unreaped -= ours;
      continue;
    }
    unreaped--;
    char t[32], line[192];
    now(t, sizeof t);
    int signaled = WIFSIGNALED(status);
    int code = signaled ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    snprintf(line, sizeof line, "done %d %d %llu %llu %lld %lld %s %s %ld\n", stage, code, rchar, wchar, ticks(ru.ru_utime, hz), ticks(ru.ru_stime, hz), t,
             signaled ? "signal" : "exit", ru.ru_maxrss);
    report(line);
  }
}

/* The whole of stdin. */
static char *readPlan(size_t *len) {
  size_t cap = 1 << 16, n = 0;
  char *text = malloc(cap);
  while (text) {
    if (n == cap) {
      char *grown = realloc(text, cap *= 2);
      if (!grown) break;
      text = grown;
    }
    ssize_t r = read(0, text + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    if (r == 0) {
      *len = n;
      return text;
    }
    n += (size_t)r;
  }
  free(text);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    printf("pw-segment %d\n", planVersion);
    return 0;
  }
  char *end = NULL;
  long parent = argc == 2 ? strtol(argv[1], &end, 10) : 0;
  if (argc != 2 || *end != '\0' || parent <= 0) {
    fprintf(stderr, "usage: pw-segment PARENT_PID < PLAN   (docs/engine-protocol.md)\n");
    return 2;
  }
  /* Its own process group, which the engine signals as a whole (it starts it as one anyway). */
  setpgid(0, 0);
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  prctl(PR_SET_PDEATHSIG, SIGHUP, 0, 0, 0);
  /* The parent died before the prctl took effect: nobody will ever read us. */
  if (getppid() != (pid_t)parent) return 129;
  /*
   * SIGTERM is caught, not ignored: a stage forked while it is blocked keeps one that arrives
   * before the stage has restored the default (an ignored signal would be dropped on arrival,
   * and the stage would never see the engine's SIGTERM). The counters inherit the no-op.
   */
  struct sigaction term = {.sa_handler = survive, .sa_flags = SA_RESTART};
  sigaction(SIGTERM, &term, NULL);
  signal(SIGPIPE, SIG_IGN);
  struct sigaction hup = {.sa_handler = orphaned};
  sigfillset(&hup.sa_mask);
  sigaction(SIGHUP, &hup, NULL);

  size_t len = 0;
  char *text = readPlan(&len);
  if (!text) {
    fprintf(stderr, "pw-segment: cannot read the plan: %s\n", strerror(errno));
    return 2;
  }
  char err[256];
  if (planParse(text, len, &plan, err, sizeof err) != 0) {
    fprintf(stderr, "pw-segment: %s\n", err);
    free(text);
    return 2;
  }
  /* Fd 0 stays taken, so that no pipe of ours gets a number a stage's stdio needs. */
  int devNull = open("/dev/null", O_RDONLY);
  if (devNull > 0) {
    dup2(devNull, 0);
    close(devNull);
  }
  stagePid = calloc((size_t)plan.stages, sizeof *stagePid);
  counterPid = calloc((size_t)plan.stages + 1, sizeof *counterPid);
  if (!stagePid || !counterPid) return 70;

  /*
   * While the stages are forked, SIGHUP waits (the orphan handler would leave out a child forked
   * after it ran) and so does SIGTERM (each child has it blocked until its default is back).
   */
  sigset_t held, before;
  sigemptyset(&held);
  sigaddset(&held, SIGHUP);
  sigaddset(&held, SIGTERM);
  sigprocmask(SIG_BLOCK, &held, &before);
  int n = plan.stages, in = plan.inputFd;
  if (plan.countIn) in = element(-1, -1, in, 0);
  for (int i = 0; i < n; i++) {
    int lastStage = i == n - 1;
    in = element(i, i, in, lastStage && !plan.countOut);
    if (lastStage ? plan.countOut : plan.counts) in = element(-1, i, in, lastStage);
  }
  /*
   * Only the stages keep their stdout and commit channels: their readers see them end with the
   * stages. The stderr fds stay open until this program exits, as the scripts' bash keeps them:
   * the engine classifies an ended stage once its stderr has ended or 100 ms have passed, so a
   * stage that fails mid-stream leaves the stages after it that long to pass on what they read
   * before the run ends them (the output bash gives, test/unit/engine/faults).
   */
  close(1);
  for (int i = 0; i < n; i++)
    if (plan.stage[i].commitFd >= 0) close(plan.stage[i].commitFd);
  sigprocmask(SIG_SETMASK, &before, NULL);
  reapAll();
  planFree(&plan);
  free(text);
  free(stagePid);
  free(counterPid);
  return 0;
}
