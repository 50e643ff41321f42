import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, onSendHookHandler } from 'fastify'
import { MAX_COOKIE_HEADER_BYTES, readCookie } from './cookie.js'
import type { Driver } from './driver.js'
import type { Config } from './options.js'
import { sessionOffCheck } from './routes.js'
import { SESSION_OFF } from './session-off.js'
import { listDataKeys, Session, stateOf } from './session.js'
import { kState } from './symbols.js'

function rawCookie (driver: Driver, session: Session<object>, request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie
  if (header === undefined) return undefined
  // Refused before any decoding: a huge header costs nothing more than this length check.
  if (header.length > MAX_COOKIE_HEADER_BYTES) {
    if (header.includes(name)) driver.reject(session[kState], 'oversized')
    return undefined
  }
  return readCookie(header, name)
}

/** The request as the hooks see it: its session under the configured name (several sessions). */
type Sessions = Record<string, Session<object> | null>

/**
 * Names a hook after the session it serves (`loadAdminSession`), so stack traces, Fastify's
 * `printRoutes({ includeHooks: true })` and profilers that read function names can tell them apart.
 */
function named<F extends (...args: never[]) => unknown> (fn: F, verb: string, sessionName: string): F {
  if (sessionName !== 'session') {
    Object.defineProperty(fn, 'name', { value: `${verb}${sessionName.charAt(0).toUpperCase()}${sessionName.slice(1)}` })
  }
  return fn
}

/**
 * The onRequest hook: gives the request its Session, loading it from the cookie when one came in.
 * The cookie store without a `validate` hook loads synchronously, so it gets a callback-style hook
 * (no promise per request).
 */
export function onRequest (config: Config, driver: Driver, sync: boolean): onRequestHookHandler {
  const name = config.cookieName
  const key = config.sessionName
  const validate = config.validate
  const sessionOff = sessionOffCheck()
  if (sync) {
    return named(function loadSession (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
      if (sessionOff(this, request)) {
        (request as unknown as Sessions)[key] = SESSION_OFF
        return done()
      }
      const session = new Session(driver, request, reply, Date.now())
      ;(request as unknown as Sessions)[key] = new Proxy(session, listDataKeys)
      const raw = rawCookie(driver, session, request, name)
      if (raw !== undefined) driver.load(session[kState], raw)
      done()
    }, 'load', key)
  }
  return named(async function loadSession (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (sessionOff(this, request)) {
      (request as unknown as Sessions)[key] = SESSION_OFF
      return
    }
    const session = new Session(driver, request, reply, Date.now())
    ;(request as unknown as Sessions)[key] = new Proxy(session, listDataKeys)
    const raw = rawCookie(driver, session, request, name)
    if (raw === undefined) return
    const state = session[kState]
    await driver.load(state, raw)
    if (validate !== undefined) await driver.revalidate(state, session)
  }, 'load', key)
}

/**
 * The onSend hook: persists what changed, once per response. A 5xx response persists nothing that
 * was left unsaved (the handler failed midway: a half-applied login or cart must not stick); what
 * `save()`, `destroy()` or `regenerate()` already did stays done.
 */
export function onSend (driver: Driver, sync: boolean): onSendHookHandler {
  const key = driver.config.sessionName
  if (sync) {
    return named(function persistSession (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void): void {
      const session = (request as unknown as Sessions)[key]
      // Null when an earlier onRequest hook answered before ours ran.
      if (session == null) return done(null, payload)
      const state = stateOf(session)
      if (state.persisted) return done(null, payload)
      state.persisted = true
      if (reply.statusCode >= 500) {
        driver.abandon(state)
        return done(null, payload)
      }
      try {
        driver.persist(state)
      } catch (err) {
        return done(err as Error)
      }
      done(null, payload)
    }, 'persist', key)
  }
  return named(async function persistSession (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const session = (request as unknown as Sessions)[key]
    if (session == null) return payload
    const state = stateOf(session)
    if (state.persisted) return payload
    state.persisted = true
    if (reply.statusCode >= 500) {
      driver.abandon(state)
      return payload
    }
    await driver.persist(state)
    return payload
  }, 'persist', key)
}
