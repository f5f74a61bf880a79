/** `benchline schema`: prints the profile JSON Schema (profiles/profile.schema.json is this output). */
import type { CommandModule } from "yargs";
import { profileJsonSchema } from "../profile/json-schema.js";

export const schemaCommand: CommandModule = {
  command: "schema",
  describe: "print the JSON Schema of profile files, for editors",
  builder: (y) => y.epilogue("guide: docs/measuring.md"),
  handler: () => {
    process.stdout.write(profileJsonSchema());
  },
};
