import type { PairResult } from './http.js'

const OURS = '#2b6cb0'
const MISSED = '#c05621'

function escape (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * A chart (SVG, drawn here, no plotting service) of ours ÷ anchor in req/s for every pair and route
 * shape: the median as a dot, its bootstrap 95% interval as a bar, the target as a tick.
 */
export function renderChart (results: readonly PairResult[]): string {
  const rowH = 26
  const width = 760
  const left = 330
  const right = 24
  const top = 56
  const height = top + rowH * results.length + 40
  const max = Math.max(2, ...results.flatMap((r) => [r.ratio.hi, r.target ?? 0])) + 0.1
  const min = Math.min(0.5, ...results.map((r) => r.ratio.lo)) - 0.05
  const x = (v: number): number => left + (v - min) / (max - min) * (width - left - right)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">fastify-session-kit ÷ its anchor, requests per second (higher is better)</text>`,
    `<text x="${width / 2}" y="38" text-anchor="middle" fill="#4a5568">dot: median of interleaved rounds; bar: bootstrap 95% interval; tick: the target</text>`
  ]
  for (let t = Math.ceil(min * 5) / 5; t <= max; t += 0.2) {
    const tx = x(t)
    out.push(`<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${top - 6}" y2="${top + rowH * results.length}" stroke="${Math.abs(t - 1) < 1e-9 ? '#4a5568' : '#e2e8f0'}"/>`)
    out.push(`<text x="${tx.toFixed(1)}" y="${top + rowH * results.length + 16}" text-anchor="middle">${t.toFixed(1)}</text>`)
  }
  results.forEach((r, i) => {
    const cy = top + rowH * i + rowH / 2
    const color = r.targetVerdict === 'not met' ? MISSED : OURS
    out.push(`<text x="${left - 8}" y="${cy + 4}" text-anchor="end">${escape(`${r.pair} ${r.shape === 'scalar' ? '{ counter }' : '{ user, counter }'}`)}</text>`)
    out.push(`<line x1="${x(r.ratio.lo).toFixed(1)}" x2="${x(r.ratio.hi).toFixed(1)}" y1="${cy}" y2="${cy}" stroke="${color}" stroke-width="4"/>`)
    out.push(`<circle cx="${x(r.ratio.median).toFixed(1)}" cy="${cy}" r="5" fill="${color}"><title>${escape(r.label)}: ${r.ratio.median.toFixed(2)}×</title></circle>`)
    if (r.target !== undefined) out.push(`<line x1="${x(r.target).toFixed(1)}" x2="${x(r.target).toFixed(1)}" y1="${cy - 8}" y2="${cy + 8}" stroke="#1a202c" stroke-width="2"/>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}
