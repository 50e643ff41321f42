import t from 'tap'
import { build, postgresPool } from '../../examples/postgres.js'
import { SECRET } from '../helpers/index.js'
import { postgresSkip, startPostgres } from '../helpers/postgres-server.js'
import { storeExampleScenario } from '../helpers/store-example.js'

t.test('examples/postgres.ts: two instances on one database share logins, devices and logout-everywhere', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  const pool = postgresPool(server.url)
  t.teardown(() => pool.end())
  const a = await build(pool, SECRET)
  t.teardown(() => a.close())
  const b = await build(pool, SECRET)
  t.teardown(() => b.close())
  await storeExampleScenario(t, a, b)
  const rows = (await pool.query('SELECT count(*)::int AS n FROM sessions')).rows[0]
  t.ok(rows.n >= 1, 'the sessions live in the "sessions" table')
})
