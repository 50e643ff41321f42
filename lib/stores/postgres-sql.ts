import { createHash } from 'node:crypto'
import { InvalidOptionError } from '../errors.js'

/** @internal One prepared statement: pg's named query config, without the values. */
export interface Statement {
  readonly name?: string
  readonly text: string
}

// PostgreSQL cuts identifiers at 63 bytes (NAMEDATALEN - 1); a table name leaves room for the
// longest index suffix below, so that no derived index name is cut and collides with another.
const MAX_TABLE = 63 - '_expires_at_idx'.length
const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * @internal The table name as SQL: `table` or `schema.table`, each part a plain identifier,
 * double-quoted (so used exactly as given, case included). Nothing else is ever put into SQL text;
 * every value travels as a bound parameter.
 *
 * @throws `FST_SESSION_INVALID_OPTION` for anything but one or two plain identifiers.
 */
export function tableName (table: unknown): { qualified: string, bare: string } {
  const parts = typeof table === 'string' ? table.split('.') : []
  const max = [MAX_TABLE, 63]
  if (parts.length < 1 || parts.length > 2 || parts.some((p, i) => !PLAIN.test(p) || p.length > (max[parts.length - 1 - i] as number))) {
    throw new InvalidOptionError('table', `must be a plain SQL identifier (letters, digits, _; the table part at most ${MAX_TABLE} characters), optionally schema-qualified as schema.table`)
  }
  return { qualified: parts.map((p) => `"${p}"`).join('.'), bare: parts[parts.length - 1] as string }
}

// Milliseconds since the epoch in and out as text: the app may have changed pg's type parsers for
// timestamptz, int8 or jsonb, and text is the one type no parser touches.
const ms = (column: string): string => `(extract(epoch FROM ${column}) * 1000)::bigint::text`
const time = (param: string): string => `to_timestamp(${param}::float8 / 1000)`
const expiry = (param: string): string => `now() + ${param}::float8 * interval '1 millisecond'`

/** @internal The schema the store expects, as statements run in order. */
export function schemaStatements (table: string, bare: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
  key text COLLATE "C" PRIMARY KEY,
  data jsonb NOT NULL,
  user_id text COLLATE "C",
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  renewed_at timestamptz,
  expires_at timestamptz NOT NULL,
  links text                                    -- space-separated; '>key' is movedTo
)`,
    // Tables made before links existed (0.1.0) get the column.
    `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS links text`,
    `CREATE INDEX IF NOT EXISTS "${bare}_user_id_idx" ON ${table} (user_id) WHERE user_id IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS "${bare}_expires_at_idx" ON ${table} (expires_at)`
  ]
}

function statements (table: string) {
  return {
    get: `SELECT data::text AS data, user_id, ${ms('created_at')} AS created_at, ${ms('last_seen_at')} AS last_seen_at,
  ${ms('renewed_at')} AS renewed_at, links FROM ${table} WHERE key = $1 AND expires_at > now()`,
    set: `INSERT INTO ${table} AS s (key, data, user_id, created_at, last_seen_at, renewed_at, expires_at, links)
VALUES ($1, $2::jsonb, $3, ${time('$4')}, ${time('$5')}, ${time('$6')}, ${expiry('$7')}, $8)
ON CONFLICT (key) DO UPDATE SET data = excluded.data, user_id = excluded.user_id, created_at = excluded.created_at,
  last_seen_at = excluded.last_seen_at, renewed_at = excluded.renewed_at, expires_at = excluded.expires_at,
  links = excluded.links`,
    // Only onto a live row that has not moved, in one statement: a session deleted meanwhile matches
    // nothing; one renewed meanwhile answers where it moved ('>' in links), locked so that two renewals
    // of one id queue and the second one sees the first.
    replace: `WITH current AS (SELECT key, coalesce(links, '') AS links FROM ${table} WHERE key = $1 AND expires_at > now() FOR UPDATE),
written AS (UPDATE ${table} AS s SET data = $2::jsonb, user_id = $3, created_at = ${time('$4')}, last_seen_at = ${time('$5')},
  renewed_at = ${time('$6')}, expires_at = ${expiry('$7')}, links = $8
  FROM current WHERE s.key = current.key AND position('>' in current.links) = 0 RETURNING 1)
SELECT links, (SELECT count(*) FROM written)::int AS written FROM current`,
    take: `DELETE FROM ${table} WHERE key = $1 RETURNING coalesce(links, '') AS links, expires_at > now() AS live`,
    // One UPDATE: the row lock makes concurrent patches of one session queue, and each re-reads the
    // row it waited for (READ COMMITTED), so patches of different keys all land. A row deleted or
    // expired meanwhile matches nothing and stays gone.
    // A forwarded patch ($7 null) leaves the time and the expiry as they are.
    patch: `UPDATE ${table} SET data = (data - $2::text[]) || $3::jsonb, last_seen_at = coalesce(${time('$4')}, last_seen_at),
  user_id = CASE WHEN $5::boolean THEN $6::text ELSE user_id END,
  expires_at = CASE WHEN $7::float8 IS NULL THEN expires_at ELSE ${expiry('$7')} END
WHERE key = $1 AND expires_at > now() RETURNING coalesce(links, '') AS links`,
    touch: `UPDATE ${table} SET last_seen_at = ${time('$2')}, expires_at = ${expiry('$3')} WHERE key = $1 AND expires_at > now()`,
    destroy: `DELETE FROM ${table} WHERE key = $1`,
    list: `SELECT ${ms('created_at')} AS created_at, ${ms('last_seen_at')} AS last_seen_at FROM ${table}
WHERE user_id = $1 AND expires_at > now() ORDER BY created_at`,
    // Expired rows of the user go too, but only live ones count as revoked.
    revoke: `WITH gone AS (DELETE FROM ${table} WHERE user_id = $1 RETURNING expires_at)
SELECT (count(*) FILTER (WHERE expires_at > now()))::text AS n FROM gone`,
    // One statement per batch, which is its own transaction: the advisory lock is transaction-scoped
    // (released at its end whatever happens), so behind a transaction pooler (PgBouncer) it can neither
    // leak nor be released on another backend. Without the lock (another instance is sweeping) it
    // deletes nothing. SKIP LOCKED: rows a request is writing right now are left for the next batch, so
    // a sweep never waits on request traffic, and request traffic waits on at most one short batch.
    sweep: `WITH lock AS MATERIALIZED (SELECT pg_try_advisory_xact_lock($2::bigint) AS held)
DELETE FROM ${table} WHERE key IN (
  SELECT key FROM ${table} WHERE (SELECT held FROM lock) AND expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)`
  }
}

/** @internal Every statement the store runs. */
export type Statements = Readonly<Record<keyof ReturnType<typeof statements>, Statement>>

/**
 * @internal The statements for `table`, named for pg's per-connection prepared-statement cache when
 * `prepare` is on. A name is a hash of the text, so stores on different tables sharing one pool
 * never reuse a name for another text (pg refuses that).
 */
export function preparedStatements (table: string, prepare: boolean): Statements {
  const out: Record<string, Statement> = {}
  for (const [key, text] of Object.entries(statements(table))) {
    out[key] = prepare ? { name: `fsk_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`, text } : { text }
  }
  return out as Statements
}

/**
 * @internal The advisory-lock key of the sweeper of `table`: 64 bits of a hash of the qualified
 * name, so stores on different tables sweep independently, and every instance on one table agrees.
 */
export function sweepLockKey (table: string): string {
  const digest = createHash('sha256').update(`fastify-session-kit:sweep:${table}`).digest()
  return digest.readBigInt64BE(0).toString()
}
