/**
 * The session libraries' own work per request, without HTTP: each plugin's hooks (ours, the
 * anchor's, and @fastify/cookie's under each) called directly on the same minimal request and reply
 * (bench/harness.ts), timed in CPU time of this process (so time slices lost to other processes on a
 * shared machine do not count), in interleaved rounds like the HTTP part: ours, anchor, anchor, ours,
 * ... and the median of the per-round ratios with its spread.
 *
 * `npm run bench -- hooks`. HOOK_REQUESTS per side per round (default 20000), HOOK_ROUNDS (default
 * 10), CASES, SHAPES and DATA as in the HTTP part; KIT_A (another build's dist/lib/index.js): ours against
 * that build instead of the anchor, for the A/B ratio of a change; KIT_B: a build in place of this one.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DATA, PAIRS, SEEDED_COUNTER, shapesOf, WITH_USER, type Shape } from './cases.js'
import { BENCH_DIR as here, DIST, DIST_A } from './dist.js'
import { appHarness, type AppHarness, type Handler } from './harness.js'
import { machine } from './machine.js'
import { formatSpread, median, spread, verdict, type Spread } from './stats.js'
import type { Access } from './servers/setups.js'

const REQUESTS = Number(process.env.HOOK_REQUESTS ?? 20_000)
const ROUNDS = Number(process.env.HOOK_ROUNDS ?? 10)
const names = process.env.CASES?.split(',')
const shapes = process.env.SHAPES?.split(',') as Shape[] | undefined
const builds = { current: join(DIST, 'index.js'), a: DIST_A === undefined ? undefined : join(DIST_A, 'index.js') }

/** CPU µs per request over REQUESTS requests. */
async function cpuPerRequest (h: AppHarness, cookie: string, handle: Handler): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < REQUESTS; i++) await h.serve(cookie, handle)
  const used = process.cpuUsage(start)
  return (used.user + used.system) / REQUESTS
}

/** A harness with a seeded session, checked to load. */
async function seeded (setupName: string): Promise<{ h: AppHarness, access: Access, cookie: string }> {
  const { h, access } = await appHarness(setupName, builds)
  await h.serve(undefined, (r) => { access.seed(r) })
  const cookie = h.lastCookie()
  const body = await h.serve(cookie, (r) => access.read(r, WITH_USER)) as { counter: number, user?: unknown }
  if (body.counter !== SEEDED_COUNTER || (WITH_USER && body.user === undefined)) throw new Error(`${setupName}: the seeded session did not load`)
  return { h, access, cookie }
}

interface HookRow { pair: string, label: string, shape: Shape, ours: string, anchor: string, oursUs: number, anchorUs: number, ratio: Spread, verdict: string }
const rows: HookRow[] = []
const pairs = PAIRS.filter((p) => p.services === undefined && p.mode !== 'plain' && (names === undefined || names.includes(p.name)))
for (const pair of pairs) {
  for (const shape of shapesOf(pair.shapes).filter((s) => shapes === undefined || shapes.includes(s))) {
    const anchor = DIST_A === undefined ? pair.anchor : `${pair.ours}@A`
    const sides = [await seeded(pair.ours), await seeded(anchor)]
    const withUser = shape === 'user'
    const handlers = sides.map(({ access }): Handler => pair.mode === 'read-write' ? (r) => access.increment(r, withUser) : (r) => access.read(r, withUser))
    // Warm-up: let the JIT settle on both before anything is timed.
    for (const [i, s] of sides.entries()) await cpuPerRequest(s.h, s.cookie, handlers[i] as Handler)
    const us: [number[], number[]] = [[], []]
    const ratios: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const s = sides[i] as { h: AppHarness, cookie: string }
        us[i as 0 | 1].push(await cpuPerRequest(s.h, s.cookie, handlers[i] as Handler))
      }
      // anchor ÷ ours: how many times the anchor's cost ours is (higher is better for ours).
      ratios.push((us[1].at(-1) as number) / (us[0].at(-1) as number))
    }
    for (const s of sides) await s.h.close()
    const ratio = spread(ratios)
    const label = DIST_A === undefined ? pair.label : `${pair.label.split(' vs ')[0] ?? pair.name}: KIT_A ÷ this build`
    const row: HookRow = { pair: pair.name, label, shape, ours: pair.ours, anchor, oursUs: median(us[0]), anchorUs: median(us[1]), ratio, verdict: verdict(ratio, 1, 'ours cheaper', 'ours costlier') }
    rows.push(row)
    console.log(`${pair.name} ${shape}: ours ${row.oursUs.toFixed(2)} µs, ${anchor} ${row.anchorUs.toFixed(2)} µs, ${formatSpread(ratio)}`)
  }
}
const md = [
  `| case | route | ours CPU µs/request | ${DIST_A === undefined ? 'anchor' : 'KIT_A build'} CPU µs/request | ${DIST_A === undefined ? 'anchor' : 'A'} ÷ ours: median [95% CI] IQR | verdict |`,
  '|---|---|---:|---:|---|---|',
  ...rows.map((r) => `| ${r.label} | ${r.shape === 'scalar' ? '`{ counter }`' : '`{ user, counter }`'} | ${r.oursUs.toFixed(2)} | ${r.anchorUs.toFixed(2)} | ${formatSpread(r.ratio)} | ${r.verdict} |`)
].join('\n') + '\n'
const subset = DIST_A !== undefined || names !== undefined || shapes !== undefined || DATA !== 'user'
const out = subset ? join(here, 'out') : here
mkdirSync(out, { recursive: true })
writeFileSync(join(out, 'hooks.json'), JSON.stringify({ date: new Date().toISOString(), machine: machine(), requests: REQUESTS, rounds: ROUNDS, rows }, null, 2) + '\n')
writeFileSync(join(out, 'hooks.md'), md)
console.log(`\n${md}`)
