/**
 * The interview room (protocol v2, ../protocol.ts). The server owns the
 * interview: it decides when an answer has ended, transcribes it, chooses the
 * next question and speaks it. The room streams the microphone while the
 * candidate answers, plays the interviewer's speech as it arrives, stops it
 * when the candidate talks over it, and always says what is happening.
 */
import {
  decodeFrame,
  FLAG_LAST,
  FRAME_SPEECH,
  PROTOCOL_VERSION,
  RELOAD_MESSAGE,
  type TClientMessage,
  type TServerMessage,
  type TServerMessageOf,
  type TSnapshot,
  type TTurnView,
  type TVoiceAvailability,
} from '../protocol.js';
import {
  type Microphone,
  PCM_CHUNK_MS,
  SPEAKING_LEVEL,
  startChunks,
  type TAudioChunk,
  type TChunkSource,
} from './audio/capture.js';
import { Speaker } from './audio/playback.js';
import { AnswerUplink } from './audio/uplink.js';
import { boot, serverNow, sessionKey } from './boot.js';
import { $, fmtClock, setText, show, uid } from './dom.js';
import { NO_STT_TEXT, type TMode } from './lobby.js';
import { RoomSocket } from './socket.js';

/** What the client sends, before the socket adds `v` and `id`. */
type TOut = TClientMessage extends infer M ? (M extends { v: number } ? Omit<M, 'v' | 'id'> : never) : never;

/** Talking over the interviewer: louder than answering (the room's own speech may leak into the mic)… */
const BARGE_IN_LEVEL = SPEAKING_LEVEL * 2;
/** …for this long without a break, checked every 20 ms: the audio stops well inside 200 ms of the first word. */
const BARGE_IN_MS = 80;
/** Audio kept from just before listening starts, so the first syllable of a barge-in is not cut. */
const PREROLL_CHUNKS = 4;
/** Longer than this on one waiting status, and the room says what is happening and offers typing. */
const STALL_MS = 10_000;
/** A question whose speech has not started by then is answered from the text on screen. */
const SPEECH_WAIT_MS = 6_000;

/** Live captions show the latest words only: a long answer's caption must not push "Done" off a phone's screen. */
const CAPTION_CHARS = 180;

/** The end of `text`, at most CAPTION_CHARS, cut at a word and marked with "…". */
export function captionTail(text: string): string {
  if (text.length <= CAPTION_CHARS) return text;
  const tail = text.slice(text.length - CAPTION_CHARS);
  const space = tail.indexOf(' ');
  return `…${space >= 0 && space < 40 ? tail.slice(space + 1) : tail}`;
}

type TPendingTyped = { seq: number; clientId: string; text: string };
type TPhase = 'connecting' | 'asking' | 'speaking' | 'listening' | 'ending' | 'thinking' | 'typing' | 'done';

export type TRoom = {
  enter(mode: TMode): void;
  connect(): void;
  start(mode: TMode): void;
  setLevel(level: number): void;
  micLost(): void;
};

