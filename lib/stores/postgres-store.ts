import { InvalidOptionError, StoreSchemaError, SweepFailedError } from '../errors.js'
import { positiveInteger } from '../option-checks.js'
import { preparedStatements, schemaStatements, sweepLockKey, tableName, type Statement, type Statements } from './postgres-sql.js'
import { decodeEntries, encodeEntries } from './postgres-data.js'
import { escapeString, unescapeString } from './string-escape.js'
import type { SessionPatch, SessionRecord, SessionStore, SessionSummary } from './types.js'

/** A query as PostgresStore sends it: pg's query config (a name makes it a prepared statement). */
export interface PgQuery {
  name?: string
  text: string
  values: unknown[]
}

/** What PostgresStore reads of a query result. */
export interface PgResult {
  rows: Array<Record<string, unknown>>
  rowCount: number | null
}

/** A client checked out of the pool (pg's `PoolClient`), as `PgPoolLike.connect()` gives it. */
export interface PgPoolClientLike {
  query (query: PgQuery): Promise<PgResult>
  /** Back to the pool; with an error (or `true`) the connection is closed instead. */
  release (err?: Error | boolean): void
}

/**
 * The part of node-postgres' `Pool` that PostgresStore uses: a `pg.Pool` instance fits. Typed by
 * shape so that the driver stays the application's choice and never becomes a dependency of this
 * package. A single `pg.Client` is refused: it runs one query at a time, so every request would wait
 * for every other's session query.
 */
export interface PgPoolLike {
  query (query: PgQuery): Promise<PgResult>
  connect (): Promise<PgPoolClientLike>
  readonly totalCount: number
}

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * A node-postgres `Pool`, made and ended by the application. For fail-closed outages give it a
   * `connectionTimeoutMillis` and a `query_timeout` (see docs/stores.md), and listen to its
   * `error` event: pg emits one when an idle connection drops, and an unheard one ends the process.
   */
  pool: PgPoolLike
  /**
   * The sessions table: a plain identifier, or `schema.table`, used exactly as given (quoted, so case
   * matters). @default 'sessions'
   */
  table?: string
  /**
   * How often expired rows are deleted, in milliseconds; `false` for never (sweep from a cron job
   * with `store.sweep()` instead). The timer does not keep the process alive. @default 60000
   */
  sweepIntervalMs?: number | false
  /** The most rows one sweep statement deletes: each batch is its own short transaction. @default 1000 */
  sweepBatchSize?: number
  /** Called with the error of a failed timed sweep (the next one tries again). @default a process warning, `FST_SESSION_SWEEP_FAILED` with the failure as its cause */
  onSweepError?: (err: unknown) => void
  /**
   * Named (prepared) statements: parsed and planned once per connection. Turn off behind a pooler
   * that cannot keep them (PgBouncer in transaction mode before 1.21). @default true
   */
  prepare?: boolean
}

// PostgreSQL's SQLSTATEs for a table or a column that is not there.
const UNDEFINED_TABLE = '42P01'
const UNDEFINED_COLUMN = '42703'

function isPool (pool: unknown): pool is PgPoolLike {
  if (typeof pool !== 'object' || pool === null) return false
  const p = pool as Partial<PgPoolLike>
  return typeof p.query === 'function' && typeof p.connect === 'function' && typeof p.totalCount === 'number'
}

/** A missing table or column says so, with a code; any other error (an outage) passes as it is. */
function schemaError (err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code
  if (code === UNDEFINED_TABLE || code === UNDEFINED_COLUMN) return new StoreSchemaError({ cause: err })
  return err
}

const time = (value: unknown): number => Number(value)

/** The values of a whole row, in the order of the set and replace statements. */
function rowValues (key: string, record: SessionRecord, ttlMs: number): unknown[] {
  return [
    key,
    encodeEntries(record.data),
    record.user === undefined ? null : escapeString(record.user),
    record.createdAt,
    record.lastSeenAt,
    record.renewedAt ?? null,
    ttlMs,
    linksColumn(record)
  ]
}

