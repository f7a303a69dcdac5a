import { parseArgs } from 'node:util';
import { checkCommand } from './check';
import { ExitCode } from './exit-codes';

const usage = `Usage:
  pipewright check [--json] FILE...   check pipeline files; one line per problem
  pipewright --help | --version

Exit codes: 0 ok, 1 problems found, 2 unreadable file or bad usage.`;

declare const PIPEWRIGHT_VERSION: string;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${typeof PIPEWRIGHT_VERSION === 'string' ? PIPEWRIGHT_VERSION : 'dev'}\n`);
    return ExitCode.Ok;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? process.stderr : process.stdout).write(`${usage}\n`);
    return command === undefined ? ExitCode.Unreadable : ExitCode.Ok;
  }
  if (command === 'check') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
    if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
    return checkCommand(positionals, { json: values.json === true });
  }
  throw new UsageError(`unknown command '${command}'`);
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const usageProblem = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(usageProblem ? `pipewright: ${(e as Error).message}\n${usage}\n` : `pipewright: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = ExitCode.Unreadable;
  },
);
