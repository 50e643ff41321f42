import t from 'tap'
import { MemoryStore } from '../../lib/index.js'

// MemoryStore keeps each key's JSON apart, so that a patch re-encodes only what it changes. What it
// returns must still be exactly what one JSON round trip of the whole data would give.

function store (t: { teardown (fn: () => unknown): void }): MemoryStore {
  const s = new MemoryStore()
  t.teardown(() => s.close())
  return s
}
const now = Date.now()

t.test('a key whose value JSON leaves out is left out, on set and on patch', async (t) => {
  const s = store(t)
  await s.set('k', { data: { a: 1, gone: undefined, b: { c: undefined, d: 2 } }, createdAt: now, lastSeenAt: now }, 60_000)
  t.same((await s.get('k'))?.data, JSON.parse(JSON.stringify({ a: 1, b: { d: 2 } })))
  t.same(Object.keys((await s.get('k'))?.data ?? {}), ['a', 'b'])
  await s.patch('k', { set: { a: undefined, e: 3 }, unset: [], lastSeenAt: now }, 60_000)
  t.same((await s.get('k'))?.data, { b: { d: 2 }, e: 3 }, 'set to undefined: gone')
})

t.test('key order is kept through patches, as a whole-object rewrite would keep it', async (t) => {
  const s = store(t)
  await s.set('k', { data: { x: 1, y: 2, z: 3 }, createdAt: now, lastSeenAt: now }, 60_000)
  await s.patch('k', { set: { y: 20, w: 4 }, unset: ['x'], lastSeenAt: now }, 60_000)
  t.same(Object.keys((await s.get('k'))?.data ?? {}), ['y', 'z', 'w'])
  t.same((await s.get('k'))?.data, { y: 20, z: 3, w: 4 })
})

t.test('keys that need escaping, and "__proto__" as an own key, round-trip without touching prototypes', async (t) => {
  const s = store(t)
  const data = JSON.parse('{"__proto__":{"polluted":true},"a\\"b":1,"line\\nbreak":"é😀","":null}') as Record<string, unknown>
  await s.set('k', { data, createdAt: now, lastSeenAt: now }, 60_000)
  const back = (await s.get('k'))?.data as Record<string, unknown>
  t.same(Object.keys(back), ['__proto__', 'a"b', 'line\nbreak', ''])
  t.equal(Object.getPrototypeOf(back), Object.prototype, 'the prototype is untouched')
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'nothing polluted')
  t.equal(JSON.stringify(back), JSON.stringify(data))
  await s.patch('k', { set: { 'a"b': 2 }, unset: ['__proto__'], lastSeenAt: now }, 60_000)
  t.equal(JSON.stringify((await s.get('k'))?.data), '{"a\\"b":2,"line\\nbreak":"é😀","":null}')
})
