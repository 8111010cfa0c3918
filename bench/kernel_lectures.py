"""Times every lecture in quick mode cell by cell in the kit's Jupyter kernel, as nbclient runs it.

usage: JUPYTER_PATH=DIR python3 bench/kernel_lectures.py source/*.ipynb
(DIR/kernels holds the kernelspec: aecourse kernel install --path DIR/kernels). Prints per lecture the time from the
kernel's first reply to the last cell's idle, and with the kernel's start. See docs/benchmarks.md.
"""
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    # Quick mode, as `aecourse run --quick` injects it: a cell after the one tagged parameters.
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell("bool quick = true;", metadata={"tags": ["injected-parameters"]}))
    started = time.monotonic()
    client = NotebookClient(nb, timeout=600, resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    with client.setup_kernel():
        ready = time.monotonic()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        done = time.monotonic()
    print(f"{os.path.basename(path)}: cells {done - ready:.1f} s, with the kernel's start {done - started:.1f} s", flush=True)
