/**
 * The HPACK Huffman code (RFC 7541 Appendix B), which QPACK reuses for string literals (RFC 9204
 * §4.1.2). The code in Appendix B is canonical, so it is fully determined by the code length of each
 * symbol: codes are assigned in order of (length, symbol), each one more than the previous, shifted
 * left whenever the length grows. The tests check the derived code against RFC 7541 Appendix C.
 */

/** Code length in bits of symbols 0..255 and of EOS (256). */
// biome-ignore format: a 16-per-row table
const CODE_LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0x00
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 0x10
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // 0x20
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // 0x30
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // 0x40
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 0x50
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // 0x60
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 0x70
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 0x80
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 0x90
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 0xa0
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 0xb0
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 0xc0
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 0xd0
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 0xe0
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 0xf0
  30, // EOS
];

const EOS = 256;

interface Code {
  readonly bits: number;
  readonly length: number;
}

/** The canonical code of every symbol. */
const CODES: readonly Code[] = (() => {
  const order = CODE_LENGTHS.map((_, s) => s).sort((a, b) => CODE_LENGTHS[a]! - CODE_LENGTHS[b]! || a - b);
  const codes = new Array<Code>(CODE_LENGTHS.length);
  let code = 0;
  let length = CODE_LENGTHS[order[0]!]!;
  for (const s of order) {
    code *= 2 ** (CODE_LENGTHS[s]! - length);
    length = CODE_LENGTHS[s]!;
    codes[s] = { bits: code, length };
    code++;
  }
  return codes;
})();

/** A binary decoding tree: an inner node holds two children, a leaf a symbol. */
type Node = { readonly symbol: number } | { readonly children: [Node | undefined, Node | undefined] };

const ROOT: Node = (() => {
  const root: Node = { children: [undefined, undefined] };
  CODES.forEach(({ bits, length }, symbol) => {
    let node: Node = root;
    for (let i = length - 1; i >= 0; i--) {
      if (!('children' in node)) throw new Error('the Huffman code is not prefix-free');
      const bit = Math.floor(bits / 2 ** i) % 2;
      if (i === 0) {
        node.children[bit] = { symbol };
      } else {
        const next: Node = node.children[bit] ?? { children: [undefined, undefined] };
        node.children[bit] = next;
        node = next;
      }
    }
  });
  return root;
})();

/** Huffman-encodes `data`, padding the last byte with the most significant bits of EOS (ones). */
export function huffmanEncode(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let accBits = 0;
  for (const b of data) {
    const { bits, length } = CODES[b]!;
    for (let i = length - 1; i >= 0; i--) {
      acc = (acc << 1) | (Math.floor(bits / 2 ** i) % 2);
      if (++accBits === 8) {
        out.push(acc);
        acc = 0;
        accBits = 0;
      }
    }
  }
  if (accBits > 0) out.push(((acc << (8 - accBits)) | (0xff >> accBits)) & 0xff);
  return Uint8Array.from(out);
}

/**
 * Decodes a Huffman-encoded string. Throws (a decoding error, RFC 7541 §5.2) on an EOS symbol, on
 * padding longer than 7 bits, and on padding that is not a prefix of EOS (all ones).
 */
export function huffmanDecode(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let node: Node = ROOT;
  let pendingBits = 0;
  let pendingAllOnes = true;
  for (const byte of data) {
    for (let i = 7; i >= 0; i--) {
      const bit = (byte >> i) & 1;
      if (!('children' in node)) throw new Error('unreachable: Huffman decoder at a leaf');
      const next: Node | undefined = node.children[bit];
      if (next === undefined) throw new Error('invalid Huffman code');
      pendingBits++;
      pendingAllOnes &&= bit === 1;
      if ('symbol' in next) {
        if (next.symbol === EOS) throw new Error('EOS in a Huffman-encoded string');
        out.push(next.symbol);
        node = ROOT;
        pendingBits = 0;
        pendingAllOnes = true;
      } else {
        node = next;
      }
    }
  }
  if (pendingBits > 7) throw new Error('Huffman padding longer than 7 bits');
  if (!pendingAllOnes) throw new Error('Huffman padding is not a prefix of EOS');
  return Uint8Array.from(out);
}
