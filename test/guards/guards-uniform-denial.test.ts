import t from 'tap'
import { requireAdmin, requireLogin } from '../../lib/index.js'
import { build, cookiePair, fakeClock, loose } from '../helpers/index.js'

t.test('a denial looks the same whether a session existed or not', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, { ttl: 60 }, (app) => {
    app.get('/visit', async (request) => {
      loose(request).set('theme', 'dark')
      return { ok: true }
    })
    app.get('/login', async (request) => {
      loose(request).set('userId', 'u')
      return { ok: true }
    })
    app.get('/private', { preHandler: requireLogin({ redirectTo: '/login' }) }, async () => ({ ok: true }))
    app.get('/admin', { preHandler: requireAdmin() }, async () => ({ ok: true }))
  })
  const anonymous = cookiePair(await app.inject('/visit')) as string
  const expiring = cookiePair(await app.inject('/login')) as string
  const kinds: Record<string, Record<string, string>> = {
    'no cookie': {},
    'an anonymous session': { cookie: anonymous },
    'a garbage cookie': { cookie: 'sid=garbage' },
    'a tampered cookie': { cookie: `${anonymous.slice(0, -4)}AAAA` },
    'another cookie only': { cookie: 'other=1' }
  }
  clock.tick(61_000)
  kinds['an expired login'] = { cookie: expiring }

  for (const [url, accept] of [['/private', 'application/json'], ['/private', 'text/html'], ['/admin', 'application/json']] as const) {
    const seen = new Map<string, string>()
    for (const [kind, headers] of Object.entries(kinds)) {
      const res = await app.inject({ url, headers: { ...headers, accept } })
      seen.set(kind, JSON.stringify([res.statusCode, res.body, res.headers.location, res.headers['cache-control'], res.headers['content-type']]))
    }
    t.equal(new Set(seen.values()).size, 1, `${url} (${accept}): one response for every kind of absent login`)
    const [status] = JSON.parse(seen.get('no cookie') as string) as [number]
    t.equal(status, accept === 'text/html' ? 303 : 401)
  }
})
