/**
 * The candidate's own pages (issue 14): their data (download, correction, deletion), the request
 * for an alternative or an accommodation, and the voluntary self-identification form. Server
 * rendered, everything escaped, plain HTML forms (no script: they work everywhere, and the CSP
 * forbids inline script anyway). Each form posts back to a URL carrying the same access (the
 * session key or the signed link) the page was opened with.
 */
import { escapeHtml } from '../domain/escape.js';
import { RACE_ETHNICITY_CATEGORIES, SEX_CATEGORIES } from '../domain/self-identification.js';
import { htmlDocument } from './html.js';

const e = escapeHtml;

function page(title: string, body: string): string {
  return htmlDocument({
    title,
    stylesheet: '/interview/assets/portal.css',
    head: '<link rel="icon" href="data:,">\n<link rel="stylesheet" href="/my-data/assets/candidate.css">\n<meta name="robots" content="noindex,nofollow">\n',
    beforeMain: '<a class="skip" href="#main">Skip to content</a>\n',
    mainClass: 'page',
    body,
  });
}

/** Styles of these pages on top of the portal's (portal.css): forms, choices, flashes. */
export const CANDIDATE_CSS = `
.data-page{max-width:40rem;margin:1.5rem auto}
.data-page section{border-top:1px solid var(--line);padding-top:.2rem;margin-top:1rem}
.data-page h3{font-size:.95rem;margin:1rem 0 .3rem}
.data-page section:first-of-type{border-top:0}
.flash{background:#e8f5ee;border:1px solid #b7e0c8;color:#0f5132;border-radius:8px;padding:.7rem 1rem;margin:0 0 1rem}
.flash.bad{background:#fdecea;border-color:#f5c2bd;color:#842029}
.facts{padding-left:1.1rem;margin:.4rem 0}
.facts li{margin:.25rem 0}
form.stack{display:flex;flex-direction:column;gap:.8rem;margin:.6rem 0}
form.stack label.field{display:flex;flex-direction:column;gap:.3rem;font-weight:600}
form.stack textarea,form.stack select{font:inherit;font-weight:400;padding:.55rem .7rem;border:1px solid var(--line);border-radius:8px;background:#fff;width:100%}
form.stack textarea{min-height:7rem;resize:vertical}
fieldset.choices{border:1px solid var(--line);border-radius:8px;padding:.4rem .9rem .7rem;margin:0}
fieldset.choices legend{font-weight:600;padding:0 .3rem}
fieldset.choices label{display:flex;gap:.6rem;align-items:flex-start;padding:.45rem 0;min-height:44px;line-height:1.4}
fieldset.choices input{width:1.15rem;height:1.15rem;margin-top:.15rem;flex:none}
.choice-hint{display:block;color:var(--muted);font-size:.9rem;font-weight:400}
.optional{color:var(--muted);font-weight:400}
.muted{color:var(--muted)}
.corrections{padding-left:1.1rem}
.corrections li{margin:.4rem 0;white-space:pre-wrap}
.actions-row{display:flex;flex-wrap:wrap;gap:.6rem;align-items:stretch}
a.link-button.quiet{border-color:var(--line);color:var(--ink);font-weight:500}
.actions-row a.link-button{margin-top:0;display:inline-flex;align-items:center;padding-top:0;padding-bottom:0}
`;

export type TDataPage = {
  company: string;
  roleTitle: string;
  candidateName: string;
  candidateEmail: string;
  /** Already in the candidate's own zone, with its name. */
  whenText: string;
  statusText: string;
  answers: Array<{ seq: number; question: string }>;
  hasEvaluation: boolean;
  corrections: Array<{ about: string; text: string; addedText: string }>;
  keptUntilText: string | null;
  retentionDays: number;
  deletion: { requestedText: string; dueText: string; onHold: boolean } | null;
  deletionDays: number;
  /** `?session_key=…` or `?i=…&exp=…&sig=…`: appended to every link and form action. */
  access: string;
  canRequest: boolean;
  canSelfIdentify: boolean;
  flash?: { text: string; isError?: boolean } | undefined;
};