export function initRoom(
  mic: Microphone,
  lobby: { readonly micOk: boolean; setVoice(v: TVoiceAvailability): void },
): TRoom {
  const speaker = new Speaker(() => mic.audioContext);
  const st = {
    inRoom: false,
    mode: 'voice' as TMode,
    phase: 'connecting' as TPhase,
    current: null as TTurnView | null,
    total: boot.questionCount,
    startedAt: null as number | null,
    endsAt: null as number | null,
    voice: { answers: boot.voiceAvailable, speech: true } as TVoiceAvailability,
    capture: null as TChunkSource | null,
    capturing: null as Promise<TChunkSource | null> | null,
    uplink: null as AnswerUplink | null,
    listening: false,
    /** Answers the server has ended (turn_end) or a typed answer was sent for. */
    answered: new Set<number>(),
    /** The question whose speech has played (or was talked over). */
    heardSeq: null as number | null,
    /** Speech now playing: its turn. */
    speakingSeq: null as number | null,
    preroll: [] as TAudioChunk[],
    lastVoicedAt: null as number | null,
    turnEnd: null as { seq: number; at: number } | null,
    captions: [] as string[],
    replyText: new Map<number, string>(),
    statusAt: performance.now(),
    stallShown: false,
    speechWait: undefined as ReturnType<typeof setTimeout> | undefined,
    clock: undefined as ReturnType<typeof setInterval> | undefined,
    hiddenAt: null as number | null,
    retries: 0,
    pauseMs: Number(sessionStorage.getItem('panelist-pause') ?? 0) || null,
  };

  // ---------- the socket ----------

  const socket = new RoomSocket<TServerMessage, TOut>(PROTOCOL_VERSION, {
    onOpen: () => socket.send({ type: 'hello', key: sessionKey }),
    onMessage: (msg) => onServer(msg),
    onBinary: (data) => onFrame(new Uint8Array(data)),
    onDrop: () => {
      st.uplink?.close();
      if (st.phase === 'done') return;
      activity(
        st.listening
          ? 'Connection lost. Reconnecting… keep talking: your answer is kept and sent when the line is back.'
          : 'Connection lost. Reconnecting… your answers so far are saved.',
        'connecting',
      );
    },
  });
  const send = (msg: TOut) => void socket.send(msg);
  const sendFrame = (frame: Uint8Array<ArrayBuffer>) => socket.sendBinary(frame);

  // ---------- drawing ----------

  /** Shows what is happening now; the stall watchdog measures from here. */
  function activity(text: string, phase?: TPhase): void {
    if (phase) {
      st.phase = phase;
      // "Done" means something only while the candidate is answering.
      $<HTMLButtonElement>('done').disabled = phase !== 'listening';
    }
    setText('activity', text);
    st.statusAt = performance.now();
    if (st.stallShown) {
      st.stallShown = false;
      show('stall', false);
    }
  }

  const renderClock = () => {
    if (!st.startedAt || !st.endsAt) return;
    const now = serverNow();
    setText('clock', `${fmtClock(now - st.startedAt)} elapsed · ${fmtClock(st.endsAt - now)} left`);
  };

  const answerItem = (seq: number): HTMLLIElement => {
    const list = $('transcript');
    let li = list.querySelector<HTMLLIElement>(`li.a[data-seq="${seq}"]`);
    if (!li) {
      li = document.createElement('li');
      li.className = 'turn a';
      li.dataset.seq = String(seq);
      list.append(li);
    }
    return li;
  };

  const setAnswerText = (seq: number, text: string, pending: boolean) => {
    const li = answerItem(seq);
    li.textContent =
      text === '' && pending
        ? 'Your spoken answer is saved; its text will follow.'
        : `${text === '' ? '(skipped)' : text}${pending ? ' … (the rest is being turned into text)' : ''}`;
    li.classList.toggle('pending', pending);
  };

  const appendQuestion = (turn: TTurnView) => {
    const list = $('transcript');
    if (list.querySelector(`li.q[data-seq="${turn.seq}"]`)) return;
    const li = document.createElement('li');
    li.className = 'turn q';
    li.dataset.seq = String(turn.seq);
    li.textContent = turn.question;
    list.append(li);
  };

  const renderTranscript = (turns: TTurnView[]) => {
    $('transcript').replaceChildren();
    for (const t of turns) {
      appendQuestion(t);
      if (t.answerText !== null || t.transcriptPending) {
        setAnswerText(t.seq, t.answerText ?? '', t.transcriptPending === true);
        st.answered.add(t.seq);
      }
    }
  };

  const renderCaptions = () => {
    const text = st.captions.filter(Boolean).join(' ');
    setText('live-caption', captionTail(text));
    show('live-caption', text !== '');
  };

  /** The interviewer's words beyond the question on screen (the greeting, a bridge sentence). */
  const setSpokenCaption = (spoken: string) => {
    const q = st.current?.question ?? '';
    const extra = spoken.endsWith(q) ? spoken.slice(0, spoken.length - q.length).trim() : spoken;
    setText('caption', extra === q ? '' : extra);
    show('caption', extra !== '' && extra !== q);
  };

  const showQuestion = (turn: TTurnView, number: number, total: number | null, greeting: string | null) => {
    st.current = turn;
    if (total) st.total = total;
    st.captions = [];
    renderCaptions();
    setText('progress', `Question ${number} of ${st.total}${turn.isFollowUp ? ' (follow-up)' : ''}`);
    setText('question', turn.question);
    setSpokenCaption(greeting ? `${greeting} ${turn.question}` : turn.question);
    $<HTMLTextAreaElement>('answer-text').value = '';
    appendQuestion(turn);
    $('question').focus({ preventScroll: true });
  };

  const setMode = (mode: TMode) => {
    st.mode = mode === 'voice' && mic.hasAudio && st.voice.answers ? 'voice' : 'typed';
    show('voice-answer', st.mode === 'voice');
    show('typed-answer', st.mode === 'typed');
    if (st.mode === 'typed') cancelListening();
    else void ensureCapture();
  };

  const enter = (mode: TMode) => {
    st.inRoom = true;
    show('lobby', false);
    show('room', true);
    if (mic.stream?.getVideoTracks().length) $<HTMLVideoElement>('self-view').srcObject = mic.stream;
    setMode(mode);
    if (st.pauseMs) $<HTMLSelectElement>('thinking').value = String(st.pauseMs);
    clearInterval(st.clock);
    st.clock = setInterval(() => {
      renderClock();
      watchStall();
    }, 1000);
    if (mic.audioContext.state === 'suspended') {
      // After a reload the browser wants a click before it plays sound or hears the microphone.
      show('resume-audio', true);
    }
  };

  // ---------- the microphone ----------

  const onChunk = (chunk: TAudioChunk) => {
    const voiced = chunk.rms > SPEAKING_LEVEL;
    if (st.listening && st.uplink) {
      st.uplink.push(chunk, voiced);
      if (voiced) st.lastVoicedAt = performance.now();
      return;
    }
    st.preroll.push(chunk);
    if (st.preroll.length > PREROLL_CHUNKS) st.preroll.shift();
  };

  const isContinuous = (source: TChunkSource | null) => source?.mime.startsWith('audio/pcm') === true;

  /** Starts cutting the microphone into chunks (once; MediaRecorder sources restart per answer). */
  let captureGen = 0;
  const ensureCapture = (): Promise<TChunkSource | null> => {
    if (st.capturing) return st.capturing;
    // A stopped MediaRecorder still hands over its last chunk: only the current source's chunks count.
    const gen = ++captureGen;
    st.capturing = startChunks(mic, (chunk) => {
      if (gen === captureGen) onChunk(chunk);
    }).then(
      (source) => {
        st.capture = source;
        return source;
      },
      () => {
        st.capturing = null;
        return null;
      },
    );
    return st.capturing;
  };

  // Barge-in: watched on the analyser every 20 ms (finer than the 100 ms chunks).
  let loudMs = 0;
  setInterval(() => {
    if (!st.inRoom || st.mode !== 'voice' || st.listening || !speaker.isAudible || st.speakingSeq === null) {
      loudMs = 0;
      return;
    }
    if (mic.level() > BARGE_IN_LEVEL) loudMs += 20;
    else loudMs = 0;
    if (loudMs >= BARGE_IN_MS) bargeIn(performance.now() - loudMs);
  }, 20);

  const bargeIn = (onsetAt: number) => {
    const seq = st.speakingSeq;
    if (seq === null) return;
    const playedMs = speaker.playedMs;
    speaker.stop();
    const stoppedAt = performance.now();
    performance.mark('panelist:barge-in', { detail: { seq, onsetAt, stoppedAt, playedMs } });
    send({ type: 'barge_in', seq, playedMs: Math.max(0, playedMs) });
    setText('barge-note', 'The interviewer stopped because you started speaking. Go ahead.');
    show('barge-note', true);
    if (seq === st.current?.seq) {
      st.heardSeq = seq;
      void startListening(seq);
    }
  };

  // ---------- the answer ----------

  const afterSpoken = (seq: number) => {
    if (seq !== st.current?.seq || st.answered.has(seq) || st.phase === 'done') return;
    st.heardSeq = seq;
    if (st.mode === 'voice') void startListening(seq);
    else {
      activity('Type your answer, then press "Send answer".', 'typing');
      $('answer-text').focus();
    }
  };

  const startListening = async (seq: number) => {
    if (st.answered.has(seq) || st.mode !== 'voice') return;
    if (st.uplink?.seq === seq && st.listening) return;
    const source = isContinuous(st.capture) ? st.capture : await restartRecorder();
    if (!source) {
      setMode('typed');
      setText('room-error', 'Your microphone could not be started. Please type your answer.');
      afterSpoken(seq);
      return;
    }
    if (st.answered.has(seq) || st.mode !== 'voice' || seq !== st.current?.seq) return;
    if (st.uplink?.seq !== seq) {
      st.uplink = new AnswerUplink(seq, source.mime, sendFrame);
      send({ type: 'audio_start', seq, mime: source.mime });
      st.listening = true;
      // PCM only: MediaRecorder's earlier chunks belong to another recording (its file starts at chunk 0).
      if (isContinuous(source)) for (const chunk of st.preroll) onChunk(chunk);
    } else {
      st.listening = true;
    }
    st.preroll = [];
    st.captions = [];
    renderCaptions();
    // The interviewer has finished: their words stay on screen, the greeting gives way to the answer.
    show('caption', false);
    activity('Listening… answer when you are ready. Press "Done" when you have finished.', 'listening');
  };

  const restartRecorder = async (): Promise<TChunkSource | null> => {
    // MediaRecorder chunks only make a file from the recorder's first chunk on: one recorder per answer.
    if (st.capture && !isContinuous(st.capture)) st.capture.stop();
    st.capture = null;
    st.capturing = null;
    return ensureCapture();
  };

  const finishRecording = () => {
    st.listening = false;
    if (st.capture && !isContinuous(st.capture)) {
      st.capture.stop();
      st.capture = null;
      st.capturing = null;
    }
  };

  const done = () => {
    const up = st.uplink;
    if (!up || !st.listening || st.answered.has(up.seq)) return;
    finishRecording();
    send({ type: 'audio_end', seq: up.seq, lastIndex: up.lastIndex, reason: 'done' });
    activity('Finishing your answer…', 'ending');
  };

  /** Typing instead, or leaving: the server drops the audio of this answer. */
  const cancelListening = () => {
    const up = st.uplink;
    if (!up || st.answered.has(up.seq)) return;
    finishRecording();
    send({ type: 'audio_end', seq: up.seq, lastIndex: up.lastIndex, reason: 'cancel' });
    st.uplink = null;
  };

  const readPendingTyped = (): TPendingTyped | null =>
    JSON.parse(sessionStorage.getItem('panelist-pending') ?? 'null') as TPendingTyped | null;

  const sendTyped = (pending: TPendingTyped) =>
    send({ type: 'answer', seq: pending.seq, clientId: pending.clientId, text: pending.text, mode: 'typed' });

  // ---------- the interviewer's speech ----------

  const onSpeechStart = (m: TServerMessageOf<'speech_start'>) => {
    const current = st.current?.seq ?? -1;
    if (st.phase !== 'done' && m.seq < current) return;
    clearTimeout(st.speechWait);
    if (m.seq === current) setSpokenCaption(m.text);
    st.speakingSeq = m.seq;
    show('barge-note', false);
    speaker.begin(m.stream, m.mime, m.text, speechHandlers(m.seq));
  };

  const speechHandlers = (seq: number) => ({
    onStart: () => {
      const now = performance.now();
      if (st.turnEnd && st.turnEnd.seq < seq) {
        const sinceTurnEndMs = Math.round(now - st.turnEnd.at);
        send({ type: 'latency', seq: st.turnEnd.seq, mark: 'first_audio_played', sinceTurnEndMs });
        performance.mark('panelist:first-audio', {
          detail: { seq, answered: st.turnEnd.seq, sinceTurnEndMs },
        });
        st.turnEnd = null;
      }
      if (st.phase !== 'done') activity('The interviewer is speaking…', 'speaking');
    },
    onEnd: (stopped: boolean) => {
      if (st.speakingSeq === seq) st.speakingSeq = null;
      if (!stopped) afterSpoken(seq);
    },
  });

  const onFrame = (bytes: Uint8Array) => {
    const frame = decodeFrame(bytes);
    if (!frame || frame.kind !== FRAME_SPEECH) return;
    // Copy out of the socket's buffer: MediaSource and Web Audio keep what they are given.
    speaker.push(frame.ms, frame.payload.slice() as Uint8Array<ArrayBuffer>);
    if (frame.flags & FLAG_LAST) speaker.end(frame.ms);
  };

  const waitForSpeech = (seq: number) => {
    clearTimeout(st.speechWait);
    st.speechWait = setTimeout(() => {
      if (st.current?.seq === seq && st.heardSeq !== seq && !speaker.isActive) afterSpoken(seq);
    }, SPEECH_WAIT_MS);
  };

  // ---------- the server ----------

  const onState = (m: TServerMessageOf<'state'>) => {
    const s: TSnapshot = m.state;
    st.voice = boot.typedAnswersOnly ? { ...m.voice, answers: false } : m.voice;
    lobby.setVoice(m.voice);
    if (!st.pauseMs) $<HTMLSelectElement>('thinking').value = String(m.pauseMs);
    else if (st.pauseMs !== m.pauseMs) send({ type: 'settings', pauseMs: st.pauseMs });
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
    } else if (st.mode === 'voice' && !m.voice.answers) {
      setMode('typed');
      setText('room-error', m.voice.message ?? NO_STT_TEXT);
    }
    renderTranscript(s.turns);
    renderClock();
    const cur = s.current;
    if (!cur) {
      activity('Thinking about your answer…', 'thinking');
      return;
    }
    const sameQuestion = st.current?.seq === cur.seq;
    showQuestion(cur, cur.planIndex + 1, s.questionTotal, null);
    const typed = readPendingTyped();
    if (typed && typed.seq === cur.seq) {
      // A typed answer that left before the line dropped: same client id, recorded once.
      setAnswerText(cur.seq, typed.text, false);
      st.answered.add(cur.seq);
      sendTyped(typed);
      activity('Thinking about your answer…', 'thinking');
      return;
    }
    if (st.answered.has(cur.seq)) {
      activity('Thinking about your answer…', 'thinking');
      return;
    }
    const resume = m.resume && m.resume.seq === cur.seq ? m.resume : null;
    const up = st.uplink;
    if (up && up.seq === cur.seq) {
      // Back after a drop, to this process or another: resend what the server does not have.
      // The frames go out again once the server answers audio_start with what it holds (audio_ack).
      if (resume) up.ack(resume.upTo);
      up.close();
      send({ type: 'audio_start', seq: up.seq, mime: up.mime });
      if (st.listening)
        activity('Listening… answer when you are ready. Press "Done" when you have finished.', 'listening');
      else activity('Finishing your answer…', 'ending');
      return;
    }
    if (resume && st.mode === 'voice') {
      // A reload in the middle of an answer: the server holds the first part; carry on after it.
      st.heardSeq = cur.seq;
      void ensureCapture().then((source) => {
        if (!source || source.mime !== resume.mime || st.answered.has(cur.seq)) return afterSpoken(cur.seq);
        st.uplink = new AnswerUplink(cur.seq, source.mime, sendFrame, {
          upTo: resume.upTo,
          audioMs: (resume.upTo + 1) * PCM_CHUNK_MS,
        });
        send({ type: 'audio_start', seq: cur.seq, mime: source.mime });
        st.listening = true;
        activity('Listening… carry on with your answer. Press "Done" when you have finished.', 'listening');
      });
      return;
    }
    if (sameQuestion && st.heardSeq === cur.seq) {
      // The same question as before the drop, already heard: no need to hear it again.
      afterSpoken(cur.seq);
      return;
    }
    activity('The interviewer is asking…', 'asking');
    waitForSpeech(cur.seq);
  };

  const onCompleted = (text: string | null) => {
    st.phase = 'done';
    finishRecording();
    st.capture?.stop();
    socket.stopAfter(5000);
    sessionStorage.removeItem('panelist-pending');
    show('lobby', false);
    show('room', false);
    show('done-screen', true);
    if (text) setText('done-text', text);
    $('done-screen').focus();
    for (const t of mic.stream?.getVideoTracks() ?? []) t.stop();
  };

  const onServer = (msg: TServerMessage) => {
    switch (msg.type) {
      case 'state':
        return onState(msg);
      case 'question': {
        st.retries = 0;
        sessionStorage.removeItem('panelist-pending');
        st.replyText.delete(msg.turn.seq);
        st.endsAt = serverNow() + msg.remainingMs;
        st.startedAt = st.startedAt ?? serverNow();
        showQuestion(msg.turn, msg.number, msg.total, msg.greeting ?? null);
        if (st.speakingSeq === msg.turn.seq) return;
        activity('The interviewer is asking…', 'asking');
        waitForSpeech(msg.turn.seq);
        return;
      }
      case 'reply_text': {
        // A follow-up question as the model writes it: shown before its speech starts.
        const text = (st.replyText.get(msg.seq) ?? '') + msg.delta;
        st.replyText.set(msg.seq, text);
        if (msg.seq > (st.current?.seq ?? -1)) setText('question', text);
        return;
      }
      case 'speech_start':
        return onSpeechStart(msg);
      case 'speech_end':
        speaker.end(msg.stream);
        return;
      case 'speech_fallback': {
        if (st.phase !== 'done' && msg.seq < (st.current?.seq ?? -1)) return;
        clearTimeout(st.speechWait);
        st.speakingSeq = msg.seq;
        setText('speech-note', 'The interviewer’s voice is unavailable, so your browser reads the question.');
        show('speech-note', true);
        speaker.speakText(msg.text, speechHandlers(msg.seq));
        return;
      }
      case 'audio_ack': {
        const up = st.uplink;
        if (up?.seq !== msg.seq) return;
        if (up.isOpen) up.ack(msg.upTo);
        else up.opened(msg.upTo);
        return;
      }
      case 'caption':
        if (msg.seq !== st.current?.seq || st.answered.has(msg.seq)) return;
        st.captions[msg.piece] = msg.text;
        renderCaptions();
        return;
      case 'turn_end': {
        st.answered.add(msg.seq);
        if (st.uplink?.seq === msg.seq) finishRecording();
        const now = performance.now();
        st.turnEnd = { seq: msg.seq, at: now };
        performance.mark('panelist:turn-end', {
          detail: { seq: msg.seq, reason: msg.reason, lastVoicedAt: st.lastVoicedAt },
        });
        st.lastVoicedAt = null;
        st.captions = [];
        renderCaptions();
        setAnswerText(msg.seq, msg.text, false);
        activity(
          msg.reason === 'typed' ? 'Thinking about your answer…' : 'Got it. Thinking about your answer…',
          'thinking',
        );
        return;
      }
      case 'status':
        activity(msg.message);
        if (msg.phase === 'delayed') showStall(msg.message);
        return;
      case 'transcription_pending':
        setAnswerText(msg.seq, answerItem(msg.seq).textContent?.replace(/ … \(the rest.*$/, '') ?? '', true);
        setText('room-note', msg.message);
        show('room-note', true);
        return;
      case 'answer_text':
        setAnswerText(msg.seq, msg.text, msg.pending);
        if (!msg.pending) show('room-note', false);
        return;
      case 'barge_in_ok':
        setText('barge-note', msg.message);
        show('barge-note', true);
        return;
      case 'prompt':
        setText('caption', msg.text);
        show('caption', true);
        return;
      case 'completed':
        return onCompleted(msg.text);
      case 'taken_over':
        st.phase = 'done';
        socket.stop();
        cancelListening();
        speaker.stop();
        show('lobby', false);
        show('room', false);
        show('taken-over', true);
        return;
      case 'ack':
        return;
      case 'error':
        return onError(msg);
      default:
        return;
    }
  };

  const onError = (msg: TServerMessageOf<'error'>) => {
    if (msg.code === 'audio_not_started') {
      // The server does not have this answer open (it restarted, or our audio_start is still on its way):
      // open it again; every frame it has not acknowledged goes again once it has.
      const up = st.uplink;
      if (up?.isOpen && !st.answered.has(up.seq)) {
        up.close();
        send({ type: 'audio_start', seq: up.seq, mime: up.mime });
      }
      return;
    }
    if (msg.code === 'stale') return;
    if (msg.code === 'reload') {
      socket.stop();
      speaker.stop();
      finishRecording();
      setText('reload-text', msg.message || RELOAD_MESSAGE);
      show('lobby', false);
      show('room', false);
      show('reload-notice', true);
      $('reload-notice').focus();
      return;
    }
    if (msg.code === 'invalid_link' || msg.code === 'rate_limited') {
      socket.stop();
      setText(st.inRoom ? 'room-error' : 'lobby-error', msg.message);
      return;
    }
    const typed = readPendingTyped();
    if (
      (msg.code === 'internal' || msg.code === 'unavailable') &&
      typed &&
      typed.seq === st.current?.seq &&
      st.retries < 3
    ) {
      // A server hiccup while saving a typed answer: the same answer again (same client id, recorded once).
      st.retries += 1;
      setTimeout(() => sendTyped(typed), 1000 * st.retries);
      setText('room-error', 'Saving your answer is taking longer than usual. Trying again…');
      return;
    }
    setText(st.inRoom ? 'room-error' : 'lobby-error', msg.message);
  };

  // ---------- never a silent wait ----------

  const WAITING: Record<TPhase, string | null> = {
    connecting: 'We are still reconnecting. Everything you said so far is kept.',
    asking: 'The next question is taking longer than usual; it is shown above.',
    ending:
      'Your answer is taking longer than usual to finish: we have your audio, there is no need to repeat it.',
    thinking: 'Choosing the next question is taking longer than usual. Your answer is saved.',
    speaking: null,
    listening: null,
    typing: null,
    done: null,
  };

  function showStall(text: string): void {
    st.stallShown = true;
    setText('stall-text', `${text} You can also type your answers instead.`);
    show('stall', st.mode === 'voice');
  }

  function watchStall(): void {
    const what = WAITING[st.phase];
    if (!st.inRoom || !what || st.stallShown || performance.now() - st.statusAt < STALL_MS) return;
    setText('activity', what);
    showStall(what);
  }

  // ---------- wiring ----------

  const switchToTyped = () => {
    setMode('typed');
    show('stall', false);
    const cur = st.current;
    if (cur && !st.answered.has(cur.seq)) {
      speaker.stop();
      afterSpoken(cur.seq);
    }
  };

  $('done').addEventListener('click', done);
  $('switch-typed').addEventListener('click', switchToTyped);
  $('stall-typed').addEventListener('click', switchToTyped);
  $('switch-voice').addEventListener('click', () => {
    setMode('voice');
    if (st.mode === 'voice') {
      setText('room-error', '');
      if (st.current) afterSpoken(st.current.seq);
    } else {
      setText(
        'room-error',
        !st.voice.answers
          ? (st.voice.message ?? NO_STT_TEXT)
          : 'Your microphone is not available. Reload the page to check it again.',
      );
    }
  });
  $<HTMLSelectElement>('thinking').addEventListener('change', (e) => {
    const pauseMs = Number((e.target as HTMLSelectElement).value);
    st.pauseMs = pauseMs;
    sessionStorage.setItem('panelist-pause', String(pauseMs));
    send({ type: 'settings', pauseMs });
  });
  $('typed-answer').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $<HTMLTextAreaElement>('answer-text').value.trim();
    const cur = st.current;
    if (!cur || st.answered.has(cur.seq)) return;
    if (!text) {
      setText('room-error', 'Type an answer first.');
      return;
    }
    setText('room-error', '');
    const pending: TPendingTyped = { seq: cur.seq, clientId: uid(), text };
    sessionStorage.setItem('panelist-pending', JSON.stringify(pending));
    st.answered.add(cur.seq);
    setAnswerText(cur.seq, text, false);
    activity('Thinking about your answer…', 'thinking');
    sendTyped(pending);
  });
  $('answer-text').addEventListener('paste', (e) => {
    const chars = (e as ClipboardEvent).clipboardData?.getData('text')?.length ?? 0;
    send({ type: 'integrity', signal: 'paste', ...(st.current ? { seq: st.current.seq } : {}), chars });
  });
  $('resume-audio').addEventListener('click', () => {
    void mic.audioContext.resume();
    show('resume-audio', false);
  });
  $('reload').addEventListener('click', () => location.reload());
  const dialog = $<HTMLDialogElement>('end-confirm');
  $('end').addEventListener('click', () => dialog.showModal());
  $('end-no').addEventListener('click', () => dialog.close());
  $('end-yes').addEventListener('click', () => {
    dialog.close();
    cancelListening();
    speaker.stop();
    send({ type: 'finish' });
  });
  $('take-back').addEventListener('click', (e) => {
    e.preventDefault();
    location.reload();
  });
  document.addEventListener('visibilitychange', () => {
    if (!st.inRoom || st.phase === 'done') return;
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
    start: (mode) => {
      enter(mode);
      activity('Starting…', 'asking');
      send({ type: 'start', consent: true, mode });
    },
    setLevel: (level) => {
      $<HTMLMeterElement>('room-level').value = level;
    },
    micLost: () => {
      setText('room-error', 'Your microphone stopped. Reconnect it and reload, or continue by typing.');
      if (st.inRoom) switchToTyped();
    },
  };
}
