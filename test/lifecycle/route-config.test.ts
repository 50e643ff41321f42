// The per-request read of a route's config: Fastify's own route context when it is found (no object
// built per request), the public `request.routeOptions.config` otherwise, and the same object either way.
import Fastify, { type FastifyRequest } from 'fastify'
import t from 'tap'
import { findContextKey, routeConfigReader } from '../../lib/route-config.js'

t.test('on a Fastify request, the config read is the route\'s own config object, found without the getter', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const seen: Array<{ key: symbol | null, same: boolean, session: unknown }> = []
  const read = routeConfigReader()
  app.get('/a', { config: { session: false } }, async (request) => {
    seen.push({ key: findContextKey(request), same: read(request) === request.routeOptions.config, session: read(request).session })
    return {}
  })
  app.get('/b', async (request) => {
    seen.push({ key: findContextKey(request), same: read(request) === request.routeOptions.config, session: read(request).session })
    return {}
  })
  await app.inject('/a')
  await app.inject('/b')
  t.equal(seen.length, 2)
  for (const s of seen) {
    t.type(s.key, 'symbol', 'Fastify\'s route context is found')
    t.ok(s.same, 'and its config is the object routeOptions.config returns')
  }
  t.same(seen.map((s) => s.session), [false, undefined], 'each route its own config, from one reader')
})

t.test('without a route context to trust, the public getter is read', async (t) => {
  const config = { session: false }
  const noContext = { routeOptions: { config } } as unknown as FastifyRequest
  const otherConfig = { [Symbol('fastify.context')]: { config: {} }, routeOptions: { config } } as unknown as FastifyRequest
  const empty = { [Symbol('fastify.context')]: undefined, routeOptions: { config } } as unknown as FastifyRequest
  const unrelated = { [Symbol('other')]: { config }, routeOptions: { config } } as unknown as FastifyRequest
  for (const request of [noContext, otherConfig, empty, unrelated]) {
    t.equal(findContextKey(request), null)
    t.equal(routeConfigReader()(request), config)
  }
})
