import fc from 'fast-check';
import { describe, it } from 'vitest';
import { PublicKey, SecretKey, Signature } from '../src/index.js';
import { FUZZ_RUNS, hexString, onlyTypedErrors } from './helpers.js';

const someKey = SecretKey.fromBytes(new Uint8Array(32).fill(1));
const someSig = someKey.sign(new Uint8Array(0)).toBytes();

function mutate(base: Uint8Array) {
  return fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
    const out = base.slice();
    out[i % out.length]! ^= x;
    return out;
  });
}

describe(`key and signature decoders only throw typed errors (${FUZZ_RUNS} cases each)`, () => {
  const keyText = fc.oneof(
    fc.string({ maxLength: 70 }),
    hexString({ minLength: 64, maxLength: 64 }),
    fc.stringMatching(/^[a-zA-Z2-7]{50,54}$/),
    fc
      .constant(someKey.public().toBase32())
      .chain((s) => fc.nat(51).map((i) => `${s.slice(0, i)}1${s.slice(i + 1)}`)),
  );

  it('PublicKey.fromString / SecretKey.fromString', () => {
    fc.assert(
      fc.property(
        keyText,
        (s) =>
          onlyTypedErrors(() => PublicKey.fromString(s)) && onlyTypedErrors(() => SecretKey.fromString(s)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('PublicKey.fromZ32', () => {
    fc.assert(
      fc.property(fc.oneof(keyText, fc.constant(someKey.public().toZ32())), (s) =>
        onlyTypedErrors(() => PublicKey.fromZ32(s)),
      ),
      {
        numRuns: FUZZ_RUNS,
      },
    );
  });

  it('PublicKey.fromBytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          mutate(someKey.public().toBytes()),
        ),
        (b) => onlyTypedErrors(() => PublicKey.fromBytes(b)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('Signature.fromBytes + verify on random and mutated signatures', () => {
    const pk = someKey.public();
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 70 }), mutate(someSig)), (b) =>
        onlyTypedErrors(() => pk.verify(new Uint8Array(0), Signature.fromBytes(b))),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
