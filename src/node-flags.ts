/**
 * The Node flags benchline's CLI runs with (its shebang passes them; scripts that start the CLI with
 * `node` pass them too). --no-memory-reducer: V8's memory reducer compacts the main thread's heap once,
 * about 8 s after startup grew it; on 2 cores those 10-20 ms of GC work landed in the second run of every
 * baseline record and compare and raised its e2e.p99 by a median 35% over 40 compares
 * (docs/benchmarks.md). The heap is small; reducing it is worth nothing to a load generator.
 */
export const CLI_NODE_FLAGS: readonly string[] = ["--no-memory-reducer"];
