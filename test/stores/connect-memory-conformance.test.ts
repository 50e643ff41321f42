import { MemoryStore as ExpressMemoryStore } from 'express-session'
import t from 'tap'
import { fromConnectStore } from '../../lib/index.js'
import { storeConformance } from './conformance.js'

let backend: ExpressMemoryStore | undefined
await storeConformance(t, 'fromConnectStore(express-session MemoryStore)', () => {
  backend = new ExpressMemoryStore()
  return fromConnectStore(backend)
}, {
  // express-session's MemoryStore keeps each session as a JSON string in `sessions`.
  dump: async () => JSON.stringify((backend as unknown as { sessions: unknown }).sessions)
})
