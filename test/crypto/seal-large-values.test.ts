import t from 'tap'
import { Keyring } from '../../lib/keyring.js'
import { Sealer, type OpenFailure, type Opened } from '../../lib/seal.js'
import { SECRET } from '../helpers/index.js'

// Values beyond the sealer's shared scratch buffers (16 KiB) take buffers of their own. No cookie
// gets there (the cookie store refuses a cookie over 4096 bytes before opening it), so the sealer is
// driven directly: both paths must seal, open and refuse exactly alike.

/** What `open` found, with the plaintext decoded (the message is a view of a scratch buffer). */
function text (opened: Opened | OpenFailure): { plaintext: string, stale: boolean } | OpenFailure {
  return typeof opened === 'string' ? opened : { plaintext: opened.message.toString(), stale: opened.stale }
}

function sealer (t: { teardown (fn: () => unknown): void }): Sealer {
  const keyring = new Keyring([Buffer.from(SECRET)])
  t.teardown(() => keyring.wipe())
  return new Sealer(keyring, 'sid')
}

t.test('a value larger than the scratch buffers round-trips, multi-byte characters included', async (t) => {
  const s = sealer(t)
  for (const plaintext of [`{"v":"${'x'.repeat(40_000)}"}`, `{"v":"${'é€😀'.repeat(6_000)}"}`]) {
    const sealed = s.seal(plaintext)
    t.equal(Sealer.sealedLength(Buffer.byteLength(plaintext)), sealed.length, 'the sealed length is as documented')
    t.same(text(s.open(sealed)), { plaintext, stale: false })
  }
})

t.test('a small value sealed between large ones is not mixed with their bytes', async (t) => {
  const s = sealer(t)
  const large = s.seal('L'.repeat(30_000))
  const small = s.seal('{"a":1}')
  t.same(text(s.open(large)), { plaintext: 'L'.repeat(30_000), stale: false })
  t.same(text(s.open(small)), { plaintext: '{"a":1}', stale: false })
})

t.test('a large value is refused like a small one when re-spelled or tampered with', async (t) => {
  const s = sealer(t)
  const sealed = s.seal('y'.repeat(30_000))
  t.equal(s.open(`${sealed}==`), 'malformed', 'padding')
  t.match(sealed, /[-_]/, 'control: the value has characters the standard alphabet spells otherwise')
  t.equal(s.open(sealed.replaceAll('-', '+').replaceAll('_', '/')), 'malformed', 'standard alphabet')
  const flipped = sealed.slice(0, 5000) + (sealed[5000] === 'A' ? 'B' : 'A') + sealed.slice(5001)
  t.equal(s.open(flipped), 'decryption-failed', 'one character changed')
  t.equal(s.open(''), 'malformed', 'empty')
  t.equal(s.open('A'), 'malformed', 'one character')
  t.equal(s.open('AAAA'), 'truncated', 'shorter than a header and a tag')
})
