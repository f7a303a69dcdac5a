/* The record counter of an edge (count.c): copies fd 0 to fd 1 (and FIFOs), reports on fd 3; returns the exit status. */
#ifndef PIPEWRIGHT_COUNT_H
#define PIPEWRIGHT_COUNT_H

int edgeCount(int argc, char **argv);

#endif
