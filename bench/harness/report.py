"""The report: bench/results/<date>.json (figures and raw runs), <date>.md (a table per workload,
targets met or missed), and PNG charts beside it (bench/tools' XChart renderer)."""

import json
import math
import statistics
import subprocess

from . import tools

HAPROXY, DIRECT, SLUICE = "HAProxy 2.6", "direct", "Sluice"


def ratio(a, b):
    if a is None or b is None or b == 0 or (isinstance(b, float) and math.isnan(b)):
        return None
    return a / b


def fmt(value, digits=2):
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def ratio_text(value_ratio):
    """Two decimals, or as many as it takes (up to 6) not to print 1.00 for a ratio that is not 1:
    a target missed by 0.1 % must not read as '1.00, missed'."""
    for digits in range(2, 7):
        text = f"{value_ratio:.{digits}f}"
        if float(text) != 1.0 or value_ratio == 1.0:
            return text
    return text


def plain(value):
    """A measured value to the precision that tells close ones apart: 0.958, 2.47, 88.3, 36,317."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}".rstrip("0").rstrip(".")


def with_values(ratio_shown, value, other, figure):
    """A ratio and the two values it divides, in the unit at the end of the figure's name:
    '0.66 (99,118 vs 149,547 req/s)'."""
    name = figure["name"]
    unit = name[name.rindex("(") + 1:-1] if name.endswith(")") and "(" in name else ""
    return f"{ratio_shown} ({plain(value)} vs {plain(other)}{' ' + unit if unit else ''})"


def met(figure, value_ratio):
    if value_ratio is None:
        return None
    return value_ratio >= 1.0 if figure["better"] == "higher" else value_ratio <= 1.0


def targets(results):
    """Every target of the benchmark issue, met or not, with the margin."""
    rows = []
    for w in results["workloads"]:
        if w.get("error"):
            rows.append((f"{w['title']}", "measured", "failed", False))
            continue
        if w["id"] == "operator-scale":
            continue
        if w["id"] == "footprint":  # issue #23: an absolute target per sidecar, not a ratio
            uss = w["figures"][0]["values"].get(SLUICE)
            if uss is not None:
                rows.append((f"{w['title']}: {w['figures'][0]['name']}", "≤ 48 MiB", f"{uss:.1f} MiB",
                             uss <= 48))
            continue
        for f in w["figures"]:
            s, h = f["values"].get(SLUICE), f["values"].get(HAPROXY)
            if s is None or h is None or not f.get("target", True):
                continue
            r = ratio(s, h)
            if r is None:  # e.g. 0 failed requests on both
                ok = s <= h if f["better"] == "lower" else s >= h
                rows.append((f"{w['title']}: {f['name']} vs HAProxy", "equal or better", fmt(s), ok))
                continue
            rows.append((f"{w['title']}: {f['name']} vs HAProxy",
                         "ratio ≥ 1.00" if f["better"] == "higher" else "ratio ≤ 1.00",
                         with_values(ratio_text(r), s, h, f), met(f, r)))
            if w["id"] == "uploads":
                d = ratio(s, f["values"].get(DIRECT))
                if d is not None:
                    rows.append((f"{w['title']}: {f['name']} vs direct", "≥ 0.80 of direct",
                                 with_values(f"{d:.2f}", s, f["values"][DIRECT], f), d >= 0.8))
    op = results.get("operator")
    if op and op.get("completed"):
        rows.append(("Operator: a change reaches 1,000 pods", "< 60 s", f"{op['changeAllPodsSeconds']:.1f} s",
                     op["changeAllPodsSeconds"] < 60 and op["pods"] >= 1000))
        rows.append(("Operator: heap while doing it", "< 512 MiB", f"{op['operatorHeapUsedPeakMiB']:.0f} MiB",
                     op["operatorHeapUsedPeakMiB"] < 512))
    elif op is not None:
        rows.append(("Operator: a change reaches 1,000 pods", "< 60 s", "did not complete", False))
    return rows


def markdown(results, charts, explanation):
    m, v = results["machine"], results["versions"]
    s = results["settings"]
    lines = [f"# Sluice benchmarks — {results['date']}", "",
             "Every peer on this machine in the same run, on loopback. " + results["topology"], "",
             f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory GiB']} GiB, Linux {m['kernel']}",
             f"- Peers: Sluice sidecar ({results['sluice']}), {v['haproxy']}, direct (no proxy: the client "
             f"talks to the upstream); upstreams {v['nginx']}, {v['nghttpd']}",
             f"- Load: {v['wrk']}; {v['h2load']}; {v['curl'].split(' (')[0]}; {v['java']}",
             f"- Method: {s['warmup']} s warm-up per peer and workload (the JIT; HAProxy gets it too), then "
             f"{s['repeat']} repetitions of {s['duration']} s in alternating peer order; the medians are "
             "shown, every run is in the JSON beside this file.",
             f"- Reproduce: `{results['command']}`", ""]
    lines += ["## Targets", "", "| target | wanted | measured | met |", "|---|---|---|---|"]
    rows = targets(results)
    for name, wanted, measured, ok in rows:
        lines.append(f"| {name} | {wanted} | {measured} | {'yes' if ok else 'no'} |")
    missed = sum(1 for r in rows if not r[3])
    lines += ["", f"{len(rows) - missed} of {len(rows)} targets met." +
              (" Where and why the others are missed, and the fixes: see the end." if missed else ""), ""]
    for w in results["workloads"]:
        lines += [f"## {w['title']}", "", w["setup"], ""]
        if w.get("error"):
            lines += [f"**This workload failed:** {w['error']}", ""]
            continue
        if w["id"] == "operator-scale":
            lines += ["| figure | value |", "|---|---|"]
            for f in w["figures"]:
                lines.append(f"| {f['name']} | {fmt(f['values'][SLUICE])} |")
        else:
            lines += ["| figure | peer | value | ratio to HAProxy | ratio to direct |", "|---|---|---|---|---|"]
            for f in w["figures"]:
                for peer, value in f["values"].items():
                    if value is None:
                        continue
                    lines.append(f"| {f['name']} | {peer} | {fmt(value)} | "
                                 f"{fmt(ratio(value, f['values'].get(HAPROXY)))} | "
                                 f"{fmt(ratio(value, f['values'].get(DIRECT)))} |")
        for note in w.get("notes", []):
            lines += ["", note]
        if w["id"] in charts:
            lines += ["", f"![{w['title']}]({charts[w['id']]})"]
        lines.append("")
    if results.get("jmh"):
        lines += ["## Microbenchmarks (JMH)", "",
                  "Hot paths of the sidecar and the SPOP codec; one fork, short iterations (see "
                  "bench/jmh). Per operation (ns/op, us/op): lower is better; operations per time unit "
                  "(ops/us): higher is better.", "", "| benchmark | parameters | score | error | unit |",
                  "|---|---|---|---|---|"]
        for b in results["jmh"]:
            if b.get("failed"):
                lines.append(f"| {b['benchmark'].replace('dev.sluice.bench.', '')} | — | failed, no score "
                             "| — | — |")
                continue
            params = ", ".join(f"{k}={val}" for k, val in (b.get("params") or {}).items())
            metric = b["primaryMetric"]
            lines.append(f"| {b['benchmark'].replace('dev.sluice.bench.', '')} | {params or '—'} | "
                         f"{metric['score']:.3f} | {metric['scoreError']:.3f} | {metric['scoreUnit']} |")
        lines.append("")
    if explanation:
        lines += ["## Where targets are missed, by how much, why, and the fix", "", explanation.strip(), ""]
    return "\n".join(lines) + "\n"


def charts(json_path, out_dir, date):
    """Renders the PNGs; returns {workload id: path relative to the report}."""
    out = tools.run(["java", "-Djava.awt.headless=true", "-jar", tools.TOOLS_JAR, "charts", json_path,
                     "--out", out_dir, "--prefix", date])
    made = {}
    for line in out.split():
        name = line.rsplit("/", 1)[-1]
        workload = name[len(date) + 1:-len(".png")]
        made[workload] = f"{out_dir.name}/{name}"
    return made


def write(results, explanation_file):
    tools.RESULTS.mkdir(parents=True, exist_ok=True)
    stem = results.get("stem", results["date"])
    json_path = tools.RESULTS / f"{stem}.json"
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    made = charts(json_path, tools.RESULTS / stem, stem)
    explanation = explanation_file.read_text() if explanation_file and explanation_file.exists() else ""
    md = tools.RESULTS / f"{stem}.md"
    md.write_text(markdown(results, made, explanation))
    tools.log(f"report: {md}")
    print(md.read_text())
    return md


def operator_workload(op):
    names = [("changeAllPodsSeconds", "a change reaches every pod (s)"),
             ("changeRoutesReadySeconds", "... and every route says Ready (s)"),
             ("firstConfigAllPodsSeconds", "first config on every pod (s)"),
             ("operatorHeapUsedPeakMiB", "operator heap used, peak (MiB)"),
             ("operatorRssPeakMiB", "operator RSS, peak (MiB)"),
             ("operatorCpuSecondsForChange", "operator CPU for the change (s)"),
             ("sidecarRetries", "sidecar requests retried")]
    endpoints = op.get("endpointPropagation") or {}
    changes = [c for c in endpoints.get("changes", []) if c.get("completed")]
    if changes:  # EndpointSlice changes to every sidecar's endpoint long-poll (issue 21)
        every = [c for c in changes if c["scope"] == "all"]
        op = dict(op, endpointWorstMaxMs=endpoints.get("worstMaxMs"),
                  endpointAllP99MedianMs=statistics.median(c["p99Ms"] for c in every) if every else None,
                  endpointAllP50MedianMs=statistics.median(c["p50Ms"] for c in every) if every else None,
                  endpointCpuSeconds=endpoints.get("operatorCpuSeconds"))
        names += [("endpointAllP50MedianMs", "an endpoint change reaches a sidecar, p50, median (ms)"),
                  ("endpointAllP99MedianMs", "... p99, median (ms)"),
                  ("endpointWorstMaxMs", "... the slowest sidecar of any change (ms; target 2000)"),
                  ("endpointCpuSeconds", "operator CPU for the endpoint changes (s)")]
    return {"id": "operator-scale", "title": "Operator at scale",
            "setup": (f"{op.get('pods')} simulated sidecars (HTTPS long-poll clients of the config "
                      f"service, each with its pod's token) in {op.get('namespaces')} namespaces, "
                      f"{op.get('routes')} ProxyRoutes (every pod selected by the routes of its namespace), "
                      f"rollout batch {op.get('batch')}, on the embedded API server; the operator jar in its "
                      f"own process on core {tools.PROXY_CPU} with -Xmx{op.get('operatorHeapLimit')}. The "
                      "change: route 0 of every namespace edited at once; timed until every pod applied "
                      "its new revision and the service took the report. Then EndpointSlice changes of the "
                      "backend every route sends to (bench/README.md), timed to every sidecar's endpoint "
                      "long-poll."),
            "figures": [{"name": label, "better": "lower", "values": {SLUICE: op.get(key)}}
                        for key, label in names if op.get(key) is not None]}


def jmh(json_file):
    try:
        return json.loads(json_file.read_text())
    except (OSError, ValueError):
        return []


def run_jmh(out_file, quick):
    """Runs every benchmark in the JMH jar; a benchmark that failed has no score, so it is named
    (the run's output is in jmh.log beside the results) instead of missing from the table."""
    args = ["-f", "1", "-wi", "2" if quick else "3", "-i", "2" if quick else "5", "-w", "1s", "-r", "1s",
            "-rf", "json", "-rff", str(out_file)]
    with open(out_file.with_name("jmh.log"), "w") as log_file:
        subprocess.run(tools.pinned(tools.PROXY_CPU, ["java", "-jar", tools.JMH_JAR, *args]), check=True,
                       stdout=log_file, stderr=subprocess.STDOUT)
    measured = jmh(out_file)
    listed = tools.run(["java", "-jar", str(tools.JMH_JAR), "-l"]).splitlines()
    done = {b["benchmark"] for b in measured}
    failed = sorted(line.strip() for line in listed
                    if "." in line and " " not in line.strip() and line.strip() not in done)
    for name in failed:
        tools.log(f"JMH: {name} failed; see {out_file.with_name('jmh.log')}")
    return [*measured, *({"benchmark": name, "failed": True} for name in failed)]
