import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chownSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort, stopProcess } from './redis-server.js'

/**
 * Real PostgreSQL servers for the tests: a copy of one `initdb` in a temporary folder, `postgres` on a free local
 * port (never 5432) with trust authentication for loopback connections, stopped at teardown. Without
 * PostgreSQL installed the suites skip with one loud line, except under CI=true where they fail.
 * PostgreSQL refuses to run as root: as root, initdb and postgres run as the `postgres` user (made
 * by Debian's package); as anyone else, as that user.
 */

/** The folder of PostgreSQL's programs: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
export function pgBin (): string | undefined {
  if (process.env.PG_BIN !== undefined) return process.env.PG_BIN
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : []
  const found = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'postgres')))
  return found
}

/** The uid/gid to run PostgreSQL as: the `postgres` user when we are root, else nothing to change. */
function runAs (): { uid: number, gid: number } | undefined | false {
  if (process.getuid?.() !== 0) return undefined
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' })
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' })
  if (uid.status !== 0 || gid.status !== 0) return false
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
}

/** Whether a PostgreSQL server can be started here. */
export function hasPostgres (): boolean {
  const bin = pgBin()
  return bin !== undefined && existsSync(join(bin, 'initdb')) && runAs() !== false
}

/**
 * The tap `skip` option for a PostgreSQL suite: false when PostgreSQL is there; a loud reason when
 * not. Under CI=true a missing PostgreSQL throws instead, so CI can never pass by skipping.
 */
export function postgresSkip (): false | string {
  if (hasPostgres()) return false
  const reason = 'PostgreSQL not found under /usr/lib/postgresql/*/bin (or PG_BIN), or no "postgres" user to run it as root: install the Debian package "postgresql" (apt-get install -y postgresql) to run the PostgreSQL tests'
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: failing instead of skipping)`)
  console.error(`\n### SKIPPING POSTGRESQL TESTS: ${reason}\n`)
  return reason
}

export interface PostgresServer {
  readonly port: number
  /** A connection string to the test database. */
  readonly url: string
  /** Options for `new pg.Pool()` to the test database. */
  readonly connection: { host: string, port: number, user: string, database: string }
  /** Stops the server (fast shutdown: connections are cut) and waits for it to exit. */
  stop (): Promise<void>
  /** Starts it again on the same port, with the same data. */
  start (): Promise<void>
}

const USER = 'postgres'
const DATABASE = 'fsk_test'

async function waitReady (bin: string, socketDir: string, port: number, proc: ChildProcess, log: () => string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`postgres on port ${port} exited with ${proc.exitCode}:\n${log()}`)
    const r = spawnSync(join(bin, 'pg_isready'), ['-h', socketDir, '-p', String(port), '-U', USER, '-q'])
    if (r.status === 0) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`postgres on port ${port} did not accept connections within ${ms} ms:\n${log()}`)
}

const INITDB_ARGS = ['-U', USER, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']

/**
 * A data folder fresh from `initdb`, made once per machine (per PostgreSQL build and user) in the
 * temporary folder and copied by each server: initdb is most of a server's start-up cost (1.4
 * CPU-seconds against 0.3 for the copy), and every test file that needs PostgreSQL paid it. Made
 * aside and renamed into place, so test files starting at once never see half of one; the copy
 * (`cp -a`) keeps its owner and modes, which postgres checks.
 */
function initdbTemplate (bin: string, as: { uid: number, gid: number } | undefined): string {
  const initdb = join(bin, 'initdb')
  const key = `${statSync(initdb).mtimeMs}-${process.getuid?.() ?? 'u'}-${INITDB_ARGS.join(' ')}`
  const template = join(tmpdir(), `fsk-pg-template-${createHash('sha256').update(`${initdb}\0${key}`).digest('hex').slice(0, 16)}`)
  if (existsSync(join(template, 'PG_VERSION'))) return template
  const aside = mkdtempSync(`${template}-making-`)
  if (as !== undefined) chownSync(aside, as.uid, as.gid)
  const init = spawnSync(initdb, ['-D', join(aside, 'data'), ...INITDB_ARGS], { encoding: 'utf8', ...as })
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`)
  try {
    renameSync(join(aside, 'data'), template)
  } catch (err) {
    // Another test file made it first: use theirs.
    if (!existsSync(join(template, 'PG_VERSION'))) throw err
  }
  rmSync(aside, { recursive: true, force: true })
  return template
}

/** Starts one PostgreSQL server with an empty database `fsk_test`; stop it at teardown. */
export async function startPostgres (t: { teardown (fn: () => unknown): void }): Promise<PostgresServer> {
  const bin = pgBin() as string
  const as = runAs() || undefined
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'fsk-pg-'))
  if (as !== undefined) chownSync(dir, as.uid, as.gid)
  const data = join(dir, 'data')
  const copy = spawnSync('cp', ['-a', initdbTemplate(bin, as), data], { encoding: 'utf8' })
  if (copy.status !== 0) throw new Error(`copying the initdb template failed: ${copy.stderr}`)
  let proc: ChildProcess | undefined
  let output = ''
  const server: PostgresServer = {
    port,
    url: `postgres://${USER}@127.0.0.1:${port}/${DATABASE}`,
    connection: { host: '127.0.0.1', port, user: USER, database: DATABASE },
    async start () {
      // fsync off: a throw-away server has nothing to keep through a crash, and tests run faster.
      proc = spawn(join(bin, 'postgres'), [
        '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
        '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'
      ], { stdio: ['ignore', 'ignore', 'pipe'], ...as })
      proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => { output = (output + chunk).slice(-4000) })
      await waitReady(bin, dir, port, proc, () => output)
    },
    async stop () {
      const p = proc
      proc = undefined
      // SIGINT: PostgreSQL's fast shutdown, which cuts the connections as an outage would.
      await stopProcess(p, 'SIGINT')
    }
  }
  t.teardown(async () => {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  await server.start()
  const admin = new pg.Client({ ...server.connection, database: 'postgres' })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${DATABASE}`)
  await admin.end()
  return server
}

/**
 * A pool that fails fast while the server is down, as docs/stores.md recommends: connections time out
 * after a second, queries after five; idle connections that drop are reported, not thrown.
 */
export function testPool (t: { teardown (fn: () => unknown): void }, server: PostgresServer, options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ ...server.connection, connectionTimeoutMillis: 1000, query_timeout: 5000, max: 20, ...options })
  // An idle connection cut by a server stop: the next query reconnects; the event itself is not news.
  pool.on('error', () => {})
  t.teardown(() => pool.end())
  return pool
}

/** Every row of every table of the test database, as pg_dump writes it: what a leaked dump shows. */
export function dumpPostgres (server: PostgresServer): string {
  const bin = pgBin() as string
  const r = spawnSync(join(bin, 'pg_dump'), ['--data-only', '-h', '127.0.0.1', '-p', String(server.port), '-U', USER, DATABASE], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr}`)
  return r.stdout
}
