// What a log line keeps of a store's error: name, code and the first line of the message with quoted
// values cut out; nothing the client attached (commands, arguments, row details).
import t from 'tap'
import { safeError } from '../../lib/safe-error.js'

t.test('keeps name, code and the message\'s first line without quoted values', async (t) => {
  const err = Object.assign(new Error('invalid input syntax for type json: "secret-value"\nLINE 1: ...'), {
    code: '22P02', detail: 'Token "secret-value" is invalid.', where: 'JSON data, line 1: secret-value'
  })
  t.same(safeError(err), { type: 'Error', message: 'invalid input syntax for type json: "…"', code: '22P02' })
  const reply = Object.assign(new Error('OOM command not allowed when used memory > \'maxmemory\'.'), {
    name: 'ReplyError', command: { name: 'evalsha', args: ['sha', '1', 'key', 'd:card', '"4111"'] }
  })
  t.same(safeError(reply), { type: 'ReplyError', message: 'OOM command not allowed when used memory > "…".' })
})

t.test('numeric codes, long messages, odd throwables', async (t) => {
  t.same(safeError(Object.assign(new Error('x'), { code: 42 })), { type: 'Error', message: 'x', code: '42' })
  t.equal(safeError(new Error('y'.repeat(500))).message.length, 200, 'cut at 200 characters')
  t.same(safeError('a thrown string'), { type: 'string', message: '' }, 'a thrown string is not logged')
  t.same(safeError(null), { type: 'object', message: '' })
  t.same(safeError({ name: 7, message: 8 }), { type: 'Error', message: '' }, 'non-string fields are left out')
})
