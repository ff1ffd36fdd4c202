"""What the Glue jobs' parameters share: the error that names one, and the database prefix.

Standard library only: every job imports it, and each ships only its own modules.
"""

import re

# Glue database = prefix + layer, e.g. prod_gold (the template, the dbt macros). Prepended to
# a layer's name it must stay an unquoted Spark and Athena identifier.
DATABASE_PREFIX = re.compile(r"(?:[a-z][a-z0-9_]*_)?")


class JobSettingError(Exception):
    """A job parameter or setting that cannot work; the message names it."""


def check_database_prefix(prefix: str) -> str:
    if not DATABASE_PREFIX.fullmatch(prefix):
        raise JobSettingError(
            f"--database_prefix '{prefix}' must be empty or lowercase letters, digits and "
            "underscores, starting with a letter and ending with '_' (e.g. prod_)"
        )
    return prefix
