/**
 * Block Kit limits, checked the way Slack checks them before it accepts a message or a view.
 *
 * Numbers come from Slack's Block Kit reference and the TSDoc of `@slack/types` (which mirrors it).
 * Each violation reads like Slack's own answer: a sentence, then `[json-pointer:/blocks/3/text/text]`.
 */

export type BlockSurface = 'message' | 'modal' | 'home';

export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  /** `chat.postMessage` truncates, then refuses, top-level `text` past this length (`msg_too_long`). */
  messageText: 40_000,
  /**
   * Slack refuses a message whose blocks are too big in total with `msg_blocks_too_long`, and does not
   * document the limit. Maintainers speak of ~12,000 characters of text "with a buffer for block
   * containers", and users hit it between 11,300 and 13,300 characters (bolt-js issues #2509, #2867).
   * We count the serialized JSON of the blocks, which is always more than their text: conservative on purpose.
   */
  messageBlocksJson: 12_000,
  viewTitle: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  blockId: 255,
  actionId: 255,
  textObject: 3000,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  markdownBlockText: 12_000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  accessibilityLabel: 75,
  placeholder: 150,
  selectOptions: 100,
  optionGroups: 100,
  optionGroupLabel: 75,
  optionText: 75,
  // Slack's option object reference says 150; `@slack/types` 3.2 still says 75 (written before the raise).
  optionValue: 150,
  optionDescription: 75,
  checkboxOptions: 10,
  radioOptions: 10,
  overflowOptionsMin: 2,
  overflowOptionsMax: 5,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputLength: 3000,
  imageAltText: 2000,
  imageTitle: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

const BLOCK_TYPES = new Set([
  'actions',
  'context',
  'context_actions',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
]);

/** Interactive elements, by where Slack lets them appear. */
const INPUT_ELEMENTS = new Set([
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'file_input',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'number_input',
  'plain_text_input',
  'radio_buttons',
  'rich_text_input',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'timepicker',
  'url_text_input',
]);
const ACTIONS_ELEMENTS = new Set([
  'button',
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'overflow',
  'radio_buttons',
  'rich_text_input',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'timepicker',
  'workflow_button',
]);
const ACCESSORY_ELEMENTS = new Set([
  'button',
  'checkboxes',
  'datepicker',
  'image',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'overflow',
  'radio_buttons',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'timepicker',
  'workflow_button',
]);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Checker {
  readonly errors: string[] = [];

  add(path: string, message: string): void {
    this.errors.push(`${message} [json-pointer:${path}]`);
  }

  maxLength(path: string, value: unknown, max: number, what: string): void {
    if (typeof value === 'string' && value.length > max) {
      this.add(path, `${what} must be at most ${max} characters (got ${value.length})`);
    }
  }

  requiredString(path: string, value: unknown, what: string): value is string {
    if (typeof value !== 'string' || value.length === 0) {
      this.add(path, `${what} is required and must be a non-empty string`);
      return false;
    }
    return true;
  }

  /** A text object `{type:'plain_text'|'mrkdwn', text}`; `plainOnly` where Slack refuses mrkdwn. */
  text(path: string, value: unknown, max: number, what: string, plainOnly = false): void {
    if (!isObject(value)) {
      this.add(path, `${what} must be a text object`);
      return;
    }
    const allowed = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
    if (typeof value.type !== 'string' || !allowed.includes(value.type)) {
      this.add(`${path}/type`, `${what} must be of type ${allowed.join(' or ')} (got ${String(value.type)})`);
    }
    if (typeof value.text !== 'string' || value.text.length === 0) {
      this.add(`${path}/text`, `${what} text must be a non-empty string`);
      return;
    }
    this.maxLength(`${path}/text`, value.text, max, `${what} text`);
  }

  optionalText(path: string, value: unknown, max: number, what: string, plainOnly = false): void {
    if (value !== undefined) this.text(path, value, max, what, plainOnly);
  }

  confirm(path: string, value: unknown): void {
    if (value === undefined) return;
    if (!isObject(value)) {
      this.add(path, 'confirm must be a confirmation dialog object');
      return;
    }
    const L = BLOCK_KIT_LIMITS;
    this.optionalText(`${path}/title`, value.title, L.confirmTitle, 'confirm title', true);
    this.text(`${path}/text`, value.text, L.confirmText, 'confirm text');
    this.optionalText(`${path}/confirm`, value.confirm, L.confirmButton, 'confirm button', true);
    this.optionalText(`${path}/deny`, value.deny, L.confirmButton, 'deny button', true);
  }

  option(path: string, value: unknown, plainOnly: boolean): void {
    const L = BLOCK_KIT_LIMITS;
    if (!isObject(value)) {
      this.add(path, 'option must be an object with text and value');
      return;
    }
    this.text(`${path}/text`, value.text, L.optionText, 'option', plainOnly);
    if (this.requiredString(`${path}/value`, value.value, 'option value')) {
      this.maxLength(`${path}/value`, value.value, L.optionValue, 'option value');
    }
    this.optionalText(
      `${path}/description`,
      value.description,
      L.optionDescription,
      'option description',
      true,
    );
    this.maxLength(`${path}/url`, value.url, L.url, 'option url');
  }

  options(path: string, value: unknown, max: number, plainOnly: boolean, min = 1): void {
    if (!Array.isArray(value)) {
      this.add(path, 'options must be an array');
      return;
    }
    if (value.length < min) this.add(path, `must have at least ${min} option(s) (got ${value.length})`);
    if (value.length > max) this.add(path, `must have at most ${max} options (got ${value.length})`);
    value.forEach((option, i) => {
      this.option(`${path}/${i}`, option, plainOnly);
    });
  }
}

