import { describe, expect, it } from "vitest";
import { counted } from "../src/util/plural.js";

describe("counts in sentences", () => {
  it("say 1 run, 0 runs, 3 runs, and take an irregular plural", () => {
    expect(counted(1, "run")).toBe("1 run");
    expect(counted(0, "run")).toBe("0 runs");
    expect(counted(3, "expected alert")).toBe("3 expected alerts");
    expect(counted(1, "candidate run")).toBe("1 candidate run");
    expect(counted(2, "repetition", "repetitions")).toBe("2 repetitions");
  });
});
