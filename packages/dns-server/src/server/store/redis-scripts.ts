/**
 * The Lua scripts that make {@link RedisStore}'s writes atomic, and a helper that runs them with `EVALSHA`,
 * falling back to `EVAL` when the server does not know the script yet (after a restart or `SCRIPT FLUSH`).
 *
 * Every value is a full signed packet (`key ‖ sig ‖ ts ‖ dns`). iroh's "more recent than" compares the
 * timestamp, then the DNS bytes (lexicographically, then by length). The timestamp is a fixed-width
 * big-endian u64 right before the DNS bytes, so the rule is exactly a byte-wise comparison of everything
 * from offset 96 (Lua index 97). The scripts compare bytes with `string.byte` rather than `<` on strings,
 * which Lua implements with the locale-dependent `strcoll`.
 */
import { createHash } from 'node:crypto';

/** Byte-wise comparison of `a` and `b` from 1-based index `from`: -1, 0 or 1, shorter first on a tie. */
const CMP = `
local function cmp(a, b, from)
  local la, lb = #a, #b
  local n = math.min(la, lb)
  for i = from, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      if x < y then return -1 end
      return 1
    end
  end
  if la == lb then return 0 end
  if la < lb then return -1 end
  return 1
end
`;

/**
 * Stores a packet unless the stored one is the same or more recent.
 * KEYS: packet key, time index. ARGV: packet bytes, z32, score, channel. Returns 0 unchanged, 1 inserted,
 * 2 updated.
 */
export const UPSERT_SCRIPT = `${CMP}
local old = redis.call('GET', KEYS[1])
if old then
  if old == ARGV[1] then return 0 end
  if cmp(ARGV[1], old, 97) < 0 then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('PUBLISH', ARGV[4], ARGV[2])
if old then return 2 end
return 1
`;

/**
 * Removes a packet. KEYS: packet key, time index. ARGV: z32, channel. Returns 1 if a packet was removed.
 */
export const DELETE_SCRIPT = `
local n = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if n == 1 then
  redis.call('PUBLISH', ARGV[2], ARGV[1])
end
return n
`;

/**
 * Removes a packet if its timestamp is below a cutoff; drops the index entry of a packet that no longer
 * exists. KEYS: packet key, time index. ARGV: z32, cutoff (8 bytes big-endian), channel. Returns 1 if a
 * packet was removed.
 */
export const EVICT_SCRIPT = `${CMP}
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 0
end
if cmp(string.sub(v, 97, 104), ARGV[2], 1) >= 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[1])
return 1
`;

/** A value Redis accepts as a command argument. */
export type RedisArg = string | Buffer;

/** The one client call the scripts need (node-redis `sendCommand`). */
export interface CommandSender {
  sendCommand(args: readonly RedisArg[]): Promise<unknown>;
}

/** A Lua script run by SHA1 with a fallback to its source. */
export class LuaScript {
  readonly #source: string;
  readonly #sha1: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha1 = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script; resolves to its reply. */
  async run(client: CommandSender, keys: readonly RedisArg[], args: readonly RedisArg[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await client.sendCommand(['EVALSHA', this.#sha1, ...tail]);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return client.sendCommand(['EVAL', this.#source, ...tail]);
    }
  }
}
