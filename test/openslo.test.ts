/**
 * `benchline slo --format openslo` against OpenSLO v1: its published JSON schema (test/fixtures/upstream
 * /openslo-v1) and the spec's rules the schema does not hold: RFC 1123 names, annotation prefixes that
 * are DNS subdomains, the duration shorthand, and SLOs that name a Service the output defines.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { deriveSlos } from "../src/slo/derive.js";
import { renderOpenSlo } from "../src/slo/openslo.js";
import { openSloName } from "../src/slo/openslo-names.js";
import { parseLabels, seriesNames } from "../src/slo/prometheus-names.js";
import { parseSloWindow } from "../src/slo/window.js";
import { fixtureBaseline } from "./fixtures/baseline.js";

const SCHEMA_DIR = fileURLToPath(new URL("./fixtures/upstream/openslo-v1/", import.meta.url));
const readSchema = (file: string) => JSON.parse(readFileSync(`${SCHEMA_DIR}${file}`, "utf8"));

/** The v1 schema with its parts, found by their `$id`s. */
function openSloValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const part of readdirSync(`${SCHEMA_DIR}parts`)) ajv.addSchema(readSchema(`parts/${part}`));
  return ajv.compile(readSchema("openslo.schema.json"));
}
const validate = openSloValidator();

/** RFC 1123 label: what every OpenSLO implementation must take as a name. */
const RFC1123 = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** An annotation key: a DNS subdomain prefix (labels separated by dots), '/', a name of up to 63. */
const ANNOTATION_KEY =
  /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\/[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

// biome-ignore lint/suspicious/noExplicitAny: OpenSLO documents, read back as plain YAML
type Doc = any;

function render(profileName: string, window = "28d"): Doc[] {
  const b = fixtureBaseline();
  b.profile = { ...b.profile, name: profileName };
  const set = deriveSlos(b, "baselines/b.json", { headroom: 1.25, targetPercent: 99.9, windowS: 1 });
  const names = seriesNames("benchline", parseLabels("service=orders"));
  return parseAllDocuments(renderOpenSlo(set, names, parseSloWindow(window))).map((d) => d.toJS());
}

const LONG = "orders-service-in-the-staging-cluster-with-three-replicas-and-file-storage-over-tls-v2";

describe("OpenSLO v1 output", () => {
  it.each([
    ["orders", "28d"],
    ["orders", "4w"],
    ["orders", "1M"],
    [LONG, "1Q"],
    ["Orders_Service__2", "1Y"],
  ])("validates against the published v1 schema: profile %s, window %s", (name, window) => {
    const docs = render(name, window);
    expect(docs).toHaveLength(6);
    for (const doc of docs) expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it("the schema refuses an annotation prefix without a dot, as benchline wrote before", () => {
    const [, slo] = render("orders");
    const before = {
      ...slo,
      metadata: { ...slo.metadata, annotations: { "benchline/observational": "true" } },
    };
    expect(validate(before)).toBe(false);
  });

  it("names: RFC 1123 labels, distinct, the long ones cut with a hash of the whole", () => {
    const docs = render(LONG);
    const names = docs.flatMap((d) => [d.metadata.name, d.spec.indicator?.metadata.name].filter(Boolean));
    expect(names.filter((n) => !RFC1123.test(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
    expect(docs[0].metadata.name).toBe("orders-service-in-the-staging-cluster-with-three-repli-373ade08");
    expect(docs.find((d) => d.metadata.displayName === `${LONG} pubAck.p99`).metadata.name).toBe(
      "orders-service-in-the-staging-cluster-with-373ade08-puback-p99",
    );
    expect(openSloName(LONG)).toBe(openSloName(LONG));
    expect(openSloName(`${LONG}-a`)).not.toBe(openSloName(`${LONG}-b`));
    expect(openSloName("Orders_Service__2")).toBe("orders-service-2");
    expect(openSloName("___")).toMatch(/^p-[0-9a-f]{8}$/);
  });

  it("references: every SLO names the Service the output defines", () => {
    const docs = render(LONG);
    const services = docs.filter((d) => d.kind === "Service").map((d) => d.metadata.name);
    expect(services).toHaveLength(1);
    const slos = docs.filter((d) => d.kind === "SLO");
    expect(slos.map((d) => d.spec.service)).toEqual(Array(slos.length).fill(services[0]));
    expect(RFC1123.test(services[0])).toBe(true);
  });

  it("annotation keys: one DNS-subdomain prefix, benchline.dev/", () => {
    const keys = render("orders").flatMap((d) => Object.keys(d.metadata.annotations));
    expect(keys.filter((k) => !ANNOTATION_KEY.test(k))).toEqual([]);
    expect(new Set(keys.map((k) => k.split("/")[0]))).toEqual(new Set(["benchline.dev"]));
    expect(ANNOTATION_KEY.test("benchline/observational")).toBe(false);
  });
});

describe("--window", () => {
  it.each([
    ["90m", 5400],
    ["12h", 43_200],
    ["28d", 2_419_200],
    ["4w", 2_419_200],
    ["1M", 2_629_746],
    ["1Q", 7_889_238],
    ["1Y", 31_556_952],
  ])("takes %s as OpenSLO does: %d s", (text, seconds) => {
    expect(parseSloWindow(text)).toEqual({ text, seconds });
  });

  it.each(["30s", "1.5d", "500ms", "0d", "028d", "28D", "28", "d", " 28d", "28 d", "-1w"])(
    "refuses %j, which OpenSLO does not take",
    (text) => {
      expect(() => parseSloWindow(text)).toThrow(
        `--window ${text}: OpenSLO takes a positive whole number and one of m h d w M Q Y (minutes to years), e.g. 28d, 4w, 1M`,
      );
    },
  );

  it("takes exactly what the schema's duration shorthand takes", () => {
    const ajv = new Ajv({ strict: false });
    const shorthand = ajv.compile(readSchema("parts/duration-shorthand.schema.json"));
    for (const text of ["90m", "4w", "1M", "1Q", "1Y", "30s", "1.5d", "0d", "028d", "28D", "28"]) {
      const ours = (() => {
        try {
          parseSloWindow(text);
          return true;
        } catch {
          return false;
        }
      })();
      expect([text, ours]).toEqual([text, shorthand(text)]);
    }
  });
});
