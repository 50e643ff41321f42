import t from 'tap'
import { demo, serverStoreDemo } from '../helpers/demo-client.js'
import { postgresSkip, startPostgres } from '../helpers/postgres-server.js'

t.test('the demo on SESSION_STORE=postgres with a real PostgreSQL', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  await serverStoreDemo(t, await demo(t, 'postgres', server.url), 'postgres')
})
