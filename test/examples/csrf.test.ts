import t from 'tap'
import { build } from '../../examples/csrf.js'
import { cookiePair, SECRET } from '../helpers/index.js'

t.test('examples/csrf.ts: a POST without a valid token is refused, with one it is accepted', async (t) => {
  const app = await build(SECRET)
  t.teardown(() => app.close())

  const noSession = await app.inject({ method: 'POST', url: '/transfer', payload: { amount: '5' } })
  t.equal(noSession.statusCode, 403)
  t.equal(noSession.json().code, 'FST_CSRF_MISSING_SECRET', 'no session, no secret')

  const issued = await app.inject('/csrf-token')
  const cookie = cookiePair(issued) as string
  t.ok(cookie, 'the secret lives in the session, so asking for a token starts one')
  t.equal(issued.cookies.length, 1, 'and no other cookie is set')
  const { token } = issued.json() as { token: string }

  const without = await app.inject({ method: 'POST', url: '/transfer', headers: { cookie }, payload: { amount: '5' } })
  t.equal(without.statusCode, 403)
  t.equal(without.json().code, 'FST_CSRF_INVALID_TOKEN')
  const forged = await app.inject({ method: 'POST', url: '/transfer', headers: { cookie, 'x-csrf-token': `${token}x` }, payload: { amount: '5' } })
  t.equal(forged.json().code, 'FST_CSRF_INVALID_TOKEN', 'an altered token is refused')

  const header = await app.inject({ method: 'POST', url: '/transfer', headers: { cookie, 'x-csrf-token': token }, payload: { amount: '5' } })
  t.equal(header.statusCode, 200)
  t.same(header.json(), { sent: 5 })

  const page = await app.inject({ url: '/', headers: { cookie } })
  const field = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string
  t.ok(field, 'the form carries a token in a hidden field')
  const form = await app.inject({
    method: 'POST',
    url: '/transfer',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: field, amount: '7' }).toString()
  })
  t.same(form.json(), { sent: 7 }, 'the form posts with its token')

  const other = cookiePair(await app.inject('/csrf-token')) as string
  const elsewhere = await app.inject({ method: 'POST', url: '/transfer', headers: { cookie: other, 'x-csrf-token': token }, payload: { amount: '5' } })
  t.equal(elsewhere.json().code, 'FST_CSRF_INVALID_TOKEN', 'a token of another session is refused')
})
