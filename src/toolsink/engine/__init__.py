"""The taint engine: per-function summaries computed over the IR, for every language.

Each function is analysed once with its parameters as symbolic origins. The result, a
:class:`~toolsink.engine.records.Summary`, says which parameters (and which fields of them) reach which sinks,
through which steps, under which dispatch conditions (``if name == "run_command"``), and what the function
returns. A call into a project function instantiates the callee's summary with the caller's argument
values, so flows compose across functions and modules to any depth; a tool handler's summary, instantiated
with its arguments as sources, gives the findings (see :mod:`toolsink.sources`).

The engine knows no library and no language: calls are matched against the model rows of
:mod:`toolsink.models` (sinks, sanitizers, guards, propagators, secondary sources), and an unknown library
call propagates taint from its receiver and arguments to its result.

Read it in this order: :mod:`.summaries` (the :class:`Engine`, one summary per function), :mod:`.context`
(the state of one function's analysis), :mod:`.statements`, :mod:`.expressions`, :mod:`.calls`,
:mod:`.sinks`, :mod:`.guards` and :mod:`.predicates`; :mod:`.records` holds what they hand on and
:mod:`toolsink.values` the abstract values.
"""

from .context import Analysis
from .records import Effect, SinkFlow, Summary
from .summaries import Engine

__all__ = ["Analysis", "Effect", "Engine", "SinkFlow", "Summary"]
