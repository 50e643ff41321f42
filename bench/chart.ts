import type { Row } from './table.js'

/** The pairs the chart sets side by side: ours, and the anchor it is measured against. */
const GROUPS: ReadonlyArray<{ title: string, ours: string, anchor: string }> = [
  { title: 'no session used', ours: 'kit-no-cookie', anchor: 'bare' },
  { title: 'cookie read+write', ours: 'kit-cookie-rw', anchor: 'secure-rw' },
  { title: 'cookie read-only', ours: 'kit-cookie-ro', anchor: 'secure-ro' },
  { title: 'memory read+write', ours: 'kit-memory-rw', anchor: 'fsession-memory-rw' },
  { title: 'redis read+write', ours: 'kit-redis-rw', anchor: 'fsession-redis-rw' }
]

const OURS = '#2b6cb0'
const ANCHOR = '#a0aec0'

function escape (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * A grouped bar chart (SVG, drawn here, no plotting service): req/s as a ratio to bare Fastify, ours
 * beside its anchor for each kind of session.
 */
export function renderChart (rows: readonly Row[]): string {
  const byName = new Map(rows.map((r) => [r.name, r]))
  const groups = GROUPS.filter((g) => byName.has(g.ours) && byName.has(g.anchor))
  const width = 760
  const height = 360
  const left = 56
  const right = 16
  const top = 48
  const bottom = 64
  const plotW = width - left - right
  const plotH = height - top - bottom
  const max = Math.max(1, ...groups.flatMap((g) => [byName.get(g.ours)?.vsBare ?? 0, byName.get(g.anchor)?.vsBare ?? 0]))
  // Headroom above the tallest bar for its label.
  const yMax = Math.ceil((max + 0.1) * 5) / 5
  const y = (v: number): number => top + plotH - (v / yMax) * plotH
  const slot = plotW / Math.max(1, groups.length)
  const bar = Math.min(56, slot / 3)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">Requests per second, as a ratio to bare Fastify (higher is better)</text>`,
    `<rect x="${left}" y="30" width="12" height="12" fill="${OURS}"/><text x="${left + 16}" y="40">fastify-session-kit</text>`,
    `<rect x="${left + 150}" y="30" width="12" height="12" fill="${ANCHOR}"/><text x="${left + 166}" y="40">anchor (bare Fastify, @fastify/secure-session, @fastify/session)</text>`
  ]
  for (let t = 0; t <= yMax + 1e-9; t += 0.2) {
    const ty = y(t)
    out.push(`<line x1="${left}" x2="${width - right}" y1="${ty.toFixed(1)}" y2="${ty.toFixed(1)}" stroke="${Math.abs(t - 1) < 1e-9 ? '#4a5568' : '#e2e8f0'}"/>`)
    out.push(`<text x="${left - 6}" y="${(ty + 4).toFixed(1)}" text-anchor="end">${t.toFixed(1)}</text>`)
  }
  groups.forEach((g, i) => {
    const cx = left + slot * i + slot / 2
    const pair: Array<[Row, string, number]> = [
      [byName.get(g.ours) as Row, OURS, cx - bar - 2],
      [byName.get(g.anchor) as Row, ANCHOR, cx + 2]
    ]
    for (const [row, color, x] of pair) {
      const v = row.vsBare ?? 0
      out.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${bar.toFixed(1)}" height="${(top + plotH - y(v)).toFixed(1)}" fill="${color}"><title>${escape(row.label)}: ${Math.round(row.reqPerSec)} req/s</title></rect>`)
      out.push(`<text x="${(x + bar / 2).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle">${v.toFixed(2)}</text>`)
    }
    const ours = byName.get(g.ours) as Row
    const gain = ours.vsAnchor === undefined ? '' : `${ours.vsAnchor.toFixed(2)}× the anchor`
    out.push(`<text x="${cx.toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle" font-weight="600">${escape(g.title)}</text>`)
    out.push(`<text x="${cx.toFixed(1)}" y="${top + plotH + 34}" text-anchor="middle" fill="#4a5568" font-size="11">${gain}</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}
