import { InvalidOptionError } from '../errors.js'
import { redisCommands, type NodeRedisClientLike, type RedisClientLike, type RedisCommands } from './redis-commands.js'
import { SCRIPTS, type Script } from './redis-scripts.js'
import { escapeString as encode, unescapeString as decode } from './string-escape.js'
import type { SessionPatch, SessionRecord, SessionStore, SessionSummary } from './types.js'

export type { NodeRedisClientLike, NodeRedisCommandsLike, NodeRedisEvalOptions, RedisClientLike } from './redis-commands.js'

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /**
   * The application's client, made, connected and closed by the application: ioredis or iovalkey
   * (`Redis`/`Valkey` or `Cluster`), or node-redis 5 or later (`createClient()` or `createCluster()`,
   * RESP2 or RESP3). For fail-closed outages make it fail at once while Redis is down instead of
   * queueing: ioredis `enableOfflineQueue: false` and `maxRetriesPerRequest: 0`; node-redis
   * `disableOfflineQueue: true`.
   */
  client: RedisClientLike | NodeRedisClientLike
  /** Prepended to every key this store writes. @default 'sess:' */
  prefix?: string
}

// Data fields carry this prefix, so no session key can collide with the metadata fields
// (createdAt, lastSeenAt, user, renewedAt), which never start with it.
const DATA = 'd:'
// What listUserSessions reads of each session.
const FIELDS = ['createdAt', 'lastSeenAt', 'user']

function parseTime (value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  return Number.isSafeInteger(n) && value !== '' ? n : undefined
}

/**
 * Turns a session hash back into a record; `undefined` for a missing or damaged one (a field that
 * is not JSON, a missing or non-numeric time): such a record cannot be trusted, so the request gets
 * a fresh session rather than an error.
 */
function parseRecord (hash: Record<string, string>): SessionRecord | undefined {
  const createdAt = parseTime(hash.createdAt)
  const lastSeenAt = parseTime(hash.lastSeenAt)
  if (createdAt === undefined || lastSeenAt === undefined) return undefined
  const data: Record<string, unknown> = {}
  const record: SessionRecord = { data, createdAt, lastSeenAt }
  try {
    for (const field of Object.keys(hash)) {
      if (!field.startsWith(DATA)) continue
      const name = decode(field.slice(DATA.length))
      const value: unknown = JSON.parse(hash[field] as string)
      // A plain assignment to "__proto__" would replace the prototype instead of adding a key.
      if (name === '__proto__') Object.defineProperty(data, name, { value, enumerable: true, writable: true, configurable: true })
      else data[name] = value
    }
    if (hash.user !== undefined) record.user = decode(hash.user)
  } catch {
    return undefined
  }
  if (hash.links !== undefined && hash.links !== '') record.links = hash.links.split(' ')
  if (hash.movedTo !== undefined) record.movedTo = hash.movedTo
  if (hash.renewedAt !== undefined) {
    const renewedAt = parseTime(hash.renewedAt)
    if (renewedAt === undefined) return undefined
    record.renewedAt = renewedAt
  }
  return record
}

/**
 * Sessions in Redis or Valkey, through the app's own client (ioredis, iovalkey or node-redis): for
 * apps on several processes or machines. One session is one Redis hash (one field per session key, plus its times), so a
 * request's changes are written as one atomic patch and concurrent requests changing different keys
 * never erase each other's writes; it works unchanged on Redis Cluster. Expiry is Redis' own
 * (PEXPIRE). Each user's sessions are indexed in a set, for `revokeUser` and `listUserSessions`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const client = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true })
 * await client.connect()
 * await app.register(fastifySession, { secret, store: new RedisStore({ client }) })
 *
 * // or node-redis:
 * import { createClient } from 'redis'
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 * client.on('error', (err) => app.log.warn(err))
 * await client.connect()
 * ```
 */
export class RedisStore implements SessionStore {
  readonly #client: RedisCommands
  readonly #prefix: string
  readonly #userPrefix: string

  /**
   * @throws `FST_SESSION_INVALID_OPTION` for a client of neither supported family (the message names
   * them) or a prefix that is not a string.
   */
  constructor (options: RedisStoreOptions) {
    const client = redisCommands((options as Partial<RedisStoreOptions> | undefined)?.client)
    const prefix = options.prefix ?? 'sess:'
    if (typeof prefix !== 'string') throw new InvalidOptionError('prefix', 'must be a string')
    this.#client = client
    this.#prefix = prefix
    this.#userPrefix = `${prefix}user:`
  }

  async get (key: string): Promise<SessionRecord | undefined> {
    return parseRecord(await this.#client.hgetall(this.#prefix + key))
  }

  async set (key: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await this.#write(SCRIPTS.set, key, record, ttlMs)
  }

  async replace (key: string, record: SessionRecord, ttlMs: number): Promise<boolean | string> {
    const result = await this.#write(SCRIPTS.replace, key, record, ttlMs)
    if (typeof result === 'string') return result
    const written = result === 1
    if (!written && record.user !== undefined) await this.#client.srem(this.#userPrefix + encode(record.user), [key])
    return written
  }

  async take (key: string): Promise<string[] | undefined> {
    const links = await this.#client.script(SCRIPTS.take, this.#prefix + key, [])
    if (typeof links !== 'string') return undefined
    return links.split(' ').filter((k) => k !== '')
  }

  async #write (script: Script, key: string, record: SessionRecord, ttlMs: number): Promise<unknown> {
    const ttl = Math.ceil(ttlMs)
    // Serialised before the first await: the record's data is the live session, which the request may
    // change while this write runs.
    const user = record.user === undefined ? undefined : encode(record.user)
    const args = [String(ttl), 'createdAt', String(record.createdAt), 'lastSeenAt', String(record.lastSeenAt)]
    if (user !== undefined) args.push('user', user)
    if (record.renewedAt !== undefined) args.push('renewedAt', String(record.renewedAt))
    if (record.links !== undefined && record.links.length > 0) args.push('links', record.links.join(' '))
    if (record.movedTo !== undefined) args.push('movedTo', record.movedTo)
    for (const name of Object.keys(record.data)) args.push(DATA + encode(name), JSON.stringify(record.data[name]))
    // Indexed before the write and again after it: a live session missing from its user's set would
    // survive a revokeUser (see #dropStale), while a member whose session never got written is only
    // a stale entry, dropped by the next listUserSessions or revokeUser.
    if (user !== undefined) await this.#index(user, key, ttl)
    const result = await this.#client.script(script, this.#prefix + key, args)
    if (user !== undefined && result === 1) await this.#index(user, key, ttl)
    return result
  }

