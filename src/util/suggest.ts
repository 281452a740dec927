/** Levenshtein distance between two short names. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `word` (case-insensitive), for a "did you mean" hint: at most 2 edits away (a third of
 * the word for short ones), else null. Ties go to the first candidate.
 */
export function closest(word: string, candidates: Iterable<string>): string | null {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.min(2, Math.floor(w.length / 3)));
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    // Names whose lengths differ by more than the limit are further apart than it: skip the distance.
    if (Math.abs(c.length - w.length) > limit) continue;
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance && d > 0) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
