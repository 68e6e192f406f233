"""What every optimiser is: its settings, its state, one step, the terms the log shows, and what
the Hessian says about its learning rate.

A step works on one block of parameters at a time (the weights, then the intercept). Its update is
written once, as the :attr:`Optimizer.rule` text (a few Python assignments), and compiled from
there into every function that takes it: :meth:`Optimizer.stepper` on a float (the one-feature
fast path) or on an ndarray (several features), :meth:`Optimizer.explain` (every intermediate
value, for the log) and the kernel's fused one-feature loop (:mod:`..kernel`), which inlines the
rule for the weight and for the intercept so that an epoch costs no function call. All of them
run the same operations in the same order, so they give the same numbers bit for bit. A step never
changes its arguments: it returns new values, so a state kept in a checkpoint stays as it was.
"""

from __future__ import annotations

import ast
import functools
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

#: One block's optimiser state: a tuple of floats or of ndarrays, in ``state_names`` order.
State = tuple


@dataclass(frozen=True)
class Term:
    """One line of a step's arithmetic: ``symbol ← formula = value``.

    ``formula`` is text with ``{0}``, ``{1}``… where ``values`` go, so the caller chooses how to
    write the numbers.
    """

    symbol: str
    formula: str
    values: tuple[float, ...]
    result: float


@dataclass(frozen=True)
class Stability:
    """What the eigenvalues of the Hessian say about a method's rate.

    Attributes
    ----------
    lr_max : float or None
        The exact largest stable rate (with the method's other settings as they are); None when
        no fixed bound applies (adaptive methods).
    lr_best : float or None
        The fixed rate that converges fastest (None when there is no such closed form).
    bound : str
        How the bound reads, e.g. ``"2/λmax"``, ``"2(1+β)/λmax"``.
    note : str
        A plain sentence on the method's bound (for adaptive methods: why none applies).
    best_other : dict
        Other optimal settings with the rate (momentum's Polyak optimum: ``{"momentum": β*}``).
    """

    lr_max: float | None
    lr_best: float | None
    bound: str
    note: str
    best_other: dict[str, float]


