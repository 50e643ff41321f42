import t from 'tap'
import { Browser, demo, textOf } from '../helpers/demo-client.js'

t.test('memory store: the admin panel counts each user\'s sessions and ends them on every device', async (t) => {
  const app = await demo(t, 'memory')
  const phone = new Browser(app)
  const laptop = new Browser(app)
  await phone.login('alice')
  await laptop.login('alice')
  const admin = new Browser(app)
  await admin.login('admin')
  const panel = await admin.get('/admin')
  t.equal(textOf(panel.body, 'sessions-alice'), '2')
  t.equal(textOf(panel.body, 'sessions-admin'), '1')
  t.notOk(textOf(panel.body, 'no-revocation'))

  const revoked = await admin.post('/admin/revoke', { user: 'alice' })
  t.equal(revoked.statusCode, 303)
  t.equal(revoked.headers.location, '/admin')
  const after = await admin.get('/admin')
  t.equal(textOf(after.body, 'flash'), 'Ended 2 sessions of alice.')
  t.equal(textOf(after.body, 'sessions-alice'), '0')
  for (const device of [phone, laptop]) {
    t.equal((await device.get('/dashboard', 'application/json')).statusCode, 401, 'alice is logged out on every device')
  }

  const self = await admin.post('/admin/revoke', { user: 'admin' })
  t.equal(self.headers.location, '/')
  const home = await admin.get('/')
  t.equal(textOf(home.body, 'nav-user'), 'Guest', 'ending your own sessions logs you out here too')
  t.equal(textOf(home.body, 'flash'), 'Ended 1 session of admin.')
})

t.test('memory store: only an admin may end sessions', async (t) => {
  const app = await demo(t, 'memory')
  const alice = new Browser(app)
  await alice.login('alice')
  const res = await alice.post('/admin/revoke', { user: 'admin' }, 'application/json')
  t.equal(res.statusCode, 403)
  t.equal(res.json().code, 'FST_SESSION_FORBIDDEN')
})

t.test('cookie store: no session list (nothing is kept on the server) and no revoke route', async (t) => {
  const app = await demo(t, 'cookie')
  const admin = new Browser(app)
  await admin.login('admin')
  const panel = await admin.get('/admin')
  t.equal(panel.statusCode, 200)
  t.ok(textOf(panel.body, 'no-revocation'))
  t.notOk(textOf(panel.body, 'sessions-alice'))
  t.equal((await admin.post('/admin/revoke', { user: 'alice' })).statusCode, 404)
})
