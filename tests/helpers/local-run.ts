/**
 * `npm start` as a newcomer runs it: in a temporary copy of the repository (no data, no .env),
 * with a private redis-server that Panelist starts itself on a free port, and nothing from the
 * developer's shell that would change what a newcomer gets.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './processes.js';
import { freePort } from './test-services.js';

export type TLocalRun = {
  base: string;
  dir: string;
  output(): string;
  stop(): Promise<void>;
};

/** A fresh clone, as far as the app can tell: the working tree without data, deps or .env. */
function copyRepo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'panelist-loop-'));
  const skip = new Set(['node_modules', '.data', '.git', '.env', 'coverage', 'dist', 'test-results']);
  cpSync(ROOT, dir, {
    recursive: true,
    filter: (src) => !skip.has(path.basename(src)) || path.resolve(path.dirname(src)) !== path.resolve(ROOT),
  });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

export async function startLocalRun(
  extraEnv: Record<string, string> = {},
  timeoutMs = 240_000,
): Promise<TLocalRun> {
  const dir = copyRepo();
  const port = await freePort();
  const redisPort = await freePort();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      v !== undefined &&
      !/^(SLACK_|SMTP_|OPENAI_|DATABASE_URL|REDIS_|PUBLIC_URL|NODE_ENV|TEST_|VITEST)/.test(k)
    )
      env[k] = v;
  }
  let output = '';
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: dir,
    env: {
      ...env,
      PORT: String(port),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      DATA_DIR: path.join(dir, '.data'),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      // The whole group (npm, tsx, the app, its private redis-server), as Ctrl+C would; npm exits
      // at once, so wait for the group to be empty before deleting the directory it writes to.
      const group = -child.pid;
      const isAlive = () => {
        try {
          process.kill(group, 0);
          return true;
        } catch {
          return false;
        }
      };
      process.kill(group, 'SIGTERM');
      const deadline = Date.now() + 35_000;
      while (isAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      if (isAlive()) process.kill(group, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const started = Date.now();
  while (!output.includes('Stop with Ctrl+C')) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`npm start exited:\n${output}`);
    }
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`npm start did not come up in ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base: `http://localhost:${port}`, dir, output: () => output, stop };
}
