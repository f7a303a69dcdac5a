/* The segment itself (segment.c): runs the plan read on fd 0 and reports on fd 3; what `pw-segment PARENT_PID` runs. */
#ifndef PIPEWRIGHT_SEGMENT_H
#define PIPEWRIGHT_SEGMENT_H

#include <sys/types.h>

#include "plan.h"

/*
 * Returns the exit status. `onHost`: forked by the watcher on another host (host.c): stages get the
 * login environment under their own. `parsed`: the plan, parsed by that watcher; NULL: read it on fd 0.
 */
int segmentMain(pid_t parent, int onHost, const SegmentPlan *parsed);

/* Closes every fd from `first` up but the `n` in `keep` (sorted in place). */
void closeExcept(int first, int *keep, int n);

/* Writes all `n` bytes at `p` to `fd`, again after EINTR; 1 when done, 0 when `fd` failed. */
int writeAll(int fd, const char *p, size_t n);

/* A connection to the Unix socket at `path` (close-on-exec); -1 when there is none to make. */
int connectUnix(const char *path);

#endif
