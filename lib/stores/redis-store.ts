import { createHash } from 'node:crypto'
import { InvalidOptionError } from '../errors.js'
import { escapeString as encode, unescapeString as decode } from './string-escape.js'
import type { SessionPatch, SessionRecord, SessionStore, SessionSummary } from './types.js'

/**
 * The commands RedisStore sends, as ioredis (and iovalkey, its fork) declare them: a `Redis` or a
 * `Cluster` instance fits. Typed by shape so that the client library stays the application's choice
 * and never becomes a dependency of this package.
 */
export interface RedisClientLike {
  evalsha (sha1: string, numkeys: number, ...args: string[]): Promise<unknown>
  eval (script: string, numkeys: number, ...args: string[]): Promise<unknown>
  hgetall (key: string): Promise<Record<string, string>>
  hmget (key: string, ...fields: string[]): Promise<Array<string | null>>
  smembers (key: string): Promise<string[]>
  srem (key: string, ...members: string[]): Promise<number>
  del (...keys: string[]): Promise<number>
}

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /**
   * An ioredis or iovalkey client, single node or Cluster, made and closed by the application. For
   * fail-closed outages create it with `enableOfflineQueue: false` and `maxRetriesPerRequest: 0` (or a
   * `commandTimeout`), so a command fails at once instead of waiting for Redis to come back.
   */
  client: RedisClientLike
  /** Prepended to every key this store writes. @default 'sess:' */
  prefix?: string
}

// Data fields carry this prefix, so no session key can collide with the metadata fields
// (createdAt, lastSeenAt, user, renewedAt), which never start with it.
const DATA = 'd:'

// Lua scripts, each on ONE key: everything of a session lives in one hash, so every step is atomic
// on a single node and on a Cluster alike (a multi-key script would cross hash slots there).
// HSET/HDEL go in chunks because Lua's unpack() is limited by the C stack (a few thousand values).
const HELPERS = `
local function chunked(cmd, key, list)
  for i = 1, #list, 512 do
    redis.call(cmd, key, unpack(list, i, math.min(i + 511, #list)))
  end
end
`

// KEYS[1] session; ARGV[1] ttl ms; ARGV[2..] field, value pairs. A new record replaces the old whole.
// HSET comes first and the old fields go after it, rather than DEL then HSET: Redis checks maxmemory
// only on a script's first write, and a DEL first would let a full Redis (noeviction) take new
// sessions past its limit.
const SET = `${HELPERS}
local fields = {}
local keep = {}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
for i = 2, #ARGV, 2 do keep[ARGV[i]] = true end
local old = redis.call('HKEYS', KEYS[1])
chunked('HSET', KEYS[1], fields)
local gone = {}
for _, field in ipairs(old) do
  if not keep[field] then gone[#gone + 1] = field end
end
if #gone > 0 then chunked('HDEL', KEYS[1], gone) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`

