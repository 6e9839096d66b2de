import { it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { startPortal } from './harness.js';

it('layout', async () => {
  const h = await startPortal({ openai: {} });
  const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchBrowser({ fakeAudioFile: '/tmp/vc/t.wav' });
  const { key } = await h.createInterview({ start: new Date(Date.now() - 60_000) });
  for (const [name, width, height] of [['desk', 1280, 900], ['phone', 390, 844]] as const) {
    const ctx = await browser.newContext({ viewport: { width, height }, isMobile: width < 500, hasTouch: width < 500 });
    await ctx.grantPermissions(['camera', 'microphone'], { origin: base });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.log('pageerror', e.message));
    await page.goto(`${base}/interview?session_key=${key}`);
    await page.getByRole('button', { name: 'Check camera and microphone' }).click();
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `/tmp/vc/shots/lobby-${name}.png`, fullPage: true });
    await page.evaluate(() => {
      const s = (id: string, t: string) => { const e = document.getElementById(id)!; e.textContent = t; e.hidden = false; };
      document.getElementById('lobby')!.hidden = true;
      document.getElementById('room')!.hidden = false;
      (document.getElementById('self-view') as HTMLVideoElement).srcObject = (document.getElementById('camera') as HTMLVideoElement).srcObject;
      s('question', 'Tell me about a system you changed for the better.');
      s('caption', 'Hello Ada, thank you for joining. I am the AI interviewer for the Backend Engineer role. There will be about 3 questions. Take your time with each one. Here is the first.');
      s('activity', 'Listening… answer when you are ready. Press "Done" when you have finished.');
      s('live-caption', 'I led the migration of our billing service, and then we moved every critical path to a queue.');
      const li = document.createElement('li'); li.className = 'turn q'; li.textContent = 'Tell me about a system you changed for the better.'; document.getElementById('transcript')!.append(li);
    });
    await page.screenshot({ path: `/tmp/vc/shots/room-${name}.png`, fullPage: false });
    await page.evaluate(() => (document.getElementById('end-confirm') as HTMLDialogElement).showModal());
    await page.screenshot({ path: `/tmp/vc/shots/dialog-${name}.png`, fullPage: false });
    await ctx.close();
  }
  await browser.close();
  await h.close();
}, 60_000);
