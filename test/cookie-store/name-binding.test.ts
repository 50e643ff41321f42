import t from 'tap'
import { build, cookieValue, counterRoutes, sessionSetCookie } from '../helpers/index.js'

t.test('a cookie sealed for one cookie name does not open under another', async (t) => {
  const a = await build(t, { cookieName: 'a_sid' }, counterRoutes)
  const b = await build(t, { cookieName: 'b_sid' }, counterRoutes)
  const value = cookieValue(await a.inject('/count'), 'a_sid')
  t.ok(value)

  const control = await a.inject({ url: '/read', headers: { cookie: `a_sid=${value}` } })
  t.same(control.json(), { n: 1, isNew: false }, 'control: it opens under its own name')

  const moved = await b.inject({ url: '/read', headers: { cookie: `b_sid=${value}` } })
  t.equal(moved.statusCode, 200)
  t.same(moved.json(), { n: null, isNew: true }, 'fresh session under the other name')
  t.match(sessionSetCookie(moved, 'b_sid'), /^b_sid=; Max-Age=0;/, 'the moved cookie is cleared')

  const counted = await b.inject({ url: '/count', headers: { cookie: `b_sid=${value}` } })
  t.same(counted.json(), { n: 1 }, 'a write starts from empty data')
})

t.test('the cookie of another name in the same header is ignored', async (t) => {
  const a = await build(t, { cookieName: 'a_sid' }, counterRoutes)
  const value = cookieValue(await a.inject('/count'), 'a_sid')
  const res = await a.inject({ url: '/read', headers: { cookie: `xa_sid=${value}; a_sidx=${value}` } })
  t.same(res.json(), { n: null, isNew: true })
  t.equal(sessionSetCookie(res, 'a_sid'), undefined, 'no cookie of ours came in, so none is cleared')
})
