// The server driver's cache of store keys (lib/stores/store-keys.ts): ids found in the store, or just
// written to it, skip the keyed hash on their next request; made-up ids are never kept; the bound
// holds; a logout needs no eviction; the cache empties with the keyring.
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import type { ServerDriver } from '../../lib/stores/server-driver.js'
import { StoreKeys, STORE_KEYS_MAX } from '../../lib/stores/store-keys.js'
import { generateId } from '../../lib/session-id.js'
import { directDriver } from '../helpers/security-support.js'
import { OTHER_SECRET, SECRET } from '../helpers/index.js'

t.test('bounded: the oldest id goes first; an id already held is updated in place', async (t) => {
  const keys = new StoreKeys(2)
  keys.add('a', 'ka')
  keys.add('b', 'kb')
  keys.add('a', 'ka2')
  t.equal(keys.size, 2, 'updating a held id drops nothing')
  t.equal(keys.get('a'), 'ka2')
  keys.add('c', 'kc')
  t.same(['a', 'b', 'c'].map((id) => keys.get(id)), [undefined, 'kb', 'kc'])
  keys.clear()
  t.equal(keys.size, 0)
  t.equal(new StoreKeys().size, 0)
  t.equal(STORE_KEYS_MAX, 10_000)
})

async function loggedIn (d: ReturnType<typeof directDriver>): Promise<string> {
  const { session, exchange } = await d.open()
  ;(session as unknown as { set (k: string, v: unknown): void }).set('userId', 'u1')
  return await d.persist(session, exchange) as string
}

t.test('an id written or found is kept with its current-secret key; a made-up one never is', async (t) => {
  const d = directDriver({ store: new MemoryStore() })
  const keys = (d.driver as ServerDriver).storeKeys
  const id = await loggedIn(d)
  t.equal(keys.get(id), d.config.keyring.storeKey(id), 'kept when its record was written')
  keys.clear()
  t.equal((await d.open(id)).session.isNew, false)
  t.equal(keys.get(id), d.config.keyring.storeKey(id), 'kept when its record was found')
  t.equal((await d.open(id)).session.isNew, false, 'and found again through it')
  for (let i = 0; i < 3; i++) t.equal((await d.open(generateId())).session.isNew, true)
  t.equal(keys.size, 1, 'ids with no record are not kept')
})

t.test('a returning id is looked up under its kept key, not hashed again', async (t) => {
  const d = directDriver({ store: new MemoryStore() })
  const keys = (d.driver as ServerDriver).storeKeys
  const id = await loggedIn(d)
  // A key that is not the id's hash: only a driver that reads the kept key looks there.
  keys.add(id, d.config.keyring.storeKey(generateId()))
  t.equal((await d.open(id)).session.isNew, true, 'the kept key was used')
  keys.clear()
  t.equal((await d.open(id)).session.isNew, false, 'hashed again once it is gone')
})

t.test('a cached key finds nothing once the session is gone', async (t) => {
  const d = directDriver({ store: new MemoryStore() })
  const id = await loggedIn(d)
  const { session } = await d.open(id)
  await session.destroy()
  t.equal((d.driver as ServerDriver).storeKeys.get(id), d.config.keyring.storeKey(id), 'still held')
  t.equal((await d.open(id)).session.isNew, true, 'and the logged-out id is refused')
})

t.test('after a secret rotation, an id found under the old secret is kept once moved to the new one', async (t) => {
  const store = new MemoryStore()
  const before = directDriver({ store, secret: SECRET })
  const id = await loggedIn(before)
  const after = directDriver({ store, secret: [OTHER_SECRET, SECRET] })
  const keys = (after.driver as ServerDriver).storeKeys
  const { session, exchange } = await after.open(id)
  t.equal(session.isNew, false)
  t.equal(keys.size, 0, 'the old secret\'s key is not kept')
  await after.persist(session, exchange)
  t.equal(keys.get(id), after.config.keyring.storeKey(id), 'the move to the current secret is')
  t.not(keys.get(id), before.config.keyring.storeKey(id))
})

t.test('wiping the keyring empties it', async (t) => {
  const d = directDriver({ store: new MemoryStore() })
  await loggedIn(d)
  const keys = (d.driver as ServerDriver).storeKeys
  t.equal(keys.size, 1)
  d.config.keyring.wipe()
  t.equal(keys.size, 0)
})
