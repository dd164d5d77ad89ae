"""Write the consolidated workbook for the Cabinet report."""

import datetime as dt
import tempfile
from pathlib import Path

import rbwm_pmf as pmf

# Everything this example writes goes into a new folder of its own; use a folder of yours.
out = Path(tempfile.mkdtemp(prefix="rbwm-pmf-example-"))

result = pmf.consolidate("sample_workbooks/returns", period="2017-18-Q2")

# The report date defaults to the end of the quarter (30 September 2017).
path = result.write(out / "Q2 performance.xlsx")
print(path)

# Or give the date of the meeting and a title of your own.
path = result.write(
    out / "Q2 performance for Cabinet.xlsx",
    report_date=dt.date(2017, 11, 23),
    title="Council performance: Quarters 1 and 2",
)
print(path)

# write_workbook(result, path) does the same as result.write(path).
pmf.write_workbook(result, out / "Q2 performance (copy).xlsx")
