import { createHash } from 'node:crypto'

// Lua scripts, each on ONE key: everything of a session lives in one hash, so every step is atomic
// on a single node and on a Cluster alike (a multi-key script would cross hash slots there).
// HSET/HDEL go in chunks because Lua's unpack() is limited by the C stack (a few thousand values).
const HELPERS = `
local function chunked(cmd, key, list)
  for i = 1, #list, 512 do
    redis.call(cmd, key, unpack(list, i, math.min(i + 511, #list)))
  end
end
`

// KEYS[1] session; ARGV[1] ttl ms; ARGV[2..] field, value pairs. A new record replaces the old whole.
// HSET comes first and the old fields go after it, rather than DEL then HSET: Redis checks maxmemory
// only on a script's first write, and a DEL first would let a full Redis (noeviction) take new
// sessions past its limit.
const SET_BODY = `
local fields = {}
local keep = {}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
for i = 2, #ARGV, 2 do keep[ARGV[i]] = true end
local old = redis.call('HKEYS', KEYS[1])
chunked('HSET', KEYS[1], fields)
local gone = {}
for _, field in ipairs(old) do
  if not keep[field] then gone[#gone + 1] = field end
end
if #gone > 0 then chunked('HDEL', KEYS[1], gone) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`
const SET = HELPERS + SET_BODY

// As SET, only onto a session that still exists and has not moved (a renewal): 0 when it is gone, its
// movedTo when another request renewed it first, in the same atomic step as the write, so a logout or
// revokeUser meanwhile is never undone and one id is never renewed twice.
const REPLACE = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local moved = redis.call('HGET', KEYS[1], 'movedTo')
if moved then return moved end
${SET_BODY}`

// KEYS[1] session. Deletes it and returns its links and movedTo, space-separated ('' for none), or
// false when it was not there: read and deleted in one step, so a renewal linking a new id to it cannot
// slip in between.
const TAKE = `
local links = redis.call('HGET', KEYS[1], 'links') or ''
local moved = redis.call('HGET', KEYS[1], 'movedTo')
if redis.call('DEL', KEYS[1]) == 0 then return false end
if moved then links = links .. ' ' .. moved end
return links
`

// KEYS[1] session; ARGV: ttl ms ('' for a forwarded patch: time and TTL stay), lastSeenAt, user (''
// unchanged, '-' none, '=name' set), number of pairs, the field/value pairs, then the fields to delete.
// Returns {previous user, user, movedTo} ('' = none), or 0 when the session is gone: a session
// destroyed or expired while the request ran stays gone.
const PATCH = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[4])
local fields = {}
if ARGV[1] ~= '' then fields = {'lastSeenAt', ARGV[2]} end
for i = 5, 4 + 2 * n do fields[#fields + 1] = ARGV[i] end
local gone = {}
for i = 5 + 2 * n, #ARGV do gone[#gone + 1] = ARGV[i] end
local previous = redis.call('HGET', KEYS[1], 'user') or ''
local user = previous
if ARGV[3] == '-' then
  gone[#gone + 1] = 'user'
  user = ''
elseif ARGV[3] ~= '' then
  user = string.sub(ARGV[3], 2)
  fields[#fields + 1] = 'user'
  fields[#fields + 1] = user
end
if #fields > 0 then chunked('HSET', KEYS[1], fields) end
if #gone > 0 then chunked('HDEL', KEYS[1], gone) end
if ARGV[1] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {previous, user, redis.call('HGET', KEYS[1], 'movedTo') or ''}
`

// KEYS[1] session; ARGV[1] ttl ms, ARGV[2] lastSeenAt. HSET before PEXPIRE: a PEXPIRE that ends
// the key must not be followed by a write that recreates it without a TTL. Returns the user ('' for
// none), or nil when the session is gone.
const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return redis.call('HGET', KEYS[1], 'user') or ''
`

// KEYS[1] a user's set; ARGV[1] ttl ms, ARGV[2] session key. The set lives at least as long as its
// longest-lived session (PTTL is -1 on a set that has no TTL yet, so that one gets it too). A session
// already out of time is not indexed: a PEXPIRE of 0 would delete the set with every other member.
const INDEX = `
if tonumber(ARGV[1]) <= 0 then return 0 end
redis.call('SADD', KEYS[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1
`

// KEYS[1] session; ARGV[1] user. Deletes the session only if it still belongs to that user: a stale
// index entry must never end a session that has since become someone else's.
const REVOKE = `
if redis.call('HGET', KEYS[1], 'user') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

// KEYS[1] session; ARGV[1] user. The session's remaining time in ms when it belongs to that user,
// else 0: whether a member about to be dropped from the user's set must stay in it.
const OWNED = `
if redis.call('HGET', KEYS[1], 'user') == ARGV[1] then return redis.call('PTTL', KEYS[1]) end
return 0
`

/** A Lua script and its SHA1, the name EVALSHA knows it by. */
export interface Script {
  readonly source: string
  readonly sha: string
}

function script (source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

/** The scripts RedisStore runs, each on the one key it is given. */
export const SCRIPTS = {
  set: script(SET),
  replace: script(REPLACE),
  take: script(TAKE),
  patch: script(PATCH),
  touch: script(TOUCH),
  index: script(INDEX),
  revoke: script(REVOKE),
  owned: script(OWNED)
} as const
