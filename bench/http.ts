/**
 * The HTTP part: each pair (ours, its anchor) measured in interleaved short windows, A B, B A, A B,
 * ... so that whatever else the host is doing weighs on both sides of every ratio alike. Servers are
 * plain `node` processes (compiled by the orchestrator) pinned to one core with the services they
 * talk to; autocannon runs in a process of its own pinned to the other core.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { routeOf, SEEDED_COUNTER, SESSION_COUNT, WITH_USER, type Pair, type Service, type Shape } from './cases.js'
import { affinity, cpuMicros, pinned, type Pinning } from './cpu.js'
import { sleep, startService, type Running } from './services.js'
import type { Fire, Fired } from './servers/loadgen.js'
import { median, spread, verdict, type Spread } from './stats.js'

export interface Settings {
  /** Seconds per window. */
  window: number
  rounds: number
  /** Seconds of load on each server before its first window. */
  warmup: number
  connections: number
}

/** One measured window of one side. */
export interface Window {
  pair: string
  shape: Shape
  side: 'ours' | 'anchor'
  round: number
  reqPerSec: number
  p99Ms: number
  /** The server's CPU time per request (µs). */
  cpuUsPerReq: number
  /** The services' CPU time per request (µs), e.g. redis-server's. */
  serviceUsPerReq: number | undefined
}

/** One pair on one shape: medians of each side, and the spread of the per-round ratios. */
export interface PairResult {
  pair: string
  label: string
  shape: Shape
  ours: string
  anchor: string
  target: number | undefined
  oursReqPerSec: number
  anchorReqPerSec: number
  oursCpuUs: number
  anchorCpuUs: number
  oursServiceUs: number | undefined
  anchorServiceUs: number | undefined
  /** ours ÷ anchor, req/s, per round. */
  ratio: Spread
  /** anchor ÷ ours, server CPU µs per request, per round (higher is better for ours). */
  cpuRatio: Spread
  /** Against parity: faster, slower, or no result. */
  verdict: string
  /** Against the target, when there is one: met, not met, or no result. */
  targetVerdict: string | undefined
}

export interface Plan {
  readonly pair: Pair
  readonly shape: Shape
}

interface Server {
  readonly setup: string
  readonly proc: ChildProcess
  readonly url: string
  /** The `name=value` cookies of the seeded sessions, SESSION_COUNT of them (none for the plain route). */
  cookies: string[]
}

/** Starts a compiled script (bench/out/build/servers/<file>) on `cpus`, with an IPC channel. */
function startNode (build: string, file: string, args: string[], cpus: string | undefined, env: NodeJS.ProcessEnv, execArgv: string[] = []): ChildProcess {
  const [cmd, argv] = pinned(cpus, [process.execPath, ...execArgv, join(build, 'servers', file), ...args])
  return spawn(cmd, argv, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
}

async function firstMessage<T> (proc: ChildProcess, what: string): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`${what} exited with ${code}`))
    proc.once('exit', onExit)
    proc.once('message', (m: T) => {
      proc.off('exit', onExit)
      resolve(m)
    })
  })
}

async function stop (proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  proc.kill('SIGTERM')
  await Promise.race([exited, sleep(5000)])
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
}

function sessionCookie (res: Response, setup: string): string {
  const set = res.headers.getSetCookie()
  const first = set[0]
  if (set.length !== 1 || first === undefined) throw new Error(`${setup}: expected one Set-Cookie from /seed, got ${set.length}`)
  return first.split(';')[0] as string
}

async function getJson (url: string, cookie: string): Promise<{ body: { counter: number, user?: unknown }, res: Response }> {
  const res = await fetch(url, { headers: cookie === '' ? {} : { cookie } })
  if (res.status !== 200) throw new Error(`${url}: status ${res.status}`)
  return { body: await res.json() as { counter: number, user?: unknown }, res }
}

/**
 * Seeds the sessions and proves the measured requests hit them: read+write advances the counter (a
 * cookie store's from the same seeded cookie every time, a server store's on every request), read-only
 * reads the seeded counter, and the user object loads (first and last session). Without this a broken
 * cookie would quietly measure the no-session path.
 */
