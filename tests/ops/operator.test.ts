/**
 * What an operator relies on, through the real wiring (`startPanelist`): /healthz, /readyz with the
 * database, Redis and SMTP checked for real, /metrics in Prometheus format, and the queue dashboard
 * behind Basic auth (absent when not configured).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';
import { startPanelist, type TRunning } from '../../src/start.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TTestDb } from '../helpers/db.js';
import { cleanPrefix, testPrefix } from '../helpers/redis.js';
import { type SmtpTestServer, startSmtpServer } from '../helpers/smtp.js';

const PASSWORD = 'correct horse battery staple';
let db: TTestDb;
let smtp: SmtpTestServer;
let prefix: string;
let dataDir: string;
let withAdmin: TRunning;
let withoutAdmin: TRunning;

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtpServer();
  prefix = testPrefix();
  dataDir = mkdtempSync(path.join(tmpdir(), 'panelist-ops-'));
  const env = {
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    // With credentials, as an operator's SMTP_URL has: they must never be shown.
    SMTP_URL: smtp.url.replace('smtp://', 'smtp://mailer:s3cret-pass@'),
  };
  const logger = createLogger('silent');
  withAdmin = await startPanelist(
    testConfig({ ...env, ADMIN_USER: 'ops', ADMIN_PASSWORD: PASSWORD }),
    ['portal'],
    logger,
  );
  withoutAdmin = await startPanelist(testConfig(env), ['portal'], logger);
});

afterAll(async () => {
  await withAdmin?.stop();
  await withoutAdmin?.stop();
  await smtp?.close();
  await cleanPrefix(prefix);
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('operator surfaces', () => {
  it('GET /healthz says the process is alive', async () => {
    const res = await fetch(`${withAdmin.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('GET /readyz checks the database, Redis and SMTP, and names what is down without credentials', async () => {
    // Each check has a 900 ms deadline; a process that just started may need a retry (as a probe does).
    let up = await fetch(`${withAdmin.url}/readyz`);
    for (let i = 0; i < 20 && up.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      up = await fetch(`${withAdmin.url}/readyz`);
    }
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ ok: true, checks: { database: 'ok', redis: 'ok', smtp: 'ok' } });

    await smtp.close();
    const down = await fetch(`${withAdmin.url}/readyz`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { ok: boolean; checks: Record<string, string> };
    const port = new URL(smtp.url).port;
    expect(body).toEqual({
      ok: false,
      checks: {
        database: 'ok',
        redis: 'ok',
        smtp: `SMTP server 127.0.0.1:${port} is not reachable (ECONNREFUSED)`,
      },
    });
    expect(JSON.stringify(body)).not.toContain('s3cret');
  });

  it('GET /metrics: queue depths, job durations and failures, Slack acks, interviews by state, turn latency', async () => {
    await withAdmin.deps.queues.enqueue(
      'maintenance',
      { task: 'expire_no_shows' },
      { jobId: 'metrics-probe', delay: 60_000 },
    );
    const res = await fetch(`${withAdmin.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('panelist_queue_jobs{queue="maintenance",state="delayed"} 1');
    expect(text).toContain('panelist_queue_jobs{queue="booking",state="waiting"} 0');
    for (const name of [
      '# TYPE panelist_job_duration_seconds histogram',
      '# TYPE panelist_job_failures_total counter',
      '# TYPE panelist_slack_ack_seconds histogram',
      '# TYPE panelist_interviews gauge',
      '# TYPE panelist_turn_latency_seconds histogram',
    ]) {
      expect(text).toContain(name);
    }
    // Node's own process metrics come along.
    expect(text).toMatch(/# TYPE panelist_process_\w*cpu\w* counter/);
  });

  it('/admin/queues asks for credentials, refuses wrong ones, and shows the queues to the right ones', async () => {
    const base = `${withAdmin.url}/admin/queues`;
    const anonymous = await fetch(base);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="Panelist queues", charset="UTF-8"');

    const wrong = await fetch(base, { headers: { authorization: basic('ops', 'guess') } });
    expect(wrong.status).toBe(401);
    const wrongUser = await fetch(base, { headers: { authorization: basic('root', PASSWORD) } });
    expect(wrongUser.status).toBe(401);

    const page = await fetch(base, { headers: { authorization: basic('ops', PASSWORD) } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Panelist queues');
    const api = await fetch(`${base}/api/queues`, { headers: { authorization: basic('ops', PASSWORD) } });
    expect(api.status).toBe(200);
    const queues = ((await api.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name);
    expect(queues.sort()).toEqual([
      'booking',
      'candidate_request',
      'email',
      'evaluation',
      'maintenance',
      'notify',
      'prepare',
    ]);
    // The static files of the UI sit behind the same door.
    const asset = await fetch(`${base}/static/favicon-32x32.png`);
    expect(asset.status).toBe(401);
  });

  it('the local Slack stand-in exists only in local mode (here Slack is configured)', async () => {
    for (const url of ['/dev/slack', '/dev/slack/ui/state', '/dev/slack/api/auth.test']) {
      expect((await fetch(`${withAdmin.url}${url}`)).status, url).toBe(404);
    }
  });

  it('/admin/queues does not exist when ADMIN_USER/ADMIN_PASSWORD are not set', async () => {
    const res = await fetch(`${withoutAdmin.url}/admin/queues`, {
      headers: { authorization: basic('ops', PASSWORD) },
    });
    expect(res.status).toBe(404);
  });
});
