/**
 * Whether 32 bytes decode to an Ed25519 point, with curve25519-dalek's lenient rules (which iroh's
 * `PublicKey::from_bytes` uses): the sign bit is ignored for the check, `y` may be non-canonical
 * (≥ p, reduced), and `x = 0` with the sign bit set is accepted.
 *
 * A point exists for `y` when `x² = (y² − 1) / (d·y² + 1)` has a solution, i.e. when `u·v` is a
 * quadratic residue mod p (or `u = 0`). We compute the Jacobi symbol with the binary algorithm, about 4×
 * faster in JS BigInt than the square root that full decompression needs.
 */
const P = (1n << 255n) - 19n;
/** Edwards d = −121665/121666 mod p. */
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;

function jacobi(value: bigint, modulus: bigint): number {
  let a = value % modulus;
  let n = modulus;
  let result = 1;
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n;
      const m = n & 7n;
      if (m === 3n || m === 5n) result = -result;
    }
    const t = a;
    a = n;
    n = t;
    if ((a & 3n) === 3n && (n & 3n) === 3n) result = -result;
    a %= n;
  }
  return n === 1n ? result : 0;
}

/** True when `bytes` (32) is the encoding of a point on Ed25519 under lenient decoding. */
export function isEd25519Point(bytes: Uint8Array): boolean {
  let y = BigInt(bytes[31]! & 0x7f);
  for (let i = 30; i >= 0; i--) y = (y << 8n) | BigInt(bytes[i]!);
  y %= P;
  const y2 = (y * y) % P;
  const u = (y2 - 1n + P) % P;
  if (u === 0n) return true;
  const v = (D * y2 + 1n) % P;
  return jacobi((u * v) % P, P) === 1;
}
