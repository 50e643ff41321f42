import autocannon, { type Result } from 'autocannon'
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROUTE, SEEDED_COUNTER, type BenchCase } from './cases.js'

/** One measured run of one case. */
export interface Sample {
  name: string
  round: number
  reqPerSec: number
  p99Ms: number
  cpuUsPerReq: number
  requests: number
}

export interface Settings {
  duration: number
  rounds: number
  warmup: number
  connections: number
}

interface Server {
  readonly c: BenchCase
  readonly proc: ChildProcess
  readonly url: string
  /** The `name=value` cookie of the seeded session ('' for cases without one). */
  cookie: string
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

/** utime + stime of a process, in microseconds (fields 14 and 15 of /proc/<pid>/stat). */
function cpuMicros (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces; count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 1e6 / CLOCK_TICKS
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

async function startRedis (): Promise<{ port: number, stop (): void }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'fsk-bench-redis-'))
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
  for (let i = 0; i < 200; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') {
      return {
        port,
        stop () {
          proc.kill('SIGTERM')
          rmSync(dir, { recursive: true, force: true })
        }
      }
    }
    await sleep(50)
  }
  proc.kill('SIGTERM')
  throw new Error('redis-server did not start')
}

async function startServer (c: BenchCase, root: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const execArgv = ['--import', 'tsx']
  if (process.env.PROFILE === '1') {
    // One folder per case: the loader-hook thread writes its own (small) profile beside the main one.
    const dir = join(root, 'bench', 'out', 'profiles', c.name)
    mkdirSync(dir, { recursive: true })
    execArgv.push('--cpu-prof', '--cpu-prof-dir', dir)
  }
  const proc = fork(join(root, 'bench', 'servers', 'server.ts'), [c.name], { cwd: root, env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('message', (m: { port: number }) => resolve(m.port))
    proc.once('exit', (code) => reject(new Error(`server ${c.name} exited with ${code}`)))
  })
  return { c, proc, url: `http://127.0.0.1:${port}`, cookie: '' }
}

function sessionCookie (res: Response): string {
  const set = res.headers.getSetCookie()
  const first = set[0]
  if (set.length !== 1 || first === undefined) throw new Error(`expected one Set-Cookie, got ${set.length}`)
  return first.split(';')[0] as string
}

async function getJson (url: string, cookie: string): Promise<{ body: { counter: number, user: unknown }, res: Response }> {
  const res = await fetch(url, { headers: cookie === '' ? {} : { cookie } })
  if (res.status !== 200) throw new Error(`${url}: status ${res.status}`)
  return { body: await res.json() as { counter: number, user: unknown }, res }
}

/**
 * Seeds the session and proves the measured requests hit it: read+write advances the counter across
 * two requests with the same cookie; read-only reads the seeded counter. Without this a broken cookie
 * would quietly measure the no-session path.
 */
async function seedAndVerify (s: Server): Promise<void> {
  const mode = s.c.mode
  if (mode === 'diagnostic') {
    if (s.c.noCookie !== true) s.cookie = `sid=${Buffer.alloc(295, 7).toString('base64url')}`
    return
  }
  if (mode === 'bare' || mode === 'no-cookie') {
    const { body, res } = await getJson(s.url + ROUTE[mode], '')
    if (body.counter !== SEEDED_COUNTER || res.headers.getSetCookie().length !== 0) throw new Error(`${s.c.name}: unexpected response`)
    return
  }
  const seeded = await fetch(s.url + '/seed')
  s.cookie = sessionCookie(seeded)
  const route = s.url + ROUTE[mode]
  const first = await getJson(route, s.cookie)
  const second = await getJson(route, s.cookie)
  if (first.body.user === undefined || second.body.user === undefined) throw new Error(`${s.c.name}: the session did not load`)
  if (mode === 'read-only') {
    if (first.body.counter !== SEEDED_COUNTER || second.body.counter !== SEEDED_COUNTER) throw new Error(`${s.c.name}: read-only did not read the seeded session`)
  } else if (!(first.body.counter > SEEDED_COUNTER && second.body.counter >= first.body.counter)) {
    throw new Error(`${s.c.name}: the counter did not advance (${first.body.counter}, ${second.body.counter})`)
  }
}

async function fire (s: Server, duration: number, connections: number): Promise<Result> {
  return await autocannon({
    url: s.url + ROUTE[s.c.mode],
    connections,
    duration,
    headers: s.cookie === '' ? {} : { cookie: s.cookie }
  })
}

/**
 * Measures the cases in interleaved rounds. Each round starts fresh server processes (a process can
 * carry a bias of a few µs per request for its whole life: where its memory and code landed, what the
 * JIT chose), checks every session, measures, checks again, and stops them.
 */
export async function measure (cases: BenchCase[], settings: Settings, root: string): Promise<Sample[]> {
  const redis = cases.some((c) => c.redis === true) ? await startRedis() : undefined
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' }
  if (redis !== undefined) env.BENCH_REDIS_PORT = String(redis.port)
  const samples: Sample[] = []
  try {
    for (let round = 0; round < settings.rounds; round++) {
      const servers: Server[] = []
      try {
        const started = await Promise.allSettled(cases.map(async (c) => await startServer(c, root, env)))
        for (const r of started) if (r.status === 'fulfilled') servers.push(r.value)
        for (const r of started) if (r.status === 'rejected') throw r.reason
        for (const s of servers) await seedAndVerify(s)
        // Every other round runs the cases backwards, so drift in the machine's load hits all alike.
        const order = round % 2 === 0 ? servers : [...servers].reverse()
        for (const s of order) samples.push(await measureOne(s, round, settings))
        // Still the same session afterwards: the measured requests did not fall back to a new one.
        for (const s of servers) if (s.c.mode === 'read-write' || s.c.mode === 'read-only') await seedAndVerifyAgain(s)
      } finally {
        await Promise.all(servers.map(async (s) => await stop(s.proc)))
      }
    }
    return samples
  } finally {
    redis?.stop()
  }
}

async function measureOne (s: Server, round: number, settings: Settings): Promise<Sample> {
  if (settings.warmup > 0) await fire(s, settings.warmup, settings.connections)
  const pid = s.proc.pid as number
  const before = cpuMicros(pid)
  const r = await fire(s, settings.duration, settings.connections)
  const cpu = cpuMicros(pid) - before
  if (r.errors > 0 || r.non2xx > 0 || r.timeouts > 0) {
    throw new Error(`${s.c.name}: ${r.errors} errors, ${r.non2xx} non-2xx, ${r.timeouts} timeouts`)
  }
  const requests = r['2xx']
  const sample: Sample = {
    name: s.c.name,
    round,
    reqPerSec: requests / r.duration,
    p99Ms: r.latency.p99,
    cpuUsPerReq: cpu / requests,
    requests
  }
  console.log(`round ${round + 1} ${s.c.name.padEnd(22)} ${Math.round(sample.reqPerSec).toString().padStart(6)} req/s  p99 ${sample.p99Ms} ms  ${sample.cpuUsPerReq.toFixed(1)} µs CPU/req`)
  return sample
}

async function seedAndVerifyAgain (s: Server): Promise<void> {
  const { body } = await getJson(s.url + ROUTE[s.c.mode], s.cookie)
  if (body.user === undefined || body.counter < SEEDED_COUNTER) throw new Error(`${s.c.name}: lost the session during the run`)
}

async function stop (proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  proc.kill('SIGTERM')
  await Promise.race([exited, sleep(5000)])
  if (proc.exitCode === null) proc.kill('SIGKILL')
}
