/** Reading a submitted view's state.values without trusting its shape. */
type TStateValue = {
  type?: string;
  value?: string | null;
  selected_option?: { value?: string } | null;
  selected_date?: string | null;
  selected_time?: string | null;
};

export type TViewState = Record<string, Record<string, TStateValue>>;

export function readInput(values: TViewState | undefined, blockId: string, actionId = blockId): string {
  const v = values?.[blockId]?.[actionId];
  if (!v) return '';
  return (v.value ?? v.selected_option?.value ?? v.selected_date ?? v.selected_time ?? '').trim();
}

/** Runs a check that must answer before Slack's 3 s limit; throws if it does not. */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('deadline')), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** True for a UUID as Slack gives back the ids we put in values and metadata; anything else is forged. */
export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
