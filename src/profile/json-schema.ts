/** The JSON Schema for editors, generated from the same zod schema the loader validates with. */
import { z } from "zod";
import { profileSchema } from "./schema.js";

export function profileJsonSchema(): string {
  const schema = z.toJSONSchema(profileSchema, { io: "input", target: "draft-2020-12" });
  return `${JSON.stringify({ ...schema, title: "benchline profile" }, null, 2)}\n`;
}
