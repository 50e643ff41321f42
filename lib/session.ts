import type { FastifyReply, FastifyRequest } from 'fastify'
import { makeProof, readProof, type AuthProof, type MarkAuthenticatedOptions } from './auth-proof.js'
import { assertOverrides, type CookieOverrides } from './cookie.js'
import { InvalidValueError } from './errors.js'
import { assertJsonValue } from './json-value.js'
import type { Encoded } from './stores/field-json.js'
import { jsonEqual, setKey, thawJson } from './shared-data.js'
import { kState } from './symbols.js'

export type { CookieOverrides } from './cookie.js'
export type { AuthProof, MarkAuthenticatedOptions } from './auth-proof.js'

/**
 * The shape of session data. Empty on purpose: extend it by declaration merging, and `get`/`set` are
 * typed from it.
 *
 * @example
 * ```ts
 * declare module 'fastify-session-kit' {
 *   interface SessionData { userId: string, role: 'admin' | 'user', cart: Array<{ id: number, qty: number }> }
 * }
 * ```
 */
export interface SessionData {}

/** A key of {@link SessionData}. */
export type SessionKey = keyof SessionData & string

/** @internal What a store driver needs of a session; not part of the public API. */
export interface SessionState {
  data: Record<string, unknown>
  /** '' until a new session needs an id. */
  id: string
  isNew: boolean
  createdAt: number
  lastSeenAt: number
  /** When the current id was issued (renewal counts from here). */
  idIssuedAt: number
  /** JSON of the data as loaded ('{}' for a new session): the baseline for change detection. */
  loadedJson: string
  /**
   * The data as loaded, deeply frozen and shared with other requests of the session (lib/shared-data.ts),
   * when the store keeps it that way (the cookie store's cache, MemoryStore): what `loadedJson` parses
   * to, until the next write. `data` starts as a shallow copy of it.
   */
  pristine: Readonly<Record<string, unknown>> | undefined
  /** Something may have changed the data (a set, a delete, or an object handed out that may be mutated). */
  maybeDirty: boolean
  /**
   * With maybeDirty, the keys that may have changed since the data was loaded or written (set,
   * deleted, or an object handed out), in no order and maybe repeated; undefined when any key may
   * have (`clear()`, `data()`, `regenerate()`). Stale while maybeDirty is false.
   */
  changedKeys: string[] | undefined
  /** How many changes were made (set, delete, clear, an object handed out): a write tells by it whether any came while it ran. */
  edits: number
  /**
   * The keys whose objects were handed out (`get`), or true for every key (`data()`): the handler may
   * change those objects at any time until the request ends, so they stay watched after each write.
   */
  handed: string[] | true | undefined
  /** Server stores: the store keys linked to the loaded record by a renewal (see SessionRecord.links). */
  links: string[] | undefined
  /** Server stores: the write in flight, which the next write waits for (writes of one session never overlap). */
  writing: Promise<void> | undefined
  /**
   * Server stores: each key's JSON as loaded or last written, what a write is diffed against without
   * parsing the loaded JSON again.
   */
  baseline: Encoded | undefined
  /** Refresh the idle lifetime on this response even when nothing changed (rolling, `touch()`). */
  refresh: boolean
  /** Write the whole session on this response (a key rotation re-seal, a new id). */
  rewrite: boolean
  /** The id is older than `renewAfter`: give the session a new id on this response, keeping its data. */
  renew: boolean
  destroyed: boolean
  /** A cookie came in that was not used; clear it unless a new one is set. */
  clearCookie: boolean
  overrides: CookieOverrides | undefined
  /** Server stores: the store key of the id as loaded. */
  storeKey: string | undefined
  /** Not yet written anywhere: a new, regenerated or destroyed session. */
  unsaved: boolean
  /**
   * The data (as JSON) whose write just failed, so that the error response does not try, and fail,
   * the same write again after a failed `save()`; changed data is tried again.
   */
  failedJson: string | undefined
  /** The Set-Cookie value this response carries for the session, so a later save replaces it. */
  setCookie: string | undefined
  /** Set once persisting began for this response, so an error response does not persist twice. */
  persisted: boolean
  /** The Set-Cookie value last copied onto the raw response by `save()` (for replies that skip onSend). */
  rawSetCookie: string | undefined
  /** A change was made, and the end of the response is watched for it going unsaved (hijacked replies). */
  watched: boolean
  /** The store driver that loads and persists this session. */
  readonly driver: SessionDriver
  readonly request: FastifyRequest
  readonly reply: FastifyReply
}

