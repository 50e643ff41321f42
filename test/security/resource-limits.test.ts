// Resource limits: oversized cookies and Cookie headers are refused before any decoding, server-store
// records over maxDataBytes are refused, a flood of new sessions cannot grow MemoryStore past
// maxSessions, and key material is wiped when the app closes.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { MemoryStore, type SessionRecord } from '../../lib/index.js'
import { buildConfig, type FastifySessionOptions } from '../../lib/options.js'
import { build, cookieValue, loginRoutes, loose, OTHER_SECRET, SECRET } from '../helpers/index.js'
import { countDecryptions, countOpens, keyBuffers, watchKeyringWipes } from '../helpers/security-support.js'

function routes (app: FastifyInstance): void {
  loginRoutes(app)
  app.get('/fill', async (request) => {
    loose(request).set('blob', 'x'.repeat(Number((request.query as { n: string }).n)))
    return { ok: true }
  })
}

t.test('a session cookie over 4096 bytes is refused before it is decoded or decrypted', async (t) => {
  const app = await build(t, {}, routes)
  const valid = cookieValue(await app.inject('/login')) as string
  const opens = countOpens(t)
  const decryptions = countDecryptions(t)
  // Canonical base64url of the right shape, so only the length can stop it.
  const huge = valid + 'A'.repeat(4096 - valid.length + 4)
  const res = await app.inject({ url: '/me', headers: { cookie: `sid=${huge}` } })
  t.same(res.json(), { user: null })
  t.equal(opens.count, 0, 'Sealer.open not reached')
  t.equal(decryptions.keys.length, 0, 'nothing decrypted')
  // The counters do count: a cookie within the limit is opened and decrypted once.
  const ok = await app.inject({ url: '/me', headers: { cookie: `sid=${valid}` } })
  t.same(ok.json(), { user: 'alice' })
  t.equal(opens.count, 1)
  t.equal(decryptions.keys.length, 1)
})

t.test('a Cookie header over 8 KiB is refused as a whole, even with a valid session cookie in it', async (t) => {
  const app = await build(t, {}, routes)
  const valid = cookieValue(await app.inject('/login')) as string
  const opens = countOpens(t)
  const decryptions = countDecryptions(t)
  const pad = (total: number): string => `sid=${valid}; pad=${'p'.repeat(total - valid.length - 'sid=; pad='.length)}`
  t.equal(pad(8193).length, 8193)
  const over = await app.inject({ url: '/me', headers: { cookie: pad(8193) } })
  t.same(over.json(), { user: null })
  t.equal(opens.count, 0, 'the cookie in it was never opened')
  t.equal(decryptions.keys.length, 0)
  const at = await app.inject({ url: '/me', headers: { cookie: pad(8192) } })
  t.same(at.json(), { user: 'alice' }, 'exactly 8192 bytes is still read')
  t.equal(decryptions.keys.length, 1)
})

t.test('server store: an oversized header never reaches the store', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  let reads = 0
  const get = store.get.bind(store)
  store.get = async (key: string): Promise<SessionRecord | undefined> => { reads++; return await get(key) }
  const app = await build(t, { store }, routes)
  const valid = cookieValue(await app.inject('/login')) as string
  const res = await app.inject({ url: '/me', headers: { cookie: `sid=${valid}; pad=${'p'.repeat(8200)}` } })
  t.same(res.json(), { user: null })
  t.equal(reads, 0)
  t.same((await app.inject({ url: '/me', headers: { cookie: `sid=${valid}` } })).json(), { user: 'alice' })
  t.equal(reads, 1)
})

t.test('server store: a record over maxDataBytes is refused with FST_SESSION_TOO_LARGE and not written', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const app = await build(t, { store, maxDataBytes: 1000 }, routes)
  const fits = await app.inject('/fill?n=980')
  t.equal(fits.statusCode, 200, '{"blob":"x…"} of 991 bytes fits')
  t.equal(store.size, 1)
  const over = await app.inject('/fill?n=990')
  t.equal(over.statusCode, 500)
  t.equal(over.json().code, 'FST_SESSION_TOO_LARGE')
  t.equal(store.size, 1, 'nothing written')
  t.equal(cookieValue(over), undefined, 'no cookie for a session that was not stored')
})

t.test('server store: the default maxDataBytes is 64 KiB', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const app = await build(t, { store }, routes)
  t.equal((await app.inject('/fill?n=65000')).statusCode, 200)
  t.equal((await app.inject('/fill?n=65536')).json().code, 'FST_SESSION_TOO_LARGE')
})

t.test('a flood of new sessions cannot grow MemoryStore past maxSessions', async (t) => {
  const store = new MemoryStore({ maxSessions: 50 })
  t.teardown(() => store.close())
  const app = await build(t, { store }, routes)
  const cookies: string[] = []
  for (let i = 0; i < 500; i++) {
    cookies.push(cookieValue(await app.inject('/login')) as string)
    if (store.size > 50) break
  }
  t.equal(store.size, 50)
  t.equal(new Set(cookies).size, 500, '500 sessions were made')
  const newest = await app.inject({ url: '/me', headers: { cookie: `sid=${cookies[499] as string}` } })
  t.same(newest.json(), { user: 'alice' }, 'the newest survive')
  const oldest = await app.inject({ url: '/me', headers: { cookie: `sid=${cookies[0] as string}` } })
  t.same(oldest.json(), { user: null }, 'the least recently used were evicted')
})

t.test('key material is wiped (zeroed) when the app closes', async (t) => {
  const wipes = watchKeyringWipes(t)
  const app = await build(t, { secret: [SECRET, OTHER_SECRET] }, routes)
  const valid = cookieValue(await app.inject('/login')) as string
  t.same((await app.inject({ url: '/me', headers: { cookie: `sid=${valid}` } })).json(), { user: 'alice' })
  t.equal(wipes.keyrings.length, 0, 'nothing wiped while the app runs')
  await app.close()
  t.equal(wipes.keyrings.length, 1, 'the keyring was wiped on close')
  const buffers = keyBuffers(wipes.keyrings[0] as NonNullable<typeof wipes.keyrings[0]>)
  t.equal(buffers.length, 6, 'seal and store keys of two secrets and the decoy')
  t.ok(wipes.copies.every((b) => b.some((byte) => byte !== 0)), 'they held key material before')
  t.ok(buffers.every((b) => b.every((byte) => byte === 0)), 'and hold only zeros after')
})

t.test('wipe() zeroes the log key too (two keyrings hash ids alike only when both log keys are zero)', async (t) => {
  const a = buildConfig({ secret: SECRET } as FastifySessionOptions).keyring
  const b = buildConfig({ secret: OTHER_SECRET } as FastifySessionOptions).keyring
  const id = 'A'.repeat(43)
  t.not(a.logId(id), b.logId(id), 'different secrets, different log hashes')
  a.wipe()
  b.wipe()
  t.equal(a.logId(id), b.logId(id), 'after wipe both hash under the same (all-zero) key')
  t.ok(keyBuffers(a).every((buf) => buf.every((byte) => byte === 0)))
})
