import { positiveInteger } from '../option-checks.js'
import { freezeJson, setKey, thawJson } from '../shared-data.js'
import { encodeFields, joinFields, keepsOrder, kSharedGet, ParsedRecord } from './field-json.js'
import type { SessionPatch, SessionRecord, SessionStore, SessionSummary } from './types.js'

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** The most sessions kept; past it the least recently used is evicted. @default 100000 */
  maxSessions?: number
  /** How often expired sessions are swept out, in milliseconds. @default 60000 */
  sweepIntervalMs?: number
}

interface Entry {
  /**
   * The data as JSON, one text per key, flat (key, JSON, key, JSON, ...: a Map of its own would cost
   * every session about 100 bytes more): a patch re-encodes only the keys it changes, and a read hands
   * the driver its baseline without serialising anything.
   */
  fields: readonly string[]
  /**
   * The same data parsed and deeply frozen: what the plugin's reads share instead of parsing the JSON
   * for each request (lib/shared-data.ts). Replaced, never changed, by a write.
   */
  data: Readonly<Record<string, unknown>>
  /** Whether every key keeps its place when the joined fields are parsed (see keepsOrder). */
  ordered: boolean
  createdAt: number
  lastSeenAt: number
  expiresAt: number
  user: string | undefined
  renewedAt: number | undefined
  links: string[] | undefined
  movedTo: string | undefined
}

function ordered (fields: ReadonlyMap<string, string>): boolean {
  for (const key of fields.keys()) if (!keepsOrder(key)) return false
  return true
}

function flat (fields: ReadonlyMap<string, string>): string[] {
  // Sized up front: an array grown by push keeps spare room, which would cost every session.
  const out = new Array<string>(2 * fields.size)
  let i = 0
  for (const [key, json] of fields) {
    out[i++] = key
    out[i++] = json
  }
  return out
}

function unflat (fields: readonly string[]): Map<string, string> {
  const out = new Map<string, string>()
  for (let i = 0; i < fields.length; i += 2) out.set(fields[i] as string, fields[i + 1] as string)
  return out
}

/**
 * Sessions in this process's memory: for one process (a single server, tests, development). Bounded
 * by `maxSessions` (least recently used evicted first), expired on read and swept on a timer that
 * does not keep the process alive. Sessions are lost on restart and not shared between processes:
 * use RedisStore for more than one.
 *
 * @example
 * ```ts
 * await app.register(fastifySession, { secret, store: new MemoryStore({ maxSessions: 10_000 }) })
 * ```
 */
export class MemoryStore implements SessionStore {
  readonly #entries = new Map<string, Entry>()
  readonly #byUser = new Map<string, Set<string>>()
  readonly #max: number
  readonly #timer: NodeJS.Timeout

  /** @throws `FST_SESSION_INVALID_OPTION` for a bound that is not a positive integer. */
  constructor (options: MemoryStoreOptions = {}) {
    this.#max = positiveInteger('maxSessions', options.maxSessions, 100_000)
    const every = positiveInteger('sweepIntervalMs', options.sweepIntervalMs, 60_000)
    this.#timer = setInterval(() => this.sweep(), every).unref()
  }

  /** How many sessions are held (expired ones not yet swept included). */
  get size (): number {
    return this.#entries.size
  }

  async get (key: string): Promise<SessionRecord | undefined> {
    return this.#read(key, false)
  }

  /**
   * @internal `get` for the plugin's own reads: the record's data is a shallow copy of the frozen data
   * this store holds, whose objects the session copies when it hands one out (lib/shared-data.ts).
   */
  async [kSharedGet] (key: string): Promise<SessionRecord | undefined> {
    // A `get` replaced on the instance or in a subclass (a wrapper, a metric, a fault in a test) is
    // what the app asked for: it is called instead.
    if (this.get !== MemoryStore.prototype.get) return await this.get(key)
    return this.#read(key, true)
  }

