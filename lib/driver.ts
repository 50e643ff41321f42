import type { ServerResponse } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'
import { CookieWriter, MAX_COOKIE_BYTES } from './cookie.js'
import { CookieTooLargeError, CookieUnsendableError, InvalidCookiePrefixError, SameSiteNoneInsecureError } from './errors.js'
import type { Config } from './options.js'
import { mirrorCookie, unsendable } from './raw-reply.js'
import { generateId } from './session-id.js'
import type { CookieOverrides } from './cookie.js'
import type { Session, SessionDriver, SessionState } from './session.js'

/** Why a session cookie was not used; fixed strings, the only detail a rejection log line carries. */
export type RejectReason =
  | 'oversized' | 'malformed' | 'truncated' | 'unknown-version' | 'decryption-failed' | 'malformed-payload'
  | 'expired-idle' | 'expired-absolute' | 'unknown-id' | 'invalid-record' | 'revoked' | 'ended'

/** Lifecycle events logged at debug level, with a keyed hash of the id, never the id. */
export type LifecycleEvent = 'created' | 'regenerated' | 'renewed' | 'destroyed' | 'expired' | 'rejected'

/**
 * What both store drivers share: cookie writing, expiry arithmetic and the debug log. A driver loads a
 * session from the raw cookie value in onRequest and persists it in onSend.
 */
export abstract class Driver implements SessionDriver {
  readonly config: Config
  readonly writer: CookieWriter
  #warnedInsecure = false
  /** Where `watch` leaves the session on the raw response: one key per plugin instance (several sessions). */
  readonly #watchKey = Symbol('fastify-session-kit.watched')
  /** One listener for every watched response (made once, not per request). */
  readonly #onClose: (this: ServerResponse) => void

