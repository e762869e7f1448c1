"""Seeded, realistic synthetic SSDA903 extracts, for tests, examples and benchmarks.

No real child is in them: every child is drawn from a seeded random generator. They have the
shape a real extract has: periods of care made of episodes chained by X1 (placement moves,
legal-status changes, temporary placements and the return from them), children who come
and go more than once, short breaks (V3 / V4) alone and before full-time care, adoption,
special guardianship and returns home, UASC who arrive at 14-17, care leavers aged 17-21,
OC2 outcomes for the children looked after a year, and missing or away incidents. Files are
written in DfE's layout with dates as dd/mm/yyyy.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from lacompare.ssda903.layout import TABLES

CEASE_REASONS = (
    ("E4A", 30),
    ("E11", 9),
    ("E12", 4),
    ("E45", 4),
    ("E46", 2),
    ("E47", 4),
    ("E48", 2),
    ("E41", 4),
    ("E4B", 4),
    ("E13", 6),
    ("E3", 3),
    ("E8", 5),
    ("E9", 1),
    ("E14", 2),
)
AT_18 = (("E17", 3), ("E5", 4), ("E6", 4), ("E8", 2))
FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
OTHER_PLACES = ("K2", "R1", "S1", "P1", "Z11", "R2")
ACTIVITIES = (
    ("F1", 6), ("P1", 1), ("F2", 20), ("P2", 5), ("F4", 4), ("F5", 14), ("P5", 6),
    ("G4", 6), ("G5", 22), ("G6", 5), ("0", 7),
)  # fmt: skip
IN_TOUCH = (("YES", 88), ("NO", 5), ("REFU", 3), ("NREQ", 2), ("DIED", 1), ("RHOM", 1))
ACCOM_TYPES = ("B", "C", "D", "E", "K", "T", "U", "Y", "Z", "S", "X", "W", "V")


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    codes, weights = zip(*weighted, strict=True)
    return rng.choices(codes, weights)[0]


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _birthday(dob: date, age: int) -> date:
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:  # 29 February
        return date(dob.year + age, 3, 1)


class _Child:
    """One child's life in care, drawn episode by episode."""

    def __init__(self, rng: random.Random, child: str, dob: date, until: date) -> None:
        self.rng, self.child, self.dob, self.until = rng, child, dob, until
        self.episodes: list[dict[str, object]] = []

    def episode(self, start: date, rne: str, ls: str, place: str, urn: str, post: str) -> None:
        self.episodes.append(
            {
                "CHILD": self.child,
                "DECOM": start,
                "RNE": rne,
                "LS": ls,
                "CIN": "N1",
                "PLACE": place,
                "PLACE_PROVIDER": "PR1" if place.startswith("U") else "PR0",
                "DEC": None,
                "REC": None,
                "REASON_PLACE_CHANGE": None,
                "HOME_POST": "DE1 1AA",
                "PL_POST": post,
                "URN": urn,
            }
        )

    def end(self, day: date, reason: str) -> None:
        self.episodes[-1]["DEC"] = day
        self.episodes[-1]["REC"] = reason
        if reason == "X1":
            self.episodes[-1]["REASON_PLACE_CHANGE"] = "CARPL"

    def placement(self) -> tuple[str, str, str]:
        rng = self.rng
        place = rng.choice(FOSTER) if rng.random() < 0.75 else rng.choice(OTHER_PLACES)
        return (
            place,
            f"SC{rng.randint(100000, 999999)}",
            f"DE{rng.randint(1, 99)} {rng.randint(1, 9)}XX",
        )

    def period(self, start: date, ls: str) -> date | None:
        """A period of care from ``start``; returns the day it ended (None if still open)."""
        rng = self.rng
        eighteen = _birthday(self.dob, 18)
        place, urn, post = self.placement()
        self.episode(start, "S", ls, place, urn, post)
        day = start
        while True:
            day = day + timedelta(days=int(rng.expovariate(1 / 300)) + 1)
            if day >= eighteen and eighteen <= self.until:
                self.end(eighteen, _pick(rng, AT_18))
                return eighteen
            if day > self.until:
                return None
            if rng.random() < 0.30:  # leaves care
                reason = _pick(rng, CEASE_REASONS)
                if reason in {"E11", "E12"} and day >= _birthday(self.dob, 10):
                    reason = "E4A"  # adoption is for young children
                if reason in {"E11", "E12"}:  # adoption follows a placement for adoption
                    self.end(day, "X1")
                    self.episode(day, "T", "E1", "A4", urn, post)
                    day = day + timedelta(days=rng.randint(30, 300))
                    if day > self.until:
                        return None
                self.end(day, reason)
                return day
            day = self.change(day)

    def change(self, day: date) -> date:
        """A new episode the same day: placement move, legal status change or a temporary
        placement and the return from it. Returns the day the last new episode began."""
        rng = self.rng
        last = self.episodes[-1]
        ls, place, urn, post = last["LS"], last["PLACE"], last["URN"], last["PL_POST"]
        self.end(day, "X1")
        roll = rng.random()
        if roll < 0.25 and ls in {"C1", "V2"}:
            self.episode(day, "L", "C2", str(place), str(urn), str(post))
        elif roll < 0.35:
            back = day + timedelta(days=rng.randint(2, 20))
            self.episode(day, "P", str(ls), rng.choice(("T1", "T2", "T3")), "SC000001", "DE1 1TT")
            if back > self.until or back >= _birthday(self.dob, 18):
                return back
            self.end(back, "X1")
            self.episode(back, "P", str(ls), str(place), str(urn), str(post))
            return back
        elif roll < 0.45:
            self.episode(
                day, rng.choice(("T", "U")), str(ls), rng.choice(FOSTER), str(urn), str(post)
            )
        else:
            self.episode(day, rng.choice(("P", "P", "P", "B")), str(ls), *self.placement())
        return day

    def short_breaks(self, first: date, last: date) -> date:
        """A series of short breaks (V3 / V4), a few nights each."""
        rng = self.rng
        day = _day(rng, first, last)
        ls = rng.choice(("V3", "V3", "V4"))
        place, urn, post = rng.choice(OTHER_PLACES), f"SC{rng.randint(100000, 999999)}", "DE3 3SB"
        for _ in range(rng.randint(2, 8)):
            if day > self.until:
                break
            self.episode(day, "S", ls, place, urn, post)
            out = day + timedelta(days=rng.randint(1, 4))
            if out > self.until:
                return out  # still on a short break at the year end: nothing follows
            self.end(out, "E8" if ls == "V4" else "E13")
            day = out + timedelta(days=rng.randint(20, 90))
        return day


