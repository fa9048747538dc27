import { Schema } from "effect"

/** Another tool's history cannot be adopted as it is: not found, dirty or failed, or not matching the files. */
export class AdoptionRefused extends Schema.TaggedError<AdoptionRefused>()("AdoptionRefused", {
  tool: Schema.String,
  table: Schema.String,
  reasons: Schema.Array(Schema.String),
  message: Schema.String
}) {}

export const adoptionRefused = (tool: string, table: string, reasons: ReadonlyArray<string>) =>
  new AdoptionRefused({
    tool,
    table,
    reasons,
    message: `adopt --from ${tool}: nothing was recorded; ${table}: ${reasons.join("; ")}`
  })
