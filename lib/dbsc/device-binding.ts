import type { FastifyReply, FastifyRequest } from 'fastify'
import { CookieWriter, readCookie } from '../cookie.js'
import { DbscInvalidProofError, DbscUnboundError, InvalidOptionError, StoreUnavailableError } from '../errors.js'
import type { Config } from '../options.js'
import { safeError } from '../safe-error.js'
import { stateOf, type Session, type SessionState } from '../session.js'
import type { ServerDriver } from '../stores/server-driver.js'
import type { SessionStore } from '../stores/types.js'
import { Bindings } from './bindings.js'
import { readSkipped, serializeString, SKIPPED_HEADER } from './headers.js'
import type { DbscConfig } from './options.js'
import { ProofError, verifyProof, type Proof, type VerifyOptions } from './proof.js'

/**
 * Seconds after a registration during which a request without any bound cookie still counts: the
 * browser sends the page that follows the login while it registers, and that request left before the
 * bound cookie existed (Chromium 156 does exactly this). An expired or foreign bound cookie gets no grace.
 */
export const REGISTRATION_GRACE_MS = 10_000

/** What one request learnt about its session's binding, so that it is looked up at most once. */
interface Checked {
  sid: string
  /** The request may act as the session: bound cookie valid, or no binding. */
  ok: boolean
  /** The session has a binding. */
  bound: boolean
  reason: 'missing' | 'expired' | 'invalid'
}

/**
 * @internal Device-bound sessions for one registration of the plugin: the bound-cookie check, the
 * registration offer, and what the two DBSC endpoints share.
 */
export class DeviceBinding {
  readonly config: DbscConfig
  readonly bindings: Bindings
  readonly driver: ServerDriver
  readonly sessionName: string
  readonly writer: CookieWriter
  /** The endpoints' full paths (with the scope's prefix), set when the routes are added. */
  registrationUrl: string
  refreshUrl: string
  readonly #checked = new WeakMap<SessionState, Checked>()

  constructor (config: Config, dbsc: DbscConfig, driver: ServerDriver) {
    this.config = dbsc
    this.bindings = new Bindings(config.store as SessionStore, config.keyring, dbsc)
    this.driver = driver
    this.sessionName = config.sessionName
    this.writer = new CookieWriter(dbsc.cookieName, config.cookie)
    this.registrationUrl = dbsc.registrationPath
    this.refreshUrl = dbsc.refreshPath
  }

