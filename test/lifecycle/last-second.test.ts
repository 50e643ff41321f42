// The reported case: ttl 2, absoluteTtl 2, a request every half second from a browser that honours
// Max-Age. With Max-Age rounded down the browser got Max-Age=0 at 1.5 s and dropped a cookie the
// server would still have accepted; rounded up, the user stays logged in until the server refuses.
import t from 'tap'
import { build, fakeClock, loginRoutes } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { everyStore } from '../helpers/plugin-stores.js'

function maxAge (res: Response): string | undefined {
  return /Max-Age=(\d+)/.exec(res.headers.getSetCookie().find((c) => c.startsWith('sid=')) ?? '')?.[1]
}

everyStore(t, 'the browser keeps the cookie as long as the server accepts it, and not a millisecond longer is accepted', async (t, store) => {
  const clock = fakeClock(t)
  const app = await build(t, { store, ttl: 2, absoluteTtl: 2 }, loginRoutes)
  const base = await listen(app)
  const jar = new BrowserJar()
  const me = async (): Promise<unknown> => (await (await jar.fetch(`${base}/me`)).json() as { user: unknown }).user

  const login = await jar.fetch(`${base}/login`)
  t.equal(maxAge(login), '2')
  for (const at of [500, 1000, 1500]) {
    clock.tick(500)
    t.equal(await me(), 'alice', `still logged in at ${at} ms`)
  }
  t.ok(jar.get('sid'), 'the browser still holds the cookie in the last half second')
  clock.tick(499)
  const last = await jar.fetch(`${base}/me`)
  t.same(await last.json(), { user: 'alice' }, 'logged in 1 ms before the absolute limit')
  t.equal(maxAge(last), '1', 'the last refresh gets a whole second, not Max-Age=0')
  clock.tick(1)
  t.equal(await me(), null, 'refused at 2 s exactly: the server enforces the lifetime to the millisecond')
  t.equal(jar.get('sid'), undefined, 'and the refused cookie is cleared')
})
