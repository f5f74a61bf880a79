/** The operation client for a task: the paced loop with the driver of its workload. */
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClientTask } from "../src/engine/protocol.js";
import { DirectDriver } from "./direct.js";
import { KvDriver } from "./kv.js";
import { ObjectsDriver } from "./objects.js";
import { emptyOpCounts, OpClient, type OpDriver } from "./op-client.js";
import type { Pacer } from "./pacer.js";
import type { ThreadRecorder } from "./recorder.js";

type OpTaskOf<W> = Extract<ClientTask, { role: "op" }> & { op: { workload: W } };

export function opDriver(
  task: Extract<ClientTask, { role: "op" }>,
  nc: NatsConnection,
  rec: ThreadRecorder,
  pacer: Pacer,
): OpClient {
  const counts = emptyOpCounts();
  let driver: OpDriver;
  switch (task.op.workload) {
    case "kv":
      driver = new KvDriver(task as OpTaskOf<"kv">, nc, rec, counts);
      break;
    case "objects":
      driver = new ObjectsDriver(task as OpTaskOf<"objects">, nc, rec, counts);
      break;
    case "direct":
      driver = new DirectDriver(task as OpTaskOf<"direct">, nc, rec, counts);
      break;
  }
  return new OpClient(task, driver, rec, pacer, counts);
}
