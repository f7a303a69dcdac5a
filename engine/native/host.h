/* pw-segment on another host (host.c): `pw-segment --host CTL`, the watcher of a segment there (docs/engine-protocol.md, "On another host"). */
#ifndef PIPEWRIGHT_HOST_H
#define PIPEWRIGHT_HOST_H

/* Runs the segment whose framed plan is ahead of the data on stdin; returns the exit status. */
int hostMain(const char *ctl);

#endif
