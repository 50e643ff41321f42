import t from 'tap'
import { Keyring } from '../../lib/keyring.js'
import { build, cookieBytes, cookieValue, fakeClock, loose, OTHER_SECRET, SECRET } from '../helpers/index.js'
import { HEAD, openV2 } from '../helpers/sealed-cookies.js'
import type { FastifyInstance } from 'fastify'

const VERSION = 2
const KEY_ID_BYTES = 4
const NONCE_BYTES = 24
const TAG_BYTES = 16

function routes (app: FastifyInstance): void {
  app.get('/set', async (request) => {
    loose(request).set('v', (request.query as { v: string }).v)
    return { ok: true, id: request.session.id }
  })
}

t.test('a cookie is base64url(version ‖ keyId ‖ nonce ‖ ciphertext+tag)', async (t) => {
  const app = await build(t, {}, routes)
  const res = await app.inject('/set?v=hello')
  const value = cookieValue(res)
  t.ok(value)
  t.match(value, /^[A-Za-z0-9_-]+$/, 'base64url alphabet, no padding')
  const bytes = cookieBytes(value as string)
  t.equal(bytes.toString('base64url'), value, 'canonical encoding')
  t.equal(bytes[0], VERSION, 'version byte')
  t.equal(bytes.readUInt32BE(1), new Keyring([Buffer.from(SECRET)]).current.id, 'key id of the secret')
  // The plaintext is a 50-byte binary head (id, created, last seen, id issued) and the data's JSON.
  t.equal(bytes.length, 1 + KEY_ID_BYTES + NONCE_BYTES + HEAD.bytes + Buffer.byteLength('{"v":"hello"}') + TAG_BYTES, 'header, ciphertext and tag sizes')
  t.notOk(bytes.includes(Buffer.from('hello')), 'the data is not readable in the cookie')
})

t.test('the key id is stable for a secret and differs between secrets', async (t) => {
  const a1 = await build(t, {}, routes)
  const a2 = await build(t, {}, routes)
  const b = await build(t, { secret: OTHER_SECRET }, routes)
  const keyId = async (app: FastifyInstance): Promise<string> =>
    cookieBytes(cookieValue(await app.inject('/set?v=1')) as string).subarray(1, 1 + KEY_ID_BYTES).toString('hex')
  const first = await keyId(a1)
  t.equal(await keyId(a1), first, 'same app, next cookie')
  t.equal(await keyId(a2), first, 'another app with the same secret')
  t.not(await keyId(b), first, 'another secret')
})

t.test('each cookie gets a fresh 24-byte nonce', async (t) => {
  const app = await build(t, {}, routes)
  const nonces = new Set<string>()
  for (let i = 0; i < 50; i++) {
    const bytes = cookieBytes(cookieValue(await app.inject('/set?v=same')) as string)
    nonces.add(bytes.subarray(1 + KEY_ID_BYTES, 1 + KEY_ID_BYTES + NONCE_BYTES).toString('hex'))
  }
  t.equal(nonces.size, 50)
})

t.test('the ciphertext grows byte for byte with the data', async (t) => {
  const app = await build(t, {}, routes)
  const short = cookieBytes(cookieValue(await app.inject('/set?v=a')) as string)
  const long = cookieBytes(cookieValue(await app.inject('/set?v=abcdefghij')) as string)
  t.equal(long.length - short.length, 9)
})

t.test('the sealed head carries the id and the three lifetimes to the millisecond', async (t) => {
  const clock = fakeClock(t, Date.UTC(2026, 4, 17, 8, 30, 12, 345))
  const app = await build(t, {}, routes)
  const created = Date.now()
  const first = await app.inject('/set?v=a')
  const value = cookieValue(first) as string
  t.same(openV2(value), { version: VERSION, id: first.json().id, createdAt: created, lastSeenAt: created, idIssuedAt: created, data: { v: 'a' } })
  clock.tick(61_001)
  const second = await app.inject({ url: '/set?v=b', headers: { cookie: `sid=${value}` } })
  t.equal(second.json().id, first.json().id, 'the same session')
  t.same(openV2(cookieValue(second) as string), { version: VERSION, id: first.json().id, createdAt: created, lastSeenAt: created + 61_001, idIssuedAt: created, data: { v: 'b' } },
    'created and id issued stay, last seen moves')
})

t.test('times before 1970 and far ahead survive the 48-bit fields', async (t) => {
  const clock = fakeClock(t)
  for (const now of [-86_400_000 * 365 * 30 - 7, 0, 2 ** 47 - 1 - 86_400_000 * 400]) {
    clock.setSystemTime(now)
    const app = await build(t, {}, routes)
    const res = await app.inject('/set?v=x')
    const opened = openV2(cookieValue(res) as string)
    t.equal(opened.createdAt, now, `created ${now}`)
    t.equal(opened.lastSeenAt, now)
    const back = await app.inject({ url: '/set?v=y', headers: { cookie: `sid=${cookieValue(res) as string}` } })
    t.equal(back.json().id, res.json().id, `${now}: the cookie loads back`)
    await app.close()
  }
})
