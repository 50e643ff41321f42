// How long PostgresStore's sweeper holds up request traffic: 100 000 expired rows next to live
// sessions, swept in batches while workers keep reading and patching live sessions. Reports each
// batch's duration (the longest is what one request can wait behind, at most) and the latency of
// the concurrent reads and writes before and during the sweep. Not part of `npm run bench`:
//
//   npx tsx bench/postgres-sweep.ts            starts a throw-away PostgreSQL (as the tests do)
//   DATABASE_URL=postgres://... npx tsx bench/postgres-sweep.ts   uses that database (a table
//                                              "bench_sweep" is made and dropped)
//
// EXPIRED (100000), LIVE (1000), BATCH (1000, the store's default), WORKERS (8), BASELINE_MS (3000).
import pg from 'pg'
import { PostgresStore, type PgPoolLike, type PgQuery } from '../lib/index.js'
import { startPostgres } from '../test/helpers/postgres-server.js'

const EXPIRED = Number(process.env.EXPIRED ?? 100_000)
const LIVE = Number(process.env.LIVE ?? 1000)
const BATCH = Number(process.env.BATCH ?? 1000)
const WORKERS = Number(process.env.WORKERS ?? 8)
const BASELINE_MS = Number(process.env.BASELINE_MS ?? 3000)
const TABLE = 'bench_sweep'
const DAY = 86_400_000

const teardowns: Array<() => unknown> = []
const t = { teardown (fn: () => unknown) { teardowns.unshift(fn) } }

function summary (ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number): string => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2)
  return `n=${sorted.length} p50=${at(0.5)} ms p99=${at(0.99)} ms max=${(sorted.at(-1) ?? 0).toFixed(2)} ms`
}

/** Workers reading then patching random live sessions until `until()` is true; each call's latency. */
async function traffic (store: PostgresStore, until: () => boolean): Promise<{ get: number[], patch: number[] }> {
  const out = { get: [] as number[], patch: [] as number[] }
  await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
    for (let i = 0; !until(); i++) {
      const key = `live${(w * 7919 + i * 104_729) % LIVE}`
      let started = performance.now()
      await store.get(key)
      out.get.push(performance.now() - started)
      started = performance.now()
      await store.patch(key, { set: { visits: i, worker: w }, unset: [], lastSeenAt: Date.now() }, DAY)
      out.patch.push(performance.now() - started)
    }
  }))
  return out
}

async function main (): Promise<void> {
  const url = process.env.DATABASE_URL ?? (await startPostgres(t)).url
  const pool = new pg.Pool({ connectionString: url, max: WORKERS + 2, connectionTimeoutMillis: 5000 })
  pool.on('error', () => {})
  t.teardown(() => pool.end())
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}`)
  t.teardown(() => pool.query(`DROP TABLE IF EXISTS ${TABLE}`))

  // The sweeper's statements, timed on the connection it checks out.
  const batches: number[] = []
  const timed: PgPoolLike = {
    query: async (q) => await pool.query(q),
    connect: async () => {
      const client = await pool.connect()
      return {
        query: async (q: PgQuery) => {
          const started = performance.now()
          const result = await client.query(q)
          if (q.text.startsWith('DELETE')) batches.push(performance.now() - started)
          return result
        },
        release: (err?: Error | boolean) => client.release(err)
      }
    },
    get totalCount () { return pool.totalCount }
  }
  const store = new PostgresStore({ pool: timed, table: TABLE, sweepIntervalMs: false, sweepBatchSize: BATCH })
  t.teardown(() => store.close())
  await store.createSchema()

  // Expired sessions shaped like live ones: a user, a ~200-byte cart, times.
  await pool.query(`INSERT INTO ${TABLE} (key, data, user_id, created_at, last_seen_at, expires_at)
    SELECT md5(i::text), jsonb_build_object('userId', '"u' || (i % 5000) || '"', 'cart', '[' || repeat('{"sku":"A-1","qty":1},', 8) || '{}]'),
      'u' || (i % 5000), now() - interval '2 days', now() - interval '1 day', now() - interval '1 hour' + i * interval '1 millisecond'
    FROM generate_series(1, $1::int) i`, [EXPIRED])
  for (let i = 0; i < LIVE; i++) {
    const now = Date.now()
    await store.set(`live${i}`, { data: { userId: `u${i}`, visits: 0 }, createdAt: now, lastSeenAt: now, user: `u${i}` }, DAY)
  }
  await pool.query(`VACUUM ANALYZE ${TABLE}`)

  // A warm-up first: each pooled connection prepares its statements once.
  let stop = performance.now() + 500
  await traffic(store, () => performance.now() > stop)
  stop = performance.now() + BASELINE_MS
  const baseline = await traffic(store, () => performance.now() > stop)

  let done = false
  const started = performance.now()
  const during = traffic(store, () => done)
  const deleted = await store.sweep()
  const sweepMs = performance.now() - started
  done = true
  const concurrent = await during

  const live = Number((await pool.query(`SELECT count(*) FROM ${TABLE}`)).rows[0].count)
  const server = (await pool.query('SHOW server_version')).rows[0].server_version as string
  console.log(`PostgreSQL ${server}; ${EXPIRED} expired rows, ${LIVE} live sessions, batch ${BATCH}, ${WORKERS} workers`)
  console.log(`sweep: ${deleted} rows deleted in ${batches.length} batches, ${sweepMs.toFixed(0)} ms in all; ${live} rows left (live: ${LIVE})`)
  console.log(`batch duration: ${summary(batches)}`)
  console.log(`get   before the sweep: ${summary(baseline.get)}`)
  console.log(`get   during the sweep: ${summary(concurrent.get)}`)
  console.log(`patch before the sweep: ${summary(baseline.patch)}`)
  console.log(`patch during the sweep: ${summary(concurrent.patch)}`)
  if (deleted !== EXPIRED || live !== LIVE) throw new Error('the sweep did not delete exactly the expired rows')
}

try {
  await main()
} finally {
  for (const fn of teardowns) await fn()
}
