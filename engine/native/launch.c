/*
 * `pw-segment --launch PARENT_PID PROGRAM ARG…`: how the engine starts a process that must not
 * outlive it and is not a segment (a host's ssh, engine/remote.ts): the child subreaper and the
 * parent-death signal (SIGHUP when the engine dies, however it dies), then exec. If the engine died
 * before the prctl took effect, its parent is no longer PARENT_PID: exit 129, as a segment does.
 */
#define _GNU_SOURCE
#include "launch.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int launchMain(int argc, char **argv) {
  char *end = NULL;
  long parent = argc >= 4 ? strtol(argv[2], &end, 10) : 0;
  if (argc < 4 || *end != '\0' || parent <= 0) {
    fprintf(stderr, "usage: pw-segment --launch PARENT_PID PROGRAM [ARG…]\n");
    return 2;
  }
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  prctl(PR_SET_PDEATHSIG, SIGHUP, 0, 0, 0);
  if (getppid() != (pid_t)parent) return 129;
  execvp(argv[3], argv + 3);
  int e = errno;
  fprintf(stderr, "pipewright: cannot start %s: %s\n", argv[3], strerror(e));
  return e == ENOENT ? 127 : 126;
}
