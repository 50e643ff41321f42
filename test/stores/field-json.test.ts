// The per-key JSON that server-store writes are diffed with, and that the MemoryStore keeps: the
// fields must always add up to exactly what JSON.stringify of the whole data gives.
import fc from 'fast-check'
import t from 'tap'
import { encodeFields, joinFields, keepsOrder } from '../../lib/stores/field-json.js'
import { check, fcParams, propertyTimeout, sessionData } from '../helpers/security-support.js'

propertyTimeout(t)

t.test('the fields add up to JSON.stringify of the data, joined in either way', async (t) => {
  const runs = await check(t, fc.asyncProperty(sessionData(), async (data) => {
    const { json, fields } = encodeFields(data)
    return json === JSON.stringify(data) && joinFields(fields) === json
  }), fcParams())
  t.ok(runs > 0)
})

t.test('parsed back, joined fields keep their order unless a key starts with a digit', async (t) => {
  const runs = await check(t, fc.asyncProperty(sessionData(), async (data) => {
    const { fields } = encodeFields(data)
    const keys = [...fields.keys()]
    // Reversed: the order of a Map a patch appended to, not the order the object had.
    const reversed = new Map([...fields].reverse())
    const parsed = Object.keys(JSON.parse(joinFields(reversed)) as object)
    return !keys.every(keepsOrder) || parsed.join('\0') === keys.reverse().join('\0')
  }), fcParams())
  t.ok(runs > 0)
  t.same(['0', '42', '1st', '9'].map(keepsOrder), [false, false, false, false])
  t.same(['a', '', '_1', 'é', '-1', ' 1'].map(keepsOrder), [true, true, true, true, true, true])
})

t.test('known JSON is taken for the keys not listed as changed, and only for them', async (t) => {
  const data = { a: 1, b: { c: 2 }, d: 'new' }
  const known = new Map([['a', '"kept"'], ['b', '"stale"']])
  t.same(encodeFields(data, known, ['b']).json, '{"a":"kept","b":{"c":2},"d":"new"}',
    'a: taken as known; b: listed, serialised again; d: not known, serialised')
  t.same(encodeFields(data, known).json, '{"a":"kept","b":"stale","d":"new"}')
  t.same(encodeFields({ gone: undefined, f: () => 1, a: 1 } as Record<string, unknown>).json, '{"a":1}',
    'keys JSON leaves out are left out, as JSON.stringify does')
})
