"""Seeded synthetic CIN census returns, for tests, the example and the benchmark: no real
child. One history of children's episodes is simulated over several years (referrals, NFA,
assessments, section 47 enquiries, ICPCs, plans with their reviews, transfers in, unborn
children, episodes spanning years); each year's return is that history as the LA would have
returned it on its census date (everything open at any time in the year, with its history,
and nothing dated after the census date).

    write_synthetic_cin("cin_2026.xml", year=2026, children=2000, seed=1)
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

Child = dict[str, Any]

#: How many years of history come before the year returned.
HISTORY_YEARS = 4


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def simulate(year: int, children: int, seed: int) -> list[Child]:
    """The LA's children, each with its episodes, from ``HISTORY_YEARS`` before the year
    ending 31 March ``year`` to that date (a little after, for episodes still open)."""
    rng = random.Random(seed)
    first = date(year - HISTORY_YEARS, 4, 1)
    last = date(year, 3, 31)
    out = []
    for number in range(children):
        child: Child = {"id": f"SYN{seed:03d}{number:07d}", "episodes": []}
        unborn = rng.random() < 0.02
        referral = _day(rng, first, last)
        if unborn:
            child["expected_birth"] = referral + timedelta(days=rng.randint(30, 200))
        else:
            child["birth"] = referral - timedelta(days=rng.randint(0, 17 * 365))
        child["sex"] = rng.choice(["M", "F"])
        while referral <= last and len(child["episodes"]) < 4:
            episode = _episode(rng, referral, child)
            child["episodes"].append(episode)
            end = episode.get("closure")
            if end is None:
                break
            referral = end + timedelta(days=rng.randint(1, 500))
        out.append(child)
    return out


def _episode(rng: random.Random, referral: date, child: Child) -> dict[str, Any]:
    episode: dict[str, Any] = {
        "referral": referral,
        "source": rng.choice(["1A", "2A", "2B", "3A", "3B", "3E", "4", "5A", "6", "6", "8", "10"]),
        "need": rng.choice(["N1", "N1", "N2", "N3", "N4", "N5", "N6", "N8", "N9"]),
        "nfa": rng.random() < 0.08,
        "assessments": [],
        "s47s": [],
        "plans": [],
    }
    if episode["nfa"]:
        # Most NFA referrals close the day they came in; a few stay open (as DfE allows).
        if rng.random() < 0.9:
            episode["closure"], episode["reason"] = referral, "RC8"
        return episode
    start = referral + timedelta(days=rng.randint(0, 5))
    episode["assessments"].append(
        {"start": start, "authorised": start + timedelta(days=rng.choice([3, 20, 35, 45, 60, 70]))}
    )
    end = start + timedelta(days=rng.randint(20, 900))
    if rng.random() < 0.05:  # a transfer in: the ICPC is the episode's, with no s47
        episode["icpc"] = referral + timedelta(days=rng.randint(1, 20))
        end = _plan(rng, episode, episode["icpc"], end, child)
    elif rng.random() < 0.35:
        s47: dict[str, Any] = {"start": start + timedelta(days=rng.randint(0, 10))}
        episode["s47s"].append(s47)
        if rng.random() < 0.6:
            s47["icpc"] = s47["start"] + timedelta(days=rng.randint(5, 30))
            end = _plan(rng, episode, s47["icpc"], end, child)
        else:
            s47["not_required"] = rng.random() < 0.5
    elif rng.random() < 0.15:  # assessed, and not in need
        episode["closure"] = episode["assessments"][0]["authorised"]
        episode["reason"] = rng.choice(["RC8", "RC9"])
        return episode
    if rng.random() < 0.85:
        episode["closure"] = end
        episode["reason"] = rng.choice(["RC1", "RC2", "RC3", "RC4", "RC5", "RC7"])
    return episode


def _plan(rng: random.Random, episode: dict, icpc: date, end: date, child: Child) -> date:
    """A plan from the ICPC, with its reviews; the episode closes after it ends."""
    if rng.random() < 0.2:
        return end
    length = rng.choice([90, 180, 300, 400, 600, 729, 800])
    plan: dict[str, Any] = {
        "start": icpc,
        "end": icpc + timedelta(days=length),
        "category": rng.choice(["NEG", "NEG", "EMO", "PHY", "SAB", "MUL"]),
        "previous": child.setdefault("plans_so_far", 0),
        "reviews": [],
    }
    child["plans_so_far"] += 1
    review = icpc + timedelta(days=rng.choice([60, 85, 90, 95]))
    while review < plan["end"]:
        plan["reviews"].append(review)
        review += timedelta(days=rng.choice([150, 170, 182, 190]))
    episode["plans"].append(plan)
    return max(end, plan["end"] + timedelta(days=rng.randint(0, 60)))


def as_returned(children: list[Child], year: int) -> list[Child]:
    """The children the return for the year ending 31 March ``year`` holds, as the LA knew
    them on that day: episodes open at any time in the year, and nothing dated after it."""
    start, census = date(year - 1, 4, 1), date(year, 3, 31)
    out = []
    for child in children:
        if child.get("birth") is not None and child["birth"] > census:
            continue
        episodes = [
            _cut(e, census)
            for e in child["episodes"]
            if e["referral"] <= census and (e.get("closure") is None or e["closure"] >= start)
        ]
        if episodes:
            out.append({**child, "episodes": episodes})
    return out


def _cut(episode: dict[str, Any], census: date) -> dict[str, Any]:
    """The episode as known on the census date."""

    def known(day: date | None) -> date | None:
        return day if day is not None and day <= census else None

    cut = dict(episode)
    if known(episode.get("closure")) is None:
        cut.pop("closure", None)
        cut.pop("reason", None)
    cut["icpc"] = known(episode.get("icpc"))
    cut["assessments"] = [
        {"start": a["start"], "authorised": known(a["authorised"])}
        for a in episode["assessments"]
        if a["start"] <= census
    ]
    cut["s47s"] = [
        {**s, "icpc": known(s.get("icpc"))} for s in episode["s47s"] if s["start"] <= census
    ]
    cut["plans"] = [
        {**p, "end": known(p["end"]), "reviews": [r for r in p["reviews"] if r <= census]}
        for p in episode["plans"]
        if p["start"] <= census
    ]
    return cut


def _element(tag: str, value: object, indent: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"{indent}<{tag}>{escape(str(value))}</{tag}>\n"


def return_xml(children: list[Child], *, census: date, lea: int = 831) -> str:
    """A CIN census return, in DfE's layout, for ``children`` (as :func:`as_returned`)."""
    parts = [
        "<?xml version='1.0' encoding='utf-8'?>\n<Message>\n  <Header>\n"
        "    <CollectionDetails>\n      <Collection>CIN</Collection>\n"
        f"      <Year>{census.year}</Year>\n      <ReferenceDate>{census:%Y-%m-%d}"
        "</ReferenceDate>\n    </CollectionDetails>\n    <Source>\n"
        f"      <SourceLevel>L</SourceLevel>\n      <LEA>{lea}</LEA>\n"
        "      <SoftwareCode>lacompare synthetic</SoftwareCode>\n    </Source>\n"
        "  </Header>\n  <Children>\n"
    ]
    for child in children:
        parts.append(_child_xml(child))
    parts.append("  </Children>\n</Message>\n")
    return "".join(parts)


