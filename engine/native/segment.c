/*
 * pw-segment: runs one segment of a run, a straight a | b | c or a graph (fan-out, fan-in), from
 * a plan the engine writes on its stdin (docs/engine-protocol.md; plan.c reads it), and reports
 * on fd 3 (engine/plumbing.ts parses it):
 *
 *   pw-segment PARENT_PID < PLAN      PARENT_PID: the engine's, to notice it died before we asked
 *   pw-segment --version              prints `pw-segment PLAN_VERSION` (the engine's probe)
 *
 * Fds: 1 the segment's output, 2 this program's own errors, 3 control; and those the plan
 * names: each stage's stderr and commit channel, inputs, the engine's ends of relayed stages.
 *
 * It leads its own process group, becomes the child subreaper of its stages (orphans they leave are reaped here, not by a PID
 * 1 that may not reap) and asks for SIGHUP when its parent dies (PR_SET_PDEATHSIG, however the
 * engine dies): then it ends its stages, SIGTERM and 200 ms later SIGKILL to its whole process
 * group, itself included. SIGTERM, which the engine sends the group to end the stages, does not
 * end it (nor the copiers): it survives to reap them and report.
 *
 * Each stage is forked and exec'd directly: default signal dispositions, nothing blocked, stdin
 * and stdout its ends of the plan, stderr its own fd, no other fd but its commit channel, its env
 * exactly (PATH looked up in it), its working directory; the stages first, then the rest. Each
 * `copy` (an edge's counter, a fan-out) and `merge` (a fan-in) is a process forked from this
 * program (count.c, merge.c: no exec, nothing to find on disk); a copy between two pipes is forked
 * only once its edge has something to do (awaitCopies). `pid I PID TIME` when a stage started; once reaped (wait4: its
 * own CPU and peak memory, exit and signal told apart), `done I STATUS RCHAR WCHAR CUTIME CSTIME
 * TIME HOW MAXRSS`, RCHAR and WCHAR read from /proc/PID/io while it is a zombie (0 where there is
 * no /proc). Built with -DPIPEWRIGHT_PORTABLE: no /proc and no close_range (docs/engine.md, "Porting").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "count.h"
#include "host.h"
#include "launch.h"
#include "merge.h"
#include "plan.h"
#include "proc.h"
#include "segment.h"
#include "slurm.h"
#include "spawn.h"

extern char **environ;

enum { controlFd = 3 };

static SegmentPlan plan;
/* Forked on another host by its watcher (host.c): stages get the login environment too. */
static int onHost;
/* Each stage's pid (0: not started), each copier's and merger's, and how many of them are not reaped yet. */
static pid_t *stagePid, *helperPid;
static int unreaped;
/* The plan's pipes: both ends (-1 once closed here), made when their first user is forked. */
static int (*pipes)[2];

int writeAll(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return 0;
    p += w;
    n -= (size_t)w;
  }
  return 1;
}

