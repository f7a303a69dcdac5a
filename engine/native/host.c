/*
 * pw-segment on another host (docs/engine-protocol.md, "On another host"): sshd runs
 * `pw-segment --host CTL` (installed by the engine, engine/host-install.ts). Its stdin carries
 * `LENGTH\n` and LENGTH bytes of plan, then the segment's data; its stdout is the segment's
 * output, as for `ssh host cmd`. It forks the segment — segment.c's code, as a local run runs it,
 * with the plan as parsed here and the login environment under each stage's env — in a process group of
 * its own, and stays as its watcher: every line the engine needs goes onto one control stream, tagged (host-stream.ts reads it):
 *
 *   \x01c LINE        a report of the segment (`pid …`, `done …`, `edge …`)
 *   \x01eI LINE       a line of stage I's stderr;     \x01zI   its stderr has ended
 *   \x01b LINE        a line of the segment's own stderr
 *   \x01sI RCHAR WCHAR UTIME STIME CUTIME CSTIME RSSKB HWMKB STATE   a live sample of stage I (/proc, every 250 ms)
 *   \x01x STATUS      the segment has ended: nothing was lost
 *
 * CTL is the Unix socket ssh forwards over the session's own connection (-R; connected, then its
 * name removed), `fd:N` (a Slurm step's connection back), or `-`: the session's stderr, where the host refuses forwarding. On the socket
 * the engine's requests come back: `k SIGNAL PID…` signals those of the stages that still run.
 * When the session goes away (sshd closes our stderr, the socket ends, a write fails), the
 * segment's group gets SIGTERM, then SIGKILL 200 ms later (exit 75). After `x` the socket is shut
 * down for writing and kept until the engine closes its end (awaitEngineEnd).
 */
#define _GNU_SOURCE
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plan.h"
#include "proc.h"
#include "segment.h"

/* A pipe of the segment read here, cut into lines: its tag (c, b, e) and stage id. */
typedef struct {
  int fd;
  char tag;
  int id;
  char *buf;
  size_t len, cap;
} Source;

static int out = 2, requests = -1;
static pid_t group;
/* Each stage's pid while it runs (0 otherwise), by stage id. */
static pid_t running[planMaxStages];

static void hangup(void) {
  kill(-group, SIGTERM);
  struct timespec pause = {0, 200 * 1000 * 1000};
  nanosleep(&pause, NULL);
  kill(-group, SIGKILL);
  _exit(75);
}

/* One tagged line onto the control stream; a stream that is gone is the session gone. */
static void say(const char *head, const char *text, size_t n) {
  size_t h = strlen(head);
  char *line = malloc(h + n + 3);
  if (!line) hangup();
  line[0] = '\x01';
  memcpy(line + 1, head, h);
  memcpy(line + 1 + h, text, n);
  line[1 + h + n] = '\n';
  if (!writeAll(out, line, h + n + 2)) hangup();
  free(line);
}

/* A report line of the segment: which stages run (for samples and signal requests), then passed on. */
static void report(const char *text, size_t n) {
  int id, pid;
  char word[8];
  if (sscanf(text, "%7s %d %d", word, &id, &pid) >= 2 && id >= 0 && id < planMaxStages) {
    if (strcmp(word, "pid") == 0) running[id] = pid;
    if (strcmp(word, "done") == 0) running[id] = 0;
  }
  say("c ", text, n);
}

static void emit(Source *s, const char *text, size_t n) {
  char head[24];
  if (s->tag == 'c') return report(text, n);
  if (s->tag == 'b') snprintf(head, sizeof head, "b ");
  else snprintf(head, sizeof head, "e%d ", s->id);
  say(head, text, n);
}

