"""`python -m rbwm_pmf` runs the command line."""

from rbwm_pmf.cli import main

main()
