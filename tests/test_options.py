"""Options appraisal (issue 19 item 4): the pure table from a per-draw NPV matrix, and
scenario files with ``[[options]]`` run with common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peervalue.scenario.options import appraise, expected_loss, prob_best

# Three options x four draws, worked by hand.
#   business as usual:  0    0    0    0     cost   0 every draw
#   A:                 10   -5   20    3     cost 100 every draw
#   B:                 15  -20    5    8     cost 200 every draw
# best per draw: 15 (B), 0 (BAU), 20 (A), 8 (B); E[max] = 43 / 4 = 10.75
# means: BAU 0, A 28 / 4 = 7, B 8 / 4 = 2
# expected loss = E[max] - mean: BAU 10.75, A 3.75, B 8.75
#   (A by draw: 15 - 10, 0 + 5, 20 - 20, 8 - 3 = 5, 5, 0, 5 -> 15 / 4 = 3.75)
# P(best): BAU 1/4, A 1/4, B 2/4
# cheapest first: BAU, A, B; incremental: A - BAU = 7, B - A = 2 - 7 = -5
NAMES = ["business as usual", "A", "B"]
NPV = [[0.0, 0.0, 0.0, 0.0], [10.0, -5.0, 20.0, 3.0], [15.0, -20.0, 5.0, 8.0]]
COST = [[0.0] * 4, [100.0] * 4, [200.0] * 4]


def test_hand_worked_three_options_four_draws() -> None:
    out = appraise(NAMES, NPV, NPV, COST, point_npv=[0.0, 6.0, 1.0])
    rows = {r.name: r for r in out.options}
    assert [rows[n].mean_net_present_value for n in NAMES] == pytest.approx([0.0, 7.0, 2.0])
    assert [rows[n].expected_loss for n in NAMES] == pytest.approx([10.75, 3.75, 8.75])
    assert [rows[n].prob_best for n in NAMES] == pytest.approx([0.25, 0.25, 0.5])
    assert rows["business as usual"].compared_with is None
    assert rows["A"].compared_with == "business as usual"
    assert rows["A"].incremental_net_present_value == pytest.approx(7.0)
    assert rows["B"].compared_with == "A"
    assert rows["B"].incremental_net_present_value == pytest.approx(-5.0)
    assert rows["A"].net_present_value == 6.0
    assert out.best == "A"
    assert out.evpi == pytest.approx(3.75)
    assert out.draws == 4


def test_the_cheaper_order_follows_cost_not_the_order_given() -> None:
    # B listed before A but cheaper: B is compared with BAU (2 - 0), A with B (7 - 2)
    names = ["business as usual", "B", "A"]
    out = appraise(names, [NPV[0], NPV[2], NPV[1]], [NPV[0], NPV[2], NPV[1]], COST)
    rows = {r.name: r for r in out.options}
    assert rows["B"].compared_with == "business as usual"
    assert rows["B"].incremental_net_present_value == pytest.approx(2.0)
    assert rows["A"].compared_with == "B"
    assert rows["A"].incremental_net_present_value == pytest.approx(5.0)


def test_tied_options_share_the_draw() -> None:
    # two identical options best in both draws: each 1/2; BAU never best
    npv = np.array([[0.0, 0.0], [1.0, 2.0], [1.0, 2.0]])
    assert prob_best(npv) == pytest.approx([0.0, 0.5, 0.5])
    assert expected_loss(npv) == pytest.approx([1.5, 0.0, 0.0])


def test_refuses_repeated_names_and_a_wrong_shape() -> None:
    with pytest.raises(ValueError, match="distinct"):
        appraise(["A", "A"], [[1.0], [2.0]], [[1.0], [2.0]], [[1.0], [2.0]])
    with pytest.raises(ValueError, match="shape"):
        appraise(["A", "B"], [[1.0], [2.0]], [[1.0]], [[1.0], [2.0]])


matrices = st.integers(1, 6).flatmap(
    lambda k: st.integers(1, 30).flatmap(
        lambda n: st.lists(
            st.lists(
                st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
                min_size=n,
                max_size=n,
            ),
            min_size=k,
            max_size=k,
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(matrices)
def test_expected_loss_and_prob_best_properties(m: list[list[float]]) -> None:
    npv = np.asarray(m)
    names = [f"option {i}" for i in range(npv.shape[0])]
    out = appraise(names, npv, npv, np.abs(npv))
    loss = np.array([r.expected_loss for r in out.options])
    p = np.array([r.prob_best for r in out.options])
    means = npv.mean(axis=1)
    tol = 1e-9 * max(1.0, float(np.abs(npv).max()))
    assert (loss >= -tol).all()
    assert p.sum() == pytest.approx(1.0)
    assert ((p >= 0) & (p <= 1)).all()
    # the least expected loss belongs to the option with the highest mean NPV
    assert loss[int(np.argmax(means))] <= loss.min() + tol
    # and equals E[max] - mean, option by option (an independent reading)
    e_max = float(np.mean([max(col) for col in zip(*m, strict=True)]))
    assert loss == pytest.approx(e_max - means, abs=tol)
