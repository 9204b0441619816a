/**
 * Byte-array equality in constant time for equal lengths: the loop never exits early, so comparing
 * MACs, signatures or Finished values does not reveal where they differ.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
