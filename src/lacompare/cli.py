"""The ``lacompare`` command: board-paper tables without writing Python.

lacompare report --la Derby --format html,docx,xlsx --out out/
lacompare report --la 831 --topic "Children Looked After" --format pdf
lacompare indicators looked after rate
lacompare areas derby
lacompare batch --region "East Midlands" --format html --out out/
lacompare paper --la Derby --paper corporate-parenting --format docx,html,pdf --out out/
lacompare validate my_figures.csv
lacompare data update --from ../shared/data
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from lacompare.errors import LacompareError

if TYPE_CHECKING:
    from lacompare.reference import ReferenceData

EPILOG = """recipes:
  the whole board paper (summary, Ofsted, red-red, topic sections, appendices) in Word and HTML:
      lacompare paper --la Derby --paper corporate-parenting --format docx,html --out out/
  this year's own figures from your SSDA903 extract, then the paper with them marked [L]:
      lacompare figures --ssda903 903_extract/ --la Derby --year 2026 --out figures.csv
      lacompare paper --la Derby --ssda903 903_extract/ --year 2026 --format docx
  this year's safeguarding figures from your CIN census return (last year's for look-back):
      lacompare figures --cin cin_2026.xml --previous cin_2025.xml --la Derby --year 2026
      lacompare paper --la Derby --paper safeguarding --cin cin_2026.xml --year 2026
  your own paper from a TOML spec (title, [[sections]] with indicators and a chart):
      lacompare paper --la Derby --spec my_paper.toml --format docx,pdf
  one LA's headline table as a web page, Word and Excel:
      lacompare report --la Derby --format html,docx,xlsx --out out/
  a topic instead of the headline set, against the 2021 neighbour groups:
      lacompare report --la Derby --topic "Children Looked After" --neighbours 2021
  find an indicator's id, then report on just a few:
      lacompare indicators re-referrals
      lacompare report --la Derby --indicators rereferral,cpp_rate,lac
  which indicators can be tested against England, and why the others cannot:
      lacompare indicators --coverage --la Derby
  every LA in a region (or --all), one folder of files, a summary at the end:
      lacompare batch --region "East Midlands" --format html,docx --out out/
  check your own figures before you use them (exit code 1 if anything is wrong):
      lacompare validate local_figures.csv
  use DfE's newer downloads (lait/ and ees/ folders), into your data folder; go back:
      lacompare data update --from ../shared/data
      lacompare data rollback
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        result: int = args.run(args)
        return result
    except LacompareError as error:
        print(f"lacompare: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into head, say: not an error
        return 0
    except Exception as error:  # the net under the checks: never a bare traceback
        print(f"lacompare: unexpected error ({type(error).__name__}): {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lacompare",
        description="Benchmark an English local authority's children's services against "
        "England, its region and its DfE statistical neighbours, as board-paper tables.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _table_commands(commands)
    _paper_command(commands)
    _data_commands(commands)
    return parser


def _data_command(commands: Any) -> None:
    """``data``: which reference data is in use, updates, rollback and reset."""
    data = commands.add_parser(
        "data",
        help="the reference data in use: show it, update it, roll back, reset",
        description="Show which reference data lacompare uses (the embedded data, or an "
        "update in your data folder: LACOMPARE_DATA, else your user data folder), update it "
        "from DfE's newer downloads, or go back. Updates never write into the installed "
        "package.",
    )
    actions = data.add_subparsers(dest="action", metavar="ACTION")
    update = actions.add_parser(
        "update", help="build and switch to newer data (checked first; the old data kept)"
    )
    where = update.add_mutually_exclusive_group()
    where.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=None,
        help="a folder holding lait/ and ees/ (DfE's downloads)",
    )
    where.add_argument(
        "--mirror",
        default=None,
        help="your council's mirror: a folder or web address holding each file at "
        "<mirror>/<host>/<path> (see `lacompare data sources`)",
    )
    update.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for a server (default 30)"
    )  # fmt: skip
    update.add_argument("--la", default=None, help="list this LA's revised values first")
    listed = actions.add_parser(
        "sources", help="every file the data is built from: page, address, publisher"
    )
    listed.add_argument("--json", action="store_true", help="as JSON (to lay out a mirror)")
    actions.add_parser("rollback", help="return to the data in use before the last update")
    actions.add_parser("reset", help="return to the data embedded in lacompare")
    data.set_defaults(run=_data)


