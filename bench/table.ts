/** One row of the results: medians over the rounds, and the ratios computed from them. */
export interface Row {
  name: string
  label: string
  reqPerSec: number
  p99Ms: number
  cpuUsPerReq: number
  anchor: string | undefined
  target: number | undefined
  vsBare?: number
  vsAnchor?: number
  /** The anchor's CPU per request over ours: the same comparison, immune to lost time slices. */
  cpuVsAnchor?: number
  /** Against the `@A` build of the same case (an optimisation's A/B ratio). */
  vsA?: number
  /** The `@A` build's CPU per request over ours. */
  cpuVsA?: number
}

const ratio = (r: number | undefined): string => r === undefined ? '' : `${r.toFixed(2)}×`

/** The markdown table of the README. */
export function renderTable (rows: readonly Row[]): string {
  const lines = [
    '| case | req/s | p99 (ms) | server CPU µs/req | req/s vs bare | req/s vs anchor | CPU/req, anchor ÷ ours | target (req/s) |',
    '|---|---:|---:|---:|---:|---:|---:|---|'
  ]
  for (const r of rows) {
    const anchor = rows.find((a) => a.name === r.anchor)
    const vs = r.vsAnchor === undefined || anchor === undefined ? '' : `${ratio(r.vsAnchor)} (${anchor.name === 'bare' ? 'bare' : anchor.label})`
    const vsA = r.vsA === undefined ? '' : ` A/B ${ratio(r.vsA)} (CPU ${ratio(r.cpuVsA)})`
    const target = r.target === undefined || r.vsAnchor === undefined ? '' : `≥ ${r.target}× ${r.vsAnchor >= r.target ? 'met' : '**not met**'}`
    lines.push(`| ${r.label} | ${Math.round(r.reqPerSec)} | ${r.p99Ms} | ${r.cpuUsPerReq.toFixed(1)} | ${ratio(r.vsBare)} | ${vs}${vsA} | ${ratio(r.cpuVsAnchor)} | ${target} |`)
  }
  return lines.join('\n') + '\n'
}