/** @internal The store-specific half of the session operations. */
export interface SessionDriver {
  /** The data key of the proof of identity (the plugin's `authKey` option). */
  readonly authKey: string
  newId (): string
  /** Checks per-request cookie overrides against the configured attributes and the name's prefix. */
  checkOverrides (overrides: CookieOverrides): void
  regenerate (state: SessionState): Promise<void>
  destroy (state: SessionState): Promise<void>
  save (state: SessionState): Promise<void>
  reload (state: SessionState, session: Session<object>): Promise<void>
  /** Watches the end of the response for a change that was never saved (a hijacked reply skips onSend). */
  watch (state: SessionState): void
  /** Whether the response would write nothing, were it sent now with the data's JSON `json`. */
  idle (state: SessionState, json: string): boolean
}

const hasOwn = Object.hasOwn

// The state of the session called last. A Session's methods run with the Proxy as `this` (see
// listDataKeys), and each read of `this[kState]` through it costs about 50 ns, as much as a method's
// own work; a handler's calls come one after another on one session (get, then set), so all but the
// first skip that read. A session's state never changes, so a hit is always right.
//
// The entry holds the state, and so its request and reply: it is emptied when the event loop turns
// (one setImmediate per turn at most, made on a miss, never on a hit), so it never keeps a finished
// request alive, whether or not its reply went through onSend. Calls in one turn (synchronous code
// and the promise continuations that follow it) are the ones it serves.
let lastSession: object | undefined
let lastState: SessionState | undefined
let emptying = false

function emptyCache (): void {
  lastSession = undefined
  lastState = undefined
  emptying = false
}

/** @internal The state of `session` (a Session or its Proxy), through a one-entry cache. */
export function stateOf (session: Session<object>): SessionState {
  if (session === lastSession) return lastState as SessionState
  lastSession = session
  lastState = session[kState]
  if (!emptying) {
    emptying = true
    setImmediate(emptyCache)
  }
  return lastState
}

/**
 * @internal The data's JSON as a write would store it now: the JSON it was loaded with when nothing
 * could have changed it, or when it still equals the frozen data it was loaded as.
 */
export function currentJson (state: SessionState): string {
  if (!state.maybeDirty) return state.loadedJson
  const pristine = state.pristine
  return pristine !== undefined && jsonEqual(state.data, pristine) ? state.loadedJson : JSON.stringify(state.data)
}

/** How many changed keys a request lists before it counts every key as changed. */
const MAX_LISTED = 32

/**
 * `key` may change (set, deleted, or its object handed out). Keys are listed only for a session with a
 * per-key baseline to reuse (a server store's, once loaded or written); the cookie store serialises
 * the whole session anyway.
 */
function mayChange (state: SessionState, key: string): void {
  state.edits++
  if (!state.maybeDirty) {
    state.maybeDirty = true
    state.changedKeys = state.baseline === undefined ? undefined : [key]
  } else if (state.changedKeys !== undefined && state.changedKeys[state.changedKeys.length - 1] !== key) {
    // Consecutive repeats (a get() in a loop) are kept once; past MAX_LISTED, any key may have changed
    // (a list that only grows would cost memory and a slower lookup per key at the write).
    if (state.changedKeys.length === MAX_LISTED) state.changedKeys = undefined
    else state.changedKeys.push(key)
  }
}

