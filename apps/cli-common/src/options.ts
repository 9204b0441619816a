/**
 * The command line: the options every command shares (how the endpoint binds and finds others),
 * parsed into {@link NetworkOptions}, the ticket argument, and the usage error.
 */
import { type EndpointAddr, EndpointTicket } from '@iroh-ts/endpoint';

/** A bad command line: the app prints the message and the usage, and exits with status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How the endpoint is bound and which infrastructure it uses. */
export interface NetworkOptions {
  /** Relay URLs (`--relay`, repeatable); empty: none, or number 0's with `--n0`. */
  readonly relays: readonly string[];
  /** `--n0`: number 0's relays and DNS address lookup (presetN0). */
  readonly n0: boolean;
  /** `--bind`: the UDP socket address (`ip:port`, `[ipv6]:port`). */
  readonly bind: string;
  /** `--secret-key-file`: where the identity is kept; a new one each run when unset. */
  readonly secretKeyFile: string | undefined;
}

/** The `node:util` `parseArgs` spec of the shared options. */
export const NETWORK_OPTIONS = {
  relay: { type: 'string', multiple: true },
  n0: { type: 'boolean', default: false },
  bind: { type: 'string', default: '0.0.0.0:0' },
  'secret-key-file': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'V', default: false },
} as const;

/** The usage lines of the shared options. */
export const NETWORK_USAGE = `  --relay <url>            use this relay (repeatable); default: none, or number 0's with --n0
  --n0                     use number 0's public relays and DNS address lookup (needs internet)
  --bind <ip:port>         the UDP socket (default 0.0.0.0:0; [::]:0 for IPv6)
  --secret-key-file <path> keep the identity in this file (created, mode 0600, if missing)
  -h, --help               this text
  -V, --version            the version`;

/** Validates the shared options. @throws {@link UsageError} */
export function networkOptions(values: {
  relay?: string[] | undefined;
  n0?: boolean | undefined;
  bind?: string | undefined;
  'secret-key-file'?: string | undefined;
}): NetworkOptions {
  const relays = values.relay ?? [];
  for (const url of relays) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--relay: not a URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new UsageError(`--relay: expected an http(s) URL, got ${url}`);
  }
  const bind = values.bind ?? '0.0.0.0:0';
  if (!/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$/.test(bind))
    throw new UsageError(`--bind: expected ip:port or [ipv6]:port, got ${bind}`);
  return { relays, n0: values.n0 ?? false, bind, secretKeyFile: values['secret-key-file'] };
}

/** The address in a ticket given on the command line. @throws {@link UsageError} when it is no ticket. */
export function parseTicket(ticket: string): EndpointAddr {
  try {
    return EndpointTicket.fromString(ticket).endpointAddr();
  } catch (e) {
    throw new UsageError(`not an endpoint ticket: ${(e as Error).message}`);
  }
}
