// PostgresStore's sweeper on a real PostgreSQL: expired rows go in bounded batches, one instance
// sweeps a table at a time (a transaction-scoped advisory lock taken by each batch's own statement,
// so it works behind a transaction pooler), the timer sweeps on its own and stops on close(), and a
// failed sweep leaves no lock behind.
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
  // A pool that records the statements sent through it.
  const spyPool = (sent: PgQuery[]): PgPoolLike => ({
    query: async (q) => { sent.push(q); return await pool.query(q) },
    connect: async () => await pool.connect(),
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
    t.equal(sent.filter((q) => q.text.includes('DELETE')).length, 3, 'three bounded batches: 10, 10, 5')
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

  await t.test('two stores on one table sweeping at once delete each row once, never in two batches at a time', async (t) => {
    const name = await table()
    await addRows(name, 2000, 10)
    const a = new PostgresStore({ pool, table: name, sweepIntervalMs: false, sweepBatchSize: 100 })
    const b = new PostgresStore({ pool, table: name, sweepIntervalMs: false, sweepBatchSize: 100 })
    t.teardown(() => a.close())
    t.teardown(() => b.close())
    let results: number[] = await Promise.all([a.sweep(), b.sweep()])
    // A batch that found the lock taken ends that store's sweep early: the other one goes on.
    while (await count(name) > 10) results = results.concat(await a.sweep())
    t.equal(results.reduce((x, y) => x + y, 0), 2000, `each expired row deleted once (${results.join(', ')})`)
    t.equal(await count(name), 10)
    t.equal(await advisoryLocks(), 0)
  })

  await t.test('behind a transaction pooler (each statement on another backend) no lock leaks and sweeps go on', async (t) => {
    // What PgBouncer in transaction mode does: consecutive statements of one client may run on
    // different server connections. Here each query goes to the next of two connections in turn.
    const name = await table()
    await addRows(name, 40, 2)
    const backends = [await pool.connect(), await pool.connect()]
    t.teardown(() => { for (const b of backends) b.release() })
    let turn = 0
    const next = async (q: PgQuery): Promise<Awaited<ReturnType<PgPoolLike['query']>>> => await (backends[turn++ % 2] as (typeof backends)[number]).query(q)
    const pooler: PgPoolLike = {
      query: next,
      connect: async () => ({ query: next, release: () => {} }),
      totalCount: 2
    }
    const a = new PostgresStore({ pool: pooler, table: name, sweepIntervalMs: false, sweepBatchSize: 7 })
    t.equal(await a.sweep(), 40, 'swept in batches across both backends')
    t.equal(await advisoryLocks(), 0, 'no lock left on either backend')
    await addRows(name, 9)
    const b = new PostgresStore({ pool, table: name, sweepIntervalMs: false })
    t.equal(await b.sweep(), 9, 'another instance still sweeps afterwards')
    t.equal(await count(name), 2)
  })

  await t.test('concurrent sweep() calls on one store share one sweep', async (t) => {
    const name = await table()
    await addRows(name, 50)
    const sent: PgQuery[] = []
    const store = new PostgresStore({ pool: spyPool(sent), table: name, sweepIntervalMs: false })
    t.teardown(() => store.close())
    const [x, y] = [store.sweep(), store.sweep()]
    t.same(await Promise.all([x, y]), [50, 50])
    t.equal(sent.filter((q) => q.text.includes('pg_try_advisory_xact_lock')).length, 1, 'one batch, one sweep')
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

  await t.test('a failed sweep leaves no lock (it ends with its statement); timed failures reach onSweepError', async (t) => {
    const single = testPool(t, server, { max: 1 })
    const broken = new PostgresStore({ pool: single, table: 'no_such_table', sweepIntervalMs: false })
    await t.rejects(broken.sweep(), { code: 'FST_SESSION_STORE_SCHEMA' })
    t.equal(await advisoryLocks(), 0, 'no lock outlives the failed statement')
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
