import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, cookieBytes, cookieValue, loose, sessionSetCookie } from '../helpers/index.js'

function routes (app: FastifyInstance): void {
  app.get('/set', async (request) => {
    loose(request).set('v', (request.query as { v: string }).v)
    return { ok: true }
  })
  app.get('/read', async (request) => ({ v: loose(request).get('v') ?? null }))
}

// A value whose byte length is 1 more than a multiple of 3 ends in a base64url character with 4
// unused bits: the easiest one to re-encode without changing the bytes.
async function cookieWithSpareBits (app: FastifyInstance): Promise<string> {
  for (let pad = 0; pad < 3; pad++) {
    const value = cookieValue(await app.inject(`/set?v=${'p'.repeat(pad + 1)}`)) as string
    if (cookieBytes(value).length % 3 === 1) return value
  }
  throw new Error('no padding gave a value with spare bits')
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

t.test('non-canonical encodings of a valid cookie do not authenticate', async (t) => {
  const app = await build(t, {}, routes)
  const value = await cookieWithSpareBits(app)
  const ok = await app.inject({ url: '/read', headers: { cookie: `sid=${value}` } })
  t.not(ok.json().v, null, 'control: the canonical value opens')

  const last = ALPHABET.indexOf(value.at(-1) as string)
  const spareBitsSet = value.slice(0, -1) + ALPHABET[last | 0x0f]
  const variants: Array<[string, string]> = [
    ['unused low bits set', spareBitsSet],
    ['= padding', `${value}==`],
    ['standard-alphabet characters', value.replaceAll('-', '+').replaceAll('_', '/')],
    ['a character the decoder skips', `${value.slice(0, 10)}.${value.slice(10)}`],
    ['percent-encoded first character', `%${value.charCodeAt(0).toString(16)}${value.slice(1)}`]
  ]
  t.same(cookieBytes(spareBitsSet), cookieBytes(value), 'the spare-bits variant decodes to the very same bytes')
  for (const [name, variant] of variants) {
    if (variant === value) continue
    const res = await app.inject({ url: '/read', headers: { cookie: `sid=${variant}` } })
    t.equal(res.statusCode, 200, name)
    t.same(res.json(), { v: null }, `${name}: not authenticated`)
    t.match(sessionSetCookie(res), /^sid=; Max-Age=0;/, `${name}: cleared`)
  }
})

t.test('a length no base64url value has is refused', async (t) => {
  const app = await build(t, {}, routes)
  const value = cookieValue(await app.inject('/set?v=x')) as string
  // Dropping (rest + 3) % 4 characters leaves a length of 4n + 1, which no byte string encodes to.
  const broken = value.slice(0, value.length - ((value.length % 4) + 3) % 4)
  t.equal(broken.length % 4, 1)
  const res = await app.inject({ url: '/read', headers: { cookie: `sid=${broken}` } })
  t.same(res.json(), { v: null })
  t.match(sessionSetCookie(res), /^sid=; Max-Age=0;/)
})
