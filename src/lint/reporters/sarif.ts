import type { Finding } from "../finding.js"
import { catalog, ruleIds } from "../rules/catalog.js"

/** SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs). */
export const renderSarif = (findings: ReadonlyArray<Finding>, version: string): string =>
  JSON.stringify({
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: {
        driver: {
          name: "effect-migrate lint",
          version,
          rules: ruleIds.map((id) => ({
            id,
            shortDescription: { text: catalog[id].safe },
            defaultConfiguration: { level: catalog[id].level },
            helpUri: `docs/lint.md#${id}`
          }))
        }
      },
      results: findings.map((finding) => ({
        ruleId: finding.rule,
        level: finding.level,
        message: { text: `${finding.message}. Safe: ${finding.safe}` },
        properties: { blocks: finding.blocks, duration: finding.duration },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: finding.file },
            region: { startLine: finding.line, startColumn: finding.column }
          }
        }]
      }))
    }]
  }, null, 2)
