/*
 * The relays of a segment on a Slurm cluster (docs/remote.md#slurm), at its local end
 * (slurm-local.c): the engine's pipe into the step's input connection, the output connection into
 * the engine's pipe. In the step there are none: its stages read and write the connections
 * themselves (slurm-step.c).
 *
 * A relay copies FROM into TO until FROM ends (TO is then shut down for writing: its reader sees
 * the end) or TO fails (it exits, and FROM closes with it: its writer sees that). The bytes move
 * with splice(2), not through this process: straight when one end is a pipe, else through a 1 MiB
 * pipe of its own (socket to socket); where the kernel refuses splice on an fd, and in the portable
 * build, with read and write.
 */
#define _GNU_SOURCE
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "segment.h"

enum { chunk = 1 << 20, growAfter = 4 << 20 };

/*
 * Once a stream has moved growAfter bytes, the pipes at its ends (those that are pipes) are
 * enlarged to 1 MiB: half the time for a bulk stream through the step on two cores, as fewer
 * wake-ups of the processes in its way. Not before, as in count.c: small pipes keep an early
 * stop quick.
 */
static void grow(int from, int to, unsigned long long *moved, ssize_t n) {
#ifndef PIPEWRIGHT_PORTABLE
  if (*moved < growAfter && (*moved += (unsigned long long)n) >= growAfter) {
    fcntl(from, F_SETPIPE_SZ, chunk);
    fcntl(to, F_SETPIPE_SZ, chunk);
  }
#else
  (void)from, (void)to, (void)moved, (void)n;
#endif
}

/* 1 when `from` ended, 0 when `to` failed. */
static int copy(int from, int to) {
  unsigned long long moved = 0;
#ifndef PIPEWRIGHT_PORTABLE
  /* One end a pipe (the engine's side of the local end): straight from one to the other. */
  for (;;) {
    ssize_t n = splice(from, NULL, to, NULL, chunk, SPLICE_F_MOVE | SPLICE_F_MORE);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EINVAL && moved == 0) break; /* neither is a pipe */
    if (n > 0) {
      grow(from, to, &moved, n);
      continue;
    }
    if (n == 0) return 1;
    /* EPIPE or a reset: `to` failed; anything else on `from` is its end. */
    return errno == EPIPE || errno == ECONNRESET ? 0 : 1;
  }
  int p[2];
  if (pipe(p) == 0) {
    fcntl(p[1], F_SETPIPE_SZ, chunk);
    for (;;) {
      ssize_t n = splice(from, NULL, p[1], NULL, chunk, SPLICE_F_MOVE | SPLICE_F_MORE);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EINVAL) break; /* the pipe is empty: read and write take over */
      if (n <= 0) return 1;
      grow(from, to, &moved, n);
      while (n > 0) {
        ssize_t m = splice(p[0], NULL, to, NULL, (size_t)n, SPLICE_F_MOVE | SPLICE_F_MORE);
        if (m < 0 && errno == EINTR) continue;
        if (m <= 0) return 0;
        n -= m;
      }
    }
  }
#endif
  char *buf = malloc(chunk);
  if (!buf) return 0;
  for (;;) {
    ssize_t n = read(from, buf, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 1;
    grow(from, to, &moved, n);
    if (!writeAll(to, buf, (size_t)n)) return 0;
  }
}

pid_t relayStart(int from, int to) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
  signal(SIGPIPE, SIG_IGN);
  /* Only its two ends: a copy of another end held here would keep that end's reader from seeing it close. */
  int in = fcntl(from, F_DUPFD, 3), out = fcntl(to, F_DUPFD, 3), keep[2] = {in, out};
  if (in < 0 || out < 0) _exit(70);
  closeExcept(3, keep, 2);
  int devNull = open("/dev/null", O_RDWR);
  dup2(devNull, 0);
  dup2(devNull, 1);
  if (devNull > 2) close(devNull);
  if (copy(in, out)) shutdown(out, SHUT_WR);
  _exit(0);
}
