"""The embedded reference data: load it, validate it, and find areas and indicators in it."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import pandera.polars as pa
import polars as pl

from lacompare.errors import (
    AmbiguousAreaError,
    DataValidationError,
    LacompareError,
    PredecessorAreaError,
    SourceFileError,
    UnknownAreaError,
    UnknownIndicatorError,
    suggest,
    user_facing,
)
from lacompare.local import local_figures
from lacompare.schemas import (
    AreasSchema,
    CrossRules,
    IndicatorsSchema,
    NeighboursSchema,
    ObservationsSchema,
    OfstedJudgementsSchema,
    raise_failures,
    validate_reference,
    verdict_plan,
)
from lacompare.sources.build import build_reference

FRAMES = ("indicators", "observations", "areas", "neighbours")
#: Frames a reference directory may hold beside the four (read and validated when present).
OPTIONAL_FRAMES = ("ofsted",)
SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "indicators": IndicatorsSchema,
    "observations": ObservationsSchema,
    "areas": AreasSchema,
    "neighbours": NeighboursSchema,
    "ofsted": OfstedJudgementsSchema,
}
MANIFEST = "manifest.json"


def default_reference_path() -> Path:
    """Where the reference data lives: inside the installed package (wheel), or the repository's
    top-level ``reference_data/`` for an editable install."""
    packaged = Path(str(resources.files("lacompare"))) / "reference_data"
    if (packaged / "observations.parquet").is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "reference_data"


def read_reference_frames(path: Path) -> dict[str, pl.DataFrame]:
    """Read the four parquet files (and the optional ones present), without validating them."""
    frames = {name: _read_frame(path, name) for name in FRAMES}
    for name in OPTIONAL_FRAMES:
        if (path / f"{name}.parquet").is_file():
            frames[name] = _read_frame(path, name)
    return frames


def _read_frame(path: Path, name: str) -> pl.DataFrame:
    file = path / f"{name}.parquet"
    if not file.is_file():
        raise SourceFileError(f"{file}: reference data file not found")
    try:
        frame = pl.read_parquet(file)
    except Exception as error:  # polars raises several kinds for a file that is not parquet
        raise SourceFileError(f"{file}: not a readable parquet file ({error})") from None
    _check_column_types(file, frame, SCHEMAS[name])
    return frame


def _swap_in(staging: Path, path: Path) -> None:
    """Put the folder ``staging`` at ``path``: the old folder is renamed aside first and
    removed only once the new one is in place (each rename is atomic on one file system)."""
    if not path.exists():
        os.replace(staging, path)
        return
    aside = path.with_name(f".{path.name}.old-{os.getpid()}")
    os.replace(path, aside)
    try:
        os.replace(staging, path)
    except BaseException:
        os.replace(aside, path)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _check_column_types(file: Path, frame: pl.DataFrame, schema: type[pa.DataFrameModel]) -> None:
    """A column whose kind is wrong (text where numbers belong, say) is named with the kind
    expected, before any rule compares it and fails with polars' own words."""
    for column, spec in schema.to_schema().columns.items():
        expected = getattr(spec.dtype, "type", None)
        if column not in frame.columns or expected is None:
            continue
        found = frame.schema[column]
        kinds = [
            (expected.is_numeric(), found.is_numeric() or found == pl.Null, "numbers"),
            (expected.is_temporal(), found.is_temporal() or found == pl.Null, "dates"),
        ]
        for wanted, ok, words in kinds:
            if wanted and not ok:
                raise SourceFileError(
                    f"{file}: column {column!r} holds {found} values; lacompare expects "
                    f"{words} ({expected}) there. Rebuild the reference data with "
                    "`lacompare data update --from`, or check the file was not edited by hand"
                )


