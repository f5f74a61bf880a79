/** What the CLI says about itself: help texts, and the error of a missing command (issues 21, 27, 28). */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import yargs from "yargs";
import { COMMANDS } from "../src/commands/all.js";
import { expectOneLineError, runCli } from "./helpers/cli.js";

/** Help text with its wrapping undone: the words as one line. */
const flat = (text: string) => text.replace(/\s+/g, " ");

describe("benchline with no command", () => {
  it("names the fix once, exit 2", async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toBe("error: name a command; see benchline --help");
  });
});

describe("baseline show --help", () => {
  it("says what --json prints", async () => {
    const r = await runCli(["baseline", "show", "--help"]);
    expect(r.code).toBe(0);
    expect(flat(r.stdout)).toContain(
      "--json print the profile, creation time, run count, environment and per-metric spreads as JSON [boolean] [default: false]",
    );
  });
});

describe("ab --help", () => {
  // yargs lists a one-letter option as -a; the usage line and the words say --a, as the examples do.
  it("writes the sides as the examples do, --a and --b", async () => {
    const r = await runCli(["ab", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("benchline ab <profile> --a TARGET --b TARGET [options]");
    const help = flat(r.stdout);
    expect(help).toContain(
      " -a --a TARGET (or -a): side A, the reference: nats://host:4222, config=FILE or bin=PATH (or config=FILE,bin=PATH) [string] [required] ",
    );
    expect(help).toContain(
      " -b --b TARGET (or -b): side B, the change, in the same forms as --a [string] [required] ",
    );
    // Examples wrap beside their descriptions: check the flags each uses, not whole lines.
    const examples = help.slice(help.indexOf("Examples:"));
    expect(examples).toContain("benchline ab profiles/js-e2e.yaml --a ");
    expect(examples).toContain(" bin=/opt/nats-2.9/nats-server --b ");
    expect(examples).toContain("benchline ab profiles/smoke.yaml --a ");
    expect(examples).toContain(" config=deploy/nats.conf --b config=deploy/nats-tuned.conf --rounds 8");
    expect(examples).not.toMatch(/ -[ab] /);
  });

  it("takes -a and --a alike", async () => {
    for (const [a, b] of [
      ["--a", "--b"],
      ["-a", "-b"],
    ] as const) {
      const r = await runCli(["ab", "p.yaml", a, "nats://127.0.0.1:1", b, "binary=/x"]);
      expect(r.code).toBe(2);
      expect(expectOneLineError(r)).toContain("error: --b binary=/x: unknown target");
    }
  });
});

/** The commands src/cli.ts registers, from the one list it registers them from. */
const commands = COMMANDS;

/** A command's help as the CLI prints it, built in-process: one CLI start per command would cost seconds. */
function helpOf(path: string[]): Promise<string> {
  const parser = yargs().scriptName("benchline").wrap(null).help();
  for (const command of commands) parser.command(command);
  return new Promise((resolve) => {
    parser.parse([...path, "--help"], {}, (_err, _argv, output) => resolve(output));
  });
}

/** The commands a help text lists, as word paths: [["baseline", "record"], ...]. */
function commandsIn(help: string): string[][] {
  const section = help.slice(help.indexOf("Commands:"), help.indexOf("\n\n", help.indexOf("Commands:")));
  return [...section.matchAll(/^ {2}benchline (.+?)(?: {2,}|$)/gm)].map((m) =>
    m[1]!.split(" ").filter((word) => /^[a-z][a-z-]*$/.test(word)),
  );
}

describe("--help points to the guides (issue 28)", () => {
  it("benchline --help names the README and docs/commands.md, and lists the commands tested below", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(flat(r.stdout)).toContain(
      "guides: README.md, then docs/commands.md for every command; each command's --help names its own",
    );
    expect(existsSync("README.md") && existsSync("docs/commands.md")).toBe(true);
    const listed = commandsIn(r.stdout);
    expect(listed).toHaveLength(commands.length);
    expect(commandsIn(await helpOf([]))).toEqual(listed);
  });

  it("every command and subcommand names its guide, a file under docs/ that exists", async () => {
    const guides: Record<string, string> = {};
    const visit = async (path: string[]): Promise<void> => {
      const help = await helpOf(path);
      if (path.length > 0) {
        const guide = /^guide: (docs\/[a-z-]+\.md)$/m.exec(help)?.[1];
        expect(guide, `benchline ${path.join(" ")} --help`).toBeDefined();
        expect(existsSync(guide!), guide).toBe(true);
        guides[path.join(" ")] = guide!;
      }
      for (const sub of commandsIn(help)) if (sub.length === path.length + 1) await visit(sub);
    };
    await visit([]);
    expect(guides).toEqual({
      run: "docs/measuring.md",
      quick: "docs/workloads.md",
      baseline: "docs/compare-in-ci.md",
      "baseline record": "docs/compare-in-ci.md",
      "baseline show": "docs/compare-in-ci.md",
      compare: "docs/compare-in-ci.md",
      history: "docs/compare-in-ci.md",
      "history show": "docs/compare-in-ci.md",
      "history check": "docs/compare-in-ci.md",
      "history import": "docs/compare-in-ci.md",
      ab: "docs/compare-in-ci.md",
      slo: "docs/slo-and-alerts.md",
      capacity: "docs/slo-and-alerts.md",
      drill: "docs/slo-and-alerts.md",
      report: "docs/outputs.md",
      server: "docs/your-deployment.md",
      "server start": "docs/your-deployment.md",
      "server status": "docs/your-deployment.md",
      "server stop": "docs/your-deployment.md",
      "server run": "docs/your-deployment.md",
      services: "docs/workloads.md",
      agent: "docs/agents.md",
      agents: "docs/agents.md",
      schema: "docs/measuring.md",
    });
  });
});