def _table_options(sub: argparse.ArgumentParser) -> None:
    """What a board table is made of: indicators, neighbours, period, formats, folder."""
    chosen = sub.add_mutually_exclusive_group()
    chosen.add_argument("--topic", help='a LAIT topic, e.g. "Children Looked After"')
    chosen.add_argument("--indicators", help="comma-separated ids or LAIT codes")
    chosen.add_argument(
        "--preset",
        default=None,
        help="headline (default), corporate-parenting or safeguarding",
    )
    sub.add_argument(
        "--neighbours",
        default="2025",
        help='SN model: 2025 (default) or 2021, or your own group: "Nottingham, 856, Hull"',
    )
    sub.add_argument(
        "--period",
        default="latest",
        help="latest (default), lait_latest, or a year such as 2016",
    )
    sub.add_argument(
        "--format",
        default="html",
        help="comma-separated: html,docx,xlsx,pdf,png,tex,csv (default html)",
    )
    sub.add_argument("--out", type=Path, default=Path("out"), help="folder (default out/)")
    sub.add_argument(
        "--red-red",
        action="store_true",
        help="list indicators worse than England and worsening first",
    )
    sub.add_argument(
        "--charts",
        action="store_true",
        help="also write trend charts (PNG, SVG), and put them in the .docx",
    )


def _table_commands(commands: Any) -> None:
    """``report`` (one LA's board table) and ``batch`` (many LAs')."""
    report = commands.add_parser(
        "report",
        help="write one LA's board table",
        description="Write one LA's board table in each format asked.",
    )
    report.add_argument("--la", required=True, help="name, DfE number or ONS code")
    _table_options(report)
    report.set_defaults(run=_report)

    batch = commands.add_parser(
        "batch",
        help="write a board table for many LAs",
        description="One report per LA; a failure is reported and the rest still written.",
    )
    where = batch.add_mutually_exclusive_group(required=True)
    where.add_argument("--region", help='e.g. "East Midlands"')
    where.add_argument("--all", action="store_true", help="every current LA (153)")
    where.add_argument("--las", help="comma-separated LAs")
    _table_options(batch)
    batch.add_argument(
        "--workers",
        type=int,
        default=0,
        help="processes writing the files (default: one per core, up to 4, for 48 LAs or more; "
        "a process costs about a second to start)",
    )
    batch.set_defaults(run=_batch)


def _paper_command(commands: Any) -> None:
    """``paper``: one LA's whole board paper."""
    paper = commands.add_parser(
        "paper",
        help="write one LA's whole board paper (Word, HTML, PDF)",
        description="Write one LA's board paper: summary, Ofsted judgements, red-red, a "
        "section per topic (table, sentences, chart), definitions, methods and sources.",
    )
    paper.add_argument("--la", required=True, help="name, DfE number or ONS code")
    which = paper.add_mutually_exclusive_group()
    which.add_argument(
        "--paper",
        default=None,
        help="corporate-parenting (default), safeguarding or headline",
    )
    which.add_argument("--spec", type=Path, help="your own paper: a TOML spec")
    paper.add_argument(
        "--format",
        default="docx,html",
        help="comma-separated: docx,html,pdf, and data (the paper's data, for --since later)",
    )
    paper.add_argument("--out", type=Path, default=Path("out"), help="folder (default out/)")
    paper.add_argument(
        "--neighbours",
        default=None,
        help='SN model: 2025 (default) or 2021, or your own group: "Nottingham, 856, Leicester"',
    )
    paper.add_argument(
        "--period", default="latest", help="latest (default), lait_latest, or a year"
    )
    paper.add_argument("--date", default=None, help="date written, YYYY-MM-DD (default today)")
    paper.add_argument("--author", default=None, help="author line (default a placeholder)")
    paper.add_argument(
        "--ssda903", type=Path, default=None, help="your 903 extract: this year's own figures"
    )
    paper.add_argument(
        "--cin", type=Path, default=None, help="your CIN census return: this year's own figures"
    )
    paper.add_argument(
        "--previous", type=Path, default=None, help="with --cin: last year's return (look-back)"
    )
    paper.add_argument(
        "--year", default=None, help="with --ssda903 or --cin: the year ending 31 March"
    )
    paper.add_argument("--local", type=Path, default=None, help="a CSV / xlsx of local figures")
    paper.add_argument(
        "--since",
        type=Path,
        default=None,
        help="the data file of the last paper (--format ...,data wrote it): a section on "
        "what changed since",
    )
    paper.add_argument(
        "--targets",
        type=Path,
        default=None,
        help="the council's targets: a CSV / xlsx with indicator, target (and optionally "
        "period, amber, direction, source)",
    )
    paper.set_defaults(run=_paper)


