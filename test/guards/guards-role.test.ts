import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { requireAdmin, requireRole, type Session } from '../../lib/index.js'
import { build, cookiePair, loose } from '../helpers/index.js'

function routes (app: FastifyInstance): void {
  app.post('/login', async (request) => {
    for (const [k, v] of Object.entries(request.body as Record<string, unknown>)) loose(request).set(k, v)
    return { ok: true }
  })
  app.get('/admin', { preHandler: requireAdmin() }, async () => ({ page: 'admin' }))
  app.get('/admin-html', { preHandler: requireAdmin({ redirectTo: '/login' }) }, async () => ({ page: 'admin' }))
  app.get('/reports', { preHandler: requireRole(['admin', 'auditor']) }, async () => ({ page: 'reports' }))
  app.get('/editor', { preHandler: requireRole('editor', { roleKey: 'perm' }) }, async () => ({ page: 'editor' }))
  app.get('/sync-auth', {
    preHandler: requireRole('user', { isAuthenticated: (session: Session) => (session as unknown as { get (k: string): unknown }).get('account') !== undefined })
  }, async () => ({ page: 'sync' }))
  app.get('/async-auth', {
    preHandler: requireRole('user', {
      isAuthenticated: async (_session: Session, request) => {
        await new Promise((resolve) => setTimeout(resolve, 1))
        return request.headers['x-token'] === 'good'
      }
    })
  }, async () => ({ page: 'async' }))
}

async function as (app: FastifyInstance, data: Record<string, unknown>): Promise<string> {
  return cookiePair(await app.inject({ method: 'POST', url: '/login', payload: data })) as string
}

t.test('requireRole: 401 when not logged in, before any role check', async (t) => {
  const app = await build(t, {}, routes)
  const roleOnly = await as(app, { role: 'admin' })
  for (const cookie of [undefined, roleOnly]) {
    const headers: Record<string, string> = cookie === undefined ? {} : { cookie }
    const res = await app.inject({ url: '/admin', headers })
    t.equal(res.statusCode, 401)
    t.equal(res.json().code, 'FST_SESSION_UNAUTHORIZED')
    t.equal(res.headers['cache-control'], 'no-store')
  }
  const html = await app.inject({ url: '/admin-html', headers: { accept: 'text/html' } })
  t.equal(html.statusCode, 303, 'the redirect applies to role guards too')
  t.equal(html.headers.location, '/login?next=%2Fadmin-html')
})

t.test('requireRole: 403 FST_SESSION_FORBIDDEN with no-store for the wrong role', async (t) => {
  const app = await build(t, {}, routes)
  for (const role of ['user', 'Admin', undefined, null, 42, ['user', 'guest'], [], { admin: true }]) {
    const cookie = await as(app, role === undefined ? { userId: 'u' } : { userId: 'u', role })
    const res = await app.inject({ url: '/admin', headers: { cookie, accept: 'text/html' } })
    t.equal(res.statusCode, 403, `role ${JSON.stringify(role)}`)
    t.equal(res.json().code, 'FST_SESSION_FORBIDDEN')
    t.equal(res.headers['cache-control'], 'no-store')
  }
})

t.test('requireAdmin lets an admin through', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject({ url: '/admin', headers: { cookie: await as(app, { userId: 'u', role: 'admin' }) } })
  t.same(res.json(), { page: 'admin' })
  t.equal(res.headers['cache-control'], undefined)
})

t.test('role arrays: any allowed role in the route list, any held role in the session', async (t) => {
  const app = await build(t, {}, routes)
  for (const role of ['auditor', 'admin', ['guest', 'auditor']]) {
    const res = await app.inject({ url: '/reports', headers: { cookie: await as(app, { userId: 'u', role }) } })
    t.same(res.json(), { page: 'reports' }, JSON.stringify(role))
  }
  const res = await app.inject({ url: '/reports', headers: { cookie: await as(app, { userId: 'u', role: ['guest', 1] }) } })
  t.equal(res.statusCode, 403)
})

t.test('a custom roleKey is read instead of role', async (t) => {
  const app = await build(t, {}, routes)
  const ok = await app.inject({ url: '/editor', headers: { cookie: await as(app, { userId: 'u', perm: 'editor' }) } })
  t.same(ok.json(), { page: 'editor' })
  const wrongKey = await app.inject({ url: '/editor', headers: { cookie: await as(app, { userId: 'u', role: 'editor' }) } })
  t.equal(wrongKey.statusCode, 403)
})

t.test('custom isAuthenticated, sync and async', async (t) => {
  const app = await build(t, {}, routes)
  const syncOk = await app.inject({ url: '/sync-auth', headers: { cookie: await as(app, { account: 'a', role: 'user' }) } })
  t.same(syncOk.json(), { page: 'sync' }, 'no userId needed when the custom check passes')
  const syncNo = await app.inject({ url: '/sync-auth', headers: { cookie: await as(app, { userId: 'u', role: 'user' }) } })
  t.equal(syncNo.statusCode, 401)

  const cookie = await as(app, { role: 'user' })
  const asyncOk = await app.inject({ url: '/async-auth', headers: { cookie, 'x-token': 'good' } })
  t.same(asyncOk.json(), { page: 'async' })
  const asyncNo = await app.inject({ url: '/async-auth', headers: { cookie, 'x-token': 'bad' } })
  t.equal(asyncNo.statusCode, 401)
  const asyncWrongRole = await app.inject({ url: '/async-auth', headers: { cookie: await as(app, { role: 'guest' }), 'x-token': 'good' } })
  t.equal(asyncWrongRole.statusCode, 403)
})
