/* The copier of an edge (count.c): copies fd 0 to each reader's fd, counting and reporting on fd 3 when `counted`; returns the exit status. */
#ifndef PIPEWRIGHT_COUNT_H
#define PIPEWRIGHT_COUNT_H

int edgeCopy(int n, const int *edge, const int *fds, int counted);

#endif
