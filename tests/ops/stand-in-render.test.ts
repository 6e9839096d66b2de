/**
 * The stand-in's Block Kit rendering shows what users typed as text, never as markup: mrkdwn
 * entities, HTML in names, attribute values, links with unsafe schemes.
 */
import { describe, expect, it } from 'vitest';
import { blockHtml, inZone, messageHtml, modalHtml, mrkdwnToHtml } from '../../src/local/stand-in-render.js';

describe('stand-in rendering', () => {
  it('renders mrkdwn formatting, links, mentions and dates, and escapes everything else', () => {
    expect(mrkdwnToHtml('*Ada &lt;b&gt;Lovelace&lt;/b&gt;* for _Backend_ &amp; `ops`')).toBe(
      '<b>Ada &lt;b&gt;Lovelace&lt;/b&gt;</b> for <i>Backend</i> &amp; <code>ops</code>',
    );
    expect(mrkdwnToHtml('<https://portal.test/t?a=1&amp;b=2|View "it">')).toBe(
      '<a href="https://portal.test/t?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">View &quot;it&quot;</a>',
    );
    expect(mrkdwnToHtml('<javascript:alert(1)|click>')).toBe('click');
    expect(mrkdwnToHtml('<@U1|recruiter> and <!channel>')).toBe(
      '<span class="mention">@recruiter</span> and <span class="mention">@channel</span>',
    );
    expect(mrkdwnToHtml('<!date^1700000000^{date_short_pretty}|Nov 14>')).toBe(
      '<time class="slack-date" datetime="2023-11-14T22:13:20.000Z">Nov 14</time>',
    );
    expect(mrkdwnToHtml(':white_check_mark: Added 1 slot.\n&gt; quoted')).toBe(
      '✅ Added 1 slot.<br><blockquote class="quote">quoted</blockquote>',
    );
  });

  it('formats as Slack does: only at word boundaries, never inside code, quotes as one block', () => {
    expect(mrkdwnToHtml('*bold* _it_ ~gone~ `x<y` <https://a.test/?q=1&amp;r=2|link> &lt;b&gt;')).toBe(
      '<b>bold</b> <i>it</i> <s>gone</s> <code>x&lt;y</code> <a href="https://a.test/?q=1&amp;r=2" target="_blank" rel="noopener noreferrer">link</a> &lt;b&gt;',
    );
    expect(mrkdwnToHtml('a\n&gt; quoted “line”\n&gt; and more\nb')).toBe(
      'a<br><blockquote class="quote">quoted “line”<br>and more</blockquote>b',
    );
    expect(mrkdwnToHtml('snake_case_name and 2*3*4')).toBe('snake_case_name and 2*3*4');
    expect(mrkdwnToHtml('`*not bold*` and ```_not italic_```')).toBe(
      '<code>*not bold*</code> and <pre>_not italic_</pre>',
    );
  });

  it('escapes values in attributes and plain text, and shows inline errors', () => {
    const html = blockHtml(
      {
        type: 'input',
        block_id: 'candidate_name',
        label: { type: 'plain_text', text: 'Name <x>' },
        element: {
          type: 'plain_text_input',
          action_id: 'candidate_name',
          initial_value: '"><img src=x onerror=alert(1)>',
        },
      },
      { candidate_name: 'Enter a <name>.' },
    );
    expect(html).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    expect(html).toContain(
      '<label class="b-label" for="c-candidate_name-candidate_name">Name &lt;x&gt;</label>',
    );
    expect(html).toContain('<div class="b-error" role="alert">Enter a &lt;name&gt;.</div>');
    expect(html).not.toContain('<img');
  });

  it('renders a modal with its title, selects and pickers, and its buttons', () => {
    const html = modalHtml({
      id: 'V1',
      title: { type: 'plain_text', text: 'Interview slots' },
      submit: { type: 'plain_text', text: 'Add slots' },
      close: { type: 'plain_text', text: 'Close' },
      blocks: [
        {
          type: 'input',
          block_id: 'd',
          label: { type: 'plain_text', text: 'Date' },
          element: { type: 'datepicker', action_id: 'd', initial_date: '2026-03-02' },
        },
        {
          type: 'input',
          block_id: 's',
          label: { type: 'plain_text', text: 'Duration' },
          element: {
            type: 'static_select',
            action_id: 's',
            initial_option: { text: { type: 'plain_text', text: '30 minutes' }, value: '30' },
            options: [
              { text: { type: 'plain_text', text: '15 minutes' }, value: '15' },
              { text: { type: 'plain_text', text: '30 minutes' }, value: '30' },
            ],
          },
        },
      ],
    });
    expect(html).toContain('<header class="modal-title">Interview slots</header>');
    expect(html).toContain(
      '<input type="date" data-block-id="d" data-action-id="d" data-type="datepicker" id="c-d-d" value="2026-03-02">',
    );
    expect(html).toContain('<option value="30" selected>30 minutes</option>');
    expect(html).toContain(
      '<button type="button" class="btn primary" data-modal="submit">Add slots</button>',
    );
  });

  it('shows every time in the recruiter’s zone with the zone named: message stamps and <!date> tokens', () => {
    const html = messageHtml(
      {
        ts: '1773064800.000100', // 2026-03-09T14:00:00Z
        text: 'Starts <!date^1773066600^{date_short_pretty} {time}|Mon 9 Mar 14:30 UTC>',
        user: 'U_PANELIST_BOT',
        bot_id: 'B1',
      },
      'Panelist',
    );
    expect(inZone(html, 'America/New_York')).toContain(
      '<time class="stamp" datetime="2026-03-09T14:00:00.000Z" title="America/New_York, EDT (UTC-04:00)">10:00 EDT</time>',
    );
    expect(inZone(html, 'Asia/Kolkata')).toContain('>Mon 9 Mar 2026, 20:00 IST</time>');
    expect(inZone(html, 'UTC')).toContain('>14:00 UTC+00:00</time>');
  });
});
