import { Driver } from '../driver.js'
import { CookieUnsendableError, SessionTooLargeError, StoreUnavailableError } from '../errors.js'
import type { Config } from '../options.js'
import { isIdShape } from '../session-id.js'
import type { Session, SessionState } from '../session.js'
import { encodeFields, takeHandedOver, type Encoded } from './field-json.js'
import type { SessionPatch, SessionRecord, SessionStore } from './types.js'

function isRecord (r: SessionRecord): boolean {
  return typeof r === 'object' && r !== null &&
    typeof r.data === 'object' && r.data !== null && !Array.isArray(r.data) &&
    Number.isSafeInteger(r.createdAt) && Number.isSafeInteger(r.lastSeenAt)
}

/**
 * @internal Loads and persists sessions kept in a server store. The cookie carries only the id; the
 * store only ever sees a keyed hash of it.
 */
export class ServerDriver extends Driver {
  readonly store: SessionStore
  constructor (config: Config, store: SessionStore) {
    super(config)
    this.store = store
  }

  /** The indexed user of some data: `String(data[userKey])` for a string or number, else none. */
  userOf (data: Record<string, unknown>): string | undefined {
    const user = Object.hasOwn(data, this.config.userKey) ? data[this.config.userKey] : undefined
    return typeof user === 'string' || typeof user === 'number' ? String(user) : undefined
  }

  async load (state: SessionState, raw: string): Promise<void> {
    // An id we did not make is never looked up, let alone adopted (no fixation with chosen ids).
    if (!isIdShape(raw)) return this.reject(state, 'malformed')
    const keyring = this.config.keyring
    let key = ''
    let record: SessionRecord | undefined
    let i = 0
    try {
      // After a secret rotation, records written under an older secret's hash are found here and
      // moved to the current hash when the response is persisted (rewrite, below).
      for (; i < keyring.keys.length && record === undefined; i++) {
        key = keyring.storeKey(raw, keyring.keys[i])
        record = await this.store.get(key)
      }
    } catch (err) {
      return this.#loadFailed(state, err)
    }
    if (record === undefined) return this.reject(state, 'unknown-id')
    if (!isRecord(record)) return this.reject(state, 'invalid-record')
    const now = Date.now()
    const expired = this.expiry(record.createdAt, record.lastSeenAt, now)
    if (expired !== undefined) {
      this.expire(state, raw, expired)
      // The store's own TTL normally gets there first; this covers stores whose TTL is coarse.
      await this.store.destroy(key).catch(() => {})
      return
    }
    state.id = raw
    state.storeKey = key
    state.isNew = false
    state.unsaved = false
    state.createdAt = record.createdAt
    state.lastSeenAt = record.lastSeenAt
    state.data = record.data
    state.idIssuedAt = record.renewedAt ?? record.createdAt
    const baseline = takeHandedOver(record.data) ?? encodeFields(record.data)
    state.baseline = baseline
    state.loadedJson = baseline.json
    // Found under an older secret: move it now, even on a read-only request, so the old secret can
    // be dropped once every active session has been seen once.
    if (i > 1) state.rewrite = true
    if (now - record.lastSeenAt >= this.config.refreshMs) state.refresh = true
    this.checkRenewal(state, now)
  }

