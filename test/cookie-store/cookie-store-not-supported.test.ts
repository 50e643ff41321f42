import t from 'tap'
import { build } from '../helpers/index.js'

t.test('revokeUser and listUserSessions on the cookie store reject with FST_SESSION_NOT_SUPPORTED', async (t) => {
  const app = await build(t)
  await t.rejects(app.session.revokeUser('u-1'), { code: 'FST_SESSION_NOT_SUPPORTED' })
  await t.rejects(app.session.revokeUser(42), { code: 'FST_SESSION_NOT_SUPPORTED' })
  await t.rejects(app.session.listUserSessions('u-1'), { code: 'FST_SESSION_NOT_SUPPORTED' })
})
