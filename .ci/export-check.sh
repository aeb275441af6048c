#!/usr/bin/env bash
# Renders the quarterly summary's exports from demonstration data and checks
# them as people will open them: the SVG chart in headless chromium (a
# screenshot, every text's bounding box inside the viewBox, legend texts are
# labels not codes, a value axis scaled to the data) and the XLSX in openpyxl
# (a "£" number format on money, a grid sheet per matrix, labels beside codes).
# Usage: .ci/export-check.sh <path-to-innovation-hub-binary>
# HUB_EXPORT_CHECK_BIND overrides where the service listens (default 127.0.0.1:18093).
set -euo pipefail

# shellcheck source=.ci/service.sh
. "$(dirname "$0")/service.sh"
hub_setup "$@"

bind="${HUB_EXPORT_CHECK_BIND:-127.0.0.1:18093}"
base="http://${bind}"
profile="$(mktemp -d)"
hub_also_remove="$profile"
openpyxl_version="3.1.5"

python3 -m venv "${workdir}/venv"
"${workdir}/venv/bin/pip" install --quiet --disable-pip-version-check "openpyxl==${openpyxl_version}"

admin_password="a long admin passphrase"
(cd "$workdir" && "$bin" migrate up >/dev/null)
(cd "$workdir" && printf '%s\n' "$admin_password" | "$bin" admin create --email admin@example.org >/dev/null)
(cd "$workdir" && "$bin" demo-data --submissions 300 --members 60 --seed 7 >/dev/null)
hub_serve "$bind"

token="$(curl -fsS -X POST "${base}/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"admin@example.org\",\"password\":\"${admin_password}\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
# The last ended calendar quarter.
ended="$(python3 -c 'import datetime; d = datetime.date.today().replace(day=1) - datetime.timedelta(days=80)
print(f"{d.year}-Q{(d.month + 2) // 3}")')"
fetch() {
    curl -fsS "${base}/api/v1/reports/quarterly/${ended}?format=$1" -H "authorization: Bearer ${token}" -o "$2"
}
fetch svg "${workdir}/chart.svg"
fetch xlsx "${workdir}/summary.xlsx"
fetch json "${workdir}/summary.json"
curl -fsS "${base}/api/v1/taxonomy" -o "${workdir}/taxonomy.json"

# A page that holds the chart inline and writes what it measured into the DOM.
python3 - "${workdir}/chart.svg" "${workdir}/chart.html" <<'PY'
import sys
svg = open(sys.argv[1], encoding="utf-8").read()
page = """<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0}</style></head><body>
%s
<pre id="measured"></pre>
<script>
const svg = document.querySelector("svg");
const box = svg.viewBox.baseVal;
const texts = [...svg.querySelectorAll("text")].map(t => {
  const b = t.getBBox();
  return {cls: t.getAttribute("class"), key: t.getAttribute("data-key"), text: t.textContent,
          x: b.x, y: b.y, width: b.width, height: b.height};
});
document.getElementById("measured").textContent = "MEASURED " + JSON.stringify(
  {viewBox: [box.x, box.y, box.width, box.height], texts: texts});
</script></body></html>""" % svg
open(sys.argv[2], "w", encoding="utf-8").write(page)
PY

run_chromium() {
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --virtual-time-budget=5000 "$@" 2>>"${workdir}/chromium.log"
}
run_chromium --dump-dom "file://${workdir}/chart.html" >"${workdir}/chart-dom.html" || {
    echo "FAIL: chromium exited with an error" >&2
    cat "${workdir}/chromium.log" >&2
    exit 1
}
run_chromium --window-size=900,540 --screenshot="${workdir}/chart.png" "file://${workdir}/chart.svg" >/dev/null || {
    echo "FAIL: chromium could not take a screenshot of the chart" >&2
    cat "${workdir}/chromium.log" >&2
    exit 1
}
[ -s "${workdir}/chart.png" ] || { echo "FAIL: the screenshot of the chart is empty" >&2; exit 1; }
if [ -n "${HUB_EXPORT_CHECK_KEEP:-}" ]; then
    cp "${workdir}/chart.png" "${workdir}/chart.svg" "${workdir}/summary.xlsx" "$HUB_EXPORT_CHECK_KEEP"/
fi

python3 - "${workdir}/chart-dom.html" "${workdir}/chart.png" "${workdir}/taxonomy.json" "${workdir}/summary.json" <<'PY'
import html, json, re, struct, sys
dom = open(sys.argv[1], encoding="utf-8").read()
match = re.search(r"MEASURED (\{.*?\})</pre>", dom, re.S)
if not match:
    sys.exit("FAIL: the chart page did not report its measurements")
measured = json.loads(html.unescape(match.group(1)))
vx, vy, vw, vh = measured["viewBox"]
texts = measured["texts"]
failures = []
if not texts:
    failures.append("the chart has no text")
for t in texts:
    if t["width"] <= 0 or t["height"] <= 0:
        failures.append(f"text {t['text']!r} has no size")
    if t["x"] < vx or t["y"] < vy or t["x"] + t["width"] > vx + vw or t["y"] + t["height"] > vy + vh:
        failures.append(f"text {t['text']!r} ({t['x']:.1f},{t['y']:.1f} {t['width']:.1f}x{t['height']:.1f}) leaves the viewBox {measured['viewBox']}")
