import { hexDecode, hexEncode } from '../encoding/hex.js';
import { AddrParseError } from '../errors.js';

const MAX_U64 = (1n << 64n) - 1n;

/**
 * An address on a custom transport: a transport id (u64) and opaque bytes. Custom transports are
 * unstable in iroh 1.x; the text form is `<id hex>_<data hex>`.
 */
export class CustomAddr {
  /** The custom transport's id. */
  readonly id: bigint;
  readonly #data: Uint8Array;

  private constructor(id: bigint, data: Uint8Array) {
    this.id = id;
    this.#data = data;
  }

  /** @throws {@link AddrParseError} `InvalidCustomAddr` when `id` is not a u64. */
  static fromParts(id: bigint | number, data: Uint8Array): CustomAddr {
    const big = typeof id === 'number' && Number.isSafeInteger(id) ? BigInt(id) : id;
    if (typeof big !== 'bigint' || big < 0n || big > MAX_U64) {
      throw new AddrParseError('InvalidCustomAddr', `custom transport id must be a u64, got ${String(id)}`);
    }
    return new CustomAddr(big, data.slice());
  }

  /** Parses `<id hex>_<data hex>`. @throws {@link AddrParseError} `InvalidCustomAddr` */
  static parse(text: string): CustomAddr {
    const sep = typeof text === 'string' ? text.indexOf('_') : -1;
    if (sep < 0) throw new AddrParseError('InvalidCustomAddr', "custom address is missing the '_' separator");
    const idText = text.slice(0, sep);
    if (!/^[0-9a-fA-F]{1,16}$/.test(idText)) {
      throw new AddrParseError('InvalidCustomAddr', `invalid custom transport id ${JSON.stringify(idText)}`);
    }
    let data: Uint8Array;
    try {
      data = hexDecode(text.slice(sep + 1));
    } catch (cause) {
      throw new AddrParseError('InvalidCustomAddr', 'invalid custom address data', { cause });
    }
    return new CustomAddr(BigInt(`0x${idText}`), data);
  }

  /** The opaque address bytes (a copy). */
  data(): Uint8Array {
    return this.#data.slice();
  }

  /** @internal A view of the data. */
  get dataView(): Uint8Array {
    return this.#data;
  }

  /** `<id hex>_<data hex>`. */
  toString(): string {
    return `${this.id.toString(16)}_${hexEncode(this.#data)}`;
  }

  /** True for the same id and data. */
  equals(other: CustomAddr): boolean {
    return CustomAddr.compare(this, other) === 0;
  }

  /**
   * iroh 1.0.x's derived `Ord`: by id, then data of up to 30 bytes (stored inline) before longer data,
   * inline data by length then zero-padded bytes, longer data lexicographically.
   */
  static compare(a: CustomAddr, b: CustomAddr): number {
    if (a.id !== b.id) return a.id < b.id ? -1 : 1;
    const ai = a.#data.length <= 30;
    const bi = b.#data.length <= 30;
    if (ai !== bi) return ai ? -1 : 1;
    if (ai && a.#data.length !== b.#data.length) return a.#data.length - b.#data.length;
    const n = Math.min(a.#data.length, b.#data.length);
    for (let i = 0; i < n; i++) {
      const d = a.#data[i]! - b.#data[i]!;
      if (d !== 0) return d;
    }
    return a.#data.length - b.#data.length;
  }
}
