/**
 * The lobby: the system check (camera, microphone, speakers), the answer mode,
 * the consent notice, and the start button, which opens only inside the window.
 */

import type { TVoiceAvailability } from '../protocol.js';
import { AUDIO_CONSTRAINTS, type Microphone } from './audio/capture.js';
import { boot, fmtLocalTime, serverNow } from './boot.js';
import { $, maybe, setStatus, setText, show } from './dom.js';

export type TMode = 'voice' | 'typed';

const DEVICE_HELP: Record<string, string> = {
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

function deviceMessage(err: unknown): string {
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  return DEVICE_HELP[name] ?? 'The device could not be started. Reload the page and try again.';
}

/** Said wherever voice is offered when no speech-to-text service is configured. */
export const NO_STT_TEXT =
  'Spoken answers need a speech-to-text service, and none is set up for this interview. Please answer by typing; the questions are still read aloud.';

export type TLobby = {
  /** The check ran and the microphone was heard. */
  readonly micOk: boolean;
  runCheck(): Promise<void>;
  /** What the server can do with voice (from its `state`). */
  setVoice(v: TVoiceAvailability): void;
};

export function initLobby(
  mic: Microphone,
  opts: { onStart(mode: TMode): void; onMicLost(): void; onLevel(level: number): void },
): TLobby {
  let micOk = false;
  let metering = false;

  const canJoinNow = () =>
    serverNow() >= Date.parse(boot.joinOpensAt) && serverNow() < Date.parse(boot.closesAt);

  const updateStart = () => {
    const consent = maybe<HTMLInputElement>('consent')?.checked === true;
    const joinable = canJoinNow();
    $<HTMLButtonElement>('start').disabled = !(consent && joinable);
    setText(
      'join-hint',
      !joinable && serverNow() < Date.parse(boot.joinOpensAt)
        ? `You can begin from ${fmtLocalTime(boot.joinOpensAt)}. Use the time to check your setup.`
        : '',
    );
  };

  const meter = () => {
    if (metering) return;
    metering = true;
    const tick = () => {
      const level = Math.min(1, mic.level() * 4);
      $<HTMLMeterElement>('mic-level').value = level;
      opts.onLevel(level);
      if (!micOk && level > 0.04) {
        micOk = true;
        setStatus('mic-status', 'Microphone working: we can hear you', 'ok');
        updateStart();
      }
      requestAnimationFrame(tick);
    };
    tick();
  };

  const runCheck = async () => {
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
    let video: MediaStream | null = null;
    let audio: MediaStream | null = null;
    try {
      video = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
      $<HTMLVideoElement>('camera').srcObject = video;
      setStatus('camera-status', 'Camera working', 'ok');
    } catch (err) {
      setStatus(
        'camera-status',
        `Camera: ${deviceMessage(err)} You can still take the interview without video.`,
        'bad',
      );
    }
    try {
      audio = await navigator.mediaDevices.getUserMedia({ audio: AUDIO_CONSTRAINTS });
      setStatus('mic-status', 'Say something: the bar should move.');
      mic.attach(audio);
      meter();
    } catch (err) {
      micOk = false;
      setStatus('mic-status', `Microphone: ${deviceMessage(err)} Or choose "By typing" below.`, 'bad');
    }
    const check = $<HTMLButtonElement>('run-check');
    check.className = 'secondary';
    check.textContent = 'Check again';
    mic.stream = new MediaStream([...(video?.getTracks() ?? []), ...(audio?.getTracks() ?? [])]);
    for (const track of mic.stream.getAudioTracks()) {
      // A device unplugged mid-interview: say so, and keep going by typing.
      track.addEventListener('ended', () => {
        micOk = false;
        opts.onMicLost();
      });
    }
    updateStart();
  };

  const speakerTest = () => {
    try {
      const ctx = mic.audioContext;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      gain.gain.value = 0.15;
      osc.frequency.value = 523;
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 1);
      setText('speaker-status', 'Playing a short tone… did you hear it?');
      show('speaker-confirm', true);
    } catch {
      setText(
        'speaker-status',
        'Sound could not be played. Questions are also shown as text, with captions.',
      );
    }
  };

  const selectedMode = (): TMode =>
    document.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value === 'typed'
      ? 'typed'
      : 'voice';

  const start = () => {
    const mode = selectedMode();
    if (mode === 'voice' && !voiceAnswers) {
      setText('lobby-error', NO_STT_TEXT);
      const typed = document.querySelector<HTMLInputElement>('input[name="mode"][value="typed"]');
      if (typed) typed.checked = true;
      return;
    }
    if (mode === 'voice' && !micOk) {
      setText(
        'lobby-error',
        'We could not hear your microphone yet. Press "Check camera and microphone" (or "Check again") and say something, or choose "By typing".',
      );
      return;
    }
    setText('lobby-error', '');
    sessionStorage.setItem('panelist-mode', mode);
    opts.onStart(mode);
  };

  $('run-check').addEventListener('click', () => void runCheck());
  $('speaker-test').addEventListener('click', speakerTest);
  $('speaker-yes').addEventListener('click', () => {
    setStatus('speaker-status', 'Speakers working', 'ok');
    show('speaker-confirm', false);
  });
  $('speaker-no').addEventListener('click', () => {
    setStatus(
      'speaker-status',
      'Turn up the volume, check your headphones or the output device, then play it again. Questions are also shown as text.',
      'bad',
    );
    show('speaker-confirm', false);
  });
  $('consent').addEventListener('change', updateStart);
  $('start').addEventListener('click', start);

  let voiceAnswers = boot.voiceAvailable;
  const setVoice = (v: { answers: boolean; message?: string | undefined }) => {
    voiceAnswers = v.answers;
    const voice = document.querySelector<HTMLInputElement>('input[name="mode"][value="voice"]');
    const typed = document.querySelector<HTMLInputElement>('input[name="mode"][value="typed"]');
    if (voice) voice.disabled = !v.answers;
    if (!v.answers && typed) typed.checked = true;
    // No speech-to-text configured: typed answers only, said up front with the real cause.
    setText('mode-note', v.answers ? '' : (v.message ?? NO_STT_TEXT));
    show('mode-note', !v.answers);
  };
  if (!boot.voiceAvailable) setVoice({ answers: false });
  setInterval(updateStart, 5000);
  updateStart();

  return {
    get micOk() {
      return micOk;
    },
    runCheck,
    setVoice,
  };
}
