/* A segment on a Slurm cluster (docs/remote.md#slurm): the engine's local end (slurm-local.c) and what runs in the job step (slurm-step.c). */
#ifndef PIPEWRIGHT_SLURM_H
#define PIPEWRIGHT_SLURM_H

#include <sys/socket.h>

/* `pw-segment --slurm-local SRUN ARG…` (argv: SRUN ARG…); returns the exit status. */
int slurmLocalMain(int argc, char **argv);

/* `pw-segment --slurm-step`; returns the exit status. */
int slurmStepMain(void);

/* A numeric IPv4 or IPv6 address and a port as a socket address; 0 when `text` is not one. */
socklen_t slurmAddress(const char *text, int port, struct sockaddr_storage *sa);

#endif
