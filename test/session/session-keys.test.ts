import t from 'tap'
import { build, loose } from '../helpers/index.js'

// Plugins written for @fastify/secure-session list a session's keys with Object.keys(request.session);
// the listing must show the data keys, and nothing else about the session may change: values are
// read only through get(), and serialising the session shows no data.
t.test('Object.keys(request.session) lists the data keys, and only the keys', async (t) => {
  const app = await build(t, {}, (app) => {
    app.get('/', async (request) => {
      const before = Object.keys(request.session)
      loose(request).set('cart', ['apple'])
      loose(request).set('theme', 'dark')
      loose(request).set('get', 1)
      const session = request.session as unknown as Record<string, unknown>
      return {
        before,
        after: Object.keys(request.session),
        hasOwn: Object.hasOwn(session, 'cart'),
        hasOwnOther: Object.hasOwn(session, 'nope') || Object.hasOwn(session, 'regenerate') || Object.hasOwn(session, Symbol.iterator),
        descriptorValue: Object.getOwnPropertyDescriptor(session, 'cart')?.value ?? null,
        propertyRead: session.cart ?? null,
        methodStillWorks: loose(request).get('get'),
        json: JSON.stringify(request.session),
        isSession: typeof request.session.regenerate === 'function'
      }
    })
  })
  const res = await app.inject('/')
  t.same(res.json(), {
    before: [],
    after: ['cart', 'theme', 'get'],
    hasOwn: true,
    hasOwnOther: false,
    descriptorValue: null,
    propertyRead: null,
    methodStillWorks: 1,
    json: '{}',
    isSession: true
  })
})
