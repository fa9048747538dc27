import { backfill } from "./backfill.js"
import { columns } from "./columns.js"
import { constraints } from "./constraints.js"
import { destructive } from "./destructive.js"
import { enums } from "./enums.js"
import { indexes } from "./indexes.js"
import { maintenance } from "./maintenance.js"
import type { Rule } from "./rule.js"

/** Every rule, each a function of one statement. */
export const rules: ReadonlyArray<Rule> = [indexes, constraints, columns, destructive, enums, maintenance, backfill]
