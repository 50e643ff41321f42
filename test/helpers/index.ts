import FakeTimers from '@sinonjs/fake-timers'
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions, type LightMyRequestResponse } from 'fastify'
import fastifySession, { type FastifySessionOptions } from '../../lib/index.js'

/** 32+ byte test secrets (never use these outside tests). */
export const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz'
export const OTHER_SECRET = 'another-test-secret-0123456789abcdefghijklmnop'

/** The slice of tap's Test this module needs (keeps helpers independent of tap's type exports). */
export interface Teardown {
  teardown (fn: () => unknown): void
}

/**
 * A fresh Fastify app with the plugin registered and its close registered on the test right away.
 * `setup` adds routes before `ready()`.
 */
export async function build (
  t: Teardown,
  options: Partial<FastifySessionOptions> = {},
  setup: (app: FastifyInstance) => void | Promise<void> = () => {},
  fastifyOptions: FastifyServerOptions = {}
): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions)
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, ...options } as FastifySessionOptions)
  await setup(app)
  await app.ready()
  return app
}

/** Every Set-Cookie header of a response, as an array. */
export function setCookies (res: LightMyRequestResponse): string[] {
  const h = res.headers['set-cookie']
  return h === undefined ? [] : Array.isArray(h) ? h : [h]
}

/** The Set-Cookie header for `name` (default 'sid'), or undefined. */
export function sessionSetCookie (res: LightMyRequestResponse, name = 'sid'): string | undefined {
  return setCookies(res).find((c) => c.startsWith(`${name}=`))
}

/** The `name=value` pair a browser would send back for the session cookie, or undefined. */
export function cookiePair (res: LightMyRequestResponse, name = 'sid'): string | undefined {
  return sessionSetCookie(res, name)?.split(';')[0]
}

/** The raw value of the session cookie set by a response, or undefined. */
export function cookieValue (res: LightMyRequestResponse, name = 'sid'): string | undefined {
  return cookiePair(res, name)?.slice(name.length + 1)
}

/**
 * Fakes Date only (timers stay real so Fastify and inject keep working), restored at teardown.
 * Advance with `clock.tick(ms)`.
 */
export function fakeClock (t: Teardown, now = Date.UTC(2026, 0, 1)): FakeTimers.Clock {
  const clock = FakeTimers.install({ now, toFake: ['Date'] })
  t.teardown(() => clock.uninstall())
  return clock
}

/** Routes most tests share: a counter, a read-only view, and a login/logout pair. */
export function counterRoutes (app: FastifyInstance): void {
  type Untyped = { get (k: string): unknown, set (k: string, v: unknown): void }
  app.get('/count', async (request) => {
    const s = request.session as unknown as Untyped
    const n = ((s.get('n') as number | undefined) ?? 0) + 1
    s.set('n', n)
    return { n }
  })
  app.get('/read', async (request) => {
    const s = request.session as unknown as Untyped
    return { n: (s.get('n') as number | undefined) ?? null, isNew: request.session.isNew }
  })
  app.get('/nothing', async () => ({ ok: true }))
}

/** A session viewed with string keys, for tests that use ad-hoc data keys (SessionData stays empty here). */
export interface LooseSession {
  get (key: string): unknown
  set (key: string, value: unknown): void
  has (key: string): boolean
  delete (key: string): boolean
  regenerate (keep?: readonly string[] | true): Promise<void>
}

/** `request.session` as a {@link LooseSession}. */
export function loose (request: FastifyRequest): LooseSession {
  return request.session as unknown as LooseSession
}

/** Log lines written by an app, parsed; pass `options` as the Fastify options of `build`. */
export interface LogCapture {
  readonly lines: Array<Record<string, unknown>>
  readonly options: FastifyServerOptions
}

/** Captures an app's pino output at `level` (default 'debug') into parsed lines. */
export function captureLogs (level = 'debug'): LogCapture {
  const lines: Array<Record<string, unknown>> = []
  const stream = { write (line: string) { lines.push(JSON.parse(line) as Record<string, unknown>) } }
  return { lines, options: { logger: { level, stream } } }
}

/** The bytes of a sealed cookie value (base64url decoded). */
export function cookieBytes (value: string): Buffer {
  return Buffer.from(value, 'base64url')
}

/**
 * Login, logout and "who am I" routes many tests share: GET /login regenerates the session and sets
 * userId 'alice', GET /logout destroys it, GET /me answers `{ user }`.
 */
export function loginRoutes (app: FastifyInstance): void {
  app.get('/login', async (request) => {
    await request.session.regenerate()
    loose(request).set('userId', 'alice')
    return { ok: true }
  })
  app.get('/logout', async (request) => {
    await request.session.destroy()
    return { ok: true }
  })
  app.get('/me', async (request) => ({ user: loose(request).get('userId') ?? null }))
}

/** Runs `fn` and resolves to 'ok', or to the code of the error it threw (for handlers that report). */
export async function errorCode (fn: () => Promise<void>): Promise<string> {
  try {
    await fn()
    return 'ok'
  } catch (err) {
    return (err as { code: string }).code
  }
}

/**
 * Waits until `done()` holds, checking every few milliseconds, for at most `ms`. For effects that follow
 * a response on the server's side (a 'close' event, a log line): a fixed sleep races them on a loaded host.
 */
export async function eventually (done: () => boolean, ms = 5000): Promise<void> {
  const until = performance.now() + ms
  while (!done() && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 5))
}
