"""Write an annotated feedback copy of every return with problems, for its owner."""

import tempfile
from pathlib import Path

import rbwm_pmf as pmf

# Everything this example writes goes into a new folder of its own; use a folder of yours.
out = Path(tempfile.mkdtemp(prefix="rbwm-pmf-example-"))

report = pmf.validate("sample_workbooks/with_mistakes")
written = pmf.write_feedback(report, out / "feedback")

for path in written:
    print(path)
# The returns themselves are never changed: each copy is a new file named
# "<return name> - feedback.xlsx", with an Issues sheet listing every problem.
