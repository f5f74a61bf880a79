/** What the CLI says about itself: help texts, and the error of a missing command (issues 21, 27). */
import { describe, expect, it } from "vitest";
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
