// The dbsc option is validated at registration: refused on the cookie store and on a store without a
// per-user index, and every wrong value is a coded error naming the option.
import Fastify from 'fastify'
import t from 'tap'
import fastifySession, { MemoryStore, type FastifySessionOptions, type SessionStore } from '../../lib/index.js'
import { SECRET } from '../helpers/index.js'

async function codeOf (options: Record<string, unknown>): Promise<string> {
  const app = Fastify()
  try {
    await app.register(fastifySession, { secret: SECRET, store: new MemoryStore(), ...options } as FastifySessionOptions)
    await app.ready()
    return 'ok'
  } catch (err) {
    return (err as { code: string }).code
  } finally {
    await app.close()
  }
}

t.test('stores', async (t) => {
  t.equal(await codeOf({ store: undefined, dbsc: {} }), 'FST_SESSION_NOT_SUPPORTED', 'the cookie store has nowhere to keep a device key')
  const memory = new MemoryStore()
  t.teardown(() => memory.close())
  const noIndex: SessionStore = { get: memory.get.bind(memory), set: memory.set.bind(memory), destroy: memory.destroy.bind(memory) }
  t.equal(await codeOf({ store: noIndex, dbsc: {} }), 'FST_SESSION_NOT_SUPPORTED', 'a store without revokeUser cannot consume challenges once')
  t.equal(await codeOf({ dbsc: {} }), 'ok')
})

t.test('values', async (t) => {
  const cases: Array<[unknown, string, string]> = [
    [true, 'FST_SESSION_INVALID_OPTION', 'not an object'],
    [[], 'FST_SESSION_INVALID_OPTION', 'an array'],
    [{ cookieTtI: 5 }, 'FST_SESSION_INVALID_OPTION', 'an unknown key'],
    [{ registrationPath: 'register' }, 'FST_SESSION_INVALID_OPTION', 'a relative path'],
    [{ registrationPath: '//evil.example/r' }, 'FST_SESSION_INVALID_OPTION', 'a protocol-relative path'],
    [{ refreshPath: '/r"x' }, 'FST_SESSION_INVALID_OPTION', 'a quote in a path'],
    [{ refreshPath: '/r?x=1' }, 'FST_SESSION_INVALID_OPTION', 'a query'],
    [{ refreshPath: 5 }, 'FST_SESSION_INVALID_OPTION', 'not a string'],
    [{ registrationPath: '/same', refreshPath: '/same' }, 'FST_SESSION_INVALID_OPTION', 'the same path twice'],
    [{ cookieName: 'sid' }, 'FST_SESSION_INVALID_OPTION', 'the session cookie\'s name'],
    [{ cookieName: 'a b' }, 'FST_SESSION_INVALID_OPTION', 'not a cookie token'],
    [{ cookieTtl: 0 }, 'FST_SESSION_INVALID_TTL', 'a zero lifetime'],
    [{ cookieTtl: 1.5 }, 'FST_SESSION_INVALID_TTL', 'a fraction'],
    [{ cookieTtl: 600, challengeTtl: 600 }, 'FST_SESSION_INVALID_OPTION', 'a challenge that dies with the cookie'],
    [{ require: 'some' }, 'FST_SESSION_INVALID_OPTION', 'an unknown require'],
    [{ redirectTo: 'login' }, 'FST_SESSION_INVALID_OPTION', 'a relative redirect'],
    [{ algorithms: [] }, 'FST_SESSION_INVALID_OPTION', 'no algorithm'],
    [{ algorithms: ['none'] }, 'FST_SESSION_INVALID_OPTION', 'alg none'],
    [{ algorithms: 'ES256' }, 'FST_SESSION_INVALID_OPTION', 'not a list'],
    [{ cookieTtl: 60, challengeTtl: 120, require: 'guarded', redirectTo: '/login', algorithms: ['ES256', 'ES256'], cookieName: '__Host-b' }, 'ok', 'every option at once']
  ]
  for (const [dbsc, code, why] of cases) t.equal(await codeOf({ dbsc }), code, why)
  t.equal(await codeOf({ dbsc: {}, renewAfter: 3600 }), 'FST_SESSION_INVALID_OPTION', 'renewAfter would move the session away from its binding')
  t.equal(await codeOf({ dbsc: {}, cookie: { partitioned: true, secure: true, sameSite: 'none' } }), 'FST_SESSION_INVALID_OPTION', 'browsers refuse a partitioned bound cookie')
})
