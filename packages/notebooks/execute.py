"""Execute one notebook in place with nbconvert's ExecutePreprocessor (the engine behind `jupyter nbconvert --execute`).

Used by run-all.sh instead of the `jupyter-nbconvert` command because tslab reports a TypeScript or runtime
error only on the cell's stderr stream, with an empty error reply; the command would print just "<Error>:".
Here a failing cell's own output is printed, so CI logs show the actual diagnostic.

Usage: python3 execute.py NOTEBOOK [TIMEOUT_SECONDS]
"""
import os
import sys

import nbformat
from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor


def output_text(output):
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return "\n".join(output.get("traceback", [])) or f"{output.get('ename')}: {output.get('evalue')}"
    return output.get("data", {}).get("text/plain", "")


def main():
    path = sys.argv[1]
    timeout = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    nb = nbformat.read(path, as_version=4)
    preprocessor = ExecutePreprocessor(timeout=timeout, kernel_name="tslab", allow_errors=False)
    failed_cell = None

    def remember_failure(cell, cell_index, execute_reply):
        nonlocal failed_cell
        failed_cell = (cell_index, cell)

    def record_count(cell, cell_index, execute_reply):
        # tslab sends no execute_input message, which is where nbconvert takes the prompt number from;
        # its execute_reply carries the number instead.
        if execute_reply is not None and execute_reply["content"].get("status") == "ok":
            cell.execution_count = execute_reply["content"].get("execution_count")

    preprocessor.on_cell_error = remember_failure
    preprocessor.on_cell_executed = record_count
    try:
        nb, _ = preprocessor.preprocess(nb, {"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    except CellExecutionError:
        if failed_cell is None:
            raise
        index, cell = failed_cell
        print(f"{path}: cell {index} failed:\n--- source ---\n{cell.source}\n--- output ---", file=sys.stderr)
        for output in cell.outputs:
            print(output_text(output), end="", file=sys.stderr)
        print("", file=sys.stderr)
        sys.exit(1)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip() and cell.execution_count is None:
            print(f"{path}: cell {index} was not executed", file=sys.stderr)
            sys.exit(1)
    nbformat.write(nb, path)


if __name__ == "__main__":
    main()
