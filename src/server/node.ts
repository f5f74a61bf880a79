/**
 * One node of an embedded target, with the handles faults need: it can be killed and started again on
 * the same store and ports (so clients reconnect to the address they know), stopped gracefully, frozen
 * and thawed, and put in lame duck mode. Every process it ran is stopped, and every directory removed,
 * by `stop()`.
 */
import { RuntimeFailure } from "../errors.js";
import { NatsServer } from "./launcher.js";
import { isProcessAlive, stopProcess } from "./process.js";

const portOf = (url: string) => Number(new URL(url).port);

export class EmbeddedNode {
  /** Every process this node ran, the current one last: their directories go when the node stops. */
  private readonly incarnations: NatsServer[];
  private paused = false;

  constructor(
    /** 1-based, as fault targets count. */
    readonly index: number,
    first: NatsServer,
  ) {
    this.incarnations = [first];
  }

  private get current(): NatsServer {
    return this.incarnations.at(-1)!;
  }

  get name(): string | undefined {
    return this.current.serverName ?? this.current.startOptions.serverName;
  }

  get clientUrl(): string {
    return this.incarnations[0]!.clientUrl;
  }

  get monitorUrl(): string {
    return this.incarnations[0]!.monitorUrl;
  }

  /** The websocket listener's URL, when the node has one (kept across restarts, as the client port). */
  get websocketUrl(): string | undefined {
    return this.incarnations[0]!.websocketUrl;
  }

  get pid(): number {
    return this.current.pid;
  }

  get running(): boolean {
    return isProcessAlive(this.current.pid);
  }

  /** SIGKILL: no shutdown, as a crash or a power cut to the process would be. */
  async kill(): Promise<void> {
    this.resume();
    try {
      process.kill(this.current.pid, "SIGKILL");
    } catch {
      // already gone
    }
    for (let i = 0; i < 250 && isProcessAlive(this.current.pid); i++)
      await new Promise((r) => setTimeout(r, 20));
  }

  /** SIGTERM and wait (a graceful shutdown), keeping the store. */
  async stopGracefully(): Promise<void> {
    this.resume();
    await stopProcess(this.current.pid, 10_000);
  }

  /** Starts the node again on its store and its ports. A no-op when it runs. */
  async start(): Promise<void> {
    if (this.running) return;
    const first = this.incarnations[0]!;
    const options = first.startOptions;
    try {
      const next = await NatsServer.start({
        ...options,
        port: portOf(first.clientUrl),
        monitorPort: portOf(first.monitorUrl),
        ...(options.websocket && first.websocketUrl
          ? { websocket: { ...options.websocket, port: portOf(first.websocketUrl) } }
          : {}),
        readyTimeoutMs: 15_000,
      });
      this.incarnations.push(next);
    } catch (err) {
      throw new RuntimeFailure(
        `could not start node ${this.index} (${this.name}) again: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  pause(): void {
    process.kill(this.current.pid, "SIGSTOP");
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    try {
      process.kill(this.current.pid, "SIGCONT");
    } catch {
      // gone; nothing to resume
    }
  }

  /** Lame duck mode (SIGUSR2): the server stops taking clients, moves them off and shuts down. */
  lameDuck(): void {
    process.kill(this.current.pid, "SIGUSR2");
  }

  /** Whatever a fault did, the node is running when this returns (or says why it cannot be). */
  async restore(): Promise<void> {
    this.resume();
    await this.start();
  }

  async stop(): Promise<void> {
    this.resume();
    for (const s of [...this.incarnations].reverse()) await s.stop();
  }
}
