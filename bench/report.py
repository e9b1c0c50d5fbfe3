"""Figures -> text table, CSV lines (bench/results/results.csv), the
generated part of docs/benchmarks.md and the plot docs/benchmarks.png."""
import csv
import math
import os
import statistics
import subprocess
import tempfile

BEGIN = "<!-- bench:begin (written by bench/bench.py; edit outside these markers) -->"
END = "<!-- bench:end -->"


class Row:
    """One metric measured on Postern and on its peer: several runs each,
    or the reason there is no figure."""

    def __init__(self, group, metric, unit, higher_better, peer):
        self.group, self.metric, self.unit = group, metric, unit
        self.higher_better, self.peer = higher_better, peer
        self.values = {"Postern": [], peer: []}
        self.missing = {}

    def add(self, side, value):
        self.values[side].append(value)

    def fail(self, side, reason):
        self.missing[side] = reason

    def summary(self, side):
        """(median, min, max) or None."""
        v = self.values[side]
        if side in self.missing or not v:
            return None
        return statistics.median(v), min(v), max(v)

    def ratio(self):
        ours, theirs = self.summary("Postern"), self.summary(self.peer)
        if not ours or not theirs or theirs[0] == 0:
            return None
        return ours[0] / theirs[0]

    def advantage(self):
        """How many times better Postern is (>1 better, <1 worse)."""
        r = self.ratio()
        if r is None or r == 0:
            return None
        return r if self.higher_better else 1 / r


def fmt(x):
    if x is None:
        return "n/a"
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}" if x < 1 else f"{x:.2f}"


def cell(row, side):
    s = row.summary(side)
    if s is None:
        return "n/a"
    return f"{fmt(s[0])} ({fmt(s[1])}–{fmt(s[2])})"


def ratio_cell(row):
    r = row.ratio()
    if r is None:
        return "n/a"
    adv = row.advantage()
    mark = "better" if adv > 1.02 else ("worse" if adv < 0.98 else "same")
    return f"{r:.2f}× ({mark})"


def text_table(rows):
    head = ("metric", "unit", "Postern med (min–max)", "peer", "peer med (min–max)", "Postern/peer")
    lines = [head]
    for r in rows:
        lines.append((f"{r.group}: {r.metric}", r.unit + (" ↑" if r.higher_better else " ↓"), cell(r, "Postern"),
                      r.peer, cell(r, r.peer), ratio_cell(r)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    notes = missing_notes(rows)
    if notes:
        out.append("")
        out.append("Missing figures (n/a):")
        out.extend("  " + n for n in notes)
    return "\n".join(out)


def missing_notes(rows):
    """One line per (group, side, reason): how many rows it blanks and why."""
    counts = {}
    for r in rows:
        for side, why in r.missing.items():
            counts[(r.group, side, why)] = counts.get((r.group, side, why), 0) + 1
    return [f"{group}, {side} ({n} row{'s' if n > 1 else ''}): {why}" for (group, side, why), n in counts.items()]


def markdown_table(rows):
    out = ["| metric | unit | Postern median (min–max) | peer | peer median (min–max) | Postern/peer |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r.group}: {r.metric} | {r.unit} {'↑' if r.higher_better else '↓'} | {cell(r, 'Postern')} "
                   f"| {r.peer} | {cell(r, r.peer)} | {ratio_cell(r)} |")
    notes = missing_notes(rows)
    if notes:
        out.append("")
        out.append("Figures shown as n/a:")
        out.append("")
        out.extend("- " + n for n in notes)
    return "\n".join(out)


def append_csv(path, meta, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fields = ["date_utc", "machine", "cpus", "commit", "load_start", "load_end", "mode", "group", "metric",
              "unit", "higher_better", "side", "median", "min", "max", "runs", "note"]
    new = not os.path.exists(path)
    with open(path, "a", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(fields)
        for r in rows:
            for side in ("Postern", r.peer):
                s = r.summary(side)
                figures = [f"{x:.6g}" for x in s] if s else ["", "", ""]
                w.writerow([meta["date"], meta["machine"], meta["cpus"], meta["commit"], meta["load_start"],
                            meta["load_end"], meta["mode"], r.group, r.metric, r.unit, int(r.higher_better), side,
                            *figures, len(r.values[side]),
                            r.missing.get(side, "")])


def write_docs(path, meta, rows, plot_name):
    generated = "\n".join([
        BEGIN,
        f"Latest run: {meta['date']} UTC, commit `{meta['commit']}`, mode `{meta['mode']}`, "
        f"{meta['machine']} ({meta['cpus']} CPUs), load average {meta['load_start']} at start, "
        f"{meta['load_end']} at the end; {meta['runs']} runs per figure, wall time {meta['wall']}.",
        "",
        "↑ higher is better, ↓ lower is better; the ratio is Postern's median over the peer's.",
        "",
        markdown_table(rows),
        "",
        f"![Postern against Postfix and Dovecot, times better (>1) or worse (<1)]({plot_name})",
        END])
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + generated + tail
    else:
        text = text.rstrip() + "\n\n" + generated + "\n"
    with open(path, "w") as f:
        f.write(text)


def plot(path, rows, title):
    """A bar per metric: how many times better Postern is than its peer, on
    a log2 axis centred on 1 (bars up: Postern better, down: worse)."""
    data = [(f"{r.group}: {r.metric}", r.advantage()) for r in rows if r.advantage() is not None]
    if not data:
        return False
    reach = max(1, math.ceil(max(abs(math.log2(adv)) for _, adv in data) + 0.25))
    tics = ", ".join(f'"{2 ** e:g}" {e}' if e >= 0 else f'"1/{2 ** -e:g}" {e}' for e in range(-reach, reach + 1))
    with tempfile.TemporaryDirectory() as tmp:
        dat = os.path.join(tmp, "data")
        with open(dat, "w") as f:
            for n, (label, adv) in enumerate(data):
                color = 0x2e9d4f if adv >= 1 else 0xc8463c
                f.write(f"{n} {math.log2(adv):.4f} {color} \"{label}\"\n")
        script = f"""
set terminal pngcairo size {max(900, 60 + 22 * len(data))},720 font ",9"
set output "{path}"
set title "{title}"
set style fill solid 0.85 border -1
set boxwidth 0.75
set yrange [{-reach}:{reach}]
set ytics ({tics})
set xrange [-1:{len(data)}]
set ylabel "Postern / peer, times better (up) or worse (down)"
set xtics rotate by -60 left
set grid ytics
set key off
set bmargin 18
plot "{dat}" using 1:2:3:xtic(4) with boxes linecolor rgb variable, 0 with lines linecolor rgb "black"
"""
        r = subprocess.run(["gnuplot"], input=script, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"gnuplot failed: {r.stderr}")
    return True
