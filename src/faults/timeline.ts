/**
 * The fault timeline: fires each fault of the profile on the run's clock (its `at` counts from the start
 * of the measured phase), resolves its target when it fires (the leader of that moment), ends it after
 * `for`, and records what happened. Whatever stops the run, `finish()` ends every fault still on, so no
 * node is left paused, killed or cut off. Injecting only: the figures are worked out afterwards.
 */
import type { FaultSpec, LeaderTarget } from "../contract/faults.js";
import { registerExitHook } from "../util/shutdown.js";
import { injectorFor } from "./injectors/index.js";
import type { Injector, ResolvedTarget, StepdownRequest } from "./injectors/injector.js";
import type { NodeHandle } from "./node-handle.js";
import type { FaultProxy } from "./proxy/fault-proxy.js";

/** What the faults may act on, and how to ask the cluster who leads. */
export interface FaultContext {
  embedded: boolean;
  /** The target's nodes in order (node 1 first), by server_name where known. */
  nodes: Array<{ index: number; name?: string }>;
  /** The handle a fault acts on a node through (a named server's handle runs that fault's commands). */
  handle(index: number, spec: FaultSpec): NodeHandle;
  /** Client links in front of each node, in the order of `nodes`; empty without network faults. */
  proxies: FaultProxy[];
  /** The server_name of the current leader, or undefined when there is none. */
  leader(of: "stream" | "consumer" | "meta"): Promise<string | undefined>;
  stepdown: StepdownRequest;
  random?: () => number;
}

/** What one fault did, on the run's clock (ns after the start instant). */
export interface FaultRecord {
  spec: FaultSpec;
  fired: boolean;
  /** The node it acted on, once resolved (leaders are named here). */
  node?: { index: number; name?: string };
  startNs?: number;
  endNs?: number;
  /** Why it could not be injected or undone, when it could not. */
  error?: string;
}

export interface FaultEvents {
  onFault?(name: string, state: "start" | "end", detail: string): void;
}

/** How long a fault waits for a leader to be elected when there is none as it fires. */
const LEADER_WAIT_MS = 5000;

const LEADER_OF: Record<LeaderTarget, "stream" | "consumer" | "meta"> = {
  streamLeader: "stream",
  consumerLeader: "consumer",
  metaLeader: "meta",
};

export class FaultTimeline {
  readonly records: FaultRecord[];
  private startNs = 0n;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly active = new Map<FaultRecord, Injector>();
  private readonly pending = new Set<Promise<void>>();
  /** A node still being brought back by an earlier fault's end: a later fault on it waits for that. */
  private readonly restoring = new Map<number, Promise<void>>();
  private unhook: () => void = () => {};
  private finished = false;

  constructor(
    specs: FaultSpec[],
    private readonly ctx: FaultContext,
    private readonly warmupNs: number,
    private readonly events: FaultEvents = {},
  ) {
    this.records = specs.map((spec) => ({ spec, fired: false }));
  }

  private relNow(): number {
    return Number(process.hrtime.bigint() - this.startNs);
  }

  /** Schedules every fault from the run's start instant (absolute monotonic ns). */
  arm(startNs: bigint): void {
    this.startNs = startNs;
    // A benchline that exits without finishing (a second Ctrl-C, a crash) still undoes what it can.
    this.unhook = registerExitHook(() => this.undoOnExit());
    for (const record of this.records) {
      const atNs = this.warmupNs + record.spec.atMs * 1e6;
      this.later(atNs, () => this.fire(record));
    }
  }

