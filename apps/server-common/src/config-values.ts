/**
 * Typed readers for values of the parsed TOML document. Each one names the offending key in its
 * {@link ServerConfigError}, so a bad configuration is reported as `dns.port must be …`.
 */
import { isIP } from 'node:net';
import { SocketAddr } from '@iroh-ts/base';
import { ServerConfigError } from './errors.js';

/** A TOML table. */
export type Table = Record<string, unknown>;

/** A host and port to listen on. */
export interface BindAddr {
  readonly host: string;
  readonly port: number;
}

/** Throws the configuration error every reader uses. */
export const fail = (message: string): never => {
  throw new ServerConfigError('InvalidConfig', message);
};

/** True for a TOML table (not an array, not a date). */
export function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** The table at `key`, or `undefined` when absent. */
export function table(t: Table, key: string, path: string): Table | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  return isTable(v) ? v : fail(`${path}${key} must be a table`);
}

/** A string, or `undefined` when absent. */
export function str(t: Table, key: string, path: string): string | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : fail(`${path}${key} must be a string`);
}

/** A boolean, or `fallback` when absent. */
export function bool(t: Table, key: string, path: string, fallback: boolean): boolean {
  const v = t[key];
  if (v === undefined) return fallback;
  return typeof v === 'boolean' ? v : fail(`${path}${key} must be true or false`);
}

/** An integer in `[min, max]`, or `undefined` when absent. */
export function int(t: Table, key: string, path: string, min: number, max: number): number | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    return fail(`${path}${key} must be an integer from ${min} to ${max}`);
  return v;
}

/** A TCP/UDP port (0 = any free port). */
export function port(t: Table, key: string, path: string): number | undefined {
  return int(t, key, path, 0, 65_535);
}

/** A string or a list of strings, as a list. */
export function strings(t: Table, key: string, path: string): string[] | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return fail(`${path}${key} must be a string or a list of strings`);
}

/** An IP address (iroh's `bind_addr` keys hold an address without a port). */
export function ip(t: Table, key: string, path: string): string | undefined {
  const v = str(t, key, path);
  if (v === undefined) return undefined;
  const bare = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
  return isIP(bare) ? bare : fail(`${path}${key} must be an IP address, got ${JSON.stringify(v)}`);
}

/** Parses `host:port` / `[v6]:port` (a command-line flag or a `*_addr` key). */
export function parseBindAddr(text: string, what: string): BindAddr {
  try {
    const sa = SocketAddr.parse(text);
    return { host: sa.ip(), port: sa.port };
  } catch {
    return fail(`${what}: not a socket address (ip:port): ${JSON.stringify(text)}`);
  }
}

/** Adds the keys of `t` that are not in `known` to `out`, prefixed with `path`. */
export function noteUnknown(t: Table, known: readonly string[], path: string, out: string[]): void {
  for (const k of Object.keys(t)) if (!known.includes(k)) out.push(`${path}${k}`);
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  nsec: 1e-6,
  us: 1e-3,
  usec: 1e-3,
  ms: 1,
  msec: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/**
 * Parses a duration the way iroh-dns-server's `humantime_serde` fields are written: `"10s"`,
 * `"7days"`, `"1h 30m"`, `"500ms"`. A bare number is taken as seconds. Returns milliseconds.
 *
 * @throws {@link ServerConfigError} `InvalidConfig` naming `what`.
 */
export function parseDuration(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value * 1000;
    return fail(`${what} must be a non-negative duration`);
  }
  if (typeof value !== 'string') return fail(`${what} must be a duration such as "10s" or "7days"`);
  const text = value.trim();
  const part = /(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*/y;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    part.lastIndex = pos;
    const m = part.exec(text);
    const unit = m ? UNIT_MS[m[2]!.toLowerCase()] : undefined;
    if (!m || unit === undefined)
      return fail(`${what}: cannot parse duration ${JSON.stringify(value)} (use e.g. "10s", "7days")`);
    total += Number(m[1]) * unit;
    pos = part.lastIndex;
  }
  if (text.length === 0) return fail(`${what} must not be empty`);
  return total;
}

/** A duration at `key` in milliseconds, or `undefined` when absent. */
export function duration(t: Table, key: string, path: string): number | undefined {
  const v = t[key];
  return v === undefined ? undefined : parseDuration(v, `${path}${key}`);
}
