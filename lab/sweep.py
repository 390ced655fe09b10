"""Sweeps: one setting of an `Experiment` varied over a few values, trained side by side.

A `Sweep` is pure data: a setting name from ``lab.experiment.FIELDS``, its values, their labels and its
link parameters. Its experiments are trained like any other run, by the page's training service
(`server.service`), which trains the ones that can share a batch together and gives each the numbers of a
lone run, bit for bit. The classroom presets that reproduce the lab report's comparison figures are in
``lab.presets``.

Same start: an experiment's initial weights depend only on its layer sizes, initialiser and weight
seed (``MLP`` seeds them), so runs of a sweep that share those start from identical weights — an lr,
optimizer, activation or bias sweep compares the settings, not the luck of the draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lab.experiment import FIELDS, Experiment

SEP = ";"  # between a sweep's values in a link or a text box
SWEEPABLE = tuple(name for name in FIELDS if name != "points")
MAX_VALUES = 6


@dataclass(frozen=True)
class Sweep:
    """One setting and the values it takes, e.g. ``Sweep("lr", (0.1, 0.3, 0.9))``.

    Values may be given as text, as the URL and CLI carry them ("9,4", "true"), or as values; each is
    parsed and checked by ``FIELDS[setting]`` on construction (ValueError naming the setting and what
    is allowed), and stored normalised.
    """

    setting: str
    values: tuple[Any, ...]

    def __post_init__(self) -> None:
        f = FIELDS.get(self.setting)
        if f is None:
            raise ValueError(f"setting: unknown value {self.setting!r}; allowed: {', '.join(FIELDS)}")
        if isinstance(self.values, (str, bytes)) or not isinstance(self.values, Sequence) or not self.values:
            raise ValueError(f"{self.setting}: give a non-empty list of values; allowed: {f.allowed()}")
        values = tuple(f.parse(v) if isinstance(v, str) else f.check(v) for v in self.values)
        object.__setattr__(self, "values", values)

    @property
    def labels(self) -> list[str]:
        """Each value's text form ("0.1", "9,4", "true"), for legends and tables."""
        return [FIELDS[self.setting].format(v) for v in self.values]

    def experiments(self, base: Experiment) -> list[Experiment]:
        """``base`` with the setting replaced by each value, in order."""
        return [base.with_(**{self.setting: v}) for v in self.values]

    @classmethod
    def parse(cls, setting: str, text: str) -> Sweep:
        """A sweep as a link or a text box writes it: values separated by ';' (hidden sizes contain commas).
        ValueError names what is wrong."""
        if setting not in SWEEPABLE:
            raise ValueError(f"sweep: unknown setting {setting!r}; allowed: {', '.join(SWEEPABLE)}")
        values = tuple(v.strip() for v in text.split(SEP) if v.strip())
        if not 2 <= len(values) <= MAX_VALUES:
            raise ValueError(f"values: give 2 to {MAX_VALUES} values separated by '{SEP}', e.g. 0.1; 0.3; 0.9")
        return cls(setting, values)

    def query(self) -> dict[str, str]:
        """The sweep as link parameters: ``sweep=lr&values=0.1;0.3;0.9``."""
        return {"sweep": self.setting, "values": SEP.join(self.labels)}
