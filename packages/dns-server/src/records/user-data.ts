import { EndpointInfoError } from './errors.js';

const encoder = new TextEncoder();

/**
 * Application data published with an endpoint: a UTF-8 string of at most {@link UserData.MAX_LENGTH}
 * bytes, so that `user-data=<value>` fits one TXT character string. iroh does not interpret it.
 */
export class UserData {
  /** Largest value in UTF-8 bytes (255 minus the `user-data=` prefix). */
  static readonly MAX_LENGTH = 245;
  readonly #value: string;

  private constructor(value: string) {
    this.#value = value;
  }

  /** @throws {@link EndpointInfoError} `UserDataTooLong`. */
  static parse(value: string): UserData {
    const len = encoder.encode(value).length;
    if (len > UserData.MAX_LENGTH) {
      throw new EndpointInfoError(
        'UserDataTooLong',
        `user data of ${len} bytes exceeds ${UserData.MAX_LENGTH}`,
      );
    }
    return new UserData(value);
  }

  /** The string. */
  toString(): string {
    return this.#value;
  }

  /** True for the same string. */
  equals(other: UserData): boolean {
    return this.#value === other.#value;
  }
}
