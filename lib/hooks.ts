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
 * The work is written once, as a function that returns a promise only when it has something to wait
 * for; the cookie store without a `validate` hook never has (its load is synchronous), so it gets a
 * callback-style wrapper (no promise per request), and every other store an async one.
 */
export function onRequest (config: Config, driver: Driver, sync: boolean): onRequestHookHandler {
  const name = config.cookieName
  const key = config.sessionName
  const validate = config.validate
  const sessionOff = sessionOffCheck()

  async function loadThenValidate (loading: Promise<void>, session: Session): Promise<void> {
    await loading
    await driver.revalidate(session[kState], session)
  }

  function load (scope: FastifyInstance, request: FastifyRequest, reply: FastifyReply): void | Promise<void> {
    if (sessionOff(scope, request)) {
      (request as unknown as Sessions)[key] = SESSION_OFF
      return
    }
    const session = new Session(driver, request, reply, Date.now())
    ;(request as unknown as Sessions)[key] = new Proxy(session, listDataKeys)
    const raw = rawCookie(driver, session, request, name)
    if (raw === undefined) return
    const loading = driver.load(session[kState], raw)
    if (validate === undefined) return loading
    return loadThenValidate(loading as Promise<void>, session)
  }

  if (sync) {
    return named(function loadSession (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
      load(this, request, reply)
      done()
    }, 'load', key)
  }
  return named(async function loadSession (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const loading = load(this, request, reply)
    if (loading !== undefined) await loading
  }, 'load', key)
}

/**
 * The onSend hook: persists what changed, once per response. A 5xx response persists nothing that
 * was left unsaved (the handler failed midway: a half-applied login or cart must not stick); what
 * `save()`, `destroy()` or `regenerate()` already did stays done. Written once, wrapped like onRequest.
 */
export function onSend (driver: Driver, sync: boolean): onSendHookHandler {
  const key = driver.config.sessionName

  function persist (request: FastifyRequest, reply: FastifyReply): void | Promise<void> {
    const session = (request as unknown as Sessions)[key]
    // Null when an earlier onRequest hook answered before ours ran; SESSION_OFF has nothing to persist.
    if (session == null || session === SESSION_OFF) return
    const state = stateOf(session)
    if (state.persisted) return
    state.persisted = true
    if (reply.statusCode >= 500) return driver.abandon(state)
    return driver.persist(state)
  }

  if (sync) {
    return named(function persistSession (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void): void {
      try {
        persist(request, reply)
      } catch (err) {
        return done(err as Error)
      }
      done(null, payload)
    }, 'persist', key)
  }
  return named(async function persistSession (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const persisting = persist(request, reply)
    if (persisting !== undefined) await persisting
    return payload
  }, 'persist', key)
}
