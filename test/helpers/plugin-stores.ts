import type { LightMyRequestResponse } from 'fastify'
import { Redis } from 'ioredis'
import type { Test } from 'tap'
import { CookieStore, MemoryStore, RedisStore, type FastifySessionOptions, type SessionStore } from '../../lib/index.js'
import { setCookies, type Teardown } from './index.js'
import { redisSkip, startRedis } from './redis-server.js'

/** A session store as the plugin takes it. */
export type AnyStore = NonNullable<FastifySessionOptions['store']>

/**
 * The stores every ecosystem-plugin test runs on without a server. The Redis row is a separate
 * suite (`{ skip: redisSkip() }`) using {@link redisStore}. Each call makes a fresh store.
 */
export const LOCAL_STORES: ReadonlyArray<readonly [string, () => AnyStore]> = [
  ['cookie store', () => new CookieStore()],
  ['memory store', () => new MemoryStore()]
]

/**
 * A RedisStore on a real redis-server of its own, both stopped at teardown. The client is
 * disconnected rather than quit: the server may already be gone by then.
 */
export async function redisStore (t: Teardown): Promise<AnyStore> {
  const server = await startRedis(t)
  const client = new Redis(server.url, { lazyConnect: true })
  t.teardown(() => client.disconnect())
  await client.connect()
  return new RedisStore({ client, prefix: 'fsk-plugins:' })
}

/**
 * A browser-like cookie jar for inject: keeps the last value of every cookie the app set, drops a
 * cookie the app expired, and sends them all back.
 */
export class Jar {
  readonly #cookies = new Map<string, string>()

  /** Takes the Set-Cookie headers of a response; returns the response for chaining. */
  take (res: LightMyRequestResponse): LightMyRequestResponse {
    for (const line of setCookies(res)) {
      const pair = line.split(';')[0] ?? ''
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      if (/;\s*max-age=0(;|$)/i.test(line)) this.#cookies.delete(name)
      else this.#cookies.set(name, pair.slice(eq + 1))
    }
    return res
  }

  /** The value of one cookie, or undefined. */
  get (name: string): string | undefined {
    return this.#cookies.get(name)
  }

  /** The Cookie request header (empty object when the jar is empty, so it spreads into inject headers). */
  headers (): Record<string, string> {
    if (this.#cookies.size === 0) return {}
    return { cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
  }
}

/** The label and the made store of each of {@link everyStore}'s runs. */
export type StoreSuite = (t: Test, store: AnyStore, name: string) => Promise<void>

/**
 * Runs `suite` once per store as subtests of `t`: the cookie store, the memory store and a RedisStore
 * on a real redis-server (skipped loudly without one, failed under CI=true).
 */
export function everyStore (t: Test, title: string, suite: StoreSuite): void {
  for (const [name, make] of LOCAL_STORES) {
    t.test(`${name}: ${title}`, async (t) => { await suite(t, make(), name) })
  }
  t.test(`redis store: ${title}`, { skip: redisSkip() }, async (t) => { await suite(t, await redisStore(t), 'redis store') })
}

/** A store whose `get` calls are counted (`reads`), wrapping another server store. */
export type CountingStore = SessionStore & { reads: number }

/** Wraps a server store so a test can count its reads; every other method goes straight through. */
export function countReads (store: SessionStore): CountingStore {
  const counting: Record<string, unknown> = { reads: 0 }
  for (const method of ['set', 'destroy', 'touch', 'patch', 'listUserSessions', 'revokeUser'] as const) {
    const fn = store[method]
    if (typeof fn === 'function') counting[method] = fn.bind(store)
  }
  const result = counting as unknown as CountingStore
  result.get = async (key) => {
    result.reads++
    return await store.get(key)
  }
  return result
}
