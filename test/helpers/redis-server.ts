import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Real redis-server processes for the tests, on free local ports (never 6379), each in its own
 * temporary folder, stopped at teardown. Without redis-server installed the Redis suites skip with one
 * loud line, except under CI=true where they fail.
 */

export const REDIS_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server'
export const REDIS_CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli'

/** Whether redis-server can run here. */
export function hasRedis (): boolean {
  return spawnSync(REDIS_BIN, ['--version']).status === 0
}

/**
 * The tap `skip` option for a Redis suite: false when redis-server is there; a loud reason when not.
 * Under CI=true a missing redis-server throws instead, so CI can never pass by skipping.
 */
export function redisSkip (): false | string {
  if (hasRedis()) return false
  const reason = 'redis-server not found: install the Debian package "redis-server" (apt-get install -y redis-server) to run the Redis tests'
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: failing instead of skipping)`)
  console.error(`\n### SKIPPING REDIS TESTS: ${reason}\n`)
  return reason
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/** Sends `signal` to a server process still running and waits for it to exit. */
export async function stopProcess (p: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (p === undefined || p.exitCode !== null) return
  await new Promise<void>((resolve) => {
    p.once('exit', () => resolve())
    p.kill(signal)
  })
}

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop (): Promise<void>
  /** Starts it again on the same port (data is gone: no persistence). */
  start (): Promise<void>
}

async function waitForPing (port: number, proc: ChildProcess, ms = 10_000): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${proc.exitCode}`)
    const r = spawnSync(REDIS_CLI, ['-p', String(port), 'ping'], { encoding: 'utf8' })
    if (r.stdout?.trim() === 'PONG') return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`redis-server on port ${port} did not answer within ${ms} ms`)
}

/** Starts one redis-server (extra `args` appended); stop it at teardown. */
export async function startRedis (t: { teardown (fn: () => unknown): void }, args: string[] = []): Promise<RedisServer> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'fsk-redis-'))
  let proc: ChildProcess | undefined
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start () {
      proc = spawn(REDIS_BIN, [
        '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--dir', dir, ...args
      ], { stdio: 'ignore' })
      await waitForPing(port, proc)
    },
    async stop () {
      const p = proc
      proc = undefined
      await stopProcess(p, 'SIGTERM')
    }
  }
  t.teardown(async () => {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  await server.start()
  return server
}

export interface RedisCluster {
  /** host:port of each master, for ioredis' Cluster. */
  readonly nodes: Array<{ host: string, port: number }>
  /** Stops every master. */
  stop (): Promise<void>
  /**
   * Starts them again on the same ports, and waits until the cluster is ok: each node finds its slots
   * and its peers in its nodes.conf, and the data is gone (no persistence).
   */
  start (): Promise<void>
}

async function clusterReady (servers: RedisServer[]): Promise<void> {
  const until = Date.now() + 20_000
  for (const s of servers) {
    while (true) {
      const info = spawnSync(REDIS_CLI, ['-p', String(s.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout ?? ''
      if (info.includes('cluster_state:ok')) break
      if (Date.now() > until) throw new Error('the Redis cluster did not become ready')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

/** Starts a real 3-master Redis Cluster on free local ports; stop it at teardown. */
export async function startRedisCluster (t: { teardown (fn: () => unknown): void }): Promise<RedisCluster> {
  const servers: RedisServer[] = []
  for (let i = 0; i < 3; i++) {
    servers.push(await startRedis(t, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000']))
  }
  const addresses = servers.map((s) => `127.0.0.1:${s.port}`)
  const created = spawnSync(REDIS_CLI, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' })
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stderr}`)
  await clusterReady(servers)
  return {
    nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
    async stop () {
      await Promise.all(servers.map(async (s) => await s.stop()))
    },
    async start () {
      await Promise.all(servers.map(async (s) => await s.start()))
      await clusterReady(servers)
    }
  }
}
