// The binding store on its own: bound cookies, challenges, and records that are not bindings.
import t from 'tap'
import { Bindings } from '../../lib/dbsc/bindings.js'
import type { DbscConfig } from '../../lib/dbsc/options.js'
import { Keyring } from '../../lib/keyring.js'
import { MemoryStore } from '../../lib/index.js'
import { SECRET } from '../helpers/index.js'

t.test('bindings', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const keyring = new Keyring([Buffer.from(SECRET)])
  t.teardown(() => keyring.wipe())
  const bindings = new Bindings(store, keyring, { challengeTtlMs: 1000 } as DbscConfig)
  const sid = 'A'.repeat(43)
  const now = Date.now()
  const cookie = bindings.cookieValue(sid, now + 1000)
  t.equal(bindings.checkCookie(sid, cookie, now), 'ok')
  t.equal(bindings.checkCookie(sid, cookie, now + 1000), 'expired')
  t.equal(bindings.checkCookie('B'.repeat(43), cookie, now), 'invalid', 'another session\'s bound cookie')
  for (const bad of ['', '.', 'abc', '.abc', 'ZZ.abc', `0${cookie}`, `${cookie}x`]) t.equal(bindings.checkCookie(sid, bad, now), 'invalid', JSON.stringify(bad))
  t.equal(bindings.checkCookie(sid, undefined, now), 'missing')

  const c = await bindings.issue(sid, 'refresh', now)
  t.notOk(await bindings.consume(sid, 'registration', c, now), 'a refresh challenge is no registration challenge')
  t.notOk(await bindings.consume(sid, 'refresh', c, now + 1000), 'an expired one is refused even if the store still has it')
  t.ok(await bindings.consume(sid, 'refresh', c, now))
  t.notOk(await bindings.consume(sid, 'refresh', c, now), 'once')
  t.notOk(await bindings.consume(sid, 'refresh', 'short', now), 'a malformed one is not looked up')

  await store.set(keyring.storeKey(`dbsc-binding\0${sid}`), { data: { alg: 'HS256' }, createdAt: now, lastSeenAt: 0 }, 1000)
  t.equal(await bindings.find(sid), undefined, 'a record that is not a binding binds nothing')
})
