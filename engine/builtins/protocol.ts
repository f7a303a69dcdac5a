/**
 * How the engine starts a built-in: `node dist/builtin.cjs NAME` with the options as JSON in this
 * environment variable (a process's arguments are readable by every user of the machine through
 * /proc/PID/cmdline, its environment only by its owner, and options may hold interpolated
 * `${VARS}`). By hand, the options may also be given as the second argument.
 */
export const builtinOptionsVariable = 'PIPEWRIGHT_BUILTIN_OPTIONS';
