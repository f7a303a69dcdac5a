// The generated pipelines of the language server's benchmarks (bench/lsp.ts, bench/keystroke.ts, bench/editor-huge.ts).

/** A generated pipeline: the same head, then `stages - 1` more stages, each the lines `stage(i)` gives. */
export function generated(stages: number, stage: (i: number) => string[]): string {
  const lines = ['name: big', 'description: Generated for the language server benchmark', 'env:', '  REGION: eu', '  LIMIT: "100"', 'stages:'];
  lines.push('  - name: read', '    use: read', '    with: { path: data.csv }');
  for (let i = 1; i < stages; i++) lines.push(...stage(i));
  return `${lines.join('\n')}\n`;
}

/**
 * Short stages of the four kinds, ~46 bytes each, half of them named: 432,526 stages ≈ 20 MB, the size of
 * issue 24's generated file.
 */
export function hugePipelineText(stages: number): string {
  return generated(stages, (i) => {
    const kind = i % 4;
    if (kind === 0) return [`  - name: g-${i}`, `    run: grep -v "\${REGION}-${i}"`];
    if (kind === 1) return ['  - command: [sort, -k2]'];
    if (kind === 2) return [`  - name: p-${i}`, '    use: pick', '    with: { fields: [id, name] }'];
    return ['  - run: head -n 10', '    stderr: ignore'];
  });
}
