/**
 * The nats.js connect options for a profile's credentials: the one place that maps benchline's auth
 * settings to the client's names, for the control connection and every worker connection alike.
 */
import type { ConnectionOptions } from "@nats-io/transport-node";
import type { AuthSpec } from "../profile/profile.js";

export function authOptions(auth: AuthSpec | undefined): Pick<ConnectionOptions, "token" | "user" | "pass"> {
  return { token: auth?.token, user: auth?.user, pass: auth?.password };
}
