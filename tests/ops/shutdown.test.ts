/**
 * SIGTERM, as a deploy or a scale-down sends it, to the real entry point (`src/main.ts`): connected
 * candidates are told to reconnect (WebSocket close 1001, which the room answers by reconnecting to
 * another instance), and the process exits 0 within its shutdown bound.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { ROOT, startNode, type TChild } from '../helpers/processes.js';
import { cleanPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';

const SHUTDOWN_TIMEOUT_MS = 4000;
let db: TTestDb;
let prefix: string;
let dataDir: string;
let app: TChild;
let port: number;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

beforeAll(async () => {
  db = await createTestDb();
  prefix = testPrefix();
  dataDir = mkdtempSync(path.join(tmpdir(), 'panelist-shutdown-'));
  port = await freePort();
  app = await startNode(
    'src/main.ts',
    ['portal', 'worker'],
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    },
    'Panelist is running',
  );
});

afterAll(async () => {
  await app?.stop('SIGKILL');
  await cleanPrefix(prefix);
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SIGTERM', () => {
  it('tells connected candidates to reconnect and exits 0 within the shutdown bound', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/interview/ws`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    // The room's handler attaches once Fastify has routed the upgrade; a socket caught mid-upgrade
    // by the shutdown is dropped without a code (the room reconnects on any close anyway).
    await new Promise((r) => setTimeout(r, 500));

    const started = Date.now();
    const code = await app.stop('SIGTERM');
    const ms = Date.now() - started;

    expect(await closed).toBe(1001);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2000);
    expect(app.output()).toContain('"signal":"SIGTERM","msg":"shutting down"');
    expect(app.output()).not.toContain('shutdown step failed');
  });

  it("the image's entrypoint runs the app as the process a supervisor signals: SIGTERM stops it cleanly, exit 0", async () => {
    // `docker stop` signals PID 1, the entrypoint. Through `npx tsx` the signal killed npx and the
    // app never heard it; the exit code a supervisor reads must be Panelist's own.
    const entry = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    expect(entry, 'Dockerfile has an exec-form ENTRYPOINT').not.toBeNull();
    const [command, ...args] = JSON.parse(entry![1]!) as string[];
    const child = spawn(command === 'node' ? process.execPath : command!, [...args, 'worker'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, signal) => resolve([code, signal])),
    );
    try {
      await expect.poll(() => out, { timeout: 120_000, interval: 100 }).toContain('Panelist is running');
      child.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
      expect(out).toContain('"msg":"stopped"');
    } finally {
      child.kill('SIGKILL');
    }
  }, 150_000);
});
