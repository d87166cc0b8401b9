"""The Board pack's HTML sections (crimecast/report/board_html.py) that need no forecast: the fleet's."""

from types import SimpleNamespace

import pandas as pd

import crimecast.report.board_html as board_html
from crimecast.optimise.fleet import solve_fleet
from crimecast.optimise.fleet_spec import load_fleet


def test_the_fleet_chart_carries_no_data_notice_since_it_rests_on_no_counts(monkeypatch):
    import matplotlib.pyplot as plt

    captions = []

    def tradeoff_chart(tradeoff, **options):
        captions.append(options.get("notice", ""))
        return plt.figure(figsize=(1, 1))

    monkeypatch.setattr(board_html, "tradeoff_chart", tradeoff_chart)
    fleet = load_fleet("fleet-2013")
    plan = solve_fleet(fleet)
    tradeoff = pd.DataFrame({"co2_tonnes": [plan.co2, plan.co2 / 2], "whole_life_cost": [plan.cost, plan.cost * 1.1]})
    pack = SimpleNamespace(fleet=SimpleNamespace(report=SimpleNamespace(plan=plan, tradeoff=tradeoff), name=fleet.spec.name),
                           provenance=SimpleNamespace(notice="ILLUSTRATIVE DATA: synthetic counts ..."))
    context = board_html._fleet_context(pack)
    assert captions == [""] and context["chart"].caption.startswith("Fleet renewal")
