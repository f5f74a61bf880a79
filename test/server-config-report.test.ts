/** Which nats-server config a run's embedded server ran from, as each report shows it: path and hash only. */
import { describe, expect, it } from "vitest";
import type { RunResult } from "../src/contract/result.js";
import { environmentRows } from "../src/report/html/documents-html.js";
import { renderMarkdown } from "../src/report/markdown.js";
import { renderTable } from "../src/report/table.js";
import { fixtureRun } from "./fixtures/run-result.js";

const MAIN = "a1".repeat(32);
const AUTH = "b2".repeat(32);

function fromConfig(includes = true): RunResult {
  const run = fixtureRun();
  run.env.embeddedServer = true;
  run.env.serverConfig = {
    path: "deploy/nats-server.conf",
    sha256: MAIN,
    ...(includes && { includes: [{ path: "deploy/auth.conf", sha256: AUTH }] }),
  };
  return run;
}

describe("the server config in the reports", () => {
  it("summary.md names the file and each file it includes, with whole hashes", () => {
    const md = renderMarkdown(fromConfig());
    expect(md).toContain(
      `\nServer config \`deploy/nats-server.conf\`, sha256 \`${MAIN}\`, including:\n- \`deploy/auth.conf\`, sha256 \`${AUTH}\`\n`,
    );
    expect(renderMarkdown(fromConfig(false))).toContain(
      `\nServer config \`deploy/nats-server.conf\`, sha256 \`${MAIN}\`.\n`,
    );
  });

  it("the terminal table and the HTML report say it in one line", () => {
    const line = "deploy/nats-server.conf (sha256 a1a1a1a1a1a1), including 1 file";
    expect(renderTable(fromConfig()).split("\n")).toContain(`server config: ${line}`);
    expect(environmentRows(fromConfig().env)).toContainEqual(["server config", line]);
  });

  it("a run on benchline's own server or a named one says nothing of a config", () => {
    const run = fixtureRun();
    expect(renderMarkdown(run)).not.toContain("Server config");
    expect(renderTable(run)).not.toContain("server config");
    expect(environmentRows(run.env).map(([k]) => k)).not.toContain("server config");
  });
});
