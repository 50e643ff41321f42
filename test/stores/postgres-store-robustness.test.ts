// PostgresStore against what a real PostgreSQL can hold besides its own writes: no table (the schema
// helper is off by default), an older table, rows edited by hand, expired rows not swept yet, hostile
// keys; and its cost: one statement per call, prepared once per connection.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { PostgresStore, type PgPoolLike, type PgQuery, type SessionRecord } from '../../lib/index.js'
import { build, captureLogs, cookiePair, loginRoutes } from '../helpers/index.js'
import { postgresSkip, startPostgres, testPool } from '../helpers/postgres-server.js'

const DAY = 86_400_000
const record = (data: Record<string, unknown>, user?: string): SessionRecord => {
  const now = Date.now()
  return user === undefined ? { data, createdAt: now, lastSeenAt: now } : { data, createdAt: now, lastSeenAt: now, user }
}
const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

await t.test('PostgresStore robustness', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  const pool = testPool(t, server)
  const exists = async (table: string): Promise<boolean> =>
    (await pool.query('SELECT to_regclass($1) IS NOT NULL AS found', [table])).rows[0].found as boolean
  let n = 0
  const fresh = async (t: { teardown (fn: () => unknown): void }, options: { prepare?: boolean } = {}): Promise<{ store: PostgresStore, table: string }> => {
    const table = `robust_${n++}`
    const store = new PostgresStore({ pool, table, sweepIntervalMs: false, ...options })
    t.teardown(() => store.close())
    await store.createSchema()
    return { store, table }
  }

  await t.test('no table: the schema helper is off by default, and every call fails with FST_SESSION_STORE_SCHEMA', async (t) => {
    const store = new PostgresStore({ pool, table: 'not_created', sweepIntervalMs: false })
    t.teardown(() => store.close())
    const code = { code: 'FST_SESSION_STORE_SCHEMA' }
    await t.rejects(store.get('k'), code)
    await t.rejects(store.set('k', record({ a: 1 }), DAY), code)
    await t.rejects(store.patch('k', { set: { a: 1 }, unset: [], lastSeenAt: Date.now() }, DAY), code)
    await t.rejects(store.touch('k', DAY, Date.now()), code)
    await t.rejects(store.destroy('k'), code)
    await t.rejects(store.listUserSessions('u'), code)
    await t.rejects(store.revokeUser('u'), code)
    await t.rejects(store.sweep(), code)
    const err = await store.get('k').catch((e: unknown) => e) as Error & { cause?: { code?: string } }
    t.equal(err.cause?.code, '42P01', 'PostgreSQL\'s error is the cause')
    t.notOk(await exists('not_created'), 'nothing created the table')
  })

  await t.test('no table, through the plugin: 503 and a log line naming FST_SESSION_STORE_SCHEMA; cookieless reads work', async (t) => {
    const store = new PostgresStore({ pool, table: 'also_not_created', sweepIntervalMs: false })
    t.teardown(() => store.close())
    const logs = captureLogs('error')
    const app = await build(t, { store }, loginRoutes, logs.options)
    t.same((await app.inject('/me')).json(), { user: null }, 'a request without a cookie never touches the store')
    const login = await app.inject('/login')
    t.equal(login.statusCode, 503)
    t.equal(login.json().code, 'FST_SESSION_STORE_UNAVAILABLE')
    const line = logs.lines.find((l) => (l.err as { code?: string } | undefined)?.code === 'FST_SESSION_STORE_SCHEMA')
    t.ok(line, 'the log says what is wrong')
    t.match((line?.err as { message: string }).message, /docs\/stores\.md/)
    t.notOk(await exists('also_not_created'))
  })

  await t.test('a table of another shape (a column missing) is FST_SESSION_STORE_SCHEMA too', async (t) => {
    await pool.query('CREATE TABLE old_shape (key text PRIMARY KEY, data jsonb, expires_at timestamptz)')
    const store = new PostgresStore({ pool, table: 'old_shape', sweepIntervalMs: false })
    t.teardown(() => store.close())
    await t.rejects(store.get('k'), { code: 'FST_SESSION_STORE_SCHEMA' })
    await t.rejects(store.set('k', record({ a: 1 }), DAY), { code: 'FST_SESSION_STORE_SCHEMA' })
  })

  await t.test('createSchema makes the table and both indexes, is idempotent, and works in another schema', async (t) => {
    await pool.query('CREATE SCHEMA "App"')
    const store = new PostgresStore({ pool, table: 'App.Sessions', sweepIntervalMs: false })
    t.teardown(() => store.close())
    await store.createSchema()
    await store.createSchema()
    t.ok(await exists('"App"."Sessions"'))
    const indexes = (await pool.query('SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname', ['App'])).rows.map((r) => r.indexname)
    t.same(indexes, ['Sessions_expires_at_idx', 'Sessions_pkey', 'Sessions_user_id_idx'])
    await store.set('k', record({ a: 1 }, 'u'), DAY)
    t.same((await store.get('k'))?.data, { a: 1 })
    t.equal(await store.revokeUser('u'), 1)
  })

  await t.test('the schema docs/stores.md gives is the one createSchema makes', async (t) => {
    const docs = readFileSync(new URL('../../docs/stores.md', import.meta.url), 'utf8')
    const sql = /## PostgresStore[\s\S]*?```sql\n([\s\S]*?)```/.exec(docs)?.[1]
    t.ok(sql, 'docs/stores.md has the schema')
    const client = await pool.connect()
    t.teardown(() => client.release())
    await client.query('CREATE SCHEMA from_docs; SET search_path TO from_docs')
    await client.query(sql as string)
    await client.query('CREATE SCHEMA from_store; SET search_path TO public')
    await new PostgresStore({ pool, table: 'from_store.sessions', sweepIntervalMs: false }).createSchema()
    const shape = async (schema: string): Promise<unknown> => ({
      columns: (await pool.query(`SELECT column_name, data_type, is_nullable, collation_name FROM information_schema.columns
        WHERE table_schema = $1 ORDER BY ordinal_position`, [schema])).rows,
      indexes: (await pool.query('SELECT indexname, replace(indexdef, $1, \'\') AS def FROM pg_indexes WHERE schemaname = $2 ORDER BY indexname',
        [`${schema}.`, schema])).rows
    })
    const made = await shape('from_store')
    t.same(await shape('from_docs'), made)
    t.equal((made as { columns: unknown[] }).columns.length, 8)
  })

  await t.test('createSchema adds the links column to a table made by 0.1.0', async (t) => {
    await pool.query(`CREATE TABLE old_sessions (key text COLLATE "C" PRIMARY KEY, data jsonb NOT NULL, user_id text COLLATE "C",
      created_at timestamptz NOT NULL, last_seen_at timestamptz NOT NULL, renewed_at timestamptz, expires_at timestamptz NOT NULL)`)
    const store = new PostgresStore({ pool, table: 'old_sessions', sweepIntervalMs: false })
    t.teardown(() => store.close())
    await t.rejects(store.set('k', record({ a: 1 }, 'u'), DAY), { code: 'FST_SESSION_STORE_SCHEMA' }, 'refused with a code before the upgrade')
    await store.createSchema()
    await store.set('k', { ...record({ a: 1 }, 'u'), links: ['x', 'y'] }, DAY)
    t.same((await store.get('k'))?.links, ['x', 'y'], 'links kept once the column is there')
  })

  await t.test('hostile keys, users and data are values, never SQL', async (t) => {
    const { store, table } = await fresh(t)
    const evil = `x'); DROP TABLE ${table}; --`
    await store.set(evil, record({ [evil]: evil, '"\\\'': 1 }, evil), DAY)
    await store.patch(evil, { set: { [`${evil}2`]: 2 }, unset: ['"\\\''], lastSeenAt: Date.now() }, DAY)
    t.same((await store.get(evil))?.data, { [evil]: evil, [`${evil}2`]: 2 })
    t.equal((await store.listUserSessions(evil)).length, 1)
    t.equal(await store.revokeUser(evil), 1)
    t.ok(await exists(table), 'the table is still there')
  })

  await t.test('expired rows are never read, patched, touched or listed, even before a sweep deletes them', async (t) => {
    const { store, table } = await fresh(t)
    await store.set('k', record({ a: 1 }, 'alice'), 200)
    await store.set('live', record({ b: 1 }, 'alice'), DAY)
    await sleep(400)
    const count = async (): Promise<number> => Number((await pool.query(`SELECT count(*) FROM ${table} WHERE key = 'k'`)).rows[0].count)
    t.equal(await count(), 1, 'the row is still in the table')
    t.equal(await store.get('k'), undefined)
    await store.touch('k', DAY, Date.now())
    await store.patch('k', { set: { a: 2 }, unset: [], lastSeenAt: Date.now() }, DAY)
    t.equal(await store.get('k'), undefined, 'neither touch nor patch brought it back')
    t.equal((await store.listUserSessions('alice')).length, 1, 'only the live session is listed')
    t.equal(await store.revokeUser('alice'), 1, 'only the live session counts as revoked')
    t.equal(await count(), 0, 'revokeUser deleted the expired row too')
    await store.set('k', record({ c: 3 }), DAY)
    t.same((await store.get('k'))?.data, { c: 3 }, 'set makes a new session over an expired row')
  })

  await t.test('a row edited by hand into something the store never writes reads as no session', async (t) => {
    const { store, table } = await fresh(t)
    const cases: Record<string, string> = {
      'a value that is not JSON text': '{"a": "{broken"}',
      'a value that is not a string': '{"a": 1}',
      'data that is an array': '["a"]',
      'data that is a string': '"a"',
      'a key with a broken escape': '{"a\\\\": "1"}'
    }
    for (const [name, data] of Object.entries(cases)) {
      await store.set('k', record({ a: 1 }), DAY)
      await pool.query(`UPDATE ${table} SET data = $1::jsonb WHERE key = 'k'`, [data])
      t.equal(await store.get('k'), undefined, name)
    }
    await store.set('k', record({ a: 1 }, 'u'), DAY)
    await pool.query(`UPDATE ${table} SET user_id = 'x\\' WHERE key = 'k'`)
    t.equal(await store.get('k'), undefined, 'a user with a broken escape')
  })

  await t.test('through the plugin: a damaged row gives a fresh session, not a 500', async (t) => {
    const { store, table } = await fresh(t)
    const app = await build(t, { store }, loginRoutes)
    const cookie = cookiePair(await app.inject('/login')) as string
    await pool.query(`UPDATE ${table} SET data = '{"userId": "{broken"}'`)
    const res = await app.inject({ url: '/me', headers: { cookie } })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { user: null })
  })

  await t.test('the row: the hashed key, the data as JSON text per key, times, the user, the expiry', async (t) => {
    const { store, table } = await fresh(t)
    const r: SessionRecord = { data: { userId: 'alice', cart: [1, 2], nul: '\u0000' }, createdAt: Date.UTC(2026, 0, 1, 12), lastSeenAt: Date.UTC(2026, 0, 1, 13), user: 'alice', renewedAt: Date.UTC(2026, 0, 1, 12, 30) }
    await store.set('hashed-key', r, DAY)
    const row = (await pool.query(`SELECT key, data, user_id, created_at, last_seen_at, renewed_at, expires_at - now() AS ttl FROM ${table}`)).rows[0]
    t.equal(row.key, 'hashed-key')
    t.same(row.data, { userId: '"alice"', cart: '[1,2]', nul: '"\\u0000"' })
    t.equal(row.user_id, 'alice')
    t.same([row.created_at, row.last_seen_at, row.renewed_at].map((d: Date) => d.getTime()), [r.createdAt, r.lastSeenAt, r.renewedAt])
    t.ok(row.ttl.hours >= 23, 'expires a day from now')
    const cart = (await pool.query(`SELECT (data->>'cart')::jsonb->1 AS second FROM ${table}`)).rows[0]
    t.equal(cart.second, 2, 'a value is JSON in SQL too')
    t.same(await store.get('hashed-key'), r)
  })

  await t.test('each call is one statement, prepared once per connection (or not, with prepare: false)', async (t) => {
    const single = testPool(t, server, { max: 1 })
    const sent: PgQuery[] = []
    const spy: PgPoolLike = {
      query: async (q) => { sent.push(q); return await single.query(q) },
      connect: async () => await single.connect(),
      get totalCount () { return single.totalCount }
    }
    const store = new PostgresStore({ pool: spy, table: 'prepared', sweepIntervalMs: false })
    t.teardown(() => store.close())
    await store.createSchema()
    sent.length = 0
    await store.set('k', record({ a: 1 }, 'u'), DAY)
    await store.get('k')
    await store.patch('k', { set: { b: 2 }, unset: ['a'], lastSeenAt: Date.now(), user: 'v' }, DAY)
    await store.touch('k', DAY, Date.now())
    await store.listUserSessions('v')
    await store.revokeUser('v')
    await store.destroy('k')
    await store.get('k')
    t.equal(sent.length, 8, 'one round trip per call')
    t.ok(sent.every((q) => typeof q.name === 'string' && q.name.startsWith('fsk_')), 'every statement is named')
    t.equal(new Set(sent.map((q) => q.name)).size, 7, 'one name per statement')
    const prepared = (await single.query('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE \'fsk_%\'')).rows[0].n
    t.equal(prepared, 7, 'prepared on the connection, once each')

    const plain = new PostgresStore({ pool: spy, table: 'prepared', sweepIntervalMs: false, prepare: false })
    sent.length = 0
    await plain.set('p', record({ a: 1 }), DAY)
    t.same((await plain.get('p'))?.data, { a: 1 })
    t.ok(sent.every((q) => q.name === undefined), 'prepare: false sends unnamed statements')
  })

  await t.test('two stores on two tables share one pool without mixing their prepared statements', async (t) => {
    const a = await fresh(t)
    const b = await fresh(t)
    await a.store.set('k', record({ from: 'a' }), DAY)
    await b.store.set('k', record({ from: 'b' }), DAY)
    t.same((await a.store.get('k'))?.data, { from: 'a' })
    t.same((await b.store.get('k'))?.data, { from: 'b' })
  })
})
