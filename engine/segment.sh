# The script of one straight segment as segments ran before dist/pw-segment: __PW_N stages joined by
# real pipes. It runs only with PIPEWRIGHT_EDGE_COUNTER=perl, which tests and benchmarks use to
# compare it with dist/pw-segment (docs/engine.md); hosts run pw-segment too. The text is the same for every segment; what differs comes in through private
# environment variables (readable by the owner only, unlike the command line), which every
# stage unsets before it starts:
#
#   __PW_N         number of stages
#   __PW_IN        fd the first stage reads (a relay's pipe, the run's stdin, or /dev/null)
#   __PW_CLOSE     redirections closing the fds no stage may keep (stderr fds, input fd)
#   __PW_COMMIT    fds of `write` stages' commit channels; each is kept by its own stage only
#   __PW_ERR_i     fd stage i writes its stderr to
#   __PW_DIR_i     working directory of stage i
#   __PW_ENV_i     code that exports / unsets stage i's variables (values stay in __PW_V_i_k)
#   __PW_KEEP_i    commit fd stage i keeps (empty for most)
#   __PW_EXEC_i    stage i's command, as shell-quoted words
#
#   __PW_PERL      perl, which runs __PW_WRAPPER (engine/wrapper.pl) for each stage, with
#   __PW_FDS       the fds a wrapper gives up once its stage runs, and __PW_SYSCALLS (see there)
#   __PW_COUNTER   `perl`: the record counter on every edge (__PW_COUNTER_PL,
#                  engine/edge-count.pl); empty: edges are not counted
#   __PW_COUNT_OUT set: also count the last stage's output (it goes straight into a remote segment)
#   __PW_COUNT_IN  set: also count the first stage's input (it comes straight from a remote
#                  segment), reported as edge -1 (the edge into stage 0)
#
# Fd 3 carries control lines to the engine (`pid …` when a stage starts, `done …` when it has
# ended), written by the wrappers, and `edge …` lines with the counts of the edges.
# shellcheck shell=bash disable=SC2154  # the __PW_ variables come from the environment

# The engine ends stages with SIGTERM to the process group: this bash and the wrappers ignore
# it, so that they outlive their stages, reap them and report.
trap '' TERM

# SIGHUP is the parent-death signal the launcher asked the kernel for (segment.ts): the engine's
# process is gone, so nothing will ever read our output or end our stages. Stages get SIGTERM
# (`write` removes its temporary file), then everything left in the group is killed.
__pw_orphaned() {
  trap '' HUP
  kill -TERM 0 2>/dev/null
  sleep 0.2
  kill -KILL 0
}
trap __pw_orphaned HUP

# Stage i, in the child its wrapper forked: own stderr, no fds of others, its dir and env, exec.
__pw_stage() {
  trap - TERM INT QUIT PIPE HUP
  local __pw_err="__PW_ERR_$1" __pw_dir="__PW_DIR_$1" __pw_env="__PW_ENV_$1" __pw_keep="__PW_KEEP_$1" __pw_exec="__PW_EXEC_$1" __pw_fd
  eval "exec 3>&- 2>&${!__pw_err} $__PW_CLOSE"
  for __pw_fd in $__PW_COMMIT; do
    [[ $__pw_fd == "${!__pw_keep}" ]] || eval "exec $__pw_fd>&-"
  done
  cd -- "${!__pw_dir}" 2>/dev/null || {
    printf 'pipewright: cannot enter the working directory %s\n' "${!__pw_dir}" >&2
    exit 126
  }
  eval "${!__pw_env}"
  __pw_exec=${!__pw_exec}
  unset -v "${!__PW_@}"
  eval "exec $__pw_exec"
}


# The wrapper of stage i: engine/wrapper.pl, in place of this pipeline element (fds 0 and 1
# are the stage's pipes). It forks a fresh bash running this script in stage mode (below).
__pw_wrap() {
  # An asynchronous command without job control reads /dev/null unless redirected: say which
  # (unless the counter of the edge into it reads the input, below).
  if (($1 == 0)) && [[ -z ${__pw_count_in-} ]]; then exec <&"$__PW_IN"; fi
  exec "$__PW_PERL" -e "$__PW_WRAPPER" -- "$BASH_EXECUTION_STRING" "$1"
}

# The fds a counter must not keep: every stage's stderr, the input, the commit channels. Redirections of this shell, which
# is the job's own: each pipeline element runs in a subshell.
__pw_helper_fds() {
  local __pw_fd
  eval "exec $__PW_CLOSE"
  for __pw_fd in $__PW_COMMIT; do eval "exec $__pw_fd>&-"; done
}

# The counter of the edge after stage i (engine/edge-count.pl), in place of a pipeline element
# between two stages: it keeps fd 3 (its reports) and nothing else of ours.
__pw_count() {
  __pw_helper_fds
  exec "$__PW_PERL" -e "$__PW_COUNTER_PL" -- "$@"
}

# Stage mode: started by a wrapper as `bash -c SCRIPT pipewright-stage I`.
if [[ $0 == pipewright-stage ]]; then __pw_stage "$1"; fi

# a | b | c, started in the background so that a SIGHUP is handled at once (bash runs traps
# only between commands, and `wait` is one that a signal interrupts).
__pw_pipeline="__pw_wrap 0"
# The edge into the first stage, when it comes straight from another segment (ssh from a host).
if [[ -n $__PW_COUNTER && -n ${__PW_COUNT_IN-} ]]; then
  __pw_count_in=1
  __pw_pipeline="__pw_count -1 <&\"\$__PW_IN\" | $__pw_pipeline"
fi
for ((__pw_i = 1; __pw_i < __PW_N; __pw_i++)); do
  if [[ -n $__PW_COUNTER ]]; then __pw_pipeline+=" | __pw_count $((__pw_i - 1))"; fi
  __pw_pipeline+=" | __pw_wrap $__pw_i"
done
# The edge after the last stage too, when it leads straight into another segment (ssh to a host).
if [[ -n $__PW_COUNTER && -n $__PW_COUNT_OUT ]]; then __pw_pipeline+=" | __pw_count $((__PW_N - 1))"; fi
eval "$__pw_pipeline &"
# This bash's copy of the input goes: when the first stage exits, a relay's writes fail (EPIPE)
# instead of filling a pipe nobody reads.
eval "exec $__PW_IN<&-"
wait
