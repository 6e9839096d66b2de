/**
 * Configuration, parsed once at start-up. A missing or malformed variable stops
 * the process with a message that names it; nothing else reads process.env.
 * Every variable is documented in .env.example.
 */
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalUrl = z.url().optional();
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const ZEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_URL: optionalUrl,
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgresql://')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  REDIS_AUTOSTART: bool.optional(),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[^:]+$/, 'must not contain ":"')
    .default('panelist'),
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'must be a bot token starting with xoxb-').optional(),
  SLACK_SIGNING_SECRET: z.string().min(8).optional(),
  SLACK_APP_TOKEN: z
    .string()
    .startsWith('xapp-', 'must be an app-level token starting with xapp-')
    .optional(),
  SLACK_API_URL: optionalUrl,
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Panelist <interviews@panelist.local>'),
  COMPANY_NAME: z.string().min(1).default('Panelist'),
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_CHAT_MODEL: z.string().min(1).default('gpt-4o-mini'),
  OPENAI_STT_MODEL: z.string().min(1).default('whisper-1'),
  OPENAI_TTS_MODEL: z.string().min(1).default('tts-1'),
  OPENAI_TTS_VOICE: z.string().min(1).default('alloy'),
  OPENAI_TIMEOUT_MS: int(1000, 600_000).default(30_000),
  // Speech-to-text and text-to-speech may live on another server than chat (Ollama has no audio
  // API): unset falls back to OPENAI_BASE_URL / OPENAI_API_KEY; `none` says there is none.
  OPENAI_STT_BASE_URL: z.union([z.literal('none'), z.url()]).optional(),
  OPENAI_STT_API_KEY: z.string().min(1).optional(),
  OPENAI_TTS_BASE_URL: z.union([z.literal('none'), z.url()]).optional(),
  OPENAI_TTS_API_KEY: z.string().min(1).optional(),
  VOICE_STT_DEADLINE_MS: int(500, 120_000).default(8_000),
  VOICE_DECISION_DEADLINE_MS: int(500, 60_000).default(4_000),
  VOICE_SPEECH_FIRST_BYTE_MS: int(500, 60_000).default(3_000),
  INTERVIEW_LOBBY_OPENS_MINUTES: int(0, 24 * 60).default(15),
  INTERVIEW_JOIN_EARLY_MINUTES: int(0, 24 * 60).default(5),
  INTERVIEW_GRACE_MINUTES: int(0, 24 * 60).default(10),
  INTERVIEW_QUESTION_COUNT: int(1, 30).default(6),
  TRANSCRIPT_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TRANSCRIPT_LINK_TTL_DAYS: int(1, 365).default(14),
  CANDIDATE_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
      'must be a hop count (e.g. 1) or a comma-separated list of proxy addresses or CIDRs (e.g. 10.0.0.0/8,127.0.0.1); "true" would trust any X-Forwarded-For',
    )
    .optional(),
  SLACK_ADMIN_USERS: z
    .string()
    .regex(
      /^[UW][A-Z0-9]+(\s*,\s*[UW][A-Z0-9]+)*$/,
      'must be Slack user ids separated by commas, e.g. U012AB3CD,U045EF6GH',
    )
    .optional(),
  WORKER_STALLED_INTERVAL_MS: int(1000, 300_000).default(30_000),
  FAULT_POINTS: z.string().optional(),
  ADMIN_USER: z.string().min(1).optional(),
  ADMIN_SLACK_USERS: z
    .string()
    .regex(/^\s*([UW][A-Z0-9]+\s*(,\s*[UW][A-Z0-9]+\s*)*)?$/, 'a comma-separated list of Slack user ids (U…)')
    .optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  RETENTION_DAYS: int(1, 3650).default(180),
  MIN_NOTICE_BUSINESS_DAYS: int(0, 60).default(0),
  DELETION_REQUEST_DAYS: int(0, 365).default(30),
  SHUTDOWN_TIMEOUT_MS: int(1000, 600_000).default(25_000),
});

export type TEnv = z.infer<typeof ZEnv>;

