/**
 * The candidate's pages, rendered on the server with everything escaped. No
 * inline script or style (the CSP forbids both): behaviour comes from
 * /interview/assets/interview.js (bundled from ./client), data for it from a JSON block it reads.
 */
import type { TNotice } from '../domain/candidate-notice.js';
import { escapeHtml } from '../domain/escape.js';
import { consentCheckboxText, consentText, type TModelOffer } from '../domain/model-offer.js';
import { htmlDocument } from './html.js';

const ASSETS = '/interview/assets';

function layout(title: string, body: string, opts: { script?: boolean; data?: unknown } = {}): string {
  const data =
    opts.data === undefined
      ? ''
      : // JSON in a non-executable block; '<' escaped so no text can close the element.
        `<script type="application/json" id="boot">${JSON.stringify(opts.data).replace(/</g, '\\u003c')}</script>`;
  return htmlDocument({
    title,
    stylesheet: `${ASSETS}/portal.css`,
    head: `<link rel="icon" href="data:,">\n${data}${opts.script ? `<script type="module" src="${ASSETS}/interview.js"></script>` : ''}\n`,
    beforeMain: '<a class="skip" href="#main">Skip to content</a>\n',
    mainClass: 'page',
    body,
  });
}

export function renderInvalidLink(company: string): string {
  return layout(
    'Interview link not valid',
    `<section class="card notice" aria-labelledby="h">
<h1 id="h">This interview link is not valid</h1>
<p>The link may be incomplete, or it may have been replaced by a newer invitation.</p>
<p>Open the most recent invitation email from ${escapeHtml(company)} and use the link in it. If it still does not work, reply to that email and the recruiter will help.</p>
</section>`,
  );
}

export function renderCancelled(company: string): string {
  return layout(
    'Interview cancelled',
    `<section class="card notice" aria-labelledby="h">
<h1 id="h">This interview was cancelled</h1>
<p>${escapeHtml(company)} cancelled this interview, so its link no longer opens it. If you were not told why or would like another time, reply to the invitation email.</p>
</section>`,
  );
}

export function renderRateLimited(): string {
  return layout(
    'Too many attempts',
    `<section class="card notice" aria-labelledby="h">
<h1 id="h">Too many attempts</h1>
<p>Please wait a few minutes, then open the link from your invitation email again.</p>
</section>`,
  );
}

export type TPageInterview = {
  company: string;
  roleTitle: string;
  candidateName: string;
  /** Already formatted in the candidate's own time zone. */
  startsAtText: string;
  lobbyOpensAtText: string;
  closesAtText: string;
  durationMinutes: number;
  recruiterContact: string;
};

export function renderTooEarly(p: TPageInterview): string {
  return layout(
    `Interview for ${p.roleTitle}`,
    `<section class="card notice" aria-labelledby="h">
<p class="eyebrow">${escapeHtml(p.company)} · ${escapeHtml(p.roleTitle)}</p>
<h1 id="h">Your interview is not open yet</h1>
<p>It is scheduled for <strong>${escapeHtml(p.startsAtText)}</strong> and lasts about ${p.durationMinutes} minutes.</p>
<p>Come back to this link from <strong>${escapeHtml(p.lobbyOpensAtText)}</strong> to check your camera and microphone before you begin.</p>
</section>`,
  );
}

export function renderClosed(p: TPageInterview): string {
  return layout(
    `Interview for ${p.roleTitle}`,
    `<section class="card notice" aria-labelledby="h">
<p class="eyebrow">${escapeHtml(p.company)} · ${escapeHtml(p.roleTitle)}</p>
<h1 id="h">The time for this interview has passed</h1>
<p>It could be joined until <strong>${escapeHtml(p.closesAtText)}</strong>.</p>
<p>If you could not make it, contact ${escapeHtml(p.recruiterContact)} to arrange another time.</p>
</section>`,
  );
}

/** The candidate asked for a human interview instead: the AI interview does not open. */
export function renderOptedOut(p: TPageInterview, notice: TNotice): string {
  const data = notice.links.data;
  return layout(
    `Interview for ${p.roleTitle}`,
    `<section class="card notice" aria-labelledby="h">
<p class="eyebrow">${escapeHtml(p.company)} · ${escapeHtml(p.roleTitle)}</p>
<h1 id="h">You asked for an interview with a person</h1>
<p>This AI interview will not take place, and you will not be evaluated by AI. ${escapeHtml(p.recruiterContact)} will contact you to arrange an interview with a person.</p>
${data ? `<p><a class="link-button" href="${escapeHtml(data)}">Your data</a></p>` : ''}
</section>`,
  );
}

