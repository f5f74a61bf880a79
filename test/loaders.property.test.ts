/** Random documents never crash the loaders: each either loads or gives one line naming the file. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseBaseline } from "../src/baseline/store.js";
import { UsageError } from "../src/errors.js";
import { parseProfileText } from "../src/profile/loader.js";
import { parseDocument } from "../src/report/documents.js";
import { fixtureBaseline } from "./fixtures/baseline.js";

/** Loads, or throws a UsageError of one line that names the file; anything else fails the property. */
function loadsOrSaysWhy(load: () => unknown, file: string): void {
  try {
    load();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    expect(err.message).not.toContain("\n");
    expect(err.message).toContain(file);
  }
}

/** Values shaped like profile fields, often of the wrong type or out of range. */
const value = fc.oneof(
  fc.integer({ min: -10, max: 1e13 }),
  fc.double(),
  fc.constantFrom(
    "max",
    "1s",
    "0s",
    "-1s",
    "1KiB",
    "100MB",
    "nats://x:1",
    "${NOPE}",
    "${HOME}",
    "",
    "a.>",
    "core",
    "jetstream",
    "pull",
  ),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
);
const publisher = fc.dictionary(
  fc.constantFrom(
    "mode",
    "subject",
    "rate",
    "size",
    "count",
    "spread",
    "burst",
    "msgId",
    "headers",
    "maxInFlight",
    "oops",
  ),
  value,
);
const profileLike = fc.record(
  {
    name: value,
    publishers: fc.oneof(fc.array(publisher, { maxLength: 3 }), value),
    consumers: fc.oneof(
      fc.array(fc.dictionary(fc.constantFrom("kind", "subject", "count", "batch"), value), { maxLength: 2 }),
      value,
    ),
    stream: fc.oneof(
      fc.dictionary(fc.constantFrom("name", "subjects", "replicas", "maxBytes"), value),
      value,
    ),
    duration: value,
    warmup: value,
    workers: value,
    auth: fc.oneof(
      fc.dictionary(fc.constantFrom("token", "user", "password", "nkey", "creds"), value),
      value,
    ),
    tenants: fc.oneof(
      fc.array(fc.record({ name: value, publishers: fc.array(publisher, { maxLength: 2 }) }), {
        maxLength: 2,
      }),
      value,
    ),
    thresholds: fc.oneof(
      fc.dictionary(fc.constantFrom("pubAck.p99", "e2e.p50", "counts.lost", "nope.x"), value),
      value,
    ),
  },
  { requiredKeys: [] },
);

describe("profile loader, random input", () => {
  it("any text, as YAML or as JSON", () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom("p.yaml", "p.json"), (text, file) => {
        loadsOrSaysWhy(() => parseProfileText(text, file, {}), file);
      }),
      { numRuns: 500 },
    );
  });

  it("any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (doc) => {
        loadsOrSaysWhy(() => parseProfileText(JSON.stringify(doc), "p.json", {}), "p.json");
      }),
      { numRuns: 500 },
    );
  });

  it("documents shaped like profiles, with wrong types and absurd values", () => {
    fc.assert(
      fc.property(profileLike, (doc) => {
        loadsOrSaysWhy(() => parseProfileText(stringify(doc), "p.yaml", { HOME: "/root" }), "p.yaml");
      }),
      { numRuns: 1000 },
    );
  });
});

describe("baseline and report loaders, random input", () => {
  const base = JSON.parse(JSON.stringify(fixtureBaseline())) as Record<string, unknown>;

  it("any text", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        loadsOrSaysWhy(() => parseBaseline(text, "b.json"), "b.json");
        loadsOrSaysWhy(() => parseDocument(text, "d.json"), "d.json");
      }),
      { numRuns: 500 },
    );
  });

  it("a real baseline with one field replaced by anything, or cut short", () => {
    const keys = Object.keys(base);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), fc.nat(), (key, replacement, cut) => {
        const text = JSON.stringify({ ...base, [key]: replacement });
        loadsOrSaysWhy(() => parseBaseline(text, "b.json"), "b.json");
        loadsOrSaysWhy(() => parseDocument(text, "d.json"), "d.json");
        const short = text.slice(0, cut % text.length);
        loadsOrSaysWhy(() => parseBaseline(short, "b.json"), "b.json");
      }),
      { numRuns: 500 },
    );
  });
});
