/**
 * The AI interviewer: plans the questions for a role, and after each answer
 * decides between one follow-up and the next planned question. Both calls are
 * bounded (timeout, retries) and both have a safe fallback in the callers: a
 * failing model never ends an interview.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { loggableMessage } from '../logger.js';
import type { TAi } from './client.js';
import { builtInPlan, type TPlannedQuestion } from './question-bank.js';

export type { TPlannedQuestion } from './question-bank.js';

/**
 * What the audit keeps of one of the interviewer's model calls (issue 14): which model, which
 * version of the prompt, which rubric it was given (the plan is written from the role's
 * competencies; the follow-up decision sees no rubric), and what came of it. Holds no candidate
 * text: a failure's message is scrubbed.
 */
export type TInterviewerCall = {
  purpose: 'question_plan' | 'follow_up_decision';
  model: string;
  promptVersion: string;
  rubricVersion: string | null;
  /** question_plan: ok | failed; follow_up_decision: follow_up | next | failed. */
  outcome: 'ok' | 'follow_up' | 'next' | 'failed';
  error?: string;
  /** follow_up_decision: calls made on a guess of the answer while it was still being given. */
  guesses?: number;
};

/** A content address of a prompt and the shape of its request: any edit gives another version. */
function promptVersion(name: string, shape: string, systemPrompt: string): string {
  return `${name}-${createHash('sha256').update(`${shape}\n${systemPrompt}`).digest('hex').slice(0, 12)}`;
}

/** The record of a call that failed (the caller falls back); the message is scrubbed for the log. */
export function failedCall(
  call: Omit<TInterviewerCall, 'outcome' | 'error'>,
  err: unknown,
): TInterviewerCall {
  return { ...call, outcome: 'failed', error: loggableMessage(err).slice(0, 300) };
}

export type TRoleForPlan = {
  title: string;
  description: string;
  competencies: Array<{ key: string; name: string; description?: string }>;
  ownQuestions: string[];
};

const PLAN_SYSTEM_PROMPT =
  'You plan structured job interviews. Reply with JSON only: {"questions":[{"text":"...","competency":"<key or null>"}]}. ' +
  'Questions are open, behavioural or practical, one topic each, answerable aloud in two to three minutes, ' +
  'free of jargon the candidate could not know, and never about age, family, health, religion or origin.';

/** The question plan's prompt version (request: task, role title and description, competencies, alreadyAsked). */
export const PLAN_PROMPT_VERSION = promptVersion(
  'plan',
  'task,role,competencies,alreadyAsked',
  PLAN_SYSTEM_PROMPT,
);

const ZPlanReply = z.object({
  questions: z
    .array(
      z.object({
        text: z.string().min(5).max(600),
        competency: z.string().max(100).nullish(),
      }),
    )
    .min(1),
});

const ZNextReply = z.object({
  action: z.enum(['follow_up', 'next']),
  question: z.string().max(600).nullish(),
});

/** Pulls the first JSON object out of a model reply (some servers wrap it in prose or fences). */
function parseJsonReply(content: string | null | undefined): unknown {
  if (!content) return undefined;
  const start = content.indexOf('{');
  const end = content.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(content.slice(start, end + 1));
  } catch {
    return undefined;
  }
}

/**
 * `count` questions for the role: its own questions first, the rest generated
 * from its title, description and competencies. Throws when the model fails or
 * answers with something unusable; the caller falls back to the built-in plan.
 */
export async function generatePlan(
  ai: TAi,
  role: TRoleForPlan,
  count: number,
): Promise<{ questions: TPlannedQuestion[]; isModelCalled: boolean }> {
  const own = role.ownQuestions
    .slice(0, count)
    .map((text) => ({ text, competency: null, origin: 'role' as const }));
  const wanted = count - own.length;
  if (wanted <= 0) return { questions: own, isModelCalled: false };
  const keys = new Set(role.competencies.map((c) => c.key));
  const completion = await ai.client.chat.completions.create(
    {
      model: ai.chatModel,
      temperature: 0.4,
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: PLAN_SYSTEM_PROMPT },
        {
          role: 'user',
          content: JSON.stringify({
            task: `Write ${wanted} interview questions.`,
            role: { title: role.title, description: role.description },
            competencies: role.competencies,
            alreadyAsked: own.map((q) => q.text),
          }),
        },
      ],
    },
    { timeout: Math.min(ai.timeoutMs, 30_000), maxRetries: 2 },
  );
  const parsed = ZPlanReply.safeParse(parseJsonReply(completion.choices[0]?.message?.content));
  if (!parsed.success) throw new Error('the model returned no usable question plan');
  const generated = parsed.data.questions.map((q) => ({
    text: q.text.trim(),
    competency: q.competency && keys.has(q.competency) ? q.competency : null,
    origin: 'model' as const,
  }));
  // A short reply is topped up from the built-in bank rather than rejected.
  const written = [...own, ...generated];
  const questions = builtInPlan({ ownQuestions: written.map((q) => q.text), competencies: [] }, count).map(
    (q) => written.find((g) => g.text === q.text) ?? q,
  );
  return { questions, isModelCalled: true };
}

