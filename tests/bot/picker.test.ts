/** The slot picker past 100 open slots, and creating a role from the scheduling modal. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECRUITER, seed, startStack, type TStack } from '../helpers/stack.js';

let s: TStack;
const NOW = new Date('2026-06-01T12:00:00Z');

beforeAll(async () => {
  s = await startStack({ now: NOW });
  await seed(
    s.deps,
    Array.from({ length: 130 }, (_, i) => ({
      startsAt: new Date(NOW.getTime() + (i + 1) * 3 * 3600_000),
      capacity: 2,
    })),
  );
});
afterAll(async () => s.close());

async function openSchedule() {
  const opened = s.slack.callsTo('views.open').length;
  await s.command('/schedule-interview');
  await s.slack.waitForCall('views.open', { where: () => s.slack.callsTo('views.open').length > opened });
  return s.slack.openModal(RECRUITER)!;
}

describe('slot picker with more slots than a static select holds', () => {
  it('switches to a searchable external_select and answers searches with at most 100 matching slots', async () => {
    const view = await openSchedule();
    const slot = view.blocks.find((b: { block_id?: string }) => b.block_id === 'slot') as {
      element: { type: string };
    };
    expect(slot.element.type).toBe('external_select');
    const all = await s.suggest(view, 'slot', '');
    const allOptions = (all.json as { options: Array<{ text: { text: string } }> }).options;
    expect(allOptions).toHaveLength(100);
    // 12:00 UTC + 3 h steps → 11:00, 14:00, 17:00 … in New York (EDT); search by day.
    const tue = await s.suggest(view, 'slot', 'tue 2 jun');
    const tueOptions = (tue.json as { options: Array<{ text: { text: string } }> }).options.map(
      (o) => o.text.text,
    );
    expect(tueOptions.length).toBeGreaterThan(0);
    expect(tueOptions.every((t) => t.startsWith('Tue 2 Jun 2026'))).toBe(true);
    expect(tueOptions[0]).toBe('Tue 2 Jun 2026, 02:00 EDT · 30 min · 2 seats left');
    expect(s.slack.violations).toEqual([]);
    s.slack.closeView(view.id);
  });
});

describe('New role from the scheduling modal', () => {
  it('pushes the role form on top, saves the role, picks it in the form (keeping what was typed), and the picker finds it', async () => {
    // A first recruiter: no roles yet (the seeded one is archived).
    await s.db.prisma.role.updateMany({ data: { archivedAt: NOW } });
    const view = await openSchedule();
    const hintOf = (v: typeof view) =>
      (
        v.blocks.find((b: { block_id?: string }) => b.block_id?.startsWith('role')) as {
          hint: { text: string };
        }
      ).hint.text;
    expect(hintOf(view)).toBe('No roles yet: create one with "New role", then pick it here.');
    // The recruiter typed the candidate's name before pressing "New role".
    s.slack.submitViewState(view.id, { candidate_name: { candidate_name: 'Grace Hopper' } });
    await s.clickInView(view, 'role_new');
    await s.slack.waitForCall('views.push');
    const roleView = s.slack.openModal(RECRUITER)!;
    expect(roleView.callback_id).toBe('role_edit');
    const missing = await s.submit(roleView, {
      role_title: { role_title: 'Data Scientist' },
      role_competencies: { role_competencies: '   ' },
    });
    expect(missing.json).toMatchObject({
      response_action: 'errors',
      errors: { role_competencies: expect.any(String) },
    });
    const ok = await s.submit(roleView, {
      role_title: { role_title: 'Data Scientist' },
      role_description: { role_description: 'Models and experiments.' },
      role_competencies: {
        role_competencies: 'Statistics: chooses the right test\nCommunication: explains results',
      },
      role_questions: { role_questions: '1. Tell me about an experiment that surprised you.' },
      role_question_count: { role_question_count: '5' },
    });
    expect(ok.status).toBe(200);
    // The ack is empty: Slack closes the role form, back onto the schedule form.
    expect(s.slack.applyViewSubmissionResponse(roleView.id, ok.json ?? ok.body).action).toBe('close');
    const role = await s.db.prisma.role.findFirstOrThrow({ where: { title: 'Data Scientist' } });
    expect(role.competencies).toEqual([
      { key: 'statistics', name: 'Statistics', description: 'chooses the right test' },
      { key: 'communication', name: 'Communication', description: 'explains results' },
    ]);
    expect(role.questions).toEqual(['Tell me about an experiment that surprised you.']);
    expect(role.questionCount).toBe(5);
    const found = await s.suggest(view, 'role', 'data');
    expect((found.json as { options: Array<{ value: string }> }).options.map((o) => o.value)).toEqual([
      role.id,
    ]);

    // Back on the schedule form (views.update of the parent): the new role is picked, the
    // "No roles yet" hint is gone, and the name typed before is still there.
    await s.slack.waitForCall('views.update', { where: (c) => c.args.view_id === view.id });
    const back = s.slack.openModal(RECRUITER)!;
    expect(back.id).toBe(view.id);
    const picker = back.blocks.find((b: { block_id?: string }) => b.block_id === `role.${role.id}`) as {
      element: { initial_option: { value: string; text: { text: string } } };
    };
    expect(picker.element.initial_option.value).toBe(role.id);
    expect(picker.element.initial_option.text.text).toBe('Data Scientist');
    expect(hintOf(back)).toBe(
      '"Data Scientist" was created and is picked. The interview questions come from the role.',
    );
    expect(back.state.values.candidate_name?.candidate_name?.value).toBe('Grace Hopper');

    // Submitted without touching the role picker, the form books with the new role.
    const slot = await s.db.prisma.slot.findFirstOrThrow({ orderBy: { startsAt: 'asc' } });
    const booked = await s.submit(back, {
      candidate_name: { candidate_name: 'Grace Hopper' },
      candidate_email: { candidate_email: 'grace@example.com' },
      candidate_tz: { candidate_tz: { text: 'Europe/London', value: 'Europe/London' } },
      slot: { slot: { text: 'first', value: slot.id } },
    });
    expect(booked.json).toMatchObject({ response_action: 'update' });
    const request = await s.db.prisma.bookingRequest.findFirstOrThrow({
      where: { candidateEmail: 'grace@example.com' },
    });
    expect(request.roleId).toBe(role.id);
    expect(s.slack.violations).toEqual([]);
  });
});