// The links column holds the links and, on a grace copy, '>' and the key it moved to (keys are
// base64url: no '>' and no space in them).
function linksColumn (record: SessionRecord): string | null {
  const parts = record.links === undefined ? [] : [...record.links]
  if (record.movedTo !== undefined) parts.push(`>${record.movedTo}`)
  return parts.length === 0 ? null : parts.join(' ')
}

function parseLinks (column: string): { links: string[], movedTo: string | undefined } {
  const links: string[] = []
  let movedTo: string | undefined
  for (const part of column.split(' ')) {
    if (part.startsWith('>')) movedTo = part.slice(1)
    else if (part !== '') links.push(part)
  }
  return { links, movedTo }
}

/**
 * Sessions in PostgreSQL, through a node-postgres pool: durable, shared by every instance of the app,
 * revocable, and inspectable with SQL. One row per session under the keyed hash of its id (never the
 * id), with its data, times, user and expiry. Every write is one atomic statement: a request's
 * changes are a patch of the keys it changed, so concurrent requests never erase each other's writes,
 * and a session destroyed meanwhile is never written back. Expired rows are never read, and are
 * deleted in small batches by one instance at a time. Each user's sessions are found through an
 * index, for `revokeUser` and `listUserSessions`.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 2000, query_timeout: 5000 })
 * pool.on('error', (err) => app.log.warn({ err }, 'idle PostgreSQL connection lost'))
 * const store = new PostgresStore({ pool })
 * await app.register(fastifySession, { secret, store })
 * app.addHook('onClose', async () => { await store.close(); await pool.end() })
 * ```
 */
export class PostgresStore implements SessionStore {
  readonly #pool: PgPoolLike
  readonly #table: { qualified: string, bare: string }
  readonly #sql: Statements
  readonly #lockKey: string
  readonly #batch: number
  readonly #timer: NodeJS.Timeout | undefined
  #sweeping: Promise<number> | undefined
  #closed = false

  /**
   * @throws `FST_SESSION_INVALID_OPTION` for a pool that is not a pg Pool, a table name that is not a
   * plain (optionally schema-qualified) identifier, or a sweep setting that is not a positive integer.
   */
  constructor (options: PostgresStoreOptions) {
    const pool = (options as Partial<PostgresStoreOptions> | undefined)?.pool
    if (!isPool(pool)) throw new InvalidOptionError('pool', 'must be a node-postgres Pool (pg.Pool), not a Client')
    this.#pool = pool
    this.#table = tableName(options.table === undefined ? 'sessions' : options.table)
    this.#batch = positiveInteger('sweepBatchSize', options.sweepBatchSize, 1000)
    const every = options.sweepIntervalMs === false ? false : positiveInteger('sweepIntervalMs', options.sweepIntervalMs, 60_000)
    const onSweepError = options.onSweepError ?? ((err: unknown) => { process.emitWarning(new SweepFailedError({ cause: err })) })
    if (typeof onSweepError !== 'function') throw new InvalidOptionError('onSweepError', 'must be a function')
    const prepare = options.prepare ?? true
    if (typeof prepare !== 'boolean') throw new InvalidOptionError('prepare', 'must be a boolean')
    this.#sql = preparedStatements(this.#table.qualified, prepare)
    this.#lockKey = sweepLockKey(this.#table.qualified)
    if (every !== false) {
      this.#timer = setInterval(() => { this.sweep().catch(onSweepError) }, every).unref()
    }
  }

