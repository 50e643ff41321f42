// Your own server store: a small SessionStore over a Map, with expiry, the optional touch, patch,
// replace and take (what keeps a logout a logout, and every change, when requests overlap: see
// docs/concurrency.md), and copies in and out (a handler never mutates what another request reads). The same shape works over
// a file, a database or a cache: keep the rules in the comments. It passes the conformance suite every
// built-in store passes (test/examples/custom-store.test.ts). Run: `npx tsx examples/custom-store.ts`,
// then
//   curl -c jar -b jar localhost:3000/count && curl -c jar -b jar localhost:3000/count   # 1, then 2
//   curl -c jar -b jar -X POST localhost:3000/reset && curl -b jar localhost:3000/count   # 1: a new session
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, type SessionPatch, type SessionRecord, type SessionStore } from 'fastify-session-kit'

declare module 'fastify-session-kit' {
  interface SessionData {
    count: number
  }
}

interface Entry {
  /** The record as JSON: parsing it on each read hands out a copy no caller can share. */
  json: string
  expiresAt: number
}

/**
 * A SessionStore over a Map. Not for several instances (each would have its own Map): that is what
 * RedisStore and PostgresStore are for. No per-user index, so `app.session.revokeUser()` answers
 * FST_SESSION_NOT_SUPPORTED.
 */
export class MapStore implements SessionStore {
  readonly #entries = new Map<string, Entry>()
  readonly #sweeper: NodeJS.Timeout

  constructor (sweepEveryMs = 60_000) {
    // Expired entries are skipped on read anyway; the sweep only gives their memory back.
    this.#sweeper = setInterval(() => this.#sweep(), sweepEveryMs)
    this.#sweeper.unref()
  }

  /** The live record under `key` (parsed: a fresh copy), or undefined; drops it once expired. */
  #live (key: string): SessionRecord | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(key)
      return undefined
    }
    return JSON.parse(entry.json) as SessionRecord
  }

  #write (key: string, record: SessionRecord, ttlMs: number): void {
    this.#entries.set(key, { json: JSON.stringify(record), expiresAt: Date.now() + ttlMs })
  }

  /** Writes `record` keeping the expiry `key` has. */
  #rewrite (key: string, record: SessionRecord): void {
    const entry = this.#entries.get(key) as Entry
    entry.json = JSON.stringify(record)
  }

  #sweep (): void {
    const now = Date.now()
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key)
  }

  async get (key: string): Promise<SessionRecord | undefined> {
    return this.#live(key)
  }

  async set (key: string, record: SessionRecord, ttlMs: number): Promise<void> {
    // Serialised now: a caller changing `record` afterwards does not change what is stored.
    this.#write(key, record, ttlMs)
  }

  async destroy (key: string): Promise<void> {
    this.#entries.delete(key)
  }

  async touch (key: string, ttlMs: number, lastSeenAt: number): Promise<boolean> {
    const record = this.#live(key)
    // Never create: a session destroyed while a request ran must stay destroyed.
    if (record === undefined) return false
    this.#write(key, { ...record, lastSeenAt }, ttlMs)
    return true
  }

  async replace (key: string, record: SessionRecord, ttlMs: number): Promise<boolean | string> {
    // Check and write in one step: a renewal must not write over a session that ended, or that another
    // request has already moved to a new id.
    const current = this.#live(key)
    if (current === undefined) return false
    if (current.movedTo !== undefined) return current.movedTo
    this.#write(key, record, ttlMs)
    return true
  }

  async take (key: string): Promise<string[] | undefined> {
    // Read and delete in one step: a logout learns every other id of the session it must end too.
    const record = this.#live(key)
    if (record === undefined) return undefined
    this.#entries.delete(key)
    return [...(record.links ?? []), ...(record.movedTo === undefined ? [] : [record.movedTo])]
  }

  async patch (key: string, changes: SessionPatch, ttlMs: number): Promise<boolean | string> {
    const record = this.#live(key)
    if (record === undefined) return false
    // Read, change and write with no await in between: no other call can interleave, so the patch is
    // atomic. A store over a network does the same in one command (a Lua script, one SQL statement).
    // fromEntries, not `data[k] = v`: a key named "__proto__" must stay a plain key.
    const data = Object.fromEntries([
      ...Object.entries(record.data).filter(([k]) => !changes.unset.includes(k) && !Object.hasOwn(changes.set, k)),
      ...Object.entries(changes.set)
    ])
    // A forwarded patch (a change made through a renewed session's old id) leaves the times alone.
    const next: SessionRecord = { ...record, data, lastSeenAt: changes.forwarded === true ? record.lastSeenAt : changes.lastSeenAt }
    if (changes.user === null) delete next.user
    else if (changes.user !== undefined) next.user = changes.user
    if (changes.forwarded === true) this.#rewrite(key, next)
    else this.#write(key, next, ttlMs)
    // Where the session moved, if it did: the plugin applies the same change there.
    return record.movedTo ?? true
  }

  /** Stops the sweep timer (it never keeps the process alive, but tests like a clean stop). */
  close (): void {
    clearInterval(this.#sweeper)
  }
}

/** The app, not listening. */
export async function build (secret = process.env.SESSION_SECRET ?? generateSecret(), store = new MapStore()): Promise<FastifyInstance> {
  const app = Fastify()
  app.addHook('onClose', async () => { store.close() })
  await app.register(fastifySession, { secret, store })

  app.get('/count', async (request) => {
    const count = (request.session.get('count') ?? 0) + 1
    request.session.set('count', count)
    return { count }
  })

  app.post('/reset', async (request) => {
    await request.session.destroy()
    return { reset: true }
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const app = await build()
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
