// The candidate's lobby and interview room. Plain browser JavaScript (no build
// step); the server is the source of truth and this file only draws what the
// interview WebSocket (protocol v1, see src/portal/interview-socket.ts) says.

const PROTOCOL = 1;
const $ = (id) => document.getElementById(id);
const boot = JSON.parse($('boot')?.textContent ?? '{}');
const sessionKey = new URLSearchParams(location.search).get('session_key') ?? '';
// The server's clock decides; this offset keeps the page's countdowns in step with it.
const clockOffset = Date.parse(boot.serverNow) - Date.now();
const serverNow = () => Date.now() + clockOffset;

const state = {
  ws: null,
  connected: false,
  closedForGood: false,
  reconnectDelay: 500,
  stream: null,
  audioCtx: null,
  analyser: null,
  micOk: false,
  mode: 'voice',
  inRoom: false,
  snapshot: null,
  current: null,
  startedAt: null,
  endsAt: null,
  total: boot.questionCount ?? 0,
  number: 1,
  pendingLatency: null,
  recorder: null,
  listening: false,
  answering: false,
  hiddenAt: null,
  spokenSeq: null,
};

// ---------- small helpers ----------

function uid() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

function setText(id, text) {
  const el = $(id);
  if (el) el.textContent = text;
}

function show(id, visible) {
  const el = $(id);
  if (el) el.hidden = !visible;
}

function activity(text) {
  setText('activity', text);
}

function fmtClock(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function fmtLocalTime(iso) {
  try {
    return new Intl.DateTimeFormat(undefined, { timeStyle: 'short', timeZone: boot.timeZone }).format(
      new Date(iso),
    );
  } catch {
    return new Date(iso).toLocaleTimeString();
  }
}

// ---------- system check ----------

const DEVICE_HELP = {
  NotAllowedError:
    'Access was blocked. Click the camera icon in the address bar, allow the camera and microphone, then press "Check" again.',
  SecurityError:
    'Your browser blocked the camera and microphone on this page. Allow them in the site settings.',
  NotFoundError: 'No device was found. Connect a camera or microphone, then press "Check" again.',
  NotReadableError:
    'The device is busy. Close other apps that use it (video calls, recorders), then press "Check" again.',
  OverconstrainedError: 'The device does not support the settings needed. Try another one.',
  AbortError: 'The device stopped unexpectedly. Unplug it and plug it in again, then press "Check" again.',
};

function deviceMessage(err) {
  return DEVICE_HELP[err?.name] ?? 'The device could not be started. Reload the page and try again.';
}

const AUDIO_CONSTRAINTS = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

async function runCheck() {
  setText('camera-status', 'Checking camera…');
  setText('mic-status', 'Checking microphone…');
  if (!navigator.mediaDevices?.getUserMedia) {
    setText(
      'camera-status',
      'This browser cannot use a camera here. Use a current Chrome, Edge, Firefox or Safari.',
    );
    setText('mic-status', 'No microphone access in this browser. You can answer by typing.');
    return;
  }
  let video = null;
  let audio = null;
  try {
    video = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
    $('camera').srcObject = video;
    setText('camera-status', 'Camera working');
    $('camera-status').className = 'status ok';
  } catch (err) {
    setText('camera-status', `Camera: ${deviceMessage(err)} You can still take the interview without video.`);
    $('camera-status').className = 'status bad';
  }
  try {
    audio = await navigator.mediaDevices.getUserMedia({ audio: AUDIO_CONSTRAINTS });
    setText('mic-status', 'Say something: the bar should move.');
    $('mic-status').className = 'status';
    attachMeter(audio);
  } catch (err) {
    state.micOk = false;
    setText('mic-status', `Microphone: ${deviceMessage(err)} Or choose "By typing" below.`);
    $('mic-status').className = 'status bad';
  }
  $('run-check').className = 'secondary';
  $('run-check').textContent = 'Check again';
  state.stream = new MediaStream([...(video?.getTracks() ?? []), ...(audio?.getTracks() ?? [])]);
  for (const track of state.stream.getTracks()) {
    // A device unplugged mid-interview: say so, and keep going by typing.
    track.addEventListener('ended', () => {
      if (track.kind === 'audio') {
        state.micOk = false;
        setText('room-error', 'Your microphone stopped. Reconnect it and reload, or continue by typing.');
        if (state.inRoom) setMode('typed');
      }
    });
  }
  updateStart();
}

function attachMeter(stream) {
  state.audioCtx = state.audioCtx ?? new AudioContext();
  const source = state.audioCtx.createMediaStreamSource(stream);
  const analyser = state.audioCtx.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  state.analyser = analyser;
  const buf = new Float32Array(analyser.fftSize);
  const tick = () => {
    analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const x of buf) sum += x * x;
    const level = Math.min(1, Math.sqrt(sum / buf.length) * 4);
    $('mic-level').value = level;
    $('room-level').value = level;
    if (!state.micOk && level > 0.04) {
      state.micOk = true;
      setText('mic-status', 'Microphone working: we can hear you');
      $('mic-status').className = 'status ok';
      updateStart();
    }
    requestAnimationFrame(tick);
  };
  tick();
}

