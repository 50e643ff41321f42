import t, { type Test } from 'tap'
import { build } from '../../examples/two-sessions.js'
import type { SessionStore } from '../../lib/index.js'
import { OTHER_SECRET, SECRET } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { redisStore } from '../helpers/plugin-stores.js'
import { redisSkip } from '../helpers/redis-server.js'

async function journey (t: Test, store?: SessionStore): Promise<void> {
  const app = await build({ preferences: SECRET, admin: OTHER_SECRET }, store)
  t.teardown(() => app.close())
  const base = await listen(app)
  const jar = new BrowserJar()
  const json = { 'content-type': 'application/json' }
  await jar.fetch(`${base}/theme/dark`)
  t.ok(jar.get('prefs'))
  t.equal((await jar.fetch(`${base}/admin`)).status, 401)
  const wrong = await jar.fetch(`${base}/admin/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'root', password: 'nope' }) })
  t.equal(wrong.status, 401)
  await jar.fetch(`${base}/admin/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'root', password: 'password' }) })
  t.ok(jar.get('admin'))
  t.same(await (await jar.fetch(`${base}/admin`)).json(), { admin: 'root', theme: 'dark' })
  await jar.fetch(`${base}/admin/logout`, { method: 'POST' })
  t.equal(jar.get('admin'), undefined, 'the admin cookie is cleared')
  t.ok(jar.get('prefs'), 'the preferences stay')
  t.equal((await jar.fetch(`${base}/admin`)).status, 401)
}

t.test('examples/two-sessions.ts: preferences in the cookie, admin session in a memory store', async (t) => {
  await journey(t)
})

t.test('examples/two-sessions.ts: the admin session in Redis', { skip: redisSkip() }, async (t) => {
  await journey(t, await redisStore(t) as SessionStore)
})
