/**
 * Builds `view.state.values` the way Slack fills it when a user types into a modal.
 *
 * Slack reports every stateful element of the view, keyed by block_id then action_id, whether the user
 * touched it or not: untouched elements carry their initial value, or null.
 */

type Json = Record<string, unknown>;

interface SelectedOption {
  text: { type: 'plain_text'; text: string; emoji?: boolean };
  value: string;
}

interface ViewStateValue {
  type: string;
  value?: string | null;
  selected_date?: string | null;
  selected_time?: string | null;
  selected_date_time?: number | null;
  selected_option?: SelectedOption | null;
  selected_options?: SelectedOption[];
  selected_user?: string | null;
  selected_users?: string[];
  selected_conversation?: string | null;
  selected_conversations?: string[];
  selected_channel?: string | null;
  selected_channels?: string[];
  rich_text_value?: unknown;
  files?: unknown[];
}

export type ViewStateValues = Record<string, Record<string, ViewStateValue>>;

/**
 * What a test types: a string for text inputs, pickers and single selects (the option's value),
 * an array of strings for multi selects and checkboxes, a number for datetimepicker (epoch seconds),
 * or `{ text, value }` for an external_select option that is not in the view.
 */
export type ViewInput = string | number | string[] | { text: string; value: string } | null;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NOT_STATEFUL = new Set(['button', 'overflow', 'workflow_button', 'image']);

/** Every stateful element of a list of blocks, with its block_id. */
function statefulElements(blocks: unknown): { blockId: string; element: Json }[] {
  const found: { blockId: string; element: Json }[] = [];
  if (!Array.isArray(blocks)) return found;
  for (const block of blocks) {
    if (!isObject(block) || typeof block.block_id !== 'string') continue;
    const candidates: unknown[] =
      block.type === 'input'
        ? [block.element]
        : block.type === 'actions' && Array.isArray(block.elements)
          ? block.elements
          : block.type === 'section'
            ? [block.accessory]
            : [];
    for (const element of candidates) {
      if (!isObject(element) || typeof element.type !== 'string' || NOT_STATEFUL.has(element.type)) continue;
      if (typeof element.action_id !== 'string') continue;
      found.push({ blockId: block.block_id, element });
    }
  }
  return found;
}

function plainOption(option: Json): SelectedOption {
  const text = isObject(option.text) ? String(option.text.text) : String(option.value);
  return { text: { type: 'plain_text', text, emoji: true }, value: String(option.value) };
}

function allOptions(element: Json): Json[] {
  const options: Json[] = [];
  if (Array.isArray(element.options)) options.push(...element.options.filter(isObject));
  if (Array.isArray(element.option_groups)) {
    for (const group of element.option_groups) {
      if (isObject(group) && Array.isArray(group.options)) options.push(...group.options.filter(isObject));
    }
  }
  return options;
}

function findOption(element: Json, input: unknown, where: string): SelectedOption {
  if (isObject(input) && typeof input.value === 'string' && typeof input.text === 'string') {
    return { text: { type: 'plain_text', text: input.text, emoji: true }, value: input.value };
  }
  const value = String(input);
  const option = allOptions(element).find((o) => o.value === value);
  if (option) return plainOption(option);
  if (element.type === 'external_select' || element.type === 'multi_external_select') {
    return { text: { type: 'plain_text', text: value, emoji: true }, value };
  }
  throw new Error(`${where}: no option with value ${JSON.stringify(value)}`);
}

function asArray(input: ViewInput, where: string): string[] {
  if (Array.isArray(input)) return input;
  if (typeof input === 'string') return [input];
  throw new Error(`${where}: expected a string or an array of strings`);
}

function stateFor(element: Json, input: ViewInput | undefined, where: string): ViewStateValue {
  const type = String(element.type);
  const given = input !== undefined;
  const str = (initial: unknown): string | null =>
    given ? (input === null ? null : String(input)) : typeof initial === 'string' ? initial : null;
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { type, value: str(element.initial_value) };
    case 'datepicker':
      return { type, selected_date: str(element.initial_date) };
    case 'timepicker':
      return { type, selected_time: str(element.initial_time) };
    case 'datetimepicker':
      return {
        type,
        selected_date_time: given
          ? input === null
            ? null
            : Number(input)
          : typeof element.initial_date_time === 'number'
            ? element.initial_date_time
            : null,
      };
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      if (given) return { type, selected_option: input === null ? null : findOption(element, input, where) };
      return {
        type,
        selected_option: isObject(element.initial_option) ? plainOption(element.initial_option) : null,
      };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      if (given) {
        const values = input === null ? [] : asArray(input, where);
        return { type, selected_options: values.map((v) => findOption(element, v, where)) };
      }
      return {
        type,
        selected_options: Array.isArray(element.initial_options)
          ? element.initial_options.filter(isObject).map(plainOption)
          : [],
      };
    case 'users_select':
      return { type, selected_user: str(element.initial_user) };
    case 'conversations_select':
      return { type, selected_conversation: str(element.initial_conversation) };
    case 'channels_select':
      return { type, selected_channel: str(element.initial_channel) };
    case 'multi_users_select':
      return { type, selected_users: given && input !== null ? asArray(input, where) : [] };
    case 'multi_conversations_select':
      return { type, selected_conversations: given && input !== null ? asArray(input, where) : [] };
    case 'multi_channels_select':
      return { type, selected_channels: given && input !== null ? asArray(input, where) : [] };
    case 'rich_text_input':
      return { type, rich_text_value: given ? input : (element.initial_value ?? null) };
    case 'file_input':
      return { type, files: [] };
    default:
      throw new Error(`${where}: element type ${type} holds no state`);
  }
}

/**
 * Returns the `state.values` Slack would send for `view` after a user entered `values`
 * (`{ [blockId]: { [actionId]: input } }`). Elements the user did not touch keep their initial value.
 * Throws when `values` names a block or action the view does not have: that is a bug in the test.
 */
export function fillViewState(
  view: { blocks?: unknown },
  values: Record<string, Record<string, ViewInput>> = {},
): ViewStateValues {
  const elements = statefulElements(view.blocks);
  for (const [blockId, actions] of Object.entries(values)) {
    for (const actionId of Object.keys(actions)) {
      if (!elements.some((e) => e.blockId === blockId && e.element.action_id === actionId)) {
        throw new Error(`fillViewState: the view has no element ${blockId}/${actionId}`);
      }
    }
  }
  const state: ViewStateValues = {};
  for (const { blockId, element } of elements) {
    const actionId = String(element.action_id);
    const input = values[blockId]?.[actionId];
    const block = state[blockId] ?? {};
    block[actionId] = stateFor(element, input, `${blockId}/${actionId}`);
    state[blockId] = block;
  }
  return state;
}
