/** Edit distance, to offer "did you mean" for misspelt keys and names. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known names close enough to `word` to be what was meant, nearest first. */
export function closest(word: string, known: readonly string[]): string[] {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  return known
    .map((k) => ({ k, d: distance(lower, k.toLowerCase()) }))
    .filter(({ k, d }) => d <= limit || (lower.length >= 3 && k.toLowerCase().startsWith(lower)))
    .sort((x, y) => x.d - y.d)
    .map(({ k }) => k);
}

export function didYouMean(candidates: readonly string[]): string {
  return candidates.length > 0 ? ` Did you mean \`${candidates[0]}\`?` : '';
}
