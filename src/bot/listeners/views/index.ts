/**
 * Modal submissions. Input is checked before the ack so mistakes come back inline
 * (response_action: errors) with the recruiter's typing intact; accepted bookings
 * go on the queue with a job id derived from the submission, so a resubmitted
 * form books once.
 */
import { createHash } from 'node:crypto';
import { readMetadata } from '../../../block-kit/common.js';
import { ROLE } from '../../../block-kit/role-modal.js';
import { buildSchedulingAcceptedView, findRoleBlockId, SCHEDULE } from '../../../block-kit/schedule-modal.js';
import { DURATIONS, SLOTS } from '../../../block-kit/slots-modal.js';
import { normalizeEmail } from '../../../domain/email-address.js';
import { isAppError } from '../../../domain/errors.js';
import { stripControlChars } from '../../../domain/escape.js';
import { earliestAfterNotice } from '../../../domain/notice-period.js';
import { bookability } from '../../../domain/seats.js';
import {
  formatInZone,
  isValidTimeZone,
  localToUtc,
  MAX_REPEAT_COUNT,
  repeatOnWeekdays,
} from '../../../domain/time.js';
import { enqueueBooking } from '../../../infra/queue/jobs/booking.js';
import {
  refuseBookingRequest,
  storeBookingRequest,
  type TBookingRequest,
} from '../../../services/booking/booking-request.js';
import { findInterviewWithCandidate } from '../../../services/booking/interviews.js';
import { mayManageInterview } from '../../../services/booking/may-manage.js';
import { saveRole } from '../../../services/booking/roles.js';
import { addSlots, findSlot, listOpenSlots } from '../../../services/booking/slots.js';
import { checkSlotAndRole } from '../../../services/booking/submission-check.js';
import { minimumNotice, noticeDays } from '../../../services/candidate/workspace-settings.js';
import { answerClock, type TAnswerClock } from '../../answer-clock.js';
import type { TBotDeps } from '../../deps.js';
import { showRoleInScheduleModal, slotsModal } from '../../modals.js';
import { recruiterProfile } from '../../recruiter.js';
import { isUuid, readInput, type TViewState, withDeadline } from '../../view-state.js';
import type { TListenerApp } from '../route-listeners.js';

/**
 * Deadlines on the submission path. Slack gives 3 s; Panelist answers within 2.5 s whatever stalls
 * (fault suite: Redis paused for 20 s). The receiver's replay check takes at most 250 ms; then the
 * slot check (PostgreSQL, with the recruiter's profile from Slack beside it), storing the request,
 * queueing its job (Redis) and, if that did not answer, recording the refusal. These are the most
 * each step gets; the request's answer clock (answer-clock.ts) gives less when earlier steps were
 * slow, and always keeps REFUSE_RESERVE_MS for recording a refusal.
 */
const CHECK_DEADLINE_MS = 700;
const PROFILE_DEADLINE_MS = 300;
const STORE_DEADLINE_MS = 400;
const QUEUE_DEADLINE_MS = 600;
const REFUSE_RESERVE_MS = 500;
const SLOTS_HINT_DEADLINE_MS = 400;
/** The form's own limits (Slack's input stops at them; a forged submission does not). */
export const LIMITS = { name: 120, email: 254, notes: 3000 } as const;
const QUEUE_DOWN =
  'Panelist could not queue this right now (its job queue is not answering). Nothing was booked; submit again in a moment.';
const QUEUE_UNKNOWN =
  'Panelist could not confirm this booking (its job queue and database are slow to answer). Check App Home in a minute before submitting again: it may have been booked.';

function requestId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);
}

type TQueueAnswer = 'accepted' | 'refused' | 'unknown';

/**
 * Stores the request and queues its booking job, each within its deadline. A job that could not
 * be queued in time is refused for good (the booking job checks), unless the job took it first.
 */