export type TConfig = {
  env: TEnv['NODE_ENV'];
  logLevel: TEnv['LOG_LEVEL'];
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  /** undefined: embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  redis: { url: string; autostart: boolean; prefix: string };
  slack: {
    /** No bot token: local mode with the Slack stand-in served by the app itself. */
    mode: 'local' | 'http' | 'socket';
    botToken: string | undefined;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string | undefined;
  };
  mail: { smtpUrl: string | undefined; from: string; companyName: string };
  ai: {
    /** undefined: no model; the built-in interviewer and no AI evaluation. */
    baseUrl: string | undefined;
    apiKey: string | undefined;
    chatModel: string;
    sttModel: string;
    ttsModel: string;
    ttsVoice: string;
    timeoutMs: number;
    /** Speech-to-text server: null when there is none (voice answers then need typing). */
    stt: { baseUrl: string; apiKey: string | undefined } | null;
    /** Text-to-speech server: null when there is none (the browser reads questions aloud). */
    tts: { baseUrl: string; apiKey: string | undefined } | null;
  };
  voice: {
    /** One attempt at transcribing a piece of an answer (one retry follows). */
    sttDeadlineMs: number;
    /** The streamed follow-up / next decision, whole. */
    decisionDeadlineMs: number;
    /** Text-to-speech's first byte (one retry follows, then the browser speaks). */
    speechFirstByteMs: number;
  };
  interview: {
    lobbyOpensMinutes: number;
    joinEarlyMinutes: number;
    graceMinutes: number;
    questionCount: number;
  };
  transcriptLinks: { secret: string | undefined; ttlDays: number };
  /** Encrypts the candidate's key on the interview row; generated under dataDir on a local run. */
  candidateLinks: { secret: string | undefined };
  /**
   * Which client addresses the portal believes: false trusts no X-Forwarded-For (the default), a
   * number trusts that many proxy hops, a list trusts those proxy addresses and CIDRs.
   */
  trustProxy: false | number | string[];
  /** Slack users who may cancel or reschedule any interview (besides the recruiter who scheduled it). */
  slackAdminUsers: string[];
  /** How often a worker looks for jobs whose worker died (BullMQ stalledInterval). */
  workerStalledIntervalMs: number;
  /** Test-only crash points (src/infra/fault-points.ts); always empty outside NODE_ENV=test. */
  faultPoints: string[];
  admin: { user: string; password: string } | undefined;
  /** Slack users who may run admin commands (`/interview-report`); empty: the workspace's admins and owners. */
  adminSlackUsers: string[];
  retentionDays: number;
  /**
   * Candidate rights (issue 14): the minimum notice, in business days (Mon–Fri), between booking
   * and an AI interview (0: off; NYC LL144 asks for 10), and the days after which a candidate's
   * deletion request is carried out by itself unless an admin puts a legal hold on it.
   */
  candidateRights: { minNoticeBusinessDays: number; deletionRequestDays: number };
  shutdownTimeoutMs: number;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Panelist cannot start: the configuration has ${problems.length === 1 ? 'a problem' : 'problems'}:\n${problems
        .map((p) => `  - ${p}`)
        .join('\n')}\nSee .env.example for what each variable means.`,
    );
    this.name = 'ConfigError';
  }
}

/** Parses the environment (empty strings count as unset). Throws ConfigError naming every bad variable. */
export function loadConfig(source: Record<string, string | undefined>): TConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ZEnv.shape)) {
    const value = source[key];
    if (value !== undefined && value.trim() !== '') raw[key] = value.trim();
  }
  const parsed = ZEnv.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '(environment)');
        return `${name}: ${issue.message}${raw[name] === undefined ? '' : ` (got "${redact(name, raw[name])}")`}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    problems.push(
      'SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN for HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  if (!e.SLACK_BOT_TOKEN && e.SLACK_APP_TOKEN) {
    problems.push('SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN is set (Socket Mode needs both)');
  }
  if (e.OPENAI_BASE_URL === undefined && e.OPENAI_API_KEY === undefined) {
    // No model at all: fine, the built-in interviewer runs.
  }
  if ((e.ADMIN_USER === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    problems.push('ADMIN_USER and ADMIN_PASSWORD: set both to enable /admin/queues, or neither');
  }
  if (e.NODE_ENV === 'production') {
    if (!e.PUBLIC_URL) problems.push('PUBLIC_URL: required in production (the address candidates open)');
    if (!e.DATABASE_URL)
      problems.push('DATABASE_URL: required in production (embedded PGlite is for local runs)');
    if (!e.TRANSCRIPT_LINK_SECRET) problems.push('TRANSCRIPT_LINK_SECRET: required in production');
    if (!e.CANDIDATE_LINK_SECRET) problems.push('CANDIDATE_LINK_SECRET: required in production');
    if (!e.SLACK_BOT_TOKEN)
      problems.push('SLACK_BOT_TOKEN: required in production (local mode is for trying Panelist)');
  }
  if (e.FAULT_POINTS && e.NODE_ENV !== 'test')
    problems.push('FAULT_POINTS: only for the fault suite (NODE_ENV=test); unset it');
  if (problems.length > 0) throw new ConfigError(problems);

  const hasModel = e.OPENAI_API_KEY !== undefined || e.OPENAI_BASE_URL !== undefined;
  const chatBaseUrl = hasModel ? (e.OPENAI_BASE_URL ?? 'https://api.openai.com/v1') : undefined;
  const audioServer = (baseUrl: string | undefined, apiKey: string | undefined) => {
    if (baseUrl === 'none') return null;
    if (baseUrl) return { baseUrl, apiKey: apiKey ?? e.OPENAI_API_KEY };
    return chatBaseUrl ? { baseUrl: chatBaseUrl, apiKey: apiKey ?? e.OPENAI_API_KEY } : null;
  };
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redis: {
      url: e.REDIS_URL,
      autostart: e.REDIS_AUTOSTART ?? e.NODE_ENV !== 'production',
      prefix: e.QUEUE_PREFIX,
    },
    slack: {
      mode: e.SLACK_BOT_TOKEN ? (e.SLACK_APP_TOKEN ? 'socket' : 'http') : 'local',
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, companyName: e.COMPANY_NAME },
    ai: {
      baseUrl: chatBaseUrl,
      apiKey: e.OPENAI_API_KEY,
      chatModel: e.OPENAI_CHAT_MODEL,
      sttModel: e.OPENAI_STT_MODEL,
      ttsModel: e.OPENAI_TTS_MODEL,
      ttsVoice: e.OPENAI_TTS_VOICE,
      timeoutMs: e.OPENAI_TIMEOUT_MS,
      stt: audioServer(e.OPENAI_STT_BASE_URL, e.OPENAI_STT_API_KEY),
      tts: audioServer(e.OPENAI_TTS_BASE_URL, e.OPENAI_TTS_API_KEY),
    },
    voice: {
      sttDeadlineMs: e.VOICE_STT_DEADLINE_MS,
      decisionDeadlineMs: e.VOICE_DECISION_DEADLINE_MS,
      speechFirstByteMs: e.VOICE_SPEECH_FIRST_BYTE_MS,
    },
    interview: {
      lobbyOpensMinutes: e.INTERVIEW_LOBBY_OPENS_MINUTES,
      joinEarlyMinutes: e.INTERVIEW_JOIN_EARLY_MINUTES,
      graceMinutes: e.INTERVIEW_GRACE_MINUTES,
      questionCount: e.INTERVIEW_QUESTION_COUNT,
    },
    transcriptLinks: { secret: e.TRANSCRIPT_LINK_SECRET, ttlDays: e.TRANSCRIPT_LINK_TTL_DAYS },
    candidateLinks: { secret: e.CANDIDATE_LINK_SECRET },
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    slackAdminUsers: list(e.SLACK_ADMIN_USERS),
    workerStalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    faultPoints: list(e.FAULT_POINTS),
    admin: e.ADMIN_USER && e.ADMIN_PASSWORD ? { user: e.ADMIN_USER, password: e.ADMIN_PASSWORD } : undefined,
    adminSlackUsers: (e.ADMIN_SLACK_USERS ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
    retentionDays: e.RETENTION_DAYS,
    candidateRights: {
      minNoticeBusinessDays: e.MIN_NOTICE_BUSINESS_DAYS,
      deletionRequestDays: e.DELETION_REQUEST_DAYS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** TRUST_PROXY: unset → trust nothing; digits → hop count; otherwise addresses/CIDRs. */
function parseTrustProxy(value: string | undefined): false | number | string[] {
  if (!value) return false;
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  return list(value);
}

function redact(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  if (/TOKEN|SECRET|PASSWORD|KEY/.test(name)) return `${value.slice(0, 4)}…`;
  return value.length > 60 ? `${value.slice(0, 60)}…` : value;
}
