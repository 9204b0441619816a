/** A throw-away `redis-server` (Debian's package) on a free loopback port, without persistence. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from '@iroh-ts/server-common/testing';

const BIN = '/usr/bin/redis-server';

/** Null when redis-server can run, else why not. */
export function redisSkipReason(): string | null {
  return existsSync(BIN) ? null : `${BIN} is not installed (Debian package redis-server)`;
}

/** A running server. */
export interface TestRedis {
  readonly url: string;
  stop(): void;
}

/** Starts redis-server; resolves once it accepts connections. */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const proc = spawn(
    BIN,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${log}`)), 10_000);
    proc.stdout.on('data', (d: Buffer) => {
      log += d;
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${log}`));
    });
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => proc.kill('SIGKILL') };
}
