import { isDeepStrictEqual } from 'node:util'
import { Driver } from '../driver.js'
import { CookieUnsendableError, SessionTooLargeError, StoreUnavailableError } from '../errors.js'
import type { Config } from '../options.js'
import { isIdShape } from '../session-id.js'
import type { Session, SessionState } from '../session.js'
import { safeError } from '../safe-error.js'
import { encodeFields, kSharedGet, ParsedRecord, type Encoded } from './field-json.js'
import { StoreKeys } from './store-keys.js'
import type { SessionPatch, SessionRecord, SessionStore } from './types.js'

// The most records one logout follows through renewal links: a chain longer than this would need a
// renewal every few seconds for minutes, and each linked record expires with its grace anyway.
const MAX_LINKED = 16
// The most links one record keeps (the newest): older grace copies have expired long before.
const MAX_LINKS = 4

/** What a write did: wrote, found the session gone, or found its id renewed by another request ('moved'). */
type Outcome = 'written' | 'gone' | 'moved'

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
  /** The current secret's store keys of ids found in the store lately (lib/stores/store-keys.ts). */
  readonly storeKeys = new StoreKeys()

  constructor (config: Config, store: SessionStore) {
    super(config)
    this.store = store
    config.keyring.onWipe(() => this.storeKeys.clear())
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
    const known = this.storeKeys.get(raw)
    let key = ''
    let record: SessionRecord | undefined
    let i = 0
    try {
      // After a secret rotation, records written under an older secret's hash are found here and
      // moved to the current hash when the response is persisted (rewrite, below).
      for (; i < keyring.keys.length && record === undefined; i++) {
        key = i === 0 && known !== undefined ? known : keyring.storeKey(raw, keyring.keys[i])
        record = await this.#get(key)
      }
      // A move to the current secret's hash writes the new record before it deletes the old one: a
      // read that missed the new key and then found the old one already gone ran across such a move,
      // and finds the session under the current key now. (A miss costs one more read only while
      // several secrets are configured.)
      if (record === undefined && i > 1) {
        key = keyring.storeKey(raw)
        record = await this.#get(key)
        i = 1
      }
    } catch (err) {
      return this.#loadFailed(state, err)
    }
    if (record === undefined) return this.reject(state, 'unknown-id')
    if (!isRecord(record)) return this.reject(state, 'invalid-record')
    const now = Date.now()
    const expired = this.lifetime.expiry(record.createdAt, record.lastSeenAt, now)
    if (expired !== undefined) {
      this.expire(state, raw, expired)
      // The store's own TTL normally gets there first; this covers stores whose TTL is coarse.
      await this.store.destroy(key).catch(() => {})
      return
    }
    if (i === 1 && known === undefined) this.storeKeys.add(raw, key)
    state.id = raw
    state.storeKey = key
    state.isNew = false
    state.unsaved = false
    state.createdAt = record.createdAt
    state.lastSeenAt = record.lastSeenAt
    state.data = record.data
    state.idIssuedAt = record.renewedAt ?? record.createdAt
    state.links = record.links
    const parsed = ParsedRecord.fieldsOf(record)
    const baseline = parsed ?? encodeFields(record.data)
    state.baseline = baseline
    state.loadedJson = baseline.json
    state.pristine = ParsedRecord.pristineOf(record, parsed)
    // Found under an older secret: move it now, even on a read-only request, so the old secret can
    // be dropped once every active session has been seen once.
    if (i > 1) state.rewrite = true
    if (now - record.lastSeenAt >= this.config.refreshMs) state.refresh = true
    this.checkRenewal(state, now)
  }

  /** A read for a load: the store's shared read where it has one (MemoryStore: see lib/shared-data.ts). */
  #get (key: string): Promise<SessionRecord | undefined> {
    const store = this.store as SessionStore & { [kSharedGet]?: (key: string) => Promise<SessionRecord | undefined> }
    const shared = store[kSharedGet]
    return shared === undefined ? store.get(key) : shared.call(store, key)
  }

  #loadFailed (state: SessionState, err: unknown): void {
    state.request.log.error({ err: safeError(err) }, 'fastify-session-kit: the session store failed to load a session')
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
      await this.#endAll(state, key)
    } catch (err) {
      state.request.log.error({ err: safeError(err) }, 'fastify-session-kit: the session store failed to destroy a session')
      throw new StoreUnavailableError()
    }
    state.storeKey = undefined
  }

  /**
   * Ends the record under `key` and every record of the same session: those a renewal linked to it
   * (read from each record as it is deleted, so a renewal running in another request right now is
   * found too) and, after a secret rotation, the id's record under every other secret (a rotation
   * move in another request may have just written it).
   */
  async #endAll (state: SessionState, key: string): Promise<void> {
    const keys = new Set([key, ...(state.links ?? []).slice(0, MAX_LINKED - 1)])
    const keyring = this.config.keyring
    if (keyring.keys.length > 1) for (const k of keyring.keys) keys.add(keyring.storeKey(state.id, k))
    for (const k of keys) {
      const links = await this.#take(k)
      for (const link of links ?? []) if (keys.size < MAX_LINKED) keys.add(link)
    }
  }

  /**
   * `save()` where no cookie can be sent: the browser keeps the id it has, so the record is written
   * under that id. A renewal that is due waits for the next HTTP response. A session the browser has
   * no id for, or one whose lifetime ran out while the socket was open (it becomes anonymous), cannot
   * be saved.
   */
  async saveInPlace (state: SessionState, where: string): Promise<void> {
    const expired = state.unsaved ? undefined : this.lifetime.expiry(state.createdAt, state.lastSeenAt, Date.now())
    if (expired !== undefined) {
      const id = state.id
      this.forget(state)
      this.expire(state, id, expired)
    }
    if (state.unsaved) throw new CookieUnsendableError('save', where, 'a new session only exists once the browser has its id')
    state.renew = false
    await this.persist(state, false)
  }

  /**
   * Reads the session again into a copy of the state and puts what it read in place in one step, so
   * that no one sees the session empty while the store answers. Changes made before the reload are
   * dropped; changes made while it ran are kept, over what it read.
   */
  async reload (state: SessionState, session: Session): Promise<void> {
    const id = state.unsaved ? undefined : state.id
    state.maybeDirty = false
    state.handed = undefined
    const read: SessionState = { ...state }
    this.forget(read)
    try {
      if (id !== undefined) await this.load(read, id)
    } catch (err) {
      this.forget(state)
      throw err
    }
    const current = state.data
    const during = state.maybeDirty ? state.changedKeys ?? true : undefined
    Object.assign(state, {
      data: read.data,
      id: read.id,
      isNew: read.isNew,
      unsaved: read.unsaved,
      createdAt: read.createdAt,
      lastSeenAt: read.lastSeenAt,
      idIssuedAt: read.idIssuedAt,
      loadedJson: read.loadedJson,
      pristine: read.pristine,
      baseline: read.baseline,
      storeKey: read.storeKey,
      links: read.links,
      refresh: read.refresh,
      rewrite: read.rewrite,
      renew: read.renew,
      destroyed: false,
      clearCookie: state.clearCookie || read.clearCookie,
      failedJson: undefined
    })
    if (during === true) {
      state.data = current
    } else if (during !== undefined) {
      for (const key of during) {
        if (Object.hasOwn(current, key)) state.data[key] = current[key]
        else delete state.data[key]
      }
    }
    state.maybeDirty = during !== undefined
    state.changedKeys = during === true ? undefined : during
    await this.revalidate(state, session)
  }

  /**
   * Writes what changed; `sendable: false` (a WebSocket) never sends a cookie. The writes of one
   * session run one at a time: a `save()` still running when the next write starts (another `save()`,
   * or the response's own) finishes first, so the store applies them in order and each is diffed
   * against what the one before it left.
   */
  persist (state: SessionState, sendable = true): Promise<void> | undefined {
    const before = state.writing
    // Not async, and a settled write is left in `writing` rather than cleared by a wrapper awaiting
    // it: a request with nothing to write returns at once, one that writes returns the write itself
    // (the async wrapper and its extra promise per request were part of the MemoryStore's read+write
    // cost). A later write of the same request waits on the settled one: one microtask turn.
    let run: Promise<void> | undefined
    if (before === undefined) {
      run = this.#persist(state, sendable)
    } else {
      const next = (): Promise<void> | undefined => this.#persist(state, sendable)
      run = before.then(next, next) as Promise<void>
    }
    if (run !== undefined) state.writing = run
    return run
  }

  /** Nothing (returned at once) when there is nothing to write; the write otherwise. */
  #persist (state: SessionState, sendable: boolean): Promise<void> | undefined {
    const edits = state.edits
    const after = state.maybeDirty ? this.#encode(state) : undefined
    const json = after === undefined ? state.loadedJson : after.json
    if (json === state.failedJson || this.nothingToWrite(state, json)) return
    const bytes = Buffer.byteLength(json)
    if (bytes > this.config.maxDataBytes) {
      state.failedJson = json
      throw new SessionTooLargeError(bytes, this.config.maxDataBytes)
    }
    return this.#commit(state, sendable, edits, after, json)
  }

  async #commit (state: SessionState, sendable: boolean, edits: number, after: Encoded | undefined, json: string): Promise<void> {
    const now = Date.now()
    const renewed = state.renew
    // The cookie holds only the id, so the browser needs it again only for a new id, new attributes,
    // a rotation move, or a refresh of its Max-Age. Any other write (changed data, same id, no refresh
    // due) sends no Set-Cookie and leaves lastSeenAt where the last cookie put it: the idle lifetime
    // moves once per refresh interval, with the browser's copy, whatever the requests in between do.
    const cookie = sendable && (state.unsaved || state.rewrite || renewed || state.overrides !== undefined ||
      state.refresh || now - state.lastSeenAt >= this.config.refreshMs)
    // A socket's touch() extends the session on the server; the browser's Max-Age follows on its next
    // HTTP response.
    const extend = cookie || state.refresh
    const seenAt = extend ? now : state.lastSeenAt
    const loaded = { id: state.id, idIssuedAt: state.idIssuedAt }
    const id = this.writeId(state, now)
    // The key loaded with the session is the current secret's hash of this id unless a rotation move
    // or a new id is due: reuse it rather than hash again (a keyed BLAKE2b per write).
    const key = state.storeKey !== undefined && !state.rewrite && !renewed ? state.storeKey : this.config.keyring.storeKey(id)
    const ttlMs = extend
      ? this.lifetime.remainingMs(state.createdAt, now)
      : Math.min(this.config.ttlMs - (now - seenAt), this.config.absoluteTtlMs - (now - state.createdAt))
    const changed = after !== undefined && json !== state.loadedJson ? after : undefined
    let outcome: Outcome
    try {
      outcome = await this.#write(state, key, changed, ttlMs, seenAt, renewed)
    } catch (err) {
      state.request.log.error({ err: safeError(err) }, 'fastify-session-kit: the session store failed to save a session')
      if (this.config.onStoreError === 'fail') {
        state.failedJson = json
        throw new StoreUnavailableError()
      }
      return
    }
    if (outcome === 'gone') return this.#ended(state, sendable)
    if (outcome === 'moved') {
      // Another request renewed this id first: this one keeps the old id (its copy forwards writes to
      // the new record), and sends no cookie, which would replace the new id in the browser.
      state.id = loaded.id
      state.idIssuedAt = loaded.idIssuedAt
    } else {
      if (cookie) this.cookie.send(state, id, ttlMs)
      // A new id (or one moved to the current secret): its next request finds the key here.
      if (key !== state.storeKey) this.storeKeys.add(id, key)
      state.storeKey = key
    }
    // What the store holds now: the next write is diffed against it.
    state.baseline = after ?? state.baseline ?? encodeFields(state.data)
    this.written(state, json, seenAt, edits)
  }

  /**
   * The session ended elsewhere (logout in another tab, `revokeUser`, expiry) while this request ran:
   * nothing of it is written back, the request goes on with an anonymous session, and the browser's
   * cookie is cleared.
   */
  #ended (state: SessionState, sendable: boolean): void {
    const id = state.id
    this.forget(state)
    this.expire(state, id, 'ended')
    if (sendable) this.cookie.clear(state)
  }

  /**
   * The data's JSON for a write. Only the keys the request set, deleted or was handed (objects) are
   * serialised again; the others keep their JSON from the baseline, which no code could have changed.
   */
  #encode (state: SessionState): Encoded {
    const changed = state.changedKeys
    const baseline = changed === undefined || state.unsaved ? undefined : state.baseline
    return baseline === undefined ? encodeFields(state.data) : encodeFields(state.data, baseline.fields, changed, state.pristine)
  }

  #record (state: SessionState, now: number): SessionRecord {
    const record: SessionRecord = { data: state.data, createdAt: state.createdAt, lastSeenAt: now }
    const user = this.userOf(state.data)
    if (user !== undefined) record.user = user
    if (state.idIssuedAt !== state.createdAt) record.renewedAt = state.idIssuedAt
    if (state.links !== undefined) record.links = state.links
    return record
  }

  /**
   * Writes the session under `key`; `now` is the lastSeenAt to record (the last cookie's time when none
   * is sent). Only a brand-new id is written unconditionally; every other write lands only on a
   * session that still exists, checked atomically with the write by the store: 'gone' when it did not.
   */
  async #write (
    state: SessionState, key: string, changed: Encoded | undefined, ttlMs: number, now: number, renewed: boolean
  ): Promise<Outcome> {
    const store = this.store
    const previousKey = state.storeKey
    // A new id: no one else has it, so there is nothing to check.
    if (state.unsaved || previousKey === undefined) {
      await store.set(key, this.#record(state, now), ttlMs)
      return 'written'
    }
    if (key !== previousKey) return await this.#move(state, previousKey, key, changed, ttlMs, now, renewed)
    let done: boolean | string | void
    if (changed !== undefined && store.patch !== undefined) {
      // #patch, inlined on the path of every changed request.
      const patch = this.#diff(state, changed, now)
      done = await store.patch(key, patch, ttlMs)
      if (typeof done === 'string') await store.patch(done, { ...patch, forwarded: true }, ttlMs)
    } else if (changed !== undefined || store.touch === undefined) done = await this.#replace(key, this.#record(state, now), ttlMs)
    else done = await store.touch(key, ttlMs, now)
    return done === false ? 'gone' : 'written'
  }

  /**
   * Moves the session from the key it was loaded under to a new one: a renewal (a new id) or a
   * key-rotation move (the same id under the current secret). Each step is conditional on the old
   * record still existing, and the last step looks again, so that a logout or revocation that ends the
   * old record at any point in between ends the new one too: the new id is not in any browser yet, so
   * it never authenticates in that window.
   */
  async #move (
    state: SessionState, from: string, to: string, changed: Encoded | undefined, ttlMs: number, now: number, renewed: boolean
  ): Promise<Outcome> {
    const store = this.store
    const record = this.#record(state, now)
    // First the old record says where the session is going (movedTo), only if it still exists and no
    // other request has started a move of it: one mover at a time, and a logout that takes the old
    // record from here on follows movedTo to the new one.
    // A renewal: the previous id keeps working for renewGrace, so requests already in flight with it
    // do not fail. Its copy's absolute lifetime ends with the grace (so no write through the old id
    // can extend it), it counts as just renewed (so those requests do not renew it again), and it is
    // linked to the new record (so ending either ends both).
    const grace = Math.min(this.config.renewGraceMs, ttlMs)
    const links = [...(state.links ?? []), to].slice(-MAX_LINKS)
    const marked = renewed
      ? { ...record, createdAt: now + grace - this.config.absoluteTtlMs, renewedAt: now, links, movedTo: to }
      : { ...record, movedTo: to }
    const replaced = await this.#replace(from, marked, renewed ? grace : ttlMs)
    if (replaced === false) return 'gone'
    if (typeof replaced === 'string') {
      // Another request moved it since this one loaded it: this request's changes go through the old
      // record, which forwards them, leaving times, lifetimes and the id to the move.
      if (changed !== undefined && store.patch !== undefined) {
        await this.#patch(from, { ...this.#diff(state, changed, now), forwarded: true }, ttlMs)
      }
      return 'moved'
    }
    await store.set(to, { ...record, links: renewed ? [from] : record.links ?? [] }, ttlMs)
    // Then look again: a logout or revocation that took the old record before the new one existed
    // could not end it, so it is ended here. (The new id is in no browser yet: it never authenticated.)
    const copy = renewed ? await store.get(from) : undefined
    const still = renewed ? copy !== undefined : await this.#take(from) !== undefined
    if (still) {
      if (renewed) {
        state.links = [from]
        await this.#catchUp(to, copy as SessionRecord, changed ?? state.baseline as Encoded, ttlMs)
      }
      return 'written'
    }
    await this.#endAll(state, to)
    return 'gone'
  }

  /**
   * A renewal's last look at the old id's copy brings over what a request in flight with the old cookie
   * patched into it after this move marked it and before the new record existed: that request's
   * forward found no record to patch then (a re-authentication overlapping a renewal lost its proof).
   * The copy held exactly what this request wrote (`written`) when it was marked, so every difference
   * is such a patch. Only stores with `patch` forward, so only they need it.
   */
  async #catchUp (to: string, copy: SessionRecord, written: Encoded, ttlMs: number): Promise<void> {
    if (this.store.patch === undefined) return
    const now = ParsedRecord.fieldsOf(copy) ?? encodeFields(copy.data)
    const changes: SessionPatch = { set: {}, unset: [], lastSeenAt: copy.lastSeenAt, forwarded: true }
    let differs = false
    for (const [k, json] of now.fields) {
      const before = written.fields.get(k)
      // PostgreSQL's jsonb gives objects back with their keys in its own order: equal values, other JSON.
      if (before !== json && (before === undefined || !isDeepStrictEqual(JSON.parse(before), copy.data[k]))) {
        changes.set[k] = copy.data[k]
        differs = true
      }
    }
    for (const k of written.fields.keys()) {
      if (!now.fields.has(k)) { changes.unset.push(k); differs = true }
    }
    if (!differs) return
    const userKey = this.config.userKey
    if (now.fields.get(userKey) !== written.fields.get(userKey)) changes.user = this.userOf(copy.data) ?? null
    await this.store.patch(to, changes, ttlMs)
  }

  /**
   * A patch, and where it landed on a renewal's grace copy (a request still in flight with the old
   * cookie), the same patch on the record the session moved to, so that the change is not lost with
   * the copy.
   */
  async #patch (key: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    const store = this.store as Required<Pick<SessionStore, 'patch'>>
    const result = await store.patch(key, patch, ttlMs)
    if (typeof result === 'string') await store.patch(result, { ...patch, forwarded: true }, ttlMs)
    return result !== false
  }

  /** `store.replace`, or where the store has none, a read and then a write (not atomic: see docs/concurrency.md). */
  async #replace (key: string, record: SessionRecord, ttlMs: number): Promise<boolean | string> {
    const store = this.store
    if (store.replace !== undefined) return await store.replace(key, record, ttlMs)
    const current = await store.get(key)
    if (current === undefined) return false
    if (current.movedTo !== undefined) return current.movedTo
    await store.set(key, record, ttlMs)
    return true
  }

  /** `store.take`, or where the store has none, a read and then a delete. */
  async #take (key: string): Promise<string[] | undefined> {
    const store = this.store
    if (store.take !== undefined) return await store.take(key)
    const record = await store.get(key)
    await store.destroy(key)
    return record === undefined ? undefined : record.links ?? []
  }

  /**
   * The keys one request changed, compared by their JSON so that nested changes count. `after` is the
   * live data: the store copies what it is given, so no defensive parse of it is needed.
   */
  #diff (state: SessionState, after: Encoded, lastSeenAt: number): SessionPatch {
    const data = state.data
    // Set at load and at every write; a diff only runs for a session loaded or written (not unsaved),
    // and reset() clears it, so it is there and is what the store holds.
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