export function renderDataPage(p: TDataPage): string {
  const a = p.access;
  const flash = p.flash
    ? `<p class="flash${p.flash.isError ? ' bad' : ''}" role="status">${e(p.flash.text)}</p>`
    : '';
  const held = [
    `Your name and email address (${e(p.candidateEmail)})`,
    p.answers.length > 0
      ? `The questions you were asked and your ${p.answers.length === 1 ? 'answer' : `${p.answers.length} answers`}, as text`
      : 'No answers yet: the interview has not taken place',
    ...(p.hasEvaluation
      ? ['An AI evaluation of your answers, for the hiring team (advisory: a person decides)']
      : []),
    ...(p.corrections.length > 0
      ? [
          p.corrections.length === 1
            ? 'The correction you added'
            : `The ${p.corrections.length} corrections you added`,
        ]
      : []),
    'A log of what happened and when (for example when emails were sent), without your answers',
  ];
  const corrections =
    p.corrections.length > 0
      ? `<h3>Your corrections so far</h3><ol class="corrections">${p.corrections
          .map(
            (c) =>
              `<li><strong>${e(c.about)}</strong> <span class="muted">(${e(c.addedText)})</span><br>${e(c.text)}</li>`,
          )
          .join('')}</ol>`
      : '';
  const options = [
    '<option value="">My transcript in general</option>',
    ...p.answers.map(
      (t) =>
        `<option value="${t.seq}">Answer ${t.seq + 1}: ${e(t.question.length > 70 ? `${t.question.slice(0, 67)}…` : t.question)}</option>`,
    ),
  ].join('');
  const deletion = p.deletion
    ? `<p>You asked for your data to be deleted on ${e(p.deletion.requestedText)}. ${
        p.deletion.onHold
          ? 'The hiring team must keep it for now for a legal reason (a legal hold). It is deleted once the hold ends; the hiring team can tell you more.'
          : `It will be deleted on <strong>${e(p.deletion.dueText)}</strong>, at the latest.`
      }</p>`
    : `<p>You can ask ${e(p.company)} to delete everything Panelist holds about you: your answers, their evaluation, your name and email. The hiring team is told, and it is deleted by itself within ${p.deletionDays} days. Only scores and dates that no longer identify you are kept, for the employer's records.</p>
<form class="stack" method="post" action="/my-data/deletion?${e(a)}">
<div class="actions-row"><button type="submit" class="danger">Ask to delete my data</button></div>
</form>`;
  return page(
    'Your interview data',
    `<div class="card data-page">
<p class="eyebrow">${e(p.company)} · ${e(p.roleTitle)}</p>
<h1 id="h">Your interview data</h1>
${flash}
<p>Interview for <strong>${e(p.roleTitle)}</strong>, ${e(p.whenText)} · ${e(p.statusText)}</p>
<section aria-labelledby="held-h">
<h2 id="held-h">What is kept about you</h2>
<ul class="facts">${held.map((h) => `<li>${h}</li>`).join('')}</ul>
<p class="muted">${
      p.keptUntilText
        ? `Kept until ${e(p.keptUntilText)} (${p.retentionDays} days after the interview), then deleted.`
        : `Kept for ${p.retentionDays} days after the interview, then deleted.`
    } No video or audio is kept, and there is no emotion, tone-of-voice or facial analysis.</p>
</section>
<section aria-labelledby="dl-h">
<h2 id="dl-h">Download your transcript</h2>
<p>A text file with every question and your answers, with any corrections you added.</p>
<p><a class="link-button" href="/my-data/transcript?${e(a)}" download>Download transcript (.txt)</a></p>
</section>
<section aria-labelledby="fix-h">
<h2 id="fix-h">Ask for a correction</h2>
<p>Did the transcript get something wrong, for example a word misheard? Your note is attached to your transcript, shown to the hiring team, and given to any later evaluation. The original stays as it was.</p>
${corrections}
<form class="stack" method="post" action="/my-data/correction?${e(a)}">
<label class="field">Which part?<select name="turn">${options}</select></label>
<label class="field">What should it say? <textarea name="text" required maxlength="2000"></textarea></label>
<div class="actions-row"><button type="submit" class="primary">Add correction</button></div>
</form>
</section>
<section aria-labelledby="del-h">
<h2 id="del-h">Delete your data</h2>
${deletion}
</section>
${
  p.canRequest || p.canSelfIdentify
    ? `<section aria-labelledby="more-h"><h2 id="more-h">More</h2><div class="actions-row">${
        p.canRequest
          ? `<a class="link-button quiet" href="/my-data/request?${e(a)}">Ask for an alternative or an accommodation</a>`
          : ''
      }${
        p.canSelfIdentify
          ? `<a class="link-button quiet" href="/my-data/self-identification?${e(a)}">Voluntary self-identification</a>`
          : ''
      }</div></section>`
    : ''
}
</div>`,
  );
}

