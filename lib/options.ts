import type { FastifyRequest } from 'fastify'
import { isAttributeValue, isCookieName, type CookieAttributes } from './cookie.js'
import {
  AbsoluteTtlTooShortError,
  DuplicateSecretError,
  InvalidCookiePrefixError,
  InvalidOptionError,
  InvalidSecretError,
  InvalidStoreError,
  InvalidTtlError,
  MissingSecretError,
  SameSiteNoneInsecureError
} from './errors.js'
import { readDbscOptions, type DbscConfig, type DbscOptions } from './dbsc/options.js'
import { Keyring, MIN_SECRET_BYTES } from './keyring.js'
import { positiveInteger } from './option-checks.js'
import type { Session } from './session.js'
import { CookieStore } from './stores/cookie-store.js'
import type { SessionStore } from './stores/types.js'

/** Cookie attributes of the session cookie. */
export interface CookieOptions {
  /** @default '/' */
  path?: string
  /** @default undefined (host-only cookie) */
  domain?: string
  /** `'auto'` sets Secure when the request came over https (`request.protocol`; see Fastify's `trustProxy`). @default 'auto' */
  secure?: boolean | 'auto'
  /** @default true */
  httpOnly?: boolean
  /** @default 'lax' */
  sameSite?: 'lax' | 'strict' | 'none'
  /** CHIPS partitioned cookie. @default false */
  partitioned?: boolean
}

/** A secret: a string (its UTF-8 bytes) or a Buffer, at least 32 bytes. */
export type Secret = string | Buffer

/** Options of the plugin. */
export interface FastifySessionOptions {
  /** One secret, or several for rotation: the first seals, all open. Each at least 32 bytes. */
  secret: Secret | readonly Secret[]
  /** Where sessions live. @default new CookieStore() */
  store?: CookieStore | SessionStore
  /** @default 'sid' */
  cookieName?: string
  /** Cookie attributes. */
  cookie?: CookieOptions
  /** Idle timeout in seconds (sliding), enforced by the server. @default 86400 */
  ttl?: number
  /** Absolute lifetime in seconds from creation, enforced by the server. @default 604800 */
  absoluteTtl?: number
  /** Persist sessions nobody wrote to (and set their cookie). @default false */
  saveUninitialized?: boolean
  /** Server stores: what a failing store does to a request, a 503 or an anonymous session. @default 'fail' */
  onStoreError?: 'fail' | 'anonymous'
  /** Runs after a session loads; anything but `true` makes the request anonymous and clears its cookie (revocation). */
  validate?: (session: Session, request: FastifyRequest) => boolean | Promise<boolean>
  /** Seconds after which a session gets a new id (its data kept). @default undefined (off) */
  renewAfter?: number
  /** Server stores: seconds the previous id keeps working after a renewal. @default 30 */
  renewGrace?: number
  /**
   * The data key naming the user: what the guards' default check reads, and what server stores index
   * for `revokeUser`/`listUserSessions`. @default 'userId'
   */
  userKey?: string
  /**
   * The data key where `session.markAuthenticated()` records when and how the user last proved who they
   * are, read by `requireRecentAuth`. Must differ from `userKey`. @default 'auth'
   */
  authKey?: string
  /** Server stores: the largest record in bytes of JSON. @default 65536 */
  maxDataBytes?: number
  /**
   * Where the session lives: `request[sessionName]` and `app[sessionName]`. Register the plugin again
   * with another name (and another `cookieName`) for a second session, e.g. `'adminSession'`.
   * @default 'session'
   */
  sessionName?: string
  /**
   * Server stores: device-bound sessions (DBSC), a session a stolen cookie cannot use off its device
   * for longer than the bound cookie's lifetime. See docs/dbsc.md. @default undefined (off)
   */
  dbsc?: DbscOptions
}

/** The validated, frozen configuration every other module reads. */
export interface Config {
  readonly keyring: Keyring
  readonly store: CookieStore | SessionStore
  readonly cookieName: string
  readonly cookie: Readonly<CookieAttributes>
  readonly ttlMs: number
  readonly absoluteTtlMs: number
  /** An unchanged session refreshes its idle lifetime at most this often: a tenth of `ttl`. */
  readonly refreshMs: number
  readonly saveUninitialized: boolean
  readonly onStoreError: 'fail' | 'anonymous'
  readonly validate: FastifySessionOptions['validate']
  readonly renewAfterMs: number | undefined
  readonly renewGraceMs: number
  readonly userKey: string
  readonly authKey: string
  readonly maxDataBytes: number
  readonly sessionName: string
  readonly dbsc: DbscConfig | undefined
}

