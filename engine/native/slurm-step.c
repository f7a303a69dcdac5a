/*
 * `pw-segment --slurm-step`: what runs in a Slurm job step (docs/remote.md#slurm), exec'd by a few
 * lines of sh (engine/slurm.ts) that found this program in the node's cache folder, or installed it
 * there from srun's stdin. __PW_SLURM_BACK is the line the local end (slurm-local.c) wrote on
 * srun's stdin, `ADDRESS PORT TOKEN` (in the environment of this process only, never on a command
 * line). The step connects back three times, each connection starting with `TOKEN KIND JOB STEP NODE`:
 *
 *   i  the segment's input: the framed plan (as over ssh), then the data
 *   o  the segment's output
 *   c  the control stream of the watcher (reports, stderr, samples one way; signal requests the other)
 *
 * Then it is the watcher of the segment, `--host fd:N` (host.c), exactly as over ssh, with the
 * connections themselves as the stages' input and output: no relay in the step, nothing copied
 * here. The first stage reads `i` (the local end's shutdown for writing is its EOF); the last
 * stage writes `o`, which the local end shut down for writing as soon as it came, so a write after
 * the local reader has gone fails with EPIPE and SIGPIPE, as into a pipe whose reader has gone (a
 * socket the peer closed while it was still open both ways gives ECONNRESET instead). What the
 * stages wrote is in the kernel's buffer when the segment ends; it goes out after the step has ended.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host.h"
#include "slurm.h"

static const char *node = "-";

/* A connection back to the local end, said to be `kind`; exits 70 naming the node when it cannot be made. */
static int back(const struct sockaddr_storage *sa, socklen_t len, const char *address, int port, const char *hello, char kind) {
  int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (const struct sockaddr *)sa, len) != 0) {
    fprintf(stderr, "pipewright: the step on %s cannot connect back to %s:%d: %s\n", node, address, port, strerror(errno));
    exit(70);
  }
  int one = 1;
  if (kind == 'c') setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  size_t n = strlen(hello);
  if (write(fd, hello, n) != (ssize_t)n) {
    fprintf(stderr, "pipewright: the step on %s lost its connection to %s:%d: %s\n", node, address, port, strerror(errno));
    exit(70);
  }
  return fd;
}

int slurmStepMain(void) {
  const char *line = getenv("__PW_SLURM_BACK");
  char address[128], token[80];
  int port = 0;
  if (!line || sscanf(line, "%127s %d %79s", address, &port, token) != 3 || port <= 0 || port > 65535) {
    fprintf(stderr, "pipewright: the step got no address to connect back to (__PW_SLURM_BACK)\n");
    return 2;
  }
  /* Its stages get the environment srun gave the step, without the token. */
  unsetenv("__PW_SLURM_BACK");
  const char *job = getenv("SLURM_JOB_ID"), *step = getenv("SLURM_STEP_ID"), *name = getenv("SLURMD_NODENAME");
  if (name) node = name;
  struct sockaddr_storage sa;
  socklen_t len = slurmAddress(address, port, &sa);
  if (len == 0) {
    fprintf(stderr, "pipewright: the step cannot use %s as an address to connect back to\n", address);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  int conn[3];
  const char kinds[] = "ioc";
  for (int k = 0; k < 3; k++) {
    char hello[512];
    snprintf(hello, sizeof hello, "%s %c %s %s %s\n", token, kinds[k], job ? job : "-", step ? step : "-", node);
    conn[k] = back(&sa, len, address, port, hello, kinds[k]);
  }
  /* The watcher's stdin and stdout are the stages' connections; it hands them on and keeps none. */
  if (dup2(conn[0], 0) < 0 || dup2(conn[1], 1) < 0) return 70;
  close(conn[0]);
  close(conn[1]);
  char ctl[32];
  snprintf(ctl, sizeof ctl, "fd:%d", conn[2]);
  return hostMain(ctl);
}