function micLevel() {
  if (!state.analyser) return 0;
  const buf = new Float32Array(state.analyser.fftSize);
  state.analyser.getFloatTimeDomainData(buf);
  let sum = 0;
  for (const x of buf) sum += x * x;
  return Math.sqrt(sum / buf.length);
}

function speakerTest() {
  try {
    state.audioCtx = state.audioCtx ?? new AudioContext();
    const osc = state.audioCtx.createOscillator();
    const gain = state.audioCtx.createGain();
    gain.gain.value = 0.15;
    osc.frequency.value = 523;
    osc.connect(gain).connect(state.audioCtx.destination);
    osc.start();
    osc.stop(state.audioCtx.currentTime + 1);
    setText('speaker-status', 'Playing a short tone… did you hear it?');
    show('speaker-confirm', true);
  } catch {
    setText('speaker-status', 'Sound could not be played. Questions are also shown as text, with captions.');
  }
}

// ---------- lobby ----------

function selectedMode() {
  return document.querySelector('input[name="mode"]:checked')?.value ?? 'voice';
}

function canJoinNow() {
  return serverNow() >= Date.parse(boot.joinOpensAt) && serverNow() < Date.parse(boot.closesAt);
}

function updateStart() {
  const consent = $('consent')?.checked === true;
  const joinable = canJoinNow();
  $('start').disabled = !(consent && joinable);
  if (!joinable && serverNow() < Date.parse(boot.joinOpensAt)) {
    setText(
      'join-hint',
      `You can begin from ${fmtLocalTime(boot.joinOpensAt)}. Use the time to check your setup.`,
    );
  } else {
    setText('join-hint', '');
  }
}

function startInterview() {
  const mode = selectedMode();
  if (mode === 'voice' && !state.micOk) {
    setText(
      'lobby-error',
      'We could not hear your microphone yet. Press "Check camera and microphone" (or "Check again") and say something, or choose "By typing".',
    );
    return;
  }
  if (mode === 'voice' && !boot.voiceAvailable) {
    setText('lobby-error', 'Spoken answers are not available today, so please answer by typing.');
    $('lobby').querySelector('input[value="typed"]').checked = true;
    return;
  }
  setText('lobby-error', '');
  sessionStorage.setItem('panelist-mode', mode);
  enterRoom(mode);
  send({ type: 'start', consent: true, mode });
}

// ---------- room ----------

function enterRoom(mode) {
  state.inRoom = true;
  show('lobby', false);
  show('room', true);
  if (state.stream?.getVideoTracks().length) $('self-view').srcObject = state.stream;
  setMode(mode);
  setInterval(renderClock, 1000);
}

function setMode(mode) {
  const hasMic = (state.stream?.getAudioTracks().length ?? 0) > 0;
  state.mode = mode === 'voice' && hasMic && boot.voiceAvailable ? 'voice' : 'typed';
  show('voice-answer', state.mode === 'voice');
  show('typed-answer', state.mode === 'typed');
  if (state.mode === 'typed') stopListening(false);
}

function renderClock() {
  if (!state.startedAt || !state.endsAt) return;
  const now = serverNow();
  setText('clock', `${fmtClock(now - state.startedAt)} elapsed · ${fmtClock(state.endsAt - now)} left`);
}

function renderTranscript(turns) {
  const list = $('transcript');
  list.replaceChildren();
  for (const t of turns) {
    const q = document.createElement('li');
    q.className = 'turn q';
    q.textContent = t.question;
    list.append(q);
    if (t.answerText !== null) {
      const a = document.createElement('li');
      a.className = 'turn a';
      a.textContent = t.answerText === '' ? '(skipped)' : t.answerText;
      list.append(a);
    }
  }
}

function appendAnswer(text) {
  const a = document.createElement('li');
  a.className = 'turn a';
  a.textContent = text;
  $('transcript').append(a);
}

function appendQuestion(text) {
  const q = document.createElement('li');
  q.className = 'turn q';
  q.textContent = text;
  $('transcript').append(q);
}

