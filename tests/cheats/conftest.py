"""The notebooks here are hostile on purpose (infinite loops, crashes, memory bombs): never run them
as notebooks (for example with ``pytest --nbval``). tests/test_grader_cheats.py grades them in the
sandbox instead."""

collect_ignore_glob = ["*.ipynb"]
