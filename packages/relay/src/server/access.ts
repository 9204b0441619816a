/**
 * Access control: which authenticated endpoints may use the relay. Mirrors iroh-relay's
 * `AccessControl` trait and the relay binary's `access` modes: everyone, allowlist, denylist, shared
 * token and HTTP callout. A denied client receives `ServerDeniesAuth` with the decision's reason, or
 * `not authorized` when none is given.
 *
 * @module
 */
import { PublicKey } from '@iroh-ts/base';
import { AUTH_TOKEN_QUERY_PARAM } from '../protos/constants.js';
import type { ProtocolVersion } from '../protos/version.js';
import { RelayServerError } from './errors.js';
import { type HttpAccessOptions, httpAccessControl } from './http-access.js';

/** The outcome of an access check. */
export type Access =
  | { readonly allow: true }
  | { readonly allow: false; readonly reason?: string | undefined };

/** Reason sent to denied clients when the access control gives none. */
export const DEFAULT_DENY_REASON = 'not authorized';

/** What access control learns about a connecting client. */
export interface ClientRequest {
  /** The authenticated endpoint id. */
  readonly endpointId: PublicKey;
  /** Identifies this connection among several with the same endpoint id. */
  readonly connectionId: number;
  /** Negotiated relay protocol version. */
  readonly protocolVersion: ProtocolVersion;
  /** The upgrade request's URL (path and query). */
  readonly url: URL;
  /** The upgrade request's headers, lowercase names; repeated headers as arrays. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /**
   * The client's token: the first `Authorization` header with scheme `Bearer` (any case), else the
   * `token` query parameter.
   */
  authToken(): string | undefined;
}

/** Decides whether clients may use the relay. */
export interface AccessControl {
  /** Called once per authenticated connection, before it is registered. Rejections count as denial. */
  onConnect(request: ClientRequest): Access | Promise<Access>;
  /** Called when an admitted connection ends. */
  onDisconnect?(endpointId: PublicKey, connectionId: number): void;
}

/**
 * Access configuration, mirroring the relay TOML `access` key. Endpoint ids may be given as 64 hex
 * characters, base32, or {@link PublicKey}s.
 */
export type AccessConfig =
  | 'everyone'
  | { readonly allowlist: readonly (string | PublicKey)[] }
  | { readonly denylist: readonly (string | PublicKey)[] }
  | { readonly sharedToken: readonly string[] }
  | { readonly http: HttpAccessOptions }
  | AccessControl;

const ALLOW: Access = { allow: true };
const DENY: Access = { allow: false };

/**
 * Extracts the client token from request headers and URL, as iroh's `ClientRequest::auth_token`.
 *
 * @param authorization - Every `Authorization` header value, in order.
 */
export function authTokenFrom(authorization: readonly string[], url: URL): string | undefined {
  for (const value of authorization) {
    const space = value.indexOf(' ');
    if (space < 0) continue;
    if (value.slice(0, space).toLowerCase() === 'bearer') return value.slice(space + 1);
  }
  return url.searchParams.get(AUTH_TOKEN_QUERY_PARAM) ?? undefined;
}

function idSet(ids: readonly (string | PublicKey)[], what: string): Set<string> {
  const out = new Set<string>();
  for (const id of ids) {
    try {
      out.add(typeof id === 'string' ? PublicKey.fromString(id).toString() : id.toString());
    } catch (cause) {
      throw new RelayServerError('InvalidConfig', `invalid endpoint id in ${what}: ${String(id)}`, { cause });
    }
  }
  return out;
}

function isAccessControl(config: AccessConfig): config is AccessControl {
  return typeof config === 'object' && typeof (config as AccessControl).onConnect === 'function';
}

/**
 * Builds the {@link AccessControl} for a configuration.
 *
 * @throws {@link RelayServerError} `InvalidConfig` for a malformed endpoint id, an empty token list or
 *   an empty token, or an invalid callout URL.
 */
export function accessControlFromConfig(config: AccessConfig = 'everyone'): AccessControl {
  if (config === 'everyone') return { onConnect: () => ALLOW };
  if (isAccessControl(config)) return config;
  if ('allowlist' in config) {
    const allowed = idSet(config.allowlist, 'allowlist');
    return { onConnect: (req) => (allowed.has(req.endpointId.toString()) ? ALLOW : DENY) };
  }
  if ('denylist' in config) {
    const denied = idSet(config.denylist, 'denylist');
    return { onConnect: (req) => (denied.has(req.endpointId.toString()) ? DENY : ALLOW) };
  }
  if ('sharedToken' in config) {
    const tokens = config.sharedToken;
    if (tokens.length === 0 || tokens.some((t) => t.length === 0)) {
      throw new RelayServerError(
        'InvalidConfig',
        'access.sharedToken must not be empty or contain empty strings',
      );
    }
    const set = new Set(tokens);
    return {
      onConnect: (req) => {
        const token = req.authToken();
        return token !== undefined && set.has(token) ? ALLOW : DENY;
      },
    };
  }
  if ('http' in config) return httpAccessControl(config.http);
  throw new RelayServerError('InvalidConfig', 'unknown access configuration');
}