int connectUnix(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (!path || strlen(path) >= sizeof addr.sun_path) return -1;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* A report line; one the engine is gone for is lost with it. */
static void report(const char *line) {
  writeAll(controlFd, line, strlen(line));
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

static int ascending(const void *a, const void *b) {
  return *(const int *)a - *(const int *)b;
}

/* Closes every fd from `first` up but the `n` in `keep` (sorted here); the relays of a Slurm step use it too (relay.c). */
void closeExcept(int first, int *keep, int n) {
  qsort(keep, (size_t)n, sizeof *keep, ascending);
#ifdef PIPEWRIGHT_PORTABLE
  goto byHand;
#endif
  unsigned int lo = (unsigned int)first;
  for (int k = 0; k <= n; k++) {
    if (k < n && keep[k] < first) continue;
    unsigned int hi = k < n ? (unsigned int)keep[k] : ~0U;
    if (k < n && hi == lo) {
      lo = hi + 1;
      continue;
    }
    if (k < n) hi--;
    if (hi >= lo && close_range(lo, hi, 0) != 0) goto byHand;
    if (k < n) lo = (unsigned int)keep[k] + 1;
  }
  return;
byHand:; /* a kernel before 5.9 */
  struct rlimit rl;
  long most = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur : 65536;
  for (long fd = first; fd < most; fd++) {
    int kept = 0;
    for (int k = 0; k < n; k++) kept |= keep[k] == fd;
    if (!kept) close((int)fd);
  }
}

/* In a child: every signal as the kernel starts a process (default, nothing blocked). */
static void defaultSignals(void) {
  for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* In a child: the fd of an end it reads (`writing` 0) or writes (1); /dev/null for `null`. */
static int openEnd(End e, int writing) {
  if (e.kind == endFd) return e.n;
  if (e.kind == endPipe) return pipes[e.n][writing];
  return open("/dev/null", writing ? O_WRONLY : O_RDONLY);
}

/* In a child: `in` as fd 0, `out` as fd 1. */
static int stdio(End in, End out) {
  int i = openEnd(in, 0), o = openEnd(out, 1);
  return i < 0 || o < 0 || dup2(i, 0) < 0 || dup2(o, 1) < 0 ? -1 : 0;
}

/*
 * In the child of a stage: exactly its plan's `env`; on another host (forked by host.c's watcher),
 * its `env` over the login environment this program has there, and PWD its directory unless the plan gives one.
 */
static void stageEnvironment(const StagePlan *s) {
  if (!onHost) {
    environ = s->env;
    return;
  }
  int pwdGiven = 0;
  for (int k = 0; k < s->envc; k++) {
    pwdGiven |= strncmp(s->env[k], "PWD=", 4) == 0;
    putenv(s->env[k]);
  }
  char *pwd = pwdGiven ? NULL : getcwd(NULL, 0);
  if (pwd) setenv("PWD", pwd, 1);
}

/* In the child of a stage: its fds, dir and env, then its program. */
static void execStage(const StagePlan *s) {
  defaultSignals();
  if (stdio(s->in, s->out) != 0 || dup2(s->errFd, 2) < 0) _exit(126);
  int keep[1] = {s->commitFd};
  closeExcept(3, keep, s->commitFd >= 0);
  if (chdir(s->dir) != 0) {
    dprintf(2, "pipewright: cannot enter the working directory %s\n", s->dir);
    _exit(126);
  }
  stageEnvironment(s);
  execvp(s->argv[0], s->argv);
  int e = errno;
  dprintf(2, "pipewright: cannot run %s: %s\n", s->argv[0], strerror(e));
  _exit(e == ENOENT ? 127 : 126);
}

/* In a child: SIGHUP as the kernel starts a process, nothing blocked (SIGTERM stays caught: copiers and mergers outlive it). */
static void helperSignals(void) {
  signal(SIGHUP, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * In the child of a copier: its input as fd 0, its first reader as fd 1, the others kept where
 * they are (none is below 4: fds 0 to 3 were open when each was made); fd 3 when counted.
 */
static void runCopy(const CopyPlan *c) {
  helperSignals();
  int *fds = calloc((size_t)c->outs, sizeof *fds);
  if (!fds || stdio(c->in, c->to[0]) != 0) _exit(70);
  fds[0] = 1;
  for (int k = 1; k < c->outs; k++)
    if ((fds[k] = openEnd(c->to[k], 1)) < 0) _exit(70);
  closeExcept(c->counted ? controlFd + 1 : controlFd, fds + 1, c->outs - 1);
  _exit(edgeCopy(c->outs, c->edge, fds, c->counted));
}

/* In the child of a merger: every input kept where it is, its output as fd 1. */
static void runMerge(const MergePlan *m) {
  helperSignals();
  int *fds = calloc((size_t)m->ins, sizeof *fds);
  if (!fds) _exit(70);
  for (int k = 0; k < m->ins; k++)
    if ((fds[k] = openEnd(m->in[k], 0)) < 0) _exit(70);
  int o = openEnd(m->out, 1);
  if (o < 0 || dup2(o, 1) < 0) _exit(70);
  int *keep = calloc((size_t)m->ins, sizeof *keep);
  if (!keep) _exit(70);
  memcpy(keep, fds, sizeof *fds * (size_t)m->ins);
  closeExcept(3, keep, m->ins);
  _exit(mergeLines(m->ins, fds));
}

/* Makes the pipe of `e` if it is not there yet. */
static int need(End e) {
  if (e.kind != endPipe || pipes[e.n][0] >= 0 || pipes[e.n][1] >= 0) return 0;
  return pipe(pipes[e.n]);
}

/* Our copy of the end `e` the child just forked uses: no longer needed here (end of file and SIGPIPE work as in a shell). */
static void used(End e, int writing) {
  if (e.kind != endPipe) return;
  close(pipes[e.n][writing]);
  pipes[e.n][writing] = -1;
}

/* Here, not in a child: the fd of an end, -1 for `null` (spawnStage opens /dev/null in the child). */
static int parentEnd(End e, int writing) {
  return e.kind == endNull ? -1 : openEnd(e, writing);
}

/*
 * Starts one element: kind 0 a stage (spawned when it can be, spawn.c; else forked), 1 a copier, 2 a
 * merger (forked: they run this program's code). Returns the pid, or -1 (errno says why).
 */
static pid_t startElement(int kind, int i) {
  int failed = 0;
  if (kind == 0) failed = need(plan.stage[i].in) || need(plan.stage[i].out);
  for (int k = 0; kind == 1 && k <= plan.copy[i].outs; k++) failed |= need(k == 0 ? plan.copy[i].in : plan.copy[i].to[k - 1]);
  for (int k = 0; kind == 2 && k <= plan.merge[i].ins; k++) failed |= need(k == 0 ? plan.merge[i].out : plan.merge[i].in[k - 1]);
  pid_t pid = failed ? -1 : 0;
  if (kind == 0 && !failed && !onHost) pid = spawnStage(&plan.stage[i], parentEnd(plan.stage[i].in, 0), parentEnd(plan.stage[i].out, 1));
  if (pid == 0 && !failed) pid = fork();
  if (pid == 0) {
    if (kind == 0) execStage(&plan.stage[i]);
    if (kind == 1) runCopy(&plan.copy[i]);
    runMerge(&plan.merge[i]);
  }
  if (pid > 0) unreaped++;
  return pid;
}

/* The copiers not forked yet (awaitCopies), by their index in the plan. */
static int *deferred, nDeferred;

/* Closes our copies of the ends of copier `i`, now that it has them (or its edge ended without it). */
static void copyUsed(int i) {
  used(plan.copy[i].in, 0);
  for (int k = 0; k < plan.copy[i].outs; k++) used(plan.copy[i].to[k], 1);
}

/* Forks copier or merger `h` (the copiers first in helperPid) and lets go of its ends. */
static void startHelper(int h) {
  int copy = h < plan.copies, j = copy ? h : h - plan.copies;
  pid_t pid = startElement(copy ? 1 : 2, j);
  if (pid < 0) fprintf(stderr, "pw-segment: cannot start a %s: %s\n", copy ? "copier" : "merger", strerror(errno));
  helperPid[h] = pid > 0 ? pid : 0;
  if (copy) copyUsed(j);
  else {
    used(plan.merge[j].out, 1);
    for (int k = 0; k < plan.merge[j].ins; k++) used(plan.merge[j].in[k], 0);
  }
}

/*
 * Copier `i` had nothing to copy: its input ended with no byte, or every reader left before one came.
 * Its readers get end of file, its writer SIGPIPE if it writes; then its edges end empty, reported as the copier would.
 */
static void endedEmpty(int i) {
  const CopyPlan *c = &plan.copy[i];
  char line[64];
  copyUsed(i);
  for (int k = 0; c->counted && k < c->outs; k++) {
    snprintf(line, sizeof line, "edge %d 0 0 end\n", c->edge[k]);
    report(line);
  }
}

/* Whether every end of copier `i` is a pipe of ours: it can wait until its edge has something to do. */
static int betweenPipes(const CopyPlan *c) {
  int all = c->in.kind == endPipe;
  for (int k = 0; k < c->outs; k++) all &= c->to[k].kind == endPipe;
  return all;
}

/*
 * Starts the stages first (their execs are the start-up a user waits for), then the mergers and the
 * copiers of the engine's fds. A copier between two of our pipes is deferred (awaitCopies): its
 * pipes are made here, and this program holds its ends until its input has data or its reader left.
 */
static void startAll(void) {
  char t[32], line[96];
  for (int i = 0; i < plan.stages; i++) {
    const StagePlan *s = &plan.stage[i];
    pid_t pid = startElement(0, i);
    now(t, sizeof t);
    if (pid > 0) snprintf(line, sizeof line, "pid %d %d %s\n", s->id, (int)pid, t);
    else snprintf(line, sizeof line, "done %d 126 0 0 0 0 %s exit\n", s->id, t);
    report(line);
    stagePid[i] = pid > 0 ? pid : 0;
    used(s->in, 0);
    used(s->out, 1);
  }
  for (int i = 0; i < plan.merges; i++) startHelper(plan.copies + i);
  for (int i = 0; i < plan.copies; i++) {
    const CopyPlan *c = &plan.copy[i];
    int failed = 0;
    for (int k = 0; betweenPipes(c) && k <= c->outs; k++) failed |= need(k == 0 ? c->in : c->to[k - 1]);
    if (betweenPipes(c) && !failed) deferred[nDeferred++] = i;
    else startHelper(i);
  }
}

/* Closes the ends of the plan's pipes still here: their users could not be started (the other end's user gets end of file or SIGPIPE). */
static void closePipes(void) {
  for (int k = 0; k < plan.pipes; k++) {
    if (pipes[k][0] >= 0) close(pipes[k][0]);
    if (pipes[k][1] >= 0) close(pipes[k][1]);
  }
}

/* The fds the plan names, but the stderr fds (`all`: those too). Returns how many went into `out` (room for all). */
static int planFds(int *out, int all) {
  int n = 0;
  for (int i = 0; i < plan.stages; i++) {
    const StagePlan *s = &plan.stage[i];
    End e[2] = {s->in, s->out};
    for (int k = 0; k < 2; k++)
      if (e[k].kind == endFd) out[n++] = e[k].n;
    if (s->commitFd >= 0) out[n++] = s->commitFd;
    if (all) out[n++] = s->errFd;
  }
  for (int i = 0; i < plan.copies; i++)
    for (int k = 0; k <= plan.copy[i].outs; k++) {
      End e = k == 0 ? plan.copy[i].in : plan.copy[i].to[k - 1];
      if (e.kind == endFd) out[n++] = e.n;
    }
  for (int i = 0; i < plan.merges; i++)
    for (int k = 0; k <= plan.merge[i].ins; k++) {
      End e = k == 0 ? plan.merge[i].out : plan.merge[i].in[k - 1];
      if (e.kind == endFd) out[n++] = e.n;
    }
  return n;
}

static int planFdRoom(void) {
  int n = plan.stages * 4;
  for (int i = 0; i < plan.copies; i++) n += plan.copy[i].outs + 1;
  for (int i = 0; i < plan.merges; i++) n += plan.merge[i].ins + 1;
  return n + 1;
}

/* The totals of process I/O of a child that has exited and is not reaped yet (its reaped children's included). */
static void processIo(pid_t pid, unsigned long long *rchar, unsigned long long *wchar) {
  char text[1024];
  procFile(pid, "io", text, sizeof text);
  *rchar = procField(text, "rchar:");
  *wchar = procField(text, "wchar:");
}

static long long ticks(struct timeval t, long hz) {
  return (long long)t.tv_sec * hz + (long long)t.tv_usec * hz / 1000000;
}

/*
 * Reaps one child that has ended (`flags` WNOHANG: 0 when none has), reporting a stage's end; an
 * adopted orphan is reaped too, and not waited for. 1 when one was reaped, -1 on an error.
 */
static int reapOne(int flags) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT | flags) != 0) return errno == EINTR ? 0 : -1;
  pid_t pid = si.si_pid;
  if (pid == 0) return 0;
  int stage = -1, ours = 0;
  for (int i = 0; i < plan.stages; i++)
    if (stagePid[i] == pid) stage = i;
  for (int h = 0; h < plan.copies + plan.merges; h++)
    if (helperPid[h] == pid) ours = 1;
  unsigned long long rchar = 0, wchar = 0;
  if (stage >= 0) processIo(pid, &rchar, &wchar);
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0)
    if (errno != EINTR) return -1;
  if (stage < 0) {
    unreaped -= ours;
    return 1;
  }
  unreaped--;
  long hz = sysconf(_SC_CLK_TCK);
  char t[32], line[192];
  now(t, sizeof t);
  int signaled = WIFSIGNALED(status);
  int code = signaled ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  snprintf(line, sizeof line, "done %d %d %llu %llu %lld %lld %s %s %ld\n", plan.stage[stage].id, code, rchar, wchar, ticks(ru.ru_utime, hz), ticks(ru.ru_stime, hz), t,
           signaled ? "signal" : "exit", ru.ru_maxrss);
  report(line);
  return 1;
}

/* Reaps every child until none of ours is left. */
static void reapAll(void) {
  while (unreaped > 0)
    if (reapOne(0) < 0) return;
}

/* Wakes ppoll in awaitCopies when a child ends. */
static void childEnded(int sig) {
  (void)sig;
}

/*
 * Until every deferred copier has been forked or its edge has ended empty: waits in ppoll for its
 * input to have data or end, or its reader to leave (POLLERR on a pipe's write end), reaping whatever
 * ends meanwhile (SIGCHLD, unblocked only inside ppoll, interrupts it). An edge with nothing to
 * copy (its input ended without a byte: POLLHUP and no POLLIN; or every reader gone first) needs no
 * process (endedEmpty). Data, or one reader of several gone, forks the copier then, which finds the
 * pipes as it would have from the start. So stages that pass nothing (`true`, a filter that drops
 * everything) cost no copier, and those that do start before theirs.
 */
static void awaitCopies(const sigset_t *waiting) {
  int room = 0;
  for (int d = 0; d < nDeferred; d++) room += plan.copy[deferred[d]].outs + 1;
  struct pollfd *p = malloc(sizeof *p * (size_t)(room + 1));
  while (p && nDeferred > 0) {
    int n = 0;
    for (int d = 0; d < nDeferred; d++) {
      const CopyPlan *c = &plan.copy[deferred[d]];
      p[n++] = (struct pollfd){.fd = openEnd(c->in, 0), .events = POLLIN};
      for (int k = 0; k < c->outs; k++) p[n++] = (struct pollfd){.fd = openEnd(c->to[k], 1), .events = 0};
    }
    if (ppoll(p, (nfds_t)n, NULL, waiting) < 0) {
      if (errno != EINTR) break;
      while (unreaped > 0 && reapOne(WNOHANG) > 0) {
      }
      continue;
    }
    int kept = 0;
    n = 0;
    for (int d = 0; d < nDeferred; d++) {
      int i = deferred[d], in = p[n].revents, out = 0, gone = 0;
      for (int k = 1; k <= plan.copy[i].outs; k++) {
        out |= p[n + k].revents;
        gone += (p[n + k].revents & POLLERR) != 0;
      }
      n += plan.copy[i].outs + 1;
      if (!in && !out) deferred[kept++] = i;
      else if (!(in & POLLIN) && (in & POLLHUP || gone == plan.copy[i].outs)) endedEmpty(i);
      else startHelper(i);
    }
    nDeferred = kept;
  }
  /* No room for poll's array, or ppoll failed: each copier as it was started before. */
  for (int d = 0; d < nDeferred; d++) startHelper(deferred[d]);
  nDeferred = 0;
  free(p);
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
  if (argc == 3 && strcmp(argv[1], "--host") == 0) return hostMain(argv[2]);
  if (argc >= 2 && strcmp(argv[1], "--launch") == 0) return launchMain(argc, argv);
  if (argc >= 3 && strcmp(argv[1], "--slurm-local") == 0) return slurmLocalMain(argc - 2, argv + 2);
  if (argc == 2 && strcmp(argv[1], "--slurm-step") == 0) return slurmStepMain();
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    printf("pw-segment %d\n", planVersion);
    return 0;
  }
  char *end = NULL;
  long parent = argc == 2 ? strtol(argv[1], &end, 10) : 0;
  if (argc != 2 || *end != '\0' || parent <= 0) {
    fprintf(stderr, "usage: pw-segment PARENT_PID < PLAN | --host CTL | --launch PARENT_PID PROGRAM [ARG…] | --slurm-local SRUN [ARG…] | --slurm-step | --version   (docs/engine-protocol.md)\n");
    return 2;
  }
  return segmentMain((pid_t)parent, 0, NULL);
}

