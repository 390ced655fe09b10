"""How one setting of an experiment is named, typed, bounded and written: `Field`, a row of the one table
(`lab.experiment.FIELDS`) that the sidebar, the URL and the CLI all read.

A field checks a value (`check`: ValueError naming the field and what is allowed), reads it from the text a
link or a command line carries (`parse`) and writes it back (`format`), so that ``parse(format(v)) == v``.
A field may have another default for the regression sets (``by_task``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lab import points
from mlp import checks
from mlp.features import names as feature_names

MAX_HIDDEN_LAYERS = 4
MAX_UNITS = 32


@dataclass(frozen=True)
class Field:
    """How one setting is named, typed and bounded."""

    name: str
    kind: str  # "choice", "int", "float", "bool", "sizes", "names" or "points"
    default: Any
    choices: tuple[str, ...] = ()
    lo: float = 0
    hi: float = 0
    by_task: tuple[tuple[str, Any], ...] = ()  # (task, default) pairs: another default for that task

    def default_for(self, task: str) -> Any:
        """The default for a data set posing ``task`` ("classification" or "regression")."""
        return dict(self.by_task).get(task, self.default)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def allowed(self) -> str:
        if self.kind == "choice":
            return ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "sizes":
            return f"0 (no hidden layer) or 1 to {MAX_HIDDEN_LAYERS} layer sizes from 1 to {MAX_UNITS}, e.g. 9,4"
        if self.kind == "names":
            return f"one or more of {', '.join(self.choices)}, e.g. x1,x2,x1sq"
        if self.kind == "points":
            return f"a points code, as share links carry it (up to {points.MAX_LINK_POINTS} points)"
        return f"{self.lo:g} to {self.hi:g}"

    def check(self, value: Any) -> Any:
        """The value, normalised, or ValueError naming this field and what is allowed."""
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise ValueError(f"{self.name}: unknown value {value!r}; allowed: {self.allowed()}")
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{self.name}: expected true or false, got {value!r}")
            return value
        if self.kind == "int":
            return checks.integer(self.name, value, int(self.lo), int(self.hi))
        if self.kind == "float":
            return checks.number(self.name, value, self.lo, self.hi)
        if self.kind == "points":
            if not isinstance(value, str):
                raise ValueError(f"{self.name}: expected {self.allowed()}")
            if value:
                try:
                    points.decode_points(value)
                except ValueError as exc:
                    raise ValueError(f"{self.name}: {exc}") from None
            return value
        if self.kind == "names":
            return feature_names(value, self.name)
        if isinstance(value, (tuple, list)) and len(value) == 0:
            return ()  # no hidden layer: the inputs feed the output unit (logistic regression)
        sizes = checks.sizes(self.name, value, 1, MAX_UNITS)
        if len(sizes) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"{self.name}: {len(sizes)} layers is too many; allowed: {self.allowed()}")
        return sizes

    def parse(self, text: str) -> Any:
        """Read the value from its text form (a URL or CLI value); ValueError if it is not valid."""
        text = text.strip()
        if self.kind in ("choice", "points"):
            value: Any = text
        elif self.kind == "bool":
            low = text.lower()
            if low not in ("true", "false"):
                raise ValueError(f"{self.name}: {text!r} is not true or false")
            value = low == "true"
        elif self.kind == "int":
            try:  # "250", and also "2.5e2" or "250.0", as Streamlit's own URL parsing accepts them
                number = float(text)
                value = int(text) if text.lstrip("+-").isdigit() else int(number) if number.is_integer() else None
            except (ValueError, OverflowError):
                value = None
            if value is None:
                raise ValueError(f"{self.name}: {text!r} is not a whole number; allowed: {self.allowed()}")
        elif self.kind == "float":
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"{self.name}: {text!r} is not a number; allowed: {self.allowed()}") from None
        elif self.kind == "names":  # "x1,x2,x1sq" (a link), "x1 x2 x1sq" (the CLI's words)
            value = tuple(p for p in re.split(r"[\s,;+]+", text) if p)
        else:  # "9,4", "9 4" and the report's "9x4" all mean two hidden layers of 9 and 4 units; "0" none
            parts = [p for p in re.split(r"[\s,x×*]+", text.lower()) if p]
            if not parts or not all(re.fullmatch(r"[0-9]{1,5}", p) for p in parts):
                raise ValueError(f"{self.name}: {text!r} is not a list of layer sizes; allowed: {self.allowed()}")
            value = () if parts == ["0"] else tuple(int(p) for p in parts)
        return self.check(value)

    def format(self, value: Any) -> str:
        """The value's text form, as the URL carries it."""
        if self.kind == "bool":
            return "true" if value else "false"
        if self.kind == "sizes":
            return ",".join(map(str, value)) or "0"
        if self.kind == "names":
            return ",".join(value)
        if self.kind == "float":
            return repr(float(value))  # the shortest text that reads back as the same float
        return str(value)
