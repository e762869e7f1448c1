"""Commentary, red-red flags, neighbour-model changes and the front-page summary."""

from __future__ import annotations

import re

import polars as pl
import pytest

import lacompare
from lacompare.periods import period_text
from lacompare.tables import model_of

NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:,\d{3})*(?:\.\d+)?%?")


def test_every_sentence_uses_the_tables_numbers(derby: pl.DataFrame) -> None:
    """Every number in every Derby sentence is one the board table displays for that row
    (value, SN average, England, change, rank), and its words agree with the verdicts."""
    said = lacompare.commentary(derby).with_columns(
        period_text=period_text(pl.col("period"), pl.col("period_type"), pl.col("snapshot")),
        previous_period_text=period_text(
            pl.col("previous_period"), pl.col("period_type"), pl.col("snapshot")
        ),
    )
    shown = model_of(lacompare.board_table(derby)).frame
    table = {row["indicator_id"]: row for row in shown.iter_rows(named=True)}
    checked = 0
    for row in said.iter_rows(named=True):
        text = row["commentary"]
        cells = table[row["indicator_id"]]
        name = row["indicator_label"]
        body = text[len(name) :]  # numbers inside the indicator's own name do not count
        for label in (
            row["period_text"],
            row["previous_period_text"],
            row["period"],
            row["previous_period"],
        ):
            if label:  # periods ("2022/23", "31 March 2025") are names, not figures
                body = body.replace(str(label), "")
        allowed = set()
        for key in ("la", "sn_average", "england", "change", "rank", "period"):
            value = cells[key] or ""
            allowed |= set(NUMBER.findall(value.replace("+", "")))
            allowed |= {n.lstrip("+-") for n in NUMBER.findall(value)}
        allowed |= {str(row["previous_period"])} if row["previous_period"] else set()
        allowed |= {str(row["period"])}
        allowed |= {"99.8%"}  # the confidence level of Fingertips' second test, not a figure
        for number in NUMBER.findall(body):
            assert number.lstrip("+-") in allowed, (text, number, allowed)
            checked += 1
        if row["la_value"] is None:
            assert "no published figure" in text
            continue
        tested_change = row["change_vs_previous"]
        england = row["vs_england"]
        if england == "similar":
            assert "imilar to England" in text
        elif england in {"better", "worse"}:
            assert "significantly" in text.lower() and f"which is {england}" in text
        elif (
            england == "not compared"
            and row["unit"] != "count"
            and row["england_value"] is not None
        ):
            assert "England" in text and "not tested" in text
        # A change is called better or worse only when tested; "not tested" otherwise.
        if tested_change == "similar" and row["previous_value"] is not None:
            assert "not a significant change" in text, text
        elif tested_change in {"better", "worse"}:
            assert f"significantly {tested_change}" in text, text
        elif row["direction"] in {"improving", "worsening"}:
            assert "(not tested)" in text, text
            assert row["direction"] not in text
        if row["polarity"] == "neutral":
            assert "better" not in text and "worse" not in text
    assert checked > 1000


def test_every_las_sentences_read_right(ref: lacompare.ReferenceData) -> None:
    """Walk every LA's sentences (all indicators): counts are described by level and change
    only, never set against England's total or neighbours' counts, nor ranked; nothing says
    "None"; every sentence ends in a full stop."""
    said = lacompare.commentary(lacompare.compare_all(ref))
    assert said.height > 60_000
    counts = said.filter(pl.col("unit") == "count", pl.col("la_value").is_not_null())
    assert counts.get_column("indicator_id").n_unique() >= 30
    for text in counts.get_column("commentary"):
        assert not re.search(r"England|neighbour|ranked|quartile", text), text
    # (DfE's own names may say "None", as "KS4 None SEN pupils": only the words after count.)
    bodies = said.select(
        body=pl.col("commentary").str.slice(pl.col("indicator_name").str.len_chars())
    )
    assert bodies.filter(pl.col("body").str.contains(r"\bNone\b")).height == 0
    assert said.filter(~pl.col("commentary").str.ends_with(".")).height == 0
    no_period = said.filter(pl.col("period").is_null())
    assert (
        no_period.height == 0
        or no_period.get_column("commentary").str.contains("for any period").all()
    )


def test_local_figures_say_so(derby: pl.DataFrame) -> None:
    row = derby.filter(pl.col("indicator_id") == "rereferral").with_columns(
        la_status=pl.lit("local"), la_local=pl.lit(True)
    )
    assert "(local figure, not yet published)" in lacompare.commentary(row)["commentary"][0]