int segmentMain(pid_t parent, int host, const SegmentPlan *parsed) {
  onHost = host;
  /* Its own process group, which the engine signals as a whole (it starts it as one anyway). */
  setpgid(0, 0);
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  prctl(PR_SET_PDEATHSIG, SIGHUP, 0, 0, 0);
  /* The parent died before the prctl took effect: nobody will ever read us. */
  if (getppid() != parent) return 129;
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
  char *text = parsed ? NULL : readPlan(&len);
  if (!parsed && !text) {
    fprintf(stderr, "pw-segment: cannot read the plan: %s\n", strerror(errno));
    return 2;
  }
  char err[256];
  if (parsed) plan = *parsed;
  else if (planParse(text, len, &plan, err, sizeof err) != 0) {
    fprintf(stderr, "pw-segment: %s\n", err);
    free(text);
    return 2;
  }
  int *fds = malloc(sizeof *fds * (size_t)planFdRoom()), nFds = fds ? planFds(fds, 1) : 0;
  for (int k = 0; k < nFds; k++)
    if (fcntl(fds[k], F_GETFD) < 0) {
      fprintf(stderr, "pw-segment: the plan names fd %d, which is not open\n", fds[k]);
      free(fds);
      planFree(&plan);
      free(text);
      return 2;
    }
  /* Fd 0 stays taken, so that no pipe of ours gets a number a stage's stdio needs. */
  int devNull = open("/dev/null", O_RDONLY);
  if (devNull > 0) {
    dup2(devNull, 0);
    close(devNull);
  }
  stagePid = calloc((size_t)plan.stages + 1, sizeof *stagePid);
  helperPid = calloc((size_t)(plan.copies + plan.merges) + 1, sizeof *helperPid);
  pipes = malloc(sizeof *pipes * ((size_t)plan.pipes + 1));
  deferred = malloc(sizeof *deferred * ((size_t)plan.copies + 1));
  if (!stagePid || !helperPid || !pipes || !deferred || !fds) return 70;
  for (int k = 0; k < plan.pipes; k++) pipes[k][0] = pipes[k][1] = -1;

  /*
   * While the stages and copiers are forked, SIGHUP waits (the orphan handler would leave out a
   * child forked after it ran) and so does SIGTERM (each child has it blocked until its default is
   * back); they and SIGCHLD come only inside awaitCopies' ppoll.
   */
  struct sigaction chld = {.sa_handler = childEnded, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
  sigaction(SIGCHLD, &chld, NULL);
  sigset_t held, before, waiting;
  sigemptyset(&held);
  sigaddset(&held, SIGHUP);
  sigaddset(&held, SIGTERM);
  sigaddset(&held, SIGCHLD);
  sigprocmask(SIG_BLOCK, &held, &before);
  waiting = before;
  sigdelset(&waiting, SIGCHLD);
  startAll();
  /*
   * Only the elements keep their ends and commit channels: their readers see them end with them.
   * The stderr fds stay open until this program exits, as the scripts' bash keeps them: the
   * engine classifies an ended stage once its stderr has ended or 100 ms have passed, so a stage
   * that fails mid-stream leaves the stages after it that long to pass on what they read before
   * the run ends them (the output bash gives, test/unit/engine/faults).
   */
  nFds = fds ? planFds(fds, 0) : 0;
  for (int k = 0; k < nFds; k++) close(fds[k]);
  close(1);
  awaitCopies(&waiting);
  closePipes();
  sigprocmask(SIG_SETMASK, &before, NULL);
  reapAll();
  planFree(&plan);
  free(text);
  free(stagePid);
  free(helperPid);
  free(pipes);
  free(deferred);
  free(fds);
  return 0;
}
