/**
 * Debian's pebble (a test ACME CA) and pebble-challtestsrv on loopback, never the internet: pebble
 * serves its API over a certificate made here, resolves every name to 127.0.0.1, and validates
 * HTTP-01 by connecting to `httpPort` on loopback. PEBBLE_VA_ALWAYS_VALID is removed from the
 * environment, so the app's challenge responder is really used.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { selfSignedCertificate } from '@iroh-ts/server-common';

/** Null when pebble can run, else why not. */
export function pebbleSkipReason(): string | null {
  for (const cmd of ['pebble', 'pebble-challtestsrv']) {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    } catch {
      return `\`${cmd}\` is not installed (Debian package pebble)`;
    }
  }
  return null;
}

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function waitForOutput(child: ChildProcess, re: RegExp, what: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), timeoutMs);
    const on = (d: Buffer) => {
      out += d;
      if (re.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${out}`)));
  });
}

/** A running pebble. */
export interface Pebble {
  /** The ACME directory URL. */
  readonly directoryUrl: string;
  /** PEM file of the certificate pebble serves its API with (trust it for the directory). */
  readonly caCertPath: string;
  /** Kills pebble and its DNS/challenge server. */
  stop(): void;
}

/** Starts pebble in `dir`; it validates HTTP-01 on 127.0.0.1:`httpPort` and TLS-ALPN-01 on `tlsPort`. */
export async function startPebble(dir: string, httpPort: number, tlsPort: number): Promise<Pebble> {
  const [acmePort, mgmtPort, dnsPort, challMgmtPort] = await Promise.all(Array.from({ length: 4 }, freePort));
  const tls = await selfSignedCertificate(['localhost', '127.0.0.1']);
  const caCertPath = join(dir, 'pebble.crt');
  await writeFile(caCertPath, tls.certPem);
  await writeFile(join(dir, 'pebble.key'), tls.keyPem);
  await writeFile(
    join(dir, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: caCertPath,
        privateKey: join(dir, 'pebble.key'),
        httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' };
  delete env.PEBBLE_VA_ALWAYS_VALID;
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const c of children) c.kill('SIGKILL');
  };
  try {
    const chall = spawn(
      'pebble-challtestsrv',
      [
        '-defaultIPv4',
        '127.0.0.1',
        '-defaultIPv6',
        '',
        '-dns01',
        `127.0.0.1:${dnsPort}`,
        '-http01',
        '',
        '-https01',
        '',
        '-tlsalpn01',
        '',
        '-management',
        `127.0.0.1:${challMgmtPort}`,
      ],
      { env },
    );
    children.push(chall);
    await waitForOutput(chall, /Starting challenge servers|DNS server|dns/i, 'pebble-challtestsrv');
    const pebble = spawn(
      'pebble',
      ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`],
      { env },
    );
    children.push(pebble);
    await waitForOutput(pebble, /Listening on/, 'pebble');
  } catch (e) {
    stop();
    throw e;
  }
  return { directoryUrl: `https://127.0.0.1:${acmePort}/dir`, caCertPath, stop };
}
