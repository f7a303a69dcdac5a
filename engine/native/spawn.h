/* Starting a stage without copying this program (spawn.c): posix_spawn, which glibc does with vfork. */
#ifndef PIPEWRIGHT_SPAWN_H
#define PIPEWRIGHT_SPAWN_H

#include <sys/types.h>

#include "plan.h"

/*
 * Starts stage `s` reading fd `in` and writing fd `out` (-1: /dev/null), its stderr and commit
 * channel as its plan says, its dir, exactly its env, every signal default and none blocked: what
 * execStage in segment.c does after a fork. Returns its pid, or 0 when it did not start this way
 * (its program not found on its PATH, not runnable by execve, its directory missing, a build
 * without posix_spawn's extensions): the caller forks, and the stage fails there with the message
 * and status it always had.
 */
pid_t spawnStage(const StagePlan *s, int in, int out);

#endif