  constructor (config: Config) {
    this.config = config
    this.writer = new CookieWriter(config.cookieName, config.cookie)
    const driver = this
    const key = this.#watchKey
    this.#onClose = function checkUnsaved (this: ServerResponse): void {
      driver.checkUnsaved((this as unknown as Record<symbol, SessionState>)[key] as SessionState)
    }
  }

  abstract regenerate (state: SessionState): Promise<void>
  abstract destroy (state: SessionState): Promise<void>
  abstract load (state: SessionState, raw: string): void | Promise<void>
  /** Writes what changed; `sendable: false` writes the store only (a server store on a WebSocket). */
  abstract persist (state: SessionState, sendable?: boolean): void | Promise<void>
  /** `save()` where no cookie can be sent (a WebSocket): a server store writes in place, keeping the id. */
  abstract saveInPlace (state: SessionState, where: string): Promise<void>
  /** `reload()`: the session as it is stored now, or anonymous when it is gone. */
  abstract reload (state: SessionState, session: Session): Promise<void>

  get authKey (): string {
    return this.config.authKey
  }

  newId (): string {
    return generateId()
  }

  /**
   * Whether persisting has nothing to write: a new session nobody wrote to (unless
   * `saveUninitialized`), or a loaded one with no change and no refresh, rewrite or renewal due. A
   * stale cookie that came in is cleared then.
   */
  nothingToWrite (state: SessionState, json: string): boolean {
    const idle = state.unsaved
      ? json === '{}' && !this.config.saveUninitialized
      : !(state.rewrite || state.refresh || state.renew || json !== state.loadedJson)
    if (idle && state.clearCookie) this.sendClear(state)
    return idle
  }

  /**
   * A failed (5xx) response: nothing left unsaved is written. What already took effect is not undone:
   * the record that `destroy()` or `regenerate()` deleted stays deleted, so its cookie, dead now, is
   * cleared rather than left in the browser; a cookie a `save()` set stays on the response.
   */
  abandon (state: SessionState): void {
    if (state.clearCookie) this.sendClear(state)
  }

  /** The id to write under: a new one when renewal is due or the session is new. */
  writeId (state: SessionState, now: number): string {
    if (state.renew) {
      state.id = generateId()
      state.idIssuedAt = now
    }
    if (state.id === '') state.id = generateId()
    return state.id
  }

  /**
   * Records a successful write: the written data is the new baseline. Nothing more is owed unless a
   * change came while the write ran (`edits` counted when it began), or an object was handed out: the
   * handler may still change it, so its key stays watched until the request ends.
   */
  written (state: SessionState, json: string, lastSeenAt: number, edits: number): void {
    const created = state.unsaved
    const renewed = state.renew
    state.lastSeenAt = lastSeenAt
    state.loadedJson = json
    if (state.edits === edits) {
      const handed = state.handed
      state.maybeDirty = handed !== undefined
      state.changedKeys = handed === undefined || handed === true ? undefined : [...handed]
    }
    state.refresh = false
    state.rewrite = false
    state.renew = false
    state.unsaved = false
    if (created) this.log(state, 'created', state.id)
    if (renewed) this.log(state, 'renewed', state.id)
  }

  checkOverrides (o: CookieOverrides): void {
    const cookie = this.config.cookie
    if ((o.sameSite ?? cookie.sameSite) === 'none' && (o.secure ?? cookie.secure) !== true) {
      throw new SameSiteNoneInsecureError()
    }
    const name = this.config.cookieName.toLowerCase()
    if (name.startsWith('__host-') && (o.secure === false || o.domain !== undefined || (o.path !== undefined && o.path !== '/'))) {
      throw new InvalidCookiePrefixError('__Host-', 'Secure, Path=/ and no Domain on every response')
    }
    if (name.startsWith('__secure-') && o.secure === false) {
      throw new InvalidCookiePrefixError('__Secure-', 'Secure on every response')
    }
  }

  /**
   * `save()`: persists now and also puts the cookie on the raw response, which is what a hijacked
   * reply, or one written through `reply.raw`, sends. A normal reply is unaffected: Fastify writes its
   * own headers over the raw ones (`writeHead`/`setHeader` replace, never append), and its headers
   * hold the same cookie.
   */
  async save (state: SessionState): Promise<void> {
    const where = unsendable(state)
    if (where !== undefined) return await this.saveInPlace(state, where)
    await this.persist(state)
    mirrorCookie(state)
  }

  /** @throws `FST_SESSION_COOKIE_UNSENDABLE` when `method` could not send the cookie it needs. */
  assertSendable (state: SessionState, method: string, why: string): void {
    const where = unsendable(state)
    if (where !== undefined) throw new CookieUnsendableError(method, where, why)
  }

  /** Forgets the session in hand: anonymous and empty, with fresh lifetimes. */
  forget (state: SessionState): void {
    this.reset(state, Date.now())
    state.data = {}
    state.handed = undefined
    state.storeKey = undefined
    state.maybeDirty = false
    state.failedJson = undefined
  }

  /**
   * The `validate` hook, after a load or a reload: a session it refuses becomes anonymous, and the
   * browser's copy of the cookie is cleared on a response that can still carry it.
   */
  async revalidate (state: SessionState, session: Session): Promise<void> {
    const validate = this.config.validate
    if (validate === undefined || state.unsaved || await validate(session, state.request) === true) return
    this.forget(state)
    this.reject(state, 'revoked')
  }

  watch (state: SessionState): void {
    state.watched = true
    const raw = state.reply.raw
    ;(raw as unknown as Record<symbol, SessionState>)[this.#watchKey] = state
    raw.on('close', this.#onClose)
  }

  /**
   * The response is over. onSend persisted a normal reply; a reply that was sent without it (hijacked,
   * written through `reply.raw`, a WebSocket) and left a change unsaved gets one warning naming the
   * route, never a silent loss. No id, cookie or data goes into the line.
   */
  checkUnsaved (state: SessionState): void {
    if (state.persisted || !state.reply.sent) return
    const json = state.maybeDirty ? JSON.stringify(state.data) : state.loadedJson
    if (json === state.loadedJson && !(state.destroyed && state.clearCookie)) return
    const request = state.request
    request.log.warn(
      { route: `${request.method} ${String(request.routeOptions.url)}` },
      'fastify-session-kit: a session change was never saved: the reply was sent without onSend (hijacked, written through reply.raw, or a WebSocket); call `await request.session.save()` before the response starts'
    )
  }

  /** The expiry rule both stores enforce: idle since `lastSeenAt`, absolute since `createdAt`. */
  expiry (createdAt: number, lastSeenAt: number, now: number): RejectReason | undefined {
    if (now - lastSeenAt >= this.config.ttlMs) return 'expired-idle'
    if (now - createdAt >= this.config.absoluteTtlMs) return 'expired-absolute'
    return undefined
  }

  /** Milliseconds until a session written now must be gone: idle or absolute, whichever ends first. */
  remainingMs (createdAt: number, now: number): number {
    return Math.min(this.config.ttlMs, this.config.absoluteTtlMs - (now - createdAt))
  }

  /** Marks a session as freshly made: new id, new lifetimes, nothing written yet. */
  reset (state: SessionState, now: number): void {
    state.id = ''
    state.isNew = true
    state.unsaved = true
    state.createdAt = now
    state.lastSeenAt = now
    state.idIssuedAt = now
    state.loadedJson = '{}'
    // What a write is diffed against is what the store holds for this session: nothing, now.
    state.baseline = undefined
    state.links = undefined
    state.rewrite = false
    state.renew = false
    state.refresh = false
    state.destroyed = false
  }

  /** Marks a loaded session for a new id when its id is older than `renewAfter` (OWASP renewal timeout). */
  checkRenewal (state: SessionState, now: number): void {
    const after = this.config.renewAfterMs
    if (after !== undefined && now - state.idIssuedAt >= after) state.renew = true
  }

  /**
   * A session came in past its idle or absolute lifetime: the same outcome as a rejection, logged as
   * its own event with the id's hash, so an operator can tell a timeout from an attack.
   */
  expire (state: SessionState, id: string, reason: RejectReason): void {
    state.clearCookie = true
    this.log(state, 'expired', id, reason)
  }

  /** A cookie that came in was not used: log why, start fresh, clear it on the response. */
  reject (state: SessionState, reason: RejectReason): void {
    state.clearCookie = true
    this.log(state, 'rejected', undefined, reason)
  }

  /**
   * Adds (or replaces, after an earlier `save()`) the session's Set-Cookie on the reply.
   *
   * @throws `FST_SESSION_COOKIE_TOO_LARGE` before touching the reply when the header would not fit.
   */
  sendCookie (state: SessionState, value: string, maxAgeMs: number): void {
    const https = state.request.protocol === 'https'
    // Rounded up: a browser must never drop the cookie while the server would still accept it (a
    // rounded-down Max-Age=0 in a session's last second logged users out early). The server enforces
    // both lifetimes to the millisecond, so the cookie outliving them by under a second is harmless.
    const header = this.writer.set(value, Math.max(0, Math.ceil(maxAgeMs / 1000)), https, state.overrides)
    // Headers are ASCII (values are base64url, attributes are validated), so length counts bytes.
    if (header.length > MAX_COOKIE_BYTES) throw new CookieTooLargeError(header.length)
    if (!https && (state.overrides?.secure ?? this.writer.isSecure(false)) && !this.#warnedInsecure) {
      // Browsers drop a Secure cookie set over http without a word; say it once, loudly.
      this.#warnedInsecure = true
      state.request.log.warn('fastify-session-kit: a Secure session cookie is being set over plain http; browsers will drop it (serve over https, or set trustProxy behind a TLS proxy)')
    }
    this.#append(state, header)
    state.clearCookie = false
  }

  /** Sends a Set-Cookie that deletes the session cookie. */
  sendClear (state: SessionState): void {
    this.#append(state, this.writer.clear(state.request.protocol === 'https', state.overrides))
    state.clearCookie = false
  }

  #append (state: SessionState, header: string): void {
    const reply = state.reply
    const previous = state.setCookie
    state.setCookie = header
    if (previous !== undefined) {
      const current = reply.getHeader('set-cookie')
      const list = (Array.isArray(current) ? current : [current]).filter((v) => v !== previous) as string[]
      // Fastify's removeHeader reaches the raw response too: keep what the app or a save() put there.
      const raw = reply.raw.getHeader('set-cookie')
      reply.removeHeader('set-cookie')
      if (raw !== undefined) reply.raw.setHeader('set-cookie', raw)
      if (list.length > 0) reply.header('set-cookie', list)
    }
    reply.header('set-cookie', header)
  }

  /**
   * Logs a lifecycle event at debug level. The id appears only as a keyed hash: enough to follow one
   * session through the logs, useless as a credential.
   */
  log (state: SessionState, event: LifecycleEvent, id?: string, reason?: RejectReason): void {
    const log: FastifyBaseLogger = state.request.log
    if (!isDebugEnabled(log)) return
    const fields: Record<string, string> = { event }
    if (id !== undefined && id !== '') fields.sessionHash = this.config.keyring.logId(id)
    if (reason !== undefined) fields.reason = reason
    log.debug({ session: fields }, `session ${event}`)
  }
}

function isDebugEnabled (log: FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean }): boolean {
  // pino answers isLevelEnabled; Fastify's no-op logger (logger: false) has neither it nor a level, and
  // skipping it there saves hashing an id on every new session.
  if (typeof log.isLevelEnabled === 'function') return log.isLevelEnabled('debug')
  return log.level === 'debug' || log.level === 'trace'
}
