// PostgresStore's options are checked at construction: a pool that is not a pg Pool, a table name
// that is anything but a plain identifier (never put into SQL), or a bad sweep setting is a coded
// error at registration time, before any query.
import pg from 'pg'
import t from 'tap'
import { PostgresStore, type PostgresStoreOptions } from '../../lib/index.js'
import { tableName } from '../../lib/stores/postgres-sql.js'

// A Pool connects lazily: making one here talks to no server.
const pool = new pg.Pool({ host: '127.0.0.1', port: 1 })
t.teardown(() => pool.end())

t.test('a pool that is not a node-postgres Pool is FST_SESSION_INVALID_OPTION', async (t) => {
  const client = new pg.Client({ host: '127.0.0.1', port: 1 })
  const bad: Record<string, unknown> = {
    'no options': undefined,
    'no pool': {},
    'a null pool': { pool: null },
    'a connection string': { pool: 'postgres://localhost/db' },
    'an empty object': { pool: {} },
    'query only': { pool: { query () {} } },
    'query and connect, no pool counters': { pool: { query () {}, connect () {} } },
    'a pg.Client': { pool: client }
  }
  for (const [name, options] of Object.entries(bad)) {
    t.throws(() => new PostgresStore(options as PostgresStoreOptions), { code: 'FST_SESSION_INVALID_OPTION' }, name)
  }
})

t.test('a table name must be one or two plain identifiers: anything else is refused, never quoted into SQL', async (t) => {
  const bad: unknown[] = ['', 'sessions; DROP TABLE users', 'a b', '"sessions"', 'ses"sions', 'a.b.c', '.sessions', 'public.',
    '1sessions', 'sess-ions', 'sessions--', 'séances', 'x'.repeat(49), `${'s'.repeat(64)}.sessions`, 42, null, ['sessions']]
  for (const table of bad) {
    t.throws(() => new PostgresStore({ pool, table: table as string }), { code: 'FST_SESSION_INVALID_OPTION' }, String(table))
  }
  t.same(tableName('sessions'), { qualified: '"sessions"', bare: 'sessions' })
  t.same(tableName('App_1.Sessions_2'), { qualified: '"App_1"."Sessions_2"', bare: 'Sessions_2' }, 'quoted: used exactly as given')
  t.same(tableName('x'.repeat(48)).bare.length, 48, 'the longest table name that leaves room for its index names')
  t.same(tableName(`${'s'.repeat(63)}.t`).qualified, `"${'s'.repeat(63)}"."t"`)
})

t.test('sweep settings and flags of the wrong type are FST_SESSION_INVALID_OPTION', async (t) => {
  const bad: Array<Partial<PostgresStoreOptions>> = [
    { sweepBatchSize: 0 }, { sweepBatchSize: -1 }, { sweepBatchSize: 1.5 }, { sweepBatchSize: '10' as never },
    { sweepIntervalMs: 0 }, { sweepIntervalMs: true as never }, { sweepIntervalMs: Infinity },
    { onSweepError: 'log' as never }, { prepare: 'yes' as never }
  ]
  for (const options of bad) {
    t.throws(() => new PostgresStore({ pool, sweepIntervalMs: false, ...options }), { code: 'FST_SESSION_INVALID_OPTION' }, JSON.stringify(options))
  }
})

t.test('the sweep timer does not keep the process alive, and close() stops it', async (t) => {
  const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
  const before = timers()
  const store = new PostgresStore({ pool, sweepIntervalMs: 1000 })
  t.equal(timers(), before, 'no referenced timer was added')
  await store.close()
  await store.close()
  t.pass('close() twice is fine')
})

t.test('a real pg.Pool fits the PgPoolLike type', async (t) => {
  const store = new PostgresStore({ pool, table: 'public.sessions', sweepIntervalMs: false, sweepBatchSize: 10, prepare: false, onSweepError: () => {} })
  t.ok(store instanceof PostgresStore)
  await store.close()
})
