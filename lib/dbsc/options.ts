import { isAttributeValue, isCookieName, type CookieAttributes } from '../cookie.js'
import { InvalidOptionError, InvalidTtlError, NotSupportedError } from '../errors.js'
import type { CookieStore } from '../stores/cookie-store.js'
import type { SessionStore } from '../stores/types.js'
import { ALGORITHMS, type Algorithm } from './proof.js'

/** Options of device-bound sessions (DBSC), the plugin's `dbsc` option. */
export interface DbscOptions {
  /** Where the browser registers its key. @default '/dbsc/<sessionName>/register' */
  registrationPath?: string
  /** Where the browser refreshes the bound cookie. @default '/dbsc/<sessionName>/refresh' */
  refreshPath?: string
  /** The bound cookie's name. @default '<cookieName>_bound' */
  cookieName?: string
  /** Seconds the bound cookie lives: how long a stolen copy of it keeps working. @default 600 */
  cookieTtl?: number
  /** Seconds a challenge stays usable, longer than `cookieTtl` (it is used at the next refresh). @default cookieTtl + 300 */
  challengeTtl?: number
  /**
   * Which requests of a bound session need the bound cookie: `'all'` of them, or only those of routes
   * whose guard has `{ bound: true }`. @default 'all'
   */
  require?: 'all' | 'guarded'
  /** Where a refused request that prefers HTML is sent (303); others get 401 JSON. @default undefined */
  redirectTo?: string
  /** The signing algorithms offered to browsers. @default ['ES256', 'RS256'] */
  algorithms?: Algorithm[]
}

/** The validated DBSC configuration. */
export interface DbscConfig {
  readonly registrationPath: string
  readonly refreshPath: string
  readonly cookieName: string
  readonly cookieTtlMs: number
  readonly challengeTtlMs: number
  readonly require: 'all' | 'guarded'
  readonly redirectTo: string | undefined
  readonly algorithms: readonly Algorithm[]
}

const KNOWN = new Set(['registrationPath', 'refreshPath', 'cookieName', 'cookieTtl', 'challengeTtl', 'require', 'redirectTo', 'algorithms'])

/** What of the rest of the configuration DBSC depends on. */
export interface DbscContext {
  store: CookieStore | SessionStore
  isCookieStore: boolean
  sessionName: string
  cookieName: string
  cookie: CookieAttributes
  renewAfter: number | undefined
}

/**
 * Validates the `dbsc` option once, at registration.
 *
 * @throws `FST_SESSION_NOT_SUPPORTED` on the cookie store or a store without a per-user index,
 * `FST_SESSION_INVALID_OPTION` / `FST_SESSION_INVALID_TTL` for a wrong value.
 */
export function readDbscOptions (value: unknown, context: DbscContext): DbscConfig {
  if (context.isCookieStore) {
    throw new NotSupportedError('dbsc', 'the cookie store keeps nothing on the server to hold a device\'s key; use a server store')
  }
  if (typeof (context.store as SessionStore).revokeUser !== 'function') {
    // Consuming a challenge exactly once, on every instance, rides on revokeUser's atomic delete-and-count.
    throw new NotSupportedError('dbsc', 'the store has no per-user index (revokeUser), which single-use challenges need')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidOptionError('dbsc', 'must be an object')
  const o = value as Record<string, unknown>
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) throw new InvalidOptionError(`dbsc.${key}`, 'unknown option')
  if (context.renewAfter !== undefined) {
    throw new InvalidOptionError('dbsc', 'cannot be combined with "renewAfter": the binding belongs to one session id (the bound cookie\'s refresh already rotates a short-lived credential)')
  }
  if (context.cookie.partitioned) throw new InvalidOptionError('dbsc', 'browsers refuse a partitioned bound cookie (cookie.partitioned)')
  const base = `/dbsc/${context.sessionName}`
  const registrationPath = readPath('dbsc.registrationPath', o.registrationPath, `${base}/register`)
  const refreshPath = readPath('dbsc.refreshPath', o.refreshPath, `${base}/refresh`)
  if (registrationPath === refreshPath) throw new InvalidOptionError('dbsc.refreshPath', 'must differ from dbsc.registrationPath')
  const cookieName = o.cookieName ?? `${context.cookieName}_bound`
  if (typeof cookieName !== 'string' || !isCookieName(cookieName) || cookieName === context.cookieName) {
    throw new InvalidOptionError('dbsc.cookieName', 'must be a cookie token other than the session cookie\'s name')
  }
  const cookieTtl = readSeconds('dbsc.cookieTtl', o.cookieTtl, 600)
  const challengeTtl = readSeconds('dbsc.challengeTtl', o.challengeTtl, cookieTtl + 300)
  if (challengeTtl <= cookieTtl) throw new InvalidOptionError('dbsc.challengeTtl', 'must be longer than dbsc.cookieTtl')
  const require = o.require ?? 'all'
  if (require !== 'all' && require !== 'guarded') throw new InvalidOptionError('dbsc.require', 'must be "all" or "guarded"')
  const redirectTo = o.redirectTo === undefined ? undefined : readPath('dbsc.redirectTo', o.redirectTo, '')
  return Object.freeze({
    registrationPath,
    refreshPath,
    cookieName,
    cookieTtlMs: cookieTtl * 1000,
    challengeTtlMs: challengeTtl * 1000,
    require,
    redirectTo,
    algorithms: Object.freeze(readAlgorithms(o.algorithms))
  })
}

function readPath (name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback
  // The path goes into a structured-field string and a URL: no quotes, backslashes, query or fragment.
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || !isAttributeValue(value) || /["\\?#\s]/.test(value)) {
    throw new InvalidOptionError(name, 'must be a path starting with "/" (no quotes, backslashes, spaces, query or fragment)')
  }
  return value
}

function readSeconds (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new InvalidTtlError(name)
  return value
}

function readAlgorithms (value: unknown): Algorithm[] {
  if (value === undefined) return [...ALGORITHMS]
  if (!Array.isArray(value) || value.length === 0 || !value.every((a) => ALGORITHMS.includes(a as Algorithm))) {
    throw new InvalidOptionError('dbsc.algorithms', 'must be a non-empty list of "ES256" and "RS256"')
  }
  return [...new Set(value as Algorithm[])]
}
