// Replies that skip onSend: reply.hijack() and writing to reply.raw. A save() made while the headers
// can still be sent puts the cookie on the raw response too (Fastify's own headers never go out on a
// hijacked reply), without ever doubling it on a normal reply. A change left unsaved logs one warning
// naming the route. Once the headers are out, what needs a cookie is refused with a coded error.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import t from 'tap'
import { build, captureLogs, eventually, loginRoutes, loose, errorCode } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { everyStore } from '../helpers/plugin-stores.js'

function endRaw (reply: FastifyReply, body: unknown): void {
  reply.raw.writeHead(200, { 'content-type': 'application/json' })
  reply.raw.end(JSON.stringify(body))
}

function routes (app: FastifyInstance): void {
  loginRoutes(app)
  app.get('/data', async (request) => ({ n: loose(request).get('n') ?? null, user: loose(request).get('userId') ?? null }))
  app.get('/save-then-hijack', async (request, reply) => {
    loose(request).set('n', 1)
    await request.session.save()
    reply.hijack()
    endRaw(reply, { ok: true })
  })
  app.get('/hijack-then-save', async (request, reply) => {
    reply.hijack()
    reply.raw.setHeader('set-cookie', 'theme=dark; Path=/')
    loose(request).set('n', 2)
    await request.session.save()
    loose(request).set('n', 3)
    await request.session.save()
    await request.session.save()
    endRaw(reply, { ok: true })
  })
  app.get('/save-then-send', async (request) => {
    loose(request).set('n', 4)
    await request.session.save()
    loose(request).set('n', 5)
    return { ok: true }
  })
  app.get('/hijack-unsaved', async (request: FastifyRequest, reply) => {
    loose(request).set('n', 6)
    reply.hijack()
    endRaw(reply, { ok: true })
  })
  app.get('/hijack-destroy-unsaved', async (request, reply) => {
    await request.session.destroy()
    reply.hijack()
    endRaw(reply, { ok: true })
  })
  app.get('/after-headers', async (request, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, { 'content-type': 'application/json' })
    reply.raw.write('')
    loose(request).set('n', 7)
    const save = await errorCode(async () => { await request.session.save() })
    const regenerate = await errorCode(async () => { await request.session.regenerate(true) })
    reply.raw.end(JSON.stringify({ save, regenerate }))
  })
  app.get('/after-headers-destroy', async (request, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, { 'content-type': 'application/json' })
    reply.raw.end(JSON.stringify({ destroy: await errorCode(async () => { await request.session.destroy() }) }))
  })
  app.get('/dropped', async (request, reply) => {
    loose(request).set('n', 8)
    reply.raw.destroy()
    return { never: 'seen' }
  })
}

function sids (res: Response): string[] {
  return res.headers.getSetCookie().filter((c) => c.startsWith('sid='))
}

everyStore(t, 'hijacked and raw replies get their cookie from save(), and an unsaved change is never silent', async (t, store, name) => {
  const logs = captureLogs('warn')
  const app = await build(t, { store }, routes, logs.options)
  const base = await listen(app)
  const server = name !== 'cookie store'
  const warnings = (): unknown[] => logs.lines.filter((l) => String(l.msg).includes('never saved')).map((l) => l.route)

  await t.test('save() before hijack(): the raw response carries the cookie', async (t) => {
    const jar = new BrowserJar()
    const res = await jar.fetch(`${base}/save-then-hijack`)
    t.equal(sids(res).length, 1)
    t.same(await (await jar.fetch(`${base}/data`)).json(), { n: 1, user: null })
  })

  await t.test('save() after hijack(), before the headers: the latest cookie replaces the earlier one, beside the app\'s own', async (t) => {
    const jar = new BrowserJar()
    const res = await jar.fetch(`${base}/hijack-then-save`)
    t.equal(sids(res).length, 1, 'one session cookie though save() ran three times')
    t.ok(res.headers.getSetCookie().includes('theme=dark; Path=/'), 'the app\'s raw cookie stays')
    t.same(await (await jar.fetch(`${base}/data`)).json(), { n: 3, user: null })
  })

  await t.test('save() on a normal reply: one Set-Cookie, with what changed after the save too', async (t) => {
    const jar = new BrowserJar()
    const res = await jar.fetch(`${base}/save-then-send`)
    t.equal(sids(res).length, 1)
    t.same(await (await jar.fetch(`${base}/data`)).json(), { n: 5, user: null })
  })

  await t.test('a change never saved on a hijacked reply: not persisted, one warning naming the route', async (t) => {
    const jar = new BrowserJar()
    const before = warnings().length
    const res = await jar.fetch(`${base}/hijack-unsaved`)
    await res.json()
    t.same(sids(res), [])
    await eventually(() => warnings().length > before)
    t.same(warnings().slice(before), ['GET /hijack-unsaved'])
    t.same(await (await jar.fetch(`${base}/data`)).json(), { n: null, user: null })
  })

  await t.test('a destroy() never saved on a hijacked reply warns too', async (t) => {
    const jar = new BrowserJar()
    await jar.fetch(`${base}/login`)
    const before = warnings().length
    await (await jar.fetch(`${base}/hijack-destroy-unsaved`)).json()
    await eventually(() => warnings().length > before)
    t.same(warnings().slice(before), ['GET /hijack-destroy-unsaved'])
    // A server store's record is gone all the same; the cookie store's cookie was never cleared.
    t.same(await (await jar.fetch(`${base}/data`)).json(), { n: null, user: server ? null : 'alice' })
  })

  await t.test('after the headers went out: what needs a cookie is refused, a server store saves in place', async (t) => {
    const fresh = await (await fetch(`${base}/after-headers`)).json()
    t.same(fresh, { save: 'FST_SESSION_COOKIE_UNSENDABLE', regenerate: 'FST_SESSION_COOKIE_UNSENDABLE' }, 'a new session needs a cookie on every store')
    const jar = new BrowserJar()
    await jar.fetch(`${base}/login`)
    const known = await (await jar.fetch(`${base}/after-headers`)).json()
    t.same(known, { save: server ? 'ok' : 'FST_SESSION_COOKIE_UNSENDABLE', regenerate: 'FST_SESSION_COOKIE_UNSENDABLE' })
    t.same(await (await jar.fetch(`${base}/data`)).json(), { n: server ? 7 : null, user: 'alice' }, 'saved under the id the browser has')
    const destroyed = await (await jar.fetch(`${base}/after-headers-destroy`)).json()
    t.same(destroyed, { destroy: server ? 'ok' : 'FST_SESSION_COOKIE_UNSENDABLE' }, 'the cookie store cannot end a session without its cookie')
    t.same(await (await jar.fetch(`${base}/data`)).json(), server ? { n: null, user: null } : { n: null, user: 'alice' })
  })

  await t.test('a response that was dropped, not sent, is no hijacked reply: no warning', async (t) => {
    const before = warnings().length
    await t.rejects(fetch(`${base}/dropped`))
    await new Promise((resolve) => setTimeout(resolve, 50))
    t.same(warnings().slice(before), [])
  })
})