const KNOWN = new Set([
  'secret', 'store', 'cookieName', 'cookie', 'ttl', 'absoluteTtl', 'saveUninitialized', 'onStoreError',
  'validate', 'renewAfter', 'renewGrace', 'userKey', 'authKey', 'maxDataBytes', 'sessionName', 'dbsc',
  // Fastify passes its own register options through to the plugin.
  'prefix', 'logLevel', 'logSerializers'
])
const COOKIE_KEYS = new Set(['path', 'domain', 'secure', 'httpOnly', 'sameSite', 'partitioned'])

/**
 * Validates the user's options once, at registration, and returns a new frozen config (the options
 * object is never mutated).
 *
 * @throws one `FST_SESSION_*` error per kind of mistake.
 */
export function buildConfig (options: FastifySessionOptions): Config {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'must be an object')
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new InvalidOptionError(key, 'unknown option')
  }
  const secrets = readSecrets(options.secret)
  const ttl = readSeconds('ttl', options.ttl, 86_400)
  const absoluteTtl = readSeconds('absoluteTtl', options.absoluteTtl, 7 * 86_400)
  if (absoluteTtl < ttl) throw new AbsoluteTtlTooShortError()
  const renewAfter = options.renewAfter === undefined ? undefined : readSeconds('renewAfter', options.renewAfter, 0)
  const renewGrace = readSeconds('renewGrace', options.renewGrace, 30)
  // undefined means the default; null is a mistake, refused like any other wrong type.
  const cookieName = options.cookieName === undefined ? 'sid' : options.cookieName
  if (typeof cookieName !== 'string' || !isCookieName(cookieName)) {
    throw new InvalidOptionError('cookieName', 'must be a non-empty cookie token (letters, digits and !#$%&\'*+-.^_`|~)')
  }
  const cookie = readCookieOptions(options.cookie)
  checkPrefix(cookieName, cookie)
  const store = options.store === undefined ? new CookieStore() : options.store
  checkStore(store)
  const sessionName = readIdentifier('sessionName', options.sessionName, 'session')
  const dbsc = options.dbsc === undefined
    ? undefined
    : readDbscOptions(options.dbsc, { store, isCookieStore: store instanceof CookieStore, sessionName, cookieName, cookie, renewAfter })
  const userKey = readKey('userKey', options.userKey, 'userId')
  const authKey = readKey('authKey', options.authKey, 'auth')
  // One key for both would let a login overwrite the proof, or a proof look like a logged-in user.
  if (authKey === userKey) throw new InvalidOptionError('authKey', 'must differ from "userKey"')
  const keyring = makeKeyring(secrets)
  return Object.freeze({
    keyring,
    store,
    cookieName,
    cookie: Object.freeze(cookie),
    ttlMs: ttl * 1000,
    absoluteTtlMs: absoluteTtl * 1000,
    refreshMs: ttl * 100,
    saveUninitialized: readBoolean('saveUninitialized', options.saveUninitialized, false),
    onStoreError: readChoice('onStoreError', options.onStoreError, ['fail', 'anonymous'] as const),
    validate: readFunction('validate', options.validate),
    renewAfterMs: renewAfter === undefined ? undefined : renewAfter * 1000,
    renewGraceMs: renewGrace * 1000,
    userKey,
    authKey,
    maxDataBytes: positiveInteger('maxDataBytes', options.maxDataBytes, 65_536),
    sessionName,
    dbsc
  })
}

function readSecrets (secret: unknown): Buffer[] {
  if (secret === undefined || secret === null || secret === '') throw new MissingSecretError()
  const list: unknown[] = Array.isArray(secret) ? secret : [secret]
  if (list.length === 0) throw new MissingSecretError()
  return list.map((s, i) => {
    const where = list.length > 1 ? `entry ${i} is not` : 'the secret is not'
    if (typeof s === 'string') {
      if (Buffer.byteLength(s) < MIN_SECRET_BYTES) throw new InvalidSecretError(`${where} 32 bytes long`)
      return Buffer.from(s)
    }
    if (Buffer.isBuffer(s)) {
      if (s.length < MIN_SECRET_BYTES) throw new InvalidSecretError(`${where} 32 bytes long`)
      return s
    }
    throw new InvalidSecretError(`${where} a string or Buffer`)
  })
}

