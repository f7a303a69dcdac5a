import { variableReferences, type VariableReference } from './vars';

/**
 * The `${NAME}` references a POSIX shell would expand in a `run:` script. Pipewright leaves
 * scripts to the shell, so what the shell reads literally is not a reference: text in single
 * quotes, comments, the body of a here-document whose delimiter is quoted (`<<'EOF'`, `<<"EOF"`,
 * `<<\EOF`), a backslash-escaped `\$`, and Pipewright's own `$${` escape. An approximation of
 * the shell's lexer, erring towards "literal" where unsure (a warning the shell would not give
 * helps no one).
 */
export function shellReferences(script: string): VariableReference[] {
  const refs: VariableReference[] = [];
  const pendingDocs: { delimiter: string; literal: boolean }[] = [];
  let i = 0;
  let inDouble = false;
  const scan = (from: number, to: number) => {
    for (const r of variableReferences(script.slice(from, to))) refs.push({ ...r, start: r.start + from, end: r.end + from });
  };
  let chunk = 0; // start of the text whose references are live
  while (i < script.length) {
    const c = script[i]!;
    if (c === '\\') {
      if (script[i + 1] === '$') {
        scan(chunk, i);
        chunk = i + 2;
      }
      i += 2;
    } else if (c === "'" && !inDouble) {
      scan(chunk, i);
      const close = script.indexOf("'", i + 1);
      i = close < 0 ? script.length : close + 1;
      chunk = i;
    } else if (c === '"') {
      inDouble = !inDouble;
      i++;
    } else if (c === '#' && !inDouble && (i === 0 || /\s/.test(script[i - 1]!))) {
      scan(chunk, i);
      const eol = script.indexOf('\n', i);
      i = eol < 0 ? script.length : eol;
      chunk = i;
    } else if (c === '<' && !inDouble && script[i + 1] === '<' && script[i + 2] !== '<') {
      const m = /^<<-?[ \t]*(?:'([^'\n]*)'|"([^"\n]*)"|\\(\w+)|(\w+))/.exec(script.slice(i));
      if (m) pendingDocs.push({ delimiter: m[1] ?? m[2] ?? m[3] ?? m[4]!, literal: m[4] === undefined });
      i += m ? m[0].length : 2;
    } else if (c === '\n' && pendingDocs.length > 0) {
      // Here-document bodies start on the next line, in the order their operators appeared.
      i++;
      for (const docSpec of pendingDocs.splice(0)) {
        const bodyStart = i;
        let end = script.length;
        for (let line = i; line < script.length;) {
          const eol = script.indexOf('\n', line);
          const lineEnd = eol < 0 ? script.length : eol;
          if (script.slice(line, lineEnd).replace(/^\t+/, '') === docSpec.delimiter) {
            end = lineEnd;
            break;
          }
          line = lineEnd + 1;
        }
        if (docSpec.literal) {
          scan(chunk, bodyStart);
          chunk = end;
        }
        i = end;
      }
    } else {
      i++;
    }
  }
  scan(chunk, script.length);
  return refs;
}