async function queueBooking(
  deps: TBotDeps,
  request: TBookingRequest,
  clock: TAnswerClock,
  log: (m: string) => void,
): Promise<TQueueAnswer> {
  // A step that no longer fits is not started: nothing stored, or stored with no job, is never booked.
  const storeMs = clock.allow(STORE_DEADLINE_MS, REFUSE_RESERVE_MS);
  if (storeMs === 0) {
    log('booking request not stored: no time left to answer Slack');
    return 'refused';
  }
  let stored: Awaited<ReturnType<typeof storeBookingRequest>>;
  try {
    stored = await withDeadline(storeBookingRequest(deps.prisma, request), storeMs);
  } catch (err) {
    // Not stored, or stored late with no job: a pending request without a job is never booked.
    log(`booking request not stored: ${(err as Error).message}`);
    return 'refused';
  }
  if (stored.state === 'taken') return 'accepted';
  const queueMs = clock.allow(QUEUE_DEADLINE_MS, REFUSE_RESERVE_MS);
  if (queueMs === 0) {
    log('booking not queued: no time left to answer Slack');
    return 'refused';
  }
  try {
    // Batched with the submissions of the same turn: one Redis round trip for a burst.
    await withDeadline(
      enqueueBooking(
        deps.queues,
        { bookingRequestId: request.id, attempt: stored.attempt },
        { batched: true },
      ),
      queueMs,
    );
    return 'accepted';
  } catch (err) {
    log(`booking not queued: ${(err as Error).message}`);
  }
  try {
    const refused = await withDeadline(
      refuseBookingRequest(deps.prisma, request.id, stored.attempt),
      Math.max(clock.left(), 0),
    );
    // Not refused: the job reached Redis after all and a worker took the request.
    return refused ? 'refused' : 'accepted';
  } catch {
    return 'unknown';
  }
}

