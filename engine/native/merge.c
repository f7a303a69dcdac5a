/*
 * The fan-in of a graph (docs/engine.md, "Graphs"), forked by pw-segment for each `merge` of its
 * plan: merges whole lines from its inputs onto fd 1, in arrival order, never splicing a line
 * from two inputs whatever its size (a partial line waits in its input's buffer until its
 * newline comes). A last line without a newline gets one, so the next input's line cannot join
 * it. Ends when every input has ended; when its reader is gone it dies of SIGPIPE like any stage,
 * which closes its inputs for the writers upstream.
 */
#include "merge.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "segment.h"

enum { chunk = 1 << 16 };

typedef struct {
  int fd;
  char *held;
  size_t len, cap;
} Input;

/* Onto the merged output; a failure other than EPIPE (SIGPIPE has ended us then) ends the merger. */
static void emit(const char *p, size_t n) {
  if (!writeAll(1, p, n)) _exit(1);
}

/* Keeps `n` bytes at `p` after what the input holds. */
static int hold(Input *in, const char *p, size_t n) {
  if (n == 0) return 0;
  if (in->len + n > in->cap) {
    size_t cap = in->cap ? in->cap : chunk;
    while (cap < in->len + n) cap *= 2;
    char *grown = realloc(in->held, cap);
    if (!grown) return -1;
    in->held = grown;
    in->cap = cap;
  }
  memcpy(in->held + in->len, p, n);
  in->len += n;
  return 0;
}

/* The last newline of `n` bytes at `p`, or NULL (memrchr is a GNU extension). */
static char *lastNewline(char *p, size_t n) {
  while (n > 0)
    if (p[--n] == '\n') return p + n;
  return NULL;
}

int mergeLines(int n, const int *fds) {
  signal(SIGPIPE, SIG_DFL);
  static char buf[chunk];
  Input *in = calloc((size_t)n, sizeof *in);
  struct pollfd *p = calloc((size_t)n, sizeof *p);
  if (!in || !p) return 70;
  for (int k = 0; k < n; k++) in[k].fd = fds[k];
  for (int live = n; live > 0;) {
    for (int k = 0; k < n; k++) p[k] = (struct pollfd){.fd = in[k].fd, .events = POLLIN};
    if (poll(p, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    for (int k = 0; k < n; k++) {
      if (in[k].fd < 0 || !p[k].revents) continue;
      ssize_t got = read(in[k].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        close(in[k].fd);
        in[k].fd = -1; /* poll skips it */
        live--;
        if (in[k].len > 0 && hold(&in[k], "\n", 1) == 0) emit(in[k].held, in[k].len);
        in[k].len = 0;
        continue;
      }
      char *nl = lastNewline(buf, (size_t)got);
      if (!nl) {
        if (hold(&in[k], buf, (size_t)got) != 0) return 70;
        continue;
      }
      size_t whole = (size_t)(nl + 1 - buf);
      /* What the input held, then this chunk up to its last newline; the rest waits. */
      if (in[k].len > 0) emit(in[k].held, in[k].len);
      emit(buf, whole);
      in[k].len = 0;
      if (hold(&in[k], nl + 1, (size_t)got - whole) != 0) return 70;
    }
  }
  for (int k = 0; k < n; k++) free(in[k].held);
  free(in);
  free(p);
  return 0;
}
