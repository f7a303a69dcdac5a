/*
 * The copier of an edge (docs/engine.md, "Edges"), forked by pw-segment (segment.c) for each
 * `copy` of its plan: passes every byte from fd 0 to each reader and, when counted, counts bytes
 * and records (lines; a last line without a newline counts at the end) of each reader's edge.
 *
 *   edgeCopy(n, edge, fds, counted): reader k is fd fds[k], reported as edge edge[k] on fd 3:
 *   `edge ID RECORDS BYTES` at most every 100 ms while data flows, and `edge ID RECORDS BYTES end`
 *   once the input ended or the reader left. Not counted: a plain fan-out (counts off), no reports.
 *
 * One reader: the bytes are not copied through this process: tee(2) duplicates the pipe's pages
 * into a private pipe that is read to count, and splice(2) moves the pages on to the next stage.
 * Several: read once, write to each, as GNU tee does, counting what each reader got (tee(2)
 * cannot finish a partial copy to a slow reader, so there is no zero-copy way). The slowest
 * reader paces the writer; a reader that is gone is dropped (its edge ends) and the others go on;
 * when every reader is gone the input is closed and the writer gets SIGPIPE: stopped early.
 * Once an edge has moved growAfter bytes its pipes are enlarged to 256 KiB (F_SETPIPE_SZ): fewer
 * wake-ups of everyone on a few cores for a bulk stream. Not before: while the pipes are small,
 * every stage soon blocks on a full pipe, so an early stop (`| head`) finds few runnable
 * processes in its way; with 256 KiB from the start it took 3× as long to reach the source.
 * When the reader goes away the copier closes its input at once (the writer then gets
 * SIGPIPE, exactly as if it wrote to the reader itself), reports what got through and exits;
 * while its input is idle it waits in poll(2) on every end, so it notices even then.
 * Built with -DPIPEWRIGHT_PORTABLE it leaves tee/splice and F_SETPIPE_SZ out: the read/write
 * path a kernel without them takes (docs/engine.md, "Porting").
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

#include "count.h"

enum { chunk = 1 << 18, reportMs = 100, growAfter = 4 << 20 };
static char buf[chunk];

/* One reader of the input: what it got. */
typedef struct {
  int id;
  int fd;
  unsigned long long records, bytes, reportedBytes;
  int lastWasNewline, gone;
} Edge;

static Edge *edges;
static int nEdges, live, reporting;
/* poll's array (the input, then every reader) and which edge each entry is. */
static struct pollfd *polled;
static int *polledEdge;
static long long lastReport;

static long long nowMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void report(Edge *e, int end) {
  char line[128];
  e->reportedBytes = e->bytes;
  if (!reporting) return;
  /* A last line without a newline is a record once the edge has ended. */
  unsigned long long n = e->records + (end && !e->lastWasNewline ? 1 : 0);
  int len = snprintf(line, sizeof line, "edge %d %llu %llu%s\n", e->id, n, e->bytes, end ? " end" : "");
  while (write(3, line, (size_t)len) < 0 && errno == EINTR) {
  }
}

static int unreported(void) {
  for (int k = 0; k < nEdges; k++)
    if (!edges[k].gone && edges[k].reportedBytes != edges[k].bytes) return 1;
  return 0;
}

static void reportDue(void) {
  if (nowMs() - lastReport < reportMs) return;
  for (int k = 0; k < nEdges; k++)
    if (!edges[k].gone && edges[k].reportedBytes != edges[k].bytes) report(&edges[k], 0);
  lastReport = nowMs();
}

static void count(Edge *e, const char *p, size_t n) {
  const char *end = p + n;
  while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
    e->records++;
    p++;
  }
  if (n > 0) e->lastWasNewline = end[-1] == '\n';
  e->bytes += n;
}

/* The reader of e is gone: once no reader is left, hang up on the writer first, so the stop travels on at once. */
static void drop(Edge *e) {
  e->gone = 1;
  if (--live == 0) close(0);
  report(e, 1);
  close(e->fd);
}

/*
 * Blocks until the input has data or has ended (1), or no reader is left (0): a pipe's write end
 * reports POLLERR once its last reader is gone, so the counter notices at once even while its
 * writer is idle, and the writer gets SIGPIPE on its next write, as if it wrote to the reader
 * itself. Data counted since the last report waits at most reportMs for it.
 */
