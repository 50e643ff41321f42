import t from 'tap'
import { build, cookiePair, loose } from '../helpers/index.js'

const values: Record<string, unknown> = { zero: 0, empty: '', no: false, nothing: null, negZero: -0, emptyArray: [], emptyObject: {} }

t.test("0, '', false and null round-trip through the cookie with has() true", async (t) => {
  const app = await build(t, {}, (app) => {
    app.get('/set', async (request) => {
      for (const [k, v] of Object.entries(values)) loose(request).set(k, v)
      return { ok: true }
    })
    app.get('/get', async (request) => {
      const s = loose(request)
      return Object.fromEntries(Object.keys(values).map((k) => [k, { has: s.has(k), value: s.get(k) }]))
    })
  })
  const set = await app.inject('/set')
  const got = (await app.inject({ url: '/get', headers: { cookie: cookiePair(set) } })).json()
  for (const [k, v] of Object.entries(values)) {
    t.equal(got[k].has, true, `${k}: has()`)
    // JSON has no -0; it comes back as 0, which is what JSON.stringify(-0) promises.
    t.strictSame(got[k].value, Object.is(v, -0) ? 0 : v, `${k}: value`)
  }
})
