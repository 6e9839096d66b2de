/**
 * The transport of every Slack Web API client (the bot's and the workers'): @slack/web-api 8 takes any
 * `fetch` meeting its small FetchFunction interface. Node's built-in fetch
 * (undici behind WHATWG streams, abort signals and transferables) cost about
 * 0.5 ms of CPU per call in bench/slack-ack, more than everything else a slash
 * command does; node:http with keep-alive agents does the same request for a
 * fraction of that. Multipart bodies (file uploads) still go through the
 * built-in fetch.
 *
 * Why it exists: bench/slack-ack — Node's fetch was the largest CPU cost of a slash command.
 */
import http from 'node:http';
import https from 'node:https';
import type { FetchFunction } from '@slack/web-api';

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/** How long a Slack call may go without a byte before it fails. */
export const SLACK_SOCKET_IDLE_MS = 8000;

/** Slack's Web API answers in well under a second; keep sockets for the next call. */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 50 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 50 }),
};

class SlackResponse implements FetchResponse {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    private readonly raw: http.IncomingHttpHeaders,
    private readonly body: Buffer,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  readonly headers = {
    get: (name: string): string | null => {
      const v = this.raw[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
    entries: (): Iterable<[string, string]> =>
      Object.entries(this.raw).map(([k, v]): [string, string] => [
        k,
        Array.isArray(v) ? v.join(', ') : (v ?? ''),
      ]),
  };

  async text(): Promise<string> {
    return this.body.toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body.toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.body).buffer;
  }
}

/** A FetchFunction for WebClient's POSTs (string bodies), over node:http(s). */
export const slackFetch: FetchFunction = (input, init = {}) => {
  if (init.body !== undefined && typeof init.body !== 'string') return globalThis.fetch(input, init);
  const url = typeof input === 'string' ? new URL(input) : input;
  const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!client) return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
  const { signal } = init;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  return new Promise<FetchResponse>((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: init.method ?? 'GET',
        agent: agents[url.protocol as 'http:' | 'https:'],
        headers: { ...init.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && init.redirect !== 'manual') {
          // WebClient asks for redirect: 'error'; following one would resend the token elsewhere.
          res.resume();
          reject(new TypeError(`Slack answered with a redirect (${status}), which is not followed`));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve(
            new SlackResponse(url.href, status, res.statusMessage ?? '', res.headers, Buffer.concat(chunks)),
          ),
        );
      },
    );
    req.on('error', reject);
    // A Slack that stops answering mid-call fails the call (WebClient then retries, bounded):
    // no byte for this long on the socket. (WebClient's own `timeout` builds an AbortSignal per
    // call, which delayed the first modal of a process by seconds in tests/bot/schedule.test.ts.)
    req.setTimeout(SLACK_SOCKET_IDLE_MS, () =>
      req.destroy(new Error(`Slack did not answer within ${SLACK_SOCKET_IDLE_MS} ms`)),
    );
    if (signal) {
      const onAbort = () => req.destroy(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => signal.removeEventListener('abort', onAbort));
    }
    req.end(body);
  });
};
