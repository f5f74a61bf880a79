/** stepdown: the stream, consumer or meta leader steps down through the JetStream API; an instant. */
import type { Injector, StepdownRequest } from "./injector.js";

export function stepdownInjector(of: "stream" | "consumer" | "meta", request: StepdownRequest): Injector {
  return { start: () => request(of), end: async () => {} };
}
