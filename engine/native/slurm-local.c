/*
 * `pw-segment --slurm-local SRUN ARG…`: the engine's side of a segment on a Slurm cluster
 * (docs/remote.md#slurm, docs/engine-protocol.md "On a Slurm cluster"). To engine/remote.ts it is
 * what `ssh` is to a segment on an ssh host: its stdin and stdout are the segment's data, its
 * stderr carries its own lines and srun's, and the control stream goes to the engine's Unix socket
 * (__PW_CTL_LOCAL; without one, onto stderr). It listens on __PW_SLURM_ADDR (a numeric address, a
 * port of its own), starts srun with its arguments (the step runs sh, then `pw-segment
 * --slurm-step`) and writes srun's stdin one line: that address, the port and a random token. The
 * step connects back three times (input, output, control), each presenting the token; until the
 * control connection comes, the segment is waiting for Slurm. Its lines on stderr tell the engine:
 *
 *   \x01q JOB            srun said the job is queued
 *   \x01r JOB.STEP NODE  the step runs (it connected back)
 *
 * When the step's sh asks `\x01n TARGET` (its node has no valid pw-segment of this version), the
 * bytes of that build (__PW_SLURM_PROGRAMS: `TARGET=FILE …`) follow on srun's stdin, which then ends.
 * Then two relays (relay.c) move the data pipe ⇄ socket, and the control stream is copied both
 * ways here. SIGTERM, SIGINT, SIGHUP (cancel, the engine ending it, the engine's death): scancel
 * the job by its name (__PW_SLURM_NAME; in a process group of its own, so that the SIGKILL that
 * follows on ours spares it), SIGTERM srun and the relays, exit 143. Otherwise it exits with srun's status.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay.h"
#include "segment.h"
#include "slurm.h"

enum { maxHellos = 16, tokenBytes = 16 };

/* A connection that has not said who it is yet. */
typedef struct {
  int fd;
  size_t len;
  char line[slurmHelloMax];
} Hello;

static pid_t srun = -1, relays[2] = {-1, -1};
static const char *jobName;
static int signalled[2] = {-1, -1};
/* srun's stdout and stderr, cut into lines. */
static int srunOut = -1, srunIn = -1;
static char said[65536];
static size_t saidLen;
static const char *programs;
static char *addrCopy, *localCopy;

socklen_t slurmAddress(const char *text, int port, struct sockaddr_storage *sa) {
  memset(sa, 0, sizeof *sa);
  struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((unsigned short)port);
    return sizeof *v4;
  }
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((unsigned short)port);
    return sizeof *v6;
  }
  return 0;
}

static void sayLine(const char *text, size_t n) {
  char *line = malloc(n + 1);
  if (!line) return;
  memcpy(line, text, n);
  line[n] = '\n';
  writeAll(2, line, n + 1);
  free(line);
}

static void onSignal(int sig) {
  (void)sig;
  char b = 1;
  ssize_t w = write(signalled[1], &b, 1);
  (void)w;
}

/* Cancel, the engine ending it or dying: the job goes from the queue, srun and the relays end. */
static void cancelAndExit(void) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int devNull = open("/dev/null", O_RDWR);
    dup2(devNull, 1);
    dup2(devNull, 2);
    char name[512];
    snprintf(name, sizeof name, "--name=%s", jobName);
    execlp("scancel", "scancel", "--quiet", name, (char *)NULL);
    _exit(0);
  }
  if (srun > 0) kill(srun, SIGTERM);
  for (int k = 0; k < 2; k++)
    if (relays[k] > 0) kill(relays[k], SIGTERM);
  _exit(143);
}

/* `\x01n TARGET`: that build's bytes on srun's stdin, then its end (the step's sh checks them against the checksum it was given). */
static void sendProgram(const char *target) {
  size_t t = strlen(target);
  for (const char *p = programs; p && *p;) {
    const char *end = strchr(p, ' ');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n > t + 1 && strncmp(p, target, t) == 0 && p[t] == '=') {
      char file[4096];
      snprintf(file, sizeof file, "%.*s", (int)(n - t - 1), p + t + 1);
      int fd = open(file, O_RDONLY | O_CLOEXEC);
      char buf[65536];
      ssize_t got;
      while (fd >= 0 && (got = read(fd, buf, sizeof buf)) > 0)
        if (!writeAll(srunIn, buf, (size_t)got)) break;
      if (fd >= 0) close(fd);
      break;
    }
    p = end ? end + 1 : p + n;
  }
  close(srunIn);
  srunIn = -1;
}

/* One of srun's lines: passed on, a queued job also told as `q`; the step's `n` request answered, not passed on. */
static void srunLine(char *line, size_t n) {
  line[n] = '\0';
  if (strncmp(line, "\x01n ", 3) == 0) {
    if (srunIn >= 0) sendProgram(line + 3);
    return;
  }
  const char *queued = strstr(line, "job ");
  unsigned long job;
  char rest[64];
  if (queued && sscanf(queued, "job %lu %63[^\n]", &job, rest) == 2 && strncmp(rest, "queued and waiting for resources", 32) == 0) {
    char q[64];
    sayLine(q, (size_t)snprintf(q, sizeof q, "\x01q %lu", job));
  }
  sayLine(line, n);
}

