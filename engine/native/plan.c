/*
 * Reads a segment's plan (docs/engine-protocol.md, version 3). Every line is a key, and for most
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
  /* Line 0: the plan as a whole (how its parts are joined). */
  if (r->line > 0) snprintf(r->err, r->errLen, "plan line %d: %s", r->line, what);
  else snprintf(r->err, r->errLen, "plan: %s", what);
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

/* An end after `KEY `: `null`, `fd N` or `pipe K`, then `stop`. `output`: fd 1 (the segment's stdout) is allowed too. */
static int end(Reader *r, const SegmentPlan *plan, int output, char stop, End *out) {
  long v;
  size_t left = (size_t)(r->end - r->p);
  if (left >= 5 && memcmp(r->p, "null", 4) == 0 && r->p[4] == stop) {
    r->p += 5;
    if (stop == '\n') r->line++;
    *out = (End){endNull, 0};
    return 0;
  }
  if (left >= 3 && memcmp(r->p, "fd ", 3) == 0) {
    r->p += 3;
    if (number(r, output ? 1 : planMinFd, planMaxFd, stop, &v)) return -1;
    if (v > 1 && v < planMinFd && (r->line -= stop == '\n') >= 0) return fail(r, "fd %ld is the program's own (the plan's fds are 1 for output, and %d up)", v, planMinFd);
    *out = (End){endFd, (int)v};
    return 0;
  }
  if (left >= 5 && memcmp(r->p, "pipe ", 5) == 0) {
    r->p += 5;
    if (number(r, 0, plan->pipes - 1, stop, &v)) return -1;
    *out = (End){endPipe, (int)v};
    return 0;
  }
  return fail(r, "expected `null`, `fd N` or `pipe K`");
}

static int endLine(Reader *r, const SegmentPlan *plan, const char *want, int output, End *out) {
  return key(r, want, 1) || end(r, plan, output, '\n', out);
}

static int stage(Reader *r, const SegmentPlan *plan, StagePlan *s) {
  long id;
  s->commitFd = -1;
  if (key(r, "stage", 1) || number(r, 0, planMaxStages - 1, '\n', &id)) return -1;
  s->id = (int)id;
  if (endLine(r, plan, "in", 0, &s->in) || endLine(r, plan, "out", 1, &s->out)) return -1;
  if (intLine(r, "err", planMinFd, planMaxFd, &s->errFd)) return -1;
  if (next(r, "commit") && intLine(r, "commit", planMinFd, planMaxFd, &s->commitFd)) return -1;
  if (stringLine(r, "dir", &s->dir) || strings(r, "arg", &s->argv, &s->argc)) return -1;
  if (s->argc == 0) return fail(r, "a stage needs at least one `arg`");
  if (strings(r, "env", &s->env, &s->envc)) return -1;
  return key(r, "end", 0);
}

/* Grows `*v` (of `size`-byte items) to hold n + 1. */
static int room(Reader *r, void **v, int n, size_t size) {
  if ((n & (n - 1)) != 0 && n != 0) return 0;
  void *grown = realloc(*v, size * (size_t)(n == 0 ? 2 : n * 2));
  if (!grown) return fail(r, "out of memory");
  *v = grown;
  return 0;
}

static int copy(Reader *r, const SegmentPlan *plan, CopyPlan *c) {
  if (key(r, "copy", 0) || intLine(r, "counted", 0, 1, &c->counted) || endLine(r, plan, "in", 0, &c->in)) return -1;
  while (next(r, "to")) {
    long id;
    if (room(r, (void **)&c->edge, c->outs, sizeof *c->edge) || room(r, (void **)&c->to, c->outs, sizeof *c->to)) return -1;
    if (key(r, "to", 1) || number(r, -1, planMaxFd, ' ', &id) || end(r, plan, 1, '\n', &c->to[c->outs])) return -1;
    c->edge[c->outs++] = (int)id;
  }
  if (c->outs == 0) return fail(r, "a copy needs at least one `to`");
  return key(r, "end", 0);
}

static int merge(Reader *r, const SegmentPlan *plan, MergePlan *m) {
  if (key(r, "merge", 0)) return -1;
  while (next(r, "in")) {
    if (room(r, (void **)&m->in, m->ins, sizeof *m->in) || endLine(r, plan, "in", 0, &m->in[m->ins])) return -1;
    m->ins++;
  }
  if (m->ins == 0) return fail(r, "a merge needs at least one `in`");
  if (endLine(r, plan, "out", 1, &m->out)) return -1;
  return key(r, "end", 0);
}

