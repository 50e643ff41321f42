// The DBSC protocol on the MemoryStore (the scenario: helpers/dbsc-scenario.ts).
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { dbscScenario } from '../helpers/dbsc-scenario.js'

t.test('DBSC on the MemoryStore', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  await dbscScenario(t, store)
})
