import { describe, expect, it } from "vitest";
import { helpFor, withoutCamelTwins } from "../src/util/usage-message.js";

describe("yargs' parse failures", () => {
  it("name each unknown flag once, without the camelCase twin yargs adds", () => {
    expect(withoutCamelTwins("Unknown arguments: foo-bar, fooBar")).toBe("Unknown argument: foo-bar");
    expect(withoutCamelTwins("Unknown arguments: foo-bar, fooBar, baz-qux, bazQux")).toBe(
      "Unknown arguments: foo-bar, baz-qux",
    );
    // A camelCase flag typed as such stays; so does any other message.
    expect(withoutCamelTwins("Unknown argument: fooBar")).toBe("Unknown argument: fooBar");
    expect(withoutCamelTwins("Unknown arguments: a, b")).toBe("Unknown arguments: a, b");
    expect(withoutCamelTwins("name a command")).toBe("name a command");
  });

  it("point at the failed command's help", () => {
    const commands = ["run", "server"];
    expect(helpFor(["run", "p.yaml", "--foo"], commands)).toBe("benchline run --help");
    expect(helpFor(["--debug", "server", "start", "--bogus"], commands)).toBe("benchline server --help");
    expect(helpFor(["bogus"], commands)).toBe("benchline --help");
    expect(helpFor([], commands)).toBe("benchline --help");
  });
});
