/* A relay of a Slurm step's data (relay.c): one process copying one fd into another, pipe ⇄ socket. */
#ifndef PIPEWRIGHT_RELAY_H
#define PIPEWRIGHT_RELAY_H

#include <sys/types.h>

/* Forks the relay of `from` into `to` (the child keeps only those two and fd 2); returns its pid, or -1. */
pid_t relayStart(int from, int to);

#endif
