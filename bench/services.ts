/**
 * The external servers some setups need, started once per run on free local ports in temp folders,
 * pinned like the servers, and measured: their CPU per request is part of a store's cost.
 */
import { spawn, spawnSync } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Service } from './cases.js'
import { cpuMicros, pinned, treeCpuMicros } from './cpu.js'
import { pgBin } from '../test/helpers/postgres-server.js'

export interface Running {
  readonly service: Service
  /** The service's main process. */
  readonly pid: number
  /** Its CPU time so far in µs (the process, or its whole tree), read before and after each window. */
  cpuMicros (): number
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
      const pid = proc.pid as number
      return { service: 'redis', pid, cpuMicros: () => cpuMicros(pid), env: { BENCH_REDIS_PORT: String(port) }, stop }
    }
    await sleep(50)
  }
  stop()
  throw new Error('redis-server did not start')
}

/** The uid and gid of Debian's `postgres` user when we are root (PostgreSQL refuses to run as root). */
function postgresUser (): { uid: number, gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim())
  return { uid: id('-u'), gid: id('-g') }
}

// A throw-away PostgreSQL as the tests start one (test/helpers/postgres-server.ts), fsync off on both
// sides alike: the comparison is of the session libraries, not of the disk.
async function postgres (cpus: string | undefined): Promise<Running> {
  const bin = pgBin()
  if (bin === undefined) throw new Error('PostgreSQL not found: apt-get install -y postgresql')
  const as = postgresUser()
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'fsk-bench-pg-'))
  if (as !== undefined) chownSync(dir, as.uid, as.gid)
  const data = join(dir, 'data')
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { encoding: 'utf8', ...as })
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`)
  const [cmd, args] = pinned(cpus, [join(bin, 'postgres'), '-D', data, '-p', String(port), '-k', dir,
    '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=200'])
  const proc = spawn(cmd, args, { stdio: 'ignore', ...as })
  const stop = (): void => {
    proc.kill('SIGINT')
    proc.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  }
  for (let i = 0; i < 400; i++) {
    if (spawnSync(join(bin, 'pg_isready'), ['-h', dir, '-p', String(port), '-q']).status === 0) {
      const pid = proc.pid as number
      return { service: 'postgres', pid, cpuMicros: () => treeCpuMicros(pid), env: { BENCH_PG_URL: `postgres://postgres@127.0.0.1:${port}/postgres` }, stop }
    }
    await sleep(50)
  }
  stop()
  throw new Error('postgres did not start')
}

const STARTERS: Record<Service, (cpus: string | undefined) => Promise<Running>> = { redis, postgres }

export async function startService (service: Service, cpus: string | undefined): Promise<Running> {
  return await STARTERS[service](cpus)
}
