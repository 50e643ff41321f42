import t from 'tap'
import { build } from '../../examples/static-files.js'
import { cookiePair, SECRET, sessionSetCookie } from '../helpers/index.js'

t.test('examples/static-files.ts: static files and the health check never read or set a session cookie', async (t) => {
  const app = await build(SECRET)
  t.teardown(() => app.close())
  const first = await app.inject('/visits')
  t.same(first.json(), { visits: 1 })
  t.ok(cookiePair(first), 'a session route sets its cookie')
  const second = await app.inject({ url: '/visits', headers: { cookie: cookiePair(first) as string } })
  t.same(second.json(), { visits: 2 })
  const cookie = cookiePair(second) as string

  const tampered = 'sid=not-a-sealed-cookie'
  t.match(sessionSetCookie(await app.inject({ url: '/visits', headers: { cookie: tampered } })), /^sid=/,
    'a session route answers a bad cookie with a Set-Cookie')
  for (const url of ['/assets/style.css', '/assets/index.html', '/health']) {
    for (const sent of [undefined, cookie, tampered]) {
      const res = await app.inject({ url, headers: sent === undefined ? {} : { cookie: sent } })
      t.equal(res.statusCode, 200, url)
      t.equal(res.headers['set-cookie'], undefined, `${url} with ${sent === undefined ? 'no cookie' : sent === cookie ? 'a session cookie' : 'a bad cookie'}: no Set-Cookie`)
    }
  }
  t.match((await app.inject('/assets/style.css')).body, /font:/)
  t.same((await app.inject({ url: '/visits', headers: { cookie } })).json(), { visits: 3 }, 'the session goes on, untouched by the static requests')
})