class Optimizer:
    """Base of the optimisers. Subclasses are frozen dataclasses of their own settings.

    Class attributes
    ----------------
    name : str
        The name on the command line (``--optimizer NAME``).
    title : str
        A few words for people ("heavy-ball momentum").
    fields : tuple of str
        The :class:`~linreg_tui.core.hyperparams.Hyperparameters` fields it reads.
    state_names : tuple of str
        Its state per parameter, all zero at the start.
    adaptive : bool
        It scales each coordinate by its own history (no fixed stable rate).
    proximal : bool
        With an L1 penalty it takes the proximal (soft-threshold) step instead of a subgradient.
    rule : str
        The update of one block, as Python assignments (one a line) on ``theta`` (the block's
        parameters, assigned last), ``g`` (its gradient), ``lr``, the state (``state_names``, each
        assigned its new value), the step's coefficients (``coefficient_names``), the settings
        (``fields``), the ``constants`` and ``sqrt``. Plain arithmetic only: it runs on floats and
        on ndarrays alike.
    constants : dict of str to callable
        Names the rule reads, each a function of the optimiser computed once
        (``lambda o: 1 - o.rho``).
    coefficient_names : tuple of str
        Values of step t shared by every block (Adam's bias corrections), from
        :meth:`coefficient_table`.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    fields: ClassVar[tuple[str, ...]] = ()
    state_names: ClassVar[tuple[str, ...]] = ()
    adaptive: ClassVar[bool] = False
    proximal: ClassVar[bool] = False
    rule: ClassVar[str]
    constants: ClassVar[dict[str, Any]] = {}
    coefficient_names: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_settings(cls, hp: Any) -> Optimizer:
        """The optimiser with its settings taken from a Hyperparameters."""
        return cls(**{f: getattr(hp, f) for f in cls.fields})

    def settings(self) -> dict[str, float]:
        return {f: getattr(self, f) for f in self.fields}

    def initial(self, zero: Any) -> State:
        """The state at the start: ``zero`` (0.0 or an ndarray of zeros) for each name."""
        return tuple(zero for _ in self.state_names)

    @property
    def counts_steps(self) -> bool:
        """Its step needs the step count t (Adam's bias correction)."""
        return bool(self.coefficient_names)

    def coefficient_table(self, first: int, count: int) -> tuple[list[float], ...]:
        """The coefficients of steps first, first + 1, …, first + count − 1 (t is 1-based): one
        list per name in ``coefficient_names``. Plain floats, computed once a block of epochs;
        every caller reads them from here, so the loop and the log agree to the last bit."""
        return ()

    def coefficients(self, t: int) -> tuple[float, ...] | None:
        """The coefficients of step t (None without ``coefficient_names``)."""
        if not self.coefficient_names:
            return None
        return tuple(column[0] for column in self.coefficient_table(t, 1))

    def bindings(self) -> dict[str, float]:
        """Every name the rule reads besides the block's own: the settings and the constants."""
        names = self.settings()
        for name, value in self.constants.items():
            names[name] = value(self)
        return names

    def stepper(self, scalar: bool = True):
        """The rule as a function ``(theta, g, state, lr, c) -> (theta', state')``, its settings
        bound. ``scalar``: theta and g are floats (``math.sqrt``); otherwise ndarrays
        (``numpy.sqrt``; both are correctly rounded, so they agree element by element)."""
        return _compiled(type(self), "step")(**self.bindings(), sqrt=_sqrt(scalar))

    def step(self, theta: Any, g: Any, state: State, lr: float, c: Any) -> tuple[Any, State]:
        """One update of a block: parameters ``theta``, gradient ``g``. Returns (θ', state')."""
        return self.stepper(not isinstance(theta, np.ndarray))(theta, g, state, lr, c)

    def explain(self, theta: float, g: float, state: State, lr: float, c: Any) -> dict:
        """Every value the rule assigns (``theta`` the new parameter), for one coordinate."""
        fn = _compiled(type(self), "explain")(**self.bindings(), sqrt=math.sqrt)
        return fn(theta, g, state, lr, c)

    @classmethod
    def rule_lines(cls) -> list[str]:
        return [line.strip() for line in cls.rule.strip().splitlines() if line.strip()]

    @classmethod
    def rule_locals(cls) -> tuple[str, ...]:
        """The names that belong to the block: theta, g, the state and every name assigned."""
        names = ["theta", "g", *cls.state_names]
        for node in ast.walk(ast.parse("\n".join(cls.rule_lines()))):
            stored = isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
            if stored and node.id not in names:
                names.append(node.id)
        return tuple(names)

    @classmethod
    def rule_for(cls, theta: str, g: str, suffix: str, ones: tuple[str, ...] = ()) -> list[str]:
        """The rule's lines with the block's names renamed: ``theta`` → ``theta``, ``g`` → ``g``,
        every other name of the block → name + ``suffix`` (the fused loop holds two blocks).
        ``ones``: names known to be exactly 1.0, whose divisions are left out (x/1.0 is x in
        IEEE arithmetic, NaN, infinities and −0 included, so nothing changes but the time)."""
        mapping = {name: name + suffix for name in cls.rule_locals()}
        mapping.update(theta=theta, g=g)

        class Rename(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.Name:
                return ast.copy_location(ast.Name(mapping.get(node.id, node.id), node.ctx), node)

            def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
                self.generic_visit(node)
                if (
                    isinstance(node.op, ast.Div)
                    and isinstance(node.right, ast.Name)
                    and node.right.id in ones
                ):
                    return node.left
                return node

        return [ast.unparse(Rename().visit(ast.parse(line))) for line in cls.rule_lines()]

    def terms(
        self, symbol: str, theta: float, g: float, state: State, lr: float, c: Any
    ) -> list[Term]:
        """The arithmetic of :meth:`step` for one coordinate, with its numbers."""
        raise NotImplementedError

    def stability(self, lam_min: float, lam_max: float) -> Stability:
        """The bound on lr from the Hessian's extreme eigenvalues (of the smooth objective)."""
        raise NotImplementedError

    def rate_formulas(self) -> dict[str, Any]:
        """The numbers of :meth:`stability` as formulas ``f(λmin, λmax, num)`` (each monotone in
        each argument) in ``decimal.Decimal`` or ``Fraction`` arithmetic (``num`` turns a float
        setting into that arithmetic's number), keyed ``lr_max``, ``lr_best`` and the names in
        ``best_other``: :func:`~..spectrum.exact_stability` rounds each exact value once."""
        return {}

    def iteration_radius(self, lr: float, lam: float) -> float | None:
        """Spectral radius of one step on the quadratic direction with curvature ``lam`` (how much
        that component of the error shrinks an epoch, asymptotically); None for adaptive methods."""
        return None


def spectral_radius_2x2(trace: float, det: float) -> float:
    """Largest |root| of z² − trace·z + det."""
    disc = trace * trace - 4 * det
    if disc >= 0:
        root = math.sqrt(disc)
        return max(abs((trace + root) / 2), abs((trace - root) / 2))
    return math.sqrt(abs(det))  # complex pair: |z|² = det


def adaptive_stability(title: str) -> Stability:
    """Adaptive methods divide each step by a running size of the gradient: no fixed bound."""
    return Stability(
        None,
        None,
        "none",
        f"{title} scales each coordinate's step by its own gradient history, so no fixed "
        "learning-rate bound applies on this quadratic; the loss chart shows what a rate does",
        {},
    )


def _sqrt(scalar: bool):
    return math.sqrt if scalar else np.sqrt


def _unpack(names: tuple[str, ...], source: str) -> list[str]:
    """Lines that unpack the tuple ``source`` into ``names`` (none for no names)."""
    if not names:
        return []
    return [f"({', '.join(names)},) = {source}"]


@functools.cache
def _compiled(cls: type[Optimizer], kind: str):
    """A factory (settings…, sqrt) → the rule as a function: ``kind`` "step" returns (θ', state'),
    "explain" a dict of every value the rule assigns."""
    params = ", ".join((*cls.fields, *cls.constants, "sqrt"))
    body = [
        *_unpack(cls.state_names, "state"),
        *_unpack(cls.coefficient_names, "c"),
        *cls.rule_lines(),
    ]
    if kind == "step":
        state = ", ".join(cls.state_names)
        body.append(f"return theta, ({state},)" if state else "return theta, ()")
    else:
        assigned = [n for n in cls.rule_locals() if n not in ("g",)]
        body.append("return {" + ", ".join(f"{n!r}: {n}" for n in assigned) + "}")
    source = (
        f"def factory({params}):\n"
        "    def rule(theta, g, state, lr, c):\n"
        + "".join(f"        {line}\n" for line in body)
        + "    return rule\n"
    )
    return compile_function(source, "factory", f"<{cls.name} {kind}>")


def compile_function(source: str, name: str, filename: str):
    """Compile ``source`` and return its function ``name`` (the generated code is kept on the
    function as ``__source__``, for reading and for tracebacks' sake)."""
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), namespace)
    fn = namespace[name]
    fn.__source__ = source
    return fn
