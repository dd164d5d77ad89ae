"""Generate the return templates for a quarter."""

import datetime as dt
import tempfile
from pathlib import Path

import rbwm_pmf as pmf

# Everything this example writes goes into a new folder of its own; use a folder of yours.
out = Path(tempfile.mkdtemp(prefix="rbwm-pmf-example-"))

# None: the packaged RBWM 2017/18 register. One workbook per owner, in register order.
paths = pmf.make_templates(None, "2017-18-Q3", out / "to-send")
print(len(paths), "templates, the first:", paths[0].name)

# Only some owners, with a fixed generation time (the same inputs then give the same bytes).
paths = pmf.make_templates(None, "2017-18-Q3", out / "to-send-again", owners=["ASC", "HOU"],
                           generated=dt.datetime(2018, 1, 2, 9, 0))
print([p.name for p in paths])