export function register(app: TListenerApp, deps: TBotDeps): void {
  app.view(SCHEDULE.callbackId, async ({ ack, view, body, client, context, logger }) => {
    const clock = answerClock(context);
    const values = view.state.values as TViewState;
    const meta = readMetadata<{ channelId: string; tz: string }>(view.private_metadata);
    const errors: Record<string, string> = {};
    const name = stripControlChars(readInput(values, SCHEDULE.name)).trim();
    const rawEmail = readInput(values, SCHEDULE.email);
    const email = rawEmail.length > LIMITS.email ? null : normalizeEmail(rawEmail);
    const tz = readInput(values, SCHEDULE.tz);
    const roleBlock = findRoleBlockId(values);
    const roleId = readInput(values, roleBlock, SCHEDULE.role);
    const slotId = readInput(values, SCHEDULE.slot);
    const notes = stripControlChars(readInput(values, SCHEDULE.notes), { keepNewlines: true });
    if (!name) errors[SCHEDULE.name] = "Enter the candidate's name.";
    else if (name.length > LIMITS.name)
      errors[SCHEDULE.name] =
        `A name can be at most ${LIMITS.name} characters (this one has ${name.length}).`;
    if (rawEmail.length > LIMITS.email)
      errors[SCHEDULE.email] = `An email address can be at most ${LIMITS.email} characters.`;
    else if (!email) errors[SCHEDULE.email] = 'Enter an email address like name@example.com.';
    if (notes.length > LIMITS.notes)
      errors[SCHEDULE.notes] =
        `Notes can be at most ${LIMITS.notes} characters (these have ${notes.length}).`;
    if (!isValidTimeZone(tz))
      errors[SCHEDULE.tz] = tz
        ? 'Pick a time zone from the list (e.g. Asia/Kolkata).'
        : "Pick the candidate's time zone (type a city, e.g. Kolkata): their invite shows times in it.";
    if (!roleId) errors[roleBlock] = 'Pick a role, or create one with "New role".';
    if (!slotId) errors[SCHEDULE.slot] = 'Pick a slot.';
    const bookingRequestId = requestId(body.team?.id ?? '', view.id, email ?? '', slotId);
    const [checked, profile] = await Promise.all([
      withDeadline(
        checkSlotAndRole(deps, {
          slotId: isUuid(slotId) ? slotId : null,
          roleId: isUuid(roleId) ? roleId : null,
          requestId: bookingRequestId,
          email: email ?? null,
          teamId: body.team?.id,
        }),
        clock.allow(CHECK_DEADLINE_MS, REFUSE_RESERVE_MS),
      ).catch(() => undefined),
      withDeadline(
        recruiterProfile(client, body.user.id),
        clock.allow(PROFILE_DEADLINE_MS, REFUSE_RESERVE_MS),
      ).catch(() => undefined),
    ]);
    if (!checked) {
      errors[SCHEDULE.slot] =
        'Panelist could not check the slot (its database is not answering). Submit again in a moment.';
    } else {
      const { slot, role, booked } = checked;
      if (booked && Object.keys(errors).length === 0) {
        const zone = meta.tz && isValidTimeZone(meta.tz) ? meta.tz : (profile?.tz ?? 'UTC');
        errors[SCHEDULE.slot] =
          `${name} is already booked for ${formatInZone(booked, zone, 'long')}. Nothing new was booked; close this form.`;
      } else if (slotId && !errors[SCHEDULE.slot]) {
        const b = slot ? bookability(slot, deps.now()) : 'gone';
        if (b !== 'ok') errors[SCHEDULE.slot] = await slotError(b, deps, clock);
        else if (slot) {
          const days = noticeDays(deps, checked.minNoticeBusinessDays);
          const tooSoon = noticeError(deps, days, slot.startsAt, meta.tz);
          if (tooSoon) errors[SCHEDULE.slot] = tooSoon;
        }
      }
      if (roleId && !role) errors[roleBlock] = 'That role no longer exists. Pick another.';
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const answer = await queueBooking(
      deps,
      {
        id: bookingRequestId,
        slotId,
        roleId,
        candidate: { name, email: email!, timeZone: tz },
        notes,
        recruiter: {
          userId: body.user.id,
          ...(body.team?.id ? { teamId: body.team.id } : {}),
          ...(profile?.email ? { email: profile.email } : {}),
          ...(profile?.tz ? { timeZone: profile.tz } : {}),
        },
        channelId: meta.channelId ?? body.user.id,
      },
      clock,
      (m) => logger.warn(m),
    );
    if (answer !== 'accepted') {
      await ack({
        response_action: 'errors',
        errors: { [SCHEDULE.slot]: answer === 'refused' ? QUEUE_DOWN : QUEUE_UNKNOWN },
      });
      return;
    }
    await ack({
      response_action: 'update',
      view: buildSchedulingAcceptedView(name, meta.channelId ?? body.user.id),
    });
  });

  app.view(SCHEDULE.reschedCallbackId, async ({ ack, view, body, context, logger }) => {
    const clock = answerClock(context);
    const values = view.state.values as TViewState;
    const meta = readMetadata<{ interviewId: string; fromRevision: number; tz?: string }>(
      view.private_metadata,
    );
    const slotId = readInput(values, SCHEDULE.slot);
    if (!meta.interviewId || !meta.fromRevision) {
      await ack({
        response_action: 'errors',
        errors: { [SCHEDULE.slot]: 'This form is out of date. Close it and click Reschedule again.' },
      });
      return;
    }
    if (!slotId) {
      await ack({ response_action: 'errors', errors: { [SCHEDULE.slot]: 'Pick the new slot.' } });
      return;
    }
    let interview: Awaited<ReturnType<typeof loadForReschedule>>;
    try {
      interview = await withDeadline(
        loadForReschedule(deps, meta.interviewId, slotId, body.team?.id),
        clock.allow(CHECK_DEADLINE_MS, REFUSE_RESERVE_MS),
      );
    } catch {
      await ack({
        response_action: 'errors',
        errors: { [SCHEDULE.slot]: 'Panelist could not check the slot. Submit again in a moment.' },
      });
      return;
    }
    const { current, slot, notice } = interview;
    if (current && !mayManageInterview(deps.config, current, body.user.id)) {
      await ack({ response_action: 'errors', errors: { [SCHEDULE.slot]: notAllowedPlain(current) } });
      return;
    }
    const b = slot ? bookability(slot, deps.now()) : 'gone';
    if (current?.status !== 'scheduled') {
      await ack({
        response_action: 'errors',
        errors: {
          [SCHEDULE.slot]: `This interview is ${current?.status ?? 'gone'} and can no longer be rescheduled.`,
        },
      });
      return;
    }
    if (current.revision !== meta.fromRevision) {
      await ack({
        response_action: 'errors',
        errors: {
          [SCHEDULE.slot]:
            'This interview was rescheduled in the meantime. Close this form to see its new time.',
        },
      });
      return;
    }
    if (b !== 'ok') {
      await ack({ response_action: 'errors', errors: { [SCHEDULE.slot]: await slotError(b, deps, clock) } });
      return;
    }
    // A new time is a new notice: the same minimum applies.
    const tooSoon = slot ? noticeError(deps, notice.days, slot.startsAt, meta.tz) : undefined;
    if (tooSoon) {
      await ack({ response_action: 'errors', errors: { [SCHEDULE.slot]: tooSoon } });
      return;
    }
    const bookingRequestId = requestId('reschedule', view.id, meta.interviewId, slotId);
    const answer = await queueBooking(
      deps,
      {
        id: bookingRequestId,
        slotId,
        roleId: current.roleId,
        candidate: {
          name: current.candidate.name,
          email: current.candidate.email,
          timeZone: current.candidate.timeZone,
        },
        notes: current.notes,
        recruiter: { userId: body.user.id },
        channelId: current.slackChannelId,
        reschedule: { interviewId: current.id, fromRevision: current.revision },
      },
      clock,
      (m) => logger.warn(m),
    );
    if (answer !== 'accepted') {
      await ack({
        response_action: 'errors',
        errors: { [SCHEDULE.slot]: answer === 'refused' ? QUEUE_DOWN : QUEUE_UNKNOWN },
      });
      return;
    }
    await ack();
  });

  app.view(SLOTS.callbackId, async ({ ack, view, body, client }) => {
    const values = view.state.values as TViewState;
    const date = readInput(values, SLOTS.date);
    const time = readInput(values, SLOTS.time);
    const duration = Number(readInput(values, SLOTS.duration));
    const capacity = Number(readInput(values, SLOTS.capacity));
    const tz = readInput(values, SLOTS.tz);
    const repeat = Number(readInput(values, SLOTS.repeat) || '1');
    const errors: Record<string, string> = {};
    if (!isValidTimeZone(tz)) errors[SLOTS.tz] = 'Pick a time zone from the list.';
    if (!DURATIONS.includes(duration as (typeof DURATIONS)[number]))
      errors[SLOTS.duration] = 'Pick a duration.';
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 200)
      errors[SLOTS.capacity] = 'Enter a whole number from 1 to 200.';
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT_COUNT)
      errors[SLOTS.repeat] = 'Pick how often to repeat.';
    let starts: Date[] = [];
    if (!errors[SLOTS.tz] && !errors[SLOTS.repeat]) {
      try {
        starts = repeat > 1 ? repeatOnWeekdays(date, time, tz, repeat) : [localToUtc(date, time, tz).utc];
        if (starts[0] && starts[0].getTime() <= deps.now().getTime()) {
          errors[SLOTS.time] = 'That time has passed. Pick a time in the future.';
        }
      } catch (err) {
        errors[SLOTS.date] = isAppError(err) ? err.message : 'Pick a valid date and time.';
      }
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    try {
      const count = await withDeadline(
        addSlots(
          { startsAt: starts, durationMinutes: duration, capacity, timeZone: tz, createdBy: body.user.id },
          deps,
        ),
        CHECK_DEADLINE_MS,
      );
      const view = await withDeadline(
        slotsModal(
          client,
          deps,
          body.user.id,
          `:white_check_mark: Added ${count} slot${count === 1 ? '' : 's'}.`,
        ),
        700,
      ).catch(() => undefined);
      await ack(view ? { response_action: 'update', view } : undefined);
    } catch {
      await ack({
        response_action: 'errors',
        errors: {
          [SLOTS.date]:
            'Panelist could not save the slots (its database is not answering). Try again in a moment.',
        },
      });
    }
  });

  app.view(ROLE.callbackId, async ({ ack, view, body, client, logger }) => {
    const values = view.state.values as TViewState;
    const meta = readMetadata<{ roleId: string | null; fromSchedule: { channelId: string } }>(
      view.private_metadata,
    );
    const count = Number(readInput(values, ROLE.count) || '6');
    if (!Number.isInteger(count) || count < 1 || count > 15) {
      await ack({
        response_action: 'errors',
        errors: { [ROLE.count]: 'Enter a whole number from 1 to 15.' },
      });
      return;
    }
    let saved: { id: string; title: string };
    try {
      saved = await withDeadline(
        saveRole(
          {
            id: meta.roleId ?? undefined,
            title: readInput(values, ROLE.title),
            description: readInput(values, ROLE.description),
            competencies: readInput(values, ROLE.competencies),
            questions: readInput(values, ROLE.questions),
            questionCount: count,
          },
          body.user.id,
          deps,
        ),
        CHECK_DEADLINE_MS,
      );
    } catch (err) {
      if (isAppError(err, 'invalid_input')) {
        const field = String(err.details?.field ?? 'title');
        await ack({
          response_action: 'errors',
          errors: { [field === 'competencies' ? ROLE.competencies : ROLE.title]: err.message },
        });
        return;
      }
      await ack({
        response_action: 'errors',
        errors: { [ROLE.title]: 'Panelist could not save the role. Try again in a moment.' },
      });
      return;
    }
    // The role modal closes back onto the schedule form it was opened from; pick the new role there.
    await ack();
    const parentId = (view as { previous_view_id?: string | null }).previous_view_id;
    if (!meta.fromSchedule || meta.roleId || !parentId) return;
    await showRoleInScheduleModal(client, deps, {
      viewId: parentId,
      userId: body.user.id,
      channelId: meta.fromSchedule.channelId ?? body.user.id,
      role: { id: saved.id, title: saved.title },
    }).catch((err: Error) =>
      logger.warn(`the schedule form was not updated with the new role: ${err.message}`),
    );
  });
}

