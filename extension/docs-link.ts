// The pipeline language reference as the editor links it: the hosted, rendered page. A problem
// code's link opens its section there (`#problem-CODE`), the way ESLint's or Ruff's rule links do;
// the docs/dsl.md inside the extension would open as raw markdown, and is not in the user's folder.
// No vscode here (the New Pipeline template links it too).
export const dslDocsUrl = 'https://github.com/pipewright/pipewright/blob/main/docs/dsl.md';
