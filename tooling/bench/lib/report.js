/** Markdown table and SVG chart of a benchmark result. */

function fmt(x) {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function cell(s) {
  if (!s || s.n === 0) return '–';
  return s.n === 1 ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

/** Whether `row` meets its target; undefined when there is none or no data. */
export function verdict(row) {
  const t = row.target;
  if (!t || !Number.isFinite(row.ratio)) return undefined;
  if (t.kind === 'ratio-min') return row.ratio >= t.value;
  if (t.kind === 'ratio-max') return row.ratio <= t.value;
  return row.delta <= t.value;
}

/** The markdown table (one row per scenario and metric). */
export function markdownTable(result) {
  const lines = [
    `Machine: ${result.machine.cpus}× ${result.machine.cpuModel}, ${result.machine.os}; Node ${result.machine.node}; ` +
      `pinned: ${result.pinned ? 'server CPU 0, stress CPU 1 (taskset)' : 'no'}; ${result.options.reps} reps × ${result.options.durationS} s, A/B alternated.`,
    `A = ${result.servers.A}; B = ${result.servers.B}. Cells: median (min–max). Ratio = B/A medians; CPU = server CPU µs per message (per connection for g).`,
    '',
    '| id | scenario | metric | A (baseline) | B (ours) | ratio B/A | target | CPU A → B |',
    '|---|---|---|---:|---:|---:|---|---:|',
  ];
  for (const sc of result.scenarios) {
    if (sc.skipped) {
      lines.push(`| ${sc.id} | ${sc.name} | – | – | – | – | skipped: ${sc.skipped} | – |`);
      continue;
    }
    sc.rows.forEach((row, i) => {
      const v = verdict(row);
      const target = row.target ? `${row.target.text} ${v === undefined ? '' : v ? '**pass**' : '**FAIL**'}` : '';
      const ratio = Number.isFinite(row.ratio) ? `${row.ratio.toFixed(2)}×` + (row.target?.kind === 'delta-max' ? ` (Δ ${fmt(row.delta)})` : '') : '–';
      const cpu = i === 0 && sc.cpu ? `${fmt(sc.cpu.A.median)} → ${fmt(sc.cpu.B.median)}` : '';
      lines.push(`| ${i === 0 ? sc.id : ''} | ${i === 0 ? sc.name : ''} | ${row.label} | ${cell(row.A)} | ${cell(row.B)} | ${ratio} | ${target} | ${cpu} |`);
    });
    if (sc.failures > 0) lines.push(`| | | runs with errors | ${sc.failuresBy.A} | ${sc.failuresBy.B} | | | |`);
  }
  const checks = result.checks ?? [];
  if (checks.length > 0) lines.push('');
  for (const c of checks) {
    const v = c.ok === undefined ? 'not measured' : c.ok ? '**pass**' : '**FAIL**';
    lines.push(`- ${c.label}: ${fmt(c.left)} ${c.unit} vs ${fmt(c.right)} ${c.unit} — ${c.claim} ${v}`);
  }
  lines.push(
    '',
    'CPU busy during the run (median; 100% = one core): a load tool near 100% while the server is well below means the client, not the server, set the pace.',
    '',
    '| id | server A | server B | stress vs A | stress vs B |',
    '|---|---:|---:|---:|---:|',
  );
  const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–');
  for (const sc of result.scenarios) {
    if (sc.skipped || !sc.busy) continue;
    lines.push(`| ${sc.id} | ${pct(sc.busy.serverA)} | ${pct(sc.busy.serverB)} | ${pct(sc.busy.loadA)} | ${pct(sc.busy.loadB)} |`);
  }
  if (result.notes.length > 0) {
    lines.push('');
    for (const note of result.notes) lines.push(`- ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Horizontal bars of "B relative to A, higher is better" (ratio for higher-is-better metrics,
 * 1/ratio otherwise), a line at 1.0 and a tick at each target.
 */
export function svgChart(result) {
  const bars = [];
  for (const sc of result.scenarios) {
    if (sc.skipped) continue;
    for (const row of sc.rows) {
      if (!Number.isFinite(row.ratio) || row.ratio <= 0) continue;
      if (!row.target && row !== sc.rows[0]) continue;
      const good = row.higherIsBetter ? row.ratio : 1 / row.ratio;
      let mark;
      if (row.target?.kind === 'ratio-min') mark = row.target.value;
      if (row.target?.kind === 'ratio-max') mark = 1 / row.target.value;
      bars.push({ label: `${sc.id} ${row.label}`, good, mark, ok: verdict(row) });
    }
  }
  const width = 760;
  const left = 140;
  const barH = 22;
  const gap = 8;
  const top = 50;
  const height = top + bars.length * (barH + gap) + 40;
  const maxX = Math.max(2.5, ...bars.map((b) => b.good * 1.1), ...bars.map((b) => (b.mark ?? 0) * 1.1));
  const x = (v) => left + ((width - left - 30) * v) / maxX;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(`Echo server B vs A (${result.date}), higher is better`)}</text>`,
    `<text x="10" y="38" fill="#555">${esc(`B = ${result.servers.B}; A = ${result.servers.A}; Node ${result.machine.node}`)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * (barH + gap);
    const color = b.ok === undefined ? '#7a9cc6' : b.ok ? '#4caf50' : '#e57373';
    out.push(`<text x="${left - 8}" y="${y + barH * 0.7}" text-anchor="end">${esc(b.label)}</text>`);
    out.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(b.good) - left).toFixed(1)}" height="${barH}" fill="${color}"/>`);
    out.push(`<text x="${(x(b.good) + 4).toFixed(1)}" y="${y + barH * 0.7}">${b.good.toFixed(2)}×</text>`);
    if (b.mark !== undefined) {
      out.push(`<line x1="${x(b.mark).toFixed(1)}" x2="${x(b.mark).toFixed(1)}" y1="${y - 2}" y2="${y + barH + 2}" stroke="black" stroke-width="2"/>`);
    }
  });
  const axisY = top + bars.length * (barH + gap);
  out.push(`<line x1="${x(1).toFixed(1)}" x2="${x(1).toFixed(1)}" y1="${top - 6}" y2="${axisY}" stroke="#333" stroke-dasharray="4 3"/>`);
  for (let v = 0; v <= maxX; v += 0.5) {
    out.push(`<text x="${x(v).toFixed(1)}" y="${axisY + 16}" text-anchor="middle" fill="#555">${v.toFixed(1)}</text>`);
  }
  out.push(`<text x="${left}" y="${axisY + 34}" fill="#555">dashed: parity with A; black tick: target; green/red: target met/missed</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
