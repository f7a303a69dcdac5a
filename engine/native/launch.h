/* `pw-segment --launch PARENT_PID PROGRAM ARG…` (launch.c): exec with the subreaper and the parent-death signal. */
#ifndef PIPEWRIGHT_LAUNCH_H
#define PIPEWRIGHT_LAUNCH_H

int launchMain(int argc, char **argv);

#endif