/** Any key may change. */
function mayChangeAll (state: SessionState): void {
  state.edits++
  state.maybeDirty = true
  state.changedKeys = undefined
}

/** The object under `key` was handed out: it may change until the request ends, after any write. */
function handOut (state: SessionState, key: string): void {
  mayChange(state, key)
  const handed = state.handed
  if (handed === undefined) state.handed = [key]
  else if (handed !== true && !handed.includes(key)) {
    if (handed.length === MAX_LISTED) state.handed = true
    else handed.push(key)
  }
}

/** A change was made: have the end of the response checked for it going unsaved, once per request. */
function watchEnd (state: SessionState): void {
  if (!state.watched) state.driver.watch(state)
}

/**
 * The session of one request, as `request.session`. Data must be JSON-serialisable; it is written
 * when the response is sent, and only when it changed.
 *
 * @typeParam T - the shape of the data: {@link SessionData} by default; a second session registered
 * with `sessionName` can have its own (`request.adminSession: Session<AdminData>`).
 */
export class Session<T extends object = SessionData> {
  /** @internal */
  readonly [kState]: SessionState

  /** @internal Made by the plugin's onRequest hook. */
  constructor (driver: SessionDriver, request: FastifyRequest, reply: FastifyReply, now: number) {
    this[kState] = {
      driver,
      data: {},
      id: '',
      isNew: true,
      createdAt: now,
      lastSeenAt: now,
      idIssuedAt: now,
      loadedJson: '{}',
      pristine: undefined,
      maybeDirty: false,
      changedKeys: undefined,
      edits: 0,
      handed: undefined,
      links: undefined,
      writing: undefined,
      baseline: undefined,
      refresh: false,
      rewrite: false,
      renew: false,
      destroyed: false,
      clearCookie: false,
      overrides: undefined,
      storeKey: undefined,
      unsaved: true,
      failedJson: undefined,
      setCookie: undefined,
      persisted: false,
      rawSetCookie: undefined,
      watched: false,
      request,
      reply
    }
  }

  /**
   * The value stored under `key`, or `undefined`.
   *
   * @example
   * ```ts
   * const cart = request.session.get('cart') ?? []
   * ```
   */
  get<K extends keyof T & string> (key: K): T[K] | undefined {
    const state = stateOf(this)
    const data = state.data
    if (!hasOwn(data, key)) return undefined
    let value = data[key]
    if (typeof value === 'object' && value !== null) {
      // Shared with other requests: this request gets a copy of its own (see lib/shared-data.ts).
      if (Object.isFrozen(value)) setKey(data, key, value = thawJson(value))
      // An object handed out can be mutated in place, before or after a save(); such a change must still be saved.
      handOut(state, key)
    }
    return value as T[K]
  }

  /**
   * Stores a JSON-serialisable value; `undefined` deletes the key.
   *
   * @throws `FST_SESSION_INVALID_VALUE` for a value JSON cannot represent faithfully.
   * @example
   * ```ts
   * request.session.set('theme', 'dark')
   * ```
   */
  set<K extends keyof T & string> (key: K, value: T[K] | undefined): void {
    if (value === undefined) {
      this.delete(key)
      return
    }
    if ((key as string) === '__proto__') throw new InvalidValueError(key, 'the key "__proto__" is reserved')
    assertJsonValue(key, value)
    const state = stateOf(this)
    state.data[key] = value
    mayChange(state, key)
    watchEnd(state)
  }

  /** Whether `key` holds a value. */
  has (key: keyof T & string): boolean {
    return hasOwn(stateOf(this).data, key)
  }

  /** Deletes `key`; returns whether it existed. */
  delete (key: keyof T & string): boolean {
    const state = stateOf(this)
    if (!hasOwn(state.data, key)) return false
    delete state.data[key]
    mayChange(state, key)
    watchEnd(state)
    return true
  }

  /** Deletes every key (the session and its id stay; see `destroy()` to end it). */
  clear (): void {
    const state = stateOf(this)
    state.data = {}
    state.handed = undefined
    mayChangeAll(state)
    watchEnd(state)
  }