def _child_xml(child: Child) -> str:
    i3, i4, i5, i6 = " " * 6, " " * 8, " " * 10, " " * 12
    out = ["    <Child>\n", f"{i3}<ChildIdentifiers>\n", _element("LAchildID", child["id"], i4)]
    out.append(_element("PersonBirthDate", child.get("birth"), i4))
    out.append(_element("ExpectedPersonBirthDate", child.get("expected_birth"), i4))
    out.append(_element("Sex", child.get("sex"), i4))
    out.append(f"{i3}</ChildIdentifiers>\n")
    for e in child["episodes"]:
        out.append(f"{i3}<CINdetails>\n")
        for tag, key in (
            ("CINreferralDate", "referral"), ("ReferralSource", "source"),
            ("PrimaryNeedCode", "need"), ("CINclosureDate", "closure"),
            ("ReasonForClosure", "reason"), ("DateOfInitialCPC", "icpc"),
        ):  # fmt: skip
            out.append(_element(tag, e.get(key), i4))
        for a in e.get("assessments", []):
            out.append(f"{i4}<Assessments>\n")
            out.append(_element("AssessmentActualStartDate", a.get("start"), i5))
            out.append(_element("AssessmentAuthorisationDate", a.get("authorised"), i5))
            out.append(f"{i4}</Assessments>\n")
        for s in e.get("s47s", []):
            out.append(f"{i4}<Section47>\n")
            out.append(_element("S47ActualStartDate", s.get("start"), i5))
            out.append(_element("DateOfInitialCPC", s.get("icpc"), i5))
            out.append(_element("ICPCnotRequired", s.get("not_required"), i5))
            out.append(f"{i4}</Section47>\n")
        out.append(_element("ReferralNFA", e.get("nfa"), i4))
        for p in e.get("plans", []):
            out.append(f"{i4}<ChildProtectionPlans>\n")
            out.append(_element("CPPstartDate", p.get("start"), i5))
            out.append(_element("CPPendDate", p.get("end"), i5))
            out.append(_element("InitialCategoryOfAbuse", p.get("category"), i5))
            out.append(_element("LatestCategoryOfAbuse", p.get("category"), i5))
            out.append(_element("NumberOfPreviousCPP", p.get("previous"), i5))
            for r in p.get("reviews", []):
                out.append(f"{i5}<Reviews>\n{_element('CPPreviewDate', r, i6)}{i5}</Reviews>\n")
            out.append(f"{i4}</ChildProtectionPlans>\n")
        out.append(f"{i3}</CINdetails>\n")
    out.append("    </Child>\n")
    return "".join(out)


def write_synthetic_cin(
    path: str | Path, *, year: int, children: int = 2000, seed: int = 1, lea: int = 831
) -> Path:
    """Write the return for the year ending 31 March ``year`` of a simulated LA with about
    ``children`` children ever referred over the last few years; the same ``seed`` gives the
    same history, so ``year - 1``'s return is the same LA a year earlier."""
    world = simulate(year, children, seed)
    return write_return(path, as_returned(world, year), census=date(year, 3, 31), lea=lea)


def write_return(path: str | Path, children: list[Child], *, census: date, lea: int = 831) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(return_xml(children, census=census, lea=lea), encoding="utf-8")
    return target
