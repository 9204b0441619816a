/**
 * Test support for the endpoint command-line apps: run the built app as a child process and wait on
 * its output.
 *
 * @packageDocumentation
 */
export { AppProcess, type AppProcessOptions, killAll } from './app-process.js';
