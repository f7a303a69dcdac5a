/*
 * libFuzzer harness of pw-segment's plan parser (engine/native/plan.c), built and run by
 * bench/fuzz-plan.ts with AddressSanitizer and UndefinedBehaviorSanitizer: any input must be
 * parsed or refused with a message, never crash, read out of bounds or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/native/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* planParse writes into its text (strings end where their newline was): a copy, exactly `size` long. */
  char *text = malloc(size ? size : 1);
  if (!text) return 0;
  memcpy(text, data, size);
  SegmentPlan plan;
  char err[256];
  if (planParse(text, size, &plan, err, sizeof err) == 0) planFree(&plan);
  else if (err[0] == '\0') abort(); /* a refusal always says why */
  free(text);
  return 0;
}
