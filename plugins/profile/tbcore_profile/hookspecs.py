"""The profile dashboard's own hook: trace importers declare themselves through it.

An importer package (``tbcore-kineto``, ``tbcore-xplane``, a third party's) names a module in
the ``tbcore.plugins`` entry-point group that implements this hook with ``tbcore.hookimpl``,
marked ``optionalhook=True``: the app's plugin manager, which loads every entry point and
rejects implementations of hooks it has no spec for, does not know this spec (it belongs to
this package, not to the core), and the mark tells it to let the implementation wait. The
profile dashboard then calls the hook on the packages that implement it::

    from tbcore import hookimpl

    @hookimpl(optionalhook=True)
    def tbcore_profile_register_importers() -> list[TraceImporter]:
        from my_importer.importer import MyImporter  # light: parsing imports happen later
        return [MyImporter()]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from tbcore.hookspecs import PROJECT_NAME

if TYPE_CHECKING:
    from tbcore_profile.importer import TraceImporter

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


@hookspec
def tbcore_profile_register_importers() -> list[TraceImporter]:
    """Declare the trace formats this package reads.

    Called once per profile dashboard (once per app), when the dashboard is created, after
    every installed package is registered. Return :class:`tbcore_profile.importer.TraceImporter`
    instances. Results of all implementations are collected (not first-result); the first
    importer that ``matches`` a run asset reads it, in the order of the packages' names. An
    implementation that raises, or returns something that is not an importer, disables only
    its own package (the dashboard shows why).
    """
    raise NotImplementedError  # a specification: pluggy calls the implementations
