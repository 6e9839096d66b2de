/**
 * A TCP proxy between the browser and one or more portal processes, standing in
 * for the load balancer and the network: `drop(ms)` cuts every open connection
 * and refuses new ones for that long (a dead Wi-Fi), and `target(i)` sends new
 * connections to another portal process (a reconnect that lands elsewhere).
 */
import { createConnection, createServer, type Socket } from 'node:net';

export type TTcpProxy = {
  url: string;
  /** Sends new connections to `ports[i]`. */
  target(i: number): void;
  /** Cuts every connection now and refuses new ones for `ms`. */
  drop(ms: number): Promise<void>;
  /** Connections made so far, by target index. */
  readonly connections: number[];
  close(): Promise<void>;
};

export async function startTcpProxy(ports: number[]): Promise<TTcpProxy> {
  let current = 0;
  let downUntil = 0;
  const open = new Set<Socket>();
  const connections = ports.map(() => 0);
  const server = createServer((client) => {
    if (Date.now() < downUntil) {
      client.destroy();
      return;
    }
    const index = current;
    connections[index] = (connections[index] ?? 0) + 1;
    const upstream = createConnection({ host: '127.0.0.1', port: ports[index] ?? 0 });
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('tcp proxy: no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections,
    target(i) {
      current = i;
    },
    async drop(ms) {
      downUntil = Date.now() + ms;
      // A reset, not a polite close: the browser learns of it only as a dead connection.
      for (const s of open) s.resetAndDestroy();
      open.clear();
      await new Promise((r) => setTimeout(r, ms));
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