  #read (key: string, shared: boolean): SessionRecord | undefined {
    const entry = this.#live(key)
    if (entry === undefined) return undefined
    // Map order is the LRU order: a read moves the entry to the back.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    const data = shared ? { ...entry.data } : thawJson(entry.data) as Record<string, unknown>
    // The server driver diffs the next write against this JSON instead of serialising the data again.
    let record: SessionRecord
    if (entry.ordered) {
      const fields = unflat(entry.fields)
      record = new ParsedRecord(data, entry.createdAt, entry.lastSeenAt, { json: joinFields(fields), fields }, shared ? entry.data : undefined)
    } else {
      record = { data, createdAt: entry.createdAt, lastSeenAt: entry.lastSeenAt }
    }
    if (entry.user !== undefined) record.user = entry.user
    if (entry.renewedAt !== undefined) record.renewedAt = entry.renewedAt
    if (entry.links !== undefined) record.links = [...entry.links]
    if (entry.movedTo !== undefined) record.movedTo = entry.movedTo
    return record
  }

  async set (key: string, record: SessionRecord, ttlMs: number): Promise<void> {
    this.#remove(key)
    const { fields, json } = encodeFields(record.data)
    this.#put(key, {
      fields: flat(fields),
      data: freezeJson(JSON.parse(json) as Record<string, unknown>),
      ordered: ordered(fields),
      createdAt: record.createdAt,
      lastSeenAt: record.lastSeenAt,
      expiresAt: Date.now() + ttlMs,
      user: record.user,
      renewedAt: record.renewedAt,
      links: record.links === undefined || record.links.length === 0 ? undefined : [...record.links],
      movedTo: record.movedTo
    })
  }

  async replace (key: string, record: SessionRecord, ttlMs: number): Promise<boolean | string> {
    // One synchronous step: nothing can end or move the session between the check and the write.
    const entry = this.#live(key)
    if (entry === undefined) return false
    if (entry.movedTo !== undefined) return entry.movedTo
    await this.set(key, record, ttlMs)
    return true
  }

  async take (key: string): Promise<string[] | undefined> {
    const entry = this.#live(key)
    if (entry === undefined) return undefined
    this.#remove(key)
    const links = entry.links ?? []
    return entry.movedTo === undefined ? links : [...links, entry.movedTo]
  }

  async patch (key: string, changes: SessionPatch, ttlMs: number): Promise<boolean | string> {
    const entry = this.#live(key)
    // The session ended (destroyed or expired) while the request ran: do not bring it back.
    if (entry === undefined) return false
    const fields = unflat(entry.fields)
    const data = { ...entry.data }
    for (const k of Object.keys(changes.set)) {
      const json = JSON.stringify(changes.set[k])
      if (json === undefined) {
        fields.delete(k)
        delete data[k]
      } else {
        fields.set(k, json)
        setKey(data, k, freezeJson(JSON.parse(json)))
      }
    }
    for (const k of changes.unset) {
      fields.delete(k)
      delete data[k]
    }
    entry.fields = flat(fields)
    entry.data = Object.freeze(data)
    entry.ordered = ordered(fields)
    if (changes.forwarded !== true) {
      entry.lastSeenAt = changes.lastSeenAt
      entry.expiresAt = Date.now() + ttlMs
    }
    if (changes.user !== undefined) {
      this.#unindex(key, entry.user)
      entry.user = changes.user ?? undefined
      this.#index(key, entry.user)
    }
    return entry.movedTo ?? true
  }

  async touch (key: string, ttlMs: number, lastSeenAt: number): Promise<boolean> {
    const entry = this.#live(key)
    if (entry === undefined) return false
    entry.lastSeenAt = lastSeenAt
    entry.expiresAt = Date.now() + ttlMs
    return true
  }

  async destroy (key: string): Promise<void> {
    this.#remove(key)
  }

  async listUserSessions (user: string): Promise<SessionSummary[]> {
    const out: SessionSummary[] = []
    for (const key of this.#byUser.get(user) ?? []) {
      const entry = this.#live(key)
      if (entry !== undefined) out.push({ createdAt: entry.createdAt, lastSeenAt: entry.lastSeenAt })
    }
    return out
  }

  async revokeUser (user: string): Promise<number> {
    const keys = [...(this.#byUser.get(user) ?? [])]
    let live = 0
    for (const key of keys) {
      if (this.#live(key) !== undefined) live++
      this.#remove(key)
    }
    return live
  }

  /** Removes every expired session now (the timer does this every `sweepIntervalMs`). */
  sweep (): void {
    const now = Date.now()
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#remove(key)
  }

  /** Stops the sweep timer and drops every session. */
  close (): void {
    clearInterval(this.#timer)
    this.#entries.clear()
    this.#byUser.clear()
  }

  #live (key: string): Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= Date.now()) {
      this.#remove(key)
      return undefined
    }
    return entry
  }

  #put (key: string, entry: Entry): void {
    if (this.#entries.size >= this.#max) {
      // The first key in insertion order is the least recently used one.
      this.#remove(this.#entries.keys().next().value as string)
    }
    this.#entries.set(key, entry)
    this.#index(key, entry.user)
  }

  #remove (key: string): void {
    const entry = this.#entries.get(key)
    if (entry === undefined) return
    this.#entries.delete(key)
    this.#unindex(key, entry.user)
  }

  #index (key: string, user: string | undefined): void {
    if (user === undefined) return
    let keys = this.#byUser.get(user)
    if (keys === undefined) this.#byUser.set(user, (keys = new Set()))
    keys.add(key)
  }

  #unindex (key: string, user: string | undefined): void {
    if (user === undefined) return
    const keys = this.#byUser.get(user) as Set<string>
    keys.delete(key)
    if (keys.size === 0) this.#byUser.delete(user)
  }
}