  #loadFailed (state: SessionState, err: unknown): void {
    state.request.log.error({ err }, 'fastify-session-kit: the session store failed to load a session')
    // Fail closed by default: a store outage must not look like a logout to the user, nor let a
    // guarded route run without knowing who is calling.
    if (this.config.onStoreError === 'fail') throw new StoreUnavailableError()
  }

  async regenerate (state: SessionState): Promise<void> {
    this.assertSendable(state, 'regenerate', 'a new id only works once the browser has it')
    const hadSession = !state.unsaved
    await this.#destroyRecord(state)
    this.reset(state, Date.now())
    if (hadSession) state.clearCookie = true
    this.log(state, 'regenerated')
  }

  async destroy (state: SessionState): Promise<void> {
    const id = state.id
    await this.#destroyRecord(state)
    this.reset(state, Date.now())
    state.destroyed = true
    state.clearCookie = true
    this.log(state, 'destroyed', id)
  }

  async #destroyRecord (state: SessionState): Promise<void> {
    const key = state.storeKey
    if (key === undefined) return
    try {
      await this.store.destroy(key)
    } catch (err) {
      state.request.log.error({ err }, 'fastify-session-kit: the session store failed to destroy a session')
      throw new StoreUnavailableError()
    }
    state.storeKey = undefined
  }

  /**
   * `save()` where no cookie can be sent: the browser keeps the id it has, so the record is written
   * under that id, and its lastSeenAt stays with the browser's copy of the cookie. A renewal that is
   * due waits for the next HTTP response. A session the browser has no id for, or one whose lifetime
   * ran out while the socket was open (it becomes anonymous), cannot be saved.
   */
  async saveInPlace (state: SessionState, where: string): Promise<void> {
    const expired = state.unsaved ? undefined : this.expiry(state.createdAt, state.lastSeenAt, Date.now())
    if (expired !== undefined) {
      const id = state.id
      this.forget(state)
      this.expire(state, id, expired)
    }
    if (state.unsaved) throw new CookieUnsendableError('save', where, 'a new session only exists once the browser has its id')
    state.renew = false
    await this.persist(state, false)
  }

  async reload (state: SessionState, session: Session): Promise<void> {
    const id = state.unsaved ? undefined : state.id
    this.forget(state)
    if (id !== undefined) await this.load(state, id)
    await this.revalidate(state, session)
  }

  /** Writes what changed; `sendable: false` (a WebSocket) never sends a cookie. */
  async persist (state: SessionState, sendable = true): Promise<void> {
    const after = state.maybeDirty ? this.#encode(state) : undefined
    const json = after === undefined ? state.loadedJson : after.json
    if (json === state.failedJson || this.nothingToWrite(state, json)) return
    const bytes = Buffer.byteLength(json)
    if (bytes > this.config.maxDataBytes) {
      state.failedJson = json
      throw new SessionTooLargeError(bytes, this.config.maxDataBytes)
    }
    const now = Date.now()
    const renewed = state.renew
    // The cookie holds only the id, so the browser needs it again only for a new id, new attributes,
    // a rotation move, or a refresh of its Max-Age. Any other write (changed data, same id, no refresh
    // due) sends no Set-Cookie and leaves lastSeenAt where the last cookie put it: the idle lifetime
    // moves once per refresh interval, with the browser's copy, whatever the requests in between do.
    const cookie = sendable && (state.unsaved || state.rewrite || renewed || state.overrides !== undefined ||
      state.refresh || now - state.lastSeenAt >= this.config.refreshMs)
    const seenAt = cookie ? now : state.lastSeenAt
    const id = this.writeId(state, now)
    // The key loaded with the session is the current secret's hash of this id unless a rotation move
    // or a new id is due: reuse it rather than hash again (a keyed BLAKE2b per write).
    const key = state.storeKey !== undefined && !state.rewrite && !renewed ? state.storeKey : this.config.keyring.storeKey(id)
    const ttlMs = cookie
      ? this.remainingMs(state.createdAt, now)
      : Math.min(this.config.ttlMs - (now - seenAt), this.config.absoluteTtlMs - (now - state.createdAt))
    try {
      await this.#write(state, key, after !== undefined && json !== state.loadedJson ? after : undefined, ttlMs, seenAt, renewed)
    } catch (err) {
      state.request.log.error({ err }, 'fastify-session-kit: the session store failed to save a session')
      if (this.config.onStoreError === 'fail') {
        state.failedJson = json
        throw new StoreUnavailableError()
      }
      return
    }
    if (cookie) this.sendCookie(state, id, ttlMs)
    state.storeKey = key
    if (after !== undefined) state.baseline = after
    this.written(state, json, seenAt)
  }

  /**
   * The data's JSON for a write. Only the keys the request set, deleted or was handed (objects) are
   * serialised again; the others keep their JSON from the baseline, which no code could have changed.
   */
  #encode (state: SessionState): Encoded {
    const changed = state.changedKeys
    const baseline = changed === undefined || state.unsaved ? undefined : state.baseline
    return baseline === undefined ? encodeFields(state.data) : encodeFields(state.data, baseline.fields, changed)
  }

  #record (state: SessionState, now: number): SessionRecord {
    const record: SessionRecord = { data: state.data, createdAt: state.createdAt, lastSeenAt: now }
    const user = this.userOf(state.data)
    if (user !== undefined) record.user = user
    if (state.idIssuedAt !== state.createdAt) record.renewedAt = state.idIssuedAt
    return record
  }

  /** Writes the session under `key`; `now` is the lastSeenAt to record (the last cookie's time when none is sent). */
  async #write (
    state: SessionState, key: string, changed: Encoded | undefined, ttlMs: number, now: number, renewed: boolean
  ): Promise<void> {
    const store = this.store
    const previousKey = state.storeKey
    if (state.unsaved || state.rewrite || key !== previousKey) {
      const record = this.#record(state, now)
      await store.set(key, record, ttlMs)
      if (previousKey === undefined || previousKey === key) return
      // A renewed id: the previous one keeps working for renewGrace, so requests already in flight
      // with it do not fail. Its copy's absolute lifetime ends with the grace (so no write through the
      // old id can extend it) and it counts as just renewed (so those requests do not renew it again).
      // A key-rotation move (same id, new hash): the old entry simply goes.
      if (!renewed) return await store.destroy(previousKey)
      const grace = Math.min(this.config.renewGraceMs, ttlMs)
      const createdAt = now + grace - this.config.absoluteTtlMs
      await store.set(previousKey, { ...record, createdAt, renewedAt: now }, grace)
    } else if (changed !== undefined && store.patch !== undefined) {
      await store.patch(key, this.#diff(state, changed, now), ttlMs)
    } else if (changed !== undefined || store.touch === undefined) {
      await store.set(key, this.#record(state, now), ttlMs)
    } else {
      await store.touch(key, ttlMs, now)
    }
  }

  /**
   * The keys one request changed, compared by their JSON so that nested changes count. `after` is the
   * live data: the store copies what it is given, so no defensive parse of it is needed.
   */
  #diff (state: SessionState, after: Encoded, lastSeenAt: number): SessionPatch {
    const data = state.data
    // Set at load and at every write of changed data; a diff only runs for a session loaded or
    // written in this request (not unsaved), so the baseline is there and matches loadedJson.
    const before = (state.baseline as Encoded).fields
    const patch: SessionPatch = { set: {}, unset: [], lastSeenAt }
    for (const [k, json] of after.fields) if (before.get(k) !== json) patch.set[k] = data[k]
    for (const k of before.keys()) if (!after.fields.has(k)) patch.unset.push(k)
    const userKey = this.config.userKey
    if (before.get(userKey) !== after.fields.get(userKey)) {
      const userBefore = before.has(userKey) ? this.userOf({ [userKey]: JSON.parse(before.get(userKey) as string) }) : undefined
      const userAfter = this.userOf(data)
      if (userBefore !== userAfter) patch.user = userAfter ?? null
    }
    return patch
  }
}
