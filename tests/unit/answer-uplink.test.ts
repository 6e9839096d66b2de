/** The room's answer uplink: every chunk is kept until the server has stored it, and resent after a drop. */
import { describe, expect, it } from 'vitest';
import { AnswerUplink } from '../../src/portal/client/audio/uplink.js';
import { decodeFrame, FLAG_VOICED, FRAME_AUDIO } from '../../src/portal/protocol.js';

const chunk = (byte: number, voiced = true) => ({
  bytes: new Uint8Array(3200).fill(byte),
  durationMs: 100,
  rms: voiced ? 0.1 : 0,
});

function line() {
  const sent: Array<{ index: number; ms: number; flags: number; first: number }> = [];
  let up = true;
  return {
    sent,
    setUp(v: boolean) {
      up = v;
    },
    send: (bytes: Uint8Array<ArrayBuffer>) => {
      if (!up) return false;
      const f = decodeFrame(bytes);
      if (!f || f.kind !== FRAME_AUDIO) throw new Error('not an audio frame');
      sent.push({ index: f.index, ms: f.ms, flags: f.flags, first: f.payload[0] ?? -1 });
      return true;
    },
  };
}

describe('AnswerUplink', () => {
  it('numbers chunks from 0 with the audio time at their end, and marks voiced ones', () => {
    const l = line();
    const up = new AnswerUplink(3, 'audio/pcm;rate=16000', l.send);
    up.opened(-1);
    up.push(chunk(1), true);
    up.push(chunk(2, false), false);
    expect(l.sent).toEqual([
      { index: 0, ms: 100, flags: FLAG_VOICED, first: 1 },
      { index: 1, ms: 200, flags: 0, first: 2 },
    ]);
    expect(up.lastIndex).toBe(1);
  });

  it('resends, in order, exactly what the server has not acknowledged (sent or not)', () => {
    const l = line();
    const up = new AnswerUplink(0, 'audio/pcm;rate=16000', l.send);
    for (let i = 0; i < 2; i++) up.push(chunk(i), true);
    expect(l.sent).toEqual([]); // held until the server has opened the answer
    up.opened(-1);
    expect(l.sent.map((f) => f.index)).toEqual([0, 1]);
    up.push(chunk(2), true);
    up.ack(0);
    l.setUp(false); // the line drops: these never leave
    for (let i = 3; i < 6; i++) up.push(chunk(i), true);
    up.close();
    l.setUp(true);
    l.sent.length = 0;
    up.opened(1); // after the reconnect the server (maybe another process) says what it holds
    expect(l.sent.map((f) => f.index)).toEqual([2, 3, 4, 5]);
    expect(l.sent.map((f) => f.first)).toEqual([2, 3, 4, 5]);
    up.ack(5);
    expect(up.unackedCount).toBe(0);
    up.ack(2); // a late, older ack changes nothing
    expect(up.acked).toBe(5);
  });

  it('after a reload, carries on after what the server already holds', () => {
    const l = line();
    const up = new AnswerUplink(2, 'audio/pcm;rate=16000', l.send, { upTo: 9, audioMs: 1000 });
    up.opened(9);
    up.push(chunk(7), true);
    expect(l.sent).toEqual([{ index: 10, ms: 1100, flags: FLAG_VOICED, first: 7 }]);
  });
});
