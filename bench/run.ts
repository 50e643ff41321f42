/**
 * `npm run bench [-- http|hooks|micro|memory|cookie|ab ...]`: the side-by-side benchmark. With no argument
 * it runs every part but `ab` (an A/B run of two builds, bench/ab.ts, which needs KIT_A); the HTTP part
 * writes bench/results.json, bench/results.md and bench/chart.svg, the others bench/hooks.*,
 * bench/micro.*, bench/memory.* (cookie and ab print only).
 *
 * HTTP environment: WINDOW (seconds per window, default 2.5), ROUNDS (interleaved rounds per pair,
 * default 6), DATA (user: `{ user, counter }` sessions, the default; counter: `{ counter }`), SESSIONS
 * (one, the default, or many: 1 000 sessions cycled request by request), WARMUP (seconds per server before its first window, default 2), CONNECTIONS (default
 * 50), CASES (comma-separated pair names; writes to bench/out/ instead), SHAPES (scalar,user),
 * KIT_A (path of another build's dist/lib/index.js: each of our setups against the same setup on that
 * build instead of the anchor, for the A/B ratio of a change), KIT_B (a build to measure in place of
 * this one: swap it with KIT_A for the other direction, or give both one build for an A/A run), PIN=0 (no taskset), SERVER_CPUS and
 * LOADGEN_CPUS (default 0 and 1), PROFILE=1 (servers run with --cpu-prof into bench/out/profiles),
 * NO_BUILD=1 (skip `npm run build`).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DATA, PAIRS, SESSION_COUNT, shapesOf, type Pair, type Shape } from './cases.js'
import { renderChart } from './chart.js'
import { pinning } from './cpu.js'
import { DIST } from './dist.js'
import { measure, type Plan, type Settings } from './http.js'
import { machine } from './machine.js'
import { renderTable } from './table.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const build = join(here, 'out', 'build')

function env (name: string, fallback: number): number {
  const v = process.env[name]
  return v === undefined || v === '' ? fallback : Number(v)
}

function list (name: string): string[] | undefined {
  const v = process.env[name]
  return v === undefined || v === '' ? undefined : v.split(',').map((s) => s.trim())
}

/** The pairs and shapes to run: CASES and SHAPES, or all; with KIT_A, ours against ours on build A. */
function plans (): Plan[] {
  const names = list('CASES')
  const shapes = list('SHAPES') as Shape[] | undefined
  for (const n of names ?? []) if (!PAIRS.some((p) => p.name === n)) throw new Error(`unknown case ${n} (known: ${PAIRS.map((p) => p.name).join(', ')})`)
  let pairs: Pair[] = PAIRS.filter((p) => names === undefined || names.includes(p.name))
  if (process.env.KIT_A !== undefined) {
    pairs = pairs.map((p) => ({ ...p, label: `${p.label.split(' vs ')[0] ?? p.name}: this build ÷ KIT_A`, anchor: `${p.ours}@A` as const, target: undefined }))
  }
  return pairs.flatMap((pair) => shapesOf(pair.shapes).filter((s) => shapes === undefined || shapes.includes(s)).map((shape) => ({ pair, shape })))
}

async function http (): Promise<void> {
  const compiled = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(here, 'tsconfig.servers.json')], { stdio: 'inherit', cwd: root })
  if (compiled.status !== 0) throw new Error('compiling the benchmark servers failed')
  const settings: Settings = {
    window: env('WINDOW', 2.5),
    rounds: env('ROUNDS', 6),
    warmup: env('WARMUP', 2),
    connections: env('CONNECTIONS', 50)
  }
  const selected = plans()
  const pin = pinning(cpus().length)
  const windowsTotal = selected.length * (2 * settings.warmup + 2 * settings.rounds * settings.window)
  console.log(`${selected.length} comparisons, about ${Math.ceil(windowsTotal / 60)} min of load; ${pin.note}`)
  const { results, windows } = await measure({
    build,
    root,
    settings,
    pin,
    env: { ...process.env, NODE_ENV: 'production', BENCH_KIT: join(DIST, 'index.js') }
  }, selected)
  const subset = process.env.CASES !== undefined || process.env.SHAPES !== undefined || process.env.KIT_A !== undefined || process.env.KIT_B !== undefined ||
    DATA !== 'user' || SESSION_COUNT !== 1
  const out = subset ? join(here, 'out') : here
  mkdirSync(out, { recursive: true })
  const stamp = subset ? `-${new Date().toISOString().replace(/[:.]/g, '-')}` : ''
  const result = { date: new Date().toISOString(), machine: machine(), settings, data: DATA, sessions: SESSION_COUNT, pinning: pin.note, results, windows }
  const table = renderTable(results)
  writeFileSync(join(out, `results${stamp}.json`), JSON.stringify(result, null, 2) + '\n')
  writeFileSync(join(out, `results${stamp}.md`), table)
  if (!subset) writeFileSync(join(out, 'chart.svg'), renderChart(results))
  console.log(`\n${table}`)
  console.log(`machine: ${JSON.stringify(result.machine)}; settings: ${JSON.stringify(settings)}; data: ${DATA}; sessions: ${SESSION_COUNT}; ${pin.note}`)
}

function runScript (file: string, nodeArgs: string[] = []): void {
  const r = spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', join(here, file)], { stdio: 'inherit', cwd: root })
  if (r.status !== 0) throw new Error(`${file} failed with status ${r.status}`)
}

async function main (): Promise<void> {
  const parts = process.argv.slice(2)
  const all = parts.length === 0
  if (process.env.NO_BUILD !== '1') {
    // The servers import the built package, so measure what users run.
    const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: root })
    if (r.status !== 0) throw new Error('npm run build failed')
  }
  if (all || parts.includes('cookie')) runScript('cookie-size.ts')
  if (all || parts.includes('http')) await http()
  if (all || parts.includes('hooks')) runScript('hooks.ts')
  if (all || parts.includes('micro')) runScript('micro.ts')
  if (all || parts.includes('memory')) runScript('memory.ts', ['--expose-gc'])
  // Only when asked: it needs KIT_A.
  if (parts.includes('ab')) runScript('ab.ts')
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
