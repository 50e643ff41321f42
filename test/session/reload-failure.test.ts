// reload() when the store fails to answer: FST_SESSION_STORE_UNAVAILABLE, and the session is anonymous
// (a session that could not be read again must not go on as if it had been), on a server store.
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { build, cookiePair, errorCode, loose } from '../helpers/index.js'

t.test('a reload the store cannot answer throws 503 and leaves the session anonymous', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const app = await build(t, { store }, (app) => {
    app.get('/login', async (request) => {
      loose(request).set('userId', 'alice')
      return { ok: true }
    })
    app.get('/reload', async (request) => {
      const get = store.get.bind(store)
      store.get = async () => { throw new Error('store down') }
      const code = await errorCode(async () => { await request.session.reload() })
      store.get = get
      return { code, user: loose(request).get('userId') ?? null, isNew: request.session.isNew }
    })
  })
  const cookie = cookiePair(await app.inject('/login')) as string
  t.same((await app.inject({ url: '/reload', headers: { cookie } })).json(), { code: 'FST_SESSION_STORE_UNAVAILABLE', user: null, isNew: true })
})