function checkElement(c: Checker, path: string, element: unknown, allowed: Set<string>, where: string): void {
  const L = BLOCK_KIT_LIMITS;
  if (!isObject(element)) {
    c.add(path, 'element must be an object');
    return;
  }
  const type = element.type;
  if (typeof type !== 'string' || !allowed.has(type)) {
    c.add(`${path}/type`, `element type ${JSON.stringify(type)} is not allowed in ${where}`);
    return;
  }
  if (element.action_id !== undefined) {
    if (c.requiredString(`${path}/action_id`, element.action_id, 'action_id')) {
      c.maxLength(`${path}/action_id`, element.action_id, L.actionId, 'action_id');
    }
  }
  c.optionalText(`${path}/placeholder`, element.placeholder, L.placeholder, 'placeholder', true);
  c.confirm(`${path}/confirm`, element.confirm);

  switch (type) {
    case 'button':
    case 'workflow_button':
      c.text(`${path}/text`, element.text, L.buttonText, 'button', true);
      c.maxLength(`${path}/value`, element.value, L.buttonValue, 'button value');
      c.maxLength(`${path}/url`, element.url, L.url, 'button url');
      c.maxLength(
        `${path}/accessibility_label`,
        element.accessibility_label,
        L.accessibilityLabel,
        'accessibility_label',
      );
      if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
        c.add(
          `${path}/style`,
          `button style must be primary or danger (got ${JSON.stringify(element.style)})`,
        );
      }
      break;
    case 'static_select':
    case 'multi_static_select': {
      const hasOptions = element.options !== undefined;
      const hasGroups = element.option_groups !== undefined;
      if (hasOptions === hasGroups) {
        c.add(path, `${type} needs exactly one of options or option_groups`);
      }
      if (hasOptions) c.options(`${path}/options`, element.options, L.selectOptions, true);
      if (hasGroups) {
        const groups = element.option_groups;
        if (!Array.isArray(groups) || groups.length === 0) {
          c.add(`${path}/option_groups`, 'option_groups must be a non-empty array');
        } else {
          if (groups.length > L.optionGroups) {
            c.add(
              `${path}/option_groups`,
              `must have at most ${L.optionGroups} option groups (got ${groups.length})`,
            );
          }
          groups.forEach((group, i) => {
            const gp = `${path}/option_groups/${i}`;
            if (!isObject(group)) {
              c.add(gp, 'option group must be an object');
              return;
            }
            c.text(`${gp}/label`, group.label, L.optionGroupLabel, 'option group label', true);
            c.options(`${gp}/options`, group.options, L.selectOptions, true);
          });
        }
      }
      if (element.initial_option !== undefined)
        c.option(`${path}/initial_option`, element.initial_option, true);
      break;
    }
    case 'checkboxes':
      c.options(`${path}/options`, element.options, L.checkboxOptions, false);
      break;
    case 'radio_buttons':
      c.options(`${path}/options`, element.options, L.radioOptions, false);
      break;
    case 'overflow':
      c.options(`${path}/options`, element.options, L.overflowOptionsMax, true, L.overflowOptionsMin);
      break;
    case 'plain_text_input': {
      for (const key of ['min_length', 'max_length'] as const) {
        const n = element[key];
        if (n === undefined) continue;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > L.plainTextInputLength) {
          c.add(`${path}/${key}`, `${key} must be an integer between 0 and ${L.plainTextInputLength}`);
        }
      }
      c.maxLength(`${path}/initial_value`, element.initial_value, L.plainTextInputLength, 'initial_value');
      break;
    }
    case 'datepicker':
      if (element.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(element.initial_date))) {
        c.add(`${path}/initial_date`, 'initial_date must be formatted YYYY-MM-DD');
      }
      break;
    case 'timepicker':
      if (
        element.initial_time !== undefined &&
        !/^([01]\d|2[0-3]):[0-5]\d$/.test(String(element.initial_time))
      ) {
        c.add(`${path}/initial_time`, 'initial_time must be formatted HH:mm (24-hour)');
      }
      break;
    case 'image':
      if (c.requiredString(`${path}/alt_text`, element.alt_text, 'image alt_text')) {
        c.maxLength(`${path}/alt_text`, element.alt_text, L.imageAltText, 'image alt_text');
      }
      if (element.image_url === undefined && element.slack_file === undefined) {
        c.add(path, 'image needs image_url or slack_file');
      }
      c.maxLength(`${path}/image_url`, element.image_url, L.url, 'image_url');
      break;
    default:
      break;
  }
}

