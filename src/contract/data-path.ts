/**
 * Which data path a run's load took (docs/architecture.md, "The data path"): benchline's own frame
 * writer and MSG parser on nats.js's connection, or nats.js's own handling where the pinned nats.js
 * shapes were missing. Recorded in env.dataPath; a run that fell back says so in a warning.
 */
export interface DataPath {
  /** PUB frames written into the connection's outbound buffer ("frames"), or nats.js's publish(). */
  publish: "frames" | "nats.js";
  /** MSG frames read by benchline's parser ("fast"), or nats.js's byte-at-a-time one. */
  parse: "fast" | "nats.js";
  /** Subjects and replies read as the bytes that arrived ("wire"), or decoded into strings. */
  receive: "wire" | "nats.js";
  /**
   * A load subscription's plain messages handed to benchline in place, as offsets into the read buffer
   * ("direct"), or through nats.js's per-message dispatch (a message object and a callback each).
   * Absent in results of benchline before it.
   */
  deliver?: "direct" | "nats.js";
}

/** The run's data path: a part that fell back on any thread fell back for the run. */
export function mergeDataPaths(parts: Array<DataPath | undefined>): DataPath | undefined {
  const present = parts.filter((p): p is DataPath => p !== undefined);
  if (present.length === 0) return undefined;
  const delivered = present.filter((p) => p.deliver !== undefined);
  return {
    publish: present.some((p) => p.publish === "nats.js") ? "nats.js" : "frames",
    parse: present.some((p) => p.parse === "nats.js") ? "nats.js" : "fast",
    receive: present.some((p) => p.receive === "nats.js") ? "nats.js" : "wire",
    // Threads of an older benchline (agents) do not say; the run says only what its threads said.
    ...(delivered.length > 0 && {
      deliver: delivered.some((p) => p.deliver === "nats.js") ? "nats.js" : "direct",
    }),
  };
}

/** The warning of a run whose data path fell back, or undefined. */
export function dataPathWarning(path: DataPath | undefined): string | undefined {
  if (!path) return undefined;
  const slow = [
    path.publish === "nats.js" && "publishes went through nats.js's publish()",
    path.parse === "nats.js" && "messages were parsed by nats.js's own parser",
    path.receive === "nats.js" && "subjects and replies were decoded per message",
    path.deliver === "nats.js" && "every message went through nats.js's dispatch",
  ].filter(Boolean);
  if (slow.length === 0) return undefined;
  return `the fast data path was not available (${slow.join("; ")}): this nats.js is not the version benchline pins (npm ci installs it), or BENCHLINE_DATA_PATH=nats.js chose nats.js's own; throughput is lower than benchline can reach`;
}
