/*
 * The plan of a segment (docs/engine-protocol.md, version 1), as pw-segment reads it on its
 * stdin: written by engine/segment-plan.ts, read by plan.c only.
 */
#ifndef PIPEWRIGHT_PLAN_H
#define PIPEWRIGHT_PLAN_H

#include <stddef.h>

enum { planVersion = 1, planMaxStages = 4096, planMinFd = 4, planMaxFd = 1 << 20 };

typedef struct {
  /* The fd its stderr goes to, and its commit channel's (-1: none). */
  int errFd, commitFd;
  char *dir;
  /* NULL-terminated, as execvp and environ want them. */
  char **argv, **env;
  int argc, envc;
} StagePlan;

typedef struct {
  int stages;
  /* The fd the first stage reads. */
  int inputFd;
  /* A counter on every edge between stages; also on the edge into the first stage, and out of the last. */
  int counts, countIn, countOut;
  StagePlan *stage;
} SegmentPlan;

/*
 * Parses `len` bytes at `text` (modified in place: the strings of the plan point into it).
 * 0 on success; else -1 with a message naming the line in `err`.
 */
int planParse(char *text, size_t len, SegmentPlan *plan, char *err, size_t errLen);
void planFree(SegmentPlan *plan);

#endif
