/**
 * The whole loop in local mode, started the way the README says (`npm start`) in a temporary copy of
 * the repository, with a private redis-server started by Panelist itself on a free port: the
 * recruiter schedules in the Slack stand-in, the invite lands in the outbox, the candidate opens
 * its link and takes the interview by typing, and the outcome appears in the interview's thread.
 * Screenshots of the stand-in at each step: test-results/screenshots/stand-in-*.png, or
 * docs/screenshots/ with UPDATE_SCREENSHOTS=1.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { startLocalRun, type TLocalRun } from '../helpers/local-run.js';
import { SCREENSHOT_DIR } from '../helpers/screenshots.js';

const SHOTS = SCREENSHOT_DIR;
const RECRUITER_TZ = 'America/New_York'; // the stand-in's recruiter

/** Local wall-clock date and time `minutes` from now in a zone, as the pickers want them. */
function localIn(tz: string, minutes: number): { date: string; time: string } {
  const at = new Date(Date.now() + minutes * 60_000);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

let run: TLocalRun;
let dir: string;
let output = '';
let base: string;
let browser: Browser;

beforeAll(async () => {
  run = await startLocalRun();
  dir = run.dir;
  base = run.base;
  output = run.output();
  if (hasChromium()) browser = await launchBrowser();
}, 270_000);

let hasFailed = false;
afterAll(async () => {
  // On a failure, what the app logged is the first thing anyone needs.
  if (hasFailed) console.error(run?.output().slice(-8000));
  await browser?.close();
  await run?.stop();
}, 45_000);

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SHOTS, `stand-in-${name}.png`) });
}

/** vitest's expect.poll gives up after 1 s; the app's round trips through PGlite can take longer. */
const eventually = <T>(fn: () => Promise<T> | T, timeout = 10_000) => expect.poll(fn, { timeout });

const modal = (page: Page) => page.locator('#overlay .modal');

