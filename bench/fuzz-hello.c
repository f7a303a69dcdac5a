/*
 * libFuzzer harness of the hello line a Slurm segment's local end reads from whoever connects to its
 * port (engine/native/slurm-hello.c, used by slurm-local.c), built and run by bench/fuzz-hello.ts
 * with AddressSanitizer and UndefinedBehaviorSanitizer. The first byte of an input is the size of
 * the reads the rest arrives in, taken as slurm-local.c's awaitStep takes them (into a buffer of
 * slurmHelloMax, one byte kept); a verdict must hold what it says: never a crash, a read out of
 * bounds, or a line accepted that is not `TOKEN KIND JOB STEP NODE` with the token.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/native/slurm.h"

static const char token[] = "0123456789abcdef0123456789abcdef";

/* JOB, STEP or NODE as accepted: non-empty, printable, no space, ended inside its array. */
static void checkField(const char *f, size_t cap) {
  size_t n = strnlen(f, cap);
  if (n == 0 || n == cap) abort();
  for (size_t k = 0; k < n; k++)
    if (f[k] <= ' ' || f[k] > '~') abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = (size_t)(data[0] % 64) + 1, at = 1;
  char line[slurmHelloMax];
  size_t len = 0;
  int verdict = 0;
  SlurmHello hello;
  while (verdict == 0 && at < size) {
    size_t room = sizeof line - 1 - len, n = size - at;
    if (n > chunk) n = chunk;
    if (n > room) n = room;
    memcpy(line + len, data + at, n);
    at += n;
    len += n;
    verdict = slurmHello(line, len, token, &hello);
  }
  const char *nl = memchr(line, '\n', len);
  if (verdict == 0 && (nl || len >= sizeof line - 1)) abort(); /* a whole line, or a full buffer, always gets a verdict */
  if (verdict == 1) {
    if (hello.kind < 0 || hello.kind > 2 || !nl) abort();
    checkField(hello.job, sizeof hello.job);
    checkField(hello.step, sizeof hello.step);
    checkField(hello.node, sizeof hello.node);
    /* What was accepted, put back together, is the line itself, byte for byte. */
    char again[2 * slurmHelloMax];
    int n = snprintf(again, sizeof again, "%s %c %s %s %s", token, "ioc"[hello.kind], hello.job, hello.step, hello.node);
    if (n != nl - line || memcmp(again, line, (size_t)n) != 0) abort();
  }
  return 0;
}
