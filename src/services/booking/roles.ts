/** Roles candidates are interviewed for. */
import { AppError } from '../../domain/errors.js';
import { stripControlChars } from '../../domain/escape.js';
import { readCompetencies, type TCompetency } from '../../domain/evaluation/rubric.js';
import type { TServiceDeps } from '../deps.js';
import { recordEvent } from '../events.js';

export type TRoleInput = {
  title: string;
  description: string;
  /** One competency per line, "Name: what good looks like". */
  competencies: string;
  /** Optional questions of the role's own, one per line. */
  questions: string;
  questionCount?: number;
};

/** Parses "Name: description" lines into competencies with stable keys. */
export function parseCompetencies(text: string): TCompetency[] {
  const seen = new Set<string>();
  const out: TCompetency[] = [];
  for (const raw of text.split('\n')) {
    const line = stripControlChars(raw)
      .trim()
      .replace(/^[-*•]\s*/, '');
    if (!line) continue;
    const [name = '', ...rest] = line.split(':');
    const key = name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push({ key, name: name.trim().slice(0, 80), description: rest.join(':').trim().slice(0, 500) });
  }
  return out;
}

export function parseQuestions(text: string): string[] {
  return text
    .split('\n')
    .map((l) =>
      stripControlChars(l)
        .trim()
        .replace(/^\d+[.)]\s*|^[-*•]\s*/, ''),
    )
    .filter((l) => l.length > 0)
    .map((l) => l.slice(0, 500))
    .slice(0, 30);
}

export function formatCompetencies(competencies: unknown): string {
  return readCompetencies(competencies)
    .map((c) => (c.description ? `${c.name}: ${c.description}` : c.name))
    .join('\n');
}

export async function saveRole(
  input: TRoleInput & { id?: string | undefined },
  actor: string,
  deps: Pick<TServiceDeps, 'prisma'>,
) {
  const title = stripControlChars(input.title).trim();
  if (!title) throw new AppError('invalid_input', 'Give the role a title.', { field: 'title' });
  const competencies = parseCompetencies(input.competencies);
  if (competencies.length === 0) {
    throw new AppError('invalid_input', 'List at least one competency to assess, one per line.', {
      field: 'competencies',
    });
  }
  const data = {
    title: title.slice(0, 150),
    description: stripControlChars(input.description, { keepNewlines: true }).trim().slice(0, 3000),
    competencies,
    questions: parseQuestions(input.questions),
    ...(input.questionCount ? { questionCount: input.questionCount } : {}),
  };
  const role = input.id
    ? await deps.prisma.role.update({ where: { id: input.id }, data })
    : await deps.prisma.role.create({ data: { ...data, createdBySlackUser: actor } });
  await recordEvent(deps.prisma, {
    type: input.id ? 'role.updated' : 'role.created',
    actor: `slack:${actor}`,
    data: { roleId: role.id },
  });
  return role;
}

export async function listRoles(deps: Pick<TServiceDeps, 'prisma'>, limit = 100) {
  return deps.prisma.role.findMany({ where: { archivedAt: null }, orderBy: { title: 'asc' }, take: limit });
}

export function findRole(deps: Pick<TServiceDeps, 'prisma'>, roleId: string) {
  return deps.prisma.role.findUnique({ where: { id: roleId } });
}

/** Roles a recruiter can still pick (not archived). */
export function countActiveRoles(deps: Pick<TServiceDeps, 'prisma'>) {
  return deps.prisma.role.count({ where: { archivedAt: null } });
}

export function findActiveRoleByTitle(deps: Pick<TServiceDeps, 'prisma'>, title: string) {
  return deps.prisma.role.findFirst({ where: { title, archivedAt: null } });
}