// KEYS[1] session; ARGV: ttl ms, lastSeenAt, user ('' unchanged, '-' none, '=name' set), number of
// pairs, the field/value pairs, then the fields to delete. Returns {previous user, user} ('' = none),
// or 0 when the session is gone: a session destroyed or expired while the request ran stays gone.
const PATCH = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[4])
local fields = {'lastSeenAt', ARGV[2]}
for i = 5, 4 + 2 * n do fields[#fields + 1] = ARGV[i] end
local gone = {}
for i = 5 + 2 * n, #ARGV do gone[#gone + 1] = ARGV[i] end
local previous = redis.call('HGET', KEYS[1], 'user') or ''
local user = previous
if ARGV[3] == '-' then
  gone[#gone + 1] = 'user'
  user = ''
elseif ARGV[3] ~= '' then
  user = string.sub(ARGV[3], 2)
  fields[#fields + 1] = 'user'
  fields[#fields + 1] = user
end
chunked('HSET', KEYS[1], fields)
if #gone > 0 then chunked('HDEL', KEYS[1], gone) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {previous, user}
`

// KEYS[1] session; ARGV[1] ttl ms, ARGV[2] lastSeenAt. HSET before PEXPIRE: a PEXPIRE that ends
// the key must not be followed by a write that recreates it without a TTL. Returns the user or nil.
const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return redis.call('HGET', KEYS[1], 'user')
`

// KEYS[1] a user's set; ARGV[1] ttl ms, ARGV[2] session key. The set lives at least as long as its
// longest-lived session (PTTL is -1 on a set that has no TTL yet, so that one gets it too). A session
// already out of time is not indexed: a PEXPIRE of 0 would delete the set with every other member.
const INDEX = `
if tonumber(ARGV[1]) <= 0 then return 0 end
redis.call('SADD', KEYS[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1
`

// KEYS[1] session; ARGV[1] user. Deletes the session only if it still belongs to that user: a stale
// index entry must never end a session that has since become someone else's.
const REVOKE = `
if redis.call('HGET', KEYS[1], 'user') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

interface Script {
  readonly source: string
  readonly sha: string
}

function script (source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

const SCRIPTS = {
  set: script(SET),
  patch: script(PATCH),
  touch: script(TOUCH),
  index: script(INDEX),
  revoke: script(REVOKE)
} as const

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
  if (hash.renewedAt !== undefined) {
    const renewedAt = parseTime(hash.renewedAt)
    if (renewedAt === undefined) return undefined
    record.renewedAt = renewedAt
  }
  return record
}

function isNoScript (err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT')
}

/**
 * Sessions in Redis or Valkey, through an ioredis-compatible client: for apps on several processes
 * or machines. One session is one Redis hash (one field per session key, plus its times), so a
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
 * ```
 */
export class RedisStore implements SessionStore {
  readonly #client: RedisClientLike
  readonly #prefix: string
  readonly #userPrefix: string

  /** @throws `FST_SESSION_INVALID_OPTION` for a missing client or a prefix that is not a string. */
  constructor (options: RedisStoreOptions) {
    const client = (options as Partial<RedisStoreOptions> | undefined)?.client
    if (typeof client !== 'object' || client === null ||
      typeof client.evalsha !== 'function' || typeof client.hgetall !== 'function') {
      throw new InvalidOptionError('client', 'must be an ioredis-compatible client (ioredis or iovalkey, Redis or Cluster)')
    }
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
    const ttl = Math.ceil(ttlMs)
    // Index first: a live session missing from its user's set would survive a revokeUser, while a
    // set member whose session never got written is only a stale entry, cleaned on the next read.
    const user = record.user === undefined ? undefined : encode(record.user)
    if (user !== undefined) await this.#index(user, key, ttl)
    const args = [String(ttl), 'createdAt', String(record.createdAt), 'lastSeenAt', String(record.lastSeenAt)]
    if (user !== undefined) args.push('user', user)
    if (record.renewedAt !== undefined) args.push('renewedAt', String(record.renewedAt))
    for (const name of Object.keys(record.data)) args.push(DATA + encode(name), JSON.stringify(record.data[name]))
    await this.#run(SCRIPTS.set, this.#prefix + key, args)
  }

  async patch (key: string, changes: SessionPatch, ttlMs: number): Promise<void> {
    const ttl = Math.ceil(ttlMs)
    const names = Object.keys(changes.set)
    const newUser = typeof changes.user === 'string' ? encode(changes.user) : undefined
    const user = changes.user === undefined ? '' : newUser === undefined ? '-' : `=${newUser}`
    if (newUser !== undefined) await this.#index(newUser, key, ttl)
    const args = [String(ttl), String(changes.lastSeenAt), user, String(names.length)]
    for (const name of names) args.push(DATA + encode(name), JSON.stringify(changes.set[name]))
    for (const name of changes.unset) args.push(DATA + encode(name))
    const result = await this.#run(SCRIPTS.patch, this.#prefix + key, args)
    if (!Array.isArray(result)) {
      if (newUser !== undefined) await this.#client.srem(this.#userPrefix + newUser, key)
      return
    }
    const [previous, current] = result as [string, string]
    if (previous !== '' && previous !== current) await this.#client.srem(this.#userPrefix + previous, key)
    // An unchanged user still gets its set's TTL extended along with the session's.
    if (current !== '' && changes.user === undefined) await this.#index(current, key, ttl)
  }

  async touch (key: string, ttlMs: number, lastSeenAt: number): Promise<void> {
    const ttl = Math.ceil(ttlMs)
    const user = await this.#run(SCRIPTS.touch, this.#prefix + key, [String(ttl), String(lastSeenAt)])
    if (typeof user === 'string') await this.#index(user, key, ttl)
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
      await this.#client.hmget(this.#prefix + key, 'createdAt', 'lastSeenAt', 'user')))
    const out: SessionSummary[] = []
    const stale: string[] = []
    for (let i = 0; i < keys.length; i++) {
      const [created, seen, owner] = rows[i] as Array<string | null>
      const createdAt = parseTime(created ?? undefined)
      const lastSeenAt = parseTime(seen ?? undefined)
      if (owner !== user || createdAt === undefined || lastSeenAt === undefined) stale.push(keys[i] as string)
      else out.push({ createdAt, lastSeenAt })
    }
    if (stale.length > 0) await this.#client.srem(setKey, ...stale)
    return out
  }

  async revokeUser (userId: string): Promise<number> {
    const user = encode(userId)
    const setKey = this.#userPrefix + user
    const keys = await this.#client.smembers(setKey)
    const ended = await Promise.all(keys.map(async (key) => await this.#run(SCRIPTS.revoke, this.#prefix + key, [user])))
    // Only the members seen are removed: a login that indexed itself meanwhile stays indexed.
    if (keys.length > 0) await this.#client.srem(setKey, ...keys)
    return ended.reduce<number>((n, deleted) => n + Number(deleted), 0)
  }

  /** `user` as stored: encoded. */
  async #index (user: string, key: string, ttl: number): Promise<void> {
    await this.#run(SCRIPTS.index, this.#userPrefix + user, [String(ttl), key])
  }

  async #run (s: Script, key: string, args: string[]): Promise<unknown> {
    try {
      return await this.#client.evalsha(s.sha, 1, key, ...args)
    } catch (err) {
      // The server's script cache is empty (a restart, SCRIPT FLUSH, a new cluster node): EVAL
      // sends the source once and caches it again.
      if (!isNoScript(err)) throw err
      return await this.#client.eval(s.source, 1, key, ...args)
    }
  }
}