taxonomy = json.load(open(sys.argv[3], encoding="utf-8"))
priorities = {t["code"]: t["label"] for t in taxonomy["priorities"]}
legend = [t for t in texts if t["cls"] == "legend"]
if len(legend) != len(priorities):
    failures.append(f"{len(legend)} legend texts for {len(priorities)} priorities")
for t in legend:
    if t["text"] in priorities:
        failures.append(f"legend shows the code {t['text']!r}, not its label")
    elif priorities.get(t["key"]) != t["text"]:
        failures.append(f"legend text {t['text']!r} is not the label of {t['key']!r}")
ticks = sorted(int(t["text"]) for t in texts if t["cls"] == "y-label")
summary = json.load(open(sys.argv[4], encoding="utf-8"))
values = [n for point in summary["priority_trend"] for n in point["by_priority"].values()]
if not ticks or ticks[0] > min(values) or ticks[-1] < max(values):
    failures.append(f"y axis ticks {ticks} do not span the values {min(values)}..{max(values)}")
elif min(values) * 2 > max(values) and ticks[0] == 0:
    failures.append(f"y axis starts at 0 while every value sits in {min(values)}..{max(values)}")
x_labels = [t["text"] for t in texts if t["cls"] == "x-label"]
if len(x_labels) != 8:
    failures.append(f"{len(x_labels)} quarter labels, not 8")
png = open(sys.argv[2], "rb").read()
if png[:8] != b"\x89PNG\r\n\x1a\n":
    failures.append("the screenshot is not a PNG")
else:
    width, height = struct.unpack(">II", png[16:24])
    if (width, height) != (900, 540):
        failures.append(f"the screenshot is {width}x{height}, not 900x540")
if failures:
    print("FAIL: the SVG chart as chromium renders it:", *failures, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"OK: the chart renders in chromium; {len(texts)} texts inside the viewBox, "
      f"legend shows labels {sorted(t['text'] for t in legend)}, y axis from {ticks[0]} to {ticks[-1]}")
PY

"${workdir}/venv/bin/python" - "${workdir}/summary.xlsx" "${workdir}/taxonomy.json" <<'PY'
import json, sys
import openpyxl
book = openpyxl.load_workbook(sys.argv[1])
failures = []
for name in ["Cover", "headline", "breakdowns", "recommendations", "gap_matrix", "evidence_matrix", "trend"]:
    if name not in book.sheetnames:
        failures.append(f"no {name} sheet in {book.sheetnames}")
if failures:
    sys.exit("FAIL: " + "; ".join(failures))
taxonomy = json.load(open(sys.argv[2], encoding="utf-8"))
def vocabulary(name):
    return {t["code"]: t["label"] for t in taxonomy[name]}
priorities = vocabulary("priorities")

money = [row for row in book["recommendations"].iter_rows() if row[1].value == "investment_gbp"]
if len(money) != 1:
    failures.append("no investment_gbp row on the recommendations sheet")
else:
    for cell in money[0][3:7]:
        if "£" not in cell.number_format:
            failures.append(f"{cell.coordinate} has number format {cell.number_format!r}, not pounds")
        if not isinstance(cell.value, (int, float)):
            failures.append(f"{cell.coordinate} holds {cell.value!r}, not a number")

for name, columns_vocabulary in [("gap_matrix", "practice_areas"), ("evidence_matrix", "evidence_types")]:
    sheet = book[name]
    columns = vocabulary(columns_vocabulary)
    heading = [c.value for c in sheet[1]]
    codes = [c.value for c in sheet[2]]
    if heading[2:2 + len(columns)] != list(columns.values()):
        failures.append(f"{name}: first row {heading[2:]} is not the {columns_vocabulary} labels")
    if codes[2:2 + len(columns)] != list(columns.keys()):
        failures.append(f"{name}: second row {codes[2:]} is not the {columns_vocabulary} codes")
    rows = [(sheet.cell(row=r, column=1).value, sheet.cell(row=r, column=2).value) for r in range(3, 3 + len(priorities))]
    if rows != [(label, code) for code, label in priorities.items()]:
        failures.append(f"{name}: rows {rows} are not the priorities with their labels")
    for r in range(3, 3 + len(priorities)):
        for c in range(3, 3 + len(columns)):
            if not isinstance(sheet.cell(row=r, column=c).value, (int, float)):
                failures.append(f"{name}: {sheet.cell(row=r, column=c).coordinate} is not a count")

labels = {row[1].value: row[2].value for row in book["breakdowns"].iter_rows(min_row=2)}
for code, label in priorities.items():
    if labels.get(code) != label:
        failures.append(f"breakdowns: {code} is labelled {labels.get(code)!r}, not {label!r}")
if failures:
    print("FAIL: the workbook as openpyxl reads it:", *failures, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"OK: openpyxl {openpyxl.__version__} reads the workbook: pounds formatted "
      f"{money[0][3].number_format!r}, a grid sheet per matrix, labels beside codes")
PY
