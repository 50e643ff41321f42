// session.reload() over HTTP: the session as stored, unsaved changes dropped; a session never written
// reloads empty; one that expired in the meantime becomes anonymous and its cookie is cleared.
import t from 'tap'
import { build, cookiePair, fakeClock, loose, sessionSetCookie } from '../helpers/index.js'
import { everyStore } from '../helpers/plugin-stores.js'

everyStore(t, 'reload() gives back the stored session, or an anonymous one', async (t, store) => {
  const clock = fakeClock(t)
  const app = await build(t, { store, ttl: 60 }, (app) => {
    app.get('/write', async (request) => {
      loose(request).set('n', 1)
      return { ok: true }
    })
    app.get('/reload', async (request) => {
      loose(request).set('n', 99)
      loose(request).set('other', true)
      await request.session.reload()
      return { n: loose(request).get('n') ?? null, other: loose(request).has('other'), isNew: request.session.isNew }
    })
    app.get('/expire-then-reload', async (request) => {
      clock.tick(60_001)
      await request.session.reload()
      return { n: loose(request).get('n') ?? null, isNew: request.session.isNew }
    })
  })

  const fresh = await app.inject('/reload')
  t.same(fresh.json(), { n: null, other: false, isNew: true }, 'a session never written reloads empty')
  t.equal(sessionSetCookie(fresh), undefined, 'and nothing is written for it')

  const cookie = cookiePair(await app.inject('/write')) as string
  const reloaded = await app.inject({ url: '/reload', headers: { cookie } })
  t.same(reloaded.json(), { n: 1, other: false, isNew: false }, 'the stored data, unsaved changes dropped')
  t.equal(sessionSetCookie(reloaded), undefined, 'nothing changed, nothing written')

  const expired = await app.inject({ url: '/expire-then-reload', headers: { cookie } })
  t.same(expired.json(), { n: null, isNew: true }, 'expired while the request ran: anonymous')
  t.match(sessionSetCookie(expired), /^sid=; Max-Age=0;/, 'and its cookie is cleared')
})
