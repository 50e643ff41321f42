/**
 * `npm run bench [-- http|micro|hooks|memory ...]`: the side-by-side benchmark. With no argument it
 * runs every part; the HTTP part writes bench/results.json, bench/results.md and bench/chart.svg, the
 * others bench/micro.*, bench/hooks.* and bench/memory.*.
 *
 * Environment: DURATION (seconds per measured run, default 8), ROUNDS (default 2), WARMUP (seconds,
 * default 2), CONNECTIONS (default 50), CASES (comma-separated subset; writes to bench/out/ instead),
 * KIT_A (path of another build's dist/lib/index.js: cases named `<case>@A` run against it, for A/B
 * ratios of an optimisation), PROFILE=1 (servers run with --cpu-prof into bench/out/profiles),
 * NO_BUILD=1 (skip `npm run build`).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CASES, DIAGNOSTIC_CASES, TARGETS, type BenchCase } from './cases.js'
import { renderChart } from './chart.js'
import { measure, type Sample } from './http.js'
import { machine } from './machine.js'
import { renderTable, type Row } from './table.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')

function env (name: string, fallback: number): number {
  const v = process.env[name]
  return v === undefined || v === '' ? fallback : Number(v)
}

function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** The cases named in CASES (with `@A` variants), or all of them. */
function selectCases (): BenchCase[] {
  const wanted = process.env.CASES
  if (wanted === undefined || wanted === '') return [...CASES]
  return wanted.split(',').map((name) => {
    const [base, variant] = name.trim().split('@')
    const c = [...CASES, ...DIAGNOSTIC_CASES].find((x) => x.name === base)
    if (c === undefined) throw new Error(`unknown case ${name}`)
    if (variant === undefined) return c
    return { ...c, name: `${c.name}@${variant}`, label: `${c.label} [${variant}]`, anchor: undefined }
  })
}

async function http (): Promise<void> {
  const cases = selectCases()
  const subset = process.env.CASES !== undefined && process.env.CASES !== ''
  const settings = {
    duration: env('DURATION', 8),
    rounds: env('ROUNDS', 2),
    warmup: env('WARMUP', 2),
    connections: env('CONNECTIONS', 50)
  }
  const samples = await measure(cases, settings, root)
  const rows: Row[] = cases.map((c) => {
    const mine = samples.filter((s) => s.name === c.name)
    return {
      name: c.name,
      label: c.label,
      reqPerSec: median(mine.map((s) => s.reqPerSec)),
      p99Ms: median(mine.map((s) => s.p99Ms)),
      cpuUsPerReq: median(mine.map((s) => s.cpuUsPerReq)),
      anchor: c.anchor,
      target: TARGETS[c.name]
    }
  })
  const bare = rows.find((r) => r.name === 'bare')
  for (const r of rows) {
    if (bare !== undefined) r.vsBare = r.reqPerSec / bare.reqPerSec
    const anchor = rows.find((a) => a.name === r.anchor)
    if (anchor !== undefined) {
      r.vsAnchor = r.reqPerSec / anchor.reqPerSec
      r.cpuVsAnchor = anchor.cpuUsPerReq / r.cpuUsPerReq
    }
    // An A/B pair: the current build against the other one, same run.
    const other = rows.find((a) => a.name === `${r.name}@A`)
    if (other !== undefined) {
      r.vsA = r.reqPerSec / other.reqPerSec
      r.cpuVsA = other.cpuUsPerReq / r.cpuUsPerReq
    }
  }
  const out = subset ? join(here, 'out') : here
  mkdirSync(out, { recursive: true })
  const stamp = subset ? `-${new Date().toISOString().replace(/[:.]/g, '-')}` : ''
  const result = { date: new Date().toISOString(), machine: machine(), settings, rows, samples }
  const table = renderTable(rows)
  writeFileSync(join(out, `results${stamp}.json`), JSON.stringify(result, null, 2) + '\n')
  writeFileSync(join(out, `results${stamp}.md`), table)
  if (!subset) writeFileSync(join(out, 'chart.svg'), renderChart(rows))
  console.log(`\n${table}`)
  console.log(`machine: ${JSON.stringify(result.machine)}; settings: ${JSON.stringify(settings)}`)
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
  if (all || parts.includes('http')) await http()
  if (all || parts.includes('micro')) runScript('micro.ts')
  if (all || parts.includes('hooks')) runScript('hooks.ts')
  if (all || parts.includes('memory')) runScript('memory.ts', ['--expose-gc'])
}

export type { Sample }

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
