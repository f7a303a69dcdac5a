// What `pipewright --help` and `pipewright COMMAND --help` print (docs/cli.md says the same at length).

export const usage = `Usage:
  pipewright check [--json] FILE...   check pipeline files; one line per problem
  pipewright run [OPTIONS] FILE       run a pipeline: records on stdout, stats on stderr
  pipewright graph [OPTIONS] FILE     print the pipeline's stages and edges
  pipewright compare [OPTIONS] A B    two runs (their --stats-json) stage by stage, or with
                                      --records two outputs record by record
  pipewright doctor [--host NAME FILE]
                                      what this machine (and a host) has and lacks for runs
  pipewright --help | --version
  pipewright COMMAND --help           the command's options

Exit codes: 0 ok, 1 problems found (check), a stage failed (run), a regression with
--fail-on-regression (compare) or something missing (doctor), 2 unreadable or invalid file
or bad usage, 128+N run cancelled by signal N (130 Ctrl-C).`;

export type Command = 'check' | 'run' | 'graph' | 'compare' | 'doctor';

export const commandUsage: Record<Command, string> = {
  check: `Usage: pipewright check [--json] FILE...

Checks pipeline files as the editor does (nothing is run) and prints one line per problem:
FILE:LINE:COL: SEVERITY CODE: message

Options:
  --json         one JSON array of every problem instead
  -h, --help     this help

Exit codes: 0 no errors, 1 a file has errors, 2 a file cannot be read or bad usage.`,
  run: `Usage: pipewright run [OPTIONS] FILE

Checks FILE, then runs it: the last stage's records on stdout; each stage's stderr, a live line
per stage (on a terminal) and a summary on stderr.

Options:
  --to STAGE          run STAGE and the stages it reads from; its records are the output
  --limit N           stop after N records (the stages stop early)
  --peek STAGE        count the edge after STAGE and print its last records at the end (repeatable)
  --stats-json FILE   write the run's result and every stage's stats as JSON
  --trace FILE        write the run as a Chrome trace (open it in https://ui.perfetto.dev)
  --no-counts         leave the edges between stages uncounted (faster on cheap stages)
  -q, --quiet         no live lines and no summary
  -h, --help          this help

Exit codes: 0 succeeded, 1 a stage failed, 2 the file cannot be read or has errors, or bad
usage, 128+N cancelled by signal N (130 Ctrl-C).`,
  graph: `Usage: pipewright graph [OPTIONS] FILE

Prints the pipeline's graph: each stage and the stages that read it; nothing is run.

Options:
  --format FORMAT     text (default: a line per stage, for a terminal), mermaid (a flowchart for
                      Markdown), dot (Graphviz: | dot -Tsvg > graph.svg) or json
  --stats-json FILE   the --stats-json of a finished run: records (and bytes) on each edge it counted
  -h, --help          this help

Exit codes: 0 printed, 2 the file cannot be read or has errors, or bad usage.`,
  compare: `Usage: pipewright compare [OPTIONS] A.stats.json B.stats.json
       pipewright compare --records [OPTIONS] A B

Compares two runs, the earlier first. Of two --stats-json files: each stage side by side (records,
bytes, rate, CPU, peak memory, duration, status) with the change and the regressions marked,
stages matched by name. With --records, of two outputs: the records only in A, only in B and, by
a key, changed (with the fields), and the first examples of each.

Options:
  --threshold SHARE      a rate down or memory or duration up by more than this is a regression
                         (default 20%)
  --fail-on-regression   exit 1 when a stage regressed (for CI)
  --records              compare two record files (NDJSON or lines) instead of stats
  --key FIELD            with --records: match records by FIELD (dotted for a nested one)
  --examples N           with --records: how many examples of each kind (default 5)
  --json                 one JSON object instead of the table
  -h, --help             this help

Exit codes: 0 compared, 1 a regression with --fail-on-regression, 2 a file cannot be read or bad
usage.`,
  doctor: `Usage: pipewright doctor [--host NAME FILE]

Says what this machine has and lacks for local runs (Node, the engine program for this platform,
the built-in stages, GNU sort) and for stages on other hosts (ssh), each lack with the command that fixes
it. With --host, also reaches host NAME of FILE's \`hosts:\` as a run would and says its system,
architecture and what it lacks. Nothing is run but these probes.

Options:
  --host NAME    a host of FILE's \`hosts:\` to reach and examine
  -h, --help     this help

Exit codes: 0 nothing missing, 1 something missing (each with its fix), 2 FILE cannot be read,
has no host NAME, or bad usage.`,
};
