import flash from '@fastify/flash'
import t, { type Test } from 'tap'
import { build } from '../helpers/index.js'
import { type AnyStore, Jar, LOCAL_STORES, redisStore } from '../helpers/plugin-stores.js'
import { redisSkip } from '../helpers/redis-server.js'

// @fastify/flash keeps its messages under the 'flash' key through request.session.get/set: a message
// set on one request is shown on the next one only.
async function flashSuite (t: Test, store: AnyStore): Promise<void> {
  const app = await build(t, { store }, async (app) => {
    await app.register(flash)
    app.post('/save', async (request) => {
      request.flash('info', 'Saved %s', 'the profile')
      request.flash('warning', ['check your email', 'and your phone'])
      return { ok: true }
    })
    app.get('/show', async (_request, reply) => ({
      info: reply.flash('info'),
      warning: reply.flash('warning')
    }))
  })
  const jar = new Jar()

  const saved = jar.take(await app.inject({ method: 'POST', url: '/save' }))
  t.equal(saved.statusCode, 200)
  t.ok(jar.get('sid'), 'flashing a message starts a session')

  const shown = jar.take(await app.inject({ url: '/show', headers: jar.headers() }))
  t.same(shown.json(), { info: ['Saved the profile'], warning: ['check your email', 'and your phone'] })

  const again = jar.take(await app.inject({ url: '/show', headers: jar.headers() }))
  t.same(again.json(), { info: [], warning: [] }, 'a flash message is shown once')

  const fresh = await app.inject({ url: '/show' })
  t.same(fresh.json(), { info: [], warning: [] }, 'another client never sees it')
}

for (const [name, makeStore] of LOCAL_STORES) {
  t.test(`@fastify/flash on the ${name}: set on one request, shown once on the next`, async (t) => {
    await flashSuite(t, makeStore())
  })
}

t.test('@fastify/flash on the redis store: set on one request, shown once on the next', { skip: redisSkip() }, async (t) => {
  await flashSuite(t, await redisStore(t))
})
