// PostgresStore while a real PostgreSQL is stopped and started again, through a pool with the
// recommended fail-fast settings (the scenario: helpers/store-outage.ts).
import t from 'tap'
import { PostgresStore } from '../../lib/index.js'
import { postgresSkip, startPostgres, testPool } from '../helpers/postgres-server.js'
import { outageScenario } from '../helpers/store-outage.js'

t.test('PostgresStore outage', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  const store = new PostgresStore({ pool: testPool(t, server), sweepIntervalMs: false })
  t.teardown(() => store.close())
  await store.createSchema()
  await outageScenario(t, store, server)
})