  /** A shallow copy of all data. */
  data (): Partial<T> {
    const state = stateOf(this)
    mayChangeAll(state)
    // A shallow copy shares its objects with the session: every key stays watched.
    state.handed = true
    const data = state.data
    for (const key of Object.keys(data)) {
      const value = data[key]
      if (typeof value === 'object' && value !== null && Object.isFrozen(value)) setKey(data, key, thawJson(value))
    }
    return { ...data } as Partial<T>
  }

  /**
   * The session id. Server stores: the bearer id in the cookie (never log it). Cookie store: a random
   * id inside the sealed cookie, for the `validate` hook's deny-lists.
   */
  get id (): string {
    const state = stateOf(this)
    if (state.id === '') state.id = state.driver.newId()
    return state.id
  }

  /** True when no usable session cookie came in (or the session was regenerated or destroyed). */
  get isNew (): boolean {
    return stateOf(this).isNew
  }

  /**
   * True when this response will write the session, as things stand: changed data, a refresh or a
   * new id due, a re-seal under the current secret, a new session with data (or any new session with
   * `saveUninitialized`), a destroy.
   */
  get changed (): boolean {
    const state = stateOf(this)
    if (state.destroyed) return true
    return !state.driver.idle(state, currentJson(state))
  }

  /**
   * Gives the session a new id and destroys the old one in the store: call it on login and on every
   * privilege change, so an id planted before login is worthless after it (session fixation).
   *
   * @param keep - nothing keeps no data; `true` keeps all data; a list keeps those keys.
   * @throws `FST_SESSION_STORE_UNAVAILABLE` when a server store fails to delete the old record.
   * @example
   * ```ts
   * await request.session.regenerate()
   * request.session.set('userId', user.id)
   * ```
   */
  async regenerate (keep?: ReadonlyArray<keyof T & string> | true): Promise<void> {
    const state = stateOf(this)
    await state.driver.regenerate(state)
    // Chosen after the old record is gone: a change made while it was being deleted is kept too.
    const old = state.data
    let data: Record<string, unknown> = {}
    if (keep === true) {
      data = old
    } else if (keep !== undefined) {
      for (const key of keep) if (hasOwn(old, key)) data[key] = old[key]
    }
    state.data = data
    mayChangeAll(state)
    watchEnd(state)
  }

  /**
   * Ends the session: deletes its record, clears the cookie (same Path and Domain, Max-Age=0) and
   * empties the data. Data set afterwards starts a new session with a new id.
   *
   * @throws `FST_SESSION_STORE_UNAVAILABLE` when a server store fails to delete the record.
   */
  async destroy (): Promise<void> {
    const state = stateOf(this)
    await state.driver.destroy(state)
    state.data = {}
    state.maybeDirty = false
    state.handed = undefined
    watchEnd(state)
  }

  /**
   * Records that the user just proved who they are, and how (a password, a passkey, a one-time code):
   * `requireRecentAuth` guards read it. Call it on login and on every re-authentication. It is kept in
   * the session data (under the plugin's `authKey` option), so a renewal, a key rotation and
   * `regenerate(true)` keep it; `regenerate()` without data, `clear()` and `destroy()` drop it.
   *
   * @throws `FST_SESSION_INVALID_AUTH_METHOD` when `method` is not a token of 1 to 64 printable ASCII characters.
   * @example
   * ```ts
   * await request.session.regenerate()
   * request.session.set('userId', user.id)
   * request.session.markAuthenticated({ method: 'password' })
   * ```
   */
  markAuthenticated (options: MarkAuthenticatedOptions): void {
    const state = stateOf(this)
    const key = state.driver.authKey
    state.data[key] = makeProof(options, Date.now())
    mayChange(state, key)
    watchEnd(state)
  }

