import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { cookiePair } from './index.js'

/**
 * The scenario examples/redis.ts and examples/postgres.ts both serve: two instances `a` and `b` of
 * the example app on one backend share logins, the devices list and logout-everywhere.
 */
export async function storeExampleScenario (t: Test, a: FastifyInstance, b: FastifyInstance): Promise<void> {
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
}