/** Links offered once the interview is over: the voluntary self-identification form and the data page. */
export type TAfterLinks = { selfIdentification: string; data: string };

function afterLinksHtml(links: TAfterLinks | undefined): string {
  if (!links) return '';
  return `<p>Optional: <a href="${escapeHtml(links.selfIdentification)}">answer a short voluntary self-identification form</a>, used only to check, in aggregate, that interviews treat every group fairly. It is never shown to the people deciding, nor given to the AI.</p>
<p><a href="${escapeHtml(links.data)}">Your data</a>: download your transcript, correct it, or ask for it to be deleted.</p>`;
}

export function renderCompleted(p: TPageInterview, links?: TAfterLinks): string {
  return layout(
    `Interview for ${p.roleTitle}`,
    `<section class="card notice" aria-labelledby="h">
<p class="eyebrow">${escapeHtml(p.company)} · ${escapeHtml(p.roleTitle)}</p>
<h1 id="h">You have completed this interview</h1>
<p>Thank you, ${escapeHtml(p.candidateName)}. Your answers have been sent to the hiring team at ${escapeHtml(p.company)}, who will be in touch.</p>
${afterLinksHtml(links)}
</section>`,
  );
}

/**
 * The candidate notice (domain/candidate-notice.ts) as a page section. The link of each item is a
 * button-like link: the request form and the data page open without script.
 */
export function renderNotice(notice: TNotice): string {
  const e = escapeHtml;
  const items = notice.items
    .map(
      (item) =>
        `<li><strong>${e(item.title)}.</strong> ${e(item.text)}${
          item.list && item.list.length > 0
            ? `<ul>${item.list.map((li) => `<li>${e(li)}</li>`).join('')}</ul>`
            : ''
        }${item.link ? `<br><a class="link-button" href="${e(item.link.url)}">${e(item.link.label)}</a>` : ''}</li>`,
    )
    .join('\n');
  return `<section class="ai-notice" aria-labelledby="notice-h" data-notice-version="${e(notice.version)}">
<h2 id="notice-h">${e(notice.heading)}</h2>
<ul class="plain">
${items}
</ul>
</section>`;
}

