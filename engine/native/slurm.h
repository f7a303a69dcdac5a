/* A segment on a Slurm cluster (docs/remote.md#slurm): the engine's local end (slurm-local.c) and what runs in the job step (slurm-step.c). */
#ifndef PIPEWRIGHT_SLURM_H
#define PIPEWRIGHT_SLURM_H

#include <stddef.h>
#include <sys/socket.h>

/* `pw-segment --slurm-local SRUN ARG…` (argv: SRUN ARG…); returns the exit status. */
int slurmLocalMain(int argc, char **argv);

/* `pw-segment --slurm-step`; returns the exit status. */
int slurmStepMain(void);

/* A numeric IPv4 or IPv6 address and a port as a socket address; 0 when `text` is not one. */
socklen_t slurmAddress(const char *text, int port, struct sockaddr_storage *sa);

enum { slurmHelloMax = 256 };

/* A connection's hello line, accepted: its KIND (0 `i` input, 1 `o` output, 2 `c` control) and where the step runs. */
typedef struct {
  int kind;
  char job[32], step[32], node[slurmHelloMax];
} SlurmHello;

/*
 * The first `len` bytes of a connection (slurm-hello.c): 1 when they start with the hello line
 * `TOKEN KIND JOB STEP NODE\n` with this `token` (`hello` filled in), 0 when the line may still come
 * (no newline yet, fewer than slurmHelloMax - 1 bytes), -1 when it is not one (the connection is closed).
 */
int slurmHello(const char *line, size_t len, const char *token, SlurmHello *hello);

#endif
