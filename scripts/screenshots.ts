// `npm run screenshots`: runs the end-to-end suite (which saves its screenshots under
// .e2e/screenshots/, untracked) and copies every PNG there into docs/, where README and docs use them.
// `npm test` never writes into docs/, so a test run leaves the working tree clean.
import { copyFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { runE2e, screenshotDir } from '../test/e2e/run';

const docs = path.resolve(__dirname, '../docs');

async function main(): Promise<void> {
  const failed = await runE2e();
  if (failed > 0) throw new Error(`${failed} end-to-end session(s) failed: docs/ left as it was`);
  const shots = readdirSync(screenshotDir).filter((f) => f.endsWith('.png'));
  if (shots.length === 0) throw new Error(`no screenshots in ${screenshotDir}`);
  for (const f of shots) {
    copyFileSync(path.join(screenshotDir, f), path.join(docs, f));
    console.log(`docs/${f}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