  /** Runs `fn` at `atNs` after the start instant, never before: a fault must never end before its time. */
  private later(atNs: number, fn: () => Promise<void>): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        // A timer may wake up to a millisecond early (libuv's clock counts whole milliseconds; this
        // one, nanoseconds): wait out the rest.
        if (this.relNow() < atNs) this.later(atNs, fn);
        else this.track(fn());
      },
      // Rounded up: Node truncates a fractional delay.
      Math.max(0, Math.ceil((atNs - this.relNow()) / 1e6)),
    );
    this.timers.add(timer);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async fire(record: FaultRecord): Promise<void> {
    if (this.finished) return;
    const { spec } = record;
    record.fired = true;
    try {
      const on = await this.resolve(spec);
      if (on.node) {
        record.node = { index: on.node.index, name: on.node.name };
        await this.restoring.get(on.node.index);
      }
      const injector = injectorFor(spec, on, { embedded: this.ctx.embedded, stepdown: this.ctx.stepdown });
      record.startNs = this.relNow();
      this.active.set(record, injector);
      await injector.start();
      // Said once it has taken effect (the node is stopped, the links are cut), not when it was asked for.
      this.events.onFault?.(spec.name, "start", describe(spec, record));
      if (spec.kind === "stepdown") {
        this.active.delete(record);
        record.endNs = record.startNs;
        this.events.onFault?.(spec.name, "end", "");
        return;
      }
      this.later(record.startNs + spec.forMs * 1e6, () => this.end(record));
    } catch (err) {
      record.error = (err as Error).message;
      // Whatever part of it took effect is undone at once.
      if (this.active.has(record)) await this.end(record);
    }
  }

  private async end(record: FaultRecord): Promise<void> {
    const injector = this.active.get(record);
    if (!injector) return;
    this.active.delete(record);
    record.endNs = this.relNow();
    const undo = injector.end().catch((err: Error) => {
      record.error = `could not undo it: ${err.message}`;
    });
    if (record.node) this.restoring.set(record.node.index, undo);
    await undo;
    if (record.node && this.restoring.get(record.node.index) === undo)
      this.restoring.delete(record.node.index);
    this.events.onFault?.(record.spec.name, "end", record.error ?? "");
  }

  private async resolve(spec: FaultSpec): Promise<ResolvedTarget> {
    const { nodes, proxies } = this.ctx;
    if (spec.target === "clients") return { proxies };
    let node: { index: number; name?: string } | undefined;
    if (typeof spec.target === "number") node = nodes[spec.target - 1];
    else if (spec.target === "random")
      node = nodes[Math.floor((this.ctx.random ?? Math.random)() * nodes.length)];
    else {
      const name = await this.currentLeader(LEADER_OF[spec.target]);
      // A single server leads whatever it holds, whether or not it reports itself as leader.
      node = name === undefined && nodes.length === 1 ? nodes[0] : nodes.find((n) => n.name === name);
      if (!node)
        throw new Error(
          name === undefined
            ? `no ${LEADER_OF[spec.target]} leader when the fault fired`
            : `the ${LEADER_OF[spec.target]} leader ${name} is not one of the target's nodes`,
        );
    }
    if (!node) throw new Error(`no node ${String(spec.target)}`);
    const proxy = proxies[node.index - 1];
    return { node: this.ctx.handle(node.index, spec), proxies: proxy ? [proxy] : [] };
  }

  /**
   * The leader now; while an election is on (after an earlier fault, say) there is none for a moment,
   * so ask again for a few seconds before giving up. The fault starts when the leader is known.
   */
  private async currentLeader(of: "stream" | "consumer" | "meta"): Promise<string | undefined> {
    const deadline = Date.now() + LEADER_WAIT_MS;
    for (;;) {
      const name = await this.ctx.leader(of).catch(() => undefined);
      if (name !== undefined || this.ctx.nodes.length === 1 || Date.now() > deadline || this.finished)
        return name;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Ends every fault still on and cancels those yet to fire. Safe to call twice. */
  async finish(): Promise<FaultRecord[]> {
    this.finished = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    // A fault being injected right now is ended once its start has returned.
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await Promise.all([...this.active.keys()].map((r) => this.end(r)));
    this.unhook();
    return this.records;
  }

  /** At process exit nothing can be awaited: thaw and restart what can be without waiting. */
  private undoOnExit(): void {
    for (const record of this.active.keys())
      if (record.node) this.ctx.handle(record.node.index, record.spec).undoAtExit(record.spec.kind);
    for (const p of this.ctx.proxies) p.clear();
  }
}

function describe(spec: FaultSpec, record: FaultRecord): string {
  const on = record.node
    ? `node ${record.node.index}${record.node.name ? ` (${record.node.name})` : ""}`
    : "client links";
  return `${spec.kind} on ${on}${spec.forMs > 0 ? ` for ${spec.forMs / 1000}s` : ""}`;
}