def synthetic_903(
    *, year: int = 2026, children: int = 400, years: int = 5, seed: int = 1
) -> dict[str, pl.DataFrame]:
    """A synthetic extract as frames of text (DfE's columns, dates dd/mm/yyyy): ``children``
    children who entered care over the ``years`` collection years up to ``year`` (and some
    already in care before), with the OC2, OC3, UASC and missing tables for ``year``."""
    rng = random.Random(seed)
    first = date(year - years, 4, 1)
    until = date(year, 3, 31)
    header: list[dict[str, object]] = []
    episodes: list[dict[str, object]] = []
    uasc: list[dict[str, object]] = []
    for number in range(children):
        child = f"{seed % 1000:03d}{number:06d}"
        entry = _day(rng, first - timedelta(days=365 * 3), until)
        dob = entry - timedelta(days=rng.randint(0, 17 * 365))
        life = _Child(rng, child, dob, until)
        is_uasc = rng.random() < 0.06
        if is_uasc:
            dob = entry - timedelta(days=rng.randint(14 * 365, 17 * 365 + 300))
            life.dob = dob
            uasc.append({"CHILD": child, "SEX": "1", "DOB": dob, "DUC": _birthday(dob, 18)})
        roll = rng.random()
        if roll < 0.07 and not is_uasc:  # short breaks only
            life.short_breaks(entry, until)
        else:
            if roll < 0.12 and not is_uasc:  # short breaks, then full-time care
                entry = life.short_breaks(max(entry - timedelta(days=200), dob), entry)
            ls = "V2" if is_uasc or rng.random() < 0.3 else rng.choice(("C1", "C1", "C2", "E1"))
            in_time = entry <= until and entry < _birthday(dob, 18)
            ended = life.period(entry, ls) if in_time else None
            if ended is not None and rng.random() < 0.12:  # comes back
                again = ended + timedelta(days=rng.randint(20, 500))
                if again <= until and again < _birthday(dob, 18):
                    life.period(again, rng.choice(("C1", "V2")))
        if not life.episodes:
            continue
        episodes += life.episodes
        header.append({"CHILD": child, "SEX": rng.choice("12"), "DOB": dob, "ETHNIC": "WBRI"})
    tables = {
        "header": header + _leaver_headers(rng, year, children, seed),
        "episodes": episodes,
        "uasc": uasc,
    }
    frames = {name: _frame(name, rows) for name, rows in tables.items()}
    frames["oc3"] = _frame("oc3", _oc3(frames["header"], rng, year))
    frames["oc2"] = _frame("oc2", _oc2(frames, rng, year))
    frames["missing"] = _frame("missing", _missing(frames, rng, year))
    return frames


