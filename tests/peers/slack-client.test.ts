/**
 * The workers' Slack client (createSlackClient) over its node:http transport, against a local
 * HTTP server: Slack's rate limit (429 + Retry-After) is waited out and retried by WebClient,
 * and Slack's own errors come back as WebClient's platform errors.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackClient } from '../../src/infra/slack/client.js';

type TSeen = { path: string; auth: string | undefined; body: string };

async function serve(answer: (n: number, res: http.ServerResponse) => void) {
  const seen: TSeen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      answer(seen.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/`, seen, close: () => server.close() };
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('createSlackClient', () => {
  const closers: Array<() => void> = [];
  afterEach(() => {
    for (const c of closers.splice(0)) c();
  });

  it('waits out a 429 for its Retry-After and retries the call', async () => {
    const peer = await serve((n, res) =>
      n === 1
        ? json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' })
        : json(res, 200, { ok: true, channel: 'C1', ts: '1.000100' }),
    );
    closers.push(peer.close);
    const slack = createSlackClient({ token: 'xoxb-test', apiUrl: peer.url });
    const t0 = Date.now();
    const res = await slack.chat.postMessage({ channel: 'C1', text: 'hello' });
    expect(res.ts).toBe('1.000100');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(peer.seen).toHaveLength(2);
    expect(peer.seen[1]!.path).toBe('/api/chat.postMessage');
    expect(peer.seen[1]!.auth).toBe('Bearer xoxb-test');
    expect(new URLSearchParams(peer.seen[1]!.body).get('text')).toBe('hello');
  });

  it("reports Slack's error code as a platform error, without retrying it", async () => {
    const peer = await serve((_n, res) => json(res, 200, { ok: false, error: 'not_in_channel' }));
    closers.push(peer.close);
    const slack = createSlackClient({ token: 'xoxb-test', apiUrl: peer.url, retries: 0 });
    await expect(slack.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { error: 'not_in_channel' },
    });
    expect(peer.seen).toHaveLength(1);
  });

  it('gives up after its retries when Slack keeps answering 503', async () => {
    const peer = await serve((_n, res) => json(res, 503, { ok: false }));
    closers.push(peer.close);
    const slack = createSlackClient({ token: 'xoxb-test', apiUrl: peer.url, retries: 1 });
    await expect(slack.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toThrow();
    expect(peer.seen).toHaveLength(2);
  });
});
