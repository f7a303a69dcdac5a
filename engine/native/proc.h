/* Reading a process's /proc files (proc.c), for the segment's totals and the host watcher's samples. */
#ifndef PIPEWRIGHT_PROC_H
#define PIPEWRIGHT_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* The first `n` - 1 bytes of /proc/PID/NAME, NUL-terminated; returns how many (0: gone, or a build without /proc). */
size_t procFile(pid_t pid, const char *name, char *text, size_t n);

/* The number after `name` (e.g. `rchar:`) in a /proc file's text; 0 when it is not there. */
unsigned long long procField(const char *text, const char *name);

#endif
