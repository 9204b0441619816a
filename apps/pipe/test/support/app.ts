/** The built iroh-ts-pipe (`node dist/main.js …`) as a child process, with a writable stdin (`feed`). */
import { fileURLToPath } from 'node:url';
import { AppProcess } from '@iroh-ts/cli-common/testing';

export { killAll } from '@iroh-ts/cli-common/testing';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** A running iroh-ts-pipe. */
export class App extends AppProcess {
  constructor(args: readonly string[]) {
    super(MAIN, args, { stdin: 'pipe' });
  }
}
