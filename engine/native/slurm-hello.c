/*
 * The line every connection to a Slurm segment's local end must start with (slurm-local.c,
 * docs/engine-protocol.md "On a Slurm cluster"): `TOKEN KIND JOB STEP NODE\n`. Anyone may connect to
 * that port, so this is the one parser of bytes from the network there; it does no I/O, and
 * bench/fuzz-hello.c fuzzes exactly this code.
 */
#define _GNU_SOURCE
#include <string.h>

#include "slurm.h"

/* A field of JOB, STEP or NODE: printable, no space (it goes into a line for the engine), at most `cap` - 1 bytes. */
static int field(const char *word, char *into, size_t cap) {
  size_t n = word ? strlen(word) : 0;
  if (n == 0 || n >= cap) return 0;
  for (size_t k = 0; k < n; k++)
    if (word[k] <= ' ' || word[k] > '~') return 0;
  memcpy(into, word, n + 1);
  return 1;
}

int slurmHello(const char *line, size_t len, const char *token, SlurmHello *hello) {
  const char *nl = memchr(line, '\n', len);
  if (!nl) return len >= slurmHelloMax - 1 ? -1 : 0;
  char copy[slurmHelloMax];
  size_t n = (size_t)(nl - line);
  if (n >= sizeof copy || memchr(line, '\0', n)) return -1;
  memcpy(copy, line, n);
  copy[n] = '\0';
  /* Exactly five fields, one space between each. */
  char *rest = copy, *t = strsep(&rest, " "), *kind = strsep(&rest, " ");
  char *job = strsep(&rest, " "), *step = strsep(&rest, " "), *node = strsep(&rest, " ");
  const char *kinds = "ioc", *k = kind && kind[0] && !kind[1] ? strchr(kinds, kind[0]) : NULL;
  if (!t || strcmp(t, token) != 0 || !k || rest) return -1;
  if (!field(job, hello->job, sizeof hello->job) || !field(step, hello->step, sizeof hello->step) || !field(node, hello->node, sizeof hello->node)) return -1;
  hello->kind = (int)(k - kinds);
  return 1;
}
