// PostgresStore's sweeper on a real PostgreSQL: expired rows go in bounded batches, one instance
// sweeps a table at a time (an advisory lock held on the sweeping connection), the timer sweeps on
// its own and stops on close(), and a failed sweep leaves no lock behind.
import t from 'tap'
import { PostgresStore, type PgPoolLike, type PgQuery } from '../../lib/index.js'
import { sweepLockKey } from '../../lib/stores/postgres-sql.js'
import { postgresSkip, startPostgres, testPool } from '../helpers/postgres-server.js'

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

await t.test('PostgresStore sweeper', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  const pool = testPool(t, server)
  let n = 0
  const table = async (): Promise<string> => {
    const name = `sweep_${n++}`
    const maker = new PostgresStore({ pool, table: name, sweepIntervalMs: false })
    await maker.createSchema()
    return name
  }
  const addRows = async (name: string, expired: number, live = 0): Promise<void> => {
    await pool.query(`INSERT INTO ${name} (key, data, user_id, created_at, last_seen_at, expires_at)
      SELECT 'x' || i, '{}', NULL, now(), now(), now() - interval '1 second' FROM generate_series(1, $1::int) i`, [expired])
    await pool.query(`INSERT INTO ${name} (key, data, user_id, created_at, last_seen_at, expires_at)
      SELECT 'l' || i, '{}', NULL, now(), now(), now() + interval '1 day' FROM generate_series(1, $1::int) i`, [live])
  }
  const count = async (name: string): Promise<number> => Number((await pool.query(`SELECT count(*) FROM ${name}`)).rows[0].count)
  const advisoryLocks = async (): Promise<number> =>
    Number((await pool.query('SELECT count(*) FROM pg_locks WHERE locktype = \'advisory\'')).rows[0].count)
  // A pool that records the statements sent on the connections it hands out (the sweeper's).
  const spyPool = (sent: PgQuery[]): PgPoolLike => ({
    query: async (q) => await pool.query(q),
    connect: async () => {
      const client = await pool.connect()
      return { query: async (q: PgQuery) => { sent.push(q); return await client.query(q) }, release: (err?: Error | boolean) => client.release(err) }
    },
    get totalCount () { return pool.totalCount }
  })

  await t.test('sweep() deletes expired rows only, in batches of sweepBatchSize, and releases its lock', async (t) => {
    const name = await table()
    await addRows(name, 25, 5)
    const sent: PgQuery[] = []
    const store = new PostgresStore({ pool: spyPool(sent), table: name, sweepIntervalMs: false, sweepBatchSize: 10 })
    t.teardown(() => store.close())
    t.equal(await store.sweep(), 25)
    t.equal(await count(name), 5, 'the live rows stay')
    t.equal(sent.filter((q) => q.text.startsWith('DELETE')).length, 3, 'three bounded batches: 10, 10, 5')
    t.ok(sent.every((q) => q.values.every((v) => typeof v === 'number' || /^-?\d+$/.test(String(v)))), 'only numbers are sent')
    t.equal(await advisoryLocks(), 0, 'the lock is released')
    t.equal(await store.sweep(), 0, 'nothing left')
  })

  await t.test('one sweeper at a time: a store skips while another connection holds the table\'s lock', async (t) => {
    const name = await table()
    await addRows(name, 30)
    const store = new PostgresStore({ pool, table: name, sweepIntervalMs: false, sweepBatchSize: 7 })
    t.teardown(() => store.close())
    const other = await pool.connect()
    t.teardown(() => other.release())
    const key = sweepLockKey(`"${name}"`)
    t.equal((await other.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key])).rows[0].ok, true, 'another instance sweeps')
    t.equal(await store.sweep(), 0, 'this one skips')
    t.equal(await count(name), 30)
    const elsewhere = new PostgresStore({ pool, table: `${name}_other`, sweepIntervalMs: false })
    await elsewhere.createSchema()
    await addRows(`${name}_other`, 3)
    t.equal(await elsewhere.sweep(), 3, 'another table has its own lock')
    await other.query('SELECT pg_advisory_unlock($1::bigint)', [key])
    t.equal(await store.sweep(), 30, 'swept once the lock is free')
  })

  await t.test('two stores on one table sweeping at once delete each row once, and one of them skips', async (t) => {
    const name = await table()
    await addRows(name, 2000, 10)
    const a = new PostgresStore({ pool, table: name, sweepIntervalMs: false, sweepBatchSize: 100 })
    const b = new PostgresStore({ pool, table: name, sweepIntervalMs: false, sweepBatchSize: 100 })
    t.teardown(() => a.close())
    t.teardown(() => b.close())
    const results = await Promise.all([a.sweep(), b.sweep()])
    t.equal(results[0] + results[1], 2000)
    t.ok(results.includes(0), `one swept, one skipped or found nothing (${results.join(', ')})`)
    t.equal(await count(name), 10)
  })

  await t.test('concurrent sweep() calls on one store share one sweep', async (t) => {
    const name = await table()
    await addRows(name, 50)
    const sent: PgQuery[] = []
    const store = new PostgresStore({ pool: spyPool(sent), table: name, sweepIntervalMs: false })
    t.teardown(() => store.close())
    const [x, y] = [store.sweep(), store.sweep()]
    t.same(await Promise.all([x, y]), [50, 50])
    t.equal(sent.filter((q) => q.text.includes('pg_try_advisory_lock')).length, 1, 'one lock, one sweep')
  })

  await t.test('the timer sweeps on its own; close() stops it', async (t) => {
    const name = await table()
    await addRows(name, 12, 1)
    const store = new PostgresStore({ pool, table: name, sweepIntervalMs: 50, sweepBatchSize: 5 })
    t.teardown(() => store.close())
    for (let i = 0; i < 100 && await count(name) > 1; i++) await sleep(20)
    t.equal(await count(name), 1, 'swept without a call')
    await store.close()
    await addRows(name, 4)
    await sleep(300)
    t.equal(await count(name), 5, 'nothing swept after close()')
  })

  await t.test('close() during a sweep ends it after the current batch, lock released', async (t) => {
    const name = await table()
    await addRows(name, 5000)
    const store = new PostgresStore({ pool, table: name, sweepIntervalMs: false, sweepBatchSize: 1 })
    const sweeping = store.sweep()
    await sleep(20)
    await store.close()
    const deleted = await sweeping
    t.ok(deleted >= 1 && deleted < 5000, `stopped early (${deleted} of 5000)`)
    t.equal(await count(name), 5000 - deleted)
    t.equal(await advisoryLocks(), 0, 'the lock is released')
  })

  await t.test('a failed sweep closes its connection, so no lock outlives it; timed failures reach onSweepError', async (t) => {
    const single = testPool(t, server, { max: 1 })
    const broken = new PostgresStore({ pool: single, table: 'no_such_table', sweepIntervalMs: false })
    await t.rejects(broken.sweep(), { code: 'FST_SESSION_STORE_SCHEMA' })
    t.equal(single.totalCount, 0, 'the connection was closed, not put back in the pool')
    // The server ends the closed connection's backend, and with it the lock, a moment later.
    for (let i = 0; i < 100 && await advisoryLocks() > 0; i++) await sleep(20)
    t.equal(await advisoryLocks(), 0, 'the lock went with the connection')
    const errors: unknown[] = []
    const timed = new PostgresStore({ pool, table: 'no_such_table', sweepIntervalMs: 20, onSweepError: (err) => errors.push(err) })
    t.teardown(() => timed.close())
    for (let i = 0; i < 100 && errors.length === 0; i++) await sleep(20)
    t.match(errors[0], { code: 'FST_SESSION_STORE_SCHEMA' })
  })

  await t.test('without onSweepError a failed timed sweep is a process warning', async (t) => {
    const warnings: Error[] = []
    const listener = (w: Error): void => { warnings.push(w) }
    process.on('warning', listener)
    t.teardown(() => process.off('warning', listener))
    const store = new PostgresStore({ pool, table: 'no_such_table', sweepIntervalMs: 20 })
    t.teardown(() => store.close())
    for (let i = 0; i < 100 && warnings.length === 0; i++) await sleep(20)
    t.match(warnings[0], { code: 'FST_SESSION_SWEEP_FAILED', cause: { code: 'FST_SESSION_STORE_SCHEMA' } })
  })
})
