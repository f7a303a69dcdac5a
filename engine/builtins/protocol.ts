/**
 * How the engine starts a built-in: `node dist/builtin.cjs NAME` with the options as JSON in this
 * environment variable (a process's arguments are readable by every user of the machine through
 * /proc/PID/cmdline, its environment only by its owner, and options may hold interpolated
 * `${VARS}`). By hand, the options may also be given as the second argument.
 */
export const builtinOptionsVariable = 'PIPEWRIGHT_BUILTIN_OPTIONS';

/**
 * A `write` started by the engine finds the fd of its commit channel in this variable. Once its
 * input has ended and the file is complete under its temporary name, it waits there: the line
 * `commit` means every stage feeding it ended well (rename it over the target); anything else,
 * or the channel closing (the engine gave up, or died), means remove it and leave the target as
 * it was. Started by hand (no variable), `write` commits when its input ends.
 */
export const commitFdVariable = 'PIPEWRIGHT_COMMIT_FD';
