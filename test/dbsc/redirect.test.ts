// require: 'all' with redirectTo: a refused page request of a bound session is sent there (303) before
// its handler runs; an API request gets 401 JSON.
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { boundBrowser, dbscApp } from '../helpers/dbsc-scenario.js'
import { fakeClock } from '../helpers/index.js'

t.test('redirectTo', async (t) => {
  const clock = fakeClock(t, Date.now())
  const store = new MemoryStore()
  t.teardown(() => store.close())
  let ran = 0
  const { base } = await dbscApp(t, store, { dbsc: { redirectTo: '/login' } }, (app) => {
    app.get('/login', async () => ({ form: true }))
    app.get('/sign-in', async (request) => {
      await request.session.regenerate()
      request.session.set('userId' as never, 'alice' as never)
      return { ok: true }
    })
    app.get('/page', async () => {
      ran++
      return { ok: true }
    })
  })
  const browser = await boundBrowser(t, base, undefined, '/sign-in')
  clock.tick(10_000)
  const sid = `sid=${browser.jar.get('sid') as string}`
  const page = await fetch(`${base}/page`, { redirect: 'manual', headers: { accept: 'text/html', cookie: sid } })
  t.equal(page.status, 303)
  t.equal(page.headers.get('location'), '/login')
  const api = await fetch(`${base}/page`, { headers: { accept: 'application/json', cookie: sid } })
  t.equal(api.status, 401)
  t.equal(ran, 0, 'the handler never ran')
})
