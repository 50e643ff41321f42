import { randomBytes, timingSafeEqual, type JsonWebKey } from 'node:crypto'
import type { Keyring, SealKey } from '../keyring.js'
import type { SessionRecord, SessionStore } from '../stores/types.js'
import type { DbscConfig } from './options.js'
import type { Algorithm } from './proof.js'

// A session's binding and its challenges live in the session's store, each as a record of its own
// under a key derived from the session id with a purpose of its own (a NUL can never appear in an
// id, so these inputs never hash like a session's). Session writes never touch them, so no
// concurrent write of the session can wipe a binding; only the existing store methods are used.

/**
 * The lastSeenAt of a binding record: no session has it, so the per-user list can tell a binding from
 * the session it belongs to (which has the same createdAt).
 */
export const BINDING_MARK = 0

/** What a binding holds: the device's public key and its algorithm. */
export interface Binding {
  alg: Algorithm
  jwk: JsonWebKey
  /** Milliseconds since the epoch when the device registered. */
  boundAt: number
}

/** What a challenge was issued for: a registration, or a refresh of a bound session. */
export type ChallengePurpose = 'registration' | 'refresh'

function isBinding (data: Record<string, unknown>): boolean {
  return (data.alg === 'ES256' || data.alg === 'RS256') && typeof data.jwk === 'object' && data.jwk !== null &&
    typeof data.boundAt === 'number'
}

/** @internal A session's binding, challenges and bound cookie, under keys derived from its id. */
export class Bindings {
  readonly store: SessionStore
  readonly keyring: Keyring
  readonly config: DbscConfig

  constructor (store: SessionStore, keyring: Keyring, config: DbscConfig) {
    this.store = store
    this.keyring = keyring
    this.config = config
  }

  #hash (purpose: string, input: string, key?: SealKey): string {
    return this.keyring.storeKey(`dbsc-${purpose}\0${input}`, key)
  }

  /**
   * The id the browser knows the DBSC session by: a keyed hash of the session id, never the id
   * itself (it travels in headers that proxies log).
   */
  identifier (sid: string, key?: SealKey): string {
    return this.#hash('identifier', sid, key).slice(0, 22)
  }

  /** Whether `given` is this session's identifier under any configured secret (rotation). */
  isIdentifier (sid: string, given: string): boolean {
    return this.keyring.keys.some((key) => this.identifier(sid, key) === given)
  }

  /** The session's binding, looked up under every secret (so a secret rotation cannot unbind it). */
  async find (sid: string): Promise<Binding | undefined> {
    for (const key of this.keyring.keys) {
      const record = await this.store.get(this.#hash('binding', sid, key))
      if (record !== undefined && isBinding(record.data)) return record.data as unknown as Binding
    }
    return undefined
  }

  /**
   * Stores the binding for as long as the session can live. `user` files it under the session's user,
   * so `revokeUser` ends it with the session.
   */
  async bind (sid: string, binding: Binding, user: string, createdAt: number, ttlMs: number): Promise<void> {
    const record: SessionRecord = { data: { ...binding }, createdAt, lastSeenAt: BINDING_MARK, user }
    await this.store.set(this.#hash('binding', sid), record, ttlMs)
  }

  /** Deletes the session's binding under every secret. */
  async end (sid: string): Promise<void> {
    for (const key of this.keyring.keys) await this.store.destroy(this.#hash('binding', sid, key))
  }

  // A challenge's record is filed under a user of its own (a keyed hash of session, purpose and
  // challenge): revokeUser deletes and counts atomically in every store (one script per key on Redis,
  // one DELETE on PostgreSQL), so of two requests consuming one challenge exactly one sees 1.
  #challengeUser (sid: string, purpose: ChallengePurpose, challenge: string): string {
    return `dbsc-challenge:${this.#hash(`challenge-${purpose}`, `${sid}\0${challenge}`)}`
  }

  /** A new single-use challenge for `sid`, valid for `challengeTtl`. */
  async issue (sid: string, purpose: ChallengePurpose, now: number): Promise<string> {
    const challenge = randomBytes(32).toString('base64url')
    const user = this.#challengeUser(sid, purpose, challenge)
    await this.store.set(user, { data: {}, createdAt: now, lastSeenAt: now, user }, this.config.challengeTtlMs)
    return challenge
  }

  /** Uses up a challenge: true once for a live one issued to `sid` for `purpose`, false otherwise. */
  async consume (sid: string, purpose: ChallengePurpose, challenge: string, now: number): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return false
    const user = this.#challengeUser(sid, purpose, challenge)
    const record = await this.store.get(user)
    // The store's TTL ends it too; this also bounds it on a store that sweeps lazily.
    if (record === undefined || now - record.createdAt >= this.config.challengeTtlMs) return false
    return await this.store.revokeUser?.(user) === 1
  }

  /** A bound cookie's value for `sid`, good until `expires` (ms): the time and a keyed hash over both. */
  cookieValue (sid: string, expires: number, key?: SealKey): string {
    const t = expires.toString(36)
    return `${t}.${this.#hash('cookie', `${sid}\0${t}`, key)}`
  }

  /** Whether `value` is a bound cookie this server made for `sid` that has not expired. */
  checkCookie (sid: string, value: string | undefined, now: number): 'ok' | 'missing' | 'expired' | 'invalid' {
    if (value === undefined) return 'missing'
    const dot = value.indexOf('.')
    const t = value.slice(0, dot)
    if (dot < 1 || !/^[0-9a-z]{1,11}$/.test(t)) return 'invalid'
    const given = Buffer.from(value)
    const valid = this.keyring.keys.some((key) => {
      const expected = Buffer.from(this.cookieValue(sid, parseInt(t, 36), key))
      return expected.length === given.length && timingSafeEqual(expected, given)
    })
    if (!valid) return 'invalid'
    return parseInt(t, 36) > now ? 'ok' : 'expired'
  }
}
