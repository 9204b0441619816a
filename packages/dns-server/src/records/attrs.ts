/**
 * iroh's TXT attributes (SRC iroh `iroh-dns/src/attrs.rs`): each TXT record under `_iroh.<z32>` holds one
 * `key=value` string; keys are `relay`, `addr` and `user-data`, written in that order.
 */
import { PublicKey } from '@iroh-ts/base';
import { EndpointInfoError } from './errors.js';

/** The DNS label iroh publishes under. */
export const IROH_TXT_NAME = '_iroh';

/** The attribute keys, in iroh's order (the `IrohAttr` enum order). */
export const IROH_ATTRS = ['relay', 'addr', 'user-data'] as const;

/** An attribute key. */
export type IrohAttr = (typeof IROH_ATTRS)[number];

/** Attribute values grouped by key, each list in input order. */
export type TxtAttrs = ReadonlyMap<IrohAttr, readonly string[]>;

/**
 * Parses `key=value` strings. Like iroh, only the first two `=`-separated parts count (so a value
 * containing `=` is truncated), a string without `=` fails, and an unknown key fails the whole parse.
 *
 * @throws {@link EndpointInfoError} `UnexpectedFormat` or `UnknownAttr`.
 */
export function parseTxtAttrs(strings: Iterable<string>): TxtAttrs {
  const out = new Map<IrohAttr, string[]>();
  for (const s of strings) {
    const parts = s.split('=');
    if (parts.length < 2) {
      throw new EndpointInfoError('UnexpectedFormat', `expected key=value, got ${JSON.stringify(s)}`);
    }
    const key = parts[0]!;
    if (!(IROH_ATTRS as readonly string[]).includes(key)) {
      throw new EndpointInfoError('UnknownAttr', `unknown attribute ${JSON.stringify(key)}`);
    }
    const list = out.get(key as IrohAttr);
    if (list) list.push(parts[1]!);
    else out.set(key as IrohAttr, [parts[1]!]);
  }
  return out;
}

/** Formats attributes as `key=value` strings, keys in iroh's order. */
export function formatTxtAttrs(attrs: TxtAttrs): string[] {
  const out: string[] = [];
  for (const key of IROH_ATTRS) for (const v of attrs.get(key) ?? []) out.push(`${key}=${v}`);
  return out;
}

/**
 * The endpoint id in an iroh DNS name: the first label must be `_iroh`, the second a z-base-32 key;
 * further labels (the origin) are ignored.
 *
 * @throws {@link EndpointInfoError} `NumLabels`, `NotAnIrohRecord` or `InvalidEndpointId`.
 */
export function endpointIdFromTxtName(name: string): PublicKey {
  const labels = name.split('.');
  if (labels.length < 2) {
    throw new EndpointInfoError('NumLabels', `expected at least 2 labels, got ${labels.length}`);
  }
  if (labels[0] !== IROH_TXT_NAME) {
    throw new EndpointInfoError('NotAnIrohRecord', `expected _iroh, got ${JSON.stringify(labels[0])}`);
  }
  try {
    return PublicKey.fromZ32(labels[1]!);
  } catch (cause) {
    throw new EndpointInfoError('InvalidEndpointId', 'second label is not a z-base-32 endpoint id', {
      cause,
    });
  }
}