async function loadForReschedule(
  deps: TBotDeps,
  interviewId: string,
  slotId: string,
  teamId: string | undefined,
) {
  const [current, slot, notice] = await Promise.all([
    isUuid(interviewId) ? findInterviewWithCandidate(deps, interviewId) : null,
    isUuid(slotId) ? findSlot(deps, slotId) : null,
    minimumNotice(deps, teamId),
  ]);
  return { current, slot, notice };
}

async function slotError(
  reason: 'full' | 'past' | 'closed' | 'gone',
  deps: TBotDeps,
  clock: TAnswerClock,
): Promise<string> {
  const why = {
    full: 'That slot has just filled up.',
    past: 'That slot has already started.',
    closed: 'That slot was closed.',
    gone: 'That slot no longer exists.',
  }[reason];
  // Only a hint: without time left (or an answer from PostgreSQL in time) the reason alone is said.
  const open = await withDeadline(
    listOpenSlots(deps.prisma, deps.now(), { limit: 1 }),
    clock.allow(SLOTS_HINT_DEADLINE_MS),
  ).catch(() => undefined);
  if (!open) return why;
  return open.total > 0
    ? `${why} ${open.total} other slot${open.total === 1 ? ' is' : 's are'} open: close this form and run /schedule-interview again to see them.`
    : `${why} No slots are open; add some with /interview-slots.`;
}

/** Inline errors are plain text: no user mention there. */
function notAllowedPlain(interview: { recruiterSlackUser: string }): string {
  return `Only the recruiter who scheduled this interview (${interview.recruiterSlackUser}) and Panelist admins can reschedule it.`;
}

/**
 * The inline error for a slot inside the workspace's minimum notice before an AI interview
 * (`/interview-settings notice N`, issue 14), naming the earliest allowed date in the recruiter's zone.
 */
function noticeError(
  deps: TBotDeps,
  days: number,
  startsAt: Date,
  recruiterTz: string | undefined,
): string | undefined {
  const tz = recruiterTz && isValidTimeZone(recruiterTz) ? recruiterTz : 'UTC';
  const earliest = earliestAfterNotice(deps.now(), days, tz);
  if (!earliest || startsAt.getTime() >= earliest.getTime()) return undefined;
  return `Too soon: candidates must be told at least ${days} business day${days === 1 ? '' : 's'} before an AI interview. The earliest allowed date is ${formatInZone(earliest, tz, 'date')} (${tz}). Pick a later slot.`;
}
