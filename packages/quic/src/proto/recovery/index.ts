/**
 * Loss recovery and congestion control (RFC 9002, RFC 9438): RTT estimation, the sent-packet
 * record with loss detection, PTO and persistent congestion, NewReno and CUBIC, and pacing.
 */
export * from './congestion/controller.js';
export * from './congestion/cubic.js';
export * from './congestion/new-reno.js';
export * from './pacing.js';
export * from './pto.js';
export * from './rtt.js';
export * from './sent-packets.js';
