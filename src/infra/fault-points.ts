/**
 * Crash points for the fault suite (FAULT_POINTS, accepted only with NODE_ENV=test). A process
 * that reaches a named point says so on stdout and stops itself (SIGSTOP), frozen exactly there,
 * so the test can SIGKILL it at that step of a job: "after the claim, before sending" is then a
 * place in the code, not a race against a timer. Outside the fault suite this is never set.
 */
import { writeSync } from 'node:fs';

export type TFaultPoint = (name: string) => Promise<void>;

export const FAULT_POINT_LINE = 'fault point reached:';

export function createFaultPoints(names: string[]): TFaultPoint | undefined {
  if (names.length === 0) return undefined;
  const armed = new Set(names);
  return async (name) => {
    if (!armed.has(name)) return;
    armed.delete(name);
    // Synchronous: the line must be out before the process freezes.
    writeSync(1, `${FAULT_POINT_LINE} ${name}\n`);
    process.kill(process.pid, 'SIGSTOP');
  };
}