def _data_commands(commands: Any) -> None:
    """``figures``, ``indicators``, ``areas``, ``validate`` and ``refresh``."""
    figures = commands.add_parser(
        "figures",
        help="your own figures from your SSDA903 extract or CIN census return (DfE's definitions)",
        description="Derive the LA's own figures for a collection year: children looked after "
        "from its SSDA903 extract (a folder of the 903 CSV files, or a workbook with a sheet "
        "per table), or children in need and child protection from its CIN census return (the "
        "XML file sent to DfE); check them, print a summary and write them as local figures.",
    )
    source = figures.add_mutually_exclusive_group(required=True)
    source.add_argument("--ssda903", type=Path, help="your 903 extract: a folder or .xlsx")
    source.add_argument("--cin", type=Path, help="your CIN census return (.xml)")
    figures.add_argument(
        "--previous", type=Path, default=None, help="with --cin: last year's return (look-back)"
    )
    figures.add_argument(
        "--la", default=None, help="name, DfE number or ONS code (a CIN return's LEA says it)"
    )
    figures.add_argument("--year", required=True, help="collection year ending 31 March: 2026")
    figures.add_argument("--out", type=Path, default=None, help="CSV to write (default: none)")
    figures.set_defaults(run=_figures)

    indicators = commands.add_parser("indicators", help="list or search indicators")
    indicators.add_argument("words", nargs="*", help="words that must all appear")
    indicators.add_argument(
        "--coverage",
        action="store_true",
        help="say which indicators can be tested against England, and why not",
    )
    indicators.add_argument(
        "--la", default=None, help="with --coverage: add this LA's latest verdict per indicator"
    )
    indicators.set_defaults(run=_indicators)

    areas = commands.add_parser("areas", help="list or search local authorities")
    areas.add_argument("words", nargs="*", help="words that must all appear in the name")
    areas.add_argument("--neighbours", default="2025", help="SN model to list (default 2025)")
    areas.set_defaults(run=_areas)

    validate = commands.add_parser(
        "validate",
        help="check a CSV of local figures or an EES download",
        description="Print every problem with its row and column; exit code 1 if any.",
    )
    validate.add_argument("file", type=Path)
    validate.add_argument("--la", help="the LA, when the file has no area column")
    validate.set_defaults(run=_validate)

    refresh = commands.add_parser(
        "refresh",
        help="rebuild the reference data from newer downloads (as `data update --from`)",
        description="Build the reference data from a folder holding lait/ and ees/: into your "
        "data folder as an update (what `lacompare data update --from` does), or with --out "
        "into a folder of your choosing; report what changed.",
    )
    refresh.add_argument("--from", dest="source", type=Path, required=True)
    refresh.add_argument(
        "--out", type=Path, default=None, help="a folder to write (default: an update)"
    )
    refresh.add_argument("--la", default=None, help="list this LA's revised values first")
    refresh.set_defaults(run=_refresh)
    _data_command(commands)


# --------------------------------------------------------------------------------------------


def _selection(args: argparse.Namespace) -> list[str] | str:
    from lacompare.presets import PRESETS

    if args.topic:
        return str(args.topic)
    if args.indicators:
        return [part.strip() for part in args.indicators.split(",") if part.strip()]
    preset = args.preset or "headline"
    if preset not in PRESETS:
        raise LacompareError(f"no preset {preset!r}; choose from {', '.join(PRESETS)}")
    return PRESETS[preset]


def _formats(text: str, allowed: Sequence[str] | None = None) -> list[str]:
    """The formats of --format ("html,docx"), each checked; none at all is an error."""
    from lacompare.export import FORMATS

    allowed = list(allowed or FORMATS)
    formats = [f".{part.strip().lstrip('.').lower()}" for part in text.split(",") if part.strip()]
    unknown = [f for f in formats if f not in allowed]
    if unknown or not formats:
        given = f"unknown format(s) {unknown}" if unknown else f"no format in --format {text!r}"
        raise LacompareError(
            f"{given}; choose one or more of {', '.join(f.lstrip('.') for f in allowed)}"
        )
    return list(dict.fromkeys(formats))


def _out_folder(out: Path) -> Path:
    """--out as a folder that exists (made if needed): an existing file, or a folder that
    cannot be made, is named in a plain error."""
    if out.exists() and not out.is_dir():
        raise LacompareError(f"--out {out}: is a file; give a folder to write into")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LacompareError(
            f"--out {out}: cannot make the folder ({error.strerror or error})"
        ) from None
    if not os.access(out, os.W_OK):
        raise LacompareError(f"--out {out}: the folder is not writable")
    return out


