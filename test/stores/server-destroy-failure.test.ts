// A store that can read but fails to delete: logout and login must not pretend the old session
// ended. They answer 503 FST_SESSION_STORE_UNAVAILABLE and the old session stays as it was.
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { build, cookiePair, loginRoutes } from '../helpers/index.js'

t.test('destroy() and regenerate() fail closed when the store cannot delete', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const app = await build(t, { store }, loginRoutes)
  const cookie = cookiePair(await app.inject('/login')) as string
  const destroy = store.destroy.bind(store)
  const take = store.take.bind(store)
  store.destroy = async () => { throw new Error('delete failed') }
  store.take = async () => { throw new Error('delete failed') }
  for (const url of ['/logout', '/login']) {
    const res = await app.inject({ url, headers: { cookie } })
    t.equal(res.statusCode, 503, url)
    t.equal(res.json().code, 'FST_SESSION_STORE_UNAVAILABLE', url)
    t.equal(res.headers['set-cookie'], undefined, `${url}: the cookie is left alone`)
  }
  store.destroy = destroy
  store.take = take
  t.same((await app.inject({ url: '/me', headers: { cookie } })).json(), { user: 'alice' }, 'the session is intact')
  await app.inject({ url: '/logout', headers: { cookie } })
  t.same((await app.inject({ url: '/me', headers: { cookie } })).json(), { user: null }, 'and ends once the store works')
})
