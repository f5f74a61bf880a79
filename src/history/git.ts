/** Which commit and branch a run measured: flags first, then the CI's environment, then git in the cwd. */
import { execFileSync } from "node:child_process";

export interface GitInfo {
  sha?: string;
  branch?: string;
}

function git(args: string[], cwd: string): string | undefined {
  try {
    const out = execFileSync("git", args, { cwd, stdio: ["ignore", "pipe", "ignore"], timeout: 2000 })
      .toString()
      .trim();
    return out && out !== "HEAD" ? out : undefined;
  } catch {
    return undefined;
  }
}

export function gitInfo(
  flags: { gitSha?: string; gitBranch?: string },
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): GitInfo {
  const sha =
    flags.gitSha || env.GITHUB_SHA || env.CI_COMMIT_SHA || git(["rev-parse", "HEAD"], cwd) || undefined;
  const branch =
    flags.gitBranch ||
    env.GITHUB_HEAD_REF ||
    env.GITHUB_REF_NAME ||
    env.CI_COMMIT_REF_NAME ||
    git(["rev-parse", "--abbrev-ref", "HEAD"], cwd) ||
    undefined;
  return { sha, branch };
}
