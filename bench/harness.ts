/**
 * Session hooks driven directly, without HTTP: `harness` calls our plugin's own onRequest and onSend
 * with the least of a request and a reply they need (bench/memory.ts watches its heap); `appHarness`
 * runs any session plugin's hooks, ours and the anchors', on the same minimal request and reply
 * (bench/hooks.ts times them side by side).
 */
import { EventEmitter } from 'node:events'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { DIST, loadInternals } from './dist.js'
import { setup, type Access, type Builds } from './servers/setups.js'
import type { Session } from '../lib/session.js'

export const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz'

type Load = (request: object, reply: object, done?: (err?: Error) => void) => unknown
type Persist = (request: object, reply: object, payload: unknown, done?: (err: Error | null) => void) => unknown

export interface Harness {
  /** One request: load the session from `cookie`, let `handle` use it, persist. Synchronous on the cookie store. */
  serve (cookie: string | undefined, handle: (s: Session) => void): void | Promise<void>
  /** The last Set-Cookie value written. */
  lastSetCookie (): string
  /** The cookie store's cache of opened cookies, on a build that has one. */
  opened (): { size: number, bytes: number } | undefined
  /** Wipes the keys. */
  close (): void
}

/** A harness over the build at `dist` with the cookie store or a MemoryStore. */
export async function harness (store: 'cookie' | 'memory', dist = DIST): Promise<Harness> {
  const { buildConfig, CookieDriver, ServerDriver, MemoryStore, onRequest, onSend } = await loadInternals(dist)
  const memory = store === 'memory' ? new MemoryStore() : undefined
  const config = buildConfig(memory === undefined ? { secret: SECRET } : { secret: SECRET, store: memory })
  const sync = memory === undefined
  const driver = memory === undefined ? new CookieDriver(config) : new ServerDriver(config, memory)
  const load = onRequest(config, driver, sync) as unknown as Load
  const persist = onSend(driver, sync) as unknown as Persist
  const log = { isLevelEnabled: () => false, warn () {}, debug () {}, error () {} }
  let setCookie = ''
  // What Fastify gives a hook: `this` is the route's scope (no route here opts out of sessions), and
  // the reply has a status and a raw response. Every request gets its own raw response, as in Node:
  // a change to the session makes the plugin watch its end (for hijacked replies).
  const scope = {}
  const reply = (): object => ({
    statusCode: 200,
    raw: new EventEmitter(),
    header (_name: string, value: string) { setCookie = value },
    getHeader: () => setCookie,
    removeHeader () { setCookie = '' }
  })
  const fail = (err?: Error | null): void => { if (err !== undefined && err !== null) throw err }
  // The route's config where Fastify keeps it: under its context symbol, and through routeOptions.
  const context = Symbol('fastify.context')
  const routeConfig = {}
  const request = (cookie: string | undefined): { headers: { cookie: string | undefined }, protocol: string, log: object, session: Session, routeOptions: { config: object }, [context]: { config: object } } =>
    ({ headers: { cookie }, protocol: 'http', log, session: null as unknown as Session, routeOptions: { config: routeConfig }, [context]: { config: routeConfig } })
  return {
    serve: sync
      ? (cookie, handle) => {
          const r = request(cookie)
          const p = reply()
          load.call(scope, r, p, fail)
          handle(r.session)
          persist.call(scope, r, p, '', fail)
        }
      : async (cookie, handle) => {
        const r = request(cookie)
        const p = reply()
        await load.call(scope, r, p)
        handle(r.session)
        await persist.call(scope, r, p, '')
      },
    lastSetCookie: () => setCookie,
    opened: () => (driver as { opened?: { size: number, bytes: number } }).opened,
    close: () => {
      memory?.close()
      config.keyring.wipe()
    }
  }
}

type Hook = (this: unknown, ...args: unknown[]) => unknown
const PHASES = ['onRequest', 'preHandler', 'onSend', 'onResponse'] as const
type Phase = typeof PHASES[number]

/** A request handler of the hooks timing: what the route does with the session. */
export type Handler = (request: FastifyRequest) => unknown

/** Any session library's hooks, driven directly. */
export interface AppHarness {
  /** One request: every onRequest hook, `handle`, every onSend and onResponse hook; resolves to the handler's result. */
  serve (cookie: string | undefined, handle: Handler): Promise<unknown>
  /** The `name=value` of the last Set-Cookie written. */
  lastCookie (): string
  close (): Promise<void>
}

/** Runs one hook as Fastify does: with a `done` callback, or awaiting the promise it returns. */
async function runHook (app: FastifyInstance, hook: Hook, args: unknown[]): Promise<unknown> {
  return await new Promise((resolve, reject) => {
    const result = hook.call(app, ...args, (err: Error | null | undefined, value?: unknown) => {
      if (err !== undefined && err !== null) reject(err)
      else resolve(value)
    }) as Promise<unknown> | undefined
    if (result !== undefined && result !== null && typeof result.then === 'function') result.then(resolve, reject)
  })
}

