import type { TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
export { dslFixtureDir, dslFixtures, wantedProblems, type Fixture } from '../fixtures/golden';

/** Applies LSP text edits as a client does (TextDocument.applyEdits throws on overlapping edits, as LSP forbids them). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'pipewright', 1, text), edits);
}
