import { Redis } from 'ioredis'
import tap, { type Test } from 'tap'
import { MemoryStore, PostgresStore, RedisStore, type SessionStore } from '../../lib/index.js'
import { postgresSkip, startPostgres, testPool, type PostgresServer } from './postgres-server.js'
import { redisSkip, startRedis, type RedisServer } from './redis-server.js'

/** A server store for one subtest, with what a test may do to its backend. */
export interface ServerStoreRun {
  store: SessionStore
  /** The store's name: 'memory', 'redis' or 'postgres'. */
  name: string
}

// One redis-server and one PostgreSQL per test file at most, started on first use and stopped when the
// file's tests end (a teardown of the root test: at the end of the file, also when a group of
// test/groups runs several files in one process, see test/helpers/groups.ts); each subtest gets its
// own key prefix or table.
let redis: Promise<RedisServer> | undefined
let postgres: Promise<PostgresServer> | undefined
let n = 0

/** `start(tap)`, forgotten when the file's tests end, so that the next file of a group starts its own. */
function perFile<S> (start: (t: Test) => Promise<S>, forget: () => void): Promise<S> {
  tap.teardown(forget)
  return start(tap)
}

async function redisStore (t: Test): Promise<SessionStore> {
  redis ??= perFile(startRedis, () => { redis = undefined })
  const server = await redis
  const client = new Redis(server.url, { lazyConnect: true })
  t.teardown(() => client.disconnect())
  await client.connect()
  return new RedisStore({ client, prefix: `t${n++}:` })
}

async function postgresStore (t: Test): Promise<SessionStore> {
  postgres ??= perFile(startPostgres, () => { postgres = undefined })
  const pool = testPool(t, await postgres)
  const store = new PostgresStore({ pool, table: `sessions_${n++}`, sweepIntervalMs: false })
  t.teardown(() => store.close())
  await store.createSchema()
  return store
}

/** The server stores a behaviour is checked on: memory, a real Redis, a real PostgreSQL. */
export const SERVER_STORES: ReadonlyArray<readonly [string, (t: Test) => Promise<SessionStore>, () => false | string]> = [
  ['memory', async (t) => {
    const store = new MemoryStore()
    t.teardown(() => store.close())
    return store
  }, () => false],
  ['redis', redisStore, redisSkip],
  ['postgres', postgresStore, postgresSkip]
]

/** Runs `suite` once per server store as subtests of `t` (Redis and PostgreSQL skip loudly without a server, fail under CI). */
export function everyServerStore (t: Test, title: string, suite: (t: Test, run: ServerStoreRun) => Promise<void>): void {
  for (const [name, make, skip] of SERVER_STORES) {
    t.test(`${name}: ${title}`, { skip: skip() }, async (t) => { await suite(t, { store: await make(t), name }) })
  }
}
