/**
 * The statistics of a paired comparison: the median of per-round ratios, their interquartile range,
 * and a bootstrap 95% interval of that median, with the verdicts a reported figure may claim.
 */

/** The `q` quantile (0..1) of sorted values, linearly interpolated. */
function quantile (sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const at = (sorted.length - 1) * q
  const lo = Math.floor(at)
  const hi = Math.ceil(at)
  const a = sorted[lo] as number
  const b = sorted[hi] as number
  return a + (b - a) * (at - lo)
}

export function median (values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5)
}

/** A small seeded generator (mulberry32): the same ratios give the same interval on every run. */
function random (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A ratio's summary over the rounds. */
export interface Spread {
  median: number
  q1: number
  q3: number
  /** Bootstrap 95% interval of the median (percentile method, 2000 resamples). */
  lo: number
  hi: number
  n: number
}

export function spread (ratios: readonly number[]): Spread {
  const sorted = [...ratios].sort((a, b) => a - b)
  const n = sorted.length
  const next = random(0x5eed)
  const medians: number[] = []
  for (let b = 0; b < 2000; b++) {
    const sample: number[] = []
    for (let i = 0; i < n; i++) sample.push(sorted[Math.floor(next() * n)] as number)
    medians.push(median(sample))
  }
  medians.sort((a, b) => a - b)
  return {
    median: quantile(sorted, 0.5),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    lo: quantile(medians, 0.025),
    hi: quantile(medians, 0.975),
    n
  }
}

/**
 * How a ratio compares with `line` (1 for "faster or slower", a target for "met or not"): a claim
 * only when the whole 95% interval is on one side; a gap smaller than the spread is no result.
 */
export function verdict (s: Spread, line: number, above: string, below: string): string {
  // Under five rounds a bootstrap interval is not worth its name.
  if (s.n < 5) return 'no result (too few rounds)'
  if (s.lo >= line) return above
  if (s.hi < line) return below
  return 'no result (within spread)'
}

/** `1.23× [1.18–1.27] IQR 1.20–1.25`: a ratio with its spread. */
export function formatSpread (s: Spread): string {
  return `${s.median.toFixed(2)}× [${s.lo.toFixed(2)}–${s.hi.toFixed(2)}] IQR ${s.q1.toFixed(2)}–${s.q3.toFixed(2)}`
}
