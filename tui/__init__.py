"""The Textual app of linreg-tui."""

import os

# The program's linear algebra is small: p×p solves and decompositions, and n×p products done
# block by block. OpenBLAS wakes its threads for every call, and on a loaded machine they
# stalled for seconds (the 100-column × 100,000-row headless run: 8.2 s with two threads, 5.0 s
# with one, at load average 6). One thread unless the user chose otherwise; this has to be
# set before numpy is first imported, which the command line does through this package.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
