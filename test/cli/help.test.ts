// `--help` on every command: its own options on stdout, exit 0; a wrong option shows that command's help (exit 2).
import { describe, expect, it } from 'vitest';
import { pipewright } from './cli';

describe('pipewright COMMAND --help', () => {
  it.each(['check', 'run', 'graph', 'doctor'])('%s --help, -h and `help %s` print its usage and options on stdout, exit 0', (command) => {
    for (const args of [
      [command, '--help'],
      [command, '-h'],
      ['help', command],
      [command, 'some.pipeline.yaml', '--help'],
    ]) {
      const r = pipewright(args);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(new RegExp(`^Usage: pipewright ${command} \\[`));
      expect(r.stdout).toMatch(/^ {2}-h, --help +this help$/m);
      expect(r.stdout).toMatch(/^Exit codes: 0 /m);
    }
  });

  it("names every option of run and graph's formats", () => {
    const run = pipewright(['run', '--help']).stdout;
    for (const option of ['--to STAGE', '--limit N', '--peek STAGE', '--stats-json FILE', '--trace FILE', '--no-counts', '-q, --quiet'])
      expect(run).toContain(option);
    expect(pipewright(['graph', '--help']).stdout).toMatch(/--format FORMAT +text \(default[^)]*\), mermaid/);
  });

  it("an unknown option names the command and shows that command's help (exit 2); after `--`, --help is a FILE", () => {
    const r = pipewright(['run', '--bogus', 'x.pipeline.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pipewright: `run` has no option '--bogus' \(its options are below\)\nUsage: pipewright run /);
    const file = pipewright(['check', '--', '--help']);
    expect([file.code, file.stderr]).toEqual([2, 'pipewright: cannot read --help: no such file\n']);
    expect(pipewright(['help', 'nope'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no help on 'nope': the commands are check, run, graph, compare and doctor/) as unknown,
    });
  });
});
