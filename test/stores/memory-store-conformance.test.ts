import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { storeConformance } from './conformance.js'

await storeConformance(t, 'MemoryStore', (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  return store
})
