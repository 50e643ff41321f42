import { InvalidOptionError } from '../errors.js'
import type { SessionRecord, SessionStore } from './types.js'

/** What a connect store calls back with (express-session's `Store` callbacks). */
export type ConnectCallback = (err?: unknown, value?: unknown) => void

/**
 * An express-session / connect store (connect-redis, connect-mongo, connect-pg-simple, express-session's
 * MemoryStore, ...): the callback methods fromConnectStore uses.
 */
export interface ConnectStoreLike {
  get (sid: string, callback: ConnectCallback): unknown
  set (sid: string, session: ConnectSession, callback: ConnectCallback): unknown
  destroy (sid: string, callback: ConnectCallback): unknown
}

/**
 * The object handed to a connect store: the record's fields plus the `cookie` that connect stores
 * read their TTL from (`cookie.expires`, `cookie.originalMaxAge`).
 */
export interface ConnectSession {
  cookie: { originalMaxAge: number, expires: Date }
  data: Record<string, unknown>
  createdAt: number
  lastSeenAt: number
  user?: string
  renewedAt?: number
  links?: string[]
}

function call (fn: (callback: ConnectCallback) => unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    try {
      fn((err, value) => {
        if (err !== undefined && err !== null) reject(err instanceof Error ? err : new Error('the connect store failed'))
        else resolve(value)
      })
    } catch (err) {
      reject(err)
    }
  })
}

function isTime (value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value)
}

/**
 * A stored session back into a record; `undefined` for anything else (the store held something we
 * did not write, or a damaged copy), so the request gets a fresh session. `cookie.expires` is
 * checked here too: many connect stores expire in whole seconds, the plugin's lifetimes are in ms.
 */
function toRecord (value: unknown, now: number): SessionRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const v = value as Partial<Record<keyof ConnectSession, unknown>>
  const data = v.data
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined
  if (!isTime(v.createdAt) || !isTime(v.lastSeenAt)) return undefined
  if (v.user !== undefined && typeof v.user !== 'string') return undefined
  if (v.renewedAt !== undefined && !isTime(v.renewedAt)) return undefined
  if (v.links !== undefined && !(Array.isArray(v.links) && v.links.every((l) => typeof l === 'string'))) return undefined
  const cookie = v.cookie as { expires?: unknown } | undefined
  const expires = typeof cookie === 'object' && cookie !== null ? cookie.expires : undefined
  if (typeof expires !== 'string' && !(expires instanceof Date)) return undefined
  const expiresAt = new Date(expires).getTime()
  if (!(expiresAt > now)) return undefined
  // Copied out: a store that keeps objects in memory must not hand the caller its own copy.
  const record: SessionRecord = {
    data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
    createdAt: v.createdAt,
    lastSeenAt: v.lastSeenAt
  }
  if (v.user !== undefined) record.user = v.user
  if (v.renewedAt !== undefined) record.renewedAt = v.renewedAt
  if (v.links !== undefined) record.links = [...v.links as string[]]
  return record
}

/**
 * Turns any express-session / connect store into a {@link SessionStore}, so the many existing
 * stores (connect-redis, connect-mongo, connect-pg-simple, ...) work with the plugin. The store sees
 * keyed hashes of ids, never ids; each record goes in as an object with a `cookie` whose `expires`
 * and `originalMaxAge` give the store its TTL.
 *
 * Connect stores write whole sessions, so the adapter has no `patch` (two requests changing the same
 * session at once: the last one's whole record wins) and no per-user index. Nor can it check and write
 * in one step: a renewal reads the old record, then writes (see docs/concurrency.md for what that
 * leaves open). It has no `touch` either:
 * a connect store's touch only extends the backend's TTL, while the server-enforced idle timeout
 * needs the record's last-seen time moved, so a refresh rewrites the record.
 *
 * @throws `FST_SESSION_INVALID_OPTION` when `store` lacks get, set or destroy.
 * @example
 * ```ts
 * import { RedisStore as ConnectRedisStore } from 'connect-redis'
 * await app.register(fastifySession, { secret, store: fromConnectStore(new ConnectRedisStore({ client })) })
 * ```
 */
export function fromConnectStore (store: ConnectStoreLike): SessionStore {
  for (const method of ['get', 'set', 'destroy'] as const) {
    if (typeof (store as Partial<ConnectStoreLike> | null)?.[method] !== 'function') {
      throw new InvalidOptionError('store', `a connect store needs a ${method}() method`)
    }
  }
  return {
    async get (key) {
      return toRecord(await call((cb) => store.get(key, cb)), Date.now())
    },
    async set (key, record, ttlMs) {
      const session: ConnectSession = {
        cookie: { originalMaxAge: ttlMs, expires: new Date(Date.now() + ttlMs) },
        // Copied in: a store that keeps the object as given must not share it with the caller.
        data: JSON.parse(JSON.stringify(record.data)) as Record<string, unknown>,
        createdAt: record.createdAt,
        lastSeenAt: record.lastSeenAt
      }
      if (record.user !== undefined) session.user = record.user
      if (record.renewedAt !== undefined) session.renewedAt = record.renewedAt
      if (record.links !== undefined && record.links.length > 0) session.links = [...record.links]
      await call((cb) => store.set(key, session, cb))
    },
    async destroy (key) {
      await call((cb) => store.destroy(key, cb))
    }
  }
}