function makeKeyring (secrets: Buffer[]): Keyring {
  try {
    return new Keyring(secrets)
  } catch (err) {
    const pair = (err as { duplicateOf: readonly [number, number] }).duplicateOf
    throw new DuplicateSecretError(`${pair[0]} and ${pair[1]}`)
  }
}

function readSeconds (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new InvalidTtlError(name)
  return value
}

function readBoolean (name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new InvalidOptionError(name, 'must be a boolean')
  return value
}

function readChoice<T extends string> (name: string, value: unknown, choices: readonly T[]): T {
  if (value === undefined) return choices[0] as T
  if (!choices.includes(value as T)) throw new InvalidOptionError(name, `must be one of ${choices.map((c) => `"${c}"`).join(', ')}`)
  return value as T
}

function readFunction<T> (name: string, value: T): T {
  if (value !== undefined && typeof value !== 'function') throw new InvalidOptionError(name, 'must be a function')
  return value
}

function readKey (name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value === '' || value === '__proto__') {
    throw new InvalidOptionError(name, 'must be a non-empty string')
  }
  return value
}

// A property name for request and app decorators: a plain identifier, so `request.adminSession` works.
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

function readIdentifier (name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new InvalidOptionError(name, 'must be a JavaScript identifier (letters, digits, _ and $, not starting with a digit)')
  }
  return value
}

function readCookieOptions (cookie: unknown): CookieAttributes {
  if (cookie === undefined) cookie = {}
  if (typeof cookie !== 'object' || cookie === null || Array.isArray(cookie)) {
    throw new InvalidOptionError('cookie', 'must be an object')
  }
  const c = cookie as Record<string, unknown>
  for (const key of Object.keys(c)) {
    if (!COOKIE_KEYS.has(key)) throw new InvalidOptionError(`cookie.${key}`, 'unknown cookie option')
  }
  const path = c.path ?? '/'
  if (typeof path !== 'string' || !path.startsWith('/') || !isAttributeValue(path)) {
    throw new InvalidOptionError('cookie.path', 'must start with "/" and hold no control characters or ";"')
  }
  const domain = c.domain
  if (domain !== undefined && (typeof domain !== 'string' || !isAttributeValue(domain))) {
    throw new InvalidOptionError('cookie.domain', 'must be a string with no control characters or ";"')
  }
  const secure = c.secure ?? 'auto'
  if (secure !== 'auto' && typeof secure !== 'boolean') {
    throw new InvalidOptionError('cookie.secure', 'must be true, false or "auto"')
  }
  const sameSite = readChoice('cookie.sameSite', c.sameSite, ['lax', 'strict', 'none'] as const)
  if (sameSite === 'none' && secure !== true) throw new SameSiteNoneInsecureError()
  return {
    path,
    domain,
    secure,
    httpOnly: readBoolean('cookie.httpOnly', c.httpOnly, true),
    sameSite,
    partitioned: readBoolean('cookie.partitioned', c.partitioned, false)
  }
}

function checkPrefix (name: string, cookie: CookieAttributes): void {
  // Browsers match the prefixes without regard to case, so a "__HOST-" name is held to the same rules.
  const lower = name.toLowerCase()
  if (lower.startsWith('__host-')) {
    if (cookie.secure !== true || cookie.path !== '/' || cookie.domain !== undefined) {
      throw new InvalidCookiePrefixError('__Host-', 'cookie.secure: true, cookie.path: "/" and no cookie.domain')
    }
  } else if (lower.startsWith('__secure-') && cookie.secure !== true) {
    throw new InvalidCookiePrefixError('__Secure-', 'cookie.secure: true')
  }
}

function checkStore (store: unknown): void {
  if (store instanceof CookieStore) return
  if (typeof store !== 'object' || store === null) throw new InvalidStoreError('got no object')
  const s = store as Record<string, unknown>
  for (const method of ['get', 'set', 'destroy'] as const) {
    if (typeof s[method] !== 'function') throw new InvalidStoreError(`${method}() is missing`)
  }
  for (const method of ['touch', 'patch', 'replace', 'take', 'listUserSessions', 'revokeUser'] as const) {
    if (s[method] !== undefined && typeof s[method] !== 'function') {
      throw new InvalidStoreError(`${method} must be a function when present`)
    }
  }
}
