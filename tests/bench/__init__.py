"""The benchmark: every speed and memory target, measured at scale in one command.

`python -m tests.bench.run --scale full` (`make bench`) or `--scale quick`
(`make bench-quick`, CI). Not collected by pytest: no file here is named
test_*.py; figures are printed and written to bench/results/, never asserted.
"""