/** The lobby and the interview room: one page, switched by the client script (./client). */
export function renderRoom(
  p: TPageInterview & {
    questionCount: number;
    retentionDays: number;
    notice?: TNotice | undefined;
    afterLinks?: TAfterLinks | undefined;
    offer: TModelOffer;
  },
  boot: Record<string, unknown>,
): string {
  const company = escapeHtml(p.company);
  const role = escapeHtml(p.roleTitle);
  return layout(
    `Interview for ${p.roleTitle}`,
    `<section id="lobby" class="card" aria-labelledby="lobby-h">
<p class="eyebrow">${company} · ${role}</p>
<h1 id="lobby-h">Welcome, ${escapeHtml(p.candidateName)}</h1>
<p class="lead">Your interview for <strong>${role}</strong> is on <strong>${escapeHtml(p.startsAtText)}</strong>.</p>
<h2>What will happen</h2>
<ul class="plain">
<li>An AI interviewer asks about ${p.questionCount} questions, sometimes with a short follow-up. It takes up to ${p.durationMinutes} minutes.</li>
${
  p.offer.speaks
    ? `<li>Each question is shown on screen and read aloud. Answer by speaking, or by typing if you prefer: both count the same.</li>
<li>Take your time to think. You choose how long a pause ends an answer, and you can press <kbd>Done</kbd> at any time.</li>`
    : `<li>Each question is shown on screen and read aloud by your browser. You answer by typing: spoken answers need a speech-to-text service, and none is set up for this interview.</li>
<li>Take your time to think, and send each answer when it is ready.</li>`
}
</ul>
<div id="join-hint" class="hint" role="status" aria-live="polite"></div>

<h2 id="check-h">System check</h2>
<div class="check-grid" aria-labelledby="check-h">
<figure class="preview"><video id="camera" autoplay muted playsinline aria-label="Your camera preview"></video><figcaption id="camera-status" class="status">Camera not checked yet</figcaption></figure>
<div class="checks">
<button type="button" id="run-check" class="primary">Check camera and microphone</button>
<div class="check" id="check-mic"><span class="label">Microphone</span><meter id="mic-level" min="0" max="1" low="0.05" high="0.9" optimum="0.3" value="0" aria-label="Microphone level"></meter><p id="mic-status" class="status">Not checked yet</p></div>
<div class="check" id="check-speaker"><span class="label">Speakers</span><button type="button" id="speaker-test" class="secondary">Play a test sound</button><span id="speaker-confirm" hidden><button type="button" id="speaker-yes" class="secondary">I heard it</button> <button type="button" id="speaker-no" class="secondary">I heard nothing</button></span><p id="speaker-status" class="status">Not checked yet</p></div>
</div>
</div>

<fieldset class="mode">
<legend>How would you like to answer?</legend>
<label><input type="radio" name="mode" value="voice" checked> By speaking</label>
<label><input type="radio" name="mode" value="typed"> By typing</label>
<p id="mode-note" class="status" hidden></p>
</fieldset>

${p.notice ? renderNotice(p.notice) : ''}
<h2>Before you begin</h2>
<div class="consent">
<p>${escapeHtml(consentText(p.offer, p.company, p.retentionDays))}</p>
<label class="consent-box"><input type="checkbox" id="consent"> ${escapeHtml(consentCheckboxText(p.offer))}</label>
</div>
<p id="lobby-error" class="error" role="alert"></p>
<button type="button" id="start" class="primary" disabled>Start interview</button>
</section>

<section id="room" class="card room" hidden aria-labelledby="room-h">
<header class="room-head">
<p class="eyebrow">${company} · ${role}</p>
<div class="meta"><span id="progress">Question 1 of ${p.questionCount}</span><span id="clock" aria-label="Time">00:00 elapsed · ${p.durationMinutes}:00 left</span></div>
</header>
<div class="stage">
<video id="self-view" autoplay muted playsinline aria-hidden="true"></video>
<div class="question-box">
<h1 id="room-h" class="visually-hidden">Interview</h1>
<p class="who">Interviewer</p>
<p id="question" class="question" aria-live="assertive" tabindex="-1"></p>
<p id="caption" class="caption" aria-live="off" hidden></p>
<p id="barge-note" class="note" role="status" hidden></p>
<p id="speech-note" class="note" hidden></p>
</div>
</div>
<p id="activity" class="activity" role="status" aria-live="polite">Connecting…</p>
<button type="button" id="resume-audio" class="primary" hidden>Turn on sound and microphone</button>
<div id="stall" class="stall" role="alert" hidden><p id="stall-text"></p><button type="button" id="stall-typed" class="secondary">Type instead</button></div>
<div id="voice-answer" class="answer-panel">
<p class="who">You</p>
<p id="live-caption" class="live-caption" aria-live="off" hidden></p>
<meter id="room-level" min="0" max="1" value="0" aria-label="Microphone level"></meter>
<div class="row"><button type="button" id="done" class="primary">Done</button> <button type="button" id="switch-typed" class="secondary">Type instead</button></div>
<label class="inline">Pause that ends an answer <select id="thinking"><option value="1200">1 second</option><option value="2500" selected>2.5 seconds</option><option value="5000">5 seconds</option><option value="10000">10 seconds</option></select></label>
</div>
<form id="typed-answer" class="answer-panel" hidden>
<label for="answer-text">Your answer</label>
<textarea id="answer-text" rows="5" maxlength="20000"></textarea>
<div class="row"><button type="submit" class="primary">Send answer</button> <button type="button" id="switch-voice" class="secondary">Speak instead</button></div>
</form>
<p id="room-error" class="error" role="alert"></p>
<p id="room-note" class="note" role="status" hidden></p>
<h2 class="small">Transcript</h2>
<ol id="transcript" class="transcript" aria-live="polite"></ol>
<button type="button" id="end" class="danger">End interview</button>
<dialog id="end-confirm" aria-labelledby="end-h"><h2 id="end-h">End the interview now?</h2><p>Your answers so far will be sent to the hiring team. You cannot continue afterwards.</p><div class="row"><button type="button" id="end-yes" class="danger">End interview</button> <button type="button" id="end-no" class="secondary" autofocus>Keep going</button></div></dialog>
</section>

<section id="reload-notice" class="card notice" hidden aria-labelledby="reload-h" tabindex="-1">
<h1 id="reload-h">Please reload this page</h1>
<p id="reload-text">This page is out of date. Please reload it to continue: your answers so far are saved.</p>
<button type="button" id="reload" class="primary">Reload</button>
</section>

<section id="done-screen" class="card notice" hidden aria-labelledby="done-h" tabindex="-1">
<h1 id="done-h">Thank you, the interview has ended</h1>
<p id="done-text">Your answers have been sent to the hiring team at ${company}, who will be in touch.</p>
${afterLinksHtml(p.afterLinks)}
<p>You can close this window.</p>
</section>

<section id="taken-over" class="card notice" hidden aria-labelledby="to-h">
<h1 id="to-h">The interview continued in another window</h1>
<p>You opened this interview in another tab or device, and it continues there. Close this window, or <a id="take-back" href="">continue here instead</a>.</p>
</section>`,
    { script: true, data: boot },
  );
}
