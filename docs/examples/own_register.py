"""Load a register of your own, keep an Excel copy of it, and see how mistakes are reported."""

import tempfile
from pathlib import Path

import rbwm_pmf as pmf

# Everything this example writes goes into a new folder of its own; use a folder of yours.
out = Path(tempfile.mkdtemp(prefix="rbwm-pmf-example-"))

fw = pmf.load_framework("docs/examples/register.yaml")
print(fw.id, fw.year, len(fw.indicators), "indicators")
for ind in fw.indicators:
    print(ind.id, ind.unit, ind.polarity, ind.frequency, ind.measure_type, ind.targets)

# The same register as an Excel workbook, one sheet per table; it loads back the same.
pmf.write_register_xlsx(fw, out / "register.xlsx")
assert pmf.load_framework(out / "register.xlsx") == fw

# A register with mistakes is refused with every problem, each naming its row and field.
tables = fw.to_dict()
tables["indicators"][0]["unit"] = "percnt"
tables["indicators"][1]["owner"] = "ADULTS"
try:
    pmf.framework_from_dict(tables, "my-register.yaml")
except pmf.RegisterError as exc:
    print(exc)
    for problem in exc.problems:
        print(problem.code, problem.row, problem.field)

# Use it everywhere the packaged register would be used.
paths = pmf.make_templates(fw, "2018-19-Q2", out / "to-send")
print([p.name for p in paths])
