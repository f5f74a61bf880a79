/**
 * Creates, purges and removes the stream and durable consumers a run needs. The one file that speaks
 * JetStream's snake_case configuration names.
 */
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { type NatsConnection, nanos } from "@nats-io/transport-node";
import type { StreamSpec } from "../contract/profile.js";
import { RuntimeFailure, UsageError } from "../errors.js";
import type { DurableConsumer } from "./plan.js";

/** What setup did, so teardown undoes exactly that. */
export interface SetupState {
  jsm: JetStreamManager;
  stream?: string;
  createdStream: boolean;
  durables: string[];
}

function streamConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: spec.subjects,
    storage: spec.storage === "memory" ? StorageType.Memory : StorageType.File,
    num_replicas: spec.replicas,
    retention: RetentionPolicy.Limits,
    discard: spec.discard === "new" ? DiscardPolicy.New : DiscardPolicy.Old,
    ...(spec.maxBytes !== undefined && { max_bytes: spec.maxBytes }),
    ...(spec.maxMsgs !== undefined && { max_msgs: spec.maxMsgs }),
    ...(spec.maxAgeMs !== undefined && { max_age: nanos(spec.maxAgeMs) }),
    ...(spec.duplicateWindowMs !== undefined && { duplicate_window: nanos(spec.duplicateWindowMs) }),
    ...(spec.allowDirect && { allow_direct: true }),
  };
}

function apiCode(err: unknown): number | undefined {
  return err instanceof JetStreamApiError ? err.code : undefined;
}

export async function setupJetStream(
  nc: NatsConnection,
  spec: StreamSpec | undefined,
  durables: DurableConsumer[],
  profileFile: string,
): Promise<SetupState> {
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc, { timeout: 10_000 });
  } catch (err) {
    // Reaching JetStream needs an inbox and $JS.API.>: a refusal of either is not JetStream being off.
    if (/permissions? violation/i.test((err as Error).message))
      throw new RuntimeFailure(
        `the server refused a JetStream API request for want of permission (${(err as Error).message}); grant publish "$JS.API.>" and subscribe "<inbox prefix>.>" (default _INBOX.>)`,
        { cause: err },
      );
    throw new RuntimeFailure(
      `JetStream is not enabled on the server: ${(err as Error).message}; start nats-server with -js, or give its config a jetstream { } block (and the account jetstream: enabled)`,
      {
        cause: err,
      },
    );
  }
  const state: SetupState = { jsm, stream: spec?.name, createdStream: false, durables: [] };
  if (!spec) return state;
  try {
    const existing = await jsm.streams.info(spec.name).catch((err) => {
      if (apiCode(err) === 10059) return undefined; // stream not found
      throw err;
    });
    if (existing) {
      if (spec.purge) await jsm.streams.purge(spec.name);
    } else {
      await jsm.streams.add(streamConfig(spec));
      state.createdStream = true;
    }
    for (const d of durables) {
      await jsm.consumers.add(spec.name, {
        durable_name: d.name,
        ack_policy:
          d.spec.ackPolicy === "none"
            ? AckPolicy.None
            : d.spec.ackPolicy === "all"
              ? AckPolicy.All
              : AckPolicy.Explicit,
        deliver_policy: d.spec.deliver === "all" ? DeliverPolicy.All : DeliverPolicy.New,
        max_ack_pending: d.spec.maxAckPending,
        ...(d.spec.subject && { filter_subject: d.spec.subject }),
        ...(d.deliverSubject && {
          deliver_subject: d.deliverSubject,
          flow_control: true,
          idle_heartbeat: nanos(5000),
        }),
        ...(d.deliverSubject && d.spec.count > 1 && { deliver_group: d.name }),
      });
      state.durables.push(d.name);
    }
  } catch (err) {
    await teardownJetStream(state).catch(() => {});
    const code = apiCode(err);
    if (code === 10065) {
      throw new UsageError(
        `${profileFile}: stream.subjects ${spec.subjects.join(", ")} overlap an existing stream on the server; change stream.subjects, or set stream.name to that stream to reuse it`,
        { cause: err },
      );
    }
    if (code === 10074 || code === 10005) {
      throw new RuntimeFailure(
        `the server cannot place stream ${spec.name} with ${spec.replicas} replicas: ${(err as Error).message}; run against a cluster of at least ${spec.replicas} nodes`,
        { cause: err },
      );
    }
    if (code === 10028 || code === 10047) {
      // A stream of this storage (or of this max_bytes) is over what the account or the server may keep.
      const limit = code === 10028 ? "max_mem (memory)" : "max_file (file)";
      const other = spec.storage === "memory" ? "file" : "memory";
      const bytes = spec.maxBytes !== undefined ? ", lower stream.maxBytes" : "";
      throw new RuntimeFailure(
        `cannot set up stream ${spec.name}: ${(err as Error).message}; the account's (or the server's) JetStream ${limit} limit leaves no room for this ${spec.storage} stream: raise it${bytes}, or run a profile with stream.storage: ${other}`,
        { cause: err },
      );
    }
    throw new RuntimeFailure(`cannot set up stream ${spec.name}: ${(err as Error).message}`, { cause: err });
  }
  return state;
}

/** Deletes what setup created: the stream when benchline made it (and deleteAfter), else its durables. */
export async function teardownJetStream(state: SetupState, deleteStream = true): Promise<void> {
  if (!state.stream) return;
  if (state.createdStream && deleteStream) {
    await state.jsm.streams.delete(state.stream).catch(() => {});
    return;
  }
  for (const d of state.durables) await state.jsm.consumers.delete(state.stream, d).catch(() => {});
}
