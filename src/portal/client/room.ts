/**
 * The interview room (protocol v1): the question, captions, the candidate's
 * answer by voice or by typing, the transcript so far and the clock. The server
 * is the source of truth; the room draws what the socket says.
 */
import { AnswerRecorder, type Microphone, SPEAKING_LEVEL } from './audio/capture.js';
import { Speaker } from './audio/playback.js';
import { boot, serverNow, sessionKey } from './boot.js';
import { $, fmtClock, setText, show, uid } from './dom.js';
import { NO_STT_TEXT, type TMode } from './lobby.js';
import { RoomSocket } from './socket.js';

const PROTOCOL = 1;

type TTurn = {
  seq: number;
  planIndex: number;
  isFollowUp: boolean;
  question: string;
  answerText: string | null;
  answerMode: string | null;
};
type TSnapshot = {
  status: 'not_started' | 'in_progress' | 'completed';
  startedAt: string | null;
  endsAt: string | null;
  questionTotal: number;
  turns: TTurn[];
  current: TTurn | null;
};
type TServerMessage =
  | { type: 'state'; state: TSnapshot }
  | { type: 'question'; turn: TTurn; number: number; total: number; remainingMs?: number; greeting?: string }
  | { type: 'speech'; seq: number; mime?: string; audio?: string; fallback?: boolean; text?: string }
  | { type: 'thinking'; seq: number }
  | { type: 'completed'; reason: string; text: string | null }
  | { type: 'taken_over' }
  | { type: 'ack'; id: string; result?: string }
  | { type: 'error'; id?: string; code: string; message: string }
  | { type: 'pong'; id: string };
type TClientMessage =
  | { type: 'hello'; key: string }
  | { type: 'start'; consent: true; mode: TMode }
  | {
      type: 'answer';
      seq: number;
      clientId: string;
      text: string;
      mode: 'voice' | 'typed' | 'skipped';
      audioMs?: number;
      sinceEndMs?: number;
    }
  | { type: 'latency'; seq: number; ms: number }
  | { type: 'integrity'; signal: string; seq?: number; durationMs?: number; chars?: number }
  | { type: 'finish' };

type TPending = { seq: number; clientId: string; text: string; mode: 'voice' | 'typed'; audioMs?: number };

export type TRoom = {
  enter(mode: TMode): void;
  connect(): void;
  send(msg: TClientMessage): void;
  setLevel(level: number): void;
  micLost(): void;
};

