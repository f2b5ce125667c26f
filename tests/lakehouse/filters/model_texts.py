"""Graded answer texts the model tests train on: fluent answers and poor ones."""

GOOD = [
    f"TCP guarantees reliable ordered delivery using sequence numbers and acknowledgements {i}."
    for i in range(30)
] + [
    f"The UDP header is eight bytes long and carries ports, length and checksum {i}."
    for i in range(30)
]
POOR = [f"idk {i}" for i in range(30)] + [f"no answer lol {i}" for i in range(30)]