function showQuestion(turn, number, total, greeting) {
  state.current = turn;
  state.number = number;
  if (total) state.total = total;
  state.answering = false;
  setText('progress', `Question ${number} of ${state.total}${turn.isFollowUp ? ' (follow-up)' : ''}`);
  setText('question', turn.question);
  setText('caption', greeting ? `${greeting} ${turn.question}` : turn.question);
  $('answer-text').value = '';
  activity('The interviewer is asking…');
  $('question').focus({ preventScroll: false });
}

function afterSpoken() {
  if (!state.current || state.answering) return;
  if (state.mode === 'voice') startListening();
  else {
    activity('Type your answer, then press "Send answer".');
    $('answer-text').focus();
  }
}

// ---------- speech out ----------

let player = null;

function speak(msg) {
  const seq = msg.seq;
  if (seq >= 0 && state.spokenSeq === seq) return;
  state.spokenSeq = seq;
  const onStart = () => {
    if (state.pendingLatency && seq >= 0) {
      send({
        type: 'latency',
        seq: state.pendingLatency.seq,
        ms: performance.now() - state.pendingLatency.at,
      });
      state.pendingLatency = null;
    }
    activity('The interviewer is speaking…');
  };
  const onEnd = () => {
    if (seq >= 0) afterSpoken();
  };
  if (!msg.fallback && msg.audio) {
    const bytes = Uint8Array.from(atob(msg.audio), (c) => c.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type: msg.mime }));
    player?.pause();
    player = new Audio(url);
    player.addEventListener('playing', onStart, { once: true });
    player.addEventListener('ended', onEnd, { once: true });
    player.addEventListener(
      'error',
      () => browserSpeak(msg.text ?? $('caption').textContent, onStart, onEnd),
      {
        once: true,
      },
    );
    player.play().catch(() => browserSpeak($('caption').textContent, onStart, onEnd));
    return;
  }
  browserSpeak(msg.text ?? $('caption').textContent, onStart, onEnd);
}

function browserSpeak(text, onStart, onEnd) {
  let ended = false;
  const finish = () => {
    if (!ended) {
      ended = true;
      onEnd();
    }
  };
  if (!('speechSynthesis' in window) || !text) {
    onStart();
    finish();
    return;
  }
  const u = new SpeechSynthesisUtterance(text);
  u.onstart = onStart;
  u.onend = finish;
  u.onerror = finish;
  speechSynthesis.cancel();
  speechSynthesis.speak(u);
  // Some browsers never start or end an utterance (no voices installed): never get stuck.
  setTimeout(
    () => {
      onStart();
      finish();
    },
    Math.min(30_000, 1500 + text.length * 80),
  );
}

// ---------- voice answers ----------

function pickMime() {
  for (const t of ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/mp4']) {
    if (window.MediaRecorder?.isTypeSupported?.(t)) return t;
  }
  return '';
}

function startListening() {
  const tracks = state.stream?.getAudioTracks() ?? [];
  if (tracks.length === 0 || !window.MediaRecorder) {
    setMode('typed');
    return afterSpoken();
  }
  const mime = pickMime();
  const recorder = new MediaRecorder(new MediaStream(tracks), mime ? { mimeType: mime } : undefined);
  const chunks = [];
  const seq = state.current.seq;
  const started = performance.now();
  let heardAt = null;
  let lastSound = performance.now();
  let silenceReported = false;
  recorder.ondataavailable = (e) => e.data.size > 0 && chunks.push(e.data);
  recorder.onstop = () => {
    state.listening = false;
    clearInterval(watch);
    const endedAt = performance.now();
    if (recorder.discard) return;
    const blob = new Blob(chunks, { type: recorder.mimeType || mime || 'audio/webm' });
    const durationMs = Math.round((heardAt === null ? endedAt : lastSound) - started);
    void uploadAnswer(seq, blob, Math.max(0, Math.round(endedAt - started)), durationMs, endedAt);
  };
  state.recorder = recorder;
  state.listening = true;
  recorder.start(250);
  activity('Listening… answer when you are ready. Press "Done" when you have finished.');
  const threshold = () => Number($('thinking').value || 2500);
  const watch = setInterval(() => {
    const level = micLevel();
    const now = performance.now();
    if (level > 0.02) {
      lastSound = now;
      heardAt = heardAt ?? now;
    }
    if (heardAt !== null && now - lastSound > threshold()) stopListening(true);
    if (heardAt === null && !silenceReported && now - started > 60_000) {
      silenceReported = true;
      send({ type: 'integrity', signal: 'long_silence', seq, durationMs: now - started });
    }
    if (now - started > (boot.maxAudioMs ?? 300_000) - 1000) stopListening(true);
  }, 100);
}

