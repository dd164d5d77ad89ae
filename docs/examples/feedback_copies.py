"""Write an annotated feedback copy of every return with problems, for its owner."""

import rbwm_pmf as pmf

report = pmf.validate("sample_workbooks/with_mistakes")
written = pmf.write_feedback(report, "feedback")

for path in written:
    print(path)
# The returns themselves are never changed: each copy is a new file named
# "<return name> - feedback.xlsx", with an Issues sheet listing every problem.
