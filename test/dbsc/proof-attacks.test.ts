// Forged, tampered and malformed proofs at registration and refresh, over real HTTP: each is refused
// with FST_SESSION_DBSC_INVALID_PROOF and a fixed reason, or with a 403 and a fresh challenge when
// only the challenge is wrong.
import { generateKeyPairSync } from 'node:crypto'
import t, { type Test } from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { DbscBrowser, signJws, SoftwareKey } from '../helpers/dbsc-device.js'
import { boundBrowser, dbscApp } from '../helpers/dbsc-scenario.js'
import { loginRoutes } from '../helpers/index.js'

async function refused (t: Test, res: Response, code: string, reason?: string): Promise<void> {
  t.equal(res.status, code === 'FST_SESSION_DBSC_CHALLENGE' ? 403 : code === 'FST_SESSION_DBSC_INVALID_PROOF' ? 400 : 401)
  const body = await res.json() as { code: string, message: string }
  t.equal(body.code, code)
  if (reason !== undefined) t.ok(body.message.endsWith(`(${reason})`), `reason ${reason}`)
}

t.test('registration proofs', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const { base } = await dbscApp(t, store, {}, (app) => {
    loginRoutes(app)
    app.get('/remember', async (request) => {
      request.session.options({ maxAge: 3600 })
      return { ok: true }
    })
  })
  const key = new SoftwareKey()
  const browser = new DbscBrowser(base, key)
  const offer = async (): Promise<string> => {
    await browser.fetch('/login')
    return (browser.offer as { challenge: string }).challenge
  }
  const register = async (proof: string): Promise<Response> => {
    browser.offer ??= { path: '/dbsc/session/register', challenge: '', algorithms: '' }
    return await browser.register(proof)
  }
  const c = await offer()
  await refused(t, await register(signJws({ alg: 'none', typ: 'dbsc+jwt', jwk: key.jwk }, { jti: c }, undefined)), 'FST_SESSION_DBSC_INVALID_PROOF', 'alg')
  await refused(t, await register(signJws({ alg: 'HS256', typ: 'dbsc+jwt', jwk: key.jwk }, { jti: c }, undefined)), 'FST_SESSION_DBSC_INVALID_PROOF', 'alg')
  await refused(t, await register(key.proof(c, true, { header: { typ: 'JWT' } })), 'FST_SESSION_DBSC_INVALID_PROOF', 'typ')
  await refused(t, await register(signJws({ alg: 'ES256', typ: 'dbsc+jwt', jwk: key.jwk }, {}, key.privateKey)), 'FST_SESSION_DBSC_INVALID_PROOF', 'jti')
  await refused(t, await register(key.proof(c, true, { payload: { pad: 'x'.repeat(9000) } })), 'FST_SESSION_DBSC_INVALID_PROOF', 'too-large')
  await refused(t, await register(key.proof(c, false)), 'FST_SESSION_DBSC_INVALID_PROOF', 'missing-jwk')
  const good = key.proof(c, true)
  const tampered = good.slice(0, -3) + (good.endsWith('AAA') ? 'BBB' : 'AAA')
  await refused(t, await register(tampered), 'FST_SESSION_DBSC_INVALID_PROOF', 'signature')
  const other = new SoftwareKey()
  await refused(t, await register(other.proof(c, true, { header: { jwk: key.jwk } })), 'FST_SESSION_DBSC_INVALID_PROOF', 'signature')
  await refused(t, await register(key.proof(c, true, { header: { alg: 'RS256' } })), 'FST_SESSION_DBSC_INVALID_PROOF', 'key')
  const small = new SoftwareKey('RS256', 1024)
  await refused(t, await register(small.proof(c, true)), 'FST_SESSION_DBSC_INVALID_PROOF', 'key')
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
  await refused(t, await register(signJws({ alg: 'ES256', typ: 'dbsc+jwt', jwk: p384.publicKey.export({ format: 'jwk' }) }, { jti: c }, p384.privateKey)), 'FST_SESSION_DBSC_INVALID_PROOF', 'key')
  await refused(t, await register(key.proof(c, true, { payload: { iat: Math.floor(Date.now() / 1000) - 3600 } })), 'FST_SESSION_DBSC_INVALID_PROOF', 'time')
  const missing = await browser.fetch('/dbsc/session/register', { method: 'POST' })
  await refused(t, missing, 'FST_SESSION_DBSC_INVALID_PROOF', 'missing')
  await refused(t, await register(key.proof('A'.repeat(43), true)), 'FST_SESSION_DBSC_CHALLENGE')

  const thief = new DbscBrowser(base, new SoftwareKey())
  await thief.fetch('/login')
  thief.offer = { path: '/dbsc/session/register', challenge: c, algorithms: '' }
  await refused(t, await thief.register(), 'FST_SESSION_DBSC_CHALLENGE')

  t.equal((await register(good)).status, 200, 'after all that, the genuine proof still registers: refusals consumed nothing')
  await refused(t, await register(key.proof('A'.repeat(43), true)), 'FST_SESSION_DBSC_NO_SESSION', 'already-bound')
  const resent = await browser.fetch('/remember')
  t.ok(resent.headers.get('set-cookie')?.includes('sid='), 'a response that sets the session cookie again...')
  t.notOk(browser.offer, '...offers a bound session no second binding')

  const anonymous = new DbscBrowser(base)
  anonymous.offer = { path: '/dbsc/session/register', challenge: c, algorithms: '' }
  await refused(t, await anonymous.register(), 'FST_SESSION_DBSC_NO_SESSION', 'no-session')
})

