/*
 * The record counter of one edge (docs/engine.md, "Edges"): a pipeline element between two
 * stages that passes every byte from fd 0 to fd 1 and counts bytes and records (lines; a last
 * line without a newline counts at the end). Built by scripts/build.ts when a C compiler is
 * there; engine/edge-count.pl does the same in perl otherwise.
 *
 *   edge-count ID    reports on fd 3:  `edge ID RECORDS BYTES` at most every 100 ms while data
 *                    flows, and `edge ID RECORDS BYTES end` once the input ended or the reader left.
 *
 * The bytes are not copied through this process: tee(2) duplicates the pipe's pages into a
 * private pipe that is read to count, and splice(2) moves the pages on to the next stage. Once
 * an edge has moved growAfter bytes its pipes are enlarged to 256 KiB (F_SETPIPE_SZ): fewer
 * wake-ups of everyone on a few cores for a bulk stream. Not before: while the pipes are small,
 * every stage soon blocks on a full pipe, so an early stop (`| head`) finds few runnable
 * processes in its way; with 256 KiB from the start it took 3× as long to reach the source.
 * When the reader goes away the counter closes its input at once (the writer then gets
 * SIGPIPE, exactly as if it wrote to the reader itself), reports what got through and exits;
 * while its input is idle it waits in poll(2) on both ends, so it notices even then.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { chunk = 1 << 18, reportMs = 100, growAfter = 4 << 20 };
static char buf[chunk];
static const char *id;
static unsigned long long records, bytes, reportedBytes;
static int lastWasNewline = 1;
static long long lastReport;

static long long nowMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void report(int end) {
  char line[96];
  /* A last line without a newline is a record once the edge has ended. */
  unsigned long long n = records + (end && !lastWasNewline ? 1 : 0);
  int len = snprintf(line, sizeof line, "edge %s %llu %llu%s\n", id, n, bytes, end ? " end" : "");
  while (write(3, line, (size_t)len) < 0 && errno == EINTR) {
  }
  reportedBytes = bytes;
  lastReport = nowMs();
}

static void count(const char *p, size_t n) {
  const char *e = p + n;
  while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
    records++;
    p++;
  }
  if (n > 0) lastWasNewline = e[-1] == '\n';
  bytes += n;
}

/*
 * Blocks until the input has data or has ended (1), or the reader of the output left (0): a
 * pipe's write end reports POLLERR once its last reader is gone, so the counter leaves at once
 * even while its writer is idle, and the writer gets SIGPIPE on its next write, as if it wrote
 * to the reader itself. Data counted since the last report waits at most reportMs for it.
 */
static int waitForInput(void) {
  struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = 1, .events = 0}};
  for (;;) {
    long long left = lastReport + reportMs - nowMs();
    int r = poll(p, 2, reportedBytes == bytes ? -1 : left > 0 ? (int)left : 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return 1;
    if (r == 0) {
      report(0);
      continue;
    }
    if (p[1].revents & (POLLERR | POLLHUP)) return 0;
    return 1;
  }
}

static int writeAll(const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(1, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -1;
    count(p, (size_t)w);
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Without tee (an input that is not a pipe): read, count, write. */
static void copyLoop(void) {
  for (;;) {
    if (!waitForInput()) return;
    ssize_t n = read(0, buf, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || writeAll(buf, (size_t)n) < 0) return;
    if (nowMs() - lastReport >= reportMs) report(0);
  }
}

int main(int argc, char **argv) {
  id = argc > 1 ? argv[1] : "0";
  signal(SIGPIPE, SIG_IGN);
  int grown = 0;
  lastReport = nowMs();
  int dup[2];
  if (pipe(dup) == 0) fcntl(dup[1], F_SETPIPE_SZ, chunk);
  else dup[0] = dup[1] = -1;
  for (;;) {
    /* Non-blocking: an empty input is waited for in poll, which also sees the reader leave. */
    ssize_t n = dup[1] < 0 ? -1 : tee(0, dup[1], chunk, SPLICE_F_NONBLOCK);
    if (n < 0 && errno == EAGAIN) {
      if (!waitForInput()) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      copyLoop();
      break;
    }
    if (n == 0) break;
    /* Move the n duplicated bytes on; count what was moved, drop the rest of the copy. */
    ssize_t moved = 0;
    while (moved < n) {
      ssize_t m = splice(0, NULL, 1, NULL, (size_t)(n - moved), 0);
      if (m < 0 && errno == EINTR) continue;
      if (m <= 0) break;
      moved += m;
    }
    /* The reader left: hang up on the writer before counting, so the stop travels on at once. */
    if (moved < n) close(0);
    for (ssize_t done = 0; done < moved;) {
      ssize_t r = read(dup[0], buf, (size_t)(moved - done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      count(buf, (size_t)r);
      done += r;
    }
    if (moved < n) break;
    if (!grown && bytes >= growAfter) {
      fcntl(0, F_SETPIPE_SZ, chunk);
      fcntl(1, F_SETPIPE_SZ, chunk);
      grown = 1;
    }
    if (nowMs() - lastReport >= reportMs) report(0);
  }
  close(0);
  report(1);
  return 0;
}