export function initRoom(mic: Microphone, lobby: { readonly micOk: boolean }): TRoom {
  const speaker = new Speaker();
  const st = {
    inRoom: false,
    mode: 'voice' as TMode,
    current: null as TTurn | null,
    total: boot.questionCount,
    startedAt: null as number | null,
    endsAt: null as number | null,
    answering: false,
    listening: false,
    stopRecording: null as ((keep: boolean) => void) | null,
    spokenSeq: null as number | null,
    pendingLatency: null as { seq: number; at: number } | null,
    hiddenAt: null as number | null,
    retries: 0,
    clock: undefined as ReturnType<typeof setInterval> | undefined,
  };

  const activity = (text: string) => setText('activity', text);

  const socket = new RoomSocket<TServerMessage, TClientMessage>(PROTOCOL, {
    onOpen: () => socket.send({ type: 'hello', key: sessionKey }),
    onMessage: (msg) => onServer(msg),
    onDrop: () => activity('Connection lost. Reconnecting… your answers so far are saved.'),
  });
  const send = (msg: TClientMessage) => void socket.send(msg);

  const readPending = (): TPending | null =>
    JSON.parse(sessionStorage.getItem('panelist-pending') ?? 'null') as TPending | null;

  // ---------- drawing ----------

  const renderClock = () => {
    if (!st.startedAt || !st.endsAt) return;
    const now = serverNow();
    setText('clock', `${fmtClock(now - st.startedAt)} elapsed · ${fmtClock(st.endsAt - now)} left`);
  };

  const appendTurn = (kind: 'q' | 'a', text: string) => {
    const li = document.createElement('li');
    li.className = `turn ${kind}`;
    li.textContent = text;
    $('transcript').append(li);
  };

  const renderTranscript = (turns: TTurn[]) => {
    $('transcript').replaceChildren();
    for (const t of turns) {
      appendTurn('q', t.question);
      if (t.answerText !== null) appendTurn('a', t.answerText === '' ? '(skipped)' : t.answerText);
    }
  };

  const showQuestion = (turn: TTurn, number: number, total: number | null, greeting: string | null) => {
    st.current = turn;
    if (total) st.total = total;
    st.answering = false;
    setText('progress', `Question ${number} of ${st.total}${turn.isFollowUp ? ' (follow-up)' : ''}`);
    setText('question', turn.question);
    // The question is on screen already: the caption carries only the words around it (the greeting).
    setText('caption', greeting ?? '');
    show('caption', greeting !== null);
    $<HTMLTextAreaElement>('answer-text').value = '';
    activity('The interviewer is asking…');
    $('question').focus({ preventScroll: false });
  };

  const setMode = (mode: TMode) => {
    st.mode = mode === 'voice' && mic.hasAudio && boot.voiceAvailable ? 'voice' : 'typed';
    show('voice-answer', st.mode === 'voice');
    show('typed-answer', st.mode === 'typed');
    if (st.mode === 'typed') stopListening(false);
  };

  const enter = (mode: TMode) => {
    st.inRoom = true;
    show('lobby', false);
    show('room', true);
    if (mic.stream?.getVideoTracks().length) $<HTMLVideoElement>('self-view').srcObject = mic.stream;
    setMode(mode);
    clearInterval(st.clock);
    st.clock = setInterval(renderClock, 1000);
  };

  // ---------- the answer ----------

  const afterSpoken = () => {
    if (!st.current || st.answering) return;
    if (st.mode === 'voice') startListening();
    else {
      activity('Type your answer, then press "Send answer".');
      $('answer-text').focus();
    }
  };

  const startListening = () => {
    const stream = mic.stream;
    if (!stream || !mic.hasAudio || typeof MediaRecorder === 'undefined' || !st.current) {
      setMode('typed');
      afterSpoken();
      return;
    }
    const chunks: Blob[] = [];
    const recorder = new AnswerRecorder(stream, (c) => chunks.push(c));
    const seq = st.current.seq;
    const started = recorder.startedAt;
    let heardAt: number | null = null;
    let lastSound = performance.now();
    let silenceReported = false;
    st.listening = true;
    recorder.start(250);
    activity('Listening… answer when you are ready. Press "Done" when you have finished.');
    show('caption', false);
    const threshold = () => Number($<HTMLSelectElement>('thinking').value || 2500);
    const watch = setInterval(() => {
      const now = performance.now();
      if (mic.level() > SPEAKING_LEVEL) {
        lastSound = now;
        heardAt = heardAt ?? now;
      }
      if (heardAt !== null && now - lastSound > threshold()) stopListening(true);
      if (heardAt === null && !silenceReported && now - started > 60_000) {
        silenceReported = true;
        send({ type: 'integrity', signal: 'long_silence', seq, durationMs: now - started });
      }
      if (now - started > boot.maxAudioMs - 1000) stopListening(true);
    }, 100);
    st.stopRecording = (keep: boolean) => {
      st.stopRecording = null;
      clearInterval(watch);
      void recorder.stop().then(async () => {
        st.listening = false;
        const endedAt = performance.now();
        if (!keep) return;
        const blob = new Blob(chunks, { type: recorder.mimeType });
        await uploadAnswer(seq, blob, Math.max(0, Math.round(endedAt - started)), endedAt);
      });
    };
  };

  const stopListening = (keep: boolean) => st.stopRecording?.(keep);

  const uploadAnswer = async (seq: number, blob: Blob, audioMs: number, endedAt: number) => {
    st.answering = true;
    activity('Transcribing your answer…');
    try {
      const res = await fetch('/interview/audio', {
        method: 'POST',
        headers: {
          'content-type': blob.type.split(';')[0] ?? 'audio/webm',
          'x-session-key': sessionKey,
          'x-audio-duration-ms': String(audioMs),
        },
        body: blob,
      });
      const body = (await res.json().catch(() => ({}))) as { text?: string; message?: string };
      if (!res.ok) throw new Error(body.message ?? 'The answer could not be sent.');
      if (!body.text) {
        st.answering = false;
        setText('room-error', 'We did not catch anything. Please answer again, or press "Type instead".');
        startListening();
        return;
      }
      setText('room-error', '');
      sendAnswer(seq, body.text, 'voice', audioMs, endedAt);
    } catch (err) {
      st.answering = false;
      setText('room-error', `${(err as Error).message} You can also press "Type instead".`);
      activity('Your answer was not sent.');
      setTimeout(() => st.mode === 'voice' && !st.answering && startListening(), 2500);
    }
  };

  const sendAnswer = (
    seq: number,
    text: string,
    mode: 'voice' | 'typed',
    audioMs: number | undefined,
    endedAt: number,
  ) => {
    st.answering = true;
    const pending: TPending = { seq, clientId: uid(), text, mode, ...(audioMs ? { audioMs } : {}) };
    sessionStorage.setItem('panelist-pending', JSON.stringify(pending));
    st.pendingLatency = { seq, at: endedAt };
    appendTurn('a', text);
    activity('Thinking about your answer…');
    send({ type: 'answer', ...pending, sinceEndMs: Math.max(0, performance.now() - endedAt) });
  };

  // ---------- speech out ----------

  const speak = (msg: Extract<TServerMessage, { type: 'speech' }>) => {
    const seq = msg.seq;
    if (seq >= 0 && st.spokenSeq === seq) return;
    st.spokenSeq = seq;
    const handlers = {
      onStart: () => {
        if (st.pendingLatency && seq >= 0) {
          send({
            type: 'latency',
            seq: st.pendingLatency.seq,
            ms: performance.now() - st.pendingLatency.at,
          });
          st.pendingLatency = null;
        }
        activity('The interviewer is speaking…');
      },
      onEnd: () => {
        if (seq >= 0) afterSpoken();
      },
    };
    const text = msg.text ?? `${$('caption').textContent ?? ''} ${$('question').textContent ?? ''}`.trim();
    if (!msg.fallback && msg.audio) {
      const bytes = Uint8Array.from(atob(msg.audio), (c) => c.charCodeAt(0));
      speaker.playFile(bytes, msg.mime ?? 'audio/mpeg', text, handlers);
    } else {
      speaker.speakText(text, handlers);
    }
  };

  // ---------- the server ----------

  const retryPending = (): boolean => {
    // A server hiccup while saving an answer: the same answer (same client id, recorded once) again.
    const pending = readPending();
    if (!pending || pending.seq !== st.current?.seq || st.retries >= 3) return false;
    st.retries += 1;
    setTimeout(() => send({ type: 'answer', ...pending }), 1000 * st.retries);
    return true;
  };

  const onState = (s: TSnapshot) => {
    st.total = s.questionTotal;
    if (s.startedAt && s.endsAt) {
      st.startedAt = Date.parse(s.startedAt);
      st.endsAt = Date.parse(s.endsAt);
    }
    if (s.status === 'completed') return onCompleted(null);
    if (s.status !== 'in_progress') return;
    if (!st.inRoom) {
      const saved = sessionStorage.getItem('panelist-mode');
      enter(saved === 'voice' || saved === 'typed' ? saved : lobby.micOk ? 'voice' : 'typed');
    }
    renderTranscript(s.turns);
    if (s.current) {
      const pending = readPending();
      showQuestion(s.current, s.current.planIndex + 1, s.questionTotal, null);
      if (pending && pending.seq === s.current.seq) {
        // An answer that left before the connection dropped: same client id, recorded once.
        appendTurn('a', pending.text);
        st.answering = true;
        send({ type: 'answer', ...pending });
      } else if (st.spokenSeq === s.current.seq && !st.listening) {
        // Same question as before the reconnect, already spoken: no need to hear it again.
        afterSpoken();
      }
    }
    renderClock();
  };

  const onCompleted = (text: string | null) => {
    socket.stop();
    stopListening(false);
    sessionStorage.removeItem('panelist-pending');
    show('lobby', false);
    show('room', false);
    show('done-screen', true);
    if (text) {
      setText('done-text', text);
      st.spokenSeq = null;
    }
    $('done-screen').focus();
    for (const t of mic.stream?.getVideoTracks() ?? []) t.stop();
  };

  const onServer = (msg: TServerMessage) => {
    switch (msg.type) {
      case 'state':
        return onState(msg.state);
      case 'question':
        st.retries = 0;
        st.spokenSeq = null;
        sessionStorage.removeItem('panelist-pending');
        if (msg.remainingMs !== undefined) st.endsAt = serverNow() + msg.remainingMs;
        st.startedAt = st.startedAt ?? serverNow();
        appendTurn('q', msg.turn.question);
        return showQuestion(msg.turn, msg.number, msg.total, msg.greeting ?? null);
      case 'speech':
        if (msg.seq === -1 || msg.seq === st.current?.seq) speak(msg);
        return;
      case 'thinking':
        activity('Thinking about your answer…');
        return;
      case 'completed':
        return onCompleted(msg.text);
      case 'taken_over':
        socket.stop();
        stopListening(false);
        show('lobby', false);
        show('room', false);
        show('taken-over', true);
        return;
      case 'error':
        if (msg.code === 'invalid_link' || msg.code === 'rate_limited') {
          socket.stop();
          setText(st.inRoom ? 'room-error' : 'lobby-error', msg.message);
          return;
        }
        if ((msg.code === 'internal' || msg.code === 'unavailable') && retryPending()) {
          setText('room-error', 'Saving your answer is taking longer than usual. Trying again…');
          return;
        }
        st.answering = false;
        setText(st.inRoom ? 'room-error' : 'lobby-error', msg.message);
        if (st.inRoom && st.current) afterSpoken();
        return;
      default:
        return;
    }
  };

  // ---------- wiring ----------

  $('done').addEventListener('click', () => stopListening(true));
  $('switch-typed').addEventListener('click', () => {
    setMode('typed');
    afterSpoken();
  });
  $('switch-voice').addEventListener('click', () => {
    setMode('voice');
    if (st.mode === 'voice') afterSpoken();
    else
      setText(
        'room-error',
        boot.voiceAvailable
          ? 'Your microphone is not available. Reload the page to check it again.'
          : NO_STT_TEXT,
      );
  });
  $('typed-answer').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $<HTMLTextAreaElement>('answer-text').value.trim();
    if (!st.current || st.answering) return;
    if (!text) {
      setText('room-error', 'Type an answer first.');
      return;
    }
    setText('room-error', '');
    sendAnswer(st.current.seq, text, 'typed', undefined, performance.now());
  });
  $('answer-text').addEventListener('paste', (e) => {
    const chars = (e as ClipboardEvent).clipboardData?.getData('text')?.length ?? 0;
    send({ type: 'integrity', signal: 'paste', ...(st.current ? { seq: st.current.seq } : {}), chars });
  });
  const dialog = $<HTMLDialogElement>('end-confirm');
  $('end').addEventListener('click', () => dialog.showModal());
  $('end-no').addEventListener('click', () => dialog.close());
  $('end-yes').addEventListener('click', () => {
    dialog.close();
    stopListening(false);
    send({ type: 'finish' });
  });
  $('take-back').addEventListener('click', (e) => {
    e.preventDefault();
    location.reload();
  });
  document.addEventListener('visibilitychange', () => {
    if (!st.inRoom || socket.isStopped) return;
    if (document.hidden) st.hiddenAt = performance.now();
    else if (st.hiddenAt !== null) {
      send({
        type: 'integrity',
        signal: 'tab_hidden',
        ...(st.current ? { seq: st.current.seq } : {}),
        durationMs: performance.now() - st.hiddenAt,
      });
      st.hiddenAt = null;
    }
  });

  return {
    enter,
    connect: () => socket.connect(),
    send,
    setLevel: (level) => {
      $<HTMLMeterElement>('room-level').value = level;
    },
    micLost: () => {
      setText('room-error', 'Your microphone stopped. Reconnect it and reload, or continue by typing.');
      if (st.inRoom) setMode('typed');
    },
  };
}
