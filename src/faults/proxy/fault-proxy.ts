/**
 * A TCP proxy benchline puts in front of one server (loopback, no root, no system tools): clients
 * connect to it, and a network fault changes what its links do for a while. Each link has a pipe per
 * direction; a fault sets the same toxics (fresh state per direction) on every link, present and new.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import type { NetworkEffect } from "../../contract/faults.js";
import { Pipe } from "./pipe.js";
import { toxicsFor } from "./toxics/index.js";

interface Link {
  client: Socket;
  upstream: Socket;
  toServer: Pipe;
  toClient: Pipe;
}

export class FaultProxy {
  private readonly links = new Set<Link>();
  private effect: NetworkEffect | undefined;
  /** Connections accepted so far, and those reset: the tests and the fault record read them. */
  accepted = 0;
  resets = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens on a free loopback port in front of `target` (nats://host:port). */
  static async start(target: string): Promise<FaultProxy> {
    const { hostname, port } = new URL(target);
    let proxy: FaultProxy | undefined;
    const server = createServer((client) => proxy?.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    const addr = server.address();
    const listenPort = typeof addr === "object" && addr ? addr.port : 0;
    proxy = new FaultProxy(
      server,
      // The same scheme as the server's: a websocket client speaks websocket through the proxy too.
      `${new URL(target).protocol}//127.0.0.1:${listenPort}`,
      hostname.replace(/^\[|\]$/g, ""),
      Number(port),
    );
    return proxy;
  }

  /** Applies a network effect to every link until `clear()`; a reset drops every connection now. */
  apply(effect: NetworkEffect): void {
    this.effect = effect;
    if (effect.reset) for (const link of [...this.links]) this.drop(link, true);
    for (const link of this.links) this.setToxics(link);
  }

  clear(): void {
    this.effect = undefined;
    for (const link of this.links) this.setToxics(link);
  }

  private setToxics(link: Link): void {
    link.toServer.setToxics(this.effect ? toxicsFor(this.effect) : []);
    link.toClient.setToxics(this.effect ? toxicsFor(this.effect) : []);
  }

  private accept(client: Socket): void {
    this.accepted++;
    if (this.effect?.reset) {
      this.resets++;
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    const upstream = tcpConnect({ host: this.targetHost, port: this.targetPort });
    upstream.setNoDelay(true);
    const link: Link = {
      client,
      upstream,
      toServer: new Pipe(client, upstream),
      toClient: new Pipe(upstream, client),
    };
    this.links.add(link);
    this.setToxics(link);
    const close = () => this.drop(link, false);
    client.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  }

  private drop(link: Link, reset: boolean): void {
    if (!this.links.delete(link)) return;
    if (reset) this.resets++;
    link.toServer.close();
    link.toClient.close();
    if (reset) {
      link.client.resetAndDestroy();
      link.upstream.resetAndDestroy();
    } else {
      link.client.destroy();
      link.upstream.destroy();
    }
  }

  async close(): Promise<void> {
    for (const link of [...this.links]) this.drop(link, false);
    await new Promise((resolve) => this.server.close(resolve));
  }
}