/**
 * Any plugin's hooks (ours, @fastify/secure-session's, @fastify/session's, and @fastify/cookie's
 * under each) called directly on the same minimal request and reply, without HTTP: the plugin is
 * registered on a real Fastify instance whose `addHook`, `decorateRequest` and `decorateReply` are
 * watched, so the hooks run in Fastify's order with the decorations the plugin asked for.
 */
export async function appHarness (setupName: string, builds: Builds): Promise<{ h: AppHarness, access: Access }> {
  const app = Fastify({ logger: false })
  const hooks: Record<Phase, Hook[]> = { onRequest: [], preHandler: [], onSend: [], onResponse: [] }
  const requestProto: Record<PropertyKey, unknown> = {}
  const replyProto: Record<PropertyKey, unknown> = {}
  const requestValues: Array<[PropertyKey, unknown]> = []
  const replyValues: Array<[PropertyKey, unknown]> = []
  const watched = app as unknown as Record<string, (...args: unknown[]) => unknown>
  const addHook = watched.addHook as (...args: unknown[]) => unknown
  watched.addHook = function (this: unknown, name: unknown, fn: unknown) {
    if ((PHASES as readonly unknown[]).includes(name)) hooks[name as Phase].push(fn as Hook)
    return addHook.call(this, name, fn)
  }
  const watch = (method: string, proto: Record<PropertyKey, unknown>, values: Array<[PropertyKey, unknown]>): void => {
    const original = watched[method] as (...args: unknown[]) => unknown
    watched[method] = function (this: unknown, name: unknown, value: unknown, ...rest: unknown[]) {
      const key = name as PropertyKey
      const accessor = value as { getter?: () => unknown, setter?: (v: unknown) => void } | null
      if (typeof value === 'function') proto[key] = value
      else if (accessor !== null && typeof accessor === 'object' && typeof accessor.getter === 'function') {
        Object.defineProperty(proto, key, { get: accessor.getter, ...(accessor.setter === undefined ? {} : { set: accessor.setter }), configurable: true })
      } else values.push([key, value])
      return original.call(this, name, value, ...rest)
    }
  }
  watch('decorateRequest', requestProto, requestValues)
  watch('decorateReply', replyProto, replyValues)
  const access = await setup(app, setupName, builds)
  if (access === undefined) throw new Error(`${setupName} has no session`)
  await app.ready()
  let last = ''
  const log = app.log
  const appContext = Symbol('fastify.context')
  const appRouteConfig = {}
  const serve = async (cookie: string | undefined, handle: Handler): Promise<unknown> => {
    const headers: Record<string, string> = cookie === undefined ? {} : { cookie }
    const request = Object.create(requestProto) as Record<PropertyKey, unknown>
    for (const [k, v] of requestValues) request[k] = v
    Object.assign(request, { headers, raw: { headers, url: '/rw', method: 'GET' }, url: '/rw', method: 'GET', protocol: 'http', log, server: app })
    // The route's config where Fastify keeps it, as in harness() above: our onRequest reads it (session: false).
    Object.assign(request, { routeOptions: { config: appRouteConfig }, [appContext]: { config: appRouteConfig } })
    const reply = Object.create(replyProto) as Record<PropertyKey, unknown>
    for (const [k, v] of replyValues) reply[k] = v
    const sent = new Map<string, unknown>()
    Object.assign(reply, {
      request,
      server: app,
      log,
      // As Fastify's reply has them: a status, and the raw response (ours watches it once a session changes).
      statusCode: 200,
      raw: new EventEmitter(),
      header (name: string, value: unknown) { sent.set(name.toLowerCase(), value); return reply },
      getHeader: (name: string) => sent.get(name.toLowerCase()),
      hasHeader: (name: string) => sent.has(name.toLowerCase()),
      removeHeader (name: string) { sent.delete(name.toLowerCase()); return reply }
    })
    for (const hook of hooks.onRequest) await runHook(app, hook, [request, reply])
    for (const hook of hooks.preHandler) await runHook(app, hook, [request, reply])
    const result = handle(request as unknown as FastifyRequest)
    let payload: unknown = '{}'
    for (const hook of hooks.onSend) {
      const next = await runHook(app, hook, [request, reply, payload])
      if (next !== undefined) payload = next
    }
    for (const hook of hooks.onResponse) await runHook(app, hook, [request, reply])
    const set = sent.get('set-cookie')
    const first = Array.isArray(set) ? set.at(-1) as unknown : set
    if (typeof first === 'string') last = first.split(';')[0] as string
    return result
  }
  return { h: { serve, lastCookie: () => last, close: async () => { await app.close() } }, access }
}
