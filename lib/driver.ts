import { CookieHeader } from './cookie-header.js'
import type { CookieOverrides } from './cookie.js'
import { CookieUnsendableError } from './errors.js'
import { type LifecycleEvent, logLifecycle, type RejectReason } from './lifecycle-log.js'
import { Lifetime } from './lifetime.js'
import type { Config } from './options.js'
import { mirrorCookie, unsendable } from './raw-reply.js'
import { generateId } from './session-id.js'
import type { Session, SessionDriver, SessionState } from './session.js'
import { UnsavedWatch } from './unsaved-watch.js'

/**
 * The session state machine both store drivers share: what a request's session is (new, loaded,
 * renewed, ended), when it has something to write and what a write leaves. A driver loads a session
 * from the raw cookie value in onRequest and persists it in onSend; the jobs around that are parts of
 * their own: the Set-Cookie header (`cookie`), the lifetime arithmetic (`lifetime`), the watch for
 * unsaved changes (`unsaved`) and the debug log (lib/lifecycle-log.ts).
 */
export abstract class Driver implements SessionDriver {
  readonly config: Config
  readonly cookie: CookieHeader
  readonly lifetime: Lifetime
  readonly #unsaved = new UnsavedWatch()

  constructor (config: Config) {
    this.config = config
    this.cookie = new CookieHeader(config)
    this.lifetime = new Lifetime(config)
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
    const idle = this.idle(state, json)
    if (idle && state.clearCookie) this.cookie.clear(state)
    return idle
  }

  /** `nothingToWrite` without clearing anything: what `session.changed` asks. */
  idle (state: SessionState, json: string): boolean {
    return state.unsaved
      ? json === '{}' && !this.config.saveUninitialized
      : !(state.rewrite || state.refresh || state.renew || json !== state.loadedJson)
  }

  /**
   * A failed (5xx) response: nothing left unsaved is written. What already took effect is not undone:
   * the record that `destroy()` or `regenerate()` deleted stays deleted, so its cookie, dead now, is
   * cleared rather than left in the browser; a cookie a `save()` set stays on the response.
   */
  abandon (state: SessionState): void {
    if (state.clearCookie) this.cookie.clear(state)
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
    // The shared data was what the store held before this write: no longer the baseline.
    state.pristine = undefined
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

  checkOverrides (overrides: CookieOverrides): void {
    this.cookie.checkOverrides(overrides)
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
    this.#unsaved.watch(state)
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
    state.pristine = undefined
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
    if (this.lifetime.renewalDue(state.idIssuedAt, now)) state.renew = true
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

  /** Logs a lifecycle event at debug level (lib/lifecycle-log.ts: the id only as a keyed hash). */
  log (state: SessionState, event: LifecycleEvent, id?: string, reason?: RejectReason): void {
    logLifecycle(state.request.log, this.config.keyring, event, id, reason)
  }
}
