/*
 * A process's /proc files, read whole in one read(2) (they are small and made at open time). Built
 * with -DPIPEWRIGHT_PORTABLE there is no /proc: every file reads as empty, and the callers report
 * zeros (live samples absent; the final CPU and peak memory still come from wait4).
 */
#define _GNU_SOURCE
#include "proc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

size_t procFile(pid_t pid, const char *name, char *text, size_t n) {
  text[0] = '\0';
#ifdef PIPEWRIGHT_PORTABLE
  (void)pid;
  (void)name;
  (void)n;
  return 0;
#else
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t got = read(fd, text, n - 1);
  close(fd);
  text[got > 0 ? got : 0] = '\0';
  return got > 0 ? (size_t)got : 0;
#endif
}

unsigned long long procField(const char *text, const char *name) {
  const char *at = strstr(text, name);
  return at ? strtoull(at + strlen(name), NULL, 10) : 0;
}
