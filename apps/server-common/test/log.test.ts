import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.js';

describe('createLogger', () => {
  it('writes one JSON object per line, with fields, and drops levels above the threshold', () => {
    const lines: string[] = [];
    const log = createLogger('relay', { level: 'info', write: (l) => lines.push(l) });
    log.info('client connected', { endpointId: 'abc', n: 3n });
    log.debug('noisy');
    log.error('failed', { error: new Error('boom') });
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({
      level: 'info',
      app: 'relay',
      msg: 'client connected',
      endpointId: 'abc',
      n: '3',
    });
    expect(Number.isNaN(Date.parse(first.ts))).toBe(false);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'error', error: 'boom' });
  });
});