def test_red_red_is_exactly_worse_and_worsening(derby: pl.DataFrame) -> None:
    """Red-red: significantly worse than England and worse than the previous period, by the
    tested change where it could be tested (LAIT's label only where it could not)."""
    tested, untested = pl.col("change_vs_previous"), pl.col("direction")
    worsened = (tested == "worse") | ((tested == "not compared") & (untested == "worsening"))
    improved = (tested == "better") | ((tested == "not compared") & (untested == "improving"))
    expected = derby.filter((pl.col("vs_england") == "worse") & worsened)
    assert lacompare.red_red(derby).get_column("indicator_id").sort().to_list() == (
        expected.get_column("indicator_id").sort().to_list()
    )
    greens = derby.filter((pl.col("vs_england") == "better") & improved)
    assert lacompare.green_green(derby).get_column("indicator_id").sort().to_list() == (
        greens.get_column("indicator_id").sort().to_list()
    )
    # A worsening the test calls too small to be significant is not red-red.
    similar = derby.filter(
        pl.col("vs_england") == "worse", untested == "worsening", tested == "similar"
    )
    assert not set(similar.get_column("indicator_id")) & set(
        lacompare.red_red(derby).get_column("indicator_id")
    )


def test_red_red_rows_are_listed_first(ref) -> None:
    everything = lacompare.compare_all(ref, indicators="Child Protection")
    reds = lacompare.red_red(everything)
    assert reds.height > 0  # some LA somewhere is red-red on child protection
    la = reds.get_column("area_code")[0]
    rows = everything.filter(pl.col("area_code") == la)
    model = model_of(lacompare.board_table(rows, highlight="red-red"))
    first = model.frame.head(lacompare.red_red(rows).height)
    assert first.get_column("topic").unique().to_list() == [
        "Red-red: worse than England and getting worse"
    ]
    assert any(note.startswith("Red-red rows are listed first") for note in model.notes)


def test_both_neighbour_models_by_hand(ref) -> None:
    rows = lacompare.compare_neighbour_models(ref, "Derby", indicators=["LAC"])
    row = rows.row(0, named=True)
    for model, column in (("2025", "sn_average"), ("2021", "sn_average_2021")):
        members = ref.neighbours_of("Derby", model).get_column("neighbour_code").to_list()
        values = (
            ref.observations.filter(
                pl.col("indicator_id") == "lac",
                pl.col("period") == row["period"],
                pl.col("area_code").cast(pl.String).is_in(members),
            )
            .get_column("value")
            .drop_nulls()
        )
        assert row[column] == pytest.approx(sum(values) / len(values))
    change = lacompare.neighbour_model_change(ref, "Derby")
    assert change["left"] == ["Telford and Wrekin", "Dudley", "Medway", "Leeds"]
    assert sorted(change["joined"]) == ["Rochdale", "Southampton", "Stoke-on-Trent", "Tameside"]
    note = lacompare.model_change_note(ref, "Derby")
    assert "Telford and Wrekin, Dudley, Medway, Leeds left" in note
    model = model_of(lacompare.board_table(rows, notes=[note]))
    assert "sn_average_2021" in model.columns and note in model.notes


def test_summary_counts_and_paragraph(derby: pl.DataFrame) -> None:
    table = lacompare.summary(derby)
    total = table.filter(pl.col("topic") == "All").row(0, named=True)
    assert total["indicators"] == derby.height
    parts = ["no_figure", "small_number", "old_figure", "not_tested", "better", "similar", "worse"]
    assert total["indicators"] == sum(total[p] for p in [*parts, "higher_or_lower"])
    assert (
        total["tested"]
        == sum(total[p] for p in ["better", "similar", "worse"]) + total["higher_or_lower"]
    )
    counted = derby.filter(
        pl.col("la_value").is_not_null(),
        ~pl.col("small_number"),
        ~pl.col("is_old").fill_null(False),
    )
    assert total["similar"] == (counted["vs_england"] == "similar").sum()
    assert total["sn_worse"] == (counted["vs_sn"] == "worse").sum()
    paragraph = lacompare.summary_paragraph(derby)
    assert f"{total['similar']} similar" in paragraph
    assert "Derby" in paragraph and "flagged" in paragraph
    with pytest.raises(lacompare.InvalidArgumentError, match="describes one local authority"):
        lacompare.summary_paragraph(pl.concat([derby, derby.with_columns(area_name=pl.lit("X"))]))
