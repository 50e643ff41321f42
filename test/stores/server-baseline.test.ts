import t from 'tap'
import type { SessionRecord, SessionStore } from '../../lib/index.js'
import { build, loose } from '../helpers/index.js'

// The change-detection baseline of a server-store session is its data's JSON as loaded. A store that
// keeps objects rather than JSON may hand back a key whose value is undefined: JSON leaves such a key
// out, and so must the baseline, or an untouched session would look changed.
t.test('a loaded key whose value is undefined is left out of the baseline, as JSON.stringify leaves it out', async (t) => {
  const rows = new Map<string, SessionRecord>()
  let sets = 0
  const store: SessionStore = {
    async get (key) { return structuredClone(rows.get(key)) },
    async set (key, record) { sets++; rows.set(key, structuredClone(record)) },
    async destroy (key) { rows.delete(key) }
  }
  const app = await build(t, { store }, (app) => {
    app.get('/login', async (request) => {
      loose(request).set('userId', 'u-1')
      loose(request).set('prefs', { theme: 'dark' })
      return { ok: true }
    })
    app.get('/look', async (request) => {
      // An object handed out may be mutated: the data is compared with the baseline on the way out.
      loose(request).get('prefs')
      return { changed: request.session.changed, userId: loose(request).get('userId') }
    })
  })
  const login = await app.inject('/login')
  const cookie = (login.headers['set-cookie'] as string).split(';')[0] as string
  for (const record of rows.values()) record.data.profile = undefined
  t.equal(sets, 1)
  const res = await app.inject({ url: '/look', headers: { cookie } })
  t.same(res.json(), { changed: false, userId: 'u-1' }, 'not changed')
  t.equal(sets, 1, 'nothing written')
})
