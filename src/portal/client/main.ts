/** The candidate page's script: wires the lobby and the room together. Bundled by esbuild (../client-bundle.ts). */
import { Microphone } from './audio/capture.js';
import { boot } from './boot.js';
import { maybe } from './dom.js';
import { initLobby } from './lobby.js';
import { initRoom, type TRoom } from './room.js';

function main(): void {
  if (!maybe('lobby')) return;
  const mic = new Microphone();
  let room: TRoom | null = null;
  const lobby = initLobby(mic, {
    onStart: (mode) => room?.start(mode),
    onMicLost: () => room?.micLost(),
    onLevel: (level) => room?.setLevel(level),
  });
  room = initRoom(mic, lobby);
  if (boot.status === 'in_progress') {
    // A reload or a new device: back into the room at once (no consent twice).
    void lobby.runCheck().finally(() => room?.connect());
  } else {
    room.connect();
  }
}

main();
