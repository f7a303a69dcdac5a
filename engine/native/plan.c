/*
 * Reads a segment's plan (docs/engine-protocol.md, version 1). Every line is a key, and for most
 * keys one space and a value: a decimal number, or a string as LENGTH:BYTES (any bytes but NUL,
 * newlines included), then a newline. Nothing is trusted: every number is range-checked and
 * every length is checked against what is left, so a damaged plan is an error, never a crash.
 */
#define _GNU_SOURCE
#include "plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *p, *end;
  int line;
  char *err;
  size_t errLen;
} Reader;

static int fail(Reader *r, const char *fmt, ...) {
  char what[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  snprintf(r->err, r->errLen, "plan line %d: %s", r->line, what);
  return -1;
}

/* The key of the next line: the word before a space or newline; `hasValue` says which. */
static int key(Reader *r, const char *want, int hasValue) {
  size_t n = strlen(want);
  if ((size_t)(r->end - r->p) < n + 1 || memcmp(r->p, want, n) != 0 || r->p[n] != (hasValue ? ' ' : '\n'))
    return fail(r, "expected `%s%s`", want, hasValue ? " …" : "");
  r->p += n + 1;
  if (!hasValue) r->line++;
  return 0;
}

/* Whether the next line's key is `want` (not consumed). */
static int next(Reader *r, const char *want) {
  size_t n = strlen(want);
  return (size_t)(r->end - r->p) > n && memcmp(r->p, want, n) == 0 && r->p[n] == ' ';
}

/* A decimal number from min to max, at most 9 digits, then `stop`. */
static int number(Reader *r, long min, long max, char stop, long *out) {
  int neg = r->p < r->end && *r->p == '-';
  if (neg) r->p++;
  long v = 0;
  int digits = 0;
  while (r->p < r->end && *r->p >= '0' && *r->p <= '9' && digits < 10) {
    v = v * 10 + (*r->p++ - '0');
    digits++;
  }
  if (neg) v = -v;
  if (digits == 0 || digits > 9 || r->p >= r->end || *r->p != stop) return fail(r, "expected a number");
  if (v < min || v > max) return fail(r, "%ld is out of range (%ld to %ld)", v, min, max);
  r->p++;
  if (stop == '\n') r->line++;
  *out = v;
  return 0;
}

static int intLine(Reader *r, const char *want, long min, long max, int *out) {
  long v;
  if (key(r, want, 1) || number(r, min, max, '\n', &v)) return -1;
  *out = (int)v;
  return 0;
}

/* `KEY LENGTH:BYTES\n`: the bytes, NUL-terminated in place of the newline. */
static int stringLine(Reader *r, const char *want, char **out) {
  long n;
  if (key(r, want, 1) || number(r, 0, 1 << 30, ':', &n)) return -1;
  if (r->end - r->p < n + 1 || r->p[n] != '\n') return fail(r, "the string of `%s` is not %ld bytes and a newline", want, n);
  *out = r->p;
  r->p[n] = '\0';
  r->line++;
  for (char *c = r->p; c < r->p + n; c++) r->line += *c == '\n';
  r->p += n + 1;
  return 0;
}

/* Zero or more `KEY` string lines into a NULL-terminated array. */
static int strings(Reader *r, const char *want, char ***out, int *count) {
  int cap = 4, n = 0;
  char **v = malloc(sizeof *v * (size_t)cap);
  if (!v) return fail(r, "out of memory");
  while (next(r, want)) {
    if (n + 1 == cap) {
      char **grown = realloc(v, sizeof *v * (size_t)(cap *= 2));
      if (!grown) {
        free(v);
        return fail(r, "out of memory");
      }
      v = grown;
    }
    if (stringLine(r, want, &v[n])) {
      free(v);
      return -1;
    }
    n++;
  }
  v[n] = NULL;
  *out = v;
  *count = n;
  return 0;
}

static int stage(Reader *r, StagePlan *s) {
  s->commitFd = -1;
  if (key(r, "stage", 0) || intLine(r, "err", planMinFd, planMaxFd, &s->errFd)) return -1;
  if (next(r, "commit") && intLine(r, "commit", planMinFd, planMaxFd, &s->commitFd)) return -1;
  if (stringLine(r, "dir", &s->dir) || strings(r, "arg", &s->argv, &s->argc)) return -1;
  if (s->argc == 0) return fail(r, "a stage needs at least one `arg`");
  if (strings(r, "env", &s->env, &s->envc)) return -1;
  return key(r, "end", 0);
}

int planParse(char *text, size_t len, SegmentPlan *plan, char *err, size_t errLen) {
  Reader r = {.p = text, .end = text + len, .line = 1, .err = err, .errLen = errLen};
  memset(plan, 0, sizeof *plan);
  int version;
  if (intLine(&r, "pipewright-segment", 0, 1 << 20, &version)) return -1;
  if (version != planVersion && (r.line = 1)) return fail(&r, "version %d, this program reads version %d", version, planVersion);
  if (intLine(&r, "stages", 1, planMaxStages, &plan->stages) || intLine(&r, "input", planMinFd, planMaxFd, &plan->inputFd)) return -1;
  if (intLine(&r, "counts", 0, 1, &plan->counts) || intLine(&r, "count-in", 0, 1, &plan->countIn) || intLine(&r, "count-out", 0, 1, &plan->countOut))
    return -1;
  plan->stage = calloc((size_t)plan->stages, sizeof *plan->stage);
  if (!plan->stage) return fail(&r, "out of memory");
  for (int i = 0; i < plan->stages; i++) {
    if (stage(&r, &plan->stage[i])) {
      planFree(plan);
      return -1;
    }
  }
  if (r.p != r.end) {
    planFree(plan);
    return fail(&r, "more after the last stage");
  }
  return 0;
}

void planFree(SegmentPlan *plan) {
  for (int i = 0; plan->stage && i < plan->stages; i++) {
    free(plan->stage[i].argv);
    free(plan->stage[i].env);
  }
  free(plan->stage);
  plan->stage = NULL;
}
