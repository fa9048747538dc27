// A dependency-free SVG of the benchmark's medians: one panel per workload, one bar per tool.

const escape = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const colors = {
  "effect-migrate": "#2563eb",
  knex: "#f59e0b",
  "node-pg-migrate": "#10b981",
  dbmate: "#8b5cf6",
  "effect-sql": "#ef4444",
  psql: "#6b7280"
}

export const chart = (result) => {
  const { labels, overheadMsPerMigration: overhead, summary } = result
  const tools = Object.keys(labels)
  const seconds = (workload) => (tool) => summary[workload]?.[tool]?.medianSeconds
  const panels = [
    { title: "100 migrations, cold (s)", value: seconds("cold-100"), digits: 2 },
    { title: "1000 migrations, cold (s)", value: seconds("cold-1000"), digits: 2 },
    { title: "CLI no-op, 1000 applied (s)", value: seconds("noop-1000"), digits: 3 },
    { title: "ms per migration over psql (1000 cold)", value: (tool) => overhead[1000]?.[tool], digits: 2 }
  ]
  if (summary["cold-10000"] !== undefined) {
    panels.push({ title: "10 000 migrations, cold (s)", value: seconds("cold-10000"), digits: 1 })
    panels.push({ title: "CLI no-op, 10 000 applied (s)", value: seconds("noop-10000"), digits: 2 })
  }
  panels.push({ title: "peak RSS, 1000 cold (MB)", value: (tool) => summary["cold-1000"]?.[tool]?.maxRssMb, digits: 0 })
  panels.push({ title: "in-process no-op, 1000: first build, ms (baseline: pg alone)", value: (tool) => summary["inprocess-1000"]?.[tool]?.medianMs, digits: 0 })

  const columns = 2
  const labelWidth = 210
  const barWidth = 230
  const panelWidth = labelWidth + barWidth + 70
  const rowHeight = 20
  const panelHeight = 34 + tools.length * rowHeight + 14
  const width = columns * panelWidth + 20
  const header = 56
  const height = header + Math.ceil(panels.length / columns) * panelHeight + 24
  const out = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">effect-migrate vs peers: medians of ${result.runs} interleaved runs (lower is better)</text>`,
    `<text x="12" y="40" fill="#555">${escape(`${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}, ${result.machine.postgres.split(" on ")[0]}, fsync=${result.machine.fsync}; ${result.date.slice(0, 10)}`)}</text>`
  )
  panels.forEach((panel, index) => {
    const x0 = 10 + (index % columns) * panelWidth
    const y0 = header + Math.floor(index / columns) * panelHeight
    out.push(`<text x="${x0}" y="${y0 + 18}" font-weight="bold">${escape(panel.title)}</text>`)
    const values = tools.map((tool) => panel.value(tool))
    const max = Math.max(...values.filter((v) => v !== undefined && Number.isFinite(v) && v > 0), 1e-9)
    tools.forEach((tool, row) => {
      const y = y0 + 30 + row * rowHeight
      const value = values[row]
      const ours = tool === "effect-migrate"
      out.push(
        `<text x="${x0 + labelWidth - 6}" y="${y + 13}" text-anchor="end"${ours ? ` font-weight="bold"` : ""}>${escape(labels[tool])}</text>`
      )
      if (value === undefined || !Number.isFinite(value)) {
        out.push(`<text x="${x0 + labelWidth + 4}" y="${y + 13}" fill="#999">n/a</text>`)
        return
      }
      const w = Math.max(1, (Math.max(0, value) / max) * barWidth)
      out.push(
        `<rect x="${x0 + labelWidth}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="${colors[tool] ?? "#999"}"/>`,
        `<text x="${x0 + labelWidth + w + 4}" y="${y + 13}"${ours ? ` font-weight="bold"` : ""}>${value.toFixed(panel.digits)}</text>`
      )
    })
  })
  out.push(
    `<text x="12" y="${height - 8}" fill="#555">${escape("Each migration: CREATE TABLE t_i (id bigint primary key, v text); INSERT INTO t_i VALUES (1,'x');  Reproduce: npm run bench")}</text>`,
    "</svg>"
  )
  return out.join("\n") + "\n"
}
