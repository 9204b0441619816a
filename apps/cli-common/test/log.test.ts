import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../src/log.js';

/** The JSON records written to stderr while `f` runs. */
function records(f: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
  f();
  vi.restoreAllMocks();
  return lines.map((l) => {
    expect(l.endsWith('\n')).toBe(true);
    return JSON.parse(l) as Record<string, unknown>;
  });
}

afterEach(() => vi.restoreAllMocks());

describe('createLogger', () => {
  it('writes one JSON line per record: ts, level, app, msg, then the fields', () => {
    const [r, ...more] = records(() => createLogger('app-x', 'info').info('hello', { n: 1, big: 2n ** 70n }));
    expect(more).toEqual([]);
    expect(Object.keys(r!)).toEqual(['ts', 'level', 'app', 'msg', 'n', 'big']);
    expect(r).toMatchObject({
      level: 'info',
      app: 'app-x',
      msg: 'hello',
      n: 1,
      big: '1180591620717411303424',
    });
    expect(new Date(r!.ts as string).toISOString()).toBe(r!.ts);
  });

  it('writes errors in fields as their message', () => {
    const [r] = records(() => createLogger('a', 'info').warn('oops', { error: new Error('it broke') }));
    expect(r).toMatchObject({ level: 'warn', error: 'it broke' });
  });

  it('leaves out records more verbose than its level', () => {
    const log = (level: 'error' | 'warn' | 'info' | 'debug') =>
      records(() => {
        const l = createLogger('a', level);
        l.error('e');
        l.warn('w');
        l.info('i');
        l.debug('d');
      }).map((r) => r.msg);
    expect(log('error')).toEqual(['e']);
    expect(log('warn')).toEqual(['e', 'w']);
    expect(log('info')).toEqual(['e', 'w', 'i']);
    expect(log('debug')).toEqual(['e', 'w', 'i', 'd']);
  });
});
