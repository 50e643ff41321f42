import sodium from 'sodium-native'
import t from 'tap'
import { Keyring } from '../../lib/keyring.js'
import { SEAL_VERSION, Sealer, type OpenFailure, type Opened } from '../../lib/seal.js'
import { OTHER_SECRET, SECRET } from '../helpers/index.js'

/** What `open` found, with the plaintext decoded (the message is a view of a scratch buffer). */
function text (opened: Opened | OpenFailure): { plaintext: string, stale: boolean, version: number } | OpenFailure {
  return typeof opened === 'string' ? opened : { plaintext: opened.message.toString(), stale: opened.stale, version: opened.version }
}

const A = Buffer.from(SECRET)
const B = Buffer.from(OTHER_SECRET)

t.test('seal and open round-trip; a value sealed under the current key is not stale', async (t) => {
  const sealer = new Sealer(new Keyring([A]), 'sid')
  const sealed = sealer.seal('{"hello":"wörld"}')
  t.same(text(sealer.open(sealed)), { plaintext: '{"hello":"wörld"}', stale: false, version: SEAL_VERSION })
  t.equal(sealed.length, Sealer.sealedLength(Buffer.byteLength('{"hello":"wörld"}')))
})

t.test('a value sealed under an older key opens as stale', async (t) => {
  const old = new Sealer(new Keyring([A]), 'sid')
  const rotated = new Sealer(new Keyring([B, A]), 'sid')
  t.same(text(rotated.open(old.seal('x'))), { plaintext: 'x', stale: true, version: SEAL_VERSION })
})

t.test('failure reasons', async (t) => {
  const keyring = new Keyring([A])
  const sealer = new Sealer(keyring, 'sid')
  const sealed = sealer.seal('payload')
  const raw = Buffer.from(sealed, 'base64url')
  t.equal(sealer.open(''), 'malformed')
  t.equal(sealer.open('a.b'), 'malformed')
  t.equal(sealer.open(raw.subarray(0, 44).toString('base64url')), 'truncated', 'shorter than header and tag')
  t.not(sealer.open(raw.subarray(0, 45).toString('base64url')), 'truncated', 'header and tag alone are long enough to try')
  for (const version of [0, SEAL_VERSION + 1, 255]) {
    const other = Buffer.from(raw)
    other[0] = version
    t.equal(sealer.open(other.toString('base64url')), 'unknown-version', `version ${version}`)
  }
  const v1 = Buffer.from(raw)
  v1[0] = 1
  t.equal(sealer.open(v1.toString('base64url')), 'decryption-failed', 'the version is bound: relabelled as version 1, it does not open')
  const flipped = Buffer.from(raw)
  flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1
  t.equal(sealer.open(flipped.toString('base64url')), 'decryption-failed')
  t.equal(new Sealer(keyring, 'other').open(sealed), 'decryption-failed', 'another cookie name')
})

t.test('an unknown key id is opened with the decoy key and fails like a wrong tag', async (t) => {
  const keyring = new Keyring([A])
  const sealer = new Sealer(keyring, 'sid')
  const raw = Buffer.from(sealer.seal('payload'), 'base64url')
  for (const id of [0, 0xffffffff, (keyring.current.id ^ 1) >>> 0, keyring.decoy.id, new Keyring([B]).current.id]) {
    const moved = Buffer.from(raw)
    moved.writeUInt32BE(id, 1)
    t.equal(sealer.open(moved.toString('base64url')), 'decryption-failed', `key id ${id}`)
  }
  t.equal(keyring.find(keyring.decoy.id), undefined, 'the decoy is not a findable key')
})

t.test('a value sealed by hand under the decoy key does not open either', async (t) => {
  // The decoy only ever costs a decryption; it can never authenticate, even for a value made with it.
  const keyring = new Keyring([A])
  const sealer = new Sealer(keyring, 'sid')
  const message = Buffer.from('{"id":"x"}')
  const out = Buffer.alloc(29 + message.length + 16)
  out[0] = SEAL_VERSION
  out.writeUInt32BE(keyring.decoy.id, 1)
  sodium.randombytes_buf(out.subarray(5, 29))
  const ad = Buffer.concat([Buffer.from([SEAL_VERSION]), out.subarray(1, 5), Buffer.from('sid')])
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out.subarray(29), message, ad, null, out.subarray(5, 29), keyring.decoy.sealKey)
  const opened = sealer.open(out.toString('base64url'))
  t.not(typeof opened, 'string', 'the construction is right: it opens with the decoy key')
  t.equal(keyring.find(out.readUInt32BE(1)), undefined)
})

t.test('a binary head is sealed before the text and opens as the first bytes of the message', async (t) => {
  const sealer = new Sealer(new Keyring([A]), 'sid')
  const head = Buffer.from([0, 1, 2, 250, 255])
  const sealed = sealer.seal('{"a":"é"}', head)
  t.equal(sealed.length, Sealer.sealedLength(head.length + Buffer.byteLength('{"a":"é"}')))
  const opened = sealer.open(sealed)
  if (typeof opened === 'string') throw new Error(opened)
  t.equal(opened.version, SEAL_VERSION)
  t.same([...opened.message.subarray(0, head.length)], [...head])
  t.equal(opened.message.toString('utf8', head.length), '{"a":"é"}')
  const large = sealer.seal('z'.repeat(20_000), head)
  const openedLarge = sealer.open(large)
  if (typeof openedLarge === 'string') throw new Error(openedLarge)
  t.same([...openedLarge.message.subarray(0, head.length)], [...head], 'beyond the scratch buffers too')
  t.equal(openedLarge.message.toString('utf8', head.length), 'z'.repeat(20_000))
  t.throws(() => sealer.seal('x', Buffer.alloc(65)), RangeError, 'a head is at most 64 bytes')
})

t.test('a version-1 value (the text alone, version 1 in the header and the additional data) still opens', async (t) => {
  const keyring = new Keyring([A])
  const sealer = new Sealer(keyring, 'sid')
  const message = Buffer.from('{"v":1}')
  const out = Buffer.alloc(29 + message.length + 16)
  out[0] = 1
  out.writeUInt32BE(keyring.current.id, 1)
  sodium.randombytes_buf(out.subarray(5, 29))
  const ad = Buffer.concat([Buffer.from([1]), out.subarray(1, 5), Buffer.from('sid')])
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out.subarray(29), message, ad, null, out.subarray(5, 29), keyring.current.sealKey)
  t.same(text(sealer.open(out.toString('base64url'))), { plaintext: '{"v":1}', stale: false, version: 1 })
  const relabelled = Buffer.from(out)
  relabelled[0] = SEAL_VERSION
  t.equal(sealer.open(relabelled.toString('base64url')), 'decryption-failed', 'relabelled as the current version, it does not open')
})
