/**
 * One injector per fault kind behind one interface, as Toxiproxy has one toxic per file: `start` puts
 * the fault in effect, `end` undoes it (the node running again, the links clean). The timeline decides
 * when; the injector only how.
 */

import type { FaultSpec } from "../../contract/faults.js";
import type { NodeHandle } from "../node-handle.js";
import type { FaultProxy } from "../proxy/fault-proxy.js";

export interface Injector {
  start(): Promise<void>;
  end(): Promise<void>;
}

/** What a fault acts on once its target is resolved: a node, or client links. */
export interface ResolvedTarget {
  node?: NodeHandle;
  proxies: FaultProxy[];
}

/** Sends a JetStream API request for a leader to step down; the timeline supplies the connection. */
export type StepdownRequest = (of: NonNullable<FaultSpec["of"]>) => Promise<void>;
