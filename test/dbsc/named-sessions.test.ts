// Two sessions, each bound on its own: endpoints, bound cookie and binding per sessionName.
import Fastify, { type FastifyRequest } from 'fastify'
import t from 'tap'
import fastifySession, { MemoryStore, type SessionManager } from '../../lib/index.js'
import { DbscBrowser } from '../helpers/dbsc-device.js'
import { listen } from '../helpers/http.js'
import { fakeClock, loose, SECRET, type LooseSession } from '../helpers/index.js'

t.test('a second session with dbsc', async (t) => {
  const clock = fakeClock(t, Date.now())
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, store, dbsc: {} })
  await app.register(fastifySession, { secret: SECRET, store, sessionName: 'adminSession', cookieName: 'admin', dbsc: { cookieTtl: 60 } })
  const admin = (request: FastifyRequest): LooseSession => (request as unknown as { adminSession: LooseSession }).adminSession
  app.get('/admin/login', async (request) => {
    await admin(request).regenerate()
    admin(request).set('userId', 'root')
    return { ok: true }
  })
  app.get('/admin/me', async (request) => ({ user: admin(request).get('userId') ?? null, plain: loose(request).get('userId') ?? null }))
  const base = await listen(app)
  const browser = new DbscBrowser(base)
  await browser.fetch('/admin/login')
  t.match(browser.offer, { path: '/dbsc/adminSession/register' }, 'the offer names the second session\'s endpoint')
  t.equal((await browser.register()).status, 200)
  t.match(browser.instructions, { refresh_url: '/dbsc/adminSession/refresh', credentials: [{ name: 'admin_bound' }] })
  t.same(await (await browser.fetch('/admin/me')).json(), { user: 'root', plain: null })
  t.same((await (app as unknown as { adminSession: SessionManager }).adminSession.listUserSessions('root')).map((s) => s.bound), [true])
  clock.tick(61_000)
  t.equal((await browser.fetch('/admin/me')).status, 401, 'its own, shorter bound cookie lifetime')
})
