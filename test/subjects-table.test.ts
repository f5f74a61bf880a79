/**
 * The subjects table of docs/your-deployment.md is what an operator grants: every grant a shipped profile needs on
 * benchline's own subjects (inboxes, JetStream's API and acks, KV, Object Store, services) is in it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requiredPermissions } from "../src/engine/permissions.js";
import { buildPlan } from "../src/engine/plan.js";
import { loadProfile } from "../src/profile/loader.js";

const guide = readFileSync("docs/your-deployment.md", "utf8");
const start = guide.indexOf("<!-- subjects-table");
const table = guide.slice(start, guide.indexOf("How the check works", start));

/** A grant as the table writes it: bucket names as <bucket>. */
function asInTable(grant: string): string {
  return grant.replace(/^\$KV\.[^.]+\.>$/, "$KV.<bucket>.>").replace(/^\$O\.[^.]+\.>$/, "$O.<bucket>.>");
}

describe("the subjects table of docs/your-deployment.md", () => {
  it("is there, between its marker and the text after it", () => {
    expect(start).toBeGreaterThan(-1);
    expect(table).toContain("| grant | when | what benchline sends or receives there |");
  });

  const profiles = readdirSync("profiles").filter((f) => f.endsWith(".yaml"));

  it.each(profiles)("lists every grant of benchline's own subjects that %s needs", async (file) => {
    const loaded = await loadProfile(join("profiles", file));
    const plan = buildPlan(loaded.profile, "r1");
    const own = requiredPermissions(loaded.profile, plan)
      .map((p) => `${p.operation} \`${asInTable(p.grant)}\``)
      .filter((g) => /`(_INBOX|\$)/.test(g));
    expect(own.length).toBeGreaterThan(0);
    for (const grant of own) expect(table, grant).toContain(grant);
  });

  it("probes the inbox, the API and the acks of a JetStream pull run, with their grants", async () => {
    const loaded = await loadProfile("profiles/smoke.yaml");
    const anonymous = requiredPermissions(loaded.profile, buildPlan(loaded.profile, "r1"));
    // No user, no permissions: the load's own subjects are not probed (a probe would reach subscribers).
    expect(anonymous.map((n) => n.grant)).not.toContain("bench.smoke.msgs");
    const profile = { ...loaded.profile, auth: { user: "a", password: "p" } };
    const needs = requiredPermissions(profile, buildPlan(profile, "r1"));
    expect(needs.map((n) => `${n.operation} ${n.grant}`)).toEqual([
      "subscribe _INBOX.>",
      "publish $JS.API.>",
      "publish bench.smoke.msgs",
      "publish $JS.ACK.>",
      "publish $JS.API.>",
    ]);
    expect(needs[0]!.probe).toMatch(/^_INBOX\.[A-Za-z0-9]+\.probe$/);
    expect(needs[3]!.probe).toBe("$JS.ACK.BENCH_SMOKE.benchline-permission-probe.1.1.1.0.0");
  });

  it("puts the inbox under --inbox-prefix", async () => {
    const loaded = await loadProfile("profiles/smoke.yaml");
    const profile = {
      ...loaded.profile,
      connection: { ...loaded.profile.connection, inboxPrefix: "_INBOX_team" },
    };
    const [inbox] = requiredPermissions(profile, buildPlan(profile, "r1"));
    expect(inbox!.grant).toBe("_INBOX_team.>");
    expect(inbox!.probe.startsWith("_INBOX_team.")).toBe(true);
    expect(buildPlan(profile, "r1").durables.every((d) => d.deliverSubject === undefined)).toBe(true);
  });
});
