import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, captureLogs, cookieBytes, cookieValue, loose, sessionSetCookie } from '../helpers/index.js'
import { HEAD, SEALED_HEADER_BYTES } from '../helpers/sealed-cookies.js'

function routes (app: FastifyInstance): void {
  app.get('/login', async (request) => {
    loose(request).set('userId', 'u-1')
    loose(request).set('role', 'admin')
    return { ok: true }
  })
  app.get('/me', async (request) => ({
    userId: loose(request).get('userId') ?? null,
    role: loose(request).get('role') ?? null,
    isNew: request.session.isNew
  }))
}

t.test('every byte of a real cookie flipped: never authenticated, never 5xx, stale cookie cleared', async (t) => {
  const logs = captureLogs()
  const app = await build(t, {}, routes, logs.options)
  const value = cookieValue(await app.inject('/login')) as string
  const control = await app.inject({ url: '/me', headers: { cookie: `sid=${value}` } })
  t.same(control.json(), { userId: 'u-1', role: 'admin', isNew: false }, 'control: the untouched cookie authenticates')

  const bytes = cookieBytes(value)
  let authenticated = 0
  let serverErrors = 0
  let notCleared = 0
  for (let i = 0; i < bytes.length; i++) {
    const tampered = Buffer.from(bytes)
    tampered[i] = (tampered[i] as number) ^ 0xff
    const res = await app.inject({ url: '/me', headers: { cookie: `sid=${tampered.toString('base64url')}` } })
    if (res.statusCode >= 500) serverErrors++
    const body = res.json() as { userId: unknown, role: unknown, isNew: boolean }
    if (body.userId !== null || body.role !== null || !body.isNew) authenticated++
    if (!/^sid=; Max-Age=0;/.test(sessionSetCookie(res) ?? '')) notCleared++
  }
  t.equal(authenticated, 0, `none of ${bytes.length} tampered cookies authenticated`)
  t.equal(serverErrors, 0, 'no 5xx')
  t.equal(notCleared, 0, 'every tampered cookie was cleared')

  const rejections = logs.lines.filter((l) => (l.session as { event?: string } | undefined)?.event === 'rejected')
  t.equal(rejections.length, bytes.length, 'one debug line per rejection')
  const seen = new Set(rejections.map((l) => (l.session as { reason: string }).reason))
  t.same([...seen].sort(), ['decryption-failed', 'unknown-version'], 'fixed reasons')
  const text = logs.lines.map((l) => JSON.stringify(l)).join('\n')
  t.notOk(text.includes(value.slice(0, 20)), 'no log line holds the cookie')
})

t.test('truncated and garbage cookies: fresh session, cleared, never 5xx', async (t) => {
  const app = await build(t, {}, routes)
  const value = cookieValue(await app.inject('/login')) as string
  const inputs = [
    value.slice(0, -1), value.slice(0, 60), value.slice(0, 8), 'A', '',
    'not a cookie at all', '%00%01', '"quoted"', `${value}${value}`, 'AAAA'.repeat(30)
  ]
  for (const input of inputs) {
    const res = await app.inject({ url: '/me', headers: { cookie: `sid=${input}` } })
    t.equal(res.statusCode, 200, `status for ${input.length} chars`)
    t.same(res.json(), { userId: null, role: null, isNew: true })
    t.match(sessionSetCookie(res), /^sid=; Max-Age=0;/)
  }
})

t.test('a bit flipped in any field of the sealed head (id, created, last seen, id issued) fails decryption', async (t) => {
  const logs = captureLogs()
  const app = await build(t, {}, routes, logs.options)
  const value = cookieValue(await app.inject('/login')) as string
  const bytes = cookieBytes(value)
  const fields = { 'id, first byte': HEAD.id, 'id, last byte': HEAD.id + 31, created: HEAD.createdAt + 5, 'last seen': HEAD.lastSeenAt + 5, 'id issued': HEAD.idIssuedAt + 5 }
  for (const [name, offset] of Object.entries(fields)) {
    for (const bit of [0x01, 0x80]) {
      const tampered = Buffer.from(bytes)
      const at = SEALED_HEADER_BYTES + offset
      tampered[at] = (tampered[at] as number) ^ bit
      const res = await app.inject({ url: '/me', headers: { cookie: `sid=${tampered.toString('base64url')}` } })
      t.same(res.json(), { userId: null, role: null, isNew: true }, `${name}, bit ${bit}: a fresh session`)
      t.match(sessionSetCookie(res), /^sid=; Max-Age=0;/, `${name}, bit ${bit}: cleared`)
    }
  }
  const reasons = logs.lines.map((l) => (l.session as { reason?: string } | undefined)?.reason).filter((r) => r !== undefined)
  t.same(reasons, Object.keys(fields).flatMap(() => ['decryption-failed', 'decryption-failed']))
})
