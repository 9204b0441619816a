import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/close-exits.mjs', import.meta.url));

describe('Endpoint.close()', () => {
  it('leaves no handles open: the process exits by itself', async () => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    // A handle left open would keep the child alive: the deadline turns that into a failure.
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 30_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(0);
    const [first, last] = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first.echoed).toEqual([7]);
    // The event loop ran dry: at most the stdout pipe is left.
    expect(last.resources.filter((r: string) => r !== 'PipeWrap' && r !== 'TTYWrap')).toEqual([]);
  });
});
