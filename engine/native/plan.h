/*
 * The plan of a segment (docs/engine-protocol.md, version 3), as pw-segment reads it on its
 * stdin: written by engine/segment-plan.ts, read by plan.c only.
 */
#ifndef PIPEWRIGHT_PLAN_H
#define PIPEWRIGHT_PLAN_H

#include <stddef.h>

enum { planVersion = 3, planMaxStages = 4096, planMaxPipes = 1 << 16, planMaxHelpers = 1 << 14, planMinFd = 4, planMaxFd = 1 << 20 };

/* Where an element reads or writes: nowhere (/dev/null), an fd the engine passed, or one of the plan's pipes. */
typedef enum { endNull, endFd, endPipe } EndKind;
typedef struct {
  EndKind kind;
  int n;
} End;

typedef struct {
  /* The index its reports carry. */
  int id;
  End in, out;
  /* The fd its stderr goes to, and its commit channel's (-1: none). */
  int errFd, commitFd;
  char *dir;
  /* NULL-terminated, as execvp and environ want them. */
  char **argv, **env;
  int argc, envc;
} StagePlan;

/* A copier: one input to every reader (a fan-out when several), each reader's edge counted and reported when `counted`. */
typedef struct {
  int counted, outs;
  End in;
  int *edge;
  End *to;
} CopyPlan;

/* A fan-in: whole lines from every input onto one output. */
typedef struct {
  int ins;
  End *in;
  End out;
} MergePlan;

typedef struct {
  int stages, pipes, copies, merges;
  StagePlan *stage;
  CopyPlan *copy;
  MergePlan *merge;
} SegmentPlan;

/*
 * Parses `len` bytes at `text` (modified in place: the strings of the plan point into it).
 * 0 on success; else -1 with a message naming the line in `err`.
 */
int planParse(char *text, size_t len, SegmentPlan *plan, char *err, size_t errLen);
void planFree(SegmentPlan *plan);

#endif
