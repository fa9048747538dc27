import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { writeFile } from "node:fs/promises"
import * as path from "node:path"
import { freePort } from "../support/freePort.js"
import { cli, useCli, useTempDirs } from "./support.js"

/** Help, version, typos and completions, from the built binary, as a first-time user meets them. */

useCli()
const tempDir = useTempDirs("help")
const escape = "\x1b"

describe("effect-migrate --help", () => {
  it("is short, describes every option and command, and has no escape codes when piped or with NO_COLOR", async () => {
    for (const env of [{}, { NO_COLOR: "1" }]) {
      const help = await cli(["--help"], env)
      expect(help.code).toBe(0)
      expect(help.stdout).not.toContain(escape)
      expect(help.stdout).not.toContain("A user-defined piece of text")
      expect(help.stdout.split("\n").length).toBeLessThan(60)
      expect(help.stdout).toContain("$ effect-migrate [command]")
      expect(help.stdout).toMatch(/--timeout <integer>\s+per-migration timeout/)
      for (const command of ["up", "status", "create", "down", "mark-applied", "mark-failed", "reset", "verify", "repair", "rls"]) {
        expect(help.stdout).toMatch(new RegExp(`^  ${command}\\s+\\S`, "m"))
      }
    }
  })

  it("-h, help and help <command> are accepted; a command's help names the program and its own flags", async () => {
    expect((await cli(["-h"], {})).code).toBe(0)
    expect((await cli(["help"], {})).stdout).toContain("COMMANDS")
    const status = await cli(["help", "status"], {})
    expect(status.code).toBe(0)
    expect(status.stdout).toContain("$ effect-migrate status [options]")
    expect(status.stdout).toMatch(/--check\s+exit 1 when anything is pending/)
    expect(status.stdout).not.toContain("--dry-run")
    expect((await cli(["down", "--help"], {})).stdout).toMatch(/--steps <integer>/)
  })

  it("version, --version and -v print the version", async () => {
    for (const flag of ["version", "--version", "-v"]) {
      const result = await cli([flag], {})
      expect(result.code).toBe(0)
      expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    }
  })

  it("a typo'd command or option exits 2 with a suggestion; --bogus is an unknown option", async () => {
    const command = await cli(["stauts"], {})
    expect(command.code).toBe(2)
    expect(command.stderr).toContain("Unknown command 'stauts'. Did you mean 'status'?")
    const option = await cli(["status", "--chek"], {})
    expect(option.code).toBe(2)
    expect(option.stderr).toContain("Unknown option '--chek' for status. Did you mean '--check'?")
    const bogus = await cli(["--bogus"], {})
    expect(bogus.code).toBe(2)
    expect(bogus.stderr).toContain("Unknown option '--bogus'")
  })

  it("an integer option refuses text; --log-level works after the command too", async () => {
    const integer = await cli(["down", "--steps", "abc"], {})
    expect(integer.code).toBe(2)
    const url = `postgres://x@127.0.0.1:${await freePort()}/x`
    const quiet = await cli(["status", "--log-level", "error", "--connect-timeout", "0"], { DATABASE_URL: url })
    expect(quiet.code).toBe(3)
    expect(quiet.stderr).not.toContain("[INFO]")
    expect(quiet.stderr).toContain("[ERROR]")
  })
})

describe("effect-migrate completions", () => {
  const complete = (script: string, words: ReadonlyArray<string>) =>
    execFileSync("bash", [
      "-c",
      `source ${JSON.stringify(script)}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); ` +
      `COMP_CWORD=${words.length - 1}; _effect_migrate; printf '%s\\n' "\${COMPREPLY[@]}"`
    ]).toString().split("\n").filter((line) => line !== "")

  it("bash completes each subcommand's own flags", async () => {
    const result = await cli(["completions", "bash"], {})
    expect(result.code).toBe(0)
    const script = path.join(await tempDir(), "effect-migrate.bash")
    await writeFile(script, result.stdout)
    expect(complete(script, ["effect-migrate", "down", "--st"])).toEqual(["--steps"])
    const status = complete(script, ["effect-migrate", "status", "--"])
    expect(status).toContain("--check")
    expect(status).toContain("--json")
    expect(status).not.toContain("--dry-run")
    expect(status).not.toContain("--steps")
    expect(complete(script, ["effect-migrate", "sta"])).toEqual(["status"])
  })

  it("zsh and fish scripts name each subcommand's flags; --completions works as @effect/cli's flag did", async () => {
    const zsh = await cli(["--completions", "zsh"], {})
    expect(zsh.stdout).toContain("#compdef effect-migrate")
    expect(zsh.stdout).toMatch(/down\) items=\(.*'--steps:/)
    const fish = await cli(["completions", "fish"], {})
    expect(fish.stdout).toContain("complete -c effect-migrate -n '__fish_seen_subcommand_from down' -l steps -r")
    expect((await cli(["completions", "tcsh"], {})).code).toBe(2)
  })
})
