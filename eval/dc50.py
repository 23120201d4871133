#!/usr/bin/env python3
"""eval/dc50.py - score DC50s against the simulator's truth (issue 3 item 5).

Called by eval/dc50.sh once the blots, blotquant's analyze folders and the
ImageJ results are in place:

    dc50.py --out dc50.md --seeds-csv seeds.csv --seeds N [--elapsed S] DIR PRESET...

DIR/PRESET/sS.{params,samples}.csv   the truth and the doses of seed S
DIR/PRESET/sS/fit.csv                blotquant analyze's fit
DIR/PRESET/sS.kf/fit.csv             the same with --keep-flagged (if run)
DIR/PRESET/sS.time                   blotquant analyze's wall time, seconds
DIR/PRESET/jobs.tsv.out              ImageJ RawIntDen per (image, lane, row)

The manual workflow is what a scientist does with those ImageJ numbers:
MDM2/ACTB per lane, relative to the mean of the vehicle lanes, every lane
kept (saturated actin is not noticed), a textbook 4PL
    y = bottom + (top - bottom) / (1 + (dose / dc50)^hill)
fitted with scipy.optimize.curve_fit (log10 dc50 as the parameter, starting
values top 1, bottom min(y), dc50 at the geometric middle of the doses,
hill 1), no hook handling, and a Wald 95 % CI on log10 dc50 from the
covariance matrix with Student's t on n - 4 degrees of freedom.
"""
import argparse
import csv
import math
import os
import statistics
import sys
import warnings

import numpy as np
from scipy.optimize import curve_fit
from scipy.stats import t as student_t

UNIT_NM = {"pM": 1e-3, "nM": 1.0, "uM": 1e3, "µM": 1e3, "mM": 1e6, "M": 1e9}

# Harder presets get the looser bar of the issue (0.1 log10 instead of 0.05).
HARD_PRESETS = {"hook", "hard"}

WHAT = {
    "kt253": "KT-253-like series, film export",
    "artefacts": "gradient, smear, dust, noise",
    "geometry": "tilt, smile, faint MDM2",
    "saturated": "saturated actin",
    "hook": "hook at the top doses",
    "hard": "everything: strips, saturated actin, hook",
}


def read_kv(path):
    with open(path, newline="") as fp:
        return {row[0]: row[1] for row in csv.reader(fp) if len(row) >= 2}


def read_rows(path):
    with open(path, newline="") as fp:
        return list(csv.DictReader(fp))


def num(s):
    try:
        v = float(s)
    except (TypeError, ValueError):
        return math.nan
    return v


def to_nm(value, unit):
    return value * UNIT_NM.get(unit, math.nan)


def read_blotquant(folder, unit_truth):
    """blotquant's fit.csv -> dict(dc50, low, high, hook, status, message) in the truth's unit."""
    res = {"dc50": math.nan, "low": math.nan, "high": math.nan, "hook": "",
           "status": "no fit.csv", "message": ""}
    path = os.path.join(folder, "fit.csv")
    if not os.path.exists(path):
        return res
    rows = read_rows(path)
    if not rows:
        res["status"] = "empty fit.csv"
        return res
    r = rows[0]
    scale = to_nm(1.0, r.get("unit", "nM")) / to_nm(1.0, unit_truth)
    res.update(dc50=num(r.get("dc50")) * scale, low=num(r.get("dc50_low")) * scale,
               high=num(r.get("dc50_high")) * scale, hook=r.get("hook", ""),
               status=r.get("status", ""), message=r.get("message", ""))
    return res


def fourpl(x, top, bottom, logc, hill):
    with np.errstate(all="ignore"):
        return bottom + (top - bottom) / (1.0 + (x / 10.0 ** logc) ** hill)


