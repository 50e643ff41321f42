import t from 'tap'
import { build, postgresPool } from '../../examples/postgres.js'
import { cookiePair, SECRET } from '../helpers/index.js'
import { postgresSkip, startPostgres } from '../helpers/postgres-server.js'

t.test('examples/postgres.ts: two instances on one database share logins, devices and logout-everywhere', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  const pool = postgresPool(server.url)
  t.teardown(() => pool.end())
  const a = await build(pool, SECRET)
  t.teardown(() => a.close())
  const b = await build(pool, SECRET)
  t.teardown(() => b.close())
  const first = await a.inject({ method: 'POST', url: '/login/alice' })
  t.equal(first.statusCode, 200, first.body)
  const phone = cookiePair(first) as string
  const laptop = cookiePair(await b.inject({ method: 'POST', url: '/login/alice' })) as string
  t.same((await b.inject({ url: '/', headers: { cookie: phone } })).json(), { user: 'alice', visits: 1 })
  t.same((await a.inject({ url: '/', headers: { cookie: phone } })).json(), { user: 'alice', visits: 2 })
  const devices = (await a.inject({ url: '/devices', headers: { cookie: laptop } })).json() as Array<Record<string, number>>
  t.equal(devices.length, 2)
  t.same(Object.keys(devices[0] as object).sort(), ['createdAt', 'lastSeenAt'])
  t.same((await b.inject({ method: 'POST', url: '/logout-everywhere', headers: { cookie: phone } })).json(), { ended: 2 })
  t.equal((await a.inject({ url: '/devices', headers: { cookie: laptop } })).statusCode, 401)
  const again = cookiePair(await a.inject({ method: 'POST', url: '/login/bob' })) as string
  t.same((await b.inject({ method: 'POST', url: '/logout', headers: { cookie: again } })).json(), { loggedOut: true })
  t.same((await a.inject({ url: '/', headers: { cookie: again } })).json(), { user: null, visits: 1 })
  const rows = (await pool.query('SELECT count(*)::int AS n FROM sessions')).rows[0]
  t.ok(rows.n >= 1, 'the sessions live in the "sessions" table')
})
