/**
 * What the endpoint command-line apps (iroh-ts-ping, iroh-ts-pipe) share: the command line and its
 * shared flags, the persistent identity (key files), binding and announcing the endpoint, JSON logs,
 * and stopping on signals.
 *
 * @packageDocumentation
 */
export { announceTicket, type Ready } from './announce.js';
export { bindEndpoint, ONLINE_TIMEOUT_MS, ticketFor, waitOnline } from './bind.js';
export {
  type ArgumentCommand,
  type BareCommand,
  type CliApp,
  type CliValues,
  type Command,
  type CommandContext,
  type ParseArgsOptionsConfig,
  runCli,
  runCommandLine,
  usageText,
} from './cli.js';
export { bindDialer, type Dialer } from './dial.js';
export { secretKeyFor } from './identity.js';
export { createLogger, type Logger, type LogLevel } from './log.js';
export {
  NETWORK_OPTIONS,
  NETWORK_USAGE,
  type NetworkOptions,
  networkOptions,
  parseTicket,
  UsageError,
} from './options.js';
export { type LoadedSecretKey, loadOrCreateSecretKey, SecretKeyFileError } from './secret-key-file.js';
export { onStopSignal, type StopSignal, unlessStopped } from './signals.js';