def manual_fit(doses, rel):
    """The scientist's curve_fit: every point, no weights, no hook handling."""
    res = {"dc50": math.nan, "low": math.nan, "high": math.nan, "hook": "",
           "status": "ok", "message": ""}
    x = np.asarray(doses, float)
    y = np.asarray(rel, float)
    good = np.isfinite(x) & np.isfinite(y)
    x, y = x[good], y[good]
    pos = x[x > 0]
    if len(x) < 5 or len(pos) < 4:
        res["status"] = "too few points"
        return res
    p0 = [1.0, float(np.min(y)), 0.5 * (math.log10(pos.min()) + math.log10(pos.max())), 1.0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p, cov = curve_fit(fourpl, x, y, p0=p0, maxfev=20000)
    except (RuntimeError, ValueError) as e:
        res["status"] = "no convergence"
        res["message"] = str(e).splitlines()[0]
        return res
    logc = p[2]
    res["dc50"] = 10.0 ** logc
    se = math.sqrt(cov[2, 2]) if np.isfinite(cov[2, 2]) and cov[2, 2] >= 0 else math.inf
    if math.isfinite(se):
        q = student_t.ppf(0.975, len(x) - 4)
        res["low"] = 10.0 ** (logc - q * se)
        res["high"] = 10.0 ** (logc + q * se)
    else:
        res["message"] = "covariance not estimable"
    return res


def read_imagej(path):
    """jobs.tsv.out -> {image: {(lane, row): RawIntDen}}."""
    out = {}
    if not os.path.exists(path):
        return None
    with open(path) as fp:
        for line in fp:
            f = line.rstrip("\n").split("\t")
            if len(f) < 4:
                continue
            out.setdefault(f[0], {})[(int(f[1]), int(f[2]))] = num(f[3])
    return out


def manual_for_blot(ij, image, params, samples):
    """MDM2/ACTB relative to vehicle from the ImageJ boxes, then the fit."""
    target_row = control_row = None
    for k in range(1, 10):
        role = params.get("row%d_role" % k)
        if role == "target":
            target_row = k
        elif role == "control":
            control_row = k
    boxes = ij.get(image) if ij is not None else None
    if boxes is None or target_row is None or control_row is None:
        return {"dc50": math.nan, "low": math.nan, "high": math.nan, "hook": "",
                "status": "no ImageJ numbers", "message": ""}
    doses, ratios = [], []
    for s in samples:
        lane = int(s["lane"])
        t = boxes.get((lane, target_row))
        c = boxes.get((lane, control_row))
        if t is None or c is None or not c > 0:
            continue
        doses.append(to_nm(num(s["dose"]), s["unit"]))
        ratios.append(t / c)
    veh = [r for d, r in zip(doses, ratios) if d == 0]
    if not veh:
        return {"dc50": math.nan, "low": math.nan, "high": math.nan, "hook": "",
                "status": "no vehicle", "message": ""}
    ref = statistics.fmean(veh)
    return manual_fit(doses, [r / ref for r in ratios])


def log_err(dc50, truth):
    if not (dc50 > 0 and math.isfinite(dc50)):
        return math.nan
    return math.log10(dc50 / truth)


def covered(r, truth):
    """None when there is no dc50; an open (empty) bound reaches the dose axis' end."""
    if not math.isfinite(r["dc50"]):
        return None
    lo = r["low"] if math.isfinite(r["low"]) else 0.0
    hi = r["high"] if math.isfinite(r["high"]) else math.inf
    return lo <= truth <= hi


def summarise(recs, tol, nseeds):
    """recs: list of (result, truth) for the seeds that ran."""
    errs = [abs(log_err(r["dc50"], tr)) for r, tr in recs]
    ok = [e for e in errs if math.isfinite(e)]
    cov = [covered(r, tr) for r, tr in recs]
    cov = [c for c in cov if c is not None]
    widths = [math.log10(r["high"] / r["low"]) for r, _ in recs
              if math.isfinite(r["dc50"]) and r["low"] > 0 and math.isfinite(r["high"])]
    open_ci = sum(1 for r, _ in recs if math.isfinite(r["dc50"]) and
                  not (math.isfinite(r["low"]) and math.isfinite(r["high"])))
    fails = {}
    for r, _ in recs:
        if not math.isfinite(r["dc50"]):
            fails[r["status"] or "?"] = fails.get(r["status"] or "?", 0) + 1
    return {
        "n": nseeds,
        "n_ok": len(ok),
        "median": statistics.median(ok) if ok else math.nan,
        "max": max(ok) if ok else math.nan,
        "within": sum(1 for e in ok if e <= tol),
        "cov": sum(cov),
        "cov_n": len(cov),
        "width": statistics.median(widths) if widths else math.nan,
        "open": open_ci,
        "hooks": sum(1 for r, _ in recs if r["hook"] == "yes"),
        "fails": fails,
    }


def f3(v):
    return "–" if not math.isfinite(v) else "%.3f" % v


def frac(k, n):
    return "–" if n == 0 else "%d/%d" % (k, n)


def fails_txt(fails):
    if not fails:
        return "0"
    return ", ".join("%d %s" % (v, k) for k, v in sorted(fails.items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seeds-csv", required=True)
    ap.add_argument("--seeds", type=int, required=True)
    ap.add_argument("--elapsed", default="")
    ap.add_argument("dir")
    ap.add_argument("presets", nargs="+")
    a = ap.parse_args()

    rows_csv = []
    summary = []
    for preset in a.presets:
        pdir = os.path.join(a.dir, preset)
        ij = read_imagej(os.path.join(pdir, "jobs.tsv.out"))
        recs = {"bq": [], "kf": [], "man": []}
        times = []
        truth_hook = False
        has_kf = False
        for seed in range(1, a.seeds + 1):
            base = os.path.join(pdir, "s%d" % seed)
            if not os.path.exists(base + ".params.csv"):
                continue
            params = read_kv(base + ".params.csv")
            samples = read_rows(base + ".samples.csv")
            truth = num(params.get("dc50"))
            unit = params.get("unit", "nM")
            truth_hook = truth_hook or params.get("hook") == "yes"
            got = {"bq": read_blotquant(base, unit)}
            if os.path.isdir(base + ".kf"):
                has_kf = True
                got["kf"] = read_blotquant(base + ".kf", unit)
            got["man"] = manual_for_blot(ij, base + ".tif", params, samples)
            if ij is not None:
                m = got["man"]
                for k in ("dc50", "low", "high"):
                    m[k] = m[k] / to_nm(1.0, unit)
            else:
                del got["man"]
            if os.path.exists(base + ".time"):
                with open(base + ".time") as fp:
                    times.append(num(fp.read()))
            for meth, r in got.items():
                recs[meth].append((r, truth))
                rows_csv.append([preset, seed, meth, truth, r["dc50"], r["low"], r["high"],
                                 log_err(r["dc50"], truth), covered(r, truth), r["hook"],
                                 r["status"], r["message"]])
        tol = 0.1 if preset in HARD_PRESETS else 0.05
        n = len(recs["bq"])
        summary.append({
            "preset": preset, "tol": tol, "hook": truth_hook,
            "time": statistics.median(times) if times else math.nan,
            "bq": summarise(recs["bq"], tol, n),
            "kf": summarise(recs["kf"], tol, n) if has_kf else None,
            "man": summarise(recs["man"], tol, n) if recs["man"] else None,
        })

    with open(a.seeds_csv, "w", newline="") as fp:
        w = csv.writer(fp)
        w.writerow(["preset", "seed", "method", "truth_dc50", "dc50", "dc50_low", "dc50_high",
                    "log10_err", "ci_covers", "hook", "status", "message"])
        for r in rows_csv:
            w.writerow(r)

    L = []
    L.append("# DC50 accuracy on simulated dose series (issue 3 item 5)")
    L.append("")
    L.append("%d seeds per preset. Error = |log10(DC50 / true DC50)|; \"within\" counts seeds"
             % a.seeds)
    L.append("within the bar (0.05 log10, 0.1 on hook and hard), a seed without a DC50")
    L.append("counting as a miss. CI coverage: nominal 95 % CI holds the true DC50")
    L.append("(profile likelihood for blotquant, Wald on log DC50 for the manual fit).")
    L.append("blotquant fully automatic (`analyze --rows MDM2,ACTB --samples`); manual =")
    L.append("ImageJ rolling ball 50 + RawIntDen in perfect boxes at the true lanes and")
    L.append("rows, scipy `curve_fit` 4PL on every lane, no hook handling.")
    L.append("")
    L.append("| preset | bar | blotquant median / max | manual median / max |"
             " within bar: blotquant / manual | CI coverage: blotquant / manual |"
             " hooks reported (blotquant) | no DC50: blotquant / manual |")
    L.append("|---|---|---|---|---|---|---|---|")
    for s in summary:
        b, m = s["bq"], s["man"]
        hooks = frac(b["hooks"], b["n"]) + (" (true hook)" if s["hook"] else "")
        man_mm = "%s / %s" % (f3(m["median"]), f3(m["max"])) if m else "–"
        man_w = frac(m["within"], m["n"]) if m else "–"
        man_c = frac(m["cov"], m["cov_n"]) if m else "–"
        man_f = str(m["n"] - m["n_ok"]) if m else "–"
        L.append("| %s | %.2f | %s / %s | %s | %s / %s | %s / %s | %s | %d / %s |" % (
            s["preset"], s["tol"], f3(b["median"]), f3(b["max"]), man_mm,
            frac(b["within"], b["n"]), man_w, frac(b["cov"], b["cov_n"]), man_c,
            hooks, b["n"] - b["n_ok"], man_f))
        if s["kf"]:
            k = s["kf"]
            L.append("| %s, blotquant `--keep-flagged` | %.2f | %s / %s | (same) | %s / (same) |"
                     " %s / (same) | %s | %d / (same) |" % (
                         s["preset"], s["tol"], f3(k["median"]), f3(k["max"]),
                         frac(k["within"], k["n"]), frac(k["cov"], k["cov_n"]),
                         frac(k["hooks"], k["n"]), k["n"] - k["n_ok"]))
    L.append("")
    L.append("## Details")
    L.append("")
    L.append("| preset | what | method | DC50s | median CI width (log10) | open CIs |"
             " why no DC50 | blotquant wall time per blot |")
    L.append("|---|---|---|---|---|---|---|---|")
    for s in summary:
        for key, name in (("bq", "blotquant"), ("kf", "blotquant --keep-flagged"),
                          ("man", "manual (ImageJ + curve_fit)")):
            r = s[key]
            if not r:
                continue
            tm = ("%.2f s" % s["time"]) if key == "bq" and math.isfinite(s["time"]) else \
                ("boxes by hand (not measured)" if key == "man" else "")
            L.append("| %s | %s | %s | %s | %s | %d | %s | %s |" % (
                s["preset"], WHAT.get(s["preset"], ""), name, frac(r["n_ok"], r["n"]),
                f3(r["width"]), r["open"], fails_txt(r["fails"]), tm))
    L.append("")
    L.append("Per blot: `eval/out/dc50/seeds.csv`. Reproduce: `eval/dc50.sh`%s." %
             ((" (%s s on this machine)" % a.elapsed) if a.elapsed else ""))
    with open(a.out, "w") as fp:
        fp.write("\n".join(L) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