/* Reads what srun said; 0 at its end (a last line without a newline passed on). */
static int srunLines(void) {
  ssize_t got = read(srunOut, said + saidLen, sizeof said - 1 - saidLen);
  if (got < 0 && errno == EINTR) return 1;
  if (got <= 0) {
    if (saidLen > 0) srunLine(said, saidLen);
    saidLen = 0;
    close(srunOut);
    srunOut = -1;
    return 0;
  }
  saidLen += (size_t)got;
  size_t start = 0;
  for (size_t k = 0; k < saidLen; k++)
    if (said[k] == '\n') {
      srunLine(said + start, k - start);
      start = k + 1;
    }
  memmove(said, said + start, saidLen - start);
  saidLen -= start;
  if (saidLen == sizeof said - 1) { /* a line too long to hold: passed on in pieces */
    srunLine(said, saidLen);
    saidLen = 0;
  }
  return 1;
}

static int finish(void) {
  int ws = 0;
  while (waitpid(srun, &ws, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* srun, with its stdin and its stdout and stderr on pipes of ours. */
static int startSrun(char **argv) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return -1;
  srun = fork();
  if (srun < 0) return -1;
  if (srun == 0) {
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    execvp(argv[0], argv);
    dprintf(2, "pipewright: cannot start %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  srunIn = in[1];
  srunOut = out[0];
  return 0;
}

/*
 * What a connection has said so far: when it is a hello line (slurm-hello.c) with the step's token
 * and of a kind that has not come yet, the connection becomes the segment's input (i), output (o)
 * or control (c); not one, or a kind again, it is closed; else more may come.
 */
static void greet(Hello *h, const char *token, int conn[3]) {
  SlurmHello said;
  int verdict = slurmHello(h->line, h->len, token, &said);
  if (verdict == 0) return;
  /* Anyone may connect to the port; only the step knows the token. */
  if (verdict < 0 || conn[said.kind] >= 0) {
    close(h->fd);
  } else {
    conn[said.kind] = h->fd;
    /* Nothing goes to the step on `o`: shut down at once, a write of its stage after this end has gone gets SIGPIPE (slurm-step.c). */
    if (said.kind == 1) shutdown(h->fd, SHUT_WR);
    if (said.kind == 2) {
      char r[sizeof said + 8];
      sayLine(r, (size_t)snprintf(r, sizeof r, "\x01r %s.%s %s", said.job, said.step, said.node));
    }
  }
  h->fd = -1;
}

/* Until the step has connected back three times (0), or srun has ended without it (-1). */
static int awaitStep(int server, const char *token, int conn[3]) {
  Hello hello[maxHellos];
  for (int k = 0; k < maxHellos; k++) hello[k].fd = -1;
  int status = 0;
  while (conn[0] < 0 || conn[1] < 0 || conn[2] < 0) {
    struct pollfd fds[3 + maxHellos];
    fds[0] = (struct pollfd){.fd = signalled[0], .events = POLLIN};
    fds[1] = (struct pollfd){.fd = server, .events = POLLIN};
    fds[2] = (struct pollfd){.fd = srunOut, .events = POLLIN};
    for (int k = 0; k < maxHellos; k++) fds[3 + k] = (struct pollfd){.fd = hello[k].fd, .events = POLLIN};
    if (poll(fds, 3 + maxHellos, -1) < 0) continue;
    if (fds[0].revents) cancelAndExit();
    if (fds[2].revents && !srunLines()) {
      status = -1;
      break;
    }
    if (fds[1].revents & POLLIN) {
      int c = accept4(server, NULL, NULL, SOCK_CLOEXEC);
      int k = 0;
      while (c >= 0 && k < maxHellos && hello[k].fd >= 0) k++;
      if (c >= 0 && k < maxHellos) hello[k] = (Hello){.fd = c, .len = 0};
      else if (c >= 0) close(c);
    }
    for (int k = 0; k < maxHellos; k++) {
      Hello *h = &hello[k];
      if (h->fd < 0 || !fds[3 + k].revents) continue;
      ssize_t got = read(h->fd, h->line + h->len, sizeof h->line - 1 - h->len);
      if (got < 0 && errno == EINTR) continue;
      if (got > 0) h->len += (size_t)got;
      if (got <= 0) {
        close(h->fd);
        h->fd = -1;
      } else {
        greet(h, token, conn);
      }
    }
  }
  for (int k = 0; k < maxHellos; k++)
    if (hello[k].fd >= 0) close(hello[k].fd);
  return status;
}

/* Copies what `from` has to `to` (-1: nowhere); 0 when `from` has ended. */
static int pass(int from, int to) {
  char buf[65536];
  ssize_t got = read(from, buf, sizeof buf);
  if (got < 0 && errno == EINTR) return 1;
  if (got <= 0) return 0;
  if (to >= 0) writeAll(to, buf, (size_t)got);
  return 1;
}

/*
 * The control stream both ways (the step's lines to the engine, its requests to the step), and
 * srun's lines, until srun, the step and the engine's end have all ended. The engine's end last:
 * once the step's stream has ended it is shut down for writing here, and this end stays open,
 * reading whatever requests still come, until the engine closes its end. Closed first from here, a
 * request the engine writes in that moment would fail, and Node drops a connection whose write
 * fails with what it had not read yet: the step's last reports, lost.
 */
static void control(int step, int engine) {
  int stepOpen = 1, engineOpen = engine >= 0;
  while (srunOut >= 0 || stepOpen || engineOpen) {
    struct pollfd fds[4] = {{.fd = signalled[0], .events = POLLIN},
                            {.fd = srunOut, .events = POLLIN},
                            {.fd = stepOpen ? step : -1, .events = POLLIN},
                            {.fd = engineOpen ? engine : -1, .events = POLLIN}};
    if (poll(fds, 4, -1) < 0) continue;
    if (fds[0].revents) cancelAndExit();
    if (fds[1].revents) srunLines();
    if (fds[2].revents && !pass(step, engine >= 0 ? engine : 2)) {
      stepOpen = 0;
      close(step);
      if (engine >= 0) shutdown(engine, SHUT_WR);
    }
    /* The engine closed its end (it ended the segment, or has read the step's stream to its end): the step's watcher ends its stages. */
    if (fds[3].revents && !pass(engine, stepOpen ? step : -1)) {
      engineOpen = 0;
      if (stepOpen) shutdown(step, SHUT_WR);
    }
  }
}

int slurmLocalMain(int argc, char **argv) {
  (void)argc;
  const char *addr = getenv("__PW_SLURM_ADDR"), *local = getenv("__PW_CTL_LOCAL");
  jobName = getenv("__PW_SLURM_NAME");
  programs = getenv("__PW_SLURM_PROGRAMS");
  /* Copied before srun, which passes its environment into the step, gets it without them. */
  addrCopy = addr ? strdup(addr) : NULL;
  localCopy = local ? strdup(local) : NULL;
  jobName = jobName ? strdup(jobName) : "";
  programs = programs ? strdup(programs) : "";
  unsetenv("__PW_SLURM_ADDR");
  unsetenv("__PW_CTL_LOCAL");
  unsetenv("__PW_SLURM_NAME");
  unsetenv("__PW_SLURM_PROGRAMS");
  signal(SIGPIPE, SIG_IGN);

  struct sockaddr_storage sa;
  socklen_t saLen = addrCopy ? slurmAddress(addrCopy, 0, &sa) : 0;
  if (saLen == 0) {
    fprintf(stderr, "pipewright: cannot resolve %s (the `address` of the cluster's host entry)\n", addrCopy ? addrCopy : "(none)");
    return 70;
  }
  int server = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
  if (server >= 0) setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (server < 0 || bind(server, (struct sockaddr *)&sa, saLen) != 0 || listen(server, maxHellos) != 0 ||
      getsockname(server, (struct sockaddr *)&sa, &saLen) != 0) {
    fprintf(stderr, "pipewright: cannot listen on %s: %s\n", addrCopy, strerror(errno));
    return 70;
  }
  int port = ntohs(sa.ss_family == AF_INET ? ((struct sockaddr_in *)&sa)->sin_port : ((struct sockaddr_in6 *)&sa)->sin6_port);

  unsigned char bytes[tokenBytes];
  char token[2 * tokenBytes + 1];
  int random = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (random < 0 || read(random, bytes, sizeof bytes) != (ssize_t)sizeof bytes) {
    fprintf(stderr, "pipewright: /dev/urandom: %s\n", strerror(errno));
    return 70;
  }
  close(random);
  for (int k = 0; k < tokenBytes; k++) snprintf(token + 2 * k, 3, "%02x", bytes[k]);

  if (pipe2(signalled, O_CLOEXEC) != 0) return 70;
  struct sigaction act = {.sa_handler = onSignal};
  sigaction(SIGTERM, &act, NULL);
  sigaction(SIGINT, &act, NULL);
  sigaction(SIGHUP, &act, NULL);
  if (startSrun(argv) != 0) {
    fprintf(stderr, "pipewright: cannot start %s: %s\n", argv[0], strerror(errno));
    return 70;
  }
  char line[256];
  int n = snprintf(line, sizeof line, "%s %d %s\n", addrCopy, port, token);
  if (write(srunIn, line, (size_t)n) != n) {
    /* srun is gone already: its lines say why */
  }

  int conn[3] = {-1, -1, -1};
  if (awaitStep(server, token, conn) != 0) {
    while (srunOut >= 0) srunLines();
    return finish();
  }
  close(server);
  if (srunIn >= 0) close(srunIn);
  srunIn = -1;
  relays[0] = relayStart(0, conn[0]);
  relays[1] = relayStart(conn[1], 1);
  close(conn[0]);
  close(conn[1]);
  int devNull = open("/dev/null", O_RDWR);
  dup2(devNull, 0);
  dup2(devNull, 1);
  if (devNull > 2) close(devNull);
  /* The engine's Unix socket of the control stream; -1 without one (the stream then goes to stderr). */
  int engine = connectUnix(localCopy);
  control(conn[2], engine);
  return finish();
}
