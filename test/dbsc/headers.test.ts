// The structured-field pieces DBSC reads and writes.
import t from 'tap'
import { BARE_ID, BARE_JWS, readSkipped, readStringHeader, serializeString } from '../../lib/dbsc/headers.js'

t.test('strings', async (t) => {
  t.equal(serializeString('a"b\\c'), '"a\\"b\\\\c"')
  t.equal(readStringHeader('"abc"'), 'abc')
  t.equal(readStringHeader(' "abc";x=1 '), 'abc', 'parameters are ignored')
  t.equal(readStringHeader('"a\\"b\\\\c"'), 'a"b\\c', 'escapes')
  t.equal(readStringHeader(serializeString('x"y')), 'x"y', 'round trip')
  for (const bad of ['abc', '"abc', '"a\\bc"', '"a\u0001"', '"é"', '"abc" x', '"a", "b"']) t.equal(readStringHeader(bad), undefined, JSON.stringify(bad))
  t.equal(readStringHeader(undefined), undefined)
  t.equal(readStringHeader(['"a"', '"b"']), undefined, 'a repeated header')
  t.equal(readStringHeader('a.b.c', BARE_JWS), 'a.b.c', 'a bare JWS, as Chromium sends it')
  t.equal(readStringHeader('"a.b.c"', BARE_JWS), 'a.b.c', 'or quoted, as the spec says')
  t.equal(readStringHeader('a.b', BARE_JWS), undefined, 'a bare value of another shape is refused')
  t.equal(readStringHeader('abc_-1', BARE_ID), 'abc_-1')
  t.equal(readStringHeader('abc', undefined), undefined, 'bare values only where allowed')
})

t.test('Secure-Session-Skipped', async (t) => {
  t.same(readSkipped(undefined), [])
  t.same(readSkipped('unreachable;session_identifier="123", quota_exceeded;session_identifier="456"'), [
    { reason: 'unreachable', sessionId: '123' }, { reason: 'quota_exceeded', sessionId: '456' }
  ])
  t.same(readSkipped(['server_error;other=1', '"x", 5']), [{ reason: 'server_error', sessionId: undefined }], 'other parameters, and items that are no token')
  t.same(readSkipped('server_error;session_identifier=bare'), [{ reason: 'server_error', sessionId: 'bare' }], 'a bare identifier')
  t.same(readSkipped('server_error;session_identifier=a"b'), [{ reason: 'server_error', sessionId: undefined }], 'an identifier that is neither')
})
