import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/**
 * A TCP proxy that holds every byte from the server to the client for `delayMs` before passing it on
 * (same delay for every chunk, so order is kept). Client-to-server bytes pass at once.
 */
export async function startDelayProxy(
  target: string,
  delayMs: number,
): Promise<AsyncDisposable & { url: string; cutAll(): void; readonly accepted: number }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    const upstream = tcpConnect({ host: hostname, port: Number(port) });
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on("data", (chunk) => {
      setTimeout(() => client.writable && client.write(chunk), delayMs);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close).on("error", close);
    upstream.on("close", () => setTimeout(close, delayMs)).on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const url = `nats://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  return {
    url,
    /** Connections accepted so far. */
    get accepted() {
      return accepted;
    },
    /** Drops every connection open now, as a network blip would; new connections still pass. */
    cutAll() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    async [Symbol.asyncDispose]() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