/* Reads what is there; 0 at its end (the rest said, `z` for a stage's stderr). */
static int drain(Source *s) {
  if (s->cap - s->len < 65536) {
    char *grown = realloc(s->buf, s->cap = s->len + 65536 * 2);
    if (!grown) hangup();
    s->buf = grown;
  }
  ssize_t got = read(s->fd, s->buf + s->len, s->cap - s->len);
  if (got < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (got <= 0) {
    if (s->len > 0) emit(s, s->buf, s->len);
    s->len = 0;
    close(s->fd);
    s->fd = -1;
    char head[24];
    snprintf(head, sizeof head, "z%d", s->id);
    if (s->tag == 'e') say(head, "", 0);
    return 0;
  }
  s->len += (size_t)got;
  size_t start = 0;
  for (size_t k = 0; k < s->len; k++)
    if (s->buf[k] == '\n') {
      emit(s, s->buf + start, k - start);
      start = k + 1;
    }
  memmove(s->buf, s->buf + start, s->len - start);
  s->len -= start;
  /* A line too long to hold: passed on in pieces, as the local engine's reader does. */
  if (s->len > 65536) {
    emit(s, s->buf, s->len);
    s->len = 0;
  }
  return 1;
}

/* A live sample of every running stage (a build without /proc: none; the final totals still come in `done`). */
static void sample(void) {
  char io[1024], st[1024], status[4096], head[24], line[256];
  for (int id = 0; id < planMaxStages; id++) {
    if (running[id] == 0) continue;
    if (!procFile(running[id], "io", io, sizeof io) || !procFile(running[id], "stat", st, sizeof st) ||
        !procFile(running[id], "status", status, sizeof status))
      continue;
    /* After the command name: [0] state … [11] utime [12] stime [13] cutime [14] cstime. */
    char *f = strrchr(st, ')');
    char state = f && f[1] == ' ' ? f[2] : '?';
    unsigned long long t[4] = {0, 0, 0, 0};
    for (int k = 0; f && k < 15; k++) {
      f = strchr(f + 1, ' ');
      if (f && k >= 11) t[k - 11] = strtoull(f + 1, NULL, 10);
    }
    snprintf(head, sizeof head, "s%d ", id);
    int n = snprintf(line, sizeof line, "%llu %llu %llu %llu %llu %llu %llu %llu %c", procField(io, "rchar:"), procField(io, "wchar:"), t[0], t[1], t[2], t[3],
                     procField(status, "VmRSS:"), procField(status, "VmHWM:"), state);
    say(head, line, (size_t)n);
  }
}

static const struct {
  const char *name;
  int sig;
} signalNames[] = {{"PIPE", SIGPIPE}, {"TERM", SIGTERM}, {"KILL", SIGKILL}, {"INT", SIGINT},
                   {"HUP", SIGHUP},   {"QUIT", SIGQUIT}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}};

/* `k SIGNAL PID…`: only stages of this segment that still run are signalled. */
static void request(char *line) {
  char *save = NULL, *word = strtok_r(line, " ", &save);
  if (!word || strcmp(word, "k") != 0 || !(word = strtok_r(NULL, " ", &save))) return;
  int sig = 0;
  for (size_t k = 0; k < sizeof signalNames / sizeof signalNames[0]; k++)
    if (strcmp(word, signalNames[k].name) == 0) sig = signalNames[k].sig;
  while (sig && (word = strtok_r(NULL, " ", &save))) {
    pid_t pid = (pid_t)atoi(word);
    for (int id = 0; pid > 0 && id < planMaxStages; id++)
      if (running[id] == pid) kill(pid, sig);
  }
}

static void readRequests(void) {
  static char asked[4096];
  static size_t len;
  ssize_t got = read(requests, asked + len, sizeof asked - 1 - len);
  if (got < 0 && errno == EINTR) return;
  if (got <= 0) hangup(); /* the engine closed its end: it ended the segment */
  len += (size_t)got;
  char *start = asked, *nl;
  while ((nl = memchr(start, '\n', len - (size_t)(start - asked)))) {
    *nl = '\0';
    request(start);
    start = nl + 1;
  }
  len -= (size_t)(start - asked);
  memmove(asked, start, len);
  if (len == sizeof asked - 1) len = 0; /* not a request: dropped */
}