function stopListening(keep) {
  const r = state.recorder;
  if (!r || r.state === 'inactive') return;
  r.discard = !keep;
  r.stop();
  state.recorder = null;
}

async function uploadAnswer(seq, blob, audioMs, _speechMs, endedAt) {
  state.answering = true;
  activity('Transcribing your answer…');
  try {
    const res = await fetch('/interview/audio', {
      method: 'POST',
      headers: {
        'content-type': blob.type.split(';')[0],
        'x-session-key': sessionKey,
        'x-audio-duration-ms': String(audioMs),
      },
      body: blob,
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.message ?? 'The answer could not be sent.');
    if (!body.text) {
      state.answering = false;
      setText('room-error', 'We did not catch anything. Please answer again, or press "Type instead".');
      return startListening();
    }
    setText('room-error', '');
    sendAnswer(seq, body.text, 'voice', audioMs, endedAt);
  } catch (err) {
    state.answering = false;
    setText('room-error', `${err.message} You can also press "Type instead".`);
    activity('Your answer was not sent.');
    setTimeout(() => state.mode === 'voice' && !state.answering && startListening(), 2500);
  }
}

function sendAnswer(seq, text, mode, audioMs, endedAt) {
  state.answering = true;
  const pending = { seq, clientId: uid(), text, mode, audioMs };
  sessionStorage.setItem('panelist-pending', JSON.stringify(pending));
  state.pendingLatency = { seq, at: endedAt };
  appendAnswer(text);
  activity('Thinking about your answer…');
  send({ type: 'answer', ...pending, sinceEndMs: Math.max(0, performance.now() - endedAt) });
}

// ---------- socket ----------

function send(msg) {
  if (state.ws?.readyState === WebSocket.OPEN)
    state.ws.send(JSON.stringify({ v: PROTOCOL, id: uid(), ...msg }));
}

function connect() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/interview/ws`;
  const ws = new WebSocket(url);
  state.ws = ws;
  ws.addEventListener('open', () => {
    state.connected = true;
    state.reconnectDelay = 500;
    ws.send(JSON.stringify({ v: PROTOCOL, id: uid(), type: 'hello', key: sessionKey }));
  });
  ws.addEventListener('message', (e) => onServer(JSON.parse(e.data)));
  ws.addEventListener('close', () => {
    state.connected = false;
    if (state.closedForGood) return;
    activity('Connection lost. Reconnecting… your answers so far are saved.');
    setTimeout(connect, state.reconnectDelay);
    state.reconnectDelay = Math.min(8000, state.reconnectDelay * 2);
  });
}

function onServer(msg) {
  switch (msg.type) {
    case 'state':
      return onState(msg.state);
    case 'question':
      retries = 0;
      state.spokenSeq = null;
      sessionStorage.removeItem('panelist-pending');
      if (msg.remainingMs !== undefined) state.endsAt = serverNow() + msg.remainingMs;
      state.startedAt = state.startedAt ?? serverNow();
      appendQuestion(msg.turn.question);
      return showQuestion(msg.turn, msg.number, msg.total, msg.greeting);
    case 'speech':
      if (msg.seq === -1 || msg.seq === state.current?.seq) speak(msg);
      return;
    case 'thinking':
      activity('Thinking about your answer…');
      return;
    case 'completed':
      return onCompleted(msg);
    case 'taken_over':
      state.closedForGood = true;
      stopListening(false);
      show('lobby', false);
      show('room', false);
      show('taken-over', true);
      return;
    case 'error':
      if (msg.code === 'invalid_link' || msg.code === 'rate_limited') {
        state.closedForGood = true;
        setText(state.inRoom ? 'room-error' : 'lobby-error', msg.message);
        return;
      }
      if ((msg.code === 'internal' || msg.code === 'unavailable') && retryPending()) {
        setText('room-error', 'Saving your answer is taking longer than usual. Trying again…');
        return;
      }
      state.answering = false;
      setText(state.inRoom ? 'room-error' : 'lobby-error', msg.message);
      if (state.inRoom && state.current) afterSpoken();
      return;
    default:
      return;
  }
}

// A server hiccup while saving an answer: send the same answer (same client id, so it is
// recorded once) again, a few times, before asking the candidate.
let retries = 0;
function retryPending() {
  const pending = JSON.parse(sessionStorage.getItem('panelist-pending') ?? 'null');
  if (!pending || pending.seq !== state.current?.seq || retries >= 3) return false;
  retries += 1;
  setTimeout(() => send({ type: 'answer', ...pending }), 1000 * retries);
  return true;
}

function onState(s) {
  state.snapshot = s;
  state.total = s.questionTotal;
  if (s.startedAt) {
    state.startedAt = Date.parse(s.startedAt);
    state.endsAt = Date.parse(s.endsAt);
  }
  if (s.status === 'completed') return onCompleted({ text: null });
  if (s.status !== 'in_progress') return;
  if (!state.inRoom) enterRoom(sessionStorage.getItem('panelist-mode') ?? (state.micOk ? 'voice' : 'typed'));
  renderTranscript(s.turns);
  if (s.current) {
    const pending = JSON.parse(sessionStorage.getItem('panelist-pending') ?? 'null');
    showQuestion(s.current, s.current.planIndex + 1, s.questionTotal, null);
    if (pending && pending.seq === s.current.seq) {
      // An answer that left before the connection dropped: same client id, recorded once.
      appendAnswer(pending.text);
      state.answering = true;
      send({ type: 'answer', ...pending });
    } else if (state.spokenSeq === s.current.seq && !state.listening) {
      // Same question as before the reconnect, already spoken: no need to hear it again.
      afterSpoken();
    }
  }
  renderClock();
}

function onCompleted(msg) {
  state.closedForGood = true;
  stopListening(false);
  sessionStorage.removeItem('panelist-pending');
  show('lobby', false);
  show('room', false);
  show('done-screen', true);
  if (msg.text) {
    setText('done-text', msg.text);
    state.spokenSeq = null;
  }
  $('done-screen').focus();
  for (const t of state.stream?.getTracks() ?? []) if (t.kind === 'video') t.stop();
}

// ---------- wiring ----------

function init() {
  if (!$('lobby')) return;
  $('run-check').addEventListener('click', runCheck);
  $('speaker-test').addEventListener('click', speakerTest);
  $('speaker-yes').addEventListener('click', () => {
    setText('speaker-status', 'Speakers working');
    $('speaker-status').className = 'status ok';
    show('speaker-confirm', false);
  });
  $('speaker-no').addEventListener('click', () => {
    setText(
      'speaker-status',
      'Turn up the volume, check your headphones or the output device, then play it again. Questions are also shown as text.',
    );
    $('speaker-status').className = 'status bad';
    show('speaker-confirm', false);
  });
  $('consent').addEventListener('change', updateStart);
  $('start').addEventListener('click', startInterview);
  $('done').addEventListener('click', () => stopListening(true));
  $('switch-typed').addEventListener('click', () => {
    setMode('typed');
    afterSpoken();
  });
  $('switch-voice').addEventListener('click', () => {
    setMode('voice');
    if (state.mode === 'voice') afterSpoken();
    else setText('room-error', 'Your microphone is not available. Reload the page to check it again.');
  });
  $('typed-answer').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('answer-text').value.trim();
    if (!state.current || state.answering) return;
    if (!text) {
      setText('room-error', 'Type an answer first.');
      return;
    }
    setText('room-error', '');
    sendAnswer(state.current.seq, text, 'typed', undefined, performance.now());
  });
  $('answer-text').addEventListener('paste', (e) => {
    const chars = e.clipboardData?.getData('text')?.length ?? 0;
    send({ type: 'integrity', signal: 'paste', seq: state.current?.seq, chars });
  });
  $('end').addEventListener('click', () => $('end-confirm').showModal());
  $('end-no').addEventListener('click', () => $('end-confirm').close());
  $('end-yes').addEventListener('click', () => {
    $('end-confirm').close();
    stopListening(false);
    send({ type: 'finish' });
  });
  $('take-back').addEventListener('click', (e) => {
    e.preventDefault();
    location.reload();
  });
  document.addEventListener('visibilitychange', () => {
    if (!state.inRoom || state.closedForGood) return;
    if (document.hidden) state.hiddenAt = performance.now();
    else if (state.hiddenAt !== null) {
      send({
        type: 'integrity',
        signal: 'tab_hidden',
        seq: state.current?.seq,
        durationMs: performance.now() - state.hiddenAt,
      });
      state.hiddenAt = null;
    }
  });
  if (!boot.voiceAvailable) {
    // No speech-to-text today: typed answers only, said up front rather than at the start button.
    const voice = document.querySelector('input[name="mode"][value="voice"]');
    voice.disabled = true;
    voice.parentElement.append(' (not available today)');
    document.querySelector('input[name="mode"][value="typed"]').checked = true;
  }
  setInterval(updateStart, 5000);
  updateStart();
  if (boot.status === 'in_progress') {
    // A reload or a new device: back into the room at once (no consent twice).
    void runCheck().finally(connect);
  } else {
    connect();
  }
}

init();
