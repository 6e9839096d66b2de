/**
 * Figures a fault test measured (requests sent, lost, duplicates, recovery time),
 * printed and kept as JSON so docs/reliability.md can quote a real run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const DIR = process.env.FAULT_FIGURES_DIR ?? '/tmp/panelist-fault-figures';

export function record(name: string, figures: Record<string, unknown>): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(path.join(DIR, `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`[fault figures] ${name} ${JSON.stringify(figures)}`);
}
