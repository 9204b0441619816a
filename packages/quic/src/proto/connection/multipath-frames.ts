/**
 * The multipath control frames a connection owes (PATH_ABANDON, PATH_STATUS, MAX_PATH_ID,
 * PATHS_BLOCKED, PATH_NEW_CONNECTION_ID, PATH_RETIRE_CONNECTION_ID) and what to do when one is lost.
 */
import type { Frame } from '../frame.js';
import type { SentItem } from './sent-record.js';
import type { ConnState } from './state.js';

/** The next multipath control frame that fits in `room` bytes. */
export function pollMultipathFrame(s: ConnState, room: number): { frame: Frame; item: SentItem } | undefined {
  const mp = s.mp;
  if (!mp) return undefined;
  for (const ctx of s.paths.values()) {
    if (ctx.abandonPending !== undefined && room >= 1 + 2 + 4 + 8) {
      const errorCode = ctx.abandonPending;
      ctx.abandonPending = undefined;
      ctx.abandonSent = true;
      return {
        frame: { type: 'pathAbandon', pathId: ctx.id, errorCode },
        item: { kind: 'path-abandon', pathId: ctx.id, errorCode },
      };
    }
    if (ctx.statusPending && room >= 4 + 4 + 8) {
      ctx.statusPending = false;
      return {
        frame: {
          type: 'pathStatus',
          pathId: ctx.id,
          sequence: ctx.localStatusSeq,
          available: ctx.localStatus === 'available',
        },
        item: { kind: 'path-status', pathId: ctx.id, sequence: ctx.localStatusSeq },
      };
    }
  }
  if (mp.maxPathIdPending && room >= 4 + 8) {
    mp.maxPathIdPending = false;
    return { frame: { type: 'maxPathId', pathId: mp.localMaxPathId }, item: { kind: 'max-path-id' } };
  }
  if (mp.pathsBlockedPending !== undefined && room >= 4 + 8) {
    const pathId = mp.pathsBlockedPending;
    mp.pathsBlockedPending = undefined;
    return { frame: { type: 'pathsBlocked', pathId }, item: { kind: 'ping' } };
  }
  const retire = mp.retirePending[0];
  if (retire && room >= 4 + 8 + 8) {
    mp.retirePending.shift();
    return {
      frame: { type: 'retireConnectionId', pathId: retire.pathId, sequence: retire.seq },
      item: { kind: 'path-retire-cid', pathId: retire.pathId, seq: retire.seq },
    };
  }
  for (;;) {
    const next = mp.newPending[0];
    if (!next) return undefined;
    const l = mp.local.get(next.pathId)?.find((c) => c.seq === next.seq);
    if (!l) {
      mp.newPending.shift();
      continue;
    }
    if (room < 4 + 8 + 8 + 8 + 1 + l.cid.length + 16) return undefined;
    mp.newPending.shift();
    return {
      frame: {
        type: 'newConnectionId',
        pathId: next.pathId,
        sequence: next.seq,
        retirePriorTo: 0,
        connectionId: l.cid,
        resetToken: l.resetToken,
      },
      item: { kind: 'path-new-cid', pathId: next.pathId, seq: next.seq },
    };
  }
}

/** A packet with a multipath control frame was lost: send it again if still current. */
export function onMultipathItemLost(
  s: ConnState,
  item: Extract<
    SentItem,
    { kind: 'path-abandon' | 'path-status' | 'max-path-id' | 'path-new-cid' | 'path-retire-cid' }
  >,
): void {
  const mp = s.mp;
  if (!mp) return;
  switch (item.kind) {
    case 'path-abandon': {
      const ctx = s.paths.get(item.pathId);
      if (ctx) ctx.abandonPending = item.errorCode;
      return;
    }
    case 'path-status': {
      const ctx = s.paths.get(item.pathId);
      if (ctx && !ctx.abandoned && ctx.localStatusSeq === item.sequence) ctx.statusPending = true;
      return;
    }
    case 'max-path-id':
      mp.maxPathIdPending = true;
      return;
    case 'path-new-cid':
      if (mp.local.get(item.pathId)?.some((c) => c.seq === item.seq))
        mp.newPending.push({ pathId: item.pathId, seq: item.seq });
      return;
    case 'path-retire-cid':
      mp.retirePending.push({ pathId: item.pathId, seq: item.seq });
      return;
  }
}
