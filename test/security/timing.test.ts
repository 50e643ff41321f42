// Timing, tested structurally (never with a wall clock): opening a cookie costs exactly one
// decryption whatever its key id says (a known key, an old key, an unknown id answered by the decoy
// key), so the time taken cannot tell how many keys exist or which ids are known. Session ids are
// never compared as strings: server stores are looked up by a keyed hash of the id.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { MemoryStore, type SessionRecord } from '../../lib/index.js'
import { buildConfig, type FastifySessionOptions } from '../../lib/options.js'
import { Sealer } from '../../lib/seal.js'
import type { Session } from '../../lib/session.js'
import { build, cookieValue, SECRET } from '../helpers/index.js'
import { countDecryptions } from '../helpers/security-support.js'

type Untyped = { set (k: string, v: unknown): void, get (k: string): unknown }
const untyped = (s: Session): Untyped => s as unknown as Untyped

const SECRETS = [0, 1, 2, 3, 4].map((i) => `${SECRET}-rotation-${i}`)

function withKeyId (sealed: string, keyId: number): string {
  const raw = Buffer.from(sealed, 'base64url')
  raw.writeUInt32BE(keyId, 1)
  return raw.toString('base64url')
}

t.test('one decryption per open: current key, oldest of five keys, unknown key id (decoy)', async (t) => {
  const current = buildConfig({ secret: SECRETS } as FastifySessionOptions).keyring
  const oldest = buildConfig({ secret: SECRETS[4] } as FastifySessionOptions).keyring
  const sealer = new Sealer(current, 'sid')
  const sealedNow = sealer.seal('{"x":1}')
  const sealedOld = new Sealer(oldest, 'sid').seal('{"x":1}')
  const decryptions = countDecryptions(t)

  const text = (o: ReturnType<Sealer['open']>): unknown => typeof o === 'string' ? o : { plaintext: o.message.toString(), stale: o.stale }
  t.same(text(sealer.open(sealedNow)), { plaintext: '{"x":1}', stale: false })
  t.equal(decryptions.keys.length, 1)
  t.equal(decryptions.keys[0], current.current.sealKey, 'with the current key')

  t.same(text(sealer.open(sealedOld)), { plaintext: '{"x":1}', stale: true })
  t.equal(decryptions.keys.length, 2, 'the oldest of five keys: still one decryption, no trial loop')
  t.equal(decryptions.keys[1], current.keys[4]?.sealKey, 'picked by its key id')

  const unknownId = (current.current.id + 1) >>> 0
  t.equal(current.find(unknownId), undefined)
  t.equal(sealer.open(withKeyId(sealedNow, unknownId)), 'decryption-failed')
  t.equal(decryptions.keys.length, 3, 'an unknown key id costs one decryption like a known one')
  t.equal(decryptions.keys[2], current.decoy.sealKey, 'under the decoy key')

  t.equal(sealer.open(withKeyId(sealedNow, current.keys[2]?.id as number)), 'decryption-failed')
  t.equal(decryptions.keys.length, 4, 'a known id with the wrong key: one decryption')
})

t.test('the decoy key is random per keyring and never one of the configured keys', async (t) => {
  const a = buildConfig({ secret: SECRETS } as FastifySessionOptions).keyring
  const b = buildConfig({ secret: SECRETS } as FastifySessionOptions).keyring
  t.equal(a.current.sealKey.equals(b.current.sealKey), true, 'same secrets, same keys')
  t.equal(a.decoy.sealKey.equals(b.decoy.sealKey), false, 'but not the same decoy')
  t.ok(a.keys.every((k) => !k.sealKey.equals(a.decoy.sealKey)))
})

t.test('over HTTP: a cookie under an unknown key id is decrypted once, like a good one', async (t) => {
  const app = await build(t, { secret: SECRETS }, (app: FastifyInstance) => {
    app.get('/login', async (request) => {
      untyped(request.session).set('userId', 'alice')
      return { ok: true }
    })
    app.get('/me', async (request) => ({ user: untyped(request.session).get('userId') ?? null }))
  })
  const valid = cookieValue(await app.inject('/login')) as string
  const decryptions = countDecryptions(t)
  t.same((await app.inject({ url: '/me', headers: { cookie: `sid=${valid}` } })).json(), { user: 'alice' })
  const forged = withKeyId(valid, 0x01020304)
  t.same((await app.inject({ url: '/me', headers: { cookie: `sid=${forged}` } })).json(), { user: null })
  t.equal(decryptions.keys.length, 2)
  t.not(decryptions.keys[1], decryptions.keys[0])
})

t.test('server stores see only a keyed hash of the id, never the id (no string comparison of ids)', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const seen: string[] = []
  const get = store.get.bind(store)
  const set = store.set.bind(store)
  store.get = async (key: string): Promise<SessionRecord | undefined> => { seen.push(key); return await get(key) }
  store.set = async (key: string, record: SessionRecord, ttlMs: number): Promise<void> => { seen.push(key); await set(key, record, ttlMs) }
  const app = await build(t, { store }, (app: FastifyInstance) => {
    app.get('/login', async (request) => {
      untyped(request.session).set('userId', 'alice')
      return { ok: true }
    })
    app.get('/me', async (request) => ({ user: untyped(request.session).get('userId') ?? null }))
  })
  const id = cookieValue(await app.inject('/login')) as string
  t.same((await app.inject({ url: '/me', headers: { cookie: `sid=${id}` } })).json(), { user: 'alice' })
  t.ok(seen.length >= 2)
  const keyring = buildConfig({ secret: SECRET } as FastifySessionOptions).keyring
  t.ok(seen.every((k) => k === keyring.storeKey(id)), 'every store key is the keyed BLAKE2b hash of the id')
  t.ok(seen.every((k) => !k.includes(id)), 'the id itself never reaches the store')
  const otherSecret = buildConfig({ secret: `${SECRET}-other` } as FastifySessionOptions).keyring
  t.not(otherSecret.storeKey(id), keyring.storeKey(id), 'keyed: a store dump is useless without the secret')
})