export type TNextDecision = { action: 'follow_up'; question: string } | { action: 'next' };

const NEXT_SYSTEM_PROMPT =
  "You are a calm, attentive interviewer. Given a question and the candidate's answer, decide whether one short follow-up " +
  'would reveal something the answer left out (specifics, their own part, the result). Reply with JSON only: ' +
  '{"action":"follow_up","question":"..."} or {"action":"next"}. Never judge the answer aloud; never repeat the question.';

/** The follow-up decision's prompt version (request: role title, question, answer, next planned question). */
export const NEXT_PROMPT_VERSION = promptVersion(
  'next',
  'role,question,answer,nextPlannedQuestion',
  NEXT_SYSTEM_PROMPT,
);

/** The audit record of a follow-up decision that came back (`outcome`), or failed (`failedCall`). */
export function decisionCall(ai: TAi): Omit<TInterviewerCall, 'outcome' | 'error'> {
  return {
    purpose: 'follow_up_decision',
    model: ai.chatModel,
    promptVersion: NEXT_PROMPT_VERSION,
    rubricVersion: null,
  };
}

type TNextInput = {
  roleTitle: string;
  question: string;
  answer: string;
  competency: string | null;
  nextQuestion: string | null;
};

function nextMessages(input: TNextInput) {
  return [
    { role: 'system' as const, content: NEXT_SYSTEM_PROMPT },
    {
      role: 'user' as const,
      content: JSON.stringify({
        role: input.roleTitle,
        question: input.question,
        answer: input.answer.slice(0, 4000),
        nextPlannedQuestion: input.nextQuestion,
      }),
    },
  ];
}

function toDecision(content: string | null | undefined): TNextDecision {
  const parsed = ZNextReply.safeParse(parseJsonReply(content));
  if (!parsed.success) throw new Error('the model returned no usable decision');
  const question = parsed.data.question?.trim();
  if (parsed.data.action === 'follow_up' && question && question.length >= 5) {
    return { action: 'follow_up', question };
  }
  return { action: 'next' };
}

/**
 * After an answer: one follow-up on the same question, or move on. Short
 * timeout (the candidate is waiting) and one retry; throws on failure.
 */
export async function chooseNext(ai: TAi, input: TNextInput): Promise<TNextDecision> {
  const completion = await ai.client.chat.completions.create(
    {
      model: ai.chatModel,
      temperature: 0.3,
      response_format: { type: 'json_object' },
      messages: nextMessages(input),
    },
    { timeout: Math.min(ai.timeoutMs, 8_000), maxRetries: 1 },
  );
  return toDecision(completion.choices[0]?.message?.content);
}

/** Reads a JSON string literal's content from `from` (an opening quote's next index), as far as it goes. */
function partialJsonString(s: string, from: number): { text: string; closed: boolean } {
  let out = '';
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '"') return { text: out, closed: true };
    if (c === '\\') {
      const n = s[i + 1];
      if (n === undefined) break;
      if (n === 'u') {
        const hex = s.slice(i + 2, i + 6);
        if (hex.length < 4) break;
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 5;
      } else {
        out += n === 'n' ? '\n' : n === 't' ? ' ' : n;
        i += 1;
      }
    } else out += c;
  }
  return { text: out, closed: false };
}

/**
 * The same decision, streamed (`stream: true`): `onAction` fires as soon as the
 * action is known (a "next" needs nothing more: the planned question's speech is
 * ready), `onQuestion` with each new part of a follow-up question as it is written.
 * `deadlineMs` bounds the whole call; one retry if the first attempt fails before
 * any token. Throws on failure (callers move on to the next planned question).
 */
export async function chooseNextStream(
  ai: TAi,
  input: TNextInput,
  opts: {
    deadlineMs: number;
    signal?: AbortSignal;
    onAction?: (action: TNextDecision['action']) => void;
    onQuestion?: (delta: string) => void;
  },
): Promise<TNextDecision> {
  const deadline = AbortSignal.timeout(opts.deadlineMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  let content = '';
  let action: TNextDecision['action'] | null = null;
  let questionSent = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      const stream = await ai.client.chat.completions.create(
        {
          model: ai.chatModel,
          temperature: 0.3,
          response_format: { type: 'json_object' },
          messages: nextMessages(input),
          stream: true,
        },
        { signal, maxRetries: 0, timeout: opts.deadlineMs },
      );
      for await (const chunk of stream) {
        content += chunk.choices[0]?.delta?.content ?? '';
        if (action === null) {
          const m = /"action"\s*:\s*"(follow_up|next)"/.exec(content);
          if (m) {
            action = m[1] as TNextDecision['action'];
            opts.onAction?.(action);
          }
        }
        if (action === 'follow_up' && opts.onQuestion) {
          const q = /"question"\s*:\s*"/.exec(content);
          if (q) {
            const { text } = partialJsonString(content, q.index + q[0].length);
            if (text.length > questionSent) {
              opts.onQuestion(text.slice(questionSent));
              questionSent = text.length;
            }
          }
        }
      }
      return toDecision(content);
    } catch (err) {
      // Retry once, only when nothing was received yet and time is left.
      if (attempt >= 1 || content !== '' || signal.aborted) throw err;
    }
  }
}
