import t from 'tap'
import { build, cookiePair, counterRoutes, fakeClock } from '../helpers/index.js'

t.test('a counter survives across requests on the cookie store', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, {}, counterRoutes)
  const first = await app.inject('/count')
  t.same(first.json(), { n: 1 })
  clock.tick(1000)
  const second = await app.inject({ url: '/count', headers: { cookie: cookiePair(first) } })
  t.same(second.json(), { n: 2 })
})
