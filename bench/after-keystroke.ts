/**
 * What the language server does after a keystroke in the middle of the generated big file (issue 24), through its own
 * pieces in-process (not a test), the live document changed in place as `TextDocuments` changes it: the check of the new
 * version (`Analyzer.check`, as the server runs it), the diagnostics a pull answers, with their positions
 * (`diagnosticsOf`), and the completion VS Code asks for as a word is typed (`completions`). Everything else waits
 * while each runs: the next keystroke's change and pull among it.
 *
 *   npx tsx bench/after-keystroke.ts --stages=432526 --edits=6
 *
 * Each edit types `x` after a `use: pick` in the middle, or takes it away again: an error made, then mended.
 */
import * as os from 'node:os';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { nodeHost, plainProcessEnv } from '../dsl/host-node';
import { Analyzer } from '../server/analysis';
import { completions } from '../server/completion';
import { diagnosticsOf } from '../server/diagnostics';
import { hugePipelineText } from './huge-text';
import { median } from './numbers';

const option = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);

async function main(): Promise<void> {
  const stages = option('stages', 432_526);
  const edits = option('edits', 6);
  const text = hugePipelineText(stages);
  plainProcessEnv();
  const live = TextDocument.create('file:///tmp/huge.pipeline.yaml', 'pipewright', 1, text);
  const analyzer = new Analyzer(nodeHost(process.env));
  const checked = async () => (await analyzer.check(live, () => live.version))!;
  process.stdout.write(`${(text.length / 1e6).toFixed(1)} MB, ${stages.toLocaleString('en')} stages, load average ${os.loadavg()[0]!.toFixed(1)}\n`);
  diagnosticsOf(await checked(), '');
  const at = live.positionAt(text.indexOf('    use: pick', text.length / 2) + '    use: pick'.length);
  const checks: number[] = [];
  const answers: number[] = [];
  const completing: number[] = [];
  for (let k = 0; k < edits; k++) {
    const end = k % 2 === 0 ? at : { line: at.line, character: at.character + 1 };
    TextDocument.update(live, [{ range: { start: at, end }, text: k % 2 === 0 ? 'x' : '' }], live.version + 1);
    let since = performance.now();
    const analysis = await checked();
    checks.push(performance.now() - since);
    since = performance.now();
    const items = diagnosticsOf(analysis, '');
    answers.push(performance.now() - since);
    since = performance.now();
    const offered = completions(live, analyzer.latestPipeline(live), { line: at.line, character: at.character + 1 - (k % 2) }, { snippets: true, env: {} });
    completing.push(performance.now() - since);
    process.stdout.write(
      `edit ${k + 1} (${k % 2 === 0 ? 'error made' : 'mended'}): check ${Math.round(checks.at(-1)!)} ms, the answer's ${items.length} diagnostics ` +
        `${Math.round(answers.at(-1)!)} ms, completion (${offered.length} items) ${Math.round(completing.at(-1)!)} ms\n`,
    );
  }
  process.stdout.write(
    `median: check ${Math.round(median(checks))} ms, diagnostics ${Math.round(median(answers))} ms, completion ${Math.round(median(completing))} ms\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
