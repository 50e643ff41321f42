import t from 'tap'
import { Keyring } from '../../lib/keyring.js'
import { build, cookieBytes, cookieValue, loose, OTHER_SECRET, SECRET } from '../helpers/index.js'
import type { FastifyInstance } from 'fastify'

const VERSION = 1
const KEY_ID_BYTES = 4
const NONCE_BYTES = 24
const TAG_BYTES = 16

function routes (app: FastifyInstance): void {
  app.get('/set', async (request) => {
    loose(request).set('v', (request.query as { v: string }).v)
    return { ok: true }
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
  // The plaintext is JSON {id, iat, seen, idAt, data}: its length is known exactly for this data.
  const now = Date.now()
  const plaintext = JSON.stringify({ id: 'x'.repeat(43), iat: now, seen: now, idAt: now, data: { v: 'hello' } })
  t.equal(bytes.length, 1 + KEY_ID_BYTES + NONCE_BYTES + Buffer.byteLength(plaintext) + TAG_BYTES, 'header, ciphertext and tag sizes')
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
