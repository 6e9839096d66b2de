import { describe, expect, it } from 'vitest';
import { validateBlocks, validateView } from '../../tools/slack-emulator/block-kit-checker.js';

const plain = (text: string) => ({ type: 'plain_text', text });
const option = (value: string, text = value) => ({ text: plain(text), value });

describe('Block Kit limits', () => {
  it('accepts a typical evaluation message', () => {
    expect(
      validateBlocks(
        [
          { type: 'header', text: plain('Evaluation: Ada Lovelace') },
          { type: 'section', fields: [{ type: 'mrkdwn', text: '*Score*\n4/5' }] },
          { type: 'context', elements: [{ type: 'mrkdwn', text: 'Backend engineer' }] },
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                action_id: 'open',
                text: plain('Open transcript'),
                url: 'https://panelist.test/t/1',
              },
              { type: 'button', action_id: 'hire', text: plain('Advance'), style: 'primary', value: 'iv_1' },
            ],
          },
        ],
        'message',
      ),
    ).toEqual([]);
  });

  it('counts blocks per surface: 50 in a message, 100 in a modal or the Home tab', () => {
    const blocks = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
    expect(validateBlocks(blocks(50), 'message')).toEqual([]);
    expect(validateBlocks(blocks(51), 'message')).toEqual([
      'a message may have at most 50 blocks (got 51) [json-pointer:/blocks]',
    ]);
    expect(validateBlocks(blocks(100), 'home')).toEqual([]);
    expect(validateBlocks(blocks(101), 'modal')).toHaveLength(1);
  });

  it('names each violation with its JSON pointer', () => {
    const errors = validateBlocks(
      [
        { type: 'header', text: plain('h'.repeat(151)) },
        { type: 'section', block_id: 'a', fields: Array.from({ length: 11 }, () => plain('f')) },
        { type: 'section', block_id: 'a', text: { type: 'mrkdwn', text: 'dup' } },
        { type: 'context', elements: Array.from({ length: 11 }, () => plain('c')) },
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'x', text: plain('b'.repeat(76)), value: 'v'.repeat(2001) },
            { type: 'button', action_id: 'x', text: plain('ok') },
          ],
        },
        {
          type: 'section',
          text: plain('pick'),
          accessory: {
            type: 'static_select',
            action_id: 's',
            options: [
              ...Array.from({ length: 100 }, (_, i) => option(`o${i}`)),
              option('v'.repeat(151), 't'.repeat(76)),
            ],
          },
        },
        { type: 'input', label: plain('Email'), element: { type: 'plain_text_input', action_id: 'e' } },
        { type: 'carousel_of_dreams' },
      ],
      'message',
    );
    expect(errors).toEqual([
      'header text must be at most 150 characters (got 151) [json-pointer:/blocks/0/text/text]',
      'must have at most 10 fields (got 11) [json-pointer:/blocks/1/fields]',
      'block_id "a" is not unique [json-pointer:/blocks/2/block_id]',
      'must have at most 10 elements (got 11) [json-pointer:/blocks/3/elements]',
      'button text must be at most 75 characters (got 76) [json-pointer:/blocks/4/elements/0/text/text]',
      'button value must be at most 2000 characters (got 2001) [json-pointer:/blocks/4/elements/0/value]',
      'action_id "x" is not unique in its block [json-pointer:/blocks/4/elements/1/action_id]',
      'must have at most 100 options (got 101) [json-pointer:/blocks/5/accessory/options]',
      'option text must be at most 75 characters (got 76) [json-pointer:/blocks/5/accessory/options/100/text/text]',
      'option value must be at most 150 characters (got 151) [json-pointer:/blocks/5/accessory/options/100/value]',
      'input blocks are only allowed in modals (this is a message) [json-pointer:/blocks/6]',
      'unknown block type "carousel_of_dreams" [json-pointer:/blocks/7/type]',
    ]);
  });

  it('checks view fields: title, submit, private_metadata, and submit for inputs', () => {
    expect(
      validateView({
        type: 'modal',
        title: plain('Schedule an AI interview'),
        private_metadata: 'm'.repeat(3001),
        callback_id: 'c'.repeat(256),
        blocks: [
          {
            type: 'input',
            label: plain('Notes'),
            element: { type: 'plain_text_input', action_id: 'n', max_length: 3001 },
          },
        ],
      }),
    ).toEqual([
      'a modal with input blocks needs a submit button [json-pointer:/view/submit]',
      'private_metadata must be at most 3000 characters (got 3001) [json-pointer:/view/private_metadata]',
      'callback_id must be at most 255 characters (got 256) [json-pointer:/view/callback_id]',
      'max_length must be an integer between 0 and 3000 [json-pointer:/view/blocks/0/element/max_length]',
    ]);
    expect(validateView({ type: 'modal', title: plain('t'.repeat(25)), blocks: [] })).toEqual([
      'title text must be at most 24 characters (got 25) [json-pointer:/view/title/text]',
    ]);
  });
});