async function seedAndVerify (s: Server, plan: Plan): Promise<void> {
  const { mode } = plan.pair
  if (mode === 'plain') {
    const { body, res } = await getJson(s.url + '/plain', '')
    if (body.counter !== SEEDED_COUNTER || res.headers.getSetCookie().length !== 0) throw new Error(`${s.setup}: unexpected /plain response`)
    s.cookies = []
    return
  }
  const cookies: string[] = []
  for (let i = 0; i < SESSION_COUNT; i++) cookies.push(sessionCookie(await fetch(s.url + '/seed'), s.setup))
  if (new Set(cookies).size !== cookies.length) throw new Error(`${s.setup}: /seed gave the same cookie twice`)
  s.cookies = cookies
  const route = s.url + routeOf(mode, plan.shape)
  for (const cookie of [cookies[0] as string, cookies.at(-1) as string]) {
    const first = await getJson(route, cookie)
    const second = await getJson(route, cookie)
    if (mode === 'read-only') {
      if (first.body.counter !== SEEDED_COUNTER || second.body.counter !== SEEDED_COUNTER) throw new Error(`${s.setup}: read-only did not read the seeded session`)
    } else if (!(first.body.counter > SEEDED_COUNTER && second.body.counter >= first.body.counter)) {
      throw new Error(`${s.setup}: the counter did not advance (${first.body.counter}, ${second.body.counter})`)
    }
  }
  await verifyLoads(s)
}

/** The seeded sessions still load, with their user object (after the run too: no fallback to a new one). */
async function verifyLoads (s: Server): Promise<void> {
  for (const cookie of s.cookies.length === 0 ? [] : [s.cookies[0] as string, s.cookies.at(-1) as string]) {
    const { body } = await getJson(s.url + routeOf('read-only', WITH_USER ? 'user' : 'scalar'), cookie)
    if ((WITH_USER && body.user === undefined) || body.counter < SEEDED_COUNTER) throw new Error(`${s.setup}: the session did not load`)
  }
}

/** The load generator process: one window at a time over IPC. */
class LoadGen {
  readonly #proc: ChildProcess
  constructor (proc: ChildProcess) {
    this.#proc = proc
  }

  static async start (build: string, cpus: string | undefined): Promise<LoadGen> {
    const proc = startNode(build, 'loadgen.js', [], cpus, process.env)
    await firstMessage(proc, 'the load generator')
    return new LoadGen(proc)
  }

  get pid (): number {
    return this.#proc.pid as number
  }

