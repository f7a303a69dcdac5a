/* The fan-in of a graph (merge.c): whole lines from each input fd onto fd 1; returns the exit status. */
#ifndef PIPEWRIGHT_MERGE_H
#define PIPEWRIGHT_MERGE_H

int mergeLines(int n, const int *fds);

#endif
