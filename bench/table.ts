import type { PairResult } from './http.js'
import { formatSpread } from './stats.js'

const us = (v: number | undefined): string => v === undefined ? '' : v.toFixed(1)

/**
 * The markdown table of a run: each pair's req/s and CPU per request (medians of its windows), the
 * median of the per-round ratios with its bootstrap 95% interval and interquartile range, and what
 * that allows to claim (a gap within the spread is "no result").
 */
export function renderTable (results: readonly PairResult[]): string {
  const lines = [
    '| case | route | ours req/s | anchor req/s | ours ÷ anchor, req/s: median [95% CI] IQR | verdict | target | server CPU µs/req ours / anchor | anchor ÷ ours, CPU/req | service CPU µs/req ours / anchor |',
    '|---|---|---:|---:|---|---|---|---:|---|---:|'
  ]
  for (const r of results) {
    const target = r.target === undefined ? '' : `≥ ${r.target}×: ${r.targetVerdict ?? ''}`
    const service = r.oursServiceUs === undefined ? '' : `${us(r.oursServiceUs)} / ${us(r.anchorServiceUs)}`
    lines.push(`| ${r.label} | ${r.shape === 'scalar' ? '`{ counter }`' : '`{ user, counter }`'} | ${Math.round(r.oursReqPerSec)} | ${Math.round(r.anchorReqPerSec)} | ${formatSpread(r.ratio)} | ${r.verdict} | ${target} | ${us(r.oursCpuUs)} / ${us(r.anchorCpuUs)} | ${formatSpread(r.cpuRatio)} | ${service} |`)
  }
  return lines.join('\n') + '\n'
}