def _neighbours(text: str) -> str | list[str]:
    """--neighbours: a DfE model ("2025"), or a comparator group "Nottingham, 856, E06000016"."""
    if "," not in text:
        return text
    return [part.strip() for part in text.split(",") if part.strip()]


def _period(text: str) -> str | int:
    return int(text) if text.isdigit() else text


def _write(rows: pl.DataFrame, args: argparse.Namespace, formats: list[str]) -> list[Path]:
    from lacompare.export import save
    from lacompare.tables import board_table

    la = rows.get_column("area_name")[0]
    label = args.topic or args.preset or ("selected" if args.indicators else "headline")
    table = board_table(
        rows,
        title=f"{la}: {label.replace('-', ' ')} indicators compared",
        highlight="red-red" if args.red_red else None,
    )
    stem = "".join(c if c.isalnum() else "_" for c in f"{la}_{label}".lower()).strip("_")
    _out_folder(args.out)
    charts = []
    written = []
    if args.charts:
        from lacompare.charts import trend_charts  # Altair loads only when charts are asked for
        from lacompare.reference import load_reference

        with_values = rows.filter(pl.col("la_value").is_not_null())
        chart = trend_charts(
            load_reference(),
            rows.get_column("area_code")[0],
            with_values.get_column("indicator_id").to_list(),
            neighbours=_neighbours(args.neighbours),
        )
        charts.append(chart)
        written += [save(chart, args.out / f"{stem}_trends{fmt}") for fmt in (".png", ".svg")]
    return [save(table, args.out / f"{stem}{fmt}", charts=charts) for fmt in formats] + written


def _report(args: argparse.Namespace) -> int:
    from lacompare.compare import compare
    from lacompare.reference import load_reference

    formats = _formats(args.format)
    ref = load_reference()
    rows = compare(
        ref,
        args.la,
        indicators=_selection(args),
        period=_period(args.period),  # type: ignore[arg-type]
        neighbours=_neighbours(args.neighbours),
    )
    for path in _write(rows, args, formats):
        print(f"wrote {path}")
    return 0


def _paper(args: argparse.Namespace) -> int:
    from lacompare import _render

    # The chart engines start first, while the Word and table libraries load and the data is
    # read: a chart can be drawn as soon as its spec is ready. (Run as the console script,
    # the package started them before loading: lacompare._early. Then this finds them.)
    _render.start()

    import datetime as dt

    from lacompare.export import save
    from lacompare.paper import AUTHOR_PLACEHOLDER, board_paper
    from lacompare.reference import load_reference

    formats = _formats(args.format, (".docx", ".html", ".pdf", ".data"))
    try:
        written = dt.date.fromisoformat(args.date.strip()) if args.date is not None else None
    except ValueError:
        raise LacompareError(f"--date {args.date!r} is not a date such as 2026-11-25") from None
    _out_folder(args.out)
    ref = _with_own_figures(load_reference(), args)
    paper = board_paper(
        ref,
        args.la,
        args.spec or args.paper or "corporate-parenting",
        period=_period(args.period),
        neighbours=None if args.neighbours is None else _neighbours(args.neighbours),
        targets=args.targets,
        since=args.since,
        written=written,
        author=args.author or AUTHOR_PLACEHOLDER,
    )
    stem = "".join(c if c.isalnum() else "_" for c in f"{paper.la_name}_{paper.paper}".lower())
    for fmt in formats:
        suffix = ".data.parquet" if fmt == ".data" else fmt  # the paper's data, for --since
        print(f"wrote {save(paper, args.out / f'{stem.strip(chr(95))}{suffix}')}")
    return 0


def _with_own_figures(ref: ReferenceData, args: argparse.Namespace) -> ReferenceData:
    """The reference data with the LA's own figures added: from --ssda903 and --cin (with
    --year; one paper can carry both returns' figures) and from --local."""
    if args.ssda903 is not None:
        from lacompare.ssda903 import derive_903

        if args.year is None:
            raise LacompareError("--ssda903 needs --year, the collection year ending 31 March")
        derived = derive_903(args.ssda903, la=args.la, year=_year(args.year), ref=ref)
        _print_notes(derived.problems)
        ref = ref.with_local(derived.figures, source=f"SSDA903 {args.ssda903.name}")
    if args.cin is not None:
        ref = ref.with_local(_cin_figures(args, ref), source=f"CIN census {args.cin.name}")
    if args.year is not None and args.ssda903 is None and args.cin is None:
        raise LacompareError(
            "--year goes with --ssda903 or --cin (use --period for published years)"
        )
    if args.local is not None:
        ref = ref.with_local(args.local, la=args.la, source=str(args.local))
    return ref