static int waitForInput(void) {
  struct pollfd *p = polled;
  for (;;) {
    int n = 1;
    p[0] = (struct pollfd){.fd = 0, .events = POLLIN};
    for (int k = 0; k < nEdges; k++) {
      if (edges[k].gone) continue;
      polledEdge[n] = k;
      p[n++] = (struct pollfd){.fd = edges[k].fd, .events = 0};
    }
    long long left = lastReport + reportMs - nowMs();
    int r = poll(p, (nfds_t)n, unreported() ? (left > 0 ? (int)left : 0) : -1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return 1;
    if (r == 0) {
      reportDue();
      continue;
    }
    for (int j = 1; j < n; j++)
      if (p[j].revents & (POLLERR | POLLHUP)) drop(&edges[polledEdge[j]]);
    if (live == 0) return 0;
    if (p[0].revents) return 1;
  }
}

static void writeAll(Edge *e, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(e->fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      drop(e);
      return;
    }
    count(e, p, (size_t)w);
    p += w;
    n -= (size_t)w;
  }
}

static void grow(int fd) {
#ifndef PIPEWRIGHT_PORTABLE
  fcntl(fd, F_SETPIPE_SZ, chunk);
#else
  (void)fd;
#endif
}

/* Several readers, or an input that is not a pipe: read, then write to each and count what it took. */
static void copyLoop(void) {
  unsigned long long in = 0;
  for (;;) {
    if (!waitForInput()) return;
    ssize_t n = read(0, buf, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    for (int k = 0; k < nEdges; k++)
      if (!edges[k].gone) writeAll(&edges[k], buf, (size_t)n);
    if (live == 0) return;
    if (in < growAfter && (in += (unsigned long long)n) >= growAfter) {
      grow(0);
      for (int k = 0; k < nEdges; k++)
        if (!edges[k].gone) grow(edges[k].fd);
    }
    reportDue();
  }
}

/* One reader: tee(2) the input's pages into a private pipe to count them, splice(2) them on. */
#ifndef PIPEWRIGHT_PORTABLE
static void spliceLoop(void) {
  Edge *e = &edges[0];
  int grown = 0;
  int dup[2];
  if (pipe(dup) != 0) {
    copyLoop();
    return;
  }
  grow(dup[1]);
  for (;;) {
    /* Non-blocking: an empty input is waited for in poll, which also sees the reader leave. */
    ssize_t n = tee(0, dup[1], chunk, SPLICE_F_NONBLOCK);
    if (n < 0 && errno == EAGAIN) {
      if (!waitForInput()) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      copyLoop();
      return;
    }
    if (n == 0) return;
    /* Move the n duplicated bytes on; count what was moved, drop the rest of the copy. */
    ssize_t moved = 0;
    while (moved < n) {
      ssize_t m = splice(0, NULL, e->fd, NULL, (size_t)(n - moved), 0);
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
      count(e, buf, (size_t)r);
      done += r;
    }
    if (moved < n) {
      e->gone = 1;
      live = 0;
      report(e, 1);
      return;
    }
    if (!grown && e->bytes >= growAfter) {
      grow(0);
      grow(e->fd);
      grown = 1;
    }
    reportDue();
  }
}
#endif

int edgeCopy(int n, const int *edge, const int *fds, int counted) {
  signal(SIGPIPE, SIG_IGN);
  reporting = counted;
  lastReport = nowMs();
  edges = calloc((size_t)n, sizeof *edges);
  polled = calloc((size_t)n + 1, sizeof *polled);
  polledEdge = calloc((size_t)n + 1, sizeof *polledEdge);
  if (!edges || !polled || !polledEdge) return 70;
  for (int k = 0; k < n; k++) edges[nEdges++] = (Edge){.id = edge[k], .fd = fds[k], .lastWasNewline = 1};
  live = n;
#ifndef PIPEWRIGHT_PORTABLE
  if (nEdges == 1) spliceLoop();
  else
#endif
    copyLoop();
  close(0);
  for (int k = 0; k < nEdges; k++)
    if (!edges[k].gone) report(&edges[k], 1);
  return 0;
}
