/**
 * The built-in question bank: used when no model is configured, when plan
 * generation fails, or to top up a plan that came back short. Questions are
 * general enough for any role; a competency's own name is woven in when known.
 */
/**
 * One planned question. `origin` says who wrote it (the audit names each question's source):
 * the role's own list, the model's plan, or this built-in bank. Plans stored before it existed
 * have none.
 */
export type TPlannedQuestion = { text: string; competency: string | null; origin?: TQuestionOrigin };
export type TQuestionOrigin = 'role' | 'model' | 'bank';

const OPENERS: readonly string[] = [
  'To start, could you tell me a little about yourself and what drew you to this role?',
];

const GENERAL: readonly string[] = [
  'Tell me about a project you are proud of. What was your part in it, and what was the outcome?',
  'Describe a time you had to solve a problem you had not met before. How did you approach it?',
  'Tell me about a disagreement with a colleague. How did you handle it, and what happened?',
  'Describe a time something you worked on went wrong. What did you do, and what did you learn?',
  'How do you decide what to work on first when several things are urgent?',
  'Tell me about a time you had to learn something new quickly. How did you go about it?',
  'Describe a piece of feedback that changed how you work.',
  'What would you want to achieve in your first three months in this role?',
];

const FOR_COMPETENCY: readonly ((name: string) => string)[] = [
  (name) => `This role asks for ${name}. Tell me about a recent time you used it, and what the result was.`,
  (name) => `What is the hardest situation you have handled that needed ${name}? Walk me through it.`,
];

/**
 * `count` questions: the role's own questions first (in order), then one per
 * competency, then general ones, starting with an opener when there is room.
 */
export function builtInPlan(
  role: { ownQuestions: string[]; competencies: Array<{ key: string; name: string }> },
  count: number,
): TPlannedQuestion[] {
  const plan: TPlannedQuestion[] = [];
  const seen = new Set<string>();
  const push = (q: Required<TPlannedQuestion>) => {
    const k = q.text.trim().toLowerCase();
    if (plan.length >= count || k === '' || seen.has(k)) return;
    seen.add(k);
    plan.push({ ...q, text: q.text.trim() });
  };
  if (role.ownQuestions.length < count) push({ text: OPENERS[0] ?? '', competency: null, origin: 'bank' });
  for (const text of role.ownQuestions) push({ text, competency: null, origin: 'role' });
  role.competencies.forEach((c, i) => {
    const make = FOR_COMPETENCY[i % FOR_COMPETENCY.length];
    if (make) push({ text: make(c.name), competency: c.key, origin: 'bank' });
  });
  for (const text of GENERAL) push({ text, competency: null, origin: 'bank' });
  return plan;
}
