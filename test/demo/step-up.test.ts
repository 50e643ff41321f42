// The demo's step-up: login records a password proof, and ending sessions from the admin panel needs one
// from the last 10 minutes (requireRecentAuth({ maxAge: 600 })). With a fake clock on the memory store:
// in time it works, past it a browser gets the "confirm it is you" page and an API client 401 JSON, the
// sessions stay, and logging in again makes the action work again.
import t from 'tap'
import { fakeClock } from '../helpers/index.js'
import { Browser, demo, textOf } from '../helpers/demo-client.js'

t.test('memory store: ending sessions needs a login in the last 10 minutes', async (t) => {
  const clock = fakeClock(t, Date.now())
  const app = await demo(t, 'memory')
  const alice = new Browser(app)
  await alice.login('alice')
  const admin = new Browser(app)
  await admin.login('admin')
  t.match(textOf((await admin.get('/admin')).body, 'admin-panel') ?? '', /Log out everywhere/)

  clock.tick(600_000)
  const inTime = await admin.post('/admin/revoke', { user: 'alice' })
  t.equal(inTime.statusCode, 303, 'exactly 10 minutes after the login: allowed')
  t.equal(inTime.headers.location, '/admin')
  await alice.login('alice')

  clock.tick(1)
  const page = await admin.post('/admin/revoke', { user: 'alice' })
  t.equal(page.statusCode, 401, 'a moment later: refused')
  t.ok(textOf(page.body, 'error-reauth'), 'the browser gets the "confirm it is you" page')
  t.match(page.body, /href="\/login\?next=%2Fadmin"/, 'which leads to the login form and back to the panel')
  t.equal(page.headers['cache-control'], 'no-store')
  const api = await admin.postJson('/admin/revoke', { user: 'alice' })
  t.equal(api.statusCode, 401)
  t.equal(api.json().code, 'FST_SESSION_REAUTH_REQUIRED')
  t.match(api.json().message, /\(expired\)$/)
  t.equal(textOf((await admin.get('/admin')).body, 'sessions-alice'), '1', 'alice\'s session was not ended')
  t.equal((await alice.get('/dashboard', 'application/json')).statusCode, 200, 'and she is still logged in')

  const again = await admin.login('admin', 'password', '/admin')
  t.equal(again.headers.location, '/admin', 'logging in again leads back to the panel')
  const done = await admin.post('/admin/revoke', { user: 'alice' })
  t.equal(done.statusCode, 303, 'with a fresh proof the action works again')
  t.equal((await alice.get('/dashboard', 'application/json')).statusCode, 401, 'alice is logged out')
})

t.test('memory store: the role is checked before the proof, so a user without it still gets 403', async (t) => {
  const clock = fakeClock(t, Date.now())
  const app = await demo(t, 'memory')
  const alice = new Browser(app)
  await alice.login('alice')
  clock.tick(600_001)
  const res = await alice.postJson('/admin/revoke', { user: 'admin' })
  t.equal(res.statusCode, 403)
  t.equal(res.json().code, 'FST_SESSION_FORBIDDEN')
})
