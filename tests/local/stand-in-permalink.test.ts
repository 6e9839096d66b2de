/** App Home's "Thread" links are Slack permalinks; in the stand-in they open that thread, not a new tab. */
import { expect, it } from 'vitest';
import { mrkdwnToHtml } from '../../src/local/stand-in-render.js';

it('renders a permalink as a link that opens the thread in the stand-in', () => {
  expect(
    mrkdwnToHtml('<https://panelist-dev.slack.com/archives/C_RECRUITING/p1796326097000400|Thread>'),
  ).toBe(
    '<a href="#" class="permalink" data-open-channel="C_RECRUITING" data-open-thread="1796326097.000400">Thread</a>',
  );
  // Any other link stays a link that opens in a new tab.
  expect(mrkdwnToHtml('<https://example.com/x|Transcript>')).toContain('target="_blank"');
});
