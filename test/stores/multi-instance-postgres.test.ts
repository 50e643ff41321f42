// Two app instances on two real ports sharing one PostgreSQL database, each with its own pool (the
// scenario: helpers/multi-instance.ts).
import t from 'tap'
import { PostgresStore } from '../../lib/index.js'
import { twoInstances } from '../helpers/multi-instance.js'
import { postgresSkip, startPostgres, testPool } from '../helpers/postgres-server.js'

t.test('two instances, one PostgreSQL', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  await new PostgresStore({ pool: testPool(t, server), sweepIntervalMs: false }).createSchema()
  await twoInstances(t, (t) => {
    // Both sweep on a timer, as real instances would: the advisory lock lets one at a time through.
    const store = new PostgresStore({ pool: testPool(t, server), sweepIntervalMs: 50 })
    t.teardown(() => store.close())
    return store
  })
})