/** Checks action_id uniqueness among the interactive elements of one block. */
function checkUniqueActionIds(c: Checker, path: string, elements: unknown[]): void {
  const seen = new Set<string>();
  elements.forEach((element, i) => {
    if (!isObject(element) || typeof element.action_id !== 'string') return;
    if (seen.has(element.action_id)) {
      c.add(
        `${path}/${i}/action_id`,
        `action_id ${JSON.stringify(element.action_id)} is not unique in its block`,
      );
    }
    seen.add(element.action_id);
  });
}

/** A block's `elements`: a non-empty array of at most `max`. False when there is no list to check item by item. */
function checkElementList(
  c: Checker,
  path: string,
  elements: unknown,
  kind: string,
  max: number,
): elements is unknown[] {
  if (!Array.isArray(elements) || elements.length === 0) {
    c.add(`${path}/elements`, `${kind} elements must be a non-empty array`);
    return false;
  }
  if (elements.length > max)
    c.add(`${path}/elements`, `must have at most ${max} elements (got ${elements.length})`);
  return true;
}

function checkBlock(c: Checker, path: string, block: unknown, surface: BlockSurface): void {
  const L = BLOCK_KIT_LIMITS;
  if (!isObject(block)) {
    c.add(path, 'block must be an object');
    return;
  }
  const type = block.type;
  if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) {
    c.add(`${path}/type`, `unknown block type ${JSON.stringify(type)}`);
    return;
  }
  if (block.block_id !== undefined) {
    if (c.requiredString(`${path}/block_id`, block.block_id, 'block_id')) {
      c.maxLength(`${path}/block_id`, block.block_id, L.blockId, 'block_id');
    }
  }
  switch (type) {
    case 'section': {
      if (block.text === undefined && block.fields === undefined) {
        c.add(path, 'section needs text or fields');
      }
      c.optionalText(`${path}/text`, block.text, L.sectionText, 'section');
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length === 0) {
          c.add(`${path}/fields`, 'fields must be a non-empty array');
        } else {
          if (block.fields.length > L.sectionFields) {
            c.add(
              `${path}/fields`,
              `must have at most ${L.sectionFields} fields (got ${block.fields.length})`,
            );
          }
          block.fields.forEach((field, i) => {
            c.text(`${path}/fields/${i}`, field, L.sectionFieldText, 'section field');
          });
        }
      }
      if (block.accessory !== undefined) {
        checkElement(c, `${path}/accessory`, block.accessory, ACCESSORY_ELEMENTS, 'a section accessory');
      }
      break;
    }
    case 'header':
      c.text(`${path}/text`, block.text, L.headerText, 'header', true);
      break;
    case 'markdown':
      if (c.requiredString(`${path}/text`, block.text, 'markdown text')) {
        c.maxLength(`${path}/text`, block.text, L.markdownBlockText, 'markdown text');
      }
      break;
    case 'context': {
      const elements = block.elements;
      if (!checkElementList(c, path, elements, 'context', L.contextElements)) break;
      elements.forEach((element, i) => {
        const ep = `${path}/elements/${i}`;
        if (isObject(element) && element.type === 'image') {
          checkElement(c, ep, element, new Set(['image']), 'a context block');
        } else {
          c.text(ep, element, L.textObject, 'context element');
        }
      });
      break;
    }
    case 'actions': {
      const elements = block.elements;
      if (!checkElementList(c, path, elements, 'actions', L.actionsElements)) break;
      elements.forEach((element, i) => {
        checkElement(c, `${path}/elements/${i}`, element, ACTIONS_ELEMENTS, 'an actions block');
      });
      checkUniqueActionIds(c, `${path}/elements`, elements);
      break;
    }
    case 'input':
      if (surface !== 'modal') {
        c.add(path, `input blocks are only allowed in modals (this is a ${surface})`);
      }
      c.text(`${path}/label`, block.label, L.inputLabel, 'input label', true);
      c.optionalText(`${path}/hint`, block.hint, L.inputHint, 'input hint', true);
      if (block.element === undefined) {
        c.add(`${path}/element`, 'input block needs an element');
      } else {
        checkElement(c, `${path}/element`, block.element, INPUT_ELEMENTS, 'an input block');
      }
      break;
    case 'image':
      checkElement(c, path, block, new Set(['image']), 'an image block');
      c.optionalText(`${path}/title`, block.title, L.imageTitle, 'image title', true);
      break;
    case 'rich_text':
      if (!Array.isArray(block.elements)) c.add(`${path}/elements`, 'rich_text elements must be an array');
      break;
    default:
      break;
  }
}