t.test('refresh proofs', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const { base } = await dbscApp(t, store)
  const browser = await boundBrowser(t, base)
  const key = browser.key
  const c = browser.challenge as string
  await refused(t, await browser.refreshOnce(key.proof(c, true)), 'FST_SESSION_DBSC_INVALID_PROOF', 'jwk-on-refresh')
  await refused(t, await browser.refreshOnce(signJws({ alg: 'none', typ: 'dbsc+jwt' }, { jti: c }, undefined)), 'FST_SESSION_DBSC_INVALID_PROOF', 'alg')
  await refused(t, await browser.refreshOnce(key.proof(c, false, { header: { typ: 'jwt' } })), 'FST_SESSION_DBSC_INVALID_PROOF', 'typ')
  const rsa = new SoftwareKey('RS256')
  await refused(t, await browser.refreshOnce(rsa.proof(c, false)), 'FST_SESSION_DBSC_INVALID_PROOF', 'alg')
  await refused(t, await browser.refreshOnce(new SoftwareKey().proof(c, false)), 'FST_SESSION_DBSC_INVALID_PROOF', 'signature')
  await refused(t, await browser.refreshOnce('not a jwt'), 'FST_SESSION_DBSC_INVALID_PROOF', 'malformed')
  t.equal((await browser.refreshOnce(key.proof(c, false))).status, 200, 'the genuine proof still refreshes')
  await refused(t, await browser.refreshOnce(key.proof(c, false)), 'FST_SESSION_DBSC_CHALLENGE')
  t.ok(browser.challenge, 'the 403 carries a fresh challenge')

  const wrongId = await browser.fetch('/dbsc/session/refresh', { method: 'POST', headers: { 'sec-secure-session-id': '"AAAAAAAAAAAAAAAAAAAAAA"' } })
  await refused(t, wrongId, 'FST_SESSION_DBSC_NO_SESSION', 'wrong-id')
  const noId = await browser.fetch('/dbsc/session/refresh', { method: 'POST' })
  await refused(t, noId, 'FST_SESSION_DBSC_NO_SESSION', 'wrong-id')
  const anonymous = await fetch(`${base}/dbsc/session/refresh`, { method: 'POST' })
  await refused(t, anonymous, 'FST_SESSION_DBSC_NO_SESSION', 'no-session')

  const unbound = new DbscBrowser(base)
  await unbound.fetch('/login')
  unbound.instructions = browser.instructions
  await refused(t, await unbound.refreshOnce(), 'FST_SESSION_DBSC_NO_SESSION', 'wrong-id')
})