  /** Runs a store operation; a failure is logged and becomes a 503, never a downgrade to unbound. */
  async storeCall<T> (request: FastifyRequest, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      request.log.error({ err: safeError(err) }, 'fastify-session-kit: the session store failed during a device-bound session check')
      throw new StoreUnavailableError()
    }
  }

  /** Verifies a proof, turning a refusal into `FST_SESSION_DBSC_INVALID_PROOF` with its reason. */
  verify (token: string | undefined, options: Omit<VerifyOptions, 'algorithms'>): Proof {
    if (token === undefined) throw new DbscInvalidProofError('missing')
    try {
      return verifyProof(token, { ...options, algorithms: this.config.algorithms })
    } catch (err) {
      throw new DbscInvalidProofError((err as ProofError).reason)
    }
  }

  /** Whether the request may act as its session, looking the binding up only without a valid bound cookie. */
  async check (state: SessionState): Promise<Checked | undefined> {
    if (state.unsaved) return undefined
    const sid = state.id
    const known = this.#checked.get(state)
    if (known !== undefined && known.sid === sid) return known
    const cookie = readCookie(state.request.headers.cookie, this.config.cookieName)
    const status = this.bindings.checkCookie(sid, cookie, Date.now())
    let checked: Checked
    if (status === 'ok') {
      checked = { sid, ok: true, bound: true, reason: 'missing' }
    } else {
      const binding = await this.storeCall(state.request, async () => await this.bindings.find(sid))
      const racing = binding !== undefined && status === 'missing' && Date.now() - binding.boundAt < REGISTRATION_GRACE_MS
      checked = { sid, ok: binding === undefined || racing, bound: binding !== undefined, reason: status }
    }
    this.#checked.set(state, checked)
    return checked
  }

  /** Records that the session is bound and its request carries a fresh bound cookie (just registered or refreshed). */
  markBound (state: SessionState): void {
    this.#checked.set(state, { sid: state.id, ok: true, bound: true, reason: 'missing' })
  }

  /**
   * Refuses a request of a bound session that has no valid bound cookie: 303 to `redirectTo` for a
   * browser asking for HTML (`html`, the caller's reading of Accept), otherwise 401
   * `FST_SESSION_DBSC_UNBOUND`. Resolves to whether the request was answered (the redirect). The
   * session cookie is cleared on that response (the browser lost its binding, or this is a copy on
   * another device), except when the browser says it skipped the refresh: it is still bound and
   * refreshes once the server is back.
   */
  async require (request: FastifyRequest, reply: FastifyReply, session: Session<object>, redirectTo: string | undefined, html: boolean): Promise<boolean> {
    const state = stateOf(session)
    const checked = await this.check(state)
    if (checked === undefined || checked.ok) return false
    const skipped = readSkipped(request.headers[SKIPPED_HEADER]).some((s) => s.sessionId !== undefined && this.bindings.isIdentifier(checked.sid, s.sessionId))
    if (!skipped) {
      this.driver.forget(state)
      state.clearCookie = true
    }
    this.driver.log(state, 'rejected', undefined, 'revoked')
    reply.header('cache-control', 'no-store')
    if (redirectTo !== undefined && html) {
      // Not the reply itself: it is a thenable, and awaiting it would wait for the response instead.
      reply.redirect(redirectTo, 303)
      return true
    }
    throw new DbscUnboundError(skipped ? 'refresh-skipped' : checked.reason)
  }

  /** Sets a fresh bound cookie for the session on the reply. */
  sendCookie (request: FastifyRequest, reply: FastifyReply, sid: string, now: number): void {
    const value = this.bindings.cookieValue(sid, now + this.config.cookieTtlMs)
    reply.header('set-cookie', this.writer.set(value, this.config.cookieTtlMs / 1000, request.protocol === 'https', undefined))
  }

  /** A new refresh challenge in `Secure-Session-Challenge`, for the browser's next proof. */
  async sendChallenge (request: FastifyRequest, reply: FastifyReply, sid: string, identifier: string, now: number): Promise<void> {
    const challenge = await this.storeCall(request, async () => await this.bindings.issue(sid, 'refresh', now))
    reply.header('secure-session-challenge', `${serializeString(challenge)};id=${serializeString(identifier)}`)
  }

  /** The session instructions of a registration or refresh response (the spec's JSON). */
  instructions (request: FastifyRequest, identifier: string): Record<string, unknown> {
    // The attributes the browser checks the bound cookie against: ours, without name, value and Max-Age.
    const attributes = this.writer.set('', 0, request.protocol === 'https', undefined).split('; ').slice(2).join('; ')
    return {
      session_identifier: identifier,
      refresh_url: this.refreshUrl,
      scope: { origin: `${request.protocol}://${request.host}`, include_site: false, scope_specification: [] },
      credentials: [{ type: 'cookie', name: this.config.cookieName, attributes }]
    }
  }

  /**
   * After the session was persisted: a response that sets the session cookie of a logged-in session
   * that is not bound yet offers the browser a binding (`Secure-Session-Registration`). Only then, so
   * a browser without DBSC costs one challenge write per cookie refresh, not one per request. A failure
   * here only skips the offer.
   */
  async offer (request: FastifyRequest, reply: FastifyReply, session: Session<object>): Promise<void> {
    const state = stateOf(session)
    if (state.unsaved || state.setCookie === undefined || this.driver.userOf(state.data) === undefined) return
    try {
      const checked = await this.check(state)
      if (checked?.bound === true) return
      const challenge = await this.bindings.issue(state.id, 'registration', Date.now())
      const algorithms = this.config.algorithms.join(' ')
      reply.header('secure-session-registration', `(${algorithms});path=${serializeString(this.registrationUrl)};challenge=${serializeString(challenge)}`)
    } catch (err) {
      request.log.warn({ err: safeError(err) }, 'fastify-session-kit: could not offer a device binding on this response')
    }
  }
}

/**
 * The device binding of a session, for `{ bound: true }` guards and `isDeviceBound` (`what` names the
 * asker in the error).
 *
 * @throws `FST_SESSION_INVALID_OPTION` when the session's registration has no `dbsc` option.
 */
export function deviceBindingOf (session: Session<object>, what: string): DeviceBinding {
  const driver = stateOf(session).driver as unknown as { deviceBinding?: DeviceBinding, config: Config }
  if (driver.deviceBinding === undefined) {
    throw new InvalidOptionError('dbsc', `${what} needs a device-bound session, and the session "${driver.config.sessionName}" has no "dbsc" option`)
  }
  return driver.deviceBinding
}
