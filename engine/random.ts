// One small seeded PRNG for everything that samples: the `sample` built-in and the records the
// extension keeps. Pure, no imports: both bundles can take it.

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
