import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Where diagnostics link to by default: docs/dsl.md next to the server bundle
 * (`dist/server.cjs` -> `docs/dsl.md`), as a file URI, so the link works offline and always
 * describes the installed version. Clients may pass another base (`initializationOptions.docsUrl`).
 */
export function defaultDocsUrl(): string {
  const bundleDir = typeof __dirname === 'string' ? __dirname : path.join(process.cwd(), 'dist');
  return pathToFileURL(path.join(bundleDir, '..', 'docs', 'dsl.md')).href;
}
