// The per-key JSON that server-store writes are diffed with, and that the MemoryStore keeps: the
// fields must always add up to exactly what JSON.stringify of the whole data gives.
import fc from 'fast-check'
import t from 'tap'
import { encodeFields, joinFields, keepsOrder, ParsedRecord } from '../../lib/stores/field-json.js'
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

t.test('a parsed record hands over its fields only while its data is the object they were parsed into, keys in place', async (t) => {
  const data = { userId: 'u1', cart: [1, 2] }
  const encoded = encodeFields(data)
  const fresh = (): ParsedRecord => new ParsedRecord(JSON.parse(encoded.json) as Record<string, unknown>, 1, 2, encoded)
  t.equal(ParsedRecord.fieldsOf(fresh()), encoded, 'untouched: the fields it was read with')
  t.equal(ParsedRecord.fieldsOf({ data, createdAt: 1, lastSeenAt: 2 }), undefined, 'a plain record has none')

  const replaced = fresh()
  // A store wrapper that decrypts or migrates values gives back a new object with the same keys.
  replaced.data = { userId: 'u2', cart: [1, 2] }
  t.equal(ParsedRecord.fieldsOf(replaced), undefined, 'data replaced by another object: voided')

  const added = fresh()
  added.data.extra = true
  t.equal(ParsedRecord.fieldsOf(added), undefined, 'a key added in place: voided')

  const reordered = fresh()
  const cart = reordered.data.cart
  delete reordered.data.cart
  delete reordered.data.userId
  reordered.data.cart = cart
  reordered.data.userId = 'u1'
  t.equal(ParsedRecord.fieldsOf(reordered), undefined, 'the same keys in another order: voided')

  const copied = { ...fresh() }
  t.equal(ParsedRecord.fieldsOf(copied), undefined, 'a spread copy of the record carries no fields')
})
