/**
 * Readiness of the SMTP server for /readyz: connect (TLS for smtps://), wait for the 220 greeting,
 * say QUIT. Cheap enough for a probe every few seconds, and it never authenticates or sends.
 */
import net from 'node:net';
import tls from 'node:tls';

export async function checkSmtp(smtpUrl: string, timeoutMs = 3000): Promise<void> {
  const url = new URL(smtpUrl);
  const isTls = url.protocol === 'smtps:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (isTls ? 465 : 587));
  // The address is named without credentials: this message is shown on /readyz and logged.
  const where = `${host}:${port}`;
  await new Promise<void>((resolve, reject) => {
    const socket = isTls ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
    let greeting = '';
    const fail = (message: string) => {
      socket.destroy();
      reject(new Error(message));
    };
    socket.setTimeout(timeoutMs, () => fail(`SMTP server ${where} did not greet within ${timeoutMs} ms`));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      fail(`SMTP server ${where} is not reachable (${err.code ?? err.message})`),
    );
    socket.on('data', (chunk: Buffer) => {
      greeting += chunk.toString('latin1');
      if (!greeting.includes('\n')) return;
      if (greeting.startsWith('220')) {
        socket.end('QUIT\r\n');
        socket.destroy();
        resolve();
      } else fail(`SMTP server ${where} refused the connection: ${greeting.trim().slice(0, 120)}`);
    });
  });
}
