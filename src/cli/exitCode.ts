/** 0 success; 1 a migration or RLS statement failed; 2 bad usage or configuration; 3 database unreachable or lock not obtained. */
export const ExitCode = { success: 0, failed: 1, usage: 2, unavailable: 3 } as const

export const exitCodeFor = (tag: string): number => {
  switch (tag) {
    case "DatabaseUnavailable":
    case "LockTimeout":
      return ExitCode.unavailable
    case "ConfigError":
    case "MigrationLoadError":
    case "DuplicateMigrationId":
    case "MigrationNotFound":
    case "MigrationIrreversible":
    case "ValidationError":
    case "InvalidValue":
    case "MissingValue":
    case "CommandMismatch":
    case "CorrectedFlag":
    case "MissingFlag":
    case "MultipleValuesDetected":
    case "MissingSubcommand":
    case "NoBuiltInMatch":
    case "UnclusteredFlag":
      return ExitCode.usage
    default:
      return ExitCode.failed
  }
}
