import t from 'tap'
import { readCookie } from '../../lib/cookie.js'

t.test('readCookie finds our cookie by exact name, raw, first occurrence', async (t) => {
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['sid=abc', 'abc'],
    ['sid=abc; other=1', 'abc'],
    ['other=1; sid=abc', 'abc'],
    ['other=1;sid=abc', 'abc'],
    ['other=1;\tsid=abc', 'abc'],
    ['other=1;  sid= abc ;x=2', 'abc'],
    ['sid=first; sid=second', 'first'],
    ['xsid=no; sid=yes', 'yes'],
    ['sidx=no; sid=yes', 'yes'],
    ['a=sid=no; sid=yes', 'yes'],
    ['a=sid=no', undefined],
    ['a=b sid=no', undefined],
    ['sid', undefined],
    ['sidsid=no', undefined],
    ['sid=', ''],
    ['sid=a%2Db', 'a%2Db']
  ]
  for (const [header, value] of cases) t.equal(readCookie(header, 'sid'), value, JSON.stringify(header))
})