@dataclass(frozen=True)
class ReferenceData:
    """The four validated frames, and helpers to look things up in them.

    Attributes
    ----------
    indicators, observations, areas, neighbours
        See ``schemas.py`` for their columns and rules.
    path
        The directory the data was read from (None if built in memory).
    ofsted
        Each current LA's latest Ofsted inspection judgements (None if not loaded).
    local
        LAs' own figures added with :meth:`with_local` (None without any); see
        :class:`~lacompare.schemas.LocalFiguresSchema`.
    """

    indicators: pl.DataFrame
    observations: pl.DataFrame
    areas: pl.DataFrame
    neighbours: pl.DataFrame
    path: Path | None = None
    ofsted: pl.DataFrame | None = None
    #: An LA's own figures (:meth:`with_local`), a layer beside the published observations.
    local: pl.DataFrame | None = None
    #: The councils' own targets (:meth:`with_targets`; None without any).
    targets: pl.DataFrame | None = None
    #: Areas already found (:meth:`find_area`), shared with the copies ``with_local`` and
    #: ``with_targets`` make; each entry keeps the areas table it was found in.
    _found: dict[str, tuple[pl.DataFrame, dict[str, Any]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _with(self, **layers: pl.DataFrame) -> ReferenceData:
        """A copy with ``layers`` added, sharing the areas already found (same areas)."""
        copy = replace(self, **layers)  # type: ignore[arg-type]
        object.__setattr__(copy, "_found", self._found)
        return copy

    @property
    def frame_names(self) -> tuple[str, ...]:
        """The frames this reference holds: the four, and the optional ones present."""
        return FRAMES + tuple(n for n in OPTIONAL_FRAMES if getattr(self, n) is not None)

    # -- validation -----------------------------------------------------------------------

    def validate(self) -> ReferenceData:
        """Check every frame against its schema and the rules across frames; return self.

        Every rule of all four frames and across them runs in one parallel polars run; only
        when something fails are the failing rules and rows worked out (and raised as one
        :class:`~lacompare.errors.DataValidationError`).
        """
        _check_frames(self._schemas(self.frame_names), cross=self._cross())
        if self.ofsted is not None:
            known = set(self.areas.get_column("area_code").to_list())
            unknown = sorted(set(self.ofsted.get_column("area_code").to_list()) - known)
            if unknown:
                raise DataValidationError(
                    f"ofsted: area_code {unknown[:5]} not in the areas frame (rule: every "
                    "inspection is of a known local authority)"
                )
        return self

    def _schemas(
        self, names: Sequence[str]
    ) -> list[tuple[pl.DataFrame, type[pa.DataFrameModel], str]]:
        where = f" ({self.path})" if self.path else ""
        return [(getattr(self, name), SCHEMAS[name], f"{name}{where}") for name in names]

    def _cross(self) -> tuple[pl.LazyFrame, Callable[[pl.DataFrame], bool], Callable[[], None]]:
        """The cross-frame verdict query, how to judge its result, and what to call to raise
        the details."""
        rules = CrossRules(self.indicators, self.observations.schema, self.areas, self.neighbours)
        return self.observations.lazy().select(rules.exprs), rules.judge, self._explain_cross

    def _explain_cross(self) -> None:
        where = f" ({self.path})" if self.path else ""
        validate_reference(
            self.indicators,
            self.observations,
            self.areas,
            self.neighbours,
            name=f"reference data{where}",
        )

    @user_facing
    def with_local(
        self, figures: Any, *, la: str | int | None = None, source: str = "local"
    ) -> ReferenceData:
        """A copy with an LA's own, not-yet-published figures added as a separate layer
        (``local``), checked like published data (see :mod:`lacompare.local`). The published
        observations are untouched: a local figure for a period DfE has published is refused,
        and no LA's local figure enters any other LA's comparison.

        ``compare`` shows a local figure where it is the LA's latest (or the year asked for
        has no published value for the LA), marks it, and compares it with the latest
        published England, region and neighbour figures before it, naming their period in
        ``comparator_period``. ``figures`` may be the frame :func:`lacompare.figures_from_903`
        returns. ``la`` fills a missing area column; the file's own area wins.
        """
        layer = local_figures(self, figures, la=la, source=source)
        if self.local is not None:
            layer = pl.concat([self.local, layer])
            repeated = layer.filter(
                pl.struct("area_code", "indicator_id", "period").is_duplicated()
            )
            if repeated.height:
                shown = repeated.select("area_code", "indicator_id", "period").unique().head(5)
                raise DataValidationError(
                    f"local figures ({source}) repeat {repeated.height // 2} local figure(s) "
                    f"already added, e.g. {shown.rows()} (rule: one local figure per area, "
                    "indicator and period)"
                )
        return self._with(local=layer)

    def with_targets(
        self, targets: Any, *, la: str | int | None = None, name: str = "targets"
    ) -> ReferenceData:
        """A copy with the council's own targets (see :mod:`lacompare.targets`): ``compare``
        then carries ``target`` and ``target_status`` (met / near / missed / no figure) on
        the authority's rows, and a paper counts and names them. ``la`` fills a missing area
        column; a problem with any row is an error naming the row, column and rule."""
        from lacompare.targets import read_targets

        layer = read_targets(self, targets, la=la, name=name)
        if self.targets is not None:
            layer = pl.concat([self.targets, layer])
        return self._with(targets=layer)

    def write(self, path: Path, manifest: dict[str, Any] | None = None) -> None:
        """Write the frames as parquet (zstd) plus a manifest of what was built from what.

        Built in a new folder beside ``path``, read back and validated there, then swapped in
        by renaming: a failed write leaves the old data whole, and damaged data at ``path``
        is replaced, never patched. Other files in ``path`` (hand-kept CSVs) are carried over.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.new-", dir=path.parent))
        try:
            if path.is_dir():
                for kept in path.iterdir():
                    if kept.is_file() and kept.suffix != ".parquet" and kept.name != MANIFEST:
                        shutil.copy2(kept, staging / kept.name)
            for name in self.frame_names:
                frame: pl.DataFrame = getattr(self, name)
                frame.write_parquet(
                    staging / f"{name}.parquet", compression="zstd", statistics=False
                )
            rows = {name: getattr(self, name).height for name in self.frame_names}
            info = {"rows": rows, **(manifest or {})}
            (staging / MANIFEST).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
            load_reference(staging)  # what was written reads back and validates
            _swap_in(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    @property
    def manifest(self) -> dict[str, Any]:
        """What the build script recorded: sources, row counts, count checks."""
        file = None if self.path is None else self.path / MANIFEST
        if file is None or not file.is_file():
            return {}
        try:
            result: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise SourceFileError(
                f"{file}: not a readable manifest ({error}); rebuild the reference data with "
                "`lacompare data update --from` or ./run.sh build-data"
            ) from None
        if not isinstance(result, dict):
            raise SourceFileError(f"{file}: a manifest is a JSON object; rebuild the data")
        return result

    @property
    def release(self) -> dict[str, Any]:
        """Which data this is: ``data`` ("embedded" or "update"), its ``path``, when and from
        what it was updated, the years it covers, and each source file's size and sha256
        (``lacompare data`` prints it)."""
        manifest = self.manifest
        embedded = self.path is not None and self.path.resolve() == (
            default_reference_path().resolve()
        )
        return {
            "data": "embedded" if embedded or self.path is None else "update",
            "path": None if self.path is None else str(self.path),
            "updated_at": manifest.get("updated_at"),
            "updated_from": manifest.get("updated_from"),
            "years_covered": manifest.get("years_covered"),
            "sources": manifest.get("sources", {}),
        }

    # -- areas ----------------------------------------------------------------------------

    @user_facing
    def find_area(self, query: str | int, *, current: bool = False) -> dict[str, Any]:
        """The area matching a name (``"Derby"``), DfE code (``831``, ``"831"``) or ONS code
        (``"E06000015"``, or a former code), as a dict of its row.

        With ``current=True`` a predecessor authority (e.g. Cumbria) raises
        :class:`PredecessorAreaError` naming its successors. An unknown query raises
        :class:`UnknownAreaError` suggesting the closest names.

        An area is looked up once: the row is kept under the query and under its ONS code, so
        a paper that names its LA in every section searches the areas table once.
        """
        key = str(query).strip()
        kept = self._found.get(key)
        # A hit is used when found in this same areas table, and (asked for a current LA) is
        # current; a predecessor is looked up again, to raise its error.
        if kept is not None and kept[0] is self.areas and (kept[1]["current"] or not current):
            return dict(kept[1])
        row = self._look_up(query, current=current)
        self._found[key] = self._found[row["area_code"]] = (self.areas, row)
        return dict(row)

    def _look_up(self, query: str | int, *, current: bool) -> dict[str, Any]:
        """The search behind :meth:`find_area`."""
        areas = self.areas
        text = str(query).strip()
        if isinstance(query, int) or re.fullmatch(r"\d{3}", text):
            hit = areas.filter(pl.col("old_la_code") == int(text))
        elif re.fullmatch(r"[Ee]\d{8}", text):
            code = text.upper()
            hit = areas.filter(
                (pl.col("area_code") == code) | pl.col("former_codes").list.contains(code)
            )
        else:
            hit = self._areas_named(text)
        if hit.height == 0:
            names = areas.get_column("name").to_list() + [
                n for ns in areas.get_column("alt_names").to_list() for n in ns
            ]
            # Near-matches of the name as people write it ("Kingston upon Hul" -> Hull), ranked
            # by similarity of the whole name, not by containing the text.
            keyed = dict(zip(_words_key(pl.Series(names)).to_list(), names, strict=True))
            close = [keyed[k] for k in suggest(_words_key(pl.Series([text])).item(), keyed)]
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise UnknownAreaError(
                f"no area matches {query!r} (by name, DfE code such as 831, or ONS code such as "
                f"E06000015){hint}"
            )
        if hit.height > 1:
            candidates = ", ".join(repr(n) for n in hit.get_column("name").to_list()[:8])
            more = f" and {hit.height - 8} more" if hit.height > 8 else ""
            raise AmbiguousAreaError(
                f"{query!r} could be any of {hit.height} areas: {candidates}{more}; give more "
                "of the name, or a DfE or ONS code"
            )
        row = hit.row(0, named=True)
        if current and not row["current"]:
            successors = self.areas.filter(pl.col("area_code").is_in(row["successor_codes"]))
            successor_names = " and ".join(successors.get_column("name").to_list())
            raise PredecessorAreaError(
                f"{row['name']} ({row['area_code']}) no longer exists: it was replaced by "
                f"{successor_names}. Ask for "
                f"{'one of them' if successors.height > 1 else 'it'} instead."
            )
        return row

    def _areas_named(self, text: str) -> pl.DataFrame:
        """Areas a name fits, by the first rule that finds any: the name exactly (letters and
        digits only); the name as people write it (see :func:`_words_key`); a short name or
        abbreviation (:data:`LA_SHORT_NAMES`); the first words of a name ("Southend")."""
        areas = self.areas
        compact = re.sub(r"[^a-z0-9]", "", text.lower())
        words = _words_key(pl.Series([text])).item()
        short = LA_SHORT_NAMES.get(words)
        keyed = areas.with_columns(
            _compact=pl.concat_list(pl.col("name"), "alt_names").list.eval(
                pl.element().str.to_lowercase().str.replace_all(r"[^a-z0-9]", "")
            ),
            _words=pl.concat_list(pl.col("name"), "alt_names").list.eval(_words_expr(pl.element())),
        )
        rules = [
            pl.col("_compact").list.contains(compact),
            pl.col("_words").list.contains(words),
            pl.col("name") == (short or ""),
            pl.col("_words").list.eval(pl.element().str.starts_with(words + " ")).list.any(),
        ]
        for rule in rules:
            hit = keyed.filter(rule)
            if hit.height:
                return hit.drop("_compact", "_words")
        return areas.clear()

    @user_facing
    def area_code(self, query: str | int, *, current: bool = False) -> str:
        """ONS code of the area matching ``query`` (see :meth:`find_area`)."""
        code: str = self.find_area(query, current=current)["area_code"]
        return code

    @user_facing
    def local_authorities(self, *, current: bool = True) -> pl.DataFrame:
        """Local authorities (by default only those that exist today)."""
        las = self.areas.filter(pl.col("level") == "local_authority")
        return las.filter(pl.col("current")) if current else las

    @user_facing
    def neighbours_of(self, la: str | int, model: str | int = "2025") -> pl.DataFrame:
        """An LA's statistical neighbours in ``model``, closest first, with their names."""
        code = self.area_code(la, current=True)
        model = str(model)  # 2025 and "2025" name the same model
        models = self.neighbours.get_column("model").unique().sort().to_list()
        if model not in models:
            raise UnknownAreaError(f"no statistical-neighbour model {model!r}; models: {models}")
        return (
            self.neighbours.filter(pl.col("model") == model, pl.col("area_code") == code)
            .join(
                self.areas.select(neighbour_code="area_code", neighbour_name="name"),
                on="neighbour_code",
                how="left",
            )
            .sort("neighbour_rank")
        )

    @user_facing
    def child_population(self, la: str | int) -> tuple[int, int]:
        """(mid-year, estimate): the latest ONS mid-year estimate of the LA's children aged
        0-17 in the data, as DfE used it for the children-looked-after rate per 10,000 (the
        rate at 31 March 2025 uses the mid-2024 estimate)."""
        code = self.area_code(la, current=True)
        rows = (
            self.observations.filter(
                pl.col("indicator_id") == "lac",
                pl.col("area_code") == code,
                pl.col("denominator").is_not_null(),
            )
            .sort("year")
            .tail(1)
        )
        if rows.height == 0:
            raise DataValidationError(
                f"{self.find_area(code)['name']}: no ONS population of children aged 0-17 in "
                "the data (rule: the children-looked-after rate's denominator)"
            )
        year, population = rows.select("year", "denominator").row(0)
        return int(year) - 1, int(population)

    # -- indicators -----------------------------------------------------------------------

    @user_facing
    def ofsted_judgements(
        self, la: str | int, neighbours: str | int | None = "2025"
    ) -> pl.DataFrame:
        """The LA's latest Ofsted inspection judgements, then its statistical neighbours' (in
        ``neighbours`` model order, closest first; ``None`` for the LA alone), with a
        ``role`` column ("selected" / "neighbour")."""
        if self.ofsted is None:
            raise SourceFileError(
                "this reference data has no Ofsted judgements (ofsted.parquet); rebuild it with "
                "`lacompare data update --from` a folder holding Ofsted's inspection outcomes file"
            )
        code = self.area_code(la, current=True)
        order = pl.DataFrame({"area_code": [code], "role": ["selected"], "order": [0]})
        if neighbours is not None:
            group = self.neighbours_of(code, neighbours).select(
                area_code="neighbour_code",
                role=pl.lit("neighbour"),
                order=pl.col("neighbour_rank").cast(pl.Int64),
            )
            order = pl.concat([order, group])
        return (
            order.join(self.ofsted, on="area_code", how="left")
            .join(self.areas.select("area_code", "name"), on="area_code", how="left")
            .sort("order")
            .drop("order")
        )

    @user_facing
    def find_indicator(self, query: str) -> dict[str, Any]:
        """The indicator matching an id (``"cpp_rate"``), LAIT code (``"CPP_rate"``) or exact
        name, as a dict of its row; unknown queries suggest the closest."""
        if not isinstance(query, str):
            raise UnknownIndicatorError(
                f"an indicator is named by its id, LAIT code or name (text), not {query!r}"
            )
        text = query.strip()
        lowered = text.lower()
        hit = self.indicators.filter(
            (pl.col("indicator_id") == lowered)
            | (pl.col("lait_code").str.to_lowercase() == lowered)
            | (pl.col("name").str.to_lowercase() == lowered)
        )
        if hit.height == 0:
            choices = (
                self.indicators.get_column("indicator_id").to_list()
                + self.indicators.get_column("lait_code").drop_nulls().to_list()
            )
            close = suggest(text, choices)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise UnknownIndicatorError(
                f"no indicator matches {query!r} (by id, LAIT code or exact name){hint} "
                "Use search_indicators() to search by words."
            )
        return hit.row(0, named=True)

    @user_facing
    def search_indicators(self, words: str) -> pl.DataFrame:
        """Indicators whose id, LAIT code, name, topic or unit label contain every word
        (case-insensitive), ordered by topic and name."""
        haystack = pl.concat_str(
            "indicator_id",
            "lait_code",
            "name",
            "topic",
            "unit_label",
            separator=" ",
            ignore_nulls=True,
        ).str.to_lowercase()
        matches = pl.lit(True)
        for word in words.lower().split():
            matches = matches & haystack.str.contains(word, literal=True)
        return self.indicators.filter(matches).sort("topic", "name")

    @user_facing
    def topics(self) -> list[str]:
        """Every topic name, as LAIT lists them."""
        topics: list[str] = self.indicators.get_column("topics").explode().unique().sort().to_list()
        return topics


@user_facing
def load_reference(path: str | Path | None = None, *, validate: bool = True) -> ReferenceData:
    """Load lacompare's reference data (the embedded copy by default) and validate it.

    Parameters
    ----------
    path
        A directory holding ``indicators.parquet``, ``observations.parquet``,
        ``areas.parquet`` and ``neighbours.parquet`` (as written by
        ``scripts/build_reference_data.py``). Default: the data shipped with the package.
    validate
        Check every schema rule (default). Turn off only for data you have just validated.
    """
    if path is None:
        return _load_active(validate)
    directory = Path(path)
    if not directory.is_dir():
        raise SourceFileError(f"{directory}: reference data directory not found")
    reference = ReferenceData(**read_reference_frames(directory), path=directory)
    return reference.validate() if validate else reference


def _load_active(validate: bool) -> ReferenceData:
    """The update in use (``lacompare data update``) where it reads back and validates, else
    the embedded data (with a warning naming what was wrong with the update)."""
    from lacompare import store

    folder = store.active_update()
    if folder is not None:
        try:
            return load_reference(folder, validate=validate)
        except LacompareError as error:
            warnings.warn(
                f"the updated reference data at {folder} could not be used ({error}); using "
                "the embedded data (`lacompare data rollback` or `reset`)",
                stacklevel=3,
            )
    return load_reference(default_reference_path(), validate=validate)


@user_facing
def write_reference(
    data_dir: Path,
    out: Path,
    extra: dict[str, Any] | None = None,
    keep: ReferenceData | None = None,
) -> tuple[ReferenceData, pl.DataFrame]:
    """Build, validate and write the reference data from ``data_dir`` into ``out``, with a
    manifest of the sources (size, sha256), row counts and the count checks. Nothing is
    written unless everything validates. Returns (ReferenceData, count report)."""
    built = build_reference(data_dir)
    # Ofsted's judgements, where the sources did not include its workbook, are the data in
    # use's (``keep``); without either the build needs the workbook.
    ofsted = built.ofsted if built.ofsted is not None else keep.ofsted if keep else None
    if ofsted is None:
        raise SourceFileError(
            f"{data_dir / 'ees'}: no Ofsted inspection outcomes workbook (rule: the build "
            "reads Ofsted's judgements)"
        )
    reference = ReferenceData(
        built.indicators, built.observations, built.areas, built.neighbours, ofsted=ofsted
    ).validate()
    sources = {
        str(p.relative_to(data_dir)): {
            "bytes": p.stat().st_size,
            "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
        }
        for p in sorted(data_dir.rglob("*"))
        if p.is_file()
    }
    years = built.observations.filter(pl.col("year") > 0).get_column("year")
    manifest = {
        "publisher": "Department for Education (LAIT; Explore Education Statistics); ONS",
        "licence": "Open Government Licence v3.0",
        "sources": sources,
        "count_checks": built.count_report.to_dicts(),
        "years_covered": [int(years.min()), int(years.max())],  # type: ignore[arg-type]
        **(extra or {}),
    }
    reference.write(out, manifest)
    return reference, built.count_report


def _check_frames(
    frames: list[tuple[pl.DataFrame, type[pa.DataFrameModel], str]],
    cross: tuple[pl.LazyFrame, Callable[[pl.DataFrame], bool], Callable[[], None]] | None = None,
) -> None:
    """Run the verdict queries of ``frames`` (and the cross-frame one) in one parallel polars
    run; for anything that fails, work out and raise the detailed report."""
    plans = [verdict_plan(frame, schema) for frame, schema, _ in frames]
    queries = [q for plan in plans if plan is not None for q in plan.queries]
    if cross is not None:
        queries.append(cross[0])
    # The in-memory engine runs these many small aggregations faster than streaming.
    results = pl.collect_all(queries, engine="in-memory")
    position = 0
    for (frame, schema, name), plan in zip(frames, plans, strict=True):
        if plan is None:
            raise_failures(frame, schema, name=name)
            continue
        own = results[position : position + len(plan.queries)]
        position += len(plan.queries)
        if not plan.resolve(own):
            raise_failures(frame, schema, name=name)
    if cross is not None and not cross[1](results[-1]):
        cross[2]()


#: Short names and abbreviations people write for a local authority (keys as
#: :func:`_words_key` writes them) -> its name in the areas frame. Names whose first words are
#: enough ("Southend", "Telford", "Stoke") need no entry: they are matched as prefixes.
LA_SHORT_NAMES: dict[str, str] = {
    "hull": "Kingston Upon Hull, City of",
    "bcp": "Bournemouth, Christchurch and Poole",
    "banes": "Bath and North East Somerset",
    "b and nes": "Bath and North East Somerset",
    "rbkc": "Kensington and Chelsea",
    "lbbd": "Barking and Dagenham",
    "scilly": "Isles of Scilly",
    "ne lincs": "North East Lincolnshire",
    "ne lincolnshire": "North East Lincolnshire",
    "north east lincs": "North East Lincolnshire",
    "n lincs": "North Lincolnshire",
    "north lincs": "North Lincolnshire",
    "north yorks": "North Yorkshire",
    "north northants": "North Northamptonshire",
    "west northants": "West Northamptonshire",
    "cheshire west": "Cheshire West and Chester",
    "windsor": "Windsor and Maidenhead",
}


def _words_expr(name: pl.Expr) -> pl.Expr:
    """A name as people write it, reduced to its words: lower case, "&" as "and", "Saint" as
    "St", punctuation and hyphens as spaces, without "City of", "County of", "Royal Borough
    of", "the", "council", a leading "County" or a trailing "City", "County" or "Borough".
    "Derby City Council", "Windsor & Maidenhead" and "St. Helens" become "derby", "windsor
    and maidenhead" and "st helens"."""
    return (
        name.str.to_lowercase()
        .str.replace_all("&", " and ")
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.replace_all(r"\bsaint\b", "st")
        .str.replace_all(r"\b(?:(?:royal|london|metropolitan) )?(?:city|county|borough) of\b", " ")
        .str.replace_all(r"\b(?:the|council)\b", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .str.replace(r"^county ", "")
        .str.replace(r" (?:city|county|borough)$", "")
    )


def _words_key(names: pl.Series) -> pl.Series:
    return pl.select(_words_expr(pl.lit(names))).to_series()
