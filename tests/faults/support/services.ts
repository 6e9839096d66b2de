/**
 * Private servers that a fault test may stop, kill and restart: the machine's own
 * PostgreSQL and Redis are shared with other test runs and are never touched.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pingRedis } from '../../../src/infra/queue/redis.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Issue 8 names 30 s of Redis outage and 60 s of SMTP outage; FAULT_SCALE shortens them (0.1–1). */
export const FAULT_SCALE = Math.min(1, Math.max(0.1, Number(process.env.FAULT_SCALE ?? 1)));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

export type TPrivateRedis = {
  url: string;
  port: number;
  /** SIGKILL: the server vanishes without a goodbye, as when its machine dies. */
  kill(): Promise<void>;
  /** SIGSTOP: Redis stalls with its connections open (a long fork, a stalled network). */
  pause(): void;
  /** SIGCONT: the stalled Redis runs again, commands written meanwhile included. */
  resume(): void;
  start(): Promise<void>;
  close(): Promise<void>;
};

/** A redis-server of our own on a free port (appendonly in a temp dir, so a restart keeps the queue). */
export async function startPrivateRedis(): Promise<TPrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'panelist-fault-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => pingRedis(url, 300), `redis-server on ${port}`);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    port,
    kill,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    start,
    async close() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TPrivatePostgres = {
  port: number;
  /** Connection URL of a database in this cluster. */
  url(db?: string): string;
  createDatabase(name: string): Promise<string>;
  /** pg_ctl stop -m fast: open connections are terminated, as in a restart. */
  stop(): void;
  /** SIGKILL on the postmaster: a crash; recovery replays the WAL on start. */
  kill(): void;
  start(): void;
  close(): void;
};

function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const p = path.join(root, v, 'bin', name);
    if (existsSync(p)) return p;
  }
  return name;
}

/**
 * A PostgreSQL cluster of our own in a temp dir on a free port. PostgreSQL refuses
 * to run as root, so when the tests run as root (CI) it runs as the postgres user.
 */
export async function startPrivatePostgres(): Promise<TPrivatePostgres> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'panelist-fault-pg-'));
  const data = path.join(dir, 'data');
  const isRoot = process.getuid?.() === 0;
  chmodSync(dir, 0o777);
  const run = (bin: string, args: string[]) =>
    execFileSync(isRoot ? 'runuser' : bin, isRoot ? ['-u', 'postgres', '--', bin, ...args] : args, {
      stdio: 'pipe',
      cwd: dir,
    });
  run(pgBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const ctl = (args: string[]) => run(pgBin('pg_ctl'), ['-D', data, ...args]);
  const url = (db = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${db}`;
  const isUp = async () => {
    const c = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 500 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const start = () => {
    ctl([
      '-l',
      path.join(dir, 'log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`,
      'start',
      '-w',
    ]);
  };
  start();
  await waitFor(isUp, `PostgreSQL on ${port}`);
  const pidOf = () => {
    const file = path.join(data, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    return Number(execFileSync('head', ['-1', file]).toString().trim());
  };
  return {
    port,
    url,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return url(name);
    },
    stop() {
      ctl(['stop', '-m', 'fast', '-w']);
    },
    kill() {
      const pid = pidOf();
      if (pid) process.kill(pid, 'SIGKILL');
    },
    start,
    close() {
      try {
        ctl(['stop', '-m', 'immediate', '-w']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
