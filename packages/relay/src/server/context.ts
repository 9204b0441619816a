/**
 * What a relay connection needs from its server, as one object (no back-reference to the server).
 *
 * @module
 */
import type { RandomSource } from '@iroh-ts/base';
import type { AccessControl } from './access.js';
import type { ClientRegistry, RegisteredClient } from './clients.js';
import type { RelayLogger } from './log.js';
import type { RelayServerMetrics } from './metrics.js';
import type { RelayServerTiming, ResolvedLimits } from './options.js';

/** Shared state of one relay server. */
export interface ServerContext {
  /** Metrics to update. */
  readonly metrics: RelayServerMetrics;
  /** Connected clients. */
  readonly registry: ClientRegistry<RegisteredClient>;
  /** Access decisions. */
  readonly access: AccessControl;
  /** Log hook. */
  readonly log: RelayLogger;
  /** Randomness for challenges and ping data. */
  readonly random: RandomSource;
  /** Timers. */
  readonly timing: RelayServerTiming;
  /** Limits. */
  readonly limits: ResolvedLimits;
  /** Monotonic milliseconds. */
  now(): number;
  /** Runs `uncork` once the current event-loop turn's writes have been queued. */
  deferUncork(uncork: () => void): void;
}