def _cin_figures(args: argparse.Namespace, ref: ReferenceData) -> pl.DataFrame:
    """Figures from --cin (and --previous), their warnings printed."""
    import warnings

    from lacompare.cin import CinWarning, figures_from_cin

    if args.year is None:
        raise LacompareError("--cin needs --year, the collection year ending 31 March")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CinWarning)
        figures = figures_from_cin(
            args.cin, la=args.la, year=_year(args.year), previous=args.previous, ref=ref
        )
    for warning in caught:
        print(f"warning: {warning.message}")
    return figures


def _year(text: str) -> int:
    if not text.strip().isdigit():
        raise LacompareError(f"--year {text!r} is not a year such as 2026")
    return int(text)


def _print_notes(problems: pl.DataFrame) -> None:
    """The warnings and notes on derived figures, one line per kind (rows listed)."""
    grouped = (
        problems.filter(pl.col("severity") != "error")
        .group_by("severity", "file", "column", "rule", maintain_order=True)
        .agg(rows=pl.col("row").drop_nulls().sort(), values=pl.col("value").drop_nulls())
    )
    for severity, file, column, rule, rows, values in grouped.iter_rows():
        where = ", ".join(p for p in (file, f"column {column}" if file else None) if p)
        shown = ", ".join(str(r) for r in rows[:8]) + (", ..." if len(rows) > 8 else "")
        at = f" ({len(rows)} row{'s' if len(rows) > 1 else ''}: {shown})" if rows else ""
        example = f" e.g. {values[0]!r}" if values else ""
        print(f"{severity}: {where + ': ' if where else ''}{rule}{at}{example}")


def _figures(args: argparse.Namespace) -> int:
    from lacompare.reference import load_reference

    ref = load_reference()
    if args.cin is not None:
        figures = _cin_figures(args, ref)
    else:
        from lacompare.ssda903 import derive_903

        if args.la is None:
            raise LacompareError("--ssda903 needs --la (the extract does not say whose it is)")
        derived = derive_903(args.ssda903, la=args.la, year=_year(args.year), ref=ref)
        figures = derived.figures
        _print_notes(derived.problems)
    labels = dict(ref.indicators.select("indicator_id", "name").iter_rows())
    print(f"{figures.get_column('area')[0]}: own figures for the year to 31 March {args.year}")
    for indicator_id, value, numerator, denominator in figures.select(
        "indicator_id", "value", "numerator", "denominator"
    ).iter_rows():
        counts = f"{numerator:,} / {denominator:,}" if denominator is not None else f"{numerator:,}"
        shown = f"{value:g}" if denominator is not None else f"{numerator:,}"
        print(f"  {indicator_id:<30} {shown:>8}   {counts:<16} {labels.get(indicator_id, '')[:60]}")
    if args.out is not None:
        from lacompare.export import atomic_write

        if args.out.is_dir():
            raise LacompareError(f"--out {args.out}: is a folder; give a .csv file to write")
        atomic_write(args.out, lambda path: figures.write_csv(path))
        print(f"wrote {args.out} ({figures.height} figures)")
    return 0


def _batch(args: argparse.Namespace) -> int:
    from lacompare.compare import compare_all
    from lacompare.reference import load_reference

    formats = _formats(args.format)
    ref = load_reference()
    if args.all:
        wanted: list[str] = ref.local_authorities().get_column("name").to_list()
    elif args.region:
        regions = ref.areas.filter(pl.col("level") == "regional")
        region = ref.find_area(args.region)
        if region["level"] != "regional":
            raise LacompareError(
                f"{args.region!r} is not a region; regions: "
                f"{', '.join(regions.get_column('name').to_list())}"
            )
        wanted = (
            ref.local_authorities()
            .filter(pl.col("region_code") == region["area_code"])
            .get_column("name")
            .to_list()
        )
    else:
        wanted = [part.strip() for part in args.las.split(",") if part.strip()]
    # One vectorised run for every LA; each report is then a filter of it.
    everything = compare_all(
        ref,
        indicators=_selection(args),
        period=_period(args.period),  # type: ignore[arg-type]
        neighbours=_neighbours(args.neighbours),
    )
    written: list[Path] = []
    failed: list[tuple[str, str]] = []
    jobs: list[tuple[str, pl.DataFrame]] = []
    for la in wanted:
        try:
            code = ref.area_code(la, current=True)
            jobs.append((la, everything.filter(pl.col("area_code") == code)))
        except LacompareError as error:
            failed.append((la, str(error)))
    started = time.perf_counter()
    workers = _workers(args.workers, len(jobs))
    for done, (la, paths, problem) in enumerate(_write_all(jobs, args, formats, workers), 1):
        written += paths
        if problem:
            failed.append((la, problem))
        _progress(done, len(jobs), la, started)
    print(file=sys.stderr)
    print(
        f"{len(wanted) - len(failed)} of {len(wanted)} LAs written ({len(written)} files) "
        f"to {args.out}"
    )
    for la, reason in failed:
        print(f"FAILED {la}: {reason}")
    return 1 if failed else 0