  async patch (key: string, changes: SessionPatch, ttlMs: number): Promise<boolean | string> {
    const forwarded = changes.forwarded === true
    const ttl = Math.ceil(ttlMs)
    const names = Object.keys(changes.set)
    const newUser = typeof changes.user === 'string' ? encode(changes.user) : undefined
    const user = changes.user === undefined ? '' : newUser === undefined ? '-' : `=${newUser}`
    const args = [forwarded ? '' : String(ttl), String(changes.lastSeenAt), user, String(names.length)]
    for (const name of names) args.push(DATA + encode(name), JSON.stringify(changes.set[name]))
    for (const name of changes.unset) args.push(DATA + encode(name))
    if (newUser !== undefined) await this.#index(newUser, key, ttl)
    const result = await this.#client.script(SCRIPTS.patch, this.#prefix + key, args)
    if (!Array.isArray(result)) {
      if (newUser !== undefined) await this.#client.srem(this.#userPrefix + newUser, [key])
      return false
    }
    const [previous, current, movedTo] = result as [string, string, string]
    if (previous !== '' && previous !== current) await this.#client.srem(this.#userPrefix + previous, [key])
    // A new user is indexed again now that the session is theirs (as in #write); an unchanged one
    // still gets its set's TTL extended along with the session's.
    if (newUser !== undefined || (current !== '' && changes.user === undefined && !forwarded)) await this.#index(current, key, ttl)
    return movedTo === '' ? true : movedTo
  }

  async touch (key: string, ttlMs: number, lastSeenAt: number): Promise<boolean> {
    const ttl = Math.ceil(ttlMs)
    const user = await this.#client.script(SCRIPTS.touch, this.#prefix + key, [String(ttl), String(lastSeenAt)])
    if (typeof user !== 'string') return false
    if (user !== '') await this.#index(user, key, ttl)
    return true
  }

  async destroy (key: string): Promise<void> {
    // The user's set keeps a stale member until the next listUserSessions or revokeUser drops it:
    // finding the user first would cost a read on every logout.
    await this.#client.del(this.#prefix + key)
  }

  async listUserSessions (userId: string): Promise<SessionSummary[]> {
    const user = encode(userId)
    const setKey = this.#userPrefix + user
    const keys = await this.#client.smembers(setKey)
    const rows = await Promise.all(keys.map(async (key) =>
      await this.#client.hmget(this.#prefix + key, FIELDS)))
    const out: SessionSummary[] = []
    const stale: string[] = []
    for (let i = 0; i < keys.length; i++) {
      const [created, seen, owner] = rows[i] as Array<string | null>
      const createdAt = parseTime(created ?? undefined)
      const lastSeenAt = parseTime(seen ?? undefined)
      if (owner !== user || createdAt === undefined || lastSeenAt === undefined) stale.push(keys[i] as string)
      else out.push({ createdAt, lastSeenAt })
    }
    await this.#dropStale(user, stale)
    return out
  }

  async revokeUser (userId: string): Promise<number> {
    const user = encode(userId)
    const setKey = this.#userPrefix + user
    const keys = await this.#client.smembers(setKey)
    const ended = await Promise.all(keys.map(async (key) => await this.#client.script(SCRIPTS.revoke, this.#prefix + key, [user])))
    // Only the members seen are removed (a login that indexed itself meanwhile stays indexed), and a
    // session that became the user's since it was looked at goes back in.
    await this.#dropStale(user, keys)
    return ended.reduce<number>((n, deleted) => n + Number(deleted), 0)
  }

  /**
   * Drops members of `user`'s set whose session was not theirs when looked at (revoked, ended,
   * expired, never written, or someone else's). A write that gives a session to the user indexes it, writes it, then
   * indexes it again; between the look and the removal such a write may have landed. So each dropped
   * member is looked at once more after the removal, and put back if the session is now the user's:
   * whatever the order, a session of the user stays in the set (otherwise the next revokeUser would
   * miss it and it would go on authenticating).
   */
  async #dropStale (user: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return
    await this.#client.srem(this.#userPrefix + user, keys)
    await Promise.all(keys.map(async (key) => {
      const ttl = await this.#client.script(SCRIPTS.owned, this.#prefix + key, [user])
      if (Number(ttl) > 0) await this.#index(user, key, Number(ttl))
    }))
  }

  /** `user` as stored: encoded. */
  async #index (user: string, key: string, ttl: number): Promise<void> {
    await this.#client.script(SCRIPTS.index, this.#userPrefix + user, [String(ttl), key])
  }
}
