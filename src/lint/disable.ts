import type { RuleHit } from "./finding.js"
import { isRuleId, type RuleId } from "./rules/catalog.js"

export interface Directives {
  readonly disabled: ReadonlySet<RuleId>
  /** Directives that gave no reason, or named an unknown rule: reported as warnings. */
  readonly problems: ReadonlyArray<Omit<RuleHit, "offset"> & { readonly index: number }>
}

const directive = /--\s*lint-disable\s*:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)(.*)$/gm

/** `-- lint-disable: rule-id[, rule-id] reason` anywhere in a migration turns those rules off for the whole file. */
export const directivesIn = (text: string): Directives => {
  const disabled = new Set<RuleId>()
  const problems: Array<Directives["problems"][number]> = []
  for (const match of text.matchAll(directive)) {
    const ids = match[1]!.split(",").map((id) => id.trim())
    for (const id of ids) {
      if (isRuleId(id)) disabled.add(id)
      else {
        problems.push({ rule: "disable-without-reason", index: match.index, message: `lint-disable names an unknown rule: ${id}` })
      }
    }
    if (match[2]!.trim() === "") {
      problems.push({ rule: "disable-without-reason", index: match.index, message: `lint-disable: ${ids.join(", ")} gives no reason` })
    }
  }
  return { disabled, problems }
}
