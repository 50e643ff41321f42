/**
 * What a server store keeps for one session. The plugin copies records in and out; a store may keep
 * them in any form as long as `get` returns an equal record.
 */
export interface SessionRecord {
  /** The session's data: JSON-serialisable, keyed by session key. */
  data: Record<string, unknown>
  /** Milliseconds since the epoch when the session began; the absolute lifetime counts from here. */
  createdAt: number
  /** Milliseconds since the epoch of the last refresh of the idle lifetime. */
  lastSeenAt: number
  /** `String(data[userKey])` when that is set: the per-user index files the session under it. */
  user?: string
  /** Milliseconds since the epoch when the session last got a new id by `renewAfter`, if it did. */
  renewedAt?: number
  /**
   * The store keys of the same session under its other ids while a renewal's grace lasts (the old id's
   * copy lists the new key, the new record the old key), so that ending the session through any of
   * them ends all. Stores keep it as they keep `user`; absent or empty when there are none.
   */
  links?: string[]
  /**
   * On a renewal's grace copy (the old id's record): the store key of the record the session moved to.
   * A patch through the old id is applied there too, so a request still in flight with the old cookie
   * loses no change. Stores keep it as they keep `links`, and `patch` resolves to it.
   */
  movedTo?: string
}

/** The changes of one request to an existing session, for stores that write only what changed. */
export interface SessionPatch {
  /** Keys set or changed by the request, with their new values. */
  set: Record<string, unknown>
  /** Keys the request deleted. */
  unset: string[]
  /** The new last-seen time (ms). */
  lastSeenAt: number
  /** Present when the session's user changed: the new user, or `null` when it no longer has one. */
  user?: string | null
  /**
   * A patch forwarded from a grace copy to the record the session moved to: apply `set`, `unset` and
   * `user` only, leaving the last-seen time and the expiry as they are (`lastSeenAt` and `ttlMs` are
   * then to be ignored).
   */
  forwarded?: true
}

/** One session of a user, as `listUserSessions` reports it: times only, never an id. */
export interface SessionSummary {
  /** Milliseconds since the epoch when the session began. */
  createdAt: number
  /** Milliseconds since the epoch of the session's last refresh. */
  lastSeenAt: number
  /** With the `dbsc` option: whether the session is bound to a device. */
  bound?: boolean
}

/**
 * The contract of a server store. Keys are keyed hashes of session ids (the store never sees an id).
 * `ttlMs` is the time until the record must disappear: the idle or the absolute lifetime, whichever
 * ends first.
 *
 * @example
 * ```ts
 * const store: SessionStore = {
 *   async get (key) { return rows.get(key) },
 *   async set (key, record, ttlMs) { rows.set(key, structuredClone(record)) },
 *   async destroy (key) { rows.delete(key) }
 * }
 * ```
 */
export interface SessionStore {
  /** The record under `key`, or `undefined` when there is none (or it expired). */
  get (key: string): Promise<SessionRecord | undefined>
  /** Writes the whole record, replacing what was there, to expire after `ttlMs`. */
  set (key: string, record: SessionRecord, ttlMs: number): Promise<void>
  /** Deletes the record; deleting a missing record is not an error. */
  destroy (key: string): Promise<void>
  /**
   * Refreshes the TTL and the last-seen time without rewriting data. A missing key stays missing:
   * touch never creates a record. Resolves to `false` when there was no record (anything else counts
   * as done). Without it the plugin refreshes with `replace`.
   */
  touch? (key: string, ttlMs: number, lastSeenAt: number): Promise<boolean | void>
  /**
   * Applies one request's changes atomically, leaving other keys as they are, so that concurrent
   * requests changing different keys do not erase each other's writes (the same key: the last write
   * wins). A missing key stays missing: a session destroyed or expired while the request ran must
   * not come back. Resolves to `false` when there was no record, and to the record's `movedTo` when it
   * has one (the plugin forwards the patch there). Without it the plugin writes whole records with
   * `replace`.
   */
  patch? (key: string, changes: SessionPatch, ttlMs: number): Promise<boolean | string | void>
  /**
   * Writes the whole record only if `key` holds a live record that has not moved (no `movedTo`),
   * atomically with that check. Resolves to true when it wrote, false when there is no live record,
   * and to the record's `movedTo` when another request renewed it first. A renewal writes through it,
   * so that a session ended meanwhile (logout, `revokeUser`, expiry) is never brought back and two
   * requests never renew one id twice. Without it the plugin reads, then writes with `set`: a session
   * ended between the two can come back (see docs/concurrency.md).
   */
  replace? (key: string, record: SessionRecord, ttlMs: number): Promise<boolean | string>
  /**
   * Deletes the record and resolves to its `links` (`[]` when it has none), or `undefined` when there
   * was no live record, reading and deleting atomically: a logout then also ends the ids a renewal
   * linked to the session, even while that renewal runs. Without it the plugin reads, then destroys.
   */
  take? (key: string): Promise<string[] | undefined>
  /**
   * Every live session of `user` (per-user index): the sessions whose record's `user` is `user`,
   * following `set` and `patch` as a session's user changes. Implement both index methods or neither.
   */
  listUserSessions? (user: string): Promise<SessionSummary[]>
  /**
   * Destroys every session of `user`; resolves to how many there were (per-user index). A session
   * that no longer belongs to `user` is left alone.
   */
  revokeUser? (user: string): Promise<number>
}