/*
 * After `x`: the stream is shut down for writing, and the socket stays open, its requests read and
 * dropped, until the engine has closed its end (or the session has gone). Closed from here first, a
 * request the engine wrote in that moment would fail, and Node drops a connection whose write fails
 * together with what it had not read yet: the segment's last reports.
 */
static void awaitEngineEnd(void) {
  if (requests < 0) return;
  shutdown(requests, SHUT_WR);
  char drop[4096];
  for (;;) {
    struct pollfd fds[2] = {{.fd = requests, .events = POLLIN}, {.fd = 2, .events = 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents & (POLLERR | POLLHUP)) return;
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t got = read(requests, drop, sizeof drop);
    if (got == 0 || (got < 0 && errno != EINTR)) return;
  }
}

/* The plan ahead of the data: `LENGTH\n` and LENGTH bytes, read exactly (the data stays on stdin for the first stage). */
static char *readFramedPlan(size_t *len) {
  size_t n = 0;
  char c;
  int digits = 0;
  for (;;) {
    ssize_t r = read(0, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r != 1) return NULL;
    if (c == '\n' && digits > 0) break;
    if (c < '0' || c > '9' || ++digits > 9) return NULL;
    n = n * 10 + (size_t)(c - '0');
  }
  char *text = malloc(n + 1);
  for (size_t got = 0; text && got < n;) {
    ssize_t r = read(0, text + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      free(text);
      return NULL;
    }
    got += (size_t)r;
  }
  *len = n;
  return text;
}

/*
 * The engine's socket, forwarded by ssh; its name goes once connected (nothing else can connect to
 * it). `fd:N`: a connection already open (a Slurm step's, slurm-step.c). -1: use stderr.
 */
static int connectControl(const char *path) {
  if (strncmp(path, "fd:", 3) == 0) {
    int fd = atoi(path + 3);
    return fd > 2 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 ? fd : -1;
  }
  if (strcmp(path, "-") == 0) return -1;
  int fd = connectUnix(path);
  unlink(path);
  return fd;
}

/*
 * In the child: `from[k]` onto fd `to[k]`, every source first moved above every target, so none is
 * overwritten; then every other fd from 3 up to `highest` (the watcher's) is closed: the segment keeps only its own.
 */
static void placeFds(int n, const int *from, const int *to, int highest) {
  int top = 3;
  for (int k = 0; k < n; k++)
    if (to[k] > top) top = to[k];
  int *high = malloc(sizeof *high * (size_t)n);
  if (!high) _exit(70);
  for (int k = 0; k < n; k++)
    if ((high[k] = fcntl(from[k], F_DUPFD_CLOEXEC, top + 1)) < 0) _exit(70);
  for (int k = 0; k < n; k++)
    if (dup2(high[k], to[k]) < 0) _exit(70);
  for (int k = 0; k < n; k++)
    if (high[k] > highest) highest = high[k];
  for (int fd = 3; fd <= highest; fd++) {
    int target = 0;
    for (int k = 0; k < n; k++) target |= to[k] == fd;
    if (!target) close(fd);
  }
  free(high);
}

int hostMain(const char *ctl) {
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  size_t len = 0;
  char *text = readFramedPlan(&len);
  SegmentPlan plan;
  char err[256];
  if (!text) {
    fprintf(stderr, "pw-segment: no plan ahead of the data on stdin\n");
    return 2;
  }
  /* Parsed once: the segment, forked below, runs this plan (its strings point into `text`). */
  if (planParse(text, len, &plan, err, sizeof err) != 0) {
    fprintf(stderr, "pw-segment: %s\n", err);
    return 2;
  }
  int sock = connectControl(ctl);
  if (sock >= 0) out = requests = sock;

  /* The segment's fds: 2 its own stderr, 3 its reports, each stage's stderr fd, and its input fd: our stdin. */
  int n = plan.stages + 2, room = n + plan.stages + plan.copies, k = 0;
  Source *src = calloc((size_t)n, sizeof *src);
  int *from = malloc(sizeof *from * (size_t)room), *to = malloc(sizeof *to * (size_t)room);
  if (!src || !from || !to) return 70;
  for (int i = 0; i < n; i++) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return 70;
    src[i] = (Source){.fd = p[0], .tag = i == 0 ? 'c' : i == 1 ? 'b' : 'e', .id = i < 2 ? 0 : plan.stage[i - 2].id};
    from[k] = p[1], to[k++] = i == 0 ? 3 : i == 1 ? 2 : plan.stage[i - 2].errFd;
  }
  int input = fcntl(0, F_DUPFD_CLOEXEC, 0);
  for (int i = 0; i < plan.stages; i++)
    if (plan.stage[i].in.kind == endFd) from[k] = input, to[k++] = plan.stage[i].in.n;
  for (int i = 0; i < plan.copies; i++)
    if (plan.copy[i].in.kind == endFd) from[k] = input, to[k++] = plan.copy[i].in.n;

  pid_t child = fork();
  if (child < 0) return 70;
  if (child == 0) {
    setpgid(0, 0);
    int highest = sock;
    for (int i = 0; i < n; i++)
      if (src[i].fd > highest) highest = src[i].fd;
    for (int j = 0; j < k; j++)
      if (from[j] > highest) highest = from[j];
    placeFds(k, from, to, highest);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    _exit(segmentMain(getppid(), 1, &plan));
  }
  group = child;
  setpgid(child, child);
  for (int j = 0; j < k; j++)
    if (from[j] != input) close(from[j]);
  close(input);
  /* Nothing of the session's data is ours to read or write: the stages have it. */
  int devNull = open("/dev/null", O_RDWR);
  dup2(devNull, 0);
  dup2(devNull, 1);
  if (devNull > 1) close(devNull);

  struct pollfd *fds = malloc(sizeof *fds * (size_t)(n + 2));
  if (!fds) return 70;
  int open = n, ended = 0, status = 0;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  long long next = 0;
  while (open > 0) {
    int m = 0;
    fds[m++] = (struct pollfd){.fd = 2, .events = 0};
    fds[m++] = (struct pollfd){.fd = requests, .events = POLLIN};
    for (int i = 0; i < n; i++) fds[m++] = (struct pollfd){.fd = src[i].fd, .events = POLLIN};
    clock_gettime(CLOCK_MONOTONIC, &t);
    long long nowMs = (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
    if (nowMs >= next) {
      sample();
      next = nowMs + 250;
    }
    int ready = poll(fds, (nfds_t)m, (int)(next - nowMs));
    if (ready < 0 && errno != EINTR) hangup();
    if (ready > 0 && (fds[0].revents & (POLLERR | POLLHUP))) hangup();
    if (ready > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) readRequests();
    for (int i = 0; ready > 0 && i < n; i++)
      if (src[i].fd >= 0 && (fds[i + 2].revents & (POLLIN | POLLHUP | POLLERR)) && !drain(&src[i])) open--;
    int ws;
    if (!ended && waitpid(child, &ws, WNOHANG) == child) {
      ended = 1;
      status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
      /* What a stage left behind in the group holds our pipes: end it, as the engine does locally. */
      kill(-group, SIGKILL);
    }
  }
  if (!ended && waitpid(child, &status, 0) == child) status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  char end[16];
  int w = snprintf(end, sizeof end, "%d", status);
  say("x ", end, (size_t)w);
  awaitEngineEnd();
  for (int i = 0; i < n; i++) free(src[i].buf);
  free(src);
  free(from);
  free(to);
  free(fds);
  planFree(&plan);
  free(text);
  return status;
}
