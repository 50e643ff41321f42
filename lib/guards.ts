import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { deviceBindingOf } from './dbsc/device-binding.js'
import { ForbiddenError, GuardWithoutSessionError, InvalidOptionError, UnauthorizedError } from './errors.js'
import type { Session, SessionData } from './session.js'
import { registeredSession } from './registry.js'
import { SESSION_OFF } from './session-off.js'
import { kGuard } from './symbols.js'

/** Marks a guard with the session it reads, so a route where that cannot work fails at startup. */
function guard<T extends preHandlerAsyncHookHandler> (fn: T, sessionName: string): T {
  Object.defineProperty(fn, kGuard, { value: sessionName })
  return fn
}

/** The session a guard reads, and the data key naming its user. */
interface Guarded<T extends object> {
  session: Session<T>
  userKey: string
}

/**
 * The session a guard reads. A guard on a route (`preHandler: requireLogin()`) that cannot work fails
 * at startup; one added with `addHook` to a scope is invisible to the startup check (Fastify does not
 * list a scope's hooks per route), so it fails here, with the same coded error, instead of answering
 * 401 to every request or throwing a TypeError. The scope's registry, not the request property, says
 * whether a session of that name exists: another plugin's decorator of the same name is no session.
 *
 * @throws `FST_SESSION_GUARD_WITHOUT_SESSION` on a route without sessions, `FST_SESSION_INVALID_OPTION`
 * when no session of that name is registered.
 */
function sessionOf<T extends object> (request: FastifyRequest, sessionName: string): Guarded<T> {
  const session = (request as unknown as Record<string, Session<T> | null | undefined>)[sessionName]
  // request.server is the route's own scope: sibling scopes may each register a session of this name.
  const registered = registeredSession(request.server, sessionName)
  if (registered !== undefined && session !== SESSION_OFF && session != null) return { session, userKey: registered.userKey }
  const where = `${request.method} ${String(request.routeOptions.url)}`
  if (session === SESSION_OFF) throw new GuardWithoutSessionError(where)
  throw new InvalidOptionError('sessionName', `a guard of the route ${where} reads the session "${sessionName}", and no session of that name is registered`)
}

/** Decides whether a request is logged in, from the session the guard reads. */
type IsAuthenticated<T extends object> = (session: Session<T>, request: FastifyRequest) => boolean | Promise<boolean>

/**
 * Options of {@link requireLogin}.
 *
 * @typeParam T - the data of the session the guard reads: {@link SessionData} by default, a second
 * session's own type with `sessionName` (`requireLogin<AdminData>({ sessionName: 'adminSession', ... })`).
 */
export interface RequireLoginOptions<T extends object = SessionData> {
  /**
   * Decides whether the request is logged in.
   * @default session.get(userKey) != null, with the `userKey` option of the session the guard reads
   */
  isAuthenticated?: IsAuthenticated<T>
  /**
   * Where a browser that is not logged in is sent (303, with `?next=` the page it asked for). API
   * clients get 401 JSON either way. @default undefined (always 401)
   */
  redirectTo?: string
  /** The session the guard reads, `request[sessionName]` (see the plugin's `sessionName` option). @default 'session' */
  sessionName?: string
  /**
   * Also require the session's bound cookie when the session is bound to a device (the plugin's
   * `dbsc` option with `require: 'guarded'`); see docs/dbsc.md. @default false
   */
  bound?: boolean
}

/** Options of {@link requireRole}. */
export interface RequireRoleOptions<T extends object = SessionData> extends RequireLoginOptions<T> {
  /** The session key holding the role (a string or an array of strings). @default 'role' */
  roleKey?: string
}

type UntypedSession = { get (key: string): unknown }

/** Whether the request is logged in: `isAuthenticated` when given, else the session names a user. */
async function loggedIn<T extends object> (guarded: Guarded<T>, request: FastifyRequest, isAuthenticated: IsAuthenticated<T> | undefined): Promise<boolean> {
  if (isAuthenticated !== undefined) return await isAuthenticated(guarded.session, request)
  return (guarded.session as unknown as UntypedSession).get(guarded.userKey) != null
}

