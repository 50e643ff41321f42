// revokeUser ends a user's bound and unbound sessions and their bindings, counting sessions only;
// listUserSessions says which are bound and lists no binding as a session.
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { DbscBrowser } from '../helpers/dbsc-device.js'
import { boundBrowser, dbscApp } from '../helpers/dbsc-scenario.js'

t.test('revokeUser and listUserSessions', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const { app, base } = await dbscApp(t, store)
  const bound = await boundBrowser(t, base)
  const plain = new DbscBrowser(base)
  await plain.fetch('/login')
  const list = await app.session.listUserSessions('alice')
  t.same(list.map((s) => s.bound).sort(), [false, true], 'two sessions, one of them bound')
  t.equal(await app.session.revokeUser('alice'), 2, 'two sessions ended (the binding is not counted)')
  t.same(await app.session.listUserSessions('alice'), [])
  const refresh = await bound.refresh()
  t.equal(refresh.status, 401, 'the revoked session cannot be refreshed')
  t.equal(store.size, 2, 'all that is left: two unused challenges (the plain session\'s registration offer, the bound one\'s next refresh), which expire')
})
