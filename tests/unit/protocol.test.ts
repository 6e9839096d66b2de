import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeFrame,
  FLAG_VOICED,
  FRAME_AUDIO,
  FRAME_HEADER_BYTES,
  PROTOCOL_VERSION,
  parseClientMessage,
  ZServerMessage,
} from '../../src/portal/protocol.js';

describe('interview protocol', () => {
  it('binary frames round-trip with a 12-byte big-endian header', () => {
    const payload = new Uint8Array([1, 2, 3, 4, 5]);
    const bytes = encodeFrame({
      kind: FRAME_AUDIO,
      flags: FLAG_VOICED,
      seq: 7,
      index: 70_000,
      ms: 7_000_100,
      payload,
    });
    expect(bytes.byteLength).toBe(FRAME_HEADER_BYTES + 5);
    expect([...bytes.subarray(0, 12)]).toEqual([1, 1, 0, 7, 0, 1, 0x11, 0x70, 0, 0x6a, 0xd0, 0x24]);
    const frame = decodeFrame(bytes);
    expect(frame).toMatchObject({
      kind: FRAME_AUDIO,
      flags: FLAG_VOICED,
      seq: 7,
      index: 70_000,
      ms: 7_000_100,
    });
    expect([...(frame?.payload ?? [])]).toEqual([1, 2, 3, 4, 5]);
    // A view into a larger buffer (what ws hands over) decodes the same.
    const big = new Uint8Array(bytes.byteLength + 8);
    big.set(bytes, 8);
    expect(decodeFrame(big.subarray(8))?.index).toBe(70_000);
  });

  it('refuses short frames and unknown kinds', () => {
    expect(decodeFrame(new Uint8Array(11))).toBeNull();
    expect(decodeFrame(new Uint8Array(12).fill(9))).toBeNull();
  });

  it('an old page gets "reload"; a voice answer with browser text is not part of the protocol', () => {
    expect(parseClientMessage(JSON.stringify({ v: 1, id: 'a1', type: 'hello', key: 'k' }))).toEqual({
      ok: false,
      reason: 'reload',
      id: 'a1',
    });
    const voice = parseClientMessage(
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: 'answer',
        seq: 0,
        clientId: 'client-1',
        text: 'hi',
        mode: 'voice',
      }),
    );
    expect(voice).toMatchObject({ ok: false, reason: 'invalid', path: 'mode' });
    const typed = parseClientMessage(
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: 'answer',
        seq: 0,
        clientId: 'client-1',
        text: 'hi',
        mode: 'typed',
      }),
    );
    expect(typed.ok).toBe(true);
    expect(parseClientMessage('{')).toEqual({ ok: false, reason: 'not_json' });
  });

  it('server messages validate against their schema', () => {
    expect(
      ZServerMessage.safeParse({
        v: PROTOCOL_VERSION,
        type: 'caption',
        seq: 1,
        piece: 0,
        text: 'I led',
        final: false,
      }).success,
    ).toBe(true);
    expect(
      ZServerMessage.safeParse({
        v: PROTOCOL_VERSION,
        type: 'status',
        phase: 'napping',
        message: '',
        sinceMs: 0,
      }).success,
    ).toBe(false);
  });
});