  /**
   * Creates the table and its indexes when they are missing, for development and tests. Production
   * schemas belong to the app's migrations: docs/stores.md gives the same statements.
   */
  async createSchema (): Promise<void> {
    for (const text of schemaStatements(this.#table.qualified, this.#table.bare)) {
      await this.#pool.query({ text, values: [] })
    }
  }

  async get (key: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.#query(this.#sql.get, [key])
    const row = rows[0]
    if (row === undefined) return undefined
    try {
      const record: SessionRecord = {
        data: decodeEntries(row.data as string),
        createdAt: time(row.created_at),
        lastSeenAt: time(row.last_seen_at)
      }
      if (row.user_id !== null) record.user = unescapeString(row.user_id as string)
      if (row.renewed_at !== null) record.renewedAt = time(row.renewed_at)
      if (typeof row.links === 'string') {
        const { links, movedTo } = parseLinks(row.links)
        if (links.length > 0) record.links = links
        if (movedTo !== undefined) record.movedTo = movedTo
      }
      return record
    } catch {
      // A row edited by hand into something this store never writes cannot be trusted: the request
      // gets a fresh session rather than an error.
      return undefined
    }
  }

  async set (key: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await this.#query(this.#sql.set, rowValues(key, record, ttlMs))
  }

  async replace (key: string, record: SessionRecord, ttlMs: number): Promise<boolean | string> {
    const row = (await this.#query(this.#sql.replace, rowValues(key, record, ttlMs))).rows[0]
    if (row === undefined) return false
    return row.written === 1 || (parseLinks(row.links as string).movedTo as string)
  }

  async take (key: string): Promise<string[] | undefined> {
    const row = (await this.#query(this.#sql.take, [key])).rows[0]
    // An expired row is deleted all the same, but it was no session any more.
    if (row === undefined || row.live !== true) return undefined
    const { links, movedTo } = parseLinks(row.links as string)
    return movedTo === undefined ? links : [...links, movedTo]
  }

  async patch (key: string, changes: SessionPatch, ttlMs: number): Promise<boolean | string> {
    const user = changes.user
    const forwarded = changes.forwarded === true
    const { rows } = await this.#query(this.#sql.patch, [
      key,
      changes.unset.map(escapeString),
      encodeEntries(changes.set),
      forwarded ? null : changes.lastSeenAt,
      user !== undefined,
      typeof user === 'string' ? escapeString(user) : null,
      forwarded ? null : ttlMs
    ])
    const row = rows[0]
    if (row === undefined) return false
    return parseLinks(row.links as string).movedTo ?? true
  }

  async touch (key: string, ttlMs: number, lastSeenAt: number): Promise<boolean> {
    return (await this.#query(this.#sql.touch, [key, lastSeenAt, ttlMs])).rowCount === 1
  }

  async destroy (key: string): Promise<void> {
    await this.#query(this.#sql.destroy, [key])
  }

  async listUserSessions (user: string): Promise<SessionSummary[]> {
    const { rows } = await this.#query(this.#sql.list, [escapeString(user)])
    return rows.map((row) => ({ createdAt: time(row.created_at), lastSeenAt: time(row.last_seen_at) }))
  }

  async revokeUser (user: string): Promise<number> {
    const { rows } = await this.#query(this.#sql.revoke, [escapeString(user)])
    return time((rows[0] as Record<string, unknown>).n)
  }

  /**
   * Deletes every expired row now, in batches of `sweepBatchSize` (the timer calls this). One instance
   * sweeps a table at a time: each batch takes a transaction-scoped PostgreSQL advisory lock in the
   * same statement, and a batch that finds it held deletes nothing, which ends the sweep. Works
   * behind a transaction pooler: no lock outlives its statement.
   *
   * @returns how many rows this call deleted.
   */
  async sweep (): Promise<number> {
    if (this.#sweeping === undefined) {
      this.#sweeping = this.#sweepBatches().finally(() => { this.#sweeping = undefined })
    }
    return await this.#sweeping
  }

  async #sweepBatches (): Promise<number> {
    let deleted = 0
    let count = this.#batch
    while (count === this.#batch && !this.#closed) {
      count = Number((await this.#query(this.#sql.sweep, [this.#batch, this.#lockKey])).rowCount)
      deleted += count
    }
    return deleted
  }

  /** Stops the sweep timer and waits for a sweep in progress to end (after its current batch). */
  async close (): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    await this.#sweeping?.catch(() => {})
  }

  async #query (statement: Statement, values: unknown[]): Promise<PgResult> {
    try {
      return await this.#pool.query({ ...statement, values })
    } catch (err) {
      throw schemaError(err)
    }
  }
}
