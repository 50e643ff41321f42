import t from 'tap'
import { Keyring } from '../../lib/keyring.js'
import { generateId } from '../../lib/session-id.js'
import { OTHER_SECRET, SECRET } from '../helpers/index.js'

const A = Buffer.from(SECRET)
const B = Buffer.from(OTHER_SECRET)
const C = Buffer.from('a-third-test-secret-0123456789abcdefghijklmn')

t.test('the first secret is current, every secret is findable by its id', async (t) => {
  const keyring = new Keyring([A, B, C])
  t.equal(keyring.keys.length, 3)
  t.equal(keyring.current, keyring.keys[0])
  for (const key of keyring.keys) t.equal(keyring.find(key.id), key)
  t.equal(new Set(keyring.keys.map((k) => k.id)).size, 3)
  t.equal(keyring.current.id, new Keyring([A]).current.id, 'ids depend on the secret alone')
  t.same(keyring.keys[1]?.sealKey, new Keyring([B]).current.sealKey, 'so do the keys')
  t.not(keyring.decoy.id, new Keyring([A]).decoy.id, 'the decoy is random per keyring')
})

t.test('subkeys are distinct per purpose and never the secret', async (t) => {
  const key = new Keyring([A]).current
  t.equal(key.sealKey.length, 32)
  t.notSame(key.sealKey, key.storeKey)
  t.notOk(key.sealKey.equals(A.subarray(0, 32)))
})

t.test('two equal secrets are refused with the positions of the pair', async (t) => {
  const duplicateOf = (secrets: Buffer[]): unknown => {
    try {
      return new Keyring(secrets)
    } catch (err) {
      return (err as { duplicateOf?: unknown }).duplicateOf
    }
  }
  t.same(duplicateOf([A, A]), [0, 1])
  t.same(duplicateOf([A, B, A]), [0, 2])
  t.same(duplicateOf([A, B, Buffer.from(B)]), [1, 2])
})

t.test('logId is stable, short, keyed, and not the id', async (t) => {
  const keyring = new Keyring([A, B])
  const id = generateId()
  const log = keyring.logId(id)
  t.equal(log.length, 16)
  t.equal(keyring.logId(id), log, 'stable across calls')
  t.equal(new Keyring([A]).logId(id), log, 'stable across restarts with the same first secret')
  t.not(new Keyring([B]).logId(id), log, 'keyed by the secret')
  t.not(keyring.logId(generateId()), log, 'differs between ids')
  t.notOk(id.includes(log) || log.includes(id.slice(0, 8)), 'shares nothing with the id')
})

t.test('storeKey hashes an id under the current key unless told another', async (t) => {
  const keyring = new Keyring([A, B])
  const id = generateId()
  t.equal(keyring.storeKey(id), keyring.storeKey(id, keyring.current))
  t.not(keyring.storeKey(id, keyring.keys[1]), keyring.storeKey(id))
  t.notOk(keyring.storeKey(id).includes(id))
})

t.test('wipe() zeroes every key, the decoy and the log key', async (t) => {
  const keyring = new Keyring([A, B])
  const id = generateId()
  const before = keyring.logId(id)
  keyring.wipe()
  for (const key of [...keyring.keys, keyring.decoy]) {
    t.ok(key.sealKey.every((b) => b === 0), 'seal key zeroed')
    t.ok(key.storeKey.every((b) => b === 0), 'store key zeroed')
  }
  t.not(keyring.logId(id), before, 'the log key is gone too')
  t.equal(keyring.logId(id), keyring.logId(id))
})
