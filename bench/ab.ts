/**
 * `KIT_A=<dist/lib/index.js> npm run bench -- ab`: the A/B ratio of a change in the plugin's own work,
 * each build in processes of its own. The hooks part runs both builds in one process, where the order
 * they were loaded in and the code each one makes the JIT see moves a ratio by a few percent; here every
 * measurement is a fresh process (bench/ab-worker.ts), alternating A, B, B, A, ... pinned to one core,
 * and the ratio is the median of the per-round ratios with its spread, as in the other parts.
 *
 * AB_ROUNDS (default 8), AB_CASES (default every case: cookie:rw, cookie:ro and memory:rw on both
 * shapes, as `store:mode:shape`), AB_REQUESTS and AB_MEASURES per process; KIT_B as elsewhere.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { BENCH_DIR as here, DIST, DIST_A } from './dist.js'
import { median, spread } from './stats.js'

if (DIST_A === undefined) throw new Error('npm run bench -- ab needs KIT_A (another build\'s dist/lib/index.js)')
const distA = DIST_A
const rounds = Number(process.env.AB_ROUNDS ?? 8)
const cases = process.env.AB_CASES?.split(',') ??
  ['cookie:rw:scalar', 'cookie:rw:user', 'cookie:ro:scalar', 'cookie:ro:user', 'memory:rw:scalar', 'memory:rw:user']
const pin = process.platform === 'linux' ? ['taskset', '-c', process.env.SERVER_CPUS ?? '0'] : []

function measure (dist: string, name: string): number {
  const command = [...pin, process.execPath, '--import', 'tsx', join(here, 'ab-worker.ts')]
  const out = execFileSync(command[0] as string, command.slice(1), { env: { ...process.env, AB_DIST: dist, AB_CASE: name }, encoding: 'utf8' })
  return Number(out.trim())
}

const rows: string[] = []
for (const name of cases) {
  const a: number[] = []
  const b: number[] = []
  for (let r = 0; r < rounds; r++) {
    // A B, then B A: neither build always goes first.
    if (r % 2 === 0) {
      a.push(measure(distA, name))
      b.push(measure(DIST, name))
    } else {
      b.push(measure(DIST, name))
      a.push(measure(distA, name))
    }
  }
  const ratios = a.map((x, i) => x / (b[i] as number))
  const s = spread(ratios)
  // Three decimals: the changes measured here are often a percent or two.
  const line = `| ${name} | ${median(b).toFixed(2)} | ${median(a).toFixed(2)} | ${s.median.toFixed(3)}× [${s.lo.toFixed(3)}–${s.hi.toFixed(3)}] IQR ${s.q1.toFixed(3)}–${s.q3.toFixed(3)} |`
  console.log(line)
  rows.push(line)
}
console.log(['', '| case (store:mode:shape) | this build CPU µs/request | KIT_A build CPU µs/request | A ÷ this build: median [95% CI] IQR |', '|---|---:|---:|---|', ...rows].join('\n'))
