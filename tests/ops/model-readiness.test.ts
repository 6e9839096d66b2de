/**
 * /readyz's model check: GET {base}/models, as OpenAI, Ollama, vLLM and speaches serve it, bounded
 * in time, naming the endpoint by host only and saying what is wrong.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkModelEndpoint } from '../../src/ops/model-readiness.js';
import { freePort } from '../helpers/test-services.js';

let server: Server;
let base: string;
const seen: Array<{ url: string | undefined; auth: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization });
    if (req.url?.startsWith('/hang/')) return; // never answers
    if (req.headers.authorization !== 'Bearer sk-good') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('the model endpoint check', () => {
  it('passes when the endpoint lists its models with the key', async () => {
    await checkModelEndpoint('chat model', { baseUrl: `${base}/v1`, apiKey: 'sk-good' });
    expect(seen.at(-1)).toEqual({ url: '/v1/models', auth: 'Bearer sk-good' });
  });

  it('says the key was refused, without the key or credentials in the base URL', async () => {
    const withCreds = `http://user:pw@${base.slice('http://'.length)}/v1/`;
    const err = await checkModelEndpoint('chat model', { baseUrl: withCreds, apiKey: 'sk-bad' }).catch(
      (e: Error) => e,
    );
    expect((err as Error).message).toBe(
      `chat model endpoint ${new URL(base).host} refused the API key (HTTP 401): check OPENAI_API_KEY`,
    );
    expect((err as Error).message).not.toMatch(/sk-bad|pw/);
  });

  it('gives up after its deadline when the endpoint hangs, and names a closed port', async () => {
    const started = Date.now();
    await expect(checkModelEndpoint('speech-to-text', { baseUrl: `${base}/hang/v1` }, 300)).rejects.toThrow(
      `speech-to-text endpoint ${new URL(base).host} did not answer within 300 ms`,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    const closed = await freePort();
    await expect(
      checkModelEndpoint('chat model', { baseUrl: `http://127.0.0.1:${closed}/v1` }),
    ).rejects.toThrow(`chat model endpoint 127.0.0.1:${closed} is not reachable (ECONNREFUSED)`);
  });
});