#: From how many LAs batch shares the work among processes by default: each costs about a
#: second to start (imports), a board table about 60 ms to write.
_PARALLEL_FROM = 48


def _workers(asked: int, jobs: int) -> int:
    """Processes for a batch: as asked, but never more than the CPUs (each is a whole Python
    interpreter) or the LAs; by default one per CPU, up to 4, from 48 LAs."""
    cpus = os.cpu_count() or 1
    if asked < 0:
        raise LacompareError(f"--workers {asked}: give a number of processes, 1 or more")
    if asked == 0:
        return min(cpus, 4) if jobs >= _PARALLEL_FROM else 1
    capped = max(1, min(asked, cpus, jobs))
    if capped < asked:
        print(
            f"--workers {asked}: using {capped} (this machine has {cpus} CPU(s); "
            f"{jobs} LA(s) to write)",
            file=sys.stderr,
        )
    return capped


def _write_one(
    job: tuple[str, pl.DataFrame], args: argparse.Namespace, formats: list[str]
) -> tuple[str, list[Path], str | None]:
    la, rows = job
    try:
        return la, _write(rows, args, formats), None
    except (LacompareError, OSError, ValueError) as error:
        return la, [], str(error)


def _write_all(
    jobs: list[tuple[str, pl.DataFrame]],
    args: argparse.Namespace,
    formats: list[str],
    workers: int,
) -> Iterator[tuple[str, list[Path], str | None]]:
    """Each LA's files, in the order they finish: rendering is Python-bound, so many LAs are
    shared among worker processes (fresh interpreters: polars is not safe to fork)."""
    if workers <= 1:
        yield from (_write_one(job, args, formats) for job in jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_write_one, job, args, formats) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def _progress(done: int, total: int, label: str, started: float) -> None:
    width = 30
    filled = width * done // total
    elapsed = time.perf_counter() - started
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {elapsed:5.1f}s "
        f"{label[:30]:<30}"
    )
    sys.stderr.flush()


def _indicators(args: argparse.Namespace) -> int:
    from lacompare.reference import load_reference

    ref = load_reference()
    found = ref.search_indicators(" ".join(args.words)) if args.words else ref.indicators
    if args.coverage:
        return _coverage(ref, found, args.la)
    if args.la:
        raise LacompareError("--la goes with --coverage (lacompare indicators --coverage --la X)")
    latest = (
        ref.observations.filter(pl.col("value").is_not_null())
        .group_by("indicator_id")
        .agg(latest=pl.col("period").cast(pl.String).sort_by("year").last())
        .with_columns(pl.col("indicator_id").cast(pl.String))
    )
    shown = found.join(latest, on="indicator_id", how="left").select(
        "indicator_id", "lait_code", "unit", "polarity", "latest", "topic", "name"
    )
    _print(shown)
    print(f"{shown.height} indicator(s)")
    return 0


def _coverage(ref: ReferenceData, found: pl.DataFrame, la: str | None) -> int:
    from lacompare.coverage import coverage, coverage_summary

    table = coverage(ref, la).join(found.select("indicator_id"), on="indicator_id", how="semi")
    columns = ["indicator_id", "unit", "latest_period", "las_with_counts", "status"]
    _print(table.select(*columns, *(["la_verdict"] if la else []), "name"))
    summary = coverage_summary(table)
    _print(summary)
    rates = int(summary.get_column("indicators").sum())
    tested = int(summary.get_column("tested").sum())
    print(
        f"{tested} of {rates} rate and percentage indicators can be tested against England "
        f"({table.height} indicator(s) listed)"
    )
    return 0


