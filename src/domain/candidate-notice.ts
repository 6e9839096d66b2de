/**
 * The notice a candidate gets before an AI interview, in the invite email and in the lobby (one
 * content, two renderings: email/render.ts and portal/pages.ts lay out the items this builds).
 * What it must say comes from the rules on AI in hiring (EU AI Act Art. 26(11), NYC Local Law 144,
 * Illinois AIVIA): who conducts and evaluates the interview, what is assessed, that a person
 * decides, how long data is kept, how to ask for an alternative or an accommodation, and that
 * there is no emotion, tone-of-voice or facial analysis.
 *
 * It only promises what the installation does: without a model there is no AI evaluation (the
 * built-in interviewer asks prepared questions and people read the answers), and it says so.
 *
 * Raise NOTICE_VERSION when the wording changes in substance: the version is stored with each
 * email sent and each lobby shown (event log), so an audit can tell which notice a candidate saw.
 */

export const NOTICE_VERSION = '2026-12-03';

export type TNoticeInput = {
  company: string;
  roleTitle: string;
  /** The role's competencies, as the recruiter wrote them. */
  competencies: ReadonlyArray<{ name: string; description?: string | undefined }>;
  /** A model is configured: the interview is AI-led and AI-evaluated. */
  hasModel: boolean;
  /** How many days after the interview its transcript and evaluation are deleted. */
  retentionDays: number;
  /** The form to ask for a human interview or an accommodation (absent: reply to the email). */
  requestUrl?: string | undefined;
  /** The candidate's data page (download, correction, deletion). */
  dataUrl?: string | undefined;
};

/** A paragraph of plain text, possibly followed by a list and one link. Nothing here is HTML. */
export type TNoticeItem = {
  title: string;
  text: string;
  list?: string[];
  link?: { label: string; url: string };
};

export type TNotice = {
  /** `2026-12-03.ai` or `2026-12-03.no-model`: which wording was shown. */
  version: string;
  heading: string;
  items: TNoticeItem[];
  /** The same links as in the items, for pages that show only a link. */
  links: { request?: string | undefined; data?: string | undefined };
};

/** Which notice an installation shows, without building it (e.g. for the event log). */
export function noticeVersion(hasModel: boolean): string {
  return `${NOTICE_VERSION}.${hasModel ? 'ai' : 'no-model'}`;
}

function competencyLines(input: TNoticeInput): string[] {
  return input.competencies
    .map((c) => {
      const name = c.name.trim();
      const description = c.description?.trim();
      return description ? `${name}: ${description}` : name;
    })
    .filter((line) => line !== '');
}

export function buildNotice(input: TNoticeInput): TNotice {
  const competencies = competencyLines(input);
  const items: TNoticeItem[] = [];
  if (input.hasModel) {
    items.push({
      title: 'An AI conducts and evaluates this interview',
      text: `An AI interviewer asks the questions and follows up on your answers. Afterwards an AI evaluates the text of your answers against the competencies of the ${input.roleTitle} role and writes an advisory summary for the hiring team.`,
    });
  } else {
    items.push({
      title: 'Prepared questions, no AI evaluation',
      text: `An automated interviewer asks a set of questions prepared for the ${input.roleTitle} role. No AI evaluates your answers: people on the hiring team read them.`,
    });
  }
  items.push({
    title: 'What is assessed',
    text:
      competencies.length > 0
        ? input.hasModel
          ? 'These competencies of the role, and nothing else:'
          : 'The questions are about these competencies of the role:'
        : 'Your answers to questions about the role and your experience.',
    ...(competencies.length > 0 ? { list: competencies } : {}),
  });
  items.push({
    title: 'A person makes the decision',
    text: input.hasModel
      ? `People at ${input.company} review your transcript and the AI's summary and decide. The AI's view is advisory: nothing is decided automatically.`
      : `People at ${input.company} review your answers and decide.`,
  });
  items.push({
    title: 'No emotion, tone-of-voice or facial analysis',
    text: 'Only the words of your answers are used. Your video is shown to you alone and is neither recorded nor sent; audio is only turned into text and is not kept.',
  });
  items.push({
    title: 'How long your data is kept',
    text: `The transcript${input.hasModel ? ' and its evaluation are' : ' is'} deleted ${input.retentionDays} days after the interview. You can download it, ask for a correction, or ask for it to be deleted sooner.`,
    ...(input.dataUrl
      ? { link: { label: 'Download, correct or delete your data', url: input.dataUrl } }
      : {}),
  });
  items.push({
    title: 'An alternative or an accommodation',
    text: `You can ask for an interview with a person instead${input.hasModel ? ' (you are then not evaluated by AI)' : ''}, or for an accommodation such as more time or answering by typing only.${input.requestUrl ? '' : ' Reply to this email to ask.'}`,
    ...(input.requestUrl
      ? { link: { label: 'Ask for an alternative or an accommodation', url: input.requestUrl } }
      : {}),
  });
  return {
    version: noticeVersion(input.hasModel),
    heading: input.hasModel ? 'About this AI interview' : 'About this interview',
    items,
    links: { request: input.requestUrl, data: input.dataUrl },
  };
}

/** The notice as plain-text lines (the email's text part). */
export function noticeTextLines(notice: TNotice): string[] {
  const lines: string[] = [notice.heading];
  for (const item of notice.items) {
    lines.push(`- ${item.title}. ${item.text}`);
    for (const entry of item.list ?? []) lines.push(`    * ${entry}`);
    if (item.link) lines.push(`  ${item.link.label}: ${item.link.url}`);
  }
  return lines;
}