/**
 * Returns every Block Kit violation in `blocks` for the given surface, each ending with a JSON pointer
 * (`/blocks/…`). An empty array means Slack would accept the blocks.
 */
export function validateBlocks(blocks: unknown, surface: BlockSurface, pointer = '/blocks'): string[] {
  const c = new Checker();
  if (!Array.isArray(blocks)) {
    c.add(pointer, 'blocks must be an array');
    return c.errors;
  }
  const max = surface === 'message' ? BLOCK_KIT_LIMITS.messageBlocks : BLOCK_KIT_LIMITS.viewBlocks;
  if (blocks.length > max) {
    c.add(pointer, `a ${surface} may have at most ${max} blocks (got ${blocks.length})`);
  }
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    checkBlock(c, `${pointer}/${i}`, block, surface);
    if (isObject(block) && typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) {
        c.add(`${pointer}/${i}/block_id`, `block_id ${JSON.stringify(block.block_id)} is not unique`);
      }
      blockIds.add(block.block_id);
    }
  });
  return c.errors;
}

/**
 * Returns every violation in a view (`views.open/update/push/publish`), pointers under `/view`.
 */
export function validateView(view: unknown): string[] {
  const L = BLOCK_KIT_LIMITS;
  const c = new Checker();
  if (!isObject(view)) {
    c.add('/view', 'view must be an object');
    return c.errors;
  }
  const type = view.type;
  if (type !== 'modal' && type !== 'home') {
    c.add('/view/type', `view type must be modal or home (got ${JSON.stringify(type)})`);
    return c.errors;
  }
  if (type === 'modal') {
    c.text('/view/title', view.title, L.viewTitle, 'title', true);
    c.optionalText('/view/submit', view.submit, L.viewTitle, 'submit', true);
    c.optionalText('/view/close', view.close, L.viewTitle, 'close', true);
    const hasInput =
      Array.isArray(view.blocks) && view.blocks.some((block) => isObject(block) && block.type === 'input');
    if (hasInput && view.submit === undefined) {
      c.add('/view/submit', 'a modal with input blocks needs a submit button');
    }
  }
  c.maxLength('/view/private_metadata', view.private_metadata, L.privateMetadata, 'private_metadata');
  c.maxLength('/view/callback_id', view.callback_id, L.callbackId, 'callback_id');
  c.maxLength('/view/external_id', view.external_id, L.externalId, 'external_id');
  return [...c.errors, ...validateBlocks(view.blocks, type, '/view/blocks')];
}

/** Size of the blocks as Slack measures them for `msg_blocks_too_long` (see BLOCK_KIT_LIMITS). */
export function blocksJsonLength(blocks: unknown): number {
  return JSON.stringify(blocks ?? []).length;
}