export function renderRequestForm(p: {
  company: string;
  roleTitle: string;
  whenText: string;
  hasModel: boolean;
  access: string;
  error?: string | undefined;
}): string {
  const choice = (value: string, label: string, hint: string, checked = false) =>
    `<label><input type="radio" name="need" value="${value}"${checked ? ' checked' : ''} required><span>${e(label)}<span class="choice-hint">${e(hint)}</span></span></label>`;
  return page(
    'Ask for an alternative or an accommodation',
    `<div class="card data-page">
<p class="eyebrow">${e(p.company)} · ${e(p.roleTitle)}</p>
<h1 id="h">Ask for an alternative or an accommodation</h1>
<p>For your interview on ${e(p.whenText)}. The hiring team at ${e(p.company)} gets your request and answers it.</p>
${p.error ? `<p class="flash bad" role="alert">${e(p.error)}</p>` : ''}
<form class="stack" method="post" action="/my-data/request?${e(p.access)}">
<fieldset class="choices">
<legend>What do you need?</legend>
${choice('human_interview', 'An interview with a person instead', p.hasModel ? 'The AI interview will not take place, and you will not be evaluated by AI.' : 'The automated interview will not take place.')}
${choice('extra_time', 'More time', 'For example because you need longer to read, think or answer.')}
${choice('typed_answers', 'To answer by typing only', 'No microphone needed: every answer is typed.')}
${choice('other', 'Something else', 'Tell us below what would help.')}
</fieldset>
<label class="field"><span>Anything you would like to add <span class="optional">(optional)</span></span><textarea name="text" maxlength="2000"></textarea></label>
<p class="muted">You do not need to explain or prove anything. Your note is seen only by the hiring team.</p>
<div class="actions-row"><button type="submit" class="primary">Send request</button><a class="link-button quiet" href="/my-data?${e(p.access)}">Your data</a></div>
</form>
</div>`,
  );
}

export function renderRequestSent(p: {
  company: string;
  roleTitle: string;
  kind: 'alternative' | 'accommodation';
  isNew: boolean;
  recruiterContact: string;
  access: string;
}): string {
  const text =
    p.kind === 'alternative'
      ? `Your AI interview will not take place, and you will not be evaluated by AI. ${p.recruiterContact} will contact you to arrange an interview with a person.`
      : `The hiring team will look at your request and apply what they can to your interview. If you do not hear back before it, reply to your invitation email.`;
  return page(
    'Request sent',
    `<div class="card data-page notice">
<p class="eyebrow">${e(p.company)} · ${e(p.roleTitle)}</p>
<h1 id="h">${p.isNew ? 'Your request was sent' : 'Your request was already sent'}</h1>
<p>${e(text)}</p>
<p><a class="link-button quiet" href="/my-data?${e(p.access)}">Your data</a></p>
</div>`,
  );
}

export function renderSelfIdentificationForm(p: {
  company: string;
  access: string;
  answered: boolean;
  error?: string | undefined;
}): string {
  const group = (name: string, legend: string, items: ReadonlyArray<{ value: string; label: string }>) =>
    `<fieldset class="choices"><legend>${e(legend)}</legend>${items
      .map(
        (c) =>
          `<label><input type="radio" name="${name}" value="${c.value}" required><span>${e(c.label)}</span></label>`,
      )
      .join('')}</fieldset>`;
  return page(
    'Voluntary self-identification',
    `<div class="card data-page">
<p class="eyebrow">${e(p.company)}</p>
<h1 id="h">Voluntary self-identification</h1>
${p.error ? `<p class="flash bad" role="alert">${e(p.error)}</p>` : ''}
${p.answered ? '<p class="flash" role="status">Thank you: your answers were saved. You can change them below.</p>' : ''}
<p><strong>This is optional.</strong> Answering or not makes no difference to your application. ${e(p.company)} uses these answers only to check, in aggregate, that its interviews treat every group fairly (bias audits, such as New York City's Local Law 144 requires).</p>
<ul class="facts">
<li>Stored apart from your interview.</li>
<li>Never shown to the people deciding on your application, and never given to the AI.</li>
<li>Deleted together with the rest of your data.</li>
</ul>
<form class="stack" method="post" action="/my-data/self-identification?${e(p.access)}">
${group('sex', 'Sex', SEX_CATEGORIES)}
${group('race', 'Race / ethnicity', RACE_ETHNICITY_CATEGORIES)}
<div class="actions-row"><button type="submit" class="primary">Save my answers</button><a class="link-button quiet" href="/my-data?${e(p.access)}">Skip</a></div>
</form>
</div>`,
  );
}

export function renderCandidateMessage(
  title: string,
  text: string,
  link?: { label: string; href: string },
): string {
  return page(
    title,
    `<div class="card notice">
<h1 id="h">${e(title)}</h1>
<p>${e(text)}</p>
${link ? `<p><a class="link-button quiet" href="${e(link.href)}">${e(link.label)}</a></p>` : ''}
</div>`,
  );
}
