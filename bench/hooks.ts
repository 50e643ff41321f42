/**
 * The plugin's own work per request, without HTTP: its onRequest and onSend hooks called directly
 * with a minimal request and reply, timed in CPU time of this process (so time slices lost to other
 * processes on a shared machine do not count). `npm run bench -- hooks`; KIT_A (another build's
 * dist/lib/index.js) adds that build's numbers for A/B ratios. HOOK_REQUESTS per measurement
 * (default 100000), 3 measurements, median.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SEEDED_COUNTER, USER } from './cases.js'
import { BENCH_DIR as here, DIST, DIST_A } from './dist.js'
import { harness, type Harness } from './harness.js'
import { machine } from './machine.js'
import type { Session } from '../lib/session.js'

const REQUESTS = Number(process.env.HOOK_REQUESTS ?? 100_000)
const MODES: Record<string, (s: Session) => void> = {
  'read+write': (s) => {
    s.set('counter', (s.get('counter') ?? 0) + 1)
    s.get('user')
  },
  'read-only': (s) => {
    s.get('counter')
    s.get('user')
  }
}

/** CPU µs per request, median of 3 runs of REQUESTS requests. */
async function measure (h: Harness, cookie: string, handle: (s: Session) => void): Promise<number> {
  for (let i = 0; i < REQUESTS / 5; i++) await h.serve(cookie, handle)
  const runs: number[] = []
  for (let r = 0; r < 3; r++) {
    const start = process.cpuUsage()
    for (let i = 0; i < REQUESTS; i++) await h.serve(cookie, handle)
    const used = process.cpuUsage(start)
    runs.push((used.user + used.system) / REQUESTS)
  }
  return runs.sort((a, b) => a - b)[1] as number
}

interface HookRow { store: string, mode: string, us: number, aUs?: number }
const builds: Array<[string, string]> = [['current', DIST]]
if (DIST_A !== undefined) builds.push(['A', DIST_A])
const rows: HookRow[] = []
for (const store of ['cookie', 'memory'] as const) {
  for (const [mode, handle] of Object.entries(MODES)) {
    if (store === 'memory' && mode === 'read-only') continue
    const row: HookRow = { store, mode, us: 0 }
    for (const [name, dist] of builds) {
      const h = await harness(store, dist)
      await h.serve(undefined, (s) => {
        s.set('user', USER)
        s.set('counter', SEEDED_COUNTER)
      })
      const cookie = h.lastSetCookie().split(';')[0] as string
      let seen = -1
      await h.serve(cookie, (s) => { seen = s.get('counter') ?? -1 })
      if (seen !== SEEDED_COUNTER) throw new Error(`${store}: the seeded session did not load`)
      const us = await measure(h, cookie, handle)
      if (name === 'A') row.aUs = us
      else row.us = us
    }
    rows.push(row)
  }
}
const md = [
  '| store | route | plugin CPU µs/request |' + (builds.length > 1 ? ' build A µs | A/B |' : ''),
  '|---|---|---:|' + (builds.length > 1 ? '---:|---:|' : ''),
  ...rows.map((r) => `| ${r.store} | ${r.mode} | ${r.us.toFixed(2)} |` + (r.aUs === undefined ? '' : ` ${r.aUs.toFixed(2)} | ${(r.aUs / r.us).toFixed(2)}× |`))
].join('\n') + '\n'
const out = builds.length > 1 ? join(here, 'out') : here
mkdirSync(out, { recursive: true })
writeFileSync(join(out, 'hooks.json'), JSON.stringify({ date: new Date().toISOString(), machine: machine(), requests: REQUESTS, rows }, null, 2) + '\n')
writeFileSync(join(out, 'hooks.md'), md)
console.log(`\n${md}`)
