import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { deviceBindingOf } from './dbsc/device-binding.js'
import { isMethod, type AuthProof } from './auth-proof.js'
import { ForbiddenError, GuardWithoutSessionError, InvalidOptionError, ReauthRequiredError, UnauthorizedError } from './errors.js'
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

/** Options of {@link requireRecentAuth}. */
export interface RequireRecentAuthOptions<T extends object = SessionData> extends RequireLoginOptions<T> {
  /** How old, in seconds, the last proof of identity (`session.markAuthenticated()`) may be. */
  maxAge: number
  /** The methods of proof the route accepts, as given to `markAuthenticated()`. @default undefined (any) */
  methods?: readonly string[]
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

/** `redirectTo` with `next=` the page asked for (and any `extra` parameters) appended to its query. */
function loginUrl (redirectTo: string, url: string, extra = ''): string {
  const sep = redirectTo.includes('?') ? '&' : '?'
  return `${redirectTo}${sep}next=${encodeURIComponent(safeNext(url))}${extra}`
}

function denyLogin (request: FastifyRequest, reply: FastifyReply, redirectTo: string | undefined): FastifyReply {
  reply.header('cache-control', 'no-store')
  if (redirectTo !== undefined && prefersHtml(request.headers.accept)) return reply.redirect(loginUrl(redirectTo, request.url), 303)
  throw new UnauthorizedError()
}

/** What every guard checks first, read once from its options. */
interface Admission<T extends object> {
  sessionName: string
  isAuthenticated: IsAuthenticated<T> | undefined
  redirectTo: string | undefined
  bound: boolean
}

function admission<T extends object> (options: RequireLoginOptions<T>): Admission<T> {
  return {
    sessionName: options.sessionName ?? 'session',
    isAuthenticated: options.isAuthenticated,
    redirectTo: options.redirectTo,
    bound: options.bound === true
  }
}

/**
 * The check every guard starts with: the request is logged in and, with `bound`, carries its device
 * binding. Resolves to the session the guard reads, or to undefined when the request was answered
 * (a redirect); throws the 401.
 */
async function admit<T extends object> (a: Admission<T>, request: FastifyRequest, reply: FastifyReply): Promise<Guarded<T> | undefined> {
  const guarded = sessionOf<T>(request, a.sessionName)
  if (!await loggedIn(guarded, request, a.isAuthenticated)) {
    denyLogin(request, reply, a.redirectTo)
    return undefined
  }
  if (a.bound && await deviceBindingOf(guarded.session, 'a guard with { bound: true }').require(request, reply, guarded.session, a.redirectTo, prefersHtml(request.headers.accept))) return undefined
  return guarded
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
  const a = admission(options)
  return guard(async function requireLoginGuard (request, reply) {
    if (await admit(a, request, reply) === undefined) return reply
  }, a.sessionName)
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
  const a = admission(options)
  return guard(async function requireRoleGuard (request, reply) {
    const guarded = await admit(a, request, reply)
    if (guarded === undefined) return reply
    const role = (guarded.session as unknown as UntypedSession).get(roleKey)
    const held = Array.isArray(role) ? role : [role]
    if (held.some((r) => typeof r === 'string' && allowed.has(r))) return
    reply.header('cache-control', 'no-store')
    throw new ForbiddenError()
  }, a.sessionName)
}

/** Why a logged-in request's proof of identity is not enough: none, too old, or of another method. */
export type ReauthReason = 'missing' | 'expired' | 'method'

/** Why `proof` does not satisfy a guard, or undefined when it does. */
function staleness (proof: AuthProof | undefined, maxAgeMs: number, methods: ReadonlySet<string> | undefined): ReauthReason | undefined {
  if (proof === undefined) return 'missing'
  if (methods !== undefined && !methods.has(proof.method)) return 'method'
  // A proof stamped ahead of this clock (another instance's) counts as fresh.
  if (Date.now() - proof.at.getTime() > maxAgeMs) return 'expired'
  return undefined
}

function readMaxAge (maxAge: unknown): number {
  if (typeof maxAge !== 'number' || !Number.isSafeInteger(maxAge) || maxAge <= 0) {
    throw new InvalidOptionError('maxAge', 'must be a positive integer number of seconds')
  }
  return maxAge * 1000
}

function readMethods (methods: unknown): ReadonlySet<string> | undefined {
  if (methods === undefined) return undefined
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every(isMethod)) {
    throw new InvalidOptionError('methods', 'must be a non-empty array of method names (as given to markAuthenticated)')
  }
  return new Set(methods)
}

/**
 * A preHandler for sensitive routes (changing a password, a payment, ending sessions): it lets
 * through logged-in requests whose user proved who they are (`session.markAuthenticated()`) at most
 * `maxAge` seconds ago, with one of `methods` when given. Not logged in is answered as `requireLogin`
 * answers it; a missing, older or other-method proof gets 401 `FST_SESSION_REAUTH_REQUIRED` (its
 * message ends with the reason: `missing`, `expired` or `method`), or, for a request that prefers HTML
 * and with `redirectTo`, a 303 to `redirectTo?next=<page>&reason=<reason>`. Denials carry
 * `Cache-Control: no-store`.
 *
 * @throws `FST_SESSION_INVALID_OPTION` for a `maxAge` that is not a positive integer or a `methods`
 * that is not a non-empty array of method names.
 * @example
 * ```ts
 * app.post('/account/password', { preHandler: requireRecentAuth({ maxAge: 300, redirectTo: '/login' }) }, handler)
 * ```
 */
export function requireRecentAuth<T extends object = SessionData> (options: RequireRecentAuthOptions<T>): preHandlerAsyncHookHandler {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('maxAge', 'is required')
  const maxAgeMs = readMaxAge(options.maxAge)
  const methods = readMethods(options.methods)
  const a = admission(options)
  return guard(async function requireRecentAuthGuard (request, reply) {
    const guarded = await admit(a, request, reply)
    if (guarded === undefined) return reply
    const reason = staleness(guarded.session.lastAuthenticated(), maxAgeMs, methods)
    if (reason === undefined) return
    reply.header('cache-control', 'no-store')
    if (a.redirectTo !== undefined && prefersHtml(request.headers.accept)) {
      return reply.redirect(loginUrl(a.redirectTo, request.url, `&reason=${reason}`), 303)
    }
    throw new ReauthRequiredError(reason)
  }, a.sessionName)
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
