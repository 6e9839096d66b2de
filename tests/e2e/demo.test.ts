/**
 * The README's demo path, as a newcomer follows it: `npm start` in a fresh copy with an empty data
 * directory and a model (the test model server, speaking OpenAI's protocol), then in the Slack
 * stand-in "Try a demo interview", the candidate's link, a typed interview, and the AI evaluation
 * in the interview's thread. Screenshots: test-results/screenshots/demo-*.png.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { readRequest, scriptedModel } from '../evaluation/harness.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { startLocalRun, type TLocalRun } from '../helpers/local-run.js';
import {
  type ChatRequest,
  DEFAULT_QUESTION,
  type OpenAiServer,
  sampleFromJsonSchema,
  startOpenAiServer,
} from '../helpers/openai-server.js';
import { SCREENSHOT_DIR } from '../helpers/screenshots.js';

let run: TLocalRun;
let model: OpenAiServer;
let browser: Browser;
let hasFailed = false;

/**
 * The evaluator gets a careful evaluation (each competency scored with the first sentence of an
 * answer, quoted verbatim, as the evaluator checks); the interviewer's other requests a valid sample.
 */
function evaluate(request: ChatRequest): string {
  const { competencies, turns } = readRequest(request);
  const answered = turns.filter((t) => t.answer);
  const firstSentence = (s: string) => (/^(.+?[.!?])(\s|$)/.exec(s)?.[1] ?? s).trim();
  return JSON.stringify({
    ...JSON.parse(scriptedModel({ recommendation: 'hire' })(request)),
    competencies: competencies.map((c, i) => {
      const answer = answered[i % Math.max(1, answered.length)]?.answer;
      return answer
        ? {
            key: c.key,
            score: 3,
            rationale: 'A concrete example with the steps taken.',
            evidence: [firstSentence(answer)],
          }
        : { key: c.key, score: null, rationale: 'No evidence.', evidence: [] };
    }),
  });
}

function chat(request: ChatRequest): string {
  const format = request.response_format;
  if (format?.type === 'json_schema' && format.json_schema.name === 'interview_evaluation')
    return evaluate(request);
  if (format?.type === 'json_schema')
    return JSON.stringify(sampleFromJsonSchema(format.json_schema.schema ?? {}));
  return DEFAULT_QUESTION;
}

beforeAll(async () => {
  model = await startOpenAiServer({ chatHandler: chat });
  run = await startLocalRun({ OPENAI_BASE_URL: model.baseURL, OPENAI_API_KEY: 'sk-test-demo' });
  if (hasChromium()) browser = await launchBrowser();
}, 270_000);

afterAll(async () => {
  if (hasFailed) console.error(run?.output().slice(-8000));
  await browser?.close();
  await run?.stop();
  await model?.close();
}, 60_000);

const eventually = <T>(fn: () => Promise<T> | T, timeout = 15_000) => expect.poll(fn, { timeout });
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SCREENSHOT_DIR, `demo-${name}.png`) });

describe.skipIf(!hasChromium())('the README demo, from an empty data directory', () => {
  it('the banner says where to go and that an AI evaluation will run', () => {
    expect(run.output()).toContain('Press "Try a demo interview"');
    expect(run.output()).toContain('The AI evaluation appears in the interview thread when it ends.');
  });

  it('Try a demo interview → the candidate link → a typed interview → the evaluation in the thread', async () => {
    onTestFailed(() => {
      hasFailed = true;
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${run.base}/dev/slack`);
    await eventually(() => page.locator('#messages').textContent()).toContain('Try a demo interview');
    await shot(page, '1-empty');

    const started = Date.now();
    await page.getByRole('button', { name: 'Try a demo interview' }).click();
    const ready = page.locator('#demo-ready');
    await ready.waitFor({ state: 'visible', timeout: 30_000 });
    const link = ready.getByRole('link', { name: 'Open the candidate link' });
    const href = await link.getAttribute('href');
    expect(href).toMatch(new RegExp(`^${run.base}/interview\\?session_key=`));
    // The confirmation is in the channel, as after a recruiter's own /schedule-interview.
    await eventually(() => page.locator('#messages').textContent()).toContain('Demo Candidate');
    expect(await page.locator('#messages').textContent()).toContain('Demo: Customer Support Engineer');
    await shot(page, '2-booked');

    const [candidate] = await Promise.all([page.waitForEvent('popup'), link.click()]);
    await candidate.getByRole('button', { name: 'Check camera and microphone' }).click();
    await candidate.getByLabel('By typing', { exact: true }).check();
    // With a model connected, the consent text says the answers are evaluated by AI.
    expect(await candidate.locator('.consent').textContent()).toContain('evaluated by AI');
    await candidate.getByLabel(/I understand and agree/).check();
    await candidate.getByRole('button', { name: 'Start interview' }).click();
    const answers = [
      'I traced a billing error to a timezone bug in our invoice job. I reproduced it with the customer data first.',
      'I would say what happened, when it will be fixed, and what we do meanwhile. Then I would follow up.',
      'I keep notes of every case so the next person can solve it faster.',
    ];
    const done = candidate.locator('#done-h');
    for (let i = 0; !(await done.isVisible()); i++) {
      expect(i, 'the interview should end after a few answers').toBeLessThan(6);
      await eventually(async () => {
        if (await done.isVisible()) return 'done';
        return candidate.locator('#activity').textContent();
      }, 30_000).toMatch(/^(Type your answer, then press "Send answer"\.|done)$/);
      if (await done.isVisible()) break;
      await candidate
        .getByLabel('Your answer', { exact: true })
        .fill(answers[Math.min(i, answers.length - 1)]!);
      await candidate.getByRole('button', { name: 'Send answer' }).click();
      await eventually(
        async () =>
          (await done.isVisible()) ||
          (await candidate.locator('#activity').textContent()) !==
            'Type your answer, then press "Send answer".',
        30_000,
      ).toBe(true);
    }
    await candidate.close();

    // The evaluation, from the model, in the interview's thread.
    await page.getByRole('button', { name: '# recruiting' }).click();
    await page.locator('#messages .thread-link').first().click();
    const thread = page.locator('#thread');
    await eventually(() => thread.textContent(), 60_000).toContain('Recommendation: Hire');
    const text = (await thread.textContent()) ?? '';
    expect(text).toContain('Troubleshooting');
    expect(text).toContain('I traced a billing error to a timezone bug in our invoice job.');
    expect(await thread.getByRole('button', { name: 'Re-evaluate' }).count()).toBe(1);
    await shot(page, '3-evaluation');
    console.log(
      `demo: from the click to the evaluation in the thread in ${Math.round((Date.now() - started) / 1000)} s`,
    );
    expect(model.calls.some((c) => c.path === '/v1/chat/completions')).toBe(true);
    expect(errors).toEqual([]);
  }, 240_000);
});