def _leaver_headers(
    rng: random.Random, year: int, children: int, seed: int
) -> list[dict[str, object]]:
    """Care leavers aged 17 to 21 on 31 March: in the header and the OC3 table."""
    rows = []
    for number in range(max(children // 4, 10)):
        dob = _day(rng, date(year - 22, 4, 1), date(year - 17, 3, 31))
        rows.append(
            {
                "CHILD": f"9{seed % 100:02d}{number:05d}",
                "SEX": rng.choice("12"),
                "DOB": dob,
                "ETHNIC": "WBRI",
            }
        )
    return rows


def _oc3(header: pl.DataFrame, rng: random.Random, year: int) -> list[dict[str, object]]:
    rows = []
    for child, dob_text in (
        header.filter(pl.col("CHILD").str.starts_with("9")).select("CHILD", "DOB").iter_rows()
    ):
        in_touch = _pick(rng, IN_TOUCH)
        activity = (
            "0" if in_touch in {"NO", "REFU"} and rng.random() < 0.7 else _pick(rng, ACTIVITIES)
        )
        kind = rng.choice(ACCOM_TYPES)
        suitable = "1" if rng.random() < 0.88 and kind not in {"S", "X"} else "2"
        accom = "0" if in_touch == "NO" and rng.random() < 0.5 else kind + suitable
        if rng.random() < 0.02:
            accom = rng.choice(("G1", "H2", "R1"))
        rows.append(
            {
                "CHILD": child,
                "DOB": dob_text,
                "IN_TOUCH": in_touch,
                "ACTIV": activity,
                "ACCOM": accom,
            }
        )
    return rows


def _oc2(frames: dict[str, pl.DataFrame], rng: random.Random, year: int) -> list[dict[str, object]]:
    """OC2 rows for children in care on 31 March whose first episode began by 1 April of the
    year before (as an LA's system might pick them: a child who left and came back gets a row
    the definitions ignore), less a few omissions."""
    episodes = (
        frames["episodes"]
        .filter(~pl.col("LS").is_in(["V3", "V4"]))
        .with_columns(
            pl.col("DECOM").str.strptime(pl.Date, "%d/%m/%Y"),
            pl.col("DEC").str.strptime(pl.Date, "%d/%m/%Y"),
        )
    )
    end = date(year, 3, 31)
    at_end = episodes.filter(
        pl.col("DECOM") <= end, pl.col("DEC").is_null() | (pl.col("DEC") > end)
    )
    first = episodes.group_by("CHILD").agg(first=pl.col("DECOM").min())
    long_in_care = (
        at_end.select("CHILD")
        .unique()
        .join(first, on="CHILD")
        .filter(pl.col("first") <= date(year - 1, 4, 1))
        .select("CHILD")
        .sort("CHILD")
        .join(frames["header"].select("CHILD", "DOB"), on="CHILD")
    )
    rows = []
    for child, dob in long_in_care.iter_rows():
        if rng.random() < 0.03:
            continue
        score = rng.randint(0, 32) if rng.random() < 0.75 else None
        rows.append(
            {
                "CHILD": child,
                "DOB": dob,
                "SDQ_SCORE": score,
                "SDQ_REASON": None if score is not None else rng.choice(("SDQ1", "SDQ2", "SDQ4")),
                "CONVICTED": int(rng.random() < 0.03),
                "HEALTH_CHECK": int(rng.random() < 0.9),
                "IMMUNISATIONS": int(rng.random() < 0.85),
                "TEETH_CHECK": int(rng.random() < 0.8),
                "HEALTH_ASSESSMENT": int(rng.random() < 0.9),
                "SUBSTANCE_MISUSE": int(rng.random() < 0.03),
                "INTERVENTION_RECEIVED": None,
                "INTERVENTION_OFFERED": None,
            }
        )
    return rows


def _missing(
    frames: dict[str, pl.DataFrame], rng: random.Random, year: int
) -> list[dict[str, object]]:
    children = (
        frames["episodes"]
        .filter(~pl.col("LS").is_in(["V3", "V4"]))
        .get_column("CHILD")
        .unique()
        .sort()
    )
    dob = dict(frames["header"].select("CHILD", "DOB").iter_rows())
    rows = []
    for child in children.to_list():
        if rng.random() > 0.1:
            continue
        for _ in range(rng.randint(1, 4)):
            start = _day(rng, date(year - 1, 4, 1), date(year, 3, 31))
            rows.append(
                {
                    "CHILD": child,
                    "DOB": dob[child],
                    "MISSING": rng.choice("MMA"),
                    "MIS_START": start.strftime("%d/%m/%Y"),
                    "MIS_END": (start + timedelta(days=rng.randint(0, 5))).strftime("%d/%m/%Y"),
                }
            )
    return rows


def _frame(name: str, rows: list[dict[str, object]]) -> pl.DataFrame:
    columns = TABLES[name].columns
    text = [
        {
            c: (v.strftime("%d/%m/%Y") if isinstance(v, date) else None if v is None else str(v))
            for c, v in row.items()
        }
        for row in rows
    ]
    frame = (
        pl.DataFrame(text, schema={c: pl.String for c in columns})
        if text
        else pl.DataFrame(schema={c: pl.String for c in columns})
    )
    return frame.select(columns)


def write_synthetic_903(
    folder: str | Path, *, year: int = 2026, children: int = 400, years: int = 5, seed: int = 1
) -> Path:
    """Write :func:`synthetic_903`'s tables as CSV files in ``folder`` (created if needed)."""
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in synthetic_903(year=year, children=children, years=years, seed=seed).items():
        frame.write_csv(path / f"{name}.csv")
    return path


# --------------------------------------------------------------------------------------------
# The same extract as the XML return councils' systems send DfE

#: The HEADER's one-row tables (their columns sit directly in HEADER).
_INLINE = ("header", "uasc", "oc3", "ad1")
#: Repeated records: the table, its element, and whether it sits in HEADER (else CHILD).
_CONTAINERS = (
    ("oc2", "OC2", True),
    ("reviews", "AREVIEW", True),
    ("missing", "AMISSING", True),
    ("previous_permanence", "PERMANENCE", True),
    ("placed_for_adoption", "AD_PLACED", True),
    ("episodes", "EPISODE", False),
)
#: Columns every table repeats from the header (not written again in the XML).
_CHILD_COLUMNS = ("CHILD", "DOB", "SEX")
_XML_NAMES = {"CHILD": "CHILDID", "PLACE": "PL"}


def write_903_xml(tables: dict[str, pl.DataFrame], path: str | Path) -> Path:
    """The extract's tables (text, as :func:`lacompare.ssda903.read.read_extract` gives
    them) written as one XML return in the layout councils send DfE (``EXPSSDA903/CHILD``,
    each with its ``HEADER`` and ``EPISODE`` elements)."""
    from xml.sax.saxutils import escape

    def leaves(row: dict[str, object], skip: tuple[str, ...] = ()) -> str:
        return "".join(
            f"<{_XML_NAMES.get(k, k)}>{escape(str(v))}</{_XML_NAMES.get(k, k)}>"
            for k, v in row.items()
            if k not in skip and not k.startswith("_") and v is not None
        )

    by_child: dict[str, dict[str, list[dict[str, object]]]] = {}
    for name, frame in tables.items():
        for row in frame.iter_rows(named=True):
            by_child.setdefault(str(row["CHILD"]), {}).setdefault(name, []).append(row)
    parts = ["<?xml version='1.0' encoding='utf-8'?>\n<EXPSSDA903>"]
    for child, own in by_child.items():
        inline: dict[str, object] = {"CHILD": child}
        for name in _INLINE:
            for row in own.get(name, []):
                inline |= {k: v for k, v in row.items() if v is not None}
        parts.append(f"<CHILD><HEADER>{leaves(inline)}")
        for name, tag, in_header in _CONTAINERS:
            if in_header:
                parts += [f"<{tag}>{leaves(r, _CHILD_COLUMNS)}</{tag}>" for r in own.get(name, [])]
        parts.append("</HEADER>")
        for name, tag, in_header in _CONTAINERS:
            if not in_header:
                parts += [f"<{tag}>{leaves(r, _CHILD_COLUMNS)}</{tag}>" for r in own.get(name, [])]
        parts.append("</CHILD>")
    parts.append("</EXPSSDA903>\n")
    target = Path(path)
    target.write_text("".join(parts), encoding="utf-8")
    return target
