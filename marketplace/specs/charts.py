"""The per-group breakdown as a chart drawn on the server (SVG, no JavaScript): a pure function from a score to the
shapes a template draws. Widths are percentages and text keeps its size, so it reads the same on a phone.

Each group is a line with its name and percentage, and under it a bar on a track of 100 %; a dashed line marks the
50 % of "high relevance to OSE goals"."""

from dataclasses import dataclass

from marketplace.specs.scoring import HIGH_RELEVANCE, Score

LABEL_HEIGHT = 17  # px: the group's name and percentage
BAR_HEIGHT = 10
ROW_GAP = 9


# Shorter names where the full one and its percentage would not fit a phone's width on one line
SHORT_LABELS = {"economic-feasibility": "Feasibility, replicability", "enterprise-assistance": "Enterprise assistance"}


@dataclass(frozen=True)
class GroupBar:
    label: str
    full_label: str
    shown: str  # "66.7"
    answered: int
    questions: int
    text_y: int
    bar_y: int
    width: str  # a percentage of the chart's width, e.g. "66.67%"


@dataclass(frozen=True)
class GroupChart:
    bars: tuple[GroupBar, ...]
    height: int
    bar_height: int = BAR_HEIGHT
    threshold: str = f"{HIGH_RELEVANCE}%"


def group_chart(score: Score) -> GroupChart:
    bars, y = [], 0
    for group in score.groups:
        bars.append(
            GroupBar(
                label=SHORT_LABELS.get(group.group, group.label), full_label=group.label, shown=f"{group.shown}",
                answered=group.answered, questions=group.questions, text_y=y + LABEL_HEIGHT - 5,
                bar_y=y + LABEL_HEIGHT, width=f"{group.percent:.2f}%",
            )
        )  # fmt: skip
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    return GroupChart(bars=tuple(bars), height=max(y - ROW_GAP, 0))