describe.skipIf(!hasChromium())('local mode, from `npm start`', () => {
  it('prints where to go and what to do; a private Redis was started', () => {
    expect(output).toContain(`1. Open ${base}/dev/slack — you are the recruiter in a stand-in for Slack.`);
    expect(output).toContain('started a private redis-server for this local run');
    expect(output).toContain('No AI evaluation runs: no model is set up (README, "Connect a model").');
    expect(output).toContain('using the embedded database (PGlite)');
    // Which database and Redis, by address; and a normal start warns about nothing.
    expect(output).toMatch(/database: embedded PGlite; Redis at 127\.0\.0\.1:\d+/);
    expect(output).not.toContain('ECONNREFUSED');
  });

  it('schedule in the stand-in → invite in the outbox → typed interview → outcome in the thread', async () => {
    onTestFailed(() => {
      hasFailed = true;
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/dev/slack`);
    await eventually(() => page.locator('#channels').textContent()).toContain('# recruiting');
    await shot(page, '1-start');

    // Availability: a slot starting in 3 minutes (the candidate may join 5 minutes early).
    await page.getByRole('button', { name: '/interview-slots' }).click();
    await eventually(() => modal(page).getAttribute('aria-label')).toBe('Interview slots');
    const { date, time } = localIn(RECRUITER_TZ, 3);
    await modal(page).getByLabel('Date', { exact: true }).fill(date);
    await modal(page).getByLabel('Start time', { exact: true }).fill(time);
    await modal(page).getByLabel('Candidates per slot', { exact: true }).fill('2');
    await eventually(() => modal(page).locator('[data-action-id="slot_tz"] select').inputValue()).toBe(
      RECRUITER_TZ,
    );
    await modal(page).getByRole('button', { name: 'Add slots' }).click();
    await eventually(() => modal(page).textContent()).toContain('Added 1 slot.');
    await eventually(() => modal(page).textContent()).toContain('2 of 2 seats left');
    await shot(page, '2-slots');
    await modal(page).getByRole('button', { name: 'Close', exact: true }).click();
    await eventually(() => page.locator('#overlay').isHidden()).toBe(true);

    // /schedule-interview typed in the composer, a new role created from the modal.
    await page.getByLabel('Message or command', { exact: true }).fill('/schedule-interview ada@example.com');
    await page.getByLabel('Message or command', { exact: true }).press('Enter');
    await eventually(() => modal(page).getAttribute('aria-label')).toBe('Schedule interview');
    expect(await modal(page).getByLabel('Candidate email', { exact: true }).inputValue()).toBe(
      'ada@example.com',
    );
    await modal(page).getByRole('button', { name: 'New role' }).click();
    await eventually(() => modal(page).getAttribute('aria-label')).toBe('New role');
    await modal(page).getByLabel('Title', { exact: true }).fill('Backend Engineer');
    await modal(page).getByLabel('Competencies to assess', { exact: true }).fill('System design\nOwnership');
    await modal(page).getByLabel('Number of questions', { exact: true }).fill('2');
    await modal(page).getByRole('button', { name: 'Save role' }).click();
    await eventually(() => modal(page).getAttribute('aria-label')).toBe('Schedule interview');
    // Back on the form, the new role is picked and the "No roles yet" hint is gone.
    const role = modal(page).locator('[data-action-id="role"]');
    await eventually(() => role.locator('select option:checked').textContent()).toBe('Backend Engineer');
    expect(await modal(page).textContent()).not.toContain('No roles yet');

    // Submitting empty shows Slack-style inline errors from the app.
    await modal(page).getByLabel('Candidate email', { exact: true }).fill('not-an-email');
    await modal(page).getByRole('button', { name: 'Schedule' }).click();
    await eventually(() => modal(page).locator('.b-error').first().textContent()).toBeTruthy();
    await shot(page, '3-schedule-errors');

    await modal(page).getByLabel('Candidate name', { exact: true }).fill('Ada <b>Lovelace</b>');
    await modal(page).getByLabel('Candidate email', { exact: true }).fill('ada@example.com');
    // The candidate's zone has no default: the form asked for it; one search match is picked.
    expect(await modal(page).textContent()).toContain("Pick the candidate's time zone");
    // Several matches leave the choice to the recruiter; a single one is picked.
    const tz = modal(page).locator('[data-action-id="candidate_tz"]');
    await tz.locator('input').fill('Europe/');
    await eventually(() => tz.locator('select option').first().textContent()).toMatch(
      /^Choose… \(\d+ matches\)$/,
    );
    expect(await tz.locator('select').inputValue()).toBe('');
    await tz.locator('input').fill('Kolkata');
    await eventually(() => tz.locator('select').inputValue()).toBe('Asia/Kolkata');
    expect(await role.locator('select option:checked').textContent()).toBe('Backend Engineer');
    const slot = modal(page).locator('select[data-action-id="slot"]');
    await slot.selectOption({ index: 1 });
    await shot(page, '4-schedule-filled');
    await modal(page).getByRole('button', { name: 'Schedule' }).click();

    // The confirmation in #recruiting, the name shown as typed (escaped, not bold, no HTML).
    const messages = page.locator('#messages');
    await expect.poll(() => messages.textContent(), { timeout: 15_000 }).toContain('Ada <b>Lovelace</b>');
    expect(await messages.locator('b', { hasText: /^Lovelace$/ }).count()).toBe(0);
    await page
      .locator('#overlay .modal')
      .waitFor({ state: 'detached', timeout: 5000 })
      .catch(() => undefined);
    if (await modal(page).isVisible())
      await modal(page)
        .getByRole('button', { name: /Close|Done|OK/ })
        .first()
        .click();
    await shot(page, '5-scheduled');

    // The invite in the outbox, with the candidate's link.
    await page.getByRole('button', { name: 'Outbox (captured email)' }).click();
    const email = page.locator('#outbox .email').first();
    await expect.poll(() => email.textContent(), { timeout: 20_000 }).toContain('ada@example.com');
    const link = email.locator('a.candidate-link');
    const href = await link.getAttribute('href');
    expect(href).toMatch(new RegExp(`^${base}/interview\\?session_key=`));
    await email.getByText('Show the email').click();
    expect(await email.textContent()).toContain('The questions appear on screen and you type your answers.');
    // The HTML part in a sandboxed frame, the calendar part, and the .eml to download.
    const frame = email.locator('iframe.email-html');
    expect(await frame.getAttribute('sandbox')).toBe('');
    await eventually(() => frame.contentFrame().locator('body').textContent()).toContain('Ada');
    expect(await email.locator('pre.calendar').textContent()).toContain('METHOD:REQUEST');
    const eml = await page.request.get(
      `${base}${await email.getByRole('link', { name: 'Download .eml' }).getAttribute('href')}`,
    );
    expect(eml.status()).toBe(200);
    expect(eml.headers()['content-type']).toContain('message/rfc822');
    expect(await eml.text()).toContain('To: ');
    await shot(page, '6-outbox');

    // The candidate: lobby, typed answers, finish.
    const [candidate] = await Promise.all([page.waitForEvent('popup'), link.click()]);
    await candidate.getByRole('button', { name: 'Check camera and microphone' }).click();
    await expect
      .poll(() => candidate.locator('#camera-status').textContent(), { timeout: 10_000 })
      .toBe('Camera working');
    // Without a model the consent text promises no AI evaluation.
    expect(await candidate.locator('.consent').textContent()).toContain(
      'The questions, your typed answers and their timing are stored and reviewed by people on the hiring team. No AI evaluates or scores them.',
    );
    await candidate.getByLabel('By typing', { exact: true }).check();
    await candidate.getByLabel(/I understand and agree/).check();
    await candidate.getByRole('button', { name: 'Start interview' }).click();
    // The question arrives after the progress line: type once the room asks for the answer.
    const askedForAnswer = () =>
      eventually(() => candidate.locator('#activity').textContent(), 15_000).toBe(
        'Type your answer, then press "Send answer".',
      );
    await askedForAnswer();
    expect(await candidate.locator('#progress').textContent()).toBe('Question 1 of 2');
    await candidate
      .getByLabel('Your answer', { exact: true })
      .fill('I split our billing service into queue-driven workers.');
    await candidate.getByRole('button', { name: 'Send answer' }).click();
    await eventually(() => candidate.locator('#progress').textContent(), 15_000).toMatch(/^Question 2 of 2/);
    await askedForAnswer();
    await candidate
      .getByLabel('Your answer', { exact: true })
      .fill('I own incidents end to end and write the follow-ups.');
    await candidate.getByRole('button', { name: 'Send answer' }).click();
    await eventually(() => candidate.locator('#done-h').isVisible(), 20_000).toBe(true);
    await candidate.close();

    // Back in Slack: the outcome is in the interview's thread.
    await page.getByRole('button', { name: '# recruiting' }).click();
    const replies = page.locator('#messages .thread-link').first();
    await replies.waitFor({ timeout: 20_000 });
    await replies.click();
    const thread = page.locator('#thread');
    await expect
      .poll(() => thread.textContent(), { timeout: 30_000 })
      .toContain(
        'The interview with Ada <b>Lovelace</b> has ended. No AI evaluation runs on this installation: no model is connected, so there are no scores. Read the transcript to decide. To set one up, see "Connect a model" in the README',
      );
    // Nothing offers what cannot happen without a model.
    expect(await thread.getByRole('button', { name: 'Re-evaluate' }).count()).toBe(0);
    expect(await thread.textContent()).toContain('Invite emailed to Ada <b>Lovelace</b>');
    await shot(page, '7-thread');

    // The transcript link in the thread opens the answers the candidate typed.
    const transcriptHref = await thread.getByRole('link', { name: 'View transcript' }).getAttribute('href');
    expect(transcriptHref).toMatch(new RegExp(`^${base}/`));
    const transcript = await browser.newPage();
    await transcript.goto(transcriptHref!);
    expect(await transcript.locator('body').textContent()).toContain(
      'I split our billing service into queue-driven workers.',
    );
    await transcript.close();
    expect(errors).toEqual([]);

    // App Home and the DM with the candidate's private link.
    await page.getByRole('button', { name: 'Panelist · Home' }).click();
    await eventually(() => page.locator('#home').textContent()).toContain('Backend Engineer');
    await shot(page, '8-home');
    await page.getByRole('button', { name: 'Panelist (DM)' }).click();
    await eventually(() => page.locator('#messages').textContent()).toContain('Ada <b>Lovelace</b>');
    // The link sits in a code block (as in Slack, not clickable there, to copy by hand).
    expect(await page.locator('#messages pre').textContent()).toBe(href);

    // The candidate asks for their data to be deleted: a command, a confirmation, done.
    await page.getByRole('button', { name: '# recruiting' }).click();
    await page.getByLabel('Message or command', { exact: true }).fill('/interview-delete ada@example.com');
    await page.getByLabel('Message or command', { exact: true }).press('Enter');
    await eventually(() => modal(page).getAttribute('aria-label')).toBe('Delete candidate data');
    expect(await modal(page).textContent()).toContain('Ada <b>Lovelace</b> (ada@example.com)');
    await shot(page, '9-delete-confirm');
    await modal(page).getByRole('button', { name: 'Delete', exact: true }).click();
    await eventually(() => modal(page).textContent()).toContain(
      "Deleted. 1 interview redacted; the candidate's name and email are gone.",
    );
    await modal(page).getByRole('button', { name: 'Close', exact: true }).click();
    // Their emails leave the Outbox too.
    await page.getByRole('button', { name: 'Outbox (captured email)' }).click();
    await eventually(() => page.locator('#outbox').textContent()).not.toContain('ada@example.com');

    // Nothing personal or secret reached the logs: not the candidate's address, the session key,
    // what they typed, nor the generated secrets.
    const sessionKey = new URL(href!).searchParams.get('session_key')!;
    const secrets = ['slack-signing', 'transcript-links'].map((f) =>
      readFileSync(path.join(dir, '.data/secrets', f), 'utf8').trim(),
    );
    for (const secret of [
      'ada@example.com',
      sessionKey,
      'queue-driven workers',
      'write the follow-ups',
      ...secrets,
    ])
      expect(run.output().includes(secret), `the log contains ${secret.slice(0, 12)}…`).toBe(false);
  }, 150_000);
});
