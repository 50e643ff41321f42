// The comparison PostgresStore exists for: express-session's connect-pg-simple through
// fromConnectStore, on the same kind of real PostgreSQL. It passes the contract's basics; having
// neither patch nor a per-user index, it writes whole records (concurrent requests can erase each
// other's changes) and cannot revoke a user's sessions.
import connectPgSimple from 'connect-pg-simple'
import expressSession from 'express-session'
import t from 'tap'
import { fromConnectStore } from '../../lib/index.js'
import { dumpPostgres, postgresSkip, startPostgres, testPool } from '../helpers/postgres-server.js'
import { storeConformance } from './conformance.js'

await t.test('fromConnectStore(connect-pg-simple) on one PostgreSQL server', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  const pool = testPool(t, server)
  const PgSession = connectPgSimple(expressSession)
  let n = 0
  await storeConformance(t, 'fromConnectStore(connect-pg-simple)', async (t) => {
    // A schema per subtest: connect-pg-simple's DDL names its primary key "session_pkey" whatever
    // the table, so two of its tables cannot share a schema.
    const schemaName = `cps_${n++}`
    await pool.query(`CREATE SCHEMA ${schemaName}`)
    const store = new PgSession({ pool, schemaName, createTableIfMissing: true, pruneSessionInterval: false })
    t.teardown(() => store.close())
    return fromConnectStore(store)
  }, { dump: async () => dumpPostgres(server), outage: server })
})
