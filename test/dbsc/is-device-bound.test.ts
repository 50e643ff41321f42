// isDeviceBound(session): false before registration (and for an anonymous session), true after, and a
// coded error on a session without dbsc.
import t from 'tap'
import { isDeviceBound, MemoryStore } from '../../lib/index.js'
import { DbscBrowser } from '../helpers/dbsc-device.js'
import { dbscApp } from '../helpers/dbsc-scenario.js'
import { build, loginRoutes } from '../helpers/index.js'

t.test('bound or not', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const { base } = await dbscApp(t, store, {}, (app) => {
    loginRoutes(app)
    app.get('/bound', async (request) => ({ bound: await isDeviceBound(request.session) }))
  })
  const browser = new DbscBrowser(base)
  t.same(await (await browser.fetch('/bound')).json(), { bound: false }, 'an anonymous session')
  await browser.fetch('/login')
  t.same(await (await browser.fetch('/bound')).json(), { bound: false }, 'logged in, not registered')
  await browser.register()
  t.same(await (await browser.fetch('/bound')).json(), { bound: true }, 'registered')
})

t.test('a session without dbsc', async (t) => {
  const app = await build(t, {}, (app) => {
    app.get('/bound', async (request) => ({ bound: await isDeviceBound(request.session) }))
  })
  const res = await app.inject('/bound')
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'FST_SESSION_INVALID_OPTION')
})
