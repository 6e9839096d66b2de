/** Creating and editing a role: title, description, competencies, own questions. */
import type { View } from '@slack/types';
import { metadata, plain } from './common.js';

export const ROLE = {
  callbackId: 'role_edit',
  title: 'role_title',
  description: 'role_description',
  competencies: 'role_competencies',
  questions: 'role_questions',
  count: 'role_question_count',
  edit: 'role_edit_open',
} as const;

export function buildRoleModal(
  role?: {
    id: string;
    title: string;
    description: string;
    competencies: string;
    questions: string;
    questionCount: number;
  },
  /** Opened from the schedule form (pushed on it): the new role is picked there once saved. */
  fromSchedule?: { channelId: string },
): View {
  const initial = (v: string | undefined) => (v ? { initial_value: v } : {});
  return {
    type: 'modal',
    callback_id: ROLE.callbackId,
    private_metadata: metadata({ roleId: role?.id ?? null, ...(fromSchedule ? { fromSchedule } : {}) }),
    title: plain(role ? 'Edit role' : 'New role', 24),
    submit: plain('Save role', 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'input',
        block_id: ROLE.title,
        label: plain('Title', 2000),
        element: {
          type: 'plain_text_input',
          action_id: ROLE.title,
          max_length: 150,
          ...initial(role?.title),
        },
      },
      {
        type: 'input',
        block_id: ROLE.description,
        optional: true,
        label: plain('Description', 2000),
        hint: plain('What the job is. The interviewer writes its questions from this.', 2000),
        element: {
          type: 'plain_text_input',
          action_id: ROLE.description,
          multiline: true,
          max_length: 3000,
          ...initial(role?.description),
        },
      },
      {
        type: 'input',
        block_id: ROLE.competencies,
        label: plain('Competencies to assess', 2000),
        hint: plain(
          'One per line, "Name: what good looks like", e.g. "Communication: explains trade-offs clearly".',
          2000,
        ),
        element: {
          type: 'plain_text_input',
          action_id: ROLE.competencies,
          multiline: true,
          max_length: 3000,
          ...initial(role?.competencies),
        },
      },
      {
        type: 'input',
        block_id: ROLE.questions,
        optional: true,
        label: plain('Questions of your own', 2000),
        hint: plain('Optional, one per line. They are asked first; the AI adds the rest.', 2000),
        element: {
          type: 'plain_text_input',
          action_id: ROLE.questions,
          multiline: true,
          max_length: 3000,
          ...initial(role?.questions),
        },
      },
      {
        type: 'input',
        block_id: ROLE.count,
        label: plain('Number of questions', 2000),
        element: {
          type: 'number_input',
          action_id: ROLE.count,
          is_decimal_allowed: false,
          min_value: '1',
          max_value: '15',
          initial_value: String(role?.questionCount ?? 6),
        },
      },
    ],
  };
}
