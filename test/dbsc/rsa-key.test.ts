// A browser whose device key is RSA (RS256, 2048 bits) registers and refreshes like a P-256 one.
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { SoftwareKey } from '../helpers/dbsc-device.js'
import { boundBrowser, dbscApp } from '../helpers/dbsc-scenario.js'
import { fakeClock } from '../helpers/index.js'

t.test('RS256 device key', async (t) => {
  const clock = fakeClock(t, Date.now())
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const { base } = await dbscApp(t, store)
  const browser = await boundBrowser(t, base, new SoftwareKey('RS256'))
  clock.tick(601_000)
  t.equal((await browser.fetch('/me')).status, 401, 'without a refresh the expired bound cookie is missed')
  const browser2 = await boundBrowser(t, base, new SoftwareKey('RS256'))
  clock.tick(601_000)
  t.equal((await browser2.refresh()).status, 200, 'the RSA-bound session refreshes')
  t.same(await (await browser2.fetch('/me')).json(), { user: 'alice' })
})
