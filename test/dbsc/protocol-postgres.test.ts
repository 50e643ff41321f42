// The DBSC protocol on a PostgresStore with a real PostgreSQL (the scenario: helpers/dbsc-scenario.ts).
import t from 'tap'
import { PostgresStore } from '../../lib/index.js'
import { dbscScenario } from '../helpers/dbsc-scenario.js'
import { postgresSkip, startPostgres, testPool } from '../helpers/postgres-server.js'

t.test('DBSC on the PostgresStore', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  const store = new PostgresStore({ pool: testPool(t, server), sweepIntervalMs: false })
  t.teardown(() => store.close())
  await store.createSchema()
  await dbscScenario(t, store)
})