/** Whether the Accept header ranks text/html above JSON (q-values first, then order). */
export function prefersHtml (accept: string | undefined): boolean {
  if (accept === undefined) return false
  let html = -1
  let json = -1
  let htmlQ = 0
  let jsonQ = 0
  const ranges = accept.split(',')
  for (let i = 0; i < ranges.length; i++) {
    const [type = '', ...params] = (ranges[i] as string).split(';')
    const media = type.trim().toLowerCase()
    let q = 1
    for (const p of params) {
      const [k, v] = p.split('=')
      if (k?.trim() === 'q') q = Number(v)
    }
    if (!(q > 0)) continue
    if (media === 'text/html' && html === -1) { html = i; htmlQ = q }
    if ((media === 'application/json' || media.endsWith('+json')) && json === -1) { json = i; jsonQ = q }
  }
  if (html === -1) return false
  if (json === -1) return true
  return htmlQ > jsonQ || (htmlQ === jsonQ && html < json)
}

/**
 * The page to come back to after login, only ever a same-origin relative path: anything that could
 * leave the site (`//host`, `/\host`, a scheme, control characters) becomes `/`.
 */
export function safeNext (url: string): string {
  if (!url.startsWith('/') || url.startsWith('//') || url.startsWith('/\\')) return '/'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(url)) return '/'
  return url
}

function denyLogin (request: FastifyRequest, reply: FastifyReply, redirectTo: string | undefined): FastifyReply {
  reply.header('cache-control', 'no-store')
  if (redirectTo !== undefined && prefersHtml(request.headers.accept)) {
    const sep = redirectTo.includes('?') ? '&' : '?'
    return reply.redirect(`${redirectTo}${sep}next=${encodeURIComponent(safeNext(request.url))}`, 303)
  }
  throw new UnauthorizedError()
}

/**
 * A preHandler that lets only logged-in requests through: others get 401 `FST_SESSION_UNAUTHORIZED`,
 * or a 303 to `redirectTo` when they prefer HTML. Denials carry `Cache-Control: no-store`.
 *
 * @example
 * ```ts
 * app.get('/dashboard', { preHandler: requireLogin({ redirectTo: '/login' }) }, handler)
 * ```
 */
export function requireLogin<T extends object = SessionData> (options: RequireLoginOptions<T> = {}): preHandlerAsyncHookHandler {
  const isAuthenticated = options.isAuthenticated
  const redirectTo = options.redirectTo
  const sessionName = options.sessionName ?? 'session'
  const bound = options.bound === true
  return guard(async function requireLoginGuard (request, reply) {
    const guarded = sessionOf<T>(request, sessionName)
    if (!await loggedIn(guarded, request, isAuthenticated)) return denyLogin(request, reply, redirectTo)
    if (bound && await deviceBindingOf(guarded.session, 'a guard with { bound: true }').require(request, reply, guarded.session, redirectTo, prefersHtml(request.headers.accept))) return reply
  }, sessionName)
}

/**
 * A preHandler that lets through logged-in requests whose role is one of `roles`: not logged in gets
 * 401 first (or the redirect), the wrong role 403 `FST_SESSION_FORBIDDEN`.
 *
 * @param roles - a role or a list of roles, any of which is enough.
 * @example
 * ```ts
 * app.get('/reports', { preHandler: requireRole(['admin', 'auditor']) }, handler)
 * ```
 */
export function requireRole<T extends object = SessionData> (roles: string | readonly string[], options: RequireRoleOptions<T> = {}): preHandlerAsyncHookHandler {
  const allowed = new Set(typeof roles === 'string' ? [roles] : roles)
  const roleKey = options.roleKey ?? 'role'
  const isAuthenticated = options.isAuthenticated
  const redirectTo = options.redirectTo
  const sessionName = options.sessionName ?? 'session'
  const bound = options.bound === true
  return guard(async function requireRoleGuard (request, reply) {
    const guarded = sessionOf<T>(request, sessionName)
    if (!await loggedIn(guarded, request, isAuthenticated)) return denyLogin(request, reply, redirectTo)
    if (bound && await deviceBindingOf(guarded.session, 'a guard with { bound: true }').require(request, reply, guarded.session, redirectTo, prefersHtml(request.headers.accept))) return reply
    const role = (guarded.session as unknown as UntypedSession).get(roleKey)
    const held = Array.isArray(role) ? role : [role]
    if (held.some((r) => typeof r === 'string' && allowed.has(r))) return
    reply.header('cache-control', 'no-store')
    throw new ForbiddenError()
  }, sessionName)
}

/**
 * `requireRole('admin')`.
 *
 * @example
 * ```ts
 * app.get('/admin', { preHandler: requireAdmin() }, handler)
 * ```
 */
export function requireAdmin<T extends object = SessionData> (options: RequireRoleOptions<T> = {}): preHandlerAsyncHookHandler {
  return requireRole<T>('admin', options)
}
