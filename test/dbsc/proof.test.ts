// verifyProof on its own: every check, with a fixed reason for each refusal.
import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { ProofError, publicKeyOf, verifyProof, type VerifyOptions } from '../../lib/dbsc/proof.js'
import { signJws, SoftwareKey } from '../helpers/dbsc-device.js'

const es = new SoftwareKey('ES256')
const rs = new SoftwareKey('RS256')
const now = Date.now()
const registration: VerifyOptions = { algorithms: ['ES256', 'RS256'], now }

function reason (fn: () => unknown): string {
  try {
    fn()
    return 'ok'
  } catch (err) {
    return (err as ProofError).reason
  }
}

t.test('accepted proofs', async (t) => {
  t.match(verifyProof(es.proof('c', true), registration), { alg: 'ES256', jti: 'c', jwk: { kty: 'EC', crv: 'P-256' }, authorization: undefined })
  t.match(verifyProof(rs.proof('c', true, { payload: { authorization: 'a' } }), registration), { alg: 'RS256', authorization: 'a' })
  t.equal(verifyProof(es.proof('c', false), { ...registration, bound: { alg: 'ES256', jwk: es.jwk } }).jti, 'c', 'a refresh verifies with the stored key')
  const s = Math.floor(now / 1000)
  t.equal(reason(() => verifyProof(es.proof('c', true, { payload: { iat: s, nbf: s - 10, exp: s + 60 } }), registration)), 'ok', 'time claims inside the skew')
})

t.test('refused proofs', async (t) => {
  const s = Math.floor(now / 1000)
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  const cases: Array<[string, string, VerifyOptions?]> = [
    ['too-large', 'a'.repeat(8193)],
    ['malformed', 'a.b'],
    ['malformed', 'a!.b.c'],
    ['malformed', `${Buffer.from('{').toString('base64url')}.${b64({})}.c`],
    ['malformed', `${b64([1])}.${b64({})}.c`],
    ['malformed', es.proof('c', true, { header: { crit: ['x'] } })],
    ['malformed', es.proof('c', true, { payload: { authorization: 5 } })],
    ['typ', es.proof('c', true, { header: { typ: undefined } })],
    ['alg', es.proof('c', true, { header: { alg: 'ES384' } })],
    ['alg', rs.proof('c', true), { algorithms: ['ES256'], now }],
    ['missing-jwk', es.proof('c', false)],
    ['key', es.proof('c', true, { header: { jwk: 'key' } })],
    ['key', es.proof('c', true, { header: { jwk: [] } })],
    ['key', es.proof('c', true, { header: { jwk: { ...es.jwk, d: 'AAAA' } } })],
    ['key', es.proof('c', true, { header: { jwk: { ...es.jwk, x: 'AAAA' } } })],
    ['key', rs.proof('c', true, { header: { jwk: { kty: 'RSA', e: 'AQAB' } } })],
    ['key', rs.proof('c', true, { header: { jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } } })],
    ['key', rs.proof('c', true, { header: { jwk: { kty: 'RSA', n: Buffer.alloc(1100, 0xff).toString('base64url'), e: 'AQAB' } } })],
    ['jwk-on-refresh', es.proof('c', true), { ...registration, bound: { alg: 'ES256', jwk: es.jwk } }],
    ['alg', rs.proof('c', false), { ...registration, bound: { alg: 'ES256', jwk: es.jwk } }],
    ['jti', es.proof('', true)],
    ['jti', es.proof(5 as unknown as string, true)],
    ['time', es.proof('c', true, { payload: { iat: s + 600 } })],
    ['time', es.proof('c', true, { payload: { nbf: s + 600 } })],
    ['time', es.proof('c', true, { payload: { exp: s - 600 } })],
    ['time', es.proof('c', true, { payload: { iat: String(s) } })],
    ['signature', `${es.proof('c', true).split('.').slice(0, 2).join('.')}.`],
    ['signature', `${es.proof('c', true).split('.').slice(0, 2).join('.')}.a+b`],
    ['signature', `${es.proof('c', true)}AA`],
    ['signature', `${rs.proof('c', true)}AA`],
    ['signature', signJws({ alg: 'RS256', typ: 'dbsc+jwt', jwk: rs.jwk }, { jti: 'c' }, new SoftwareKey('RS256').privateKey)]
  ]
  for (const [expected, token, options] of cases) t.equal(reason(() => verifyProof(token, options ?? registration)), expected, expected)
})

t.test('publicKeyOf', async (t) => {
  const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' })
  t.equal(reason(() => publicKeyOf(ed, 'ES256')), 'key', 'an Ed25519 key is not a P-256 key')
  t.equal(reason(() => publicKeyOf(null, 'RS256')), 'key')
  t.ok(new ProofError('key').message.includes('key'))
})
