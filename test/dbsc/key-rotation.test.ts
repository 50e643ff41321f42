// A secret rotation ([new, old]) keeps bound sessions bound: the binding, the bound cookie and the
// browser's session identifier made under the old secret are all still recognised.
import Fastify from 'fastify'
import t from 'tap'
import fastifySession, { MemoryStore } from '../../lib/index.js'
import { boundBrowser, dbscApp } from '../helpers/dbsc-scenario.js'
import { listen } from '../helpers/http.js'
import { fakeClock, loginRoutes, OTHER_SECRET, SECRET } from '../helpers/index.js'

t.test('secret rotation', async (t) => {
  const clock = fakeClock(t, Date.now())
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const { app } = await dbscApp(t, store)
  const browser = await boundBrowser(t, `http://127.0.0.1:${(app.server.address() as { port: number }).port}`)
  await app.close()

  const rotated = Fastify()
  t.teardown(() => rotated.close())
  await rotated.register(fastifySession, { secret: [OTHER_SECRET, SECRET], store, dbsc: {} })
  loginRoutes(rotated)
  const base = await listen(rotated)
  const moved = Object.assign(browser, { base })
  t.same(await (await moved.fetch('/me')).json(), { user: 'alice' }, 'the bound cookie made under the old secret still counts')
  clock.tick(601_000)
  const expired = await fetch(`${base}/me`, { headers: { cookie: `sid=${moved.jar.get('sid') as string}` } })
  t.equal(expired.status, 401, 'the binding made under the old secret is still found: no downgrade')
  t.equal((await moved.refresh()).status, 200, 'the browser\'s identifier from before the rotation still refreshes')
  t.same(await (await moved.fetch('/me')).json(), { user: 'alice' })
})
