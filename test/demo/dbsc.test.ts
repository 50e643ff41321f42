// The demo with SESSION_DBSC=1 on the memory store, over real HTTP with a software P-256 key as the
// browser: login offers a binding, and once registered the dashboard says the session is bound.
import t from 'tap'
import { buildDemo, demoOptionsFromEnv } from '../../examples/demo-server.js'
import { DbscBrowser } from '../helpers/dbsc-device.js'
import { listen } from '../helpers/http.js'
import { fakeClock, SECRET } from '../helpers/index.js'

t.test('SESSION_DBSC=1', async (t) => {
  t.equal(demoOptionsFromEnv({ SESSION_STORE: 'memory', SESSION_DBSC: '1' }).dbsc, true)
  const app = await buildDemo({ secret: SECRET, store: 'memory', dbsc: true, logger: false })
  t.teardown(() => app.close())
  const browser = new DbscBrowser(await listen(app))
  // The demo's forms carry a CSRF token (its secret lives in the session): ask for one as the login page would.
  const token = await (await browser.fetch('/csrf-token', { headers: { accept: 'text/plain' } })).text()
  const form = new URLSearchParams({ username: 'alice', password: 'password', next: '/dashboard', _csrf: token })
  const login = await browser.fetch('/login', { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  t.equal(login.status, 303)
  const before = await (await browser.fetch('/dashboard', { headers: { accept: 'application/json' } })).json()
  t.match(before, { user: 'alice', bound: false }, 'a browser without DBSC keeps working, unbound')
  t.ok(browser.offer, 'the login response offered a binding')
  t.equal((await browser.register()).status, 200)
  const page = await (await browser.fetch('/dashboard', { headers: { accept: 'text/html' } })).text()
  t.match(page, /<td id="device-bound">this session is bound to this device<\/td>/)
  fakeClock(t, Date.now()).tick(10_000) // past the grace for the page that loads while the browser registers
  const stolen = await fetch(`${browser.base}/dashboard`, { redirect: 'manual', headers: { accept: 'text/html', cookie: `sid=${browser.jar.get('sid') as string}` } })
  t.equal(stolen.status, 303, 'the session cookie alone is sent to the login page')
  t.equal(stolen.headers.get('location'), '/login')
})