def _areas(args: argparse.Namespace) -> int:
    from lacompare.reference import load_reference

    ref = load_reference()
    models = sorted(ref.neighbours.get_column("model").unique().to_list())
    if args.neighbours not in models:
        raise LacompareError(
            f"--neighbours {args.neighbours!r}: no such statistical-neighbour model; "
            f"models: {', '.join(models)}"
        )
    las = ref.local_authorities(current=False)
    for word in args.words:
        las = las.filter(pl.col("name").str.to_lowercase().str.contains(word.lower(), literal=True))
    groups = (
        ref.neighbours.filter(pl.col("model") == args.neighbours)
        .join(ref.areas.select(neighbour_code="area_code", neighbour="name"), on="neighbour_code")
        .sort("neighbour_rank")
        .group_by("area_code")
        .agg(neighbours=pl.col("neighbour").str.join(", "))
    )
    shown = (
        las.join(groups, on="area_code", how="left")
        .select(
            "name",
            "old_la_code",
            "area_code",
            "region_name",
            "la_type",
            status=pl.when(pl.col("current"))
            .then(pl.lit("current"))
            .otherwise(
                pl.concat_str(pl.lit("replaced by "), pl.col("successor_codes").list.join(", "))
            ),
            neighbours="neighbours",
        )
        .sort("name")
    )
    _print(shown)
    print(f"{shown.height} local authorit{'y' if shown.height == 1 else 'ies'}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from lacompare.local import check_local_figures
    from lacompare.reference import load_reference
    from lacompare.sources import EES_STANDARD_COLUMNS, _read_header

    path: Path = args.file
    if not path.is_file():
        raise LacompareError(f"{path}: file not found")
    header = [h.strip().strip('"').lower() for h in _read_header(path)]
    ref = load_reference()
    if set(EES_STANDARD_COLUMNS) <= set(header):
        problems = _check_ees(path)
    else:
        problems = check_local_figures(ref, path, la=args.la)
    errors = problems.filter(pl.col("severity") == "error")
    for row, column, rule, value, severity in problems.iter_rows():
        # Data row N is line N + 1 of the file (the header is line 1).
        print(f"{path}:{row + 1}: {severity}: column {column!r} ({value!r}): {rule}")
    print(f"{path}: {errors.height} error(s), {problems.height - errors.height} note(s)")
    return 1 if errors.height else 0


def _check_ees(path: Path) -> pl.DataFrame:
    """Problems in an EES open-data CSV: unreadable values, bad area codes, duplicate rows."""
    from lacompare.sources import _read_csv_text

    frame = _read_csv_text(path).with_row_index("row", offset=1)
    standard = {
        "time_period",
        "time_identifier",
        "geographic_level",
        "country_code",
        "country_name",
        "region_code",
        "region_name",
        "old_la_code",
        "new_la_code",
        "la_name",
    }
    measures = [c for c in frame.columns if c not in standard and c != "row"]
    found = []
    key = [c for c in frame.columns if c != "row" and not _numeric_like(frame, c)]
    found.append(
        frame.filter(pl.struct(key).is_duplicated()).select(
            "row",
            column=pl.lit(", ".join(key[:4]) + ("..." if len(key) > 4 else "")),
            rule=pl.lit("appears once (duplicate row)"),
            value=pl.lit(""),
            severity=pl.lit("error"),
        )
    )
    if "new_la_code" in frame.columns:
        found.append(
            frame.filter(
                (pl.col("geographic_level") == "Local authority")
                & ~pl.col("new_la_code").fill_null("").str.contains(r"^E\d{8}( / E\d{8})?$")
            ).select(
                "row",
                column=pl.lit("new_la_code"),
                rule=pl.lit("an ONS code such as E06000015"),
                value=pl.col("new_la_code"),
                severity=pl.lit("error"),
            )
        )
    for column in measures:
        if _numeric_like(frame, column):
            found += _measure_problems(frame, column)
    return pl.concat(found).sort("row", "column")


def _measure_problems(frame: pl.DataFrame, column: str) -> list[pl.DataFrame]:
    """A measure column's unreadable values, percentages outside 0-100, and published
    symbols (kept as no value: information, not an error)."""
    from lacompare.sources import SYMBOL_STATUS

    found = []
    text = pl.col(column).str.strip_chars()
    number = text.cast(pl.Float64, strict=False)
    symbol = text.str.to_lowercase().is_in(list(SYMBOL_STATUS))
    found.append(
        frame.filter(number.is_null() & ~symbol & text.is_not_null()).select(
            "row",
            column=pl.lit(column),
            rule=pl.lit(
                "a number, written plainly (no % sign or commas), or a published symbol "
                "(c, x, z, low, k, u, :, .., -)"
            ),
            value=pl.col(column),
            severity=pl.lit("error"),
        )
    )
    if column.endswith(("percent", "_pct", "%")) or "percent" in column:
        found.append(
            frame.filter((number < 0) | (number > 100)).select(
                "row",
                column=pl.lit(column),
                rule=pl.lit("a percentage within 0-100"),
                value=pl.col(column),
                severity=pl.lit("error"),
            )
        )
    found.append(
        frame.filter(symbol).select(
            "row",
            column=pl.lit(column),
            rule=pl.concat_str(
                pl.lit("published symbol: "),
                text.str.to_lowercase().replace_strict(SYMBOL_STATUS, default=None),
                pl.lit(" (kept as no value, never 0)"),
            ),
            value=pl.col(column),
            severity=pl.lit("info"),
        )
    )
    return found


def _numeric_like(frame: pl.DataFrame, column: str) -> bool:
    """A column is a measure if most of its values are numbers, or numbers written with a %
    sign or thousands commas, or published symbols (a breakdown column holds words)."""
    from lacompare.sources import SYMBOL_STATUS

    values = frame.get_column(column).drop_nulls().str.strip_chars()
    if values.len() == 0:
        return False
    loose = values.str.replace_all(r"[%,]", "").cast(pl.Float64, strict=False).is_not_null()
    symbols = values.str.to_lowercase().is_in(list(SYMBOL_STATUS))
    return int((loose | symbols).sum()) >= 0.5 * values.len()


def _refresh(args: argparse.Namespace) -> int:
    if args.out is None:
        return _update(args.source, args.la)
    from lacompare.reference import load_reference, write_reference

    target = args.out
    old = None
    if (target / "observations.parquet").is_file():
        try:
            old = load_reference(target)
        except LacompareError as error:  # damaged data is replaced whole, not patched
            print(f"the reference data at {target} is damaged and will be replaced: {error}")
    new, _ = write_reference(args.source, target)
    print(f"wrote {target} (built and validated in a new folder, then swapped in)")
    if old is None:
        print("no earlier reference data to compare with")
        return 0
    from lacompare.update import changes

    for line in changes(old, new, args.la):
        print(line)
    return 0


def _data(args: argparse.Namespace) -> int:
    from lacompare import store

    if args.action == "update":
        return _update(args.source, args.la, mirror=args.mirror, timeout=args.timeout)
    if args.action == "sources":
        return _sources(args.json)
    if args.action == "rollback":
        now = store.rollback()
        print(f"rolled back: now using {now if now else 'the embedded data'}")
        return 0
    if args.action == "reset":
        removed = store.reset()
        print(f"reset: using the embedded data ({removed} update(s) removed)")
        return 0
    from lacompare.reference import load_reference

    ref = load_reference(validate=False)
    release = ref.release
    print(f"data folder: {store.data_home()}")
    folder = None if release["data"] == "embedded" else ref.path
    for line in store.describe(folder, ref.manifest):
        print(line)
    released = (
        ref.indicators.filter(pl.col("publication").is_not_null())
        .group_by("publication")
        .agg(pl.col("released").max(), pl.col("next_release").max())
        .sort("publication")
    )
    print("publications (as LAIT's dictionary dates them):")
    for publication, when, due in released.iter_rows():
        print(f"  {publication}: released {when or 'date not given'}, next due {due or '?'}")
    return 0


def _update(
    source: Path | None, la: str | None, *, mirror: str | None = None, timeout: float = 30.0
) -> int:
    from lacompare.update import changes, update

    made = update(folder=source, mirror=mirror, timeout=timeout)
    if made is None:
        print("nothing changed: every file is the same as the data in use was built from")
        return 0
    print(f"updated: now using {made.folder} (checked and validated; `lacompare data "
          "rollback` returns to the data before)")  # fmt: skip
    for line in changes(made.before, made.after, la):
        print(line)
    fetched = made.after.manifest.get("fetched") or {}
    for file, how in sorted(fetched.items()):
        if how.startswith("not available"):
            print(f"{file}: {how}")
    return 0


def _sources(as_json: bool) -> int:
    import dataclasses
    import json

    from lacompare.sources.manifest import sources

    listed = [dataclasses.asdict(s) | {"mirror": s.mirror} for s in sources()]
    if as_json:
        print(json.dumps(listed, indent=2))
        return 0
    for source in listed:
        print(f"{source['file']}: {source['title']} ({source['publisher']})")
        print(f"  page: {source['page']}")
        found = (
            f"(found in the latest release of {source['publication']}, through EES's content API)"
            if source["publication"]
            else "(none documented: download it from the page)"
        )
        print(f"  url:  {source['url'] or found}")
        print(f"  on a mirror: <mirror>/{source['mirror']}")
    return 0


def _print(frame: pl.DataFrame) -> None:
    with pl.Config(
        tbl_rows=-1,
        tbl_width_chars=180,
        fmt_str_lengths=70,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
    ):
        print(frame)


if __name__ == "__main__":
    raise SystemExit(main())
