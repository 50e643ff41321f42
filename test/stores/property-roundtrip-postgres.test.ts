// Property: any session data a handler may set comes back unchanged from PostgresStore on a real
// PostgreSQL, and so do later partial changes, written as patches (keys and strings with "\u0000"
// and lone surrogates included, which jsonb refuses as they are). Fewer runs than the in-process
// stores: each is a few round trips to the server.
import fc from 'fast-check'
import t from 'tap'
import { PostgresStore } from '../../lib/index.js'
import { postgresSkip, startPostgres, testPool } from '../helpers/postgres-server.js'
import { check, directDriver, fcParams, propertyTimeout, removedKeys, roundTripWithChanges, sessionData } from '../helpers/security-support.js'

propertyTimeout(t, 3)

t.test('postgres store: data and later patches round-trip unchanged on a real PostgreSQL', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  const pool = testPool(t, server)
  const store = new PostgresStore({ pool, table: 'prop', sweepIntervalMs: false })
  t.teardown(() => store.close())
  await store.createSchema()
  const d = directDriver({ store })
  const property = fc.asyncProperty(sessionData(), sessionData(), removedKeys(), async (data, changes, removed) =>
    await roundTripWithChanges(d, data, changes, removed))
  const runs = await check(t, property, fcParams(0.05, 200))
  t.ok(runs > 0)
})
