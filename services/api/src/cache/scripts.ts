/*
 * The cache's Lua scripts. Redis runs each one atomically, so every check-then-write below is one step.
 *
 * Values under `user:<id>`:
 *   "<version>|<json>"  the user at that version
 *   "D"                 a tombstone: the user was deleted (ids are never reused, so it beats every version)
 *   "L<version>"        a lock: a write to <version> is committing or its final store failed. Readers treat it as a
 *                       miss (they load from Postgres), and a fill of anything older than <version> is refused.
 *
 * `cache:epoch` names this Redis's incarnation: "<created µs>:<salt>", with a trailing "+" once it is settled.
 * A Redis that restarts without its data comes back with no epoch, so the scripts create a new, unsettled one.
 * See ../../README.md ("Why no read is stale") for why fills need a settled epoch and stores the same incarnation.
 */

export const TOMBSTONE = 'D';
export const LOCK = 'L';
export const EPOCH_KEY = 'cache:epoch';

// Reads the epoch, creating an unsettled one when Redis has none; `salt` keeps two creations in one µs apart.
const EPOCH = `
local function epoch(key, salt)
  local e = redis.call('GET', key)
  if e then return e end
  local t = redis.call('TIME')
  e = t[1] .. string.format('%06d', tonumber(t[2])) .. ':' .. salt
  redis.call('SET', key, e)
  return e
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function incarnation(e)
  return (string.gsub(e, '%+$', ''))
end
-- The version an entry holds: a number, math.huge for a tombstone, nil for nothing.
local function held(cur)
  if not cur then return nil end
  if cur == '${TOMBSTONE}' then return math.huge end
  -- A lock at v sits just below v: the committed v may replace it, nothing older may.
  if string.sub(cur, 1, 1) == '${LOCK}' then return tonumber(string.sub(cur, 2)) - 0.5 end
  local bar = string.find(cur, '|', 1, true)
  return tonumber(string.sub(cur, 1, bar - 1))
end
`;

/**
 * Before a write commits: lock the user's entry at the version being written. KEYS: user, epoch. ARGV: version,
 * ttl s, salt. Returns "<epoch> <Redis time in ms>": the store after the commit must find the same incarnation,
 * within half the TTL of the lock.
 */
export const LOCK_FOR_WRITE = `${EPOCH}
local e = epoch(KEYS[2], ARGV[3])
local v = tonumber(ARGV[1])
local cur = held(redis.call('GET', KEYS[1]))
if not cur or cur < v then
  redis.call('SET', KEYS[1], '${LOCK}' .. ARGV[1], 'EX', ARGV[2])
end
return e .. ' ' .. now_ms()
`;

/**
 * After a write committed: store the new version (or the tombstone) unless something newer is held. KEYS: user,
 * epoch. ARGV: version (0 for a tombstone), value, ttl s, the epoch and the time LOCK_FOR_WRITE returned. Refused
 * (0) when Redis is another incarnation than the one that holds the lock, or when the lock may have expired.
 */
export const STORE_WRITTEN = `${EPOCH}
local e = redis.call('GET', KEYS[2])
if not e or incarnation(e) ~= incarnation(ARGV[4]) then return 0 end
if now_ms() - tonumber(ARGV[5]) > tonumber(ARGV[3]) * 500 then return 0 end
local v = tonumber(ARGV[1])
if v == 0 then v = math.huge end
local cur = held(redis.call('GET', KEYS[1]))
if cur and cur >= v and not (v == math.huge) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`;

/**
 * After a miss: fill the cache with what Postgres gave. KEYS: user, epoch. ARGV: version, value, ttl s, the epoch
 * the reader saw before it queried Postgres, settle ms, salt, the reader's clock (ms) at that moment. Refused
 * unless that epoch was settled and still is, and unless the read is younger than half the TTL (a lock it might
 * have raced has not expired); an unsettled epoch old enough is settled here (the read that settles it does not
 * fill).
 */
export const FILL = `${EPOCH}
if now_ms() - tonumber(ARGV[7]) > tonumber(ARGV[3]) * 500 then return 0 end
local e = epoch(KEYS[2], ARGV[6])
if string.sub(e, -1) ~= '+' then
  local created = tonumber(string.match(e, '^(%d+)'))
  local t = redis.call('TIME')
  if (tonumber(t[1]) * 1000000 + tonumber(t[2])) - created >= tonumber(ARGV[5]) * 1000 then
    redis.call('SET', KEYS[2], e .. '+')
  end
  return 0
end
if e ~= ARGV[4] then return 0 end
local cur = held(redis.call('GET', KEYS[1]))
if cur and cur >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`;

/**
 * The epoch, created if missing and settled once old enough; also the readiness probe, so it always writes (a
 * short-lived probe key): a Redis that is full or read-only fails it as it would fail a write's lock. KEYS: epoch,
 * probe. ARGV: settle ms, salt. Returns the epoch.
 */
export const SETTLE = `${EPOCH}
redis.call('SET', KEYS[2], '1', 'PX', 10000)
local e = epoch(KEYS[1], ARGV[2])
if string.sub(e, -1) ~= '+' then
  local created = tonumber(string.match(e, '^(%d+)'))
  local t = redis.call('TIME')
  if (tonumber(t[1]) * 1000000 + tonumber(t[2])) - created >= tonumber(ARGV[1]) * 1000 then
    e = e .. '+'
    redis.call('SET', KEYS[1], e)
  end
end
return e
`;
