"""Record: a class whose fields are its annotations, as a dataclass's are, without the code generation.

dataclasses writes each class's `__init__` (and, frozen, its `__setattr__` and `__delattr__`) as source
text and compiles it when the module is imported: 0.2-0.6 ms a class, paid at every cold start for each of
the ~40 rows and wire models a content function imports (docs/performance.md). A Record's `__init__` is
the one below, compiled once into the layer's bytecode: it takes the fields in order or by name, the
bases' fields first, and a field given a value in the class body defaults to it.

Records are compared by identity (as `eq=False` dataclasses are) and never changed after `__init__`:
mypy reads every subclass as a frozen dataclass (PEP 681's `dataclass_transform`), so it checks each
call's arguments and refuses any assignment to a field.
"""

from __future__ import annotations

from typing import Any, ClassVar, dataclass_transform


@dataclass_transform(eq_default=False, frozen_default=True)
class Record:
    _fields: ClassVar[tuple[str, ...]] = ()  # the fields in order: the bases' first, as in a dataclass

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - the class's own, as inspect's would be
        own = [name for name, kind in annotations.items() if not str(kind).startswith("ClassVar")]
        cls._fields = (*cls._fields, *(name for name in own if name not in cls._fields))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if not kwargs and len(args) == len(fields):  # every field in order: the common call
            self.__dict__.update(zip(fields, args, strict=True))
            return
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__} has {len(fields)} fields, not {len(args)}")
        values = dict(zip(fields, args, strict=False))  # the first fields; the rest by name
        for name, value in kwargs.items():
            if name not in fields or name in values:
                raise TypeError(f"{type(self).__name__} got an unknown or repeated field {name!r}")
            values[name] = value
        missing = [name for name in fields if name not in values and not hasattr(type(self), name)]
        if missing:
            raise TypeError(f"{type(self).__name__} is missing {', '.join(missing)}")
        self.__dict__.update(values)
