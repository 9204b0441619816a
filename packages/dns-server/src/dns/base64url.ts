/**
 * Base64url as DoH GET requests use it (RFC 8484 §4.1): unpadded, but trailing `=` padding is
 * tolerated. Built on the strict codec of @iroh-ts/base. Browser-safe.
 */
import { base64UrlEncode, base64UrlDecode as strictDecode } from '@iroh-ts/base';

export { base64UrlEncode };

/**
 * Decodes base64url; trailing `=` padding is tolerated.
 *
 * @returns the bytes, or `undefined` for invalid input.
 */
export function base64UrlDecode(text: string): Uint8Array | undefined {
  try {
    return strictDecode(text.replace(/=+$/, ''));
  } catch {
    return undefined;
  }
}
