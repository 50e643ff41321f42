import t from 'tap'
import { RandomPool } from '../../lib/seal.js'

// The nonce pool hands each random byte out once: nonces must never repeat under one key.

t.test('bytes are handed out front to back, then the pool refills with new bytes', async (t) => {
  const pool = new RandomPool(64)
  t.equal(pool.remaining, 0, 'a new pool is empty: its first use fills it')
  const seen = new Set<string>()
  const target = Buffer.alloc(24)
  for (let i = 0; i < 40; i++) {
    pool.fill(target, 0, 24)
    seen.add(target.toString('hex'))
    t.ok(pool.remaining >= 0 && pool.remaining < 64, 'remaining stays within the pool')
  }
  t.equal(seen.size, 40, '40 nonces over many refills, no two alike')
})

t.test('an exhausted pool refills before handing out bytes it does not have', async (t) => {
  const pool = new RandomPool(32)
  const a = Buffer.alloc(24)
  pool.fill(a, 0, 24)
  t.equal(pool.remaining, 8)
  const b = Buffer.alloc(24)
  pool.fill(b, 0, 24)
  t.equal(pool.remaining, 8, 'the 8 bytes left were not enough: a refill, then 24 taken from the front')
  t.not(a.toString('hex'), b.toString('hex'))
})

t.test('writes at the requested offset and leaves the rest of the target alone', async (t) => {
  const pool = new RandomPool(64)
  const target = Buffer.alloc(40, 0xaa)
  pool.fill(target, 8, 24)
  t.same(target.subarray(0, 8), Buffer.alloc(8, 0xaa))
  t.same(target.subarray(32), Buffer.alloc(8, 0xaa))
  t.not(target.subarray(8, 32).toString('hex'), 'aa'.repeat(24))
})

t.test('a request larger than the pool is filled directly, leaving the pool as it was', async (t) => {
  const pool = new RandomPool(16)
  const target = Buffer.alloc(100)
  pool.fill(target, 10, 80)
  t.equal(pool.remaining, 0, 'the pool was not touched')
  t.same(target.subarray(0, 10), Buffer.alloc(10), 'bytes before the offset untouched')
  t.same(target.subarray(90), Buffer.alloc(10), 'bytes after the range untouched')
  t.not(target.subarray(10, 90).toString('hex'), '00'.repeat(80), 'the range got random bytes')
})
