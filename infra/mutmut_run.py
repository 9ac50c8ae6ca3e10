"""`mutmut`, with the loader's modules named as the tests import them.

mutmut names a mutant after its file's path (`infra/essays_cli/loading/previews.py` ->
`infra.essays_cli.loading.previews`) and, while testing, compares that name with the running
module's `__name__`; it strips a leading `src.` only. Our loader lives in `infra/` and is imported
as `essays_cli...`, so without this every mutant of it would be reported as having no tests, and
would never be switched on. Run with mutmut's own arguments: `python infra/mutmut_run.py run ...`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mutmut import __main__ as mutmut_cli
from mutmut.mutation import file_mutation
from mutmut.utils import format_utils

_named_after_path = format_utils.get_mutant_name


def get_mutant_name(relative_source_path: Path, mutant_method_name: str) -> str:
    parts = Path(relative_source_path).parts
    if parts[:1] == ("infra",):
        relative_source_path = Path(*parts[1:])
    return str(_named_after_path(relative_source_path, mutant_method_name))


# Each module bound the function by name at import; mutmut forks its workers, which inherit this.
format_utils.get_mutant_name = file_mutation.get_mutant_name = mutmut_cli.get_mutant_name = get_mutant_name

if __name__ == "__main__":
    sys.exit(mutmut_cli.cli())
