import t from 'tap'
import { PostgresStore } from '../../lib/index.js'
import { dumpPostgres, postgresSkip, startPostgres, testPool } from '../helpers/postgres-server.js'
import { storeConformance } from './conformance.js'

await t.test('PostgresStore on one PostgreSQL server', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  const pool = testPool(t, server)
  let n = 0
  // One server for the file, a fresh table for each subtest.
  await storeConformance(t, 'PostgresStore', async (t) => {
    const store = new PostgresStore({ pool, table: `conformance_${n++}`, sweepIntervalMs: false })
    t.teardown(() => store.close())
    await store.createSchema()
    return store
  }, { dump: async () => dumpPostgres(server), outage: server })
})