  async fire (f: Fire): Promise<Fired> {
    const reply = firstMessage<Fired>(this.#proc, 'the load generator')
    this.#proc.send(f)
    return await reply
  }

  async stop (): Promise<void> {
    await stop(this.#proc)
  }
}

export interface Context {
  readonly build: string
  readonly root: string
  readonly settings: Settings
  readonly pin: Pinning
  readonly env: NodeJS.ProcessEnv
}

async function startServer (ctx: Context, setup: string, plan: Plan, services: readonly Running[]): Promise<Server> {
  const env: NodeJS.ProcessEnv = { ...ctx.env }
  for (const s of services) Object.assign(env, s.env)
  const execArgv: string[] = []
  if (process.env.PROFILE === '1') {
    execArgv.push('--cpu-prof', '--cpu-prof-dir', join(ctx.root, 'bench', 'out', 'profiles', `${plan.pair.name}-${plan.shape}`, setup))
  }
  const proc = startNode(ctx.build, 'server.js', [setup], ctx.pin.server, env, execArgv)
  const { port } = await firstMessage<{ port: number }>(proc, `server ${setup}`)
  return { setup, proc, url: `http://127.0.0.1:${port}`, cookies: [] }
}

async function window (ctx: Context, load: LoadGen, s: Server, plan: Plan, duration: number, services: readonly Running[]): Promise<{ fired: Fired, cpuUs: number, serviceUs: number }> {
  const pid = s.proc.pid as number
  const before = cpuMicros(pid)
  const servicesBefore = services.reduce((sum, r) => sum + r.cpuMicros(), 0)
  const fired = await load.fire({ url: s.url + routeOf(plan.pair.mode, plan.shape), cookies: s.cookies, duration, connections: ctx.settings.connections })
  const cpuUs = cpuMicros(pid) - before
  const serviceUs = services.reduce((sum, r) => sum + r.cpuMicros(), 0) - servicesBefore
  if (fired.errors > 0) throw new Error(`${s.setup}: ${fired.errors} errors, non-2xx responses or timeouts`)
  return { fired, cpuUs, serviceUs }
}

/** Measures one pair on one shape: fresh servers, seeded and checked, warmed, then interleaved windows. */
async function measurePlan (ctx: Context, load: LoadGen, plan: Plan, services: readonly Running[], windows: Window[]): Promise<PairResult> {
  const { pair, shape } = plan
  const mine = services.filter((s) => pair.services?.includes(s.service) === true)
  const sides = [['ours', pair.ours], ['anchor', pair.anchor]] as const
  const servers: Server[] = []
  try {
    for (const [, setup] of sides) servers.push(await startServer(ctx, setup, plan, mine))
    const [ours, anchor] = servers as [Server, Server]
    for (const s of servers) {
      await seedAndVerify(s, plan)
      console.log(`  ${s.setup.padEnd(18)} pid ${s.proc.pid} on CPU ${affinity(s.proc.pid as number)}`)
    }
    for (const s of servers) if (ctx.settings.warmup > 0) await window(ctx, load, s, plan, ctx.settings.warmup, mine)
    const ratios: number[] = []
    const cpuRatios: number[] = []
    for (let round = 0; round < ctx.settings.rounds; round++) {
      // A B, then B A: neither side always goes first after a pause or always second.
      const order = round % 2 === 0 ? [0, 1] : [1, 0]
      const got: Window[] = []
      for (const i of order) {
        const [side] = sides[i] as readonly ['ours' | 'anchor', string]
        const s = servers[i] as Server
        const { fired, cpuUs, serviceUs } = await window(ctx, load, s, plan, ctx.settings.window, mine)
        const w: Window = {
          pair: pair.name,
          shape,
          side,
          round,
          reqPerSec: fired.requests / fired.seconds,
          p99Ms: fired.p99Ms,
          cpuUsPerReq: cpuUs / fired.requests,
          serviceUsPerReq: mine.length === 0 ? undefined : serviceUs / fired.requests
        }
        got.push(w)
        windows.push(w)
      }
      const o = got.find((w) => w.side === 'ours') as Window
      const a = got.find((w) => w.side === 'anchor') as Window
      ratios.push(o.reqPerSec / a.reqPerSec)
      cpuRatios.push(a.cpuUsPerReq / o.cpuUsPerReq)
      console.log(`  round ${String(round + 1).padStart(2)}  ours ${Math.round(o.reqPerSec).toString().padStart(6)} req/s ${o.cpuUsPerReq.toFixed(1).padStart(6)} µs CPU/req` +
        `  anchor ${Math.round(a.reqPerSec).toString().padStart(6)} req/s ${a.cpuUsPerReq.toFixed(1).padStart(6)} µs CPU/req  ratio ${(o.reqPerSec / a.reqPerSec).toFixed(3)}`)
    }
    for (const s of [ours, anchor]) await verifyLoads(s)
    const side = (name: 'ours' | 'anchor'): Window[] => windows.filter((w) => w.pair === pair.name && w.shape === shape && w.side === name)
    const serviceUs = (ws: Window[]): number | undefined => ws[0]?.serviceUsPerReq === undefined ? undefined : median(ws.map((w) => w.serviceUsPerReq as number))
    const ratio = spread(ratios)
    return {
      pair: pair.name,
      label: pair.label,
      shape,
      ours: pair.ours,
      anchor: pair.anchor,
      target: pair.target,
      oursReqPerSec: median(side('ours').map((w) => w.reqPerSec)),
      anchorReqPerSec: median(side('anchor').map((w) => w.reqPerSec)),
      oursCpuUs: median(side('ours').map((w) => w.cpuUsPerReq)),
      anchorCpuUs: median(side('anchor').map((w) => w.cpuUsPerReq)),
      oursServiceUs: serviceUs(side('ours')),
      anchorServiceUs: serviceUs(side('anchor')),
      ratio,
      cpuRatio: spread(cpuRatios),
      verdict: verdict(ratio, 1, 'ours faster', 'ours slower'),
      targetVerdict: pair.target === undefined ? undefined : verdict(ratio, pair.target, 'met', 'not met')
    }
  } finally {
    await Promise.all(servers.map(async (s) => await stop(s.proc)))
  }
}

/** Runs every plan, with the services they need and one load generator, and stops them all after. */
export async function measure (ctx: Context, plans: readonly Plan[]): Promise<{ results: PairResult[], windows: Window[] }> {
  const needed = new Set<Service>(plans.flatMap((p) => p.pair.services ?? []))
  const services: Running[] = []
  let load: LoadGen | undefined
  try {
    for (const s of needed) {
      const running = await startService(s, ctx.pin.server)
      services.push(running)
      console.log(`${s} pid ${running.pid} on CPU ${affinity(running.pid)}`)
    }
    load = await LoadGen.start(ctx.build, ctx.pin.loadgen)
    console.log(`load generator pid ${load.pid} on CPU ${affinity(load.pid)} (${ctx.pin.note})`)
    const results: PairResult[] = []
    const windows: Window[] = []
    for (const plan of plans) {
      console.log(`\n${plan.pair.name} (${plan.shape}): ${plan.pair.ours} vs ${plan.pair.anchor}`)
      results.push(await measurePlan(ctx, load, plan, services, windows))
    }
    return { results, windows }
  } finally {
    await load?.stop()
    for (const s of services) s.stop()
  }
}
