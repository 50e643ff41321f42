import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, cookiePair, loose, sessionSetCookie, setCookies } from '../helpers/index.js'

function routes (app: FastifyInstance): void {
  app.get('/save-then-change', async (request, reply) => {
    if ((request.query as { other?: string }).other !== undefined) reply.header('set-cookie', 'other=1; Path=/')
    loose(request).set('step', 1)
    await request.session.save()
    const afterSave = reply.getHeader('set-cookie')
    loose(request).set('step', 2)
    return { afterSave }
  })
  app.get('/save-only', async (request, reply) => {
    loose(request).set('step', 1)
    await request.session.save()
    return { afterSave: reply.getHeader('set-cookie') !== undefined }
  })
  app.get('/save-twice', async (request) => {
    loose(request).set('step', 1)
    await request.session.save()
    loose(request).set('step', 2)
    await request.session.save()
    loose(request).set('step', 3)
    return { ok: true }
  })
  app.get('/read', async (request) => ({ step: loose(request).get('step') ?? null }))
}

t.test('save() writes the cookie before the response is sent', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject('/save-only')
  t.same(res.json(), { afterSave: true }, 'the Set-Cookie is on the reply right after save()')
  t.equal(setCookies(res).length, 1, 'onSend adds nothing for an unchanged session')
  const read = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) } })
  t.same(read.json(), { step: 1 })
})

t.test('a change after save() replaces our Set-Cookie instead of adding a second one', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject('/save-then-change')
  t.match(res.json().afterSave, /^sid=/)
  t.equal(setCookies(res).length, 1)
  t.not(sessionSetCookie(res), res.json().afterSave, 'the final cookie is not the early one')
  const read = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) } })
  t.same(read.json(), { step: 2 })
})

t.test('replacing our Set-Cookie keeps the app\'s other cookies', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject('/save-then-change?other')
  const cookies = setCookies(res)
  t.equal(cookies.length, 2)
  t.ok(cookies.includes('other=1; Path=/'))
  const read = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) } })
  t.same(read.json(), { step: 2 })
})

t.test('several saves and a last change: one Set-Cookie with the last data', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject('/save-twice')
  t.equal(setCookies(res).length, 1)
  const read = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) } })
  t.same(read.json(), { step: 3 })
})
