/**
 * What a process fault acts on: one node of the target. Benchline's own nodes are driven directly
 * (EmbeddedNode); a named server only through the shell commands the profile gives, never by a pid
 * benchline would have to guess.
 */
import { exec, execSync } from "node:child_process";
import { promisify } from "node:util";
import type { FaultCommands, FaultSpec } from "../contract/faults.js";
import { RuntimeFailure } from "../errors.js";
import type { EmbeddedNode } from "../server/node.js";

const run = promisify(exec);

export interface NodeHandle {
  /** 1-based, as fault targets count. */
  readonly index: number;
  /** server_name, where known: how leaders are matched to nodes. */
  readonly name: string | undefined;
  kill(): Promise<void>;
  start(): Promise<void>;
  stopGracefully(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  lameDuck(): Promise<void>;
  /** At process exit, where nothing can be awaited: undo what a fault of this kind did, synchronously. */
  undoAtExit(kind: FaultSpec["kind"]): void;
}

export class EmbeddedHandle implements NodeHandle {
  constructor(readonly node: EmbeddedNode) {}
  get index() {
    return this.node.index;
  }
  get name() {
    return this.node.name;
  }
  kill = () => this.node.kill();
  start = () => this.node.start();
  stopGracefully = () => this.node.stopGracefully();
  pause = async () => this.node.pause();
  resume = async () => this.node.resume();
  lameDuck = async () => this.node.lameDuck();
  // A frozen node would outlive us frozen; a killed one dies with benchline anyway (its children are killed).
  undoAtExit = () => this.node.resume();
}

/** A named server, acted on by the profile's commands with {node} and {url} filled in. */
export class CommandHandle implements NodeHandle {
  constructor(
    readonly index: number,
    readonly name: string | undefined,
    private readonly url: string,
    private readonly commands: FaultCommands,
  ) {}

  private command(which: keyof FaultCommands): string {
    const template = this.commands[which];
    if (!template) throw new RuntimeFailure(`the fault has no command.${which} for node ${this.index}`);
    return template.replaceAll("{node}", String(this.index)).replaceAll("{url}", this.url);
  }

  private async sh(which: keyof FaultCommands): Promise<void> {
    const command = this.command(which);
    try {
      await run(command, { timeout: 30_000 });
    } catch (err) {
      const e = err as { code?: number; stderr?: string };
      throw new RuntimeFailure(
        `command.${which} for node ${this.index} failed (exit ${e.code ?? "?"}): ${(e.stderr ?? "").trim().split("\n").at(-1) ?? ""}`,
        { cause: err },
      );
    }
  }

  kill = () => this.sh("kill");
  start = () => this.sh("start");
  stopGracefully = () => this.sh("stop");
  pause = () => this.sh("pause");
  resume = () => this.sh("resume");
  lameDuck = () => this.sh("lameDuck");

  undoAtExit(kind: FaultSpec["kind"]): void {
    const which = kind === "pause" ? "resume" : "start";
    try {
      execSync(this.command(which), { stdio: "ignore", timeout: 10_000 });
    } catch {
      // Nothing more can be done on the way out; the run's result says the fault was on.
    }
  }
}
