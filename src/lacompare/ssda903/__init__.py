"""An LA's own children-looked-after figures from its SSDA903 return (the 903 extract every LA
sends DfE), by DfE's definitions, ready to sit beside the published comparators::

    figures = lacompare.figures_from_903("903_extract/", la="Derby", year=2026)
    ref = lacompare.load_reference().with_local(figures)
    lacompare.compare(ref, "Derby")        # 2025-26 local figures, marked [L]

Definitions: docs/ssda903.md (``RULE_VERSION``); the steps are described in
:mod:`lacompare.ssda903.figures`.
"""

from lacompare.ssda903.figures import (
    RULE_VERSION,
    Ssda903Warning,
    check_903,
    derive_903,
    figures_from_903,
)

__all__ = ["RULE_VERSION", "Ssda903Warning", "check_903", "derive_903", "figures_from_903"]