  /**
   * When and how the user last proved who they are (`markAuthenticated()`), or undefined when the
   * session holds no such record (or a malformed one).
   */
  lastAuthenticated (): AuthProof | undefined {
    const state = stateOf(this)
    const key = state.driver.authKey
    return hasOwn(state.data, key) ? readProof(state.data[key]) : undefined
  }

  /** Extends the idle lifetime on this response without changing data. */
  touch (): void {
    stateOf(this).refresh = true
  }

  /**
   * Persists now instead of when the response is sent (before streaming a long response, say).
   * Changes made afterwards are persisted when the response is sent.
   *
   * A response with a status of 500 or more persists nothing by itself: the handler failed midway,
   * and a half-applied login or cart must not stick. What `save()` wrote before the failure stays (and
   * its cookie is sent); changes made after it are dropped. 4xx responses persist as usual (a flash
   * message on a validation error survives). `destroy()` and `regenerate()` take effect in the store
   * when awaited: a later 5xx does not bring the old session back, and its cookie is cleared.
   *
   * @throws `FST_SESSION_COOKIE_TOO_LARGE`, `FST_SESSION_TOO_LARGE` or `FST_SESSION_STORE_UNAVAILABLE`.
   */
  async save (): Promise<void> {
    const state = stateOf(this)
    await state.driver.save(state)
  }

  /**
   * Re-reads the session from where it is stored, dropping changes not yet saved: a long-lived
   * WebSocket calls it to notice a logout or `app.session.revokeUser()` made elsewhere. A session that
   * is gone, expired or refused by the `validate` hook becomes anonymous and empty. The cookie store
   * keeps the session in the cookie the request came with, which cannot change during a request: its
   * reload goes back to that copy (or to the last `save()`) and applies the lifetimes and `validate`
   * again, so revocation through `validate` is noticed there too.
   *
   * @throws `FST_SESSION_STORE_UNAVAILABLE` when a server store fails to answer (the session is
   * anonymous then, unless `onStoreError` is `'anonymous'`, which only makes it anonymous).
   * @example
   * ```ts
   * socket.on('message', async () => {
   *   await request.session.reload()
   *   if (request.session.get('userId') === undefined) socket.close(4401, 'logged out')
   * })
   * ```
   */
  async reload (): Promise<void> {
    const state = stateOf(this)
    await state.driver.reload(state, this)
  }

  /**
   * Cookie attributes for this response only (a `Partitioned` or `Domain` change, say); the cookie
   * is re-sent with them.
   *
   * @throws `FST_SESSION_INVALID_OPTION` for an attribute of the wrong type or value,
   * `FST_SESSION_SAMESITE_NONE_INSECURE` for SameSite=None without Secure, and
   * `FST_SESSION_INVALID_COOKIE_PREFIX` for attributes a `__Host-`/`__Secure-` name forbids.
   * @example
   * ```ts
   * request.session.options({ sameSite: 'strict' })
   * ```
   */
  options (cookieOptions: CookieOverrides): void {
    assertOverrides(cookieOptions)
    const state = stateOf(this)
    const merged = { ...state.overrides, ...cookieOptions }
    state.driver.checkOverrides(merged)
    state.overrides = merged
    state.refresh = true
  }
}

/**
 * @internal `Object.keys(request.session)` lists the session's data keys, as plugins written for
 * @fastify/secure-session expect (@fastify/passport's `keepSessionInfo` builds its list of keys to keep
 * that way). Only the key listing is trapped: reads, calls and writes go straight to the Session, and
 * a property read of a data key still finds nothing, so serialising the session (a logger, JSON) never
 * shows its data.
 */
export const listDataKeys: ProxyHandler<Session<object>> = {
  ownKeys (target) {
    return [...Reflect.ownKeys(target), ...Object.keys(target[kState].data)]
  },
  getOwnPropertyDescriptor (target, key) {
    if (typeof key === 'string' && hasOwn(target[kState].data, key)) {
      return { value: undefined, writable: false, enumerable: true, configurable: true }
    }
    return Reflect.getOwnPropertyDescriptor(target, key)
  }
}
