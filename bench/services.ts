/**
 * The external servers some setups need, started once per run on free local ports in temp folders,
 * pinned like the servers, and measured: their CPU per request is part of a store's cost. To add
 * PostgreSQL: a starter here that sets its connection variable for the setups, and `'postgres'` in
 * `Service` (bench/cases.ts).
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Service } from './cases.js'
import { pinned } from './cpu.js'

export interface Running {
  readonly service: Service
  /** The process whose CPU time is measured per window. */
  readonly pid: number
  /** Environment variables the server processes need to reach it. */
  readonly env: Record<string, string>
  stop (): void
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

export async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

async function redis (cpus: string | undefined): Promise<Running> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'fsk-bench-redis-'))
  const [cmd, args] = pinned(cpus, ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir])
  const proc = spawn(cmd, args, { stdio: 'ignore' })
  const stop = (): void => {
    proc.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
  for (let i = 0; i < 200; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') {
      return { service: 'redis', pid: proc.pid as number, env: { BENCH_REDIS_PORT: String(port) }, stop }
    }
    await sleep(50)
  }
  stop()
  throw new Error('redis-server did not start')
}

const STARTERS: Record<Service, (cpus: string | undefined) => Promise<Running>> = { redis }

export async function startService (service: Service, cpus: string | undefined): Promise<Running> {
  return await STARTERS[service](cpus)
}
