/** Exit codes (docs/architecture.md, "Exit codes"); the only numbers a command may exit with. */
export const ExitCode = {
  ok: 0,
  verdictFailed: 1,
  invalidInput: 2,
  runtimeFailure: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base of every error a user may see: a one-line message and the exit code it maps to. */
export class BenchlineError extends Error {
  /** One of ExitCode; for CommandExited, the code of the user's command. */
  readonly exitCode: number;
  constructor(message: string, exitCode: ExitCode | number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BenchlineError";
    this.exitCode = exitCode;
  }
}

/** Bad flags, a bad profile or baseline file: nothing was run (exit 2). */
export class UsageError extends BenchlineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.invalidInput, options);
    this.name = "UsageError";
  }
}

/** The run worked and a verdict failed: a regression, a threshold or an SLO breach (exit 1). */
export class VerdictFailed extends BenchlineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.verdictFailed, options);
    this.name = "VerdictFailed";
  }
}

/** The server, the network or the run failed (exit 3). */
export class RuntimeFailure extends BenchlineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.runtimeFailure, options);
    this.name = "RuntimeFailure";
  }
}

/** The user pressed Ctrl-C or sent SIGTERM (exit 130). */
export class Interrupted extends BenchlineError {
  constructor(message = "interrupted", options?: { cause?: unknown }) {
    super(message, ExitCode.interrupted, options);
    this.name = "Interrupted";
  }
}

/**
 * `server run`: the user's command exited non-zero (or was killed by a signal: 128 + its number, as a
 * shell reports it), and benchline exits with the same code so that the script around it sees it.
 */
export class CommandExited extends BenchlineError {
  constructor(message: string, code: number) {
    super(message, code);
    this.name = "CommandExited";
  }
}

/** One line from any thrown value, for the places that must not print a stack. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, " ").trim();
}
