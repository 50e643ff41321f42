import t from 'tap'
import { cli, generateSecret, GENERATED_SECRET_BYTES } from '../../lib/keygen.js'

t.test('generateSecret gives 64 random bytes as base64url', async (t) => {
  const a = generateSecret()
  const b = generateSecret()
  t.match(a, /^[A-Za-z0-9_-]+$/)
  t.equal(Buffer.from(a, 'base64url').length, GENERATED_SECRET_BYTES)
  t.not(a, b)
})

t.test('cli keygen prints one secret and exits 0', async (t) => {
  const out: string[] = []
  const err: string[] = []
  const code = cli(['keygen'], (s) => out.push(s), (s) => err.push(s))
  t.equal(code, 0)
  t.equal(err.length, 0)
  t.match(out.join(''), /^[A-Za-z0-9_-]{86}\n$/)
})

t.test('cli help prints usage and exits 0', async (t) => {
  for (const arg of ['help', '--help', '-h']) {
    const out: string[] = []
    t.equal(cli([arg], (s) => out.push(s), () => {}), 0)
    t.match(out.join(''), /Usage: fastify-session-kit keygen/)
  }
})

t.test('cli with an unknown or missing command prints usage to stderr and exits 1', async (t) => {
  for (const args of [[], ['nope']]) {
    const err: string[] = []
    t.equal(cli(args, () => t.fail('nothing on stdout'), (s) => err.push(s)), 1)
    t.match(err.join(''), /Usage/)
  }
})