/* Marks one end of a pipe used (bit 1: read, bit 2: written); `*twice` keeps the first pipe used twice at one end, plus 1. */
static void use(unsigned char *used, End e, int bit, int *twice) {
  if (e.kind != endPipe) return;
  if ((used[e.n] & bit) && !*twice) *twice = e.n + 1;
  used[e.n] |= (unsigned char)bit;
}

/* Every pipe has one reader and one writer; every stage id is used once. */
static int wellJoined(Reader *r, const SegmentPlan *plan) {
  r->line = 0;
  unsigned char *used = calloc((size_t)plan->pipes + planMaxStages, 1);
  if (!used) return fail(r, "out of memory");
  unsigned char *ids = used + plan->pipes;
  int twice = 0, again = -1;
  for (int i = 0; i < plan->stages; i++) {
    use(used, plan->stage[i].in, 1, &twice);
    use(used, plan->stage[i].out, 2, &twice);
    if (ids[plan->stage[i].id]++ && again < 0) again = plan->stage[i].id;
  }
  for (int i = 0; i < plan->copies; i++) {
    use(used, plan->copy[i].in, 1, &twice);
    for (int k = 0; k < plan->copy[i].outs; k++) use(used, plan->copy[i].to[k], 2, &twice);
  }
  for (int i = 0; i < plan->merges; i++) {
    for (int k = 0; k < plan->merge[i].ins; k++) use(used, plan->merge[i].in[k], 1, &twice);
    use(used, plan->merge[i].out, 2, &twice);
  }
  int missing = -1;
  for (int k = 0; k < plan->pipes && missing < 0; k++)
    if (used[k] != 3) missing = k;
  int read = missing >= 0 && (used[missing] & 1);
  free(used);
  if (again >= 0) return fail(r, "stage %d is in the plan twice", again);
  if (twice) return fail(r, "pipe %d is used twice at the same end", twice - 1);
  if (missing >= 0) return fail(r, "pipe %d has no %s", missing, read ? "writer" : "reader");
  return 0;
}

int planParse(char *text, size_t len, SegmentPlan *plan, char *err, size_t errLen) {
  Reader r = {.p = text, .end = text + len, .line = 1, .err = err, .errLen = errLen};
  memset(plan, 0, sizeof *plan);
  int version;
  if (intLine(&r, "pipewright-segment", 0, 1 << 20, &version)) return -1;
  if (version != planVersion && (r.line = 1)) return fail(&r, "version %d, this program reads version %d", version, planVersion);
  if (intLine(&r, "stages", 0, planMaxStages, &plan->stages) || intLine(&r, "pipes", 0, planMaxPipes, &plan->pipes)) return -1;
  if (intLine(&r, "copies", 0, planMaxHelpers, &plan->copies) || intLine(&r, "merges", 0, planMaxHelpers, &plan->merges)) return -1;
  if (plan->stages + plan->copies + plan->merges == 0 && (r.line = 0) == 0) return fail(&r, "nothing to run");
  plan->stage = calloc((size_t)plan->stages + 1, sizeof *plan->stage);
  plan->copy = calloc((size_t)plan->copies + 1, sizeof *plan->copy);
  plan->merge = calloc((size_t)plan->merges + 1, sizeof *plan->merge);
  int bad = !plan->stage || !plan->copy || !plan->merge ? fail(&r, "out of memory") : 0;
  for (int i = 0; !bad && i < plan->stages; i++) bad = stage(&r, plan, &plan->stage[i]);
  for (int i = 0; !bad && i < plan->copies; i++) bad = copy(&r, plan, &plan->copy[i]);
  for (int i = 0; !bad && i < plan->merges; i++) bad = merge(&r, plan, &plan->merge[i]);
  if (!bad && r.p != r.end) bad = fail(&r, "more after the last block");
  if (!bad) bad = wellJoined(&r, plan);
  if (bad) planFree(plan);
  return bad ? -1 : 0;
}

void planFree(SegmentPlan *plan) {
  for (int i = 0; plan->stage && i < plan->stages; i++) {
    free(plan->stage[i].argv);
    free(plan->stage[i].env);
  }
  for (int i = 0; plan->copy && i < plan->copies; i++) {
    free(plan->copy[i].edge);
    free(plan->copy[i].to);
  }
  for (int i = 0; plan->merge && i < plan->merges; i++) free(plan->merge[i].in);
  free(plan->stage);
  free(plan->copy);
  free(plan->merge);
  plan->stage = NULL;
  plan->copy = NULL;
  plan->merge = NULL;
}
