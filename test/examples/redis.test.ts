import t from 'tap'
import { build, redisClient } from '../../examples/redis.js'
import { cookiePair, SECRET } from '../helpers/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'

t.test('examples/redis.ts: two instances on one Redis share logins, devices and logout-everywhere', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const client = await redisClient(redis.url)
  t.teardown(() => client.disconnect())
  const a = await build(client, SECRET)
  t.teardown(() => a.close())
  const b = await build(client, SECRET)
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
})
